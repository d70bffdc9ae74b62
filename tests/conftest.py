"""Shared fixtures: real DuckDB files built through the real import path."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renewal_radar import db  # noqa: E402
from renewal_radar.demo import build_demo  # noqa: E402
from renewal_radar.ingest import import_folder  # noqa: E402
from tools import screens  # noqa: E402

# The hand-checked company of the metric tests (see test_metrics.py for the worked answers).
#  A: 100 from Jan 1, 150 from Jul 1 (expansion, open-ended)
#  B: 200 from Jan 15 (mid-month start) to Apr 1 (churn)
#  C: 50 in February, back with 60 in May (reactivation), gone Jun 1
#  D: a line that starts and ends on Mar 10 (never active)
#  E: a zero-MRR line (never active)
#  F: EUR 100 at 1.2 from Jan 1, EUR 80 at 1.25 from Jun 1 (contraction 120 -> 100)
#  G: 40 from Jun 1 to Dec 1 (renewal still open on the as-of day)
HAND_SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,product,currency,bill_period_months,notice_days
A,2024-01-01,2024-07-01,100,Core,USD,6,30
A,2024-07-01,,150,Core,USD,12,30
B,2024-01-15,2024-04-01,200,Core,USD,1,
C,2024-02-01,2024-03-01,50,Core,USD,1,
C,2024-05-01,2024-06-01,60,Core,USD,1,
D,2024-03-10,2024-03-10,80,Core,USD,1,
E,2024-01-01,,0,Core,USD,1,
F,2024-01-01,2024-06-01,100,Core,EUR,12,60
F,2024-06-01,,80,Core,EUR,12,60
G,2024-06-01,2024-12-01,40,Core,USD,6,
"""
HAND_ACCOUNTS = """account_id,name,segment,region,csm_owner,Acquisition Channel
A,Acme,SMB,EMEA,Ann,web
B,Beta,Enterprise,EMEA,Bob,partner
C,Ceres,SMB,APAC,Ann,web
D,Delta,SMB,APAC,Ann,web
E,Echo,SMB,APAC,Ann,web
F,Foxtrot,Enterprise,EMEA,Bob,partner
G,Golf,SMB,EMEA,Ann,web
"""
HAND_FX = """currency,month,rate
EUR,2024-01-01,1.2
EUR,2024-06-01,1.25
"""
HAND_AS_OF = dt.date(2024, 12, 15)


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: one worker more than cores, so a core is not left idle while a worker waits on a Streamlit
    server, Chromium or a command's subprocess (measured here: 13 min 2 s with two workers, 10 min 15 s with
    four, 9 min 49 s with three, ``--dist worksteal`` evening out the end). Both cores are busy for 98 % of a
    run with three; a fourth only adds its own collection, servers and browser (1,224 busy core-seconds against
    1,160)."""
    return (os.cpu_count() or 1) + 1


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write export files (text as UTF-8, bytes as given) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def import_files(tmp_path: Path, files: dict[str, str | bytes], as_of: dt.date | None = None,
                 name: str = "test.duckdb"):
    """Import export files into a real DuckDB file; returns (db path, import result)."""
    folder = write_files(tmp_path / f"exports-{len(list(tmp_path.iterdir()))}", files)
    path = tmp_path / name
    result = import_folder(folder, path, as_of=as_of, today=dt.date(2026, 11, 24))
    return path, result


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` across the test run's worker processes (pytest-xdist)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(tmp_path_factory, name: str, build) -> Path:
    """A folder built by ``build(folder)`` once per test run, shared by every worker, copied into this worker's
    temporary folder (a test may write to its copy). Parallel workers share the run's base folder, so the first
    one to ask builds while the others wait on the lock, then copy."""
    worker_root = tmp_path_factory.getbasetemp()
    shared = worker_root.parent if os.environ.get("PYTEST_XDIST_WORKER") else worker_root
    built = shared / f"built-{name}"
    with _locked(shared / f"built-{name}.lock"):
        if not (built / ".done").exists():
            shutil.rmtree(built, ignore_errors=True)
            build(built)
            (built / ".done").touch()
    copy = tmp_path_factory.mktemp(name)
    shutil.copytree(built, copy, dirs_exist_ok=True)
    return copy


def _build_hand(folder: Path) -> None:
    folder.mkdir(parents=True)
    _, result = import_files(folder, {"subscriptions.csv": HAND_SUBSCRIPTIONS, "accounts.csv": HAND_ACCOUNTS,
                                         "fx_rates.csv": HAND_FX}, as_of=HAND_AS_OF)
    assert result.loaded, result.report.text()


@pytest.fixture(scope="session")
def hand_db(tmp_path_factory) -> Path:
    """The hand-checked company as a real DuckDB file."""
    return built_once(tmp_path_factory, "hand", _build_hand) / "test.duckdb"


@pytest.fixture()
def hand_con(hand_db):
    con = db.connect(hand_db)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small seeded demo company (400 accounts) loaded through the import path."""
    def build(folder: Path) -> None:
        folder.mkdir(parents=True)
        build_demo(folder / "demo.duckdb", accounts=400, seed=7, events=200_000)

    return built_once(tmp_path_factory, "demo", build) / "demo.duckdb"


