"""Books of 1, 5 and 50 accounts, and the edge cases of a first import, through every command and page.

A company with a handful of customers is a real user (issue 25): no stage may fail on one account, on a
book with no renewal yet, without usage, without a CRM, in one currency, or on a Stripe export of one
subscription; and no traceback may reach anyone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from renewal_radar.__main__ import main
from renewal_radar.demo import build_demo
from renewal_radar.ui.navigation import page_files
from tests.conftest import ROOT, built_once, import_files

STRIPE_ONE = (ROOT / "tests" / "fixtures" / "stripe_dashboard" / "subscriptions.csv").read_text().splitlines()
EDGE_BOOKS = {
    # one account, one open-ended line: no renewal yet, no usage, no CRM, one currency
    "no renewal yet": {"subscriptions.csv": "account_id,start_date,end_date,mrr\nK1,2026-03-01,,250\n"},
    # one account whose only line has ended: a churned book
    "churned": {"subscriptions.csv": "account_id,start_date,end_date,mrr\nK1,2025-06-01,2026-06-01,100\n"},
    # a Stripe Dashboard export of one monthly subscription
    "stripe one": {"subscriptions.csv": "\n".join(STRIPE_ONE[:2]) + "\n"},
}
AS_OF = dt.date(2026, 11, 1)
COMMANDS = [["overview", "--json"], ["metrics", "--start", "2025-11-01", "--end", "2026-11-01", "--json"],
            ["movements", "--csv"], ["cohorts", "--csv"], ["cohorts", "--grain", "quarter", "--csv"],
            ["survival", "--csv"], ["survival", "--by", "segment", "--csv"], ["renewals", "--csv"],
            ["forecast", "--as-of", "2026-11-01", "--json"], ["snapshots", "--json"],
            ["moved", "--since", "1", "--json"],
            ["backtest", "--as-of", "2026-06-01", "--json"], ["risk", "--as-of", "2026-11-01", "--csv"],
            ["digest", "--role", "leader"], ["digest", "--owner", "Maya Patel", "--format", "md"]]
# commands that write the database run in their own process, as a user runs them
WRITING_COMMANDS = [["forecast", "--as-of", "2026-11-01", "--save"], ["score"]]


def app_pages() -> list[str]:
    """Every page the app's navigation offers (the list app.py hands to st.navigation)."""
    return page_files()


@pytest.fixture(scope="module", params=[1, 5, 50, *EDGE_BOOKS])
def small_book(request, tmp_path_factory) -> Path:
    """The book, built once per test run whichever workers run its tests (each gets its own copy to write)."""
    def build(folder: Path) -> None:
        folder.mkdir(parents=True)
        if isinstance(request.param, int):
            build_demo(folder / "book.duckdb", accounts=request.param, seed=11, events=5_000)
            return
        _, result = import_files(folder, EDGE_BOOKS[request.param], as_of=AS_OF, name="book.duckdb")
        assert result.loaded, result.report.text()

    return built_once(tmp_path_factory, f"small-{request.param}".replace(" ", "-"), build) / "book.duckdb"


def test_every_command_answers_on_a_small_book(small_book):
    for command in WRITING_COMMANDS:
        done = subprocess.run([sys.executable, "-m", "renewal_radar", *command, "--db", str(small_book)], cwd=ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{command}: {done.stderr}"
    for command in COMMANDS:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*command, "--db", str(small_book)])
        assert status == 0, f"{command}: {err.getvalue()}"
        assert "Traceback" not in err.getvalue()


def test_every_page_renders_on_a_small_book(small_book, monkeypatch):
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(small_book))
    pages = app_pages()
    assert len(pages) == 12
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    for page in pages:
        app.switch_page(page).run()
        assert not app.exception, f"{page}: {app.exception}"
        assert app.title and app.title[0].value


def test_the_packs_build_for_an_account_and_the_quarter_of_a_small_book(small_book):
    from renewal_radar import db, pack_render, quarter_pack, quarters, review_pack

    with db.connect(small_book, read_only=True) as con:
        account_id = con.sql("select account_id from accounts_dim order by account_id limit 1").fetchall()[0][0]
        as_of = con.sql("select as_of from import_meta").fetchall()[0][0]
        start, end = review_pack.last_quarter(as_of)
        decks = [review_pack.build(con, account_id, start, end, as_of),
                 review_pack.build_internal(con, account_id, start, end, as_of),
                 quarter_pack.build(con, quarters.quarter_of(as_of).label, as_of)]
        for deck in decks:
            assert pack_render.to_pdf(deck).startswith(b"%PDF")
            assert pack_render.to_pptx(deck)[:2] == b"PK"  # a zip: the .pptx container
