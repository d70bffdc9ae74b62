"""The SQL console: a schema browser, saved starting points, and sandboxed execution with limits."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from renewal_radar import db, sql

ROW_LIMIT = 10_000
TIME_LIMIT_SECONDS = 30.0


@dataclass(frozen=True)
class QueryResult:
    """What a console query returned: the rows shown, how many there were, how long it took, or why it failed."""

    frame: pl.DataFrame | None
    total_rows: int
    elapsed_s: float
    error: str | None = None  # DuckDB's own line
    error_kind: str | None = None  # what went wrong, for the page to say in the reader's language (ERROR_KINDS)

    @property
    def truncated(self) -> bool:
        """True when more rows came back than are shown."""
        return self.frame is not None and self.total_rows > self.frame.height


def grain(table: str) -> str:
    """The grain of a table, from the header comment of the query that builds it."""
    if table.startswith("raw_"):
        return f"the validated export of {table.removeprefix('raw_')}, one row per file row"
    name = f"staging/{table.removeprefix('stg_')}" if table.startswith("stg_") else f"marts/{table}"
    if not (sql.QUERIES_DIR / f"{name}.sql").exists():
        return ""
    return re.sub(r"^\w+(\([^)]*\))?:\s*", "", sql.header_comment(name))


def schema(con) -> pl.DataFrame:
    """Every table with its row count, grain and columns (name and type)."""
    tables = sql.run(con, "lookups/schema_tables")
    columns = sql.run(con, "lookups/schema_columns").group_by("table_name", maintain_order=True).agg(
        pl.format("{} {}", "column_name", "data_type").alias("columns"))
    frame = tables.join(columns, on="table_name", how="left")
    return frame.with_columns(pl.Series("grain", [grain(t) for t in frame["table_name"]], dtype=pl.String))


def starting_queries(as_of: dt.date) -> dict[str, str]:
    """The saved report queries, with their parameters filled in as literals so they run as they are."""
    literals = {"as_of": f"DATE '{as_of}'", "day": f"DATE '{as_of}'", "d0": f"DATE '{as_of.replace(day=1)}'",
                "d1": f"DATE '{as_of}'", "start": f"DATE '{as_of.year - 1}-01-01'", "end": f"DATE '{as_of}'",
                "grace_days": "30"}
    queries = {}
    for path in sorted((sql.QUERIES_DIR / "reports").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        filled = re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", lambda m: literals.get(m.group(1), "NULL"), text)
        queries[path.stem] = filled.strip()
    return queries


# DuckDB's exception classes by what they mean to an analyst (the page words each kind)
ERROR_KINDS = {"ParserException": "syntax", "SyntaxException": "syntax", "CatalogException": "unknown_name",
               "BinderException": "unknown_name", "ConversionException": "types", "TypeMismatchException": "types",
               "InvalidTypeException": "types", "OutOfRangeException": "types", "PermissionException": "not_allowed",
               "InterruptException": "too_long", "OutOfMemoryException": "too_big"}
NOT_ALLOWED = ("read-only", "configuration", "disabled", "extension")  # the sandbox refusing, in other classes


def error_kind(error: Exception) -> str:
    """What a console query's DuckDB error means: syntax, unknown_name, types, not_allowed, too_long, too_big or
    other."""
    kind = ERROR_KINDS.get(type(error).__name__)
    if kind is None and any(word in str(error) for word in NOT_ALLOWED):
        kind = "not_allowed"
    return kind or "other"


def run_sandboxed(path: str | Path, text: str, row_limit: int = ROW_LIMIT,
                  time_limit: float = TIME_LIMIT_SECONDS) -> QueryResult:
    """Run console SQL on a sandboxed connection, interrupted after ``time_limit`` seconds."""
    started = time.perf_counter()
    con = db.connect_sandbox(path)
    timer = threading.Timer(time_limit, con.interrupt)
    timer.start()
    try:
        frame = db.query_limited(con, text, row_limit + 1)
        elapsed = time.perf_counter() - started
        return QueryResult(frame.head(row_limit), frame.height, elapsed)
    except db.Error as exc:
        elapsed = time.perf_counter() - started
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return QueryResult(None, 0, elapsed, message, error_kind(exc))
    finally:
        timer.cancel()
        con.close()
