"""Sign-in through a real OpenID provider on localhost (oidc-provider-mock), roles and the audit log, in Chromium.

The provider's authorize form takes any subject; its email claim is that subject, so each test signs in as
the person it needs. The app reads roles from an access.toml written here.
"""

from __future__ import annotations

import io
import shutil

import polars as pl
import pytest
from playwright.sync_api import Page

from renewal_radar import audit, db, metrics, ui
from renewal_radar.filters import Filters
from renewal_radar.readers import overview as overview_reader
from tests.conftest import SHOTS, assert_clean, free_port, streamlit_server, upload_check_and_load, wait_for_app

ACCESS = """
[roles]
"maya.patel@example.com" = "csm"
"ceo@example.com" = "leader"
"ana@example.com" = "analyst"
"ops@example.com" = "admin"

[csm_owner]
"maya.patel@example.com" = "Maya Patel"
"""
MAYA = "Maya Patel"


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import run_server_in_thread  # here: collecting it costs every worker half a second

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def team_server(demo_db, provider, tmp_path_factory):
    """The app with sign-in configured, on a copy of the demo (the admin test imports into it)."""
    folder = tmp_path_factory.mktemp("team")
    database = folder / "live.duckdb"
    shutil.copy(demo_db, database)
    (folder / "access.toml").write_text(ACCESS, encoding="utf-8")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "a-long-random-secret-for-the-tests-0123456789"
client_id = "renewal-radar"
client_secret = "test-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    with streamlit_server(database, folder, secrets, port, {"RENEWAL_RADAR_ACCESS": str(folder / "access.toml")},
                          host="localhost") as url:
        yield url, database


