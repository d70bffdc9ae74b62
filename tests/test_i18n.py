"""Catalogues complete with the same placeholders, local formats, and every page in every language."""

from __future__ import annotations

import datetime as dt
import re
import string

import polars as pl
import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from renewal_radar import figures, i18n
from renewal_radar.readers import overview as overview_reader
from tests.conftest import ROOT

LANGS = ("ko", "ja", "zh_TW")
PAGES = {"pages/overview.py": "Overview", "pages/forecast.py": "Renewal forecast",
         "pages/why.py": "Why customers leave",
         "pages/calendar.py": "Renewal calendar", "pages/at_risk.py": "At-risk accounts",
         "pages/account.py": "Account", "pages/expansion.py": "Expansion", "pages/cohorts.py": "Cohorts and survival",
         "pages/explore.py": "Explore", "pages/data.py": "Data", "pages/import.py": "Import",
         "pages/digest.py": "Digest"}


def _placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "renewal_radar.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing, differing = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(ids[0])
            continue
        for text in strings:
            if _placeholders(text) != _placeholders(ids[-1]):
                differing.append((ids[0], text))
    assert missing == [], f"{len(missing)} messages without a {lang} translation, e.g. {missing[:3]}"
    # a "%" before a letter reads as a %-placeholder to `pybabel compile`, which then rejects the catalogue
    assert [m.id for m in catalog if m.id and m.python_format] == []
    assert differing == [], differing[:3]


def test_the_catalogue_template_holds_every_message_the_code_marks():
    template = (i18n.LOCALE_DIR / "renewal_radar.pot").read_text(encoding="utf-8")
    for entry in figures.COLUMNS.values():
        assert f'msgid "{entry.label}"' in template, entry.label


@pytest.mark.parametrize(("lang", "currency", "value", "expected"), [
    ("ko", "KRW", 1_234_000, "₩1,234,000"), ("ja", "JPY", 1_234, "￥1,234"), ("en", "JPY", 1_234, "¥1,234"),
    ("zh_TW", "TWD", 1_234_567.4, "NT$1,234,567"), ("en", "EUR", 1_234.5, "€1,234"), ("en", "USD", -1_234.6, "-$1,235"),
])
def test_money_in_each_locale_has_no_cents_and_the_right_symbol(lang, currency, value, expected):
    with i18n.language(lang):
        assert i18n.money(value, currency, compact=False) == expected


@pytest.mark.parametrize(("lang", "currency", "value", "expected"), [
    ("ko", "KRW", 123_400_000, "₩1.2억"), ("ja", "JPY", 1_234_000_000, "￥12.3億"),
    ("zh_TW", "TWD", 12_345_678, "NT$1235萬"), ("ja", "USD", 20_970_000, "$2097万"), ("en", "USD", 1_234_567, "$1.2M"),
    # Korean groups the digits before 만 and 억 (issue 25)
    ("ko", "USD", 20_970_000, "$2,097만"), ("ko", "KRW", 209_700_000_000, "₩2,097억"),
    ("ko", "USD", 12_300_000, "$1,230만"),
    ("ko", "USD", -20_970_000, "-$2,097만"),
])
def test_kpi_cards_use_the_locales_compact_form(lang, currency, value, expected):
    with i18n.language(lang):
        assert i18n.money(value, currency, compact=True) == expected


def test_dates_percentages_and_days_follow_the_locale():
    day = dt.date(2027, 3, 1)
    expected = {"en": "Mar 1, 2027", "ko": "2027. 3. 1.", "ja": "2027/03/01", "zh_TW": "2027年3月1日"}
    for lang, text in expected.items():
        with i18n.language(lang):
            assert i18n.date(day) == text
            assert i18n.percent(0.8765) == "87.6%"
    with i18n.language("ja"):
        assert i18n.in_days(3) == "3 日後"
        assert i18n.tn("{count} day", "{count} days", 3) == "3 日"


def test_the_browser_language_picks_a_supported_one():
    assert i18n.match_language("ko-KR") == "ko"
    assert i18n.match_language("ja") == "ja"
    assert i18n.match_language("zh-Hant-TW") == "zh_TW" and i18n.match_language("zh-TW") == "zh_TW"
    assert i18n.match_language("zh-CN") is None  # Simplified Chinese is not offered
    assert i18n.match_language("fr-FR") is None


