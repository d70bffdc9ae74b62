"""The command line's arguments (shared/spec/cli.md), one sub-command each."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from renewal_radar.dates import parse_date


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of cli.md."""
    parser = argparse.ArgumentParser(prog="python -m renewal_radar", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database file (default: $RENEWAL_RADAR_DB or data/renewal_radar.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", parents=[common], help="build the synthetic demo database")
    demo.add_argument("--accounts", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--years", type=int, default=3)
    demo.add_argument("--events", type=int, default=None, help="usage events (default 1,000 per account)")
    demo.add_argument("--events-per-user-day", type=float, default=1.0, metavar="K",
                      help="mean events a user logs on a feature on a day they use it (default 1: the sparse worst "
                           "case; real products log many)")
    demo.add_argument("--exports", type=Path, default=None,
                      help="leave the export files it imported in DIR (default: demo_exports beside the database)")

    for name, help_text in (("import", "validate and load the export files in DIR"),
                            ("validate", "validate the export files in DIR without loading")):
        command = commands.add_parser(name, parents=[common], help=help_text)
        command.add_argument("dir", type=Path)
        command.add_argument("--preset", default=None, help="generic, salesforce, hubspot, zendesk or stripe")
        command.add_argument("--mapping", type=Path, default=None,
                             help='JSON {"table": {"their header": "our column"}} (as the Import page remembers)')
        if name == "import":
            command.add_argument("--as-of", type=_date, default=None)
            command.add_argument("--full", action="store_true",
                                 help="rebuild everything even when only some usage files are new")

    rollup = commands.add_parser("rollup-usage", help="roll raw usage events up to usage_daily Parquet files")
    rollup.add_argument("source", help="folder (or cluster path) holding usage event Parquet or CSV files")
    rollup.add_argument("--out", required=True, help="folder to write usage_daily/ and usage_monthly_users/ into")
    rollup.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    rollup.add_argument("--master", default="local[*]", help="Spark master URL (with --engine spark)")
    rollup.add_argument("--since", type=_date, default=None, help="roll up only the days from D on (incremental)")

    window = commands.add_parser("metrics", parents=[common], help="window metrics between two days")
    window.add_argument("--start", type=_date, required=True)
    window.add_argument("--end", type=_date, required=True)
    window.add_argument("--json", action="store_true")

    movements = commands.add_parser("movements", parents=[common], help="monthly MRR movements")
    movements.add_argument("--start", type=_date)
    movements.add_argument("--end", type=_date)
    movements.add_argument("--csv", action="store_true")

    triangle = commands.add_parser("cohorts", parents=[common], help="cohort retention triangle")
    triangle.add_argument("--grain", choices=("month", "quarter"), default="month")
    triangle.add_argument("--as-of", type=_date)
    triangle.add_argument("--csv", action="store_true")

    km = commands.add_parser("survival", parents=[common], help="Kaplan-Meier survival curve")
    km.add_argument("--by", default=None, help="account column to group by (segment, region, ...)")
    km.add_argument("--as-of", type=_date)
    km.add_argument("--csv", action="store_true")

    due = commands.add_parser("renewals", parents=[common], help="renewal outcomes by period")
    due.add_argument("--start", type=_date)
    due.add_argument("--end", type=_date)
    due.add_argument("--grain", choices=("month", "quarter"), default="month")
    due.add_argument("--grace-days", type=int, default=None)
    due.add_argument("--as-of", type=_date)
    due.add_argument("--csv", action="store_true")
    for name, help_text in (("forecast", "point-in-time renewal forecast"),
                            ("backtest", "the forecast as of D against what happened")):
        command = commands.add_parser(name, parents=[common], help=help_text)
        # forecast --quarter defaults to the data's as-of day; every other use names its day
        command.add_argument("--as-of", type=_date, required=name != "forecast")
        command.add_argument("--horizon-days", type=int, default=None)
        command.add_argument("--json", action="store_true")
        if name == "forecast":
            command.add_argument("--save", action="store_true", help="store the forecast as a snapshot")
            command.add_argument("--name", default=None, help="the snapshot's name")
            command.add_argument("--quarter", default=None,
                                 help="a fiscal quarter such as 2027-Q1: closed so far, open and forecast")

    front = commands.add_parser("overview", parents=[common], help="the Overview page's figures")
    front.add_argument("--as-of", type=_date)
    front.add_argument("--json", action="store_true")

    saved = commands.add_parser("snapshots", parents=[common], help="saved forecast snapshots")
    saved.add_argument("--json", action="store_true")

    moved = commands.add_parser("moved", parents=[common], help="what changed since a snapshot")
    moved.add_argument("--since", type=int, required=True, help="snapshot id (see `snapshots`)")
    moved.add_argument("--as-of", type=_date)
    moved.add_argument("--json", action="store_true")

    commands.add_parser("score", parents=[common], help="rerun the scoring stage (after a settings edit)")

    cohorts_of_metrics = commands.add_parser("drivers", parents=[common],
                                             help="churn rate by decile of each behaviour metric")
    cohorts_of_metrics.add_argument("--as-of", type=_date)
    cohorts_of_metrics.add_argument("--json", action="store_true")

    projection = commands.add_parser("project-retention", parents=[common],
                                     help="shifted-beta-geometric retention projection per group")
    projection.add_argument("--as-of", type=_date)
    projection.add_argument("--by", choices=("bill_period_months", "segment"), default="bill_period_months")
    projection.add_argument("--periods", type=int, default=None,
                            help="project to period N (default: 10 years of each group's periods)")
    projection.add_argument("--json", action="store_true")

    why = commands.add_parser("reasons", parents=[common], help="churned and contracted ARR by reason")
    why.add_argument("--start", type=_date)
    why.add_argument("--end", type=_date)
    why.add_argument("--grain", choices=("month", "quarter"), default="quarter")
    why.add_argument("--csv", action="store_true")

    risky = commands.add_parser("risk", parents=[common], help="health and churn risk of accounts active on D")
    risky.add_argument("--as-of", type=_date)
    risky.add_argument("--csv", action="store_true")

    alerts = commands.add_parser("digest", parents=[common], help="the alerts since a snapshot or day, per person")
    who = alerts.add_mutually_exclusive_group()
    who.add_argument("--owner", help="one CSM owner's book (as in accounts.csm_owner)")
    who.add_argument("--role", choices=("leader", "csm", "analyst", "admin"),
                     help="everyone with this role in access.toml (a CSM gets their book, others the whole book)")
    alerts.add_argument("--since", help="a snapshot id, or a day YYYY-MM-DD (default: a week before the as-of day)")
    alerts.add_argument("--format", choices=("json", "md", "html"), default="json")
    send = alerts.add_mutually_exclusive_group()
    send.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")
    send.add_argument("--send", action="store_true", help="email each recipient (and post to webhooks)")
    alerts.add_argument("--lang", help="language of the printed digest (default: RENEWAL_RADAR_LANG)")

    uplift = commands.add_parser("uplift", parents=[common], help="price, volume and mix at renewal")
    uplift.add_argument("--start", type=_date)
    uplift.add_argument("--end", type=_date)
    uplift.add_argument("--grain", choices=("month", "quarter"), default="quarter")
    uplift.add_argument("--by", choices=("segment", "csm_owner", "team"), default=None)
    uplift.add_argument("--csv", action="store_true")
    signed = commands.add_parser("committed", parents=[common], help="committed ARR: signed, not yet live, and "
                                 "announced cancellations")
    signed.add_argument("--as-of", type=_date)
    signed.add_argument("--json", action="store_true")
    plan = commands.add_parser("path-to-plan", parents=[common], help="the saves that close the quarter's gap")
    plan.add_argument("--quarter", required=True, help="a fiscal quarter such as 2027-Q1")
    plan.add_argument("--as-of", type=_date)
    plan.add_argument("--json", action="store_true")

    packs = commands.add_parser("pack", parents=[common], help="the business review or the leadership pack, to a file")
    packs.add_argument("kind", choices=("account", "quarter"))
    packs.add_argument("target", help="the account id (pack account) or the fiscal quarter, e.g. 2026-Q4")
    packs.add_argument("--start", type=_date, help="first day of the period reviewed (default: last quarter's)")
    packs.add_argument("--end", type=_date, help="the day after its last (exclusive)")
    packs.add_argument("--as-of", type=_date)
    packs.add_argument("--out", required=True, help="FILE.pdf or FILE.pptx")
    packs.add_argument("--internal", action="store_true", help="the CSM's preparation sheet, not for the customer")
    packs.add_argument("--lang", default=None, help="en, ko, ja or zh_TW (default: RENEWAL_RADAR_LANG)")
    packs.add_argument("--currency", default=None, help="money in this currency (default: the reporting one)")

    bench = commands.add_parser("bench", parents=[common], help="time import, marts and every page's queries")
    bench.add_argument("--accounts", type=int, default=2000)
    bench.add_argument("--events", type=int, default=None, help="usage events (default 1,000 per account)")
    bench.add_argument("--events-per-user-day", type=float, default=1.0, metavar="K",
                       help="the demo's events per user, feature and active day (default 1, the worst case)")
    bench.add_argument("--no-spark", action="store_true", help="time rollup-usage on DuckDB only")
    bench.add_argument("--rebuild", action="store_true", help="rebuild the benchmark database even if it exists")
    bench.add_argument("--only", choices=("rollups", "rollup-usage", "refresh", "pages", "pages-currency",
                                          "pages-languages"),
                       default=None, help="measure one stage only")
    return parser
