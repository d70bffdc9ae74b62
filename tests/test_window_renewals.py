"""Renewals in a window: each account's ARR counted once (metrics.md "Renewals in a window"; issue 35 item 1).

The hand book, 2025-Q1 as of Apr 15, 2025 (every renewal of the quarter decided, grace 30 days):
M renews monthly: Jan 10 (100 → 100), Feb 10 (100 → 120), Mar 10 (120 → 120): one window renewal, due 1,200 (its
first month's ARR), renewed 1,440 (its last month's), gross 1,200. X renews monthly on Jan 5 and leaves on Feb 5:
one window renewal, churned, due 600. A has an annual core (12,000, renewed Mar 1) and a monthly add-on (Feb 20
and Mar 20, 120 ARR): two window renewals, the add-on apart. Due 1,200 + 600 + 12,000 + 120 = 13,920.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from renewal_radar import book, db, forecast, metrics, quarters, renewals
from renewal_radar.readers import calendar
from tests.conftest import import_files

D = dt.date
AS_OF = D(2025, 4, 15)
Q1 = quarters.Quarter(D(2025, 1, 1), D(2025, 4, 1), 2025, 1)
SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,bill_period_months
M,2024-12-10,2025-01-10,100,1
M,2025-01-10,2025-02-10,100,1
M,2025-02-10,2025-03-10,120,1
M,2025-03-10,2025-04-10,120,1
M,2025-04-10,2025-05-10,120,1
X,2024-12-05,2025-01-05,50,1
X,2025-01-05,2025-02-05,50,1
A,2024-03-01,2025-03-01,1000,12
A,2025-03-01,2026-03-01,1000,12
A,2025-01-20,2025-02-20,10,1
A,2025-02-20,2025-03-20,10,1
A,2025-03-20,2025-04-20,10,1
"""
ACCOUNTS = "account_id,segment\nM,SMB\nX,SMB\nA,Enterprise\n"


