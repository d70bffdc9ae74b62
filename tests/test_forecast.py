"""The renewal forecast on hand-written rows, its backtest, and no look-ahead."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from renewal_radar import book, db, forecast
from renewal_radar.ingest import import_folder
from tests.conftest import cut_exports, import_files

D = dt.date
AS_OF = D(2025, 1, 1)
SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,bill_period_months,booked_date
A,2024-01-01,2025-02-01,100,12,
B,2024-03-01,2025-03-01,200,12,
C,2024-01-15,2025-01-15,50,12,
C,2025-01-15,2026-01-15,50,12,2024-12-20
E,2024-02-10,2025-02-10,300,12,
H1,2023-07-01,2024-07-01,10,12,
H1,2024-07-01,2025-07-01,10,12,
H2,2023-08-01,2024-08-01,10,12,
H2,2024-08-01,2025-08-01,10,12,
H3,2023-09-01,2024-09-01,10,12,
H3,2024-09-01,2025-09-01,10,12,
H4,2023-10-01,2024-10-01,10,12,
"""
ACCOUNTS = "account_id,segment\nA,SMB\nB,SMB\nC,SMB\nE,SMB\nH1,SMB\nH2,SMB\nH3,SMB\nH4,SMB\n"
OPPORTUNITIES = """opportunity_id,account_id,close_date,amount,type,stage,forecast_category,probability,is_closed,is_won
O1,A,2025-02-01,1200,Renewal,Verbal Commit,Commit,,false,false
O2,B,2025-03-05,2400,Renewal,Negotiation,Best Case,55,false,false
O3,E,2025-06-01,3600,Renewal,Proposal,Pipeline,30,false,false
"""


