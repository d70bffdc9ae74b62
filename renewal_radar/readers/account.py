"""The Account page: one customer in full, where it sits in what drives churn, its projected value, its
expansion signals (its business review: readers.packs)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import account, economics, expansion, metrics, money, retention_projection
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money
from renewal_radar.readers import expansion as expansion_reader
from renewal_radar.readers import why
from renewal_radar.readers.common import scores_of


@dataclass(frozen=True)
class AccountPage:
    """Everything the Account page shows about one account."""

    currency: str
    view: account.AccountView | None
    drivers: pl.DataFrame      # the five strongest drivers: this account's value and its decile's churn
    value: dict | None         # the retention projection's expected residual value (on the data's as-of day)
    signals: pl.DataFrame      # its expansion signals (already in the currency shown: the Expansion reader's)
    data_as_of: dt.date
    price_history: pl.DataFrame  # each past renewal: due, renewed, price, seats and volume, products added or dropped

    # the view converts by its own declaration; the drivers compare the account with the book in the reporting
    # currency, where the metric cohorts are computed, so they stay in it
    MONEY: ClassVar = {"view": Money(), "value": Money(("residual_value",), "data_as_of"),
                       "price_history": Money(economics.SPLIT_MONEY, "renewal_date")}


def _marked_signals(signals: pl.DataFrame, account_id: str, view: account.AccountView | None) -> pl.DataFrame:
    """The account's signals marked as the Expansion page marks them, from its own scores and next renewal."""
    risk, renewal = (view.risk or {}) if view else {}, (view.next_renewal or {}) if view else {}
    scores = pl.DataFrame({"account_id": [account_id], "band": [risk.get("band")]},
                          schema={"account_id": pl.String, "band": pl.String})
    renewals = pl.DataFrame({"account_id": [account_id], "renewal_date": [renewal.get("renewal_date")],
                             "probability": [renewal.get("probability")]},
                            schema={"account_id": pl.String, "renewal_date": pl.Date, "probability": pl.Float64})
    return expansion.with_renewal_risk(signals, scores, renewals, expansion_reader.RISK_PROBABILITY())


def choices(con, filters: Filters = ALL) -> pl.DataFrame:
    """Accounts for the page's picker."""
    return account.search(con, filters)


PICKER_ROWS = 200  # accounts the Account page's picker lists at once


def matching(choices: pl.DataFrame, search: str, first: list[str | None]) -> pl.DataFrame:
    """The picker's accounts: those of ``choices`` whose name or id holds ``search`` (any case), at most
    :data:`PICKER_ROWS` in the choices' order, after the accounts of ``first`` that are among the choices."""
    needle = (search or "").strip().lower()
    found = choices if not needle else choices.filter(
        pl.col("name").str.to_lowercase().str.contains(needle, literal=True)
        | pl.col("account_id").str.to_lowercase().str.contains(needle, literal=True))
    pinned = choices.filter(pl.col("account_id").is_in([a for a in first if a]))
    return pl.concat([pinned, found.head(PICKER_ROWS)]).unique("account_id", keep="first", maintain_order=True)


def read(con, account_id: str, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> AccountPage:
    """One account as of a day, money in ``currency`` (None: the reporting currency)."""
    scores = scores_of(con)  # the score status read once for the call
    view = account.view(con, account_id, as_of, scores)
    signals = _marked_signals(expansion_reader.account_signals(con, account_id, as_of, filters, currency, scores),
                              account_id, view)
    shown = money.converter(con, currency)
    found = shown.result(AccountPage(shown.base, view,
                                     why.account_drivers(con, account_id, as_of, scores),
                                     retention_projection.account_value(con, account_id), signals,
                                     metrics.data_as_of(con), economics.account_splits(con, account_id, as_of)))
    return found if shown.is_identity else dataclasses.replace(found, view=account.worded(con, found.view,
                                                                                            shown.currency))
