"""The daily refresh: an import of the same exports plus one more day, recomputing only what changed.

A team that exports every night sends back the same files with one more day of usage events and today's
CRM, ticket and survey files. Usage events are the one input that grows without bound; everything else is
small. So the refresh:

1. plans from the file listing alone: each usage source (a folder of Parquet files, e.g. one per day as
   event pipelines and ``rollup-usage`` write them) and each small file is compared with the files the live
   database was built from (path, size, modification time, in ``import_usage_files``); unchanged files are
   not read again, not even to validate (their rows and warnings stand);
2. validates the changed small files in full and only the new usage files, like any import (errors refuse
   it);
3. builds the new database as a **copy of the live file** inside the same atomic build as a full import
   (``db.building``): a killed refresh leaves the live file untouched, readers never see a half-refreshed
   book, and the live file becomes ``.prev`` for rollback;
4. in the copy, reloads the changed small raw tables whole, withdraws the rows of usage files that changed or went
   (each usage row keeps its ``_file``) and appends the new files' rows, then rebuilds the usage tables of
   the calendar months those files touch (``refresh_months``) and every other mart in full;
5. rescoring keeps the stored scores of the days up to the earliest date any changed row carries: a day's
   scores read only data dated before it, so they cannot have changed.

Why a copy of the DuckDB file rather than, say, Parquet partitions under ``data/``: the raw rows stay in
tables as the data model requires, pages keep reading one file, the atomic swap and rollback of a full
import carry over unchanged, and copying a file sequentially costs a second or two where reloading fifty
million events costs a minute. A single re-exported usage file cannot be diffed by its listing; it, a
changed setting or an older database gets a full import.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from renewal_radar import db, settings
from renewal_radar.dates import FAR_PAST
from renewal_radar.ingest import header_matching, large_parquet
from renewal_radar.ingest import presets as presets_mod
from renewal_radar.ingest.exports import empty_table, export_files
from renewal_radar.ingest.schema import TABLES

REFRESH_FORMAT = 1  # stored in import_meta; bump when raw or usage tables change shape (forces a full import)
USAGE_TABLES = ("usage_events", "usage_daily", "usage_monthly_users")
USAGE_DAY = {"usage_events": "event_time", "usage_daily": "date", "usage_monthly_users": "month"}
STAMP_SCHEMA = {"table_name": pl.String, "path": pl.String, "file": pl.String, "size": pl.Int64,
                "mtime_ns": pl.Int64}


@dataclass(frozen=True)
class Unchanged:
    """A small export file identical to the one the live database was built from: not read again."""

    table: str
    rows: int
    preset: str


@dataclass(frozen=True)
class RefreshPlan:
    """What a daily refresh reads and withdraws, by usage table, and the small files it need not read."""

    added: dict[str, list[str]]
    withdrawn: dict[str, list[str]]
    stamps: pl.DataFrame
    sources: dict[str, str]  # usage table -> the export's name in the folder
    unchanged: dict[str, Unchanged]  # file name -> what the live database holds of it

    @property
    def members(self) -> dict[str, list[str]]:
        """For validation: each usage source limited to its new files."""
        return {name: self.added[table] for table, name in self.sources.items()}


def stamps(table: str, files: list[str], root: Path) -> pl.DataFrame:
    """Path inside the source, size and modification time of each file: what says a file is unchanged without
    reading it (the same folder exported again, or moved, matches), and the file as loaded (its rows' _file)."""
    rows = []
    for path in files:
        info = os.stat(path)
        inside = os.path.relpath(path, root) if root.is_dir() else root.name
        rows.append({"table_name": table, "path": inside, "file": path, "size": info.st_size,
                     "mtime_ns": info.st_mtime_ns})
    return pl.DataFrame(rows, schema=STAMP_SCHEMA)


def _usage_sources(folder: Path, preset: str | None) -> dict[str, Path]:
    chosen = presets_mod.PRESETS[preset] if preset else None
    found = {}
    for path in export_files(folder):
        table = header_matching.table_for_file(path.stem, chosen)
        if table in USAGE_TABLES:
            found[table] = path
    return found


def _live_state(live: Path) -> tuple[pl.DataFrame, dict] | None:
    """The live database's usage file listing and import settings, when it can be refreshed."""
    from renewal_radar import scoring

    try:
        con = db.connect(live)
    except (db.Error, FileNotFoundError):
        return None
    try:
        tables = set(db.table_names(con))
        if not {"import_usage_files", "import_meta", "score_runs"} <= tables:
            return None
        meta = db.read_table(con, "import_meta").row(0, named=True)
        meta["files"] = db.read_table(con, "import_files") if "import_files" in tables else None
        fingerprint = db.read_table(con, "score_runs")["fingerprint"][0]
        # usage rows loaded without their file (a small usage file read as a frame) cannot be withdrawn by file
        usage_loaded = {t: "_file" in con.table(f"raw_{t}").columns
                        or not con.table(f"raw_{t}").count("*").fetchall()[0][0]
                        for t in USAGE_TABLES if f"raw_{t}" in tables}
        state = {"meta": meta, "fingerprint": fingerprint, "scoring": scoring.settings_fingerprint(),
                 "usage_loaded": usage_loaded}
        return db.read_table(con, "import_usage_files"), state
    finally:
        con.close()


def _refreshable(state: dict) -> bool:
    meta = state["meta"]
    return (meta.get("refresh_format") == REFRESH_FORMAT
            and meta.get("grace_days") == settings.get("grace_days")
            and meta.get("reporting_currency") == settings.get("reporting_currency")
            and state["fingerprint"] == state["scoring"])


def _unchanged_small_files(folder: Path, previous: pl.DataFrame, files: pl.DataFrame | None, preset: str | None,
                           remapped: set[str]) -> dict[str, Unchanged]:
    """Small export files with the same name, size and modification time as the live database's, read with
    the same preset and no new column mapping: their rows are already loaded and validated."""
    if files is None:
        return {}
    chosen = presets_mod.PRESETS[preset] if preset else None
    found = {}
    for path in export_files(folder):
        table = header_matching.table_for_file(path.stem, chosen)
        if path.is_dir() or table is None or table in USAGE_TABLES or path.name in remapped:
            continue
        stamp = stamps(table, [str(path)], path).row(0, named=True)
        same = previous.filter((pl.col("table_name") == table) & (pl.col("path") == path.name)
                               & (pl.col("size") == stamp["size"]) & (pl.col("mtime_ns") == stamp["mtime_ns"]))
        loaded = files.filter((pl.col("file") == path.name) & (pl.col("table_name") == table))
        if same.height and loaded.height and preset in (None, loaded["preset"][0]):
            found[path.name] = Unchanged(table, int(loaded["rows"][0]), loaded["preset"][0])
    return found


def plan(folder: str | Path, db_path: str | Path, preset: str | None = None,
         remapped: set[str] = frozenset()) -> RefreshPlan | None:
    """The refresh of ``db_path`` by the exports in ``folder``, or None when only a full import will do;
    ``remapped`` names files given a preset or column mapping of their own (they are read again)."""
    live = Path(db_path)
    if not live.exists():
        return None
    found = _live_state(live)
    if found is None or not _refreshable(found[1]):
        return None
    previous, state = found
    sources = _usage_sources(Path(folder), preset)
    if any(not source.is_dir() for source in sources.values()):
        return None  # one usage file re-exported whole: its new rows cannot be told from the listing
    added, withdrawn, current = {}, {}, []
    for table in USAGE_TABLES:
        now = stamps(table, large_parquet.member_files(sources[table]), sources[table]) if table in sources \
            else pl.DataFrame(schema=STAMP_SCHEMA)
        before = previous.filter(pl.col("table_name") == table)
        if not state["usage_loaded"].get(table, True):
            return None
        key = ["path", "size", "mtime_ns"]
        added[table] = now.join(before, on=key, how="anti")["file"].to_list()
        withdrawn[table] = before.join(now, on=key, how="anti")["file"].to_list()
        # unchanged files keep the name their rows were loaded under
        kept = now.join(before.select(*key, pl.col("file").alias("loaded_as")), on=key, how="left")
        current.append(kept.with_columns(pl.coalesce("loaded_as", "file").alias("file")).drop("loaded_as"))
    unchanged = _unchanged_small_files(Path(folder), previous, state["meta"]["files"], preset, remapped)
    return RefreshPlan(added, withdrawn, pl.concat(current), {t: p.name for t, p in sources.items()}, unchanged)


# ---------------------------------------------------------------- applying it to the copy


def earliest_change(con, table: str, frame: pl.DataFrame) -> dt.date | None:
    """The earliest date any added, changed or removed row of a small table carries (None: nothing changed;
    ``FAR_PAST`` when a changed row has no date, e.g. an account moved to another segment)."""
    columns = [c for c in frame.columns if not c.startswith("_")]
    old = con.table(f"raw_{table}")
    if set(columns) - set(old.columns):
        return FAR_PAST
    new = con.from_arrow(frame.select(columns).to_arrow())
    old = old.select(*[db.column(c) for c in columns])
    changed = new.except_(old).union(old.except_(new))
    dated = [c.name for c in TABLES[table].columns if c.kind in ("date", "datetime") and c.name in columns]
    # one pass over the difference: how many rows changed and the first date each dated column carries
    count, *firsts = changed.aggregate([db.function("count_star"), *[
        db.function("min", db.column(c)).cast("DATE") for c in dated]]).fetchall()[0]
    if not count:
        return None
    found = [value for value in firsts if value is not None]
    return min(found) if found else FAR_PAST


def reload_small_tables(con, files: list) -> dt.date | None:
    """Replace every small raw table by the new export's rows; the earliest date a change carries."""
    by_table = {f.table: f for f in files}
    earliest = None
    for table in TABLES:
        if table in USAGE_TABLES:
            continue
        loaded = by_table.get(table)
        if loaded is not None and loaded.unchanged:
            continue  # the same file as last time: its raw table stands
        frame = loaded.frame if loaded is not None and loaded.frame is not None else empty_table(table)
        change = earliest_change(con, table, frame)
        if change is not None:
            earliest = change if earliest is None else min(earliest, change)
        db.replace_table(con, f"raw_{table}", frame)
    return earliest


DATED = {"subscriptions": "start_date", "tickets": "created_at", "surveys": "responded_at",
         "activities": "occurred_at", **USAGE_DAY}  # the columns that set the data's as-of day


def latest_day_in(con, tables: list[str], today: dt.date) -> dt.date | None:
    """The latest day not after ``today`` in the dated column of these raw tables (rows kept by a refresh)."""
    found = []
    for table in tables:
        if table not in DATED:
            continue
        day = db.column(DATED[table]).cast("DATE")
        rows = con.table(f"raw_{table}").filter(day <= db.constant(today)).aggregate([day.max()]).fetchall()
        found += [value for (value,) in rows if value is not None]
    return max(found, default=None)


def previous_messages(con, files: set[str]) -> list:
    """The warnings the last import found in files a refresh does not read again (they still hold)."""
    from renewal_radar.ingest.validate import Message

    if not files or "import_messages" not in db.table_names(con):
        return []
    rows = db.read_table(con, "import_messages").filter(pl.col("file").is_in(list(files)))
    return [Message(**row) for row in rows.iter_rows(named=True)]


def _months_of(con, table: str, files: list[str]) -> set[dt.date]:
    if not files:
        return set()
    day = db.column(USAGE_DAY[table])
    rows = con.table(f"raw_{table}").filter(db.column("_file").isin(*[db.constant(f) for f in files])) \
        .select(db.function("date_trunc", db.constant("month"), day).cast("DATE").alias("month")).distinct()
    return {month for (month,) in rows.fetchall() if month is not None}


def apply_usage_changes(con, refresh: RefreshPlan, files: list) -> set[dt.date]:
    """Withdraw the rows of changed or removed usage files, append the new files' rows; the months touched."""
    by_table = {f.table: f for f in files}
    months: set[dt.date] = set()
    for table in USAGE_TABLES:
        withdrawn, added = refresh.withdrawn[table], refresh.added[table]
        if withdrawn:
            months |= _months_of(con, table, withdrawn)
            db.delete_file_rows(con, f"raw_{table}", withdrawn)
        if added:
            loaded = by_table[table]
            has_files = "_file" in con.table(f"raw_{table}").columns
            if not has_files:  # an empty stand-in until now: create the table from the new files
                db.drop_table(con, f"raw_{table}")
            large_parquet.load(con, added, table, loaded.mapping, f"raw_{table}", append=has_files)
            months |= _months_of(con, table, added)
    return months
