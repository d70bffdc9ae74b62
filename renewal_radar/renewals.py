"""Renewal events, outcomes and rates (shared/spec/metrics.md "Renewals")."""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import figures, settings, sql
from renewal_radar.cohorts import cohort_label
from renewal_radar.dates import FAR_FUTURE, FAR_PAST
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of

RATE_COLUMNS = ("period", "n_due", "n_renewed", "n_churned", "n_open", "due_arr",
                "renewed_arr_gross", "renewed_arr_net")


def classify_outcomes(events: pl.DataFrame, as_of: dt.date, grace_days: int) -> pl.DataFrame:
    """Outcome of each renewal event: renewed, churned (grace over by ``as_of``) or open."""
    grace_over = pl.col("renewal_date") + pl.duration(days=grace_days) <= pl.lit(as_of)
    outcome = (pl.when(pl.col("renewed_mrr") > 0).then(pl.lit("renewed"))
               .when(grace_over).then(pl.lit("churned")).otherwise(pl.lit("open")))
    return events.with_columns(
        outcome.alias("outcome"),
        figures.arr("due_mrr").alias("due_arr"),
        figures.arr("renewed_mrr").alias("renewed_arr"),
        figures.arr(pl.min_horizontal("due_mrr", "renewed_mrr")).alias("renewed_arr_gross"),
    )


def booked_share() -> pl.Expr:
    """The share of the due ARR a booked renewal renews gross: min(renewed, due) / due (1 unless it renewed
    smaller). A renewal already booked is not a guess; a downgrade booked at renewal is a known loss."""
    return (pl.min_horizontal("due_mrr", "renewed_mrr") / pl.col("due_mrr")).fill_nan(1.0)


def _events_stored(con, as_of: dt.date, grace_days: int) -> bool:
    """Whether the renewal_events table is what the macro would give for ``as_of`` and ``grace_days``."""
    meta = sql.run(con, "lookups/import_grace_as_of").row(0, named=True)
    return as_of >= meta["as_of"] and grace_days == meta["grace_days"]


def renewal_outcomes(con, start: dt.date | None = None, end: dt.date | None = None, as_of: dt.date | None = None,
                     grace_days: int | None = None, filters: Filters = ALL) -> pl.DataFrame:
    """Renewal events with start <= e < end of the filtered accounts, with their outcomes as of ``as_of``."""
    as_of = as_of or data_as_of(con)
    grace_days = settings.get("grace_days") if grace_days is None else grace_days
    window = {"start": start or FAR_PAST, "end": end or FAR_FUTURE, **filters.params()}
    if _events_stored(con, as_of, grace_days):  # everything exported is known: the import's table holds them
        events = sql.run(con, "reports/renewal_outcomes_known", **window)
    else:
        events = sql.run(con, "reports/renewal_outcomes", as_of=as_of, grace_days=grace_days, **window)
    return classify_outcomes(events, as_of, grace_days)


def renewal_outcomes_of_days(con, windows: dict[dt.date, tuple[dt.date, dt.date]],
                             grace_days: int | None = None) -> dict[dt.date, pl.DataFrame]:
    """For each day, ``renewal_outcomes(con, start, end, day)`` of its (start, end) window, every account: one
    query for all the days (reports/renewal_outcomes_days), each frame as renewal_outcomes gives it."""
    grace_days = settings.get("grace_days") if grace_days is None else grace_days
    days = sorted(windows)
    events = sql.run(con, "reports/renewal_outcomes_days", days=days, starts=[windows[day][0] for day in days],
                     ends=[windows[day][1] for day in days], grace_days=grace_days, **ALL.params())
    by_day, none = events.partition_by("as_of", as_dict=True, include_key=False), events.drop("as_of").head(0)
    return {day: classify_outcomes(by_day.get((day,), none), day, grace_days) for day in days}


