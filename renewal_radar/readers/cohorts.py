"""The Cohorts and survival page: the retention triangle, a cell's members, retention by an account attribute,
survival curves with numbers at risk, the shifted-beta-geometric projection, and movements."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import cohorts, metrics, money, retention_groups, retention_projection
from renewal_radar.filters import ALL, Filters

SURVIVAL_DAYS = (0, 90, 180, 365, 540, 730, 1095)
COHORT_MONEY = ("base_mrr", "mrr", "gross_mrr", "mrr_k")


@dataclass(frozen=True)
class CohortsPage:
    """The figures of the Cohorts and survival page for one grain and survival split."""

    currency: str
    triangle: pl.DataFrame
    labels: list[str]
    survival: pl.DataFrame
    numbers_at_risk: pl.DataFrame
    movements: pl.DataFrame
    average: pl.DataFrame      # the size-weighted average curve over every cohort
    medians: dict              # survival group → median lifetime in days (None: not reached)


def read(con, as_of: dt.date, grain: str = "month", by: str | None = None, filters: Filters = ALL,
         currency: str | None = None) -> CohortsPage:
    """Cohort triangle, survival curves with numbers at risk, and movements."""
    triangle = cohorts.cohorts(con, as_of, grain, filters)
    labels = [cohorts.cohort_label(c, grain) for c in triangle.filter(pl.col("k") == 0).sort("cohort")["cohort"]]
    lives = cohorts.account_lifetimes(con, as_of, filters)  # read once for the curves and the numbers at risk
    shown = money.converter(con, currency)
    # constant currency: every snapshot of a cohort at the rates of the cohort's first month
    triangle = shown.frame(triangle, COHORT_MONEY, "cohort")
    survival = cohorts.survival_curves(lives, as_of, by)
    medians = {group: cohorts.median_lifetime(part)
               for (group,), part in survival.group_by("group", maintain_order=True)}
    return CohortsPage(shown.currency, triangle, labels, survival,
                       cohorts.numbers_at_risk_of(lives, as_of, by, SURVIVAL_DAYS),
                       shown.movements(metrics.monthly_movements(con, None, None, filters)),
                       cohorts.average_curve(triangle) if triangle.height else triangle.head(0), medians)


def members(con, as_of: dt.date, grain: str, cohort: dt.date, k: int, filters: Filters = ALL,
            currency: str | None = None) -> pl.DataFrame:
    """The members of one cohort cell, money at the cohort's first month's rates in ``currency``."""
    found = cohorts.cohort_accounts(con, as_of, grain, cohort, k, filters)
    return money.converter(con, currency).frame(found, COHORT_MONEY, cohort)


def attributes(con) -> list[str]:
    """The account attributes retention and survival can be split by."""
    return cohorts.account_attributes(con)


def by_attribute(con, as_of: dt.date, grain: str, attribute: str, filters: Filters = ALL) -> pl.DataFrame:
    """Retention curves by an account attribute, weighted by cohort size."""
    return cohorts.retention_by_attribute(con, as_of, grain, attribute, filters)


def projection(con, by: str = "bill_period_months",
               currency: str | None = None) -> retention_projection.ProjectionView:
    """The shifted-beta-geometric fits, curves and residual values (whole book), money in ``currency``; the groups
    named in the reader's language ("Regular, yearly")."""
    found = money.converter(con, currency).result(retention_projection.projection_view(con, by))
    fits, curves, values = retention_groups.worded(found.fits, found.curves, found.values)
    return dataclasses.replace(found, fits=fits, curves=curves, values=values)


fit_notes = retention_projection.fit_notes  # which fits to read with care: a rule over the projection's rows
