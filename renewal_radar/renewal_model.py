"""The renewal model: the chance that a renewal renews, from the segment's smoothed base rate and the account's
signals (a logistic fit on the book's own decided renewals, blended with the base rate by how much it knows).
``forecast`` scores each day's renewals with it (metrics.md "Renewal forecast")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from renewal_radar import settings
from renewal_radar.risk import logistic_pipeline

SIGNALS = ("signal_usage_trend", "signal_license_utilisation", "signal_feature_breadth", "signal_nps",
           "signal_support_load", "signal_csm_touch")
SMOOTHING = 10  # pseudo-renewals pulling a small segment's rate towards the overall rate
FEATURE_LEAD_DAYS = 45  # history: signals read about half a horizon before each renewal
MIN_TRAINING = 30


def _logit(p: pl.Expr) -> pl.Expr:
    clipped = p.clip(0.01, 0.99)
    return (clipped / (1 - clipped)).log()


def base_rates(decided: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Gross renewed share of ARR by segment and billing period, smoothed towards the overall share."""
    if not decided.height:
        return pl.DataFrame(schema={"segment": pl.String, "bill_period_months": pl.Int64,
                                    "base_rate": pl.Float64}), 0.85
    overall = float(decided["renewed_arr_gross"].sum() / decided["due_arr"].sum())
    share = pl.col("renewed_arr_gross") / pl.col("due_arr")
    rates = decided.group_by("segment", "bill_period_months").agg(
        (share.sum() + SMOOTHING * overall).truediv(pl.len() + SMOOTHING).alias("base_rate"))
    return rates, overall


def _with_base_rate(frame: pl.DataFrame, rates: pl.DataFrame, overall: float) -> pl.DataFrame:
    return frame.join(rates, on=["segment", "bill_period_months"], how="left", nulls_equal=True).with_columns(
        pl.col("base_rate").fill_null(overall))


def _model_inputs(frame: pl.DataFrame) -> np.ndarray:
    columns = [_logit(pl.col("base_rate")).alias("base_logit")]
    columns += [pl.col(s).cast(pl.Float64) for s in SIGNALS]
    return frame.select(columns).to_numpy()


@dataclass(frozen=True)
class RenewalModel:
    """Base rates plus, when there is enough history, the fitted regression and its blend weight."""

    rates: pl.DataFrame
    overall: float
    pipeline: object | None
    usable: tuple[int, ...]
    trained_on: int
    weight: float  # 1: the regression as fitted; 0: the base rate (the naive forecast)


def _training_rows(decided: pl.DataFrame, features: pl.DataFrame) -> pl.DataFrame:
    lead = (pl.col("renewal_date") - pl.duration(days=FEATURE_LEAD_DAYS)).dt.truncate("1mo").alias("as_of")
    decided = decided.with_columns(lead)
    # only the month starts the renewals read: the features of every scored day are millions of rows
    months = decided["as_of"].unique().implode()
    signals = features.filter(pl.col("as_of").is_in(months)).select("as_of", "account_id", *SIGNALS)
    return decided.join(signals, on=["as_of", "account_id"], how="left")


def _fit_pipeline(training: pl.DataFrame, usable: tuple[int, ...]):
    """Logistic regression on the gross renewed share: each renewal counts as renewed with weight ARR × share
    and as lost with weight ARR × (1 − share)."""
    inputs = _model_inputs(training)[:, usable]
    share = (training["renewed_arr_gross"] / training["due_arr"]).clip(0, 1).to_numpy()
    weight = training["due_arr"].to_numpy()
    stacked = np.vstack([inputs, inputs])
    labels = np.concatenate([np.ones(len(share)), np.zeros(len(share))])
    weights = np.concatenate([weight * share, weight * (1 - share)])
    keep = weights > 0
    if len(np.unique(labels[keep])) < 2:
        return None
    pipeline = logistic_pipeline()
    pipeline.fit(stacked[keep], labels[keep], logisticregression__sample_weight=weights[keep])
    return pipeline


def _blend_weight(training: pl.DataFrame, usable: tuple[int, ...]) -> float:
    """The mix of regression and base rate that fitted the latest third of the year best (ARR-weighted squared
    error, fitted on the earlier two thirds): α = Σw(g−b)(p−b) / Σw(p−b)², clipped to [0, 1]."""
    ordered = training.sort("renewal_date")
    cut = int(ordered.height * 2 / 3)
    early, late = ordered.head(cut), ordered.tail(ordered.height - cut)
    if early.height < MIN_TRAINING or late.height < 10:
        return 0.5
    pipeline = _fit_pipeline(early, usable)
    if pipeline is None:
        return 0.0
    predicted = pipeline.predict_proba(_model_inputs(late)[:, usable])[:, 1]
    base = late["base_rate"].to_numpy()
    actual = (late["renewed_arr_gross"] / late["due_arr"]).clip(0, 1).to_numpy()
    weight = late["due_arr"].to_numpy()
    spread = float(np.sum(weight * (predicted - base) ** 2))
    if spread <= 0:
        return 0.0
    return float(np.clip(np.sum(weight * (actual - base) * (predicted - base)) / spread, 0.0, 1.0))


def fit_model(history: pl.DataFrame, features: pl.DataFrame, day: dt.date) -> RenewalModel:
    """Fit on the trailing year's renewals decided by the forecast day (``history``, as known that day).

    Only renewals whose grace period had ended by ``day`` train it: among the latest ones, those renewed
    early are already decided while those about to churn are still open, and keeping them would teach the
    model an optimism the future does not have.
    """
    grace_over = pl.col("renewal_date") + pl.duration(days=settings.get("grace_days")) <= pl.lit(day)
    decided = history.filter((pl.col("outcome") != "open") & (pl.col("due_arr") > 0) & grace_over)
    rates, overall = base_rates(decided)
    if decided.height < MIN_TRAINING or decided["outcome"].n_unique() < 2:
        return RenewalModel(rates, overall, None, (), decided.height, 0.0)
    training = _with_base_rate(_training_rows(decided, features), rates, overall)
    inputs = _model_inputs(training)
    usable = tuple(i for i in range(inputs.shape[1]) if not np.isnan(inputs[:, i]).all())
    pipeline = _fit_pipeline(training, usable)
    if pipeline is None:
        return RenewalModel(rates, overall, None, (), decided.height, 0.0)
    return RenewalModel(rates, overall, pipeline, usable, decided.height, _blend_weight(training, usable))


def model_probability(model: RenewalModel, due: pl.DataFrame, signals: pl.DataFrame) -> np.ndarray:
    """The model's renewal probability for each due renewal, from the signals on the forecast day."""
    frame = _with_base_rate(due, model.rates, model.overall).join(
        signals.select("account_id", *SIGNALS), on="account_id", how="left")
    base = frame["base_rate"].to_numpy()
    if model.pipeline is None or frame.is_empty():
        return base
    fitted = model.pipeline.predict_proba(_model_inputs(frame)[:, model.usable])[:, 1]
    return model.weight * fitted + (1 - model.weight) * base
