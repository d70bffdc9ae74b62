"""The digest: each rule on hand-built rows, the two-imports-a-week-apart story, real SMTP and webhook delivery."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import subprocess
import sys
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import polars as pl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from renewal_radar import audit, digest, digest_output, i18n
from renewal_radar.demo import write_exports
from tests.conftest import ROOT, built_once, free_port

D = dt.date
AS_OF, SINCE = D(2026, 11, 1), D(2026, 10, 25)
RULES = digest.AlertRules(1, frozenset(digest.KINDS), 30, 0.3, 90, 0.01)


def renewals(*rows) -> pl.DataFrame:
    return pl.DataFrame([dict(zip(("account_id", "name", "renewal_date", "decision_date", "notice_days", "due_arr",
                                   "crm_category", "renewed_arr", "probability"), row, strict=True)) for row in rows],
                        schema={"account_id": pl.String, "name": pl.String, "renewal_date": pl.Date,
                                "decision_date": pl.Date, "notice_days": pl.Int64, "due_arr": pl.Float64,
                                "crm_category": pl.String, "renewed_arr": pl.Float64, "probability": pl.Float64})


def scores(*rows) -> pl.DataFrame:
    return pl.DataFrame([dict(zip(("account_id", "name", "band", "health_score", "churn_probability",
                                   "open_high_priority", "escalations_90d"), row, strict=True)) for row in rows],
                        schema={"account_id": pl.String, "name": pl.String, "band": pl.String,
                                "health_score": pl.Float64, "churn_probability": pl.Float64,
                                "open_high_priority": pl.Int64, "escalations_90d": pl.Int64})


def test_a_renewal_enters_its_notice_window_once():
    due = renewals(
        ("A", "Alpha", D(2027, 1, 30), D(2026, 11, 28), 60, 1200.0, None, None, 0.8),  # entered this week
        ("B", "Beta", D(2027, 1, 20), D(2026, 11, 21), 60, 900.0, None, None, 0.8),  # was already within 30 days
        ("C", "Gamma", D(2027, 3, 1), D(2027, 1, 1), 60, 500.0, None, None, 0.8),  # not yet within 30 days
        ("D", "Delta", D(2027, 1, 2), None, None, 700.0, None, None, 0.8))  # no notice period
    found = digest.renewal_notice(due, SINCE, AS_OF, 30, "USD")
    assert found["account_id"].to_list() == ["A"]
    assert "Nov 28, 2026" in found["detail"][0] and "$1,200" in found["detail"][0] and "60 days" in found["detail"][0]
    assert found["key"][0] == "renewal_notice:A:2027-01-30"


def test_a_decision_date_passed_without_a_call():
    due = renewals(
        ("A", "Alpha", D(2026, 12, 28), D(2026, 10, 29), 60, 1000.0, "Pipeline", None, 0.5),  # overdue, no call
        ("B", "Beta", D(2026, 12, 28), D(2026, 10, 29), 60, 1000.0, "Commit", None, 0.9),  # the CSM made a call
        ("C", "Gamma", D(2026, 12, 28), D(2026, 10, 29), 60, 1000.0, None, 1000.0, 1.0),  # already booked
        ("D", "Delta", D(2026, 12, 1), D(2026, 10, 2), 60, 1000.0, None, None, 0.5),  # overdue before the period
        ("E", "Eps", D(2027, 1, 10), D(2026, 11, 11), 60, 1000.0, None, None, 0.5))  # not due yet
    assert digest.decision_overdue(due, SINCE, AS_OF, "USD")["account_id"].to_list() == ["A"]


def test_health_drops_and_risk_crossing_compare_the_two_days():
    before = scores(("A", "Alpha", "green", 75.0, 0.10, 0, 0), ("B", "Beta", "yellow", 55.0, 0.35, 0, 0),
                    ("C", "Gamma", "red", 30.0, 0.20, 0, 0), ("D", "Delta", "yellow", 50.0, 0.29, 0, 0))
    now = scores(("A", "Alpha", "yellow", 60.0, 0.20, 0, 0), ("B", "Beta", "green", 71.0, 0.50, 0, 0),
                 ("C", "Gamma", "red", 10.0, 0.25, 0, 0), ("D", "Delta", "red", 35.0, 0.30, 0, 0),
                 ("E", "New", "red", 20.0, 0.90, 0, 0))  # no score on the since day: nothing to compare
    drops = digest.health_drop(before, now, AS_OF)
    assert drops["account_id"].to_list() == ["D", "A"]  # worst score first; red→red is no drop
    assert drops["detail"][1] == "Health went from Green (75) to Yellow (60)."
    risen = digest.risk_up(before, now, 0.3, AS_OF)
    assert risen["account_id"].to_list() == ["D"]  # B was above already; 0.30 counts as crossing 0.3
    assert "29.0%" in risen["detail"][0] and "30.0%" in risen["detail"][0]


def test_urgent_tickets_count_only_before_a_renewal_and_when_new():
    before = scores(("A", "Alpha", "green", 75.0, 0.1, 0, 1), ("B", "Beta", "green", 75.0, 0.1, 1, 0),
                    ("C", "Gamma", "green", 75.0, 0.1, 0, 0))
    now = scores(("A", "Alpha", "green", 75.0, 0.1, 0, 2), ("B", "Beta", "green", 75.0, 0.1, 1, 0),
                 ("C", "Gamma", "green", 75.0, 0.1, 2, 0))
    due = renewals(("A", "Alpha", D(2026, 12, 1), None, None, 100.0, None, None, 0.9),
                   ("B", "Beta", D(2026, 12, 1), None, None, 100.0, None, None, 0.9),
                   ("C", "Gamma", D(2027, 6, 1), None, None, 100.0, None, None, 0.9))  # renews after 90 days
    found = digest.ticket_on_renewal(before, now, due, AS_OF, 90, "USD")
    assert found["account_id"].to_list() == ["A"]  # a new escalation; B's open ticket was there already


def test_expansion_signals_are_new_ones_only():
    columns = {"account_id": pl.String, "kind": pl.String, "reason": pl.String, "potential_arr": pl.Float64}
    before = pl.DataFrame([("A", "seats", "90% of seats in use", 500.0)], schema=columns, orient="row")
    now = pl.DataFrame([("A", "seats", "95% of seats in use", 600.0), ("A", "growth", "usage up 50%", 300.0),
                        ("B", "seats", "85% of seats in use", 200.0)], schema=columns, orient="row")
    found = digest.expansion_new(before, now, {"A": "Alpha", "B": "Beta"}, AS_OF, "USD")
    assert found.select("account_id", "name").rows() == [("A", "Alpha"), ("B", "Beta")]
    assert found["detail"][0] == "usage up 50%: about $300 more ARR."


def test_the_forecast_moved_beyond_the_threshold():
    was = renewals(("A", "Alpha", D(2026, 11, 20), None, None, 1000.0, None, None, 0.9),
                   ("B", "Beta", D(2026, 12, 20), None, None, 1000.0, None, None, 0.9),
                   ("C", "Gamma", D(2027, 2, 1), None, None, 5000.0, None, None, 0.1))  # next quarter
    now = was.with_columns(pl.when(pl.col("account_id") == "B").then(0.5).otherwise(pl.col("probability"))
                           .alias("probability"))
    start, end = digest.quarter(AS_OF)
    assert (start, end) == (AS_OF, D(2027, 1, 1))
    moved = digest.forecast_moved(was, now, start, end, 0.01, "Maya Patel", AS_OF, "USD")
    assert moved["detail"][0].endswith("moved from $1,800 to $1,400 (-22.2%).")
    assert digest.forecast_moved(was, was, start, end, 0.01, "Maya Patel", AS_OF, "USD").is_empty()


def _digest(alerts: list[dict]) -> digest.Digest:
    return digest.Digest("Maya Patel", SINCE, 1, AS_OF, "USD", digest._alerts(alerts), RULES)


def test_the_email_escapes_every_data_value_and_markdown_too():
    evil = '<script>alert("x")</script> & <b>Co</b>'
    found = _digest([{"kind": "health_drop", "account_id": 'A"1', "name": evil, "detail": "<i>dropped</i>",
                      "key": "k"}])
    html = digest_output.to_html(found)
    assert "<script>" not in html and "<b>Co</b>" not in html and "<i>dropped</i>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "account_id=A%221" in html
    text = digest_output.to_markdown(found)
    assert "\\<script\\>" in text and "<b>" not in text


def test_the_digest_speaks_the_recipients_language():
    found = _digest([{"kind": "health_drop", "account_id": "A", "name": "삼성", "detail": "x", "key": "k"}])
    with i18n.language("ja"):
        html = digest_output.to_html(found, language="ja")
    assert 'lang="ja"' in html and "ヘルス" in html and "2026/10/25" in html
    with i18n.language("ko"):
        assert "다이제스트" in digest_output.heading(found)


# ---------------------------------------------------------------- two imports a week apart, delivered for real


@pytest.fixture(scope="module")
def week_apart(tmp_path_factory):
    """The demo's exports imported as of 2026-10-25 and again as of 2026-11-01, as the issue tells."""
    folder = built_once(tmp_path_factory, "digest_week", _build_week)
    database = folder / "live.duckdb"
    env = {**os.environ, "RENEWAL_RADAR_DB": str(database), "PYTHONPATH": str(ROOT)}
    return database, {**env, "RENEWAL_RADAR_ACCESS": str(folder / "access.toml")}


