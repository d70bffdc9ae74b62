"""The SQL console's sandbox: each forbidden statement fails with a clear message; runaway queries stop."""

from __future__ import annotations

import datetime as dt

import pytest

from renewal_radar import db, explore

FORBIDDEN = {
    "read a file": ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
    "read a file by name": ("select * from '/etc/hostname'", "does not exist"),  # no file lookups at all
    "copy to a file": ("copy (select 1) to '/tmp/renewal_radar_leak.csv'", "disabled by configuration"),
    "attach a database": ("attach '/tmp/renewal_radar_other.duckdb' as other", "disabled by configuration"),
    "install an extension": ("install httpfs", "disabled by configuration"),
    "change a setting": ("set memory_limit = '64GB'", "configuration has been locked"),
    "turn file access back on": ("set enable_external_access = true", "configuration has been locked"),
    "write to the data": ("create table accounts_copy as select * from accounts_dim", "read-only"),
    "delete data": ("delete from accounts_dim", "read-only"),
}


@pytest.mark.parametrize("case", list(FORBIDDEN))
def test_sandbox_refuses(demo_db, case):
    statement, reason = FORBIDDEN[case]
    result = explore.run_sandboxed(demo_db, statement)
    assert result.frame is None
    assert reason in result.error
    assert "\n" not in result.error
    assert result.error_kind == ("unknown_name" if case == "read a file by name" else "not_allowed")


@pytest.mark.parametrize(("statement", "kind"), [
    ("selec 1", "syntax"), ("select nope from accounts_dim", "unknown_name"), ("select * from nope", "unknown_name"),
    ("select 'a'::int", "types")])
def test_a_failed_query_says_what_went_wrong(demo_db, statement, kind):
    result = explore.run_sandboxed(demo_db, statement)
    assert result.error_kind == kind and result.error  # the page words the kind; DuckDB's line beside it


def test_sandbox_reads_the_data(demo_db):
    result = explore.run_sandboxed(demo_db, "select segment, count(*) as n from accounts_dim group by 1 order by 1")
    assert result.error is None
    assert result.frame["n"].sum() == 400
    assert result.total_rows == 3 and not result.truncated


def test_row_limit_and_truncation(demo_db):
    result = explore.run_sandboxed(demo_db, "select * from range(50000)", row_limit=1000)
    assert result.frame.height == 1000 and result.truncated


def test_runaway_query_is_interrupted_within_the_limit(demo_db):
    result = explore.run_sandboxed(demo_db, "select count(*) from range(1000000000000)", time_limit=1.0)
    assert result.error_kind == "too_long" and "Interrupt" in result.error
    assert result.elapsed_s < 5


def test_the_app_connection_stays_usable_next_to_the_sandbox(demo_db):
    app_con = db.connect(demo_db)
    explore.run_sandboxed(demo_db, "select 1")
    assert db.query(app_con, "select count(*) as n from accounts_dim")["n"][0] == 400
    app_con.close()


def test_saved_queries_all_run_as_starting_points(demo_db):
    queries = explore.starting_queries(dt.date(2026, 11, 1))
    assert "accounts_on_day" in queries
    failures = {name: explore.run_sandboxed(demo_db, text).error for name, text in queries.items()}
    assert {name: error for name, error in failures.items() if error} == {}


def test_schema_lists_tables_with_grain(demo_con):
    schema = explore.schema(demo_con)
    row = schema.filter(schema["table_name"] == "mrr_by_account_month").row(0, named=True)
    assert row["grain"].startswith("one row per account, currency and month start")
    assert row["row_count"] > 0 and "mrr DOUBLE" in row["columns"]
