"""The retention projection's groups named in words (metrics.md "Retention projection": "Regular, yearly"), in
the reader's language: the stored rows carry the English name, a page words it again from the billing period and
the segment."""

from __future__ import annotations

import polars as pl

from renewal_radar.i18n import N_, language, t

BILL_PERIOD_WORDS = {1: N_("monthly"), 3: N_("quarterly"), 6: N_("half-yearly"), 12: N_("yearly"),
                     24: N_("two-yearly"), 36: N_("three-yearly")}


def period_words(months: int) -> str:
    """A billing period as a word: ``yearly`` for 12 months, ``every 5 months`` otherwise."""
    word = BILL_PERIOD_WORDS.get(int(months))
    return t(word) if word else t("every {n} months", n=int(months))


def group_label(bill_period: int, segment: str | None) -> str:
    """A group's name: its billing period ("Yearly"), and its segment first when split by it ("Regular, yearly")."""
    period = period_words(bill_period)
    if segment is None:
        return period[:1].upper() + period[1:]
    return t("{segment}, {period}", segment=segment, period=period)


def stored_label(bill_period: int, segment: str | None) -> str:
    """The group's name as the scoring stage stores it: in English, whatever the language of the import."""
    with language("en"):
        return group_label(bill_period, segment)


def worded(fits: pl.DataFrame, *frames: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    """The fits and the frames keyed by their group, the group named again in the current language."""
    names = {row["group"]: group_label(row["bill_period_months"], row["segment"])
             for row in fits.iter_rows(named=True)}
    return tuple(frame.with_columns(pl.col("group").replace(names)) for frame in (fits, *frames))


def worded_value(value: dict) -> dict:
    """An account's stored projection with its group named in the reader's language ("SMB, monthly"), from the
    billing period and segment its fit carries."""
    if value.get("bill_period_months") is not None:
        value["group"] = group_label(value["bill_period_months"], value.get("group_segment"))
    return value
