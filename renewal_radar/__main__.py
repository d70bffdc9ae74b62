"""The command line (shared/spec/cli.md): ``python -m renewal_radar COMMAND ...``.

Every command prints its result to stdout and exits 0, or prints a one-line
reason to stderr and exits non-zero. The figures come from the same functions
the pages call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import polars as pl

from renewal_radar import audit, cohorts, db, metrics, renewals, settings
from renewal_radar.dates import parse_date


class CliError(Exception):
    """A problem worth one line on stderr."""


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


def _open(args) -> object:
    path = settings.db_path(args.db)
    if not path.exists():
        raise CliError(f"no database at {path}; run `python -m renewal_radar demo` or `import DIR` first")
    return db.connect(path)


def _emit_frame(frame: pl.DataFrame, as_csv: bool) -> None:
    if as_csv:
        sys.stdout.write(frame.write_csv(float_precision=None))
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, thousands_separator=",",
                       float_precision=4, tbl_hide_dataframe_shape=True):
            print(frame)


def cmd_demo(args) -> None:
    """Build the demo database."""
    from renewal_radar.demo import build_demo

    try:
        summary = build_demo(settings.db_path(args.db), args.accounts, args.seed, args.years, args.events,
                             args.exports, events_per_user_day=args.events_per_user_day)
    except FileExistsError as exc:
        raise CliError(str(exc)) from None
    print(f"demo: {summary.accounts:,} accounts, {summary.lines:,} subscription lines, "
          f"{summary.events:,} usage events into {settings.db_path(args.db)} in {summary.seconds:.1f} s")


def cmd_validate(args) -> int:
    """Validate a folder of exports."""
    from renewal_radar.ingest import validate_folder

    report = validate_folder(args.dir, args.preset, column_maps=_column_maps(args))
    print(report.text())
    return 0 if report.ok else 1


def _column_maps(args) -> dict | None:
    """The --mapping file's headers, per export file of the folder."""
    from renewal_radar.ingest import mappings

    if not args.mapping or not Path(args.dir).is_dir():
        return None
    try:
        return mappings.column_maps_for(args.dir, mappings.read_file(args.mapping))
    except ValueError as exc:
        raise CliError(str(exc)) from None


def cmd_import(args) -> int:
    """Validate and load a folder of exports."""
    from renewal_radar.ingest import import_folder

    stopwatch = audit.Stopwatch()
    result = import_folder(args.dir, settings.db_path(args.db), args.preset, args.as_of,
                           column_maps=_column_maps(args), full=args.full)
    audit.record_cli("import", args.db, folder=str(args.dir), loaded=result.loaded, as_of=result.as_of,
                     refreshed=result.refreshed, errors=len(result.report.errors),
                     seconds=round(stopwatch.elapsed()[0], 1))
    print(result.report.text())
    if not result.loaded:
        print("import refused: the database is unchanged", file=sys.stderr)
        return 1
    kind = "refreshed (only what changed)" if result.refreshed else "imported"
    print(f"{kind} into {settings.db_path(args.db)}, as of {result.as_of}")
    return 0


def cmd_metrics(args) -> None:
    """Window metrics as JSON (or readable lines)."""
    figures = metrics.window_metrics(_open(args), args.start, args.end)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:16} {value}")


def cmd_movements(args) -> None:
    """Monthly MRR movements."""
    frame = metrics.monthly_movements(_open(args), args.start, args.end)
    _emit_frame(frame, args.csv)


def cmd_cohorts(args) -> None:
    """The cohort triangle in long form."""
    con = _open(args)
    as_of = args.as_of or metrics.data_as_of(con)
    triangle = cohorts.cohorts(con, as_of, args.grain)
    labels = [cohorts.cohort_label(day, args.grain) for day in triangle["cohort"]]
    frame = triangle.with_columns(pl.Series("cohort", labels, dtype=pl.String)).select(
        "cohort", "k", "n", "logo_retention", "net_mrr_retention", "gross_mrr_retention")
    _emit_frame(frame, args.csv)


