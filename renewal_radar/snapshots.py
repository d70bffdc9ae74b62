"""Forecast snapshots: a forecast kept as rows stamped with when they were true (STYLE.md 12).

A snapshot is a header row in ``forecast_snapshots`` and one row per renewal in ``forecast_snapshot_rows``.
Every import saves one for the default horizon; a user saves one by name. Snapshots live in the database and
are carried from one database file to the next at every import and rollback (:data:`CARRIED_TABLES`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

from renewal_radar import book, db, settings, sql
from renewal_radar.metrics import data_as_of

CARRIED_TABLES = ("forecast_snapshots", "forecast_snapshot_rows")
HEADER_SCHEMA = {"id": pl.Int64, "name": pl.String, "saved_at": pl.Datetime("us"), "as_of": pl.Date,
                 "start": pl.Date, "end": pl.Date, "horizon_days": pl.Int64, "n_due": pl.Int64,
                 "due_arr": pl.Float64, "forecast_gross_arr": pl.Float64, "automatic": pl.Boolean}
ROW_COLUMNS = ("account_id", "renewal_date", "due_arr", "probability", "source", "category", "crm_category",
               "model_probability")


def list_snapshots(con) -> pl.DataFrame:
    """Saved snapshots, newest first."""
    if "forecast_snapshots" not in db.table_names(con):
        return pl.DataFrame(schema=HEADER_SCHEMA)
    return sql.run(con, "reports/forecast_snapshots")


def snapshot_rows(con, snapshot_id: int) -> pl.DataFrame:
    """The renewals of one snapshot as they were when it was saved."""
    return sql.run(con, "reports/forecast_snapshot_rows", snapshot_id=snapshot_id)


def save(con, as_of: dt.date, horizon_days: int, name: str | None = None, automatic: bool = False) -> int:
    """Store the unfiltered forecast as of ``as_of`` for the horizon; returns the new snapshot's id.

    Stored in the import's reporting currency whatever currency the page shows, like every stored figure.
    """
    result = book.forecast_for(con, as_of, horizon_days)
    existing = list_snapshots(con)
    snapshot_id = int(existing["id"].max() or 0) + 1 if existing.height else 1
    summary = result.summary
    header = pl.DataFrame([{
        "id": snapshot_id, "name": (name or "").strip() or f"forecast as of {as_of:%Y-%m-%d}",
        "saved_at": dt.datetime.now().replace(microsecond=0), "as_of": as_of, "start": as_of,
        "end": as_of + dt.timedelta(days=horizon_days), "horizon_days": horizon_days, "n_due": summary["n_due"],
        "due_arr": summary["due_arr"], "forecast_gross_arr": summary["forecast_gross_arr"], "automatic": automatic,
    }], schema=HEADER_SCHEMA)
    rows = result.renewals.select(ROW_COLUMNS).with_columns(pl.lit(snapshot_id, pl.Int64).alias("snapshot_id"))
    db.append_rows(con, "forecast_snapshots", header)
    db.append_rows(con, "forecast_snapshot_rows", rows.select("snapshot_id", *ROW_COLUMNS))
    return snapshot_id


def save_in_file(path, as_of: dt.date, horizon_days: int, name: str) -> int:
    """:func:`save` through a connection of its own that may write, checkpointed and closed (the app holds only
    read-only connections); returns the new snapshot's id."""
    con = db.connect(path, read_only=False)
    try:
        snapshot_id = save(con, as_of, horizon_days, name)
        con.execute("checkpoint")
    finally:
        con.close()
    return snapshot_id


def save_automatic(con) -> int:
    """The snapshot every import saves: the default horizon as of the data's as-of day."""
    as_of = data_as_of(con)
    return save(con, as_of, settings.get("forecast_horizon_days"), f"import as of {as_of:%Y-%m-%d}", automatic=True)


# ---------------------------------------------------------------- carrying from one database file to the next


def read_carried(path: str | os.PathLike) -> dict[str, pl.DataFrame]:
    """The carried tables of the database at ``path`` (none when there is no file or no such table)."""
    if not Path(path).exists():
        return {}
    try:
        con = db.connect(path)
    except db.Error:
        return {}
    try:
        present = set(db.table_names(con))
        return {name: db.read_table(con, name) for name in CARRIED_TABLES if name in present}
    finally:
        con.close()


def write_carried(con, tables: dict[str, pl.DataFrame]) -> None:
    """Replace the carried tables in ``con`` with ``tables``."""
    for name, frame in tables.items():
        db.replace_table(con, name, frame)


def rollback(path: str | os.PathLike) -> None:
    """Swap the previous database back in, keeping today's snapshots (they survive every rollback)."""
    carried = read_carried(path)
    previous = db.previous_path(path)
    if not previous.exists():
        raise FileNotFoundError(f"no previous database at {previous}")
    con = db.connect(previous, read_only=False)
    try:
        write_carried(con, carried)
        con.execute("checkpoint")
    finally:
        con.close()
    db.rollback(path)
