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

from renewal_radar import dates, figures, health, renewals, settings
from renewal_radar.i18n import N_, money, percent, t

MODEL_VERSION = 3
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


def fit(training: pl.DataFrame) -> RiskModel | None:
    """Fit the model; None when the history has too few churns to learn from."""
    if training.height < 50 or training["churned_90d"].sum() < 5:
        return None
    # a fixed row order: the same history gives the same model whichever import (full or refresh) read it
    training = training.sort("as_of", "account_id")
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


# each driver in plain words from the account's own value (``sources``: rows per signal source, for the
# feature count, and the reporting currency); built once here, not for every account
DRIVER_WORDS = {
    "signal_usage_trend": lambda v, s: (t("usage down {pct} last month vs the two before", pct=percent(1 - v, 0))
                                        if v < 1 else t("usage up {pct} last month", pct=percent(v - 1, 0))),
    "signal_license_utilisation": lambda v, s: t("only {pct} of seats active last month", pct=percent(v, 0)),
    "signal_feature_breadth": lambda v, s: t("uses {used} of {total} features",
                                             used=round(v * max(s.get("feature_count") or 1, 1)),
                                             total=s.get("feature_count")),
    "signal_nps": lambda v, s: t("latest NPS {score:.0f}", score=v),
    "signal_support_load": lambda v, s: t("{n:.0f} open high-priority tickets or escalations in 90 days", n=v),
    "signal_csm_touch": lambda v, s: (t("no CSM touch on record") if v >= 10_000
                                      else t("no CSM touch in {days:.0f} days", days=v)),
    "signal_days_to_renewal": lambda v, s: t("renewal in {days:.0f} days", days=v),
    "log_mrr": lambda v, s: t("a large account (MRR {mrr})", mrr=money(math.expm1(v), s.get("currency", "USD"))),
}
SIGNAL_WORDS = {"usage_trend": N_("usage trend"), "license_utilisation": N_("seat use"),
                "feature_breadth": N_("feature breadth"), "nps": N_("NPS"), "support_load": N_("support load"),
                "csm_touch": N_("CSM touch"), "days_to_renewal": N_("days to renewal")}


def describe(name: str, row: dict, sources: dict) -> str:
    """A driver in plain words, from the account's own signal."""
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        signal = name.removeprefix("signal_")
        return t("no data for {signal}", signal=t(SIGNAL_WORDS.get(signal, signal.replace("_", " "))))
    return DRIVER_WORDS[name](value, sources)


# what each driver's words show of its value (the rounding of its number): accounts with the same key get the
# same words, so a book of 40,000 accounts is worded once per distinct key instead of once per driver
SHOWN_KEY = {
    "signal_usage_trend": lambda v, s: (v < 1, round(1 - v, 2) if v < 1 else round(v - 1, 2)),
    "signal_license_utilisation": lambda v, s: round(v, 2),
    "signal_feature_breadth": lambda v, s: round(v * max(s.get("feature_count") or 1, 1)),
    "signal_nps": lambda v, s: f"{v:.0f}",
    "signal_support_load": lambda v, s: f"{v:.0f}",
    "signal_csm_touch": lambda v, s: "never" if v >= 10_000 else f"{v:.0f}",
    "signal_days_to_renewal": lambda v, s: f"{v:.0f}",
    "log_mrr": lambda v, s: round(math.expm1(v)),  # money is shown in whole units
}


def _shown_key(name: str, value, sources: dict):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return SHOWN_KEY[name](value, sources)


def drivers_texts(frame: pl.DataFrame, sources: dict) -> list[str]:
    """Each row's drivers in plain words, joined by '; ' (the rows of a whole book: columns read once, each
    distinct shown value worded once)."""
    values = {name: frame[name].to_list() for name in frame.columns if name.startswith("signal_")}
    values["log_mrr"] = [math.log1p(m) if m is not None else None for m in frame["mrr"].to_list()]
    words: dict[tuple, str] = {}
    texts = []
    for index, names in enumerate(frame["drivers"].to_list()):
        parts = []
        for name in names or ():
            value = values[name][index]
            key = (name, _shown_key(name, value, sources))
            if key not in words:
                words[key] = describe(name, {name: value}, sources)
            parts.append(words[key])
        texts.append("; ".join(parts))
    return texts