def cmd_survival(args) -> None:
    """Kaplan-Meier survival curve(s)."""
    con = _open(args)
    as_of = args.as_of or metrics.data_as_of(con)
    _emit_frame(cohorts.survival(con, as_of, args.by), args.csv)


def cmd_renewals(args) -> None:
    """Renewal outcomes by period."""
    outcomes = renewals.renewal_outcomes(_open(args), args.start, args.end, args.as_of, args.grace_days)
    _emit_frame(renewals.rates_by_period(outcomes, args.grain), args.csv)


def _print_object(figures: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        if key != "renewals":
            print(f"{key:26} {value}")
    print(f"{'renewals':26} {len(figures['renewals']):,} (use --json for the list)")


def cmd_forecast(args) -> None:
    """The renewal forecast as of a day; with --save, also stored as a snapshot."""
    from renewal_radar import book, forecast, snapshots

    if args.quarter:
        return _quarter_forecast(args)
    if args.as_of is None:
        raise CliError("forecast needs --as-of D (or --quarter Q)")
    horizon = args.horizon_days or settings.get("forecast_horizon_days")
    if args.save:
        con = db.connect(settings.db_path(args.db), read_only=False) if settings.db_path(args.db).exists() \
            else _open(args)
        try:
            snapshot_id = snapshots.save(con, args.as_of, horizon, args.name)
        finally:
            con.close()
        audit.record_cli("snapshot_save", args.db, snapshot=snapshot_id, name=args.name, as_of=args.as_of,
                         horizon_days=horizon)
        print(snapshot_id)
        return
    result = book.forecast_for(_open(args), args.as_of, horizon)
    _print_object(forecast.forecast_json(result), args.json)


def _quarter_forecast(args) -> None:
    """``forecast --quarter Q``: the fiscal quarter as of a day (cli.md)."""
    from renewal_radar import book, quarter_forecast, quarters
    from renewal_radar.metrics import data_as_of

    quarter = quarters.parse(args.quarter)
    con = _open(args)
    as_of = args.as_of or data_as_of(con)
    result = book.quarter_forecast_for(con, quarter, as_of)
    method = (book.method_for(con, as_of) or {}).get("method", "naive")
    figures = quarter_forecast.quarter_json(result, quarter.label, quarter.start, quarter.end, as_of, method)
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:28} {value}")


def cmd_backtest(args) -> None:
    """The forecast as of a past day against what happened."""
    from renewal_radar import book, forecast

    con = _open(args)
    horizon = args.horizon_days or settings.get("forecast_horizon_days")
    result = book.forecast_for(con, args.as_of, horizon)
    actual = forecast.actual_outcomes(con, args.as_of, args.as_of + dt.timedelta(days=horizon))
    figures, _ = forecast.judge(result.renewals, actual, result.summary)
    _print_object(forecast.forecast_json(result) | {
        "actual_renewed_arr_gross": figures["actual_arr"], "abs_pct_error": figures["forecast_error"],
        "bias": figures["bias"], "naive_forecast_arr": figures["naive_arr"],
        "naive_abs_pct_error": figures["naive_error"]}, args.json)


def cmd_overview(args) -> None:
    """The Overview page's headline figures."""
    from renewal_radar.readers import overview as overview_reader

    con = _open(args)
    figures = overview_reader.as_json(overview_reader.read(con, args.as_of or metrics.data_as_of(con)))
    _print_object(figures, args.json)


