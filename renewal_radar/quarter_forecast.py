"""The fiscal quarter's renewals as of a day: closed so far, still open, the forecast, the plan
(metrics.md "Quarter forecast").

Every renewal due in the quarter is renewed, churned or open as of D; open ones carry the probability the
forecast gives them (the as-of day's for renewals still ahead, the last stored month start's for those in
their grace period). Pure functions of rows: ``renewal_radar.book.quarter_forecast`` reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import figures, forecast
from renewal_radar.money import Money

ROW_MONEY = ("due_arr", "renewed_arr", "renewed_arr_gross")
PROJECTED_MONEY = ("projected_gross_arr", "projected_net_arr", "open_forecast_arr", "contracted_arr")
JSON_KEYS = ("quarter", "start", "end", "as_of", "method", "due_arr", "renewed_due_arr", "churned_due_arr",
             "open_due_arr", "n_due", "renewed_arr_gross", "renewed_arr_net", "open_forecast_arr", "forecast_arr",
             "floor_arr",
             "best_case_arr", "projected_renewed_arr_gross", "projected_grr", "target_grr", "target_renewed_arr")


@dataclass(frozen=True)
class QuarterForecast:
    """A quarter's renewals (one row per renewal due in it) and its plan; the figures are derived from them, so
    they are in whatever currency the rows are in."""

    renewals: pl.DataFrame
    start: dt.date
    targets: pl.DataFrame      # the plan's rows for the quarter (written in the reporting currency)
    target: dict | None        # the plan's row for the view (the whole book's, or one segment's)

    # each renewal at its own month's rates; the plan, written in the reporting currency, at the quarter's first
    MONEY: ClassVar = {"renewals": Money(ROW_MONEY + PROJECTED_MONEY, "renewal_date"),
                       "targets": Money(("target_renewed_arr",), "start"),
                       "target": Money(("target_renewed_arr",), "start")}

    @functools.cached_property
    def summary(self) -> dict:
        """The quarter's figures: renewed, churned and open, the projection and the plan."""
        return summarise(self.renewals, self.target)


def with_open_probabilities(outcomes: pl.DataFrame, priced: pl.DataFrame, fallback: float | None) -> pl.DataFrame:
    """The quarter's renewals with the forecast's probability, source and category on the open ones.

    ``priced`` holds the forecast rows (account_id, renewal_date, probability, source, category) that price
    them; an open renewal no forecast row prices takes the trailing gross renewal rate (``fallback``).
    """
    prices = priced.select("account_id", "renewal_date", "probability", "source", "category").unique(
        ["account_id", "renewal_date"], keep="first")
    joined = outcomes.join(prices, on=["account_id", "renewal_date"], how="left")
    is_open = pl.col("outcome") == "open"
    return joined.with_columns(
        pl.when(is_open).then(pl.col("probability").fill_null(fallback if fallback is not None else 0.0))
        .alias("probability"),
        pl.when(is_open).then(pl.col("source").fill_null("naive")).otherwise(pl.col("outcome")).alias("source"),
        pl.when(is_open).then(pl.col("category")).alias("category"))


def with_projection(rows: pl.DataFrame, contraction: float, expansion: float) -> pl.DataFrame:
    """Each renewal's projected renewed ARR, gross and net: what renewed for the closed ones, p × due ARR less
    the expected contraction (plus the expected expansion, net) for the open ones."""
    is_open, renewed = pl.col("outcome") == "open", pl.col("outcome") == "renewed"
    expected = figures.weighted_forecast_arr()
    return rows.with_columns(
        pl.when(renewed).then(pl.col("renewed_arr_gross")).when(is_open).then(expected * (1 - contraction))
        .otherwise(0.0).alias("projected_gross_arr"),
        pl.when(renewed).then(pl.col("renewed_arr")).when(is_open).then(expected * (1 - contraction + expansion))
        .otherwise(0.0).alias("projected_net_arr"),
        pl.when(is_open).then(expected).otherwise(0.0).alias("open_forecast_arr"),
        pl.when(renewed).then((pl.col("due_arr") - pl.col("renewed_arr")).clip(lower_bound=0)).otherwise(0.0)
        .alias("contracted_arr"))


def _sum(rows: pl.DataFrame, column: str, condition: pl.Expr | None = None) -> float:
    picked = rows.filter(condition) if condition is not None else rows
    return float(picked[column].sum()) if picked.height else 0.0


