"""Which forecast method a day uses, chosen on the customer's own history (metrics.md "Quarter forecast").

Three methods price the renewals that are not yet known (rows whose source is ``model`` or ``crm``; booked and
cancelled renewals keep their probability whatever the method):

- ``model``: the forecast as scored, the renewal model's probability or the CRM call's;
- ``naive``: the trailing twelve months' gross renewal rate of the renewal's segment and billing period, in place
  of the model's price and the CRM's call (chosen for want of history, in place of the model's only);
- ``recalibrated``: the forecast moved to the recent level by one shift of its log-odds, fitted so that
  Σ p × due ARR equals what renewed of the renewals in the windows of the month starts judged on the day, priced
  as the forecast priced them on those month starts: fitted at the lead it is used at (a CRM whose calls run
  low or high is corrected too).

For a day D, each method's forecast of every month start M with M + horizon + grace ≤ D (the latest six) is
judged against the outcomes known on D; the lowest mean absolute % error wins, and with fewer than three such
months the naive rate does. The chosen method moves the priced rows by one log-odds shift, so the account-level
probabilities keep their ranking while their sum is the method's (``model_probability`` and ``crm_probability``
keep the model's and the CRM's own figures). Only rows of days up to D and outcomes
known on D are read: the choice made from data cut at D is the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from renewal_radar import dates, renewals, settings

METHODS = ("model", "naive", "recalibrated")
# the renewals a method prices: those the model or a CRM call prices (booked and cancelled ones are known)
PRICED = ("model", "crm")
SETTLED_CALLS = ("Omitted", "Closed Lost", "Closed Won")
MIN_MONTHS = 3
JUDGED_MONTHS = 6
RECALIBRATION_WINDOWS = 6  # the latest judged month starts the recalibration is fitted on
MAX_SHIFT = 6.0  # log-odds: beyond this the model says nothing the naive rate does not
MIN_RECALIBRATION = 20  # decided renewals below which one shift would chase a handful of outcomes
TIE = 0.001  # a method must beat a simpler one by more than 0.1 point of error to be used instead
METHOD_SCHEMA = {"as_of": pl.Date, "method": pl.String, "months": pl.Int64, "model_error": pl.Float64,
                 "naive_error": pl.Float64, "recalibrated_error": pl.Float64, "recalibration_shift": pl.Float64,
                 "applied_shift": pl.Float64}

EMPTY_ROLLUP = pl.DataFrame(schema={"segment": pl.String, "bill_period_months": pl.Int64,
                                    "decided_due_arr": pl.Float64, "decided_renewed_gross_arr": pl.Float64})


@dataclass(frozen=True)
class Choice:
    """A day's method, the errors that chose it and the log-odds shifts it uses."""

    as_of: dt.date
    method: str
    months: int
    errors: dict
    recalibration_shift: float
    applied_shift: float

    def row(self) -> dict:
        """The choice as a row of the stored ``forecast_methods`` table."""
        return {"as_of": self.as_of, "method": self.method, "months": self.months,
                **{f"{name}_error": self.errors.get(name) for name in METHODS},
                "recalibration_shift": self.recalibration_shift, "applied_shift": self.applied_shift}


def outcomes_window_start(day: dt.date, horizon_days: int) -> dt.date:
    """The first renewal day the choice for ``day`` judges: the earliest judged month start (the recalibration
    reads the latest of the same windows)."""
    latest = dates.month_floor(day - dt.timedelta(days=horizon_days + settings.get("grace_days")))
    return dates.add_months(latest, -(JUDGED_MONTHS - 1))


def judged_months(day: dt.date, month_starts: list[dt.date], horizon_days: int) -> list[dt.date]:
    """The month starts whose renewals in the horizon, grace included, were all decided by ``day``."""
    grace = settings.get("grace_days")
    eligible = [m for m in month_starts if m + dt.timedelta(days=horizon_days + grace) <= day]
    return sorted(eligible)[-JUDGED_MONTHS:]


# ---------------------------------------------------------------- the three predictions


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(clipped / (1 - clipped))


def shifted(probability: np.ndarray, shift: float) -> np.ndarray:
    """Probabilities moved by ``shift`` on the log-odds scale (order kept; no shift leaves them as they are)."""
    if shift == 0:
        return probability
    return 1 / (1 + np.exp(-(_logit(probability) + shift)))


