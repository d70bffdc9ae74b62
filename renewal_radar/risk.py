"""Churn risk: the probability that an account active on D is not active on D + 90 days.

A logistic regression (scikit-learn) on the health signals, fitted point in
time: as of D it learns only from month starts M with M + 90 days <= D, whose
outcome was known on D. Logistic regression keeps the model explainable — each
account's drivers are the signals that push its log-odds up the most — and,
fitted by maximum likelihood, its probabilities are calibrated on the data it
learned from (the backtest checks them on later months).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from renewal_radar import dates, health, sql
from renewal_radar.filters import ALL, Filters

HORIZON_DAYS = 90
TRAINING_MONTHS = 24
# A seeded sample keeps fitting fast on large books; a logistic regression with a handful of
# inputs gains nothing measurable beyond this many rows.
MAX_TRAINING_ROWS = 150_000
# Model inputs: the health signals (clipped so one outlier cannot dominate) and account size.
INPUTS = {
    "signal_usage_trend": (0.0, 3.0), "signal_license_utilisation": (0.0, 1.5), "signal_feature_breadth": (0.0, 1.0),
    "signal_nps": (0.0, 10.0), "signal_support_load": (0.0, 10.0), "signal_csm_touch": (0.0, 365.0),
    "signal_days_to_renewal": (0.0, 400.0), "log_mrr": (0.0, 20.0),
}


def logistic_pipeline():
    """Median imputation, standardisation, logistic regression (shared with the renewal model).

    scikit-learn is imported here, not at the top: it takes about a second to import and
    most pages (the Overview first) never fit a model.
    """
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000))


@dataclass(frozen=True)
class RiskModel:
    """A fitted churn-risk model and the inputs it uses."""

    pipeline: object
    inputs: tuple[str, ...]
    trained_on: int
    base_rate: float


def _inputs(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_columns(pl.col("mrr").log1p().alias("log_mrr"))
    return frame.select(pl.col(name).cast(pl.Float64).clip(low, high).alias(name) for name, (low, high)
                        in INPUTS.items())


def _usable_inputs(frame: pl.DataFrame) -> tuple[str, ...]:
    # a signal with no data at all (its export is missing) cannot be learned from
    return tuple(c for c in INPUTS if frame[c].null_count() < frame.height)


def training_frame(con, as_of: dt.date) -> pl.DataFrame:
    """Month-start rows whose 90-day outcome was known on ``as_of``, with signals and the label."""
    end = as_of - dt.timedelta(days=HORIZON_DAYS)
    start = dates.add_months(end, -TRAINING_MONTHS)
    sources = health.source_rows(con)
    features = health.signals(sql.run(con, "reports/account_features_history", start=start, end=end), sources)
    labels = sql.run(con, "reports/risk_labels", start=start, end=end)
    return features.join(labels, on=["as_of", "account_id"])


def fit(training: pl.DataFrame) -> RiskModel | None:
    """Fit the model; None when the history has too few churns to learn from."""
    if training.height < 50 or training["churned_90d"].sum() < 5:
        return None
    if training.height > MAX_TRAINING_ROWS:
        training = training.sample(MAX_TRAINING_ROWS, seed=0)
    inputs = _inputs(training)
    usable = _usable_inputs(inputs)
    pipeline = logistic_pipeline()
    pipeline.fit(inputs.select(usable).to_numpy(), training["churned_90d"].to_numpy())
    return RiskModel(pipeline, usable, training.height, float(training["churned_90d"].mean()))


def predict(model: RiskModel, frame: pl.DataFrame) -> np.ndarray:
    """Churn probability of each row."""
    return model.pipeline.predict_proba(_inputs(frame).select(model.inputs).to_numpy())[:, 1]


def contributions(model: RiskModel, frame: pl.DataFrame) -> np.ndarray:
    """Each input's push on each row's log-odds (coefficient × standardised value)."""
    imputer, scaler, regression = model.pipeline.steps[0][1], model.pipeline.steps[1][1], model.pipeline.steps[2][1]
    standardised = scaler.transform(imputer.transform(_inputs(frame).select(model.inputs).to_numpy()))
    return standardised * regression.coef_[0]


def describe(name: str, row: dict, sources: dict) -> str:
    """A driver in plain words, from the account's own signal."""
    value = row.get(name)
    words = {
        "signal_usage_trend": lambda v: (f"usage down {1 - v:.0%} last month vs the two before" if v < 1
                                         else f"usage up {v - 1:.0%} last month"),
        "signal_license_utilisation": lambda v: f"only {v:.0%} of seats active last month",
        "signal_feature_breadth": lambda v: f"uses {round(v * max(sources.get('feature_count') or 1, 1))} of "
                                            f"{sources.get('feature_count')} features",
        "signal_nps": lambda v: f"latest NPS {v:.0f}",
        "signal_support_load": lambda v: f"{v:.0f} open high-priority tickets or escalations in 90 days",
        "signal_csm_touch": lambda v: ("no CSM touch on record" if v >= 10_000
                                       else f"no CSM touch in {v:.0f} days"),
        "signal_days_to_renewal": lambda v: f"renewal in {v:.0f} days",
        "log_mrr": lambda v: f"a large account (MRR {math.expm1(v):,.0f})",
    }
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"no data for {name.removeprefix('signal_').replace('_', ' ')}"
    return words[name](value)