@pytest.fixture()
def demo_con(demo_db):
    con = db.connect(demo_db)
    yield con
    con.close()


@pytest.fixture()
def cli_env(demo_db):
    """Environment for running the real command line against the demo database."""
    return {**os.environ, "RENEWAL_RADAR_DB": str(demo_db), "PYTHONPATH": str(ROOT)}


def table_differences(first: Path, second: Path, table: str, round_doubles: int | None = None) -> int:
    """Rows of ``table`` in one database file and not the other (EXCEPT ALL both ways); doubles rounded to
    ``round_doubles`` decimals when given. The files are bound; the comparison uses the relation API."""
    import duckdb

    con = duckdb.connect()
    con.execute("attach ? as a (read_only)", [str(first)])
    con.execute("attach ? as b (read_only)", [str(second)])
    left, right = con.table(f"a.{table}"), con.table(f"b.{table}")

    def comparable(name: str, kind) -> duckdb.Expression:
        column = duckdb.ColumnExpression(name)
        if str(kind) == "DOUBLE" and round_doubles is not None:
            return duckdb.FunctionExpression("round", column, duckdb.ConstantExpression(round_doubles)).alias(name)
        return column

    columns = [comparable(name, kind) for name, kind in zip(left.columns, left.types, strict=True)]
    left, right = left.select(*columns), right.select(*columns)
    return len(left.except_(right).fetchall()) + len(right.except_(left).fetchall())


STRIPE_FIXTURE = Path(__file__).parent / "fixtures" / "stripe_dashboard"
STRIPE_COMMENT = '=HYPERLINK("http://x.example","<b>cheaper elsewhere</b>")'


@pytest.fixture(scope="session")
def stripe_reasons_db(tmp_path_factory) -> Path:
    """The Stripe Dashboard fixture with the cancellation details the API exports: cus_C cancelled with feedback
    too_expensive and a comment holding markup and a formula (issue 23)."""

    return built_once(tmp_path_factory, "stripe_reasons", _build_stripe_reasons) / "stripe.duckdb"


def _build_stripe_reasons(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "fx_rates.csv").write_bytes((STRIPE_FIXTURE / "fx_rates.csv").read_bytes())
    rows = pl.read_csv(STRIPE_FIXTURE / "subscriptions.csv", infer_schema=False)
    rows.with_columns(pl.col("id").replace_strict({"sub_C1": "too_expensive"}, default=None)
                      .alias("Cancellation Feedback"),
                      pl.col("id").replace_strict({"sub_C1": STRIPE_COMMENT}, default=None)
                      .alias("Cancellation Comment")).write_csv(folder / "subscriptions.csv")
    result = import_folder(folder, folder / "stripe.duckdb", as_of=dt.date(2026, 12, 1), today=dt.date(2026, 12, 1))
    assert result.loaded, result.report.text()


