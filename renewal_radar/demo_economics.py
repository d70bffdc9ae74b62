"""The demo's renewal economics: price moves at renewal, lines booked ahead and cancellations announced, so price,
volume and mix, committed ARR and the path to plan have something to show (metrics.md "Renewal economics").

Applied to the simulated contract lines after the simulation, from their own seeded draws, so the rest of the
demo (accounts, usage, tickets) is unchanged.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

LIST_PRICE_RISE = {"Platform Growth": 0.06, "Platform Enterprise": 0.08}  # from LIST_PRICE_DAY on
LIST_PRICE_DAY = dt.date(2026, 1, 1)
LARGE_DEAL_SEATS = 120     # a term of this many seats or more may be negotiated down
LARGE_DEAL_DISCOUNT = 0.12
BOOKED_AHEAD_SHARE = 0.03  # annual accounts that signed an add-on starting after the data ends
CANCEL_SHARE = 0.05        # monthly lines running at the end whose customer has asked to cancel


def with_renewal_economics(lines: pl.DataFrame, end: dt.date, seed: int = 31) -> pl.DataFrame:
    """The lines with the price moves, the add-ons booked ahead and the cancellations announced."""
    rng = np.random.default_rng(seed)
    priced = _price_moves(lines, rng)
    return _announced_cancellations(_booked_ahead(priced, end, rng), end, rng)


def _price_moves(lines: pl.DataFrame, rng) -> pl.DataFrame:
    """A list-price rise on two plans for terms from LIST_PRICE_DAY, and a discount negotiated on some large
    annual deals at their first term from that day (the terms before keep their price)."""
    rise = pl.col("product").replace_strict(LIST_PRICE_RISE, default=0.0, return_dtype=pl.Float64)
    from_day = pl.col("start_date") >= pl.lit(LIST_PRICE_DAY)
    accounts = lines["account_id"].unique().sort()
    negotiating = set(accounts.filter(pl.Series(rng.random(accounts.len()) < 0.35)).to_list())
    large = (pl.col("quantity") >= LARGE_DEAL_SEATS) & (pl.col("bill_period_months") == 12) & from_day \
        & pl.col("account_id").is_in(list(negotiating)) & pl.col("product").str.starts_with("Platform")
    factor = pl.when(from_day).then(1 + rise).otherwise(1.0) * pl.when(large).then(1 - LARGE_DEAL_DISCOUNT) \
        .otherwise(1.0)
    whole = pl.col("currency").is_in(["JPY", "KRW"])  # the demo bills them without minor units
    moved = pl.col("mrr") * factor
    return lines.with_columns(pl.when(whole).then((moved / 10).round(0) * 10).otherwise(moved.round(2)).alias("mrr"),
                              pl.when(large).then(LARGE_DEAL_DISCOUNT).alias("discount"))


def _running(lines: pl.DataFrame, end: dt.date, months: int) -> pl.DataFrame:
    return lines.filter((pl.col("start_date") < pl.lit(end)) & (pl.col("end_date") > pl.lit(end))
                        & (pl.col("bill_period_months") == months) & pl.col("product").str.starts_with("Platform"))


def _booked_ahead(lines: pl.DataFrame, end: dt.date, rng) -> pl.DataFrame:
    """An Analytics add-on signed a week before the data ends, starting the month after, to the core's end."""
    running = _running(lines, end, 12)
    with_addon = lines.filter(pl.col("product") == "Analytics add-on")["account_id"].unique().to_list()
    start = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    # the core runs at least two months past the add-on's start
    running = running.filter(~pl.col("account_id").is_in(with_addon)
                             & (pl.col("end_date") > pl.lit(start + dt.timedelta(days=60))))
    picked = running.filter(pl.Series(rng.random(running.height) < BOOKED_AHEAD_SHARE))
    addons = picked.with_columns(
        pl.lit("Analytics add-on").alias("product"), pl.lit(start).alias("start_date"),
        (pl.col("mrr") * 0.18).round(2).alias("mrr"), pl.lit(end - dt.timedelta(days=7)).alias("booked_date"),
        pl.lit(None, pl.Float64).alias("discount"))
    return pl.concat([lines.with_columns(pl.lit(None, pl.Date).alias("booked_date")), addons],
                     how="diagonal_relaxed")


def _announced_cancellations(lines: pl.DataFrame, end: dt.date, rng) -> pl.DataFrame:
    """Some monthly lines running at the end set to cancel at period end, asked for in the last three weeks."""
    running = _running(lines, end, 1).select("account_id", "start_date")
    picked = running.filter(pl.Series(rng.random(running.height) < CANCEL_SHARE))
    asked = [end - dt.timedelta(days=int(days)) for days in rng.integers(1, 21, picked.height)]
    picked = picked.with_columns(pl.lit(True).alias("cancel_at_period_end"),
                                 pl.Series("canceled_at", asked, dtype=pl.Date))
    return lines.join(picked, on=["account_id", "start_date"], how="left")