def _build_week(folder: Path) -> None:
    folder.mkdir(parents=True)
    exports = folder / "exports"
    # the demo's exports only: the two imports below are the book (building the demo would import a third time)
    write_exports(exports, 1000, 42, events=150_000)
    accounts = pl.read_csv(exports / "accounts.csv", infer_schema=False)
    accounts.with_columns(pl.when(pl.col("csm_owner") == "Maya Patel")  # a hostile name in every alert of hers
                          .then(pl.format('<img src=x onerror=alert(1)> {}', "name")).otherwise("name")
                          .alias("name")).write_csv(exports / "accounts.csv")
    database = folder / "live.duckdb"
    env = {**os.environ, "RENEWAL_RADAR_DB": str(database), "PYTHONPATH": str(ROOT)}
    for day in ("2026-10-25", "2026-11-01"):
        subprocess.run([sys.executable, "-m", "renewal_radar", "import", str(exports), "--as-of", day], env=env,
                       check=True, capture_output=True)
    access = folder / "access.toml"
    access.write_text('[roles]\n"maya.patel@example.com" = "csm"\n"ceo@example.com" = "leader"\n'
                      '[csm_owner]\n"maya.patel@example.com" = "Maya Patel"\n'
                      '[language]\n"ceo@example.com" = "ko"\n', encoding="utf-8")


