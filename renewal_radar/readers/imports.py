"""The Import page's reads: the import history (loading and rolling back are actions of :mod:`imports`)."""

from __future__ import annotations

import polars as pl

from renewal_radar import datastatus


def history(con) -> pl.DataFrame:
    """Every import of the live database, newest first."""
    return datastatus.import_history(con)
