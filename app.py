"""Renewal Radar: page config, sign-in, navigation for the person's role, the shared sidebar. No SQL, no polars."""

import streamlit as st

from renewal_radar import audit, ui
from renewal_radar.i18n import t

stopwatch = audit.Stopwatch()
st.set_page_config(page_title="Renewal Radar", page_icon="📡", layout="wide")
ui.choose_language()
person = ui.sign_in()

# (file stem, title, icon) per section. Pages outside the person's role stay routable but hidden, so a typed
# address reaches the page's refusal instead of Streamlit's "page not found".
SECTIONS = {
    t("Leadership"): [("overview", t("Overview"), "monitoring"), ("forecast", t("Renewal forecast"), "query_stats"),
                      ("why", t("Why customers leave"), "troubleshoot")],
    t("CS team"): [("calendar", t("Renewal calendar"), "calendar_month"), ("at_risk", t("At-risk accounts"), "warning"),
                   ("account", t("Account"), "person_search"), ("expansion", t("Expansion"), "trending_up"),
                   ("digest", t("Digest"), "mark_email_unread")],
    t("Analysts"): [("cohorts", t("Cohorts and survival"), "grid_on"), ("explore", t("Explore (SQL)"), "terminal"),
                    ("data", t("Data"), "dataset"), ("import", t("Import"), "upload_file")],
}
names = {}
pages = {}
for section, entries in SECTIONS.items():
    pages[section] = []
    for stem, title, icon in entries:
        page = st.Page(f"pages/{stem}.py", title=title, icon=f":material/{icon}:", default=stem == "overview",
                       visibility="visible" if person.can_open(stem) else "hidden")
        names[page.url_path] = stem
        pages[section].append(page)

page = st.navigation(pages)
ui.mark_navigation_ready()
ui.sidebar_language()
ui.sidebar_currency()
ui.sidebar_identity(person)
ui.sidebar_filters()
ui.run_page(page, names.get(page.url_path, "unknown"), person, stopwatch)
