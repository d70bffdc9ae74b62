"""The book of record: one due set everywhere, snapshots that survive imports and rollbacks, what moved to
the cent, and constant currency on a hand-built three-currency book."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from renewal_radar import db, metrics, moved, snapshots
from renewal_radar.ingest import import_folder
from tests.conftest import ROOT, built_once, import_files

D = dt.date


def _cli(db_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RENEWAL_RADAR_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "renewal_radar", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)


@pytest.mark.parametrize("day", ["2026-11-01", "2026-05-01", "2025-12-17"])
def test_overview_and_forecast_agree_on_the_due_set(demo_db, day):
    overview = json.loads(_cli(demo_db, "overview", "--as-of", day, "--json").stdout)
    forecast = json.loads(_cli(demo_db, "forecast", "--as-of", day, "--horizon-days", "90", "--json").stdout)
    assert overview["n_due_90"] == forecast["n_due"] > 0
    assert overview["due_90_arr"] == pytest.approx(forecast["due_arr"], abs=0.005)
    assert forecast["floor_arr"] <= forecast["best_case_arr"] <= forecast["due_arr"]
    assert forecast["forecast_gross_arr"] <= forecast["best_case_arr"]


@pytest.fixture(scope="module")
def weekly_built(demo_db, tmp_path_factory):
    """The demo imported as of 2026-10-25 with a named snapshot, then re-imported as of 2026-11-01 (its folder,
    the snapshot's id), built once for the module."""
    def build(folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "snapshot_id").write_text(str(_weekly(demo_db.parent / "demo_exports", folder / "weekly.duckdb")))

    folder = built_once(tmp_path_factory, "weekly", build)
    return folder, int((folder / "snapshot_id").read_text())


@pytest.fixture()
def weekly_book(weekly_built, tmp_path):
    """A copy of the weekly book a test may change (roll back)."""
    folder, snapshot_id = weekly_built
    shutil.copytree(folder, tmp_path / "weekly")
    return tmp_path / "weekly" / "weekly.duckdb", snapshot_id


def _weekly(exports, path):
    assert import_folder(exports, path, as_of=D(2026, 10, 25), today=D(2026, 11, 24)).loaded
    saved = _cli(path, "forecast", "--as-of", "2026-10-25", "--horizon-days", "90", "--save", "--name", "Monday")
    assert saved.returncode == 0, saved.stderr
    snapshot_id = int(saved.stdout.strip())
    assert import_folder(exports, path, as_of=D(2026, 11, 1), today=D(2026, 11, 24)).loaded
    return snapshot_id


def test_a_snapshot_survives_a_later_import_and_a_rollback(weekly_book):
    path, snapshot_id = weekly_book
    listed = json.loads(_cli(path, "snapshots", "--json").stdout)
    names = {s["id"]: s["name"] for s in listed}
    assert names[snapshot_id] == "Monday"
    assert {s["as_of"] for s in listed} >= {"2026-10-25", "2026-11-01"}  # each import saved one too
    assert list(listed[0]) == ["id", "name", "saved_at", "as_of", "start", "end", "n_due", "due_arr",
                               "forecast_gross_arr"]
    snapshots.rollback(path)
    con = db.connect(path)
    assert metrics.data_as_of(con) == D(2026, 10, 25)  # the previous import is back ...
    assert snapshot_id in snapshots.list_snapshots(con)["id"].to_list()  # ... with every snapshot
    assert len(snapshots.list_snapshots(con)) == len(listed)
    con.close()


def test_what_moved_explains_the_change_to_the_cent(weekly_book):
    path, snapshot_id = weekly_book
    done = _cli(path, "moved", "--since", str(snapshot_id), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == ["since", "as_of", "start", "end", "before_forecast_arr", "after_forecast_arr", "changes"]
    assert result["as_of"] == "2026-11-01" and result["start"] == "2026-10-25"
    total = sum(change["forecast_arr_delta"] for change in result["changes"])
    assert total == pytest.approx(result["after_forecast_arr"] - result["before_forecast_arr"], abs=0.005)
    kinds = {change["kind"] for change in result["changes"]}
    assert kinds <= set(moved.KINDS) and len(kinds) >= 2
    assert set(result["changes"][0]) == {"account_id", "renewal_date_before", "renewal_date_after", "kind",
                                         "before", "after", "forecast_arr_delta"}


def test_classify_by_hand():
    before = pl.DataFrame({"account_id": ["A", "B", "C", "D", "E"],
                           "renewal_date": [D(2026, 1, 10), D(2026, 1, 20), D(2026, 2, 1), D(2026, 2, 5),
                                            D(2026, 2, 9)],
                           "due_arr": [1000.0, 500.0, 800.0, 300.0, 100.0], "probability": [0.9, 0.6, 0.5, 0.5, 0.8],
                           "category": ["Commit", "Best Case", None, None, None]})
    after = pl.DataFrame({"account_id": ["A", "B", "C", "F", "E"],
                          "renewal_date": [D(2026, 1, 10), D(2026, 1, 20), D(2026, 2, 15), D(2026, 2, 20),
                                           D(2026, 2, 9)],
                          "due_arr": [1200.0, 500.0, 800.0, 400.0, 100.0], "probability": [0.9, 0.9, 0.5, 0.7, 0.8],
                          "category": ["Commit", "Commit", None, None, None]})
    none = pl.DataFrame(schema={"account_id": pl.String, "date_outside_after": pl.Date})
    none_before = pl.DataFrame(schema={"account_id": pl.String, "date_outside_before": pl.Date})
    changes = moved.classify(moved._pair(before, after), none, none_before)
    kinds = dict(zip(changes["account_id"], changes["kind"], strict=True))
    # A's ARR grew; B's call went Best Case -> Commit; C slipped two weeks; D vanished; F is new; E unchanged
    assert kinds == {"A": "arr", "B": "category", "C": "slipped", "D": "removed", "F": "new"}
    deltas = dict(zip(changes["account_id"], changes["forecast_arr_delta"], strict=True))
    assert deltas == pytest.approx({"A": 180.0, "B": 150.0, "C": 0.0, "D": -150.0, "F": 280.0})


THREE_CURRENCIES = """account_id,start_date,end_date,mrr,currency,bill_period_months
U,2025-01-01,,100,USD,1
E,2025-01-01,,100,EUR,1
K,2025-01-01,2025-03-01,100000,KRW,1
K,2025-03-01,,120000,KRW,1
"""
RATES = """currency,month,rate
EUR,2025-01-01,1.10
EUR,2025-02-01,1.20
EUR,2025-03-01,1.00
KRW,2025-01-01,0.0008
KRW,2025-02-01,0.0008
KRW,2025-03-01,0.0010
"""


def test_fx_on_a_three_currency_book(tmp_path):
    path, result = import_files(tmp_path, {"subscriptions.csv": THREE_CURRENCIES, "fx_rates.csv": RATES},
                                as_of=D(2025, 4, 15))
    assert result.loaded, result.report.text()
    con = db.connect(path)
    frame = metrics.monthly_movements(con, D(2025, 1, 1), D(2025, 4, 1))
    rows = {r["month"]: r for r in frame.iter_rows(named=True)}
    # January -> February: nobody's contract changed; EUR 100 went 1.10 -> 1.20: fx +10, no expansion
    jan = rows[D(2025, 1, 1)]
    assert jan["expansion_mrr"] == 0 and jan["contraction_mrr"] == 0
    assert jan["fx_mrr"] == pytest.approx(10.0)
    # February -> March: K grew KRW 100,000 -> 120,000 = 16 at February's rate 0.0008 (expansion);
    # fx: EUR 100 x (1.00 - 1.20) = -20, KRW 120,000 x (0.0010 - 0.0008) = +24
    feb = rows[D(2025, 2, 1)]
    assert feb["expansion_mrr"] == pytest.approx(16.0)
    assert feb["fx_mrr"] == pytest.approx(4.0)
    assert feb["starting_mrr"] == pytest.approx(100 + 120 + 80)
    assert feb["ending_mrr"] == pytest.approx(100 + 100 + 120)
    for row in rows.values():  # the identity, fx included
        assert row["ending_mrr"] == pytest.approx(
            row["starting_mrr"] + row["new_mrr"] + row["reactivation_mrr"] + row["expansion_mrr"]
            - row["contraction_mrr"] - row["churned_mrr"] + row["fx_mrr"])
    # window metrics at D0's rates: Feb 1 -> Apr 1, only K's own growth counts
    window = metrics.window_metrics(con, D(2025, 2, 1), D(2025, 4, 1))
    assert window["expansion_mrr"] == pytest.approx(16.0) and window["contraction_mrr"] == 0
    assert window["nrr"] == pytest.approx((100 + 120 + 96) / 300)
    con.close()


LATE_RENEWAL = """account_id,start_date,end_date,mrr,bill_period_months
L,2024-01-01,2024-07-01,100,6
L,2024-07-20,,100,12
X,2024-01-01,2024-05-01,50,4
"""


def test_survival_keeps_a_late_renewal_inside_grace_alive(tmp_path):
    from renewal_radar import cohorts

    path, result = import_files(tmp_path, {"subscriptions.csv": LATE_RENEWAL}, as_of=D(2024, 12, 1))
    assert result.loaded, result.report.text()
    con = db.connect(path)
    lives = cohorts.lifetimes(cohorts.account_lifetimes(con, D(2024, 12, 1)), D(2024, 12, 1))
    by_account = {r["account_id"]: r for r in lives.iter_rows(named=True)}
    assert by_account["L"]["churned"] is False  # renewed 19 days late, inside the 30-day grace
    assert by_account["X"]["churned"] is True and by_account["X"]["duration"] == 121
    con.close()


def test_stored_book_figures_equal_their_live_computation(demo_con):
    from polars.testing import assert_frame_equal

    from renewal_radar import cohorts, settings, sql
    from renewal_radar.filters import Filters

    as_of = metrics.data_as_of(demo_con)
    assert "book_movements" in db.table_names(demo_con)
    assert_frame_equal(metrics.monthly_movements(demo_con), metrics.monthly_movements(demo_con, stored=False))
    assert_frame_equal(metrics.trailing_retention_trend(demo_con, as_of),
                       metrics.trailing_retention_trend(demo_con, as_of, stored=False))
    for grain in ("month", "quarter"):
        assert_frame_equal(cohorts.cohorts(demo_con, as_of, grain), cohorts.cohorts(demo_con, as_of, grain,
                                                                                      stored=False))
    enterprise = Filters(segments=("Enterprise",))
    for filters in (Filters(), enterprise):
        live = sql.run(demo_con, "reports/account_lifetimes", as_of=as_of, grace_days=settings.get("grace_days"),
                       **filters.params())
        assert_frame_equal(cohorts.account_lifetimes(demo_con, as_of, filters), live)
    assert cohorts.account_lifetimes(demo_con, as_of, enterprise).height < \
        cohorts.account_lifetimes(demo_con, as_of).height


def test_renewal_outcomes_read_from_the_import_table_equal_the_macro(demo_con):
    from polars.testing import assert_frame_equal

    from renewal_radar import renewals, settings, sql
    from renewal_radar.filters import Filters

    as_of = metrics.data_as_of(demo_con)
    grace = settings.get("grace_days")
    for filters, start, end in ((Filters(), dt.date(2025, 1, 1), dt.date(2027, 1, 1)),
                                (Filters(segments=("Enterprise",)), dt.date(2026, 1, 1), dt.date(2026, 12, 1))):
        fast = renewals.renewal_outcomes(demo_con, start, end, as_of, filters=filters)
        slow = renewals.classify_outcomes(sql.run(demo_con, "reports/renewal_outcomes", start=start, end=end,
                                                  as_of=as_of, grace_days=grace, **filters.params()), as_of, grace)
        assert fast.height > 0
        assert_frame_equal(fast, slow)


def test_one_account_score_equals_its_row_in_the_book(demo_con):
    from renewal_radar import book

    as_of = metrics.data_as_of(demo_con)
    scored = book.account_scores(demo_con, as_of)
    for row in scored.head(3).iter_rows(named=True):
        one = book.account_score(demo_con, as_of, row["account_id"])
        assert {k: one[k] for k in row} == row
    assert book.account_score(demo_con, as_of, "NO-SUCH-ACCOUNT") is None
