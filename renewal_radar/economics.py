"""Renewal economics (metrics.md "Renewal economics"): price, volume and mix at renewal.

A renewed renewal (or window renewal) compares the lines due with its renewal lines, product by product, a
product's unit price being mrr / quantity (quantity 1 when not exported): price = Σ (unit price after − before) ×
quantity after, volume = Σ (quantity after − before) × unit price before over the products on both sides, mix =
MRR of products added − MRR of products dropped; renewed − due = price + volume + mix. Both sides are converted at
the due month's rates, so currency effects stay out. Money in the reporting currency (readers convert).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import book, db, figures, quarters, renewals, settings, sql
from renewal_radar.dates import FAR_PAST
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of

SPLIT_MONEY = ("due_arr", "renewed_arr", "price_arr", "volume_arr", "mix_arr", "kept_due_arr")
SUMMARY_COLUMNS = ("period", "group", "n_renewed", "due_arr", "renewed_arr", "price_arr", "volume_arr", "mix_arr",
                   "price_uplift")
GROUPS = ("segment", "csm_owner", "team")
KEYS = ("account_id", "renewal_date")


def split_products(due: pl.DataFrame, renewed: pl.DataFrame) -> pl.DataFrame:
    """Price, volume and mix (ARR) of each renewal from its products on both sides.

    ``due`` and ``renewed`` hold ``account_id, renewal_date, product, mrr, quantity`` (one row per product, both
    sides in one currency); the result has one row per renewal with due, renewed, price, volume, mix and the due
    ARR of the products kept (the base of the price uplift).
    """
    both = due.join(renewed, on=[*KEYS, "product"], how="full", coalesce=True, suffix="_after")
    before, after = pl.col("mrr"), pl.col("mrr_after")
    kept = before.is_not_null() & after.is_not_null()
    unit_before = before / pl.col("quantity")
    effects = both.with_columns(
        pl.when(kept).then(after - unit_before * pl.col("quantity_after")).otherwise(0.0).alias("price"),
        pl.when(kept).then((pl.col("quantity_after") - pl.col("quantity")) * unit_before).otherwise(0.0)
        .alias("volume"),
        pl.when(before.is_null()).then(after).when(after.is_null()).then(-before).otherwise(0.0).alias("mix"),
        pl.when(kept).then(before).otherwise(0.0).alias("kept"))
    sums = effects.group_by(KEYS).agg(before.sum().alias("due"), after.sum().alias("renewed"),
                                      *[pl.col(name).sum() for name in ("price", "volume", "mix", "kept")])
    return sums.select(*KEYS, *[figures.arr(name).alias(f"{name}_arr") for name in
                                ("due", "renewed", "price", "volume", "mix")],
                       figures.arr("kept").alias("kept_due_arr"))


def _product_sides(con, start: dt.date, end: dt.date, as_of: dt.date, grace_days: int, filters: Filters,
                   account_id: str | None = None) -> pl.DataFrame:
    """Each product's local MRR, currency and quantity on either side of the renewals due in [start, end)."""
    return sql.run(con, "reports/renewal_products", start=start, end=end, as_of=as_of, grace_days=grace_days,
                   account_id=account_id, **filters.params())


def _at_due_month(sides: pl.DataFrame, rates: pl.DataFrame) -> pl.DataFrame:
    """Local MRR converted at the rates of the month of ``renewal_date`` (the last month of the table past it)."""
    last = rates["month"].max()
    month = pl.min_horizontal(pl.col("renewal_date").dt.truncate("1mo"), pl.lit(last)).alias("month")
    priced = sides.with_columns(month).join(rates, on=["currency", "month"], how="left")
    return priced.with_columns((pl.col("mrr_local") * pl.col("rate").fill_null(1.0)).alias("mrr")).group_by(
        [*KEYS, "product"]).agg(pl.col("mrr").sum(), pl.col("quantity").sum())


def split_renewals(renewed: pl.DataFrame, sides: pl.DataFrame, rates: pl.DataFrame) -> pl.DataFrame:
    """Price, volume and mix of renewed (window) renewals: ``renewed`` holds account_id, renewal_date (the first
    event's), last_renewal_start (the last event's renewal lines); ``sides`` the products of renewal_products."""
    pairs = renewed.select(*KEYS, "last_renewal_start")
    due = sides.filter(pl.col("side") == "due").rename({"day": "renewal_date"}).join(
        pairs.select(KEYS), on=list(KEYS))
    after = sides.filter(pl.col("side") == "renewal").rename({"day": "last_renewal_start"}).join(
        pairs, on=["account_id", "last_renewal_start"])
    return split_products(_at_due_month(due, rates), _at_due_month(after, rates))


