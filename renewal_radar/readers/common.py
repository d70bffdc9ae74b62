"""What every page and the sidebar read: the data's as-of day, filter options, currencies, the stored scores'
status, month starts for pickers, an account's owner (the access check) and the team."""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import account, book, dates, metrics, money
from renewal_radar import filters as filters_mod

# The days this process has scored, shared by every reader: a day that is not stored is scored once, for the
# parts asked for, whichever page asks first (book.Scores; keyed by the database's import and the settings).
SCORES = book.Scores()


def scores_of(con) -> book.Reading:
    """This reader call's reading of the shared holder: the stored scores' status and the database's identity
    read once for every day and part the call asks for (issue 36: not once per book call)."""
    return SCORES.reading(con)


def data_as_of(con) -> dt.date:
    """The data's as-of day (the sidebar's default and latest day)."""
    return metrics.data_as_of(con)


def filter_options(con) -> dict[str, list]:
    """The values each sidebar filter offers."""
    return filters_mod.options(con)


def currencies_offered(con) -> list[str]:
    """The import's reporting currency first, then every currency the data has rates for."""
    return money.offered(con)


def reporting_currency(con) -> str:
    """The import's reporting currency (every stored figure is in it; the sidebar offers it first)."""
    return metrics.reporting_currency(con)


def score_status(con) -> book.ScoreStatus:
    """Whether the stored scores match the settings."""
    return book.status(con)


def month_starts(con, as_of: dt.date, months: int = 12) -> list[dt.date]:
    """The last ``months`` month starts up to ``as_of``, newest first (for history pickers)."""
    latest = dates.month_floor(as_of)
    return [dates.add_months(latest, -step) for step in range(months)]


def account_owner(con, account_id: str) -> tuple[bool, str | None]:
    """Whether the account exists, and its CSM owner (the access check of every one-account read)."""
    return account.owner(con, account_id)


def team_members(con) -> pl.DataFrame:
    """team.csv as loaded (csm_owner, manager, team, email): a manager's people at sign-in."""
    return book.team_members(con)
