"""Fiscal quarters (metrics.md "Quarter forecast"): three months counted from the fiscal year's first month.

A fiscal year is named by the calendar year it ends in (with the default January start, the calendar year),
as Salesforce and most SaaS companies name theirs: with a February start, FY2027 runs from Feb 1, 2026 to
Jan 31, 2027, and ``2027-Q1`` is Feb–Apr 2026.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from renewal_radar import dates, settings

LABEL = re.compile(r"^\s*(?:FY)?(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A fiscal quarter: its first day and the day after its last."""

    start: dt.date
    end: dt.date
    fiscal_year: int
    number: int

    @property
    def label(self) -> str:
        """``2027-Q1``: the form the command line, targets.csv and the pages use."""
        return f"{self.fiscal_year}-Q{self.number}"

    def next(self) -> Quarter:
        """The quarter after this one."""
        return quarter_of(self.end)

    def previous(self) -> Quarter:
        """The quarter before this one."""
        return quarter_of(self.start - dt.timedelta(days=1))


def first_month() -> int:
    """The fiscal year's first month (1–12) from the settings."""
    month = int(settings.get("fiscal_year_start_month"))
    if not 1 <= month <= 12:
        raise ValueError(f"fiscal_year_start_month must be 1 to 12, not {month}")
    return month


def quarter_of(day: dt.date) -> Quarter:
    """The fiscal quarter containing ``day``."""
    start_month = first_month()
    into_year = (day.month - start_month) % 12
    year_start = dates.add_months(dt.date(day.year, day.month, 1), -into_year)
    number = into_year // 3 + 1
    start = dates.add_months(year_start, 3 * (number - 1))
    fiscal_year = year_start.year if start_month == 1 else year_start.year + 1
    return Quarter(start, dates.add_months(start, 3), fiscal_year, number)


def parse(label: str) -> Quarter:
    """``2027-Q1`` (also ``FY2027 Q1``, ``2027Q1``) as a quarter; a ValueError that names the form otherwise."""
    found = LABEL.match(label or "")
    if not found:
        raise ValueError(f"not a fiscal quarter: {label!r} (write it like 2027-Q1)")
    fiscal_year, number = int(found[1]), int(found[2])
    start_month = first_month()
    start_year = fiscal_year if start_month == 1 else fiscal_year - 1
    start = dates.add_months(dt.date(start_year, start_month, 1), 3 * (number - 1))
    return Quarter(start, dates.add_months(start, 3), fiscal_year, number)
