"""Expansion signals: where an account is likely to buy more, ranked by the ARR it could add.

Signals, each from data before the as-of day:
- seats: active users last month at or above ``SEAT_THRESHOLD`` of seats → 20 % more seats;
- growth: usage last month at least ``GROWTH_THRESHOLD`` × the monthly average of the two months before;
- add-on: a feature that an add-on sells (``FEATURE_ADDONS``) takes a large share of usage and the
  account lacks the add-on → the median ARR of that add-on among accounts of its segment that own it;
- whitespace: a product at least ``WHITESPACE_SHARE`` of the segment's accounts own and this one does not,
  unless it owns another product of the same family (``product_family``: plan tiers such as "Platform
  Growth" and "Platform Enterprise" replace each other, so they are not whitespace).
"""

from __future__ import annotations

import datetime as dt
import re
import string

import polars as pl

from renewal_radar import health, money, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import t

SEAT_THRESHOLD = 0.85
SEAT_UPLIFT = 0.2
GROWTH_THRESHOLD = 1.5
GROWTH_UPLIFT = 0.1
HEAVY_FEATURE_SHARE = 0.3
WHITESPACE_SHARE = 0.3
# Which add-on sells the depth of which feature; edit for your own catalogue.
FEATURE_ADDONS = {"reports": "Analytics add-on", "dashboards": "Analytics add-on", "exports": "Analytics add-on"}


def product_family(product: pl.Expr) -> pl.Expr:
    """The family of a product: the first word of its name ("Platform Growth" -> "Platform")."""
    return product.str.split(" ").list.first()


def whitespace(products: pl.DataFrame) -> pl.DataFrame:
    """Accounts × products: 1 where the account owns the product, 0 where it does not."""
    owned = products.select("account_id", "product", pl.lit(1).alias("owned"))
    return owned.pivot(on="product", index="account_id", values="owned", sort_columns=True).fill_null(0)


def _peer_products(products: pl.DataFrame) -> pl.DataFrame:
    accounts_per_segment = products.group_by("segment").agg(pl.col("account_id").n_unique().alias("peers"))
    return (products.group_by("segment", "product")
            .agg(pl.col("account_id").n_unique().alias("owners"), pl.col("arr").median().alias("median_arr"))
            .join(accounts_per_segment, on="segment")
            .with_columns((pl.col("owners") / pl.col("peers")).alias("adoption")))


def _whole_percent(column: str, minus_one: bool = False) -> pl.Expr:
    """A fraction column as a whole percentage with its sign: ``85%``."""
    value = pl.col(column) - 1 if minus_one else pl.col(column)
    return pl.format("{}%", (value * 100).round(0).cast(pl.Int64))


def _worded(message: str, **parts: pl.Expr) -> pl.Expr:
    """A sentence per row in the current language: the catalogue's template, each placeholder filled from its
    column (a translation may put the placeholders in another order)."""
    template = t(message)
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    return pl.format(re.sub(r"\{[^{}]*\}", "{}", template), *(parts[name] for name in names))


def signals(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """One row per expansion signal: account, kind, reason in words, potential ARR."""
    products = sql.run(con, "reports/products_on", as_of=as_of, **filters.params())
    features = health.signals(sql.run(con, "reports/account_features_on", as_of=as_of), health.source_rows(con))
    mix = sql.run(con, "reports/feature_mix", as_of=as_of)
    arr = products.group_by("account_id", "segment").agg(pl.col("arr").sum())
    accounts = arr.join(features.select("account_id", "signal_license_utilisation", "signal_usage_trend"),
                        on="account_id", how="left")
    found = [
        accounts.filter(pl.col("signal_license_utilisation") >= SEAT_THRESHOLD).select(
            "account_id", pl.lit("seats").alias("kind"),
            _worded("{pct} of seats in use", pct=_whole_percent("signal_license_utilisation")).alias("reason"),
            (pl.col("arr") * SEAT_UPLIFT).alias("potential_arr")),
        accounts.filter(pl.col("signal_usage_trend") >= GROWTH_THRESHOLD).select(
            "account_id", pl.lit("growth").alias("kind"),
            _worded("usage up {pct} last month", pct=_whole_percent("signal_usage_trend", minus_one=True))
            .alias("reason"), (pl.col("arr") * GROWTH_UPLIFT).alias("potential_arr")),
    ]
    peers = _peer_products(products)
    owned = products.select("account_id", "product")
    heavy = mix.filter((pl.col("share") >= HEAVY_FEATURE_SHARE) & pl.col("feature").is_in(list(FEATURE_ADDONS)))
    addon = (heavy.with_columns(pl.col("feature").replace_strict(FEATURE_ADDONS).alias("product"))
             .join(owned, on=["account_id", "product"], how="anti")
             .join(arr.select("account_id", "segment"), on="account_id")
             .join(peers.select("segment", "product", "median_arr"), on=["segment", "product"])
             .group_by("account_id", "product").agg(pl.col("feature").first(), pl.col("share").max(),
                                                    pl.col("median_arr").first()))
    found.append(addon.select("account_id", pl.lit("add-on").alias("kind"),
                              _worded("{feature} is {pct} of usage without the {product}", feature=pl.col("feature"),
                                      pct=_whole_percent("share"), product=pl.col("product")).alias("reason"),
                              pl.col("median_arr").alias("potential_arr")))
    families = owned.select("account_id", product_family(pl.col("product")).alias("family")).unique()
    gaps = (arr.select("account_id", "segment").join(peers.filter(pl.col("adoption") >= WHITESPACE_SHARE),
                                                     on="segment")
            .with_columns(product_family(pl.col("product")).alias("family"))
            .join(families, on=["account_id", "family"], how="anti"))
    found.append(gaps.select("account_id", pl.lit("whitespace").alias("kind"),
                             _worded("{pct} of {segment} accounts own {product}", pct=_whole_percent("adoption"),
                                     segment=pl.col("segment"), product=pl.col("product")).alias("reason"),
                             pl.col("median_arr").alias("potential_arr")))
    found = pl.concat(found).unique(["account_id", "kind", "reason"]).sort("potential_arr", descending=True)
    # ARR on the day at the day's rates, in the currency money is shown in
    return money.converter(con).frame(found, ("potential_arr",), as_of)


def ranked(signals_frame: pl.DataFrame, directory: pl.DataFrame) -> pl.DataFrame:
    """Accounts ranked by the total potential ARR of their signals, with the signals in words."""
    return (signals_frame.group_by("account_id")
            .agg(pl.col("potential_arr").sum(), pl.col("reason").str.join("; ").alias("signals"),
                 pl.len().alias("n_signals"))
            .join(directory, on="account_id", how="left").sort("potential_arr", descending=True))
