"""The fiscal quarter's forecast, plan and teams (metrics.md "Quarter forecast"; issue 22 items 2–4).

The hand book, as of Feb 15, 2025, Q1 = Jan–Mar 2025 (calendar fiscal year):
A renewed on Jan 10 (1,200 due, 1,200 renewed); B churned (Jan 5: grace ended Feb 4); C renewed smaller on
Feb 1 (600 due, 480 renewed); E due Feb 10, still in its grace period (open, 3,600); F due Mar 1, open and called
Commit (1,800); G due Apr 1: next quarter. Renewed + churned + open = 1,800 + 2,400 + 5,400 = 9,600 due.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from renewal_radar import access, book, db, forecast, quarter_forecast, quarters
from renewal_radar.filters import Filters
from tests.conftest import ROOT, import_files

D = dt.date
AS_OF = D(2025, 2, 15)
SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,bill_period_months
A,2024-01-10,2025-01-10,100,12
A,2025-01-10,2026-01-10,100,12
B,2024-01-05,2025-01-05,200,12
C,2024-02-01,2025-02-01,50,12
C,2025-02-01,2026-02-01,40,12
E,2024-02-10,2025-02-10,300,12
F,2024-03-01,2025-03-01,150,12
G,2024-04-01,2025-04-01,80,12
H1,2023-07-01,2024-07-01,10,12
H1,2024-07-01,2025-07-01,10,12
H2,2023-08-01,2024-08-01,10,12
H2,2024-08-01,2025-08-01,10,12
"""
ACCOUNTS = """account_id,segment,csm_owner
A,SMB,Ann
B,SMB,Ann
C,SMB,Bob
E,Enterprise,Bob
F,Enterprise,Cid
G,SMB,Cid
H1,SMB,Ann
H2,SMB,Ann
"""
OPPORTUNITIES = """opportunity_id,account_id,close_date,amount,type,stage,forecast_category,is_closed,is_won
O1,F,2025-03-01,1800,Renewal,Verbal,Commit,false,false
"""
TEAM = "Name,Manager,Role\nAnn,Mia,East\nBob,Mia,East\nCid,Max,West\nMia,,East\nMax,,West\n"
TARGETS = """quarter,segment,team,target_grr,target_renewed_arr
2025-Q1,,,0.9,
2025-Q1,SMB,,0.85,
2025-Q1,,East,,3000
"""


