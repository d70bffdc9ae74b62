"""Whole pages as people feel them: every page the navigation lists, timed in headless Chromium (issue 36).

``python -m bench.browser --db PATH [--rounds 2] [--width 1440] [--language en]``

Starts the app as ``make run`` does (``python -m renewal_radar.ui.serve``, through ``bench.load.server`` on every
core) against a copy of ``PATH`` and, for
each page, times two ways of arriving, the best of ``--rounds``:

- **in-app**: from the Overview already open, a click on the page's link in the sidebar, until the page is drawn;
- **new tab**: a new browser tab opening the page's address, until the page is drawn.

"Drawn" means the script has finished, the page's title is shown, every chart on screen has drawn its SVG, every
table on screen its canvas, and nothing changed for a moment after. Prints a Markdown table with both times and
each page's new-tab time over the lightest page's (the Import page, which reads nothing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.load import CHROMIUM, CHROMIUM_ARGS, server

TIMEOUT_MS = 180_000
# every chart and visible table drawn, the script finished, the title shown
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMainBlockContainer"] h1')) return false;
  const shown = el => el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})
    && el.getBoundingClientRect().height > 0 && el.getBoundingClientRect().top < window.innerHeight;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(shown);
  const tables = [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(shown);
  return charts.every(c => c.querySelector('.main-svg')) && tables.every(t => t.querySelector('canvas'))
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""
LIGHTEST = "import"


def page_paths() -> list[str]:
    """The URL path of every page the navigation lists, in its order ("" is the Overview, the default page)."""
    from renewal_radar.ui.navigation import page_files

    return ["" if path == "pages/overview.py" else Path(path).stem for path in page_files()]


def wait_drawn(page: Page) -> float:
    """Wait until the page is drawn and stays so for 300 ms (Streamlit sends its last elements after the script's
    end: a chart still arriving undoes "drawn"); the moment it was first drawn for good (``perf_counter``)."""
    while True:
        page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
        drawn_at = time.perf_counter()
        page.wait_for_timeout(300)
        if page.evaluate(f"({DRAWN})()"):
            return drawn_at


def _title(page: Page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()


def new_tab(context, url: str, path: str) -> float:
    """Seconds from opening the page's address in a new tab until it is drawn."""
    tab = context.new_page()
    try:
        started = time.perf_counter()
        tab.goto(f"{url}/{path}", timeout=TIMEOUT_MS)
        return wait_drawn(tab) - started
    finally:
        tab.close()


def in_app(context, url: str, path: str) -> float:
    """Seconds from a click on the page's sidebar link (the Overview open and drawn) until the page is drawn."""
    tab = context.new_page()
    try:
        tab.goto(url, timeout=TIMEOUT_MS)
        wait_drawn(tab)
        if not path:  # the Overview: from another page back to it
            tab.locator(f'[data-testid="stSidebarNav"] a[href$="/{LIGHTEST}"]').first.click()
            tab.wait_for_url(f"**/{LIGHTEST}")
            wait_drawn(tab)
        before = _title(tab)
        started = time.perf_counter()
        link = f'[data-testid="stSidebarNav"] a[href="{url}/{path}"]' if path else \
            '[data-testid="stSidebarNav"] a[href$=":{}/"]'.format(url.rsplit(":", 1)[1])
        tab.locator(link).first.click()
        tab.wait_for_function("t => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')?.innerText"
                              " !== t", arg=before, timeout=TIMEOUT_MS)
        return wait_drawn(tab) - started
    finally:
        tab.close()


def measure(url: str, rounds: int, width: int, language: str) -> dict[str, tuple[float, float]]:
    """Each page's best in-app and new-tab seconds over ``rounds``."""
    times: dict[str, tuple[float, float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
        new_tab(context, url, LIGHTEST)  # the server's first session: imports and caches warmed once
        for _ in range(rounds):
            for path in page_paths():
                app_s, tab_s = in_app(context, url, path), new_tab(context, url, path)
                best = times.get(path, (app_s, tab_s))
                times[path] = (min(best[0], app_s), min(best[1], tab_s))
        browser.close()
    return times


def table(times: dict[str, tuple[float, float]]) -> str:
    """The Markdown table of the run."""
    lightest = times[LIGHTEST][1]
    lines = ["| page | in-app s | new tab s | new tab ÷ lightest |", "|---|---:|---:|---:|"]
    for path, (app_s, tab_s) in times.items():
        lines.append(f"| {path or 'overview'} | {app_s:.2f} | {tab_s:.2f} | {tab_s / lightest:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    """Time every page on a copy of the database given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--language", default="en", help="the browser's language (en, ko, ja, zh-TW)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.duckdb"
        shutil.copy(args.db, database)
        with server(database, f"0-{os.cpu_count() - 1}", Path(folder) / "server.log") as (url, _):
            print(table(measure(url, args.rounds, args.width, args.language)))


if __name__ == "__main__":
    main()
