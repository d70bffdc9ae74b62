"""The weekly digest: what changed in a book since a snapshot or a day, as alerts grouped by kind.

Rules live in ``alerts.toml`` (versioned like ``health.toml``). Each rule is a function of frames (renewals,
scores on the two days, expansion signals, forecast rows) so it can be tested on hand-built rows; :func:`build`
reads those frames from the stored figures of the book (the same readers the pages use) for one owner's book or
the whole book. Words are in the current language (:mod:`renewal_radar.i18n`); output formats are JSON (the CLI's
contract), Markdown and email-ready HTML with every data value escaped.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import polars as pl

from renewal_radar import book, expansion, figures, metrics, quarters, snapshots
from renewal_radar.filters import Filters
from renewal_radar.forecast import RENEWAL_MONEY
from renewal_radar.i18n import date as format_date
from renewal_radar.i18n import in_days, money, percent, t, tn
from renewal_radar.money import Money
from renewal_radar.renewals import window_renewals

RULES_PATH = Path(__file__).with_name("alerts.toml")
KINDS = ("renewal_notice", "decision_overdue", "health_drop", "risk_up", "ticket_on_renewal", "expansion",
         "forecast_moved")
CRM_CALLS = ("Commit", "Best Case", "Closed", "Omitted")  # a forecast category that is a call, not the default
BAND_RANK = {"red": 0, "yellow": 1, "green": 2}
# arr: the ARR at stake (the renewal's due ARR, the account's ARR, the signal's potential, the forecast's move):
# a digest lists each kind's alerts largest first
ALERT_SCHEMA = {"kind": pl.String, "account_id": pl.String, "name": pl.String, "detail": pl.String,
                "key": pl.String, "arr": pl.Float64}


@dataclass(frozen=True)
class AlertRules:
    """The parsed ``alerts.toml``."""

    version: int
    enabled: frozenset[str]
    notice_days_ahead: int
    risk_threshold: float
    ticket_renewal_days: int
    forecast_threshold: float


def load_rules(path: Path = RULES_PATH) -> AlertRules:
    """Read the alert rules file."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    enabled = frozenset(kind for kind in KINDS if raw.get(kind, {}).get("enabled", True))
    return AlertRules(int(raw["version"]), enabled, int(raw["renewal_notice"]["days_ahead"]),
                      float(raw["risk_up"]["threshold"]), int(raw["ticket_on_renewal"]["renewal_within_days"]),
                      float(raw["forecast_moved"]["threshold"]))


def kind_title(kind: str) -> str:
    """A kind of alert in words."""
    return {"renewal_notice": t("Renewals entering their notice window"),
            "decision_overdue": t("Decision dates passed without a CRM call"),
            "health_drop": t("Health dropped"), "risk_up": t("Churn risk crossed the threshold"),
            "ticket_on_renewal": t("Urgent tickets before a renewal"), "expansion": t("New expansion signals"),
            "forecast_moved": t("Forecast moved")}[kind]


def _alerts(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ALERT_SCHEMA)


# ---------------------------------------------------------------- the rules (frames in, alerts out)


def renewal_notice(renewals: pl.DataFrame, since: dt.date, as_of: dt.date, days_ahead: int,
                   currency: str) -> pl.DataFrame:
    """Renewals whose decision date came within ``days_ahead`` days between ``since`` and ``as_of``:
    decision date in (since + days, as_of + days]."""
    window = renewals.filter(pl.col("decision_date").is_not_null()
                             & (pl.col("decision_date") > since + dt.timedelta(days=days_ahead))
                             & (pl.col("decision_date") <= as_of + dt.timedelta(days=days_ahead)))
    return _alerts([{
        "kind": "renewal_notice", "account_id": r["account_id"], "name": r["name"],
        "detail": t("Decide by {decision} ({when}): the contract asks for notice {notice} before the renewal on "
                    "{renewal}; {due} ARR due.", decision=format_date(r["decision_date"]),
                    when=in_days((r["decision_date"] - as_of).days),
                    notice=tn("{count} day", "{count} days", int(r["notice_days"] or 0)),
                    renewal=format_date(r["renewal_date"]), due=money(r["due_arr"], currency)),
        "key": f"renewal_notice:{r['account_id']}:{r['renewal_date']}", "arr": r["due_arr"],
    } for r in window.sort("decision_date", "account_id").iter_rows(named=True)])


