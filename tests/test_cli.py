"""The command line's output formats are a contract (shared/spec/cli.md): run the real command, parse it."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import subprocess
import sys

import pytest

from renewal_radar import cohorts, db, metrics, renewals
from tests.conftest import HAND_AS_OF, ROOT


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "renewal_radar", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _rows(stdout: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(stdout)))


@pytest.fixture()
def hand_env(hand_db, cli_env):
    return {**cli_env, "RENEWAL_RADAR_DB": str(hand_db)}


def test_metrics_json_keys_and_hand_values(hand_env):
    done = run_cli(hand_env, "metrics", "--start", "2024-02-01", "--end", "2024-08-01", "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert list(figures) == ["start", "end", "n_start", "n_churned", "logo_churn_rate", "start_mrr", "churned_mrr",
                             "contraction_mrr", "expansion_mrr", "grr", "nrr"]
    assert figures["n_start"] == 4 and figures["grr"] == pytest.approx(196 / 470)  # constant currency
    assert figures["start"] == "2024-02-01"


def test_movements_csv(hand_env):
    done = run_cli(hand_env, "movements", "--start", "2024-01-01", "--end", "2024-07-01", "--csv")
    rows = _rows(done.stdout)
    assert list(rows[0]) == ["month", "starting_mrr", "new_mrr", "reactivation_mrr", "expansion_mrr",
                             "contraction_mrr", "churned_mrr", "fx_mrr", "ending_mrr"]
    assert [r["month"] for r in rows] == [f"2024-0{m}-01" for m in range(1, 7)]
    assert float(rows[3]["reactivation_mrr"]) == 60.0
    assert float(rows[4]["fx_mrr"]) == pytest.approx(4.0)  # F's EUR 80 as the rate moves 1.2 -> 1.25


def test_cohorts_csv_long_form(hand_env):
    done = run_cli(hand_env, "cohorts", "--grain", "quarter", "--csv")
    rows = _rows(done.stdout)
    assert list(rows[0]) == ["cohort", "k", "n", "logo_retention", "net_mrr_retention", "gross_mrr_retention"]
    first = [r for r in rows if r["cohort"] == "2024-Q1"]
    assert [r["k"] for r in first] == ["0", "1", "2", "3"]
    assert float(first[2]["net_mrr_retention"]) == pytest.approx(246 / 470)


def test_survival_csv(hand_env):
    done = run_cli(hand_env, "survival", "--by", "segment", "--csv")
    rows = _rows(done.stdout)
    assert list(rows[0]) == ["group", "day", "at_risk", "events", "survival", "lower", "upper"]
    assert {r["group"] for r in rows} == {"SMB", "Enterprise"}


def test_renewals_csv(hand_env):
    done = run_cli(hand_env, "renewals", "--grain", "quarter", "--csv")
    rows = _rows(done.stdout)
    assert list(rows[0]) == ["period", "n_due", "n_renewed", "n_churned", "n_open", "due_arr",
                             "renewed_arr_gross", "renewed_arr_net"]
    q2 = next(r for r in rows if r["period"] == "2024-Q2")
    assert (q2["n_due"], q2["n_renewed"], q2["n_churned"]) == ("3", "1", "2")


def test_cli_and_functions_agree_on_the_demo(cli_env, demo_con):
    as_of = metrics.data_as_of(demo_con)
    done = run_cli(cli_env, "metrics", "--start", "2025-11-01", "--end", "2026-11-01", "--json")
    assert json.loads(done.stdout) == metrics.window_metrics(demo_con, as_of.replace(year=2025), as_of)
    rows = _rows(run_cli(cli_env, "cohorts", "--csv").stdout)
    triangle = cohorts.cohorts(demo_con, as_of)
    assert len(rows) == triangle.height
    assert float(rows[-1]["net_mrr_retention"]) == pytest.approx(triangle["net_mrr_retention"][-1])
    rows = _rows(run_cli(cli_env, "renewals", "--csv").stdout)
    assert sum(int(r["n_due"]) for r in rows) == renewals.renewal_outcomes(demo_con).height


def test_errors_are_one_line_with_non_zero_exit(cli_env, tmp_path):
    done = run_cli({**cli_env, "RENEWAL_RADAR_DB": str(tmp_path / "none.duckdb")}, "metrics",
                   "--start", "2024-01-01", "--end", "2024-02-01")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "no database" in done.stderr
    done = run_cli(cli_env, "survival", "--by", "nope")
    assert done.returncode == 1 and done.stderr.startswith("error: unknown column")
    done = run_cli(cli_env, "metrics", "--start", "2024-99-01", "--end", "2024-02-01")
    assert done.returncode == 2 and "not a date" in done.stderr


def test_validate_and_import_report(cli_env, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "subscriptions.csv").write_text("account_id,start_date,end_date,mrr\nK1,2024-01-01,,-3\n")
    target = tmp_path / "new.duckdb"
    done = run_cli({**cli_env, "RENEWAL_RADAR_DB": str(target)}, "import", str(folder))
    assert done.returncode == 1
    assert "ERROR: subscriptions.csv, row 2, column mrr, value '-3.0': mrr is negative" in done.stdout
    assert not target.exists()
    (folder / "subscriptions.csv").write_text("account_id,start_date,end_date,mrr\nK1,2024-01-01,,3\n")
    done = run_cli({**cli_env, "RENEWAL_RADAR_DB": str(target)}, "import", str(folder), "--as-of", "2024-06-01")
    assert done.returncode == 0, done.stderr
    assert "as of 2024-06-01" in done.stdout and target.exists()
    done = run_cli(cli_env, "validate", str(folder))
    assert done.returncode == 0 and "0 errors, 0 warnings in 1 files" in done.stdout


def test_hand_as_of_is_used_by_default(hand_env):
    done = run_cli(hand_env, "renewals", "--csv")
    december = next(r for r in _rows(done.stdout) if r["period"] == f"{HAND_AS_OF:%Y-%m}")
    assert december["n_open"] == "1"  # G's Dec 1 renewal is still in its grace period


def test_risk_csv(cli_env, demo_con):
    done = run_cli(cli_env, "risk", "--as-of", "2026-09-01", "--csv")
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert list(rows[0]) == ["account_id", "health_score", "band", "churn_probability", "top_drivers"]
    assert {r["band"] for r in rows} <= {"red", "yellow", "green"}
    assert all(0 <= float(r["churn_probability"]) <= 1 for r in rows)
    active = metrics.accounts_on_day(demo_con, dt.date(2026, 9, 1))
    assert len(rows) == active.height


def test_forecast_and_backtest_json(cli_env):
    done = run_cli(cli_env, "forecast", "--as-of", "2026-11-01", "--horizon-days", "60", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == ["as_of", "horizon_days", "n_due", "due_arr", "forecast_gross_arr", "floor_arr",
                             "best_case_arr", "method", "method_errors", "renewals"]
    assert payload["horizon_days"] == 60 and payload["n_due"] == len(payload["renewals"])
    assert list(payload["renewals"][0]) == ["account_id", "renewal_date", "due_arr", "probability", "source",
                                            "crm_category", "model_probability", "n_events"]
    assert payload["floor_arr"] <= payload["best_case_arr"] <= payload["due_arr"]
    assert payload["forecast_gross_arr"] <= payload["best_case_arr"]
    done = run_cli(cli_env, "backtest", "--as-of", "2026-05-01", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {"actual_renewed_arr_gross", "abs_pct_error"} <= set(payload)
    assert payload["abs_pct_error"] == pytest.approx(
        abs(payload["forecast_gross_arr"] - payload["actual_renewed_arr_gross"]) / payload["actual_renewed_arr_gross"])


def _readable(db_path, *args: str) -> str:
    from renewal_radar.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--db", str(db_path)]) == 0
    return out.getvalue()


def test_readable_output_reads_labels_and_formats_from_the_registry(hand_db):
    # the hand company's window Jan 1 → Dec 15 2024 (metrics.md): every figure under its label, formatted
    lines = _readable(hand_db, "metrics", "--start", "2024-01-01", "--end", HAND_AS_OF.isoformat()).splitlines()
    by_label = {line[:34].strip(): line[34:].strip() for line in lines}
    con = db.connect(hand_db, read_only=True)
    window = metrics.window_metrics(con, dt.date(2024, 1, 1), HAND_AS_OF)
    con.close()
    assert {"Gross revenue retention", "Net revenue retention", "Logo churn rate", "Starting MRR"} <= set(by_label)
    assert by_label["Gross revenue retention"].endswith("%") and by_label["Starting MRR"].startswith("$")
    assert by_label["Customers at the start"] == str(window["n_start"])
    assert by_label["Gross revenue retention"] == f"{window['grr']:.1%}"
    forecast_lines = _readable(hand_db, "forecast", "--as-of", HAND_AS_OF.isoformat())
    assert "Weighted forecast" in forecast_lines and "forecast_gross_arr" not in forecast_lines
    table = _readable(hand_db, "risk", "--as-of", HAND_AS_OF.isoformat())
    assert "Churn risk (90 days)" in table and "churn_probability" not in table