def renewal_splits(con, start: dt.date | None = None, end: dt.date | None = None, as_of: dt.date | None = None,
                   grain: str | None = "quarter", filters: Filters = ALL) -> pl.DataFrame:
    """Each renewed renewal due in [start, end) with its price, volume and mix, as known on ``as_of`` (default:
    the data's as-of day): window renewals of each month or quarter (``grain``; None: each event on its own)."""
    as_of = as_of or data_as_of(con)
    start, end = start or FAR_PAST, end or as_of
    grace = settings.get("grace_days")
    outcomes = renewals.renewal_outcomes(con, start, end, as_of, grace, filters)
    return _splits_of(con, outcomes, grain, start, end, as_of, grace, filters)


def account_splits(con, account_id: str, as_of: dt.date) -> pl.DataFrame:
    """One account's past renewals (each event) with their price, volume and mix, newest first."""
    grace = settings.get("grace_days")
    events = sql.run(con, "reports/account_renewal_events", account_id=account_id, before=as_of)
    outcomes = renewals.classify_outcomes(events, as_of, grace)
    if outcomes.is_empty():
        return _splits_of(con, outcomes, None, as_of, as_of, as_of, grace, ALL, account_id)
    first, last = outcomes["renewal_date"].min(), outcomes["renewal_date"].max() + dt.timedelta(days=1)
    return _splits_of(con, outcomes, None, first, last, as_of, grace, ALL, account_id).sort(
        "renewal_date", descending=True)


def _splits_of(con, outcomes: pl.DataFrame, grain: str | None, start: dt.date, end: dt.date, as_of: dt.date,
               grace: int, filters: Filters, account_id: str | None = None) -> pl.DataFrame:
    windows = renewals.window_renewals(_with_period(outcomes, grain), within="period").filter(
        pl.col("outcome") == "renewed")
    sides = _product_sides(con, start, end, as_of, grace, filters, account_id)
    split = split_renewals(windows, sides, sql.run(con, "lookups/fx_monthly_rates"))
    attributes = [name for name in ("name", "segment", "csm_owner") if name in windows.columns]
    rows = windows.select(*KEYS, "period", "last_renewal_date", "n_events", *attributes).join(
        split, on=list(KEYS), how="left")
    return rows.with_columns(pl.col(name).fill_null(0.0) for name in SPLIT_MONEY).sort(*KEYS)


def _with_period(outcomes: pl.DataFrame, grain: str | None) -> pl.DataFrame:
    """Each renewal's window: its month or fiscal quarter (its first day), or the renewal day itself."""
    if grain is None:
        return outcomes.with_columns(pl.col("renewal_date").alias("period"))
    month = pl.col("renewal_date").dt.truncate("1mo")
    if grain == "month":
        return outcomes.with_columns(month.alias("period"))
    # a fiscal quarter is three months from the fiscal year's first month (a setting): each distinct month mapped
    # once, not each renewal
    months = outcomes.select(month.unique())["renewal_date"].to_list()
    starts = {day: quarters.quarter_of(day).start for day in months}
    return outcomes.with_columns(month.replace_strict(starts, return_dtype=pl.Date).alias("period"))


def period_label(day: dt.date, grain: str) -> str:
    """``2024-03`` for a month, ``2024-Q1`` for a fiscal quarter (as the Forecast page names it)."""
    return f"{day:%Y-%m}" if grain == "month" else quarters.quarter_of(day).label


def contraction_split(splits: pl.DataFrame) -> dict:
    """Of the renewals that renewed smaller: the ARR lost (due − renewed) and how much of it each effect explains
    (price, seats and volume, products dropped; negative where it took ARR away). The three add up to − the loss."""
    smaller = splits.filter(pl.col("renewed_arr") < pl.col("due_arr"))
    total = lambda name: float(smaller[name].sum()) if smaller.height else 0.0  # noqa: E731
    return {"n_contracted": smaller.height, "contracted_arr": total("due_arr") - total("renewed_arr"),
            "price_arr": total("price_arr"), "volume_arr": total("volume_arr"), "mix_arr": total("mix_arr")}


def with_team(con, splits: pl.DataFrame) -> pl.DataFrame:
    """The splits with each CSM's team (team.csv; empty without one)."""
    team = book.team_members(con).select("csm_owner", "team")
    return splits.join(team, on="csm_owner", how="left")


