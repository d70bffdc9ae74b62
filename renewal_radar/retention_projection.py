"""Retention projection and residual lifetime value: the shifted-beta-geometric model (metrics.md).

Fader & Hardie, "How to Project Customer Retention" (2007): each customer renews every period with a constant
probability 1 − θ, and θ differs between customers as a Beta(α, β) distribution. Then
P(T = 1) = α / (α + β), P(T = t) = P(T = t − 1) · (β + t − 2) / (α + β + t − 1), S(t) = S(t − 1) − P(T = t).
α and β are fitted by maximum likelihood per group (billing period, and segment within it) on the accounts'
logo lifetimes counted in renewal periods of their billing period: a churned account contributes log P(T = t)
for the period t it left in, an active one log S(t) for the t periods it has renewed so far.

The fitted curve projects the share still renewing beyond what has been observed; an active account that has
renewed t times renews again k more times with probability S(t + k) / S(t), which gives its expected remaining
lifetime and its discounted expected residual lifetime value (the revenue of its future renewals, discounted
at the ``annual_discount_rate`` setting). The scoring stage stores the fits, the curves with their own backtest
(fitted on the earlier periods only, compared with the later observed ones) and each active account's value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import polars as pl

from renewal_radar import cohorts, db, metrics, retention_groups, settings, sql
from renewal_radar.filters import ALL
from renewal_radar.money import Money
from renewal_radar.retention_model import Fit, fit, survival

DAYS_PER_MONTH = 365.25 / 12
# expected lifetime and value count renewals within this many years; the curve is drawn as far (metrics.md)
HORIZON_YEARS = PROJECTED_YEARS = 10
MIN_ACCOUNTS_FOR_OWN_FIT = 30
GROUPINGS = ("bill_period_months", "segment")
ALIKE = 1000.0  # α + β above this: no sign that customers differ (the page says so)


# ---------------------------------------------------------------- lifetimes in renewal periods


def renewal_periods(lifetimes: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Each account's lifetime in periods of its billing period: a churned account left in period
    ``periods`` (≥ 1, rounded to the nearest period end); an active one has renewed ``periods`` times
    (whole periods completed by ``as_of``)."""
    lives = cohorts.lifetimes(lifetimes, as_of)
    period = pl.col("bill_period_months").fill_null(12).clip(1, None).cast(pl.Float64)
    months = pl.col("duration") / DAYS_PER_MONTH / period
    return lives.with_columns(
        pl.when(pl.col("churned")).then(months.round(0).clip(1, None)).otherwise((months + 0.02).floor())
        .cast(pl.Int64).alias("periods"),
        pl.col("bill_period_months").fill_null(12).clip(1, None).cast(pl.Int64).alias("bill_period_months"))


def counts(periods: pl.DataFrame, cutoff: int | None = None) -> tuple[dict[int, int], dict[int, int]]:
    """Churned-after-t and still-active-after-t counts; with ``cutoff`` every life is seen only up to that
    period (a churn after it is still active at the cutoff), as a fit made then would have seen it."""
    churned, survived = {}, {}
    for t, left in periods.select("periods", "churned").iter_rows():
        if cutoff is not None and (t > cutoff or not left):
            t, left = min(t, cutoff), left and t <= cutoff
        target = churned if left else survived
        target[t] = target.get(t, 0) + 1
    return churned, survived


def observed_survival(churned: dict[int, int], survived: dict[int, int]) -> list[float]:
    """The life-table (discrete Kaplan–Meier) share still renewing after t = 0..T periods."""
    last = max([0, *churned, *survived])
    curve, share = [1.0], 1.0
    for t in range(1, last + 1):
        at_risk = sum(n for k, n in churned.items() if k >= t) + sum(n for k, n in survived.items() if k >= t)
        if at_risk == 0:
            break
        share *= 1 - churned.get(t, 0) / at_risk
        curve.append(share)
    return curve


# ---------------------------------------------------------------- one group


@dataclass(frozen=True)
class GroupProjection:
    """One group's fit, curves and backtest."""

    by: str
    group: str
    bill_period_months: int
    segment: str | None
    n: int
    churned: int
    fit: Fit | None
    observed: list[float]
    projected: list[float]
    backtest_cutoff: int | None
    backtest_projected: list[float]
    backtest_error: float | None


