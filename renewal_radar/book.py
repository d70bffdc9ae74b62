"""The book of record: the scoring stage's stored rows, read the same way by every page, pack and command.

One path for scores: every read asks a :class:`Day` for a part (the accounts, one account, health, the renewals,
the rollup, the forecast method). A day the scoring stage stored is read from its tables; any other day is scored
live with the same functions (``scoring``), only for the part asked for, so a stored and a live figure never
differ. :class:`Scores` keeps the days a caller has scored: the reader layer holds one per process
(``readers.common.SCORES``); Streamlit caches each reader's result by its parameters (``ui.compute``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from renewal_radar import (
    dates,
    db,
    figures,
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


# ---------------------------------------------------------------- one path: a day's rows, stored or scored live


@dataclass(frozen=True)
class Part:
    """One kind of row a day's scores hold: the query reading it from a stored day, and how a day that is not
    stored gets the same rows (from the live parts of :class:`Day`) for the same parameters."""

    stored_query: str
    live: Callable[..., pl.DataFrame]


class Day:
    """One day's scores as readers ask for them. A stored day is read from its tables; a day that is not stored
    is scored live, only for the parts asked for (the accounts: health and risk; the trailing-year rollup; the
    whole day with the renewal model only when renewals or the forecast method are asked for), each once per
    :class:`Day`. This is the one place where stored and live meet."""

    def __init__(self, day: dt.date, stored: bool):
        self.day, self.stored = day, stored
        self._live: dict[str, object] = {}

    def rows(self, con, part: str, filters: Filters = ALL, **params) -> pl.DataFrame:
        """The part's rows for the filters and ``params`` (a horizon, an account): stored or live, the same
        columns."""
        found = PARTS[part]
        if self.stored:
            return sql.run(con, found.stored_query, as_of=self.day, days=[self.day], **filters.params(), **params)
        return found.live(con, self, filters=filters, **params)

    def method(self, con) -> dict | None:
        """The forecast method chosen for the day and the errors that chose it (forecast_methods)."""
        if self.stored:
            found = sql.run(con, "stored/forecast_method", as_of=self.day)
            return found.row(0, named=True) if found.height else None
        return self.scored(con).method

    def scored(self, con) -> scoring.DayScores:
        """The whole day scored live (accounts, the renewal model, the rollup and the method)."""
        return self._once("day", lambda: scoring.score_live_day(con, self.day))

    def accounts(self, con) -> pl.DataFrame:
        """Health and churn risk of the day's active accounts, scored live (from the whole day if it is scored)."""
        if "day" in self._live:
            return self.scored(con).accounts
        return self._once("accounts", lambda: scoring.live_accounts(con, self.day))

    def rollup(self, con) -> pl.DataFrame:
        """The day's trailing-year renewal sums, live."""
        if "day" in self._live:
            return self.scored(con).history_rollup
        return self._once("rollup", lambda: scoring.live_rollup(con, self.day))

    def _once(self, name: str, compute: Callable[[], object]):
        if name not in self._live:
            self._live[name] = compute()
        return self._live[name]


class Scores:
    """The days a caller keeps scored: the readers hold one for the process (``readers.common.SCORES``), so a
    day that is not stored is scored once across pages; a command or a test gets a fresh one per call. Keyed
    by the database's identity (its file and import time), the settings and the day."""

    def __init__(self, max_days: int = 8):
        self.max_days = max_days
        self._days: OrderedDict[tuple, Day] = OrderedDict()
        self._lock = threading.Lock()  # the readers' holder is shared by every session's script thread

    def day(self, con, day: dt.date, usable: frozenset | None = None) -> Day:
        """The day's scores (``usable``: the usable stored days, when the caller has read them already)."""
        usable = usable_days(con) if usable is None else usable
        meta = sql.run(con, "lookups/data_as_of").row(0, named=True)
        key = (str(meta.get("source")), meta.get("imported_at"), scoring.settings_fingerprint(), day)
        with self._lock:
            if key not in self._days:
                self._days[key] = Day(day, day in usable)
                while len(self._days) > self.max_days:
                    self._days.popitem(last=False)
            self._days.move_to_end(key)
            return self._days[key]

    def days(self, con, days: list[dt.date]) -> list[Day]:
        """Several days' scores, the usable days read once."""
        usable = usable_days(con)
        return [self.day(con, day, usable) for day in days]


def _day(con, day: dt.date, scores: Scores | None) -> Day:
    return (scores or Scores()).day(con, day)


