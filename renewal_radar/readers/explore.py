"""The Explore page: the tables and columns the console can read, starting queries, and a sandboxed run."""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import explore, settings

ROW_LIMIT, TIME_LIMIT_SECONDS = explore.ROW_LIMIT, explore.TIME_LIMIT_SECONDS


def schema(con) -> pl.DataFrame:
    """Every table the console reads, with its grain, columns and rows."""
    return explore.schema(con)


def starting_queries(as_of: dt.date) -> dict[str, str]:
    """Saved queries to start from, for the as-of day."""
    return explore.starting_queries(as_of)


def run(text: str) -> explore.QueryResult:
    """Run the console's SQL read-only, without file access, within the row and time limits."""
    return explore.run_sandboxed(settings.db_path(), text)