def driver_names(model: RiskModel, frame: pl.DataFrame, count: int = 3) -> pl.Series:
    """For each row, the inputs that raise its churn log-odds the most (largest push first), at most ``count``:
    a list column, built column-wise (a Python list per row costs seconds on a large book)."""
    pushes = contributions(model, frame)
    # a stable sort keeps the inputs' order among equal pushes, as the row-by-row version did
    order = np.argsort(-pushes, axis=1, kind="stable")[:, :count]
    ranks = range(order.shape[1])
    if not ranks:
        return pl.Series("drivers", [[]] * frame.height, dtype=pl.List(pl.String))
    names = np.array(model.inputs, dtype=object)
    raising = np.take_along_axis(pushes, order, axis=1) > 0
    columns = {**{f"name_{k}": pl.Series(names[order[:, k]], dtype=pl.String) for k in ranks},
               **{f"raises_{k}": raising[:, k] for k in ranks}}
    return pl.DataFrame(columns).select(pl.concat_list(
        pl.when(pl.col(f"raises_{k}")).then(pl.col(f"name_{k}")) for k in ranks
    ).list.drop_nulls().alias("drivers")).to_series()


def score_accounts(day: dt.date, features: pl.DataFrame, training: pl.DataFrame, sources: dict) -> pl.DataFrame:
    """Health components, score, band, churn probability and drivers of every account active on ``day``.

    ``features`` holds the point-in-time signals of every day; ``training`` the month-start rows with their
    90-day outcome. The model learns only from month starts M with M + 90 days <= ``day`` (known on ``day``)
    in the 24 months before.
    """
    scored = health.score(features.filter(pl.col("as_of") == day))
    end = day - dt.timedelta(days=HORIZON_DAYS)
    start = dates.add_months(end, -TRAINING_MONTHS)
    model = fit(training.filter(pl.col("as_of").is_between(start, end)))
    if model is None or scored.is_empty():
        return scored.with_columns(pl.lit(None, pl.Float64).alias("churn_probability"),
                                   pl.lit([], pl.List(pl.String)).alias("drivers"))
    return scored.with_columns(pl.Series("churn_probability", predict(model, scored), dtype=pl.Float64),
                               driver_names(model, scored))


# ---------------------------------------------------------------- one story per account


RISK_SOURCES = ("model", "renewal")  # churn_source: the risk model's own figure, or 1 − the renewal's chance


def priced_by_churn_model(renewal_rows: pl.DataFrame, accounts: pl.DataFrame, renewing_whole: pl.DataFrame
                          ) -> pl.DataFrame:
    """A day's priced renewals with one estimate for each account renewing whole (``renewing_whole``: every
    positive line ends inside the next 90 days, so it is there in 90 days only if it renews). Its renewals due in
    those days are flagged ``renews_whole`` and keep the estimate the forecast and the churn risk share: a
    booking's share, a cancellation's 0, the CRM's own call, and where the renewal model would price it, 1 − the
    account's churn risk (the churn model reads its signals up to the day and is judged on this very outcome: its
    ROC AUC). The forecast method does not move them (``forecast_method.apply``): they are calibrated on whether
    the account is still there, the outcome the method would correct towards; the naive rate standing in for
    want of a record stands in for the renewal model only: replacing the churn model's price too would blur the
    ranking its backtest judges)."""
    keys = ["as_of", "account_id"]
    whole = renewing_whole.select(keys).join(
        accounts.select(*keys, pl.col("churn_probability").alias("_churn")), on=keys, how="left").with_columns(
        pl.lit(True).alias("_whole"))
    joined = renewal_rows.join(whole, on=keys, how="left", maintain_order="left")
    in_window = pl.col("_whole").fill_null(False) & (
        pl.col("renewal_date") < pl.col("as_of") + pl.duration(days=HORIZON_DAYS))
    by_churn_model = in_window & (pl.col("source") == "model") & pl.col("_churn").is_not_null()
    # without a churn model (too little history) the renewal model's price stays, the method's to move
    flagged = in_window & ((pl.col("source") != "model") | pl.col("_churn").is_not_null())
    return joined.with_columns(
        *[pl.when(by_churn_model).then(1 - pl.col("_churn")).otherwise(pl.col(name)).alias(name)
          for name in ("probability", "model_probability")],
        flagged.alias("renews_whole")).drop("_churn", "_whole")


