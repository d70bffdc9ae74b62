"""Read an export file into a polars frame of raw values.

CSV arrives in whatever encoding the user's Excel or CRM wrote: UTF-8 (with
or without BOM), UTF-16 (Excel's "Unicode text", tab separated) or the legacy
code pages of Korean, Japanese and Taiwanese Windows. We detect it rather
than ask: a BOM decides; otherwise strict UTF-8; otherwise the legacy code
pages that decode the bytes, ranked by charset-normalizer.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl
from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".parquet")
LEGACY_ENCODINGS = ("cp949", "cp932", "big5")
ROW_COLUMN = "_row"


class ReadError(Exception):
    """The file cannot be read or decoded; the message names the file."""


def detect_encoding(raw: bytes) -> str:
    """Name of the encoding of a CSV file's bytes."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decodable = [enc for enc in LEGACY_ENCODINGS if _decodes(raw, enc)]
    if not decodable:
        raise ReadError("not UTF-8, UTF-16, CP949, Shift_JIS or Big5; save it as CSV UTF-8")
    if len(decodable) == 1:
        return decodable[0]
    best = from_bytes(raw, cp_isolation=decodable).best()
    return best.encoding if best else decodable[0]


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_delimiter(header_line: str) -> str:
    """The field separator, judged on the header line."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_file(path: Path) -> tuple[pl.DataFrame, int]:
    """Read one export file.

    Returns the frame (text files: every column as strings; parquet: native
    types) with a ``_row`` column holding the row number as the user's
    spreadsheet counts it, and the offset used for it.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame, first_row = pl.read_parquet(path), 1
        elif suffix == ".xlsx":
            frame, first_row = _read_xlsx(path), 2
        else:
            frame, first_row = _read_csv(path), 2
    except ReadError:
        raise
    except Exception as exc:  # every reader failure becomes one readable line
        raise ReadError(f"cannot be read: {str(exc).splitlines()[0]}") from exc
    rows = pl.int_range(first_row, first_row + frame.height, eager=True, dtype=pl.Int64)
    return frame.with_columns(rows.alias(ROW_COLUMN)), first_row


def _read_csv(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise ReadError("is empty")
    encoding = detect_encoding(raw)
    if encoding == "utf-8":
        data = raw
    else:
        data = raw.decode(encoding).encode("utf-8")
        data = data.removeprefix(codecs.BOM_UTF8)
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return pl.read_csv(
        io.BytesIO(data), separator=detect_delimiter(header), infer_schema=False,
        truncate_ragged_lines=True,
    )


def _read_xlsx(path: Path) -> pl.DataFrame:
    # Read as text so validation sees the cell exactly as the user does;
    # fastexcel renders dates as ISO strings.
    return pl.read_excel(path, engine="calamine", infer_schema_length=0)
