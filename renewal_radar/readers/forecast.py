"""The Forecast page: the fiscal quarter against plan (by team and segment, what moved since last week), the
rolling-horizon forecast with its breakdowns and the forecast meeting's list, the track record, whose calls
were right, and what moved since a snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import (
    book,
    call_accuracy,
    digest,
    economics,
    forecast,
    forecast_views,
    money,
    moved,
    path_to_plan,
    quarter_forecast,
    quarters,
    scoring,
)
from renewal_radar import snapshots as snapshots_mod
from renewal_radar.filters import ALL, Filters
from renewal_radar.readers.common import scores_of

BREAKDOWNS = ("segment", "csm_owner", "category", "source")
HORIZONS_DAYS = scoring.STANDARD_HORIZONS  # the horizons the page offers: the ones the scoring stage stores
CALL_SHARE_COLUMNS = call_accuracy.SHARE_COLUMNS  # the renewed share of the ARR of each CRM call


@dataclass(frozen=True)
class QuarterView:
    """One fiscal quarter: its figures, renewals, plan and the team roll-up."""

    label: str
    start: dt.date
    end: dt.date
    summary: dict
    renewals: pl.DataFrame
    targets: pl.DataFrame
    by_team: pl.DataFrame      # team → manager → CSM with totals (empty without team.csv)
    by_segment: pl.DataFrame   # segment totals with their plan
    has_team: bool
    target: dict | None        # the plan's row for the view (None without a plan)


@dataclass(frozen=True)
class HorizonView:
    """The rolling-horizon forecast: summary, renewals, breakdowns and strong CRM/model disagreements."""

    summary: dict
    renewals: pl.DataFrame
    breakdowns: dict           # column → renewals, ARR due and forecast by its values
    disagreements: pl.DataFrame


@dataclass(frozen=True)
class TrackRecord:
    """The forecast's backtest over the past year, its calibration and its headline accuracy."""

    backtest: pl.DataFrame
    calibration: pl.DataFrame
    accuracy: dict


@dataclass(frozen=True)
class Calls:
    """How accurate the CRM's calls were: whole book, by team, by CSM."""

    book: pl.DataFrame
    by_team: pl.DataFrame
    by_csm: pl.DataFrame


@dataclass(frozen=True)
class WhatMoved:
    """The What-moved panel: totals, the waterfall's bars and the renewals behind them, computed once."""

    result: dict
    steps: pl.DataFrame
    changes: pl.DataFrame
    snapshot_as_of: dt.date | None = None  # later than the as-of day: the comparison runs backwards


def current_quarters(as_of: dt.date) -> tuple[str, str]:
    """This fiscal quarter's label and the next one's."""
    this = quarters.quarter_of(as_of)
    return this.label, this.next().label


