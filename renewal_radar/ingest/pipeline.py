"""Validate a folder of exports and load it atomically into a new database."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from renewal_radar import db, settings
from renewal_radar.ingest import header_matching, large_parquet, refresh
from renewal_radar.ingest import presets as presets_mod
from renewal_radar.ingest import wording as W
from renewal_radar.ingest.exports import LoadedFile, describe_file, empty_table, export_files, read_export
from renewal_radar.ingest.marts import Progress, build_marts, score_book
from renewal_radar.ingest.schema import REQUIRED_TABLES, TABLES
from renewal_radar.ingest.validate import Message, cross_table_warnings

__all__ = ["ImportResult", "LoadedFile", "ValidationReport", "build_marts", "describe_file", "import_folder",
           "read_export", "score_book", "validate_folder"]


@dataclass
class ValidationReport:
    """Everything validation found in a folder."""

    files: list[LoadedFile]
    messages: list[Message]

    @property
    def errors(self) -> list[Message]:
        """Findings that refuse the import."""
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[Message]:
        """Findings that are imported and listed."""
        return [m for m in self.messages if m.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing refuses the import."""
        return not self.errors

    def text(self) -> str:
        """The report as the command line prints it."""
        lines = [f"{f.file}: {f.table}, {f.rows:,} rows, preset {f.preset}"
                 + (f", ignored columns: {', '.join(f.ignored_columns)}" if f.ignored_columns else "")
                 for f in self.files]
        lines += [str(m) for m in self.messages]
        lines.append(f"{len(self.errors)} errors, {len(self.warnings)} warnings in {len(self.files)} files")
        return "\n".join(lines)


@dataclass
class ImportResult:
    """What an import did."""

    report: ValidationReport
    as_of: dt.date | None
    loaded: bool
    refreshed: bool = False  # a daily refresh: only what changed was read and recomputed


def _noop(fraction: float, text: str) -> None:
    return None


