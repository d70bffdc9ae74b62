"""Run the SQL files of ``queries/`` by name with bound parameters.

``run(con, "reports/mrr_on_days", start=..., end=...)`` reads
``queries/reports/mrr_on_days.sql`` and binds ``$start`` and ``$end``. The folders are rooms: ``staging/`` and
``marts/`` build the tables (a mart states its grain key in a ``-- grain:`` line), ``rollup/`` the usage
roll-ups, ``reports/`` the queries behind pages, ``stored/`` the readers of the scoring stage's stored rows,
``lookups/`` small look-ups (the as-of day, an account's owner, filter options, the schema).
Only the parameters a file uses are passed, so callers can hand the same
filter set to every query.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl

from renewal_radar import db

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@functools.cache
def load(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


@functools.cache
def parameters(name: str) -> frozenset[str]:
    """The ``$names`` a query file binds (comments stripped first)."""
    text = re.sub(r"--[^\n]*", "", load(name))
    return frozenset(_PARAM.findall(text))


def _bind(name: str, params: dict) -> dict:
    needed = parameters(name)
    missing = needed - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    return {key: params[key] for key in needed}


def bound(name: str, **params) -> tuple[str, dict]:
    """A query file's text and the parameters it uses (for statements that wrap a query, e.g. inserts)."""
    return load(name), _bind(name, params)


def run(con, name: str, **params) -> pl.DataFrame:
    """Run a query file and return its rows."""
    return db.query(con, load(name), _bind(name, params))


def run_in_stored_order(con, name: str, **params) -> pl.DataFrame:
    """Run a query file that reads a table stored with its row order (``db.replace_table(..., keep_order=True)``,
    the query ordering by it) and return its rows without that column."""
    return run(con, name, **params).drop(db.ROW_ORDER)


def execute(con, name: str, **params) -> None:
    """Run a query file for its effect (mart builds)."""
    db.execute(con, load(name), _bind(name, params))


def header_comment(name: str) -> str:
    """The leading ``--`` comment block of a query file (its grain and purpose), without its grain key line."""
    return " ".join(line for line in _header_lines(name) if not line.startswith(GRAIN_PREFIX))


GRAIN_PREFIX = "grain:"


def grain_key(name: str) -> list[str]:
    """The columns that identify one row of the table a mart builds, from its ``-- grain:`` header line (empty
    when the file states none: a macro, a helper)."""
    found = next((line for line in _header_lines(name) if line.startswith(GRAIN_PREFIX)), "")
    return [column.strip() for column in found.removeprefix(GRAIN_PREFIX).split(",") if column.strip()]


def _header_lines(name: str) -> list[str]:
    lines = []
    for line in load(name).splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return lines
