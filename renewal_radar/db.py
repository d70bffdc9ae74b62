"""Opening the database. The only module that imports duckdb.

Reads go through :func:`query` on a fresh cursor, because DuckDB 2.0
relations re-run on every read and a connection is not safe to share
between Streamlit's script threads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from renewal_radar import settings

Error = duckdb.Error
ATTACHED_AS = "data"  # the catalogue name of the database file inside read-only connections
# the read-only connections this module opened (the file attached as ATTACHED_AS, its tables fixed), each with
# its table names once read: a query's cursor then needs no look-up first (a millisecond each, dozens per page)
_READ_ONLY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def connect(path: str | os.PathLike, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database file; read-only unless asked otherwise.

    Read-only connections attach the file to an in-memory database instead of opening it
    directly: DuckDB shares one instance per path within a process, so after an import
    swapped a new file in, a direct open would keep serving the old one.
    """
    memory = {"memory_limit": str(settings.get("duckdb_memory_limit"))}
    if not read_only:
        return duckdb.connect(str(path), config=memory)
    if not Path(path).exists():
        raise FileNotFoundError(f"no database at {path}; run `python -m renewal_radar demo` or import exports")
    con = duckdb.connect(":memory:", config=memory)
    con.execute(f"attach ? as {ATTACHED_AS} (read_only)", [str(path)])
    con.execute(f"use {ATTACHED_AS}")
    _READ_ONLY[con] = None
    return con


def connect_sandbox(path: str | os.PathLike, memory_limit: str = "2GB") -> duckdb.DuckDBPyConnection:
    """A connection for the SQL console that can read the data and nothing else.

    The file is attached read-only to an in-memory database (DuckDB refuses a second
    connection to a file with other settings in the same process), then external access
    is switched off and the configuration locked, so a query cannot read or write files,
    attach databases, install extensions or change settings. Scratch tables land in the
    in-memory catalogue and vanish with the connection.
    """
    con = duckdb.connect(":memory:")
    con.execute(f"attach ? as {ATTACHED_AS} (read_only)", [str(path)])
    con.execute(f"use {ATTACHED_AS}")
    con.execute("set memory_limit = ?", [memory_limit])
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def connect_memory(spill_to: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory database (used to build marts in tests and benchmarks). With ``spill_to``, a folder, it
    keeps to the import's memory limit and spills the rest there (large aggregates and sorts)."""
    if spill_to is None:
        return duckdb.connect()
    return duckdb.connect(config={"memory_limit": str(settings.get("duckdb_memory_limit")),
                                  "temp_directory": str(spill_to), "preserve_insertion_order": False})


_scan_log: list[int] | None = None


@contextlib.contextmanager
def counting_rows_scanned() -> Iterator[list[int]]:
    """While active, every :func:`query` records the rows its table scans read (for the benchmarks)."""
    global _scan_log
    _scan_log = []
    try:
        yield _scan_log
    finally:
        _scan_log = None


def _cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor that reads the attached file, as its parent does (USE is per cursor)."""
    cursor = con.cursor()
    attached = con in _READ_ONLY or cursor.sql("select count(*) from duckdb_databases() where database_name = ?",
                                               params=[ATTACHED_AS]).fetchall()[0][0]
    if attached:
        cursor.execute(f"use {ATTACHED_AS}")
    return cursor


StarExpression = duckdb.StarExpression


def column_of(name: str) -> duckdb.Expression:
    """A column reference (the name :func:`column` gives, for callers that shadow it)."""
    return duckdb.ColumnExpression(name)


def column(name: str) -> duckdb.Expression:
    """A column reference for the relation API (DuckDB quotes it, so any header works)."""
    return duckdb.ColumnExpression(name)


def constant(value) -> duckdb.Expression:
    """A constant for the relation API (a bound value, never pasted into SQL)."""
    return duckdb.ConstantExpression(value)


def function(name: str, *arguments: duckdb.Expression) -> duckdb.Expression:
    """A SQL function call as a relation expression."""
    return duckdb.FunctionExpression(name, *arguments)


def drop_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop table ``name`` if it exists."""
    # DuckDB cannot bind an identifier; the name is checked to be a plain identifier of our own code
    con.execute(f"drop table if exists {_identifier(name)}")


def read_parquet(con: duckdb.DuckDBPyConnection, source: str | os.PathLike | list[str]) -> duckdb.DuckDBPyRelation:
    """A relation streaming Parquet, with each row's 0-based ``file_row_number`` and its ``filename``: one file,
    or a list of files read as one dataset (hive partition folders such as ``day=2026-11-01/`` give columns)."""
    files = [str(f) for f in source] if isinstance(source, list) else str(source)
    return con.read_parquet(files, file_row_number=True, filename=True, hive_partitioning=True, union_by_name=True)


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run one statement with bound parameters and return the rows as polars."""
    cursor = _cursor(con)
    try:
        if _scan_log is not None:
            return _profiled_query(cursor, sql, params)
        return cursor.sql(sql, params=params or None).pl()
    finally:
        cursor.close()


def query_limited(con: duckdb.DuckDBPyConnection, text: str, max_rows: int) -> pl.DataFrame:
    """Run console SQL (one statement, no parameters) and fetch at most ``max_rows`` rows."""
    relation = con.sql(text)
    if relation is None:  # a statement without a result (e.g. a scratch CREATE)
        return pl.DataFrame()
    return relation.limit(max_rows).pl()


def _profiled_query(cursor: duckdb.DuckDBPyConnection, sql: str, params: dict | None) -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "profile.json"
        cursor.execute("pragma enable_profiling = 'json'")
        cursor.execute(f"pragma profiling_output = '{output}'")  # our own temporary path, not user data
        frame = cursor.sql(sql, params=params or None).pl()
        cursor.execute("pragma disable_profiling")
        # a query DuckDB answers from table statistics (min/max) scans nothing and writes no profile
        scanned = json.loads(output.read_text())["query"]["total_rows_scanned"] if output.exists() else 0
        _scan_log.append(int(scanned))
    return frame


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> None:
    """Run one statement for its effect (DDL, inserts)."""
    con.execute(sql, params or None)


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Create table ``name`` in a new database, holding ``frame`` (raw tables are tables, not views)."""
    con.from_arrow(frame.to_arrow()).create(name)


def read_table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """Every row of table ``name`` (carried tables move between database files this way)."""
    cursor = _cursor(con)
    try:
        return cursor.table(_identifier(name)).pl()  # the relation API quotes the name; no SQL text
    finally:
        cursor.close()


ROW_ORDER = "row_order"  # a stored table's row order, kept when a query narrows it (sql.run_in_stored_order)


def replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, keep_order: bool = False) -> None:
    """Create or replace table ``name`` holding ``frame`` (score tables are rewritten whole); ``keep_order``: with
    each row's place in ``frame`` (ROW_ORDER), for the queries that narrow it and read it back in that order."""
    drop_table(con, name)
    con.from_arrow((frame.with_row_index(ROW_ORDER) if keep_order else frame).to_arrow()).create(name)


