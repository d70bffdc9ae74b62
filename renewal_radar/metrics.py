"""Window metrics and monthly MRR movements (shared/spec/metrics.md).

Each function that reads the database returns the same figures the pages and
the command line show; the arithmetic lives in pure functions on polars
frames so hand-written rows can test it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import dates, db, figures, sql
from renewal_radar.filters import ALL, Filters

MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")
MOVEMENT_COLUMNS = ("month", "starting_mrr", "new_mrr", "reactivation_mrr", "expansion_mrr",
                    "contraction_mrr", "churned_mrr", "fx_mrr", "ending_mrr")


def data_as_of(con) -> dt.date:
    """The data's as-of day, set at import (data-model.md)."""
    return sql.run(con, "lookups/data_as_of")["as_of"][0]


def reporting_currency(con) -> str:
    """The currency every figure is shown in."""
    return sql.run(con, "lookups/data_as_of")["reporting_currency"][0]


# ---------------------------------------------------------------- window metrics


def mrr_on_days(con, d0: dt.date, d1: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """MRR(a, d0) and MRR(a, d1) of every filtered account active on either day, both at d0's rates.

    Constant currency (metrics.md): an exchange-rate move between the two days is not the customer's doing.
    """
    return sql.run(con, "reports/mrr_on_days", d0=d0, d1=d1, rate_day=d0, **filters.params())


def window_metrics_from_snapshot(snapshot: pl.DataFrame, start: dt.date, end: dt.date) -> dict:
    """Window metrics of metrics.md from per-account ``mrr_start`` / ``mrr_end``.

    S = accounts active on D0; churned = S not active on D1; contraction and
    expansion over accounts of S still active on D1; GRR and NRR over start_mrr.
    """
    start_set = snapshot.filter(pl.col("mrr_start") > 0)
    churned = start_set.filter(pl.col("mrr_end") <= 0)
    retained = start_set.filter(pl.col("mrr_end") > 0)
    start_mrr = float(start_set["mrr_start"].sum())
    churned_mrr = float(churned["mrr_start"].sum())
    change = retained["mrr_end"] - retained["mrr_start"]
    contraction_mrr = float((-change).clip(lower_bound=0).sum())
    expansion_mrr = float(change.clip(lower_bound=0).sum())
    end_mrr_of_start_set = float(start_set["mrr_end"].sum())
    n_start, n_churned = start_set.height, churned.height
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "n_start": n_start,
        "n_churned": n_churned,
        "logo_churn_rate": n_churned / n_start if n_start else None,
        "start_mrr": start_mrr,
        "churned_mrr": churned_mrr,
        "contraction_mrr": contraction_mrr,
        "expansion_mrr": expansion_mrr,
        "grr": (start_mrr - churned_mrr - contraction_mrr) / start_mrr if start_mrr else None,
        "nrr": end_mrr_of_start_set / start_mrr if start_mrr else None,
    }


def window_metrics(con, start: dt.date, end: dt.date, filters: Filters = ALL) -> dict:
    """Logo churn, GRR, NRR and their parts between ``start`` and ``end``."""
    return window_metrics_from_snapshot(mrr_on_days(con, start, end, filters), start, end)


def mrr_total(con, day: dt.date, filters: Filters = ALL) -> float:
    """Σ MRR(a, day) over the filtered accounts, at the rates of day's month."""
    return float(mrr_on_days(con, day, day, filters)["mrr_start"].sum())


def arr_total(con, day: dt.date, filters: Filters = ALL) -> float:
    """ARR = 12 × Σ MRR(a, day) over the filtered accounts, at the rates of day's month."""
    return start_arr(mrr_on_days(con, day, day, filters))


def start_arr(snapshot: pl.DataFrame) -> float:
    """ARR on the first day of a :func:`mrr_on_days` snapshot: 12 × Σ MRR(a, d0) at d0's rates (the window's
    snapshot gives the ARR of its first day without a read of its own)."""
    return figures.ARR_PER_MRR * float(snapshot["mrr_start"].sum())


STORED_FIGURES = ("book_movements", "book_retention_trend", "book_accounts_now")