def cmd_snapshots(args) -> None:
    """Saved forecast snapshots."""
    from renewal_radar import snapshots

    frame = snapshots.list_snapshots(_open(args))
    rows = [{"id": r["id"], "name": r["name"], "saved_at": r["saved_at"].isoformat(),
             "as_of": r["as_of"].isoformat(), "start": r["start"].isoformat(), "end": r["end"].isoformat(),
             "n_due": r["n_due"], "due_arr": r["due_arr"], "forecast_gross_arr": r["forecast_gross_arr"]}
            for r in frame.iter_rows(named=True)]
    if args.json:
        print(json.dumps(rows))
    else:
        _emit_frame(frame.drop("automatic"), False)


def cmd_moved(args) -> None:
    """What changed in a snapshot's renewal period since it was saved."""
    from renewal_radar import moved

    con = _open(args)
    result = moved.what_moved(con, args.since, args.as_of or metrics.data_as_of(con))
    if args.json:
        print(json.dumps(result))
        return
    for key in ("since", "as_of", "start", "end", "before_forecast_arr", "after_forecast_arr"):
        print(f"{key:22} {result[key]}")
    _emit_frame(moved.waterfall(result), False)


def cmd_score(args) -> None:
    """Rerun the scoring stage on the loaded data, in place."""
    from renewal_radar import scoring

    path = settings.db_path(args.db)
    if not path.exists():
        raise CliError(f"no database at {path}; run `python -m renewal_radar demo` or `import DIR` first")
    con = db.connect(path, read_only=False)
    try:
        summary = scoring.run(con)
        con.execute("checkpoint")
    finally:
        con.close()
    audit.record_cli("score", args.db, days=summary.days, fingerprint=summary.fingerprint,
                     seconds=round(summary.seconds, 1))
    print(f"scored {summary.days} days: {summary.accounts:,} account scores, {summary.renewals:,} renewal scores, "
          f"settings {summary.fingerprint}, in {summary.seconds:.1f} s")


def cmd_drivers(args) -> None:
    """Metric cohorts: churn within 90 days by decile of each behaviour metric, strongest first."""
    from renewal_radar import drivers

    found = drivers.drivers_on(_open(args), args.as_of)
    if args.json:
        print(json.dumps(drivers.as_json(found)))
        return
    _emit_frame(found.select("metric", "spread").unique(maintain_order=True), False)


def cmd_project_retention(args) -> None:
    """The shifted-beta-geometric fit, observed and projected share still renewing, per group."""
    from renewal_radar import retention_projection

    con = _open(args)
    as_of = args.as_of or metrics.data_as_of(con)
    if as_of == metrics.data_as_of(con) and "retention_fits" in db.table_names(con):
        fits, curves = retention_projection.stored(con, args.by)
    else:
        fits, curves = retention_projection.live(con, as_of, args.by)
    if args.json:
        print(json.dumps(retention_projection.as_json(fits, curves)))
        return
    _emit_frame(fits.select("group", "alpha", "beta", "n", "churned", "periods_observed", "backtest_error"), False)


def cmd_reasons(args) -> None:
    """Churned and contracted ARR by period of the renewal day and reason."""
    from renewal_radar import reasons

    rows = reasons.stored_reasons(_open(args), args.start, args.end)
    _emit_frame(reasons.by_period(rows, args.grain), args.csv)


def cmd_risk(args) -> None:
    """Health score, band, churn probability and top drivers of each account active on the day."""
    from renewal_radar import book

    con = _open(args)
    as_of = args.as_of or metrics.data_as_of(con)
    frame = book.account_scores(con, as_of).sort("account_id").select(
        "account_id", "health_score", "band", "churn_probability", "top_drivers")
    _emit_frame(frame, args.csv)


def cmd_rollup_usage(args) -> None:
    """Roll raw usage events up to usage_daily Parquet files on DuckDB or Spark."""
    from renewal_radar.usage_rollup import RollupError, rollup_usage

    try:
        summary = rollup_usage(args.source, args.out, args.engine, args.master, args.since)
    except RollupError as exc:
        raise CliError(str(exc)) from exc
    print(summary.line())