def summarise(rows: pl.DataFrame, target: dict | None = None) -> dict:
    """The quarter's figures from its projected rows; renewed + churned + open due ARR = due ARR.

    floor = renewed gross + open ARR due called Closed Won or Commit; forecast = renewed gross + Σ open p × due;
    best case = renewed gross + open ARR due not called Omitted or Closed Lost (nor set to cancel).
    """
    outcome = pl.col("outcome")
    due = _sum(rows, "due_arr")
    renewed_gross = _sum(rows, "renewed_arr_gross", outcome == "renewed")
    open_rows = rows.filter(outcome == "open")
    category = pl.col("category")
    floor = renewed_gross + _sum(open_rows, "due_arr", category.is_in(forecast.FLOOR_CATEGORIES).fill_null(False))
    best = renewed_gross + _sum(open_rows, "due_arr", ~category.is_in(forecast.LOST_CATEGORIES).fill_null(False))
    projected, projected_net = _sum(rows, "projected_gross_arr"), _sum(rows, "projected_net_arr")
    figures = {
        "n_due": rows.height, "n_renewed": int((rows["outcome"] == "renewed").sum()),
        "n_churned": int((rows["outcome"] == "churned").sum()), "n_open": open_rows.height,
        "due_arr": due, "renewed_due_arr": _sum(rows, "due_arr", outcome == "renewed"),
        "churned_due_arr": _sum(rows, "due_arr", outcome == "churned"), "open_due_arr": _sum(open_rows, "due_arr"),
        "renewed_arr_gross": renewed_gross, "renewed_arr_net": _sum(rows, "renewed_arr", outcome == "renewed"),
        "contracted_arr": _sum(rows, "contracted_arr"), "open_forecast_arr": _sum(rows, "open_forecast_arr"),
        # on the whole due set, as floor and best case: renewed so far (gross) + the open part's Σ p × due
        "forecast_arr": renewed_gross + _sum(rows, "open_forecast_arr"), "floor_arr": floor, "best_case_arr": best,
        "projected_renewed_arr_gross": projected,
        "projected_renewed_arr_net": projected_net, "projected_grr": projected / due if due else None,
        "projected_nrr": projected_net / due if due else None,
    }
    return figures | against_plan(figures, target)


def against_plan(figures: dict, target: dict | None) -> dict:
    """The plan's target GRR and renewed ARR (None without a plan) and the gap in money (projected − plan;
    a target GRR is read as GRR × due ARR)."""
    target = target or {}
    target_grr, target_arr = target.get("target_grr"), target.get("target_renewed_arr")
    planned = target_arr if target_arr is not None else (
        target_grr * figures["due_arr"] if target_grr is not None else None)
    gap = figures["projected_renewed_arr_gross"] - planned if planned is not None else None
    return {"target_grr": target_grr, "target_renewed_arr": target_arr, "planned_renewed_arr": planned,
            "gap_to_plan_arr": gap}


LEVEL_FIGURES = ("due_arr", "renewed_arr_gross", "churned_arr", "open_due_arr", "open_forecast_arr",
                 "projected_gross_arr")


def by_levels(rows: pl.DataFrame, levels: list[str], targets: pl.DataFrame | None = None) -> pl.DataFrame:
    """The quarter's figures by each prefix of ``levels`` (e.g. team → manager → CSM), a total row at every
    level: ``level`` says which (0 the whole book), the columns below it are empty on a total row."""
    base = rows.with_columns(
        pl.when(pl.col("outcome") == "renewed").then(pl.col("renewed_arr_gross")).otherwise(0.0)
        .alias("renewed_arr_gross"),
        pl.when(pl.col("outcome") == "churned").then(pl.col("due_arr")).otherwise(0.0).alias("churned_arr"),
        pl.when(pl.col("outcome") == "open").then(pl.col("due_arr")).otherwise(0.0).alias("open_due_arr"),
        *[pl.col(level).cast(pl.String).fill_null("(none)") for level in levels])
    sums = [pl.col(name).sum() for name in LEVEL_FIGURES] + [pl.len().alias("renewals")]
    parts = []
    for depth in range(len(levels) + 1):
        keys = levels[:depth]
        grouped = base.group_by(keys).agg(sums) if keys else base.select(sums)
        parts.append(grouped.with_columns(pl.lit(depth).alias("level"),
                                          *[pl.lit(None, pl.String).alias(name) for name in levels[depth:]]))
    table = pl.concat([part.select("level", *levels, "renewals", *LEVEL_FIGURES) for part in parts])
    table = table.with_columns((pl.col("projected_gross_arr") / pl.col("due_arr")).alias("projected_grr"))
    if targets is not None and targets.height:
        table = _with_targets(table, levels, targets)
    return table.sort([pl.col(level).fill_null("") for level in levels] + ["level"])


def _with_targets(table: pl.DataFrame, levels: list[str], targets: pl.DataFrame) -> pl.DataFrame:
    """The plan beside the level it is written for (a team's target on its team total, a segment's on its)."""
    level = levels[0]
    if level not in targets.columns:
        return table
    plan = targets.filter(pl.col(level).is_not_null()).select(level, "target_grr", "target_renewed_arr")
    joined = table.join(plan, on=level, how="left").with_columns(
        pl.when(pl.col("level") == 1).then(pl.col("target_grr")).alias("target_grr"),
        pl.when(pl.col("level") == 1).then(pl.col("target_renewed_arr")).alias("target_renewed_arr"))
    planned = pl.coalesce(pl.col("target_renewed_arr"), pl.col("target_grr") * pl.col("due_arr"))
    return joined.with_columns((pl.col("projected_gross_arr") - planned).alias("gap_to_plan_arr"))


def quarter_json(result: QuarterForecast, quarter_label: str, start: dt.date, end: dt.date, as_of: dt.date,
                 method: str) -> dict:
    """The command line's JSON (cli.md ``forecast --quarter``); the quarter's end is exclusive, like every
    ``--end`` (the first day of the next quarter)."""
    values = result.summary | {"quarter": quarter_label, "start": start.isoformat(),
                               "end": end.isoformat(), "as_of": as_of.isoformat(),
                               "method": method}
    return {key: values.get(key) for key in JSON_KEYS}
