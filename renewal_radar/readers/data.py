"""The Data page: what is loaded, how fresh, the last import's warnings, what is missing, and (for admins)
page times and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import audit, datastatus


@dataclass(frozen=True)
class DataStatus:
    """The figures of the Data page."""

    meta: dict
    profile: pl.DataFrame
    missing: pl.DataFrame
    warnings: pl.DataFrame
    history: pl.DataFrame


def read(con) -> DataStatus:
    """Tables, freshness, warnings, missing files and import history."""
    profile = datastatus.table_profile(con)
    return DataStatus(
        meta=datastatus.import_meta(con),
        profile=profile,
        missing=profile.filter(~profile["loaded"]).select("table_name", "unlocks"),
        warnings=datastatus.import_warnings(con),
        history=datastatus.import_history(con),
    )


# The audit log lives in its own file and grows while the app runs: read live, never cached.


def page_times(days: int) -> pl.DataFrame:
    """Script runs per page and role over the last ``days`` days: count, p50 and p95 of wall and CPU seconds."""
    return audit.page_times(dt.datetime.now() - dt.timedelta(days=days))


def audit_log(actions: list[str] | None = None, email_contains: str = "") -> pl.DataFrame:
    """The audit log, newest first, narrowed to some actions and an email fragment."""
    log = audit.events()
    if actions:
        log = log.filter(pl.col("action").is_in(actions))
    if email_contains:
        log = log.filter(pl.col("email").str.contains(email_contains, literal=True))
    return log


AUDIT_ACTIONS = audit.ACTIONS
