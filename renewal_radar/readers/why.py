"""What the "Why customers leave" page shows, in one call per view: reasons, metric cohorts and their words.

Money is converted once here, into the currency picked for the view, at the rates of each renewal's month (the
stored rows are in the import's reporting currency at the same rates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import book, dates, drivers, economics, metrics, money, reasons
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import t

MONEY = ("due_arr", "renewed_arr", "churned_arr", "contracted_arr")


@dataclass(frozen=True)
class WhyPage:
    """The reasons behind the churned and contracted renewals of [start, end)."""

    currency: str
    start: dt.date
    end: dt.date
    rows: pl.DataFrame          # one row per churned or contracted renewal, reason label translated
    summary: dict
    by_reason: pl.DataFrame
    by_period: pl.DataFrame     # period, reason label, lost ARR (the chart)


def quarter_starts(con) -> list[dt.date]:
    """The first day of every quarter with a churned or contracted renewal, oldest first."""
    rows = reasons.stored_reasons(con)
    if rows.is_empty():
        return []
    first = rows["renewal_date"].min()
    last = metrics.data_as_of(con)
    starts, day = [], dates.quarter_floor(first)
    while day <= last:
        starts.append(day)
        day = dates.add_months(day, 3)
    return starts


def read(con, start: dt.date, end: dt.date, as_of: dt.date, filters: Filters = ALL,
         currency: str | None = None) -> WhyPage:
    """The churned and contracted renewals with start <= e < min(end, as_of) and their reasons."""
    shown = money.converter(con, currency)
    end = min(end, as_of)
    rows = shown.frame(reasons.stored_reasons(con, start, end, filters), MONEY, "renewal_date")
    rows = reasons.translated_labels(rows).with_columns(
        (pl.col("churned_arr") + pl.col("contracted_arr")).alias("lost_arr"))
    return WhyPage(shown.currency, start, end, rows, reasons.summary(rows), reasons.by_reason(rows),
                   _by_period(rows))


def contraction(con, start: dt.date, end: dt.date, as_of: dt.date, filters: Filters = ALL,
                currency: str | None = None) -> dict:
    """How much of the contraction of the renewals due in [start, min(end, as_of)) was seats, price or products
    dropped (metrics.md "Renewal economics"), each renewal event apart as the reasons count them."""
    splits = economics.renewal_splits(con, start, min(end, as_of), as_of, None, filters)
    return economics.contraction_split(money.converter(con, currency).frame(splits, economics.SPLIT_MONEY,
                                                                            "renewal_date"))


def _by_period(rows: pl.DataFrame) -> pl.DataFrame:
    if rows.is_empty():
        return pl.DataFrame(schema={"period_start": pl.Date, "period": pl.String, "reason": pl.String,
                                    "label": pl.String,
                                    "renewals": pl.UInt32, "churned_arr": pl.Float64, "contracted_arr": pl.Float64,
                                    "lost_arr": pl.Float64})
    grouped = (rows.with_columns(pl.col("renewal_date").dt.truncate("1q").alias("period_start"))
               .group_by("period_start", "reason", pl.col("reason_label").alias("label"))
               .agg(pl.len().alias("renewals"), pl.col("churned_arr").sum(), pl.col("contracted_arr").sum(),
                    pl.col("lost_arr").sum()).sort("period_start", "label"))
    labels = [f"{day.year}-Q{(day.month - 1) // 3 + 1}" for day in grouped["period_start"]]
    return grouped.with_columns(pl.Series("period", labels, dtype=pl.String))


@dataclass(frozen=True)
class DriversPage:
    """The metric cohorts of the book, labelled in the reader's language."""

    currency: str
    drivers: pl.DataFrame       # every metric's groups, with label and unit
    spreads: pl.DataFrame       # one row per metric: label, unit, spread, rank


def metric_words(metric: str) -> str:
    """A metric's label in the current language (a feature's events name the feature)."""
    label, feature = drivers.metric_label(metric)
    return t(label, feature=feature) if feature else t(label)


def drivers_view(con) -> DriversPage:
    """The stored metric cohorts of the data's as-of day, strongest driver first."""
    found = drivers.drivers_on(con)
    labelled = _labelled(found)
    spreads = labelled.select("metric", "label", "unit", "spread", "rank").unique().sort("rank")
    return DriversPage(metrics.reporting_currency(con), labelled, spreads)


def account_drivers(con, account_id: str, as_of: dt.date, scores: book.Reading | None = None) -> pl.DataFrame:
    """Where one account sits in the five strongest drivers on ``as_of`` (the Account page; ``scores``: its
    reading, so the account's scores are read once)."""
    found = drivers.drivers_on(con)
    values = drivers.account_metric_values(con, book.account_score(con, as_of, account_id, scores))
    if found.is_empty() or not values:
        return drivers.account_position(found.head(0), {})
    return _labelled(drivers.account_position(found, values))


def _labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each metric's label (in the reader's language, looked up in this thread) and unit."""
    names = frame["metric"].unique().to_list()
    return frame.with_columns(
        pl.col("metric").replace_strict({m: metric_words(m) for m in names}, return_dtype=pl.String).alias("label"),
        pl.col("metric").replace_strict({m: drivers.metric_unit(m) for m in names}, return_dtype=pl.String)
        .alias("unit"))
