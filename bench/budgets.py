"""What each page costs, counted rather than timed, so a budget holds on any machine (issue 36).

``python -m bench.budgets --db PATH [--write]`` counts, for each page reader the bench times
(``bench.run.workloads``, the ``page:`` rows), the queries it runs and the rows DuckDB's table scans read on a
warm call (DuckDB's profiler, :func:`renewal_radar.db.counting_rows_scanned`), and, for each page the navigation
lists, the bytes the page sends to the browser (the serialized protobuf of every element of a real Streamlit run
in AppTest: tables, charts, text). ``--write`` records them as the budgets ``tests/test_budgets.py`` holds the
code to: a change that doubles one fails and names the reader or page. Record them on the test demo
(``tests/conftest.demo_db``: 400 accounts, seed 7), which is what the test measures.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from renewal_radar import db, i18n, metrics
from renewal_radar.settings import REPO_ROOT

BUDGETS = REPO_ROOT / "tests" / "budgets.json"
ALLOWED_GROWTH = 2.0  # a change that doubles a count fails


def reader_costs(path: Path) -> dict[str, dict[str, int]]:
    """Queries and rows scanned of a warm call of each page reader on the database at ``path``."""
    from bench.run import workloads

    probe = db.connect(path)
    as_of = metrics.data_as_of(probe)
    probe.close()
    costs = {}
    for name, work in workloads(as_of).items():
        if not name.startswith("page"):
            continue
        con = db.connect(path)
        with i18n.language("en"):
            work(con)  # the cold call fills the caches a page view finds filled
            with db.counting_rows_scanned() as scans:
                work(con)
        con.close()
        costs[name] = {"queries": len(scans), "rows_scanned": int(sum(scans))}
    return costs


def _element_bytes(node) -> int:
    """Serialized bytes of a node of AppTest's element tree and everything under it."""
    children = getattr(node, "children", None)
    if children is not None:  # a block (the tree itself, a column, a tab, an expander…)
        return sum(_element_bytes(child) for child in children.values())
    proto = getattr(node, "proto", None)
    return proto.ByteSize() if hasattr(proto, "ByteSize") else 0


def page_bytes(path: Path) -> dict[str, int]:
    """Bytes each page the navigation lists sends on its first view (default filters, English)."""
    from streamlit.testing.v1 import AppTest

    from renewal_radar.ui.navigation import page_files

    os.environ["RENEWAL_RADAR_DB"] = str(path)
    sent = {}
    for page in page_files():
        app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
        app.run()
        if page != "pages/overview.py":
            app.switch_page(page).run()
        if app.exception:
            raise RuntimeError(f"{page}: {app.exception[0].value}")
        sent[page] = _element_bytes(app._tree)
    return sent


def measure(path: Path) -> dict:
    """Every budgeted count on the database at ``path``."""
    return {"readers": reader_costs(path), "pages": page_bytes(path)}


def over_budget(recorded: dict, found: dict) -> list[str]:
    """Each count in ``found`` more than :data:`ALLOWED_GROWTH` times its budget, or without a budget, named."""
    problems = []
    for name, counts in found["readers"].items():
        budget = recorded["readers"].get(name)
        if budget is None:
            problems.append(f"{name}: no budget recorded (python -m bench.budgets --db … --write)")
            continue
        problems += [f"{name}: {kind} {value:,} > {ALLOWED_GROWTH:g} × budget {budget[kind]:,}"
                     for kind, value in counts.items() if value > ALLOWED_GROWTH * max(budget[kind], 1)]
    for page, sent in found["pages"].items():
        budget = recorded["pages"].get(page)
        if budget is None:
            problems.append(f"{page}: no budget recorded (python -m bench.budgets --db … --write)")
        elif sent > ALLOWED_GROWTH * budget:
            problems.append(f"{page}: sends {sent:,} bytes > {ALLOWED_GROWTH:g} × budget {budget:,}")
    return problems


def read() -> dict:
    """The recorded budgets."""
    return json.loads(BUDGETS.read_text(encoding="utf-8"))


def main() -> None:
    """Print each count beside its budget; with ``--write``, record them as the budgets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the test demo: 400 accounts, seed 7, 200,000 events")
    parser.add_argument("--write", action="store_true", help="record the counts as the budgets")
    args = parser.parse_args()
    found = measure(Path(args.db))
    recorded = read() if BUDGETS.exists() else {"readers": {}, "pages": {}}
    print("| reader or page | queries | rows scanned | bytes sent | budget |\n|---|---:|---:|---:|---|")
    for name, counts in found["readers"].items():
        budget = recorded["readers"].get(name, {})
        print(f"| {name} | {counts['queries']} | {counts['rows_scanned']:,} | | "
              f"{budget.get('queries', '—')} q, {budget.get('rows_scanned', '—')} rows |")
    for page, sent in found["pages"].items():
        print(f"| {page} | | | {sent:,} | {recorded['pages'].get(page, '—')} |")
    if args.write:
        BUDGETS.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {BUDGETS}")


if __name__ == "__main__":
    main()
