"""Validate a folder of exports and load it atomically into a new database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from renewal_radar import db, settings, sql, usage_rollup
from renewal_radar.ingest import large_parquet, refresh
from renewal_radar.ingest import presets as presets_mod
from renewal_radar.ingest import wording as W
from renewal_radar.ingest.readers import ROW_COLUMN, SUPPORTED_SUFFIXES, ReadError, read_file
from renewal_radar.ingest.schema import REQUIRED_TABLES, TABLES, Column
from renewal_radar.ingest.validate import (
    Message,
    blank_row_mask,
    cast_table,
    check_table,
    cross_table_warnings,
    parse_column,
    row_messages,
)

STAGING_ORDER = tuple(TABLES)
USAGE = "usage"  # a Python step: the roll-up statements of queries/rollup and the usage marts over them
MONTHLY_FEATURES = "account_features_monthly"  # a refresh appends only the month starts its changes reach
FAR_PAST = dt.date(1900, 1, 1)
MART_ORDER = (
    "fx_monthly", "fx_month", "subscription_lines", "account_mrr_intervals", "accounts_dim", "filtered_accounts",
    "mrr_by_account_month", "renewal_events", USAGE, "account_features", "account_features_monthly",
)
POLARS_TYPES = {"str": pl.String, "date": pl.Date, "datetime": pl.Datetime("us"), "float": pl.Float64,
                "int": pl.Int64, "bool": pl.Boolean}

Progress = Callable[[float, str], None]


@dataclass
class LoadedFile:
    """One export file after reading, mapping and typing."""

    table: str
    file: str
    preset: str
    rows: int
    blank_rows_dropped: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    frame: pl.DataFrame | None = None
    source: Path | None = None  # a large Parquet file or dataset folder loaded by DuckDB instead of a frame
    mapping: dict[str, str] | None = None
    members: list[str] | None = None  # the source's Parquet files to read (a daily refresh: only new ones)
    unchanged: bool = False  # a daily refresh did not read it: the same file as last time, already loaded


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


# ---------------------------------------------------------------- reading one file


def read_export(path: Path, preset_name: str | None = None, extra_columns: dict[str, str] | None = None,
                members: list[str] | None = None) -> tuple[LoadedFile | None, list[Message]]:
    """Read, map and type one export file; returns the file (None when unusable) and messages.

    ``extra_columns`` maps headers no preset knows to our columns (the import page's mapping); ``members``
    limits a large Parquet source to those of its files (a daily refresh reads only the new ones).
    """
    name = path.name
    preset = presets_mod.PRESETS[preset_name] if preset_name else None
    table = presets_mod.table_for_file(path.stem, preset)
    if table is None:
        known = ", ".join(TABLES)
        return None, [Message("warning", name, None, None, None, W.FILE_MATCHES_NO_TABLE,
                              W.NAME_FILE_AFTER_TABLE.format(tables=known))]
    if large_parquet.is_large(path):
        return _read_large_parquet(path, table, preset, extra_columns, members)
    try:
        raw, _ = read_file(path)
    except ReadError as exc:
        return None, [Message("error", name, None, None, None, str(exc), W.EXPORT_AGAIN)]
    if table == "opportunity_history" and (entered := presets_mod.stage_history_rows(raw)) is not None:
        raw, preset = entered, preset or presets_mod.HUBSPOT  # a HubSpot deals export's stage columns as rows
    headers = [c for c in raw.columns if c != ROW_COLUMN]
    preset = preset or presets_mod.detect_preset(table, headers)
    mapping = _mapping(table, headers, preset, extra_columns)
    frame, ignored = _rename(raw, table, mapping)
    if preset.derive:
        frame = preset.derive(table, frame)
    frame = presets_mod.apply_values(table, frame, preset)
    frame, key_messages = _derived_opportunity_key(table, frame, name)
    loaded, messages = _type_frame(frame, table, name, preset.name, ignored)
    return loaded, key_messages + messages


def _derived_opportunity_key(table: str, frame: pl.DataFrame, name: str) -> tuple[pl.DataFrame, list[Message]]:
    """A report exported without an opportunity ID (Salesforce's default Opportunities report has none) gets a
    stable key from account, close date and opportunity name: the same row gives the same key in every export."""
    parts = ["account_id", "close_date", "opportunity_name"]
    if table != "renewal_opportunities" or "opportunity_id" in frame.columns or \
            not {"account_id", "close_date"} <= set(frame.columns):
        return frame, []
    present = [pl.col(c).cast(pl.String).fill_null("").str.strip_chars() for c in parts if c in frame.columns]
    text = pl.concat_str(present, separator="\x1f")
    key = text.map_elements(lambda value: "derived-" + hashlib.sha1(value.encode()).hexdigest()[:16],
                            return_dtype=pl.String)
    message = Message("warning", name, None, "opportunity_id", None, W.DERIVED_OPPORTUNITY_KEY, W.ADD_OPPORTUNITY_ID)
    return frame.with_columns(key.alias("opportunity_id")), [message]


def _mapping(table: str, headers: list[str], preset: presets_mod.Preset,
             extra_columns: dict[str, str] | None) -> dict[str, str]:
    mapping = presets_mod.header_map(table, headers, preset)
    for header, column in (extra_columns or {}).items():
        if header in headers and header not in mapping and column not in mapping.values():
            mapping[header] = column
    return mapping


def _read_large_parquet(path: Path, table: str, preset: presets_mod.Preset | None,
                        extra_columns: dict[str, str] | None,
                        members: list[str] | None = None) -> tuple[LoadedFile | None, list[Message]]:
    headers = large_parquet.headers(path)
    preset = preset or presets_mod.detect_preset(table, headers)
    mapping = _mapping(table, headers, preset, extra_columns)
    mapping = {h: c for h, c in mapping.items() if TABLES[table].column(c) is not None}
    missing = [c for c in TABLES[table].required if c not in mapping.values()]
    if missing:
        return None, [Message("error", path.name, 1, column, None, W.COLUMN_MISSING.format(column=column),
                              W.ADD_COLUMN.format(column=column))
                      for column in missing]
    members = large_parquet.member_files(path) if members is None else members
    rows, messages = large_parquet.validate(members, table, mapping, path.name)
    ignored = [h for h in headers if h not in mapping]
    return LoadedFile(table, path.name, preset.name, rows, 0, ignored, None, path, mapping, members), messages


def _unmapped_column(name: str, table: str, column: str, headers: list[str]) -> Message:
    """The file is there but no header maps to a required column: say so, list the headers, suggest the closest."""
    guesses = presets_mod.closest_columns(table, headers)
    closest = "; ".join(f"{header} → {guess}" for header, guess in guesses.items()) or "none found"
    example = json.dumps({table: {"<one of these headers>": column}}, ensure_ascii=False)
    return Message("error", name, 1, column, None,
                   W.UNMAPPED_FILE.format(column=column),
                   W.MAP_HEADERS.format(headers=", ".join(headers) or "(none)", closest=closest, example=example))


def _rename(raw: pl.DataFrame, table: str, mapping: dict[str, str]) -> tuple[pl.DataFrame, list[str]]:
    spec = TABLES[table]
    unmapped = [c for c in raw.columns if c not in mapping and c != ROW_COLUMN]
    if spec.keeps_extra_columns:
        # Custom account columns become filterable attributes under a tidy name.
        extras = {c: "_".join(presets_mod.normalise_header(c).split()) for c in unmapped}
        extras = {c: n for c, n in extras.items() if n not in mapping.values() and n != ROW_COLUMN}
        return raw.rename({**mapping, **extras}).select([ROW_COLUMN, *mapping.values(), *extras.values()]), []
    return raw.rename(mapping).select([ROW_COLUMN, *mapping.values()]), unmapped


def _type_frame(frame: pl.DataFrame, table: str, name: str, preset: str,
                ignored: list[str]) -> tuple[LoadedFile | None, list[Message]]:
    messages: list[Message] = []
    blank = blank_row_mask(frame)
    dropped = frame.filter(blank)
    if dropped.height:
        messages += row_messages("warning", name, dropped, None, W.BLANK_ROW, "")
    frame = frame.filter(~blank)
    if table == "subscriptions":
        frame, arr_messages = _arr_to_mrr(frame, name)
        messages += arr_messages
    missing = [c for c in TABLES[table].required if c not in frame.columns]
    messages += [_unmapped_column(name, table, column, ignored) for column in missing]
    if missing:
        return None, messages
    typed, cast_messages = cast_table(table, name, frame)
    messages += cast_messages
    if not cast_messages:
        messages += check_table(table, name, typed)
    loaded = LoadedFile(table, name, preset, typed.height, dropped.height,
                        ignored,
                        _with_all_columns(typed, table))
    return loaded, messages


def _arr_to_mrr(frame: pl.DataFrame, name: str) -> tuple[pl.DataFrame, list[Message]]:
    # Spec: a file may give arr instead of mrr; mrr = arr / 12.
    if "mrr" in frame.columns or "arr" not in frame.columns:
        return frame.drop("arr", strict=False), []
    arr = parse_column(frame, Column("arr", "float"))
    failed = frame.filter(frame["arr"].is_not_null() & arr.is_null())
    messages = row_messages("error", name, failed, "arr", W.NOT_VALID.format(kind="float"), W.KIND_HELP["float"])
    return frame.with_columns((arr / 12).cast(pl.String).alias("mrr")).drop("arr"), messages


def _with_all_columns(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Add the optional columns a file lacks as typed nulls, so SQL can rely on them."""
    missing = [pl.lit(None, POLARS_TYPES[c.kind]).alias(c.name)
               for c in TABLES[table].columns if c.name not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def empty_table(table: str) -> pl.DataFrame:
    """A zero-row frame with the table's columns, standing in for a missing optional file."""
    schema = {ROW_COLUMN: pl.Int64} | {c.name: POLARS_TYPES[c.kind] for c in TABLES[table].columns}
    return pl.DataFrame(schema=schema)


def describe_file(path: Path, preset_name: str | None = None) -> dict:
    """What the import page shows before validating: the table, the preset and the headers no preset maps."""
    preset = presets_mod.PRESETS[preset_name] if preset_name else None
    table = presets_mod.table_for_file(path.stem, preset)
    if table is None:
        return {"file": path.name, "table": None, "preset": None, "unmatched": []}
    try:
        raw, _ = read_file(path)
    except ReadError as exc:
        return {"file": path.name, "table": table, "preset": None, "unmatched": [], "error": str(exc)}
    if table == "opportunity_history" and (entered := presets_mod.stage_history_rows(raw)) is not None:
        raw, preset = entered, preset or presets_mod.HUBSPOT  # a HubSpot deals export's stage columns as rows
    headers = [c for c in raw.columns if c != ROW_COLUMN]
    preset = preset or presets_mod.detect_preset(table, headers)
    mapped = presets_mod.header_map(table, headers, preset)
    missing = [c for c in TABLES[table].required if c not in mapped.values()]
    # a table that keeps extra columns (accounts) still asks for a mapping while a required column is missing
    keeps_all = TABLES[table].keeps_extra_columns and not missing
    unmatched = [] if keeps_all else [h for h in headers if h not in mapped]
    suggested = {header: presets_mod.suggest_columns(table, header) for header in unmatched}
    return {"file": path.name, "table": table, "preset": preset.name, "unmatched": unmatched, "missing": missing,
            "suggested": suggested, "preselected": _preselected(missing, suggested)}


def _preselected(missing: list[str], suggested: dict[str, list[str]]) -> dict[str, str]:
    """For each missing required column, the first unmapped header whose likeliest meaning it is."""
    chosen: dict[str, str] = {}
    for column in missing:
        header = next((h for h, columns in suggested.items() if columns[:1] == [column] and h not in chosen), None)
        if header is not None:
            chosen[header] = column
    return chosen


# ---------------------------------------------------------------- folders


def export_files(folder: Path) -> list[Path]:
    """The export files of a folder, in name order, and its dataset folders: a sub-folder named after a table
    holding Parquet files (``usage_daily/`` and ``usage_monthly_users/`` as ``rollup-usage`` writes them)."""
    return sorted(p for p in folder.iterdir()
                  if (p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES) or _is_dataset(p))


def _is_dataset(path: Path) -> bool:
    return path.is_dir() and path.name.lower() in TABLES and next(path.rglob("*.parquet"), None) is not None


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
    present = {f.table for f in files} | {presets_mod.table_for_file(p.stem) for p in paths}
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


def _build_monthly_features(con, keep_until: dt.date | None) -> None:
    text, params = sql.bound(f"marts/{MONTHLY_FEATURES}", after=keep_until or FAR_PAST)
    if keep_until is None or MONTHLY_FEATURES not in db.table_names(con):
        db.create_table(con, MONTHLY_FEATURES, text, params)
        return
    db.replace_after(con, MONTHLY_FEATURES, "as_of", keep_until, text, params)


def score_book(con, progress: Progress = _noop, keep_until: dt.date | None = None) -> None:
    """The scoring stage after the marts (models run here, once per import), then the automatic snapshot; a
    daily refresh keeps the stored days up to ``keep_until``."""
    from renewal_radar import scoring, snapshots

    scoring.run(con, lambda fraction, text: progress(0.85 + 0.14 * fraction, text), keep_until)
    snapshots.save_automatic(con)


def build_marts(con, progress: Progress = _noop, every_month: bool = True, keep_until: dt.date | None = None) -> None:
    """Run every staging and mart query, in dependency order; the usage tables for every month, or (a daily
    refresh) only for the months in refresh_months; with ``keep_until`` (a refresh: the first day its changes
    touch), the monthly features of the month starts up to it stand and only later ones are built."""
    steps = [f"staging/{t}" for t in STAGING_ORDER] + [f"marts/{m}" for m in MART_ORDER]
    for index, step in enumerate(steps):
        progress(0.7 + 0.15 * index / len(steps), f"building {step}")
        if step == f"marts/{USAGE}":
            usage_rollup.build_usage_tables(con, every_month)
        elif step == f"marts/{MONTHLY_FEATURES}":
            _build_monthly_features(con, keep_until)
        else:
            sql.execute(con, step)
    # counted once per import: how many rows each health signal source holds (every page reads it)
    db.create_table(con, "signal_sources", *sql.bound("reports/feature_tables_live"))
