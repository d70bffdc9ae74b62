"""The shifted-beta-geometric projection (Fader & Hardie 2007): likelihood, fit, periods, value (issue 23)."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys

import numpy as np
import polars as pl
import pytest

from renewal_radar import db
from renewal_radar import retention_model as model
from renewal_radar import retention_projection as rp
from tests.conftest import ROOT


def test_probabilities_follow_the_recursion_and_the_closed_form():
    # α = β = 1: S(t) = B(1, 1 + t) / B(1, 1) = 1 / (t + 1), P(T = t) = 1 / (t (t + 1))
    assert model.churn_probabilities(1, 1, 3).tolist() == pytest.approx([1 / 2, 1 / 6, 1 / 12])
    assert rp.survival(1, 1, 3).tolist() == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    # α = 2, β = 3 by hand: P1 = 2/5, P2 = 2/5 · 3/6 = 1/5, P3 = 1/5 · 4/7 = 4/35
    assert model.churn_probabilities(2, 3, 3).tolist() == pytest.approx([0.4, 0.2, 4 / 35])


def test_the_log_likelihood_by_hand():
    # two churned after period 1, one after period 2, three still active after 2 periods
    value = model.log_likelihood(1, 1, {1: 2, 2: 1}, {2: 3})
    assert value == pytest.approx(2 * math.log(1 / 2) + math.log(1 / 6) + 3 * math.log(1 / 3))


@pytest.mark.parametrize(("alpha", "beta"), [(0.5, 2.0), (3.0, 0.2), (1e-4, 5.0), (1e3, 1e4), (162_754.0, 162_754.0)])
def test_the_log_likelihood_is_built_from_the_same_probabilities_and_survival(alpha, beta):
    """The likelihood runs the recursion in plain floats (the optimiser calls it hundreds of times a fit); it
    must give exactly what churn_probabilities and survival give."""
    churned, survived = {1: 3, 2: 0, 4: 2, 9: 1}, {0: 2, 4: 5, 12: 7}
    p, s = model.churn_probabilities(alpha, beta, 12), model.survival(alpha, beta, 12)
    expected = sum(n * math.log(p[t - 1]) if p[t - 1] > 0 else -math.inf for t, n in churned.items() if n)
    expected += sum(n * math.log(s[t]) if s[t] > 0 else -math.inf for t, n in survived.items() if n)
    assert model.log_likelihood(alpha, beta, churned, survived) == expected


@pytest.mark.parametrize(("survivors", "alpha", "beta", "log_likelihood"), [
    # Fader & Hardie (2007), Table 1 and section 4: the "regular" and "high end" customers over 7 years
    ([1000, 631, 468, 382, 326, 289, 262, 241], 0.704, 1.182, -1680.3),
    ([1000, 869, 743, 653, 593, 551, 517, 491], 0.668, 3.806, -1611.2),
])
def test_the_fit_reproduces_the_papers_estimates(survivors, alpha, beta, log_likelihood):
    churned = {t: survivors[t - 1] - survivors[t] for t in range(1, 8)}
    fitted = rp.fit(churned, {7: survivors[-1]})
    assert (fitted.alpha, fitted.beta) == (pytest.approx(alpha, abs=0.001), pytest.approx(beta, abs=0.001))
    assert fitted.log_likelihood == pytest.approx(log_likelihood, abs=0.05)


def test_the_fit_recovers_the_parameters_data_was_made_with():
    rng = np.random.default_rng(3)
    theta = rng.beta(0.8, 2.5, 40_000)
    lifetime = rng.geometric(theta)                  # the period in which each customer leaves
    observed = 12
    churned = {t: int((lifetime == t).sum()) for t in range(1, observed + 1)}
    fitted = rp.fit(churned, {observed: int((lifetime > observed).sum())})
    assert fitted.alpha == pytest.approx(0.8, rel=0.08) and fitted.beta == pytest.approx(2.5, rel=0.08)


def test_a_fit_needs_a_churn():
    assert rp.fit({}, {3: 10}) is None


def _lifetimes(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"account_id": pl.String, "first_start": pl.Date, "first_end": pl.Date,
                                      "bill_period_months": pl.Int64, "segment": pl.String}, orient="row")


def test_lifetimes_count_renewal_periods_of_each_billing_period():
    lives = _lifetimes([
        ("annual_gone", dt.date(2023, 1, 1), dt.date(2025, 1, 1), 12, "SMB"),    # left after 2 years: T = 2
        ("annual_on", dt.date(2023, 6, 1), None, 12, "SMB"),                     # renewed 3 times by 2026-11
        ("monthly_on", dt.date(2026, 1, 15), None, 1, "SMB"),                    # 9 whole months by Nov 1
        ("monthly_gone", dt.date(2026, 1, 15), dt.date(2026, 4, 15), 1, "SMB"),  # left in month 3
        ("new", dt.date(2026, 10, 20), None, 12, "SMB"),                         # not a period yet
    ])
    periods = rp.renewal_periods(lives, dt.date(2026, 11, 1))
    assert dict(zip(periods["account_id"], periods["periods"], strict=True)) == {
        "annual_gone": 2, "annual_on": 3, "monthly_on": 9, "monthly_gone": 3, "new": 0}
    annual = periods.filter(pl.col("bill_period_months") == 12)
    assert rp.counts(annual) == ({2: 1}, {3: 1, 0: 1})
    # seen at period 1 only: the churn after 2 periods had not happened yet
    assert rp.counts(annual, cutoff=1) == ({}, {1: 2, 0: 1})
    assert rp.observed_survival({1: 1, 2: 1}, {2: 2}) == pytest.approx([1, 3 / 4, 3 / 4 * 2 / 3])


def test_expected_future_renewals_and_value():
    fitted = rp.Fit(1.0, 1.0, 0.0, True)
    # renewed 0 times: Σ S(k) / S(0) for k = 1..3 = 1/2 + 1/3 + 1/4
    assert rp.expected_future_renewals(fitted, 0, 3) == pytest.approx(1 / 2 + 1 / 3 + 1 / 4)
    # renewed twice: S(3) / S(2) + S(4) / S(2) = (1/4 + 1/5) / (1/3)
    assert rp.expected_future_renewals(fitted, 2, 2) == pytest.approx((1 / 4 + 1 / 5) * 3)
    assert rp.expected_future_renewals(fitted, 0, 2, discount=0.1) == pytest.approx(0.5 / 1.1 + (1 / 3) / 1.21)


def test_residual_value_of_an_active_account_by_hand():
    periods = pl.DataFrame({"account_id": ["a"], "bill_period_months": [12], "segment": ["SMB"], "periods": [1],
                            "churned": [False]})
    fitted = rp.Fit(1.0, 1.0, 0.0, True)
    values = rp.residual_values(periods, {(12, None): (fitted, "12m")}, pl.DataFrame({"account_id": ["a"],
                                                                                     "mrr": [100.0]}))
    row = values.row(0, named=True)
    horizon = 10  # ten yearly renewals within ten years
    s = [1 / (t + 1) for t in range(0, 1 + horizon + 1)]
    expected = sum(1200 * s[1 + k] / s[1] / 1.1 ** k for k in range(1, horizon + 1))
    assert row["residual_value"] == pytest.approx(expected)
    assert row["next_renewal_probability"] == pytest.approx(s[2] / s[1])
    assert row["expected_lifetime_months"] == pytest.approx(12 * sum(s[1 + k] / s[1] for k in range(1, 11)))


def test_project_retention_json_on_the_demo(demo_db):
    done = subprocess.run([sys.executable, "-m", "renewal_radar", "project-retention", "--json", "--by", "segment",
                           "--db", str(demo_db)], cwd=ROOT, capture_output=True, text=True, check=True)
    groups = json.loads(done.stdout)
    # groups named in words, with their segment and billing period as their own keys
    assert {"SMB, monthly", "Enterprise, yearly"} <= {g["group"] for g in groups}
    assert {(g["segment"], g["bill_period_months"]) for g in groups if g["group"] == "SMB, monthly"} == {("SMB", 1)}
    for group in groups:
        assert {"group", "alpha", "beta", "n", "periods_observed", "observed", "projected"} <= set(group)
        assert group["observed"][0] == {"period": 0, "survival": 1.0}
        if group["alpha"] is not None:
            assert group["alpha"] > 0 and group["beta"] > 0
            shares = [p["survival"] for p in group["projected"]]
            assert shares == sorted(shares, reverse=True) and len(shares) > group["periods_observed"]
            # past the data: ten years of the group's periods by default (120 monthly, 10 yearly)
            assert group["projected"][-1]["period"] == max(120 // group["bill_period_months"],
                                                           group["periods_observed"])
    # a day that is not stored is fitted from what was known then
    earlier = subprocess.run([sys.executable, "-m", "renewal_radar", "project-retention", "--json", "--as-of",
                              "2026-01-01", "--db", str(demo_db)], cwd=ROOT, capture_output=True, text=True,
                             check=True)
    assert {g["group"] for g in json.loads(earlier.stdout)} == {"Monthly", "Yearly"}
    with db.connect(demo_db, read_only=True) as con:
        values = db.read_table(con, "account_residual_value")
    assert values.height > 0 and (values["residual_value"] > 0).all()
    assert values["next_renewal_probability"].is_between(0, 1).all()
