"""Everything a page shows, computed in one call per page.

Pages call these through ``ui.compute`` (one cache entry per page and
parameters); the benchmarks call the same functions, so they time exactly
the work behind each page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import (
    book,
    datastatus,
    dates,
    db,
    forecast,
    health,
    metrics,
    money,
    quarter_forecast,
    quarters,
    risk,
    settings,
    sql,
)
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import percent, t

DUE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Overview:
    """The figures of the Overview page."""

    as_of: dt.date
    year_ago: dt.date
    currency: str
    window: dict
    arr_now: float
    arr_year_ago: float
    due: pl.DataFrame
    arr_growth: float | None
    trend: pl.DataFrame
    by_segment: pl.DataFrame
    movements: pl.DataFrame
    accounts: pl.DataFrame
    window_accounts: pl.DataFrame
    quarter: dict            # this fiscal quarter's figures: the Forecast page's quarter view, to the cent
    quarter_label: str


def overview(con, as_of: dt.date, filters: Filters = ALL) -> Overview:
    """ARR now and a year ago, trailing-12-month retention and its trend, renewals due, movements."""
    year_ago = dates.add_months(as_of, -12)
    shown = money.converter(con)
    accounts = shown.frame(metrics.accounts_on_day(con, as_of, filters), ("mrr", "arr"), as_of)
    arr_now = float(accounts["arr"].sum())
    arr_year_ago = shown.amount(12 * metrics.mrr_total(con, year_ago, filters), year_ago)
    return Overview(
        as_of=as_of,
        year_ago=year_ago,
        currency=shown.currency,
        # constant currency: both ends of the window at its first day's rates
        window=shown.record(metrics.window_metrics(con, year_ago, as_of, filters), WINDOW_MONEY, year_ago),
        arr_now=arr_now,
        arr_year_ago=arr_year_ago,
        # the forecast's due set as of the day (metrics.md: one due set everywhere)
        due=book.renewal_rows(con, as_of, DUE_WINDOW_DAYS, filters),
        arr_growth=arr_now / arr_year_ago - 1 if arr_year_ago else None,
        trend=metrics.trailing_retention_trend(con, as_of, 12, filters),
        by_segment=metrics.arr_by_attribute(accounts, "segment"),
        movements=shown.movements(metrics.monthly_movements(con, dates.add_months(as_of, -24),
                                                            dates.month_floor(as_of), filters)),
        accounts=accounts,
        window_accounts=shown.frame(metrics.window_accounts(con, year_ago, as_of, filters),
                                    ("mrr_start", "mrr_end", "change"), year_ago),
        quarter=book.quarter_forecast_for(con, quarters.quarter_of(as_of), as_of, filters).summary,
        quarter_label=quarters.quarter_of(as_of).label,
    )


WINDOW_MONEY = ("start_mrr", "churned_mrr", "contraction_mrr", "expansion_mrr")


def movement_accounts(con, month: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """The accounts behind one month's movements (Overview), money in the currency it is shown in."""
    # converted before the filter: an account without an fx change in one currency can have one in another
    accounts = metrics.month_accounts(con, month, filters)
    moved = metrics.moved_or_revalued(money.converter(con).movement_accounts(accounts))
    names = sql.run(con, "reports/account_directory", **filters.params()).select("account_id", "name")
    return moved.join(names, on="account_id", how="left")


def overview_json(data: Overview) -> dict:
    """The Overview's headline figures in the command line's form (cli.md ``overview``)."""
    return {"as_of": data.as_of.isoformat(), "arr": data.arr_now, "arr_year_ago": data.arr_year_ago,
            "grr": data.window["grr"], "nrr": data.window["nrr"], "logo_churn_rate": data.window["logo_churn_rate"],
            "due_90_arr": float(data.due["due_arr"].sum()), "n_due_90": data.due.height}


@dataclass(frozen=True)
class DataStatus:
    """The figures of the Data page."""

    meta: dict
    profile: pl.DataFrame
    missing: pl.DataFrame
    warnings: pl.DataFrame
    history: pl.DataFrame


def data_status(con) -> DataStatus:
    """Tables, freshness, warnings, missing files and import history."""
    profile = datastatus.table_profile(con)
    return DataStatus(
        meta=datastatus.import_meta(con),
        profile=profile,
        missing=profile.filter(~profile["loaded"]).select("table_name", "unlocks"),
        warnings=datastatus.import_warnings(con),
        history=datastatus.import_history(con),
    )


