"""What every command shares: opening the database, one-line errors, frames and objects on stdout."""

from __future__ import annotations

import json
import sys

import polars as pl

from renewal_radar import db, figures, settings


class CliError(Exception):
    """A problem worth one line on stderr."""


def open_database(args) -> object:
    """The database the command names (``--db``, else the setting), or a one-line error when there is none."""
    path = settings.db_path(args.db)
    if not path.exists():
        raise CliError(f"no database at {path}; run `python -m renewal_radar demo` or `import DIR` first")
    return db.connect(path)


def emit_frame(frame: pl.DataFrame, as_csv: bool) -> None:
    """A frame as CSV (every digit, the column names of cli.md) or as a readable table (each column under the
    figure registry's label, coded values in words, as the pages' downloads)."""
    if as_csv:
        sys.stdout.write(frame.write_csv(float_precision=None))
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, thousands_separator=",",
                       float_precision=4, tbl_hide_dataframe_shape=True):
            print(figures.labelled(frame))


def print_object(found: dict, as_json: bool, currency: str | None = None) -> None:
    """A result as one JSON object (the keys of cli.md), or as readable lines: each figure under the registry's
    label, its value formatted by its kind (money in ``currency``); a list of renewals only counted."""
    if as_json:
        print(json.dumps(found))
        return
    for key, value in found.items():
        if key != "renewals":
            print(readable_line(key, value, currency))
    if "renewals" in found:
        print(f"{figures.label('renewals'):34} {len(found['renewals']):,} (use --json for the list)")


def readable_line(key: str, value, currency: str | None = None) -> str:
    """One figure as a person reads it: the registry's label, then its value formatted by its kind."""
    kind = figures.column(key).kind
    if isinstance(value, (dict, list)):
        shown = json.dumps(value)
    elif isinstance(value, (str, bool)):  # days and words arrive as text (cli.md's JSON)
        shown = value
    else:
        shown = figures.formatted(kind, value, currency)
    return f"{figures.label(key):34} {shown}"
