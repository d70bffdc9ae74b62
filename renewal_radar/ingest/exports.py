"""Reading one export file: its table, preset and header mapping, typed to the table's columns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from renewal_radar.ingest import header_matching, large_parquet
from renewal_radar.ingest import presets as presets_mod
from renewal_radar.ingest import wording as W
from renewal_radar.ingest.readers import ROW_COLUMN, SUPPORTED_SUFFIXES, ReadError, read_file
from renewal_radar.ingest.schema import TABLES, Column
from renewal_radar.ingest.validate import (
    Message,
    blank_row_mask,
    cast_table,
    check_table,
    parse_column,
    row_messages,
)

POLARS_TYPES = {"str": pl.String, "date": pl.Date, "datetime": pl.Datetime("us"), "float": pl.Float64,
                "int": pl.Int64, "bool": pl.Boolean}


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


# ---------------------------------------------------------------- reading one file


def read_export(path: Path, preset_name: str | None = None, extra_columns: dict[str, str] | None = None,
                members: list[str] | None = None) -> tuple[LoadedFile | None, list[Message]]:
    """Read, map and type one export file; returns the file (None when unusable) and messages.

    ``extra_columns`` maps headers no preset knows to our columns (the import page's mapping); ``members``
    limits a large Parquet source to those of its files (a daily refresh reads only the new ones).
    """
    name = path.name
    preset = presets_mod.PRESETS[preset_name] if preset_name else None
    table = header_matching.table_for_file(path.stem, preset)
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
    preset = preset or header_matching.detect_preset(table, headers)
    mapping = _mapping(table, headers, preset, extra_columns)
    frame, ignored = _rename(raw, table, mapping)
    if preset.derive:
        frame = preset.derive(table, frame)
    frame = header_matching.apply_values(table, frame, preset)
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
    mapping = header_matching.header_map(table, headers, preset)
    for header, column in (extra_columns or {}).items():
        if header in headers and header not in mapping and column not in mapping.values():
            mapping[header] = column
    return mapping


def _read_large_parquet(path: Path, table: str, preset: presets_mod.Preset | None,
                        extra_columns: dict[str, str] | None,
                        members: list[str] | None = None) -> tuple[LoadedFile | None, list[Message]]:
    headers = large_parquet.headers(path)
    preset = preset or header_matching.detect_preset(table, headers)
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
    guesses = header_matching.closest_columns(table, headers)
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
    table = header_matching.table_for_file(path.stem, preset)
    if table is None:
        return {"file": path.name, "table": None, "preset": None, "unmatched": []}
    try:
        raw, _ = read_file(path)
    except ReadError as exc:
        return {"file": path.name, "table": table, "preset": None, "unmatched": [], "error": str(exc)}
    if table == "opportunity_history" and (entered := presets_mod.stage_history_rows(raw)) is not None:
        raw, preset = entered, preset or presets_mod.HUBSPOT  # a HubSpot deals export's stage columns as rows
    headers = [c for c in raw.columns if c != ROW_COLUMN]
    preset = preset or header_matching.detect_preset(table, headers)
    mapped = header_matching.header_map(table, headers, preset)
    missing = [c for c in TABLES[table].required if c not in mapped.values()]
    # a table that keeps extra columns (accounts) still asks for a mapping while a required column is missing
    keeps_all = TABLES[table].keeps_extra_columns and not missing
    unmatched = [] if keeps_all else [h for h in headers if h not in mapped]
    suggested = {header: header_matching.suggest_columns(table, header) for header in unmatched}
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
