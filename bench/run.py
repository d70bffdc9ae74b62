"""Benchmarks: time the import, the marts and the work behind every page and CLI command.

``python -m renewal_radar bench [--accounts N] [--events M]`` builds (or reuses)
a demo database of that size under ``data/bench/`` and prints, per stage: cold
and warm wall time, rows scanned by DuckDB, and the process's peak RSS. For the
usage roll-ups it also times a plain scan of the columns they read (the floor)
and prints roll-up / scan. Nothing here asserts a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from renewal_radar import (
    book,
    cohorts,
    dates,
    db,
    drivers,
    explore,
    forecast,
    i18n,
    metrics,
    money,
    quarters,
    reasons,
    renewals,
    retention_projection,
    settings,
    sql,
    usage_rollup,
)
from renewal_radar.demo import DEMO_END, write_exports
from renewal_radar.ingest import import_folder
from renewal_radar.readers import account as account_reader
from renewal_radar.readers import at_risk as at_risk_reader
from renewal_radar.readers import calendar as calendar_reader
from renewal_radar.readers import cohorts as cohorts_reader
from renewal_radar.readers import data as data_reader
from renewal_radar.readers import expansion as expansion_reader
from renewal_radar.readers import forecast as forecast_reader
from renewal_radar.readers import overview as overview_reader
from renewal_radar.readers import packs as packs_reader
from renewal_radar.readers import why as why_reader
from renewal_radar.settings import REPO_ROOT

BENCH_DIR = REPO_ROOT / "data" / "bench"


@dataclass
class Row:
    """One measured stage."""

    stage: str
    cold_s: float
    warm_s: float | None = None
    rows_scanned: int | None = None
    peak_rss_mb: float = 0.0
    note: str = ""
    floor_ratio: float | None = None  # usage roll-up steps: time ÷ the scan floor


# issue 26's targets at 50,000 accounts / 50 M events, by stage: (what is judged, the limit)
TARGETS: dict[str, tuple[str, float]] = {
    "import: total": ("cold s", 45.0),
    "roll-up: all usage steps": ("× floor", 10.0),
    "refresh: today's import (one more day of usage)": ("cold s", 10.0),
    "rollup-usage --engine duckdb": ("peak RSS MiB", 4096.0),
}
STEP_TARGET = ("× floor", 5.0)   # each usage roll-up step
PAGE_TARGET = ("warm s", 0.3)    # the work behind every page, in every language and currency


def target_of(row: Row) -> tuple[str, float] | None:
    """The target a row is judged against, if any."""
    if row.stage in TARGETS:
        return TARGETS[row.stage]
    if row.stage.startswith("roll-up: "):
        return STEP_TARGET
    if row.stage.startswith("page: "):
        return PAGE_TARGET
    return None


def judged(row: Row) -> str:
    """'≤ limit: met' or '≤ limit: missed by …' for a row with a target, else ''."""
    target = target_of(row)
    if target is None:
        return ""
    kind, limit = target
    value = {"cold s": row.cold_s, "warm s": row.warm_s, "× floor": row.floor_ratio,
             "peak RSS MiB": row.peak_rss_mb}[kind]
    if value is None:
        return ""
    shown = f"{limit / 1024:.0f} GiB peak" if kind == "peak RSS MiB" else f"{limit:g} {kind}"
    if value <= limit:
        return f"≤ {shown}: met"
    missed = f"{(value - limit) / 1024:.2f} GiB" if kind == "peak RSS MiB" else f"{value - limit:.2f} {kind}"
    return f"≤ {shown}: missed by {missed}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def size_name(accounts: int, events: int, per_user_day: float) -> str:
    """The bench files' name for this size ("50000-50000000", or "…-k20" at 20 events per user-day)."""
    return f"{accounts}-{events}" + (f"-k{per_user_day:g}" if per_user_day != 1 else "")


