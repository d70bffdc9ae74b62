"""Real browser: `streamlit run app.py` on a free local port, driven by Playwright in Debian's Chromium.

Opens every page, fails on any exception box or browser console error,
changes a filter, and saves screenshots under tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
PAGES = {"overview": "", "forecast": "forecast", "calendar": "calendar", "at_risk": "at_risk", "cohorts": "cohorts",
         "data": "data"}
# charts drawn on load (hidden tabs draw later)
CHARTS = {"overview": 3, "forecast": 2, "calendar": 2, "at_risk": 2, "cohorts": 4, "data": 0}
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
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


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "RENEWAL_RADAR_DB": str(demo_db)}
    log = (tmp_path_factory.mktemp("streamlit") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    # tall enough that a screenshot shows the whole page: Streamlit scrolls inside its own container
    context = browser.new_context(viewport={"width": 1440, "height": 2600})
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda msg: _record_console(tab, msg))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    tab.on("response", lambda response: _record_failed_response(tab, response))
    yield tab
    context.close()


def _record_console(page: Page, message) -> None:
    # failed loads are judged by their URL in _record_failed_response
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.console_errors.append(message.text)


def _record_failed_response(page: Page, response) -> None:
    # On a page's own URL (/data) Streamlit's frontend first probes /data/_stcore/health and
    # /data/_stcore/host-config to find its base path, then falls back to /; those 404s are by design.
    probing = response.url.split("?")[0].endswith(("/_stcore/health", "/_stcore/host-config"))
    if response.status >= 400 and not probing:
        page.console_errors.append(f"{response.status} {response.url}")


def wait_for_app(page: Page, expected_charts: int = 0) -> None:
    """Wait until the script has run, and every chart and table has drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .js-plotly-plot .main-svg').length >= n",
        arg=expected_charts, timeout=60_000)
    # tables in tabs the user has not opened, or below the fold, are not drawn yet: only visible ones count
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        ".filter(table => table.offsetParent !== null && table.getBoundingClientRect().top < window.innerHeight)"
        ".every(table => table.querySelector('canvas'))",
        timeout=60_000)
    page.wait_for_timeout(500)


def assert_clean(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()
    assert page.console_errors == []


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_chromium(server, page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/{PAGES[name]}")
    try:
        wait_for_app(page, CHARTS[name])
    finally:  # a screenshot of a page that never settled is the best clue to why
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert_clean(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if name == "overview":
        assert page.locator('[data-testid="stMetric"]').count() == 6


def _first_metric(page: Page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_filter_change_updates_numbers_and_survives_navigation(server, page):
    page.goto(server)
    wait_for_app(page, CHARTS["overview"])
    before = _first_metric(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.get_by_role("option", name="Enterprise").click()
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => document.querySelector('[data-testid=\"stMetricValue\"]').innerText !== "
                           f"{before!r}", timeout=30_000)
    wait_for_app(page)
    after = _first_metric(page)
    assert after != before
    page.screenshot(path=str(SHOTS / "overview_enterprise.png"), full_page=True)
    page.get_by_role("link", name="Data").click()
    wait_for_app(page)
    page.get_by_role("link", name="Overview").click()
    wait_for_app(page)
    assert _first_metric(page) == after  # the sidebar filter is kept across pages
    assert_clean(page)
