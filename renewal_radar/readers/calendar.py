"""The Renewal calendar page: a year of renewals with days left, notice deadlines and expected loss, and the
totals due within 30, 60, 90 and 120 days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, figures, forecast, forecast_views, money, ninety_days, renewals, scoring
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money
from renewal_radar.readers.common import scores_of

HORIZONS_DAYS = scoring.STANDARD_HORIZONS  # the table's "due within" choices: the horizons the stage stores
WINDOWS_DAYS = HORIZONS_DAYS[:-1]  # the KPI windows: all but the year
YEAR_DAYS = scoring.MAX_HORIZON_DAYS
NOTICE_WINDOW_DAYS = 120          # notice deadlines that passed, among the renewals of the next 120 days
LOSS_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Calendar:
    """The renewal events of the coming year and the calendar's headline figures: each window's totals count
    window renewals (metrics.md "Renewals in a window"); a month's bars read the events (a month is its own
    window)."""

    currency: str
    events: pl.DataFrame       # with days_left, notice_overdue and expected_loss_arr
    accounts: pl.DataFrame     # the active accounts' expected churned ARR: what the 90-day loss is set beside

    MONEY: ClassVar = {"events": Money((*forecast.RENEWAL_MONEY, "expected_loss_arr"), "renewal_date"),
                       "accounts": Money(book.SCORE_MONEY, "as_of")}

    def within(self, days: int) -> pl.DataFrame:
        """The window renewals due in the next ``days`` days, their expected loss at the window's probability."""
        inside = renewals.window_renewals(self.events.filter(pl.col("days_left") < days))
        return inside.with_columns(figures.expected_renewal_loss_arr().alias("expected_loss_arr"))

    @property
    def due(self) -> dict:
        """Window in days → {"due_arr", "renewals"}."""
        return {days: _totals(self.within(days)) for days in WINDOWS_DAYS}

    @property
    def notice_overdue(self) -> int:
        """Renewals of the next 120 days whose notice deadline passed unbooked."""
        return self.within(NOTICE_WINDOW_DAYS).filter(pl.col("notice_overdue")).height

    @property
    def expected_loss_arr(self) -> float:
        """Σ (1 − probability) × ARR due over the window renewals of the next 90 days."""
        return float(self.within(LOSS_WINDOW_DAYS)["expected_loss_arr"].sum())

    @property
    def ninety_days(self) -> dict:
        """The 90-day expected renewal loss beside At-risk's expected churned ARR, split by what each covers."""
        return ninety_days.reconcile(self.accounts, self.within(LOSS_WINDOW_DAYS))


def read(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> Calendar:
    """The year's renewal events as of ``as_of`` (the forecast's due rows for 365 days), money in ``currency``
    (None: the reporting currency)."""
    scores = scores_of(con)  # the score status read once for the call
    events = book.renewal_rows(con, as_of, YEAR_DAYS, filters, scores)
    accounts = book.account_scores(con, as_of, filters, with_drivers=False, scores=scores).select(
        "as_of", "account_id", "churn_source", *book.SCORE_MONEY)
    shown = money.converter(con, currency)
    return shown.result(Calendar(shown.base, forecast_views.with_calendar_columns(events, as_of), accounts))


def _totals(rows: pl.DataFrame) -> dict:
    return {"due_arr": float(rows["due_arr"].sum()), "renewals": rows.height}
