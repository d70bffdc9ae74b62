"""One number per question (issue 35): movements from zero, mapping suggestions, the quarter on one basis,
CRM renewals in any language, the retention projection past the data, what moved and unknown accounts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from renewal_radar import metrics
from renewal_radar.ingest.header_matching import suggest_columns

MOVES = ("new_mrr", "reactivation_mrr", "expansion_mrr", "fx_mrr")
LOSSES = ("contraction_mrr", "churned_mrr")


def test_movements_start_from_zero_and_reconcile_with_a_from_zero_ledger(hand_con):
    table = metrics.monthly_movements(hand_con)
    first = table.row(0, named=True)
    # A and F start on 2024-01-01: the table opens with December 2023, starting MRR 0, and both enter as new
    assert first["month"] == dt.date(2023, 12, 1) and first["starting_mrr"] == 0
    assert first["new_mrr"] == pytest.approx(100 + 100 * 1.2)
    # a from-zero ledger: every dollar of the last ending MRR is a movement since the first start
    net = sum(float(table[c].sum()) for c in MOVES) - sum(float(table[c].sum()) for c in LOSSES)
    assert table["ending_mrr"][-1] == pytest.approx(net)
    # the unfiltered (stored) table and the live one agree
    live = metrics.monthly_movements(hand_con, stored=False)
    assert live.equals(table)


def test_the_demo_movements_start_from_zero(demo_con):
    table = metrics.monthly_movements(demo_con)
    assert table["starting_mrr"][0] == 0
    net = sum(float(table[c].sum()) for c in MOVES) - sum(float(table[c].sum()) for c in LOSSES)
    assert table["ending_mrr"][-1] == pytest.approx(net, rel=1e-9)


@pytest.mark.parametrize("header", ["monthly_amount", "amount", "monthly_price", "price", "Monthly Amount"])
def test_amount_like_headers_are_suggested_for_mrr(header):
    assert suggest_columns("subscriptions", header)[0] == "mrr"


def test_customer_id_is_still_suggested_for_account_id():
    assert suggest_columns("subscriptions", "customer_id")[0] == "account_id"
    assert pl.Series(suggest_columns("subscriptions", "start_date")).to_list()[0] == "start_date"


def test_what_moved_follows_the_filters(demo_con):
    from renewal_radar.filters import Filters
    from renewal_radar.readers import forecast as reader

    snapshot = reader.snapshots(demo_con)["id"][0]
    as_of = metrics.data_as_of(demo_con) + dt.timedelta(days=19)  # the period's first renewals have come due
    whole = reader.what_moved(demo_con, snapshot, as_of)
    smb = reader.what_moved(demo_con, snapshot, as_of, Filters(segments=("SMB",)))
    segments = dict(demo_con.sql("select account_id, segment from accounts_dim").fetchall())
    assert smb.changes.height and smb.changes.height < whole.changes.height
    assert {segments[a] for a in smb.changes["account_id"]} == {"SMB"}
    assert smb.result["before_forecast_arr"] < whole.result["before_forecast_arr"]
    # the deltas still add up within the narrowed book
    delta = sum(row["forecast_arr_delta"] for row in smb.result["changes"])
    assert delta == pytest.approx(smb.result["after_forecast_arr"] - smb.result["before_forecast_arr"], abs=0.01)


@pytest.fixture()
def app(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("RENEWAL_RADAR_DB", str(demo_db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


def test_what_moved_warns_when_the_snapshot_is_later_than_the_as_of_day(app):
    # the page alone, with the sidebar's choices in the session as the sidebar leaves them
    app.switch_page("pages/forecast.py")
    app.session_state["as_of"] = dt.date(2026, 8, 1)
    app.run()
    assert not app.exception
    assert any("after the as-of day" in w.value for w in app.warning)
    app.session_state["as_of"] = dt.date(2026, 11, 1)
    app.run()
    assert not any("after the as-of day" in w.value for w in app.warning)


def test_an_account_outside_the_data_or_the_filters_is_never_shown_as_another(app, demo_con):
    app.run()  # the entrypoint reads the address's query parameters
    app.switch_page("pages/account.py")
    app.query_params["account_id"] = "ACC-999999"
    app.run()
    assert not app.exception
    assert any("There is no account ACC-999999" in w.value for w in app.warning)
    assert not app.metric  # nothing of another account
    enterprise = demo_con.sql("select account_id from accounts_dim where segment = 'Enterprise' "
                              "order by account_id limit 1").fetchall()[0][0]
    app.session_state["segments"] = ["SMB"]
    app.query_params["account_id"] = enterprise
    app.run()
    assert any("outside the sidebar filters" in w.value for w in app.warning)
    assert not app.metric
    app.session_state["segments"] = []
    app.query_params["account_id"] = enterprise
    app.run()
    # with the filter cleared, the account opens (its own risk-drivers warning aside)
    assert not any("outside the sidebar filters" in w.value for w in app.warning) and app.metric


# ---------------------------------------------------------------- CRM renewals in any language

CRM_AS_OF = dt.date(2025, 1, 1)
CRM_LINES = "account_id,start_date,end_date,mrr,bill_period_months\n" + "".join(
    f"{a},2024-02-10,2025-02-10,100,12\n" for a in ("J1", "J2", "J3", "K1", "K2", "T1", "T2", "E1", "E2"))
# one export, the types as each org's CRM writes them (the close date within grace of Feb 10)
CRM_TYPES = {"J1": "既存顧客 - 更新", "J2": "新規顧客", "J3": "既存顧客 - アップグレード",
             "K1": "기존 고객 - 갱신", "K2": "신규 고객", "T1": "現有客戶 - 續約", "T2": "現有客戶 - 升級",
             "E1": "Existing Customer - Renewal", "E2": "New Business"}
RENEWAL_CALLS = {"J1", "K1", "T1", "E1"}


def _crm_forecast(tmp_path, opportunities: str | bytes, name: str = "renewal_opportunities.csv"):
    from renewal_radar import book, db
    from tests.conftest import import_files

    path, result = import_files(tmp_path, {"subscriptions.csv": CRM_LINES, name: opportunities}, as_of=CRM_AS_OF)
    assert result.loaded, result.report.text()
    with db.connect(path, read_only=True) as con:
        return book.forecast_for(con, CRM_AS_OF, 90).renewals


def test_an_opportunity_is_the_renewals_call_unless_new_business_or_upsell_in_any_language(tmp_path):
    rows = "opportunity_id,account_id,close_date,amount,type,stage,forecast_category,probability\n" + "".join(
        f"O{a},{a},2025-02-12,1200,{kind},Negotiation,Best Case,60\n" for a, kind in CRM_TYPES.items())
    due = _crm_forecast(tmp_path, rows)
    sources = dict(zip(due["account_id"], due["source"], strict=True))
    probabilities = dict(zip(due["account_id"], due["probability"], strict=True))
    assert {a for a, source in sources.items() if source == "crm"} == RENEWAL_CALLS
    assert all(probabilities[a] == pytest.approx(0.6) for a in RENEWAL_CALLS)


def test_a_japanese_report_best_case_renewal_reaches_the_forecast_at_its_probability(tmp_path):
    report = ('"取引先 ID","商談 ID","商談名","種別","確度 (%)","完了予定日","金額","フェーズ","売上予測分類"\r\n'
              '"J1","006J1","更新 2025","既存顧客 - 更新","60","2025/02/12","¥1,200","交渉","最善達成予測"\r\n'
              '"J2","006J2","新規 2025","新規顧客","90","2025/02/12","¥1,200","交渉","達成予測"\r\n')
    due = _crm_forecast(tmp_path, report.encode("shift_jis"))
    found = {row["account_id"]: row for row in due.iter_rows(named=True)}
    assert found["J1"]["source"] == "crm" and found["J1"]["probability"] == pytest.approx(0.6)
    assert found["J1"]["crm_category"] == "Best Case"
    assert found["J2"]["source"] != "crm"  # new business: not the renewal's call


# ---------------------------------------------------------------- the projection past the data

# Fader & Hardie (2007), "How to project customer retention", Table 1: customers still active of 1,000 at the
# start of years 0..7 for the "regular" and "high end" segments; they report α, β = 0.704, 1.182 (regular) and
# 0.668, 3.806 (high end) from years 1..7.
FADER_HARDIE = {"Regular": [1000, 631, 468, 382, 326, 289, 262, 241],
                "High End": [1000, 869, 743, 653, 593, 551, 517, 491]}


def test_project_retention_projects_past_the_data_with_the_published_fit(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT, import_files

    lines, accounts, number = ["account_id,start_date,end_date,mrr,bill_period_months"], ["account_id,segment"], 0
    for segment, alive in FADER_HARDIE.items():
        for year, (now, after) in enumerate(zip(alive, [*alive[1:], None], strict=True)):
            # `now − after` customers leave at the end of year `year`; the survivors of year 7 are still active
            leaving = now - after if after is not None else now
            for _ in range(leaving):
                number += 1
                accounts.append(f"A{number},{segment}")
                end = f"{2017 + year + 1}-01-01" if after is not None else ""
                lines.append(f"A{number},2017-01-01,{end},100,12")
    path, result = import_files(tmp_path, {"subscriptions.csv": "\n".join(lines) + "\n",
                                           "accounts.csv": "\n".join(accounts) + "\n"}, as_of=dt.date(2024, 3, 1))
    assert result.loaded, result.report.text()
    done = subprocess.run([sys.executable, "-m", "renewal_radar", "project-retention", "--by", "segment", "--json",
                           "--periods", "12", "--db", str(path)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    groups = {g["group"]: g for g in json.loads(done.stdout)}
    assert set(groups) == {"Regular, yearly", "High End, yearly"}
    regular, high = groups["Regular, yearly"], groups["High End, yearly"]
    assert (regular["alpha"], regular["beta"]) == pytest.approx((0.704, 1.182), abs=0.001)
    assert (high["alpha"], high["beta"]) == pytest.approx((0.668, 3.806), abs=0.001)
    assert [p["period"] for p in regular["projected"]] == list(range(13))  # to period 12, past the 7 observed
    assert regular["segment"] == "Regular" and regular["bill_period_months"] == 12


def test_every_quarter_of_the_demo_reads_floor_forecast_best_case_due(demo_con):
    from renewal_radar import book, quarters

    as_of = metrics.data_as_of(demo_con)
    quarter = quarters.quarter_of(dt.date(2024, 1, 1))
    checked = 0
    while quarter.start <= as_of + dt.timedelta(days=90):
        q = book.quarter_forecast_for(demo_con, quarter, as_of).summary
        if q["n_due"]:
            cent = 0.005
            # all on one basis (renewed so far in each), the row reads floor ≤ forecast ≤ best case ≤ due. The
            # definitions guarantee renewed ≤ floor ≤ best case ≤ due and renewed ≤ forecast ≤ best case when
            # every lost call is priced 0 (the method's shift leaves certain calls alone); forecast ≥ floor holds
            # on the demo (a quarter whose open part were all Commit at 90 % would read below its floor)
            assert q["renewed_arr_gross"] <= q["floor_arr"] <= q["forecast_arr"] + cent, quarter.label
            assert q["forecast_arr"] <= q["best_case_arr"] + cent, quarter.label
            assert q["best_case_arr"] <= q["due_arr"] + cent, quarter.label
            assert q["renewed_due_arr"] + q["churned_due_arr"] + q["open_due_arr"] == pytest.approx(q["due_arr"])
            checked += 1
        quarter = quarter.next()
    assert checked >= 8
