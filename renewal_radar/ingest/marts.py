"""The marts after a load: staging and mart queries in dependency order, then the scoring stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from renewal_radar import db, sql, usage_rollup
from renewal_radar.dates import FAR_PAST
from renewal_radar.ingest.schema import TABLES

Progress = Callable[[float, str], None]


def _noop(fraction: float, text: str) -> None:
    return None


STAGING_ORDER = tuple(TABLES)
USAGE = "usage"  # a Python step: the roll-up statements of queries/rollup and the usage marts over them
MONTHLY_FEATURES = "account_features_monthly"  # a refresh appends only the month starts its changes reach
MART_ORDER = (
    "fx_monthly", "fx_month", "subscription_lines", "account_mrr_intervals", "accounts_dim", "filtered_accounts",
    "mrr_by_account_month", "renewal_events", USAGE, "account_features", "account_features_monthly",
)

def _build_monthly_features(con, keep_until: dt.date | None) -> None:
    text, params = sql.bound(f"marts/{MONTHLY_FEATURES}", after=keep_until or FAR_PAST)
    if keep_until is None or MONTHLY_FEATURES not in db.table_names(con):
        db.create_table(con, MONTHLY_FEATURES, text, params)
        return
    db.replace_after(con, MONTHLY_FEATURES, "as_of", keep_until, text, params)


def score_book(con, progress: Progress = _noop, keep_until: dt.date | None = None) -> None:
    """The scoring stage after the marts (models run here, once per import), then the automatic snapshot; a
    daily refresh keeps the stored days up to ``keep_until``."""
    from renewal_radar import scoring, snapshots

    scoring.run(con, lambda fraction, text: progress(0.85 + 0.14 * fraction, text), keep_until)
    store_read_figures(con)
    snapshots.save_automatic(con)


def store_read_figures(con) -> None:
    """After the scoring stage, the figures pages read that are worked out from its stored scores and the
    settings: whose calls can be trusted, and the as-of day's committed lines (once here, not on every view)."""
    from renewal_radar import call_accuracy, economics

    call_accuracy.store(con)
    economics.store_committed_lines(con)


def build_marts(con, progress: Progress = _noop, every_month: bool = True, keep_until: dt.date | None = None) -> None:
    """Run every staging and mart query, in dependency order; the usage tables for every month, or (a daily
    refresh) only for the months in refresh_months; with ``keep_until`` (a refresh: the first day its changes
    touch), the monthly features of the month starts up to it stand and only later ones are built."""
    steps = [f"staging/{t}" for t in STAGING_ORDER] + [f"marts/{m}" for m in MART_ORDER]
    for index, step in enumerate(steps):
        progress(0.7 + 0.15 * index / len(steps), f"building {step}")
        if step == f"marts/{USAGE}":
            usage_rollup.build_usage_tables(con, every_month)
        elif step == f"marts/{MONTHLY_FEATURES}":
            _build_monthly_features(con, keep_until)
        else:
            sql.execute(con, step)
    # counted once per import: how many rows each health signal source holds (every page reads it)
    db.create_table(con, "signal_sources", *sql.bound("lookups/feature_tables_live"))
