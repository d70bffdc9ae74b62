"""`rollup-usage`: hand-counted roll-ups, DuckDB and a real local Spark row for row, incremental equals full,
and an import of the rolled-up folder builds the same marts as an import of the raw events."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl
import pytest

from renewal_radar import db
from renewal_radar.demo import write_exports
from renewal_radar.ingest import import_folder
from renewal_radar.usage_rollup import RollupError, rollup_usage
from tests.conftest import ROOT, table_differences

T = dt.datetime


def _events(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"account_id": pl.String, "event_time": pl.Datetime("ms"),
                                      "event_type": pl.String, "user_id": pl.String}, orient="row")


# Users active on several features and days, an event without a user, no events on 2026-01-03, an event of
# 2026-01-02 that arrived in the file of 2026-01-04 (late), one day written as CSV, hive partition folders.
FILES = {
    "day=2026-01-01/part-0.parquet": [("A", T(2026, 1, 1, 10), "x", "u1"), ("A", T(2026, 1, 1, 11), "x", "u2"),
                                      ("A", T(2026, 1, 1, 12), "x", "u1"), ("A", T(2026, 1, 1, 13), "y", "u1"),
                                      ("B", T(2026, 1, 1, 9), "x", None)],
    "day=2026-01-02/part-0.parquet": [("A", T(2026, 1, 2, 8), "x", "u1")],
    "day=2026-01-04/part-0.csv": [("A", T(2026, 1, 4, 23, 59), "x", "u3"), ("A", T(2026, 1, 2, 22), "y", "u2")],
    "day=2026-02-01/part-0.parquet": [("A", T(2026, 2, 1, 0, 0), "y", "u2"), ("B", T(2026, 2, 1, 5), "x", "b1")],
}


def write_source(folder: Path, files: dict[str, list[tuple]]) -> Path:
    """Write the event files under ``folder`` (CSV or Parquet by suffix)."""
    for name, rows in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = _events(rows)
        if path.suffix == ".csv":
            frame.write_csv(path)
        else:
            frame.write_parquet(path)
    return folder


def expected(files: dict[str, list[tuple]]) -> tuple[set, set]:
    """The roll-up counted by hand in Python: daily (account, day, feature, events, users) and monthly users."""
    events, users, month_users = defaultdict(int), defaultdict(set), defaultdict(set)
    for rows in files.values():
        for account, when, feature, user in rows:
            key = (account, when.date(), feature)
            events[key] += 1
            month_key = (account, when.date().replace(day=1))
            month_users[month_key]
            if user is not None:
                users[key].add(user)
                month_users[month_key].add(user)
    daily = {(*key, n, len(users[key])) for key, n in events.items()}
    return daily, {(*key, len(found)) for key, found in month_users.items()}


def read_output(out: Path) -> tuple[set, set]:
    """What a roll-up wrote, as sets of rows (the partition folder gives the day or month)."""
    con = duckdb.connect()

    def rows(dataset: str, *columns: str) -> set:
        files = con.read_parquet(str(out / dataset / "**" / "*.parquet"), hive_partitioning=True)
        return set(files.select(*columns).fetchall())

    return (rows("usage_daily", "account_id", "date", "feature", "events", "active_users"),
            rows("usage_monthly_users", "account_id", "month", "active_users"))


def test_duckdb_rollup_counts_events_and_distinct_users_by_hand(tmp_path):
    source = write_source(tmp_path / "events", FILES)
    summary = rollup_usage(source, tmp_path / "out")
    daily, monthly = read_output(tmp_path / "out")
    assert (daily, monthly) == expected(FILES)
    assert ("A", dt.date(2026, 1, 1), "x", 3, 2) in daily  # u1 twice and u2: three events, two users
    assert ("A", dt.date(2026, 1, 1), 3) in monthly  # u1, u2, u3 over January, not 1 + 1 + 2 + 1 daily
    assert ("B", dt.date(2026, 1, 1), "x", 1, 0) in daily  # an event without a user counts no user
    assert not (tmp_path / "out" / "usage_daily" / "day=2026-01-03").exists()
    single = pl.read_parquet(next((tmp_path / "out" / "usage_daily" / "day=2026-01-01").glob("*.parquet")))
    assert single.columns == ["account_id", "date", "feature", "events", "active_users"]  # a file alone is whole
    assert (summary.daily_rows, summary.first_day, summary.last_day) == (len(daily), dt.date(2026, 1, 1),
                                                                           dt.date(2026, 2, 1))


def test_incremental_since_equals_a_full_rollup(tmp_path):
    first = {k: v for k, v in FILES.items() if "2026-02" not in k}
    source = write_source(tmp_path / "events", first)
    out = tmp_path / "out"
    rollup_usage(source, out)
    # the next export: February's file with one more late January event, and 2026-01-04's events withdrawn
    # (the file keeps only its late event of 2026-01-02, a day before --since that stays as it was)
    write_source(source, {"day=2026-01-04/part-0.csv": [("A", T(2026, 1, 2, 22), "y", "u2")],
                          "day=2026-02-01/part-0.parquet": FILES["day=2026-02-01/part-0.parquet"]
                          + [("A", T(2026, 1, 31, 12), "x", "u9")]})
    rollup_usage(source, out, since=dt.date(2026, 1, 3))
    full = tmp_path / "full"
    rollup_usage(source, full)
    assert read_output(out) == read_output(full)
    assert not (out / "usage_daily" / "day=2026-01-04").exists()  # the day that became empty is gone
    daily, monthly = read_output(out)
    assert ("A", dt.date(2026, 1, 31), "x", 1, 1) in daily  # the late event of the new file
    assert ("A", dt.date(2026, 1, 1), 3) in monthly  # January recounted: u1, u2 and u9 (u3's day withdrawn)


def test_a_folder_without_event_files_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(RollupError, match="no Parquet or CSV files"):
        rollup_usage(tmp_path / "empty", tmp_path / "out")
    result = subprocess.run([sys.executable, "-m", "renewal_radar", "rollup-usage", str(tmp_path / "missing"),
                             "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "is not a folder" in result.stderr


# ---------------------------------------------------------------- a real local Spark


# The JVMs of these tests (the session's and spark-submit's) run for seconds on a handful of rows: compiling Spark
# with the JIT's quick tier only and collecting garbage on one thread halves their CPU (67 -> 38 core-seconds for
# the three tests here); a roll-up of real volume keeps Java's defaults.
SHORT_RUN_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="module")
def spark_engine():
    """The Spark engine on a local master (Java from Debian's openjdk package, pyspark from PyPI)."""
    assert shutil.which("java"), "make test installs Debian's openjdk-17-jre-headless"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JAVA_TOOL_OPTIONS", SHORT_RUN_JVM)
        yield "spark"
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def test_spark_and_duckdb_give_identical_rows(tmp_path, spark_engine):
    source = write_source(tmp_path / "events", FILES)
    rollup_usage(source, tmp_path / "duck", engine="duckdb")
    summary = rollup_usage(source, tmp_path / "spark", engine=spark_engine, master="local[2]")
    assert read_output(tmp_path / "spark") == read_output(tmp_path / "duck") == expected(FILES)
    assert summary.engine == "spark" and summary.daily_rows == len(expected(FILES)[0])


def test_spark_incremental_since_equals_its_full_rollup(tmp_path, spark_engine):
    first = {k: v for k, v in FILES.items() if "2026-02" not in k}
    source = write_source(tmp_path / "events", first)
    rollup_usage(source, tmp_path / "out", engine=spark_engine, master="local[2]")
    write_source(source, {k: v for k, v in FILES.items() if "2026-02" in k})
    rollup_usage(source, tmp_path / "out", engine=spark_engine, master="local[2]", since=dt.date(2026, 2, 1))
    assert read_output(tmp_path / "out") == expected(FILES)


def test_the_spark_submit_job_writes_the_same_rows(tmp_path, spark_engine):
    source = write_source(tmp_path / "events", FILES)
    venv = Path(sys.executable).parent  # spark-submit comes with pyspark; it finds Spark with this Python
    env = {**os.environ, "PATH": f"{venv}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    result = subprocess.run([str(venv / "spark-submit"), "--master", "local[2]", "tools/spark_rollup_job.py",
                             str(source), str(tmp_path / "out")], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "with spark into" in result.stdout
    assert read_output(tmp_path / "out") == expected(FILES)


# ---------------------------------------------------------------- import of the rolled-up folder


def test_import_of_the_rolled_up_folder_builds_the_same_marts_as_the_raw_events(tmp_path):
    raw = tmp_path / "raw"
    write_exports(raw, 120, seed=5, events=40_000)
    as_of = dt.date(2026, 11, 1)
    assert import_folder(raw, tmp_path / "from_events.duckdb", as_of=as_of).loaded
    events = tmp_path / "events"
    events.mkdir()
    shutil.move(raw / "usage_events.parquet", events / "usage_events.parquet")
    rollup_usage(events, raw)  # usage_daily/ and usage_monthly_users/ land beside the other exports
    result = import_folder(raw, tmp_path / "from_rollup.duckdb", as_of=as_of)
    assert result.loaded, result.report.text()
    assert {f.table for f in result.report.files} >= {"usage_daily", "usage_monthly_users"}
    for table in ("usage_daily_by_feature", "usage_monthly", "usage_monthly_by_feature", "account_features_monthly"):
        assert table_differences(tmp_path / "from_events.duckdb", tmp_path / "from_rollup.duckdb", table) == 0, table


def test_a_rollup_over_its_memory_limit_spills_and_counts_the_same(tmp_path, monkeypatch):
    rows = 400_000
    events = pl.DataFrame({"account_id": [f"A{i % 2000}" for i in range(rows)],
                           "event_time": [T(2026, 1, 1) + dt.timedelta(minutes=7 * i) for i in range(rows)],
                           "event_type": [f"f{i % 13}" for i in range(rows)],
                           "user_id": [f"u{i % 997}" for i in range(rows)]})
    (tmp_path / "events").mkdir()
    events.write_parquet(tmp_path / "events" / "all.parquet")
    rollup_usage(tmp_path / "events", tmp_path / "roomy")
    monkeypatch.setenv("RENEWAL_RADAR_DUCKDB_MEMORY_LIMIT", "40MB")  # far below what the distinct pass holds
    rollup_usage(tmp_path / "events", tmp_path / "tight")
    assert read_output(tmp_path / "tight") == read_output(tmp_path / "roomy")
    assert len(read_output(tmp_path / "tight")[0]) == rows  # every event its own (account, day, feature, user)
    assert not list((tmp_path / "tight").glob("_staging-*"))  # the spill folder went with the staging folder
    con = db.connect_memory(spill_to=tmp_path / "spill")
    limit, folder = con.sql("select current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    con.close()
    assert limit == "38.1 MiB" and folder == str(tmp_path / "spill")  # the setting's 40 MB, spilling to the folder


def test_a_failed_rollup_leaves_the_output_as_it_was(tmp_path):
    source = write_source(tmp_path / "events", FILES)
    out = tmp_path / "out"
    rollup_usage(source, out)
    before = read_output(out)
    (source / "day=2026-02-02").mkdir()
    (source / "day=2026-02-02" / "part-0.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(duckdb.Error):
        rollup_usage(source, out)
    assert read_output(out) == before
    assert not list(out.glob("_staging-*"))


def test_the_demo_logs_bursts_of_events_per_user_and_day_when_asked(tmp_path):
    write_exports(tmp_path / "sparse", 60, seed=3, events=30_000)
    write_exports(tmp_path / "dense", 60, seed=3, events=30_000, events_per_user_day=10)
    activities = {}
    for name in ("sparse", "dense"):
        events = pl.read_parquet(tmp_path / name / "usage_events.parquet")
        assert 27_000 <= events.height <= 33_000  # the events asked for, whatever the density
        activities[name] = events.height / events.select(
            "account_id", pl.col("event_time").dt.date(), "event_type", "user_id").n_unique()
    assert activities["sparse"] < 1.3  # the worst case: about one event per user, feature and day
    assert 8 <= activities["dense"] <= 11  # a burst of ten on average, all on the day of its activity
