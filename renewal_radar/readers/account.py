"""The Account page: one customer in full, where it sits in what drives churn, its projected value, its
expansion signals, and its business-review pack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import account, money, retention_projection, review_pack
from renewal_radar.filters import ALL, Filters
from renewal_radar.readers import expansion as expansion_reader
from renewal_radar.readers import why


@dataclass(frozen=True)
class AccountPage:
    """Everything the Account page shows about one account."""

    currency: str
    view: account.AccountView | None
    drivers: pl.DataFrame      # the five strongest drivers: this account's value and its decile's churn
    value: dict | None         # the retention projection's expected residual value
    signals: pl.DataFrame      # its expansion signals


def choices(con, filters: Filters = ALL) -> pl.DataFrame:
    """Accounts for the page's picker."""
    return account.search(con, filters)


def read(con, account_id: str, as_of: dt.date, filters: Filters = ALL) -> AccountPage:
    """One account as of a day."""
    signals = expansion_reader.read(con, as_of, filters).signals.filter(pl.col("account_id") == account_id)
    return AccountPage(money.shown_currency(con), account.view(con, account_id, as_of),
                       why.account_drivers(con, account_id, as_of),
                       retention_projection.account_value(con, account_id), signals)


def review_pack_files(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[bytes, bytes]:
    """The business-review pack of one account and period, as PDF and PPTX bytes."""
    pack = review_pack.build(con, account_id, start, end, as_of, money.shown_currency(con))
    return review_pack.to_pdf(pack), review_pack.to_pptx(pack)