def rows_of_days(con, days: list[Day], part: str, filters: Filters = ALL, **params) -> pl.DataFrame:
    """A part's rows over several days: the stored days in one read, the others each scored live."""
    stored = [d.day for d in days if d.stored]
    frames = [sql.run(con, PARTS[part].stored_query, days=stored, **filters.params(), **params)] if stored else []
    frames += [d.rows(con, part, filters, **params) for d in days if not d.stored]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _directory(con, filters: Filters) -> pl.DataFrame:
    return sql.run(con, "lookups/account_directory", **filters.params())


def _live_accounts(con, day: Day, filters: Filters = ALL) -> pl.DataFrame:
    return day.accounts(con).join(_directory(con, filters).select(
        "account_id", "name", "segment", "region", "csm_owner", "bill_period_months", "main_product"),
        on="account_id")


def _live_account(con, day: Day, account_id: str, filters: Filters = ALL) -> pl.DataFrame:
    return _live_accounts(con, day, filters).filter(pl.col("account_id") == account_id)


def _live_health(con, day: Day, filters: Filters = ALL) -> pl.DataFrame:
    return _live_accounts(con, day, filters).select("account_id", "health_score")


def _live_renewals(con, day: Day, horizon_days: int, filters: Filters = ALL) -> pl.DataFrame:
    rows = day.scored(con).renewals.filter(pl.col("renewal_date") < day.day + dt.timedelta(days=horizon_days))
    directory = _directory(con, filters).select("account_id", "name", "segment", "region", "csm_owner", "am_owner")
    return rows.join(directory, on="account_id").sort("renewal_date", "account_id")


def _live_rollup(con, day: Day, filters: Filters = ALL) -> pl.DataFrame:
    conditions = [pl.col(column).is_in(list(values)) for column, values in (
        ("segment", filters.segments), ("region", filters.regions), ("csm_owner", filters.owners),
        ("bill_period_months", filters.bill_periods)) if values]
    rollup = day.rollup(con)
    return rollup.filter(*conditions) if conditions else rollup


PARTS = {
    "accounts": Part("stored/account_scores", _live_accounts),
    "account": Part("stored/account_score", _live_account),
    "health": Part("stored/health_scores", _live_health),
    "renewals": Part("stored/renewal_scores", _live_renewals),
    "rollup": Part("stored/history_rollup", _live_rollup),
}


# ---------------------------------------------------------------- accounts


def account_score(con, as_of: dt.date, account_id: str, scores: Scores | None = None) -> dict | None:
    """One account's row of :func:`account_scores` (None when it was not active on ``as_of``)."""
    found = _with_drivers_and_arr(con, _day(con, as_of, scores).rows(con, "account", account_id=account_id),
                                  True, as_of)
    return found.row(0, named=True) if found.height else None


def account_scores(con, as_of: dt.date, filters: Filters = ALL, with_drivers: bool = True,
                   scores: Scores | None = None) -> pl.DataFrame:
    """Health, band, components, churn probability, ARR, expected churned ARR and top drivers (in words, unless
    ``with_drivers`` is False) of each filtered account active on ``as_of``, largest expected churned ARR first."""
    scored = _day(con, as_of, scores).rows(con, "accounts", filters)
    return _with_drivers_and_arr(con, scored, with_drivers, as_of)


def _with_drivers_and_arr(con, scored: pl.DataFrame, with_drivers: bool, as_of: dt.date) -> pl.DataFrame:
    # MRR on the day at the day's rates, in the currency money is shown in (the drivers' words name it too)
    shown = money.converter(con)
    scored = shown.frame(scored, ("mrr",), as_of)
    texts = risk.drivers_texts(scored, driver_sources(con)) if with_drivers else None
    return scored.with_columns(
        pl.Series("top_drivers", texts, dtype=pl.String) if texts is not None else pl.lit(None, pl.String)
        .alias("top_drivers"), figures.arr().alias("arr"),
    ).with_columns(figures.expected_churn_arr().alias("expected_churn_arr")).sort(
        "expected_churn_arr", descending=True, nulls_last=True)


def driver_sources(con) -> dict:
    """What the drivers' words read besides the account's own values: rows per signal source (the feature count)
    and the currency money is shown in."""
    return {**health.source_rows(con), "currency": money.shown_currency(con)}


def health_scores(con, as_of: dt.date, filters: Filters = ALL, scores: Scores | None = None) -> pl.DataFrame:
    """The health score of each filtered account active on ``as_of`` (account_id, health_score)."""
    return _day(con, as_of, scores).rows(con, "health", filters)


# ---------------------------------------------------------------- renewals and the forecast


