"""The book of record: the scoring stage's stored rows, read the same way by every page, pack and command.

A day the scoring stage stored is read from its tables; any other day is scored live with the same
functions (``scoring.score_day``), so a stored and a live figure never differ. Callers in Streamlit cache
the results by their parameters (``ui.compute``).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import polars as pl

from renewal_radar import (
    dates,
    db,
    forecast,
    forecast_method,
    health,
    money,
    quarter_forecast,
    quarters,
    renewals,
    risk,
    scoring,
    settings,
    sql,
)
from renewal_radar.filters import ALL, Filters
from renewal_radar.metrics import data_as_of


@dataclass(frozen=True)
class ScoreStatus:
    """Which days are stored, and whether they were made with today's settings."""

    stored_days: frozenset
    fingerprint: str | None
    current_fingerprint: str
    made_at: dt.datetime | None

    @property
    def stale(self) -> bool:
        """True when the stored scores were made with other settings (health.toml or forecast settings)."""
        return self.fingerprint is not None and self.fingerprint != self.current_fingerprint


def status(con) -> ScoreStatus:
    """The stored scores' days and settings fingerprint (no scores: nothing stored)."""
    current = scoring.settings_fingerprint()
    if "score_runs" not in db.table_names(con):
        return ScoreStatus(frozenset(), None, current, None)
    row = sql.run(con, "lookups/score_status").row(0, named=True)
    return ScoreStatus(frozenset(row["stored_days"] or ()), row["fingerprint"], current, row["made_at"])


def usable_days(con) -> frozenset:
    """The stored days a reader may use: none when the scores were made with other settings."""
    found = status(con)
    return frozenset() if found.stale else found.stored_days


def _is_stored(con, day: dt.date) -> bool:
    return day in usable_days(con)


# ---------------------------------------------------------------- live scoring of a day that is not stored


@functools.lru_cache(maxsize=8)
def _live_day_cached(path_key: str, imported_at, day: dt.date, con_holder) -> scoring.DayScores:
    con = con_holder.con
    return scoring.score_live_day(con, day)


class _Holder:
    """Carries a connection through the cache without making it part of the key."""

    def __init__(self, con):
        self.con = con

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other) -> bool:
        return isinstance(other, _Holder)


def live_day(con, day: dt.date) -> scoring.DayScores:
    """Score one day that is not stored (cached per database import and day)."""
    meta = sql.run(con, "lookups/data_as_of").row(0, named=True)
    return _live_day_cached(str(meta.get("source")), meta.get("imported_at"), day, _Holder(con))


def _directory(con, filters: Filters) -> pl.DataFrame:
    return sql.run(con, "lookups/account_directory", **filters.params())


# ---------------------------------------------------------------- accounts


def account_score(con, as_of: dt.date, account_id: str) -> dict | None:
    """One account's row of :func:`account_scores` (None when it was not active on ``as_of``)."""
    if not _is_stored(con, as_of):
        scored = account_scores(con, as_of).filter(pl.col("account_id") == account_id)
        return scored.row(0, named=True) if scored.height else None
    scored = _with_drivers_and_arr(con, sql.run(con, "stored/account_score", as_of=as_of,
                                                account_id=account_id), True, as_of)
    return scored.row(0, named=True) if scored.height else None


def account_scores(con, as_of: dt.date, filters: Filters = ALL, with_drivers: bool = True) -> pl.DataFrame:
    """Health, band, components, churn probability, ARR, expected churned ARR and top drivers (in words, unless
    ``with_drivers`` is False) of each filtered account active on ``as_of``, largest expected churned ARR first."""
    if _is_stored(con, as_of):
        scored = sql.run(con, "stored/account_scores", as_of=as_of, **filters.params())
    else:
        scored = live_day(con, as_of).accounts.join(
            _directory(con, filters).select("account_id", "name", "segment", "region", "csm_owner",
                                            "bill_period_months", "main_product"), on="account_id")
    return _with_drivers_and_arr(con, scored, with_drivers, as_of)


def _with_drivers_and_arr(con, scored: pl.DataFrame, with_drivers: bool, as_of: dt.date) -> pl.DataFrame:
    # MRR on the day at the day's rates, in the currency money is shown in (the drivers' words name it too)
    shown = money.converter(con)
    scored = shown.frame(scored, ("mrr",), as_of)
    texts = risk.drivers_texts(scored, driver_sources(con)) if with_drivers else None
    return scored.with_columns(
        pl.Series("top_drivers", texts, dtype=pl.String) if texts is not None else pl.lit(None, pl.String)
        .alias("top_drivers"), (12 * pl.col("mrr")).alias("arr"),
    ).with_columns((pl.col("churn_probability") * pl.col("arr")).alias("expected_churn_arr")).sort(
        "expected_churn_arr", descending=True, nulls_last=True)


