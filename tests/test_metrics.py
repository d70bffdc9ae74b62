"""Window metrics and MRR movements on the hand-checked company (conftest.HAND_SUBSCRIPTIONS)."""

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewal_radar import metrics
from renewal_radar.filters import Filters

D = dt.date


def test_mrr_respects_exclusive_end_open_lines_zero_mrr_and_same_day_lines(hand_con):
    snapshot = metrics.mrr_on_days(hand_con, D(2024, 3, 10), D(2024, 12, 15))
    by_account = dict(zip(snapshot["account_id"], snapshot["mrr_start"], strict=True))
    # Mar 10: A 100, B 200, C ended Mar 1 (exclusive), D same-day line never active, E zero MRR, F EUR 100 × 1.2
    assert by_account == {"A": 100.0, "B": 200.0, "F": pytest.approx(120.0)}  # G ended Dec 1: absent
    ends = dict(zip(snapshot["account_id"], snapshot["mrr_end"], strict=True))
    assert ends["A"] == 150.0  # open-ended line still counts on the as-of day
    assert ends["F"] == pytest.approx(96.0)  # EUR 80 at D0's (March's) rate 1.2: constant currency


def test_window_metrics_by_hand(hand_con):
    figures = metrics.window_metrics(hand_con, D(2024, 2, 1), D(2024, 8, 1))
    # S = {A 100, B 200, C 50, F 120}; Aug 1 at D0's rates: A 150, B 0, C 0, F EUR 80 x 1.2 = 96
    assert figures["n_start"] == 4
    assert figures["n_churned"] == 2
    assert figures["logo_churn_rate"] == 0.5
    assert figures["start_mrr"] == pytest.approx(470)
    assert figures["churned_mrr"] == pytest.approx(250)
    assert figures["contraction_mrr"] == pytest.approx(24)
    assert figures["expansion_mrr"] == pytest.approx(50)
    assert figures["grr"] == pytest.approx(196 / 470)
    assert figures["nrr"] == pytest.approx(246 / 470)


def test_new_accounts_after_start_never_enter_the_window(hand_con):
    figures = metrics.window_metrics(hand_con, D(2024, 5, 15), D(2024, 8, 1))
    # S = {A 100, C 60, F 120}: B left Apr 1, G starts Jun 1 and is ignored; C churns by Aug 1
    assert figures["n_start"] == 3
    assert figures["start_mrr"] == pytest.approx(100 + 60 + 120)
    assert figures["n_churned"] == 1


def test_window_on_empty_start_set_has_no_rates(hand_con):
    figures = metrics.window_metrics(hand_con, D(2020, 1, 1), D(2021, 1, 1))
    assert figures["n_start"] == 0
    assert figures["grr"] is None and figures["nrr"] is None and figures["logo_churn_rate"] is None


def test_filters_restrict_the_accounts(hand_con):
    figures = metrics.window_metrics(hand_con, D(2024, 2, 1), D(2024, 8, 1), Filters(segments=("Enterprise",)))
    assert figures["n_start"] == 2  # B and F
    assert figures["start_mrr"] == pytest.approx(320)


def test_monthly_movements_by_hand(hand_con):
    frame = metrics.monthly_movements(hand_con, D(2024, 1, 1), D(2024, 12, 1))
    expected = pl.DataFrame({
        "month": [D(2024, m, 1) for m in range(1, 12)],
        "starting_mrr": [220.0, 470, 420, 220, 280, 240, 290, 290, 290, 290, 290],
        "new_mrr": [250.0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0],
        "reactivation_mrr": [0.0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0],
        "expansion_mrr": [0.0, 0, 0, 0, 0, 50, 0, 0, 0, 0, 0],
        # May: F EUR 100 -> 80 at May's rate 1.2 is a contraction of 24; June's rate 1.25 adds fx 80 x 0.05 = 4
        "contraction_mrr": [0.0, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0],
        "churned_mrr": [0.0, 50, 200, 0, 60, 0, 0, 0, 0, 0, 40],
        "fx_mrr": [0.0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0],
        "ending_mrr": [470.0, 420, 220, 280, 240, 290, 290, 290, 290, 290, 250],
    })
    assert_frame_equal(frame, expected, abs_tol=1e-9)


def test_default_movement_range_ends_at_the_as_of_month(hand_con):
    frame = metrics.monthly_movements(hand_con)
    assert frame["month"].min() == D(2023, 12, 1)  # the month before the first month start with MRR (from zero)
    assert frame["month"].max() == D(2024, 11, 1)  # Dec's m1 (Jan 1) is after the as-of day


def test_classify_movements_on_three_rows():
    pairs = pl.DataFrame({
        "month_start": [D(2024, 3, 1)] * 3,
        "prev_mrr": [0.0, 0.0, 100.0],
        "cur_mrr": [10.0, 20.0, 100.0],
        "first_start": [D(2024, 3, 20), D(2023, 1, 1), D(2023, 1, 1)],
    })
    out = metrics.classify_movements(pairs)
    assert out["movement"].to_list() == ["new", "reactivation", None]
    assert out["amount"].to_list() == [10.0, 20.0, 0.0]


