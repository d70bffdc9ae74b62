"""Real browser: `streamlit run app.py` on a free local port, driven by Playwright in Debian's Chromium.

Opens every page, fails on any exception box or browser console error,
changes a filter, and saves screenshots under tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page

from renewal_radar import i18n
from tests.conftest import ROOT, SHOTS, assert_clean, choose, streamlit_server, upload_check_and_load, wait_for_app
from tools import screens

PAGES = {"overview": "", "forecast": "forecast", "why": "why", "calendar": "calendar", "at_risk": "at_risk",
         "account": "account",
         "expansion": "expansion", "cohorts": "cohorts", "explore": "explore", "data": "data", "import": "import",
         "digest": "digest"}
# charts drawn on load (hidden tabs draw later)
CHARTS = {"overview": 3, "forecast": 2, "why": 2, "calendar": 2, "at_risk": 2, "account": 2, "expansion": 1,
          "cohorts": 3,
          "explore": 0, "data": 0, "import": 0, "digest": 0}


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    with streamlit_server(demo_db, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def app_tab(server, browser):
    """One tab on the app that the page tests move through by the sidebar, as a reader does: a page opened by
    its address costs Chromium about four times the CPU of one reached in-app (Streamlit's code is loaded and
    compiled again). Each page's own address is opened by other tests (overview, forecast, why, calendar, at-risk,
    account, cohorts, explore and import here; expansion, data and digest in test_sign_in)."""
    context = browser.new_context(viewport={"width": 1440, "height": 2600})
    tab = context.new_page()
    screens.watch_console(tab)
    tab.goto(server)
    wait_for_app(tab, CHARTS["overview"])
    assert_clean(tab)
    yield tab
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_chromium(server, app_tab, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = app_tab
    page.console_errors.clear()  # what an earlier page logged was that page's test's to report
    path = PAGES[name]
    if path:
        page.locator(f'[data-testid="stSidebarNav"] a[href="{server}/{path}"]').first.click()
        page.wait_for_url(f"{server}/{path}**")
    else:
        page.locator('[data-testid="stSidebarNav"] a').first.click()
        page.wait_for_url(f"{server}/")
    try:
        wait_for_app(page, CHARTS[name])
        assert page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()
        assert_clean(page)
    except Exception:  # a screenshot of a page that failed is the best clue to why (only then: it costs a second;
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # `python -m tools.screens` saves all)
        raise
    if name == "overview":
        # the year's figures, committed ARR and the quarter's
        assert page.locator('[data-testid="stMetric"]').count() == 16


def _first_metric(page: Page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_filter_change_updates_numbers_and_survives_navigation(server, page):
    page.goto(server)
    wait_for_app(page, CHARTS["overview"])
    before = _first_metric(page)
    choose(page, page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first, "Enterprise")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => document.querySelector('[data-testid=\"stMetricValue\"]').innerText !== "
                           f"{before!r}", timeout=30_000)
    wait_for_app(page)
    after = _first_metric(page)
    assert after != before
    page.screenshot(path=str(SHOTS / "overview_enterprise.png"), full_page=True)
    page.get_by_role("link", name="Data").click()
    wait_for_app(page)
    page.get_by_role("link", name="Overview").click()
    wait_for_app(page)
    assert _first_metric(page) == after  # the sidebar filter is kept across pages
    assert_clean(page)


def test_explore_runs_sql_charts_and_downloads(server, page):
    page.goto(f"{server}/explore")
    wait_for_app(page)
    editor = page.get_by_label("SQL")
    editor.fill("select segment, sum(base_mrr) as base_mrr from accounts_dim group by segment order by segment")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("3 rows in").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "explore.png"), full_page=True)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "query.csv"
    editor.fill("select * from read_csv('/etc/passwd')")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("The console only reads the loaded tables").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "explore_refused.png"), full_page=True)
    assert_clean(page)


@pytest.fixture()
def import_server(demo_db, tmp_path):
    database = tmp_path / "live.duckdb"
    shutil.copy(demo_db, database)  # the upload replaces this copy, never the shared demo
    with streamlit_server(database, tmp_path) as url:
        yield url, database


def test_upload_validate_load_and_roll_back(import_server, page, tmp_path):
    url, _ = import_server
    import polars as pl

    files = tmp_path / "upload"
    files.mkdir()
    accounts = "account_id,name,segment\r\nN1,삼성전자,Enterprise\r\nN2,한빛소프트,SMB\r\n"
    (files / "accounts.csv").write_bytes(accounts.encode("cp949"))
    pl.DataFrame({"account_id": ["N1", "N2"], "start_date": ["2026-01-01", "2026-02-01"],
                  "end_date": [None, None], "mrr": [1000.0, 200.0]}).write_excel(files / "subscriptions.xlsx")
    page.goto(f"{url}/import")
    upload_check_and_load(page, [files / "accounts.csv", files / "subscriptions.xlsx"], "2026-02-01")
    page.screenshot(path=str(SHOTS / "import_loaded.png"), full_page=True)
    page.goto(f"{url}/")
    wait_for_app(page)
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "$14.4K"  # 12 × 1,200
    page.goto(f"{url}/import")
    wait_for_app(page)
    page.get_by_text("I want to go back").click()
    wait_for_app(page)
    page.get_by_role("button", name="Roll back the last import").click()
    page.get_by_text("Rolled back").wait_for(timeout=30_000)
    page.goto(f"{url}/")
    wait_for_app(page)
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() != "$14.4K"
    assert_clean(page)


def test_from_the_at_risk_list_to_an_account(server, page):
    page.goto(f"{server}/at_risk")
    wait_for_app(page, CHARTS["at_risk"])
    page.get_by_role("button", name="Open account", exact=True).click()
    page.wait_for_url("**/account?account_id=*", timeout=30_000)
    wait_for_app(page, CHARTS["account"])
    assert page.locator("h1").first.inner_text() == "Account"
    assert page.locator('[data-testid="stMetric"]').count() == 5
    page.screenshot(path=str(SHOTS / "account_from_at_risk.png"), full_page=True)
    page.get_by_role("button", name="For the customer").click()
    page.get_by_role("button", name="Download PDF").wait_for(timeout=120_000)
    wait_for_app(page)
    for label, suffix in (("Download PDF", ".pdf"), ("Download PowerPoint", ".pptx")):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        assert download.value.suggested_filename.endswith(suffix)
        assert Path(download.value.path()).stat().st_size > 10_000
    assert_clean(page)


@pytest.fixture()
def snapshot_server(demo_db, tmp_path):
    """A copy of the demo with a snapshot saved a month before the data's as-of day, served."""
    database = tmp_path / "snapshots.duckdb"
    shutil.copy(demo_db, database)
    subprocess.run([sys.executable, "-m", "renewal_radar", "forecast", "--db", str(database), "--as-of",
                    "2026-10-01", "--save", "--name", "October review"], cwd=ROOT, check=True, capture_output=True)
    with streamlit_server(database, tmp_path) as url:
        yield url


