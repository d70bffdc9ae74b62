"""The account view on the hand-checked company and the demo."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from renewal_radar import account
from tests.conftest import HAND_AS_OF


def test_account_view_by_hand(hand_con):
    view = account.view(hand_con, "A", HAND_AS_OF)
    assert view.profile["name"] == "Acme" and view.profile["segment"] == "SMB"
    assert view.lines["mrr"].to_list() == [100.0, 150.0]
    months = dict(zip(view.months["month_start"], view.months["arr"], strict=True))
    assert months[dt.date(2024, 6, 1)] == 1200 and months[dt.date(2024, 7, 1)] == 1800
    assert view.months["month_start"].max() == dt.date(2024, 12, 1)
    assert view.tickets.is_empty() and view.next_renewal is None  # A's line is open-ended


def test_unknown_account_has_no_view(hand_con):
    assert account.view(hand_con, "NOPE", HAND_AS_OF) is None


def test_ticket_summary_by_hand():
    tickets = pl.DataFrame({"priority": ["high", "low", "urgent"], "is_escalated": [True, False, False],
                            "solved_at": [dt.datetime(2024, 1, 2), None, dt.datetime(2024, 1, 5)],
                            "hours_to_solve": [10.0, None, 30.0], "satisfaction": ["good", None, "bad"]})
    summary = account.ticket_summary(tickets)
    assert summary == {"tickets": 3, "escalated": 1, "high_priority": 2, "open": 1, "median_hours_to_solve": 20.0,
                       "csat_good_share": 0.5}


def test_demo_account_has_every_section(demo_con):
    active = account.search(demo_con)["account_id"][0]
    view = account.view(demo_con, active, dt.date(2026, 11, 1))
    assert view.lines.height >= 1 and view.months.height >= 1
    assert set(view.usage_by_feature.columns) == {"month_start", "feature", "events", "peak_daily_users"}
    assert view.usage_by_feature.is_empty() or view.usage_by_feature["month_start"].max() < dt.date(2026, 11, 1)
    assert (view.tickets["created_at"] < dt.datetime(2026, 11, 1)).all()
    assert view.health_history.is_empty() or view.health_history["health_score"].is_between(0, 100).all()
    if view.risk:
        assert 0 <= view.risk["churn_probability"] <= 1
    assert pytest.approx(view.months["arr"][-1]) == 12 * view.months["mrr"][-1]


def test_the_picker_lists_the_matches_after_the_account_asked_for():
    import polars as pl

    from renewal_radar.readers import account as account_reader

    choices = pl.DataFrame({"account_id": [f"A{i:03}" for i in range(500)],
                            "name": [f"{'Acme' if i % 2 else 'Beta'} {i}" for i in range(500)]})
    listed = account_reader.matching(choices, "", [])
    assert listed.height == account_reader.PICKER_ROWS and listed["account_id"][0] == "A000"
    found = account_reader.matching(choices, "aCmE 4", ["A498", None])
    assert found["account_id"][0] == "A498"  # the one asked for first, even outside the matches
    assert set(found["account_id"][1:]) == {f"A{i:03}" for i in range(500) if i % 2 and str(i).startswith("4")}
    assert account_reader.matching(choices, "a007", [])["account_id"].to_list() == ["A007"]
