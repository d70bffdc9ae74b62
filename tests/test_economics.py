"""Renewal economics on hand rows (metrics.md "Renewal economics"): price, volume and mix at renewal, committed
ARR, the path to plan and its what-if. Every expected figure below is worked out in the comment beside it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import polars as pl
import pytest

from renewal_radar import db, economics, path_to_plan, quarter_forecast
from renewal_radar.readers import overview
from tests.conftest import ROOT, import_files

# P: 100 seats at $10 → 90 seats at $12 (price +180, volume −100, net +80)
# Q: Core 50 × $2 kept at 50 × $2, Add-on $30 added on renewal (mix +30)
# R: Core 10 × $5 → 10 × $5, Extra $20 dropped (mix −20)
# S: no quantity exported: $200 → $220 (quantity 1 each: price +20)
# T: EUR, Core 10 × €10 → 10 × €11 at the due month's rate 1.2 on both sides (price +12 USD MRR), although the
#    renewal month's rate is 1.5 (currency stays out)
# N: two currencies: Core $100 kept, Add-on €50 → €60 at November's rate 1.5 (price +15 USD MRR)
# M: a monthly line renewed in Oct, Nov, Dec 2024 at 5 × $20 → 5 × $20 → 6 × $20 → 6 × $22: one window renewal
#    in 2024-Q4: due 100 (first event), renewed 132 (last): volume +20, price +12
UPLIFT_SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,quantity,product,currency,bill_period_months
P,2024-01-01,2024-11-01,1000,100,Core,USD,12
P,2024-11-01,2025-11-01,1080,90,Core,USD,12
Q,2024-01-01,2024-11-01,100,50,Core,USD,12
Q,2024-11-01,2025-11-01,100,50,Core,USD,12
Q,2024-11-01,2025-11-01,30,1,Add-on,USD,12
R,2024-01-01,2024-11-01,50,10,Core,USD,12
R,2024-01-01,2024-11-01,20,1,Extra,USD,12
R,2024-11-01,2025-11-01,50,10,Core,USD,12
S,2024-01-01,2024-11-01,200,,Core,USD,12
S,2024-11-01,2025-11-01,220,,Core,USD,12
T,2024-01-01,2024-10-01,100,10,Core,EUR,12
T,2024-10-01,2025-10-01,110,10,Core,EUR,12
N,2024-01-01,2024-11-01,100,10,Core,USD,12
N,2024-01-01,2024-11-01,50,1,Add-on,EUR,12
N,2024-11-01,2025-11-01,100,10,Core,USD,12
N,2024-11-01,2025-11-01,60,1,Add-on,EUR,12
M,2024-09-01,2024-10-01,100,5,Core,USD,1
M,2024-10-01,2024-11-01,100,5,Core,USD,1
M,2024-11-01,2024-12-01,120,6,Core,USD,1
M,2024-12-01,2025-01-01,132,6,Core,USD,1
"""
UPLIFT_ACCOUNTS = """account_id,name,segment,csm_owner
P,Papa,Enterprise,Ann
Q,Quebec,SMB,Ann
R,Romeo,SMB,Bob
S,Sierra,SMB,Bob
T,Tango,Enterprise,Bob
M,Mike,SMB,Ann
N,November,SMB,Bob
"""
UPLIFT_FX = """currency,month,rate
EUR,2024-01-01,1.2
EUR,2024-10-01,1.2
EUR,2024-11-01,1.5
"""
UPLIFT_AS_OF = dt.date(2024, 12, 20)


@pytest.fixture(scope="module")
def uplift_con(tmp_path_factory):
    path, result = import_files(tmp_path_factory.mktemp("uplift"), {
        "subscriptions.csv": UPLIFT_SUBSCRIPTIONS, "accounts.csv": UPLIFT_ACCOUNTS, "fx_rates.csv": UPLIFT_FX},
        as_of=UPLIFT_AS_OF)
    assert result.loaded, result.report.text()
    con = db.connect(path, read_only=True)
    yield con
    con.close()


