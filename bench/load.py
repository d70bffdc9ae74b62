"""Many people at once: real Chromium sessions against a running Renewal Radar, server and browsers on separate cores.

``python -m bench.load [--db PATH] [--sessions 20] [--server-cores 0] [--browser-cores 1]``

Starts ``streamlit run app.py`` pinned to the server cores (``taskset``), pins this process and the
Chromium it launches to the browser cores, and runs three phases:

1. **CPU per warm page view**: one session opens each page once (warming the caches), then again
   ``--repeats`` times; the server process's CPU time (``/proc/<pid>/stat``) per view, beside the Data
   page's, which is Streamlit's own cost of a page.
2. **N sessions within a minute**: they arrive evenly over ``--arrivals`` seconds (30) and each opens
   Overview, Forecast, Calendar, At-risk and Cohorts in turn; client
   times (navigation to the script finished and charts drawn) and the server's own page-run times
   (recorded by the app in the audit file), errors counted.
3. **An import while 10 sessions read**: the readers reload the Overview while ``import`` replaces the
   book with another as-of day; every ARR figure a reader sees must be the old book's or the new one's.

Without ``--db`` it builds the 2,000-account demo (seed 42) and its exports under ``bench/results``.
Prints Markdown tables for bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.async_api import Page, async_playwright

from renewal_radar import audit
from renewal_radar.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
# Twenty tabs drawing charts on one core take minutes; a view fails only when its server never answers.
TIMEOUT_MS = 300_000
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TOUR = ("", "forecast", "calendar", "at_risk", "cohorts")  # the five pages ("" is the Overview)
CHARTS = {"": 3, "forecast": 2, "calendar": 2, "at_risk": 2, "cohorts": 3, "data": 0, "expansion": 1}  # drawn on load
TITLES = {"": "Overview", "forecast": "Renewal forecast", "calendar": "Renewal calendar",
          "at_risk": "At-risk accounts", "cohorts": "Cohorts and survival"}
CPU_PAGES = ("data", "", "forecast", "calendar", "at_risk", "cohorts", "expansion")
RESULTS = REPO_ROOT / "bench" / "results"
TICKS = os.sysconf("SC_CLK_TCK")


def page_name(path: str) -> str:
    """The page a URL path opens."""
    return path or "overview"


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its finished children so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICKS


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(database: Path, cores: str, log: Path):
    """The app on a free port in local mode, pinned to ``cores``; yields (url, pid)."""
    port = free_port()
    secrets = log.with_name("no-secrets.toml")
    secrets.write_text("", encoding="utf-8")
    env = {**os.environ, "RENEWAL_RADAR_DB": str(database)}
    with log.open("w") as out:
        process = subprocess.Popen(
            ["taskset", "-c", cores, sys.executable, "-m", "renewal_radar.ui.serve", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--secrets.files", str(secrets)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_healthy(url: str, timeout: float = 90) -> None:
    """Wait for Streamlit's health endpoint."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy")


async def open_page(page: Page, url: str, path: str) -> float:
    """Navigate and wait until the script has run and the charts are drawn; client seconds."""
    started = time.perf_counter()
    await page.goto(f"{url}/{path}", timeout=TIMEOUT_MS)
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS)
    await page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=TIMEOUT_MS)
    await wait_drawn(page, path)
    return time.perf_counter() - started


async def wait_drawn(page: Page, path: str) -> None:
    """Wait until the page's charts are drawn (the script's end reaches the browser before its last elements)."""
    await page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= n"
        " && document.querySelectorAll('[data-testid=\"stMetricValue\"], [data-testid=\"stDataFrame\"]').length"
        " + (n === 0 ? 1 : 0) > 0", arg=CHARTS[path], timeout=TIMEOUT_MS)


async def click_to(page: Page, path: str) -> float:
    """Go to a page through the sidebar, as a person does (no reload); client seconds until it is drawn."""
    started = time.perf_counter()
    await page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
    await page.wait_for_function(
        "title => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
        " && document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')?.innerText.trim() === title",
        arg=TITLES[path], timeout=TIMEOUT_MS)
    await wait_drawn(page, path)
    return time.perf_counter() - started


