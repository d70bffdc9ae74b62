"""Cohort retention triangles and Kaplan–Meier survival (shared/spec/metrics.md "Cohorts")."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from renewal_radar import dates, db, settings, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of

GRAIN_MONTHS = {"month": 1, "quarter": 3}
Z_95 = 1.959963984540054
TRIANGLE_COLUMNS = ("cohort", "k", "n", "base_mrr", "n_retained", "mrr", "gross_mrr",
                    "logo_retention", "net_mrr_retention", "gross_mrr_retention")


def _cohort_start(grain: str) -> pl.Expr:
    first = pl.col("first_start")
    return first.dt.truncate("1mo") if grain == "month" else first.dt.truncate("1q")


def _months(expr: pl.Expr) -> pl.Expr:
    return expr.dt.year().cast(pl.Int64) * 12 + expr.dt.month().cast(pl.Int64) - 1


def cohort_triangle(members: pl.DataFrame, snapshots: pl.DataFrame, as_of: dt.date,
                    grain: str = "month") -> pl.DataFrame:
    """Retention by cohort and period k (long form), per metrics.md "Cohorts".

    ``members``: account_id, first_start, base_mrr (MRR on first_start).
    ``snapshots``: account_id, month_start, mrr (> 0) on month starts.
    Period k is read on s_k = cohort start + k months (or quarters); period 0
    is 100 %; periods with s_k after ``as_of`` are absent (empty cells).
    """
    step = GRAIN_MONTHS[grain]
    cohorts = members.with_columns(_cohort_start(grain).alias("cohort"))
    sizes = cohorts.group_by("cohort").agg(pl.len().alias("n"), pl.col("base_mrr").sum())
    last_k = (dates.month_index(as_of) - _months(pl.col("cohort"))) // step
    spine = (sizes.with_columns(pl.int_ranges(0, last_k + 1).alias("k")).explode("k")
             .filter(pl.col("k").is_not_null()))
    readings = (
        snapshots.join(cohorts.select("account_id", "cohort", "base_mrr"), on="account_id")
        .with_columns((_months(pl.col("month_start")) - _months(pl.col("cohort"))).alias("offset"))
        .filter((pl.col("offset") > 0) & (pl.col("offset") % step == 0) & (pl.col("mrr") > 0))
        .group_by("cohort", (pl.col("offset") // step).alias("k"))
        .agg(pl.len().alias("n_retained"), pl.col("mrr").sum(),
             pl.min_horizontal("mrr", "base_mrr").sum().alias("gross_mrr"))
    )
    triangle = spine.join(readings, on=["cohort", "k"], how="left").with_columns(
        pl.when(pl.col("k") == 0).then(pl.col("n")).otherwise(pl.col("n_retained").fill_null(0)).alias("n_retained"),
        pl.when(pl.col("k") == 0).then(pl.col("base_mrr")).otherwise(pl.col("mrr").fill_null(0.0)).alias("mrr"),
        pl.when(pl.col("k") == 0).then(pl.col("base_mrr")).otherwise(pl.col("gross_mrr").fill_null(0.0))
        .alias("gross_mrr"),
    )
    return triangle.with_columns(
        (pl.col("n_retained") / pl.col("n")).alias("logo_retention"),
        (pl.col("mrr") / pl.col("base_mrr")).alias("net_mrr_retention"),
        (pl.col("gross_mrr") / pl.col("base_mrr")).alias("gross_mrr_retention"),
    ).select(TRIANGLE_COLUMNS).sort("cohort", "k")


def cohorts(con, as_of: dt.date, grain: str = "month", filters: Filters = ALL, stored: bool = True) -> pl.DataFrame:
    """The cohort triangle of the filtered accounts as of ``as_of`` (the whole book on the data's as-of day is
    read from the triangle the scoring stage stored)."""
    table = f"book_cohorts_{grain}"
    if stored and filters.is_empty and as_of == data_as_of(con) and table in db.table_names(con):
        return db.read_table(con, table).sort("cohort", "k")
    members, snapshots = _members_and_snapshots(con, as_of, filters, grain)
    return cohort_triangle(members, snapshots, as_of, grain)


def book_figures(con, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """What the scoring stage stores for the Cohorts page: the whole book's triangles and first churned
    renewals as of the data's as-of day."""
    return {"book_cohorts_month": cohorts(con, as_of, "month", stored=False),  # the page's default grain
            "book_first_churn": first_churn(con, as_of)}


def cohort_label(cohort: dt.date, grain: str) -> str:
    """``2024-03`` for a month cohort, ``2024-Q1`` for a quarter cohort."""
    return f"{cohort:%Y-%m}" if grain == "month" else f"{cohort.year}-Q{(cohort.month - 1) // 3 + 1}"


def average_curve(triangle: pl.DataFrame) -> pl.DataFrame:
    """Retention by period averaged over the cohorts that reached it, weighted by cohort size (base MRR for money)."""
    return triangle.group_by("k").agg(
        (pl.col("n_retained").sum() / pl.col("n").sum()).alias("logo_retention"),
        (pl.col("mrr").sum() / pl.col("base_mrr").sum()).alias("net_mrr_retention"),
        (pl.col("gross_mrr").sum() / pl.col("base_mrr").sum()).alias("gross_mrr_retention"),
        pl.col("n").sum().alias("n"),
    ).sort("k")