def decision_overdue(renewals: pl.DataFrame, since: dt.date, as_of: dt.date, currency: str) -> pl.DataFrame:
    """Renewals whose decision date fell in [since, as_of) with no call in the CRM and nothing booked yet."""
    late = renewals.filter(pl.col("decision_date").is_not_null() & (pl.col("decision_date") >= since)
                           & (pl.col("decision_date") < as_of)
                           & ~pl.col("crm_category").fill_null("").is_in(list(CRM_CALLS))
                           & (pl.col("renewed_arr").fill_null(0) <= 0))
    return _alerts([{
        "kind": "decision_overdue", "account_id": r["account_id"], "name": r["name"],
        "detail": t("The decision date {decision} passed and the CRM has no call (forecast category: {category}); "
                    "{due} ARR renews on {renewal}.", decision=format_date(r["decision_date"]),
                    category=r["crm_category"] or t("none"), due=money(r["due_arr"], currency),
                    renewal=format_date(r["renewal_date"])),
        "key": f"decision_overdue:{r['account_id']}:{r['renewal_date']}", "arr": r["due_arr"],
    } for r in late.sort("decision_date", "account_id").iter_rows(named=True)])


def _paired(before: pl.DataFrame, now: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    arr = pl.col("arr") if "arr" in now.columns else pl.lit(None, pl.Float64).alias("arr")
    return now.select("account_id", "name", arr, *columns).join(
        before.select("account_id", *columns), on="account_id", suffix="_before")


def health_drop(before: pl.DataFrame, now: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Accounts whose health band is lower now than on the since day."""
    paired = _paired(before, now, ["band", "health_score"]).filter(
        pl.col("band").replace_strict(BAND_RANK, default=None)
        < pl.col("band_before").replace_strict(BAND_RANK, default=None))
    return _alerts([{
        "kind": "health_drop", "account_id": r["account_id"], "name": r["name"],
        "detail": t("Health went from {before} ({score_before:.0f}) to {after} ({score:.0f}).",
                    before=figures.coded("band", r["band_before"]), score_before=r["health_score_before"],
                    after=figures.coded("band", r["band"]),
                    score=r["health_score"]),
        "key": f"health_drop:{r['account_id']}:{r['band']}:{as_of}", "arr": r["arr"],
    } for r in paired.sort("health_score", "account_id").iter_rows(named=True)])


def risk_up(before: pl.DataFrame, now: pl.DataFrame, threshold: float, as_of: dt.date) -> pl.DataFrame:
    """Accounts whose churn risk was below ``threshold`` on the since day and is at or above it now."""
    paired = _paired(before, now, ["churn_probability"]).filter(
        (pl.col("churn_probability_before") < threshold) & (pl.col("churn_probability") >= threshold))
    return _alerts([{
        "kind": "risk_up", "account_id": r["account_id"], "name": r["name"],
        "detail": t("Churn risk (90 days) rose from {before} to {after}, past {threshold}.",
                    before=percent(r["churn_probability_before"]), after=percent(r["churn_probability"]),
                    threshold=percent(threshold, 0)),
        "key": f"risk_up:{r['account_id']}:{as_of}", "arr": r["arr"],
    } for r in paired.sort("churn_probability", "account_id", descending=[True, False]).iter_rows(named=True)])


def ticket_on_renewal(before: pl.DataFrame, now: pl.DataFrame, renewals: pl.DataFrame, as_of: dt.date,
                      within_days: int, currency: str) -> pl.DataFrame:
    """Accounts renewing within ``within_days`` that have an open high-priority ticket they did not have on the
    since day, or escalations the since day did not count."""
    soon = (renewals.filter(pl.col("renewal_date") < as_of + dt.timedelta(days=within_days))
            .group_by("account_id").agg(pl.col("renewal_date").min(), pl.col("due_arr").sum()))
    paired = _paired(before, now, ["open_high_priority", "escalations_90d"]).with_columns(
        pl.col("open_high_priority", "open_high_priority_before", "escalations_90d", "escalations_90d_before")
        .fill_null(0))
    hot = paired.filter(((pl.col("open_high_priority") > 0) & (pl.col("open_high_priority_before") == 0))
                        | (pl.col("escalations_90d") > pl.col("escalations_90d_before")))
    found = hot.join(soon, on="account_id")
    return _alerts([{
        "kind": "ticket_on_renewal", "account_id": r["account_id"], "name": r["name"],
        "detail": _ticket_words(r, currency), "arr": r["due_arr"],
        "key": f"ticket_on_renewal:{r['account_id']}:{r['renewal_date']}:{int(r['escalations_90d'])}",
    } for r in found.sort("renewal_date", "account_id").iter_rows(named=True)])


def _ticket_words(row: dict, currency: str) -> str:
    """What fired the ticket alert: open high-priority tickets when there are some, else the new escalations."""
    values = {"open": int(row["open_high_priority"]), "escalated": int(row["escalations_90d"]),
              "escalated_before": int(row["escalations_90d_before"]), "due": money(row["due_arr"], currency),
              "renewal": format_date(row["renewal_date"])}
    if values["open"]:
        return t("Open high-priority tickets: {open}; escalations in the last 90 days: {escalated} (was "
                 "{escalated_before}); {due} ARR renews on {renewal}.", **values)
    return t("Escalations in the last 90 days: {escalated} (was {escalated_before}); {due} ARR renews on "
             "{renewal}.", **values)


def expansion_new(before: pl.DataFrame, now: pl.DataFrame, names: dict[str, str], as_of: dt.date,
                  currency: str) -> pl.DataFrame:
    """Expansion signals (account and kind) present now that were not on the since day."""
    fresh = now.join(before.select("account_id", "kind"), on=["account_id", "kind"], how="anti")
    return _alerts([{
        "kind": "expansion", "account_id": r["account_id"], "name": names.get(r["account_id"], r["account_id"]),
        "detail": t("{reason}: about {potential} more ARR.", reason=r["reason"],
                    potential=money(r["potential_arr"], currency)),
        "key": f"expansion:{r['account_id']}:{r['kind']}:{as_of}", "arr": r["potential_arr"],
    } for r in fresh.sort("potential_arr", "account_id", descending=[True, False]).iter_rows(named=True)])


def weighted(rows: pl.DataFrame) -> float:
    """The weighted forecast of renewal rows: Σ due ARR × probability."""
    return float(rows.select(figures.weighted_forecast_arr().sum()).item() or 0.0) if rows.height else 0.0


def forecast_moved(before_rows: pl.DataFrame, now_rows: pl.DataFrame, start: dt.date, end: dt.date,
                   threshold: float, owner: str | None, as_of: dt.date, currency: str) -> pl.DataFrame:
    """The weighted forecast of renewals due in [start, end) moved by more than ``threshold`` (a share); the
    forecast's rows today are events, counted as the window's renewals (a snapshot's rows already are)."""
    def due(rows: pl.DataFrame) -> pl.DataFrame:
        inside = rows.filter((pl.col("renewal_date") >= start) & (pl.col("renewal_date") < end))
        return window_renewals(inside) if "bill_period_months" in inside.columns else inside

    was, now = weighted(due(before_rows)), weighted(due(now_rows))
    change = (now - was) / was if was else (1.0 if now else 0.0)
    if abs(change) <= threshold:
        return _alerts([])
    book_name = owner or t("the whole book")
    return _alerts([{
        "kind": "forecast_moved", "account_id": "", "name": book_name,
        "detail": t("The weighted forecast of renewals due {start} – {end} moved from {before} to {after} "
                    "({change}).", start=format_date(start), end=format_date(end - dt.timedelta(days=1)),
                    before=money(was, currency), after=money(now, currency),
                    change=("+" if change > 0 else "") + percent(change)),
        "key": f"forecast_moved:{owner or '*'}:{start}:{as_of}", "arr": abs(now - was),
    }])


# ---------------------------------------------------------------- reading the book


@dataclass(frozen=True)
class Digest:
    """One digest: whose book, since when, what fired."""

    owner: str | None
    since: dt.date
    snapshot_id: int | None
    as_of: dt.date
    currency: str
    alerts: pl.DataFrame
    rules: AlertRules

    def fired(self) -> pl.DataFrame:
        """Alerts per kind (every kind, zero when it did not fire)."""
        counts = dict(self.alerts.group_by("kind").len().iter_rows())
        return pl.DataFrame({"kind": list(KINDS), "alerts": [counts.get(k, 0) for k in KINDS],
                             "enabled": [k in self.rules.enabled for k in KINDS]})


def resolve_since(con, since: str | dt.date | None, as_of: dt.date) -> tuple[dt.date, int | None]:
    """The since day and the snapshot to compare the forecast with: a snapshot id, a day (the latest snapshot
    as of that day or earlier), or by default a week before the as-of day."""
    saved = snapshots.list_snapshots(con)
    if isinstance(since, str) and since.strip().isdigit():
        found = saved.filter(pl.col("id") == int(since))
        if found.is_empty():
            raise ValueError(f"no snapshot with id {since}; `python -m renewal_radar snapshots` lists them")
        return found["as_of"][0], int(since)
    day = dt.date.fromisoformat(since) if isinstance(since, str) else (since or as_of - dt.timedelta(days=7))
    earlier = saved.filter(pl.col("as_of") <= day).sort("as_of", "saved_at", descending=True)
    return day, (int(earlier["id"][0]) if earlier.height else None)


def quarter(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The rest of the fiscal quarter of ``as_of`` (the Forecast page's quarter): [as_of, its end)."""
    return as_of, quarters.quarter_of(as_of).end


@dataclass(frozen=True)
class Changes:
    """What a digest is judged from: the book's renewals of the year ahead, its scores and expansion signals on
    both days, and the snapshot's renewals (money in the reporting currency until a reader converts it)."""

    owner: str | None
    since: dt.date
    snapshot_id: int | None
    as_of: dt.date
    currency: str
    renewals: pl.DataFrame
    now: pl.DataFrame
    before: pl.DataFrame
    signals_since: pl.DataFrame
    signals_now: pl.DataFrame
    snapshot_before: pl.DataFrame | None  # the snapshot's renewals of this book's accounts (None without one)

    MONEY: ClassVar = {"renewals": Money(RENEWAL_MONEY, "renewal_date"), "now": Money(book.SCORE_MONEY, "as_of"),
                       "before": Money(book.SCORE_MONEY, "since"),
                       "signals_since": Money(("potential_arr",), "since"),
                       "signals_now": Money(("potential_arr",), "as_of"),
                       "snapshot_before": Money(RENEWAL_MONEY, "renewal_date")}


def build(con, filters: Filters, since: dt.date, snapshot_id: int | None, as_of: dt.date | None = None,
          rules: AlertRules | None = None) -> Digest:
    """The digest of the accounts ``filters`` select, for what changed between ``since`` and ``as_of``, money in
    the reporting currency (the Digest page converts :func:`changes` first)."""
    return judged(changes(con, filters, since, snapshot_id, as_of), rules)


def changes(con, filters: Filters, since: dt.date, snapshot_id: int | None,
            as_of: dt.date | None = None) -> Changes:
    """What the digest of the filtered book between ``since`` and ``as_of`` is judged from."""
    as_of = as_of or metrics.data_as_of(con)
    owner = filters.owners[0] if len(filters.owners) == 1 else None
    now = book.account_scores(con, as_of, filters, with_drivers=False)
    before = None
    if snapshot_id is not None:
        before = snapshots.snapshot_rows(con, snapshot_id)
        if not filters.is_empty:  # the snapshot holds the whole book; keep this book's accounts
            before = before.filter(pl.col("account_id").is_in(now["account_id"].implode()))
    return Changes(owner, since, snapshot_id, as_of, metrics.reporting_currency(con),
                   book.renewal_rows(con, as_of, 365, filters),  # what is known today about the year ahead
                   now, book.account_scores(con, since, filters, with_drivers=False),
                   expansion.signals(con, since, filters), expansion.signals(con, as_of, filters), before)


def judged(found: Changes, rules: AlertRules | None = None) -> Digest:
    """The alerts ``rules`` fire on ``found``, worded in the currency its money is in."""
    rules = rules or load_rules()
    as_of, since, currency, renewals = found.as_of, found.since, found.currency, found.renewals
    start, end = quarter(as_of)
    names = dict(found.now.select("account_id", "name").iter_rows())
    fired = {
        "renewal_notice": lambda: renewal_notice(renewals, since, as_of, rules.notice_days_ahead, currency),
        "decision_overdue": lambda: decision_overdue(renewals, since, as_of, currency),
        "health_drop": lambda: health_drop(found.before, found.now, as_of),
        "risk_up": lambda: risk_up(found.before, found.now, rules.risk_threshold, as_of),
        "ticket_on_renewal": lambda: ticket_on_renewal(found.before, found.now, renewals, as_of,
                                                       rules.ticket_renewal_days, currency),
        "expansion": lambda: expansion_new(found.signals_since, found.signals_now, names, as_of, currency),
        "forecast_moved": lambda: _alerts([]) if found.snapshot_before is None else forecast_moved(
            found.snapshot_before, renewals, start, end, rules.forecast_threshold, found.owner, as_of, currency),
    }
    alerts = pl.concat([ranked(fired[kind]()) for kind in KINDS if kind in rules.enabled])
    return Digest(found.owner, since, found.snapshot_id, as_of, currency, alerts, rules)


def ranked(alerts: pl.DataFrame) -> pl.DataFrame:
    """One kind's alerts, the largest ARR at stake first (ties in the rule's own order)."""
    return alerts.sort("arr", descending=True, nulls_last=True, maintain_order=True)
