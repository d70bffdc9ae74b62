"""Roles from access.toml, the book each role reaches, the audit file, and the production settings."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from renewal_radar import access, audit, imports, snapshots
from renewal_radar.filters import Filters
from renewal_radar.ingest import import_folder
from tests.conftest import ROOT, import_files

RULES = """
[roles]
"maya.patel@example.com" = "csm"
"ceo@example.com" = "leader"
"ana@example.com" = "analyst"
"ops@example.com" = "admin"
"*@example.com" = "leader"
"Boss@Other.com" = "ADMIN"

[csm_owner]
"maya.patel@example.com" = "Maya Patel"
"""


@pytest.fixture()
def rules(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text(RULES, encoding="utf-8")
    return access.load_rules(path)


def test_an_exact_email_wins_over_its_domain_and_case_does_not_matter(rules):
    assert access.role_of("maya.patel@example.com", rules) == "csm"
    assert access.role_of("MAYA.PATEL@example.com", rules) == "csm"
    assert access.role_of("someone@example.com", rules) == "leader"
    assert access.role_of("boss@other.com", rules) == "admin"
    assert access.role_of("someone@other.com", rules) is None


def test_a_csm_carries_their_owner_name_and_nobody_else_does(rules):
    maya = access.resolve("maya.patel@example.com", rules).person
    assert maya == access.Person("maya.patel@example.com", "csm", "Maya Patel")
    assert access.resolve("ceo@example.com", rules).person.owner is None


def test_an_email_without_a_rule_or_a_csm_without_a_book_is_refused_with_the_reason(rules, tmp_path):
    refused = access.resolve("stranger@nowhere.org", rules)
    assert refused.person is None and "stranger@nowhere.org matches no rule" in refused.reason
    assert access.resolve("", rules).person is None
    no_book = access.Rules({"lee@example.com": "csm"})
    assert "no csm_owner" in access.resolve("lee@example.com", no_book).reason
    assert rules.admins() == ["boss@other.com", "ops@example.com"]
    missing = access.load_rules(tmp_path / "nothing.toml")
    assert access.resolve("ceo@example.com", missing).person is None  # no file: nobody gets in


def test_an_unknown_role_is_an_error_naming_it(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text('[roles]\n"a@b.com" = "owner"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown role.*owner"):
        access.load_rules(path)


def test_the_pages_of_each_role_follow_the_spec_table():
    pages = {role: {p for p in access.EVERY_PAGE if access.Person("x@y.z", role, "X").can_open(p)}
             for role in access.ROLES}
    assert pages["leader"] == access.EVERY_PAGE - {"import", "explore"}
    assert pages["csm"] == {"overview", "calendar", "at_risk", "account", "expansion", "digest"}
    assert pages["analyst"] == access.EVERY_PAGE - {"import"}
    assert pages["admin"] == access.EVERY_PAGE
    assert not access.Person("x@y.z", "nobody").can_open("overview")


def test_a_csm_filter_always_carries_their_own_name():
    maya = access.Person("maya.patel@example.com", "csm", "Maya Patel")
    chosen = Filters(segments=("SMB",), owners=("Tom Becker",))
    assert maya.scope(chosen) == Filters(segments=("SMB",), owners=("Maya Patel",))
    assert maya.scope(Filters()).owners == ("Maya Patel",)
    assert access.Person("ceo@example.com", "leader").scope(chosen) == chosen
    assert maya.owns("Maya Patel") and not maya.owns("Tom Becker") and not maya.owns(None)


def test_make_serve_binds_every_interface_only_with_sign_in(tmp_path):
    secrets = tmp_path / "secrets.toml"
    assert access.bind_address([secrets]) == "127.0.0.1"
    secrets.write_text('[other]\nkey = "v"\n', encoding="utf-8")
    assert access.bind_address([secrets]) == "127.0.0.1"
    secrets.write_text('[auth]\nredirect_uri = "https://rr.example.com/oauth2callback"\ncookie_secret = "s"\n'
                       'client_id = "c"\nclient_secret = "x"\nserver_metadata_url = "https://idp/.well-known"\n',
                       encoding="utf-8")
    assert access.bind_address([secrets]) == "0.0.0.0"


def test_audit_rows_and_page_times_round_trip(tmp_path):
    database = tmp_path / "book.duckdb"
    audit.record("sign_in", "ceo@example.com", "leader", database)
    audit.record("sql_query", "ana@example.com", "analyst", database, sql="select 1", rows=1, seconds=0.01)
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record("dance", "ana@example.com", "analyst", database)
    log = audit.events(db_path=database)
    assert log["action"].to_list() == ["sql_query", "sign_in"]  # newest first
    assert '"sql": "select 1"' in log["detail"][0]
    assert audit.audit_path(database) == tmp_path / "book.audit.sqlite"
    for seconds in (0.1, 0.2, 0.3, 0.4, 1.0):
        audit.record_page_run("overview", "leader", seconds, seconds / 2, database)
    audit.record_page_run("data", "admin", 0.05, 0.01, database)
    times = audit.page_times(db_path=database).row(by_predicate=audit.pl.col("page") == "overview", named=True)
    assert times["runs"] == 5
    assert times["p50_seconds"] == pytest.approx(0.3)
    assert times["p95_seconds"] == pytest.approx(0.88)  # linear between 0.4 and 1.0 at 0.95
    later = audit.page_times(dt.datetime.now() + dt.timedelta(hours=1), db_path=database)
    assert later.is_empty()


def test_the_audit_log_survives_imports_and_rollbacks(tmp_path, monkeypatch):
    files = {"accounts.csv": "account_id,name\nA1,Alpha\n",
             "subscriptions.csv": "account_id,product,start_date,end_date,mrr,currency\n"
                                  "A1,Core,2026-01-01,2027-01-01,100,USD\n"}
    database, first = import_files(tmp_path, files)
    assert first.loaded
    audit.record("import", "ops@example.com", "admin", database, files=["accounts.csv"])
    second = tmp_path / "second"
    second.mkdir()
    for name, text in files.items():
        (second / name).write_text(text.replace("100", "120"), encoding="utf-8")
    assert import_folder(second, database, full=True, today=dt.date(2026, 11, 24)).loaded
    assert audit.events(db_path=database)["action"].to_list()[-1] == "import"
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(database))
    snapshots.rollback(database)
    audit.record("rollback", "ops@example.com", "admin", database)
    assert audit.events(db_path=database)["action"].to_list() == ["rollback", "import"]


def test_the_production_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == imports.MAX_UPLOAD_BYTES
    assert config["client"]["showErrorDetails"] == "none"
