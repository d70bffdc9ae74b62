"""Money in another currency than the import's reporting currency (metrics.md "Time and money").

Hand figures on the hand-checked company (EUR at 1.2 USD until May, 1.25 from June), and an independent
reference: the same exports imported again with EUR as the reporting currency and the rates turned around
must give the figures the converter gives from the USD book.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewal_radar import book, db, forecast, metrics, money
from renewal_radar.demo import build_demo
from renewal_radar.readers import cohorts as cohorts_reader
from renewal_radar.readers import overview as overview_reader
from tests.conftest import HAND_ACCOUNTS, HAND_AS_OF, HAND_SUBSCRIPTIONS, import_files

D = dt.date


def test_offered_currencies_are_the_reporting_one_and_those_with_rates(hand_con):
    assert money.offered(hand_con) == ["USD", "EUR"]


def test_a_currency_without_rates_is_refused_by_name(hand_con):
    with pytest.raises(ValueError, match=r"'JPY'.*USD, EUR"):
        money.converter(hand_con, "JPY")


def test_factor_per_month_and_outside_the_table(hand_con):
    eur = money.converter(hand_con, "EUR")
    assert eur.factor(D(2024, 3, 15)) == pytest.approx(1 / 1.2)
    assert eur.factor(D(2024, 6, 1)) == pytest.approx(1 / 1.25)
    assert eur.factor(D(2019, 1, 1)) == pytest.approx(1 / 1.2)  # before the table: its first month
    assert eur.factor(D(2040, 1, 1)) == pytest.approx(1 / 1.25)  # after it: its last month
    assert money.converter(hand_con, "USD").is_identity


def test_arr_on_the_as_of_day_in_eur_by_hand(hand_con):
    # on Dec 15: A USD 150 at 1.25 is EUR 120, F is EUR 80: MRR EUR 200, ARR EUR 2,400 (USD 3,000)
    data = overview_reader.read(hand_con, HAND_AS_OF, currency="EUR")
    usd = overview_reader.read(hand_con, HAND_AS_OF)
    assert data.currency == "EUR" and usd.currency == "USD"
    assert data.arr_now == pytest.approx(2400) and usd.arr_now == pytest.approx(3000)
    # window metrics: both ends at D0's rates, so the rates are the same in any currency
    assert data.window["grr"] == pytest.approx(usd.window["grr"])
    assert data.window["start_mrr"] == pytest.approx(usd.window["start_mrr"] / 1.2)  # D0 = Dec 15, 2023 → 1.2


def test_may_movements_in_eur_by_hand(hand_con):
    # May (m0 May 1 at 1.2, m1 Jun 1 at 1.25): starting A 100/1.2 + C 60/1.2 + F 100 = 233.33; G new 40/1.2;
    # C churns 60/1.2 = 50; F contracts EUR 100 -> 80 = 20; ending A 80 + F 80 + G 32 = 192; so the USD
    # accounts lose 100 × (0.8 − 0.8333) + 40 × (0.8 − 0.8333) = −4.67 to the rate: the fx movement.
    table = money.converter(hand_con, "EUR").movements(
        metrics.monthly_movements(hand_con, D(2024, 5, 1), D(2024, 6, 1)))
    may = table.row(0, named=True)
    assert may["starting_mrr"] == pytest.approx(160 / 1.2 + 100)
    assert may["new_mrr"] == pytest.approx(40 / 1.2)
    assert may["churned_mrr"] == pytest.approx(50)
    assert may["contraction_mrr"] == pytest.approx(20)
    assert may["ending_mrr"] == pytest.approx(192)
    assert may["fx_mrr"] == pytest.approx(140 * (1 / 1.25 - 1 / 1.2))


def test_movement_accounts_in_eur_add_up_to_the_month(hand_con):
    accounts = overview_reader.movement_accounts(hand_con, D(2024, 5, 1), currency="EUR")
    by_account = {row["account_id"]: row for row in accounts.iter_rows(named=True)}
    assert by_account["F"]["amount"] == pytest.approx(20) and by_account["F"]["fx"] == pytest.approx(0)
    assert by_account["A"]["fx"] == pytest.approx(100 * (1 / 1.25 - 1 / 1.2))
    assert accounts["fx"].sum() == pytest.approx(140 * (1 / 1.25 - 1 / 1.2))


def test_identity_holds_in_every_currency_on_the_demo(demo_con):
    for currency in money.offered(demo_con):
        frame = money.converter(demo_con, currency).movements(metrics.monthly_movements(demo_con))
        rebuilt = (frame["starting_mrr"] + frame["new_mrr"] + frame["reactivation_mrr"] + frame["expansion_mrr"]
                   - frame["contraction_mrr"] - frame["churned_mrr"] + frame["fx_mrr"])
        assert ((rebuilt - frame["ending_mrr"]).abs() / frame["ending_mrr"].abs().clip(1)).max() < 1e-9, currency
        # each month's ending MRR is the next month's starting MRR, in that currency too
        gaps = (frame["ending_mrr"].head(-1) - frame["starting_mrr"].tail(-1)).abs() / frame["ending_mrr"].head(-1)
        assert gaps.max() < 1e-9, currency


# ---------------------------------------------------------------- the independent reference


def _turned_around(rates: pl.DataFrame, to: str) -> pl.DataFrame:
    """fx_rates in units of ``to`` instead of USD: rate_x / rate_to per month, and USD = 1 / rate_to."""
    pivot = rates.filter(pl.col("currency") == to).select("month", pl.col("rate").alias("to_rate"))
    others = rates.filter(pl.col("currency") != to).join(pivot, on="month").select(
        "currency", "month", (pl.col("rate") / pl.col("to_rate")).alias("rate"))
    usd = pivot.select(pl.lit("USD").alias("currency"), "month", (1 / pl.col("to_rate")).alias("rate"))
    return pl.concat([others, usd]).sort("currency", "month")


@pytest.fixture(scope="module")
def hand_books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hand_eur")
    files = {"subscriptions.csv": HAND_SUBSCRIPTIONS, "accounts.csv": HAND_ACCOUNTS,
             "fx_rates.csv": "currency,month,rate\nEUR,2024-01-01,1.2\nEUR,2024-06-01,1.25\n"}
    usd, _ = import_files(tmp, files, as_of=HAND_AS_OF, name="usd.duckdb")
    turned = "currency,month,rate\nUSD,2024-01-01,0.8333333333333334\nUSD,2024-06-01,0.8\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RENEWAL_RADAR_REPORTING_CURRENCY", "EUR")  # as a deployment sets it
        eur, result = import_files(tmp, {**files, "fx_rates.csv": turned}, as_of=HAND_AS_OF, name="eur.duckdb")
    assert result.loaded, result.report.text()
    return usd, eur


def _figures(path: Path, as_of: dt.date, currency: str | None) -> dict:
    con = db.connect(path)
    try:
        overview = overview_reader.read(con, as_of, currency=currency)
        cohorts = cohorts_reader.read(con, as_of, currency=currency)
        due = money.converter(con, currency).frame(book.renewal_rows(con, as_of, 365), forecast.RENEWAL_MONEY,
                                                   "renewal_date")
        summary = forecast.summarise(due, as_of, 365, 0.0, 0.0)
        return {"currency": overview.currency, "arr_now": overview.arr_now,
                "arr_year_ago": overview.arr_year_ago, "window": overview.window,
                "movements": overview.movements, "all_movements": cohorts.movements,
                "triangle": cohorts.triangle.select("cohort", "k", "base_mrr", "mrr", "gross_mrr"),
                "accounts": overview.accounts.select("account_id", "arr").sort("account_id"),
                "window_accounts": overview.window_accounts.select("account_id", "mrr_start", "mrr_end")
                .sort("account_id"),
                "due": due.select("account_id", "renewal_date", "due_arr").sort("account_id", "renewal_date"),
                "due_arr": summary["due_arr"], "floor_arr": summary["floor_arr"],
                "best_case_arr": summary["best_case_arr"]}
    finally:
        con.close()


def _assert_same_figures(converted: dict, reference: dict) -> None:
    assert converted["currency"] == reference["currency"]
    for key in ("arr_now", "arr_year_ago", "due_arr", "floor_arr", "best_case_arr"):
        assert converted[key] == pytest.approx(reference[key], rel=1e-9), key
    for key in ("start_mrr", "churned_mrr", "contraction_mrr", "expansion_mrr", "grr", "nrr"):
        expected = reference["window"][key]
        assert converted["window"][key] == (expected if expected is None else pytest.approx(expected, rel=1e-9)), key
    for key in ("movements", "all_movements", "triangle", "accounts", "window_accounts", "due"):
        assert_frame_equal(converted[key], reference[key], rel_tol=1e-9, abs_tol=1e-6, check_dtypes=False)


def test_hand_book_converted_equals_the_book_imported_in_eur(hand_books):
    usd, eur = hand_books
    _assert_same_figures(_figures(usd, HAND_AS_OF, "EUR"), _figures(eur, HAND_AS_OF, None))


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory):
    """The demo company (five currencies, monthly rates) imported in USD, and again in EUR."""
    tmp = tmp_path_factory.mktemp("demo_eur")
    usd = tmp / "usd.duckdb"
    summary = build_demo(usd, accounts=300, seed=11, events=30_000)
    folder = tmp / "eur_exports"
    folder.mkdir()
    for file in summary.folder.iterdir():
        if file.name != "fx_rates.csv":
            (folder / file.name).symlink_to(file)
    _turned_around(pl.read_csv(summary.folder / "fx_rates.csv", try_parse_dates=True), "EUR").write_csv(
        folder / "fx_rates.csv")
    from renewal_radar.demo import DEMO_END
    from renewal_radar.ingest import import_folder

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RENEWAL_RADAR_REPORTING_CURRENCY", "EUR")
        result = import_folder(folder, tmp / "eur.duckdb", as_of=DEMO_END, today=DEMO_END)
    assert result.loaded, result.report.text()
    return usd, tmp / "eur.duckdb", DEMO_END


def test_demo_converted_equals_the_demo_imported_in_eur(demo_books):
    usd, eur, as_of = demo_books
    converted, reference = _figures(usd, as_of, "EUR"), _figures(eur, as_of, None)
    _assert_same_figures(converted, reference)
    # and the fx movement is real here: the book has USD, GBP, JPY and KRW accounts seen in EUR
    assert converted["all_movements"]["fx_mrr"].abs().sum() > 0


# ---------------------------------------------------------------- the pages


ROOT = Path(__file__).resolve().parent.parent


def test_every_page_shows_money_in_the_picked_currency(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from renewal_radar import i18n

    monkeypatch.setenv("RENEWAL_RADAR_DB", str(demo_db))
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    selector = first.sidebar.selectbox(key="currency")
    assert selector.options == ["USD", "EUR", "GBP", "JPY", "KRW"] and selector.value == "USD"
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.session_state["currency"] = "JPY"  # as the sidebar leaves it (the browser test picks it by hand)
    app.run()
    assert not app.exception, app.exception
    con = db.connect(demo_db)
    try:
        expected = overview_reader.read(con, metrics.data_as_of(con), currency="JPY")
    finally:
        con.close()
    assert app.metric[0].value == i18n.money(expected.arr_now, "JPY", compact=True) == "¥1.7B"
    assert any("JPY" in c.value for c in app.caption)  # "Money in JPY."
    for page in ("pages/forecast.py", "pages/calendar.py", "pages/at_risk.py", "pages/cohorts.py",
                 "pages/expansion.py", "pages/account.py", "pages/digest.py"):
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert app.session_state["_shown_currency"] == "JPY", page  # kept across pages
        specs = " ".join(chart.proto.spec for chart in app.get("plotly_chart"))
        assert "USD" not in specs and "$" not in specs, page
        assert "JPY" in specs or page in ("pages/expansion.py", "pages/digest.py"), page
