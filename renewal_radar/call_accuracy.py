"""Whose calls can we trust: the CRM's forecast calls on past days against what renewed, per CSM and team.

On each backtest day (the month starts of the past year whose renewals in the horizon are decided) every renewal
with a CRM call carries the call as it stood that day (the opportunity history; without one, only opportunities
already closed count, so nothing is judged). Per CSM, per team and for the whole book: the share of ARR called
Commit, Best Case and Pipeline that renewed (ARR-weighted), and the error of the called forecast
(Σ CRM probability × ARR due) against the gross renewed ARR beside the model's on the same renewals.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import book, db, figures, forecast, renewals, scoring, settings, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of

CALLED = ("Commit", "Best Case", "Pipeline")
SHARE_COLUMNS = {"Commit": "commit_renewed_share", "Best Case": "best_case_renewed_share",
                 "Pipeline": "pipeline_renewed_share"}


def has_history(con) -> bool:
    """True when an opportunity history export is loaded (the calls of past days are known)."""
    if "stg_opportunity_history" not in db.table_names(con):
        return False
    return bool(sql.run(con, "lookups/opportunity_history_count")["changes"][0])


STORED_TABLE = "call_judgements"  # the scoring stage's judged calls: the default horizon, every account


def judged_calls(con, horizon_days: int | None = None, filters: Filters = ALL,
                 scores: book.Scores | book.Reading | None = None) -> pl.DataFrame:
    """The renewals the CRM had called on each backtest day, with what renewed, their CSM and team (money in the
    reporting currency: CALL_MONEY, at the renewal day's month). The default horizon is read from what the
    scoring stage stored, narrowed to the filtered accounts (every row is one account's); any other horizon, or
    scores made with other settings, is judged here."""
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    reading = book.reading_of(con, scores)
    if _stored_answers(con, horizon_days, reading):
        return sql.run_in_stored_order(con, "stored/call_judgements", **filters.params())
    return judge_calls(con, horizon_days, filters, reading)


def store(con) -> None:
    """Judge the calls of the default horizon from the scores just stored, and store them (the scoring stage;
    nothing without an opportunity history, where the page says so instead)."""
    db.drop_table(con, STORED_TABLE)  # an import without the history leaves none behind
    if has_history(con):
        judged = judge_calls(con, settings.get("forecast_horizon_days"), ALL, book.Scores().reading(con))
        db.replace_table(con, STORED_TABLE, judged, keep_order=True)


def _stored_answers(con, horizon_days: int, reading: book.Reading) -> bool:
    return (horizon_days == settings.get("forecast_horizon_days") and reading.status.fresh
            and STORED_TABLE in db.table_names(con))


def judge_calls(con, horizon_days: int, filters: Filters, reading: book.Reading) -> pl.DataFrame:
    """:func:`judged_calls` worked out from the stored (or live) renewal scores of the backtest days."""
    days = forecast.backtest_days(data_as_of(con), horizon_days)
    scored = book.rows_of_days(con, reading.days(con, days), "renewals", filters,
                               horizon_days=min(horizon_days, scoring.MAX_HORIZON_DAYS))
    # each day's window renewals the CRM had called, against what happened to them (metrics.md "Renewals in a
    # window": a monthly line is judged once per day, churned if it left in any month of the window)
    rows = renewals.windows_by_day(scored, horizon_days).filter(pl.col("source") == "crm")
    events = forecast.actual_outcomes(con, min(days), max(days) + dt.timedelta(days=horizon_days), filters)
    actual = forecast.actual_windows(events, days, horizon_days)
    team = book.team_members(con).select("csm_owner", "manager", "team")
    return rows.join(actual.select(*forecast.WINDOW_KEYS, "actual_gross"), on=forecast.WINDOW_KEYS,
                     how="left").with_columns(pl.col("actual_gross").fill_null(0.0)).join(
        team, on="csm_owner", how="left")


CALL_MONEY = (*forecast.RENEWAL_MONEY, "actual_gross")


def _error(column: str) -> pl.Expr:
    """|forecast − actual| / actual, named after the forecast (called_error, model_error)."""
    return ((pl.col(column) - pl.col("actual_arr")).abs() / pl.col("actual_arr")).alias(
        column.replace("_forecast_arr", "_error"))


def accuracy(calls: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per group of ``by`` (none: the whole book): renewals and ARR called, the renewed share of each call and
    the called forecast's error beside the model's."""
    called = figures.weighted_forecast_arr("crm_probability")
    model = figures.weighted_forecast_arr("model_probability")
    shares = [(pl.col("actual_gross").filter(pl.col("crm_category") == category).sum()
               / pl.col("due_arr").filter(pl.col("crm_category") == category).sum()).alias(column)
              for category, column in SHARE_COLUMNS.items()]
    sums = [pl.len().alias("renewals"), pl.col("due_arr").sum().alias("called_arr"), *shares,
            called.sum().alias("called_forecast_arr"), model.sum().alias("model_forecast_arr"),
            pl.col("actual_gross").sum().alias("actual_arr")]
    keyed = calls.with_columns(*[pl.col(column).fill_null("(none)") for column in by])
    grouped = keyed.group_by(by).agg(sums) if by else keyed.select(sums)
    return grouped.with_columns(_error("called_forecast_arr"), _error("model_forecast_arr")).with_columns(
        pl.col(c).fill_nan(None) for c in (*SHARE_COLUMNS.values(), "called_error", "model_error")).sort(
        by or "renewals")
