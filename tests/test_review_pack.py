"""The packs people present: the customer's business review, the CSM's preparation sheet and the leadership
quarter pack, built on the demo and read back out of both files (PDF text, PowerPoint shapes), rendered to PNG."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys

import polars as pl
import pypdfium2
import pytest
from pptx import Presentation
from pypdf import PdfReader

from renewal_radar import book, db, i18n, money, pack_render, quarter_pack, review_pack
from tests.conftest import ROOT, SHOTS

AS_OF = dt.date(2026, 11, 1)
PERIOD = (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
# what the customer must never read: our scores, the model's and the CRM's calls, internal notes
INTERNAL_WORDS = ("Health", "health score", "Churn risk", "churn", "probability", "likely to renew", "CRM",
                  "Commit", "Best Case", "Pipeline", "Omitted", "Closed Lost", "stage", "Watch", "Drivers",
                  "model", "at risk", "At Risk", "red", "Ask:")


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pptx_texts(pptx: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(pptx))
    texts = []
    for slide in deck.slides:
        parts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        for shape in slide.shapes:
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append("\n".join(parts))
    return texts


def render_pages(pdf: bytes, name: str) -> list:
    """Every page as a PNG under tests/screenshots (looked at when the packs change)."""
    document = pypdfium2.PdfDocument(pdf)
    images = []
    for index in range(len(document)):
        image = document[index].render(scale=1).to_pil()
        image.save(SHOTS / f"pack_{name}_{index + 1}.png")
        images.append(image)
    return images


@pytest.fixture(scope="module")
def demo(demo_db):
    con = db.connect(demo_db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def korean_account(demo) -> str:
    # a Korean-named account with a renewal ahead, so the CJK font path and the renewal slide are exercised
    return db.query(demo, "select account_id from accounts_dim where regexp_matches(name, '[가-힣]') "
                          "and first_start < date '2025-01-01' and account_id in (select account_id from "
                          "renewal_events where renewal_date > date '2026-11-01') order by account_id limit 1"
                    )["account_id"][0]


@pytest.fixture(scope="module")
def customer(demo, korean_account):
    deck = review_pack.build(demo, korean_account, *PERIOD, AS_OF)
    return deck, pack_render.to_pdf(deck), pack_render.to_pptx(deck)


def test_last_quarter():
    assert review_pack.last_quarter(dt.date(2026, 11, 1)) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert review_pack.last_quarter(dt.date(2026, 1, 1)) == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))


def test_the_customer_pack_holds_no_internal_judgement_in_either_file(customer):
    _, pdf, pptx = customer
    for text in ("\n".join(pdf_pages(pdf)), "\n".join(pptx_texts(pptx))):
        found = [word for word in INTERNAL_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]
        assert found == [], found


def test_the_customer_pack_covers_the_period_against_the_one_before(customer):
    deck, pdf, pptx = customer
    pages = pdf_pages(pdf)
    assert "Jul 1, 2026 – Sep 30, 2026, compared with Apr 1, 2026 – Jun 30, 2026" in pages[0].replace("\n", " ")
    headlines = [slide.headline for slide in deck.slides]
    assert headlines[-1] == "Recommendations and next steps"
    # adoption month by month over the two periods only (not the account's whole history)
    assert "Apr 1, 2026 – Sep 30, 2026" in pages[1]
    assert deck.slides[0].chart.startswith(b"\x89PNG")
    renewal = next(slide for slide in deck.slides if slide.headline.startswith("Your subscription renews on"))
    assert [tile.label for tile in renewal.tiles][:3] == ["Renewal date", "Annual value", "Term"]
    # every page numbered, the same slides in the PowerPoint
    assert all(f"{n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert len(pptx_texts(pptx)) == len(pages)
    assert [page.split("\n")[0] for page in pptx_texts(pptx)[1:]] == headlines


def test_the_preparation_sheet_has_the_scores_the_customer_pack_leaves_out(demo, korean_account):
    deck = review_pack.build_internal(demo, korean_account, *PERIOD, AS_OF)
    pages = pdf_pages(pack_render.to_pdf(deck))
    assert len(pages) <= 2  # one or two pages
    text = "\n".join(pages)
    assert "Health" in text and "Churn risk (90 days)" in text and "Chance to renew" in text
    assert "The CRM's call" in text and "The model's figure" in text
    assert re.search(r"Notice deadline .*: (passed \d+ days ago|in \d+ days)\.", text)
    assert "escalation" in text
    assert "for the CSM only" in pptx_texts(pack_render.to_pptx(deck))[0]


def test_the_pdf_escapes_data(demo, korean_account):
    deck = review_pack.build(demo, korean_account, *PERIOD, AS_OF)
    deck.title = "<script>alert('x')</script> & more"
    text = "\n".join(pdf_pages(pack_render.to_pdf(deck)))
    assert "<script>alert('x')</script> & more" in text  # shown as text, never run as markup


def test_the_japanese_pack_speaks_japanese(demo):
    account_id = db.query(demo, "select account_id from accounts_dim order by account_id limit 1", {})["account_id"][0]
    with i18n.language("ja"):
        deck = review_pack.build(demo, account_id, *PERIOD, AS_OF, "JPY")
        pages = pdf_pages(pack_render.to_pdf(deck))
        slides = pptx_texts(pack_render.to_pptx(deck))
    assert "ビジネスレビュー" in pages[0] and "2026/07/01" in pages[0]
    assert "推奨事項と次のステップ" in pages[-1] and "推奨事項と次のステップ" in slides[-1]
    assert ".." not in "".join(pages)  # no doubled full stop after a date


def test_the_pack_converts_its_money_into_the_currency_asked_for(demo):
    account_id = db.query(demo, "select account_id from renewal_events where renewal_date > date '2026-11-01' "
                                "order by account_id limit 1", {})["account_id"][0]
    in_usd = review_pack.build(demo, account_id, *PERIOD, AS_OF)
    in_krw = review_pack.build(demo, account_id, *PERIOD, AS_OF, "KRW")
    renewal = book.renewal_rows(demo, AS_OF, 365).filter(pl.col("account_id") == account_id).sort(
        "renewal_date").row(0, named=True)
    factor = money.converter(demo, "KRW").factor(renewal["renewal_date"])

    def annual_value(deck) -> str:
        slide = next(s for s in deck.slides if s.tiles and s.tiles[0].label == "Renewal date")
        return slide.tiles[1].value

    assert annual_value(in_usd) == i18n.money(renewal["due_arr"], "USD")
    assert annual_value(in_krw) == i18n.money(renewal["due_arr"] * factor, "KRW") and factor > 1000


def _full_figures(texts: str) -> dict[str, float]:
    """The last slide's figures in full: "forecast --quarter · floor_arr  Floor  14,341,071.29" (a rate "87.4667 %")."""
    found = {}
    marker = r"(forecast --quarter|overview|committed) · (\w+)"
    ahead = r"(?:forecast --quarter|overview|committed) · \w+"
    for source, key, tail in re.findall(rf"{marker}(.*?)(?={ahead}|\Z)", texts, flags=re.S):
        value = re.findall(r"-?[\d,]+\.\d+", tail)[-1]
        number = float(value.replace(",", ""))
        found[f"{source}.{key}"] = number / 100 if key in quarter_pack.RATE_KEYS else number
    return found


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "renewal_radar", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_quarter_pack_figures_equal_the_command_line_to_the_cent(demo, cli_env, tmp_path):
    quarter = json.loads(_cli(cli_env, "forecast", "--quarter", "2026-Q4", "--json").stdout)
    front = json.loads(_cli(cli_env, "overview", "--json").stdout)
    committed = json.loads(_cli(cli_env, "committed", "--json").stdout)
    for suffix in ("pdf", "pptx"):
        out = tmp_path / f"quarter.{suffix}"
        done = _cli(cli_env, "pack", "quarter", "2026-Q4", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"wrote {out}: leadership pack of 2026-Q4")
        data = out.read_bytes()
        found = _full_figures("\n".join(pdf_pages(data) if suffix == "pdf" else pptx_texts(data)))
        expected = {f"forecast --quarter.{k}": quarter[k] for k in quarter_pack.QUARTER_KEYS} | {
            f"overview.{k}": front[k] for k in quarter_pack.OVERVIEW_CARDS} | {
            f"committed.{k}": committed[k] for k in ("committed_arr", "signed_not_live_arr",
                                                     "announced_cancellations_arr")}
        assert set(found) == set(expected), suffix
        for key, value in expected.items():
            tolerance = 5e-7 if key.split(".")[1] in quarter_pack.RATE_KEYS else 0.005
            assert found[key] == pytest.approx(value, abs=tolerance), (suffix, key)