def test_forecast_what_moved_queue_and_saving_a_snapshot(snapshot_server, page):
    page.goto(f"{snapshot_server}/forecast")
    wait_for_app(page, CHARTS["forecast"])
    page.locator("[data-testid=\"stButtonGroup\"] button", has_text="Rolling horizon").click()  # opens on the quarter
    page.get_by_role("heading", name="The CSM's call against the model").wait_for()
    wait_for_app(page, CHARTS["forecast"])
    choose(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="Compare with"), "October review")
    page.get_by_text("From the snapshot's forecast to today's").wait_for(timeout=30_000)
    wait_for_app(page)
    changed = page.locator('[data-testid="stMetric"]').filter(has_text="Renewals that changed")
    assert int(changed.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")) > 0
    pills = page.locator('[data-testid="stButtonGroup"]').last.locator("button")  # the first group is the view
    assert pills.count() >= 2  # several kinds of change behind the bars
    pills.first.click()
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "forecast_what_moved.png"), full_page=True)
    page.get_by_label("Save today's forecast as").fill("Monday review")
    page.get_by_role("button", name="Save snapshot").click()
    page.get_by_text("Saved snapshot").wait_for(timeout=30_000)
    wait_for_app(page)  # the rerun that lists the new snapshot has finished
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Compare with").click()
    page.get_by_role("option", name="Monday review").first.wait_for(timeout=30_000)  # the list opens under load
    assert page.get_by_role("option", name="Monday review").count() == 1
    page.keyboard.press("Escape")
    assert_clean(page)


