"""Values in the reader's language: money, percentages, dates, coded values and snapshot names."""

from __future__ import annotations

import datetime as dt
import re

from renewal_radar import figures, i18n
from renewal_radar.i18n import t, tn


def money(value: float | None, currency: str, compact: bool = True) -> str:
    """Money in the chosen language's format: compact on KPI cards (``$1.2M``, ``₩12.3억``), else whole units."""
    return i18n.money(value, currency, compact)


def coded(column: str, value: str | None) -> str | None:
    """A coded value (a health band, a forecast category, a probability's source) in words."""
    return figures.coded(column, value)


def day(value: dt.date | None) -> str:
    """A date in the chosen language's format."""
    return i18n.date(value)


def percent(value: float | None, digits: int = 1) -> str:
    """``87.5%`` in the chosen language's format; a dash for no value."""
    return i18n.percent(value, digits)


def snapshot_name(row: dict) -> str:
    """A snapshot's name as the reader's language says it: the names the app gives ("import as of 2026-11-01",
    "forecast as of …") are worded again; a name someone typed is theirs and shown as typed."""
    found = re.fullmatch(r"(import|forecast) as of (\d{4}-\d\d-\d\d)", row["name"] or "")
    if not found:
        return row["name"]
    day_text = day(dt.date.fromisoformat(found.group(2)))
    return t("import as of {day}", day=day_text) if found.group(1) == "import" else t(
        "forecast as of {day}", day=day_text)


def renewal_count(n: int) -> str:
    """``1 renewal``, ``1,234 renewals``, in the reader's language (plurals from the catalogue)."""
    return tn("{count:,} renewal", "{count:,} renewals", int(n))


def day_count(n: int) -> str:
    """``1 day``, ``90 days``, in the reader's language (plurals from the catalogue)."""
    return tn("{count:,} day", "{count:,} days", int(n))