def driver_sources(con) -> dict:
    """What the drivers' words read besides the account's own values: rows per signal source (the feature count)
    and the currency money is shown in."""
    return {**health.source_rows(con), "currency": money.shown_currency(con)}


def health_scores(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """The health score of each filtered account active on ``as_of`` (account_id, health_score)."""
    if _is_stored(con, as_of):
        return sql.run(con, "stored/health_scores", as_of=as_of, **filters.params())
    return account_scores(con, as_of, filters, with_drivers=False).select("account_id", "health_score")


# ---------------------------------------------------------------- renewals and the forecast


def renewal_rows(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL) -> pl.DataFrame:
    """The renewals of filtered accounts due in [as_of, as_of + horizon) with their probabilities (≤ 365 days),
    money in the currency it is shown in."""
    horizon_days = min(horizon_days, scoring.MAX_HORIZON_DAYS)
    if _is_stored(con, as_of):
        rows = sql.run(con, "stored/renewal_scores", days=[as_of], horizon_days=horizon_days,
                       **filters.params())
    else:
        rows = live_day(con, as_of).renewals.filter(pl.col("renewal_date") < as_of + dt.timedelta(days=horizon_days))
        directory = _directory(con, filters).select("account_id", "name", "segment", "region", "csm_owner",
                                                    "am_owner")
        rows = rows.join(directory, on="account_id").sort("renewal_date", "account_id")
    return in_shown_currency(con, rows)


RENEWAL_MONEY = ("due_arr", "renewed_arr")


def in_shown_currency(con, rows: pl.DataFrame) -> pl.DataFrame:
    """Renewal rows with due and renewed ARR in the currency money is shown in, at the renewal day's month's
    rates: both are defined at that month (renewal_events.sql), so a renewal compares like with like."""
    return money.converter(con).frame(rows, RENEWAL_MONEY, "renewal_date")


def history_rollup(con, days: list[dt.date], filters: Filters = ALL) -> pl.DataFrame:
    """The trailing-year renewal sums of ``days`` for the filtered accounts."""
    usable = usable_days(con)  # read once: each check costs a query and a settings hash
    stored = [day for day in days if day in usable]
    frames = []
    if stored:
        frames.append(sql.run(con, "stored/history_rollup", days=stored, **filters.params()))
    for day in days:
        if day not in stored:
            frames.append(_filter_rollup(live_day(con, day).history_rollup, filters))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _filter_rollup(rollup: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    conditions = [pl.col(column).is_in(list(values)) for column, values in (
        ("segment", filters.segments), ("region", filters.regions), ("csm_owner", filters.owners),
        ("bill_period_months", filters.bill_periods)) if values]
    return rollup.filter(*conditions) if conditions else rollup


def forecast_for(con, as_of: dt.date, horizon_days: int | None = None, filters: Filters = ALL) -> forecast.Forecast:
    """The forecast of renewals due in [as_of, as_of + horizon): the one due set every page and command uses."""
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    rows = renewal_rows(con, as_of, horizon_days, filters)
    summary = forecast.summary_from_rows(rows, history_rollup(con, [as_of], filters), as_of, horizon_days)
    return forecast.Forecast(summary | forecast_method.method_json(method_for(con, as_of)), rows)


def team_members(con) -> pl.DataFrame:
    """team.csv as loaded: each CSM owner's manager and team (empty without one)."""
    if "stg_team" not in db.table_names(con):
        return pl.DataFrame(schema={"csm_owner": pl.String, "manager": pl.String, "team": pl.String,
                                    "email": pl.String})
    return sql.run(con, "reports/team_members")


def quarter_targets(con, quarter: quarters.Quarter) -> pl.DataFrame:
    """The plan's rows for ``quarter`` (empty without targets.csv), target money in the shown currency."""
    if "stg_targets" not in db.table_names(con):
        return pl.DataFrame(schema={"quarter": pl.String, "segment": pl.String, "team": pl.String,
                                    "target_grr": pl.Float64, "target_renewed_arr": pl.Float64})
    targets = sql.run(con, "lookups/quarter_targets", quarter=quarter.label)
    # a plan is written in the reporting currency: shown at the quarter's first month's rates
    return money.converter(con).frame(targets.with_columns(pl.lit(quarter.start).alias("month")),
                                      ("target_renewed_arr",), "month").drop("month")


def _quarter_prices(con, outcomes: pl.DataFrame, as_of: dt.date, quarter: quarters.Quarter,
                    filters: Filters) -> pl.DataFrame:
    """The forecast rows that price the quarter's open renewals: the as-of day's for those still ahead, the
    month start's before each one still in its grace period."""
    frames = []
    if quarter.end > as_of:
        frames.append(renewal_rows(con, as_of, (quarter.end - as_of).days, filters))
    past = outcomes.filter((pl.col("outcome") == "open") & (pl.col("renewal_date") < as_of))
    for day in sorted({dates.month_floor(day) for day in past["renewal_date"].to_list()}):
        frames.append(renewal_rows(con, day, 62, filters))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(
        schema={"account_id": pl.String, "renewal_date": pl.Date, "probability": pl.Float64,
                "source": pl.String, "category": pl.String})


def quarter_forecast_for(con, quarter: quarters.Quarter, as_of: dt.date, filters: Filters = ALL
                         ) -> quarter_forecast.QuarterForecast:
    """The fiscal quarter's renewals as of ``as_of``: renewed, churned and open, the open ones priced by the
    forecast, the projected GRR and NRR and the plan (metrics.md "Quarter forecast")."""
    outcomes = money.converter(con).frame(
        renewals.renewal_outcomes(con, quarter.start, quarter.end, as_of, filters=filters),
        quarter_forecast.ROW_MONEY, "renewal_date")
    contraction, expansion, trailing = forecast.rollup_ratios(history_rollup(con, [as_of], filters))
    priced = _quarter_prices(con, outcomes, as_of, quarter, filters)
    rows = quarter_forecast.with_projection(quarter_forecast.with_open_probabilities(outcomes, priced, trailing),
                                            contraction, expansion)
    team = team_members(con)
    rows = rows.join(team.select("csm_owner", "manager", "team"), on="csm_owner", how="left")
    targets = quarter_targets(con, quarter)
    whole = _whole_book_target(targets, filters)
    return quarter_forecast.QuarterForecast(quarter_forecast.summarise(rows, whole), rows)


def _whole_book_target(targets: pl.DataFrame, filters: Filters) -> dict | None:
    """The plan's row for the view: the whole book's when nothing narrows it, a segment's when one is picked."""
    if filters.is_empty:
        found = targets.filter(pl.col("segment").is_null() & pl.col("team").is_null())
    elif len(filters.segments) == 1 and not (filters.owners or filters.regions or filters.bill_periods):
        found = targets.filter((pl.col("segment") == next(iter(filters.segments))) & pl.col("team").is_null())
    else:
        return None
    return found.row(0, named=True) if found.height else None


def method_for(con, as_of: dt.date) -> dict | None:
    """The forecast method chosen for ``as_of`` and the errors that chose it (forecast_methods)."""
    if _is_stored(con, as_of):
        found = sql.run(con, "stored/forecast_method", as_of=as_of)
        return found.row(0, named=True) if found.height else None
    return live_day(con, as_of).method


def forecast_backtest(con, horizon_days: int | None = None, filters: Filters = ALL
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The forecast of each month start of the past year against what happened, and its calibration table.

    Read from the stored backtest for the default horizon and no filter, else judged from the stored
    forecasts of those days (days that are not stored are scored live).
    """
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    found = status(con)
    shown = money.converter(con)
    if filters.is_empty and horizon_days == settings.get("forecast_horizon_days") and found.stored_days \
            and not found.stale and shown.is_identity:
        return sql.run(con, "stored/forecast_backtest"), sql.run(con, "stored/forecast_calibration")
    days = forecast.backtest_days(data_as_of(con), horizon_days)
    usable = usable_days(con)
    stored = [day for day in days if day in usable]  # one read for every stored day, live for the rest
    parts = [in_shown_currency(con, sql.run(con, "stored/renewal_scores", days=stored, horizon_days=min(
        horizon_days, scoring.MAX_HORIZON_DAYS), **filters.params()))] if stored else []
    parts += [renewal_rows(con, day, horizon_days, filters) for day in days if day not in usable]
    rows = pl.concat(parts, how="diagonal_relaxed")
    actual = shown.frame(forecast.actual_outcomes(con, min(days), max(days) + dt.timedelta(days=horizon_days),
                                                  filters), ("actual_gross",), "renewal_date")
    return forecast.backtest_from_rows(rows, history_rollup(con, days, filters), actual, days, horizon_days)


def risk_backtest(con) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored churn-risk backtest by month and the churn rate by health band (empty when not stored)."""
    if "risk_backtest" not in db.table_names(con):
        return pl.DataFrame(), pl.DataFrame()
    return sql.run(con, "stored/risk_backtest"), sql.run(con, "stored/risk_band_rates")