def run_digest(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "renewal_radar", "digest", *args], env=env, capture_output=True,
                          text=True, check=True)


def test_after_two_imports_a_week_apart_the_dry_run_lists_her_week(week_apart):
    database, env = week_apart
    found = json.loads(run_digest(env, "--owner", "Maya Patel", "--since", "1").stdout)
    assert found["owner"] == "Maya Patel" and found["since"] == "2026-10-25"
    kinds = {a["kind"] for a in found["alerts"]}
    assert {"renewal_notice", "health_drop", "forecast_moved"} <= kinds
    assert all(set(a) == {"kind", "account_id", "name", "detail", "link"} for a in found["alerts"])
    assert found["alerts"][0]["link"].startswith("http://localhost:8501/account?account_id=ACC-")
    dry = run_digest(env, "--owner", "Maya Patel", "--since", "1", "--dry-run")
    assert "would send to maya.patel@example.com by email" in dry.stdout
    assert "Renewals entering their notice window" in dry.stdout and "Forecast moved" in dry.stdout
    assert audit.delivered_keys("maya.patel@example.com", "email", database) == set()  # a dry run sends nothing


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[email.message.EmailMessage] = []

    def handle_message(self, message) -> None:
        self.messages.append(email.message_from_string(message.as_string(), policy=policy.default))


WEBHOOK_POSTS: list[dict] = []


class _Webhook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        WEBHOOK_POSTS.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        return None