def cmd_bench(args) -> None:
    """Benchmarks (bench/run.py)."""
    from bench.run import run

    run(args.accounts, args.events, reuse=not args.rebuild, only=args.only,
        engines=("duckdb",) if args.no_spark else ("duckdb", "spark"), per_user_day=args.events_per_user_day)


def cmd_digest(args) -> int:
    """The digest of one owner's book or of everyone with a role; printed, dry-run or sent."""
    from renewal_radar import access, delivery, digest, i18n
    from renewal_radar.filters import Filters

    con = _open(args)
    as_of = metrics.data_as_of(con)
    try:
        since, snapshot_id = digest.resolve_since(con, args.since, as_of)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    rules = access.load_rules()
    language = i18n.match_language(args.lang) or i18n.default_language()
    people = access.recipients(rules, owner=args.owner, role=args.role, default_language=language)
    books = [args.owner] if args.owner or not args.role else sorted({p.owner for p in people}, key=str)
    if not people and (args.send or args.dry_run):
        missing = _no_recipient_text(rules, access, args)
        if args.send:
            raise CliError(missing)
        print(f"{missing}; printing the digest instead", file=sys.stderr)
    printed = []
    for owner in books:
        filters = Filters(owners=(owner,)) if owner else Filters()
        if people and (args.send or args.dry_run):
            for person in (p for p in people if p.owner == owner):
                with i18n.language(person.language):  # each person's digest in their language
                    found = digest.build(con, filters, since, snapshot_id, as_of)
                for outcome in delivery.deliver(found, person, args.dry_run, args.db):
                    print(f"{outcome.recipient} · {outcome.channel}: {outcome.new_alerts} new alerts, "
                          f"{'sent' if outcome.sent else outcome.note}", file=sys.stderr)
            continue
        with i18n.language(language):
            printed.append(_digest_text(digest, digest.build(con, filters, since, snapshot_id, as_of), args.format,
                                        language))
    if args.format == "json" and len(printed) > 1:
        printed = ["[" + ",\n".join(printed) + "]"]
    if printed:
        print("\n".join(printed))
    return 0


def _no_recipient_text(rules, access, args) -> str:
    """Why nobody would receive the digest, and how to add someone (only sending needs a recipient)."""
    who = f"owner {args.owner!r}" if args.owner else f"role {args.role}"
    source = rules.source or access.access_file()
    how = (f'add the CSM\'s email under [roles] as "csm" and under [csm_owner] as "{args.owner}"' if args.owner
           else f'add an email under [roles] with the role "{args.role}"')
    return f"no recipient in {source} for {who}: {how} (see access.example.toml)"


def _digest_text(digest, found, form: str, language: str) -> str:
    if form == "md":
        return digest.to_markdown(found)
    if form == "html":
        return digest.to_html(found, language=language)
    return json.dumps(digest.to_json(found), ensure_ascii=False, indent=2)


COMMANDS = {"demo": cmd_demo, "validate": cmd_validate, "import": cmd_import, "metrics": cmd_metrics,
            "movements": cmd_movements, "cohorts": cmd_cohorts, "survival": cmd_survival,
            "renewals": cmd_renewals, "forecast": cmd_forecast, "backtest": cmd_backtest, "risk": cmd_risk,
            "digest": cmd_digest, "bench": cmd_bench, "overview": cmd_overview, "snapshots": cmd_snapshots,
            "moved": cmd_moved, "score": cmd_score, "rollup-usage": cmd_rollup_usage, "drivers": cmd_drivers,
            "project-retention": cmd_project_retention, "reasons": cmd_reasons}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args) or 0
    except (CliError, ValueError, FileNotFoundError, db.Error) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("RENEWAL_RADAR_DEBUG"):
            raise
        first = (str(exc).splitlines() or [""])[0]
        print(f"error: {args.command} failed ({type(exc).__name__}: {first}); rerun with RENEWAL_RADAR_DEBUG=1 "
              "for the details and report it", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