def shift_to_total(probability: np.ndarray, weight: np.ndarray, total: float) -> float:
    """The log-odds shift δ with Σ weight × shifted(p, δ) = total (bisection: the sum rises with δ)."""
    if not len(probability) or weight.sum() <= 0:
        return 0.0
    low, high = -MAX_SHIFT, MAX_SHIFT
    for _ in range(60):
        middle = (low + high) / 2
        if float(np.sum(weight * shifted(probability, middle))) < total:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def naive_rates(rows: pl.DataFrame, rollup: pl.DataFrame) -> pl.Series:
    """Each row's trailing gross renewal rate of its segment and billing period (the whole book's where its
    group decided nothing; the model's price where the book decided nothing) from the day's history roll-up."""
    decided = float(rollup["decided_due_arr"].sum()) if rollup.height else 0.0
    overall = float(rollup["decided_renewed_gross_arr"].sum()) / decided if decided else None
    period = pl.col("bill_period_months").cast(pl.Int64)
    groups = rollup.with_columns(period).group_by("segment", "bill_period_months").agg(
        (pl.col("decided_renewed_gross_arr").sum() / pl.col("decided_due_arr").sum()).alias("naive_rate"))
    joined = rows.select("segment", period).join(
        groups, on=["segment", "bill_period_months"], how="left", nulls_equal=True, maintain_order="left")
    rates = joined["naive_rate"].cast(pl.Float64).fill_nan(None)
    # nothing decided in the trailing year at all: no naive rate, the model's own price stands
    return rates.fill_null(overall) if overall is not None else rates.fill_null(rows["model_probability"])


def recalibration_shift(priced: pl.DataFrame) -> float:
    """The shift that makes the forecast's prices of recently decided renewals add up to what renewed."""
    priced = priced.filter(pl.col("due_arr") > 0)
    if priced.height < MIN_RECALIBRATION:
        return 0.0
    return shift_to_total(priced["probability"].to_numpy(), priced["due_arr"].to_numpy(),
                          float(priced["renewed_arr_gross"].sum()))


def window_prices(windows: list[pl.DataFrame]) -> pl.DataFrame:
    """The priced window renewals of judged month starts' windows (as the forecast priced them that day) with
    what renewed of each: the recalibration is fitted at the lead it is used at."""
    if not windows:
        return pl.DataFrame(schema={"due_arr": pl.Float64, "probability": pl.Float64, "renewed_arr_gross": pl.Float64})
    return pl.concat([rows.filter(pl.col("source").is_in(PRICED) & _movable(rows.columns)).select(
        "due_arr", "probability", "renewed_arr_gross") for rows in windows])


def due_windows(rows: pl.DataFrame, month: dt.date, horizon_days: int) -> pl.DataFrame:
    """A month start's window renewals due in [month, month + horizon), as scored that day."""
    return renewals.window_renewals(rows.filter(pl.col("renewal_date") < month + dt.timedelta(days=horizon_days)))


def judged_windows(due: dict, decided: pl.DataFrame, months: list[dt.date], horizon_days: int) -> dict:
    """Each month start's window renewals due in [month, month + horizon) (``due``: each month's
    :func:`due_windows`) with the gross ARR each renewed, judged on the outcomes known on the judging day
    (metrics.md "Renewals in a window"). What renewed in every month's window is grouped at once."""
    keys = ["account_id", "bill_period_months"]
    found = renewals.outcome_windows(decided, months, horizon_days).select("as_of", *keys, "renewed_arr_gross")
    actual, none = found.partition_by("as_of", as_dict=True, include_key=False), found.drop("as_of").head(0)
    return {month: due[month].join(actual.get((month,), none), on=keys, how="left").with_columns(
        pl.col("renewed_arr_gross").fill_null(0.0)) for month in months}