def validate_folder(folder: str | Path, preset: str | None = None, today: dt.date | None = None,
                    progress: Progress = _noop, file_presets: dict[str, str] | None = None,
                    column_maps: dict[str, dict[str, str]] | None = None,
                    members: dict[str, list[str]] | None = None,
                    unchanged: dict | None = None) -> ValidationReport:
    """Read and validate every export file in ``folder``; nothing is written.

    ``file_presets`` and ``column_maps`` (by file name) override the preset and add header mappings per file;
    ``members`` (by file name) limits large Parquet sources to the files a daily refresh adds; ``unchanged``
    (by file name) are files a refresh does not read again.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return ValidationReport([], [Message("error", str(folder), None, None, None, W.NOT_A_FOLDER,
                                             W.GIVE_FOLDER)])
    if preset and preset not in presets_mod.PRESETS:
        return ValidationReport([], [Message("error", str(folder), None, None, preset, W.UNKNOWN_PRESET,
                                             W.USE_PRESET.format(presets=", ".join(presets_mod.PRESETS)))])
    files: list[LoadedFile] = []
    messages: list[Message] = []
    paths = export_files(folder)
    for index, path in enumerate(paths):
        progress(index / max(len(paths), 1) * 0.5, f"reading {path.name}")
        if path.name in (unchanged or {}):
            same = unchanged[path.name]
            files.append(LoadedFile(same.table, path.name, same.preset, same.rows, unchanged=True))
            continue
        loaded, found = read_export(path, (file_presets or {}).get(path.name) or preset,
                                    (column_maps or {}).get(path.name), (members or {}).get(path.name))
        messages += found
        if loaded is not None:
            messages += _duplicate_table(files, loaded)
            files.append(loaded)
    messages += _missing_required_tables(files, folder, paths)
    if not any(m.level == "error" for m in messages):
        tables = {f.table: f.frame for f in files if f.frame is not None}
        names = {f.table: f.file for f in files}
        messages += cross_table_warnings(tables, names, today or dt.date.today())
        messages += _currency_warnings(tables, names)
    return ValidationReport(files, messages)


def _duplicate_table(files: list[LoadedFile], loaded: LoadedFile) -> list[Message]:
    for earlier in files:
        if earlier.table == loaded.table:
            return [Message("error", loaded.file, None, None, None,
                            W.SAME_TABLE_TWICE.format(table=loaded.table, file=earlier.file), W.ONE_FILE_PER_TABLE)]
    return []


def _missing_required_tables(files: list[LoadedFile], folder: Path, paths: list[Path]) -> list[Message]:
    # a file that is there but could not be mapped already has its own message; it is not "missing"
    present = {f.table for f in files} | {header_matching.table_for_file(p.stem) for p in paths}
    return [Message("error", f"{table}.csv", None, None, None, W.FILE_MISSING.format(folder=folder),
                    W.EXPORT_TABLE.format(table=table))
            for table in REQUIRED_TABLES if table not in present]


def _currency_warnings(tables: dict[str, pl.DataFrame], names: dict[str, str]) -> list[Message]:
    reporting = settings.get("reporting_currency")
    used = set()
    for table in ("subscriptions", "accounts"):
        if table in tables:
            used |= set(tables[table]["currency"].drop_nulls().str.to_uppercase().unique().to_list())
    rated = set()
    if "fx_rates" in tables:
        rated = set(tables["fx_rates"]["currency"].str.to_uppercase().unique().to_list())
    return [Message("warning", names.get("fx_rates", "fx_rates.csv"), None, "currency", currency,
                    W.NO_RATE.format(currency=currency, reporting=reporting),
                    W.ADD_RATES.format(currency=currency))
            for currency in sorted(used - rated - {reporting})]


# ---------------------------------------------------------------- loading


def default_as_of(files: list[LoadedFile], today: dt.date) -> dt.date:
    """Latest date in the data not after today (data-model.md "The data's as-of day")."""
    return latest_day(files, today) or today


def latest_day(files: list[LoadedFile], today: dt.date) -> dt.date | None:
    """Latest date in the files read not after today (None when they hold none)."""
    columns = {"subscriptions": "start_date", "usage_events": "event_time", "usage_daily": "date",
               "tickets": "created_at", "surveys": "responded_at", "activities": "occurred_at"}
    latest = None
    for f in files:
        column = columns.get(f.table)
        if column is None or f.rows == 0 or f.unchanged:
            continue
        if f.frame is None:
            header = next(h for h, c in f.mapping.items() if c == column)
            candidate = large_parquet.latest_date(f.members, header, today)
        else:
            days = f.frame[column].cast(pl.Date)
            candidate = days.filter(days <= today).max()
        if candidate is not None and (latest is None or candidate > latest):
            latest = candidate
    return latest


def import_folder(folder: str | Path, db_path: str | Path, preset: str | None = None,
                  as_of: dt.date | None = None, today: dt.date | None = None,
                  progress: Progress = _noop, file_presets: dict[str, str] | None = None,
                  column_maps: dict[str, dict[str, str]] | None = None, full: bool = False) -> ImportResult:
    """Validate ``folder`` and, when it has no errors, load it into a new database swapped in atomically.

    When the live database can be refreshed (usage events come as folders of files and only some are new,
    see ``renewal_radar.ingest.refresh``) only what changed is read and recomputed; ``full`` forces a full
    import.
    """
    today = today or dt.date.today()
    remapped = set(file_presets or {}) | set(column_maps or {})
    plan = None if full else refresh.plan(folder, db_path, preset, remapped)
    report = validate_folder(folder, preset, today, progress, file_presets, column_maps,
                             plan.members if plan else None, plan.unchanged if plan else None)
    if not report.ok:
        return ImportResult(report, None, False)
    history = _previous_history(Path(db_path))
    if plan is not None:
        as_of = _refresh(folder, db_path, plan, report, as_of, today, history, progress)
    else:
        as_of = as_of or default_as_of(report.files, today)
        _full_import(folder, db_path, report, as_of, today, history, progress)
    progress(1.0, "done")
    return ImportResult(report, as_of, True, plan is not None)


def _full_import(folder, db_path, report: ValidationReport, as_of: dt.date, today: dt.date,
                 history: pl.DataFrame, progress: Progress) -> None:
    from renewal_radar import snapshots

    carried = snapshots.read_carried(db_path)  # snapshots survive every import
    with db.building(db_path) as con:
        snapshots.write_carried(con, carried)
        _write_raw_tables(con, report.files, progress)
        report.messages += _large_table_warnings(con, report.files, today)
        _write_meta(con, report, as_of, history, Path(folder),
                    pl.concat([_usage_stamps(report.files), _small_stamps(report.files, Path(folder))]))
        build_marts(con, progress)
        score_book(con, progress)


def _refresh(folder, db_path, plan: refresh.RefreshPlan, report: ValidationReport, as_of: dt.date | None,
             today: dt.date, history: pl.DataFrame, progress: Progress) -> dt.date:
    """The daily refresh in a copy of the live database (carried tables come with it); returns its as-of day."""
    with db.building(db_path, from_live=True) as con:
        progress(0.5, "refreshing the small tables")
        earliest = refresh.reload_small_tables(con, report.files)
        progress(0.6, "refreshing usage")
        months = refresh.apply_usage_changes(con, plan, report.files)
        # the files read and the rows kept from earlier files: the same default a full import would take
        kept = [*refresh.USAGE_TABLES, *(f.table for f in report.files if f.unchanged)]
        found = [day for day in (latest_day(report.files, today), refresh.latest_day_in(con, kept, today)) if day]
        as_of = as_of or max(found, default=today)
        report.messages += refresh.previous_messages(con, {f.file for f in report.files if f.unchanged})
        db.replace_table(con, "refresh_months", pl.DataFrame({"month": sorted(months)}, schema={"month": pl.Date}))
        report.messages += _large_table_warnings(con, report.files, today, plan.added)
        _write_meta(con, report, as_of, history, Path(folder),
                    pl.concat([plan.stamps, _small_stamps(report.files, Path(folder))]))
        changed = [day for day in (earliest, min(months) if months else None) if day is not None]
        keep_until = min([*changed, as_of])
        build_marts(con, progress, every_month=False, keep_until=keep_until)
        score_book(con, progress, keep_until=keep_until)
    return as_of


def _small_stamps(files: list[LoadedFile], folder: Path) -> pl.DataFrame:
    """The small files an import read (or kept), for the next refresh to tell unchanged ones."""
    frames = [refresh.stamps(f.table, [str(folder / f.file)], folder / f.file) for f in files
              if f.source is None and (folder / f.file).is_file()]
    return pl.concat(frames) if frames else pl.DataFrame(schema=refresh.STAMP_SCHEMA)


def _usage_stamps(files: list[LoadedFile]) -> pl.DataFrame:
    """The usage files a full import read, for the next refresh to compare with."""
    frames = [refresh.stamps(f.table, f.members, f.source) for f in files
              if f.table in refresh.USAGE_TABLES and f.members]
    return pl.concat(frames) if frames else pl.DataFrame(schema=refresh.STAMP_SCHEMA)


def _write_raw_tables(con, files: list[LoadedFile], progress: Progress) -> None:
    by_table = {f.table: f for f in files}
    for index, table in enumerate(TABLES):
        progress(0.5 + 0.2 * index / len(TABLES), f"loading {table}")
        loaded = by_table.get(table)
        if loaded is not None and loaded.source is not None and loaded.members:
            large_parquet.load(con, loaded.members, table, loaded.mapping, f"raw_{table}")
        else:
            db.write_table(con, f"raw_{table}", loaded.frame if loaded is not None and loaded.frame is not None
                           else empty_table(table))


def _large_table_warnings(con, files: list[LoadedFile], today: dt.date,
                          only_files: dict[str, list[str]] | None = None) -> list[Message]:
    """Warnings of files loaded by DuckDB, checked once they are tables (a refresh: only its new files)."""
    has_accounts = any(f.table == "accounts" and f.rows for f in files)
    return [message for f in files if f.source is not None
            for message in large_parquet.warnings(con, f.table, f.file, has_accounts, today,
                                                  None if only_files is None else only_files.get(f.table, []))]


def _write_meta(con, report: ValidationReport, as_of: dt.date, history: pl.DataFrame, folder: Path,
                usage_stamps: pl.DataFrame) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    meta = pl.DataFrame({"as_of": [as_of], "reporting_currency": [settings.get("reporting_currency")],
                         "imported_at": [now], "source": [str(folder)], "grace_days": [settings.get("grace_days")],
                         "refresh_format": [refresh.REFRESH_FORMAT]})
    db.replace_table(con, "import_meta", meta)
    db.replace_table(con, "import_usage_files", usage_stamps)
    entry = pl.DataFrame({
        "imported_at": [now], "source": [str(folder)], "as_of": [as_of],
        "files": [json.dumps({f.file: {"table": f.table, "rows": f.rows, "preset": f.preset} for f in report.files})],
        "n_warnings": [len(report.warnings)],
    })
    db.replace_table(con, "import_history", pl.concat([history, entry], how="diagonal_relaxed"))
    messages = pl.DataFrame([m.as_dict() for m in report.warnings],
                            schema={"level": pl.String, "file": pl.String, "row": pl.Int64, "column": pl.String,
                                    "value": pl.String, "problem": pl.String, "fix": pl.String})
    db.replace_table(con, "import_messages", messages)
    loaded = pl.DataFrame({"table_name": [f.table for f in report.files], "file": [f.file for f in report.files],
                           "preset": [f.preset for f in report.files], "rows": [f.rows for f in report.files],
                           "blank_rows_dropped": [f.blank_rows_dropped for f in report.files]},
                          schema={"table_name": pl.String, "file": pl.String, "preset": pl.String,
                                  "rows": pl.Int64, "blank_rows_dropped": pl.Int64})
    db.replace_table(con, "import_files", loaded)


def _previous_history(live: Path) -> pl.DataFrame:
    if not live.exists():
        return pl.DataFrame()
    try:
        con = db.connect(live)
    except db.Error:
        return pl.DataFrame()
    try:
        if "import_history" not in db.table_names(con):
            return pl.DataFrame()
        return db.query(con, "select * from import_history")
    finally:
        con.close()