@dataclass(frozen=True)
class AtRisk:
    """The figures of the At-risk page."""

    as_of: dt.date
    currency: str
    accounts: pl.DataFrame
    missing_components: list[str]
    band_rates: pl.DataFrame
    stale: bool
    word_sources: dict  # what the drivers' words read (at_risk_words)


def trend_arrow(change: pl.Expr) -> pl.Expr:
    """↑ / ↓ when health moved at least the ``health_trend_points`` setting in a month, → otherwise."""
    points = settings.get("health_trend_points")
    return (pl.when(change >= points).then(pl.lit("↑")).when(change <= -points).then(pl.lit("↓"))
            .when(change.is_not_null()).then(pl.lit("→")).otherwise(pl.lit("")))


def disagreement_texts(flagged: pl.DataFrame) -> list[str]:
    """Why each account's health band and churn risk disagree (rows already flagged): the weakest components
    against the drivers, in the current language (templates and labels looked up once for the whole table)."""
    components = [(t(c.label), f"score_{c.name}") for c in health.load_settings().components
                  if f"score_{c.name}" in flagged.columns]
    green = t("Green health but {risk} churn risk: the model weighs {drivers} more than the score does (weakest "
              "components: {weakest}).")
    red = t("Red health ({weakest}) but only {risk} churn risk: the model learned these signals matter less here "
            "({strongest} hold it up).")
    size = t("size")
    texts = []
    for row in flagged.iter_rows(named=True):
        scored = sorted(((row[column], label) for label, column in components if row[column] is not None),
                        key=lambda pair: pair[0])
        weakest = ", ".join(f"{label} {score:.0f}" for score, label in scored[:2])
        chance = percent(row["churn_probability"], 0)
        if row["band"] == "green":
            texts.append(green.format(risk=chance, drivers=row.get("top_drivers") or size, weakest=weakest))
        else:
            strongest = ", ".join(f"{label} {score:.0f}" for score, label in sorted(scored, key=lambda p: -p[0])[:2])
            texts.append(red.format(risk=chance, weakest=weakest, strongest=strongest))
    return texts


def at_risk(con, as_of: dt.date, filters: Filters = ALL) -> AtRisk:
    """Accounts active on ``as_of`` with health, trend since a month earlier, churn risk, drivers (by name) and
    whether band and risk disagree; and the churn rate by band from the backtest. The words (``top_drivers``,
    ``disagreement``) are left to :func:`at_risk_words`, for the rows shown."""
    scored = book.account_scores(con, as_of, filters, with_drivers=False)
    previous = dates.add_months(dates.month_floor(as_of), -1)
    before = book.health_scores(con, previous, filters).rename({"health_score": "health_month_ago"})
    disagree = ((pl.col("band") == "green") & (pl.col("churn_probability") >= 0.3)) | (
        (pl.col("band") == "red") & (pl.col("churn_probability") < 0.1))
    scored = scored.join(before, on="account_id", how="left", maintain_order="left").with_columns(
        (pl.col("health_score") - pl.col("health_month_ago")).alias("health_change"),
        (pl.lit(as_of) + pl.duration(days=pl.col("days_to_renewal"))).alias("next_renewal"),
        disagree.fill_null(False).alias("disagrees"),
    ).with_columns(trend_arrow(pl.col("health_change")).alias("trend"))
    sources = health.source_rows(con)
    available = health.available_components(sources)
    missing = [t("{component} (needs {file})", component=t(c.label), file=health.SOURCE_FILES[health.SOURCES[c.name]])
               for c in health.load_settings().components if not available[c.name]]
    _, band_rates = book.risk_backtest(con)
    return AtRisk(as_of, money.shown_currency(con), scored, missing, band_rates, book.status(con).stale,
                  book.driver_sources(con))


def at_risk_words(rows: pl.DataFrame, sources: dict) -> pl.DataFrame:
    """``rows`` of :func:`at_risk` with their drivers and, where band and risk disagree, why, in words of the
    current language: worded for the rows asked for only (a page of the table, or a download when clicked)."""
    rows = rows.with_columns(pl.Series("top_drivers", risk.drivers_texts(rows, sources), dtype=pl.String))
    indexed = rows.with_row_index("_order")
    flagged = indexed.filter(pl.col("disagrees"))
    words = flagged.select("_order", pl.Series("disagreement", disagreement_texts(flagged), dtype=pl.String))
    return indexed.join(words, on="_order", how="left").sort("_order").drop("_order").with_columns(
        pl.col("disagreement").fill_null(""))