def predictions(rows: pl.DataFrame, rollup: pl.DataFrame, shift: float) -> dict:
    """Σ p × due ARR of ``rows`` under each method: the naive rate replaces the model's prices and the CRM's
    calls, the recalibration moves them (booked and cancelled renewals are known)."""
    due = rows["due_arr"].to_numpy()
    as_scored = rows["probability"].to_numpy()
    is_priced = rows.select(pl.col("source").is_in(PRICED) & _movable(rows.columns)).to_series().to_numpy()
    naive = np.where(is_priced, naive_rates(rows, rollup).to_numpy(), as_scored)
    recalibrated = np.where(is_priced, shifted(as_scored, shift), as_scored)
    return {"model": float(np.sum(as_scored * due)), "naive": float(np.sum(naive * due)),
            "recalibrated": float(np.sum(recalibrated * due))}


# ---------------------------------------------------------------- the choice


def _mean_errors(judged: list[tuple[dict, float]]) -> dict:
    """Each method's mean absolute % error over the judged months (months where nothing renewed are left out:
    their error has no denominator)."""
    errors = {name: [abs(predicted[name] - actual) / actual for predicted, actual in judged if actual]
              for name in METHODS}
    return {name: (float(np.mean(values)) if values else None) for name, values in errors.items()}


def pick(errors: dict, months: int) -> str:
    """The method with the lowest error; the naive rate with too little history. A method must do better than
    a simpler one (naive, then the model, then the model recalibrated) by more than ``TIE`` to be chosen."""
    if months < MIN_MONTHS or any(errors[name] is None for name in METHODS):
        return "naive"
    best = min(errors[name] for name in METHODS)
    return next(name for name in ("naive", "model", "recalibrated") if errors[name] <= best + TIE)


def choose(day: dt.date, rows_by_day: dict, rollups_by_day: dict, decided: pl.DataFrame, shifts: dict,
           horizon_days: int, predicted: dict | None = None, due: dict | None = None) -> Choice:
    """The method for ``day`` from the rows scored on earlier month starts (``rows_by_day``: each day's rows
    with their segment, as the model scored them), their roll-ups, the outcomes known on ``day``
    (``decided``) and the recalibration shift of each earlier month start (``shifts``). ``predicted`` and
    ``due`` keep each month start's three forecasts and its due window renewals between days (neither depends
    on the day judging them; only what renewed does)."""
    predicted = {} if predicted is None else predicted
    due = {} if due is None else due
    month_starts = [m for m in shifts if m < day and m.day == 1 and m in rows_by_day]
    judged, windows = [], []
    months = judged_months(day, month_starts, horizon_days)
    for month in months:
        if month not in due:
            due[month] = due_windows(rows_by_day[month], month, horizon_days)
    judged_rows = judged_windows(due, decided, months, horizon_days)
    for month in months:
        rows = judged_rows[month]
        windows.append(rows)
        if month not in predicted:
            predicted[month] = predictions(rows, rollups_by_day.get(month, EMPTY_ROLLUP), shifts[month])
        judged.append((predicted[month], float(rows["renewed_arr_gross"].sum())))
    judged = [(predicted, actual) for predicted, actual in judged if actual]
    errors = _mean_errors(judged)
    shift = recalibration_shift(window_prices(windows[-RECALIBRATION_WINDOWS:]))
    return Choice(day, pick(errors, len(judged)), len(judged), errors, shift, 0.0)


def apply(choice: Choice, rows: pl.DataFrame, rollup: pl.DataFrame, horizon_days: int) -> tuple[Choice, pl.DataFrame]:
    """The day's rows (as scored) with the priced ones moved to the chosen method's level (ranking kept).

    The naive method's shift is the one that makes the priced rows due within the horizon add up to their naive
    rates; the recalibrated method's is its fitted shift.
    """
    if choice.method == "model" or rows.is_empty():
        return choice, rows
    # chosen on its record, a method prices the CRM's calls too; the naive rate chosen for want of a record
    # (fewer than MIN_MONTHS judged, or no better than the forecast as scored) stands in for the model only:
    # nothing says the CRM's calls are worse
    fallback = choice.method == "naive" and not _beat_as_scored(choice)
    # a call that says how it ends (Omitted, Closed Lost, Closed Won) is not a price to correct: moved, it would
    # put the forecast above the best case or below the floor
    # nor is the churn model's price of an account renewing whole (risk.priced_by_churn_model): the naive rate
    # stands in for the renewal model, not for the churn model judged on that very outcome (its ROC AUC)
    is_priced = (pl.col("source") == "model" if fallback else pl.col("source").is_in(PRICED)) & _movable(rows.columns)
    if choice.method == "recalibrated":
        shift = choice.recalibration_shift
    else:
        horizon_end = choice.as_of + dt.timedelta(days=horizon_days)
        in_horizon = rows.filter(is_priced & (pl.col("renewal_date") < horizon_end))
        basis = in_horizon if in_horizon.height else rows.filter(is_priced)
        target = float((naive_rates(basis, rollup) * basis["due_arr"]).sum())
        shift = shift_to_total(basis["probability"].to_numpy(), basis["due_arr"].to_numpy(), target)
    moved = pl.Series(shifted(rows["probability"].fill_null(0.5).to_numpy(), shift))
    adjusted = rows.with_columns(pl.when(is_priced).then(moved).otherwise(pl.col("probability")).alias("probability"))
    return Choice(choice.as_of, choice.method, choice.months, choice.errors, choice.recalibration_shift,
                  shift), adjusted