def summarise(splits: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Price, volume and mix summed over ``by`` (columns of the splits): renewals, due, renewed, each effect and
    the price uplift = Σ price / Σ due ARR of the products kept."""
    sums = [pl.len().alias("n_renewed"), *[pl.col(name).sum() for name in SPLIT_MONEY]]
    grouped = splits.group_by(by).agg(sums) if by else splits.select(sums)
    uplift = pl.when(pl.col("kept_due_arr") > 0).then(pl.col("price_arr") / pl.col("kept_due_arr"))
    return grouped.with_columns(uplift.alias("price_uplift")).sort(by or "n_renewed")


def uplift_table(splits: pl.DataFrame, grain: str, by: str | None) -> pl.DataFrame:
    """The command line's table (cli.md ``uplift``): one row per period (and group), labelled."""
    keys = ["period", *([by] if by else [])]
    table = summarise(splits, keys)
    labels = [period_label(day, grain) for day in table["period"]]
    group = pl.col(by).cast(pl.String).fill_null("(none)") if by else pl.lit("all")
    # sums of many cents leave noise like 1e-12 where an effect is nil: a millionth of a unit is below any cent
    money = [pl.col(name).round(6) for name in ("due_arr", "renewed_arr", "price_arr", "volume_arr", "mix_arr")]
    return table.with_columns(pl.Series("period", labels, dtype=pl.String), group.alias("group"), *money,
                              pl.col("price_uplift").round(9)).select(SUMMARY_COLUMNS)


# ---------------------------------------------------------------- committed ARR

COMMITTED_MONEY = ("arr", "signed_not_live_arr", "announced_cancellations_arr", "committed_arr")
COMMITTED_KEYS = ("as_of", *COMMITTED_MONEY)


COMMITTED_TABLE = "book_committed_lines"  # the scoring stage's lines of the as-of day, every account


def committed_lines(con, as_of: dt.date, filters: Filters = ALL,
                    scores: book.Scores | book.Reading | None = None) -> pl.DataFrame:
    """The lines between ARR and committed ARR on ``as_of``: signed, not yet live (``line_kind`` 'signed', + ARR)
    and active lines whose cancellation is announced (``line_kind`` 'cancelled', − ARR: cancel at period end, or a
    CRM renewal called Closed Lost closing within grace of the line's end), with ``arr`` and ``line_reason``. On
    the data's as-of day, read from what the scoring stage stored (made with today's settings), narrowed to the
    filtered accounts."""
    if book.reading_of(con, scores).status.fresh and COMMITTED_TABLE in db.table_names(con) \
            and as_of == data_as_of(con):
        return sql.run_in_stored_order(con, "stored/committed_lines", **filters.params())
    return _committed_lines(con, as_of, filters)


def store_committed_lines(con) -> None:
    """Work out the as-of day's committed lines for every account and store them (after the scoring stage)."""
    db.replace_table(con, COMMITTED_TABLE, _committed_lines(con, data_as_of(con), ALL), keep_order=True)


def _committed_lines(con, as_of: dt.date, filters: Filters) -> pl.DataFrame:
    from renewal_radar import forecast

    lines = sql.run(con, "reports/committed_lines", as_of=as_of, **filters.params())
    active = lines.filter(pl.col("kind") == "active")
    ends = active.select("account_id", pl.col("end_date").alias("renewal_date")).unique()
    calls = forecast.crm_matches(con, ends, as_of, settings.get("grace_days"), filters)
    lost = calls.filter(pl.col("crm_category") == "Closed Lost").select(
        "account_id", pl.col("renewal_date").alias("end_date"), pl.lit(True).alias("crm_lost"))
    active = active.join(lost, on=["account_id", "end_date"], how="left").with_columns(
        pl.col("crm_lost").fill_null(False))
    reason = pl.when(pl.col("cancels_at_period_end")).then(pl.lit("cancel_at_period_end")).otherwise(
        pl.lit("crm_closed_lost"))
    cancelled = active.filter(pl.col("cancels_at_period_end") | pl.col("crm_lost")).with_columns(
        pl.lit("cancelled").alias("line_kind"), reason.alias("line_reason"))
    signed = lines.filter(pl.col("kind") == "signed").with_columns(pl.lit("signed").alias("line_kind"),
                                                                   pl.lit("booked").alias("line_reason"))
    columns = ["line_kind", "line_reason", "account_id", "name", "product", "start_date", "end_date"]
    return pl.concat([part.select(*columns, figures.arr("mrr").alias("arr")) for part in (signed, cancelled)])


def committed(con, as_of: dt.date, filters: Filters = ALL) -> dict:
    """Committed ARR on ``as_of`` (cli.md ``committed``): ARR + signed, not yet live − announced cancellations."""
    from renewal_radar import metrics

    lines = committed_lines(con, as_of, filters)
    return committed_figures(as_of, metrics.arr_total(con, as_of, filters), lines)


def committed_figures(as_of: dt.date, arr: float, lines: pl.DataFrame) -> dict:
    """The committed figures from ARR on the day and the lines between it and committed ARR."""
    signed = float(lines.filter(pl.col("line_kind") == "signed")["arr"].sum())
    cancelled = float(lines.filter(pl.col("line_kind") == "cancelled")["arr"].sum())
    return {"as_of": as_of.isoformat(), "arr": arr, "signed_not_live_arr": signed,
            "announced_cancellations_arr": cancelled, "committed_arr": arr + signed - cancelled}
