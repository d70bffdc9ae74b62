"""Large Parquet exports (usage events) validated and loaded inside DuckDB, never as a Python frame.

A 50-million-row usage export would need gigabytes as a polars frame; DuckDB
reads the file in streaming fashion. The checks are the same as for other
files — required columns, values that do not convert, empty required values —
with the offending rows named by their file and position in it.

A source is one file or a dataset folder of Parquet files (``usage_daily/`` as
``rollup-usage`` writes it, or a day-by-day event export). Each loaded row keeps
the file it came from (``_file``), so a daily refresh can withdraw the rows of
a file that changed and append those of new files without reading the rest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq

from renewal_radar import db, settings
from renewal_radar.ingest import wording as W
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


FILE = "filename"


def member_files(path: Path) -> list[str]:
    """The Parquet files of a source, as absolute paths in name order: the file itself, or every one below a
    dataset folder (hidden and bookkeeping files such as Spark's ``_SUCCESS`` are not Parquet and are skipped)."""
    if not path.is_dir():
        return [str(path.resolve())]
    return sorted(str(p.resolve()) for p in path.rglob("*.parquet") if not p.name.startswith((".", "_")))


def headers(path: Path) -> list[str]:
    """The column names of a Parquet file or dataset folder (hive partition keys included)."""
    if not path.is_dir():
        return list(pq.read_schema(path).names)
    con = db.connect_memory()
    try:
        return [c for c in _relation(con, member_files(path)[:1]).columns if c not in (ROW, FILE)]
    finally:
        con.close()


_column = db.column


def _relation(con, files: Path | list[str]):
    return db.read_parquet(con, files)


def validate(files: list[str], table: str, mapping: dict[str, str], label: str) -> tuple[int, list[Message]]:
    """Row count and the errors of Parquet ``files`` whose headers map to ``table`` by ``mapping``; messages
    name the file by ``label`` (the export's name) and, for a dataset, the member file."""
    if not files:
        return 0, []
    limit = settings.get("max_messages_per_check")
    con = db.connect_memory()
    try:
        relation = _relation(con, files)
        rows = relation.count("*").fetchall()[0][0]
        messages: list[Message] = []
        for header, column_name in mapping.items():
            column = TABLES[table].column(column_name)
            source = _column(header)
            if column.required:
                empty = relation.filter(source.isnull())
                messages += _messages(empty, header, column_name, W.REQUIRED_EMPTY.format(column=column_name),
                                      W.FILL_IN.format(column=column_name), label, limit)
            if column.kind != "str":
                bad = relation.filter(source.isnotnull() & source.try_cast(DUCKDB_TYPES[column.kind]).isnull())
                messages += _messages(bad, header, column_name, W.NOT_VALID.format(kind=column.kind),
                                      KIND_HELP[column.kind], label, limit)
        return rows, messages
    finally:
        con.close()


def _messages(bad, header: str, column: str, problem: str, fix: str, file: str,
              limit: int) -> list[Message]:
    count = bad.count("*").fetchall()[0][0]
    if not count:
        return []
    sample = bad.select(_column(ROW), _column(header).cast("VARCHAR"), _column(FILE)).limit(limit).fetchall()
    messages = [Message("error", _member_label(file, member), row + 1, column, value, problem, fix)
                for row, value, member in sample]
    if count > limit:
        messages.append(Message("error", file, None, column, None, W.MORE_ROWS.format(n=f"{count - limit:,}"), fix))
    return messages


def _member_label(label: str, member: str) -> str:
    """``usage_daily/day=2026-11-01/data_0.parquet`` for a dataset's file, the export's name for a file."""
    if not label.endswith(".parquet") and "/" + label + "/" in member:
        return label + "/" + member.split("/" + label + "/", 1)[1]
    return label


def load(con, files: list[str], table: str, mapping: dict[str, str], target: str, append: bool = False) -> None:
    """Create ``target`` from the files (or append to it): mapped columns cast to their types, missing ones as
    typed nulls, and each row's source file in ``_file``."""
    by_column = {column: header for header, column in mapping.items()}
    projection = [(_column(ROW) + db.constant(1)).cast("BIGINT").alias("_row"), _column(FILE).alias("_file")]
    for column in TABLES[table].columns:
        header = by_column.get(column.name)
        source = _column(header) if header else db.constant(None)
        projection.append(source.cast(DUCKDB_TYPES[column.kind]).alias(column.name))
    if not files:
        return
    rows = _relation(con, files).select(*projection)
    if append:
        rows.insert_into(target)
    else:
        rows.create(target)


def latest_date(files: list[str], header: str, today: dt.date) -> dt.date | None:
    """The latest day in a date column that is not after ``today`` (for the data's as-of day)."""
    if not files:
        return None
    con = db.connect_memory()
    try:
        day = _column(header).cast("DATE")
        recent = _relation(con, files).filter(day <= db.constant(today))
        return recent.aggregate([day.max()]).fetchall()[0][0]
    finally:
        con.close()


def warnings(con, table: str, file: str, has_accounts: bool, today: dt.date,
             only_files: list[str] | None = None) -> list[Message]:
    """Orphan ids and future dates of a loaded large table (data-model.md warnings), from DuckDB; a daily
    refresh checks only the rows of the files it added (``only_files``)."""
    limit = settings.get("max_messages_per_check")
    raw = con.table(f"raw_{table}")
    if only_files is not None:
        raw = raw.filter(_column("_file").isin(*[db.constant(f) for f in only_files])) if only_files \
            else raw.limit(0)
    found: list[Message] = []
    if has_accounts:
        orphans = raw.join(con.table("raw_accounts").select(_column("account_id")), "account_id", how="anti")
        found += _loaded_messages(orphans, "account_id", W.ORPHAN, W.ADD_ACCOUNT, file, limit)
    date_column = {"usage_events": "event_time", "usage_daily": "date"}.get(table)
    if date_column:
        future = raw.filter(_column(date_column).cast("DATE") > db.constant(today))
        found += _loaded_messages(future, date_column, W.FUTURE_DATE.format(today=today),
                                  W.CHECK_DATE, file, limit)
    return found


def _loaded_messages(bad, column: str, problem: str, fix: str, file: str,
                     limit: int) -> list[Message]:
    count = bad.count("*").fetchall()[0][0]
    sample = bad.select(_column("_row"), _column(column).cast("VARCHAR"), _column("_file")).order(
        "_file, _row").limit(limit).fetchall()
    messages = [Message("warning", _member_label(file, member), row, column, value, problem, fix)
                for row, value, member in sample]
    if count > limit:
        messages.append(Message("warning", file, None, column, None, W.MORE_ROWS.format(n=f"{count - limit:,}"),
                                fix))
    return messages
