"""The daily refresh: the same exports plus one more day of usage (and today's CRM and ticket files) give,
by recomputing only what changed, exactly the book a full import gives; refused input changes nothing; the
refresh rolls back like any import."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path

import polars as pl
import pytest

from renewal_radar import db
from renewal_radar.demo import write_exports
from renewal_radar.ingest import import_folder
from tests.conftest import built_once, table_differences

LAST_DAY = dt.date(2026, 10, 31)
COMPARED = ("usage_daily_by_feature", "usage_monthly", "usage_monthly_by_feature", "account_features_monthly",
            "mrr_by_account_month", "renewal_events", "account_scores", "renewal_scores", "renewal_history_rollup",
            "forecast_summaries", "forecast_backtest", "forecast_calibration", "risk_backtest", "risk_band_rates")


def _write_days(events: pl.DataFrame, folder: Path) -> None:
    """One Parquet file per day, in hive folders, as an event pipeline exports them."""
    events.with_columns(pl.col("event_time").dt.date().alias("day")).write_parquet(folder, partition_by="day")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The exports and the books, built once per test run (see :func:`_build`)."""
    return built_once(tmp_path_factory, "refresh", _build)


@pytest.fixture(scope="module")
def exports(built) -> tuple[Path, Path]:
    """Yesterday's exports (usage up to the day before LAST_DAY) and today's (one more day, a late event of
    mid-October in today's file, one more ticket, an opportunity whose stage moved)."""
    return built / "yesterday", built / "today"


@pytest.fixture(scope="module")
def refreshed(built) -> tuple[Path, Path, object]:
    """Yesterday's book refreshed with today's exports (and the import's result), and today's imported in full."""
    return built / "live.duckdb", built / "full.duckdb", pickle.loads((built / "result.pickle").read_bytes())


def _build(root: Path) -> None:
    root.mkdir(parents=True)
    _write_exports(root)
    live, full = root / "live.duckdb", root / "full.duckdb"
    assert import_folder(root / "yesterday", live, as_of=LAST_DAY).loaded
    (root / "yesterday_book").mkdir()  # yesterday's book as imported, kept before the refresh changes it
    shutil.copy(live, root / "yesterday_book" / "live.duckdb")
    result = import_folder(root / "today", live, as_of=LAST_DAY + dt.timedelta(days=1))
    assert import_folder(root / "today", full, as_of=LAST_DAY + dt.timedelta(days=1), full=True).loaded
    (root / "result.pickle").write_bytes(pickle.dumps(result))


def _write_exports(root: Path) -> None:
    raw = root / "raw"
    write_exports(raw, 150, seed=11, events=60_000)
    events = pl.read_parquet(raw / "usage_events.parquet")
    (raw / "usage_events.parquet").unlink()
    yesterday, today = root / "yesterday", root / "today"
    shutil.copytree(raw, yesterday)
    _write_days(events.filter(pl.col("event_time").dt.date() < LAST_DAY), yesterday / "usage_events")
    shutil.copytree(yesterday, today)
    late = events.head(1).with_columns(pl.lit(dt.datetime(2026, 10, 15, 9)).cast(events["event_time"].dtype)
                                       .alias("event_time"))
    new_day = pl.concat([events.filter(pl.col("event_time").dt.date() == LAST_DAY), late])
    new_day.write_parquet(today / "usage_events" / f"day={LAST_DAY}" / "late-and-new.parquet", mkdir=True)
    tickets = pl.read_csv(today / "tickets.csv")
    extra = tickets.tail(1).with_columns(pl.lit("T-NEW").alias("ticket_id"),
                                         pl.lit("2026-10-31T10:00:00.000000").alias("created_at"),
                                         pl.lit(None, pl.String).alias("solved_at"), pl.lit("open").alias("status"))
    pl.concat([tickets, extra], how="vertical_relaxed").write_csv(today / "tickets.csv")
    opportunities = pl.read_csv(today / "renewal_opportunities.csv")
    first_open = opportunities["is_closed"].arg_min()
    opportunities.with_columns(pl.when(pl.int_range(pl.len()) == first_open).then(pl.lit("Commit"))
                               .otherwise(pl.col("forecast_category")).alias("forecast_category")) \
        .write_csv(today / "renewal_opportunities.csv")


def test_the_second_import_is_a_refresh_that_reads_only_the_new_usage_file(refreshed):
    _, _, result = refreshed
    assert result.loaded and result.refreshed, result.report.text()
    usage = next(f for f in result.report.files if f.table == "usage_events")
    assert len(usage.members) == 1 and usage.members[0].endswith("late-and-new.parquet")
    # small files exported again unchanged are not read again; today's tickets and CRM files are
    kept = {f.file for f in result.report.files if f.unchanged}
    assert kept == {"accounts.csv", "subscriptions.csv", "surveys.csv", "activities.csv", "fx_rates.csv", "team.csv",
                    "targets.csv", "opportunity_history.csv"}
    assert all(f.rows > 0 for f in result.report.files if f.unchanged)


