"""Every page runs in Streamlit's AppTest against the demo database.

AppTest's switch_page runs the page file without the entrypoint, so the
sidebar filters are checked on the entrypoint's run; that filters persist
across pages is checked in the real browser (test_browser.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from renewal_radar import db
from renewal_radar.readers import forecast as forecast_reader
from renewal_radar.ui.navigation import page_files
from tests.conftest import ROOT, STRIPE_COMMENT

PAGES = page_files()  # every page st.navigation lists


def test_the_navigation_lists_every_page_file():
    assert sorted(page_files()) == sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))


@pytest.fixture()
def app(demo_db, monkeypatch):
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(demo_db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def test_entrypoint_draws_the_shared_filters(app):
    app.run()
    assert not app.exception
    assert {w.key for w in app.sidebar.multiselect} == {"segments", "regions", "owners", "bill_periods"}
    assert app.sidebar.date_input(key="as_of").value.isoformat() == "2026-11-01"
    # no sign-in configured: local mode, said in the sidebar, every page reachable
    assert any("Local mode" in c.value for c in app.sidebar.caption)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert app.title[0].value
    assert app.caption[0].value  # the "what am I looking at" line


def test_overview_kpis_and_charts(app):
    app.run()
    labels = [m.label for m in app.metric]
    assert labels[:7] == ["ARR now", "ARR a year ago", "GRR (12 months)", "NRR (12 months)",
                          "Logo churn (12 months)", "Due in 90 days", "Paying customers"]
    # the fiscal quarter's figures, the Forecast page's quarter view
    # the same figures as the Forecast page's quarter cards, under the same labels (one registry entry each)
    # committed ARR beside ARR (metrics.md "Renewal economics")
    assert labels[7:10] == ["Committed ARR", "Signed, not yet live", "Announced cancellations"]
    assert labels[10:] == ["2026-Q4: ARR due", "Renewed (gross)", "Churned", "Still open",
                           "Projected GRR on renewals", "Against plan"]
    # every KPI explains itself in plain words: no file paths, no formula variables
    assert all(m.help and "metrics.md" not in m.help and "m0" not in m.help and "Σ_" not in m.help
               for m in app.metric)
    assert app.metric[0].value.startswith("$")
    assert len(app.get("plotly_chart")) == 3


def test_a_filter_change_changes_the_numbers(app):
    app.run()
    before = [m.value for m in app.metric]
    app.multiselect(key="segments").select("Enterprise").run()
    assert not app.exception
    after = [m.value for m in app.metric]
    assert after[0] != before[0]
    # the same figures as a session that starts with the filter set
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    fresh.session_state["segments"] = ["Enterprise"]
    fresh.run()
    assert [m.value for m in fresh.metric] == after


def test_as_of_change_moves_the_window(app):
    app.run()
    before = app.metric[0].value
    app.date_input(key="as_of").set_value(app.date_input(key="as_of").value.replace(year=2025)).run()
    assert not app.exception
    assert app.metric[0].value != before


def test_without_a_database_the_page_explains_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(tmp_path / "none.duckdb"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert "No data is loaded yet" in app.info[0].value


def test_data_page_lists_tables_and_missing_files(app):
    app.run()
    app.switch_page("pages/data.py").run()
    assert [m.label for m in app.metric][:2] == ["Data as of", "Imported"]
    assert app.metric[0].value == "Nov 1, 2026"  # the registry's date kind, in the reader's language
    markdown = " ".join(m.value for m in app.markdown)
    assert "usage_daily" in markdown  # the demo has usage_events, not usage_daily


def test_cohort_page_switches_grain_measure_and_drills_down(app):
    app.run()
    app.switch_page("pages/cohorts.py").run()
    assert not app.exception
    heatmaps_before = app.get("plotly_chart")[0].proto.spec
    app.radio(key="cohort_grain").set_value("quarter").run()
    assert not app.exception
    assert app.get("plotly_chart")[0].proto.spec != heatmaps_before
    app.radio(key="cohort_measure").set_value("net_mrr_retention").run()
    app.number_input(key="drill_k").set_value(1).run()
    assert not app.exception
    assert any("Churned" in c.value or "Retained" in c.value for c in app.caption)  # statuses in words
    app.selectbox(key="survival_by").set_value("segment").run()
    assert not app.exception
    assert "median lifetime" in " ".join(c.value for c in app.caption)
    # the split is kept while another of the lower tabs is open, though its picker is not drawn then
    app.session_state["cohort_lasting"] = "MRR movements of these accounts"
    app.run()
    assert "median lifetime" not in " ".join(c.value for c in app.caption)
    app.session_state["cohort_lasting"] = "Survival"
    app.run()
    assert app.selectbox(key="survival_by").value == "segment"


def test_at_risk_page_lists_accounts_and_explains_changes(app):
    app.run()
    app.switch_page("pages/at_risk.py").run()
    assert not app.exception
    assert [m.label for m in app.metric] == ["Expected churned ARR (90 days)", "Red accounts", "Yellow accounts",
                                             "Green accounts"]
    assert any("by health band" in m.value for m in app.markdown)
    assert app.metric[0].value.startswith("$")
    # the month before: the account at the top (largest expected churned ARR) was active then too
    app.selectbox(key="explain_from").set_value(app.selectbox(key="explain_from").options[0]).run()
    assert not app.exception
    assert any("sum to the change" in c.value for c in app.caption)


def _accounts_table(app):
    return next(frame.value for frame in app.dataframe if "top_drivers" in frame.value.columns)


def test_at_risk_table_pages_and_words_only_the_page_shown(app, monkeypatch):
    """A page of the table at a time, largest expected churned ARR first; each page's rows carry their words."""
    monkeypatch.setenv("RENEWAL_RADAR_TABLE_PAGE_ROWS", "100")
    app.run()
    app.switch_page("pages/at_risk.py").run()
    assert not app.exception
    pager = app.number_input(key="at_risk_page")
    assert pager.value == 1 and pager.max > 1
    first = _accounts_table(app)
    assert len(first) == 100 and first["top_drivers"].str.len().min() > 0
    assert any(c.value.startswith("Rows 1–100 of ") for c in app.caption)
    pager.set_value(2).run()
    assert not app.exception
    second = _accounts_table(app)
    assert any(c.value.startswith("Rows 101–200 of ") for c in app.caption)
    assert not set(second["account_id"]) & set(first["account_id"])
    assert second["expected_churn_arr"].max() <= first["expected_churn_arr"].min()
    assert second["top_drivers"].str.len().min() > 0