def with_renewal_story(accounts: pl.DataFrame, renewal_rows: pl.DataFrame, renewing_whole: pl.DataFrame
                       ) -> pl.DataFrame:
    """Scored accounts (of one or more days) whose churn risk tells the forecast's story (metrics.md "One story
    per account"): an account whose every positive line ends inside the next 90 days (``renewing_whole``:
    as_of, account_id) is gone then unless it renews, so its churn risk is 1 − p of its window renewal in those
    days (its largest, when a monthly add-on renews beside the core) — the CRM call, where the forecast uses
    it, moves both. ``renewal_rows``: the days' priced renewals. ``churn_source`` says which figure it is;
    ``model_churn_probability`` keeps the risk model's own."""
    keys = ["as_of", "account_id"]
    windows = renewals.windows_by_day(renewal_rows, HORIZON_DAYS).sort("due_arr", descending=True).unique(
        keys, keep="first").select(*keys, pl.col("probability").alias("_renewal_p"))
    story = renewing_whole.select(keys).join(windows, on=keys)
    if "model_churn_probability" in accounts.columns:  # told once already (a refresh's kept days): from the model
        accounts = accounts.with_columns(
            pl.coalesce("model_churn_probability", "churn_probability").alias("churn_probability"))
    joined = accounts.join(story, on=keys, how="left").with_columns(
        pl.col("churn_probability").alias("model_churn_probability"))
    from_renewal = pl.col("_renewal_p").is_not_null()
    return joined.with_columns(
        pl.when(from_renewal).then(1 - pl.col("_renewal_p")).otherwise(pl.col("churn_probability"))
        .alias("churn_probability"),
        pl.when(from_renewal).then(pl.lit("renewal")).otherwise(pl.lit("model")).alias("churn_source"),
    ).drop("_renewal_p")


# ---------------------------------------------------------------- backtest


def backtest_days(data_as_of: dt.date, months: int = 12) -> list[dt.date]:
    """The month starts of the past year whose 90-day outcome is known."""
    last = dates.month_floor(data_as_of - dt.timedelta(days=HORIZON_DAYS))
    return [dates.add_months(last, -step) for step in range(months - 1, -1, -1)]


def backtest_from_scores(account_scores: pl.DataFrame, training: pl.DataFrame, data_as_of: dt.date,
                         months: int = 12) -> tuple[pl.DataFrame, pl.DataFrame]:
    """How well the stored churn risk and health predicted churn on each month start of the past year, and the
    churn rate by health band over all of them (does red churn more than green here?)."""
    days = backtest_days(data_as_of, months)
    labels = training.select("as_of", "account_id", "churned_90d")
    judged = account_scores.filter(pl.col("as_of").is_in(days)).join(labels, on=["as_of", "account_id"])
    rows = [row for day in days if (row := backtest_month(judged.filter(pl.col("as_of") == day), day))]
    bands = judged.filter(pl.col("band").is_not_null()).group_by("band").agg(
        pl.len().alias("accounts"), pl.col("churned_90d").sum().alias("churned"),
        pl.col("churned_90d").mean().alias("churn_rate"),
        pl.col("churn_probability").mean().alias("predicted_rate"))
    order = pl.col("band").replace_strict({"red": 0, "yellow": 1, "green": 2}, default=3)
    return pl.DataFrame(rows, schema=BACKTEST_SCHEMA), bands.sort(order)