def risk_backtest(con) -> pl.DataFrame:
    """The churn-risk and health backtest over the past year (independent of the sidebar filters)."""
    return book.risk_backtest(con)[0]


def health_change(con, account_id: str, before: dt.date, after: dt.date) -> pl.DataFrame:
    """Why an account's health moved between two month starts: points per component."""
    history = health.health_history(con, min(before, after), max(before, after)).filter(
        pl.col("account_id") == account_id)
    rows = {row["as_of"]: row for row in history.iter_rows(named=True)}
    if before not in rows or after not in rows:
        return pl.DataFrame()
    return health.explain_change(rows[before], rows[after])


def month_starts(con, as_of: dt.date, months: int = 12) -> list[dt.date]:
    """The last ``months`` month starts up to ``as_of``, newest first (for history pickers)."""
    latest = dates.month_floor(as_of)
    return [dates.add_months(latest, -step) for step in range(months)]


def renewal_forecast(con, as_of: dt.date, horizon_days: int, filters: Filters = ALL) -> forecast.Forecast:
    """The forecast of renewals due in [as_of, as_of + horizon) (Forecast and Renewal calendar pages)."""
    return book.forecast_for(con, as_of, horizon_days, filters)


def forecast_backtest(con, horizon_days: int, filters: Filters = ALL) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """The forecast's track record over the past year, its calibration table and its headline accuracy."""
    backtest, calibration = book.forecast_backtest(con, horizon_days, filters)
    return backtest, calibration, forecast.accuracy(backtest)


@dataclass(frozen=True)
class QuarterView:
    """One fiscal quarter on the Forecast page: its figures, renewals, plan and the team roll-up."""

    label: str
    start: dt.date
    end: dt.date
    summary: dict
    renewals: pl.DataFrame
    targets: pl.DataFrame
    by_team: pl.DataFrame      # team → manager → CSM with totals (empty without team.csv)
    by_segment: pl.DataFrame   # segment totals with their plan
    has_team: bool


def quarter_view(con, label: str, as_of: dt.date, filters: Filters = ALL) -> QuarterView:
    """A fiscal quarter as of a day (``label`` like 2027-Q1), broken down by team and by segment."""
    quarter = quarters.parse(label)
    result = book.quarter_forecast_for(con, quarter, as_of, filters)
    targets = book.quarter_targets(con, quarter)
    rows = result.renewals
    has_team = rows["team"].is_not_null().any() if rows.height else False
    by_team = quarter_forecast.by_levels(rows, ["team", "manager", "csm_owner"], targets) if has_team \
        else quarter_forecast.by_levels(rows, ["csm_owner"])
    return QuarterView(quarter.label, quarter.start, quarter.end, result.summary, rows, targets, by_team,
                       quarter_forecast.by_levels(rows, ["segment"], targets), has_team)


@dataclass(frozen=True)
class CallAccuracy:
    """How accurate the CRM's calls were: whole book, by team, by CSM (None: no opportunity history loaded)."""

    book: pl.DataFrame
    by_team: pl.DataFrame
    by_csm: pl.DataFrame


def call_accuracy(con, horizon_days: int, filters: Filters = ALL) -> CallAccuracy | None:
    """The CSM-accuracy table of the Forecast page (call_accuracy); None without an opportunity history."""
    from renewal_radar import call_accuracy as calls_mod

    if not calls_mod.has_history(con):
        return None
    calls = calls_mod.judged_calls(con, horizon_days, filters)
    return CallAccuracy(calls_mod.accuracy(calls, []), calls_mod.accuracy(calls, ["team"]),
                        calls_mod.accuracy(calls, ["team", "csm_owner"]))


def team_members(con) -> pl.DataFrame:
    """team.csv as loaded (csm_owner, manager, team, email): a manager's people at sign-in."""
    return book.team_members(con)


def current_quarters(as_of: dt.date) -> tuple[str, str]:
    """This fiscal quarter's label and the next one's."""
    this = quarters.quarter_of(as_of)
    return this.label, this.next().label


def week_moved(con, label: str, as_of: dt.date) -> WhatMoved | None:
    """What moved in the quarter since the latest snapshot saved at least a week before ``as_of`` (None when
    there is none)."""
    from renewal_radar import digest, moved

    _, snapshot_id = digest.resolve_since(con, None, as_of)
    if snapshot_id is None:
        return None
    quarter = quarters.parse(label)
    result = moved.what_moved(con, snapshot_id, as_of, window=(quarter.start, quarter.end))
    return WhatMoved(result, moved.waterfall(result), _moved_changes(con, result))


