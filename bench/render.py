"""Time a full Streamlit render of each page (AppTest: script run, queries, charts), cold and after a filter change.

``python -m bench.render [--db PATH]``: the first run of a page starts with empty caches (a fresh process);
the filter change selects one segment, so its queries run again. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import time

from streamlit.testing.v1 import AppTest

from renewal_radar.settings import REPO_ROOT

PAGES = ("pages/overview.py", "pages/forecast.py", "pages/why.py", "pages/calendar.py", "pages/at_risk.py",
         "pages/account.py", "pages/expansion.py", "pages/cohorts.py", "pages/explore.py", "pages/data.py")


def render_times(page: str) -> tuple[float, float]:
    """Seconds for the first render of ``page`` and for the rerun after a segment filter change."""
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=600)
    started = time.perf_counter()
    app.run()  # the entrypoint renders the Overview
    if page != "pages/overview.py":
        started = time.perf_counter()
        app.switch_page(page).run()  # the Account page opens the largest account at risk when none is given
    first = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception}")
    started = time.perf_counter()
    app.session_state["segments"] = ["Enterprise"]
    app.run()
    return first, time.perf_counter() - started


def main() -> None:
    """Print the render table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    if args.db:
        os.environ["RENEWAL_RADAR_DB"] = args.db
    print("| page | first render s | after a filter change s |\n|---|---:|---:|")
    for page in PAGES:
        first, changed = render_times(page)
        print(f"| {page} | {first:.2f} | {changed:.2f} |")


if __name__ == "__main__":
    main()