def rates_by_period(outcomes: pl.DataFrame, grain: str = "month") -> pl.DataFrame:
    """Counts and ARR of window renewals by month (or quarter) of the renewal day e: each period is its own
    window, so a monthly line counts once a quarter (metrics.md "Renewals in a window")."""
    truncate = "1mo" if grain == "month" else "1q"
    periods = outcomes.with_columns(pl.col("renewal_date").dt.truncate(truncate).alias("period_start"))
    grouped = window_renewals(periods, within="period_start").group_by(
        "period_start").agg(
        pl.len().alias("n_due"),
        (pl.col("outcome") == "renewed").sum().alias("n_renewed"),
        (pl.col("outcome") == "churned").sum().alias("n_churned"),
        (pl.col("outcome") == "open").sum().alias("n_open"),
        pl.col("due_arr").sum(),
        pl.col("renewed_arr_gross").sum(),
        pl.col("renewed_arr").sum().alias("renewed_arr_net"),
    ).sort("period_start")
    labels = [cohort_label(day, grain) for day in grouped["period_start"]]
    return grouped.with_columns(pl.Series("period", labels, dtype=pl.String)).select(RATE_COLUMNS)


def renewal_rates(outcomes: pl.DataFrame) -> dict:
    """Count renewal rate and gross / net ARR renewal rates over the given events.

    Count rate = renewed / (renewed + churned); gross = Σ12·min(due, renewed) / Σ12·due;
    net = Σ12·renewed / Σ12·due. The ARR rates are taken over decided events
    (renewed or churned) like the count rate: an open renewal is not yet a loss.
    """
    decided = outcomes.filter(pl.col("outcome") != "open")
    renewed = int((decided["outcome"] == "renewed").sum())
    churned = decided.height - renewed
    decided_arr = float(decided["due_arr"].sum())
    return {
        "n_due": outcomes.height,
        "n_renewed": renewed,
        "n_churned": churned,
        "n_open": outcomes.height - decided.height,
        "renewal_rate": renewed / decided.height if decided.height else None,
        "due_arr": float(outcomes["due_arr"].sum()),
        "gross_renewal_rate": float(decided["renewed_arr_gross"].sum()) / decided_arr if decided_arr else None,
        "net_renewal_rate": float(decided["renewed_arr"].sum()) / decided_arr if decided_arr else None,
    }


def window_renewals(events: pl.DataFrame, within: str | None = None) -> pl.DataFrame:
    """Renewal events of one window grouped into window renewals (metrics.md "Renewals in a window"): an
    account's events of the same billing period form one, so a monthly line's ARR is counted once.

    ``events`` holds the events of the window: classified outcomes (``classify_outcomes``) or forecast rows.
    Each window renewal keeps its first event's columns (renewal date, decision date, lines and due ARR) and
    adds ``last_renewal_date``, ``n_events``. Where the columns exist: the outcome is churned when any event
    churned, else open when any is open, else renewed at the last event's renewed ARR; the probability is the
    product of the events' (it must renew each time); the call is the first event's that has one, unless a
    later one is lost or cancelled (then it cannot renew); the source is the first open event's while open.
    A one-event group is the event itself. ``within`` names a column that splits the events into several
    windows (a report's period, a backtest's day).
    """
    keys = ["account_id", "bill_period_months", *([within] if within else [])]
    if events.is_empty():
        last_start = [pl.col("renewal_start").alias("last_renewal_start")] if "renewal_start" in events.columns else []
        return events.with_columns(pl.col("renewal_date").alias("last_renewal_date"), *last_start,
                                   pl.lit(0, pl.UInt32).alias("n_events"))
    taken = [_window_value(name, events.columns) for name in events.columns if name not in keys]
    last_start = ["last_renewal_start"] if "renewal_start" in events.columns else []
    grouped = events.sort("renewal_date").group_by(keys, maintain_order=True).agg(
        *taken, pl.col("renewal_date").last().alias("last_renewal_date"), pl.len().alias("n_events"),
        *[pl.col("renewal_start").last().alias(name) for name in last_start], *_outcome_parts(events.columns))
    grouped = _with_window_outcome(grouped, events.columns)
    return grouped.select(*events.columns, "last_renewal_date", *last_start, "n_events").sort(
        "renewal_date", "account_id")