def build(accounts: int, events: int, rows: list[Row], per_user_day: float = 1.0) -> Path:
    """Generate the demo exports and import them, timing generation, read+validate, load and marts."""
    folder = BENCH_DIR / f"exports-{size_name(accounts, events, per_user_day)}"
    path = BENCH_DIR / f"bench-{size_name(accounts, events, per_user_day)}.duckdb"
    if folder.exists():
        shutil.rmtree(folder)
    seconds, _ = _timed(lambda: write_exports(folder, accounts, seed=42, years=3, events=events,
                                              events_per_user_day=per_user_day))
    rows.append(Row("demo generation (write exports)", seconds, peak_rss_mb=peak_rss_mb()))
    marks: dict[str, float] = {}

    def progress(fraction: float, text: str) -> None:
        if text.startswith("loading") and "load" not in marks:
            marks["load"] = time.perf_counter()
        if text.startswith("building") and "marts" not in marks:
            marks["marts"] = time.perf_counter()
        if text.startswith("scoring") and "scoring" not in marks:
            marks["scoring"] = time.perf_counter()

    started = time.perf_counter()
    result = import_folder(folder, path, as_of=DEMO_END, today=max(DEMO_END, dt.date.today()), progress=progress)
    finished = time.perf_counter()
    if not result.loaded:
        raise RuntimeError(result.report.text())
    rows.append(Row("import: read + validate", marks["load"] - started, peak_rss_mb=peak_rss_mb()))
    rows.append(Row("import: load raw tables", marks["marts"] - marks["load"], peak_rss_mb=peak_rss_mb()))
    rows.append(Row("import: staging + marts", marks["scoring"] - marks["marts"], peak_rss_mb=peak_rss_mb()))
    rows.append(Row("import: scoring stage", finished - marks["scoring"], peak_rss_mb=peak_rss_mb()))
    rows.append(Row("import: total", finished - started, peak_rss_mb=peak_rss_mb()))
    return path


def _largest_account(con, as_of: dt.date) -> str:
    return metrics.accounts_on_day(con, as_of)["account_id"][0]


def workloads(as_of: dt.date, currency: str | None = None) -> dict[str, Callable]:
    """The work behind each page and each CLI command, with their default parameters (the pages' money in
    ``currency``; None: the reporting currency)."""
    start = dt.date(as_of.year - 1, as_of.month, 1)
    return {
        "page: Overview": lambda con: overview_reader.read(con, as_of, currency=currency),
        "page: Renewal forecast (forecast)": lambda con: forecast_reader.horizon(con, as_of, 90, currency=currency),
        "page: Renewal forecast (12-month backtest)": lambda con: forecast_reader.track_record(
            con, 90, currency=currency),
        "page: Renewal calendar": lambda con: calendar_reader.read(con, as_of, currency=currency),
        "page: At-risk accounts (scores)": lambda con: at_risk_reader.read(con, as_of, currency=currency),
        "page: At-risk accounts (scores and the first table page worded)": lambda con: _at_risk_page(
            con, as_of, currency),
        "page: At-risk accounts (12-month backtest)": lambda con: at_risk_reader.track_record(con),
        "page: Cohorts and survival": lambda con: cohorts_reader.read(con, as_of, currency=currency),
        "page: Account": lambda con: account_reader.read(con, _largest_account(con, as_of), as_of,
                                                             currency=currency),
        "page: Expansion": lambda con: expansion_reader.read(con, as_of, currency=currency),
        "review pack (PDF and PPTX)": lambda con: packs_reader.review_pack_files(
            con, _largest_account(con, as_of), dates.add_months(as_of, -3), as_of, as_of, currency=currency),
        "page: Why customers leave (reasons)": lambda con: why_reader.read(con, dates.add_months(dates.quarter_floor(
            as_of), -9), as_of, as_of, currency=currency),
        "page: Why customers leave (drivers)": lambda con: why_reader.drivers_view(con),
        "page: Cohorts (retention projection)": lambda con: cohorts_reader.projection(
            con, "segment", currency=currency),
        "scoring: reasons of lost renewals": lambda con: reasons.renewal_reasons(con),
        "scoring: retention projection and values": lambda con: retention_projection.book_figures(con, as_of),
        "page: Forecast (this quarter)": lambda con: forecast_reader.quarter(con, quarters.quarter_of(as_of).label,
                                                                          as_of, currency=currency),
        "page: Forecast (next quarter)": lambda con: forecast_reader.quarter(
            con, quarters.quarter_of(as_of).next().label, as_of, currency=currency),
        "page: Forecast (since last week)": lambda con: forecast_reader.week_moved(
            con, quarters.quarter_of(as_of).label, as_of, currency=currency),
        "page: Forecast (whose calls)": lambda con: forecast_reader.calls(con, 90, currency=currency),
        "cli: forecast --quarter": lambda con: book.quarter_forecast_for(con, quarters.quarter_of(as_of), as_of),
        "page: Explore (schema)": lambda con: explore.schema(con),
        "page: Data": lambda con: data_reader.read(con),
        "cli: metrics": lambda con: metrics.window_metrics(con, start, as_of),
        "cli: movements": lambda con: metrics.monthly_movements(con),
        "cli: cohorts": lambda con: cohorts.cohorts(con, as_of, "month"),
        "cli: survival": lambda con: cohorts.survival(con, as_of),
        "cli: renewals": lambda con: renewals.rates_by_period(renewals.renewal_outcomes(con), "month"),
        "cli: overview": lambda con: overview_reader.as_json(overview_reader.read(con, as_of)),
        "cli: forecast": lambda con: forecast.forecast_json(book.forecast_for(con, as_of, 90)),
        "cli: backtest": lambda con: book.forecast_for(con, dates.add_months(as_of, -6), 90),
        "cli: risk": lambda con: book.account_scores(con, as_of),
        "cli: reasons": lambda con: reasons.by_period(reasons.stored_reasons(con), "quarter"),
        "cli: drivers": lambda con: drivers.as_json(drivers.drivers_on(con)),
        "cli: drivers --as-of a day not stored": lambda con: drivers.drivers_on(con, dates.add_months(as_of, -1)),
        "cli: project-retention": lambda con: retention_projection.as_json(*retention_projection.stored(con)),
    }


