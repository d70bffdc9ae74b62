"""The Renewal calendar page: a year of renewals with days left, notice deadlines and expected loss, and the
totals due within 30, 60, 90 and 120 days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import book, forecast_views, money, scoring
from renewal_radar.filters import ALL, Filters
from renewal_radar.readers.common import SCORES

HORIZONS_DAYS = scoring.STANDARD_HORIZONS  # the table's "due within" choices: the horizons the stage stores
WINDOWS_DAYS = HORIZONS_DAYS[:-1]  # the KPI windows: all but the year
YEAR_DAYS = scoring.MAX_HORIZON_DAYS
NOTICE_WINDOW_DAYS = 120          # notice deadlines that passed, among the renewals of the next 120 days
LOSS_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Calendar:
    """The renewals of the coming year and the calendar's headline figures."""

    currency: str
    renewals: pl.DataFrame     # with days_left, notice_overdue and expected_loss_arr
    due: dict                  # window in days → {"due_arr", "renewals"}
    notice_overdue: int        # renewals of the next 120 days whose notice deadline passed unbooked
    expected_loss_arr: float   # Σ (1 − probability) × ARR due over the renewals of the next 90 days


def read(con, as_of: dt.date, filters: Filters = ALL) -> Calendar:
    """The year's renewals as of ``as_of`` (the forecast's due set for 365 days) and the window totals."""
    year = book.forecast_for(con, as_of, YEAR_DAYS, filters, SCORES)
    rows = forecast_views.with_calendar_columns(year.renewals, as_of)
    due = {days: _window(rows, days) for days in WINDOWS_DAYS}
    overdue = rows.filter(pl.col("notice_overdue") & (pl.col("days_left") < NOTICE_WINDOW_DAYS)).height
    loss = float(rows.filter(pl.col("days_left") < LOSS_WINDOW_DAYS)["expected_loss_arr"].sum())
    return Calendar(money.shown_currency(con), rows, due, overdue, loss)


def _window(rows: pl.DataFrame, days: int) -> dict:
    inside = rows.filter(pl.col("days_left") < days)
    return {"due_arr": float(inside["due_arr"].sum()), "renewals": inside.height}