@pytest.mark.parametrize("table", COMPARED)
def test_a_refresh_builds_the_same_book_as_a_full_import(refreshed, table):
    live, full, _ = refreshed
    # doubles to 1e-6: sums and matrix products may differ in their last bits with the order of the rows
    assert table_differences(live, full, table, round_doubles=6) == 0


def test_the_refreshed_usage_counts_the_late_event_and_the_new_day(refreshed):
    live, _, _ = refreshed
    con = db.connect(live)
    try:
        days = db.query(con, "select max(usage_date) as last, count(*) as n from usage_daily_by_feature "
                             "where usage_date = $day", {"day": LAST_DAY})
        assert days["last"][0] == LAST_DAY and days["n"][0] > 0
        meta = db.read_table(con, "import_meta")
        assert meta["as_of"][0] == LAST_DAY + dt.timedelta(days=1)
    finally:
        con.close()


def _yesterdays_book(yesterday: Path, folder: Path) -> Path:
    """A copy (in ``folder``) of yesterday's exports imported, built once beside them."""
    for path in (yesterday.parent / "yesterday_book").iterdir():
        shutil.copy2(path, folder / path.name)
    return folder / "live.duckdb"


def test_a_refused_refresh_changes_nothing_and_a_refresh_rolls_back(exports, tmp_path):
    yesterday, today = exports
    live = _yesterdays_book(yesterday, tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(today, broken)
    bad = pl.DataFrame({"account_id": [None], "event_time": [dt.datetime(2026, 10, 31, 8)],
                        "event_type": ["x"], "user_id": ["u"]})
    bad.write_parquet(broken / "usage_events" / f"day={LAST_DAY}" / "bad.parquet")
    before = live.stat().st_mtime_ns
    result = import_folder(broken, live)
    assert not result.loaded
    assert any("account_id" in str(m) and "bad.parquet" in str(m) for m in result.report.errors)
    assert live.stat().st_mtime_ns == before
    assert import_folder(today, live).refreshed
    db.rollback(live)
    con = db.connect(live)
    try:
        assert db.read_table(con, "import_meta")["as_of"][0] == LAST_DAY
    finally:
        con.close()


def test_an_export_without_usage_withdraws_the_usage_of_the_last_one(exports, tmp_path):
    yesterday, _ = exports
    live = _yesterdays_book(yesterday, tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy2(yesterday / "subscriptions.csv", other / "subscriptions.csv")
    result = import_folder(other, live)
    assert result.loaded and result.refreshed
    con = db.connect(live)
    try:
        assert db.query(con, "select count(*) as n from usage_monthly")["n"][0] == 0
        assert db.query(con, "select count(*) as n from raw_usage_events")["n"][0] == 0
        assert result.as_of == db.query(con, "select max(start_date) as d from raw_subscriptions "
                                             "where start_date <= current_date")["d"][0]
    finally:
        con.close()


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_killed_refresh_loses_nothing(exports, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    yesterday, today = exports
    live = _yesterdays_book(yesterday, tmp_path)
    before = _digest(live)
    process = subprocess.Popen([sys.executable, "-m", "renewal_radar", "import", str(today), "--db", str(live)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("live.duckdb.building-*")) and time.monotonic() < deadline:
        assert process.poll() is None, "the refresh ended before it could be killed"
        time.sleep(0.02)
    time.sleep(0.3)  # well inside the build: the copy of the live file is being changed
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait() == -9
    assert _digest(live) == before  # readers still see yesterday's book, whole
    con = db.connect(live)
    try:
        assert db.read_table(con, "import_meta")["as_of"][0] == LAST_DAY
    finally:
        con.close()
    assert import_folder(today, live).refreshed  # the next refresh runs and cleans the half-built copy up
    assert not list(tmp_path.glob("live.duckdb.building-*"))


def test_replace_days_keeps_the_kept_days_rows_and_appends_the_new_days(tmp_path):
    from renewal_radar import db

    d1, d2, d3 = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 10, 15)
    con = db.connect(tmp_path / "days.duckdb", read_only=False)
    db.replace_table(con, "scores", pl.DataFrame({"as_of": [d1, d2], "value": [1.0, 2.0]}))
    # the frame's kept day d1 as the caller read it (marked 9 here to tell a rewrite from a kept row)
    db.replace_days(con, "scores", pl.DataFrame({"as_of": [d1, d3], "value": [9.0, 3.0]}), [d1])
    assert db.query(con, "select * from scores order by as_of").rows() == [(d1, 1.0), (d3, 3.0)]
    # a new day before a kept one: rewritten whole, so the table stays in day order
    db.replace_days(con, "scores", pl.DataFrame({"as_of": [d1, d2, d3], "value": [1.0, 2.0, 3.0]}), [d3])
    assert db.query(con, "select * from scores").rows() == [(d1, 1.0), (d2, 2.0), (d3, 3.0)]
    con.close()
