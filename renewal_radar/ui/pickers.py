"""The sidebar's pickers: the language, the currency money is shown in, the as-of day and the account filters."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from renewal_radar import i18n
from renewal_radar.filters import Filters
from renewal_radar.i18n import t
from renewal_radar.readers import common as common_reader
from renewal_radar.ui.data import compute, compute_unscoped, database_key, function_path, has_data
from renewal_radar.ui.session import SHOWN_CURRENCY, person

LANGUAGE = "language"


LANGUAGE_PARAM = "lang"  # the address keeps a language picked other than the browser's, so a reload keeps it


def choose_language() -> str:
    """Set this run's language: the sidebar's choice, kept across pages and, in the address (``?lang=ko``),
    across reloads; by default the browser's language, then ``RENEWAL_RADAR_LANG``, then English."""
    state = st.session_state
    usual = i18n.match_language(st.context.locale) or i18n.default_language()
    if state.get(LANGUAGE) not in i18n.LANGUAGES:
        asked = st.query_params.get(LANGUAGE_PARAM)
        state[LANGUAGE] = asked if asked in i18n.LANGUAGES else usual
    state[LANGUAGE] = state[LANGUAGE]  # keep the widget's value when a page without the widget runs
    _keep_in_address(state[LANGUAGE], usual)
    i18n.set_language(state[LANGUAGE])
    return state[LANGUAGE]


def _keep_in_address(language: str, usual: str) -> None:
    """Write a language other than the usual one into the address (and take it out when it is the usual)."""
    if language != usual:
        if st.query_params.get(LANGUAGE_PARAM) != language:
            st.query_params[LANGUAGE_PARAM] = language
    elif LANGUAGE_PARAM in st.query_params:
        del st.query_params[LANGUAGE_PARAM]


def sidebar_language() -> None:
    """The language selector at the top of the sidebar."""
    st.sidebar.selectbox(t("Language"), list(i18n.LANGUAGES), key=LANGUAGE,
                         format_func=i18n.LANGUAGES.get)


CURRENCY = "currency"


def sidebar_currency() -> None:
    """The reporting-currency selector: the import's currency and every currency the data has rates for."""
    if not has_data():
        return
    offered = compute_unscoped(database_key(), "en", None, function_path(common_reader.currencies_offered), (), ())
    state = st.session_state
    if state.get(CURRENCY) not in offered:
        state[CURRENCY] = state.get(SHOWN_CURRENCY) if state.get(SHOWN_CURRENCY) in offered else offered[0]
    picked = st.sidebar.selectbox(t("Currency"), offered, key=CURRENCY, disabled=len(offered) == 1,
                                  help=t("Money on every page, download and review pack is shown in this currency, "
                                         "converted with the imported exchange rates of the month each amount "
                                         "belongs to."))
    state[SHOWN_CURRENCY] = picked


def sidebar_filters() -> None:
    """The shared filters, drawn in the sidebar on every page; their values persist across pages."""
    if not has_data():
        return
    data_as_of = compute(common_reader.data_as_of)
    options = compute(common_reader.filter_options)
    with st.sidebar:
        st.subheader(t("Filters"))
        st.date_input(t("As of"), value=data_as_of, max_value=data_as_of, key="as_of",
                      help=t("Figures show the state at the start of this day. Data as of {day}.", day=data_as_of))
        st.multiselect(t("Segment"), options["segment"], key="segments", placeholder=t("All segments"))
        st.multiselect(t("Region"), options["region"], key="regions", placeholder=t("All regions"))
        if person().role == "manager":  # a manager narrows to some of their people, never beyond them
            st.multiselect(t("CSM owner"), list(person().owners), key="owners", placeholder=t("Your team"))
        elif person().book_only:
            st.caption(t("Your book: the accounts of {owner}.", owner=person().owner))
        else:
            st.multiselect(t("CSM owner"), options["csm_owner"], key="owners", placeholder=t("All owners"))
        st.multiselect(t("Billing period"), options["bill_period_months"], key="bill_periods",
                       format_func=bill_period_label, placeholder=t("All billing periods"))


def current_as_of() -> dt.date:
    """The as-of day chosen in the sidebar (the data's as-of day by default)."""
    return st.session_state.get("as_of") or compute(common_reader.data_as_of)


def current_filters() -> Filters:
    """The account filters chosen in the sidebar, narrowed to the signed-in person's book."""
    state = st.session_state
    chosen = Filters(tuple(state.get("segments") or ()), tuple(state.get("regions") or ()),
                     tuple(state.get("owners") or ()), tuple(state.get("bill_periods") or ()))
    return person().scope(chosen)


BILL_PERIOD_LABELS = {1: "Monthly", 3: "Quarterly", 6: "Half-yearly", 12: "Annual", 24: "Two-year", 36: "Three-year"}


def bill_period_label(months: int) -> str:
    """``Annual`` for 12 months, ``N months`` otherwise."""
    return t(BILL_PERIOD_LABELS.get(int(months), f"{months} months"))
