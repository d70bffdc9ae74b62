"""The renewal forecast as of a day, and its backtest (shared/spec/metrics.md "Renewal forecast").

Each renewal due in [D, D + H) gets a probability of renewing: when its renewal is already booked, the share of
its ARR booked again (1.0 unless it was booked smaller: a known contraction counts as lost), else the
CRM's when a matching renewal opportunity was known on D, otherwise the renewal model's. The model is a
logistic regression (scikit-learn) fitted only on renewals decided by D in the trailing twelve months: its
inputs are the smoothed historical renewal rate of the account's segment and billing period (as log-odds) and
the account's health signals before the renewal, so it starts from the base rate and moves with risk. Its
target is the share of each renewal's ARR that renewed gross (1 renewed whole, 0 churned, between for a
contraction), so Σ p × ARR due estimates the gross renewed ARR the backtest judges it against. Where the
signals do not help on the latest third of the year, the model is blended back towards the base rate by the
weight that did best there (the fallback to the naive forecast).

The scoring stage (``renewal_radar.scoring``) runs :func:`score_renewals` for every stored day; this module's
pure functions turn stored (or live) rows into figures.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import crm_types, dates, figures, health, renewals, settings, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money
from renewal_radar.renewal_model import fit_model, model_probability

MODEL_VERSION = 6  # 6: backtests and the method choice judge window renewals (metrics.md)
CATEGORY_SETTINGS = {"Closed Won": "p_closed_won", "Commit": "p_commit", "Best Case": "p_best_case",
                     "Pipeline": "p_pipeline", "Omitted": "p_omitted", "Closed Lost": "p_omitted"}
FLOOR_CATEGORIES = ("Closed Won", "Commit", "booked")
# a renewal whose subscription is set to cancel at period end: the customer has said no, whatever the CRM says
CANCELS = renewals.LOST_CATEGORIES[-1]  # "Cancels at period end"
LOST_CATEGORIES = renewals.LOST_CATEGORIES
ROW_COLUMNS = ("as_of", "account_id", "renewal_date", "decision_date", "due_arr", "renewed_arr", "products",
               "bill_period_months", "notice_days", "opportunity_id", "stage", "crm_category", "crm_probability",
               "model_probability", "probability", "source", "category", "health_score", "band",
               "cancels_at_period_end", "payment_at_risk")


# a renewal's due and renewed ARR, both at the renewal day's month's rates (renewal_events.sql)
RENEWAL_MONEY = ("due_arr", "renewed_arr")


@dataclass(frozen=True)
class Forecast:
    """A forecast's renewals and what its summary reads; the summary is derived from the renewals, so it is in
    whatever currency they are in (money.Converter.result converts the renewals)."""

    renewals: pl.DataFrame
    rollup: pl.DataFrame       # the trailing-year renewal sums of the day (ratios only: no money is read from it)
    as_of: dt.date
    horizon_days: int
    method: dict               # the method chosen for the day and its errors (forecast_method.method_json)

    MONEY: ClassVar = {"renewals": Money(RENEWAL_MONEY, "renewal_date")}

    @functools.cached_property
    def summary(self) -> dict:
        """The forecast's figures (floor, weighted, best case…) and its method."""
        return summary_from_rows(self.renewals, self.rollup, self.as_of, self.horizon_days) | self.method


