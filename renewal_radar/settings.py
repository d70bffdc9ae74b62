"""Every setting with its default and one line of help.

Settings are read from environment variables named ``RENEWAL_RADAR_<NAME>``
(upper case) so a deployment can change them without editing code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", str(REPO_ROOT / "data" / "renewal_radar.duckdb"),
            "Path of the live DuckDB database (also RENEWAL_RADAR_DB)."),
    Setting("reporting_currency", "USD",
            "Currency every figure is shown in; other currencies convert with fx_rates."),
    Setting("company_name", "",
            "Your company's name, printed on every page of the packs (the business review, the quarter pack)."),
    Setting("digest_alerts_per_kind", 10,
            "Alerts of one kind a digest lists (the largest ARR at stake first); the rest are counted."),
    Setting("expansion_risk_probability", 0.5,
            "An expansion signal on an account whose next renewal is this likely or less to renew (or is red) is "
            "marked as at risk and ranked after the healthy ones."),
    Setting("grace_days", 30,
            "Days after a line's end within which a new line counts as its renewal."),
    Setting("forecast_horizon_days", 90,
            "Default forecast horizon in days (the Overview's renewals due, the Forecast page's default)."),
    Setting("fiscal_year_start_month", 1,
            "First month of the fiscal year (1 = January); quarters and the plan count from it."),
    Setting("table_page_rows", 500,
            "Rows per page of a long table: only the page shown is sent to the browser (and, on At-risk, worded); "
            "a download, when clicked, holds every row."),
    Setting("chart_points_max", 1000,
            "Most points a chart of accounts draws (the largest by what the page ranks); the table and its "
            "download hold every account. A thousand bubbles are already more than a reader tells apart, and "
            "each one costs the browser time to draw (At-risk at 2,000 accounts: 1.06 s with 2,000, 0.90 s)."),
    Setting("health_trend_points", 5.0,
            "A health score that moved at least this many points in a month shows an up or down arrow."),
    Setting("green_but_risky_at", 0.3,
            "A green account whose 90-day churn risk is at least this is flagged: health and risk disagree."),
    Setting("red_but_safe_below", 0.1,
            "A red account whose 90-day churn risk is below this is flagged: health and risk disagree."),
    Setting("called_high_model_below", 0.5,
            "A renewal called Commit or Closed Won whose model probability is below this joins the forecast "
            "meeting's list of strong disagreements."),
    Setting("called_low_model_above", 0.85,
            "A renewal called Omitted or Pipeline whose model probability is above this joins the same list."),
    Setting("p_closed_won", 1.0, "Renewal probability of a Closed Won opportunity without one."),
    Setting("p_commit", 0.9, "Renewal probability of a Commit opportunity without one."),
    Setting("p_best_case", 0.6, "Renewal probability of a Best Case opportunity without one."),
    Setting("p_pipeline", 0.3, "Renewal probability of a Pipeline opportunity without one."),
    Setting("p_omitted", 0.0, "Renewal probability of an Omitted or Closed Lost opportunity."),
    Setting("duckdb_memory_limit", "3GB",
            "Memory DuckDB may use while importing and querying; beyond it, it spills to disk."),
    Setting("max_messages_per_check", 20,
            "Validation lists at most this many rows per check, then a count of the rest."),
    Setting("base_url", "http://localhost:8501",
            "Address people open the app at; links in digests point there."),
    Setting("smtp_host", "", "Mail server for digests (empty: no email)."),
    Setting("smtp_port", 587, "Mail server port (587 with STARTTLS, 465 with TLS, 25 plain)."),
    Setting("smtp_security", "starttls", "starttls, tls or none (none only for a relay on localhost)."),
    Setting("smtp_user", "", "Mail server user name (empty: no login)."),
    Setting("smtp_password", "", "Mail server password (set it in the environment, not in a file)."),
    Setting("smtp_from", "renewal-radar@localhost", "Sender address of digest emails."),
    Setting("slack_webhook", "",
            "Slack-compatible incoming webhook every digest is also posted to (empty: none)."),
    Setting("annual_discount_rate", 0.10,
            "Yearly rate future renewals are discounted at in an account's expected residual lifetime value."),
    Setting("arr_like_ratio", 12.0,
            "An mrr about this many times the same product's previous line looks like ARR."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """Return a setting's value: the environment override, else its default."""
    setting = _BY_NAME[name]
    raw = os.environ.get(f"RENEWAL_RADAR_{name.upper()}")
    if raw is None:
        return setting.default
    return type(setting.default)(raw)


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database path: explicit argument, else RENEWAL_RADAR_DB, else the default."""
    return Path(explicit) if explicit else Path(get("db"))