# ---------------------------------------------------------------- survival


def lifetimes(accounts: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Days from first_start to the day the logo first churned (first_end); censored at ``as_of`` otherwise."""
    observed = pl.col("first_end").is_not_null() & (pl.col("first_end") <= as_of)
    end = pl.when(observed).then(pl.col("first_end")).otherwise(pl.lit(as_of))
    return accounts.with_columns(
        (end - pl.col("first_start")).dt.total_days().alias("duration"),
        observed.alias("churned"),
    )


def kaplan_meier(durations: pl.Series, observed: pl.Series) -> pl.DataFrame:
    """Kaplan–Meier estimate with a 95 % Greenwood band on the log(-log) scale.

    One row at day 0 and at each distinct duration: at_risk (n), events (d),
    survival S = Π (1 - d/n), and the band exp(-exp(log(-log S) ± z·σ)) with
    σ² = Σ d/(n(n-d)) / (log S)², the form lifelines reports, which stays in [0, 1].
    """
    frame = pl.DataFrame({"day": durations.cast(pl.Int64), "event": observed.cast(pl.Int64)})
    table = (frame.group_by("day").agg(pl.col("event").sum().alias("events"), pl.len().alias("leaving"))
             .sort("day"))
    total = frame.height
    rows = [{"day": 0, "at_risk": total, "events": 0, "survival": 1.0, "lower": 1.0, "upper": 1.0}]
    at_risk, survival, greenwood = total, 1.0, 0.0
    for day, events, leaving in table.iter_rows():
        if day == 0 and events == 0:
            at_risk -= leaving
            continue
        survival *= 1 - events / at_risk if at_risk else 1.0
        greenwood += events / (at_risk * (at_risk - events)) if at_risk > events else math.inf
        lower, upper = _log_log_band(survival, greenwood)
        rows.append({"day": day, "at_risk": at_risk, "events": events, "survival": survival,
                     "lower": lower, "upper": upper})
        at_risk -= leaving
    return pl.DataFrame(rows, schema={"day": pl.Int64, "at_risk": pl.Int64, "events": pl.Int64,
                                      "survival": pl.Float64, "lower": pl.Float64, "upper": pl.Float64})


def _log_log_band(survival: float, greenwood: float) -> tuple[float, float]:
    if survival >= 1.0:
        return 1.0, 1.0
    if survival <= 0.0 or math.isinf(greenwood):
        return 0.0, 0.0 if survival <= 0.0 else 1.0
    sigma = math.sqrt(greenwood) / abs(math.log(survival))
    centre = math.log(-math.log(survival))
    return math.exp(-math.exp(centre + Z_95 * sigma)), math.exp(-math.exp(centre - Z_95 * sigma))


def survival_curves(accounts: pl.DataFrame, as_of: dt.date, by: str | None = None) -> pl.DataFrame:
    """Kaplan–Meier curve per group of ``by`` (one group "all" when None)."""
    lives = lifetimes(accounts, as_of)
    if by is None:
        return kaplan_meier(lives["duration"], lives["churned"]).select(pl.lit("all").alias("group"), pl.all())
    curves = []
    for (group,), part in lives.with_columns(pl.col(by).cast(pl.String).fill_null("(none)"))\
            .group_by(by, maintain_order=True):
        curve = kaplan_meier(part["duration"], part["churned"])
        curves.append(curve.select(pl.lit(group).alias("group"), pl.all()))
    return pl.concat(curves).sort("group", "day")


def account_lifetimes(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """Each filtered account's first_start and first_end (the first day its logo churned: its last positive line
    ended and nothing renewed within grace), with its attributes; on the data's as-of day the first churns stored
    at import are read instead of recomputed."""
    grace = settings.get("grace_days")
    if as_of == data_as_of(con) and stored_first_churn(con, grace):
        return sql.run(con, "stored/account_lifetimes", as_of=as_of, **filters.params())
    return sql.run(con, "reports/account_lifetimes", as_of=as_of, grace_days=grace, **filters.params())


def first_churn(con, as_of: dt.date) -> pl.DataFrame:
    """Each account's first logo churn day as of ``as_of`` (the scoring stage stores the data's as-of day's)."""
    return sql.run(con, "reports/account_first_churn", as_of=as_of, grace_days=settings.get("grace_days"))


def stored_first_churn(con, grace_days: int) -> bool:
    """Whether book_first_churn is stored for the data's as-of day with this grace period."""
    if "book_first_churn" not in db.table_names(con):
        return False
    return sql.run(con, "lookups/import_grace_as_of")["grace_days"][0] == grace_days


