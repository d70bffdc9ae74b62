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
    forecast,
    forecast_views,
    moved,
    quarter_forecast,
    quarters,
    scoring,
)
from renewal_radar import snapshots as snapshots_mod
from renewal_radar.filters import ALL, Filters
from renewal_radar.readers.common import SCORES

BREAKDOWNS = ("segment", "csm_owner", "category", "source")
HORIZONS_DAYS = scoring.STANDARD_HORIZONS  # the horizons the page offers: the ones the scoring stage stores


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


def current_quarters(as_of: dt.date) -> tuple[str, str]:
    """This fiscal quarter's label and the next one's."""
    this = quarters.quarter_of(as_of)
    return this.label, this.next().label


def quarter(con, label: str, as_of: dt.date, filters: Filters = ALL) -> QuarterView:
    """A fiscal quarter as of a day (``label`` like 2027-Q1), broken down by team and by segment."""
    found = quarters.parse(label)
    result = book.quarter_forecast_for(con, found, as_of, filters, SCORES)
    targets = book.quarter_targets(con, found)
    rows = result.renewals
    has_team = rows["team"].is_not_null().any() if rows.height else False
    by_team = quarter_forecast.by_levels(rows, ["team", "manager", "csm_owner"], targets) if has_team \
        else quarter_forecast.by_levels(rows, ["csm_owner"])
    return QuarterView(found.label, found.start, found.end, result.summary, rows, targets, by_team,
                       quarter_forecast.by_levels(rows, ["segment"], targets), has_team)


def horizon(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL) -> HorizonView:
    """The forecast of renewals due in [as_of, as_of + horizon), with its breakdowns and disagreements."""
    result = book.forecast_for(con, as_of, horizon_days, filters, SCORES)
    due = result.renewals
    return HorizonView(result.summary, due, {by: forecast_views.breakdown(due, by) for by in BREAKDOWNS},
                       forecast_views.call_disagreements(due))


def drivers(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """Each account's churn-risk drivers in words (the disagreement list shows them)."""
    return book.account_scores(con, as_of, filters, scores=SCORES).select("account_id", "top_drivers")


def track_record(con, horizon_days: int, filters: Filters = ALL) -> TrackRecord:
    """The forecast's track record over the past year, its calibration table and its headline accuracy."""
    backtest, calibration = book.forecast_backtest(con, horizon_days, filters, SCORES)
    return TrackRecord(backtest, calibration, forecast.accuracy(backtest))


def calls(con, horizon_days: int, filters: Filters = ALL) -> Calls | None:
    """The CSM-accuracy table; None without an opportunity history."""
    if not call_accuracy.has_history(con):
        return None
    judged = call_accuracy.judged_calls(con, horizon_days, filters, SCORES)
    return Calls(call_accuracy.accuracy(judged, []), call_accuracy.accuracy(judged, ["team"]),
                 call_accuracy.accuracy(judged, ["team", "csm_owner"]))


def week_moved(con, label: str, as_of: dt.date) -> WhatMoved | None:
    """What moved in the quarter since the latest snapshot saved at least a week before ``as_of`` (None when
    there is none)."""
    _, snapshot_id = digest.resolve_since(con, None, as_of)
    if snapshot_id is None:
        return None
    found = quarters.parse(label)
    result = moved.what_moved(con, snapshot_id, as_of, window=(found.start, found.end))
    return WhatMoved(result, moved.waterfall(result), moved.changes(con, result))


def what_moved(con, snapshot_id: int, as_of: dt.date) -> WhatMoved:
    """A snapshot's period then and now."""
    result = moved.what_moved(con, snapshot_id, as_of)
    return WhatMoved(result, moved.waterfall(result), moved.changes(con, result))


def snapshots(con) -> pl.DataFrame:
    """Saved forecast snapshots, newest first."""
    return snapshots_mod.list_snapshots(con)