@pytest.fixture(scope="module")
def quarter_db(tmp_path_factory):
    path, result = import_files(tmp_path_factory.mktemp("quarter"), {
        "subscriptions.csv": SUBSCRIPTIONS, "accounts.csv": ACCOUNTS, "renewal_opportunities.csv": OPPORTUNITIES,
        "user.csv": TEAM, "targets.csv": TARGETS}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    return path


@pytest.fixture()
def quarter_con(quarter_db):
    con = db.connect(quarter_db, read_only=True)
    yield con
    con.close()


def test_fiscal_quarters_count_from_the_first_month(monkeypatch):
    assert quarters.quarter_of(D(2025, 2, 15)).label == "2025-Q1"
    assert quarters.parse("2025-Q1").start == D(2025, 1, 1) and quarters.parse("FY2025 Q4").end == D(2026, 1, 1)
    monkeypatch.setenv("RENEWAL_RADAR_FISCAL_YEAR_START_MONTH", "2")
    # a February start: FY2027 runs Feb 2026 – Jan 2027, named by the year it ends in
    found = quarters.quarter_of(D(2026, 3, 10))
    assert (found.label, found.start, found.end) == ("2027-Q1", D(2026, 2, 1), D(2026, 5, 1))
    assert quarters.quarter_of(D(2027, 1, 31)).label == "2027-Q4"
    assert quarters.parse("2027-Q1") == found and found.next().label == "2027-Q2"
    with pytest.raises(ValueError, match="2027-Q1"):
        quarters.parse("2027-Q5")


def test_the_quarter_by_hand(quarter_con):
    result = book.quarter_forecast_for(quarter_con, quarters.parse("2025-Q1"), AS_OF)
    q, rows = result.summary, result.renewals
    outcome = dict(zip(rows["account_id"], rows["outcome"], strict=True))
    assert outcome == {"A": "renewed", "B": "churned", "C": "renewed", "E": "open", "F": "open"}
    assert (q["due_arr"], q["renewed_due_arr"], q["churned_due_arr"], q["open_due_arr"]) == (9600, 1800, 2400, 5400)
    assert q["renewed_due_arr"] + q["churned_due_arr"] + q["open_due_arr"] == q["due_arr"]
    assert (q["renewed_arr_gross"], q["renewed_arr_net"], q["contracted_arr"]) == (1680, 1680, 120)
    price = dict(zip(rows["account_id"], rows["probability"], strict=True))
    assert price["F"] == pytest.approx(0.9)  # the CRM's Commit
    assert 0 < price["E"] < 1  # in its grace period: priced by the forecast of Feb 1
    assert q["open_forecast_arr"] == pytest.approx(3600 * price["E"] + 1800 * 0.9)
    assert q["floor_arr"] == 1680 + 1800  # renewed gross + the Commit
    assert q["best_case_arr"] == 1680 + 3600 + 1800
    contraction, _, _ = forecast.rollup_ratios(book.history_rollup(quarter_con, [AS_OF]))
    assert q["projected_renewed_arr_gross"] == pytest.approx(1680 + q["open_forecast_arr"] * (1 - contraction))
    assert q["projected_grr"] == pytest.approx(q["projected_renewed_arr_gross"] / 9600)
    # the plan: the whole book's 90 % of 9,600
    assert (q["target_grr"], q["planned_renewed_arr"]) == (0.9, pytest.approx(8640))
    assert q["gap_to_plan_arr"] == pytest.approx(q["projected_renewed_arr_gross"] - 8640)


def test_a_segment_filter_reads_the_segments_plan(quarter_con):
    smb = book.quarter_forecast_for(quarter_con, quarters.parse("2025-Q1"), AS_OF, Filters(segments=("SMB",)))
    assert smb.summary["due_arr"] == 1200 + 2400 + 600 and smb.summary["target_grr"] == 0.85
    owners = book.quarter_forecast_for(quarter_con, quarters.parse("2025-Q1"), AS_OF, Filters(owners=("Ann",)))
    assert owners.summary["target_grr"] is None  # no plan is written for one CSM


def test_team_roll_up_totals_equal_their_parts(quarter_con):
    rows = book.quarter_forecast_for(quarter_con, quarters.parse("2025-Q1"), AS_OF).renewals
    assert dict(zip(rows["account_id"], rows["team"], strict=True)) == {
        "A": "East", "B": "East", "C": "East", "E": "East", "F": "West"}
    table = quarter_forecast.by_levels(rows, ["team", "manager", "csm_owner"],
                                       book.quarter_targets(quarter_con, quarters.parse("2025-Q1")))
    whole = table.filter(pl.col("level") == 0).row(0, named=True)
    for figure in quarter_forecast.LEVEL_FIGURES:
        for depth in (1, 2, 3):
            assert table.filter(pl.col("level") == depth)[figure].sum() == pytest.approx(whole[figure])
    east = table.filter((pl.col("level") == 1) & (pl.col("team") == "East")).row(0, named=True)
    assert east["due_arr"] == 1200 + 2400 + 600 + 3600
    assert east["target_renewed_arr"] == 3000
    assert east["gap_to_plan_arr"] == pytest.approx(east["projected_gross_arr"] - 3000)
    bob = table.filter((pl.col("level") == 3) & (pl.col("csm_owner") == "Bob")).row(0, named=True)
    assert (bob["team"], bob["manager"], bob["due_arr"]) == ("East", "Mia", 600 + 3600)


def test_a_plan_that_is_not_one_says_where(tmp_path):
    bad = "quarter,segment,team,target_grr,target_renewed_arr\n2025-Q5,,,0.9,\n2025-Q2,,,92,\n2025-Q3,,,,\n"
    _, result = import_files(tmp_path, {"subscriptions.csv": SUBSCRIPTIONS, "targets.csv": bad}, as_of=AS_OF)
    assert not result.loaded
    text = result.report.text()
    assert "targets.csv" in text and "2025-Q5" in text and "quarter" in text
    assert "target_grr is not between 0 and 1" in text and "92" in text
    assert "neither target_grr nor target_renewed_arr" in text


def test_a_manager_sees_their_team_and_no_one_else():
    manager = access.with_team(access.Person("mia@example.com", "manager", "Mia"), [
        {"csm_owner": "Ann", "manager": "Mia"}, {"csm_owner": "Bob", "manager": "Mia"},
        {"csm_owner": "Cid", "manager": "Max"}])
    assert manager.book_only and set(manager.owners) == {"Mia", "Ann", "Bob"}
    assert set(manager.scope(Filters()).owners) == {"Mia", "Ann", "Bob"}
    assert manager.scope(Filters(owners=("Ann",))).owners == ("Ann",)
    assert manager.scope(Filters(owners=("Cid",))).owners == ("Mia",)  # another team's CSM: nothing of theirs
    assert manager.owns("Bob") and not manager.owns("Cid")
    assert manager.can_open("forecast") and not manager.can_open("import")


def test_forecast_quarter_json_contract(quarter_db):
    done = subprocess.run([sys.executable, "-m", "renewal_radar", "forecast", "--quarter", "2025-Q1", "--as-of",
                           AS_OF.isoformat(), "--json", "--db", str(quarter_db)], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == list(quarter_forecast.JSON_KEYS)
    assert (payload["quarter"], payload["start"], payload["end"]) == ("2025-Q1", "2025-01-01", "2025-04-01")
    assert payload["due_arr"] == 9600 and payload["target_grr"] == 0.9 and payload["method"] == "naive"
    wrong = subprocess.run([sys.executable, "-m", "renewal_radar", "forecast", "--quarter", "2025-Q9", "--db",
                            str(quarter_db)], cwd=ROOT, capture_output=True, text=True)
    assert wrong.returncode != 0 and "write it like 2027-Q1" in wrong.stderr and "Traceback" not in wrong.stderr


def test_the_forecast_page_opens_on_the_quarter(quarter_db, monkeypatch):
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(quarter_db))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/forecast.py").run()
    assert not app.exception, app.exception
    metrics = {}
    for metric in app.metric:  # this quarter's first, then the next quarter's under the same labels
        metrics.setdefault(metric.label, []).append(metric.value)
    assert metrics["2025-Q1: ARR due"] == ["$9,600"] and metrics["2025-Q2: ARR due"] == ["$960"]  # G's in Q2
    assert metrics["Churned"][0] == "$2,400" and metrics["Still open"][0] == "$5,400"
    assert "2025-Q1" in " ".join(h.value for h in app.subheader)
    tabs = [tab.label for tab in app.tabs]
    # the quarter's tabs in order; only the open one is drawn (issue 36): the team roll-up, not the renewals
    assert tabs[:7] == ["By team", "By segment", "Renewals in the quarter", "Price at renewal", "Path to plan",
                        "Since last week", "Leadership pack"]
    assert any("quarter_by_csm" in key or "quarter_by_team" in key for key in _table_keys(app)), _table_keys(app)
    assert not any("quarter_renewals" in key for key in _table_keys(app))
    app.session_state["forecast_quarter_tab"] = "Price at renewal"  # as a click on the tab leaves it
    app.run()
    assert not app.exception, app.exception
    tabs = [tab.label for tab in app.tabs]  # the price tab holds its own: by team, by CSM, each renewal
    assert tabs[4:7] == ["By team", "By CSM", "Each renewal"], tabs
    app.session_state["forecast_quarter_tab"] = "Renewals in the quarter"
    app.run()
    assert any("quarter_renewals" in key for key in _table_keys(app)), _table_keys(app)


def _table_keys(app) -> list[str]:
    """The keys of the download buttons shown (each table has one, named after it)."""
    return [button.key or "" for button in app.get("download_button")]


HISTORY = """OpportunityId,CreatedDate,StageName,ForecastCategory,Probability,Amount,CloseDate
O1,2024-12-10 09:00:00,Proposal,Pipeline,30,1800,2025-03-01
O1,2025-01-20 16:30:00,Verbal,Forecast,90,1800,2025-03-01
"""


def test_the_crm_call_as_it_stood_on_each_day(tmp_path, quarter_db):
    path, result = import_files(tmp_path, {
        "subscriptions.csv": SUBSCRIPTIONS, "accounts.csv": ACCOUNTS, "renewal_opportunities.csv": OPPORTUNITIES,
        "OpportunityHistory.csv": HISTORY}, as_of=AS_OF)
    assert result.loaded, result.report.text()

    def call_on(database, day):
        with db.connect(database, read_only=True) as con:
            found = forecast.crm_opportunities(con, [day])
        return [(r["opportunity_id"], r["category"], r["probability"]) for r in found.iter_rows(named=True)]

    # Salesforce's API values (Forecast = Commit) mapped by the preset; a change counts from the day after
    assert call_on(path, D(2024, 12, 10)) == []
    assert call_on(path, D(2025, 1, 1)) == [("O1", "Pipeline", 30.0)]
    assert call_on(path, D(2025, 2, 1)) == [("O1", "Commit", 90.0)]
    assert call_on(path, AS_OF) == [("O1", "Commit", None)]  # the data's own day: the export's row
    assert call_on(quarter_db, D(2025, 2, 1)) == []  # without a history, an open call of the past is unknown
    # a scoring run reads every day in one query: each day's rows are those it reads alone
    days = [D(2024, 12, 10), D(2025, 1, 1), D(2025, 2, 1), AS_OF]
    with db.connect(path, read_only=True) as con:
        together = forecast.crm_opportunities(con, days)
    assert [(r["as_of"], r["opportunity_id"], r["category"]) for r in together.sort("as_of").iter_rows(named=True)] \
        == [(day, o, category) for day in days for o, category, _ in call_on(path, day)]


def test_call_accuracy_by_hand():
    from renewal_radar import call_accuracy

    calls = pl.DataFrame({
        "csm_owner": ["Ann", "Ann", "Ann", "Bob", "Bob"], "team": ["East"] * 5,
        "crm_category": ["Commit", "Commit", "Best Case", "Commit", "Pipeline"],
        "crm_probability": [0.9, 0.9, 0.6, 0.9, 0.3], "model_probability": [0.8, 0.5, 0.7, 0.6, 0.5],
        "due_arr": [1000.0, 1000.0, 500.0, 2000.0, 1000.0], "actual_gross": [1000.0, 0.0, 500.0, 2000.0, 0.0]})
    by_csm = {r["csm_owner"]: r for r in call_accuracy.accuracy(calls, ["csm_owner"]).iter_rows(named=True)}
    ann, bob = by_csm["Ann"], by_csm["Bob"]
    assert ann["commit_renewed_share"] == pytest.approx(0.5) and ann["best_case_renewed_share"] == 1.0
    assert ann["pipeline_renewed_share"] is None  # Ann called nothing Pipeline
    # called 900 + 900 + 300 = 2,100 against 1,500 renewed; the model's 800 + 500 + 350 = 1,650
    assert ann["called_error"] == pytest.approx(600 / 1500) and ann["model_error"] == pytest.approx(150 / 1500)
    assert bob["commit_renewed_share"] == 1.0 and bob["pipeline_renewed_share"] == 0.0
    whole = call_accuracy.accuracy(calls, []).row(0, named=True)
    assert whole["renewals"] == 5 and whole["actual_arr"] == 3500
    assert whole["commit_renewed_share"] == pytest.approx(3000 / 4000)


def test_without_a_history_the_page_says_where_the_accuracy_would_be(quarter_db, monkeypatch):
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(quarter_db))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/forecast.py").run()
    assert not app.exception, app.exception
    assert "Whose calls can we trust?" in [h.value for h in app.subheader]
    assert any("No opportunity history is loaded" in info.value for info in app.info)


