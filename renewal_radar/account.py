"""One account in full: profile, contract lines, ARR and usage history, support, surveys, activities, health, risk
and renewal status — what a CSM needs before a business review."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, dates, figures, forecast, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money


@dataclass(frozen=True)
class AccountView:
    """Everything the account page shows."""

    profile: dict
    lines: pl.DataFrame
    months: pl.DataFrame
    usage_by_feature: pl.DataFrame
    tickets: pl.DataFrame
    surveys: pl.DataFrame
    activities: pl.DataFrame
    health_history: pl.DataFrame
    risk: dict | None
    next_renewal: dict | None

    # each line at its first month's rates, each month's MRR at that month's, the scores at the scored day's,
    # the renewal at its day's month's (a reader converts them: money.Converter.result)
    MONEY: ClassVar = {"lines": Money(("mrr",), "start_date"), "months": Money(("mrr", "arr"), "month_start"),
                       "risk": Money(book.SCORE_MONEY, "as_of"),
                       "next_renewal": Money(forecast.RENEWAL_MONEY, "renewal_date")}


def owner(con, account_id: str) -> tuple[bool, str | None]:
    """Whether the account exists, and its CSM owner (the access check of every one-account read)."""
    found = sql.run(con, "lookups/account_owner", account_id=account_id)
    return (True, found["csm_owner"][0]) if found.height else (False, None)


def search(con, filters: Filters = ALL) -> pl.DataFrame:
    """Account ids and names for the picker."""
    return sql.run(con, "reports/account_search", **filters.params())


def ticket_summary(tickets: pl.DataFrame) -> dict:
    """Volume, escalations, high-priority share, median hours to solve and CSAT of a set of tickets."""
    rated = tickets.filter(pl.col("satisfaction").is_in(["good", "bad"]))
    return {
        "tickets": tickets.height,
        "escalated": int(tickets["is_escalated"].sum()) if tickets.height else 0,
        "high_priority": int(tickets["priority"].is_in(["high", "urgent"]).sum()) if tickets.height else 0,
        "open": int((tickets["solved_at"].is_null()).sum()) if tickets.height else 0,
        "median_hours_to_solve": tickets["hours_to_solve"].median() if tickets.height else None,
        "csat_good_share": float((rated["satisfaction"] == "good").mean()) if rated.height else None,
    }


def view(con, account_id: str, as_of: dt.date, scores: book.Scores | book.Reading | None = None) -> AccountView | None:
    """The account as of a day (None when the id is unknown); ``scores``: the caller's holder or reading."""
    profile = sql.run(con, "reports/account_profile", account_id=account_id)
    if profile.is_empty():
        return None
    params = {"account_id": account_id, "as_of": as_of}
    start = dates.add_months(dates.month_floor(as_of), -23)
    scores = book.reading_of(con, scores)  # the score status read once for the view
    history = book.account_history(con, account_id, start, as_of, scores)
    return AccountView(
        profile=profile.row(0, named=True),
        lines=sql.run(con, "reports/account_lines", account_id=account_id),
        months=_with_arr(sql.run(con, "reports/account_months", **params)),
        usage_by_feature=sql.run(con, "reports/account_usage_features", **params),
        tickets=sql.run(con, "reports/account_tickets", **params),
        surveys=sql.run(con, "reports/account_surveys", **params),
        activities=sql.run(con, "reports/account_activities", **params),
        health_history=history,
        risk=book.account_score(con, as_of, account_id, scores),
        next_renewal=book.next_renewal(con, as_of, account_id, scores),
    )


def _with_arr(months: pl.DataFrame) -> pl.DataFrame:
    """Each month's ARR beside its MRR (figures.arr)."""
    return months.with_columns(figures.arr().alias("arr")).select("month_start", "mrr", "arr",
                                                     pl.exclude("month_start", "mrr", "arr"))


def worded(con, view: AccountView | None, currency: str) -> AccountView | None:
    """A converted view with its risk drivers worded again from its converted MRR, naming ``currency``."""
    if view is None or view.risk is None:
        return view
    words = book.with_driver_words(con, pl.DataFrame([view.risk]), currency)
    return dataclasses.replace(view, risk={**view.risk, "top_drivers": words["top_drivers"][0]})