def cut_exports(source, target, day: dt.date) -> None:
    """What a snapshot exported on ``day`` would have held: only what was known before it."""
    target.mkdir()
    cut = dt.datetime.combine(day, dt.time())
    lines = pl.read_csv(source / "subscriptions.csv", try_parse_dates=True)
    lines.filter(pl.coalesce("booked_date", "start_date") <= day).write_csv(target / "subscriptions.csv")
    for name, column in (("tickets", "created_at"), ("surveys", "responded_at"), ("activities", "occurred_at")):
        frame = pl.read_csv(source / f"{name}.csv", try_parse_dates=True).filter(pl.col(column) < cut)
        if name == "tickets":  # solved after the day: still open in that snapshot
            frame = frame.with_columns(pl.when(pl.col("solved_at") < cut).then(pl.col("solved_at")).alias("solved_at"))
        frame.write_csv(target / f"{name}.csv")
    usage = pl.read_parquet(source / "usage_events.parquet")
    usage.filter(pl.col("event_time") < cut).write_parquet(target / "usage_events.parquet")
    for name in ("accounts.csv", "fx_rates.csv", "renewal_opportunities.csv", "team.csv", "targets.csv"):
        shutil.copy(source / name, target / name)
    history = pl.read_csv(source / "opportunity_history.csv", try_parse_dates=True)
    history.filter(pl.col("changed_at") < cut).write_csv(target / "opportunity_history.csv")


# ---------------------------------------------------------------- a real browser on a real server (test_browser,
# test_sign_in, test_digest): `streamlit run app.py` on a free port, driven by Playwright in Debian's Chromium

# Debian's chromium-headless-shell: Chromium's own headless build (the same Blink and V8 as /usr/bin/chromium, what
# Playwright itself runs headless tests in), without the full browser's windowing layers. Measured here on the test
# demo, twelve pages each opened in a new tab: 35 core-seconds against the full browser's 57. `python -m
# tools.screens` and bench.browser keep /usr/bin/chromium: the looks and the times are the browser people use.
CHROMIUM = "/usr/bin/chromium-headless-shell"


SHOTS = ROOT / "tests" / "screenshots"


CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@contextlib.contextmanager
def streamlit_server(database: Path, log_folder: Path, secrets: Path | None = None, port: int | None = None,
                     env: dict | None = None, host: str = "127.0.0.1"):
    """The app on a free port against ``database``, started as `make run` starts it (``renewal_radar.ui.serve``);
    yields its URL.

    Without ``secrets`` the app runs in local mode (an empty secrets file, so a developer's own
    .streamlit/secrets.toml is never picked up).
    """
    port = port or free_port()
    if secrets is None:
        secrets = log_folder / "no-secrets.toml"
        secrets.write_text("", encoding="utf-8")
    env = {**os.environ, "RENEWAL_RADAR_DB": str(database), **(env or {})}
    log = (log_folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "renewal_radar.ui.serve", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{host}:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium-headless-shell"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    # tall enough that a screenshot shows the whole page: Streamlit scrolls inside its own container
    context = browser.new_context(viewport={"width": 1440, "height": 2600})
    tab = context.new_page()
    # every failed load counts, the probes of /<page>/_stcore/health a deep link once made included (issue 37:
    # the server now tells the page its base address, renewal_radar.ui.serve.BaseUrlOnDeepLinks)
    screens.watch_console(tab)
    yield tab
    context.close()


def wait_for_app(page: Page, expected_charts: int = 0) -> None:
    """Wait until the script has run, and every chart and table has drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .js-plotly-plot .main-svg').length >= n",
        arg=expected_charts, timeout=60_000)
    # tables in closed tabs or expanders, or below the fold, are not drawn yet: only visible ones count
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        ".filter(table => table.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})"
        " && table.getBoundingClientRect().height > 0 && table.getBoundingClientRect().top < window.innerHeight)"
        ".every(table => table.querySelector('canvas'))",
        timeout=60_000)
    page.wait_for_timeout(500)


def choose(page: Page, select: Locator, option: str) -> None:
    """Open a select box or multiselect and pick an option by its label.

    A rerun that lands just after the click (a lazy tab or fragment finishing) redraws the widget and closes its
    list before it shows; under a loaded CI machine that happened once in a few hundred runs. So the list is
    opened again, at most three times, before the test fails.
    """
    for _ in range(3):
        select.click()
        try:
            page.get_by_role("option", name=option).first.click(timeout=10_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_for_app(page)
    raise AssertionError(f"the option {option!r} never appeared in its list")


def assert_clean(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()
    assert page.console_errors == []


def upload_check_and_load(page: Page, paths: list[Path], as_of: str) -> None:
    """On the Import page: upload the files, check them, load them, and wait for the as-of day loaded."""
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(path) for path in paths])
    page.get_by_text("table: subscriptions").wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Check files").click()
    page.get_by_text("No errors").wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Load into Renewal Radar").click()
    page.get_by_text(f"Loaded, as of {as_of}").wait_for(timeout=60_000)
