"""Calendar helpers: month and quarter arithmetic on dates."""

from __future__ import annotations

import datetime as dt

# the open ends of a date window: a bound no data reaches
FAR_PAST, FAR_FUTURE = dt.date(1900, 1, 1), dt.date(9999, 1, 1)


def month_floor(day: dt.date) -> dt.date:
    """First day of the month containing ``day``."""
    return day.replace(day=1)


def quarter_floor(day: dt.date) -> dt.date:
    """First day of the quarter containing ``day``."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def month_index(day: dt.date) -> int:
    """Months since year 0, so differences count calendar months."""
    return day.year * 12 + day.month - 1


def parse_date(text: str) -> dt.date:
    """An ISO YYYY-MM-DD date, with a readable error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD") from exc


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole calendar months from ``first``'s month to ``last``'s month."""
    return month_index(last) - month_index(first)
