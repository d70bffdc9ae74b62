"""The Overview page: ARR now and a year ago, trailing-12-month retention and its trend, renewals due, this
fiscal quarter, movements, and the accounts behind each number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, dates, economics, forecast, metrics, money, quarter_forecast, quarters, renewals, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money
from renewal_radar.readers.common import scores_of

DUE_WINDOW_DAYS = 90
WINDOW_MONEY = ("start_mrr", "churned_mrr", "contraction_mrr", "expansion_mrr")


@dataclass(frozen=True)
class Overview:
    """The figures of the Overview page."""

    as_of: dt.date
    year_ago: dt.date
    currency: str
    window: dict
    arr_year_ago: float
    due: pl.DataFrame
    trend: pl.DataFrame
    movements: pl.DataFrame
    accounts: pl.DataFrame
    window_accounts: pl.DataFrame
    quarter_forecast: quarter_forecast.QuarterForecast  # the Forecast page's quarter view, to the cent
    quarter_label: str
    committed_lines: pl.DataFrame  # the lines between ARR now and committed ARR (signed; cancellations announced)

    # constant currency: both ends of the window at its first day's rates; the day's ARR at the day's; each
    # renewal at its day's month's; movements at each month's (their fx movement worked out again)
    MONEY: ClassVar = {"window": Money(WINDOW_MONEY, "year_ago"), "arr_year_ago": Money(at="year_ago"),
                       "due": Money(forecast.RENEWAL_MONEY, "renewal_date"),
                       "movements": Money(kind="movements"), "accounts": Money(("mrr", "arr"), "as_of"),
                       "window_accounts": Money(("mrr_start", "mrr_end", "change"), "year_ago"),
                       "quarter_forecast": Money(), "committed_lines": Money(("arr",), "as_of")}

    @property
    def arr_now(self) -> float:
        """ARR on the as-of day: Σ 12 × MRR of the active accounts."""
        return float(self.accounts["arr"].sum())

    @property
    def committed(self) -> dict:
        """Committed ARR on the as-of day: ARR now + signed, not yet live − announced cancellations."""
        return economics.committed_figures(self.as_of, self.arr_now, self.committed_lines)

    @property
    def arr_growth(self) -> float | None:
        """ARR now against a year ago, less one (None without ARR a year ago)."""
        return self.arr_now / self.arr_year_ago - 1 if self.arr_year_ago else None

    @property
    def by_segment(self) -> pl.DataFrame:
        """ARR on the as-of day by segment."""
        return metrics.arr_by_attribute(self.accounts, "segment")

    @property
    def quarter(self) -> dict:
        """This fiscal quarter's figures."""
        return self.quarter_forecast.summary

    @property
    def customers(self) -> int:
        """Paying customers on the as-of day: the accounts active on it (metrics.md "Time and money")."""
        return self.accounts.height

    @property
    def due_arr(self) -> float:
        """ARR due in the next 90 days (the forecast's due set)."""
        return float(self.due["due_arr"].sum())


def read(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> Overview:
    """ARR now and a year ago, trailing-12-month retention and its trend, renewals due, movements; money in
    ``currency`` (None: the reporting currency), converted once, here."""
    year_ago = dates.add_months(as_of, -12)
    shown = money.converter(con, currency)
    scores = scores_of(con)  # the score status read once for the call
    # the trailing year's snapshot, read once: its figures, the ARR a year ago and the accounts behind them
    snapshot = metrics.mrr_on_days(con, year_ago, as_of, filters)
    return shown.result(Overview(
        as_of=as_of,
        year_ago=year_ago,
        currency=shown.base,
        window=metrics.window_metrics_from_snapshot(snapshot, year_ago, as_of),
        arr_year_ago=metrics.start_arr(snapshot),
        # the forecast's due set as of the day, one row per window renewal (metrics.md: one due set everywhere)
        due=renewals.window_renewals(book.renewal_rows(con, as_of, DUE_WINDOW_DAYS, filters, scores)),
        trend=metrics.trailing_retention_trend(con, as_of, 12, filters),
        movements=metrics.monthly_movements(con, dates.add_months(as_of, -24), dates.month_floor(as_of), filters),
        accounts=metrics.accounts_on_day(con, as_of, filters),
        window_accounts=metrics.window_accounts(con, year_ago, as_of, filters, snapshot),
        quarter_forecast=book.quarter_forecast_for(con, quarters.quarter_of(as_of), as_of, filters, scores),
        quarter_label=quarters.quarter_of(as_of).label,
        committed_lines=economics.committed_lines(con, as_of, filters, scores),
    ))


def movement_accounts(con, month: dt.date, filters: Filters = ALL, currency: str | None = None) -> pl.DataFrame:
    """The accounts behind one month's movements, money in ``currency`` (None: the reporting currency)."""
    # converted before the filter: an account without an fx change in one currency can have one in another
    accounts = metrics.month_accounts(con, month, filters)
    moved = metrics.moved_or_revalued(money.converter(con, currency).movement_accounts(accounts))
    names = sql.run(con, "lookups/account_directory", **filters.params()).select("account_id", "name")
    return moved.join(names, on="account_id", how="left")


def as_json(data: Overview) -> dict:
    """The Overview's headline figures in the command line's form (cli.md ``overview``)."""
    return {"as_of": data.as_of.isoformat(), "arr": data.arr_now, "arr_year_ago": data.arr_year_ago,
            "grr": data.window["grr"], "nrr": data.window["nrr"], "logo_churn_rate": data.window["logo_churn_rate"],
            "due_90_arr": data.due_arr, "n_due_90": data.due.height}


def cards(data: Overview) -> dict[str, float | None]:
    """The Overview's cards: registered figure → value (the page and the command line's readable output)."""
    return {"arr_now": data.arr_now, "arr_year_ago": data.arr_year_ago, "grr_12m": data.window["grr"],
            "nrr_12m": data.window["nrr"], "logo_churn_12m": data.window["logo_churn_rate"],
            "due_90_arr": data.due_arr, "quarter_due_arr": data.quarter["due_arr"],
            "quarter_renewed_arr_gross": data.quarter["renewed_arr_gross"],
            "quarter_churned_arr": data.quarter["churned_due_arr"], "quarter_open_arr": data.quarter["open_due_arr"],
            "quarter_projected_grr": data.quarter["projected_grr"],
            "quarter_gap_to_plan_arr": data.quarter["gap_to_plan_arr"],
            "committed_arr": data.committed["committed_arr"],
            "signed_not_live_arr": data.committed["signed_not_live_arr"],
            "announced_cancellations_arr": data.committed["announced_cancellations_arr"]}