async def page_errors(page: Page) -> int:
    """Exceptions or error boxes Streamlit drew on the page."""
    return await page.locator('[data-testid="stException"]').count()


async def cpu_per_view(browser, url: str, pid: int, repeats: int) -> list[dict]:
    """Phase 1: server CPU seconds per warm view of each page, one session."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1200})
    page = await context.new_page()
    rows = []
    for path in CPU_PAGES:
        await open_page(page, url, path)  # warm the caches
        await asyncio.sleep(0.5)
        cpu, client = [], []
        for _ in range(repeats):
            before = server_cpu_seconds(pid)
            client.append(await open_page(page, url, path))
            await asyncio.sleep(0.5)  # the last websocket messages are sent after the script finishes
            cpu.append(server_cpu_seconds(pid) - before)
        rows.append({"page": page_name(path), "server_cpu_s": statistics.median(cpu),
                     "client_s": statistics.median(client)})
    await context.close()
    return rows


async def tour(browser, url: str, session: int, results: list[dict], delay: float) -> None:
    """One session arriving after ``delay`` seconds and opening the five pages in turn."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1440, "height": 1200})
    page = await context.new_page()
    for index, path in enumerate(TOUR):
        try:
            seconds = await (open_page(page, url, path) if index == 0 else click_to(page, path))
            results.append({"session": session, "page": page_name(path), "client_s": seconds,
                            "errors": await page_errors(page)})
        except Exception as exc:  # a timeout or a crash is a failed view, counted, not fatal to the run
            results.append({"session": session, "page": page_name(path), "client_s": None, "errors": 1,
                            "error": str(exc).splitlines()[0]})
    await context.close()


async def many_sessions(browser, url: str, database: Path, sessions: int, arrivals_s: float) -> dict:
    """Phase 2: ``sessions`` people arriving evenly over ``arrivals_s`` seconds, each touring the five pages."""
    since = dt.datetime.now()
    results: list[dict] = []
    started = time.perf_counter()
    await asyncio.gather(*(tour(browser, url, n, results, arrivals_s * n / sessions) for n in range(sessions)))
    wall = time.perf_counter() - started
    runs = audit.page_times(since, db_path=database)
    client = sorted(r["client_s"] for r in results if r["client_s"] is not None)
    return {"wall_s": wall, "views": len(results), "errors": sum(r["errors"] for r in results),
            "messages": sorted({r["error"] for r in results if r.get("error")}),
            "client_p50": quantile(client, 0.5), "client_p95": quantile(client, 0.95),
            "server": runs, "server_p95_max": float(runs["p95_seconds"].max() or 0)}


def quantile(values: list[float], q: float) -> float:
    """Linear-interpolated quantile of sorted values."""
    if not values:
        return float("nan")
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


