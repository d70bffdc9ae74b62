"""Raw usage events rolled up to ``usage_daily`` Parquet files (shared/spec/cli.md ``rollup-usage``).

Usage events are the one input that grows without bound; everything else a team exports stays small. The
roll-up reads raw events (Parquet or CSV files anywhere under a folder, hive partitions allowed) and writes
two Parquet datasets under the output folder, partitioned so a day can be replaced on its own:

- ``usage_daily/day=YYYY-MM-DD/``: ``account_id, date, feature, events, active_users`` (exact distinct users)
  per account, day and feature; the ``usage_daily`` table of the data model, every column in the files.
- ``usage_monthly_users/month_start=YYYY-MM-01/``: ``account_id, month, active_users`` per account and month,
  exact distinct users over the month. Daily counts cannot give it (a user active on two days is one user),
  and licence utilisation needs it; ``import`` reads it beside ``usage_daily``.

Both engines run the same SQL files (``queries/rollup/``): one distinct pass over (account, day, feature,
user) and two counts over it. DuckDB runs here; Spark (``renewal_radar.spark_rollup``, imported only when
asked for) runs the same statements on a cluster. ``since`` rolls up only the days from that day on (and the
months they fall in), replacing their partitions; a day without events loses its old partition, so an
incremental run leaves exactly what a full run would.

New partitions are written to a staging folder first and moved in only when complete, so a failed run
leaves the previous output as it was.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from renewal_radar import dates, db, sql

PAIRS, DAILY, MONTHLY_USERS = "rollup/usage_pairs", "rollup/usage_daily", "rollup/usage_monthly_users"
DAILY_DIR, MONTHLY_DIR = "usage_daily", "usage_monthly_users"
# partition folders are named by a key of their own, so the files keep every column of the data model
DAILY_KEY, MONTHLY_KEY = "day", "month_start"
DAILY_COLUMN, MONTHLY_COLUMN = "date", "month"
EVENT_SUFFIXES = {".parquet": "parquet", ".csv": "csv"}
FAR_PAST = dt.date(1900, 1, 1)


class RollupError(Exception):
    """A roll-up that cannot run (no input, unreadable files); the message says what to do."""


@dataclass(frozen=True)
class RollupSummary:
    """What one roll-up wrote."""

    engine: str
    files: int
    daily_rows: int
    monthly_rows: int
    first_day: dt.date | None
    last_day: dt.date | None
    since: dt.date | None
    out: str
    seconds: float

    def line(self) -> str:
        """The command's summary line."""
        days = f"{self.first_day} to {self.last_day}" if self.first_day else "no days"
        scope = f"days from {self.since}" if self.since else "all days"
        return (f"rolled up {self.files:,} files ({scope}) with {self.engine} into {self.daily_rows:,} daily rows "
                f"({days}) and {self.monthly_rows:,} monthly user rows under {self.out} in {self.seconds:.1f} s")


def read_window(since: dt.date | None) -> tuple[dt.date, dt.date]:
    """(first event day read, first day written): an incremental run rereads its first month for monthly users."""
    if since is None:
        return FAR_PAST, FAR_PAST
    return dates.month_floor(since), since


def event_files(paths: list[str]) -> dict[str, list[str]]:
    """The usage event files among ``paths``, by format; hidden and bookkeeping files are skipped."""
    found: dict[str, list[str]] = {"parquet": [], "csv": []}
    for path in sorted(paths):
        name = path.rstrip("/").rsplit("/", 1)[-1]
        kind = EVENT_SUFFIXES.get(os.path.splitext(name)[1].lower())
        if kind and not name.startswith((".", "_")):
            found[kind].append(path)
    return found


def rollup_usage(source: str | Path, out: str | Path, engine: str = "duckdb", master: str = "local[*]",
                 since: dt.date | None = None) -> RollupSummary:
    """Roll the raw usage events under ``source`` up into ``out`` (see the module docstring)."""
    if engine == "spark":
        from renewal_radar import spark_rollup

        return spark_rollup.rollup(str(source), str(out), master, since)
    if engine != "duckdb":
        raise RollupError(f"unknown engine {engine!r}; use duckdb or spark")
    return _duckdb_rollup(Path(source), Path(out), since)


# ---------------------------------------------------------------- DuckDB engine


def _local_files(source: Path) -> dict[str, list[str]]:
    if not source.is_dir():
        raise RollupError(f"{source} is not a folder; give the folder that holds the usage event files")
    return event_files([str(p) for p in source.rglob("*") if p.is_file()])


def _duckdb_rollup(source: Path, out: Path, since: dt.date | None) -> RollupSummary:
    started = time.perf_counter()
    files = _local_files(source)
    if not files["parquet"] and not files["csv"]:
        raise RollupError(f"no Parquet or CSV files under {source}")
    read_from, first_written = read_window(since)
    staging = LocalFiles().staging(str(out))
    # within the import's memory limit: the distinct pass over every event spills beyond it, not the machine
    con = db.connect_memory(spill_to=Path(staging) / "_spill")
    try:
        db.event_source_view(con, files["parquet"], files["csv"], "usage_events_source")
        db.create_table(con, "usage_pairs", sql.load(PAIRS), {"read_from": read_from}, temporary=True)
        daily = db.write_partitioned(con, sql.load(DAILY), {"since": first_written}, f"{staging}/{DAILY_DIR}",
                                     DAILY_COLUMN, DAILY_KEY)
        monthly = db.write_partitioned(con, sql.load(MONTHLY_USERS), {}, f"{staging}/{MONTHLY_DIR}", MONTHLY_COLUMN,
                                       MONTHLY_KEY)
    except BaseException:
        con.close()
        LocalFiles().delete(staging)  # a failed run leaves the output folder as it was
        raise
    con.close()
    publish(LocalFiles(), staging, str(out), since)
    return RollupSummary("duckdb", len(files["parquet"]) + len(files["csv"]), daily.rows, monthly.rows,
                         daily.first, daily.last, since, str(out), time.perf_counter() - started)


