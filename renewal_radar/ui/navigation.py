"""The app's pages as ``st.navigation`` lists them: sections, titles and icons, and which the person may see."""

from __future__ import annotations

import streamlit as st

from renewal_radar import access
from renewal_radar.i18n import N_, t

# (file stem, title, icon) per section, in the sidebar's order
SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (N_("Leadership"), (("overview", N_("Overview"), "monitoring"), ("forecast", N_("Renewal forecast"), "query_stats"),
                        ("why", N_("Why customers leave"), "troubleshoot"))),
    (N_("CS team"), (("calendar", N_("Renewal calendar"), "calendar_month"),
                     ("at_risk", N_("At-risk accounts"), "warning"), ("account", N_("Account"), "person_search"),
                     ("expansion", N_("Expansion"), "trending_up"), ("digest", N_("Digest"), "mark_email_unread"))),
    (N_("Analysts"), (("cohorts", N_("Cohorts and survival"), "grid_on"), ("explore", N_("Explore (SQL)"), "terminal"),
                      ("data", N_("Data"), "dataset"), ("import", N_("Import"), "upload_file"))),
)


def page_files() -> list[str]:
    """Every page file the navigation lists, in its order (the every-page tests read this list)."""
    return [f"pages/{stem}.py" for _, entries in SECTIONS for stem, _, _ in entries]


def page_titles() -> dict[str, str]:
    """Each page's title in the reader's language, by file stem (``at_risk`` → "At-risk accounts")."""
    return {stem: t(title) for _, entries in SECTIONS for stem, title, _ in entries}


def navigation_pages(person: access.Person) -> tuple[dict[str, list], dict[str, str]]:
    """The sections of ``st.navigation`` for ``person`` and each page's URL path → file stem. Pages outside the
    person's role stay routable but hidden, so a typed address reaches the page's refusal instead of
    Streamlit's "page not found"."""
    names, sections = {}, {}
    for section, entries in SECTIONS:
        sections[t(section)] = []
        for stem, title, icon in entries:
            page = st.Page(f"pages/{stem}.py", title=t(title), icon=f":material/{icon}:", default=stem == "overview",
                           visibility="visible" if person.can_open(stem) else "hidden")
            names[page.url_path] = stem
            sections[t(section)].append(page)
    return sections, names
