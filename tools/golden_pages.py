"""Every page's data for the golden outputs: the calls each page makes, on the data's as-of day and no filter.

The keys name what a page shows; the calls are whatever reader the page uses now. When a reader moves, its
call here moves with it and its values must stay equal.
"""

from __future__ import annotations

from pathlib import Path

from renewal_radar import cohorts, datastatus, dates, db, explore, i18n, money, retention_projection, why
from renewal_radar import filters as filters_mod
from renewal_radar import pagedata as pages
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of


def _in_each_language(read) -> dict:
    found = {}
    for code in ("en", "ko"):
        with i18n.language(code):
            found[code] = read()
    return found


def _overview(con, as_of) -> dict:
    data = pages.overview(con, as_of, ALL)
    months = data.movements["month"].to_list() if "month" in data.movements.columns else []
    return {"data": data, "json": pages.overview_json(data),
            "movement_accounts": pages.movement_accounts(con, months[-1], ALL) if months else None}


def _at_risk(con, as_of) -> dict:
    data = pages.at_risk(con, as_of, ALL)
    words = _in_each_language(lambda: pages.at_risk_words(data.accounts.head(50), data.word_sources))
    starts = pages.month_starts(con, as_of)
    account = data.accounts["account_id"][0] if data.accounts.height else None
    change = pages.health_change(con, account, starts[0], starts[-1]) if account and len(starts) > 1 else None
    return {"data": data, "words": words, "backtest": pages.risk_backtest(con), "month_starts": starts,
            "health_change": change}


def _forecast(con, as_of) -> dict:
    this_label, next_label = pages.current_quarters(as_of)
    horizons = {str(h): pages.renewal_forecast(con, as_of, h, ALL) for h in (30, 60, 90, 120, 365)}
    due = horizons["90"].renewals
    snaps = pages.snapshot_list(con)
    return {"quarters": [pages.quarter_view(con, label, as_of, ALL) for label in (this_label, next_label)],
            "week_moved": pages.week_moved(con, this_label, as_of), "horizons": horizons,
            "breakdown": {by: pages.forecast_breakdown(due, by) for by in ("segment", "csm_owner", "category", "source")
                          if by in due.columns},
            "queue": pages.disagreement_queue(due, None), "drivers": pages.account_drivers(con, as_of, ALL),
            "snapshots": snaps,
            "moved": pages.what_moved(con, snaps["id"][0], as_of) if snaps.height else None,
            "backtest": pages.forecast_backtest(con, 90, ALL), "calls": pages.call_accuracy(con, 90, ALL)}


def _calendar(con, as_of) -> dict:
    result = pages.renewal_forecast(con, as_of, 365, ALL)
    return {"rows": pages.calendar_rows(result.renewals, as_of), "currency": pages.reporting_currency(con)}


def _account(con, as_of) -> dict:
    choices = pages.account_choices(con, ALL)
    account = choices["account_id"][0]
    return {"choices": choices, "view": pages.account_view(con, account, as_of),
            "owner": pages.account_owner(con, account), "drivers": why.account_drivers(con, account, as_of),
            "value": retention_projection.account_value(con, account)}


def _cohorts(con, as_of) -> dict:
    page = pages.cohorts_page(con, as_of, "month", None, ALL)
    first = page.triangle.sort("cohort")["cohort"][0] if page.triangle.height else None
    attributes = cohorts.account_attributes(con)
    return {"page": page, "quarter": pages.cohorts_page(con, as_of, "quarter", "segment", ALL),
            "members": pages.cohort_accounts(con, as_of, "month", first, 1, ALL) if first else None,
            "attributes": attributes,
            "by_attribute": cohorts.retention_by_attribute(con, as_of, "month", attributes[0], ALL)
            if attributes else None,
            "projection": retention_projection.projection_view(con, "bill_period_months")}


def _why(con, as_of) -> dict:
    starts = why.quarter_starts(con)
    page = why.why_page(con, starts[0], dates.add_months(starts[-1], 3), as_of, ALL) if starts else None
    return {"quarter_starts": starts, "page": page, "drivers": why.drivers_page(con)}


def _digest(con, as_of) -> dict:
    day, snapshot = pages.digest_since(con, as_of)
    owners = filters_mod.options(con)["csm_owner"]
    return {"since": [day, snapshot], "snapshot_days": pages.snapshot_days(con), "owners": owners,
            "everyone": pages.digest_view(con, Filters(), day, snapshot, as_of),
            "first_owner": pages.digest_view(con, Filters(owners=(owners[0],)), day, snapshot, as_of)
            if owners else None}


def _data(con, as_of) -> dict:
    status = pages.data_status(con)
    return {"status": status, "history": datastatus.import_history(con), "schema": explore.schema(con),
            "score_status": pages.score_status(con)}


PAGES = {"overview": _overview, "at_risk": _at_risk, "forecast": _forecast, "calendar": _calendar,
         "account": _account, "cohorts": _cohorts, "why": _why, "digest": _digest, "data": _data,
         "expansion": lambda con, as_of: pages.expansion_page(con, as_of, ALL)}


def capture(path: Path) -> dict:
    """Every page's data on one database, in its reporting currency (the Overview and At-risk in another offered
    currency too)."""
    from tools.golden import plain

    con = db.connect(path, read_only=True)
    try:
        as_of = data_as_of(con)
        found = {name: plain(read(con, as_of)) for name, read in PAGES.items()}
        other = [code for code in money.offered(con) if code != money.shown_currency(con)][-1:]
        for code in other:  # the last other currency offered (JPY in the demo, EUR in the hand company)
            with money.shown_in(code):
                found["overview_other_currency"] = plain(_overview(con, as_of))
                found["at_risk_other_currency"] = plain(pages.at_risk(con, as_of, ALL))
        return found
    finally:
        con.close()