def project_group(periods: pl.DataFrame, by: str, group: str, bill_period: int, segment: str | None
                  ) -> GroupProjection:
    """Fit one group, project it, and backtest the fit on its own later periods."""
    churned, survived = counts(periods)
    observed = observed_survival(churned, survived)
    horizon = max(len(observed) - 1, math.ceil(PROJECTED_YEARS * 12 / bill_period))
    fitted = fit(churned, survived)
    projected = survival(fitted.alpha, fitted.beta, horizon).tolist() if fitted else []
    cutoff, back, error = _backtest(periods, observed)
    return GroupProjection(by, group, bill_period, segment, periods.height, sum(churned.values()), fitted, observed,
                           projected, cutoff, back, error)


def _backtest(periods: pl.DataFrame, observed: list[float]) -> tuple[int | None, list[float], float | None]:
    """Fit on the first half of the observed periods; mean absolute error (points of share) on the rest."""
    last = len(observed) - 1
    if last < 2:
        return None, [], None
    cutoff = last // 2
    early = fit(*counts(periods, cutoff))
    if early is None:
        return cutoff, [], None
    back = survival(early.alpha, early.beta, last).tolist()
    error = float(np.mean([abs(back[t] - observed[t]) for t in range(cutoff + 1, last + 1)]))
    return cutoff, back, error


def projections(lifetimes: pl.DataFrame, as_of: dt.date, by: str = "bill_period_months"
                ) -> list[GroupProjection]:
    """Every group's projection: by billing period, or by billing period and segment (``by="segment"``; the
    periods of one fit must be of one length)."""
    if by not in GROUPINGS:
        raise ValueError(f"--by must be one of {', '.join(GROUPINGS)}")
    periods = renewal_periods(lifetimes, as_of)
    keys = ["bill_period_months"] + (["segment"] if by == "segment" else [])
    if by == "segment":
        periods = periods.with_columns(pl.col("segment").cast(pl.String).fill_null("(none)"))
    out = []
    for key, part in periods.sort(keys).group_by(keys, maintain_order=True):
        bill_period, segment = int(key[0]), (key[1] if by == "segment" else None)
        # "Yearly", "Regular, yearly": English where it is stored, worded again where it is read
        out.append(project_group(part, by, retention_groups.stored_label(bill_period, segment), bill_period,
                                 segment))
    return out


# ---------------------------------------------------------------- residual value of active accounts


def expected_future_renewals(fitted: Fit, renewed: int, horizon_periods: int, discount: float = 0.0) -> float:
    """Σ_{k=1..horizon} S(t + k) / S(t) / (1 + discount)^k for an account that has renewed t times: the expected
    number of renewals still to come (discount 0), or their present value per unit of revenue."""
    s = survival(fitted.alpha, fitted.beta, renewed + horizon_periods)
    if s[renewed] <= 0:
        return 0.0
    k = np.arange(1, horizon_periods + 1)
    return float(np.sum(s[renewed + k] / s[renewed] / (1 + discount) ** k))


def residual_values(periods: pl.DataFrame, fits: dict[tuple, tuple[Fit, str]], mrr: pl.DataFrame) -> pl.DataFrame:
    """Each active account's renewal probability at its next renewal, expected remaining lifetime (months, within
    ten years) and discounted expected residual lifetime value (its future renewals' revenue at today's MRR)."""
    rate = float(settings.get("annual_discount_rate"))
    active = periods.filter(~pl.col("churned")).join(mrr, on="account_id", how="inner")
    rows, per_unit = [], {}
    for row in active.iter_rows(named=True):
        bill = row["bill_period_months"]
        chosen = fits.get((bill, row.get("segment"))) or fits.get((bill, None))
        if chosen is None:
            continue
        fitted, group = chosen
        key = (group, row["periods"])
        if key not in per_unit:  # accounts of one group with as many renewals share the figures
            per_unit[key] = _per_unit_of_revenue(fitted, row["periods"], bill, rate)
        probability, renewals, value = per_unit[key]
        rows.append({"account_id": row["account_id"], "group": group, "renewals_so_far": row["periods"],
                     "next_renewal_probability": probability, "expected_lifetime_months": renewals * bill,
                     "residual_value": value * row["mrr"] * bill})
    return pl.DataFrame(rows, schema=VALUE_SCHEMA)