def _by_account(splits: pl.DataFrame) -> dict[str, dict]:
    return {row["account_id"]: row for row in splits.iter_rows(named=True)}


def test_price_volume_and_mix_of_each_renewal_by_hand(uplift_con):
    rows = _by_account(economics.renewal_splits(uplift_con, dt.date(2024, 10, 1), dt.date(2025, 1, 1)))
    expected = {  # ARR = 12 × MRR: (due, renewed, price, volume, mix)
        "P": (12_000, 12_960, 2_160, -1_200, 0),
        "Q": (1_200, 1_560, 0, 0, 360),
        "R": (840, 600, 0, 0, -240),
        "S": (2_400, 2_640, 240, 0, 0),
        "T": (1_440, 1_584, 144, 0, 0),       # €10 × 10 × 1.2 × 12 → €11 × 10 × 1.2 × 12
        "M": (1_200, 1_584, 144, 240, 0),     # 5 × $20 first, 6 × $22 last: volume (6 − 5) × 20, price 2 × 6
        "N": (2_100, 2_280, 180, 0, 0),       # (100 + 50 × 1.5) × 12 → (100 + 60 × 1.5) × 12
    }
    assert set(rows) == set(expected)
    for account, (due, renewed, price, volume, mix) in expected.items():
        row = rows[account]
        got = (row["due_arr"], row["renewed_arr"], row["price_arr"], row["volume_arr"], row["mix_arr"])
        assert got == pytest.approx((due, renewed, price, volume, mix), abs=0.005), account
    assert rows["M"]["n_events"] == 3  # Oct, Nov and Dec: one window renewal in the quarter


def test_identity_renewed_less_due_is_price_volume_and_mix_to_the_cent(uplift_con):
    for grain in ("month", "quarter", None):
        splits = economics.renewal_splits(uplift_con, dt.date(2024, 1, 1), dt.date(2025, 1, 1), grain=grain)
        assert splits.height
        gap = splits["renewed_arr"] - splits["due_arr"] - splits["price_arr"] - splits["volume_arr"] \
            - splits["mix_arr"]
        assert gap.abs().max() < 0.005


def test_a_month_window_keeps_each_monthly_renewal_apart(uplift_con):
    splits = economics.renewal_splits(uplift_con, dt.date(2024, 10, 1), dt.date(2025, 1, 1), grain="month")
    monthly = splits.filter(pl.col("account_id") == "M").sort("renewal_date")
    # Oct: 100 → 100; Nov: 100 → 120 (one seat more); Dec: 120 → 132 (price 2 × 6)
    assert monthly["renewed_arr"].to_list() == pytest.approx([1_200, 1_440, 1_584])
    assert monthly["volume_arr"].to_list() == pytest.approx([0, 240, 0])
    assert monthly["price_arr"].to_list() == pytest.approx([0, 0, 144])


def test_uplift_summed_by_quarter_and_group_with_the_price_uplift(uplift_con):
    splits = economics.renewal_splits(uplift_con, dt.date(2024, 10, 1), dt.date(2025, 1, 1))
    table = economics.uplift_table(splits, "quarter", "csm_owner")
    ann = table.filter(pl.col("group") == "Ann").row(0, named=True)
    # Ann: P, Q, M. price 2,160 + 0 + 144; kept due 12,000 + 1,200 (Q's Core) + 1,200
    assert ann["period"] == "2024-Q4" and ann["n_renewed"] == 3
    assert ann["price_arr"] == pytest.approx(2_304)
    assert ann["price_uplift"] == pytest.approx(2_304 / 14_400)
    assert set(table.columns) == set(economics.SUMMARY_COLUMNS)


