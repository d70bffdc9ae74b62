"""Survival is logo survival (metrics.md "Cohorts", revised; issue 22 item 7), by hand and against lifelines.

As of 2025-06-01, grace 30 days:
  ADDON   main line renews every year; an add-on from 2024-03-01 ends 2024-09-01, not renewed: a contraction,
          the logo goes on: censored at 517 days
  LATE    2024-01-01 → 2025-01-01, renewed late on 2025-01-20 (inside grace): censored at 517 days
  BACK    2024-01-01 → 2024-07-01, back on 2024-12-01 (a reactivation after a long gap): the first lifetime ends
          on 2024-07-01 (182 days), whatever came after
  GONE    2024-02-01 → 2025-02-01, not renewed: churned at 366 days
  GRACE   2024-05-20 → 2025-05-20, not renewed but the grace period runs until 2025-06-19: censored at 377 days
  OVERLAP A 2024-01-01 → 2024-07-01 and B 2024-03-01 → 2024-08-15: the logo ends when the last line ends
          (2024-08-15, 227 days), not when A does
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from renewal_radar import cohorts, db
from tests.conftest import import_files

AS_OF = dt.date(2025, 6, 1)
LINES = """account_id,start_date,end_date,mrr,product,bill_period_months
ADDON,2024-01-01,2025-01-01,100,Platform,12
ADDON,2025-01-01,2026-01-01,100,Platform,12
ADDON,2024-03-01,2024-09-01,20,Add-on,12
LATE,2024-01-01,2025-01-01,50,Platform,12
LATE,2025-01-20,2026-01-20,50,Platform,12
BACK,2024-01-01,2024-07-01,30,Platform,1
BACK,2024-12-01,,30,Platform,1
GONE,2024-02-01,2025-02-01,80,Platform,12
GRACE,2024-05-20,2025-05-20,40,Platform,12
OVERLAP,2024-01-01,2024-07-01,10,Platform,12
OVERLAP,2024-03-01,2024-08-15,15,Reports,12
"""
EXPECTED = {  # account: (duration in days, churned)
    "ADDON": (517, False), "LATE": (517, False), "BACK": (182, True), "GONE": (366, True),
    "GRACE": (377, False), "OVERLAP": (227, True),
}


@pytest.fixture(scope="module")
def logo_db(tmp_path_factory):
    path, result = import_files(tmp_path_factory.mktemp("logo"), {"subscriptions.csv": LINES}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    return path


def test_lifetimes_end_when_the_logo_churns(logo_db):
    with db.connect(logo_db, read_only=True) as con:
        stored = cohorts.lifetimes(cohorts.account_lifetimes(con, AS_OF), AS_OF)      # book_first_churn
        live = cohorts.lifetimes(cohorts.account_lifetimes(con, dt.date(2025, 6, 2)), dt.date(2025, 6, 2))
    found = {row["account_id"]: (row["duration"], row["churned"]) for row in stored.iter_rows(named=True)}
    assert found == EXPECTED
    # the live path (a day not stored) says the same a day later
    assert {row["account_id"]: row["churned"] for row in live.iter_rows(named=True)} == {
        account: churned for account, (_, churned) in EXPECTED.items()}


def test_survival_equals_lifelines_on_the_real_lifetimes(logo_db):
    with db.connect(logo_db, read_only=True) as con:
        ours = cohorts.survival(con, AS_OF)
    durations = np.array([d for d, _ in EXPECTED.values()])
    observed = np.array([c for _, c in EXPECTED.values()])
    from lifelines import KaplanMeierFitter  # here, not at the top: collecting it costs every worker a second

    fitter = KaplanMeierFitter(alpha=0.05).fit(durations, observed)
    assert ours["day"].to_list() == [int(t) for t in fitter.survival_function_.index]
    np.testing.assert_allclose(ours["survival"].to_numpy(), fitter.survival_function_.iloc[:, 0].to_numpy(),
                               rtol=1e-12)
    band = fitter.confidence_interval_survival_function_.to_numpy()
    np.testing.assert_allclose(ours["lower"].to_numpy(), band[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["upper"].to_numpy(), band[:, 1], rtol=1e-9, atol=1e-12)
