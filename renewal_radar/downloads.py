"""Files a person opens in a spreadsheet: CSV with formula-looking text defused, XLSX with strings as strings.

A spreadsheet runs a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (CSV injection, OWASP), so an account name like ``=HYPERLINK("http://…","click")`` would become a
link or worse. Such text is written with a leading ``'``, which spreadsheets read as "this is text", as
Superset escapes its CSV exports. Numbers stay numbers: numeric columns are never touched, and text that is a
plain number (``-5``, ``+3.2``) is a number, not a formula. The command line's machine output is not for a
spreadsheet and stays as it is.
"""

from __future__ import annotations

import io

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def defused(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula prefixed by ``'``."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START) & ~pl.col(name).str.contains(PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text)


def spreadsheet_csv(frame: pl.DataFrame) -> bytes:
    """A frame as a CSV download for people (formulas defused, UTF-8 with BOM so Excel reads CJK text)."""
    return b"\xef\xbb\xbf" + defused(frame).write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as an Excel workbook; text is written as text cells (never formulas), numbers as numbers."""
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as a Parquet file."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()
