"""One path for scores (day_book): a day that is not stored is scored live only for the part asked for, the same
rows as the stored day, and a holder scores a day once across readers."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from renewal_radar import book, day_book
from renewal_radar.filters import ALL, Filters

DAY = dt.date(2026, 10, 1)  # a stored month start of the demo


def _same(stored: pl.DataFrame, live: pl.DataFrame, key: list[str]) -> None:
    columns = sorted(stored.columns)
    assert sorted(live.columns) == columns
    assert_frame_equal(stored.select(columns).sort(key), live.select(columns).sort(key), check_dtypes=False,
                       abs_tol=1e-9)


def test_a_day_that_is_not_stored_is_scored_only_for_the_part_asked_for(demo_con):
    live = day_book.Day(DAY, stored=False)
    live.rows(demo_con, "health")
    assert set(live._live) == {"health"}  # health only: no model
    live.rows(demo_con, "rollup")
    assert set(live._live) == {"health", "rollup"}  # the trailing-year sums need no model either
    live.rows(demo_con, "accounts")
    assert "day" in live._live  # the churn risk of an account renewing whole reads its renewal's chance


def test_every_part_live_equals_the_stored_day(demo_con):
    stored, live = day_book.Day(DAY, stored=True), day_book.Day(DAY, stored=False)
    segment = Filters(segments=("Enterprise",))
    for part, params, key in (("accounts", {}, ["account_id"]), ("health", {}, ["account_id"]),
                              ("renewals", {"horizon_days": 90}, ["account_id", "renewal_date"]),
                              ("rollup", {}, ["segment", "region", "csm_owner", "bill_period_months"])):
        for filters in (ALL, segment):
            _same(stored.rows(demo_con, part, filters, **params), live.rows(demo_con, part, filters, **params), key)
    account = stored.rows(demo_con, "accounts")["account_id"][0]
    _same(stored.rows(demo_con, "account", account_id=account), live.rows(demo_con, "account", account_id=account),
          ["account_id"])
    assert stored.method(demo_con) == live.method(demo_con)


def test_a_holder_scores_a_day_once_across_readers(demo_con):
    scores = book.Scores()
    day = dt.date(2026, 10, 15)  # not a stored day: scored live
    first = scores.day(demo_con, day)
    assert not first.stored and scores.day(demo_con, day) is first
    book.account_scores(demo_con, day, scores=scores)
    book.health_scores(demo_con, day, scores=scores)
    assert set(first._live) == {"day"}  # the health read used the day the accounts scored
    assert [d.day for d in scores.days(demo_con, [DAY, day])] == [DAY, day]
    assert scores.day(demo_con, DAY).stored


def test_a_holder_keeps_a_bounded_number_of_days(demo_con):
    scores = day_book.Scores(max_days=2)
    days = [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    first = scores.day(demo_con, days[0])
    for day in days[1:]:
        scores.day(demo_con, day)
    assert scores.day(demo_con, days[0]) is not first  # the oldest was let go
