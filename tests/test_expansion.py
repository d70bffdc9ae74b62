"""Expansion signals and the whitespace matrix on hand-written rows."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from renewal_radar import db, expansion
from renewal_radar.readers import expansion as expansion_reader
from tests.conftest import import_files

AS_OF = dt.date(2024, 6, 1)
SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,product,quantity
P1,2024-01-01,,100,Core,10
P1,2024-01-01,,20,Analytics add-on,10
P2,2024-01-01,,100,Core,10
P2,2024-01-01,,30,Analytics add-on,10
P3,2024-01-01,,100,Core,10
"""
ACCOUNTS = "account_id,segment\nP1,SMB\nP2,SMB\nP3,SMB\n"


def _events() -> str:
    rows = ["account_id,event_time,event_type,user_id"]
    # May: P1 has 9 of 10 seats active; P3 spends most of its usage in reports
    rows += [f"P1,2024-05-{d:02d} 10:00:00,dashboards,u{d}" for d in range(1, 10)]
    rows += [f"P3,2024-05-{d:02d} 10:00:00,reports,u1" for d in range(1, 8)]
    rows += ["P3,2024-05-20 10:00:00,admin,u2"]
    return "\n".join(rows) + "\n"


@pytest.fixture()
def con(tmp_path):
    path, result = import_files(tmp_path, {"subscriptions.csv": SUBSCRIPTIONS, "accounts.csv": ACCOUNTS,
                                           "usage_events.csv": _events()}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    connection = db.connect(path)
    yield connection
    connection.close()


def test_signals_by_hand(con):
    found = expansion.signals(con, AS_OF)
    by = {(r["account_id"], r["kind"]): r for r in found.iter_rows(named=True)}
    assert by[("P1", "seats")]["potential_arr"] == pytest.approx(0.2 * 12 * 120)  # 90 % of seats in use
    assert by[("P1", "seats")]["reason"] == "90% of seats in use"
    # P3: reports are 7 of 8 events and it lacks the add-on that P1 (240) and P2 (360) own: median 300
    assert by[("P3", "add-on")]["potential_arr"] == pytest.approx(300)
    assert by[("P3", "whitespace")]["reason"] == "67% of SMB accounts own Analytics add-on"
    assert ("P1", "add-on") not in by and ("P2", "whitespace") not in by


def test_whitespace_matrix(con):
    products = db.query(con, "select account_id, 'SMB' as segment, product, 12 * mrr as arr from subscription_lines")
    matrix = expansion.whitespace(products).sort("account_id")
    assert matrix.columns == ["account_id", "Analytics add-on", "Core"]
    assert matrix["Analytics add-on"].to_list() == [1, 1, 0]


def test_ranked_sums_signals(con):
    found = expansion.signals(con, AS_OF)
    directory = pl.DataFrame({"account_id": ["P1", "P2", "P3"], "name": ["a", "b", "c"]})
    ranked = expansion.ranked(found, directory)
    assert ranked["account_id"][0] == "P3"  # add-on 300 + whitespace 300
    assert ranked["potential_arr"][0] == pytest.approx(600)


def test_plan_tiers_are_not_whitespace(tmp_path):
    subscriptions = ("account_id,start_date,end_date,mrr,product\n"
                     "T1,2024-01-01,,100,Platform Enterprise\nT2,2024-01-01,,100,Platform Enterprise\n"
                     "T3,2024-01-01,,50,Platform Growth\n")
    path, _ = import_files(tmp_path, {"subscriptions.csv": subscriptions}, as_of=AS_OF)
    con = db.connect(path)
    found = expansion.signals(con, AS_OF)
    con.close()
    assert found.filter(pl.col("kind") == "whitespace").is_empty()  # T3 owns a Platform tier already


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_page_reads_the_stored_signals_and_they_equal_the_live_ones(con, language):
    from renewal_radar import i18n

    assert db.query(con, "select count(*) as n from expansion_signals")["n"][0] > 0  # stored by the scoring stage
    with i18n.language(language):
        shown = expansion_reader.read(con, AS_OF).signals
        live = expansion.signals(con, AS_OF)
    order = ["account_id", "kind", "reason"]
    # the page adds whether each account's renewal is at risk; the signals themselves are the live ones
    assert shown.drop("renewal_at_risk").sort(order).equals(live.sort(order))
    if language == "ko":
        assert "90% of seats in use" not in shown["reason"].to_list()  # worded at read, in the reader's language


def test_a_signal_on_a_renewal_at_risk_is_marked_and_ranked_after_the_healthy():
    signals = pl.DataFrame({"account_id": ["R", "H", "L"], "kind": ["add-on", "seats", "growth"],
                            "reason": ["add-on", "seats", "growth"], "potential_arr": [32_768.0, 1_000.0, 500.0]})
    scores = pl.DataFrame({"account_id": ["R", "H", "L"], "band": ["red", "green", "yellow"]})
    renewals = pl.DataFrame({"account_id": ["R", "H", "L", "L"],
                             "renewal_date": [dt.date(2026, 12, 12), dt.date(2027, 3, 1), dt.date(2026, 12, 1),
                                              dt.date(2027, 12, 1)],
                             "probability": [0.17, 0.9, 0.45, 0.99]})
    marked = expansion.with_renewal_risk(signals, scores, renewals, 0.5)
    # R is red (and 17 % likely), L's next renewal is 45 % likely; H is healthy
    assert dict(zip(marked["account_id"], marked["renewal_at_risk"], strict=True)) == {"R": True, "H": False,
                                                                                         "L": True}
    directory = pl.DataFrame({"account_id": ["R", "H", "L"], "name": ["Rex", "Hale", "Lee"]})
    ranked = expansion.ranked(marked, directory)
    assert ranked["account_id"].to_list() == ["H", "R", "L"]  # the healthy first, then by potential ARR


def test_the_demo_ranks_every_healthy_account_before_one_at_risk(demo_con):
    from renewal_radar.readers import expansion as reader

    ranked = reader.read(demo_con, dt.date(2026, 11, 1)).ranked
    flags = ranked["renewal_at_risk"].to_list()
    assert flags == sorted(flags) and any(flags) and not all(flags)
