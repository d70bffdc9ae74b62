"""The scoring stage: the one place where point-in-time models run (shared/spec/architecture.md).

After the marts, for the data's as-of day and every month start of the history, it scores every account
(health components and score, churn probability and its drivers) and every renewal due within a year
(CRM call, model probability, final probability), keeps the trailing-year renewal history the forecast's
ratios come from, the forecast summary for the standard horizons, and both 12-month backtests. Everything
lands in tables stamped with a fingerprint of the settings it was made with; pages, packs and the command
line read them (``renewal_radar.book``) and compute live only a day that is not stored.

A day is scored by :func:`score_day`, which the live path calls too, so a stored row and a live one are
the same computation.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from renewal_radar import (
    cohorts,
    dates,
    db,
    drivers,
    expansion,
    forecast,
    forecast_method,
    health,
    metrics,
    reasons,
    renewals,
    retention_projection,
    risk,
    settings,
    sql,
)
from renewal_radar.filters import ALL
from renewal_radar.metrics import data_as_of

STANDARD_HORIZONS = (30, 60, 90, 120, 365)
MAX_HORIZON_DAYS = 365
# A run scores its days one way on a small book and another on a large one (``LARGE_BOOK_ACCOUNTS``), measured
# here (2 cores). Days are independent, and two threads pay only on a large book: at 50,000 accounts 55 against
# 52 s (two save 5 %, for 6 % more CPU); at 2,000 accounts 6.2 against 6.5–7.3 s and at 400 accounts 4.8 against
# 5.4–5.8 s, with 15–20 % more CPU (each day's steps are small; the threads' hand-offs of the GIL outweigh the
# overlap). A small book reads every past day's renewal outcomes in one query (0.43 against 0.09 s for 35 days at
# 400 accounts: the plans cost more than the rows); at 50,000 that query is slower (7.3 against 5.9 s) and holds
# every day's rows at once, so a large book reads them day by day.
SCORING_THREADS = 2
LARGE_BOOK_ACCOUNTS = 20_000
BACKTEST_MONTHS = 12
FORECAST_SETTINGS = ("grace_days", "forecast_horizon_days", "p_closed_won", "p_commit", "p_best_case",
                     "p_pipeline", "p_omitted", "health_trend_points", "annual_discount_rate")
SCORE_TABLES = ("score_runs", "account_scores", "renewal_scores", "renewal_history_rollup", "forecast_methods",
                "forecast_summaries",
                "forecast_backtest", "forecast_calibration", "risk_backtest", "risk_band_rates", "book_movements",
                "book_retention_trend", "book_first_churn", "book_cohorts_month", "renewal_reasons",
                "churn_drivers", "retention_fits", "retention_curves", "account_residual_value", "expansion_signals")

# the tables with a row per scored day and account (or renewal): millions of rows, most of them kept by a refresh
PER_DAY_TABLES = ("account_scores", "renewal_scores", "renewal_history_rollup")

Progress = Callable[[float, str], None]


def _noop(fraction: float, text: str) -> None:
    return None


def settings_fingerprint() -> str:
    """A short hash of health.toml, reasons.toml and the forecast settings: stored scores carry it, pages compare it."""
    digest = hashlib.sha256(health.SETTINGS_PATH.read_bytes())
    digest.update(reasons.TAXONOMY_PATH.read_bytes())
    digest.update(json.dumps({name: settings.get(name) for name in FORECAST_SETTINGS}, sort_keys=True).encode())
    digest.update(json.dumps({"model": forecast.MODEL_VERSION, "risk": risk.MODEL_VERSION}).encode())
    return digest.hexdigest()[:12]


def score_days(con) -> list[dt.date]:
    """Every month start after the first month with MRR up to the as-of day, and the as-of day itself."""
    as_of = data_as_of(con)
    first = sql.run(con, "reports/mrr_months")["first_month"][0]
    if first is None:
        return [as_of]
    days = [dates.add_months(first, step) for step in range(1, dates.months_between(first, as_of) + 1)]
    days = [day for day in days if day <= as_of]
    return days + ([as_of] if as_of not in days else [])


# ---------------------------------------------------------------- what every day's scoring reads once


@dataclass(frozen=True)
class Context:
    """Inputs shared by the days of one scoring run, read once."""

    sources: dict
    features: pl.DataFrame          # account_features of every scored day (and month start) with signals
    training: pl.DataFrame          # month-start rows with their 90-day outcome (churned_90d)


def load_context(con, days: list[dt.date]) -> Context:
    """Read the point-in-time signals of ``days`` and every month start, the churn labels and the directory."""
    sources = health.source_rows(con)
    monthly = sql.run(con, "reports/account_features_history", start=dt.date(1900, 1, 1), end=dt.date(9999, 1, 1))
    extra = [day for day in days if day not in set(monthly["as_of"].unique().to_list())]
    # the day before each day: an account whose renewal falls on the day itself was last active then
    extra += [day - dt.timedelta(days=1) for day in days]
    frames = [monthly]
    if extra:
        frames.append(sql.run(con, "reports/account_features_days", days=sorted(set(extra))))
    features = health.signals(pl.concat(frames, how="vertical_relaxed").unique(["as_of", "account_id"],
                                                                                 keep="first"), sources)
    labels = sql.run(con, "reports/risk_labels", start=dt.date(1900, 1, 1), end=dt.date(9999, 1, 1))
    return Context(sources, features, features.join(labels, on=["as_of", "account_id"]))


# ---------------------------------------------------------------- one day


@dataclass(frozen=True)
class DayScores:
    """What one day's scoring produces."""

    accounts: pl.DataFrame
    renewals: pl.DataFrame          # as the renewal model priced them, before the method is applied
    history_rollup: pl.DataFrame
    decided: pl.DataFrame           # outcomes known on the day of the renewals the method choice judges
    method: dict | None = None      # the day's forecast_methods row, once chosen


