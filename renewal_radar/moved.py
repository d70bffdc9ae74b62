"""What moved: a snapshot's renewal period then and now, one change per renewal (shared/spec/cli.md ``moved``).

The period is the snapshot's [start, end). Before: the snapshot's rows. After: the forecast as of D of the
renewals due in the period from D on, plus the period's renewals before D as they stand (booked at the
share booked again, churned 0 %, open at their probability). Renewals of one account pair up in date order;
each pair gets the first kind that applies of ``new, removed, slipped, pulled_in, arr, category, probability``, and its
forecast ARR delta, so the deltas add up to the whole difference.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from renewal_radar import book, figures, renewals, settings, snapshots, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.money import Money

KINDS = ("new", "removed", "slipped", "pulled_in", "arr", "category", "probability")
CENT = 0.005


def period_rows_now(con, start: dt.date, end: dt.date, as_of: dt.date) -> pl.DataFrame:
    """The period's window renewals as of ``as_of``: due events from the forecast, past ones as they stand,
    an account's events of one billing period counted once (metrics.md "Renewals in a window")."""
    columns = ["account_id", "bill_period_months", "renewal_date", "due_arr", "probability", "category"]
    due = book.renewal_rows(con, as_of, (end - as_of).days, ).filter(pl.col("renewal_date") >= start) \
        if end > as_of else pl.DataFrame()
    frames = [due.select(columns)] if due.height else []
    if start < as_of:
        past = renewals.renewal_outcomes(con, start, min(end, as_of), as_of)
        probability = (pl.when(pl.col("outcome") == "renewed").then(renewals.booked_share())
                       .when(pl.col("outcome") == "churned").then(0.0))
        past = past.with_columns(probability.alias("probability"), pl.col("outcome").alias("category"))
        open_past = past.filter(pl.col("probability").is_null())
        if open_past.height:  # still open after the day it was due: the forecast made the day it was due
            scored = _open_probabilities(con, open_past)
            past = past.join(scored, on=["account_id", "renewal_date"], how="left").with_columns(
                pl.coalesce("probability", "open_probability").fill_null(0.0).alias("probability"))
        frames.append(past.select(columns))
    schema = {"account_id": pl.String, "bill_period_months": pl.Int64, "renewal_date": pl.Date,
              "due_arr": pl.Float64, "probability": pl.Float64, "category": pl.String}
    events = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=schema)
    return renewals.window_renewals(events).select(columns[:1] + columns[2:])


def _open_probabilities(con, open_rows: pl.DataFrame) -> pl.DataFrame:
    found = []
    for day in sorted(set(open_rows["renewal_date"].to_list())):
        rows = book.renewal_rows(con, day, 1).filter(pl.col("renewal_date") == day)
        found.append(rows.select("account_id", "renewal_date", pl.col("probability").alias("open_probability")))
    return pl.concat(found) if found else pl.DataFrame(schema={"account_id": pl.String, "renewal_date": pl.Date,
                                                               "open_probability": pl.Float64})


