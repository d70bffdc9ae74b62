"""The packs people present, as files for the pages' download buttons: one account's business review (for the
customer, or the CSM's preparation sheet) and a fiscal quarter's leadership pack, each as PDF and PPTX bytes."""

from __future__ import annotations

import datetime as dt

from renewal_radar import pack_render, quarter_pack, review_pack
from renewal_radar.filters import ALL, Filters


def review_pack_files(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date, internal: bool = False,
                      currency: str | None = None) -> tuple[bytes, bytes]:
    """One account's business review of [start, end) (``internal``: the CSM's preparation sheet), as PDF and PPTX
    bytes, money in ``currency``."""
    build = review_pack.build_internal if internal else review_pack.build
    deck = build(con, account_id, start, end, as_of, currency)
    return pack_render.to_pdf(deck), pack_render.to_pptx(deck)


def quarter_pack_files(con, label: str, as_of: dt.date, filters: Filters = ALL,
                       currency: str | None = None) -> tuple[bytes, bytes]:
    """The leadership pack of fiscal quarter ``label`` for the filtered accounts, as PDF and PPTX bytes."""
    deck = quarter_pack.build(con, label, as_of, currency, filters)
    return pack_render.to_pdf(deck), pack_render.to_pptx(deck)