async def reader(browser, url: str, seen: list[str], errors: list[str], stop: asyncio.Event) -> None:
    """Reload the Overview until told to stop, noting the ARR figure each time."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1200})
    page = await context.new_page()
    while not stop.is_set():
        try:
            await open_page(page, url, "")
            if await page_errors(page):
                errors.append("exception on the page")
            seen.append((await page.locator('[data-testid="stMetricValue"]').all_inner_texts())[0])  # ARR now
        except Exception as exc:  # counted: a reader must never fail
            errors.append(str(exc).splitlines()[0])
    await context.close()


async def import_while_reading(browser, url: str, database: Path, exports: Path, cores: str) -> dict:
    """Phase 3: 10 readers while ``import`` swaps in the book as of an earlier day; values seen."""
    seen: list[str] = []
    errors: list[str] = []
    stop = asyncio.Event()
    tasks = [asyncio.create_task(reader(browser, url, seen, errors, stop)) for _ in range(10)]
    deadline = time.monotonic() + 120
    while len(seen) < 10 and time.monotonic() < deadline:  # every reader is reading before the import starts
        await asyncio.sleep(1)
    before = set(seen)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        "taskset", "-c", cores, sys.executable, "-m", "renewal_radar", "import", str(exports), "--db", str(database),
        "--as-of", "2026-09-01", "--full", cwd=REPO_ROOT, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate()
    import_s = time.perf_counter() - started
    count_at_swap = len(seen)
    deadline = time.monotonic() + 120
    while len(seen) < count_at_swap + 10 and time.monotonic() < deadline:  # and each has read after it
        await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*tasks)
    after = set(seen[count_at_swap:])
    return {"import_ok": process.returncode == 0, "import_s": import_s, "views": len(seen), "errors": errors,
            "values": sorted(set(seen)), "before": sorted(before), "after": sorted(after),
            "stderr": stderr.decode()[-500:]}


def demo_database() -> tuple[Path, Path]:
    """The 2,000-account demo and its exports, built once under bench/results."""
    folder = RESULTS / "load"
    database, exports = folder / "demo-2000.duckdb", folder / "exports"
    if not database.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "renewal_radar", "demo", "--db", str(database), "--accounts", "2000",
                        "--seed", "42", "--exports", str(exports)], cwd=REPO_ROOT, check=True)
    return database, exports


async def run(args) -> None:
    """All three phases; prints the tables."""
    source, exports = (Path(args.db), Path(args.exports)) if args.db else demo_database()
    work = RESULTS / "load" / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database = work / "live.duckdb"
    shutil.copy(source, database)
    os.sched_setaffinity(0, {int(c) for c in args.browser_cores.split(",")})  # Chromium inherits it
    with server(database, args.server_cores, work / "server.log") as (url, pid):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cpu = await cpu_per_view(browser, url, pid, args.repeats)
            print_cpu(cpu)
            crowd = await many_sessions(browser, url, database, args.sessions, args.arrivals)
            print_crowd(crowd, args.sessions)
            swap = await import_while_reading(browser, url, database, exports, args.server_cores)
            print_swap(swap)
            await browser.close()


def print_cpu(rows: list[dict]) -> None:
    """Phase 1's table."""
    data = next(r["server_cpu_s"] for r in rows if r["page"] == "data")
    print("\n| page | server CPU per warm view (s) | above the Data page (s) | client (s) |\n|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['page']} | {row['server_cpu_s']:.3f} | {row['server_cpu_s'] - data:+.3f} | "
              f"{row['client_s']:.2f} |")


def print_crowd(crowd: dict, sessions: int) -> None:
    """Phase 2's table."""
    print(f"\n{sessions} sessions × 5 pages: {crowd['views']} views in {crowd['wall_s']:.1f} s, "
          f"{crowd['errors']} errors; client p50 {crowd['client_p50']:.2f} s, p95 {crowd['client_p95']:.2f} s")
    if crowd["messages"]:
        print("errors:", crowd["messages"][:5])
    print("\n| page | runs | server p50 (s) | server p95 (s) | script CPU p50 (s) |\n|---|---:|---:|---:|---:|")
    for row in crowd["server"].iter_rows(named=True):
        print(f"| {row['page']} | {row['runs']} | {row['p50_seconds']:.2f} | {row['p95_seconds']:.2f} | "
              f"{row['p50_cpu_seconds']:.2f} |")


def print_swap(swap: dict) -> None:
    """Phase 3's summary."""
    print(f"\nimport while 10 sessions read: import {'ok' if swap['import_ok'] else 'FAILED'} in "
          f"{swap['import_s']:.1f} s; {swap['views']} Overview views, {len(swap['errors'])} errors; "
          f"ARR seen before {swap['before']}, after {swap['after']}, all values {swap['values']}")
    if swap["errors"]:
        print("errors:", swap["errors"][:5])
    if not swap["import_ok"]:
        print(swap["stderr"])


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database to copy (default: the 2,000-account demo)")
    parser.add_argument("--exports", help="the export folder of --db, imported in phase 3")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5, help="warm views per page in phase 1")
    parser.add_argument("--arrivals", type=float, default=30.0,
                        help="seconds over which the sessions of phase 2 arrive (evenly)")
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--browser-cores", default="1")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
