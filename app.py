"""Renewal Radar: page config, navigation and the shared sidebar filters. No SQL, no polars here."""

import streamlit as st

from renewal_radar import ui
from renewal_radar.i18n import t

st.set_page_config(page_title="Renewal Radar", page_icon="📡", layout="wide")

PAGES = {
    t("Leadership"): [
        st.Page("pages/overview.py", title=t("Overview"), icon=":material/monitoring:", default=True),
        st.Page("pages/forecast.py", title=t("Renewal forecast"), icon=":material/query_stats:"),
    ],
    t("CS team"): [
        st.Page("pages/calendar.py", title=t("Renewal calendar"), icon=":material/calendar_month:"),
        st.Page("pages/at_risk.py", title=t("At-risk accounts"), icon=":material/warning:"),
        st.Page("pages/account.py", title=t("Account"), icon=":material/person_search:"),
        st.Page("pages/expansion.py", title=t("Expansion"), icon=":material/trending_up:"),
    ],
    t("Analysts"): [
        st.Page("pages/cohorts.py", title=t("Cohorts and survival"), icon=":material/grid_on:"),
        st.Page("pages/explore.py", title=t("Explore (SQL)"), icon=":material/terminal:"),
        st.Page("pages/data.py", title=t("Data"), icon=":material/dataset:"),
        st.Page("pages/import.py", title=t("Import"), icon=":material/upload_file:"),
    ],
}

page = st.navigation(PAGES)
ui.mark_navigation_ready()
ui.sidebar_filters()
page.run()