def pages_in(lang: str, demo_db, monkeypatch):
    """Run the app in ``lang`` and yield each page's AppTest after it rendered without an exception."""
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(demo_db))
    # AppTest formats widget values in the test's own thread, outside the session: give it the same language
    monkeypatch.setenv("RENEWAL_RADAR_LANG", lang)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.session_state["language"] = lang
    app.run()
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        yield page, app


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_renders_in_each_language_with_its_title_translated(demo_db, monkeypatch, lang):
    for page, app in pages_in(lang, demo_db, monkeypatch):
        english = PAGES[page]
        title = app.title[0].value
        assert title != english and not re.fullmatch(r"[A-Za-z \-()]+", title), (page, title)
        with i18n.language(lang):
            assert title == i18n.t(english)


def test_chart_axes_speak_the_language(demo_con):
    from renewal_radar import charts, metrics

    data = overview_reader.read(demo_con, metrics.data_as_of(demo_con))
    with i18n.language("ja"):
        movements = charts.movements_chart(data.movements, "JPY")
        by_segment = charts.arr_bar_chart(data.by_segment, "segment", "JPY", "ARR")
    assert movements.layout.xaxis.tickformat == "%Y年%-m月" and movements.layout.xaxis.hoverformat == "%Y年%-m月%-d日"
    assert movements.layout.yaxis.exponentformat == "none" and movements.layout.yaxis.separatethousands
    assert by_segment.layout.xaxis.tickformat == ",.0f"  # no SI suffix (k, M, G) outside English
    assert by_segment.layout.yaxis.tickformat is None  # a category axis is left alone
    english = charts.movements_chart(data.movements, "USD")
    assert english.layout.xaxis.tickformat is None  # plotly's own English dates


def test_snapshot_names_the_app_gives_are_worded_in_the_language():
    from renewal_radar import ui

    with i18n.language("ja"):
        assert ui.snapshot_name({"name": "import as of 2026-11-01"}) == "2026/11/01 時点の取り込み"
        assert ui.snapshot_name({"name": "Board pack Q4"}) == "Board pack Q4"  # a typed name stays as typed
    assert ui.snapshot_name({"name": "forecast as of 2026-11-01"}) == "forecast as of Nov 1, 2026"


def test_validation_messages_are_shown_in_the_language(tmp_path):
    from renewal_radar.ingest import validate_folder
    from renewal_radar.ingest.wording import in_language, messages_in_language
    from tests.conftest import write_files

    header = "account_id,start_date,end_date,mrr\n"
    rows = validate_folder(write_files(tmp_path / "rows",
                                      {"subscriptions.csv": header + "A,2026-01-01,2025-01-01,-5\n"}))
    cells = validate_folder(write_files(tmp_path / "cells", {"subscriptions.csv": header + "B,someday,,10\n"}))
    errors = rows.errors + cells.errors
    problems = {m.problem for m in errors}
    assert {"mrr is negative", "end_date is before start_date", "is not a valid date"} <= problems  # the CLI's
    with i18n.language("ko"):
        shown = messages_in_language(pl.DataFrame([m.as_dict() for m in errors]))
        assert "올바른 날짜이(가) 아닙니다" in shown["problem"].to_list()
        assert "mrr이 음수입니다" in shown["problem"].to_list()
        assert "날짜는 YYYY-MM-DD(또는 M/D/YYYY)로 쓰세요" in shown["fix"].to_list()
    with i18n.language("ja"):
        # values inside a message stay as the file says them
        assert in_language("duplicate account_id: it is already on an earlier row") == \
            "account_id の重複：前の行にすでにあります"
        assert in_language("1,234 more rows with the same problem") == "同じ問題のある行がさらに 1,234 行"
        assert in_language("something no template says") == "something no template says"


RAW_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_table_shows_a_raw_column_name(demo_db, monkeypatch, lang):
    """Every column of every table on every page has a label from the registry (or the page), never its name."""
    import json

    for page, app in pages_in(lang, demo_db, monkeypatch):
        for table in app.dataframe:
            config = json.loads(table.proto.columns or "{}")
            for column in table.value.columns:
                label = (config.get(str(column)) or {}).get("label")
                assert label, (page, column)  # no config: the grid would show the column's own name
                assert not RAW_NAME.fullmatch(label), (page, column, label)


@pytest.mark.parametrize("language", ["en", "ko", "ja", "zh_TW"])
def test_whole_money_without_babel_reads_as_babel_writes_it(language):
    """The fast path (prefix + grouped digits + suffix) gives Babel's text for every amount, in every language and
    currency offered, halves rounded the same way; negative amounts go through Babel."""
    import random

    from babel import Locale

    generator = random.Random(7)
    values = [0, 0.5, 1.5, 2.5, 999, 999.5, 1000, 1234.4999, 10**12 + 0.5, *(generator.uniform(0, 1e9)
                                                                          for _ in range(200))]
    with i18n.language(language):
        locale = Locale.parse(i18n.FORMAT_LOCALES[language])
        for currency in ("USD", "EUR", "GBP", "JPY", "KRW", "TWD", "CHF", "INR"):
            for value in values:
                assert i18n.money(value, currency) == i18n._babel_whole_money(round(value), currency, locale)
            assert i18n.money(-1234.0, currency) == i18n._babel_whole_money(-1234, currency, locale)