def test_overview_fx_bar_and_at_risk_band_table(server, page):
    page.goto(server)
    wait_for_app(page, CHARTS["overview"])
    assert page.locator(".js-plotly-plot .legendtext", has_text="Exchange rates (fx)").count() == 1
    page.goto(f"{server}/at_risk")
    wait_for_app(page, CHARTS["at_risk"])
    band_table = page.get_by_text("by health band")
    band_table.first.wait_for()
    page.screenshot(path=str(SHOTS / "at_risk_band_rates.png"), full_page=True)
    assert_clean(page)


@pytest.mark.parametrize("language", screens.LANGUAGES)
def test_every_page_reads_cleanly_in_each_language(server, browser, demo_db, language):
    """Issue 37's check at 1280 px: the Overview opened in a browser speaking the language follows it, then every
    page the navigation lists: no text cut off, no English word of the app's own left in ko / ja / zh-TW, no
    console error or exception (``python -m tools.screens`` runs it at both widths)."""
    findings = screens.Findings()
    titles = screens.walk(browser, server, language, 1280, SHOTS / "screens", findings, demo_db, every_shot=False)
    assert not findings.problems, findings.report()
    with i18n.language(i18n.match_language(language)):
        assert titles[""] == i18n.t("Overview")
        assert titles["at_risk"] == i18n.t("At-risk accounts")


@pytest.fixture(scope="module")
def one_account_book(tmp_path_factory) -> Path:
    from renewal_radar.demo import build_demo

    path = tmp_path_factory.mktemp("one_account") / "one.duckdb"
    build_demo(path, accounts=1, seed=11, events=5_000)
    return path


def test_a_book_of_one_account_reads_cleanly(one_account_book, browser, tmp_path):
    """The same check on a book of one account (empty tables, single points, no cohort to compare), in Japanese."""
    with streamlit_server(one_account_book, tmp_path) as url:
        findings = screens.Findings()
        screens.walk(browser, url, "ja", 1280, SHOTS / "screens_one_account", findings, one_account_book,
                     every_shot=False)
    assert not findings.problems, findings.report()


def test_a_korean_reader_picks_won_and_every_page_follows(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 2600}, locale="ko-KR")
    tab = context.new_page()
    tab.console_errors = []
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    tab.goto(server)
    wait_for_app(tab, CHARTS["overview"])
    before = _first_metric(tab)
    assert before.startswith("US$") or before.startswith("$")
    currency = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1)
    choose(tab, currency, "KRW")
    tab.wait_for_function("() => document.querySelector('[data-testid=\"stMetricValue\"]').innerText"
                          ".startsWith('₩')", timeout=30_000)
    wait_for_app(tab, CHARTS["overview"])
    assert "억" in _first_metric(tab)  # the Korean compact form of a won amount
    tab.screenshot(path=str(SHOTS / "ko_overview_krw.png"), full_page=True)
    tab.get_by_role("link", name="갱신 예측").click()
    wait_for_app(tab, CHARTS["forecast"])
    assert _first_metric(tab).startswith("₩")  # kept across pages
    # the axis names the currency: wait until a chart has drawn its text (under load the first one may lag)
    tab.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
                          ".some(chart => chart.innerText.includes('KRW'))", timeout=30_000)
    charts_text = " ".join(tab.locator('[data-testid="stPlotlyChart"]').all_inner_texts())
    assert "KRW" in charts_text and "USD" not in charts_text
    tab.screenshot(path=str(SHOTS / "ko_forecast_krw.png"), full_page=True)
    assert_clean(tab)
    context.close()


def test_a_bubble_on_the_at_risk_chart_opens_its_account(server, page):
    page.goto(f"{server}/at_risk")
    wait_for_app(page, CHARTS["at_risk"])
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Health against ARR")
    chart.scroll_into_view_if_needed()
    chart.locator(".scatterlayer .point").first.click(force=True)
    page.wait_for_url("**/account?account_id=ACC-*", timeout=30_000)
    wait_for_app(page, CHARTS["account"])
    assert page.locator("h1").first.inner_text() == "Account"
    assert_clean(page)


