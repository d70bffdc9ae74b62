"""What drives churn here: metric cohorts (metrics.md "Why customers leave"; *Fighting Churn With Data*, ch. 5).

Observations are (account, month start m) for the accounts active on m over the last twelve month starts whose
90-day outcome is known; the outcome is the churn-risk label (not active on m + 90 days). For each behaviour
metric, computed point in time on m from the same signals the health score reads, the observations are split
into ten groups by rank (``ntile(10)`` over the metric, ties broken by account id, then day), and each group's
churn rate gets a 95 % Wilson interval. A metric's spread is its highest group's churn rate minus its lowest:
metrics are shown largest spread first. The scoring stage stores the groups (``churn_drivers``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from renewal_radar import dates, db, health, metrics, risk, sql
from renewal_radar.i18n import N_

GROUPS = 10
MONTHS = 12
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Metric:
    """One behaviour metric: its label, the unit its values are in, and how it is computed from the signals."""

    label: str
    unit: str  # count | ratio | days | money | score
    expression: pl.Expr


METRICS: dict[str, Metric] = {
    "events_last_month": Metric(N_("Usage events last month"), "count", pl.col("events_last_month")),
    "usage_trend": Metric(N_("Usage last month vs the two before"), "ratio", pl.col("signal_usage_trend")),
    "active_users_last_month": Metric(N_("Active users last month"), "count", pl.col("active_users_last_month")),
    "users_per_seat": Metric(N_("Active users per seat"), "ratio", pl.col("signal_license_utilisation")),
    "features_last_month": Metric(N_("Features used last month"), "count", pl.col("features_last_month")),
    "latest_nps": Metric(N_("Latest NPS"), "score", pl.col("latest_nps")),
    "latest_csat": Metric(N_("Latest CSAT"), "score", pl.col("latest_csat")),
    "tickets_90d": Metric(N_("Tickets in 90 days"), "count", pl.col("tickets_90d")),
    "escalations_90d": Metric(N_("Escalations in 90 days"), "count", pl.col("escalations_90d")),
    "days_since_touch": Metric(N_("Days since the last CSM touch"), "days", pl.col("days_since_touch")),
    "days_since_business_review": Metric(N_("Days since the last business review"), "days",
                                         pl.col("days_since_business_review")),
    "tenure_days": Metric(N_("Tenure"), "days", (pl.col("as_of") - pl.col("first_start")).dt.total_days()),
    "mrr": Metric(N_("MRR"), "money", pl.col("mrr")),
}
FEATURE_PREFIX = "feature_events:"


def metric_label(metric: str) -> tuple[str, str | None]:
    """The label msgid of a metric and, for a per-feature metric, the feature it names."""
    if metric.startswith(FEATURE_PREFIX):
        return N_("Events of feature {feature} last month"), metric.removeprefix(FEATURE_PREFIX)
    return METRICS[metric].label, None


def metric_unit(metric: str) -> str:
    """The unit of a metric's values."""
    return "count" if metric.startswith(FEATURE_PREFIX) else METRICS[metric].unit


