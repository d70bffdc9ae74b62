"""Budgets as counts, not timings (issue 36): each page reader's queries and rows scanned, and the bytes each page
sends, against the budgets recorded in tests/budgets.json (``python -m bench.budgets --db … --write``). A change
that doubles one fails and names the reader or page; counts, unlike seconds, are the same on any machine."""

from __future__ import annotations

import copy

from bench import budgets


def test_every_reader_and_page_keeps_to_its_budget(demo_db):
    found = budgets.measure(demo_db)
    assert budgets.over_budget(budgets.read(), found) == []
    # every page the navigation lists and every page reader of the bench has a budget
    assert set(found["pages"]) == set(budgets.read()["pages"])
    assert set(found["readers"]) == set(budgets.read()["readers"])


def test_a_doubled_count_fails_and_names_the_reader():
    recorded = {"readers": {"page: Overview": {"queries": 10, "rows_scanned": 1000}}, "pages": {"pages/a.py": 500}}
    found = copy.deepcopy(recorded)
    assert budgets.over_budget(recorded, found) == []
    found["readers"]["page: Overview"]["rows_scanned"] = 2001
    found["pages"]["pages/a.py"] = 1001
    found["readers"]["page: New"] = {"queries": 1, "rows_scanned": 1}
    problems = budgets.over_budget(recorded, found)
    assert [p.split(":")[0] for p in problems] == ["page", "page", "pages/a.py"]
    assert "rows_scanned 2,001 > 2 × budget 1,000" in problems[0]
    assert "page: New" in problems[1] and "no budget" in problems[1]
