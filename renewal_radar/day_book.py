"""A day's scores, the one place where stored and live meet: a :class:`Day` holds a day's parts (the accounts,
one account, health, the renewals, the rollup, the forecast method), read from the scoring stage's tables on a
stored day or scored live, only for the part asked for, on any other; :class:`Scores` keeps the days a caller has
scored (the readers hold one per process)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from renewal_radar import db, scoring, sql
from renewal_radar.filters import ALL, Filters


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

    @property
    def fresh(self) -> bool:
        """True when scores are stored and were made with today's settings: what the stage stored beside them
        (the backtest, the judged calls, the committed lines) answers for today's settings too."""
        return bool(self.stored_days) and not self.stale


def status(con, current: str | None = None) -> ScoreStatus:
    """The stored scores' days and settings fingerprint (no scores: nothing stored); ``current``: the settings'
    fingerprint, when the caller has it already."""
    current = current or scoring.settings_fingerprint()
    if "score_runs" not in db.table_names(con):
        return ScoreStatus(frozenset(), None, current, None)
    row = sql.run(con, "lookups/score_status").row(0, named=True)
    return ScoreStatus(frozenset(row["stored_days"] or ()), row["fingerprint"], current, row["made_at"])


def usable_days(con, fingerprint: str | None = None) -> frozenset:
    """The stored days a reader may use: none when the scores were made with other settings."""
    found = status(con, fingerprint)
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
    is scored live, only for the parts asked for (health alone; the trailing-year rollup; the whole day with
    the renewal model when the accounts' churn risk, renewals or the forecast method are asked for: an account
    renewing whole reads its renewal's chance), each once per :class:`Day`. This is the one place where stored
    and live meet."""

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
        """Health and churn risk of the day's active accounts, scored live with the whole day: the churn risk of
        an account renewing whole in 90 days is its renewal's (metrics.md "One story per account")."""
        return self.scored(con).accounts

    def health(self, con) -> pl.DataFrame:
        """The day's health scores, live: from the whole day if it is scored, else the health alone (no model)."""
        if "day" in self._live:
            return self.scored(con).accounts.select("account_id", "health_score")
        return self._once("health", lambda: scoring.live_health(con, self.day))

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

    def __init__(self, max_days: int = 16):  # a year of backtest days and a few more
        self.max_days = max_days
        self._days: OrderedDict[tuple, Day] = OrderedDict()
        self._lock = threading.Lock()  # the readers' holder is shared by every session's script thread

    def day(self, con, day: dt.date, usable: frozenset | None = None, identity: tuple | None = None) -> Day:
        """The day's scores (``usable`` and ``identity``: the usable stored days and the database's identity,
        when the caller has read them already)."""
        fingerprint = None if usable is not None and identity is not None else scoring.settings_fingerprint()
        usable = usable_days(con, fingerprint) if usable is None else usable
        key = (*(identity or _identity(con, fingerprint)), day)
        with self._lock:
            if key not in self._days:
                self._days[key] = Day(day, day in usable)
                while len(self._days) > self.max_days:
                    self._days.popitem(last=False)
            self._days.move_to_end(key)
            return self._days[key]

    def days(self, con, days: list[dt.date]) -> list[Day]:
        """Several days' scores, the usable days read once."""
        return self.reading(con).days(con, days)

    def reading(self, con) -> Reading:
        """One call's view of the holder: the stored scores' status and the database's identity read once for
        every day and part the call asks for (a reader takes one per call: readers.common.scores_of)."""
        return Reading(self, con)


class Reading:
    """One reader call's view of a :class:`Scores` holder. The settings' fingerprint, the stored scores' status
    and the database's identity are read once, when it is made, whichever days and parts the call then asks
    for; a part's rows asked twice in the call are read once (the renewals of a day read for the widest horizon
    asked serve every narrower one: both readers and the live path cut at ``renewal_date < day + horizon``)."""

    def __init__(self, holder: Scores, con):
        fingerprint = scoring.settings_fingerprint()  # two TOML files and a hash
        self.holder = holder
        self.status = status(con, fingerprint)
        self.usable = frozenset() if self.status.stale else self.status.stored_days
        self.identity = _identity(con, fingerprint)
        self._rows: dict[tuple, tuple[int | None, pl.DataFrame]] = {}

    def reading(self, con) -> Reading:
        """Itself: a function handed a reading keeps the caller's."""
        return self

    def day(self, con, day: dt.date) -> Day:
        """The day's scores from the holder."""
        return self.holder.day(con, day, self.usable, self.identity)

    def days(self, con, days: list[dt.date]) -> list[Day]:
        """Several days' scores from the holder."""
        return [self.day(con, day) for day in days]

    def rows(self, con, day: dt.date, part: str, filters: Filters = ALL, **params) -> pl.DataFrame:
        """A day's part (:meth:`Day.rows`), read once in this call for the same filters and parameters."""
        horizon = params.pop("horizon_days", None)
        key = (day, part, filters, tuple(sorted(params.items())))
        kept = self._rows.get(key)
        if kept is not None and (horizon is None or (kept[0] is not None and kept[0] >= horizon)):
            rows = kept[1]
            return rows if horizon is None or kept[0] == horizon else rows.filter(
                pl.col("renewal_date") < day + dt.timedelta(days=horizon))
        extra = {} if horizon is None else {"horizon_days": horizon}
        rows = self.day(con, day).rows(con, part, filters, **params, **extra)
        self._rows[key] = (horizon, rows)
        return rows


def _identity(con, fingerprint: str | None = None) -> tuple:
    """What a day's scores depend on besides the day: the imported file, the import's time and the settings."""
    meta = sql.run(con, "lookups/data_as_of").row(0, named=True)
    return str(meta.get("source")), meta.get("imported_at"), fingerprint or scoring.settings_fingerprint()


def reading_of(con, scores: Scores | Reading | None) -> Reading:
    """The caller's reading (kept), a reading of the caller's holder, or of a holder of this call alone."""
    return (scores or Scores()).reading(con)


def day_of(con, day: dt.date, scores: Scores | Reading | None) -> Day:
    """The day's scores from the caller's holder, or from a holder of this call alone."""
    return reading_of(con, scores).day(con, day)


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
    return day.health(con).join(_directory(con, filters).select("account_id"), on="account_id")


def _live_renewals(con, day: Day, horizon_days: int, filters: Filters = ALL) -> pl.DataFrame:
    rows = day.scored(con).renewals.filter(pl.col("renewal_date") < day.day + dt.timedelta(days=horizon_days))
    directory = _directory(con, filters).select("account_id", "name", "segment", "region", "csm_owner", "am_owner")
    return rows.join(directory, on="account_id").sort("renewal_date", "account_id")


def _live_account_renewals(con, day: Day, horizon_days: int, account_id: str, filters: Filters = ALL) -> pl.DataFrame:
    return _live_renewals(con, day, horizon_days, filters).filter(pl.col("account_id") == account_id)


def _live_bands(con, day: Day, filters: Filters = ALL) -> pl.DataFrame:
    return _live_accounts(con, day, filters).select("account_id", "band").sort("account_id")


def _live_renewal_probabilities(con, day: Day, horizon_days: int, filters: Filters = ALL) -> pl.DataFrame:
    return _live_renewals(con, day, horizon_days, filters).select("account_id", "renewal_date", "probability")


def _live_renewal_prices(con, day: Day, horizon_days: int, filters: Filters = ALL) -> pl.DataFrame:
    return _live_renewals(con, day, horizon_days, filters).select("account_id", "renewal_date", "probability",
                                                                   "source", "category")


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
    "account_renewals": Part("stored/account_renewal_scores", _live_account_renewals),
    # two columns of the accounts and three of the renewals, for a page that reads only those (Expansion)
    "bands": Part("stored/account_bands", _live_bands),
    "renewal_probabilities": Part("stored/renewal_probabilities", _live_renewal_probabilities),
    "renewal_prices": Part("stored/renewal_prices", _live_renewal_prices),
    "rollup": Part("stored/history_rollup", _live_rollup),
}
