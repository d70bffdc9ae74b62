"""Downloads a person opens in a spreadsheet: no cell runs as a formula (CSV injection, OWASP)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import polars as pl

from renewal_radar import downloads

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "-2+3", "@cmd", "\tTab", "\rCR"]


def _hostile_frame() -> pl.DataFrame:
    names = [*HOSTILE, "Acme", "-5", "+3.25"]
    return pl.DataFrame({"name": names, "arr": [-1200.5] + [float(i) for i in range(len(names) - 1)]})


def test_csv_cells_that_look_like_formulas_are_written_as_text():
    rows = list(csv.reader(io.StringIO(downloads.spreadsheet_csv(_hostile_frame()).decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert names[:6] == ["'" + value for value in HOSTILE]
    assert names[6:] == ["Acme", "-5", "+3.25"]  # plain text and numbers written as text that is a number
    assert rows[1][1] == "-1200.5"  # a numeric column stays a number, sign and all


def test_xlsx_writes_hostile_text_as_text_cells_never_formulas():
    book = zipfile.ZipFile(io.BytesIO(downloads.xlsx_bytes(_hostile_frame())))
    sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    shared = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet  # no formula cell anywhere
    assert 'HYPERLINK("http://evil.example","click")'.replace('"', "&quot;") in shared or "HYPERLINK" in shared
    first_name = re.search(r'<c r="A2"[^>]*>', sheet).group(0)
    assert 't="s"' in first_name  # the account name is a string cell
    assert re.search(r'<c r="B2"[^>]*><v>-1200.5</v>', sheet)  # the number is a number cell
