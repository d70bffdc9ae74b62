"""The Digest page: what changed for one owner (or everyone) since a day or snapshot."""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import digest, digest_output, money, snapshots
from renewal_radar import filters as filters_mod
from renewal_radar.filters import Filters


def read(con, filters: Filters, since: dt.date, snapshot_id: int | None, as_of: dt.date,
         currency: str | None = None) -> digest.Digest:
    """The digest of the filtered book: what changed between ``since`` and ``as_of``, money in ``currency``
    (None: the reporting currency), converted before the alerts are judged and worded."""
    return digest.judged(money.converter(con, currency).result(digest.changes(con, filters, since, snapshot_id,
                                                                              as_of)))


def owners(con) -> list[str]:
    """The CSM owners a digest can be read for."""
    return filters_mod.options(con)["csm_owner"]


def since(con, as_of: dt.date) -> tuple[dt.date, int | None]:
    """The default: a week before the as-of day, with the latest snapshot as of then."""
    return since_day(con, as_of - dt.timedelta(days=7), as_of)


def since_day(con, day: dt.date, as_of: dt.date) -> tuple[dt.date, int | None]:
    """A since day and the latest snapshot saved as of it (None when there is none)."""
    return digest.resolve_since(con, day, as_of)


def snapshot_days(con) -> pl.DataFrame:
    """Saved snapshots' ids, names and as-of days only (no totals), newest first: for pickers."""
    return snapshots.list_snapshots(con).select("id", "name", "as_of", "saved_at")


KINDS, kind_title, to_html = digest.KINDS, digest.kind_title, digest_output.to_html  # the kinds and the email
SHOWN_PER_KIND = digest_output.shown_per_kind  # the alerts of a kind the page lists before "show all"