# what a method choice judges window renewals on (metrics.md "Renewals in a window")
DECIDED_COLUMNS = ("account_id", "bill_period_months", "renewal_date", "due_arr", "renewed_arr", "renewed_arr_gross",
                   "outcome")


@dataclass(frozen=True)
class DaysRead:
    """What a run reads once for all the days it scores (each frame's ``as_of`` names the day): one query each
    instead of one a day. Not part of ``Context``: a live health read needs none of them."""

    renewing_whole: pl.DataFrame    # the accounts renewing whole in 90 days
    opportunities: pl.DataFrame     # the CRM renewal opportunities as known on the day
    outcomes: dict                  # day -> its renewal outcomes (_day_outcomes); a day not in it reads its own


def read_days(con, days: list[dt.date], outcomes: bool = False) -> DaysRead:
    """The accounts renewing whole and the CRM opportunities of ``days``; with ``outcomes``, the renewal
    outcomes of those before the data's as-of day too (the as-of day reads the import's stored events)."""
    as_of = data_as_of(con) if outcomes else None
    windows = {day: _outcomes_window(day) for day in days if as_of is not None and day < as_of}
    return DaysRead(_renewing_whole(con, days), forecast.crm_opportunities(con, days),
                    renewals.renewal_outcomes_of_days(con, windows) if windows else {})


def score_day(con, day: dt.date, context: Context, read: DaysRead) -> DayScores:
    """Health and churn risk of the accounts active on ``day``, and the year of renewals due from it (``read``
    holds ``day`` and maybe other days: each use picks the day's rows)."""
    accounts = risk.score_accounts(day, context.features, context.training, context.sources)
    known, history, due = _day_outcomes(con, day, read.outcomes.get(day))
    scored_due = forecast.score_renewals(con, day, due, history, accounts, context.features, read.opportunities)
    # one estimate per account renewing whole in 90 days: the churn model prices its renewal where no CRM call
    # or booking does (its risk then reads 1 − that price: told_once)
    scored_due = risk.priced_by_churn_model(scored_due, accounts.with_columns(pl.lit(day).alias("as_of")),
                                            read.renewing_whole)
    return DayScores(accounts.with_columns(pl.lit(day).alias("as_of")), scored_due, _rollup(history, day),
                     known.select(DECIDED_COLUMNS))


