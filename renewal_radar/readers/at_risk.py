"""The At-risk page: every active account's health, trend, churn risk and expected churned ARR, the words of the
rows shown, why a score changed, and how well the scores predicted churn."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, dates, forecast, health, i18n, money, ninety_days, renewals, risk
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import t
from renewal_radar.money import Money
from renewal_radar.readers.common import scores_of


@dataclass(frozen=True)
class AtRisk:
    """The figures of the At-risk page."""

    as_of: dt.date
    currency: str
    accounts: pl.DataFrame
    missing_components: list[str]
    band_rates: pl.DataFrame
    stale: bool
    word_sources: dict  # what the drivers' words read (words)
    band_counts: dict   # accounts per health band
    red_below: float           # the health score below which an account is red (health.toml)
    due_90: pl.DataFrame       # the window renewals due in 90 days: what the churned ARR is set beside

    MONEY: ClassVar = {"accounts": Money(book.SCORE_MONEY, "as_of"),  # MRR and ARR on the day, at its rates
                       "due_90": Money(forecast.RENEWAL_MONEY, "renewal_date")}

    @property
    def expected_churn_arr(self) -> float:
        """Σ churn probability × ARR over the accounts."""
        return float(self.accounts["expected_churn_arr"].sum() or 0)

    @property
    def ninety_days(self) -> dict:
        """The expected churned ARR beside the Calendar's 90-day expected renewal loss, split by what each
        covers."""
        return ninety_days.reconcile(self.accounts, self.due_90)


def read(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> AtRisk:
    """Accounts active on ``as_of`` with health, trend since a month earlier, churn risk, drivers (by name) and
    whether band and risk disagree; and the churn rate by band from the backtest; money in ``currency`` (None:
    the reporting currency). The words (``top_drivers``, ``disagreement``) are left to :func:`words`, for the
    rows shown."""
    scores = scores_of(con)  # the score status read once for the call
    scored = book.account_scores(con, as_of, filters, with_drivers=False, scores=scores)
    previous = dates.add_months(dates.month_floor(as_of), -1)
    before = book.health_scores(con, previous, filters, scores).rename({"health_score": "health_month_ago"})
    scored = scored.join(before, on="account_id", how="left", maintain_order="left").with_columns(
        (pl.col("health_score") - pl.col("health_month_ago")).alias("health_change"),
        (pl.lit(as_of) + pl.duration(days=pl.col("days_to_renewal"))).alias("next_renewal"),
        risk.band_disagrees().alias("disagrees"),
    ).with_columns(health.trend_arrow(pl.col("health_change")).alias("trend"))
    sources = health.source_rows(con)
    available = health.available_components(sources)
    missing = [t("{component} (needs {file})", component=t(c.label), file=i18n.alternatives(
        [f"`{name}`" for name in health.SOURCE_FILES[health.SOURCES[c.name]]]))
               for c in health.load_settings().components if not available[c.name]]
    _, band_rates = book.risk_backtest(con)
    bands = scored["band"].value_counts()
    shown = money.converter(con, currency)
    return shown.result(AtRisk(as_of, shown.base, scored, missing, band_rates, scores.status.stale,
                               book.driver_sources(con, shown.currency),
                               dict(zip(bands["band"], bands["count"], strict=True)), health.load_settings().red_below,
                               _due_in_90_days(con, as_of, filters, scores)))


def _due_in_90_days(con, as_of: dt.date, filters: Filters, scores: book.Reading) -> pl.DataFrame:
    rows = book.renewal_rows(con, as_of, risk.HORIZON_DAYS, filters, scores)
    return renewals.window_renewals(rows).select("account_id", "renewal_date", "probability", *forecast.RENEWAL_MONEY)


def words(rows: pl.DataFrame, sources: dict) -> pl.DataFrame:
    """``rows`` of :func:`read` with their drivers and disagreements in words, for the rows asked for only."""
    return risk.worded(rows, sources)


def track_record(con) -> pl.DataFrame:
    """The churn-risk and health backtest over the past year (independent of the sidebar filters)."""
    return book.risk_backtest(con)[0]


def health_change(con, account_id: str, before: dt.date, after: dt.date) -> pl.DataFrame:
    """Why an account's health moved between two month starts: points per component."""
    history = health.health_history(con, min(before, after), max(before, after)).filter(
        pl.col("account_id") == account_id)
    rows = {row["as_of"]: row for row in history.iter_rows(named=True)}
    if before not in rows or after not in rows:
        return pl.DataFrame()
    return health.explain_change(rows[before], rows[after])
