"""The Overview page: ARR now and a year ago, trailing-12-month retention and its trend, renewals due, this
fiscal quarter, movements, and the accounts behind each number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import book, dates, metrics, money, quarters, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.readers.common import SCORES

DUE_WINDOW_DAYS = 90
WINDOW_MONEY = ("start_mrr", "churned_mrr", "contraction_mrr", "expansion_mrr")


@dataclass(frozen=True)
class Overview:
    """The figures of the Overview page."""

    as_of: dt.date
    year_ago: dt.date
    currency: str
    window: dict
    arr_now: float
    arr_year_ago: float
    due: pl.DataFrame
    arr_growth: float | None
    trend: pl.DataFrame
    by_segment: pl.DataFrame
    movements: pl.DataFrame
    accounts: pl.DataFrame
    window_accounts: pl.DataFrame
    quarter: dict            # this fiscal quarter's figures: the Forecast page's quarter view, to the cent
    quarter_label: str

    @property
    def customers(self) -> int:
        """Paying customers on the as-of day: the accounts active on it (metrics.md "Time and money")."""
        return self.accounts.height

    @property
    def due_arr(self) -> float:
        """ARR due in the next 90 days (the forecast's due set)."""
        return float(self.due["due_arr"].sum())


def read(con, as_of: dt.date, filters: Filters = ALL) -> Overview:
    """ARR now and a year ago, trailing-12-month retention and its trend, renewals due, movements."""
    year_ago = dates.add_months(as_of, -12)
    shown = money.converter(con)
    accounts = shown.frame(metrics.accounts_on_day(con, as_of, filters), ("mrr", "arr"), as_of)
    arr_now = float(accounts["arr"].sum())
    arr_year_ago = shown.amount(metrics.arr_total(con, year_ago, filters), year_ago)
    return Overview(
        as_of=as_of,
        year_ago=year_ago,
        currency=shown.currency,
        # constant currency: both ends of the window at its first day's rates
        window=shown.record(metrics.window_metrics(con, year_ago, as_of, filters), WINDOW_MONEY, year_ago),
        arr_now=arr_now,
        arr_year_ago=arr_year_ago,
        # the forecast's due set as of the day (metrics.md: one due set everywhere)
        due=book.renewal_rows(con, as_of, DUE_WINDOW_DAYS, filters, SCORES),
        arr_growth=arr_now / arr_year_ago - 1 if arr_year_ago else None,
        trend=metrics.trailing_retention_trend(con, as_of, 12, filters),
        by_segment=metrics.arr_by_attribute(accounts, "segment"),
        movements=shown.movements(metrics.monthly_movements(con, dates.add_months(as_of, -24),
                                                            dates.month_floor(as_of), filters)),
        accounts=accounts,
        window_accounts=shown.frame(metrics.window_accounts(con, year_ago, as_of, filters),
                                    ("mrr_start", "mrr_end", "change"), year_ago),
        quarter=book.quarter_forecast_for(con, quarters.quarter_of(as_of), as_of, filters, SCORES).summary,
        quarter_label=quarters.quarter_of(as_of).label,
    )


def movement_accounts(con, month: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """The accounts behind one month's movements, money in the currency it is shown in."""
    # converted before the filter: an account without an fx change in one currency can have one in another
    accounts = metrics.month_accounts(con, month, filters)
    moved = metrics.moved_or_revalued(money.converter(con).movement_accounts(accounts))
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
            "quarter_gap_to_plan_arr": data.quarter["gap_to_plan_arr"]}