def test_the_email_and_the_webhook_arrive_once(week_apart):
    database, env = week_apart
    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    hook = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    send_env = {**env, "RENEWAL_RADAR_SMTP_HOST": "127.0.0.1", "RENEWAL_RADAR_SMTP_PORT": str(smtp.port),
                "RENEWAL_RADAR_SMTP_SECURITY": "none",
                "RENEWAL_RADAR_SLACK_WEBHOOK": f"http://127.0.0.1:{hook.server_port}/hook"}
    try:
        first = run_digest(send_env, "--owner", "Maya Patel", "--since", "1", "--send")
        again = run_digest(send_env, "--owner", "Maya Patel", "--since", "1", "--send")
        leaders = run_digest(send_env, "--role", "leader", "--since", "1", "--send")
        assert "ceo@example.com · email:" in leaders.stderr
    finally:
        smtp.stop()
        hook.shutdown()
    assert "maya.patel@example.com · email:" in first.stderr and "sent" in first.stderr
    assert "no new alerts" in again.stderr and "sent" not in again.stderr
    to_maya = [m for m in inbox.messages if m["To"] == "maya.patel@example.com"]
    assert len(to_maya) == 1  # the second run sent nothing
    html = to_maya[0].get_body(("html",)).get_content()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Renewals entering their notice window" in html
    assert to_maya[0]["Subject"].startswith("Renewal Radar digest for Maya Patel since Oct 25, 2026")
    to_ceo = [m for m in inbox.messages if m["To"] == "ceo@example.com"]
    assert len(to_ceo) == 1 and "다이제스트" in to_ceo[0]["Subject"]  # in the leader's language
    assert len(WEBHOOK_POSTS) == 2 and "Maya Patel" in WEBHOOK_POSTS[0]["text"]
    log = audit.events(db_path=database)
    assert log.filter(pl.col("action") == "digest_send").height == 4  # two recipients × email and webhook


def test_the_digest_page_previews_a_book(week_apart, monkeypatch):
    from streamlit.testing.v1 import AppTest

    database, _ = week_apart
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(database))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.run()
    app.switch_page("pages/digest.py").run()
    assert not app.exception
    app.selectbox(key="digest_owner").select("Maya Patel").run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Health dropped"]) > 0 and metrics["Renewals entering their notice window"] != "0"
    assert any("Forecast moved" in s.value for s in app.subheader)


def test_an_escalation_alert_never_reads_zero_open_tickets():
    before = scores(("A", "Alpha", "green", 75.0, 0.1, 0, 1), ("B", "Beta", "green", 75.0, 0.1, 0, 0))
    now = scores(("A", "Alpha", "green", 75.0, 0.1, 0, 2), ("B", "Beta", "green", 75.0, 0.1, 1, 0))
    due = renewals(("A", "Alpha", D(2026, 12, 1), None, None, 100.0, None, None, 0.9),
                   ("B", "Beta", D(2026, 12, 1), None, None, 900.0, None, None, 0.9))
    found = digest.ticket_on_renewal(before, now, due, AS_OF, 90, "USD")
    details = dict(zip(found["account_id"], found["detail"], strict=True))
    assert details["A"].startswith("Escalations in the last 90 days: 2 (was 1)") and "Open high" not in details["A"]
    assert details["B"].startswith("Open high-priority tickets: 1;")
    assert "tickets: 0" not in " ".join(found["detail"])


def test_alerts_are_ranked_by_arr_at_stake_and_the_email_shows_the_top_ones(monkeypatch):
    monkeypatch.setenv("RENEWAL_RADAR_DIGEST_ALERTS_PER_KIND", "3")
    before = scores(*[(f"A{i}", f"Acct {i}", "green", 80.0, 0.1, 0, 0) for i in range(5)])
    now = scores(*[(f"A{i}", f"Acct {i}", "red", 20.0, 0.5, 0, 0) for i in range(5)]).with_columns(
        pl.Series("arr", [100.0, 900.0, 300.0, 700.0, 500.0]))
    found = digest.ranked(digest.health_drop(before, now, AS_OF))
    assert found["account_id"].to_list() == ["A1", "A3", "A4", "A2", "A0"]  # most ARR first
    alerts = found.to_dicts()
    email = digest_output.to_markdown(_digest(alerts))
    assert "Acct 1" in email and "Acct 3" in email and "Acct 4" in email and "Acct 0" not in email
    assert "… and 2 more on the Digest page." in email
    assert len(digest_output.to_json(_digest(alerts))["alerts"]) == 5  # the JSON keeps them all