@pytest.fixture()
def stripe_server(tmp_path):
    from renewal_radar.ingest import import_folder

    database = tmp_path / "stripe.duckdb"
    as_of = dt.date(2026, 12, 1)
    result = import_folder(ROOT / "tests" / "fixtures" / "stripe_dashboard", database, as_of=as_of, today=as_of)
    assert result.loaded, result.report.text()
    with streamlit_server(database, tmp_path) as url:
        yield url


def test_the_calendar_flags_a_stripe_cancellation_at_period_end(stripe_server, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{stripe_server}/{PAGES['calendar']}")
    wait_for_app(page, 1)
    page.screenshot(path=str(SHOTS / "calendar_stripe.png"), full_page=True)
    assert_clean(page)
    # the table is drawn on a canvas (its flag columns are in the screenshot); the chart's legend is SVG text
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    legend = page.locator(".legendtext").evaluate_all("texts => texts.map(text => text.textContent)")
    assert "Cancels at period end" in legend, legend


def test_the_forecast_opens_on_the_quarter_with_its_teams(server, page):
    page.goto(f"{server}/forecast")
    wait_for_app(page, CHARTS["forecast"])
    headings = page.locator('[data-testid="stMainBlockContainer"] h3').all_text_contents()
    assert any(text.startswith("2026-Q4: ") for text in headings), headings
    values = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        values.setdefault(label, metric.locator('[data-testid="stMetricValue"]').inner_text())
    assert values["2026-Q4: ARR due"].startswith("$") and values["Projected GRR on renewals"].endswith("%")
    assert values["Against plan"] != "—"  # the demo's targets.csv plans this quarter
    page.screenshot(path=str(SHOTS / "forecast_quarter.png"), full_page=True)
    page.get_by_role("tab", name="By team").first.click()  # the second is whose calls can be trusted
    page.get_by_text("Team → manager → CSM").wait_for(timeout=30_000)
    wait_for_app(page)
    choose(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="Manager"), "Rachel Green")
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "forecast_quarter_team.png"), full_page=True)
    # a tab is drawn when opened (issue 36): the click reruns the page and the week's view appears
    assert page.get_by_text("since snapshot #").or_(page.get_by_text("No snapshot from a week")).count() == 0
    page.get_by_role("tab", name="Since last week").click()
    page.get_by_text("since snapshot #").or_(page.get_by_text("No snapshot from a week")).first.wait_for(
        timeout=30_000)
    wait_for_app(page)
    assert_clean(page)


def test_why_customers_leave_reasons_and_drivers_in_chromium(server, page):
    page.goto(f"{server}/why")
    wait_for_app(page, CHARTS["why"])
    titles = page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents()
    assert "Churned and contracted ARR by reason, per quarter" in titles
    page.screenshot(path=str(SHOTS / "why_reasons.png"), full_page=True)
    page.get_by_role("tab", name="What drives churn here").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .gtitle')]"
        ".some(t => t.textContent.startsWith('Churn within 90 days by decile'))", timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "why_drivers.png"), full_page=True)
    assert_clean(page)


def test_cohorts_projection_in_chromium(server, page):
    page.goto(f"{server}/cohorts")
    wait_for_app(page, CHARTS["cohorts"])
    titles = page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents()
    assert any(title.startswith("Kaplan–Meier survival") for title in titles)
    # a tab is drawn when opened (issue 36): the projection is not sent until its tab is clicked
    assert not any(title.startswith("Share still renewing") for title in titles)
    page.get_by_role("tab", name="Projected retention and what the base is worth").click()
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Share still renewing: observed")
    chart.wait_for(timeout=30_000)
    wait_for_app(page, CHARTS["cohorts"])
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(SHOTS / "cohorts_projection.png"))
    assert_clean(page)


def test_the_language_picked_is_kept_across_pages_and_a_reload(server, page):
    page.goto(server)
    wait_for_app(page, CHARTS["overview"])
    assert "lang=" not in page.url  # the browser's own language adds nothing to the address
    choose(page, page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first, "한국어")
    page.wait_for_url("**/?lang=ko")
    wait_for_app(page, CHARTS["overview"])
    page.locator('[data-testid="stSidebarNav"] a[href$="/forecast"]').first.click()
    page.wait_for_url("**/forecast?lang=ko")
    wait_for_app(page, CHARTS["forecast"])
    page.reload()
    wait_for_app(page, CHARTS["forecast"])
    assert page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip() == "갱신 예측"
    assert_clean(page)
