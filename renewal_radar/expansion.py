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

from renewal_radar import figures, health, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import N_, t

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


def _worded(message: str, **parts: pl.Expr) -> pl.Expr:
    """A sentence per row in the current language: the catalogue's template, each placeholder filled from its
    column (a translation may put the placeholders in another order)."""
    template = t(message)
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    return pl.format(re.sub(r"\{[^{}]*\}", "{}", template), *(parts[name] for name in names))


USAGE_SIGNALS = ("account_id", "signal_license_utilisation", "signal_usage_trend")


def usage_signals_live(con, as_of: dt.date) -> pl.DataFrame:
    """Seat use and usage trend of each account on ``as_of`` from the point-in-time features (the scores of a
    stored day hold the same signals: readers pass those instead)."""
    features = health.signals(sql.run(con, "reports/account_features_on", as_of=as_of), health.source_rows(con))
    return features.select(USAGE_SIGNALS)


def products_on(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """Each filtered account's products on ``as_of`` with their ARR (the signals and the whitespace read it)."""
    return sql.run(con, "reports/products_on", as_of=as_of, **filters.params()).with_columns(
        figures.arr().alias("arr")).drop("mrr")


SIGNAL_COLUMNS = {"account_id": pl.String, "kind": pl.String, "share": pl.Float64, "feature": pl.String,
                  "product": pl.String, "segment": pl.String, "potential_arr": pl.Float64}
# each kind's sentence; ``share`` is the fraction the sentence shows as a percentage
REASONS = {"seats": N_("{pct} of seats in use"), "growth": N_("usage up {pct} last month"),
           "add-on": N_("{feature} is {pct} of usage without the {product}"),
           "whitespace": N_("{pct} of {segment} accounts own {product}")}


def signal_rows(con, as_of: dt.date, filters: Filters = ALL, products: pl.DataFrame | None = None,
                usage: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per expansion signal as numbers (SIGNAL_COLUMNS), potential ARR in the reporting currency: what
    the scoring stage stores for the data's as-of day and :func:`worded` turns into sentences. ``products``
    and ``usage`` (USAGE_SIGNALS of the day), when the caller has them, are not read again."""
    products = products_on(con, as_of, filters) if products is None else products
    usage = usage_signals_live(con, as_of) if usage is None else usage
    mix = sql.run(con, "reports/feature_mix", as_of=as_of, min_share=HEAVY_FEATURE_SHARE,
                  features=sorted(FEATURE_ADDONS))
    arr = products.group_by("account_id", "segment").agg(pl.col("arr").sum())
    accounts = arr.join(usage.select(USAGE_SIGNALS), on="account_id", how="left")
    found = [
        accounts.filter(pl.col("signal_license_utilisation") >= SEAT_THRESHOLD).select(
            "account_id", pl.lit("seats").alias("kind"), pl.col("signal_license_utilisation").alias("share"),
            (pl.col("arr") * SEAT_UPLIFT).alias("potential_arr")),
        accounts.filter(pl.col("signal_usage_trend") >= GROWTH_THRESHOLD).select(
            "account_id", pl.lit("growth").alias("kind"), (pl.col("signal_usage_trend") - 1).alias("share"),
            (pl.col("arr") * GROWTH_UPLIFT).alias("potential_arr")),
    ]
    peers = _peer_products(products)
    owned = products.select("account_id", "product")
    addon = (mix.with_columns(pl.col("feature").replace_strict(FEATURE_ADDONS).alias("product"))
             .join(owned, on=["account_id", "product"], how="anti")
             .join(arr.select("account_id", "segment"), on="account_id")
             .join(peers.select("segment", "product", "median_arr"), on=["segment", "product"])
             .group_by("account_id", "product").agg(pl.col("feature").first(), pl.col("share").max(),
                                                    pl.col("median_arr").first()))
    found.append(addon.select("account_id", pl.lit("add-on").alias("kind"), "share", "feature", "product",
                              pl.col("median_arr").alias("potential_arr")))
    families = owned.select("account_id", product_family(pl.col("product")).alias("family")).unique()
    gaps = (arr.select("account_id", "segment").join(peers.filter(pl.col("adoption") >= WHITESPACE_SHARE),
                                                     on="segment")
            .with_columns(product_family(pl.col("product")).alias("family"))
            .join(families, on=["account_id", "family"], how="anti"))
    found.append(gaps.select("account_id", pl.lit("whitespace").alias("kind"), pl.col("adoption").alias("share"),
                             "product", "segment", pl.col("median_arr").alias("potential_arr")))
    frame = pl.concat([part.select(pl.col(c).cast(t) if c in part.columns else pl.lit(None, t).alias(c)
                                   for c, t in SIGNAL_COLUMNS.items()) for part in found])
    return frame.unique().sort("potential_arr", "account_id", "kind", "product", descending=[True, False, False, False],
                               nulls_last=True)


def worded(rows: pl.DataFrame) -> pl.DataFrame:
    """Signal rows with their reason in the current language (``reason``), the numbers columns dropped."""
    percent = pl.format("{}%", (pl.col("share") * 100).round(0).cast(pl.Int64))
    parts = {"pct": percent, "feature": pl.col("feature"), "product": pl.col("product"), "segment": pl.col("segment")}
    reason = pl.lit(None, pl.String)
    for kind, message in REASONS.items():
        reason = pl.when(pl.col("kind") == kind).then(_worded(message, **parts)).otherwise(reason)
    return rows.with_columns(reason.alias("reason")).select("account_id", "kind", "reason", "potential_arr")


def book_figures(con, as_of: dt.date, account_scores: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The stored table of the scoring stage: every expansion signal of the data's as-of day, as numbers, from
    the day's fresh scores (``account_scores`` of the run)."""
    usage = account_scores.filter(pl.col("as_of") == as_of)
    return {"expansion_signals": signal_rows(con, as_of, usage=usage)}


def signals(con, as_of: dt.date, filters: Filters = ALL, products: pl.DataFrame | None = None,
            usage: pl.DataFrame | None = None, stored: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per expansion signal: account, kind, reason in words, potential ARR (the day's, in the reporting
    currency). ``stored``: the scoring stage's rows for the whole book, when the reader has them (a filter changes the
    peers, adoption and median ARR, so a filtered view computes them, from ``products`` and ``usage`` if given)."""
    rows = stored if stored is not None else signal_rows(con, as_of, filters, products, usage)
    return worded(rows)


def with_renewal_risk(signals_frame: pl.DataFrame, scores: pl.DataFrame, renewals: pl.DataFrame,
                      threshold: float) -> pl.DataFrame:
    """Each signal with ``renewal_at_risk``: its account is red, or its next renewal is ``threshold`` likely or
    less to renew — an add-on offered there undercuts the save, so it is marked and ranked after the others."""
    next_renewal = renewals.sort("renewal_date").group_by("account_id").agg(pl.col("probability").first())
    risk = scores.select("account_id", "band").join(next_renewal, on="account_id", how="full", coalesce=True)
    at_risk = ((pl.col("band") == "red").fill_null(False) | (pl.col("probability") <= threshold).fill_null(False))
    flags = risk.select("account_id", at_risk.alias("renewal_at_risk"))
    return signals_frame.join(flags, on="account_id", how="left").with_columns(
        pl.col("renewal_at_risk").fill_null(False))


def ranked(signals_frame: pl.DataFrame, directory: pl.DataFrame) -> pl.DataFrame:
    """Accounts ranked by the total potential ARR of their signals, with the signals in words; accounts whose
    renewal is at risk (``with_renewal_risk``) after the others."""
    at_risk = (pl.col("renewal_at_risk").any() if "renewal_at_risk" in signals_frame.columns
               else pl.lit(False)).alias("renewal_at_risk")
    return (signals_frame.group_by("account_id")
            .agg(pl.col("potential_arr").sum(), pl.col("reason").str.join("; ").alias("signals"),
                 pl.len().alias("n_signals"), at_risk)
            .join(directory, on="account_id", how="left")
            # the healthy first, then by potential; ties in id order: stable output
            .sort("renewal_at_risk", "potential_arr", "account_id", descending=[False, True, False]))