IMPORT_ROLLUPS = (("events_daily", DAILY, "date"), ("events_monthly_users", MONTHLY_USERS, "month"))
USAGE_MARTS = (("usage_daily_by_feature", "usage_date"), ("usage_monthly", "month_start"),
               ("usage_monthly_by_feature", "month_start"))


def build_usage_tables(con, every_month: bool = True) -> None:
    """The import's usage tables: raw events rolled up with the roll-up's own statements (events_daily,
    events_monthly_users), then the usage marts over them and over pre-aggregated usage files.

    A full import builds every month; a daily refresh (``every_month=False``) rebuilds only the months listed
    in ``refresh_months`` and keeps the others' rows.
    """
    if not prepare_usage_source(con, every_month):
        return  # a refresh whose usage files did not change: the usage tables stand
    for step in usage_steps(con, every_month).values():
        step()


def prepare_usage_source(con, every_month: bool) -> bool:
    """Point usage_events_source at the events to roll up: all of them, or the refreshed months' (False when a
    refresh has no month to rebuild)."""
    if every_month:
        sql.execute(con, "rollup/refresh_months")
        sql.execute(con, "rollup/import_source")
        return True
    months = sql.run(con, "rollup/refresh_month_count").row(0, named=True)
    if months["months"] == 0:
        return False
    sql.execute(con, "rollup/import_source_months", first_month=months["first_month"], end_month=months["end_month"])
    return True


def usage_steps(con, every_month: bool) -> dict[str, Callable[[], None]]:
    """The usage build after :func:`prepare_usage_source`, step by step in order (bench times each)."""
    steps = {"usage pairs (one distinct pass)": functools.partial(
        db.create_table, con, "usage_pairs", sql.load(PAIRS), {"read_from": FAR_PAST}, temporary=True)}
    for table, query, month_column in IMPORT_ROLLUPS:
        steps[f"{table} (from the pairs)"] = functools.partial(
            _build, con, table, query, {"since": FAR_PAST}, month_column, every_month)
    steps["drop the pairs"] = functools.partial(db.drop_table, con, "usage_pairs")
    for table, month_column in USAGE_MARTS:
        steps[f"mart {table}"] = functools.partial(
            _build, con, table, f"marts/{table}", {"every_month": every_month}, month_column, every_month)
    return steps


def _build(con, table: str, query: str, params: dict, month_column: str, every_month: bool) -> None:
    text, bound = sql.bound(query, **params)
    if every_month:
        db.create_table(con, table, text, bound)
    else:
        db.replace_months(con, table, month_column, text, bound)


# ---------------------------------------------------------------- publishing the output


class FileSystem(Protocol):
    """The few folder operations publishing needs (a local disk here, Hadoop's file system under Spark)."""

    def list_dirs(self, folder: str) -> list[str]: ...

    def delete(self, path: str) -> None: ...

    def rename(self, source: str, target: str) -> None: ...

    def make_dirs(self, folder: str) -> None: ...

    def exists(self, path: str) -> bool: ...


class LocalFiles:
    """The local disk."""

    def staging(self, out: str) -> str:
        """A fresh staging folder inside ``out`` (same disk, so moves are renames)."""
        folder = Path(out) / f"_staging-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        return str(folder)

    def list_dirs(self, folder: str) -> list[str]:
        """Names of the sub-folders of ``folder`` (none when it does not exist)."""
        path = Path(folder)
        return sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []

    def delete(self, path: str) -> None:
        """Remove a folder and everything in it."""
        shutil.rmtree(path, ignore_errors=True)

    def rename(self, source: str, target: str) -> None:
        """Move ``source`` to ``target``."""
        os.replace(source, target)

    def make_dirs(self, folder: str) -> None:
        """Create ``folder`` and its parents."""
        Path(folder).mkdir(parents=True, exist_ok=True)

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return Path(path).exists()


def _partition_value(name: str, key: str) -> str | None:
    prefix = f"{key}="
    return name[len(prefix):] if name.startswith(prefix) else None


def publish(fs: FileSystem, staging: str, out: str, since: dt.date | None) -> None:
    """Move the staged partitions into ``out``.

    A full run replaces each dataset whole. An incremental run first removes the partitions from ``since``
    on (from its month for monthly users), including days that now have no events, then moves the new ones
    in; partitions before ``since`` are kept.
    """
    for dataset, key, first in ((DAILY_DIR, DAILY_KEY, since),
                                (MONTHLY_DIR, MONTHLY_KEY, dates.month_floor(since) if since else None)):
        target = f"{out}/{dataset}"
        fs.make_dirs(target)
        for name in fs.list_dirs(target):
            value = _partition_value(name, key)
            if value is not None and (first is None or value >= first.isoformat()):
                fs.delete(f"{target}/{name}")
        staged = f"{staging}/{dataset}"
        for name in fs.list_dirs(staged):
            if _partition_value(name, key) is not None:
                fs.rename(f"{staged}/{name}", f"{target}/{name}")
    fs.delete(staging)
