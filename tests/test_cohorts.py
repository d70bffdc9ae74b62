"""Cohort triangles and Kaplan–Meier survival on the hand-checked company, and against lifelines."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from renewal_radar import cohorts
from tests.conftest import HAND_AS_OF

D = dt.date


def _cell(triangle: pl.DataFrame, cohort: dt.date, k: int) -> dict:
    return triangle.filter((pl.col("cohort") == cohort) & (pl.col("k") == k)).row(0, named=True)


def test_month_cohorts_by_hand(hand_con):
    triangle = cohorts.cohorts(hand_con, HAND_AS_OF, "month")
    jan = _cell(triangle, D(2024, 1, 1), 0)
    assert (jan["n"], jan["base_mrr"]) == (3, pytest.approx(420))  # A 100, B 200 (mid-month), F 120
    assert jan["logo_retention"] == 1.0
    apr = _cell(triangle, D(2024, 1, 1), 3)  # s_3 = Apr 1: A 100, F 120
    assert apr["logo_retention"] == pytest.approx(2 / 3)
    assert apr["net_mrr_retention"] == pytest.approx(220 / 420)
    # Jul 1: A 150 (capped at base 100 for gross), F EUR 80 at the cohort's January rate 1.2 = 96
    jul = _cell(triangle, D(2024, 1, 1), 6)
    assert jul["net_mrr_retention"] == pytest.approx(246 / 420)
    assert jul["gross_mrr_retention"] == pytest.approx(196 / 420)


def test_reactivation_shows_in_the_cohort_of_first_start(hand_con):
    triangle = cohorts.cohorts(hand_con, HAND_AS_OF, "month")
    assert _cell(triangle, D(2024, 2, 1), 1)["logo_retention"] == 0.0  # C gone on Mar 1
    back = _cell(triangle, D(2024, 2, 1), 3)  # May 1: C back at 60 on a base of 50
    assert back["logo_retention"] == 1.0
    assert back["net_mrr_retention"] == pytest.approx(1.2)
    assert back["gross_mrr_retention"] == pytest.approx(1.0)


def test_future_cells_are_absent_not_zero(hand_con):
    triangle = cohorts.cohorts(hand_con, HAND_AS_OF, "month")
    assert triangle.filter(pl.col("cohort") == D(2024, 1, 1))["k"].max() == 11  # s_11 = Dec 1 <= Dec 15
    assert triangle.filter(pl.col("cohort") == D(2024, 6, 1))["k"].max() == 6


def test_quarter_cohorts_by_hand(hand_con):
    triangle = cohorts.cohorts(hand_con, HAND_AS_OF, "quarter")
    q1 = triangle.filter(pl.col("cohort") == D(2024, 1, 1))
    assert q1["k"].to_list() == [0, 1, 2, 3]  # s_4 = 2025-01-01 is after the as-of day
    assert q1["n"][0] == 4 and q1["base_mrr"][0] == pytest.approx(470)
    assert q1["logo_retention"][1] == pytest.approx(0.5)  # Apr 1: A, F
    assert q1["net_mrr_retention"][2] == pytest.approx(246 / 470)  # F at January's rate, as in the month view
    assert q1["gross_mrr_retention"][2] == pytest.approx(196 / 470)


def test_survival_by_hand(hand_con):
    curve = cohorts.survival(hand_con, HAND_AS_OF)
    events = curve.filter(pl.col("events") > 0)
    # lifetimes end at the first churned renewal: C 29 days (Mar 1), B 77 (Jan 15 -> Apr 1); G's Dec 1 renewal
    # is still inside its grace period on Dec 15 (open), so G is censored at 197 days, A and F at 349
    assert events["day"].to_list() == [29, 77]
    assert events["survival"].to_list() == pytest.approx([0.8, 0.6])
    assert events["at_risk"].to_list() == [5, 4]
    assert curve.filter(pl.col("day") == 197)["at_risk"].to_list() == [3]
    assert cohorts.median_lifetime(curve) is None


def test_survival_by_attribute_splits_groups(hand_con):
    curve = cohorts.survival(hand_con, HAND_AS_OF, by="segment")
    assert set(curve["group"]) == {"SMB", "Enterprise"}
    enterprise = curve.filter((pl.col("group") == "Enterprise") & (pl.col("events") > 0))
    assert enterprise["day"].to_list() == [77] and enterprise["survival"][0] == pytest.approx(0.5)


def test_survival_rejects_unknown_attribute(hand_con):
    with pytest.raises(ValueError, match="unknown column"):
        cohorts.survival(hand_con, HAND_AS_OF, by="nope")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kaplan_meier_matches_lifelines(seed):
    rng = np.random.default_rng(seed)
    durations = rng.integers(1, 400, 300)
    observed = rng.random(300) < 0.6
    ours = cohorts.kaplan_meier(pl.Series(durations), pl.Series(observed))
    from lifelines import KaplanMeierFitter  # here, not at the top: collecting it costs every worker a second

    fitter = KaplanMeierFitter(alpha=0.05).fit(durations, observed)
    theirs_s = fitter.survival_function_.iloc[:, 0].to_numpy()
    band = fitter.confidence_interval_survival_function_.to_numpy()
    assert ours["day"].to_list() == [int(t) for t in fitter.survival_function_.index]
    np.testing.assert_allclose(ours["survival"].to_numpy(), theirs_s, rtol=1e-12)
    finite = ours["survival"].to_numpy() > 0
    np.testing.assert_allclose(ours["lower"].to_numpy()[finite], band[finite, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["upper"].to_numpy()[finite], band[finite, 1], rtol=1e-9, atol=1e-12)


def test_demo_survival_matches_lifelines(demo_con):
    as_of = dt.date(2026, 11, 1)
    lives = cohorts.lifetimes(cohorts.account_lifetimes(demo_con, as_of), as_of)
    ours = cohorts.survival(demo_con, as_of)
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter().fit(lives["duration"].to_numpy(), lives["churned"].to_numpy())
    np.testing.assert_allclose(ours["survival"].to_numpy(), fitter.survival_function_.iloc[:, 0].to_numpy())


def test_average_curve_weights_by_cohort_size():
    triangle = pl.DataFrame({"k": [1, 1], "n": [10, 30], "n_retained": [5, 30], "base_mrr": [100.0, 300.0],
                             "mrr": [50.0, 330.0], "gross_mrr": [50.0, 300.0]})
    curve = cohorts.average_curve(triangle)
    assert curve["logo_retention"][0] == pytest.approx(35 / 40)
    assert curve["net_mrr_retention"][0] == pytest.approx(380 / 400)


def test_cohort_accounts_drill_down_by_hand(hand_con):
    frame = cohorts.cohort_accounts(hand_con, HAND_AS_OF, "month", D(2024, 1, 1), 6)
    status = dict(zip(frame["account_id"], frame["status"], strict=True))
    assert status == {"A": "expanded", "B": "churned", "F": "contracted"}  # Jul 1: A 150 > 100, F 100 < 120
    assert frame["snapshot_day"][0] == D(2024, 7, 1)
    start = cohorts.cohort_accounts(hand_con, HAND_AS_OF, "month", D(2024, 1, 1), 0)
    assert set(start["status"]) == {"retained"}


def test_retention_by_attribute_weights_cohorts(hand_con):
    curves = cohorts.retention_by_attribute(hand_con, HAND_AS_OF, "quarter", "segment")
    smb = curves.filter((pl.col("group") == "SMB") & (pl.col("k") == 1)).row(0, named=True)
    # SMB: Q1 cohort {A, C}: Apr 1 A only -> 1/2; Q2 cohort {G}: Jul 1 G -> 1/1. Weighted: 2/3
    assert smb["logo_retention"] == pytest.approx(2 / 3)
    assert smb["n"] == 3


def test_numbers_at_risk(hand_con):
    table = cohorts.numbers_at_risk(hand_con, HAND_AS_OF, None, (0, 30, 100, 200))
    assert table.row(0) == ("all", 5, 4, 3, 2)  # lifetimes 29, 77, 183, 349, 349


def test_the_survival_chart_draws_each_curve_where_it_turns():
    from renewal_radar import charts

    # days 10 and 20 only lose accounts to the data's end (censored): the curve and its bands stand still there
    curves = pl.DataFrame({
        "group": ["a"] * 5 + ["b"] * 2, "day": [0, 5, 10, 20, 30, 0, 7], "at_risk": [10, 9, 8, 6, 5, 4, 3],
        "events": [0, 1, 0, 0, 1, 0, 0], "survival": [1.0, 0.9, 0.9, 0.9, 0.72, 1.0, 1.0],
        "lower": [1.0, 0.6, 0.6, 0.6, 0.4, 1.0, 1.0], "upper": [1.0, 0.99, 0.99, 0.99, 0.9, 1.0, 1.0]})
    figure = charts.survival_chart(curves, "Survival")
    lines = {trace.name: trace for trace in figure.data if trace.mode == "lines"}
    assert list(lines["a"].x) == [0, 5, 30] and list(lines["a"].y) == [1.0, 0.9, 0.72]
    assert [row[0] for row in lines["a"].customdata] == [10, 9, 5]  # the numbers at risk where it turns
    assert list(lines["b"].x) == [0, 7]  # a flat curve keeps its first and last day: it is drawn to its end
    band = next(trace for trace in figure.data if trace.name == "a 95%")
    assert list(band.x) == [0, 5, 30, 30, 5, 0] and list(band.y) == [1.0, 0.99, 0.9, 0.4, 0.6, 1.0]
