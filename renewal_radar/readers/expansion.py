"""The Expansion page: signals across accounts, ranked by potential ARR, and the accounts × products
whitespace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, expansion, money, settings, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money
from renewal_radar.readers.common import scores_of


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


def read(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None,
         renewal_risk: bool = True) -> Expansion:
    """Expansion signals of the filtered accounts on ``as_of``: stored for the whole book on a scored day,
    computed (from the stored usage signals where there are some) otherwise; money in ``currency`` (None: the
    reporting currency). ``renewal_risk``: mark the signals of renewals at risk (a caller that already holds an
    account's scores, as the Account page does, marks its own and skips the book's reads)."""
    scores = scores_of(con)  # the score status read once for the call
    products = expansion.products_on(con, as_of, filters)
    usage, stored = book.expansion_sources(con, as_of, filters, scores)
    found = expansion.signals(con, as_of, filters, products, usage, stored)
    if renewal_risk:
        found = expansion.with_renewal_risk(found, *book.renewal_risk_sources(con, as_of, filters, scores),
                                            RISK_PROBABILITY())
    directory = sql.run(con, "lookups/account_directory", **filters.params()).select(
        "account_id", "name", "segment", "csm_owner")
    shown = money.converter(con, currency)
    return shown.result(Expansion(as_of, shown.base, found, expansion.ranked(found, directory),
                                  expansion.whitespace(products)))


def account_signals(con, account_id: str, as_of: dt.date, filters: Filters = ALL,
                    currency: str | None = None, scores: book.Reading | None = None) -> pl.DataFrame:
    """One account's signals as :func:`read` lists them (not marked for renewal risk), money in ``currency``: on
    the scored day of the whole book read for that account alone, else from the book's (peers change with a
    filter and a day that is not stored)."""
    stored = book.stored_signals_of(con, as_of, account_id, scores or scores_of(con)) if filters == ALL else None
    if stored is None:
        return read(con, as_of, filters, currency, renewal_risk=False).signals.filter(
            pl.col("account_id") == account_id)
    return money.converter(con, currency).frame(expansion.signals(con, as_of, filters, stored=stored),
                                                ("potential_arr",), as_of)


SEAT_UPLIFT, GROWTH_UPLIFT = expansion.SEAT_UPLIFT, expansion.GROWTH_UPLIFT


def RISK_PROBABILITY() -> float:
    """The renewal probability at or below which an expansion signal is marked as at risk (a setting)."""
    return settings.get("expansion_risk_probability")
KINDS = ("seats", "growth", "add-on", "whitespace")


def ranked_of_kinds(data: Expansion, kinds: list[str]) -> pl.DataFrame:
    """The accounts ranked by the potential ARR of only some kinds of signal (all of them: ``data.ranked``)."""
    if not kinds:
        return data.ranked
    keep = data.signals.filter(pl.col("kind").is_in(kinds))
    return expansion.ranked(keep, data.ranked.select("account_id", "name", "segment", "csm_owner"))