def book_figures(con, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The unfiltered movements of every month and the retention trend as of the data's as-of day, stored by the
    scoring stage so the Overview and Cohorts pages read rows instead of recomputing them."""
    return {"book_movements": monthly_movements(con, stored=False),
            "book_retention_trend": trailing_retention_trend(con, as_of, 12, stored=False),
            # the accounts active on the as-of day, largest first (the order kept when a filter narrows them)
            "book_accounts_now": accounts_on_day(con, as_of, stored=False).with_row_index(db.ROW_ORDER)}


def _stored(con, name: str) -> bool:
    return name in db.table_names(con)


def trailing_retention_trend(con, as_of: dt.date, months: int = 12, filters: Filters = ALL,
                             stored: bool = True) -> pl.DataFrame:
    """Trailing-12-month GRR and NRR measured at each of the last ``months`` month starts (read from the stored
    trend when it is the data's as-of day, no filter and twelve months)."""
    if stored and filters.is_empty and months == 12 and as_of == data_as_of(con) \
            and _stored(con, "book_retention_trend"):
        return sql.run(con, "stored/retention_trend")
    rows = []
    end = dates.month_floor(as_of)
    for step in range(months - 1, -1, -1):
        d1 = dates.add_months(end, -step)
        figures = window_metrics(con, dates.add_months(d1, -12), d1, filters)
        rows.append({"month": d1, "grr": figures["grr"], "nrr": figures["nrr"],
                     "logo_churn_rate": figures["logo_churn_rate"]})
    return pl.DataFrame(rows, schema={"month": pl.Date, "grr": pl.Float64, "nrr": pl.Float64,
                                      "logo_churn_rate": pl.Float64})


# ---------------------------------------------------------------- MRR movements


def classify_movements(pairs: pl.DataFrame) -> pl.DataFrame:
    """Movement and amount of each account-month (metrics.md "MRR movements per month").

    ``pairs`` has month_start (m0), prev_mrr = MRR(a, m0) and cur_mrr = MRR(a, m1), both at m0's rates,
    and first_start; with cur_mrr_actual (MRR(a, m1) at m1's rates) it also gets fx = actual − cur_mrr.
    Rows without a movement get movement null and amount 0.
    """
    prev, cur = pl.col("prev_mrr"), pl.col("cur_mrr")
    movement = (
        pl.when((prev == 0) & (cur > 0) & (pl.col("first_start") >= pl.col("month_start"))).then(pl.lit("new"))
        .when((prev == 0) & (cur > 0)).then(pl.lit("reactivation"))
        .when((prev > 0) & (cur > prev)).then(pl.lit("expansion"))
        .when((prev > 0) & (cur > 0) & (cur < prev)).then(pl.lit("contraction"))
        .when((prev > 0) & (cur == 0)).then(pl.lit("churn"))
    )
    amount = (
        pl.when(movement.is_in(["new", "reactivation"])).then(cur)
        .when(movement == "expansion").then(cur - prev)
        .when(movement == "contraction").then(prev - cur)
        .when(movement == "churn").then(prev)
        .otherwise(0.0)
    )
    classified = pairs.with_columns(movement.alias("movement"), amount.alias("amount"))
    if "cur_mrr_actual" in pairs.columns:
        classified = classified.with_columns((pl.col("cur_mrr_actual") - cur).alias("fx"))
    return classified


def movements_by_month(pairs: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per month in [start, end): starting, each movement, ending MRR."""
    classified = classify_movements(pairs)
    amounts = [
        pl.col("amount").filter(pl.col("movement") == name).sum().alias(f"{column}_mrr")
        for name, column in zip(MOVEMENTS, ("new", "reactivation", "expansion", "contraction", "churned"), strict=False)
    ]
    totals = classified.group_by("month_start").agg(
        pl.col("prev_mrr").sum().alias("starting_mrr"), *amounts, pl.col("fx").sum().alias("fx_mrr"),
        pl.col("cur_mrr_actual").sum().alias("ending_mrr"))
    months = pl.DataFrame({"month_start": pl.date_range(start, dates.add_months(end, -1), "1mo", eager=True)
                           if end > start else pl.Series([], dtype=pl.Date)})
    filled = months.join(totals, on="month_start", how="left").fill_null(0.0)
    return filled.rename({"month_start": "month"}).select(MOVEMENT_COLUMNS).sort("month")


def default_movement_range(con) -> tuple[dt.date, dt.date]:
    """From the month before the first month start with MRR — its starting MRR is 0, so every dollar enters as
    new and the table reconciles with a from-zero ledger (metrics.md) — to the last month whose next month start
    is not after the as-of day."""
    first = sql.run(con, "reports/mrr_months")["first_month"][0]
    end = dates.month_floor(data_as_of(con))
    return (dates.add_months(first, -1) if first else end), end


def monthly_movements(con, start: dt.date | None = None, end: dt.date | None = None,
                      filters: Filters = ALL, stored: bool = True) -> pl.DataFrame:
    """MRR movements per month for months starting in [start, end) (unfiltered: read from the stored table)."""
    default_start, default_end = default_movement_range(con)
    start = dates.month_floor(start or default_start)
    end = dates.month_floor(end or default_end)
    if stored and filters.is_empty and _stored(con, "book_movements"):
        return sql.run(con, "stored/movements", start=start, end=end)
    pairs = sql.run(con, "reports/mrr_month_pairs", start=start, end=end, **filters.params())
    return movements_by_month(pairs, start, end)


def movement_accounts(con, month: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """The accounts behind one month's movements, with their movement and amount."""
    return moved_or_revalued(month_accounts(con, month, filters))


def month_accounts(con, month: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """Every account paying at either end of ``month``, classified (movement null when it did not move)."""
    pairs = sql.run(con, "reports/mrr_month_pairs", start=month, end=dates.add_months(month, 1),
                    **filters.params())
    return classify_movements(pairs)


def moved_or_revalued(accounts: pl.DataFrame) -> pl.DataFrame:
    """The accounts of :func:`month_accounts` with a movement or an fx change of at least a cent."""
    return accounts.filter(pl.col("movement").is_not_null() | (pl.col("fx").abs() >= 0.005))


# ---------------------------------------------------------------- accounts on a day


def accounts_on_day(con, day: dt.date, filters: Filters = ALL, stored: bool = True) -> pl.DataFrame:
    """Filtered accounts active on ``day`` with their MRR, ARR and attributes, largest first (on the data's as-of
    day read from the rows the scoring stage stored, narrowed to the filtered accounts)."""
    if stored and _stored(con, "book_accounts_now") and day == data_as_of(con):
        return sql.run_in_stored_order(con, "stored/accounts_now", **filters.params())
    return sql.run(con, "reports/accounts_on_day", day=day, **filters.params()).with_columns(figures.arr().alias("arr"))


def arr_by_attribute(accounts: pl.DataFrame, attribute: str) -> pl.DataFrame:
    """ARR and number of accounts by an account attribute, largest first (from ``accounts_on_day``)."""
    if attribute not in accounts.columns:
        raise ValueError(f"unknown column {attribute!r}")
    return (accounts.group_by(pl.col(attribute).cast(pl.String).fill_null("(none)"))
            .agg(pl.col("arr").sum(), pl.len().alias("accounts")).sort("arr", descending=True))


def window_accounts(con, start: dt.date, end: dt.date, filters: Filters = ALL,
                    snapshot: pl.DataFrame | None = None) -> pl.DataFrame:
    """The accounts behind a window's figures: each account of S with its outcome and MRR change (``snapshot``:
    the window's :func:`mrr_on_days`, when the caller has read it for the figures)."""
    if snapshot is None:
        snapshot = mrr_on_days(con, start, end, filters)
    snapshot = snapshot.filter(pl.col("mrr_start") > 0)  # at start's rates
    outcome = (pl.when(pl.col("mrr_end") <= 0).then(pl.lit("churned"))
               .when(pl.col("mrr_end") > pl.col("mrr_start")).then(pl.lit("expanded"))
               .when(pl.col("mrr_end") < pl.col("mrr_start")).then(pl.lit("contracted"))
               .otherwise(pl.lit("flat")))
    names = sql.run(con, "lookups/account_directory", **filters.params()).select(
        "account_id", "name", "segment", "csm_owner")
    return (snapshot.with_columns(outcome.alias("outcome"), (pl.col("mrr_end") - pl.col("mrr_start")).alias("change"))
            .join(names, on="account_id", how="left").sort("change"))
