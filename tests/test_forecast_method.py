"""The forecast method chosen on the book's own history (forecast_method; metrics.md "Quarter forecast").

Hand-made books of ten renewals a month, 1,000 of ARR each, due ten days after each month start: one where the
model knows who renews (signal), one where it prices everyone at 50 % while 80 % renew (no signal).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from renewal_radar import forecast_method as fm

D = dt.date
MONTHS = [D(2025, month, 1) for month in range(1, 13)]
CHURNERS = [2, 1, 4, 2, 3, 1, 2, 5, 2, 1, 3, 2, 1]  # of ten each month (Jan 2025 … Jan 2026): the rate moves


def _month_renewals(index: int, model_price) -> tuple[pl.DataFrame, list[dict]]:
    month = D(2025 + index // 12, index % 12 + 1, 1)
    due_day = month + dt.timedelta(days=10)
    renews = [i >= CHURNERS[index] for i in range(10)]
    ids = [f"{month:%y%m}-{i}" for i in range(10)]
    rows = pl.DataFrame({"account_id": ids, "renewal_date": [due_day] * 10, "due_arr": [1000.0] * 10,
                         "source": ["model"] * 10, "category": pl.Series([None] * 10, dtype=pl.String),
                         "segment": ["SMB"] * 10, "bill_period_months": [12] * 10,
                         "model_probability": [model_price(r) for r in renews]})
    outcomes = [{"account_id": i, "bill_period_months": 12, "renewal_date": due_day, "due_arr": 1000.0,
                 "renewed_arr": 1000.0 if r else 0.0, "renewed_arr_gross": 1000.0 if r else 0.0,
                 "outcome": "renewed" if r else "churned"} for i, r in zip(ids, renews, strict=True)]
    return rows, outcomes


def _book(model_price) -> tuple[dict, dict, pl.DataFrame]:
    """Rows by month start (that month's renewals and the next month's), roll-ups (the trailing rate: 80 %) and
    every outcome."""
    months = [_month_renewals(index, model_price) for index in range(13)]
    rows = {month: pl.concat([months[k][0], months[k + 1][0]]).with_columns(
        pl.lit(month).alias("as_of"), pl.col("model_probability").alias("probability"))
        for k, month in enumerate(MONTHS)}
    decided = pl.DataFrame([outcome for _, outcomes in months for outcome in outcomes])
    rollup = pl.DataFrame({"segment": ["SMB"], "bill_period_months": [12], "decided_due_arr": [10_000.0],
                           "decided_renewed_gross_arr": [8_000.0]})
    return rows, dict.fromkeys(MONTHS, rollup), decided


YEAR_END = D(2026, 1, 1)


def _choose(rows, rollups, decided, day=YEAR_END) -> fm.Choice:
    known = decided.filter(pl.col("renewal_date") < day)  # outcomes known on the day
    return fm.choose(day, rows, rollups, known, dict.fromkeys(MONTHS, 0.0), 90)


def test_where_the_model_knows_who_renews_it_is_chosen():
    rows, rollups, decided = _book(lambda renews: 0.97 if renews else 0.03)
    choice = _choose(rows, rollups, decided)
    # judged: the latest six month starts whose 90 days and 30 days' grace ended by Jan 1, 2026 (Apr … Sep 2025)
    assert choice.months == 6
    assert choice.method == "model"
    assert choice.errors["model"] < choice.errors["naive"]
    # naive by hand: each month start sees its month's and the next month's renewals, 16,000 forecast against
    # 20,000 − 1,000 × the churners of both months renewed
    actual = [20_000 - 1000 * (CHURNERS[k] + CHURNERS[k + 1]) for k in range(3, 9)]
    assert choice.errors["naive"] == pytest.approx(np.mean([abs(16_000 - a) / a for a in actual]))


def test_where_the_model_carries_no_signal_the_naive_rate_or_the_recalibration_wins():
    rows, rollups, decided = _book(lambda renews: 0.5)
    days = [*MONTHS, D(2026, 1, 1)]
    # each month start's recalibration is fitted on its own day: choose them in order
    choices, _ = fm.choose_all(days, rows, rollups, {day: decided.filter(pl.col("renewal_date") < day)
                                                     for day in days}, 90)
    choice = choices[-1]
    assert choice.method in ("naive", "recalibrated")
    assert choice.errors["model"] > max(choice.errors["naive"], choice.errors["recalibrated"])
    # the recalibration lifts 50 % to the recent level, fitted at the lead it is used at: the renewals of the six
    # judged month starts' windows (Apr … Sep 2025, each with that month's and the next month's renewals) as
    # priced on those days
    renewed = 1 - sum(CHURNERS[k] + CHURNERS[k + 1] for k in range(3, 9)) / 120
    assert fm.shifted(np.array([0.5]), choice.recalibration_shift)[0] == pytest.approx(renewed, abs=1e-6)


def test_the_chosen_level_keeps_the_models_ranking():
    rows, rollups, _ = _book(lambda renews: 0.6 if renews else 0.3)
    day_rows = rows[MONTHS[-1]]
    choice = fm.Choice(MONTHS[-1], "naive", 9, dict.fromkeys(fm.METHODS, 0.1), 0.0, 0.0)
    applied, moved = fm.apply(choice, day_rows, rollups[MONTHS[-1]], 90)
    assert float((moved["probability"] * moved["due_arr"]).sum()) == pytest.approx(16_000, rel=1e-6)
    assert moved["probability"].rank("dense").to_list() == day_rows["model_probability"].rank("dense").to_list()
    assert applied.applied_shift > 0
    assert moved["model_probability"].to_list() == day_rows["model_probability"].to_list()


def test_booked_renewals_stand_and_a_method_chosen_on_its_record_moves_the_crms_calls():
    rows, rollups, _ = _book(lambda renews: 0.5)
    first = pl.int_range(pl.len())
    day_rows = rows[MONTHS[-1]].with_columns(
        pl.when(first < 3).then(pl.lit("booked")).when(first < 6).then(pl.lit("crm")).otherwise(pl.col("source"))
        .alias("source"),
        pl.when(first < 3).then(pl.lit(1.0)).when(first < 6).then(pl.lit(0.9)).otherwise(pl.col("probability"))
        .alias("probability"))
    # the naive rate for want of history (two months judged): in place of the model only
    fallback = fm.Choice(MONTHS[-1], "naive", 2, dict.fromkeys(fm.METHODS, None), 0.0, 0.0)
    _, moved = fm.apply(fallback, day_rows, rollups[MONTHS[-1]], 90)
    assert moved["probability"].head(6).to_list() == [1.0] * 3 + [0.9] * 3  # booked and called stand
    assert moved["probability"].tail(14).to_list() == pytest.approx([0.8] * 14, rel=1e-6)
    # chosen on its record: the CRM's calls move with the model's prices, order kept, the sum at 80 %
    naive = fm.Choice(MONTHS[-1], "naive", 9, {"model": 0.2, "naive": 0.1, "recalibrated": 0.15}, 0.0, 0.0)
    _, moved = fm.apply(naive, day_rows, rollups[MONTHS[-1]], 90)
    called, priced = moved["probability"][3:6].to_list(), moved["probability"][6:].to_list()
    assert moved["probability"].head(3).to_list() == [1.0] * 3
    assert sum(called) + sum(priced) == pytest.approx(0.8 * 17, rel=1e-6) and min(called) > max(priced)
    recalibrated = fm.Choice(MONTHS[-1], "recalibrated", 9, dict.fromkeys(fm.METHODS, 0.1), 1.0, 0.0)
    _, moved = fm.apply(recalibrated, day_rows, rollups[MONTHS[-1]], 90)
    assert moved["probability"].head(3).to_list() == [1.0] * 3  # booked: known
    assert moved["probability"][3:6].to_list() == pytest.approx([fm.shifted(np.array([0.9]), 1.0)[0]] * 3)
    assert moved["probability"].tail(14).to_list() == pytest.approx([fm.shifted(np.array([0.5]), 1.0)[0]] * 14)


def test_with_too_little_history_the_naive_rate():
    rows, rollups, decided = _book(lambda renews: 0.97 if renews else 0.03)
    choice = _choose(rows, rollups, decided, day=D(2025, 6, 1))  # Jan and Feb 2025 judged only
    assert choice.months == 2
    assert choice.method == "naive"


def test_the_choice_reads_nothing_after_its_day():
    rows, rollups, decided = _book(lambda renews: 0.97 if renews else 0.03)
    day = D(2025, 10, 1)
    before = _choose(rows, rollups, decided, day)
    # later month starts' rows change nothing
    later = {**rows, D(2025, 12, 1): rows[D(2025, 12, 1)].with_columns(pl.lit(0.0).alias("model_probability"))}
    assert _choose(later, rollups, decided, day) == before
    assert before.months == 6  # Jan … Jun 2025: 90 days and 30 of grace ended by Oct 1 (six at most)


def test_a_settled_call_is_not_moved_by_the_method():
    rows = pl.DataFrame({"as_of": [D(2026, 1, 1)] * 3, "account_id": ["a", "b", "c"],
                         "renewal_date": [D(2026, 1, 10)] * 3, "due_arr": [1000.0] * 3, "source": ["crm"] * 3,
                         "category": ["Omitted", "Closed Won", "Pipeline"], "segment": ["SMB"] * 3,
                         "bill_period_months": [12] * 3, "model_probability": [0.5] * 3,
                         "probability": [0.0, 1.0, 0.3]})
    choice = fm.Choice(D(2026, 1, 1), "recalibrated", 6, dict.fromkeys(fm.METHODS, 0.1), 2.0, 0.0)
    _, moved = fm.apply(choice, rows, _book(lambda renews: 0.5)[1][MONTHS[0]], 90)
    assert moved["probability"].to_list()[:2] == [0.0, 1.0]  # Omitted stays out of the forecast, Closed Won in
    assert moved["probability"][2] > 0.3  # a Pipeline call is a price: the recalibration moves it
