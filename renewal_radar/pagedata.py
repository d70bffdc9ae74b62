"""Everything a page shows, computed in one call per page.

Pages call these through ``ui.compute`` (one cache entry per page and
parameters); the benchmarks call the same functions, so they time exactly
the work behind each page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import datastatus, dates, metrics, renewals
from renewal_radar.filters import ALL, Filters

DUE_WINDOW_DAYS = 90


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
    trend: pl.DataFrame
    by_segment: pl.DataFrame
    movements: pl.DataFrame
    accounts: pl.DataFrame
    window_accounts: pl.DataFrame


def overview(con, as_of: dt.date, filters: Filters = ALL) -> Overview:
    """ARR now and a year ago, trailing-12-month retention and its trend, renewals due, movements."""
    year_ago = dates.add_months(as_of, -12)
    accounts = metrics.accounts_on_day(con, as_of, filters)
    return Overview(
        as_of=as_of,
        year_ago=year_ago,
        currency=metrics.reporting_currency(con),
        window=metrics.window_metrics(con, year_ago, as_of, filters),
        arr_now=float(accounts["arr"].sum()),
        arr_year_ago=12 * metrics.mrr_total(con, year_ago, filters),
        due=renewals.renewal_outcomes(con, as_of, as_of + dt.timedelta(days=DUE_WINDOW_DAYS), None, None, filters),
        trend=metrics.trailing_retention_trend(con, as_of, 12, filters),
        by_segment=metrics.arr_by_attribute(accounts, "segment"),
        movements=metrics.monthly_movements(con, dates.add_months(as_of, -24), dates.month_floor(as_of), filters),
        accounts=accounts,
        window_accounts=metrics.window_accounts(con, year_ago, as_of, filters),
    )


@dataclass(frozen=True)
class DataStatus:
    """The figures of the Data page."""

    meta: dict
    profile: pl.DataFrame
    missing: pl.DataFrame
    warnings: pl.DataFrame
    history: pl.DataFrame


def data_status(con) -> DataStatus:
    """Tables, freshness, warnings, missing files and import history."""
    profile = datastatus.table_profile(con)
    return DataStatus(
        meta=datastatus.import_meta(con),
        profile=profile,
        missing=profile.filter(~profile["loaded"]).select("table_name", "unlocks"),
        warnings=datastatus.import_warnings(con),
        history=datastatus.import_history(con),
    )