def observation_days(as_of: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The last ``months`` month starts whose 90-day outcome is known on ``as_of``."""
    return risk.backtest_days(as_of, months)


def metric_values(con, features: pl.DataFrame) -> pl.DataFrame:
    """``features`` (point-in-time signals per account and day) with every metric as a column: the signals' own,
    tenure from the account's first start, and each feature's events in the last full month before the day."""
    if features.is_empty():
        return features.with_columns(pl.lit(None, pl.Float64).alias(name) for name in METRICS)
    starts = sql.run(con, "reports/account_first_starts")
    frame = features.join(starts, on="account_id", how="left")
    frame = frame.with_columns(expression.expression.cast(pl.Float64).alias(name)
                               for name, expression in METRICS.items())
    return _with_feature_events(con, frame)


def _with_feature_events(con, frame: pl.DataFrame) -> pl.DataFrame:
    days = sorted(set(frame["as_of"].to_list()))
    months = sorted({dates.add_months(dates.month_floor(day), -1) for day in days})
    usage = sql.run(con, "reports/feature_events_of_months", months=months)
    if usage.is_empty():
        return frame
    wide = usage.pivot(on="feature", index=["account_id", "month_start"], values="events")
    wide = wide.rename({c: FEATURE_PREFIX + c for c in wide.columns if c not in ("account_id", "month_start")})
    keyed = frame.with_columns(pl.col("as_of").dt.truncate("1mo").dt.offset_by("-1mo").alias("_month"))
    joined = keyed.join(wide, left_on=["account_id", "_month"], right_on=["account_id", "month_start"], how="left")
    # an active account with no events of a feature used it zero times (the features that exist are the book's)
    feature_columns = [c for c in wide.columns if c.startswith(FEATURE_PREFIX)]
    return joined.with_columns(pl.col(c).fill_null(0.0).cast(pl.Float64) for c in feature_columns).drop("_month")


def ntile(count: int, groups: int = GROUPS) -> np.ndarray:
    """The group (1..groups) of each of ``count`` ranked rows, as SQL's ``ntile`` assigns them: the first
    ``count % groups`` groups hold one row more than the others."""
    size, extra = divmod(count, groups)
    big = extra * (size + 1)
    index = np.arange(count)
    # where every group is one row (size 0) only the first branch is taken; 1 stands in to avoid dividing by 0
    return np.where(index < big, index // (size + 1) + 1, extra + (index - big) // max(size, 1) + 1)


def wilson(churned: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a rate churned / n."""
    if n == 0:
        return 0.0, 1.0
    p = churned / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


TIEBREAK = "_tiebreak"


def with_tiebreak(observations: pl.DataFrame) -> pl.DataFrame:
    """The observations with their rank by account id, then day (how equal metric values are ordered)."""
    return observations.sort("account_id", "as_of").with_row_index(TIEBREAK)


def decile_groups(observations: pl.DataFrame, metric: str) -> pl.DataFrame:
    """The ten groups of one metric: value range, observations, churned, churn rate and its interval."""
    if TIEBREAK not in observations.columns:
        observations = with_tiebreak(observations)
    # ties broken by account id, then day: their order once as an integer, cheaper to sort by than the strings
    ranked = (observations.filter(pl.col(metric).is_not_null() & pl.col(metric).is_not_nan())
              .sort(metric, TIEBREAK))
    if ranked.is_empty():
        return pl.DataFrame(schema=GROUP_SCHEMA)
    ranked = ranked.with_columns(pl.Series("group", ntile(ranked.height), dtype=pl.Int64))
    groups = ranked.group_by("group").agg(
        pl.col(metric).min().alias("low"), pl.col(metric).max().alias("high"), pl.len().cast(pl.Int64).alias("n"),
        pl.col("churned_90d").cast(pl.Int64).sum().alias("churned")).sort("group")
    intervals = [wilson(c, n) for c, n in zip(groups["churned"], groups["n"], strict=True)]
    return groups.with_columns(
        (pl.col("churned") / pl.col("n")).alias("churn_rate"),
        pl.Series("lower", [low for low, _ in intervals], dtype=pl.Float64),
        pl.Series("upper", [high for _, high in intervals], dtype=pl.Float64),
    ).select(list(GROUP_SCHEMA)).cast(GROUP_SCHEMA)


GROUP_SCHEMA = {"group": pl.Int64, "low": pl.Float64, "high": pl.Float64, "n": pl.Int64, "churned": pl.Int64,
                "churn_rate": pl.Float64, "lower": pl.Float64, "upper": pl.Float64}
DRIVER_SCHEMA = {"metric": pl.String, "spread": pl.Float64, "rank": pl.Int64, **GROUP_SCHEMA}


def metric_cohorts(observations: pl.DataFrame) -> pl.DataFrame:
    """Every metric's ten groups with its spread and rank (1 = largest spread). A metric with one value only
    (its export is missing, or nobody differs) cannot split churn and is left out."""
    metrics = [m for m in observations.columns if m in METRICS or m.startswith(FEATURE_PREFIX)]
    observations = with_tiebreak(observations)
    parts = []
    for metric in metrics:
        values = observations[metric].drop_nulls().drop_nans()
        if values.n_unique() < 2:
            continue
        groups = decile_groups(observations, metric)
        spread = float(groups["churn_rate"].max() - groups["churn_rate"].min())
        parts.append(groups.with_columns(pl.lit(metric).alias("metric"), pl.lit(spread).alias("spread")))
    if not parts:
        return pl.DataFrame(schema=DRIVER_SCHEMA)
    frame = pl.concat(parts)
    ranks = (frame.select("metric", "spread").unique().sort("spread", "metric", descending=[True, False])
             .with_row_index("rank", offset=1).select("metric", pl.col("rank").cast(pl.Int64)))
    return frame.join(ranks, on="metric").select(list(DRIVER_SCHEMA)).sort("rank", "group")


def observations_of(con, training: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The (account, month start) rows of the last twelve known month starts, with the label and every metric."""
    days = observation_days(as_of)
    rows = training.filter(pl.col("as_of").is_in(days))
    return metric_values(con, rows)


def book_figures(con, training: pl.DataFrame, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The stored table of the scoring stage: every metric's groups on the data's as-of day."""
    return {"churn_drivers": metric_cohorts(observations_of(con, training, as_of))}


def drivers_on(con, as_of: dt.date | None = None) -> pl.DataFrame:
    """Every metric's groups as of ``as_of``: the stored ones on the data's as-of day, else computed from the
    month starts whose outcome was known then (a label at m reads the day m + 90 <= as_of, already known)."""
    data_day = metrics.data_as_of(con)
    as_of = as_of or data_day
    if as_of == data_day and "churn_drivers" in db.table_names(con):
        return db.read_table(con, "churn_drivers").sort("rank", "group")
    days = observation_days(as_of)
    if not days or days[-1] < days[0]:
        return pl.DataFrame(schema=DRIVER_SCHEMA)
    features = sql.run(con, "reports/account_features_history", start=days[0], end=days[-1])
    labels = sql.run(con, "reports/risk_labels", start=days[0], end=days[-1])
    training = health.signals(features, health.source_rows(con)).join(labels, on=["as_of", "account_id"])
    return metric_cohorts(observations_of(con, training, as_of))


def as_json(drivers: pl.DataFrame) -> list[dict]:
    """The ``drivers --json`` list: one object per metric with its groups."""
    out = []
    for (metric,), part in drivers.sort("rank", "group").group_by("metric", maintain_order=True):
        groups = part.select("group", "low", "high", "n", "churned", "churn_rate", "lower", "upper").to_dicts()
        out.append({"metric": metric, "spread": float(part["spread"][0]), "groups": groups})
    return out


def account_position(drivers: pl.DataFrame, values: dict, strongest: int = 5) -> pl.DataFrame:
    """Where one account sits in the ``strongest`` drivers it has a value for: its value, its group (the last
    whose range starts at or below the value; below the lowest is group 1) and that group's churn rate."""
    rows = []
    metrics = drivers.select("metric", "rank", "spread").unique().sort("rank")
    for metric, rank, spread in metrics.iter_rows():
        value = values.get(metric)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if len(rows) == strongest:
            break
        groups = drivers.filter(pl.col("metric") == metric).sort("group")
        holding = groups.filter(pl.col("low") <= value).tail(1)
        group = holding if holding.height else groups.head(1)
        rows.append({"metric": metric, "rank": rank, "spread": spread, "value": float(value),
                     "group": int(group["group"][0]), "churn_rate": float(group["churn_rate"][0]),
                     "lowest_rate": float(groups["churn_rate"].min()),
                     "highest_rate": float(groups["churn_rate"].max())})
    return pl.DataFrame(rows, schema={"metric": pl.String, "rank": pl.Int64, "spread": pl.Float64,
                                      "value": pl.Float64, "group": pl.Int64, "churn_rate": pl.Float64,
                                      "lowest_rate": pl.Float64, "highest_rate": pl.Float64})


def account_metric_values(con, score: dict | None) -> dict:
    """One account's metrics from its scored row of a day (``book.account_score``: the point-in-time signals);
    empty when it was not active that day."""
    if not score:
        return {}
    row = pl.DataFrame([score], infer_schema_length=None).drop("first_start", strict=False)
    return metric_values(con, row).to_dicts()[0]
