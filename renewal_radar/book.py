"""The book of record: the scoring stage's stored rows, read the same way by every page, pack and command.

One path for scores: every read asks a day (:class:`renewal_radar.day_book.Day`) for a part (the accounts, one
account, health, the renewals, the rollup, the forecast method). A day the scoring stage stored is read from its
tables; any other day is scored live with the same functions (``scoring``), only for the part asked for, so a
stored and a live figure never differ. :class:`~renewal_radar.day_book.Scores` keeps the days a caller has
scored: the reader layer holds one per process (``readers.common.SCORES``); Streamlit caches each reader's result
by its parameters (``ui.compute``).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import (
    dates,
    db,
    figures,
    forecast,
    forecast_method,
    health,
    quarter_forecast,
    quarters,
    renewals,
    risk,
    scoring,
    settings,
    sql,
)
from renewal_radar.day_book import Reading, Scores, ScoreStatus, day_of, reading_of, rows_of_days, status
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of, reporting_currency

# the day machinery callers name through the book: Scores for a holder, a Reading for one call, status
__all__ = ["Reading", "ScoreStatus", "Scores", "reading_of", "rows_of_days", "status"]

# ---------------------------------------------------------------- accounts


def account_score(con, as_of: dt.date, account_id: str, scores: Scores | Reading | None = None) -> dict | None:
    """One account's row of :func:`account_scores` (None when it was not active on ``as_of``)."""
    found = _with_drivers_and_arr(con, reading_of(con, scores).rows(con, as_of, "account", account_id=account_id),
                                  True, as_of)
    return found.row(0, named=True) if found.height else None


def account_scores(con, as_of: dt.date, filters: Filters = ALL, with_drivers: bool = True,
                   scores: Scores | Reading | None = None) -> pl.DataFrame:
    """Health, band, components, churn probability, ARR, expected churned ARR and top drivers (in words, unless
    ``with_drivers`` is False) of each filtered account active on ``as_of``, largest expected churned ARR first."""
    scored = reading_of(con, scores).rows(con, as_of, "accounts", filters)
    return _with_drivers_and_arr(con, scored, with_drivers, as_of)


def account_history(con, account_id: str, start: dt.date, end: dt.date,
                    scores: Scores | Reading | None = None) -> pl.DataFrame:
    """The account's scores on every stored day in [start, end]; before the book has any scores stored, its health
    at each month start, scored live (the stage's health without the churn model)."""
    if reading_of(con, scores).status.stored_days:
        return sql.run(con, "stored/account_history", account_id=account_id, start=start, end=end)
    sources = health.source_rows(con)
    return health.score(health.signals(sql.run(con, "reports/account_features_of", account_id=account_id,
                                               start=start, end=end), sources))


def expansion_sources(con, as_of: dt.date, filters: Filters = ALL,
                      scores: Scores | Reading | None = None) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """What the Expansion signals of a day read from the scoring stage: (usage signals, the whole book's
    signals). The whole book on the scored as-of day: its stored signals; a filtered view of a stored day: its
    stored usage signals; any other day: neither (the signals are computed live)."""
    stored_day = _signals_stored(con, as_of, scores)
    stored = sql.run(con, "stored/expansion_signals") if stored_day and filters == ALL else None
    usage = sql.run(con, "stored/usage_signals", as_of=as_of) if stored_day and stored is None else None
    return usage, stored


def stored_signals_of(con, as_of: dt.date, account_id: str,
                      scores: Scores | Reading | None = None) -> pl.DataFrame | None:
    """One account's stored expansion signals on the scored as-of day (None on any other day: computed live)."""
    if not _signals_stored(con, as_of, scores):
        return None
    return sql.run(con, "stored/expansion_signals_of_account", account_id=account_id)


def _signals_stored(con, as_of: dt.date, scores: Scores | Reading | None = None) -> bool:
    """True when the scoring stage stored the expansion signals of ``as_of`` (the scored as-of day)."""
    return as_of in reading_of(con, scores).usable and "expansion_signals" in db.table_names(con)


def _with_drivers_and_arr(con, scored: pl.DataFrame, with_drivers: bool, as_of: dt.date) -> pl.DataFrame:
    # MRR on the day at the day's rates (a reader converts it with ARR and the expected churned ARR: SCORE_MONEY)
    texts = risk.drivers_texts(scored, driver_sources(con)) if with_drivers else None
    return scored.with_columns(
        pl.Series("top_drivers", texts, dtype=pl.String) if texts is not None else pl.lit(None, pl.String)
        .alias("top_drivers"), figures.arr().alias("arr"),
    ).with_columns(figures.expected_churn_arr().alias("expected_churn_arr")).sort(
        "expected_churn_arr", descending=True, nulls_last=True)


SCORE_MONEY = ("mrr", "arr", "expected_churn_arr")  # an account's scores: money on the scored day