def _outcomes_window(day: dt.date) -> tuple[dt.date, dt.date]:
    """The renewal days a day's scoring reads: the trailing year, or further back as the method choice needs,
    up to a year ahead."""
    start = min(dates.add_months(day, -12),
                forecast_method.outcomes_window_start(day, settings.get("forecast_horizon_days")))
    return start, day + dt.timedelta(days=MAX_HORIZON_DAYS)


def _day_outcomes(con, day: dt.date, outcomes: pl.DataFrame | None = None
                  ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One read of the renewals as known on the day (``outcomes`` when already read), split at it: the decided
    past (every renewal the method choice judges), the trailing year of it, and the year due from the day."""
    if outcomes is None:
        outcomes = renewals.renewal_outcomes(con, *_outcomes_window(day), day)
    year_ago = dates.add_months(day, -12)
    known = outcomes.filter(pl.col("renewal_date") < day)
    return known, known.filter(pl.col("renewal_date") >= year_ago), outcomes.filter(pl.col("renewal_date") >= day)


def _rollup(history: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return forecast.history_rollup(history).with_columns(pl.lit(day).alias("as_of"))


# ---------------------------------------------------------------- the parts of a day that is not stored, live


def live_health(con, day: dt.date) -> pl.DataFrame:
    """The health score of each account active on a day that is not stored (no model runs for it)."""
    context = load_context(con, [day])
    return health.score(context.features.filter(pl.col("as_of") == day)).select("account_id", "health_score")


def live_rollup(con, day: dt.date) -> pl.DataFrame:
    """The trailing-year renewal sums of a day that is not stored (no model runs for them)."""
    _, history, _ = _day_outcomes(con, day)
    return _rollup(history, day)


def apply_methods(con, renewal_rows: pl.DataFrame, rollups: pl.DataFrame, decided_by_day: dict,
                  days: list[dt.date], known: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Choose each day's forecast method on the days before it (forecast_method) and move its model rows
    there. Returns the adjusted renewal rows of ``days`` and the choices."""
    horizon = settings.get("forecast_horizon_days")
    segments = sql.run(con, "lookups/account_directory", **ALL.params()).select("account_id", "segment")
    raw = forecast_method.as_scored(renewal_rows).join(segments, on="account_id", how="left")
    rows_by_day = forecast_method.by_day(raw)
    choices, adjusted = forecast_method.choose_all(days, rows_by_day, forecast_method.by_day(rollups),
                                                   decided_by_day, horizon, known)
    moved = [adjusted.get(day, rows_by_day.get(day)) for day in sorted(days) if day not in (known or {})]
    frames = [frame.drop("segment") for frame in moved if frame is not None and frame.height]
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else renewal_rows.head(0)
    return rows, forecast_method.choices_frame(choices)


def score_live_day(con, day: dt.date) -> DayScores:
    """A day that is not stored, scored as the stage scores it: the same day's scores, with the forecast method
    chosen on the stored days before it (none stored, or stored with other settings: the naive rate)."""
    read = read_days(con, [day])
    scores = score_day(con, day, load_context(con, [day]), read)
    tables = set(db.table_names(con))
    known, rows, rollups = {}, scores.renewals.head(0), scores.history_rollup.head(0)
    if {"score_runs", "forecast_methods"} <= tables and \
            db.read_table(con, "score_runs")["fingerprint"].to_list() == [settings_fingerprint()]:
        earliest = dates.add_months(forecast_method.outcomes_window_start(day, settings.get("forecast_horizon_days")),
                                    -1)
        methods = db.read_table(con, "forecast_methods").filter(pl.col("as_of") < day)
        known = forecast_method.stored_choices(methods)
        rows = sql.run(con, "stored/renewal_rows_between", start=earliest, end=day)
        rollups = db.read_table(con, "renewal_history_rollup").filter(
            (pl.col("as_of") >= earliest) & (pl.col("as_of") < day))
        known = {d: c for d, c in known.items() if d >= earliest}
    moved, methods = apply_methods(con, pl.concat([rows, scores.renewals], how="diagonal_relaxed"),
                                   pl.concat([rollups, scores.history_rollup], how="diagonal_relaxed"),
                                   {day: scores.decided}, [*sorted(known), day], known)
    day_rows = moved.filter(pl.col("as_of") == day)
    # told once, as the stage tells its days (told_once), from the accounts renewing whole read above
    accounts = risk.with_renewal_story(scores.accounts, day_rows, read.renewing_whole)
    return DayScores(accounts, moved, scores.history_rollup, scores.decided,
                     methods.filter(pl.col("as_of") == day).row(0, named=True))


def told_once(con, accounts: pl.DataFrame, renewal_rows: pl.DataFrame, days: list[dt.date]) -> pl.DataFrame:
    """The days' account scores with the churn risk of an account renewing whole in 90 days read from its
    renewal's chance (metrics.md "One story per account"; risk.with_renewal_story)."""
    return risk.with_renewal_story(accounts, renewal_rows, _renewing_whole(con, days))


def _renewing_whole(con, days: list[dt.date]) -> pl.DataFrame:
    return sql.run(con, "reports/accounts_renewing_whole", days=days, window_days=risk.HORIZON_DAYS)


# ---------------------------------------------------------------- the whole stage


@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did."""

    days: int
    accounts: int
    renewals: int
    fingerprint: str
    seconds: float


def _kept_scores(con, days: list[dt.date], keep_until: dt.date | None) -> tuple[list[dt.date], list, list, list,
                                                                                 dict]:
    """The stored days a daily refresh may keep: made with today's settings and not after ``keep_until`` (the
    first day whose data changed; a day's scores read only data dated before it). Returns the days still to
    score, the kept account, renewal and roll-up rows and the kept days' forecast methods."""
    if keep_until is None or not {"score_runs", "forecast_methods"} <= set(db.table_names(con)):
        return days, [], [], [], {}
    runs = db.read_table(con, "score_runs")
    if runs.is_empty() or runs["fingerprint"][0] != settings_fingerprint():
        return days, [], [], [], {}
    kept_rows = {name: db.read_table(con, name).filter(pl.col("as_of") <= keep_until)
                 for name in ("account_scores", "renewal_scores", "renewal_history_rollup")}
    kept = set(kept_rows["account_scores"]["as_of"].unique().to_list())
    keep = [day for day in days if day in kept]
    frames = [[frame.filter(pl.col("as_of").is_in(keep))] for frame in kept_rows.values()]
    choices = forecast_method.stored_choices(db.read_table(con, "forecast_methods").filter(pl.col("as_of").is_in(keep)))
    return [day for day in days if day not in set(keep)], *frames, choices


def _large_book(context: Context) -> bool:
    """Whether the book has ``LARGE_BOOK_ACCOUNTS`` or more accounts (see there)."""
    return context.features["account_id"].n_unique() >= LARGE_BOOK_ACCOUNTS


def run(con, progress: Progress = _noop, keep_until: dt.date | None = None) -> ScoreSummary:
    """Score every day and write the score tables into ``con`` (a writable connection), replacing old ones.

    A daily refresh passes ``keep_until``: stored days up to it are kept, later ones scored again.
    """
    started = time.perf_counter()
    progress(0.0, "scoring: reading the features")
    all_days = score_days(con)
    days, account_parts, renewal_parts, rollup_parts, kept_choices = _kept_scores(con, all_days, keep_until)
    context = load_context(con, days)
    large = _large_book(context)
    read = read_days(con, days, outcomes=not large)
    decided = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=SCORING_THREADS if large else 1) as pool:
        for index, scores in enumerate(pool.map(lambda day: score_day(con, day, context, read), days)):
            progress((index + 1) / len(days) * 0.85, f"scoring {days[index]:%Y-%m-%d}")
            account_parts.append(scores.accounts)
            renewal_parts.append(scores.renewals)
            rollup_parts.append(scores.history_rollup)
            decided[days[index]] = scores.decided
    account_scores = pl.concat(account_parts, how="diagonal_relaxed")
    rollups = pl.concat(rollup_parts, how="diagonal_relaxed")
    progress(0.87, "choosing the forecast method")
    priced = pl.concat(renewal_parts, how="diagonal_relaxed")
    moved, methods = apply_methods(con, priced, rollups, decided, all_days, kept_choices)
    kept_rows = priced.filter(pl.col("as_of").is_in(list(kept_choices)))
    renewal_scores = pl.concat([kept_rows, moved], how="diagonal_relaxed").sort("as_of", "renewal_date", "account_id")
    account_scores = told_once(con, account_scores, renewal_scores, all_days)
    progress(0.9, "backtesting")
    as_of = data_as_of(con)
    horizon = settings.get("forecast_horizon_days")
    backtest, calibration = forecast.backtest_from_scores(con, renewal_scores, rollups, as_of, horizon)
    risk_rows, band_rates = risk.backtest_from_scores(account_scores, context.training, as_of)
    summaries = forecast_summaries(renewal_scores, rollups, all_days)
    fingerprint = settings_fingerprint()
    run_row = pl.DataFrame({"fingerprint": [fingerprint], "made_at": [dt.datetime.now().replace(microsecond=0)],
                            "as_of": [as_of], "days": [len(all_days)], "horizon_days": [horizon],
                            "health_version": [health.load_settings().version]})
    tables = {"score_runs": run_row, "account_scores": account_scores, "renewal_scores": renewal_scores,
              "renewal_history_rollup": rollups, "forecast_methods": methods, "forecast_summaries": summaries,
              "forecast_backtest": backtest,
              "forecast_calibration": calibration, "risk_backtest": risk_rows, "risk_band_rates": band_rates,
              # figures that are not models but cost seconds on every view: computed once here too
              **metrics.book_figures(con, as_of), **cohorts.book_figures(con, as_of),
              # why customers leave (metrics.md): reasons, metric cohorts, the retention projection
              **reasons.book_figures(con), **drivers.book_figures(con, context.training, as_of),
              **retention_projection.book_figures(con, as_of), **expansion.book_figures(con, as_of, account_scores)}
    for name, frame in tables.items():
        if name in PER_DAY_TABLES:  # a refresh appends its new days to the rows it kept
            db.replace_days(con, name, frame, sorted(kept_choices))
        else:
            db.replace_table(con, name, frame)
    progress(1.0, "scored")
    return ScoreSummary(len(all_days), account_scores.height, renewal_scores.height, fingerprint,
                        time.perf_counter() - started)