def _at_risk_page(con, as_of: dt.date, currency: str | None = None) -> object:
    """What the At-risk page does on a view: the scores, then the words of the table page it shows."""
    found = at_risk_reader.read(con, as_of, currency=currency)
    shown = found.accounts.head(int(settings.get("table_page_rows")))
    return at_risk_reader.words(shown, found.word_sources)


WORDED_PAGES = ("page: At-risk accounts (scores and the first table page worded)", "page: Expansion")


def measure_workloads(path: Path, rows: list[Row], currency: str | None = None, language: str | None = None,
                      names: tuple[str, ...] | None = None) -> None:
    """Cold (new connection, first call) and warm (second call) time of each workload (or of ``names``); with
    ``currency``, the pages' work with money shown in that currency instead of the reporting one; with
    ``language``, in that language."""
    probe = db.connect(path)
    as_of = metrics.data_as_of(probe)
    probe.close()
    for name, work in workloads(as_of, currency).items():
        if (currency or language) and not name.startswith(("page", "review")):
            continue  # the command line always answers in the reporting currency and in English
        if names and name not in names:
            continue
        con = db.connect(path)
        with i18n.language(language or "en"):
            cold, _ = _timed(lambda work=work, con=con: work(con))
            warm, _ = _timed(lambda work=work, con=con: work(con))
            with db.counting_rows_scanned() as scans:
                work(con)
        con.close()
        shown_in = " ".join(part for part in (language, currency) if part)
        rows.append(Row(f"{name} in {shown_in}" if shown_in else name, cold, warm, sum(scans), peak_rss_mb()))


def measure_languages(path: Path, rows: list[Row]) -> None:
    """The pages that word figures (At-risk, Expansion) in every language, in the reporting currency and another."""
    for language in i18n.LANGUAGES:
        for currency in (None, other_currency(path)):
            if language != "en" or currency:
                measure_workloads(path, rows, currency, language, WORDED_PAGES)


