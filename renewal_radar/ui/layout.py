"""A page's header, the deep link that waits for the app's navigation, and tabs drawn when opened."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import streamlit as st

NAVIGATION_READY = "_navigation_ready"


REQUESTED_PAGE = "_requested_page"


def mark_navigation_ready() -> None:
    """Called by app.py after st.navigation: the shared layout and filters are in place.

    A deep link that arrived before navigation existed (see :func:`page_header`) is
    honoured here, now that Streamlit can route it through the entrypoint.
    """
    st.session_state[NAVIGATION_READY] = True
    requested = st.session_state.pop(REQUESTED_PAGE, None)
    if requested:
        st.switch_page(requested)


def page_header(title: str, what: str) -> None:
    """The page title and one line on what the reader is looking at."""
    # Until some session has run app.py's st.navigation, Streamlit serves a deep link such as
    # /at_risk from the pages/ folder on its own, without the layout and the filters; send it
    # through the entrypoint instead.
    if not st.session_state.get(NAVIGATION_READY):
        page_file = Path(inspect.stack()[1].filename)
        st.session_state[REQUESTED_PAGE] = f"{page_file.parent.name}/{page_file.name}"
        st.switch_page("app.py")
    st.title(title)
    st.caption(what)


def lazy_tabs(views: dict[str, Callable[[], None]], key: str) -> None:
    """Tabs whose views run and are sent only when opened: a tab switch reruns the page and draws that one view,
    so a page of many views draws one per visit, not all (issue 36). ``views``: each tab's label and what draws
    it; ``key``: the session's record of the open tab (its label)."""
    for tab, draw in zip(st.tabs(list(views), key=key, on_change="rerun"), views.values(), strict=True):
        if tab.open:
            with tab:
                draw()


def _css_text(text: str) -> str:
    """``text`` as a CSS string's content (quotes and backslashes escaped, one line)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def uploader_words(kinds: list[str]) -> None:
    """Streamlit's file uploader in the reader's language: its button ("Upload") and its line on the size limit
    and file kinds have no parameter, so they are set by style — the English stays in the page, at size 0, and
    the words shown are the catalogue's (issue 37)."""
    from renewal_radar.i18n import t

    button = t("Upload")
    limit = t("Up to {mb:,} MB per file · {kinds}", mb=st.get_option("server.maxUploadSize"),
              kinds=", ".join(kind.upper() for kind in kinds))
    dropzone = '[data-testid="stFileUploaderDropzone"]'
    st.html(f"""<style>
{dropzone} button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
{dropzone} button [data-testid="stMarkdownContainer"] p::after {{ content: "{_css_text(button)}";
  font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{_css_text(limit)}";
  font-size: 0.875rem; }}
</style>""")
