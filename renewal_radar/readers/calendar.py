"""The Renewal calendar page: a year of renewals with days left, notice deadlines and expected loss, and the
totals due within 30, 60, 90 and 120 days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, forecast, forecast_views, money, scoring
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money
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

    MONEY: ClassVar = {"renewals": Money((*forecast.RENEWAL_MONEY, "expected_loss_arr"), "renewal_date")}

    @property
    def due(self) -> dict:
        """Window in days → {"due_arr", "renewals"}."""
        return {days: _window(self.renewals, days) for days in WINDOWS_DAYS}

    @property
    def notice_overdue(self) -> int:
        """Renewals of the next 120 days whose notice deadline passed unbooked."""
        return self.renewals.filter(pl.col("notice_overdue") & (pl.col("days_left") < NOTICE_WINDOW_DAYS)).height

    @property
    def expected_loss_arr(self) -> float:
        """Σ (1 − probability) × ARR due over the renewals of the next 90 days."""
        return float(self.renewals.filter(pl.col("days_left") < LOSS_WINDOW_DAYS)["expected_loss_arr"].sum())


def read(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> Calendar:
    """The year's renewals as of ``as_of`` (the forecast's due set for 365 days) and the window totals, money
    in ``currency`` (None: the reporting currency)."""
    year = book.forecast_for(con, as_of, YEAR_DAYS, filters, SCORES)
    shown = money.converter(con, currency)
    return shown.result(Calendar(shown.base, forecast_views.with_calendar_columns(year.renewals, as_of)))


def _window(rows: pl.DataFrame, days: int) -> dict:
    inside = rows.filter(pl.col("days_left") < days)
    return {"due_arr": float(inside["due_arr"].sum()), "renewals": inside.height}