def test_the_quarter_pack_says_one_thing_per_slide_in_the_language_asked_for(demo):
    with i18n.language("ko"):
        deck = quarter_pack.build(demo, "2026-Q4", AS_OF)
        pdf = pack_render.to_pdf(deck)
    headlines = [slide.headline for slide in deck.slides]
    assert len(headlines) == len(set(headlines)) >= 8
    assert all(slide.tiles or slide.chart or slide.table or slide.bullets for slide in deck.slides)  # none empty
    pages = pdf_pages(pdf)
    assert "2026-Q4" in pages[0] and "갱신" in pages[0]
    images = render_pages(pdf, "quarter_ko")
    assert all(image.size[0] > image.size[1] * 1.7 for image in images)  # 16:9 pages


@pytest.mark.parametrize("lang", ["en", "ko", "ja", "zh_TW"])
def test_both_packs_build_from_the_command_line_in_each_language(cli_env, korean_account, tmp_path, lang):
    for args in (("account", korean_account, "--start", "2026-07-01", "--end", "2026-10-01"),
                 ("account", korean_account, "--internal"), ("quarter", "2026-Q4")):
        out = tmp_path / f"{args[0]}_{lang}.pptx"
        done = _cli(cli_env, "pack", *args, "--out", str(out), "--lang", lang)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes()[:2] == b"PK"
    done = _cli(cli_env, "pack", "account", korean_account, "--out", str(tmp_path / "x.docx"))
    assert done.returncode == 1 and "write a .pdf or a .pptx" in done.stderr


