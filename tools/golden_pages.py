"""Every page's data for the golden outputs: the calls each page makes, on the data's as-of day and no filter.

The keys name what a page shows; the calls are whatever reader the page uses now. When a reader moves, its
call here moves with it and its values must stay equal.
"""

from __future__ import annotations

from pathlib import Path

from renewal_radar import dates, db, i18n, money
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of
from renewal_radar.readers import (
    account,
    at_risk,
    calendar,
    cohorts,
    common,
    data,
    digest,
    expansion,
    explore,
    forecast,
    imports,
    overview,
    why,
)


def _in_each_language(read) -> dict:
    found = {}
    for code in ("en", "ko"):
        with i18n.language(code):
            found[code] = read()
    return found


def _overview(con, as_of, currency=None) -> dict:
    page = overview.read(con, as_of, ALL, currency)
    months = page.movements["month"].to_list() if "month" in page.movements.columns else []
    return {"data": page, "json": overview.as_json(page),
            "movement_accounts": overview.movement_accounts(con, months[-1], ALL, currency) if months else None}


AT_RISK_FIELDS = ("as_of", "currency", "accounts", "missing_components", "band_rates", "stale", "word_sources")


def _at_risk_data(con, as_of, currency=None):
    page = at_risk.read(con, as_of, ALL, currency)
    return page, {name: getattr(page, name) for name in AT_RISK_FIELDS}


def _at_risk(con, as_of, currency=None) -> dict:
    page, recorded = _at_risk_data(con, as_of, currency)
    words = _in_each_language(lambda: at_risk.words(page.accounts.head(50), page.word_sources))
    starts = common.month_starts(con, as_of)
    account_id = page.accounts["account_id"][0] if page.accounts.height else None
    change = at_risk.health_change(con, account_id, starts[0], starts[-1]) if account_id and len(starts) > 1 \
        else None
    return {"data": recorded, "words": words, "backtest": at_risk.track_record(con), "month_starts": starts,
            "health_change": change}


def _forecast(con, as_of, currency=None) -> dict:
    this_label, next_label = forecast.current_quarters(as_of)
    views = {str(h): forecast.horizon(con, as_of, h, ALL, currency) for h in (30, 60, 90, 120, 365)}
    view = views["90"]
    snaps = forecast.snapshots(con)
    record = forecast.track_record(con, 90, ALL, currency)
    quarter_views = [forecast.quarter(con, label, as_of, ALL, currency) for label in (this_label, next_label)]
    return {"quarters": quarter_views, "quarter_price": forecast.quarter_price(con, this_label, as_of, ALL, currency),
            "path_to_plan": forecast.plan_path(quarter_views[0]),
            "week_moved": forecast.week_moved(con, this_label, as_of, ALL, currency),
            "horizons": {h: {"summary": v.summary, "renewals": v.renewals} for h, v in views.items()},
            "breakdown": {by: view.breakdowns[by] for by in ("segment", "csm_owner", "category", "source")
                          if by in view.renewals.columns},
            "queue": view.disagreements, "drivers": forecast.drivers(con, as_of, ALL, currency),
            "snapshots": snaps,
            "moved": forecast.what_moved(con, snaps["id"][0], as_of, ALL, currency) if snaps.height else None,
            "backtest": [record.backtest, record.calibration, record.accuracy],
            "calls": forecast.calls(con, 90, ALL, currency)}


def _calendar(con, as_of, currency=None) -> dict:
    page = calendar.read(con, as_of, ALL, currency)
    return {"rows": page.events, "due": page.due, "currency": page.currency}


def _account(con, as_of, currency=None) -> dict:
    choices = account.choices(con, ALL)
    account_id = choices["account_id"][0]
    page = account.read(con, account_id, as_of, ALL, currency)
    return {"choices": choices, "view": page.view, "owner": common.account_owner(con, account_id),
            "drivers": page.drivers, "value": page.value, "price_history": page.price_history}


COHORT_FIELDS = ("currency", "triangle", "labels", "survival", "numbers_at_risk", "movements")


def _cohort_page(con, as_of, grain, by, currency=None) -> dict:
    page = cohorts.read(con, as_of, grain, by, ALL, currency)
    return {name: getattr(page, name) for name in COHORT_FIELDS}


def _cohorts(con, as_of, currency=None) -> dict:
    page = cohorts.read(con, as_of, "month", None, ALL, currency)
    first = page.triangle.sort("cohort")["cohort"][0] if page.triangle.height else None
    attributes = cohorts.attributes(con)
    return {"page": _cohort_page(con, as_of, "month", None, currency),
            "quarter": _cohort_page(con, as_of, "quarter", "segment", currency),
            "members": cohorts.members(con, as_of, "month", first, 1, ALL, currency) if first else None,
            "attributes": attributes,
            "by_attribute": cohorts.by_attribute(con, as_of, "month", attributes[0], ALL) if attributes else None,
            "projection": cohorts.projection(con, "bill_period_months", currency)}


def _why(con, as_of, currency=None) -> dict:
    starts = why.quarter_starts(con)
    page = why.read(con, starts[0], dates.add_months(starts[-1], 3), as_of, ALL, currency) if starts else None
    contraction = why.contraction(con, starts[0], dates.add_months(starts[-1], 3), as_of, ALL, currency) \
        if starts else None
    return {"quarter_starts": starts, "page": page, "drivers": why.drivers_view(con), "contraction": contraction}


def _digest(con, as_of, currency=None) -> dict:
    day, snapshot = digest.since(con, as_of)
    owners = digest.owners(con)
    return {"since": [day, snapshot], "snapshot_days": digest.snapshot_days(con), "owners": owners,
            "everyone": digest.read(con, Filters(), day, snapshot, as_of, currency),
            "first_owner": digest.read(con, Filters(owners=(owners[0],)), day, snapshot, as_of, currency)
            if owners else None}


def _data(con, as_of, currency=None) -> dict:
    return {"status": data.read(con), "history": imports.history(con), "schema": explore.schema(con),
            "score_status": common.score_status(con)}


PAGES = {"overview": _overview, "at_risk": _at_risk, "forecast": _forecast, "calendar": _calendar,
         "account": _account, "cohorts": _cohorts, "why": _why, "digest": _digest, "data": _data,
         "expansion": lambda con, as_of, currency=None: expansion.read(con, as_of, ALL, currency)}


def capture(path: Path) -> dict:
    """Every page's data on one database, in its reporting currency and again in another offered currency."""
    from tools.golden import plain

    con = db.connect(path, read_only=True)
    try:
        as_of = data_as_of(con)
        found = {name: plain(read(con, as_of)) for name, read in PAGES.items()}
        other = [code for code in money.offered(con) if code != common.reporting_currency(con)][-1:]
        for code in other:  # the last other currency offered (JPY in the demo, EUR in the hand company)
            found["in_other_currency"] = {name: plain(read(con, as_of, code)) for name, read in PAGES.items()
                                          if name != "data"}
        return found
    finally:
        con.close()
