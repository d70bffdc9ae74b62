"""The commands that build, load and score the database, roll usage up and time it."""

from __future__ import annotations

import sys
from pathlib import Path

from renewal_radar import audit, db, settings
from renewal_radar.cli.output import CliError


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


def cmd_score(args) -> None:
    """Rerun the scoring stage on the loaded data, in place."""
    from renewal_radar import scoring
    from renewal_radar.ingest.marts import store_read_figures

    path = settings.db_path(args.db)
    if not path.exists():
        raise CliError(f"no database at {path}; run `python -m renewal_radar demo` or `import DIR` first")
    con = db.connect(path, read_only=False)
    try:
        summary = scoring.run(con)
        store_read_figures(con)  # worked out from the scores just stored, as an import does
        con.execute("checkpoint")
    finally:
        con.close()
    audit.record_cli("score", args.db, days=summary.days, fingerprint=summary.fingerprint,
                     seconds=round(summary.seconds, 1))
    print(f"scored {summary.days} days: {summary.accounts:,} account scores, {summary.renewals:,} renewal scores, "
          f"settings {summary.fingerprint}, in {summary.seconds:.1f} s")


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