@pytest.fixture(scope="module")
def window_con(tmp_path_factory):
    path, result = import_files(tmp_path_factory.mktemp("window"), {
        "subscriptions.csv": SUBSCRIPTIONS, "accounts.csv": ACCOUNTS}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    con = db.connect(path)
    yield con
    con.close()


def _by_account(rows: pl.DataFrame) -> dict:
    return {(r["account_id"], r["bill_period_months"]): r for r in rows.iter_rows(named=True)}


def test_a_quarter_counts_each_monthly_account_once_by_hand(window_con):
    rows = _by_account(book.quarter_forecast_for(window_con, Q1, AS_OF).renewals)
    monthly = rows[("M", 1)]  # due once, at its first month's ARR; renewed at its last month's
    assert (monthly["due_arr"], monthly["renewal_date"], monthly["n_events"]) == (1200.0, D(2025, 1, 10), 3)
    assert (monthly["outcome"], monthly["renewed_arr"], monthly["renewed_arr_gross"]) == ("renewed", 1440.0, 1200.0)
    leaver = rows[("X", 1)]  # churned if it left in any month, though its first month renewed
    assert (leaver["outcome"], leaver["due_arr"], leaver["renewed_arr"], leaver["n_events"]) == ("churned", 600.0,
                                                                                               0.0, 2)
    assert rows[("A", 12)]["due_arr"] == 12_000.0 and rows[("A", 1)]["due_arr"] == 120.0  # the add-on apart
    assert rows[("A", 1)]["n_events"] == 2


def test_the_quarter_summary_adds_window_renewals_by_hand(window_con):
    summary = book.quarter_forecast_for(window_con, Q1, AS_OF).summary
    assert summary["n_due"] == 4
    assert summary["due_arr"] == pytest.approx(13_920.0)
    assert summary["renewed_arr_gross"] == pytest.approx(1_200.0 + 12_000.0 + 120.0)
    assert summary["churned_due_arr"] == pytest.approx(600.0)
    assert summary["renewed_due_arr"] + summary["churned_due_arr"] + summary["open_due_arr"] == pytest.approx(
        summary["due_arr"])


def test_renewals_by_quarter_count_window_renewals_and_by_month_the_events(window_con):
    outcomes = renewals.renewal_outcomes(window_con, Q1.start, Q1.end, AS_OF)
    quarterly = renewals.rates_by_period(outcomes, "quarter").row(0, named=True)
    assert (quarterly["n_due"], quarterly["n_renewed"], quarterly["n_churned"]) == (4, 3, 1)
    assert quarterly["due_arr"] == pytest.approx(13_920.0)
    monthly = renewals.rates_by_period(outcomes, "month")
    assert monthly["n_due"].sum() == outcomes.height == 8  # a one-month window is the event list
    assert monthly["due_arr"].sum() == pytest.approx(outcomes["due_arr"].sum())


def _open_events(probabilities: list[float], categories: list[str | None]) -> pl.DataFrame:
    days = [D(2025, 1, 10), D(2025, 2, 10), D(2025, 3, 10)][:len(probabilities)]
    return pl.DataFrame({"account_id": ["M"] * len(days), "bill_period_months": [1] * len(days),
                         "renewal_date": days, "due_arr": [1200.0, 1440.0, 1440.0][:len(days)],
                         "probability": probabilities, "category": categories, "source": ["model"] * len(days)})


def test_a_window_renewal_must_renew_each_time():
    found = renewals.window_renewals(_open_events([0.9, 0.8, 0.5], [None, "Commit", None])).row(0, named=True)
    assert found["probability"] == pytest.approx(0.36)
    assert (found["due_arr"], found["category"], found["n_events"]) == (1200.0, "Commit", 3)  # the first call
    assert found["last_renewal_date"] == D(2025, 3, 10)


def test_a_cancellation_announced_for_a_later_month_makes_the_window_lost():
    found = renewals.window_renewals(_open_events([0.9, 0.0], ["Commit", forecast.CANCELS])).row(0, named=True)
    assert (found["probability"], found["category"]) == (0.0, forecast.CANCELS)
    summary = forecast.summarise(renewals.window_renewals(_open_events([0.9, 0.0], ["Commit", forecast.CANCELS])),
                                 AS_OF, 90, 0.0, 0.0)
    assert (summary["floor_arr"], summary["best_case_arr"], summary["forecast_gross_arr"]) == (0.0, 0.0, 0.0)


def test_a_one_event_window_is_the_event_itself():
    events = _open_events([0.7], ["Best Case"])
    found = renewals.window_renewals(events)
    assert found.drop("last_renewal_date", "n_events").equals(events)


def _largest_due_arr(events: pl.DataFrame) -> pl.DataFrame:
    """12 × the largest MRR each account's lines due in the window reach (per billing period, summed)."""
    return events.group_by("account_id", "bill_period_months").agg(pl.col("due_arr").max()).group_by(
        "account_id").agg(pl.col("due_arr").sum().alias("limit"))


def _check_window(windows: pl.DataFrame, events: pl.DataFrame, label: str) -> None:
    due = windows.group_by("account_id").agg(pl.col("due_arr").sum())
    over = due.join(_largest_due_arr(events), on="account_id").filter(pl.col("due_arr") > pl.col("limit") + 0.005)
    assert over.is_empty(), f"{label}: {over.head(3)}"
    assert windows["n_events"].sum() == events.height, label


def test_no_account_is_due_more_than_its_lines_reach_in_any_window_the_pages_use(demo_con):
    as_of = metrics.data_as_of(demo_con)
    quarter, checked = quarters.quarter_of(D(2025, 1, 1)), 0
    while quarter.start <= as_of:  # every quarter the Forecast page and the packs show, the open one included
        events = renewals.renewal_outcomes(demo_con, quarter.start, quarter.end, as_of)
        _check_window(book.quarter_forecast_for(demo_con, quarter, as_of).renewals, events, quarter.label)
        quarter, checked = quarter.next(), checked + 1
    year = calendar.read(demo_con, as_of)
    for days in (*calendar.WINDOWS_DAYS, calendar.YEAR_DAYS):  # the Calendar's windows and the rolling horizons
        _check_window(year.within(days), year.events.filter(pl.col("days_left") < days), f"{days} days")
    backtest = book.backtest_rows(demo_con)  # the backtest's windows: each past month start's horizon
    windows = renewals.windows_by_day(backtest.renewals, backtest.horizon_days)
    for day in backtest.days:
        events = backtest.renewals.filter((pl.col("as_of") == day) & (
            pl.col("renewal_date") < day + dt.timedelta(days=backtest.horizon_days)))
        _check_window(windows.filter(pl.col("as_of") == day), events, f"backtest {day}")
    assert checked >= 6


def test_the_demo_quarter_counts_monthly_accounts_once(demo_con):
    as_of = metrics.data_as_of(demo_con)
    quarter = quarters.quarter_of(as_of)
    events = renewals.renewal_outcomes(demo_con, quarter.start, quarter.end, as_of)
    rows = book.quarter_forecast_for(demo_con, quarter, as_of).renewals
    monthly = events.filter(pl.col("bill_period_months") == 1)
    assert monthly.height > monthly["account_id"].n_unique()  # the demo's monthly lines renew more than once in it
    assert rows.filter(pl.col("bill_period_months") == 1).height == monthly["account_id"].n_unique()
    assert rows.select(pl.struct("account_id", "bill_period_months").is_unique().all()).item()


# ---------------------------------------------------------------- one story per account (issue 35 item 3)

STORY_AS_OF = D(2025, 3, 15)
STORY_SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,bill_period_months
W,2024-05-01,2025-05-01,500,12
L,2024-01-01,2027-01-01,300,36
"""
STORY_OPPORTUNITIES = """opportunity_id,account_id,close_date,amount,type,stage,forecast_category,is_closed,is_won
O1,W,2025-05-01,6000,Renewal,Negotiation,Commit,false,false
"""


def test_an_account_renewing_whole_has_the_churn_risk_of_its_renewal_by_hand(tmp_path):
    path, result = import_files(tmp_path, {"subscriptions.csv": STORY_SUBSCRIPTIONS,
                                           "accounts.csv": "account_id,segment\nW,SMB\nL,SMB\n",
                                           "renewal_opportunities.csv": STORY_OPPORTUNITIES}, as_of=STORY_AS_OF)
    assert result.loaded, result.report.text()
    con = db.connect(path)
    renewing = book.account_score(con, STORY_AS_OF, "W")  # its one line ends May 1: gone then unless it renews
    assert renewing["churn_source"] == "renewal"
    assert renewing["churn_probability"] == pytest.approx(1 - 0.9)  # the CRM's Commit moves both
    due = book.forecast_for(con, STORY_AS_OF, 90).renewals.row(0, named=True)
    assert renewing["expected_churn_arr"] == pytest.approx((1 - due["probability"]) * due["due_arr"]) == 600.0
    assert book.account_score(con, STORY_AS_OF, "L")["churn_source"] == "model"  # its line runs to 2027
    con.close()


def test_the_two_ninety_day_figures_differ_only_by_what_each_covers_on_the_demo(demo_con):
    from renewal_radar.readers import at_risk

    as_of = metrics.data_as_of(demo_con)
    on_calendar, on_at_risk = calendar.read(demo_con, as_of).ninety_days, at_risk.read(demo_con, as_of).ninety_days
    assert on_calendar == pytest.approx(on_at_risk)  # one split, read on both pages
    split = on_calendar
    assert split["expected_renewal_loss_arr"] == pytest.approx(calendar.read(demo_con, as_of).expected_loss_arr)
    assert split["accounts_renewing_whole"] > 50
    # the accounts both figures cover count alike: the same chance; only ARR on the day against ARR due at the
    # renewal month's exchange rates separates them (the demo's EUR, GBP and JPY accounts)
    assert split["churn_renewing_whole_arr"] == pytest.approx(split["loss_renewing_whole_arr"], rel=0.02)
    difference = split["expected_renewal_loss_arr"] - split["expected_churn_arr"]
    only_one = split["loss_lines_running_on_arr"] - split["churn_lines_running_on_arr"]
    covered_alike = split["loss_renewing_whole_arr"] - split["churn_renewing_whole_arr"]
    assert difference == pytest.approx(only_one + covered_alike)
    usd = book.account_scores(demo_con, as_of, with_drivers=False).join(
        db.read_table(demo_con, "stg_accounts").select("account_id", pl.col("currency").fill_null("USD")),
        on="account_id").filter((pl.col("churn_source") == "renewal") & (pl.col("currency") == "USD"))
    due = renewals.window_renewals(book.renewal_rows(demo_con, as_of, 90)).filter(
        pl.col("account_id").is_in(usd["account_id"].implode()))
    assert usd.height > 20  # in the reporting currency the two figures are one, to the cent
    assert usd["expected_churn_arr"].sum() == pytest.approx(((1 - due["probability"]) * due["due_arr"]).sum(),
                                                            abs=0.01)


def test_every_account_renewing_whole_reads_one_minus_its_renewals_chance_on_the_demo(demo_con):
    as_of = metrics.data_as_of(demo_con)
    accounts = book.account_scores(demo_con, as_of, with_drivers=False)
    windows = renewals.window_renewals(book.renewal_rows(demo_con, as_of, 90)).sort(
        "due_arr", descending=True).unique("account_id", keep="first")
    whole = accounts.filter(pl.col("churn_source") == "renewal").join(windows, on="account_id")
    assert whole.height == accounts.filter(pl.col("churn_source") == "renewal").height > 50
    assert whole["churn_probability"].to_list() == pytest.approx((1 - whole["probability"]).to_list())