def top_drivers(model: RiskModel, frame: pl.DataFrame, sources: dict, count: int = 3) -> list[str]:
    """For each row, its largest risk-raising drivers in plain words, joined by '; '."""
    pushes = contributions(model, frame)
    raw = frame.with_columns(pl.col("mrr").log1p().alias("log_mrr")).select(model.inputs).to_dicts()
    texts = []
    for push, row in zip(pushes, raw, strict=True):
        order = [i for i in np.argsort(-push) if push[i] > 0][:count]
        texts.append("; ".join(describe(model.inputs[i], row, sources) for i in order))
    return texts


def risk_on(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """Health, band, churn probability, ARR at risk and top drivers of each account active on ``as_of``."""
    sources = health.source_rows(con)
    scored = health.health_on(con, as_of)
    directory = sql.run(con, "reports/account_directory", **filters.params())
    scored = scored.join(directory, on="account_id", how="inner")
    model = fit(training_frame(con, as_of))
    if model is None or scored.is_empty():
        probability = pl.Series("churn_probability", [None] * scored.height, dtype=pl.Float64)
        drivers = pl.Series("top_drivers", [""] * scored.height, dtype=pl.String)
    else:
        probability = pl.Series("churn_probability", predict(model, scored))
        drivers = pl.Series("top_drivers", top_drivers(model, scored, sources), dtype=pl.String)
    return scored.with_columns(probability, drivers, (12 * pl.col("mrr")).alias("arr")).with_columns(
        (pl.col("churn_probability") * pl.col("arr")).alias("arr_at_risk")).sort("arr_at_risk", descending=True,
                                                                                  nulls_last=True)


# ---------------------------------------------------------------- backtest


def backtest(con, data_as_of: dt.date, months: int = 12) -> pl.DataFrame:
    """How well risk and health predicted churn: as of each month start of the past year, data before it only."""
    settings = health.load_settings()
    last = dates.month_floor(data_as_of - dt.timedelta(days=HORIZON_DAYS))
    rows = []
    for step in range(months - 1, -1, -1):
        day = dates.add_months(last, -step)
        result = backtest_month(con, day, settings)
        if result:
            rows.append(result)
    return pl.DataFrame(rows)


def backtest_month(con, day: dt.date, settings: health.HealthSettings) -> dict | None:
    """The model fitted as of ``day`` scored on the accounts active that day, against what happened in 90 days."""
    from sklearn.metrics import roc_auc_score

    model = fit(training_frame(con, day))
    sources = health.source_rows(con)
    scored = health.score(health.signals(sql.run(con, "reports/account_features_history", start=day, end=day),
                                         sources), settings)
    labels = sql.run(con, "reports/risk_labels", start=day, end=day)
    scored = scored.join(labels, on=["as_of", "account_id"])
    if model is None or scored["churned_90d"].sum() == 0 or scored.height < 20:
        return None
    probability = predict(model, scored)
    churned = scored["churned_90d"].to_numpy()
    health_risk = 100 - scored["health_score"].fill_null(50).to_numpy()
    top = probability >= np.quantile(probability, 0.9)
    arr = 12 * scored["mrr"].to_numpy()
    flagged = top | (scored["band"] == "red").to_numpy()
    red = (scored["band"] == "red").to_numpy()
    return {
        "as_of": day, "accounts": scored.height, "churned": int(churned.sum()),
        "auc_model": float(roc_auc_score(churned, probability)),
        "auc_health": float(roc_auc_score(churned, health_risk)),
        "top_decile_precision": float(churned[top].mean()),
        "base_rate": float(churned.mean()),
        "churned_arr_flagged_share": float(arr[churned & flagged].sum() / arr[churned].sum()),
        "red_accounts": int(red.sum()), "red_churned": int((red & churned).sum()),
        "predicted_rate": float(probability.mean()),
    }
