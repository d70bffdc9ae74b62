"""The audit log and page-run timings (shared/spec/access.md, "Audit").

They live in a SQLite file beside the database (``renewal_radar.audit.sqlite`` next to
``renewal_radar.duckdb``), not inside it, for three reasons:

- the app reads the book through read-only connections, and a DuckDB file can have one writing process only
  while nobody else has it open; a write on every sign-in, console query and page run would lock out the
  command line and every reader;
- the book's file is replaced whole at each import and rollback, so anything kept in it must be copied
  forward; the side file is never replaced, so the log survives every import and rollback by construction;
- SQLite lets many processes (the app, ``import`` from cron, ``forecast --save``) append at once (WAL mode).

The SQL console attaches only the book, with external file access off, so it cannot read this file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import polars as pl

from renewal_radar import settings, sql

ACTIONS = ("sign_in", "sign_out", "refused", "import", "rollback", "score", "snapshot_save", "sql_query",
           "pack_download", "digest_send")
EVENT_SCHEMA = {"at": pl.Datetime("us"), "email": pl.String, "role": pl.String, "action": pl.String,
                "detail": pl.String}
RUN_SCHEMA = {"at": pl.Datetime("us"), "page": pl.String, "role": pl.String, "seconds": pl.Float64,
              "cpu_seconds": pl.Float64}
_ready: set[str] = set()


def audit_path(db_path: str | Path | None = None) -> Path:
    """The audit file of a database: ``<name>.audit.sqlite`` beside it."""
    db_file = settings.db_path(db_path)
    return db_file.with_name(f"{db_file.stem}.audit.sqlite")


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10)
    # every page run appends a row: in WAL mode "normal" skips the disk flush per commit and stays consistent
    con.execute("pragma synchronous = normal")
    if str(path) not in _ready:
        con.execute("pragma journal_mode = wal")
        con.executescript(sql.load("audit/create_tables"))
        _ready.add(str(path))
    return con


def _write(path: Path, query: str, **params) -> None:
    text, bound = sql.bound(query, **params)
    with closing(_connect(path)) as con, con:
        con.execute(text, bound)


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="microseconds")


def record(action: str, email: str, role: str, db_path: str | Path | None = None, **detail) -> None:
    """Append one audit row; ``detail`` (page, account, SQL text, rows, seconds, files…) is stored as JSON."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    _write(audit_path(db_path), "audit/insert_event", at=_now(), email=email, role=role, action=action,
           detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True))


def record_once(action: str, email: str, role: str, db_path: str | Path | None = None, **detail) -> bool:
    """Append the row unless the same action, email and detail is logged already; True when appended."""
    text = json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True)
    path = audit_path(db_path)
    query, bound = sql.bound("audit/event_seen", action=action, email=email, detail=text)
    with closing(_connect(path)) as con:
        if con.execute(query, bound).fetchone():
            return False
    record(action, email, role, db_path, **detail)
    return True


def record_cli(action: str, db_path: str | Path | None = None, **detail) -> None:
    """Audit an action taken on the command line, as ``cli:<operating-system user>``."""
    record(action, f"cli:{getpass.getuser()}", "cli", db_path, **detail)


def record_page_run(page: str, role: str, seconds: float, cpu_seconds: float,
                    db_path: str | Path | None = None) -> None:
    """Append one page-run timing."""
    _write(audit_path(db_path), "audit/insert_page_run", at=_now(), page=page, role=role, seconds=seconds,
           cpu_seconds=cpu_seconds)


def _read(path: Path, query: str, schema: dict, **params) -> pl.DataFrame:
    if not path.exists():
        return pl.DataFrame(schema=schema)
    text, bound = sql.bound(query, **params)
    with closing(_connect(path)) as con:
        rows = con.execute(text, bound).fetchall()
    frame = pl.DataFrame(rows, schema={name: pl.String if dtype == pl.Datetime("us") else dtype
                                       for name, dtype in schema.items()}, orient="row")
    return frame.with_columns(pl.col("at").str.to_datetime(time_unit="us"))


def events(since: dt.datetime | None = None, limit: int = 5_000, db_path: str | Path | None = None) -> pl.DataFrame:
    """Audit rows since a moment (all by default), newest first."""
    since_text = (since or dt.datetime(1970, 1, 1)).isoformat(sep=" ")
    return _read(audit_path(db_path), "audit/events", EVENT_SCHEMA, since=since_text, limit=limit)


def page_times(since: dt.datetime | None = None, db_path: str | Path | None = None) -> pl.DataFrame:
    """Script runs per page and role since a moment: count, p50 and p95 of wall and CPU seconds."""
    since_text = (since or dt.datetime(1970, 1, 1)).isoformat(sep=" ")
    runs = _read(audit_path(db_path), "audit/page_runs", RUN_SCHEMA, since=since_text)
    return runs.group_by("page", "role").agg(
        pl.len().alias("runs"),
        pl.col("seconds").quantile(0.5, "linear").alias("p50_seconds"),
        pl.col("seconds").quantile(0.95, "linear").alias("p95_seconds"),
        pl.col("cpu_seconds").quantile(0.5, "linear").alias("p50_cpu_seconds"),
        pl.col("cpu_seconds").quantile(0.95, "linear").alias("p95_cpu_seconds"),
    ).sort("page", "role")


def delivered_keys(recipient: str, channel: str, db_path: str | Path | None = None) -> set[str]:
    """The alert keys already delivered to ``recipient`` on ``channel`` (email or webhook)."""
    path = audit_path(db_path)
    query, bound = sql.bound("audit/delivered_keys", recipient=recipient, channel=channel)
    with closing(_connect(path)) as con:
        return {row[0] for row in con.execute(query, bound).fetchall()}


def record_deliveries(recipient: str, channel: str, keys: list[str], db_path: str | Path | None = None) -> None:
    """Log alerts as delivered, in one transaction with the caller's send (called right after it succeeded)."""
    query = sql.load("audit/insert_delivery")
    at = _now()
    with closing(_connect(audit_path(db_path))) as con, con:
        con.executemany(query, [{"at": at, "recipient": recipient, "channel": channel, "alert_key": key}
                                for key in keys])


class Stopwatch:
    """Wall and CPU time of the calling thread (a Streamlit script run has a thread of its own)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.thread_time()

    def elapsed(self) -> tuple[float, float]:
        """Wall seconds and CPU seconds since the stopwatch started."""
        return time.perf_counter() - self.wall, time.thread_time() - self.cpu
