"""Renewal events, outcomes and rates on the hand-checked company."""

import datetime as dt

import polars as pl
import pytest

from renewal_radar import renewals
from tests.conftest import HAND_AS_OF

D = dt.date


def _outcomes(con, **kwargs):
    return renewals.renewal_outcomes(con, as_of=HAND_AS_OF, **kwargs)


def test_renewal_events_and_outcomes_by_hand(hand_con):
    frame = _outcomes(hand_con).select("account_id", "renewal_date", "due_mrr", "renewed_mrr", "outcome")
    rows = {(r["account_id"], r["renewal_date"]): r for r in frame.iter_rows(named=True)}
    assert set(rows) == {("C", D(2024, 3, 1)), ("B", D(2024, 4, 1)), ("C", D(2024, 6, 1)), ("F", D(2024, 6, 1)),
                         ("A", D(2024, 7, 1)), ("G", D(2024, 12, 1))}  # D's same-day line is no renewal
    assert rows[("A", D(2024, 7, 1))]["outcome"] == "renewed"
    assert rows[("A", D(2024, 7, 1))]["renewed_mrr"] == 150
    assert rows[("C", D(2024, 3, 1))]["outcome"] == "churned"  # May 1 return is outside the 30-day grace
    # F's EUR 100 ending Jun 1 and EUR 80 renewing it, both at June's rate 1.25
    assert rows[("F", D(2024, 6, 1))]["due_mrr"] == pytest.approx(125)
    assert rows[("F", D(2024, 6, 1))]["renewed_mrr"] == pytest.approx(100)
    assert rows[("G", D(2024, 12, 1))]["outcome"] == "open"  # Dec 1 + 30 days is after the as-of day


def test_longer_grace_turns_a_late_return_into_a_renewal(hand_con):
    frame = _outcomes(hand_con, grace_days=61)
    c = frame.filter((pl.col("account_id") == "C") & (pl.col("renewal_date") == D(2024, 3, 1)))
    assert c["outcome"][0] == "renewed" and c["renewed_mrr"][0] == 60


def test_decision_date_from_notice_days(hand_con):
    frame = _outcomes(hand_con)
    f = frame.filter(pl.col("account_id") == "F")
    assert f["decision_date"][0] == D(2024, 4, 2)  # Jun 1 - 60 days


def test_renewal_rates_by_hand(hand_con):
    rates = renewals.renewal_rates(_outcomes(hand_con))
    assert (rates["n_due"], rates["n_renewed"], rates["n_churned"], rates["n_open"]) == (6, 2, 3, 1)
    assert rates["renewal_rate"] == pytest.approx(2 / 5)
    # decided due MRR: C 50 + B 200 + C 60 + F 125 + A 100 = 535
    assert rates["gross_renewal_rate"] == pytest.approx((100 + 100) / 535)  # A min(100, 150), F min(125, 100)
    assert rates["net_renewal_rate"] == pytest.approx((150 + 100) / 535)


def test_rates_by_period(hand_con):
    table = renewals.rates_by_period(_outcomes(hand_con), "quarter")
    assert table["period"].to_list() == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    q2 = table.row(1, named=True)
    assert (q2["n_due"], q2["n_renewed"], q2["n_churned"]) == (3, 1, 2)
    assert q2["due_arr"] == pytest.approx(12 * (200 + 60 + 125))
    assert q2["renewed_arr_gross"] == pytest.approx(12 * 100)
    assert q2["renewed_arr_net"] == pytest.approx(12 * 100)


def test_an_earlier_as_of_leaves_later_outcomes_open(hand_con):
    frame = renewals.renewal_outcomes(hand_con, as_of=D(2024, 4, 15))
    b = frame.filter(pl.col("account_id") == "B")
    assert b["outcome"][0] == "open"  # Apr 1 + 30 > Apr 15


def test_the_outcomes_of_many_days_read_at_once_equal_each_day_read_alone(demo_con, hand_con):
    """A scoring run reads every past day's outcomes in one query (renewal_outcomes_of_days); each day's frame
    must be the one renewal_outcomes gives for that day and window: the lines known then, outcomes as of then,
    the same columns and order. The demo books renewals before they start, so what is known moves day by day."""
    windows = {D(2024, 3, 1): (D(2023, 3, 1), D(2025, 3, 1)), D(2025, 1, 1): (D(2024, 1, 1), D(2026, 1, 1)),
               D(2025, 9, 1): (D(2025, 9, 1), D(2025, 9, 2)), D(2026, 6, 1): (D(2025, 6, 1), D(2027, 6, 1))}
    together = renewals.renewal_outcomes_of_days(demo_con, windows)
    assert sorted(together) == sorted(windows)
    for day, (start, end) in windows.items():
        alone = renewals.renewal_outcomes(demo_con, start, end, day)
        assert together[day].equals(alone), day
    assert sum(frame.height for frame in together.values()) > 100
    # the hand book: a window with nothing in it reads as an empty frame of the same columns
    empty = renewals.renewal_outcomes_of_days(hand_con, {D(2020, 1, 1): (D(2020, 1, 1), D(2020, 2, 1))})
    assert empty[D(2020, 1, 1)].is_empty()
    assert empty[D(2020, 1, 1)].columns == renewals.renewal_outcomes(hand_con, D(2020, 1, 1), D(2020, 2, 1),
                                                                     D(2020, 1, 1)).columns