def other_currency(path: Path) -> str | None:
    """A currency with rates other than the reporting one (JPY when there is), for the converted pages."""
    con = db.connect(path)
    offered = money.offered(con)
    con.close()
    others = offered[1:]
    return "JPY" if "JPY" in others else (others[0] if others else None)


def measure_rollups(path: Path, rows: list[Row]) -> None:
    """Each step of the usage roll-up inside the import against a plain scan of the columns it reads (the floor
    we optimise against): the one distinct pass, the two counts over it, and the two marts built from them."""
    work = BENCH_DIR / "rollup-work.duckdb"
    shutil.copyfile(path, work)
    con = db.connect(work, read_only=False)
    usage_rollup.prepare_usage_source(con, every_month=True)
    steps = {name: step for name, step in usage_rollup.usage_steps(con, every_month=True).items()
             if name != "drop the pairs"}  # the import's own steps, so the bench cannot drift from them
    try:
        scan, _ = _timed(lambda: sql.run(con, "bench/usage_scan_floor"))
        total = 0.0
        for name, step in steps.items():
            seconds, _ = _timed(step)
            total += seconds
            rows.append(Row(f"roll-up: {name}", seconds, peak_rss_mb=peak_rss_mb(),
                            note=f"{seconds / scan:.2f}× the scan floor ({scan:.2f} s)", floor_ratio=seconds / scan))
        rows.append(Row("roll-up: all usage steps", total, peak_rss_mb=peak_rss_mb(),
                        note=f"{total / scan:.2f}× the scan floor", floor_ratio=total / scan))
    finally:
        con.close()
        work.unlink(missing_ok=True)


def measure_rollup_command(folder: Path, rows: list[Row], engines: tuple[str, ...]) -> None:
    """``rollup-usage`` on the demo's raw event file, with each engine (Spark on a local master), each as the
    command in a process of its own so its peak memory is its own (Spark's JVM is a child of that process)."""
    if not (folder / "usage_events.parquet").exists():
        return
    source = BENCH_DIR / "rollup-source"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir()
    (source / "usage_events.parquet").symlink_to((folder / "usage_events.parquet").resolve())
    for engine in engines:
        out = BENCH_DIR / f"rollup-out-{engine}"
        shutil.rmtree(out, ignore_errors=True)
        seconds, (output, peak) = _timed(lambda engine=engine, out=out: _command_with_peak(
            ["rollup-usage", str(source), "--out", str(out), "--engine", engine]))
        rows.append(Row(f"rollup-usage --engine {engine}", seconds, peak_rss_mb=peak,
                        note=output.strip().split(" in ")[0].replace(str(BENCH_DIR) + "/", "")))
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(source, ignore_errors=True)


