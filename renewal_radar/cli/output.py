"""What every command shares: opening the database, one-line errors, frames and objects on stdout."""

from __future__ import annotations

import json
import sys

import polars as pl

from renewal_radar import db, settings


class CliError(Exception):
    """A problem worth one line on stderr."""


def open_database(args) -> object:
    """The database the command names (``--db``, else the setting), or a one-line error when there is none."""
    path = settings.db_path(args.db)
    if not path.exists():
        raise CliError(f"no database at {path}; run `python -m renewal_radar demo` or `import DIR` first")
    return db.connect(path)


def emit_frame(frame: pl.DataFrame, as_csv: bool) -> None:
    """A frame as CSV (every digit) or as a readable table."""
    if as_csv:
        sys.stdout.write(frame.write_csv(float_precision=None))
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, thousands_separator=",",
                       float_precision=4, tbl_hide_dataframe_shape=True):
            print(frame)


def print_object(figures: dict, as_json: bool) -> None:
    """A result as one JSON object, or as readable lines (its renewals only counted)."""
    if as_json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        if key != "renewals":
            print(f"{key:26} {value}")
    print(f"{'renewals':26} {len(figures['renewals']):,} (use --json for the list)")
