"""The renewal forecast as of a day, and its backtest (shared/spec/metrics.md "Renewal forecast").

Each renewal due in [D, D + H) gets a probability of renewing: 1.0 when its
renewal is already booked, the CRM's when a matching renewal opportunity was
known on D, otherwise the renewal model's. The model is a logistic regression
(scikit-learn) fitted only on renewals decided by D in the trailing twelve
months: its inputs are the smoothed historical renewal rate of the account's
segment and billing period (as log-odds) and the account's health signals
before the renewal, so it starts from the base rate and moves with risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from renewal_radar import dates, health, renewals, settings, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of
from renewal_radar.risk import logistic_pipeline

CATEGORY_SETTINGS = {"Closed Won": "p_closed_won", "Commit": "p_commit", "Best Case": "p_best_case",
                     "Pipeline": "p_pipeline", "Omitted": "p_omitted", "Closed Lost": "p_omitted"}
FLOOR_CATEGORIES = ("Closed Won", "Commit", "booked")
SIGNALS = ("signal_usage_trend", "signal_license_utilisation", "signal_feature_breadth", "signal_nps",
           "signal_support_load", "signal_csm_touch")
SMOOTHING = 10  # pseudo-renewals pulling a small segment's rate towards the overall rate
FEATURE_LEAD_DAYS = 45  # history: signals read about half a horizon before each renewal


@dataclass(frozen=True)
class Forecast:
    """A forecast's summary figures and its renewals."""

    summary: dict
    renewals: pl.DataFrame


# ---------------------------------------------------------------- the renewal model


def _logit(p: pl.Expr) -> pl.Expr:
    clipped = p.clip(0.01, 0.99)
    return (clipped / (1 - clipped)).log()