def driver_sources(con, currency: str | None = None) -> dict:
    """What the drivers' words read besides the account's own values: rows per signal source (the feature count)
    and the currency the words name (default: the reporting currency, the one the model's features are in)."""
    return {**health.source_rows(con), "currency": currency or reporting_currency(con)}


def with_driver_words(con, rows: pl.DataFrame, currency: str | None = None) -> pl.DataFrame:
    """Scored ``rows`` with their drivers in words again, naming ``currency``: a reader that converted the rows'
    MRR words them after, so an amount is written in the currency it is in."""
    if rows.is_empty() or "drivers" not in rows.columns:
        return rows
    return rows.with_columns(pl.Series("top_drivers", risk.drivers_texts(rows, driver_sources(con, currency)),
                                       dtype=pl.String))


def health_scores(con, as_of: dt.date, filters: Filters = ALL, scores: Scores | Reading | None = None) -> pl.DataFrame:
    """The health score of each filtered account active on ``as_of`` (account_id, health_score)."""
    return reading_of(con, scores).rows(con, as_of, "health", filters)


# ---------------------------------------------------------------- renewals and the forecast


def renewal_rows(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL,
                 scores: Scores | Reading | None = None) -> pl.DataFrame:
    """The renewals of filtered accounts due in [as_of, as_of + horizon) with their probabilities (≤ 365 days),
    money in the reporting currency (forecast.RENEWAL_MONEY); read once per reading for the widest horizon asked."""
    horizon_days = min(horizon_days, scoring.MAX_HORIZON_DAYS)
    return reading_of(con, scores).rows(con, as_of, "renewals", filters, horizon_days=horizon_days)


def renewal_risk_sources(con, as_of: dt.date, filters: Filters = ALL,
                          scores: Scores | Reading | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What marks a renewal at risk, and no more: each filtered account's health band on ``as_of`` (account_id,
    band) and each renewal due in the year with its chance (account_id, renewal_date, probability)."""
    reading = reading_of(con, scores)
    return (reading.rows(con, as_of, "bands", filters),
            reading.rows(con, as_of, "renewal_probabilities", filters, horizon_days=scoring.MAX_HORIZON_DAYS))


def next_renewal(con, as_of: dt.date, account_id: str, scores: Scores | Reading | None = None) -> dict | None:
    """The account's first renewal due in the year from ``as_of`` with its probability (None without one): its
    own rows, not the book's."""
    upcoming = reading_of(con, scores).rows(con, as_of, "account_renewals", account_id=account_id,
                                             horizon_days=scoring.MAX_HORIZON_DAYS)
    return upcoming.sort("renewal_date").row(0, named=True) if upcoming.height else None


def history_rollup(con, days: list[dt.date], filters: Filters = ALL,
                   scores: Scores | Reading | None = None) -> pl.DataFrame:
    """The trailing-year renewal sums of ``days`` for the filtered accounts."""
    return rows_of_days(con, reading_of(con, scores).days(con, days), "rollup", filters)


def forecast_for(con, as_of: dt.date, horizon_days: int | None = None, filters: Filters = ALL,
                 scores: Scores | Reading | None = None) -> forecast.Forecast:
    """The forecast of renewals due in [as_of, as_of + horizon), one row per window renewal: the one due set
    every page and command uses."""
    scores = reading_of(con, scores)  # one holder: a day that is not stored is scored once for the three reads
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    due = renewals.window_renewals(renewal_rows(con, as_of, horizon_days, filters, scores))
    return forecast.Forecast(due,
                             history_rollup(con, [as_of], filters, scores), as_of, horizon_days,
                             forecast_method.method_json(method_for(con, as_of, scores)))


def team_members(con) -> pl.DataFrame:
    """team.csv as loaded: each CSM owner's manager and team (empty without one)."""
    if "stg_team" not in db.table_names(con):
        return pl.DataFrame(schema={"csm_owner": pl.String, "manager": pl.String, "team": pl.String,
                                    "email": pl.String})
    return sql.run(con, "reports/team_members")


def quarter_targets(con, quarter: quarters.Quarter) -> pl.DataFrame:
    """The plan's rows for ``quarter`` (empty without targets.csv), written in the reporting currency."""
    if "stg_targets" not in db.table_names(con):
        return pl.DataFrame(schema={"quarter": pl.String, "segment": pl.String, "team": pl.String,
                                    "target_grr": pl.Float64, "target_renewed_arr": pl.Float64})
    return sql.run(con, "lookups/quarter_targets", quarter=quarter.label)