def _per_unit_of_revenue(fitted: Fit, renewed: int, bill: int, rate: float) -> tuple[float, float, float]:
    """Next-renewal probability, expected renewals to come and their present value per unit of period revenue."""
    horizon = math.ceil(HORIZON_YEARS * 12 / bill)
    s = survival(fitted.alpha, fitted.beta, renewed + 1)
    per_period_discount = (1 + rate) ** (bill / 12) - 1
    return (float(s[renewed + 1] / s[renewed]), expected_future_renewals(fitted, renewed, horizon),
            expected_future_renewals(fitted, renewed, horizon, per_period_discount))


VALUE_SCHEMA = {"account_id": pl.String, "group": pl.String, "renewals_so_far": pl.Int64,
                "next_renewal_probability": pl.Float64, "expected_lifetime_months": pl.Float64,
                "residual_value": pl.Float64}


def _fits_for_values(by_period: list[GroupProjection], by_segment: list[GroupProjection]) -> dict[tuple, tuple]:
    """The fit each account's value uses: its segment's within its billing period when that group is large
    enough, else its billing period's."""
    chosen = {(g.bill_period_months, None): (g.fit, g.group) for g in by_period if g.fit}
    chosen.update({(g.bill_period_months, g.segment): (g.fit, g.group) for g in by_segment
                   if g.fit and g.n >= MIN_ACCOUNTS_FOR_OWN_FIT})
    return chosen


# ---------------------------------------------------------------- stored tables


def fits_frame(groups: list[GroupProjection]) -> pl.DataFrame:
    """One row per group: α, β, accounts, churns, periods observed and the backtest's error."""
    return pl.DataFrame([{
        "by": g.by, "group": g.group, "bill_period_months": g.bill_period_months, "segment": g.segment, "n": g.n,
        "churned": g.churned, "alpha": g.fit.alpha if g.fit else None, "beta": g.fit.beta if g.fit else None,
        "converged": g.fit.converged if g.fit else None, "periods_observed": len(g.observed) - 1,
        "backtest_cutoff": g.backtest_cutoff, "backtest_error": g.backtest_error,
    } for g in groups], schema=FIT_SCHEMA)


FIT_SCHEMA = {"by": pl.String, "group": pl.String, "bill_period_months": pl.Int64, "segment": pl.String,
              "n": pl.Int64, "churned": pl.Int64, "alpha": pl.Float64, "beta": pl.Float64, "converged": pl.Boolean,
              "periods_observed": pl.Int64, "backtest_cutoff": pl.Int64, "backtest_error": pl.Float64}
CURVE_SCHEMA = {"by": pl.String, "group": pl.String, "period": pl.Int64, "months": pl.Int64,
                "observed": pl.Float64, "projected": pl.Float64, "backtest_projected": pl.Float64}


def curves_frame(groups: list[GroupProjection]) -> pl.DataFrame:
    """One row per group and period: observed share, projected share, and the backtest fit's projection."""
    rows = []
    for g in groups:
        length = max(len(g.observed), len(g.projected), len(g.backtest_projected))
        for t in range(length):
            rows.append({"by": g.by, "group": g.group, "period": t, "months": t * g.bill_period_months,
                         "observed": g.observed[t] if t < len(g.observed) else None,
                         "projected": g.projected[t] if t < len(g.projected) else None,
                         "backtest_projected": g.backtest_projected[t] if t < len(g.backtest_projected) else None})
    return pl.DataFrame(rows, schema=CURVE_SCHEMA)