def replace_days(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, kept: list) -> None:
    """Make table ``name`` hold ``frame``, whose rows of the days in ``kept`` (its ``as_of``) the table already
    holds: the other days' rows are deleted and the new ones appended, instead of rewriting millions of kept
    rows. Rewritten whole when nothing is kept or a new day falls before a kept one (the table stays in day
    order)."""
    new = frame.filter(~pl.col("as_of").is_in(pl.Series(kept, dtype=pl.Date).implode()))
    if not kept or name not in table_names(con) or (new.height and new["as_of"].min() < max(kept)):
        replace_table(con, name, frame)
        return
    con.execute(f"delete from {_identifier(name)} where not list_contains($kept, as_of)", {"kept": kept})
    if new.height:
        con.from_arrow(new.to_arrow()).insert_into(name)


def append_rows(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Append ``frame`` to table ``name``, creating it when missing (snapshots, logs)."""
    if name not in table_names(con):
        con.from_arrow(frame.to_arrow()).create(name)
        return
    con.from_arrow(frame.to_arrow()).insert_into(name)


EVENT_COLUMNS = {"account_id": "VARCHAR", "event_time": "TIMESTAMP", "event_type": "VARCHAR", "user_id": "VARCHAR"}


def event_source_view(con: duckdb.DuckDBPyConnection, parquet: list[str], csv: list[str], name: str) -> None:
    """View ``name`` over raw usage event files: the four columns the roll-up reads, typed alike from Parquet
    (hive partitions included) and CSV; a column no file has is null. Times are read in UTC."""
    con.execute("set TimeZone = 'UTC'")
    parts = []
    if parquet:
        parts.append(con.read_parquet(parquet, union_by_name=True, hive_partitioning=True))
    if csv:
        parts.append(con.read_csv(csv, union_by_name=True, header=True, all_varchar=True))
    typed = [_event_columns(part) for part in parts]
    relation = typed[0]
    for other in typed[1:]:
        relation = relation.union(other)
    relation.create_view(_identifier(name))


def _event_columns(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    present = {c.lower(): c for c in relation.columns}
    return relation.select(*[
        (column(present[name]) if name in present else constant(None)).cast(kind).alias(name)
        for name, kind in EVENT_COLUMNS.items()])


def create_table(con: duckdb.DuckDBPyConnection, name: str, sql: str, params: dict | None = None,
                 temporary: bool = False) -> None:
    """Materialise a query of ours (a select from ``queries/``) as table ``name``."""
    kind = "temp table" if temporary else "table"
    con.execute(f"create or replace {kind} {_identifier(name)} as {sql}", params or None)


def delete_file_rows(con: duckdb.DuckDBPyConnection, table: str, files: list[str]) -> None:
    """Delete the rows of ``table`` that were loaded from ``files`` (its ``_file`` column)."""
    con.execute(f"delete from {_identifier(table)} where _file in (select unnest($files))", {"files": files})


def replace_months(con: duckdb.DuckDBPyConnection, table: str, month_column: str, sql: str,
                   params: dict | None = None) -> None:
    """Replace the rows of ``table`` in the months listed in ``refresh_months`` by a query's rows for them."""
    month = f"date_trunc('month', {_identifier(month_column)})::date"
    con.execute(f"delete from {_identifier(table)} where {month} in (select month from refresh_months)")
    con.execute(f"insert into {_identifier(table)} {sql}", params or None)


def replace_after(con: duckdb.DuckDBPyConnection, table: str, day_column: str, day, sql: str,
                  params: dict | None = None) -> None:
    """Replace the rows of ``table`` dated after ``day`` (its ``day_column``) by a query's rows."""
    con.execute(f"delete from {_identifier(table)} where {_identifier(day_column)} > $day", {"day": day})
    con.execute(f"insert into {_identifier(table)} {sql}", params or None)


@dataclasses.dataclass(frozen=True)
class Written:
    """Rows written to a partitioned dataset and its first and last partition value."""

    rows: int
    first: object
    last: object


def write_partitioned(con: duckdb.DuckDBPyConnection, sql: str, params: dict, folder: str, column: str,
                      key: str) -> Written:
    """Write a query's rows as Parquet under ``folder``, one hive partition ``key=value`` per value of ``column``
    (which stays in the files, so a file read alone has every column)."""
    create_table(con, "_partitioned_out", sql, params, temporary=True)
    out = con.table("_partitioned_out")
    value = column_of(column)
    rows, first, last = out.aggregate([function("count_star"), function("min", value), function("max", value)]
                                      ).fetchall()[0]
    if rows:
        out.select(StarExpression(), value.alias(key)).sort(*[column_of(c) for c in out.columns]).write_parquet(
            folder, partition_by=[key], overwrite=True)
    drop_table(con, "_partitioned_out")
    return Written(rows, first, last)


def _identifier(name: str) -> str:
    # table names come from our own code, never from users; refuse anything but a plain identifier anyway
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a table name: {name!r}")
    return name


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the tables in the main schema (read once per read-only connection: its file cannot change)."""
    known = _READ_ONLY.get(con)
    if known is not None:
        return list(known)
    frame = query(con, "select table_name from information_schema.tables where table_schema = 'main'")
    names = frame["table_name"].to_list()
    if con in _READ_ONLY:
        _READ_ONLY[con] = tuple(names)
    return names


@contextlib.contextmanager
def building(path: str | os.PathLike, from_live: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Build a new database next to ``path`` and swap it in atomically on success.

    The new file is written as ``<path>.building-<pid>``; only after every
    statement succeeded and the file is checkpointed and closed is it renamed
    over the live file (``os.replace`` is atomic on POSIX). The previous file
    is kept as ``<path>.prev`` for rollback. A failure or a kill leaves the
    live file untouched; the half-built file is removed or, after a kill,
    cleaned up by the next build. ``from_live`` starts the new file as a copy
    of the live one (the daily refresh).
    """
    live = Path(path)
    live.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(live)
    temp = live.with_name(f"{live.name}.building-{os.getpid()}")
    if from_live:  # a daily refresh starts from a copy of the live file and changes only what changed
        shutil.copyfile(live, temp)
    con = duckdb.connect(str(temp), config={"memory_limit": str(settings.get("duckdb_memory_limit"))})
    try:
        yield con
        con.execute("checkpoint")
        con.close()
    except BaseException:
        con.close()
        _unlink_quietly(temp)
        _unlink_quietly(temp.with_name(temp.name + ".wal"))
        raise
    _swap_in(temp, live)


def _swap_in(temp: Path, live: Path) -> None:
    previous = previous_path(live)
    if live.exists():
        _unlink_quietly(previous)
        # A hard link keeps the old file as .prev without a moment where the
        # live name is missing; readers holding it open keep their inode.
        os.link(live, previous)
    os.replace(temp, live)


def previous_path(live: str | os.PathLike) -> Path:
    """Where the database before the last import is kept."""
    live = Path(live)
    return live.with_name(live.name + ".prev")


def rollback(path: str | os.PathLike) -> None:
    """Swap the previous database back in (the current one becomes .prev)."""
    live, previous = Path(path), previous_path(path)
    if not previous.exists():
        raise FileNotFoundError(f"no previous database at {previous}")
    swap = live.with_name(live.name + f".swap-{os.getpid()}")
    os.link(previous, swap)
    os.replace(live, previous)
    os.replace(swap, live)


def _remove_stale_builds(live: Path) -> None:
    for stale in live.parent.glob(f"{live.name}.building-*"):
        pid = stale.name.rsplit("-", 1)[-1].split(".")[0]
        if not pid.isdigit() or not _process_alive(int(pid)):
            _unlink_quietly(stale)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
