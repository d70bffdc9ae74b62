"""The business-review pack builds for a demo account; the PDF and the PPTX hold what they should."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from renewal_radar import book, db, i18n, money, review_pack

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def pack(demo_db):
    con = db.connect(demo_db)
    # a Korean-named account, so the CJK font path is exercised
    account_id = db.query(con, "select account_id from accounts_dim where regexp_matches(name, '[가-힣]') "
                               "and first_start < date '2025-01-01' order by account_id limit 1")["account_id"][0]
    start, end = review_pack.last_quarter(AS_OF)
    built = review_pack.build(con, account_id, start, end, AS_OF, "USD")
    con.close()
    return built


def test_last_quarter():
    assert review_pack.last_quarter(dt.date(2026, 11, 1)) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert review_pack.last_quarter(dt.date(2026, 1, 1)) == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))


def test_the_pack_shows_the_account_cards_as_the_registry_labels_and_formats_them(pack):
    from renewal_radar import figures

    labels = [label for label, _ in pack.key_figures]
    assert labels == [figures.figure_label(name) for name in ("account_arr", "account_health", "account_churn_risk",
                                                               "account_next_renewal")]
    assert dict(pack.key_figures)["ARR"].startswith("$")
    assert pack.key_figures_line in review_pack_html_text(pack)


def review_pack_html_text(pack) -> str:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(review_pack.to_pdf(pack))).pages[0].extract_text().replace("\n", " ")


def test_pack_content(pack):
    assert pack.period == "Jul 1, 2026 – Sep 30, 2026"
    assert pack.highlights and pack.renewal_points and pack.risks_and_asks
    assert set(pack.charts) == {"ARR, active users and seats by month", "Usage by feature"}
    assert all(png.startswith(b"\x89PNG") for png in pack.charts.values())


def test_pdf_pages_and_text(pack):
    reader = PdfReader(io.BytesIO(review_pack.to_pdf(pack)))
    assert len(reader.pages) == 5  # title, highlights, two charts, renewal and risks
    text = [page.extract_text() for page in reader.pages]
    assert pack.account_name in text[0]  # Korean name rendered with a CJK font, and extractable
    assert "Highlights" in text[1] and pack.highlights[0][:30] in text[1].replace("\n", " ")
    assert "Renewal and expansion" in text[4] and "Risks and asks" in text[4]


def test_pdf_escapes_data(pack):
    pack.highlights = ["<script>alert('x')</script> & more"]
    text = PdfReader(io.BytesIO(review_pack.to_pdf(pack))).pages[1].extract_text()
    assert "<script>alert('x')</script> & more" in text  # shown as text, never run as markup


def test_pptx_slides(pack):
    deck = Presentation(io.BytesIO(review_pack.to_pptx(pack)))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles == [pack.title, "Highlights", "ARR, active users and seats by month", "Usage by feature",
                      "Renewal and expansion", "Risks and asks"]
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == 2


def test_the_japanese_pack_speaks_japanese(demo_db):
    con = db.connect(demo_db)
    account_id = db.query(con, "select account_id from accounts_dim order by account_id limit 1", {})["account_id"][0]
    start, end = review_pack.last_quarter(AS_OF)
    with i18n.language("ja"):
        built = review_pack.build(con, account_id, start, end, AS_OF, "JPY")
        pdf = review_pack.to_pdf(built)
        deck = Presentation(io.BytesIO(review_pack.to_pptx(built)))
    con.close()
    text = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "ビジネスレビュー" in text[0] and "2026/07/01" in text[0]
    assert "ハイライト" in text[1] and "更新と拡大" in text[-1] and "リスクと依頼事項" in text[-1]
    assert [slide.shapes.title.text for slide in deck.slides][1] == "ハイライト"


def test_the_pack_converts_its_money_into_the_currency_asked_for(demo_db):
    con = db.connect(demo_db)
    try:
        account_id = db.query(con, "select account_id from renewal_events where renewal_date > date '2026-11-01' "
                                   "order by account_id limit 1", {})["account_id"][0]
        start, end = review_pack.last_quarter(AS_OF)
        in_usd = review_pack.build(con, account_id, start, end, AS_OF)
        in_krw = review_pack.build(con, account_id, start, end, AS_OF, "KRW")
        renewal = book.renewal_rows(con, AS_OF, 365).filter(pl.col("account_id") == account_id).sort(
            "renewal_date").row(0, named=True)
        factor = money.converter(con, "KRW").factor(renewal["renewal_date"])
    finally:
        con.close()
    assert i18n.money(renewal["due_arr"], "USD") in in_usd.renewal_points[0]
    # the renewal's due ARR at its month's rate, in won without decimals
    assert i18n.money(renewal["due_arr"] * factor, "KRW") in in_krw.renewal_points[0]
    assert "₩" in in_krw.renewal_points[0] and factor > 1000