def test_forecast_page_horizon_changes_the_figures(app):
    app.run()
    app.switch_page("pages/forecast.py").run()
    assert not app.exception
    assert app.button_group(key="forecast_view").value == "quarter"  # the page opens on the fiscal quarter
    app.button_group(key="forecast_view").set_value("horizon").run()
    assert not app.exception
    due_quarter = app.metric[0].value
    app.radio(key="forecast_horizon").set_value(30).run()
    assert not app.exception
    assert app.metric[0].value != due_quarter
    labels = [m.label for m in app.metric]
    assert labels[:4] == ["ARR due", "Floor", "Weighted forecast", "Best case"]
    assert {"Forecast then", "Forecast now", "Forecast error", "Naive forecast's error"} <= set(labels)
    headers = [h.value for h in app.subheader]
    assert "The CSM's call against the model" in headers and "What moved since a snapshot" in headers
    assert app.selectbox(key="moved_since").options  # the import's automatic snapshot


def _card(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_forecast_what_if_moves_the_quarter_and_a_reload_restores_it(app, demo_db, monkeypatch):
    app.run()
    app.switch_page("pages/forecast.py").run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    # the quarter's row on one basis, in order: floor, forecast, best case (the open part apart)
    assert labels[5:9] == ["Floor", "Forecast (weighted)", "Best case", "Open: weighted forecast"]
    forecast_before = _card(app, "Forecast (weighted)")
    app.session_state["forecast_quarter_tab"] = "Price at renewal"  # as a click on the tab leaves it
    app.run()
    assert {"Price uplift at renewal", "Price effect"} <= {m.label for m in app.metric}
    app.session_state["forecast_quarter_tab"] = "Path to plan"
    app.run()
    assert {"Plan: renewed ARR", "Gap to plan (forecast)"} <= {m.label for m in app.metric}
    con = db.connect(demo_db, read_only=True)
    view = forecast_reader.quarter(con, "2026-Q4", dt.date(2026, 11, 1))
    path = forecast_reader.plan_path(view)
    keys = [f"{row['account_id']}|{row['renewal_date'].isoformat()}"
            for row in path["renewals"].head(2).iter_rows(named=True)]
    shortest = int(path["renewals"]["in_shortest_set"].sum())
    con.close()
    app.multiselect(key="what_if_saved_0").set_value([keys[0]]).run()
    assert not app.exception
    # the what-if's cards follow the stored ones: the first renewal of the ranked list saved moves the forecast up
    values = [m.value for m in app.metric if m.label == "Forecast (weighted)"]
    # this quarter, next quarter, the path to plan's and the what-if's
    assert len(values) == 4 and values[-1] != forecast_before
    assert values[0] == forecast_before  # the stored figure stays
    app.multiselect(key="what_if_lost_0").set_value([keys[1]]).run()
    assert len([m for m in app.metric if m.label == "Forecast (weighted)"]) == 4
    app.button(key="what_if_reset").click().run()
    assert not app.exception
    assert len([m for m in app.metric if m.label == "Forecast (weighted)"]) == 3  # no what-if shown
    assert app.multiselect(key="what_if_saved_1").value == [] and app.multiselect(key="what_if_lost_1").value == []
    # the saves that close the gap, marked in one click (offered only when the forecast is short of plan)
    assert app.button(key="what_if_shortest").disabled == (shortest == 0)
    if shortest:
        app.button(key="what_if_shortest").click().run()
        assert len(app.multiselect(key="what_if_saved_2").value) == shortest
    # another session (a reload) starts from the stored figures
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(demo_db))
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    other.switch_page("pages/forecast.py")
    other.session_state["forecast_quarter_tab"] = "Path to plan"
    other.run()
    assert _card(other, "Forecast (weighted)") == forecast_before
    assert other.multiselect(key="what_if_saved_0").value == []