@dataclass(frozen=True)
class Backtest:
    """What the forecast of each backtest day is judged from: its renewals, the days' roll-ups and what renewed."""

    renewals: pl.DataFrame
    rollups: pl.DataFrame
    actual: pl.DataFrame
    days: list[dt.date]
    horizon_days: int

    MONEY: ClassVar = {"renewals": Money(RENEWAL_MONEY, "renewal_date"),
                       "actual": Money(("due_arr", "renewed_arr", "renewed_arr_gross"), "renewal_date")}

    def judged(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Each day's forecast against what happened, and the calibration table."""
        return backtest_from_rows(self.renewals, self.rollups, self.actual, self.days, self.horizon_days)


# ---------------------------------------------------------------- scoring one day's renewals


def crm_opportunities(con, days: list[dt.date], filters: Filters = ALL) -> pl.DataFrame:
    """The CRM renewal opportunities of the filtered accounts as known on each of ``days`` (``as_of`` names the
    day): one query for them all (reports/crm_renewal_opportunities)."""
    return sql.run(con, "reports/crm_renewal_opportunities", days=sorted(set(days)), **filters.params(),
                   **crm_types.params())


def crm_matches(con, due: pl.DataFrame, as_of: dt.date, grace_days: int, filters: Filters = ALL,
                opportunities: pl.DataFrame | None = None) -> pl.DataFrame:
    """For each due renewal, the renewal opportunity closing nearest its day (within grace), if known on ``as_of``.
    ``opportunities``: ``crm_opportunities`` already read for ``as_of`` and maybe other days (a scoring run reads
    every day's at once); without it they are read here."""
    if opportunities is None:
        opportunities = crm_opportunities(con, [as_of], filters)
    opportunities = opportunities.filter(pl.col("as_of") == as_of).drop("as_of")
    empty = due.select("account_id", "renewal_date").head(0).with_columns(
        pl.lit(None, pl.String).alias("opportunity_id"), pl.lit(None, pl.String).alias("stage"),
        pl.lit(None, pl.String).alias("crm_category"), pl.lit(None, pl.Float64).alias("crm_probability"))
    if opportunities.is_empty() or due.is_empty():  # no CRM export: no match, but the same columns
        return empty
    pairs = due.select("account_id", "renewal_date").join(opportunities, on="account_id").with_columns(
        (pl.col("close_date") - pl.col("renewal_date")).dt.total_days().abs().alias("gap"))
    nearest = pairs.filter(pl.col("gap") <= grace_days).sort("gap", "opportunity_id").group_by(
        "account_id", "renewal_date").first()
    defaults = {category: settings.get(name) for category, name in CATEGORY_SETTINGS.items()}
    probability = pl.coalesce(pl.col("probability") / 100,
                              pl.col("category").replace_strict(defaults, default=None, return_dtype=pl.Float64))
    return nearest.with_columns(probability.alias("crm_probability"), pl.col("category").alias("crm_category")
                                ).select(empty.columns)


def _health_for_due(day: dt.date, due: pl.DataFrame, accounts: pl.DataFrame, features: pl.DataFrame) -> pl.DataFrame:
    """Health of each due account on ``day``; a renewal due on the day itself reads the account's last active
    day (the day before), since its lines ended at the start of the day."""
    today = accounts.select("account_id", "health_score", "band")
    eve = day - dt.timedelta(days=1)
    missing = due.filter(pl.col("renewal_date") == day).join(today, on="account_id", how="anti")
    if missing.is_empty():
        return today
    before = health.score(features.filter(pl.col("as_of") == eve).join(
        missing.select("account_id").unique(), on="account_id")).select("account_id", "health_score", "band")
    return pl.concat([today, before], how="vertical_relaxed").unique("account_id", keep="first")


def score_renewals(con, day: dt.date, due: pl.DataFrame, history: pl.DataFrame, accounts: pl.DataFrame,
                   features: pl.DataFrame, opportunities: pl.DataFrame | None = None) -> pl.DataFrame:
    """The renewals due from ``day`` with CRM call, model probability, final probability, source and health
    (``opportunities`` as ``crm_matches`` takes them)."""
    grace = settings.get("grace_days")
    crm = crm_matches(con, due, day, grace, opportunities=opportunities)
    model = fit_model(history, features, day)
    signals = features.filter(pl.col("as_of") == day)
    due = due.join(crm, on=["account_id", "renewal_date"], how="left")
    due = due.with_columns(pl.Series("model_probability", model_probability(model, due, signals),
                                     dtype=pl.Float64))
    booked = pl.col("renewed_mrr") > 0
    cancels = pl.col("cancels_at_period_end").fill_null(False)
    has_crm = pl.col("crm_probability").is_not_null()
    due = due.with_columns(
        pl.when(booked).then(renewals.booked_share()).when(cancels).then(pl.lit(0.0))
        .when(has_crm).then(pl.col("crm_probability")).otherwise(pl.col("model_probability")).alias("probability"),
        pl.when(booked).then(pl.lit("booked")).when(cancels).then(pl.lit("cancellation"))
        .when(has_crm).then(pl.lit("crm")).otherwise(pl.lit("model")).alias("source"),
        pl.when(booked).then(pl.lit("booked")).when(cancels).then(pl.lit(CANCELS))
        .otherwise(pl.col("crm_category")).alias("category"),
        pl.lit(day).alias("as_of"),
    ).join(_health_for_due(day, due, accounts, features), on="account_id", how="left")
    return due.select(ROW_COLUMNS)


def history_rollup(history: pl.DataFrame) -> pl.DataFrame:
    """The trailing year's decided renewals summed by the filterable account attributes: what the expected
    contraction / expansion and the naive forecast's rate are read from, for any sidebar filter."""
    decided = history.filter(pl.col("outcome") != "open")
    renewed = pl.col("outcome") == "renewed"
    change = pl.col("renewed_arr") - pl.col("due_arr")
    return decided.group_by("segment", "region", "csm_owner", pl.col("account_bill_period_months")
                            .alias("bill_period_months")).agg(
        pl.col("due_arr").sum().alias("decided_due_arr"),
        pl.col("renewed_arr_gross").sum().alias("decided_renewed_gross_arr"),
        pl.col("due_arr").filter(renewed).sum().alias("renewed_due_arr"),
        (-change).clip(lower_bound=0).filter(renewed).sum().alias("contraction_arr"),
        change.clip(lower_bound=0).filter(renewed).sum().alias("expansion_arr"),
    )


# ---------------------------------------------------------------- figures from rows


def rollup_ratios(rollup: pl.DataFrame) -> tuple[float, float, float | None]:
    """Contraction and expansion as shares of renewed renewals' due ARR, and the trailing gross renewal rate."""
    renewed_due = float(rollup["renewed_due_arr"].sum()) if rollup.height else 0.0
    decided_due = float(rollup["decided_due_arr"].sum()) if rollup.height else 0.0
    contraction = float(rollup["contraction_arr"].sum()) / renewed_due if renewed_due else 0.0
    expansion = float(rollup["expansion_arr"].sum()) / renewed_due if renewed_due else 0.0
    gross = float(rollup["decided_renewed_gross_arr"].sum()) / decided_due if decided_due else None
    return contraction, expansion, gross


def window_totals() -> list[pl.Expr]:
    """What the forecast's figures add up over window renewals (``summarise``): their count, ARR due, weighted
    forecast, floor and best case. Expressions, so one frame's or each group's totals are summed alike."""
    category = pl.col("category")
    return [pl.len().alias("n_due"), pl.col("due_arr").sum().alias("due_arr"),
            figures.weighted_forecast_arr().sum().alias("weighted"),
            pl.col("due_arr").filter(category.is_in(FLOOR_CATEGORIES)).sum().alias("floor"),
            pl.col("due_arr").filter(~category.is_in(LOST_CATEGORIES).fill_null(False)).sum().alias("best_case")]


def summarise(due: pl.DataFrame, as_of: dt.date, horizon_days: int, contraction: float, expansion: float) -> dict:
    """The forecast's figures (cli.md keys, plus the waterfall and projected rates).

    floor = due ARR booked or called Closed Won / Commit; best case = all due ARR except renewals called
    Omitted or Closed Lost; so floor ≤ weighted ≤ best case ≤ due (metrics.md).
    """
    return summary_from_totals(due.select(window_totals()).row(0, named=True), as_of, horizon_days, contraction,
                               expansion)


def summary_from_totals(totals: dict | None, as_of: dt.date, horizon_days: int, contraction: float,
                        expansion: float) -> dict:
    """``summarise`` from the window's ``window_totals`` (None: nothing due in the window)."""
    totals = totals or {}
    due_arr, weighted = float(totals.get("due_arr") or 0.0), float(totals.get("weighted") or 0.0)
    expected_contraction = weighted * contraction
    expected_expansion = weighted * expansion
    return {
        "as_of": as_of.isoformat(), "horizon_days": horizon_days, "n_due": int(totals.get("n_due") or 0),
        "due_arr": due_arr, "forecast_gross_arr": weighted, "floor_arr": float(totals.get("floor") or 0.0),
        "best_case_arr": float(totals.get("best_case") or 0.0),
        "expected_renewal_loss_arr": due_arr - weighted, "expected_contraction_arr": expected_contraction,
        "expected_expansion_arr": expected_expansion,
        "projected_gross_renewal_rate": (weighted - expected_contraction) / due_arr if due_arr else None,
        "projected_net_renewal_rate": ((weighted - expected_contraction + expected_expansion) / due_arr
                                       if due_arr else None),
    }


def summary_from_rows(due: pl.DataFrame, rollup: pl.DataFrame, as_of: dt.date, horizon_days: int) -> dict:
    """The forecast figures of stored (or live) renewal rows and the matching history roll-up."""
    contraction, expansion, gross = rollup_ratios(rollup)
    return summarise(due, as_of, horizon_days, contraction, expansion) | {"trailing_gross_renewal_rate": gross}


def forecast_json(result: Forecast) -> dict:
    """The forecast in the command line's JSON form (cli.md)."""
    keys = ("as_of", "horizon_days", "n_due", "due_arr", "forecast_gross_arr", "floor_arr", "best_case_arr")
    renewals_list = [{"account_id": r["account_id"], "renewal_date": r["renewal_date"].isoformat(),
                      "due_arr": r["due_arr"], "probability": r["probability"], "source": r["source"],
                      "crm_category": r["crm_category"], "model_probability": r["model_probability"],
                      "n_events": r.get("n_events", 1)}
                     for r in result.renewals.sort("renewal_date", "account_id").iter_rows(named=True)]
    method = {key: result.summary.get(key) for key in ("method", "method_errors")}
    return {key: result.summary[key] for key in keys} | method | {"renewals": renewals_list}


# ---------------------------------------------------------------- backtest


ACTUAL_COLUMNS = ("account_id", "bill_period_months", "renewal_date", "renewal_start", "outcome", "due_arr",
                  "renewed_arr", "renewed_arr_gross")
WINDOW_KEYS = ["as_of", "account_id", "bill_period_months"]  # one backtest day's window renewal


def actual_outcomes(con, start: dt.date, end: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """What happened to the renewal events due in [start, end), judged on everything loaded: the events a
    backtest day's window renewals are grouped from (:func:`actual_windows`)."""
    return renewals.renewal_outcomes(con, start, end, filters=filters).select(ACTUAL_COLUMNS)


def actual_windows(actual: pl.DataFrame, days: list[dt.date], horizon_days: int) -> pl.DataFrame:
    """What happened to each day's window renewals in [day, day + horizon): churned if any of its events churned,
    else renewed at the last event's ARR (metrics.md "Renewals in a window")."""
    windows = renewals.outcome_windows(actual, days, horizon_days)
    return windows.select(*WINDOW_KEYS, pl.col("renewed_arr_gross").alias("actual_gross"),
                          (pl.col("outcome") == "renewed").alias("renewed"), pl.col("outcome").alias("actual_outcome"))


def judge(rows: pl.DataFrame, actual: pl.DataFrame, summary: dict) -> tuple[dict, pl.DataFrame]:
    """A past forecast (one day's window renewals) against what happened (:func:`actual_windows`). The one
    accuracy figure is the forecast error: |weighted forecast − gross renewed ARR| / gross renewed ARR, and
    beside it the naive forecast's (trailing-12-month gross renewal rate × ARR due) and the bias of the
    weighted forecast."""
    judged = rows.join(actual, on=WINDOW_KEYS, how="left")
    actual_arr = float(judged["actual_gross"].fill_null(0).sum())
    predicted = summary["forecast_gross_arr"]
    rate = summary["trailing_gross_renewal_rate"]
    naive = rate * summary["due_arr"] if rate is not None else None

    def error(value: float | None) -> float | None:
        return abs(value - actual_arr) / actual_arr if actual_arr and value is not None else None

    figures = {"forecast_arr": predicted, "naive_arr": naive, "actual_arr": actual_arr,
               "forecast_error": error(predicted), "naive_error": error(naive),
               "bias": (predicted - actual_arr) / actual_arr if actual_arr else None}
    return figures, judged


def backtest_days(as_of: dt.date, horizon_days: int, months: int = 12) -> list[dt.date]:
    """The month starts of the past year whose renewals in the horizon (and their grace) are all decided."""
    known_until = as_of - dt.timedelta(days=horizon_days + settings.get("grace_days"))
    latest = dates.month_floor(known_until)
    return [dates.add_months(latest, -step) for step in range(months - 1, -1, -1)]


def backtest_from_rows(renewal_rows: pl.DataFrame, rollups: pl.DataFrame, actual: pl.DataFrame,
                       days: list[dt.date], horizon_days: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored forecasts of ``days`` judged against ``actual`` (the events of the days' windows), each day's
    window renewals against what happened to them; one row per day, and the calibration table."""
    rows, predictions = [], []
    if days:  # no day to judge: nothing to group (a book too young for a backtest)
        windows = renewals.windows_by_day(renewal_rows.filter(pl.col("as_of").is_in(days)), horizon_days)
        outcomes = actual_windows(actual, days, horizon_days)
    for day in days:
        due = windows.filter(pl.col("as_of") == day)
        summary = summary_from_rows(due, rollups.filter(pl.col("as_of") == day), day, horizon_days)
        figures, judged = judge(due, outcomes.filter(pl.col("as_of") == day), summary)
        rows.append({"as_of": day, "n_due": summary["n_due"], "due_arr": summary["due_arr"]} | figures)
        predictions.append(judged.select("probability", pl.col("renewed").fill_null(False), "source"))
    schema = {"as_of": pl.Date, "n_due": pl.Int64, "due_arr": pl.Float64, "forecast_arr": pl.Float64,
              "naive_arr": pl.Float64, "actual_arr": pl.Float64, "forecast_error": pl.Float64,
              "naive_error": pl.Float64, "bias": pl.Float64}
    table = pl.DataFrame(rows, schema=schema)
    return table, calibration(pl.concat(predictions) if predictions else pl.DataFrame())


def backtest_from_scores(con, renewal_scores: pl.DataFrame, rollups: pl.DataFrame, as_of: dt.date,
                         horizon_days: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The scoring stage's backtest: the stored forecasts of the past year's month starts, unfiltered."""
    scored_days = set(renewal_scores["as_of"].unique().to_list())
    days = [day for day in backtest_days(as_of, horizon_days) if day in scored_days]
    if not days:
        return backtest_from_rows(renewal_scores.head(0), rollups, renewal_scores.head(0), [], horizon_days)
    actual = actual_outcomes(con, min(days), max(days) + dt.timedelta(days=horizon_days))
    return backtest_from_rows(renewal_scores, rollups, actual, days, horizon_days)


def accuracy(backtest: pl.DataFrame) -> dict:
    """The backtest's headline: mean forecast error, the naive forecast's, and the mean bias."""
    if backtest.is_empty():
        return {"forecast_error": None, "naive_error": None, "bias": None, "months": 0}
    return {"forecast_error": backtest["forecast_error"].mean(), "naive_error": backtest["naive_error"].mean(),
            "bias": backtest["bias"].mean(), "months": backtest.height}


CALIBRATION_SCHEMA = {"decile": pl.Int64, "renewals": pl.UInt32, "predicted_rate": pl.Float64,
                      "actual_rate": pl.Float64, "from_p": pl.Float64, "to_p": pl.Float64}


def calibration(predictions: pl.DataFrame) -> pl.DataFrame:
    """Predicted against actual renewal rate by decile of predicted probability."""
    if predictions.is_empty():
        return pl.DataFrame(schema=CALIBRATION_SCHEMA)
    ranked = predictions.with_columns(
        (pl.col("probability").rank("ordinal") * 10 / (pl.len() + 1)).floor().cast(pl.Int64).alias("decile"))
    return ranked.group_by("decile").agg(
        pl.len().alias("renewals"), pl.col("probability").mean().alias("predicted_rate"),
        pl.col("renewed").cast(pl.Float64).mean().alias("actual_rate"),
        pl.col("probability").min().alias("from_p"), pl.col("probability").max().alias("to_p"),
    ).sort("decile").with_columns((pl.col("decile") + 1).alias("decile"))