def sign_in(page: Page, url: str, email: str) -> None:
    """Through the app's Sign in button, the provider's form, and back."""
    page.goto(f"{url}/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_for_app(page)


def sign_out(page: Page) -> None:
    """The sidebar's Sign out: Streamlit ends the provider's session too (its end_session page), then returns."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)


def open_page(page: Page, url: str, path: str, charts: int = 0) -> str:
    page.goto(f"{url}/{path}")
    wait_for_app(page, charts)
    return page.locator('[data-testid="stMain"]').inner_text()


def download(page: Page, button: str, last: bool = False) -> pl.DataFrame:
    """A table's CSV download (its headers are the registry's labels: "Account id", "CSM", "Email", …)."""
    buttons = page.get_by_role("button", name=button)
    with page.expect_download() as event:
        (buttons.last if last else buttons.first).click()
    return pl.read_csv(io.BytesIO(open(event.value.path(), "rb").read()))


def navigation(page: Page) -> list[str]:
    # each link reads "<icon name>\n\n<title>": the title is the last line
    return [text.splitlines()[-1] for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def expected_book(database) -> tuple[str, set[str], str]:
    """Maya's ARR as the Overview shows it, her accounts, and an account of somebody else's."""
    con = db.connect(database)
    try:
        as_of = metrics.data_as_of(con)
        overview = overview_reader.read(con, as_of, Filters(owners=(MAYA,)))
        accounts = db.query(con, "select account_id, csm_owner, name from accounts_dim", {})
    finally:
        con.close()
    mine = set(accounts.filter(pl.col("csm_owner") == MAYA)["account_id"])
    other = accounts.filter(pl.col("csm_owner") != MAYA).row(0, named=True)
    return ui.money(overview.arr_now, overview.currency), mine, other


def test_a_csm_sees_only_their_own_book_and_is_refused_elsewhere(team_server, page):
    url, database = team_server
    arr, mine, other = expected_book(database)
    sign_in(page, url, "maya.patel@example.com")
    assert navigation(page) == ["Overview", "Renewal calendar", "At-risk accounts", "Account", "Expansion", "Digest"]
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == arr
    assert "maya.patel@example.com" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.screenshot(path=str(SHOTS / "sign_in_csm_overview.png"), full_page=True)

    open_page(page, url, "at_risk", 1)
    at_risk = download(page, "Download CSV")
    assert set(at_risk["CSM"]) == {MAYA} and set(at_risk["Account id"]) <= mine and at_risk.height > 5
    open_page(page, url, "calendar", 1)
    assert set(download(page, "Download CSV")["Account id"]) <= mine

    text = open_page(page, url, f"account?account_id={other['account_id']}")
    assert "is not in your book" in text and other["name"] not in text
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.screenshot(path=str(SHOTS / "sign_in_csm_refused_account.png"), full_page=True)
    open_page(page, url, "expansion", 1)
    assert set(download(page, "Download CSV")["Account id"]) <= mine

    text = open_page(page, url, "digest")  # her own book's digest, no owner to pick
    assert f"Book: {MAYA}" in text and page.locator('[data-testid="stSelectbox"]').filter(
        has_text="Whose book").count() == 0
    page.screenshot(path=str(SHOTS / "sign_in_csm_digest.png"), full_page=True)

    own = sorted(mine)[0]
    assert "is not in your book" not in open_page(page, url, f"account?account_id={own}", 1)
    page.get_by_role("button", name="For the customer").click()
    page.get_by_role("button", name="Download PDF").wait_for(timeout=120_000)
    wait_for_app(page)
    with page.expect_download() as pack:
        page.get_by_role("button", name="Download PDF").click()
    assert pack.value.suggested_filename == f"business_review_{own}.pdf"
    for refused in ("import", "explore", "forecast", "cohorts", "data"):
        text = open_page(page, url, refused)
        assert "does not reach" in text, refused
        assert page.locator('[data-testid="stDataFrame"], [data-testid="stMetric"]').count() == 0
    assert_clean(page)
    log = audit.events(db_path=database)
    mine_logged = log.filter(pl.col("email") == "maya.patel@example.com")
    assert {"sign_in", "refused"} <= set(mine_logged["action"])
    assert any('"page": "import"' in d for d in mine_logged["detail"])
    packs = mine_logged.filter(pl.col("action") == "pack_download")["detail"].to_list()
    assert packs == [f'{{"account": "{own}", "format": "pdf"}}']


def test_leader_and_analyst_reach_their_pages_and_the_console_reads_no_files(team_server, page, browser):
    url, _ = team_server
    sign_in(page, url, "ceo@example.com")
    assert "Import" not in navigation(page) and "Explore (SQL)" not in navigation(page)
    assert "does not reach" in open_page(page, url, "import")
    assert "does not reach" in open_page(page, url, "explore")
    assert "does not reach" not in open_page(page, url, "forecast", 2)

    analyst = browser.new_context(viewport={"width": 1440, "height": 2000}).new_page()
    analyst.console_errors = []
    sign_in(analyst, url, "ana@example.com")
    assert "Explore (SQL)" in navigation(analyst) and "Import" not in navigation(analyst)
    assert "does not reach" in open_page(analyst, url, "import")
    open_page(analyst, url, "explore")
    for attack in ("select * from read_text('.streamlit/secrets.toml')", "select * from read_csv('access.toml')",
                   f"attach '{url}' as x", "select * from read_text('/etc/passwd')"):
        analyst.locator("textarea").fill(attack)
        analyst.get_by_role("button", name="Run").click()
        analyst.get_by_text("The console only reads the loaded tables").wait_for(timeout=30_000)
        main = analyst.locator('[data-testid="stMain"]').inner_text()
        assert "cookie_secret" not in main and "root:" not in main
    analyst.context.close()


def test_an_email_without_a_rule_sees_nothing_and_sign_out_works(team_server, page):
    url, database = team_server
    sign_in(page, url, "stranger@nowhere.org")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "stranger@nowhere.org" in text and "ops@example.com" in text  # who is refused, and whom to ask
    page.screenshot(path=str(SHOTS / "sign_in_refused.png"), full_page=True)
    assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    sign_out(page)
    sign_in(page, url, "ceo@example.com")
    sign_out(page)
    page.goto(f"{url}/at_risk")  # signed out: the sign-in screen, not the data
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    log = audit.events(db_path=database)
    assert log.filter((pl.col("email") == "stranger@nowhere.org") & (pl.col("action") == "refused")).height >= 1
    assert log.filter((pl.col("email") == "ceo@example.com") & (pl.col("action") == "sign_out")).height == 1


def test_an_admin_imports_rolls_back_and_reads_both_in_the_audit_log(team_server, page, tmp_path):
    url, database = team_server
    files = tmp_path / "upload"
    files.mkdir()
    (files / "accounts.csv").write_text("account_id,name,segment\nN1,Northwind,Enterprise\n", encoding="utf-8")
    (files / "subscriptions.csv").write_text("account_id,start_date,end_date,mrr\nN1,2026-01-01,,1000\n",
                                             encoding="utf-8")
    sign_in(page, url, "ops@example.com")
    assert "Import" in navigation(page)
    open_page(page, url, "import")
    upload_check_and_load(page, [files / "accounts.csv", files / "subscriptions.csv"], "2026-01-01")
    wait_for_app(page)
    page.get_by_text("I want to go back").click()
    wait_for_app(page)
    page.get_by_role("button", name="Roll back the last import").click()
    page.get_by_text("Rolled back").wait_for(timeout=30_000)

    open_page(page, url, "data")
    page.get_by_text("Audit log").first.scroll_into_view_if_needed()
    page.get_by_text("Page times").first.wait_for()
    shown = download(page, "Download CSV", last=True)  # the audit log is the page's last table
    assert shown.filter(pl.col("Email") == "ops@example.com")["Action"].to_list()[:2] == ["rollback", "import"]
    log = audit.events(db_path=database).filter(pl.col("email") == "ops@example.com")
    assert '"loaded": true' in log["detail"][1] and "subscriptions.csv" in log["detail"][1]
    page.screenshot(path=str(SHOTS / "sign_in_admin_data.png"), full_page=True)
    assert_clean(page)