def book_figures(con, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The stored tables of the scoring stage: fits and curves by both groupings, and each active account's
    residual value, on the data's as-of day."""
    # the lifetimes read live: the stored first churns of this import are written in the same stage
    lifetimes = sql.run(con, "reports/account_lifetimes", as_of=as_of, grace_days=settings.get("grace_days"),
                        **ALL.params())
    by_period, by_segment = projections(lifetimes, as_of, "bill_period_months"), projections(lifetimes, as_of,
                                                                                             "segment")
    mrr = metrics.accounts_on_day(con, as_of, ALL, stored=False).select("account_id", "mrr")  # stored after this
    periods = renewal_periods(lifetimes, as_of)
    values = residual_values(periods, _fits_for_values(by_period, by_segment), mrr)
    return {"retention_fits": fits_frame(by_period + by_segment), "retention_curves": curves_frame(
        by_period + by_segment), "account_residual_value": values}


def stored(con, by: str = "bill_period_months") -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored fits and curves of one grouping."""
    if "retention_fits" not in db.table_names(con):
        raise ValueError("no retention projection stored yet: run `python -m renewal_radar score` once")
    fits = sql.run(con, "stored/retention_fits", by=by)
    curves = sql.run(con, "stored/retention_curves", by=by)
    return fits, curves


def live(con, as_of: dt.date, by: str = "bill_period_months") -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fits and curves of one grouping as of any day (what the command computes for a day not stored)."""
    groups = projections(cohorts.account_lifetimes(con, as_of, ALL), as_of, by)
    return fits_frame(groups), curves_frame(groups)


def as_json(fits: pl.DataFrame, curves: pl.DataFrame, periods: int | None = None) -> list[dict]:
    """The ``project-retention --json`` list per group, ``projected`` to period ``periods`` (or the stored curve's)."""
    out = []
    for fit_row in fits.iter_rows(named=True):
        part = curves.filter(pl.col("group") == fit_row["group"]).sort("period")
        observed = part.filter(pl.col("observed").is_not_null())
        projected = part.filter(pl.col("projected").is_not_null())
        if periods is not None and fit_row["alpha"] is not None:  # each S(t) from the fitted α, β
            projected = pl.DataFrame({"period": range(periods + 1),
                                      "projected": survival(fit_row["alpha"], fit_row["beta"], periods).tolist()})
        out.append({
            "group": fit_row["group"], "bill_period_months": fit_row["bill_period_months"],
            "segment": fit_row["segment"], "alpha": fit_row["alpha"], "beta": fit_row["beta"], "n": fit_row["n"],
            "periods_observed": fit_row["periods_observed"], "backtest_error": fit_row["backtest_error"],
            "observed": [{"period": p, "survival": s} for p, s in observed.select("period", "observed").iter_rows()],
            "projected": [{"period": p, "survival": s}
                          for p, s in projected.select("period", "projected").iter_rows()],
        })
    return out


@dataclass(frozen=True)
class ProjectionView:
    """What the Cohorts page shows of the projection: fits, curves, and the residual value per group."""

    currency: str
    as_of: dt.date              # the data's as-of day: the residual values are at its month's rates
    fits: pl.DataFrame
    curves: pl.DataFrame
    values: pl.DataFrame        # per group: active accounts, mean lifetime left, Σ residual value

    MONEY: ClassVar = {"values": Money(("residual_value",), "as_of")}


def projection_view(con, by: str = "bill_period_months") -> ProjectionView:
    """The stored projection of one grouping, the residual values summed per group (reporting currency)."""
    fits, curves = stored(con, by)
    values = db.read_table(con, "account_residual_value")
    per_group = values.group_by("group").agg(
        pl.len().alias("accounts"), pl.col("expected_lifetime_months").mean(),
        pl.col("next_renewal_probability").mean(), pl.col("residual_value").sum()).sort("group")
    return ProjectionView(metrics.reporting_currency(con), metrics.data_as_of(con), fits, curves, per_group)


def fit_notes(fits: pl.DataFrame) -> list[tuple[str, str]]:
    """Per group, where the model does not describe the data well: (group, kind), kind one of ``no_fit``
    (too little history), ``alike`` (no sign that customers differ) or ``poor`` (its backtest missed by more
    than five points)."""
    notes = []
    for row in fits.iter_rows(named=True):
        if row["alpha"] is None:
            notes.append((row["group"], "no_fit"))
        elif row["alpha"] + row["beta"] > ALIKE:
            notes.append((row["group"], "alike"))
        if row["backtest_error"] is not None and row["backtest_error"] > 0.05:
            notes.append((row["group"], "poor"))
    return notes


def account_value(con, account_id: str) -> dict | None:
    """One active account's stored projection on the data's as-of day (reporting currency, at the day's
    month's rates), or None."""
    if "account_residual_value" not in db.table_names(con):
        return None
    row = sql.run(con, "stored/account_value", account_id=account_id)
    if row.is_empty():
        return None
    return retention_groups.worded_value(row.row(0, named=True))