def test_counts_read_in_the_singular_and_the_plural_in_each_language():
    from renewal_radar import i18n
    from renewal_radar.ui.formatting import day_count, renewal_count

    assert (renewal_count(1), renewal_count(1234), day_count(1), day_count(90)) == (
        "1 renewal", "1,234 renewals", "1 day", "90 days")
    with i18n.language("ko"):
        assert (renewal_count(1), day_count(90)) == ("갱신 1건", "90일")
    with i18n.language("zh_TW"):
        assert renewal_count(3) == "3 筆續約"


@pytest.mark.parametrize("lang", ["ja", "zh_TW"])
def test_ja_and_zh_tw_write_colons_brackets_and_commas_full_width(lang):
    from tools.fill_po import full_width

    with (ROOT / "renewal_radar" / "locales" / lang / "LC_MESSAGES" / "renewal_radar.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    half_width = [m.string for m in catalog if m.id and isinstance(m.string, str) and full_width(m.string, lang)
                  != m.string]
    assert half_width == []
    assert full_width("2026-Q4:到期 ARR(總額)", "zh_TW") == "2026-Q4：到期 ARR（總額）"
    assert full_width("{n:,} 件、12:30 に log(−log) 尺度 https://x", "ja") == "{n:,} 件、12:30 に log(−log) 尺度 https://x"
    assert full_width("営業,解約", "ja") == "営業、解約"


@pytest.mark.parametrize(("lang", "expected"), [("en", "$2.9K"), ("ko", "$2.9천"), ("ja", "$2,920"),
                                                ("zh_TW", "US$2,920")])
def test_a_small_amount_beside_compact_ones_is_compact_where_the_language_can_say_it(lang, expected):
    with i18n.language(lang):
        assert i18n.money(2920.35, "USD", compact=True, small_too=True) == expected
        assert i18n.money(338.2, "USD", compact=True, small_too=True).endswith("338")  # no unit that small
        assert i18n.money(2920.35, "USD", compact=True) == i18n.money(2920.35, "USD")  # alone: whole


def test_a_percentage_that_rounds_to_zero_has_no_minus():
    assert i18n.percent(-0.00004) == "0.0%"
    assert i18n.percent(-0.0006) == "-0.1%"


def test_date_axes_show_days_when_ticks_are_close_and_money_axes_no_symbol_beside_a_minus():
    from renewal_radar import charts

    lines = pl.DataFrame({"start_date": [dt.date(2026, 1, 1)], "end_date": [dt.date(2026, 12, 31)],
                          "product": ["Core"], "quantity": [3.0], "mrr": [100.0]})
    with i18n.language("ja"):
        timeline = charts.contract_timeline(lines, dt.date(2026, 11, 1), "USD", "x")  # a date axis by its type
    assert timeline.layout.xaxis.tickformat == "%Y年%-m月"
    assert [stop.value for stop in timeline.layout.xaxis.tickformatstops] == ["%-m月%-d日", "%Y年%-m月"]
    movements = pl.DataFrame({"month": [dt.date(2026, 10, 1)], "new_mrr": [10.0], "reactivation_mrr": [0.0],
                              "expansion_mrr": [5.0], "contraction_mrr": [20.0], "churned_mrr": [40.0],
                              "fx_mrr": [0.0], "starting_mrr": [100.0], "ending_mrr": [55.0]})
    chart = charts.movements_chart(movements, "USD")
    assert not chart.layout.yaxis.tickprefix  # "$-40" is written nowhere; the title names the currency


def test_count_axes_tick_at_whole_numbers():
    from renewal_radar.charts import whole_ticks

    assert [whole_ticks(largest)["dtick"] for largest in (0, 3, 7.04, 12, 120, 4000)] == [1, 1, 2, 5, 50, 1000]


def test_alternatives_read_as_the_language_writes_or():
    expected = {"en": "a or b", "ko": "a 또는 b", "ja": "aまたはb", "zh_TW": "a或b"}
    for lang, text in expected.items():
        with i18n.language(lang):
            assert i18n.alternatives(["a", "b"]) == text