def test_calendar_page_filters_its_table(app):
    app.run()
    app.switch_page("pages/calendar.py").run()
    assert not app.exception
    assert [m.label for m in app.metric][:4] == [f"Due in {d} days" for d in (30, 60, 90, 120)]
    app.text_input(key="calendar_search").input("zzz-no-such-account").run()
    assert not app.exception
    assert app.dataframe[0].value.shape[0] == 0


def test_account_page_opens_from_the_at_risk_list(app):
    app.run()
    app.switch_page("pages/at_risk.py").run()
    chosen = app.selectbox(key="at_risk_open").value
    app.switch_page("pages/account.py")
    app.query_params["account_id"] = chosen
    app.run()
    assert not app.exception
    assert app.selectbox(key="account_pick").value == chosen
    # one chance to renew leads, with its source; the model's, the CRM's and the group's figures named beside it
    assert [m.label for m in app.metric][:5] == ["ARR", "Chance to renew", "Next renewal", "Health",
                                                 "Churn risk (90 days)"]
    assert any("the renewal model's own figure" in c.value and "base rate of its group" in c.value
               for c in app.caption)


def test_why_page_shows_lost_arr_by_reason_and_the_renewals_behind_one(app):
    app.run()
    app.switch_page("pages/why.py").run()
    assert not app.exception
    assert [m.label for m in app.metric] == ["Churned ARR", "Contracted ARR", "No reason recorded", "Addressable",
                                             "Involuntary",  # and how much of contraction was seats, price, products
                                             "Seats and volume effect", "Price effect", "Products added or dropped"]
    assert all(m.help for m in app.metric)
    assert app.metric[0].value.startswith("$") and app.metric[2].value.endswith("%")
    assert [tab.label for tab in app.tabs] == ["Reasons", "What drives churn here"]
    assert len(app.get("plotly_chart")) == 4  # by quarter, by reason; the spreads and one metric's deciles
    reason = app.selectbox(key="why_reason")
    assert "No reason recorded" in reason.options and len(reason.options) >= 5
    behind = app.dataframe[-2].value  # the renewals behind the reason (the last table is the deciles)
    first_reason = reason.value
    assert len(behind) > 0
    other = next(option for option in reason.options if option != first_reason)
    reason.select(other).run()
    assert not app.exception and len(app.dataframe[-2].value) > 0
    app.radio(key="why_attribute").set_value("csm_owner").run()
    assert not app.exception
    metric = app.selectbox(key="why_metric")
    assert "Latest NPS" in metric.options
    metric.set_value("tickets_90d").run()
    assert not app.exception and len(app.dataframe[-1].value) == 10  # ten deciles


def test_why_page_shows_a_comment_with_markup_as_text(stripe_reasons_db, monkeypatch):
    """A comment holding markup and a formula is shown as the characters it holds, in a table: never rendered as
    HTML, and its download is defused like every other."""
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(stripe_reasons_db))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/why.py").run()
    assert not app.exception
    app.selectbox(key="why_reason").select("Price or budget").run()
    behind = app.dataframe[-1].value if "comment" in app.dataframe[-1].value.columns else app.dataframe[-2].value
    assert behind["comment"].tolist() == [STRIPE_COMMENT]
    assert all("<b>" not in m.value for m in app.markdown) and all("<b>" not in c.value for c in app.caption)


def test_cohorts_page_projects_retention_and_values_the_base(app):
    app.run()
    app.switch_page("pages/cohorts.py").run()
    assert not app.exception
    assert "Projected retention and what the base is worth" in [tab.label for tab in app.tabs]
    assert "Share still renewing" not in str(app.get("plotly_chart")[-1].proto.spec)  # drawn when opened
    app.session_state["cohort_lasting"] = "Projected retention and what the base is worth"  # as a click leaves it
    app.run()
    assert "Share still renewing" in str(app.get("plotly_chart")[-1].proto.spec)
    app.radio(key="projection_by").set_value("segment").run()
    assert not app.exception
    fits = next(t.value for t in app.dataframe if "alpha" in t.value.columns)
    assert {"SMB, monthly", "Enterprise, yearly"} <= set(fits["group"].tolist())


def test_account_page_places_the_account_in_the_strongest_drivers(app):
    app.run()
    app.switch_page("pages/account.py").run()
    assert not app.exception
    assert "Where this account sits in what drives churn here" in [s.value for s in app.subheader]
    position = next(t.value for t in app.dataframe if "churn_rate" in t.value.columns and "group" in t.value.columns)
    assert len(position) == 5



def test_explore_shows_the_analysts_own_column_names(app):
    app.run()
    app.switch_page("pages/explore.py").run()
    app.text_area(key="explore_sql").input(
        "select segment, sum(base_mrr) as base_mrr, count(*) as n from accounts_dim group by segment").run()
    app.button(key="explore_run").click().run()
    assert not app.exception
    assert list(app.dataframe[-1].value.columns) == ["segment", "base_mrr", "n"]  # the result, after the schema
