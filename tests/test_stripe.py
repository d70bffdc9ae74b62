"""A Stripe Dashboard subscriptions export, read as it means (issue 25), checked by hand.

The fixture (tests/fixtures/stripe_dashboard, as of 2026-12-01):
  cus_M  monthly, 2 × 50 = 100 a month, since Jul 15, current period Nov 15 → Dec 15
  cus_A  annual, 1,200 a year = 100 a month, since 2025-03-01, current period to 2027-03-01
  cus_T  trialing until Dec 4: not revenue
  cus_C  monthly 40, canceled Sep 10 at period end, ended Oct 1
  cus_P  monthly 100, set to cancel at period end (Dec 20), canceled on Nov 25
  cus_D  monthly JPY 12,000 (whole yen) at 0.0065 = 78, past due, trial to Sep 19
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from renewal_radar import book, db, forecast
from renewal_radar.ingest import import_folder
from tests.conftest import ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "stripe_dashboard"
AS_OF = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def stripe_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stripe") / "stripe.duckdb"
    result = import_folder(FIXTURE, path, as_of=AS_OF, today=AS_OF)
    assert result.loaded, result.report.text()
    return path


def _cli(path: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "renewal_radar", *args, "--db", str(path)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _lines(path: Path) -> pl.DataFrame:
    with db.connect(path, read_only=True) as con:
        return con.sql("select * from subscription_lines order by account_id, start_date").pl()


def test_one_line_per_billing_period_up_to_the_current_period_end(stripe_db):
    lines = _lines(stripe_db)
    monthly = lines.filter(pl.col("account_id") == "cus_M")
    assert monthly["start_date"].to_list() == [dt.date(2026, m, 15) for m in (7, 8, 9, 10, 11)]
    assert monthly["end_date"][-1] == dt.date(2026, 12, 15) and set(monthly["mrr"].to_list()) == {100.0}
    annual = lines.filter(pl.col("account_id") == "cus_A")
    assert annual["start_date"].to_list() == [dt.date(2025, 3, 1), dt.date(2026, 3, 1)]
    assert set(annual["mrr"].to_list()) == {100.0}


def test_trials_canceled_and_zero_decimal_currencies(stripe_db):
    lines = _lines(stripe_db)
    assert lines.filter(pl.col("account_id") == "cus_T").is_empty()  # a trial is not revenue
    gone = lines.filter(pl.col("account_id") == "cus_C")
    assert gone["end_date"].max() == dt.date(2026, 10, 1)  # ended when it ended
    yen = lines.filter(pl.col("account_id") == "cus_D")
    assert yen["start_date"][0] == dt.date(2026, 9, 19)  # paid from the trial's end
    assert set(yen["mrr_local"].to_list()) == {12_000.0} and set(yen["mrr"].to_list()) == {78.0}  # whole yen
    assert yen["payment_at_risk"].all()


def test_arr_due_set_and_probabilities_by_hand(stripe_db):
    overview = json.loads(_cli(stripe_db, "overview", "--json"))
    assert overview["arr"] == pytest.approx(12 * (100 + 100 + 100 + 78))  # M, A, P, D; not T, not C
    # due in [Dec 1, Mar 1): D on Dec 5 (936), M on Dec 15 (1,200), P on Dec 20 (1,200); A's Mar 1 is outside
    assert overview["due_90_arr"] == pytest.approx(936 + 1200 + 1200) and overview["n_due_90"] == 3
    result = json.loads(_cli(stripe_db, "forecast", "--as-of", "2026-12-01", "--horizon-days", "90", "--json"))
    rows = {r["account_id"]: r for r in result["renewals"]}
    assert rows["cus_P"]["probability"] == 0.0 and rows["cus_P"]["source"] == "cancellation"
    # no CRM: the model's row, priced at the naive rate (every method ties on this book, so the simplest is used):
    # the trailing year's decided monthly renewals, 12,192 of ARR due, of which C's 480 (Oct 1) churned
    assert result["method"] == "naive"
    assert rows["cus_M"]["source"] == "model"
    assert rows["cus_M"]["probability"] == pytest.approx(1 - 480 / 12_192, abs=1e-6)
    assert rows["cus_M"]["model_probability"] == pytest.approx(13 / 14, abs=0.01)  # the model's own figure
    assert result["best_case_arr"] == pytest.approx(936 + 1200)  # a renewal set to cancel is not in the best case
    assert result["forecast_gross_arr"] == pytest.approx(
        rows["cus_D"]["probability"] * 936 + rows["cus_M"]["probability"] * 1200)


def test_a_cancellation_counts_only_from_the_day_it_was_made(stripe_db):
    # as of Nov 21 P's Dec 20 renewal was not yet cancelled (Nov 25): the model's probability, not 0
    with db.connect(stripe_db, read_only=True) as con:
        result = book.forecast_for(con, dt.date(2026, 11, 21), 60)
    row = result.renewals.filter(pl.col("account_id") == "cus_P").row(0, named=True)
    assert row["source"] == "model" and row["probability"] > 0.5


def test_calendar_and_forecast_rows_say_cancels_at_period_end(stripe_db):
    with db.connect(stripe_db, read_only=True) as con:
        rows = book.forecast_for(con, AS_OF, 90).renewals
    flags = dict(zip(rows["account_id"], rows["cancels_at_period_end"], strict=True))
    assert flags == {"cus_D": False, "cus_M": False, "cus_P": True}
    assert rows.filter(pl.col("account_id") == "cus_P")["category"][0] == forecast.CANCELS
    assert rows.filter(pl.col("account_id") == "cus_D")["payment_at_risk"][0] is True


def test_the_import_warns_what_the_export_cannot_say(stripe_db):
    result = import_folder(FIXTURE, stripe_db.parent / "again.duckdb", as_of=AS_OF, today=AS_OF)
    texts = [str(m) for m in result.report.warnings]
    assert any("earlier plan changes are not in this export" in text for text in texts)
    assert any("row 7" in text and "past_due" in text for text in texts)


def test_api_amounts_in_the_smallest_unit(tmp_path):
    from renewal_radar.ingest.exports import read_export

    path = tmp_path / "subscriptions.csv"
    path.write_text("id,customer,plan.amount,plan.interval,currency,start_date\n"
                    "sub_1,cus_1,4900,month,usd,2026-01-01\nsub_2,cus_2,1200,month,jpy,2026-01-01\n", encoding="utf-8")
    loaded, messages = read_export(path, "stripe")
    assert [m for m in messages if m.level == "error"] == []
    assert loaded.frame.sort("account_id")["mrr"].to_list() == [49.0, 1200.0]  # cents; yen are whole units