def test_the_demo_history_finds_the_optimists(demo_db):
    from renewal_radar.demo import OPTIMISTS
    from renewal_radar.readers import forecast as forecast_reader

    with db.connect(demo_db, read_only=True) as con:
        found = forecast_reader.calls(con, 90)
    assert found is not None and found.book["renewals"][0] > 50
    shares = {r["csm_owner"]: r["commit_renewed_share"] for r in found.by_csm.iter_rows(named=True)
              if r["commit_renewed_share"] is not None}
    optimists = [share for owner, share in shares.items() if owner in OPTIMISTS]
    reliable = [share for owner, share in shares.items() if owner not in OPTIMISTS]
    # an optimist's Commit renews less often than a reliable CSM's
    assert optimists and reliable and sum(optimists) / len(optimists) < sum(reliable) / len(reliable)
    assert set(found.by_team["team"]) == {"Scale", "Growth", "Strategic"}


HUBSPOT_DEALS = ('Record ID,Deal Name,Amount,Close Date,'
                 'Date entered "Presentation scheduled (Sales Pipeline)",'
                 'Date entered "Contract sent (Sales Pipeline)",Date entered "Closed won (Sales Pipeline)"\n'
                 'O1,F renewal,1800,2025-03-01,2024-12-10 09:00,2025-01-20 16:30,\n')


def test_a_hubspot_deals_export_with_stage_dates_is_a_history(tmp_path):
    path, result = import_files(tmp_path, {
        "subscriptions.csv": SUBSCRIPTIONS, "accounts.csv": ACCOUNTS, "renewal_opportunities.csv": OPPORTUNITIES,
        "deal_stage_history.csv": HUBSPOT_DEALS}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    with db.connect(path, read_only=True) as con:
        history = con.sql("select opportunity_id, changed_at, stage, probability from stg_opportunity_history "
                          "order by changed_at").fetchall()
        # one row per stage entered, at HubSpot's default probability of the stage; the empty date is no row
        assert [(r[0], r[2], r[3]) for r in history] == [("O1", "Presentation scheduled", 60.0),
                                                         ("O1", "Contract sent", 90.0)]
        on_day = forecast.crm_opportunities(con, [D(2025, 1, 1)])
        assert on_day.select("opportunity_id", "stage", "probability").rows() == [
            ("O1", "Presentation scheduled", 60.0)]
