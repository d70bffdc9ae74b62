"""Views of a forecast's renewals: the breakdown by a column, the forecast meeting's list of strong
disagreements between the CRM and the model, and the calendar's columns."""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import figures, settings


def breakdown(due: pl.DataFrame, by: str) -> pl.DataFrame:
    """Renewals, ARR due and weighted forecast by a column of the forecast's renewals, largest ARR due first."""
    return due.with_columns(pl.col(by).cast(pl.String).fill_null("(no CRM call)")).group_by(by).agg(
        pl.len().alias("renewals"), pl.col("due_arr").sum(),
        figures.weighted_forecast_arr().sum().alias("forecast_arr")).sort("due_arr", descending=True)


def call_disagreements(due: pl.DataFrame) -> pl.DataFrame:
    """Renewals where the CRM call and the model disagree strongly, largest ARR at stake first (the forecast
    meeting's list): Commit or Closed Won with the model below ``called_high_model_below``, Omitted or Pipeline
    with it above ``called_low_model_above`` (settings); booked renewals are decided and left out."""
    called_high = pl.col("crm_category").is_in(["Commit", "Closed Won"]) & (
        pl.col("model_probability") < settings.get("called_high_model_below"))
    called_low = pl.col("crm_category").is_in(["Omitted", "Pipeline"]) & (
        pl.col("model_probability") > settings.get("called_low_model_above"))
    flagged = due.filter((called_high | called_low) & (pl.col("source") != "booked"))
    stake = (pl.col("due_arr") * (pl.col("crm_probability") - pl.col("model_probability")).abs()).alias("arr_at_stake")
    return flagged.with_columns(stake).sort("arr_at_stake", descending=True)


def with_calendar_columns(due: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The renewals with days left, whether the notice deadline passed unbooked, and the expected loss."""
    return due.with_columns(
        (pl.col("renewal_date") - pl.lit(as_of)).dt.total_days().alias("days_left"),
        ((pl.col("decision_date") < pl.lit(as_of)) & (pl.col("source") != "booked")).fill_null(False)
        .alias("notice_overdue"),
        figures.expected_renewal_loss_arr().alias("expected_loss_arr"))
