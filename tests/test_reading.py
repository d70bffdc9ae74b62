"""What a page reads, read once and no more (issue 36): the stored scores' status once whatever a page reader asks
of the book; a day's renewals asked twice in the call (the Overview's 90 days and its quarter) read once and cut
to each horizon, the same rows as a read of their own; the Account page's own renewal, not the book's; the
Expansion page's at-risk mark from five columns; and what the import stored for the as-of day (whose calls, the
accounts, the committed lines) the same rows as worked out on the spot, for any filter."""

from __future__ import annotations

import datetime as dt

import pytest
from polars.testing import assert_frame_equal

from renewal_radar import book, day_book, db, i18n, metrics, sql
from renewal_radar.filters import ALL, Filters


@pytest.fixture()
def counted(monkeypatch):
    """The real status and query runner, counted: how often each runs during a call."""
    calls = {"status": 0, "queries": []}
    status, run = day_book.status, sql.run

    def counted_status(*args, **kwargs):
        calls["status"] += 1
        return status(*args, **kwargs)

    def counted_run(con, name, **params):
        calls["queries"].append((name, tuple(params.get("days") or ())))
        return run(con, name, **params)

    monkeypatch.setattr(day_book, "status", counted_status)
    monkeypatch.setattr(sql, "run", counted_run)
    return calls


def test_every_page_reader_reads_the_score_status_at_most_once(demo_db, counted):
    from bench.run import workloads

    with db.connect(demo_db) as con, i18n.language("en"):
        as_of = metrics.data_as_of(con)
        read_by = {}
        for name, work in workloads(as_of).items():
            if name.startswith("page"):
                counted["status"] = 0
                work(con)
                read_by[name] = counted["status"]
    assert read_by["page: Overview"] == 1  # it asks the book for five parts of two days
    assert read_by["page: Account"] == 1
    assert {name: times for name, times in read_by.items() if times > 1} == {}


def test_the_overview_reads_the_days_renewals_once(demo_db, counted):
    from renewal_radar.readers import overview

    with db.connect(demo_db) as con:
        day = metrics.data_as_of(con)
        overview.read(con, day)  # 90 days due and the rest of the quarter (61 days): one read of the day
        assert counted["queries"].count(("stored/renewal_scores", (day,))) == 1


@pytest.mark.parametrize("filters", [ALL, Filters(segments=("Enterprise",))])
def test_a_narrower_horizon_cut_from_a_wider_read_is_the_read_of_its_own(demo_db, filters):
    with db.connect(demo_db) as con:
        day = metrics.data_as_of(con)
        reading = book.Scores().reading(con)
        wide = reading.rows(con, day, "renewals", filters, horizon_days=120)
        for horizon in (120, 90, 30, 1):
            own = book.Scores().day(con, day).rows(con, "renewals", filters, horizon_days=horizon)
            assert own.height > 0 or horizon == 1
            assert_frame_equal(reading.rows(con, day, "renewals", filters, horizon_days=horizon), own)
        assert wide.height > reading.rows(con, day, "renewals", filters, horizon_days=30).height
        # wider than what was read: read again, not cut
        assert_frame_equal(reading.rows(con, day, "renewals", filters, horizon_days=200),
                           book.Scores().day(con, day).rows(con, "renewals", filters, horizon_days=200))


def test_the_account_reads_its_own_next_renewal(demo_db, counted):
    with db.connect(demo_db) as con:
        day = metrics.data_as_of(con)
        every = book.renewal_rows(con, day, 365)
        account_id = every["account_id"][0]
        first = every.filter(every["account_id"] == account_id).sort("renewal_date").row(0, named=True)
        counted["queries"].clear()
        assert book.next_renewal(con, day, account_id) == first
        assert ("stored/renewal_scores", (day,)) not in counted["queries"]  # not the book's rows
        assert book.next_renewal(con, day, "no such account") is None


@pytest.mark.parametrize("filters", [ALL, Filters(owners=("Maya Patel",)), Filters(segments=("SMB",))])
def test_whose_calls_read_from_the_import_are_the_calls_judged_here(demo_db, filters):
    from renewal_radar import call_accuracy, settings

    with db.connect(demo_db) as con:
        assert call_accuracy.STORED_TABLE in db.table_names(con)  # the import judged them
        horizon = settings.get("forecast_horizon_days")
        stored = call_accuracy.judged_calls(con, horizon, filters)
        judged = call_accuracy.judge_calls(con, horizon, filters, book.Scores().reading(con))
        assert stored.height > 0
        # the same rows (their order is no figure's: each table groups them), so the same accuracy tables
        assert_frame_equal(stored.sort(stored.columns), judged.sort(judged.columns))
        for by in ([], ["team"], ["team", "csm_owner"]):
            assert_frame_equal(call_accuracy.accuracy(stored, by), call_accuracy.accuracy(judged, by))
        # another horizon is judged on the spot
        assert call_accuracy.judged_calls(con, 60, filters).height != stored.height


def test_a_book_without_an_opportunity_history_stores_no_calls(hand_db):
    from renewal_radar import call_accuracy

    with db.connect(hand_db) as con:
        assert not call_accuracy.has_history(con)
        assert call_accuracy.STORED_TABLE not in db.table_names(con)


@pytest.mark.parametrize("days_back", [0, 9])  # the stored day, and a day scored live
def test_the_expansion_mark_reads_two_columns_and_marks_as_the_whole_rows_do(demo_db, days_back):
    from renewal_radar import expansion
    from renewal_radar.readers import expansion as expansion_reader

    with db.connect(demo_db) as con:
        day = metrics.data_as_of(con) - dt.timedelta(days=days_back)
        scores = book.Scores().reading(con)
        signals = expansion_reader.read(con, day, renewal_risk=False).signals
        threshold = expansion_reader.RISK_PROBABILITY()
        whole = expansion.with_renewal_risk(signals, book.account_scores(con, day, scores=scores),
                                            book.renewal_rows(con, day, 365, ALL, scores), threshold)
        narrow = expansion.with_renewal_risk(signals, *book.renewal_risk_sources(con, day, ALL, scores), threshold)
        assert whole["renewal_at_risk"].sum() > 0
        assert_frame_equal(narrow, whole)


@pytest.mark.parametrize("filters", [ALL, Filters(owners=("Maya Patel",)), Filters(segments=("Enterprise",))])
def test_the_as_of_days_accounts_and_committed_lines_read_from_the_import_are_those_worked_out(demo_db, filters):
    from renewal_radar import economics

    with db.connect(demo_db) as con:
        day = metrics.data_as_of(con)
        assert {"book_accounts_now", economics.COMMITTED_TABLE} <= set(db.table_names(con))
        stored = metrics.accounts_on_day(con, day, filters)
        assert stored.height > 0
        assert_frame_equal(stored, metrics.accounts_on_day(con, day, filters, stored=False))
        lines = economics.committed_lines(con, day, filters)
        assert lines.height > 0
        assert_frame_equal(lines, economics._committed_lines(con, day, filters))
        # another day is worked out
        earlier = day - dt.timedelta(days=40)
        assert not metrics.accounts_on_day(con, earlier, filters).equals(stored)
