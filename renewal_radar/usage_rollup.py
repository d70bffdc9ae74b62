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
import time
from collections.abc import Callable
from pathlib import Path

from renewal_radar import db, sql
from renewal_radar.dates import FAR_PAST
from renewal_radar.usage_layout import (
    DAILY,
    DAILY_COLUMN,
    DAILY_DIR,
    DAILY_KEY,
    MONTHLY_COLUMN,
    MONTHLY_DIR,
    MONTHLY_KEY,
    MONTHLY_USERS,
    PAIRS,
    LocalFiles,
    RollupError,
    RollupSummary,
    event_files,
    publish,
    read_window,
)


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
