"""Renewal Radar: page config, sign-in, navigation for the person's role, the shared sidebar. No SQL, no polars."""

import streamlit as st

from renewal_radar import audit, ui

stopwatch = audit.Stopwatch()
st.set_page_config(page_title="Renewal Radar", page_icon="📡", layout="wide")
ui.choose_language()
person = ui.sign_in()

pages, names = ui.navigation_pages(person)
page = st.navigation(pages)
ui.mark_navigation_ready()
ui.sidebar_language()
ui.sidebar_currency()
ui.sidebar_identity(person)
ui.sidebar_filters()
ui.run_page(page, names.get(page.url_path, "unknown"), person, stopwatch)
