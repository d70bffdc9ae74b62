"""What is loaded: tables, row counts, date ranges, freshness, warnings and import history."""

from __future__ import annotations

import json

import polars as pl

from renewal_radar import sql
from renewal_radar.i18n import tn
from renewal_radar.ingest.schema import REQUIRED_TABLES, UNLOCKS


def table_profile(con) -> pl.DataFrame:
    """One row per input table: rows loaded, date range, the file it came from, and what it unlocks."""
    profile = sql.run(con, "lookups/table_profile")
    files = sql.run(con, "lookups/import_files").select("table_name", "file", "preset")
    unlocks = pl.DataFrame({"table_name": list(UNLOCKS), "unlocks": list(UNLOCKS.values())})
    return (profile.join(files, on="table_name", how="left").join(unlocks, on="table_name", how="left")
            .with_columns(pl.col("table_name").is_in(REQUIRED_TABLES).alias("required"),
                          (pl.col("file").is_not_null()).alias("loaded")))


def import_warnings(con) -> pl.DataFrame:
    """The warnings of the last import."""
    return sql.run(con, "lookups/import_messages")


def import_history(con) -> pl.DataFrame:
    """Past imports, newest first, with a readable list of files and row counts."""
    history = sql.run(con, "lookups/import_history")
    summary = [", ".join(f"{name} ({tn('{count:,} row', '{count:,} rows', info['rows'])})"
                         for name, info in json.loads(files).items())
               for files in history["files"]]
    return history.with_columns(pl.Series("files", summary, dtype=pl.String))


def import_meta(con) -> dict:
    """As-of day, reporting currency, import time and source of the loaded data."""
    return sql.run(con, "lookups/data_as_of").row(0, named=True)