BACKTEST_SCHEMA = {"as_of": pl.Date, "accounts": pl.Int64, "churned": pl.Int64, "auc_model": pl.Float64,
                   "auc_health": pl.Float64, "top_decile_precision": pl.Float64, "base_rate": pl.Float64,
                   "churned_arr_flagged_share": pl.Float64, "red_accounts": pl.Int64, "red_churned": pl.Int64,
                   "predicted_rate": pl.Float64}


def backtest_month(scored: pl.DataFrame, day: dt.date) -> dict | None:
    """One month start's stored scores against what happened in the next 90 days."""
    from sklearn.metrics import roc_auc_score

    scored = scored.filter(pl.col("churn_probability").is_not_null())
    if scored.height < 20 or scored["churned_90d"].sum() == 0 or scored["churned_90d"].all():
        return None
    probability = scored["churn_probability"].to_numpy()
    churned = scored["churned_90d"].to_numpy()
    health_risk = 100 - scored["health_score"].fill_null(50).to_numpy()
    top = probability >= np.quantile(probability, 0.9)
    arr = figures.ARR_PER_MRR * scored["mrr"].to_numpy()
    red = (scored["band"] == "red").fill_null(False).to_numpy()  # a book without signals has no band
    flagged = top | red
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


# ---------------------------------------------------------------- where health and risk disagree


def band_disagrees() -> pl.Expr:
    """True where the health band and the churn risk tell different stories: green with a risk of at least
    ``green_but_risky_at``, or red with a risk below ``red_but_safe_below`` (settings)."""
    green_but_risky = (pl.col("band") == "green") & (pl.col("churn_probability") >= settings.get("green_but_risky_at"))
    red_but_safe = (pl.col("band") == "red") & (pl.col("churn_probability") < settings.get("red_but_safe_below"))
    return (green_but_risky | red_but_safe).fill_null(False)


def disagreement_texts(flagged: pl.DataFrame) -> list[str]:
    """Why each account's health band and churn risk disagree (rows already flagged): the weakest components
    against the drivers, in the current language (templates and labels looked up once for the whole table)."""
    components = [(t(c.label), f"score_{c.name}") for c in health.load_settings().components
                  if f"score_{c.name}" in flagged.columns]
    green = t("Green health but {risk} churn risk: the model weighs {drivers} more than the score does (weakest "
              "components: {weakest}).")
    red = t("Red health ({weakest}) but only {risk} churn risk: the model learned these signals matter less here "
            "({strongest} hold it up).")
    size = t("size")
    texts = []
    for row in flagged.iter_rows(named=True):
        scored = sorted(((row[column], label) for label, column in components if row[column] is not None),
                        key=lambda pair: pair[0])
        weakest = ", ".join(f"{label} {score:.0f}" for score, label in scored[:2])
        chance = percent(row["churn_probability"], 0)
        if row["band"] == "green":
            texts.append(green.format(risk=chance, drivers=row.get("top_drivers") or size, weakest=weakest))
        else:
            strongest = ", ".join(f"{label} {score:.0f}" for score, label in sorted(scored, key=lambda p: -p[0])[:2])
            texts.append(red.format(risk=chance, weakest=weakest, strongest=strongest))
    return texts


def worded(rows: pl.DataFrame, sources: dict) -> pl.DataFrame:
    """Scored ``rows`` (with a ``disagrees`` flag) with their drivers and, where band and risk disagree, why, in
    words of the current language: worded for the rows given only (a page of a table, or a download)."""
    rows = rows.with_columns(pl.Series("top_drivers", drivers_texts(rows, sources), dtype=pl.String))
    indexed = rows.with_row_index("_order")
    flagged = indexed.filter(pl.col("disagrees"))
    words = flagged.select("_order", pl.Series("disagreement", disagreement_texts(flagged), dtype=pl.String))
    return indexed.join(words, on="_order", how="left").sort("_order").drop("_order").with_columns(
        pl.col("disagreement").fill_null(""))
