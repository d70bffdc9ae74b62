"""The Expansion page: signals across accounts, ranked by potential ARR, and the accounts × products
whitespace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, expansion, money, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money


@dataclass(frozen=True)
class Expansion:
    """The figures of the Expansion page."""

    as_of: dt.date
    currency: str
    signals: pl.DataFrame
    ranked: pl.DataFrame
    whitespace: pl.DataFrame

    # the potential ARR is the day's ARR at the day's rates (so is its sum per account)
    MONEY: ClassVar = {"signals": Money(("potential_arr",), "as_of"), "ranked": Money(("potential_arr",), "as_of")}


def read(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> Expansion:
    """Expansion signals of the filtered accounts on ``as_of``: stored for the whole book on a scored day,
    computed (from the stored usage signals where there are some) otherwise; money in ``currency`` (None: the
    reporting currency)."""
    products = expansion.products_on(con, as_of, filters)
    usage, stored = book.expansion_sources(con, as_of, filters)
    found = expansion.signals(con, as_of, filters, products, usage, stored)
    directory = sql.run(con, "lookups/account_directory", **filters.params()).select(
        "account_id", "name", "segment", "csm_owner")
    shown = money.converter(con, currency)
    return shown.result(Expansion(as_of, shown.base, found, expansion.ranked(found, directory),
                                  expansion.whitespace(products)))


SEAT_UPLIFT, GROWTH_UPLIFT = expansion.SEAT_UPLIFT, expansion.GROWTH_UPLIFT
KINDS = ("seats", "growth", "add-on", "whitespace")


def ranked_of_kinds(data: Expansion, kinds: list[str]) -> pl.DataFrame:
    """The accounts ranked by the potential ARR of only some kinds of signal (all of them: ``data.ranked``)."""
    if not kinds:
        return data.ranked
    keep = data.signals.filter(pl.col("kind").is_in(kinds))
    return expansion.ranked(keep, data.ranked.select("account_id", "name", "segment", "csm_owner"))