def _quarter_prices(con, outcomes: pl.DataFrame, as_of: dt.date, quarter: quarters.Quarter,
                    filters: Filters, scores: Reading) -> pl.DataFrame:
    """The forecast rows that price the quarter's open renewals: the as-of day's for those still ahead, the
    month start's before each one still in its grace period."""
    frames = []
    if quarter.end > as_of:
        frames.append(renewal_rows(con, as_of, (quarter.end - as_of).days, filters, scores))
    past = outcomes.filter((pl.col("outcome") == "open") & (pl.col("renewal_date") < as_of))
    for day in sorted({dates.month_floor(day) for day in past["renewal_date"].to_list()}):
        # the five columns that price them, not the month start's whole rows
        frames.append(scores.rows(con, day, "renewal_prices", filters, horizon_days=62))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(
        schema={"account_id": pl.String, "renewal_date": pl.Date, "probability": pl.Float64,
                "source": pl.String, "category": pl.String})


def quarter_forecast_for(con, quarter: quarters.Quarter, as_of: dt.date, filters: Filters = ALL,
                         scores: Scores | Reading | None = None) -> quarter_forecast.QuarterForecast:
    """The fiscal quarter's renewals as of ``as_of``: renewed, churned and open, the open ones priced by the
    forecast, the projected GRR and NRR and the plan (metrics.md "Quarter forecast")."""
    scores = reading_of(con, scores)
    outcomes = renewals.renewal_outcomes(con, quarter.start, quarter.end, as_of, filters=filters)
    contraction, expansion, trailing = forecast.rollup_ratios(history_rollup(con, [as_of], filters, scores))
    priced = _quarter_prices(con, outcomes, as_of, quarter, filters, scores)
    # each event priced, then one window renewal per account and billing period (metrics.md "Renewals in a window")
    priced_events = quarter_forecast.with_open_probabilities(outcomes, priced, trailing)
    rows = quarter_forecast.with_projection(renewals.window_renewals(priced_events), contraction, expansion)
    team = team_members(con)
    rows = rows.join(team.select("csm_owner", "manager", "team"), on="csm_owner", how="left")
    targets = quarter_targets(con, quarter)
    return quarter_forecast.QuarterForecast(rows, quarter.start, targets, _whole_book_target(targets, filters))


def _whole_book_target(targets: pl.DataFrame, filters: Filters) -> dict | None:
    """The plan's row for the view: the whole book's when nothing narrows it, a segment's when one is picked."""
    if filters.is_empty:
        found = targets.filter(pl.col("segment").is_null() & pl.col("team").is_null())
    elif len(filters.segments) == 1 and not (filters.owners or filters.regions or filters.bill_periods):
        found = targets.filter((pl.col("segment") == next(iter(filters.segments))) & pl.col("team").is_null())
    else:
        return None
    return found.row(0, named=True) if found.height else None


def method_for(con, as_of: dt.date, scores: Scores | Reading | None = None) -> dict | None:
    """The forecast method chosen for ``as_of`` and the errors that chose it (forecast_methods)."""
    return day_of(con, as_of, scores).method(con)


def forecast_backtest(con, horizon_days: int | None = None, filters: Filters = ALL,
                      scores: Scores | Reading | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The forecast of each month start of the past year against what happened, and its calibration table, in
    the reporting currency: the stored backtest for the default horizon and no filter, else judged from the
    stored forecasts of those days (days that are not stored are scored live)."""
    scores = reading_of(con, scores)
    return (stored_backtest(con, horizon_days, filters, scores)
            or backtest_rows(con, horizon_days, filters, scores).judged())


def stored_backtest(con, horizon_days: int | None = None, filters: Filters = ALL,
                    scores: Scores | Reading | None = None) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The scoring stage's backtest and calibration when it answers the question (the default horizon, no
    filter, fresh scores), else None."""
    if filters.is_empty and (horizon_days or settings.get("forecast_horizon_days")) == settings.get(
            "forecast_horizon_days") and reading_of(con, scores).status.fresh:
        return sql.run(con, "stored/forecast_backtest"), sql.run(con, "stored/forecast_calibration")
    return None


def backtest_rows(con, horizon_days: int | None = None, filters: Filters = ALL,
                  scores: Scores | Reading | None = None) -> forecast.Backtest:
    """What the backtest of the past year's month starts is judged from (money in the reporting currency)."""
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    days = forecast.backtest_days(data_as_of(con), horizon_days)
    scored = reading_of(con, scores).days(con, days)  # one read for every stored day, live for the rest
    rows = rows_of_days(con, scored, "renewals", filters, horizon_days=min(horizon_days, scoring.MAX_HORIZON_DAYS))
    actual = forecast.actual_outcomes(con, min(days), max(days) + dt.timedelta(days=horizon_days), filters)
    return forecast.Backtest(rows, rows_of_days(con, scored, "rollup", filters), actual, days, horizon_days)


def risk_backtest(con) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored churn-risk backtest by month and the churn rate by health band (empty when not stored)."""
    if "risk_backtest" not in db.table_names(con):
        return pl.DataFrame(), pl.DataFrame()
    return sql.run(con, "stored/risk_backtest"), sql.run(con, "stored/risk_band_rates")