def _movable(columns: list[str]) -> pl.Expr:
    """A priced row the method may move: not a call that says how it ends, not an account renewing whole (its
    price is the estimate its churn risk shares, risk.priced_by_churn_model)."""
    settled = pl.col("category").is_in(SETTLED_CALLS).fill_null(False)
    if "renews_whole" not in columns:
        return ~settled
    return ~settled & ~pl.col("renews_whole").fill_null(False)


def _beat_as_scored(choice: Choice) -> bool:
    """True when the naive rate did better than the forecast as scored by more than ``TIE`` over enough months."""
    naive, scored = choice.errors.get("naive"), choice.errors.get("model")
    return choice.months >= MIN_MONTHS and naive is not None and scored is not None and naive + TIE < scored


def as_scored(rows: pl.DataFrame) -> pl.DataFrame:
    """Stored rows with the probability they had before a method moved it: the model's own, or the CRM's call."""
    return rows.with_columns(pl.when(pl.col("source") == "model").then(pl.col("model_probability"))
                             .when(pl.col("source") == "crm").then(pl.col("crm_probability"))
                             .otherwise(pl.col("probability")).alias("probability"))


def by_day(frame: pl.DataFrame) -> dict:
    """A frame split by its ``as_of`` day."""
    return {key[0]: part for key, part in frame.partition_by("as_of", as_dict=True).items()} if frame.height else {}


def choose_all(days: list[dt.date], rows_by_day: dict, rollups_by_day: dict, decided_by_day: dict,
               horizon_days: int, known: dict | None = None) -> tuple[list[Choice], dict]:
    """Each day's choice in day order, and each day's rows moved to its method. ``known`` holds choices
    already made (a refresh's kept days): their shifts are reused, their rows left as stored."""
    known = known or {}
    shifts = {day: choice.recalibration_shift for day, choice in known.items()}
    choices, adjusted, predicted, due = [], {}, {}, {}
    for day in sorted(days):
        if day in known:
            choices.append(known[day])
            continue
        choice = choose(day, rows_by_day, rollups_by_day, decided_by_day[day], shifts, horizon_days, predicted, due)
        shifts[day] = choice.recalibration_shift
        choice, adjusted[day] = apply(choice, rows_by_day.get(day, pl.DataFrame()),
                                      rollups_by_day.get(day, EMPTY_ROLLUP), horizon_days)
        choices.append(choice)
    return choices, adjusted


def stored_choices(methods: pl.DataFrame) -> dict:
    """Stored ``forecast_methods`` rows as choices by day."""
    return {row["as_of"]: Choice(row["as_of"], row["method"], row["months"],
                                 {name: row[f"{name}_error"] for name in METHODS}, row["recalibration_shift"],
                                 row["applied_shift"]) for row in methods.iter_rows(named=True)}


def choices_frame(choices: list[Choice]) -> pl.DataFrame:
    """The stored ``forecast_methods`` table."""
    return pl.DataFrame([choice.row() for choice in choices], schema=METHOD_SCHEMA)


def method_json(row: dict | None) -> dict:
    """``method`` and ``method_errors`` of ``forecast --json`` (cli.md)."""
    if row is None:
        return {"method": "naive", "method_errors": dict.fromkeys(METHODS)}
    return {"method": row["method"], "method_errors": {name: row[f"{name}_error"] for name in METHODS}}