def quarter(con, label: str, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> QuarterView:
    """A fiscal quarter as of a day (``label`` like 2027-Q1), broken down by team and by segment, money in
    ``currency`` (None: the reporting currency): the rows and the plan are converted, the figures summed after."""
    found = quarters.parse(label)
    found_forecast = book.quarter_forecast_for(con, found, as_of, filters, scores_of(con))
    result = money.converter(con, currency).result(found_forecast)
    targets = result.targets
    rows = result.renewals
    has_team = rows["team"].is_not_null().any() if rows.height else False
    by_team = quarter_forecast.by_levels(rows, ["team", "manager", "csm_owner"], targets) if has_team \
        else quarter_forecast.by_levels(rows, ["csm_owner"])
    return QuarterView(found.label, found.start, found.end, result.summary, rows, targets, by_team,
                       quarter_forecast.by_levels(rows, ["segment"], targets), has_team, result.target)


@dataclass(frozen=True)
class QuarterPrice:
    """Price, volume and mix of the quarter's renewals renewed so far: each renewal, the quarter's total and by
    team (or segment without team.csv) and CSM (metrics.md "Renewal economics")."""

    renewals: pl.DataFrame
    total: dict
    by_team: pl.DataFrame
    by_csm: pl.DataFrame


def quarter_price(con, label: str, as_of: dt.date, filters: Filters = ALL,
                  currency: str | None = None) -> QuarterPrice:
    """The realised price, volume and mix of the fiscal quarter's renewals as of a day, money in ``currency``."""
    found = quarters.parse(label)
    splits = economics.with_team(con, economics.renewal_splits(con, found.start, min(found.end, as_of), as_of,
                                                               "quarter", filters))
    splits = money.converter(con, currency).frame(splits, economics.SPLIT_MONEY, "renewal_date")
    team = "team" if splits["team"].is_not_null().any() else "segment"
    return QuarterPrice(splits, economics.summarise(splits, []).row(0, named=True),
                        economics.summarise(splits, [team]), economics.summarise(splits, ["csm_owner"]))


def plan_path(view: QuarterView) -> dict:
    """The quarter's path to plan: the gap, the open renewals ranked by expected loss, the saves that close it."""
    return path_to_plan.path(view.renewals, view.summary)


def what_if(view: QuarterView, saved: set[tuple], lost: set[tuple]) -> dict:
    """The quarter's figures with the open renewals a person marked saved or lost (nothing stored changes)."""
    return path_to_plan.what_if_summary(view.renewals, view.target, saved, lost)


def horizon(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL,
            currency: str | None = None) -> HorizonView:
    """The forecast of renewals due in [as_of, as_of + horizon), with its breakdowns and disagreements, money in
    ``currency`` (None: the reporting currency): the renewals are converted, the figures derived after."""
    result = money.converter(con, currency).result(book.forecast_for(con, as_of, horizon_days, filters, scores_of(con)))
    due = result.renewals
    return HorizonView(result.summary, due, {by: forecast_views.breakdown(due, by) for by in BREAKDOWNS},
                       forecast_views.call_disagreements(due))


def drivers(con, as_of: dt.date, filters: Filters = ALL, currency: str | None = None) -> pl.DataFrame:
    """Each account's churn-risk drivers in words, an amount in ``currency`` (the disagreement list shows them)."""
    shown = money.converter(con, currency)
    rows = shown.frame(book.account_scores(con, as_of, filters, with_drivers=False, scores=scores_of(con)),
                       book.SCORE_MONEY, "as_of")
    return book.with_driver_words(con, rows, shown.currency).select("account_id", "top_drivers")


def track_record(con, horizon_days: int, filters: Filters = ALL, currency: str | None = None) -> TrackRecord:
    """The forecast's track record over the past year, its calibration table and its headline accuracy, money
    in ``currency`` (None: the reporting currency; the stored backtest is in it)."""
    shown, scores = money.converter(con, currency), scores_of(con)
    stored = book.stored_backtest(con, horizon_days, filters, scores) if shown.is_identity else None
    backtest, calibration = stored or shown.result(book.backtest_rows(con, horizon_days, filters, scores)).judged()
    return TrackRecord(backtest, calibration, forecast.accuracy(backtest))


def calls(con, horizon_days: int, filters: Filters = ALL, currency: str | None = None) -> Calls | None:
    """The CSM-accuracy table, money in ``currency`` (None: the reporting currency); None without an opportunity
    history."""
    if not call_accuracy.has_history(con):
        return None
    judged = call_accuracy.judged_calls(con, horizon_days, filters, scores_of(con))
    judged = money.converter(con, currency).frame(judged, call_accuracy.CALL_MONEY, "renewal_date")
    return Calls(call_accuracy.accuracy(judged, []), call_accuracy.accuracy(judged, ["team"]),
                 call_accuracy.accuracy(judged, ["team", "csm_owner"]))


def week_moved(con, label: str, as_of: dt.date, filters: Filters = ALL,
               currency: str | None = None) -> WhatMoved | None:
    """What moved in the quarter since the latest snapshot saved at least a week before ``as_of`` (None when
    there is none), money in ``currency`` (None: the reporting currency)."""
    _, snapshot_id = digest.resolve_since(con, None, as_of)
    if snapshot_id is None:
        return None
    found = quarters.parse(label)
    return _moved(con, moved.period(con, snapshot_id, as_of, (found.start, found.end), filters), currency)


def what_moved(con, snapshot_id: int, as_of: dt.date, filters: Filters = ALL,
               currency: str | None = None) -> WhatMoved:
    """A snapshot's period then and now for the filtered accounts, money in ``currency`` (None: the reporting
    currency)."""
    return _moved(con, moved.period(con, snapshot_id, as_of, None, filters), currency)


def _moved(con, period: moved.Period, currency: str | None) -> WhatMoved:
    # the rows are converted, then paired and classified (an ARR change is one of a cent in the currency shown)
    result = moved.compared(money.converter(con, currency).result(period))
    return WhatMoved(result, moved.waterfall(result), moved.changes(con, result), period.snapshot_as_of)


def snapshots(con) -> pl.DataFrame:
    """Saved forecast snapshots, newest first."""
    return snapshots_mod.list_snapshots(con)