def renewal_rows(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL,
                 scores: Scores | None = None) -> pl.DataFrame:
    """The renewals of filtered accounts due in [as_of, as_of + horizon) with their probabilities (≤ 365 days),
    money in the currency it is shown in."""
    horizon_days = min(horizon_days, scoring.MAX_HORIZON_DAYS)
    return in_shown_currency(con, _day(con, as_of, scores).rows(con, "renewals", filters,
                                                                 horizon_days=horizon_days))


RENEWAL_MONEY = ("due_arr", "renewed_arr")


def in_shown_currency(con, rows: pl.DataFrame) -> pl.DataFrame:
    """Renewal rows with due and renewed ARR in the currency money is shown in, at the renewal day's month's
    rates: both are defined at that month (renewal_events.sql), so a renewal compares like with like."""
    return money.converter(con).frame(rows, RENEWAL_MONEY, "renewal_date")


def history_rollup(con, days: list[dt.date], filters: Filters = ALL, scores: Scores | None = None) -> pl.DataFrame:
    """The trailing-year renewal sums of ``days`` for the filtered accounts."""
    return rows_of_days(con, (scores or Scores()).days(con, days), "rollup", filters)


def forecast_for(con, as_of: dt.date, horizon_days: int | None = None, filters: Filters = ALL,
                 scores: Scores | None = None) -> forecast.Forecast:
    """The forecast of renewals due in [as_of, as_of + horizon): the one due set every page and command uses."""
    scores = scores or Scores()  # one holder: a day that is not stored is scored once for the three reads
    horizon_days = horizon_days or settings.get("forecast_horizon_days")
    rows = renewal_rows(con, as_of, horizon_days, filters, scores)
    summary = forecast.summary_from_rows(rows, history_rollup(con, [as_of], filters, scores), as_of, horizon_days)
    return forecast.Forecast(summary | forecast_method.method_json(method_for(con, as_of, scores)), rows)


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
                    filters: Filters, scores: Scores) -> pl.DataFrame:
    """The forecast rows that price the quarter's open renewals: the as-of day's for those still ahead, the
    month start's before each one still in its grace period."""
    frames = []
    if quarter.end > as_of:
        frames.append(renewal_rows(con, as_of, (quarter.end - as_of).days, filters, scores))
    past = outcomes.filter((pl.col("outcome") == "open") & (pl.col("renewal_date") < as_of))
    for day in sorted({dates.month_floor(day) for day in past["renewal_date"].to_list()}):
        frames.append(renewal_rows(con, day, 62, filters, scores))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(
        schema={"account_id": pl.String, "renewal_date": pl.Date, "probability": pl.Float64,
                "source": pl.String, "category": pl.String})


def quarter_forecast_for(con, quarter: quarters.Quarter, as_of: dt.date, filters: Filters = ALL,
                         scores: Scores | None = None) -> quarter_forecast.QuarterForecast:
    """The fiscal quarter's renewals as of ``as_of``: renewed, churned and open, the open ones priced by the
    forecast, the projected GRR and NRR and the plan (metrics.md "Quarter forecast")."""
    scores = scores or Scores()
    outcomes = money.converter(con).frame(
        renewals.renewal_outcomes(con, quarter.start, quarter.end, as_of, filters=filters),
        quarter_forecast.ROW_MONEY, "renewal_date")
    contraction, expansion, trailing = forecast.rollup_ratios(history_rollup(con, [as_of], filters, scores))
    priced = _quarter_prices(con, outcomes, as_of, quarter, filters, scores)
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


def method_for(con, as_of: dt.date, scores: Scores | None = None) -> dict | None:
    """The forecast method chosen for ``as_of`` and the errors that chose it (forecast_methods)."""
    return _day(con, as_of, scores).method(con)


def forecast_backtest(con, horizon_days: int | None = None, filters: Filters = ALL,
                      scores: Scores | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
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
    scored = (scores or Scores()).days(con, days)  # one read for every stored day, live for the rest
    rows = in_shown_currency(con, rows_of_days(con, scored, "renewals", filters,
                                               horizon_days=min(horizon_days, scoring.MAX_HORIZON_DAYS)))
    actual = shown.frame(forecast.actual_outcomes(con, min(days), max(days) + dt.timedelta(days=horizon_days),
                                                  filters), ("actual_gross",), "renewal_date")
    rollups = rows_of_days(con, scored, "rollup", filters)
    return forecast.backtest_from_rows(rows, rollups, actual, days, horizon_days)


def risk_backtest(con) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored churn-risk backtest by month and the churn rate by health band (empty when not stored)."""
    if "risk_backtest" not in db.table_names(con):
        return pl.DataFrame(), pl.DataFrame()
    return sql.run(con, "stored/risk_backtest"), sql.run(con, "stored/risk_band_rates")