@pytest.fixture()
def hand_forecast(tmp_path):
    path, result = import_files(tmp_path, {"subscriptions.csv": SUBSCRIPTIONS, "accounts.csv": ACCOUNTS,
                                           "renewal_opportunities.csv": OPPORTUNITIES}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    con = db.connect(path)
    yield book.forecast_for(con, AS_OF, 91)
    con.close()


def test_probabilities_by_source(hand_forecast):
    rows = {r["account_id"]: r for r in hand_forecast.renewals.iter_rows(named=True)}
    assert set(rows) == {"A", "B", "C", "E"}
    assert (rows["A"]["source"], rows["A"]["probability"]) == ("crm", pytest.approx(0.9))  # Commit default
    assert (rows["B"]["source"], rows["B"]["probability"]) == ("crm", pytest.approx(0.55))  # within 30 days
    assert (rows["C"]["source"], rows["C"]["probability"]) == ("booked", 1.0)
    # E's opportunity closes four months late: no match. History: 3 of 4 SMB annual renewals renewed,
    # too few to fit a regression, so the smoothed base rate (3 + 10 × 0.75) / (4 + 10) = 0.75
    assert (rows["E"]["source"], rows["E"]["probability"]) == ("model", pytest.approx(0.75))


def test_forecast_figures_by_hand(hand_forecast):
    summary = hand_forecast.summary
    assert summary["n_due"] == 4
    assert summary["due_arr"] == pytest.approx(12 * (100 + 200 + 50 + 300))
    assert summary["forecast_gross_arr"] == pytest.approx(12 * (100 * 0.9 + 200 * 0.55 + 50 + 300 * 0.75))
    assert summary["floor_arr"] == pytest.approx(12 * (100 + 50))  # Commit + booked
    # best case: everything but Omitted / Closed Lost, so E's Pipeline call and calls-to-come count
    assert summary["best_case_arr"] == pytest.approx(12 * (100 + 200 + 50 + 300))
    assert summary["expected_renewal_loss_arr"] == pytest.approx(summary["due_arr"] - summary["forecast_gross_arr"])
    assert summary["floor_arr"] <= summary["best_case_arr"] <= summary["due_arr"]
    assert summary["forecast_gross_arr"] <= summary["best_case_arr"]


def test_forecast_json_contract(hand_forecast):
    payload = forecast.forecast_json(hand_forecast)
    assert list(payload) == ["as_of", "horizon_days", "n_due", "due_arr", "forecast_gross_arr", "floor_arr",
                             "best_case_arr", "method", "method_errors", "renewals"]
    assert payload["renewals"][0] == {"account_id": "C", "renewal_date": "2025-01-15", "due_arr": 600.0,
                                      "probability": 1.0, "source": "booked", "crm_category": None,
                                      "model_probability": pytest.approx(0.75), "n_events": 1}
    # a book this young has judged fewer than three month starts: the naive rate, every error shown
    assert payload["method"] == "naive" and set(payload["method_errors"]) == {"model", "naive", "recalibrated"}
    assert payload["renewals"][1]["crm_category"] == "Commit"  # A: the CRM's call and the model's own figure
    assert payload["renewals"][1]["model_probability"] == pytest.approx(0.75)


def test_calibration_table_by_decile():
    predictions = pl.DataFrame({"probability": [i / 20 for i in range(20)], "renewed": [i >= 10 for i in range(20)],
                                "source": ["model"] * 20})
    table = forecast.calibration(predictions)
    assert table["decile"].to_list() == list(range(1, 11))
    assert table["renewals"].sum() == 20
    assert table["actual_rate"].to_list()[0] == 0.0 and table["actual_rate"].to_list()[-1] == 1.0


def test_backtest_on_the_demo_beats_the_naive_forecast(demo_con):
    backtest, calibration = book.forecast_backtest(demo_con, 90)
    assert backtest.height == 12
    assert backtest["actual_arr"].min() > 0
    headline = forecast.accuracy(backtest)
    assert headline["forecast_error"] < headline["naive_error"]
    assert calibration["renewals"].sum() == backtest["n_due"].sum()


def test_stored_backtest_equals_one_judged_from_stored_forecasts(demo_con):
    from renewal_radar.filters import Filters

    stored, _ = book.forecast_backtest(demo_con, 90)
    segments = tuple(demo_con.sql("select distinct segment from accounts_dim").pl()["segment"].to_list())
    judged, _ = book.forecast_backtest(demo_con, 90, Filters(segments=segments))  # same accounts, other path
    assert judged["forecast_arr"].to_list() == pytest.approx(stored["forecast_arr"].to_list())
    assert judged["forecast_error"].to_list() == pytest.approx(stored["forecast_error"].to_list())


def test_no_look_ahead_forecast(demo_db, tmp_path):
    day = D(2026, 5, 1)
    cut_exports(demo_db.parent / "demo_exports", tmp_path / "cut", day)
    # the snapshot on that day: opportunities not yet created are absent, and those still open then carry
    # no stage (today's export only holds their final one)
    opportunities = pl.read_csv(demo_db.parent / "demo_exports" / "renewal_opportunities.csv", try_parse_dates=True)
    # those still open then carry the call the opportunity history says they had that day (none: no stage)
    history = pl.read_csv(demo_db.parent / "demo_exports" / "opportunity_history.csv", try_parse_dates=True)
    calls = history.filter(pl.col("changed_at") < dt.datetime.combine(day, dt.time())).sort("changed_at").group_by(
        "opportunity_id").last().select("opportunity_id", *[pl.col(c).alias(f"{c}_then") for c in (
            "stage", "forecast_category", "probability", "amount", "close_date")])
    still_open = (pl.col("close_date") >= day) | ~pl.col("is_closed")
    then = [pl.when(still_open).then(pl.col(f"{c}_then")).otherwise(pl.col(c)).alias(c)
            for c in ("stage", "forecast_category", "probability")]
    then += [pl.when(still_open).then(pl.coalesce(f"{c}_then", c)).otherwise(pl.col(c)).alias(c)
             for c in ("amount", "close_date")]
    opportunities.filter(pl.col("created_date") <= day).join(calls, on="opportunity_id", how="left").with_columns(
        *then, pl.when(still_open).then(None).otherwise(pl.col("loss_reason")).alias("loss_reason"),
        pl.when(still_open).then(False).otherwise(pl.col("is_closed")).alias("is_closed"),
        pl.when(still_open).then(False).otherwise(pl.col("is_won")).alias("is_won"),
    ).select(opportunities.columns).write_csv(tmp_path / "cut" / "renewal_opportunities.csv")
    cut_db = tmp_path / "cut.duckdb"
    assert import_folder(tmp_path / "cut", cut_db, as_of=day, today=D(2026, 11, 24)).loaded
    full, cut = db.connect(demo_db), db.connect(cut_db)
    on_full, on_cut = book.forecast_for(full, day, 91), book.forecast_for(cut, day, 91)
    assert on_full.summary["n_due"] > 50
    numbers = {k for k, v in on_full.summary.items() if isinstance(v, float)}
    assert {k: on_full.summary[k] for k in numbers} == pytest.approx({k: on_cut.summary[k] for k in numbers}, rel=1e-9)
    assert on_full.summary["n_due"] == on_cut.summary["n_due"]
    # the method is chosen from the days before, with the outcomes known on the day: the same on the cut data
    assert on_full.summary["method"] == on_cut.summary["method"]
    assert on_full.summary["method_errors"] == pytest.approx(on_cut.summary["method_errors"], rel=1e-9)
    keys = ["account_id", "renewal_date", "source"]
    full_rows, cut_rows = on_full.renewals.sort(keys[:2]), on_cut.renewals.sort(keys[:2])
    assert full_rows.select(keys).equals(cut_rows.select(keys))
    # the method's shift is found by bisection: equal to the last few bits
    assert full_rows["probability"].to_list() == pytest.approx(cut_rows["probability"].to_list(), rel=1e-9)
    full.close()
    cut.close()


def test_forecast_without_a_crm_export_uses_the_model(hand_con):
    result = book.forecast_for(hand_con, D(2024, 5, 15), 60)
    assert result.summary["n_due"] == 3  # C and F on Jun 1, A on Jul 1
    assert set(result.renewals["source"]) == {"model"}
    assert result.summary["floor_arr"] == 0


def test_the_stored_summaries_of_every_day_and_horizon_equal_each_window_summed_alone():
    """scoring.forecast_summaries totals every (day, horizon) window in one grouping; each row must equal the
    window summed on its own (forecast.summary_from_rows), an empty window included. By hand: on 2026-01-01 a
    monthly line renews on Jan 10 and Feb 10 (one window renewal within 60 days, two within 365), B is called
    Commit, C Closed Lost; the second day has nothing due within 30 days."""
    from renewal_radar import renewals, scoring

    d1, d2 = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    rows = pl.DataFrame({
        "as_of": [d1, d1, d1, d1, d2],
        "account_id": ["A", "A", "B", "C", "B"],
        "bill_period_months": [1, 1, 12, 12, 12],
        "renewal_date": [dt.date(2026, 1, 10), dt.date(2026, 2, 10), dt.date(2026, 1, 20), dt.date(2026, 3, 1),
                         dt.date(2026, 5, 1)],
        "due_arr": [1200.0, 1200.0, 5000.0, 3000.0, 5000.0],
        "probability": [0.9, 0.8, 0.95, 0.0, 0.7],
        "category": [None, None, "Commit", "Closed Lost", None],
    })
    rollups = pl.DataFrame({"as_of": [d1, d2], "renewed_due_arr": [1000.0, 0.0], "decided_due_arr": [2000.0, 0.0],
                            "contraction_arr": [100.0, 0.0], "expansion_arr": [50.0, 0.0],
                            "decided_renewed_gross_arr": [900.0, 0.0]})
    stored = scoring.forecast_summaries(rows, rollups, [d1, d2])
    assert stored.height == 2 * len(scoring.STANDARD_HORIZONS)
    for row in stored.iter_rows(named=True):
        day, horizon = dt.date.fromisoformat(row["as_of"]), row["horizon_days"]
        window = rows.filter((pl.col("as_of") == day) & (pl.col("renewal_date") < day + dt.timedelta(days=horizon)))
        alone = forecast.summary_from_rows(renewals.window_renewals(window), rollups.filter(pl.col("as_of") == day),
                                           day, horizon)
        assert row == pytest.approx(alone, nan_ok=True), (day, horizon)
    first_year = stored.filter((pl.col("as_of") == d1.isoformat()) & (pl.col("horizon_days") == 365)).row(0, named=True)
    # A's two monthly renewals are one window renewal (the first event's 1,200, probability 0.9 × 0.8)
    assert first_year["n_due"] == 3 and first_year["due_arr"] == pytest.approx(9200.0)
    assert first_year["forecast_gross_arr"] == pytest.approx(1200 * 0.72 + 5000 * 0.95)
    assert first_year["floor_arr"] == pytest.approx(5000.0) and first_year["best_case_arr"] == pytest.approx(6200.0)
    empty = stored.filter((pl.col("as_of") == d2.isoformat()) & (pl.col("horizon_days") == 30)).row(0, named=True)
    assert empty["n_due"] == 0 and empty["due_arr"] == 0.0 and empty["projected_gross_renewal_rate"] is None