def survival(con, as_of: dt.date, by: str | None = None, filters: Filters = ALL) -> pl.DataFrame:
    """Kaplan–Meier survival of the filtered accounts, optionally by an account attribute."""
    accounts = account_lifetimes(con, as_of, filters)
    if by is not None and by not in accounts.columns:
        raise ValueError(f"unknown column {by!r}; choose one of {', '.join(survival_attributes(accounts))}")
    return survival_curves(accounts, as_of, by)


def survival_attributes(accounts: pl.DataFrame) -> list[str]:
    """Account columns that make sensible survival groups (text and billing period)."""
    skip = {"account_id", "name", "parent_account_id", "first_start", "first_end", "base_mrr", "created_date",
            "currency"}
    return [c for c, t in accounts.schema.items()
            if c not in skip and (t == pl.String or c == "bill_period_months")]


def median_lifetime(curve: pl.DataFrame) -> int | None:
    """First day on which survival is at or below one half, if the curve gets there."""
    reached = curve.filter(pl.col("survival") <= 0.5)
    return int(reached["day"][0]) if reached.height else None


# ---------------------------------------------------------------- page helpers


def _members_and_snapshots(con, as_of: dt.date, filters: Filters, grain: str = "month",
                           cohort: dt.date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    # money in constant currency: the cohort's first month's rates (metrics.md "Cohorts"); one cohort or all
    params = {"as_of": as_of, "grain_months": GRAIN_MONTHS[grain], "cohort": cohort, **filters.params()}
    return sql.run(con, "reports/cohort_members", **params), sql.run(con, "reports/cohort_snapshots", **params)


def cohort_accounts(con, as_of: dt.date, grain: str, cohort: dt.date, k: int, filters: Filters = ALL) -> pl.DataFrame:
    """The accounts of one cohort with their MRR at period k and whether they were retained, grew, shrank or left."""
    members, snapshots = _members_and_snapshots(con, as_of, filters, grain, cohort)
    members = members.with_columns(_cohort_start(grain).alias("cohort")).filter(pl.col("cohort") == cohort)
    snapshot_day = dates.add_months(cohort, k * GRAIN_MONTHS[grain])
    at_k = snapshots.filter(pl.col("month_start") == snapshot_day).select("account_id", pl.col("mrr").alias("mrr_k"))
    frame = members.join(at_k, on="account_id", how="left").with_columns(
        pl.when(pl.lit(k) == 0).then(pl.col("base_mrr")).otherwise(pl.col("mrr_k").fill_null(0.0)).alias("mrr_k"))
    status = (pl.when(pl.col("mrr_k") <= 0).then(pl.lit("churned"))
              .when(pl.col("mrr_k") > pl.col("base_mrr")).then(pl.lit("expanded"))
              .when(pl.col("mrr_k") < pl.col("base_mrr")).then(pl.lit("contracted"))
              .otherwise(pl.lit("retained")))
    return frame.with_columns(status.alias("status"), pl.lit(snapshot_day).alias("snapshot_day")).select(
        "account_id", "name", "segment", "csm_owner", "first_start", "base_mrr", "snapshot_day", "mrr_k", "status",
    ).sort("status", pl.col("base_mrr"), descending=[False, True])


def retention_by_attribute(con, as_of: dt.date, grain: str, attribute: str, filters: Filters = ALL) -> pl.DataFrame:
    """Average retention curve (weighted by cohort size) for each value of an account attribute."""
    members, snapshots = _members_and_snapshots(con, as_of, filters, grain)
    if attribute not in members.columns:
        raise ValueError(f"unknown column {attribute!r}")
    members = members.with_columns(pl.col(attribute).cast(pl.String).fill_null("(none)").alias("group"))
    curves = []
    for (group,), part in members.group_by("group", maintain_order=True):
        triangle = cohort_triangle(part, snapshots.join(part.select("account_id"), on="account_id"), as_of, grain)
        curves.append(average_curve(triangle).select(pl.lit(group).alias("group"), pl.all()))
    return pl.concat(curves).sort("group", "k") if curves else pl.DataFrame()


def numbers_at_risk(con, as_of: dt.date, by: str | None, days: tuple[int, ...],
                    filters: Filters = ALL) -> pl.DataFrame:
    """Accounts still at risk (not churned, not censored) at each of ``days``, per group."""
    return numbers_at_risk_of(account_lifetimes(con, as_of, filters), as_of, by, days)


def numbers_at_risk_of(accounts: pl.DataFrame, as_of: dt.date, by: str | None, days: tuple[int, ...]
                       ) -> pl.DataFrame:
    """Accounts still at risk at each of ``days``, per group, from their lifetimes (account_lifetimes rows)."""
    lives = lifetimes(accounts, as_of)
    group = pl.col(by).cast(pl.String).fill_null("(none)") if by else pl.lit("all")
    lives = lives.with_columns(group.alias("group"))
    return lives.group_by("group").agg(
        [(pl.col("duration") >= day).sum().alias(str(day)) for day in days]).sort("group")


def account_attributes(con) -> list[str]:
    """Account attributes to compare cohorts and survival by (segment, region, plan, custom columns, ...)."""
    return survival_attributes(sql.run(con, "lookups/account_columns"))