def _pair(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Renewals of the same account paired in date order (the n-th before with the n-th after)."""
    rank = pl.col("renewal_date").rank("ordinal").over("account_id").alias("nth")
    left = before.with_columns(rank).rename({c: f"{c}_before" for c in before.columns if c != "account_id"})
    right = after.with_columns(rank).rename({c: f"{c}_after" for c in after.columns if c != "account_id"})
    return left.join(right, on=["account_id", "nth"], how="full", coalesce=True)


def classify(paired: pl.DataFrame, later_dates: pl.DataFrame, earlier_dates: pl.DataFrame) -> pl.DataFrame:
    """Kind and forecast ARR delta of each paired renewal; unchanged pairs are dropped.

    ``later_dates``: each account's first renewal after the period as known now (a removed renewal that
    moved there slipped); ``earlier_dates``: the same as known at the snapshot (a new one that was there was
    pulled in).
    """
    forecast_before = figures.weighted_forecast_arr("probability_before", "due_arr_before").fill_null(0.0)
    forecast_after = figures.weighted_forecast_arr("probability_after", "due_arr_after").fill_null(0.0)
    frame = paired.join(later_dates, on="account_id", how="left").join(earlier_dates, on="account_id", how="left")
    missing_after = pl.col("renewal_date_after").is_null()
    missing_before = pl.col("renewal_date_before").is_null()
    kind = (
        pl.when(missing_before & pl.col("date_outside_before").is_not_null()).then(pl.lit("pulled_in"))
        .when(missing_before).then(pl.lit("new"))
        .when(missing_after & pl.col("date_outside_after").is_not_null()).then(pl.lit("slipped"))
        .when(missing_after).then(pl.lit("removed"))
        .when(pl.col("renewal_date_after") > pl.col("renewal_date_before")).then(pl.lit("slipped"))
        .when(pl.col("renewal_date_after") < pl.col("renewal_date_before")).then(pl.lit("pulled_in"))
        .when((pl.col("due_arr_after") - pl.col("due_arr_before")).abs() >= CENT).then(pl.lit("arr"))
        .when(pl.col("category_after").eq_missing(pl.col("category_before")).not_()).then(pl.lit("category"))
        .when((pl.col("probability_after") - pl.col("probability_before")).abs() > 1e-12).then(pl.lit("probability"))
    )
    return frame.with_columns(
        kind.alias("kind"), (forecast_after - forecast_before).alias("forecast_arr_delta"),
        pl.coalesce("renewal_date_after", "date_outside_after").alias("renewal_date_after"),
        pl.coalesce("renewal_date_before", "date_outside_before").alias("renewal_date_before"),
    ).filter(pl.col("kind").is_not_null())


@dataclass(frozen=True)
class Period:
    """A snapshot's period then (``before``) and now (``after``), and each account's first renewal after it as
    known on each day: what :func:`compared` pairs and classifies."""

    snapshot_id: int
    as_of: dt.date
    start: dt.date
    end: dt.date
    before: pl.DataFrame
    after: pl.DataFrame
    later: pl.DataFrame
    earlier: pl.DataFrame
    snapshot_as_of: dt.date | None = None  # the day the snapshot forecast as of

    MONEY: ClassVar = {"before": Money(("due_arr",), "renewal_date"), "after": Money(("due_arr",), "renewal_date")}


def what_moved(con, snapshot_id: int, as_of: dt.date, window: tuple[dt.date, dt.date] | None = None) -> dict:
    """The snapshot's period then and now: totals and one change per renewal (cli.md ``moved``), in the
    reporting currency. ``window`` narrows it to the part of the period inside [window start, window end) (the
    quarter view's week)."""
    return compared(period(con, snapshot_id, as_of, window))


def period(con, snapshot_id: int, as_of: dt.date, window: tuple[dt.date, dt.date] | None = None,
           filters: Filters = ALL) -> Period:
    """The snapshot's period then and now for the ``filters``' accounts (a snapshot holds the whole book), money
    in the reporting currency (see :func:`what_moved`)."""
    header = snapshots.list_snapshots(con).filter(pl.col("id") == snapshot_id)
    if header.is_empty():
        raise ValueError(f"no snapshot with id {snapshot_id}; list them with `snapshots`")
    snap = header.row(0, named=True)
    start, end = snap["start"], snap["end"]
    if window is not None:
        start, end = max(start, window[0]), max(min(end, window[1]), max(start, window[0]))
    before = snapshots.snapshot_rows(con, snapshot_id).select(
        "account_id", "renewal_date", "due_arr", "probability", "category").filter(
        (pl.col("renewal_date") >= start) & (pl.col("renewal_date") < end))
    found = Period(snapshot_id, as_of, start, end, before, period_rows_now(con, start, end, as_of),
                   _first_renewal_outside(con, end, as_of, "date_outside_after"),
                   _first_renewal_outside(con, end, snap["as_of"], "date_outside_before"), snap["as_of"])
    return found if filters.is_empty else _narrowed(con, found, filters)


def _narrowed(con, found: Period, filters: Filters) -> Period:
    """The period with only the filtered accounts' renewals, on both sides."""
    accounts = sql.run(con, "lookups/account_directory", **filters.params()).select("account_id")

    def kept(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(accounts, on="account_id", how="semi")

    return dataclasses.replace(found, before=kept(found.before), after=kept(found.after), later=kept(found.later),
                               earlier=kept(found.earlier))


def compared(found: Period) -> dict:
    """The period's totals then and now and one change per renewal, in the currency its rows are in (the deltas
    and the kinds are judged on them: an ARR change is one of at least a cent)."""
    changes = classify(_pair(found.before, found.after), found.later, found.earlier)
    before_total = float(found.before.select(figures.weighted_forecast_arr().sum()).item() or 0.0)
    after_total = float(found.after.select(figures.weighted_forecast_arr().sum()).item() or 0.0)
    return {"since": found.snapshot_id, "as_of": found.as_of.isoformat(), "start": found.start.isoformat(),
            "end": found.end.isoformat(), "before_forecast_arr": before_total, "after_forecast_arr": after_total,
            "changes": changes_json(changes)}


def _first_renewal_outside(con, end: dt.date, known_on: dt.date, alias: str) -> pl.DataFrame:
    later = renewals.renewal_outcomes(con, end, end + dt.timedelta(days=400), known_on,
                                      settings.get("grace_days"))
    return later.group_by("account_id").agg(pl.col("renewal_date").min().alias(alias))


def changes_frame(changes: pl.DataFrame) -> pl.DataFrame:
    """The changes with their before and after figures, largest move first."""
    return changes.select(
        "account_id", "kind", "renewal_date_before", "renewal_date_after", "due_arr_before", "due_arr_after",
        "category_before", "category_after", "probability_before", "probability_after", "forecast_arr_delta",
    ).sort(pl.col("forecast_arr_delta").abs(), descending=True)


def changes_json(changes: pl.DataFrame) -> list[dict]:
    """cli.md's rows: {account_id, renewal_date_before, renewal_date_after, kind, before, after, forecast_arr_delta}."""
    out = []
    for row in changes_frame(changes).sort("account_id", "renewal_date_before").iter_rows(named=True):
        out.append({
            "account_id": row["account_id"],
            "renewal_date_before": _iso(row["renewal_date_before"]),
            "renewal_date_after": _iso(row["renewal_date_after"]),
            "kind": row["kind"],
            "before": _state(row, "before"), "after": _state(row, "after"),
            "forecast_arr_delta": row["forecast_arr_delta"],
        })
    return out


def _state(row: dict, side: str) -> dict | None:
    if row[f"due_arr_{side}"] is None:
        return None
    return {"due_arr": row[f"due_arr_{side}"], "probability": row[f"probability_{side}"],
            "category": row[f"category_{side}"],
            "forecast_arr": row[f"due_arr_{side}"] * row[f"probability_{side}"]}


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def waterfall(result: dict) -> pl.DataFrame:
    """Forecast ARR delta by kind, in KINDS order (the page's waterfall from then to now)."""
    changes = pl.DataFrame(result["changes"], schema={"kind": pl.String, "forecast_arr_delta": pl.Float64},
                           strict=False) if result["changes"] else pl.DataFrame(
        schema={"kind": pl.String, "forecast_arr_delta": pl.Float64})
    sums = changes.group_by("kind").agg(pl.col("forecast_arr_delta").sum(), pl.len().alias("renewals"))
    return pl.DataFrame({"kind": list(KINDS)}).join(sums, on="kind", how="left").fill_null(0)


def changes(con, result: dict) -> pl.DataFrame:
    """The renewals behind each bar of :func:`waterfall`, with names, largest forecast change first."""
    rows = [{"account_id": c["account_id"], "kind": c["kind"], "renewal_date_before": c["renewal_date_before"],
             "renewal_date_after": c["renewal_date_after"],
             "due_arr_before": (c["before"] or {}).get("due_arr"), "due_arr_after": (c["after"] or {}).get("due_arr"),
             "probability_before": (c["before"] or {}).get("probability"),
             "probability_after": (c["after"] or {}).get("probability"),
             "forecast_arr_delta": c["forecast_arr_delta"]} for c in result["changes"]]
    schema = {"account_id": pl.String, "kind": pl.String, "renewal_date_before": pl.String,
              "renewal_date_after": pl.String, "due_arr_before": pl.Float64, "due_arr_after": pl.Float64,
              "probability_before": pl.Float64, "probability_after": pl.Float64, "forecast_arr_delta": pl.Float64}
    frame = pl.DataFrame(rows, schema=schema)
    names = sql.run(con, "lookups/account_directory", **ALL.params()).select("account_id", "name")
    columns = [c for c in schema if c != "account_id"]
    return frame.join(names, on="account_id", how="left").select("account_id", "name", *columns).sort(
        pl.col("forecast_arr_delta").abs(), descending=True)