def test_an_account_inside_one_month_shows_no_movement():
    pairs = pl.DataFrame({"month_start": [D(2024, 3, 1)], "prev_mrr": [0.0], "cur_mrr": [0.0],
                          "cur_mrr_actual": [0.0], "first_start": [D(2024, 3, 5)]})
    out = metrics.movements_by_month(pairs, D(2024, 3, 1), D(2024, 4, 1))
    assert out.select(pl.exclude("month")).row(0) == (0.0,) * 8


def test_movements_identity_holds_on_the_demo(demo_con):
    frame = metrics.monthly_movements(demo_con)
    rebuilt = (frame["starting_mrr"] + frame["new_mrr"] + frame["reactivation_mrr"] + frame["expansion_mrr"]
               - frame["contraction_mrr"] - frame["churned_mrr"] + frame["fx_mrr"])
    assert (rebuilt - frame["ending_mrr"]).abs().max() < 1e-6
    # each month's ending MRR is the next month's starting MRR
    assert (frame["ending_mrr"].head(-1) - frame["starting_mrr"].tail(-1)).abs().max() < 1e-6
    assert frame["churned_mrr"].sum() > 0 and frame["expansion_mrr"].sum() > 0


def test_monthly_ending_mrr_matches_the_point_in_time_total(demo_con):
    frame = metrics.monthly_movements(demo_con)
    last = frame.row(-1, named=True)
    month_after = D(last["month"].year + last["month"].month // 12, last["month"].month % 12 + 1, 1)
    assert last["ending_mrr"] == pytest.approx(metrics.mrr_total(demo_con, month_after))


def test_trailing_trend_ends_with_the_trailing_window(demo_con):
    as_of = metrics.data_as_of(demo_con)
    trend = metrics.trailing_retention_trend(demo_con, as_of, months=3)
    window = metrics.window_metrics(demo_con, D(as_of.year - 1, as_of.month, 1), as_of.replace(day=1))
    assert trend.height == 3
    assert trend["grr"][-1] == pytest.approx(window["grr"])


def test_marts_state_their_grain_and_keys_are_unique(demo_con):
    """Each mart table's grain key is read from its own SQL header (``-- grain: …``) and holds on the demo."""
    from renewal_radar import db, sql

    tables = set(db.table_names(demo_con))
    marts = sorted(path.stem for path in (sql.QUERIES_DIR / "marts").glob("*.sql") if path.stem in tables)
    keys = {table: sql.grain_key(f"marts/{table}") for table in marts}
    assert [table for table, key in keys.items() if not key] == []  # every mart table states its grain
    assert len(keys) >= 9
    for table, key in keys.items():
        frame = demo_con.table(table).select(*key).pl()
        assert frame.height > 0, table
        assert not frame.is_duplicated().any(), f"{table} has duplicate {key}"


def test_arr_by_attribute_and_accounts_on_day(hand_con):
    accounts = metrics.accounts_on_day(hand_con, D(2024, 3, 10))
    assert accounts["account_id"].to_list() == ["B", "F", "A"]  # largest ARR first
    by_segment = metrics.arr_by_attribute(accounts, "segment")
    assert dict(zip(by_segment["segment"], by_segment["arr"], strict=True)) == pytest.approx(
        {"Enterprise": 12 * (200 + 120), "SMB": 12 * 100})
    with pytest.raises(ValueError):
        metrics.arr_by_attribute(accounts, "nope")


def test_window_accounts_label_each_outcome(hand_con):
    frame = metrics.window_accounts(hand_con, D(2024, 2, 1), D(2024, 8, 1))
    outcomes = dict(zip(frame["account_id"], frame["outcome"], strict=True))
    assert outcomes == {"A": "expanded", "B": "churned", "C": "churned", "F": "contracted"}


def test_the_windows_snapshot_gives_the_arr_of_its_first_day(hand_con):
    # Feb 1: A 100, B 200, C 50, F EUR 100 x 1.2 = 120 -> 470 MRR; G (from Jun 1) only on the window's last day
    snapshot = metrics.mrr_on_days(hand_con, D(2024, 2, 1), D(2024, 8, 1))
    assert "G" in snapshot["account_id"].to_list()
    assert metrics.start_arr(snapshot) == pytest.approx(12 * 470) == metrics.arr_total(hand_con, D(2024, 2, 1))
    assert metrics.window_accounts(hand_con, D(2024, 2, 1), D(2024, 8, 1), snapshot=snapshot).equals(
        metrics.window_accounts(hand_con, D(2024, 2, 1), D(2024, 8, 1)))


def test_every_definition_has_plain_words_without_formula_notation():
    from renewal_radar import figures as definitions

    assert definitions.PLAIN.keys() == definitions.DEFINITIONS.keys()
    assert all("m0" not in text and "Σ_" not in text for text in definitions.PLAIN.values())
