"""Large Parquet exports (usage events) validated and loaded inside DuckDB, never as a Python frame.

A 50-million-row usage export would need gigabytes as a polars frame; DuckDB
reads the file in streaming fashion. The checks are the same as for other
files — required columns, values that do not convert, empty required values —
with the offending rows named by their position in the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq

from renewal_radar import db, settings
from renewal_radar.ingest.schema import TABLES
from renewal_radar.ingest.validate import KIND_HELP, Message

LARGE_ROWS = 1_000_000
DUCKDB_TYPES = {"str": "VARCHAR", "date": "DATE", "datetime": "TIMESTAMP", "float": "DOUBLE", "int": "BIGINT",
                "bool": "BOOLEAN"}
ROW = "file_row_number"


def is_large(path: Path) -> bool:
    """True for a Parquet file big enough to validate in DuckDB, and for a folder of Parquet files (a dataset
    such as the ``usage_daily/`` that ``rollup-usage`` writes)."""
    if path.is_dir():
        return True
    return path.suffix.lower() == ".parquet" and pq.ParquetFile(path).metadata.num_rows > LARGE_ROWS


def headers(path: Path) -> list[str]:
    """The column names of a Parquet file or dataset folder (hive partition keys included)."""
    if not path.is_dir():
        return list(pq.read_schema(path).names)
    con = db.connect_memory()
    try:
        return [c for c in _relation(con, path).columns if c != ROW]
    finally:
        con.close()


_column = db.column


def _relation(con, path: Path):
    return db.read_parquet(con, path)


def validate(path: Path, table: str, mapping: dict[str, str]) -> tuple[int, list[Message]]:
    """Row count and the errors of a large Parquet file whose headers map to ``table`` by ``mapping``."""
    limit = settings.get("max_messages_per_check")
    con = db.connect_memory()
    try:
        relation = _relation(con, path)
        rows = relation.count("*").fetchall()[0][0]
        messages: list[Message] = []
        for header, column_name in mapping.items():
            column = TABLES[table].column(column_name)
            source = _column(header)
            if column.required:
                empty = relation.filter(source.isnull())
                messages += _messages(empty, header, column_name, f"required {column_name} is empty",
                                      f"fill in {column_name} or delete the row", path.name, limit)
            if column.kind != "str":
                bad = relation.filter(source.isnotnull() & source.try_cast(DUCKDB_TYPES[column.kind]).isnull())
                messages += _messages(bad, header, column_name, f"is not a valid {column.kind}",
                                      KIND_HELP[column.kind], path.name, limit)
        return rows, messages
    finally:
        con.close()


def _messages(bad, header: str, column: str, problem: str, fix: str, file: str,
              limit: int) -> list[Message]:
    count = bad.count("*").fetchall()[0][0]
    if not count:
        return []
    sample = bad.select(_column(ROW), _column(header).cast("VARCHAR")).limit(limit).fetchall()
    messages = [Message("error", file, row + 1, column, value, problem, fix) for row, value in sample]
    if count > limit:
        messages.append(Message("error", file, None, column, None, f"{count - limit:,} more rows with the same problem",
                                fix))
    return messages


def load(con, path: Path, table: str, mapping: dict[str, str], target: str) -> None:
    """Create ``target`` from the file: mapped columns cast to their types, missing ones as typed nulls."""
    by_column = {column: header for header, column in mapping.items()}
    projection = [(_column(ROW) + db.constant(1)).cast("BIGINT").alias("_row")]
    for column in TABLES[table].columns:
        header = by_column.get(column.name)
        source = _column(header) if header else db.constant(None)
        projection.append(source.cast(DUCKDB_TYPES[column.kind]).alias(column.name))
    _relation(con, path).select(*projection).create(target)


def latest_date(path: Path, header: str, today: dt.date) -> dt.date | None:
    """The latest day in a date column that is not after ``today`` (for the data's as-of day)."""
    con = db.connect_memory()
    try:
        day = _column(header).cast("DATE")
        recent = _relation(con, path).filter(day <= db.constant(today))
        return recent.aggregate([day.max()]).fetchall()[0][0]
    finally:
        con.close()


def warnings(con, table: str, file: str, has_accounts: bool,
             today: dt.date) -> list[Message]:
    """Orphan ids and future dates of a loaded large table (data-model.md warnings), from DuckDB."""
    limit = settings.get("max_messages_per_check")
    raw = con.table(f"raw_{table}")
    found: list[Message] = []
    if has_accounts:
        orphans = raw.join(con.table("raw_accounts").select(_column("account_id")), "account_id", how="anti")
        found += _loaded_messages(orphans, "account_id", "account_id points to no account in accounts",
                                  "add the account to accounts or correct the id", file, limit)
    date_column = {"usage_events": "event_time", "usage_daily": "date"}.get(table)
    if date_column:
        future = raw.filter(_column(date_column).cast("DATE") > db.constant(today))
        found += _loaded_messages(future, date_column, f"date is after today ({today})",
                                  "check the date; it is loaded as is", file, limit)
    return found


def _loaded_messages(bad, column: str, problem: str, fix: str, file: str,
                     limit: int) -> list[Message]:
    count = bad.count("*").fetchall()[0][0]
    sample = bad.select(_column("_row"), _column(column).cast("VARCHAR")).order("_row").limit(limit).fetchall()
    messages = [Message("warning", file, row, column, value, problem, fix) for row, value in sample]
    if count > limit:
        messages.append(Message("warning", file, None, column, None, f"{count - limit:,} more rows with the same "
                                                                     "problem", fix))
    return messages