# committed ARR on 2024-12-01:
#  K: 100 active to 2025-06-01, and an Add-on of 30 booked 2024-11-20 starting 2025-01-01 (signed, + 360)
#  U: 200 active to 2025-03-01, upgraded to 250 from 2025-03-01 booked 2024-11-15 (signed, + 3,000: the spec
#     counts every line known that starts after the day)
#  V: 50 monthly to 2025-01-01, cancel at period end announced 2024-11-25 (− 600)
#  W: 80 active to 2025-02-01, its renewal called Closed Lost in the CRM (− 960)
#  X: 40 active to 2025-02-01, cancellation made 2024-12-10, after the day (not yet announced: stays)
#  Y: a line booked 2024-12-05 that starts 2025-01-01 (not known on the day)
COMMITTED_SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,product,bill_period_months,booked_date,\
cancel_at_period_end,canceled_at
K,2024-06-01,2025-06-01,100,Core,12,,,
K,2025-01-01,2025-06-01,30,Add-on,12,2024-11-20,,
U,2024-03-01,2025-03-01,200,Core,12,,,
U,2025-03-01,2026-03-01,250,Core,12,2024-11-15,,
V,2024-12-01,2025-01-01,50,Core,1,,true,2024-11-25
W,2024-02-01,2025-02-01,80,Core,12,,,
X,2024-02-01,2025-02-01,40,Core,12,,true,2024-12-10
Y,2024-06-01,2025-01-01,10,Core,12,,,
Y,2025-01-01,2026-01-01,10,Core,12,2024-12-05,,
"""
COMMITTED_OPPORTUNITIES = """opportunity_id,account_id,close_date,amount,type,stage,forecast_category,is_closed,is_won
OW,W,2025-01-25,960,Renewal,Closed Lost,Omitted,true,false
OK,K,2025-06-01,1560,Renewal,Negotiation,Commit,false,false
"""


@pytest.fixture(scope="module")
def committed_con(tmp_path_factory):
    path, result = import_files(tmp_path_factory.mktemp("committed"), {
        "subscriptions.csv": COMMITTED_SUBSCRIPTIONS, "renewal_opportunities.csv": COMMITTED_OPPORTUNITIES},
        as_of=dt.date(2024, 12, 20))
    assert result.loaded, result.report.text()
    con = db.connect(path, read_only=True)
    yield con
    con.close()


def test_committed_arr_by_hand(committed_con):
    found = economics.committed(committed_con, dt.date(2024, 12, 20))  # the data's as-of day: every call known
    arr = 12 * (100 + 200 + 50 + 80 + 40 + 10)  # every line active on Dec 20
    assert found["arr"] == pytest.approx(arr)
    assert found["signed_not_live_arr"] == pytest.approx(360 + 3_000 + 120)   # K, U, Y
    assert found["announced_cancellations_arr"] == pytest.approx(600 + 960 + 480)  # V, W, X
    assert found["committed_arr"] == pytest.approx(arr + 3_480 - 2_040)
    assert set(found) == set(economics.COMMITTED_KEYS)


def test_committed_lines_name_each_reason_and_know_only_the_day(committed_con):
    lines = economics.committed_lines(committed_con, dt.date(2024, 12, 20))
    reasons = {(row["account_id"], row["line_reason"]) for row in lines.iter_rows(named=True)}
    assert reasons == {("K", "booked"), ("U", "booked"), ("Y", "booked"), ("V", "cancel_at_period_end"),
                       ("W", "crm_closed_lost"), ("X", "cancel_at_period_end")}
    # on Dec 1 Y's line was not booked, X's cancellation not made and W's loss not yet called (no history)
    earlier = economics.committed(committed_con, dt.date(2024, 12, 1))
    assert earlier["signed_not_live_arr"] == pytest.approx(360 + 3_000)
    assert earlier["announced_cancellations_arr"] == pytest.approx(600)


# A quarter of five renewals, plan 10,000 renewed ARR:
#  A renewed 3,000 of 3,000; B churned 1,000; C open 4,000 at p 0.5 (loss 2,000); D open 2,000 at p 0.25 (loss
#  1,500); E open 1,000 at p 0.9, called Commit (loss 100).
# forecast = 3,000 + 2,000 + 500 + 900 = 6,400; gap = 3,600; ranked C (2,000), D (3,500), E (3,600): all three
# close it, C and D alone (3,500) fall 100 short.
def _hand_quarter() -> pl.DataFrame:
    day = dt.date(2025, 2, 1)
    outcomes = pl.DataFrame({
        "account_id": ["A", "B", "C", "D", "E"], "renewal_date": [day] * 5,
        "outcome": ["renewed", "churned", "open", "open", "open"],
        "due_arr": [3_000.0, 1_000.0, 4_000.0, 2_000.0, 1_000.0],
        "renewed_arr": [3_000.0, 0.0, 0.0, 0.0, 0.0], "renewed_arr_gross": [3_000.0, 0.0, 0.0, 0.0, 0.0],
        "probability": [None, None, 0.5, 0.25, 0.9], "category": [None, None, None, "Pipeline", "Commit"]})
    return quarter_forecast.with_projection(outcomes, contraction=0.0, expansion=0.0)


def test_the_quarter_reads_floor_forecast_best_case_due_on_one_basis():
    summary = quarter_forecast.summarise(_hand_quarter(), {"target_renewed_arr": 10_000.0})
    assert summary["floor_arr"] == pytest.approx(3_000 + 1_000)             # renewed + E (Commit)
    assert summary["forecast_arr"] == pytest.approx(6_400)
    assert summary["best_case_arr"] == pytest.approx(3_000 + 7_000)         # every open renewal, none lost
    assert summary["due_arr"] == pytest.approx(11_000)
    assert summary["floor_arr"] <= summary["forecast_arr"] <= summary["best_case_arr"] <= summary["due_arr"]


def test_path_to_plan_marks_the_shortest_set_that_closes_the_gap():
    rows = _hand_quarter()
    summary = quarter_forecast.summarise(rows, {"target_renewed_arr": 10_000.0})
    found = path_to_plan.path(rows, summary)
    assert found["gap_arr"] == pytest.approx(3_600) and found["closes_gap"]
    ranked = found["renewals"]
    assert ranked["account_id"].to_list() == ["C", "D", "E"]
    assert ranked["cumulative_arr"].to_list() == pytest.approx([2_000, 3_500, 3_600])
    assert ranked["in_shortest_set"].to_list() == [True, True, True]
    easier = path_to_plan.path(rows, quarter_forecast.summarise(rows, {"target_renewed_arr": 9_000.0}))
    assert easier["renewals"]["in_shortest_set"].to_list() == [True, True, False]  # gap 2,600: C and D
    met = path_to_plan.path(rows, quarter_forecast.summarise(rows, {"target_renewed_arr": 6_000.0}))
    assert met["closes_gap"] and not met["renewals"]["in_shortest_set"].any()


def test_path_to_plan_says_when_saving_every_open_renewal_is_not_enough():
    rows = _hand_quarter()
    found = path_to_plan.path(rows, quarter_forecast.summarise(rows, {"target_renewed_arr": 10_500.0}))
    assert found["gap_arr"] == pytest.approx(4_100) and not found["closes_gap"]
    assert found["renewals"]["in_shortest_set"].all()


def test_what_if_moves_the_quarter_and_leaves_the_rows_alone():
    rows = _hand_quarter()
    day = dt.date(2025, 2, 1)
    before = quarter_forecast.summarise(rows, {"target_renewed_arr": 10_000.0})
    after = path_to_plan.what_if_summary(rows, {"target_renewed_arr": 10_000.0}, {("C", day)}, {("E", day)})
    # C renewed at 4,000; E lost: floor 3,000 + 4,000; forecast 7,000 + D's 500; best case 7,000 + D's 2,000
    assert after["floor_arr"] == pytest.approx(7_000)
    assert after["forecast_arr"] == pytest.approx(7_500)
    assert after["best_case_arr"] == pytest.approx(9_000)
    assert after["projected_grr"] == pytest.approx(7_500 / 11_000)
    assert after["gap_to_plan_arr"] == pytest.approx(7_500 - 10_000)
    assert quarter_forecast.summarise(rows, {"target_renewed_arr": 10_000.0}) == before
    # a renewal already decided is not changed by a what-if
    same = path_to_plan.what_if_summary(rows, None, {("B", day)}, set())
    assert same["churned_due_arr"] == pytest.approx(1_000)


# ---------------------------------------------------------------- the demo and the command line


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "renewal_radar", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_identity_holds_on_every_renewal_of_the_demo(demo_con):
    for grain in (None, "month", "quarter"):
        splits = economics.renewal_splits(demo_con, grain=grain)
        assert splits.height > 100
        gap = splits["renewed_arr"] - splits["due_arr"] - splits["price_arr"] - splits["volume_arr"] \
            - splits["mix_arr"]
        assert gap.abs().max() < 0.005, grain
    # the demo's price moves show: list-price rises and negotiated discounts at renewal, seats cut at risky ones
    assert (splits["price_arr"] > 0).any() and (splits["price_arr"] < 0).any() and (splits["volume_arr"] < 0).any()


def test_uplift_command_sums_the_splits_per_quarter_and_team(cli_env, demo_con):
    done = _cli(cli_env, "uplift", "--by", "team", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == list(economics.SUMMARY_COLUMNS)
    for row in rows:
        due, renewed = float(row["due_arr"]), float(row["renewed_arr"])
        effects = float(row["price_arr"]) + float(row["volume_arr"]) + float(row["mix_arr"])
        assert due + effects == pytest.approx(renewed, abs=0.01)
    splits = economics.with_team(demo_con, economics.renewal_splits(demo_con))
    assert sum(int(row["n_renewed"]) for row in rows) == splits.height
    assert sum(float(row["price_arr"]) for row in rows) == pytest.approx(float(splits["price_arr"].sum()), abs=0.01)


def test_committed_command_agrees_with_the_overview(cli_env, demo_con):
    done = _cli(cli_env, "committed", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert list(found) == list(economics.COMMITTED_KEYS)
    page = overview.read(demo_con, dt.date(2026, 11, 1))
    for key in economics.COMMITTED_MONEY:
        assert found[key] == pytest.approx(page.committed[key], abs=0.005), key
    # the demo signed add-ons ahead and holds cancellations already asked for
    assert found["signed_not_live_arr"] > 0 and found["announced_cancellations_arr"] > 0
    assert found["committed_arr"] == pytest.approx(
        found["arr"] + found["signed_not_live_arr"] - found["announced_cancellations_arr"])


def test_path_to_plan_command_marks_the_saves_that_close_the_demo_gap(cli_env, demo_con):
    done = _cli(cli_env, "path-to-plan", "--quarter", "2026-Q4", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert {"quarter", "as_of", "planned_renewed_arr", "forecast_arr", "gap_arr", "closes_gap",
            "renewals"} <= set(found)
    quarter = json.loads(_cli(cli_env, "forecast", "--quarter", "2026-Q4", "--json").stdout)
    assert found["forecast_arr"] == pytest.approx(quarter["forecast_arr"], abs=0.005)
    assert quarter["floor_arr"] <= quarter["forecast_arr"] <= quarter["best_case_arr"] <= quarter["due_arr"]
    renewals = found["renewals"]
    losses = [row["expected_loss_arr"] for row in renewals]
    assert losses == sorted(losses, reverse=True)
    marked = [row for row in renewals if row["in_shortest_set"]]
    if found["gap_arr"] > 0 and found["closes_gap"]:
        # the shortest prefix: its sum reaches the gap, the sum without its last one does not
        assert marked == renewals[:len(marked)]
        assert marked[-1]["cumulative_arr"] >= found["gap_arr"] > marked[-1]["cumulative_arr"] - losses[
            len(marked) - 1]
    else:
        assert not found["closes_gap"] or not marked