def forecast_summaries(renewal_scores: pl.DataFrame, rollups: pl.DataFrame, days: list[dt.date]) -> pl.DataFrame:
    """The unfiltered forecast figures of every scored day and standard horizon. The window renewals of every day
    and horizon are grouped at once (each (day, horizon) its own window) and totalled per window: 175 small
    groupings a run become one."""
    horizons = [renewal_scores.filter(pl.col("renewal_date") < pl.col("as_of") + pl.duration(days=horizon))
                .with_columns(pl.lit(horizon).alias("horizon_days")) for horizon in STANDARD_HORIZONS]
    windows = pl.concat(horizons, how="vertical_relaxed").with_columns(
        (pl.col("as_of").cast(pl.Int64) * 1000 + pl.col("horizon_days")).alias("window"))
    totals = {(row["as_of"], row["horizon_days"]): row for row in renewals.window_renewals(windows, within="window")
              .group_by("as_of", "horizon_days").agg(forecast.window_totals()).iter_rows(named=True)}
    by_day = rollups.partition_by("as_of", as_dict=True)
    rows = []
    for day in days:
        contraction, expansion, gross = forecast.rollup_ratios(by_day.get((day,), rollups.head(0)))
        rows += [forecast.summary_from_totals(totals.get((day, horizon)), day, horizon, contraction, expansion)
                 | {"trailing_gross_renewal_rate": gross} for horizon in STANDARD_HORIZONS]
    return pl.DataFrame(rows, infer_schema_length=None)  # a small book: early rows may hold 0 where later hold 0.85