def base_rates(decided: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Renewal rate by segment and billing period, smoothed towards the overall rate."""
    overall = float((decided["outcome"] == "renewed").mean()) if decided.height else 0.85
    rates = decided.group_by("segment", "bill_period_months").agg(
        ((pl.col("outcome") == "renewed").sum() + SMOOTHING * overall).truediv(pl.len() + SMOOTHING)
        .alias("base_rate"))
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
    """Base rates plus, when there is enough history, the fitted regression."""

    rates: pl.DataFrame
    overall: float
    pipeline: object | None
    usable: tuple[int, ...]
    trained_on: int


def _signals_at(con, days: list[dt.date]) -> pl.DataFrame:
    sources = health.source_rows(con)
    start, end = min(days), max(days)
    return health.signals(sql.run(con, "reports/account_features_history", start=start, end=end), sources)


def fit_model(con, as_of: dt.date) -> RenewalModel:
    """Fit on renewals in the twelve months before ``as_of`` whose outcome was known on ``as_of``."""
    history = renewals.renewal_outcomes(con, dates.add_months(as_of, -12), as_of, as_of)
    decided = history.filter(pl.col("outcome") != "open")
    rates, overall = base_rates(decided)
    if decided.height < 30 or decided["outcome"].n_unique() < 2:
        return RenewalModel(rates, overall, None, (), decided.height)
    decided = decided.with_columns(
        (pl.col("renewal_date") - pl.duration(days=FEATURE_LEAD_DAYS)).dt.truncate("1mo").alias("as_of"))
    signals = _signals_at(con, decided["as_of"].unique().to_list())
    training = _with_base_rate(decided, rates, overall).join(signals, on=["as_of", "account_id"], how="left")
    inputs = _model_inputs(training)
    usable = tuple(i for i in range(inputs.shape[1]) if not np.isnan(inputs[:, i]).all())
    pipeline = logistic_pipeline()
    # weighted by due ARR: the forecast is a sum of ARR, so a large renewal's outcome should count for more
    pipeline.fit(inputs[:, usable], (training["outcome"] == "renewed").to_numpy(),
                 logisticregression__sample_weight=training["due_arr"].to_numpy())
    return RenewalModel(rates, overall, pipeline, usable, decided.height)


def model_probability(model: RenewalModel, due: pl.DataFrame, signals: pl.DataFrame) -> np.ndarray:
    """The model's renewal probability for each due renewal, from the signals on the forecast day."""
    frame = _with_base_rate(due, model.rates, model.overall).join(signals, on="account_id", how="left")
    if model.pipeline is None:
        return frame["base_rate"].to_numpy()
    return model.pipeline.predict_proba(_model_inputs(frame)[:, model.usable])[:, 1]


# ---------------------------------------------------------------- the forecast


def crm_matches(con, due: pl.DataFrame, as_of: dt.date, grace_days: int, filters: Filters) -> pl.DataFrame:
    """For each due renewal, the renewal opportunity closing nearest its day (within grace), if known on ``as_of``."""
    opportunities = sql.run(con, "reports/crm_renewal_opportunities", as_of=as_of, **filters.params())
    if opportunities.is_empty() or due.is_empty():  # no CRM export: no match, but the same columns
        return due.select("account_id", "renewal_date").head(0).with_columns(
            pl.lit(None, pl.String).alias("opportunity_id"), pl.lit(None, pl.String).alias("stage"),
            pl.lit(None, pl.String).alias("category"), pl.lit(None, pl.Float64).alias("crm_probability"))
    pairs = due.select("account_id", "renewal_date").join(opportunities, on="account_id").with_columns(
        (pl.col("close_date") - pl.col("renewal_date")).dt.total_days().abs().alias("gap"))
    nearest = pairs.filter(pl.col("gap") <= grace_days).sort("gap", "opportunity_id").group_by(
        "account_id", "renewal_date").first()
    defaults = {category: settings.get(name) for category, name in CATEGORY_SETTINGS.items()}
    probability = pl.coalesce(pl.col("probability") / 100,
                              pl.col("category").replace_strict(defaults, default=None, return_dtype=pl.Float64))
    return nearest.with_columns(probability.alias("crm_probability")).select(
        "account_id", "renewal_date", "opportunity_id", "stage", "category", "crm_probability")


def expansion_ratios(history: pl.DataFrame) -> tuple[float, float]:
    """Contraction and expansion of the renewed renewals in ``history``, as shares of their due ARR."""
    renewed = history.filter(pl.col("outcome") == "renewed")
    due = float(renewed["due_arr"].sum())
    if not due:
        return 0.0, 0.0
    change = renewed["renewed_arr"] - renewed["due_arr"]
    return float((-change).clip(lower_bound=0).sum()) / due, float(change.clip(lower_bound=0).sum()) / due


def forecast(con, as_of: dt.date, horizon_days: int | None = None, filters: Filters = ALL) -> Forecast:
    """Renewals due in [as_of, as_of + horizon) with their probabilities, and the forecast's figures."""
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    grace = settings.get("grace_days")
    due = renewals.renewal_outcomes(con, as_of, as_of + dt.timedelta(days=horizon_days), as_of, grace, filters)
    crm = crm_matches(con, due, as_of, grace, filters)
    model = fit_model(con, as_of)
    signals = health.signals(sql.run(con, "reports/account_features_on", as_of=as_of), health.source_rows(con))
    scored = health.score(signals).select("account_id", "health_score", "band", *SIGNALS)
    due = due.join(crm, on=["account_id", "renewal_date"], how="left")
    due = due.with_columns(pl.Series("model_probability", model_probability(model, due, scored), dtype=pl.Float64))
    booked = pl.col("renewed_mrr") > 0
    has_crm = pl.col("crm_probability").is_not_null()
    due = due.with_columns(
        pl.when(booked).then(1.0).when(has_crm).then(pl.col("crm_probability"))
        .otherwise(pl.col("model_probability")).alias("probability"),
        pl.when(booked).then(pl.lit("booked")).when(has_crm).then(pl.lit("crm")).otherwise(pl.lit("model"))
        .alias("source"),
        pl.when(booked).then(pl.lit("booked")).otherwise(pl.col("category")).alias("category"),
    ).join(scored.select("account_id", "health_score", "band"), on="account_id", how="left")
    # the filtered trailing year gives both the expected contraction/expansion and the naive forecast's rate
    history = renewals.renewal_outcomes(con, dates.add_months(as_of, -12), as_of, as_of, filters=filters)
    summary = summarise(due, as_of, horizon_days, *expansion_ratios(history))
    summary["trailing_gross_renewal_rate"] = renewals.renewal_rates(history)["gross_renewal_rate"]
    return Forecast(summary, due)


def summarise(due: pl.DataFrame, as_of: dt.date, horizon_days: int, contraction: float, expansion: float) -> dict:
    """The forecast's figures (cli.md keys, plus the waterfall and projected rates)."""
    due_arr = float(due["due_arr"].sum())
    weighted = float((due["probability"] * due["due_arr"]).sum())
    floor = float(due.filter(pl.col("category").is_in(FLOOR_CATEGORIES))["due_arr"].sum())
    best_case = floor + float(due.filter(pl.col("category") == "Best Case")["due_arr"].sum())
    expected_contraction = weighted * contraction
    expected_expansion = weighted * expansion
    return {
        "as_of": as_of.isoformat(), "horizon_days": horizon_days, "n_due": due.height, "due_arr": due_arr,
        "forecast_gross_arr": weighted, "floor_arr": floor, "best_case_arr": best_case,
        "expected_churn_arr": due_arr - weighted, "expected_contraction_arr": expected_contraction,
        "expected_expansion_arr": expected_expansion,
        "projected_gross_renewal_rate": (weighted - expected_contraction) / due_arr if due_arr else None,
        "projected_net_renewal_rate": ((weighted - expected_contraction + expected_expansion) / due_arr
                                       if due_arr else None),
    }


def forecast_json(result: Forecast) -> dict:
    """The forecast in the command line's JSON form (cli.md)."""
    keys = ("as_of", "horizon_days", "n_due", "due_arr", "forecast_gross_arr", "floor_arr", "best_case_arr")
    renewals_list = [{"account_id": r["account_id"], "renewal_date": r["renewal_date"].isoformat(),
                      "due_arr": r["due_arr"], "probability": r["probability"], "source": r["source"]}
                     for r in result.renewals.sort("renewal_date", "account_id").iter_rows(named=True)]
    return {key: result.summary[key] for key in keys} | {"renewals": renewals_list}


# ---------------------------------------------------------------- backtest


def actual_outcomes(con, result: Forecast, filters: Filters = ALL) -> pl.DataFrame:
    """What happened to a past forecast's renewals, judged on everything loaded."""
    if result.renewals.is_empty():
        return result.renewals.with_columns(pl.lit(0.0).alias("actual_gross"), pl.lit(False).alias("renewed"))
    start = result.renewals["renewal_date"].min()
    end = result.renewals["renewal_date"].max() + dt.timedelta(days=1)
    actual = renewals.renewal_outcomes(con, start, end, filters=filters).select(
        "account_id", "renewal_date", pl.col("renewed_arr_gross").alias("actual_gross"),
        (pl.col("outcome") == "renewed").alias("renewed"), pl.col("outcome").alias("actual_outcome"))
    return result.renewals.join(actual, on=["account_id", "renewal_date"], how="left")


def judge(con, result: Forecast, filters: Filters = ALL) -> tuple[dict, pl.DataFrame]:
    """A past forecast against what happened: ours, ours net of expected contraction, and the naive forecast
    (trailing-12-month gross renewal rate × ARR due), each with its absolute % error; and the judged renewals."""
    judged = actual_outcomes(con, result, filters)
    actual = float(judged["actual_gross"].fill_null(0).sum())
    summary = result.summary
    predicted = summary["forecast_gross_arr"]
    projected = predicted - summary["expected_contraction_arr"]
    rate = summary["trailing_gross_renewal_rate"]
    naive = rate * summary["due_arr"] if rate is not None else None

    def error(value: float | None) -> float | None:
        return abs(value - actual) / actual if actual and value is not None else None

    figures = {"forecast_arr": predicted, "projected_arr": projected, "naive_arr": naive, "actual_arr": actual,
               "abs_pct_error": error(predicted), "projected_abs_pct_error": error(projected),
               "naive_abs_pct_error": error(naive), "bias": (predicted - actual) / actual if actual else None}
    return figures, judged


def backtest_day(con, as_of: dt.date, horizon_days: int | None = None, filters: Filters = ALL) -> dict:
    """The forecast as of a past day against what happened (cli.md ``backtest``)."""
    result = forecast(con, as_of, horizon_days, filters)
    figures, _ = judge(con, result, filters)
    return forecast_json(result) | {
        "actual_renewed_arr_gross": figures["actual_arr"], "abs_pct_error": figures["abs_pct_error"],
        "bias": figures["bias"], "naive_forecast_arr": figures["naive_arr"],
        "naive_abs_pct_error": figures["naive_abs_pct_error"],
    }


def backtest(con, horizon_days: int | None = None, months: int = 12, filters: Filters = ALL
             ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The forecast as of each month start of the past year whose outcomes are all known, and a calibration table."""
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    known_until = data_as_of(con) - dt.timedelta(days=horizon_days + settings.get("grace_days"))
    latest = dates.month_floor(known_until)
    rows, predictions = [], []
    for step in range(months - 1, -1, -1):
        day = dates.add_months(latest, -step)
        result = forecast(con, day, horizon_days, filters)
        figures, judged = judge(con, result, filters)
        rows.append({"as_of": day, "n_due": result.summary["n_due"], "due_arr": result.summary["due_arr"]} | figures)
        predictions.append(judged.select("probability", "renewed", "source"))
    return pl.DataFrame(rows), calibration(pl.concat(predictions) if predictions else pl.DataFrame())


def calibration(predictions: pl.DataFrame) -> pl.DataFrame:
    """Predicted against actual renewal rate by decile of predicted probability."""
    if predictions.is_empty():
        return pl.DataFrame()
    ranked = predictions.with_columns(
        (pl.col("probability").rank("ordinal") * 10 / (pl.len() + 1)).floor().cast(pl.Int64).alias("decile"))
    return ranked.group_by("decile").agg(
        pl.len().alias("renewals"), pl.col("probability").mean().alias("predicted_rate"),
        pl.col("renewed").cast(pl.Float64).mean().alias("actual_rate"),
        pl.col("probability").min().alias("from_p"), pl.col("probability").max().alias("to_p"),
    ).sort("decile").with_columns((pl.col("decile") + 1).alias("decile"))