def forecast_breakdown(due: pl.DataFrame, by: str) -> pl.DataFrame:
    """Renewals, ARR due and weighted forecast by a column of the forecast's renewals."""
    return due.with_columns(pl.col(by).cast(pl.String).fill_null("(no CRM call)")).group_by(by).agg(
        pl.len().alias("renewals"), pl.col("due_arr").sum(),
        (pl.col("probability") * pl.col("due_arr")).sum().alias("forecast_arr")).sort("due_arr", descending=True)


def disagreement_queue(due: pl.DataFrame, sources: dict | None = None) -> pl.DataFrame:
    """Renewals where the CRM call and the model disagree strongly, largest ARR at stake first (the forecast
    meeting's list): Commit or Closed Won with the model below 50 %, Omitted or Pipeline with it above 85 %."""
    called_high = pl.col("crm_category").is_in(["Commit", "Closed Won"]) & (pl.col("model_probability") < 0.5)
    called_low = pl.col("crm_category").is_in(["Omitted", "Pipeline"]) & (pl.col("model_probability") > 0.85)
    flagged = due.filter((called_high | called_low) & (pl.col("source") != "booked"))
    stake = (pl.col("due_arr") * (pl.col("crm_probability") - pl.col("model_probability")).abs()).alias("arr_at_stake")
    return flagged.with_columns(stake).sort("arr_at_stake", descending=True)