def windows_by_day(rows: pl.DataFrame, horizon_days: int) -> pl.DataFrame:
    """Stored (or live) forecast rows of several as-of days, each day's rows due in [day, day + horizon)
    grouped into that day's window renewals."""
    inside = rows.filter(pl.col("renewal_date") < pl.col("as_of") + pl.duration(days=horizon_days))
    return window_renewals(inside, within="as_of")


def outcome_windows(outcomes: pl.DataFrame, days: list[dt.date], horizon_days: int) -> pl.DataFrame:
    """What happened in each day's window [day, day + horizon): the classified events of the window grouped into
    window renewals, an ``as_of`` column naming the day (a backtest's actual outcomes)."""
    frames = [outcomes.filter(pl.col("renewal_date").is_between(day, day + dt.timedelta(days=horizon_days),
                                                                 closed="left")).with_columns(
        pl.lit(day).alias("as_of")) for day in days]
    found = pl.concat(frames) if frames else outcomes.head(0).with_columns(pl.lit(None, pl.Date).alias("as_of"))
    return window_renewals(found, within="as_of")


LOST_CATEGORIES = ("Omitted", "Closed Lost", "Cancels at period end")  # a call that says it will not renew
NOT_RENEWING = (*LOST_CATEGORIES, "churned")  # ... or an event that already churned (what moved's rows)


def _window_value(name: str, columns: list[str]) -> pl.Expr:
    """How a window renewal takes one column from its events (sorted by renewal date)."""
    column = pl.col(name)
    if name in ("renewed_mrr", "renewed_arr"):
        return column.last()
    if name == "probability":
        return column.product()
    if name == "category":
        lost = column.filter(column.is_in(NOT_RENEWING))
        return pl.coalesce(lost.first(), column.drop_nulls().first()).alias(name)
    if name == "source" and "outcome" in columns:
        return column.filter(pl.col("outcome") == "open").first().alias(name)
    return column.first()


def _outcome_parts(columns: list[str]) -> list[pl.Expr]:
    if "outcome" not in columns:
        return []
    return [(pl.col("outcome") == "churned").any().alias("_any_churned"),
            (pl.col("outcome") == "open").any().alias("_any_open")]


def _with_window_outcome(grouped: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The window renewal's outcome, and what renewed only when it renewed (at the last event's renewed ARR,
    gross against the first event's due ARR)."""
    if "outcome" not in columns:
        return grouped
    outcome = (pl.when(pl.col("_any_churned")).then(pl.lit("churned"))
               .when(pl.col("_any_open")).then(pl.lit("open")).otherwise(pl.lit("renewed")))
    grouped = grouped.with_columns(outcome.alias("outcome"))
    renewed = pl.col("outcome") == "renewed"
    kept = [pl.when(renewed).then(pl.col(name)).otherwise(pl.lit(0.0)).alias(name)
            for name in ("renewed_mrr", "renewed_arr") if name in columns]
    if "probability" in columns:  # a decided renewal is not priced (its events' were not)
        kept.append(pl.when(pl.col("outcome") == "open").then(pl.col("probability")).alias("probability"))
    grouped = grouped.with_columns(kept)
    if "source" in columns:
        grouped = grouped.with_columns(pl.when(pl.col("outcome") == "open").then(pl.col("source"))
                                       .otherwise(pl.col("outcome")).alias("source"))
    if "renewed_arr_gross" in columns and "renewed_arr" in columns:
        grouped = grouped.with_columns(pl.min_horizontal("due_arr", "renewed_arr").alias("renewed_arr_gross"))
    return grouped
