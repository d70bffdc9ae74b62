"""Money converted once, in the readers: what a result declares is converted, and every figure summed from its
rows is summed after, in the currency shown (metrics.md "Time and money": each amount at its own month's rates).

Hand rows with a converter of two months (0.5 in January, 0.25 in February), then the readers on the demo.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest

from renewal_radar import forecast, metrics, money
from renewal_radar.filters import ALL
from renewal_radar.money import Converter, Money
from renewal_radar.readers import at_risk as at_risk_reader
from renewal_radar.readers import calendar as calendar_reader
from renewal_radar.readers import digest as digest_reader
from renewal_radar.readers import forecast as forecast_reader
from renewal_radar.readers import overview as overview_reader

D = dt.date
PACKAGE = Path(__file__).resolve().parents[1] / "renewal_radar"
TWO_MONTHS = Converter("USD", "EUR", pl.DataFrame({"month": [D(2025, 1, 1), D(2025, 2, 1)], "factor": [0.5, 0.25]}))


@dataclasses.dataclass(frozen=True)
class Inner:
    total: float
    day: dt.date

    MONEY: ClassVar = {"total": Money(at="day")}


@dataclasses.dataclass(frozen=True)
class Outer:
    currency: str
    day: dt.date
    rows: pl.DataFrame
    window: dict
    inner: Inner
    words: str

    MONEY: ClassVar = {"rows": Money(("arr",), "renewal_date"), "window": Money(("start",), "day"),
                       "inner": Money()}

    @property
    def arr(self) -> float:
        return float(self.rows["arr"].sum())


def _outer() -> Outer:
    rows = pl.DataFrame({"renewal_date": [D(2025, 1, 10), D(2025, 2, 3)], "arr": [100.0, 100.0]})
    return Outer("USD", D(2025, 2, 1), rows, {"start": 80.0, "grr": 0.9}, Inner(40.0, D(2025, 1, 1)), "kept")


def test_a_result_converts_what_it_declares_each_at_its_own_month():
    shown = TWO_MONTHS.result(_outer())
    assert shown.rows["arr"].to_list() == [50.0, 25.0]  # each row at its renewal month's factor
    assert shown.arr == 75.0  # the sum is taken after: 100 × 0.5 + 100 × 0.25, not 200 at one rate
    assert shown.window == {"start": 20.0, "grr": 0.9}  # at the result's day (February), the ratio untouched
    assert shown.inner.total == 20.0  # a nested result converts by its own declaration (January)
    assert shown.currency == "EUR" and shown.words == "kept"


def test_the_reporting_currency_leaves_a_result_as_it_is():
    found = _outer()
    assert Converter("USD", "USD", TWO_MONTHS.factors.head(0)).result(found) is found


def test_the_calendar_windows_are_summed_from_converted_rows():
    rows = pl.DataFrame({"account_id": ["A", "B"], "bill_period_months": [12, 12],
                         "renewal_date": [D(2025, 1, 20), D(2025, 2, 10)], "due_arr": [1200.0, 2400.0],
                         "renewed_arr": [None, None], "probability": [0.5, 0.75],
                         "expected_loss_arr": [600.0, 600.0], "days_left": [10, 31],
                         "notice_overdue": [True, False]})
    accounts = pl.DataFrame({"as_of": [D(2025, 1, 10)], "account_id": ["A"], "churn_source": ["renewal"],
                             "mrr": [100.0], "arr": [1200.0], "expected_churn_arr": [600.0]})
    shown = TWO_MONTHS.result(calendar_reader.Calendar("USD", rows, accounts))
    assert shown.due[30] == {"due_arr": 600.0, "renewals": 1}  # 1200 × 0.5
    assert shown.due[60]["due_arr"] == 600.0 + 600.0  # + 2400 × 0.25
    assert shown.expected_loss_arr == 300.0 + 150.0
    assert shown.notice_overdue == 1
    assert shown.ninety_days["churn_renewing_whole_arr"] == 300.0 == shown.ninety_days["loss_renewing_whole_arr"]


def test_the_forecast_in_another_currency_sums_each_renewal_at_its_month(demo_con):
    as_of = metrics.data_as_of(demo_con)
    other = money.offered(demo_con)[-1]
    usd = forecast_reader.horizon(demo_con, as_of, 365)
    shown = forecast_reader.horizon(demo_con, as_of, 365, currency=other)
    factors = money.converter(demo_con, other)
    by_hand = sum(row["due_arr"] * factors.factor(row["renewal_date"]) for row in usd.renewals.iter_rows(named=True))
    months = {dt.date(day.year, day.month, 1) for day in usd.renewals["renewal_date"]}
    assert len(months) > 6 and len({factors.factor(m) for m in months}) > 1  # the rates do move over the year
    assert shown.summary["due_arr"] == pytest.approx(by_hand, rel=1e-12)
    assert shown.summary["n_due"] == usd.summary["n_due"]
    assert shown.breakdowns["segment"]["due_arr"].sum() == pytest.approx(by_hand, rel=1e-12)


def test_the_quarter_plan_and_rows_are_in_the_currency_shown(demo_con):
    as_of = metrics.data_as_of(demo_con)
    other = money.offered(demo_con)[-1]
    label = forecast_reader.current_quarters(as_of)[0]
    usd, shown = (forecast_reader.quarter(demo_con, label, as_of, currency=c) for c in (None, other))
    factors = money.converter(demo_con, other)
    by_hand = sum(row["due_arr"] * factors.factor(row["renewal_date"]) for row in usd.renewals.iter_rows(named=True))
    assert shown.summary["due_arr"] == pytest.approx(by_hand, rel=1e-12)
    assert shown.summary["renewed_due_arr"] + shown.summary["churned_due_arr"] + shown.summary["open_due_arr"] \
        == pytest.approx(shown.summary["due_arr"], rel=1e-12)


def test_at_risk_words_name_the_currency_their_amounts_are_in(demo_con):
    as_of = metrics.data_as_of(demo_con)
    other = money.offered(demo_con)[-1]
    page = at_risk_reader.read(demo_con, as_of, currency=other)
    usd = at_risk_reader.read(demo_con, as_of)
    assert page.currency == other and page.word_sources["currency"] == other
    assert page.expected_churn_arr == pytest.approx(usd.expected_churn_arr * money.converter(demo_con, other)
                                                    .factor(as_of), rel=1e-12)


def test_the_overview_and_digest_name_the_currency_shown(demo_con):
    as_of = metrics.data_as_of(demo_con)
    other = money.offered(demo_con)[-1]
    page, usd = (overview_reader.read(demo_con, as_of, currency=c) for c in (other, None))
    factor = money.converter(demo_con, other).factor(as_of)
    assert page.currency == other and page.arr_now == pytest.approx(usd.arr_now * factor, rel=1e-12)
    assert page.arr_growth != pytest.approx(usd.arr_growth, rel=1e-9)  # now and a year ago at their own rates
    day, snapshot = digest_reader.since(demo_con, as_of)
    assert digest_reader.read(demo_con, ALL, day, snapshot, as_of, currency=other).currency == other


def test_below_the_readers_no_module_converts_money():
    """The domain works in the reporting currency; only readers (and the review pack, a reader of its own)
    convert, and no module keeps a currency of the run."""
    allowed = {"money.py", "review_pack.py"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("readers", "ui") or path.name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("converter", "shown_in", "shown_currency"):
                offenders.append(f"{relative}:{node.lineno} {node.attr}")
    assert offenders == []
    assert "contextvars" not in (PACKAGE / "money.py").read_text(encoding="utf-8")


def test_the_forecast_summary_follows_its_rows():
    rows = pl.DataFrame({"account_id": ["A"], "renewal_date": [D(2025, 2, 1)], "due_arr": [400.0],
                         "renewed_arr": [None], "probability": [0.5], "source": ["model"], "category": [None],
                         "crm_category": [None], "model_probability": [0.5]}, schema_overrides={
                             "renewed_arr": pl.Float64, "category": pl.String, "crm_category": pl.String})
    found = forecast.Forecast(rows, pl.DataFrame(), D(2025, 1, 15), 90, {"method": "model"})
    shown = TWO_MONTHS.result(found)
    assert shown.summary["due_arr"] == 100.0 and found.summary["due_arr"] == 400.0
    assert shown.summary["method"] == "model"
