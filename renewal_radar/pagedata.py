"""Everything a page shows, computed in one call per page.

Pages call these through ``ui.compute`` (one cache entry per page and
parameters); the benchmarks call the same functions, so they time exactly
the work behind each page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import datastatus, dates, forecast, health, metrics, renewals, risk
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


@dataclass(frozen=True)
class AtRisk:
    """The figures of the At-risk page."""

    as_of: dt.date
    currency: str
    accounts: pl.DataFrame
    missing_components: list[str]


def at_risk(con, as_of: dt.date, filters: Filters = ALL) -> AtRisk:
    """Accounts active on ``as_of`` with health, trend since a month earlier, churn risk and drivers."""
    scored = risk.risk_on(con, as_of, filters)
    previous = dates.add_months(dates.month_floor(as_of), -1)
    before = health.health_history(con, previous, previous).select(
        "account_id", pl.col("health_score").alias("health_month_ago"))
    scored = scored.join(before, on="account_id", how="left").with_columns(
        (pl.col("health_score") - pl.col("health_month_ago")).alias("health_change"),
        (pl.lit(as_of) + pl.duration(days=pl.col("days_to_renewal"))).alias("next_renewal"))
    sources = health.source_rows(con)
    available = health.available_components(sources)
    missing = [f"{c.label} (needs {health.SOURCE_FILES[health.SOURCES[c.name]]})"
               for c in health.load_settings().components if not available[c.name]]
    return AtRisk(as_of, metrics.reporting_currency(con), scored, missing)


def risk_backtest(con) -> pl.DataFrame:
    """The churn-risk and health backtest over the past year (independent of the sidebar filters)."""
    return risk.backtest(con, metrics.data_as_of(con))


def health_change(con, account_id: str, before: dt.date, after: dt.date) -> pl.DataFrame:
    """Why an account's health moved between two month starts: points per component."""
    history = health.health_history(con, min(before, after), max(before, after)).filter(
        pl.col("account_id") == account_id)
    rows = {row["as_of"]: row for row in history.iter_rows(named=True)}
    if before not in rows or after not in rows:
        return pl.DataFrame()
    return health.explain_change(rows[before], rows[after])


def month_starts(con, as_of: dt.date, months: int = 12) -> list[dt.date]:
    """The last ``months`` month starts up to ``as_of``, newest first (for history pickers)."""
    latest = dates.month_floor(as_of)
    return [dates.add_months(latest, -step) for step in range(months)]


def renewal_forecast(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL) -> forecast.Forecast:
    """The forecast of renewals due in [as_of, as_of + horizon) (Forecast and Renewal calendar pages)."""
    return forecast.forecast(con, as_of, horizon_days, filters)


def forecast_backtest(con, horizon_days: int, filters: Filters = ALL) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The forecast's track record over the past year and its calibration table."""
    return forecast.backtest(con, horizon_days, 12, filters)


def reporting_currency(con) -> str:
    """The reporting currency of the loaded data."""
    return metrics.reporting_currency(con)


def account_view(con, account_id: str, as_of: dt.date):
    """One account in full (the Account page)."""
    from renewal_radar import account

    return account.view(con, account_id, as_of)


def account_choices(con, filters: Filters = ALL) -> pl.DataFrame:
    """Accounts for the Account page's picker."""
    from renewal_radar import account

    return account.search(con, filters)


def review_pack_files(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[bytes, bytes]:
    """The business-review pack of one account and period, as PDF and PPTX bytes."""
    from renewal_radar import review_pack

    pack = review_pack.build(con, account_id, start, end, as_of, metrics.reporting_currency(con))
    return review_pack.to_pdf(pack), review_pack.to_pptx(pack)


@dataclass(frozen=True)
class Expansion:
    """The figures of the Expansion page."""

    currency: str
    signals: pl.DataFrame
    ranked: pl.DataFrame
    whitespace: pl.DataFrame


def expansion_page(con, as_of: dt.date, filters: Filters = ALL) -> Expansion:
    """Expansion signals across accounts, ranked by potential ARR, and the accounts × products whitespace."""
    from renewal_radar import expansion, sql

    found = expansion.signals(con, as_of, filters)
    directory = sql.run(con, "reports/account_directory", **filters.params()).select(
        "account_id", "name", "segment", "csm_owner")
    products = sql.run(con, "reports/products_on", as_of=as_of, **filters.params())
    return Expansion(metrics.reporting_currency(con), found, expansion.ranked(found, directory),
                     expansion.whitespace(products))