def calendar_rows(due: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The calendar's renewals with days left and whether the notice deadline passed unbooked."""
    return due.with_columns(
        (pl.col("renewal_date") - pl.lit(as_of)).dt.total_days().alias("days_left"),
        ((pl.col("decision_date") < pl.lit(as_of)) & (pl.col("source") != "booked")).fill_null(False)
        .alias("notice_overdue"),
        ((1 - pl.col("probability")) * pl.col("due_arr")).alias("expected_loss_arr"))


@dataclass(frozen=True)
class WhatMoved:
    """The What-moved panel: totals, the waterfall's bars and the renewals behind them, computed once."""

    result: dict
    steps: pl.DataFrame
    changes: pl.DataFrame


def what_moved(con, snapshot_id: int, as_of: dt.date) -> WhatMoved:
    """A snapshot's period then and now."""
    from renewal_radar import moved

    result = moved.what_moved(con, snapshot_id, as_of)
    return WhatMoved(result, moved.waterfall(result), _moved_changes(con, result))


def snapshot_list(con) -> pl.DataFrame:
    """Saved forecast snapshots, newest first."""
    from renewal_radar import snapshots

    return snapshots.list_snapshots(con)


def score_status(con) -> book.ScoreStatus:
    """Whether the stored scores match the settings."""
    return book.status(con)


def reporting_currency(con) -> str:
    """The currency money is shown in: the one picked in the sidebar, else the import's reporting currency."""
    return money.shown_currency(con)


def account_view(con, account_id: str, as_of: dt.date):
    """One account in full (the Account page)."""
    from renewal_radar import account

    return account.view(con, account_id, as_of)


def account_owner(con, account_id: str) -> tuple[bool, str | None]:
    """Whether the account exists, and its CSM owner (the access check of every one-account read)."""
    found = sql.run(con, "reports/account_owner", account_id=account_id)
    return (True, found["csm_owner"][0]) if found.height else (False, None)


def account_choices(con, filters: Filters = ALL) -> pl.DataFrame:
    """Accounts for the Account page's picker."""
    from renewal_radar import account

    return account.search(con, filters)


def review_pack_files(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[bytes, bytes]:
    """The business-review pack of one account and period, as PDF and PPTX bytes."""
    from renewal_radar import review_pack

    pack = review_pack.build(con, account_id, start, end, as_of, money.shown_currency(con))
    return review_pack.to_pdf(pack), review_pack.to_pptx(pack)


@dataclass(frozen=True)
class Expansion:
    """The figures of the Expansion page."""

    currency: str
    signals: pl.DataFrame
    ranked: pl.DataFrame
    whitespace: pl.DataFrame


def expansion_page(con, as_of: dt.date, filters: Filters = ALL) -> Expansion:
    """Expansion signals across accounts, ranked by potential ARR, and the accounts × products whitespace."""
    from renewal_radar import expansion

    products = expansion.products_on(con, as_of, filters)
    stored_day = as_of in book.usable_days(con) and "expansion_signals" in db.table_names(con)
    # the whole book on a scored day: the stored signals; a filtered view: computed, from the stored usage signals
    stored = sql.run(con, "reports/stored_expansion_signals") if stored_day and filters == ALL else None
    usage = sql.run(con, "reports/stored_usage_signals", as_of=as_of) if stored_day and stored is None else None
    found = expansion.signals(con, as_of, filters, products, usage, stored)
    directory = sql.run(con, "reports/account_directory", **filters.params()).select(
        "account_id", "name", "segment", "csm_owner")
    return Expansion(money.shown_currency(con), found, expansion.ranked(found, directory),
                     expansion.whitespace(products))


@dataclass(frozen=True)
class CohortsPage:
    """The default figures of the Cohorts and survival page."""

    currency: str
    triangle: pl.DataFrame
    labels: list[str]
    survival: pl.DataFrame
    numbers_at_risk: pl.DataFrame
    movements: pl.DataFrame


SURVIVAL_DAYS = (0, 90, 180, 365, 540, 730, 1095)


def cohorts_page(con, as_of: dt.date, grain: str = "month", by: str | None = None,
                 filters: Filters = ALL) -> CohortsPage:
    """Cohort triangle, survival curves with numbers at risk, and movements (Cohorts page; bench times it)."""
    from renewal_radar import cohorts

    triangle = cohorts.cohorts(con, as_of, grain, filters)
    labels = [cohorts.cohort_label(c, grain) for c in triangle.filter(pl.col("k") == 0).sort("cohort")["cohort"]]
    lives = cohorts.account_lifetimes(con, as_of, filters)  # read once for the curves and the numbers at risk
    shown = money.converter(con)
    # constant currency: every snapshot of a cohort at the rates of the cohort's first month
    triangle = shown.frame(triangle, COHORT_MONEY, "cohort")
    return CohortsPage(shown.currency, triangle, labels, cohorts.survival_curves(lives, as_of, by),
                       cohorts.numbers_at_risk_of(lives, as_of, by, SURVIVAL_DAYS),
                       shown.movements(metrics.monthly_movements(con, None, None, filters)))


COHORT_MONEY = ("base_mrr", "mrr", "gross_mrr", "mrr_k")


def cohort_accounts(con, as_of: dt.date, grain: str, cohort: dt.date, k: int, filters: Filters = ALL) -> pl.DataFrame:
    """The members of one cohort cell (Cohorts page), money at the cohort's first month's rates in the currency
    it is shown in."""
    from renewal_radar import cohorts

    found = cohorts.cohort_accounts(con, as_of, grain, cohort, k, filters)
    return money.converter(con).frame(found, COHORT_MONEY, cohort)


def account_drivers(con, as_of: dt.date, filters: Filters = ALL) -> pl.DataFrame:
    """Each account's churn-risk drivers in words (the disagreement queue shows them)."""
    return book.account_scores(con, as_of, filters).select("account_id", "top_drivers")


def _moved_changes(con, result: dict) -> pl.DataFrame:
    """The renewals behind each what-moved bar, with names."""
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
    names = sql.run(con, "reports/account_directory", **ALL.params()).select("account_id", "name")
    columns = [c for c in schema if c != "account_id"]
    return frame.join(names, on="account_id", how="left").select("account_id", "name", *columns).sort(
        pl.col("forecast_arr_delta").abs(), descending=True)


def digest_view(con, filters: Filters, since: dt.date, snapshot_id: int | None, as_of: dt.date):
    """The digest of the filtered book (the Digest page): what changed between ``since`` and ``as_of``."""
    from renewal_radar import digest

    return digest.build(con, filters, since, snapshot_id, as_of)


def digest_since(con, as_of: dt.date) -> tuple[dt.date, int | None]:
    """The Digest page's default: a week before the as-of day, with the latest snapshot as of then."""
    return digest_since_day(con, as_of - dt.timedelta(days=7), as_of)


def digest_since_day(con, day: dt.date, as_of: dt.date) -> tuple[dt.date, int | None]:
    """A since day and the latest snapshot saved as of it (None when there is none)."""
    from renewal_radar import digest

    return digest.resolve_since(con, day, as_of)


def snapshot_days(con) -> pl.DataFrame:
    """Saved snapshots' ids, names and as-of days only (no totals), newest first: for pickers."""
    return snapshot_list(con).select("id", "name", "as_of", "saved_at")