def _command_with_peak(arguments: list[str]) -> tuple[str, float]:
    """Run ``python -m renewal_radar ARGS`` (through ``bench.peak_command``); its output and its own peak RSS
    (MiB), which the command reports itself."""
    result = subprocess.run([sys.executable, "-m", "bench.peak_command", *arguments], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{' '.join(arguments)} failed: {result.stderr[-2000:]}")
    peak = result.stderr.strip().splitlines()[-1].removeprefix("peak_rss_mib=")
    return result.stdout, float(peak)


def split_usage_by_day(exports: Path, folder: Path, last_day: dt.date) -> tuple[Path, Path]:
    """Copies of the demo exports for a refresh: usage as one Parquet file per day in hive folders (as event
    pipelines export it), ``before`` without the events of ``last_day`` and ``after`` with them."""
    before, after = folder / "before", folder / "after"
    shutil.rmtree(folder, ignore_errors=True)
    before.mkdir(parents=True)
    for path in exports.iterdir():
        if path.name != "usage_events.parquet":
            shutil.copy2(path, before / path.name)
    con = db.connect_memory()
    try:
        sql.execute(con, "bench/split_usage_by_day", source=str(exports / "usage_events.parquet"),
                    target=str(before / "usage_events"), last_day=last_day)
    finally:
        con.close()
    shutil.copytree(before, after, copy_function=os.link)
    (after / "usage_events" / f"day={last_day}").mkdir()
    con = db.connect_memory()
    try:
        sql.execute(con, "bench/last_usage_day", source=str(exports / "usage_events.parquet"),
                    target=str(after / "usage_events" / f"day={last_day}" / "new.parquet"), last_day=last_day)
    finally:
        con.close()
    return before, after


def measure_refresh(exports: Path, rows: list[Row]) -> None:
    """The daily refresh: yesterday's exports imported in full, then today's (one more day of usage events in
    a new file, the same small files) imported as a refresh; the refresh's end-to-end time is the figure."""
    if not (exports / "usage_events.parquet").exists():
        return
    last_day = DEMO_END - dt.timedelta(days=1)
    before, after = split_usage_by_day(exports, BENCH_DIR / "refresh-exports", last_day)
    path = BENCH_DIR / "refresh.duckdb"
    path.unlink(missing_ok=True)
    # each import as the nightly job runs it: the command line in a process of its own, end to end
    seconds, _ = _timed(lambda: _import_command(before, path, last_day))
    rows.append(Row("refresh: full import of yesterday (usage in daily files)", seconds))
    seconds, found = _timed(lambda: _import_command(after, path, DEMO_END))
    rows.append(Row("refresh: today's import (one more day of usage)", seconds,
                    note="refresh" if found["refreshed"] else "fell back to a full import"))
    for phase, spent in sorted(found["phases"].items(), key=lambda item: -item[1])[:8]:
        rows.append(Row(f"refresh phase: {phase}", spent))


def _import_command(folder: Path, path: Path, as_of: dt.date) -> dict:
    """One import in a process of its own (``bench.import_phases``): whether it refreshed and its phases."""
    result = subprocess.run([sys.executable, "-m", "bench.import_phases", str(folder), "--db", str(path),
                             "--as-of", as_of.isoformat()], cwd=REPO_ROOT, capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def render(rows: list[Row], accounts: int, events: int, per_user_day: float = 1.0) -> str:
    """The results as a Markdown table, each row with its target (issue 26) and whether it is met."""
    lines = [f"accounts={accounts:,} events={events:,} events per user-day={per_user_day:g}", "",
             "| stage | cold s | warm s | rows scanned | peak RSS MiB | target | note |",
             "|---|---:|---:|---:|---:|---|---|"]
    for row in rows:
        warm = f"{row.warm_s:.3f}" if row.warm_s is not None else ""
        scanned = f"{row.rows_scanned:,}" if row.rows_scanned is not None else ""
        lines.append(f"| {row.stage} | {row.cold_s:.3f} | {warm} | {scanned} | {row.peak_rss_mb:,.0f} | "
                     f"{judged(row)} | {row.note} |")
    return "\n".join(lines)


def run(accounts: int = 2000, events: int | None = None, reuse: bool = True, out=sys.stdout,
        engines: tuple[str, ...] = ("duckdb", "spark"), only: str | None = None,
        per_user_day: float = 1.0) -> list[Row]:
    """Build or reuse the database of this size, measure every stage, print the table."""
    events = events if events is not None else accounts * 1000
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    name = size_name(accounts, events, per_user_day)
    path, exports = BENCH_DIR / f"bench-{name}.duckdb", BENCH_DIR / f"exports-{name}"
    if not (reuse and path.exists()):
        path = build(accounts, events, rows, per_user_day)
    stages = {"rollups": lambda: measure_rollups(path, rows),
              "rollup-usage": lambda: measure_rollup_command(exports, rows, engines),
              "refresh": lambda: measure_refresh(exports, rows),
              "pages": lambda: measure_workloads(path, rows),
              "pages-currency": lambda: measure_workloads(path, rows, other_currency(path)),
              "pages-languages": lambda: measure_languages(path, rows)}
    for name, stage in stages.items():
        if only is None or only == name:
            stage()
    print(render(rows, accounts, events, per_user_day), file=out)
    return rows