def test_the_customer_pack_renders_to_png_pages(customer):
    images = render_pages(customer[1], "customer_en")
    assert len(images) == len(customer[0].slides) + 1


def test_the_pages_build_both_account_packs_and_the_quarter_pack(demo_db, korean_account, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RENEWAL_RADAR_DB", str(demo_db))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    app.switch_page("pages/account.py")
    app.query_params["account_id"] = korean_account
    app.run()
    for internal, caption in ((False, "The customer's review."), (True, "Preparation sheet, for you only.")):
        app.button(key=f"pack_build_{internal}").click().run()
        assert not app.exception, app.exception
        assert caption in [c.value for c in app.caption]
        assert {"pack_pdf", "pack_pptx"} <= {b.key for b in app.get("download_button")}
    app.switch_page("pages/forecast.py")
    app.session_state["forecast_quarter_tab"] = "Leadership pack"  # as a click on the tab leaves it
    app.run()
    app.button(key="quarter_pack_build").click().run()
    assert not app.exception, app.exception
    assert {"quarter_pack_pdf", "quarter_pack_pptx"} <= {b.key for b in app.get("download_button")}


def test_no_internal_judgement_for_accounts_of_every_kind(demo):
    # a red account, a green one and one whose lines have all ended: the words differ, none is internal
    scores = book.account_scores(demo, AS_OF)
    red = scores.filter(pl.col("band") == "red")["account_id"].sort()[0]
    green = scores.filter(pl.col("band") == "green")["account_id"].sort()[0]
    ended = db.query(demo, "select account_id from accounts_dim where account_id not in (select account_id from "
                           "subscription_lines where end_date is null or end_date > date '2026-11-01') "
                           "order by account_id limit 1", {})["account_id"][0]
    for account_id in (red, green, ended):
        deck = review_pack.build(demo, account_id, *PERIOD, AS_OF)
        name = db.query(demo, "select name from accounts_dim where account_id = $id", {"id": account_id})["name"][0]
        for text in ("\n".join(pdf_pages(pack_render.to_pdf(deck))),
                     "\n".join(pptx_texts(pack_render.to_pptx(deck)))):
            text = text.replace(name, "")  # the customer's own name ("Tyrell Health 13") is data, not a score
            found = [word for word in INTERNAL_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]
            assert found == [], (account_id, found)
