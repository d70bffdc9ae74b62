"""Shared Streamlit widgets: the database connection, cached figures, sidebar filters, KPIs, tables.

The only module of the package that imports streamlit. Pages call
:func:`compute` to run a domain function on the live database; results are
cached by the database file's identity and the function's arguments, so a new
import invalidates them without a restart.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
from collections.abc import Callable
from pathlib import Path

import polars as pl
import streamlit as st

from renewal_radar import db, metrics, settings
from renewal_radar import filters as filters_mod
from renewal_radar.charts import currency_symbol
from renewal_radar.filters import Filters
from renewal_radar.i18n import t

BILL_PERIOD_LABELS = {1: "Monthly", 3: "Quarterly", 6: "Half-yearly", 12: "Annual", 24: "Two-year", 36: "Three-year"}


# ---------------------------------------------------------------- data access


def database_key() -> tuple[str, int]:
    """The live database's path and modification time: a new import changes it."""
    path = settings.db_path()
    return str(path), (path.stat().st_mtime_ns if path.exists() else 0)


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, mtime_ns: int):
    return db.connect(path)


@st.cache_data(show_spinner=False, max_entries=1024)
def _compute(key: tuple[str, int], function_path: str, args: tuple, kwargs: tuple):
    module, name = function_path.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    return function(_connection(*key), *args, **dict(kwargs))


def compute(function: Callable, *args, **kwargs):
    """Run ``function(connection, *args, **kwargs)`` on the live database, cached by its arguments."""
    return _compute(database_key(), f"{function.__module__}.{function.__name__}", args, tuple(sorted(kwargs.items())))


def warn_if_scores_stale() -> None:
    """Say so when the stored scores were made with other settings than today's (rerun `score`)."""
    from renewal_radar import pagedata

    found = compute(pagedata.score_status)
    if found.stale:
        st.warning(t("The stored scores were made with other settings (health.toml or forecast settings) than the "
                     "ones in use now; figures for stored days are computed live until an administrator runs "
                     "`python -m renewal_radar score`."))


def save_snapshot(as_of: dt.date, horizon_days: int, name: str) -> int:
    """Store the forecast as a snapshot in the live database; returns its id.

    The read-only connection this process holds is closed first (DuckDB lets one process write a file only
    while no other connection has it open); the write changes the file, so every cached figure refreshes.
    """
    from renewal_radar import snapshots

    key = database_key()
    _connection(*key).close()
    _connection.clear()
    con = db.connect(key[0], read_only=False)
    try:
        snapshot_id = snapshots.save(con, as_of, horizon_days, name)
        con.execute("checkpoint")
    finally:
        con.close()
    return snapshot_id


def has_data() -> bool:
    """True when a database has been built or imported."""
    return database_key()[1] != 0


def stop_without_data() -> None:
    """Explain how to load data and stop the page when there is none."""
    if not has_data():
        st.info(t("No data is loaded yet. Run `make run` to build the demo company, or "
                  "`python -m renewal_radar import FOLDER` to load your own exports."))
        st.stop()


# ---------------------------------------------------------------- filters


def sidebar_filters() -> None:
    """The shared filters, drawn in the sidebar on every page; their values persist across pages."""
    if not has_data():
        return
    data_as_of = compute(metrics.data_as_of)
    options = compute(filters_mod.options)
    with st.sidebar:
        st.subheader(t("Filters"))
        st.date_input(t("As of"), value=data_as_of, max_value=data_as_of, key="as_of",
                      help=t("Figures show the state at the start of this day. Data as of {day}.", day=data_as_of))
        st.multiselect(t("Segment"), options["segment"], key="segments", placeholder=t("All segments"))
        st.multiselect(t("Region"), options["region"], key="regions", placeholder=t("All regions"))
        st.multiselect(t("CSM owner"), options["csm_owner"], key="owners", placeholder=t("All owners"))
        st.multiselect(t("Billing period"), options["bill_period_months"], key="bill_periods",
                       format_func=bill_period_label, placeholder=t("All billing periods"))


def current_as_of() -> dt.date:
    """The as-of day chosen in the sidebar (the data's as-of day by default)."""
    return st.session_state.get("as_of") or compute(metrics.data_as_of)


def current_filters() -> Filters:
    """The account filters chosen in the sidebar."""
    state = st.session_state
    return Filters(tuple(state.get("segments") or ()), tuple(state.get("regions") or ()),
                   tuple(state.get("owners") or ()), tuple(state.get("bill_periods") or ()))


def bill_period_label(months: int) -> str:
    """``Annual`` for 12 months, ``N months`` otherwise."""
    return t(BILL_PERIOD_LABELS.get(int(months), f"{months} months"))


# ---------------------------------------------------------------- formatting and layout


def money(value: float | None, currency: str, compact: bool = True) -> str:
    """``$1.2M`` (compact) or ``$1,234,567``; a dash for no value."""
    if value is None:
        return "–"
    symbol = currency_symbol(currency)
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if compact:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if amount >= limit:
                return f"{sign}{symbol}{amount / limit:,.1f}{suffix}"
    return f"{sign}{symbol}{amount:,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    """``87.5%``; a dash for no value."""
    return "–" if value is None else f"{value:.{digits}%}"


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


def dataframe(frame: pl.DataFrame, column_config: dict | None = None, height: int | None = None) -> None:
    """A sortable table; dates show as dates (not midnight timestamps)."""
    dates = {name: st.column_config.DateColumn(name, format="YYYY-MM-DD")
             for name, dtype in frame.schema.items() if dtype == pl.Date}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=dates | (column_config or {}),
                 **({"height": height} if height else {}))


def table_with_download(frame: pl.DataFrame, name: str, key: str, column_config: dict | None = None,
                        height: int | None = None) -> None:
    """A sortable table with CSV and XLSX downloads of exactly what it shows.

    The files are written when the button is clicked, not on every run: a 50,000-row workbook takes
    seconds to write and most views never download it.
    """
    dataframe(frame, column_config, height)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("Download CSV"), lambda: frame.write_csv(), f"{name}.csv", "text/csv", key=f"{key}_csv",
                         on_click="ignore")
    right.download_button(t("Download XLSX"), lambda: xlsx_bytes(frame), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                          on_click="ignore")


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as a Parquet file."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def xlsx_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as an Excel workbook."""
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


def money_column(label: str, currency: str) -> st.column_config.NumberColumn:
    """A table column of money in the reporting currency with thousands separators."""
    named = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}
    return st.column_config.NumberColumn(label, format=named.get(currency, "localized"))


def percent_column(label: str) -> st.column_config.NumberColumn:
    """A table column of fractions shown as percentages."""
    return st.column_config.NumberColumn(label, format="percent")


def account_link_column() -> st.column_config.LinkColumn:
    """A table column that opens the account page for the row's account."""
    return st.column_config.LinkColumn(t("Open"), display_text=t("Open account"))


def account_url(account_id_column: str = "account_id") -> pl.Expr:
    """The account page's address for each row, for :func:`account_link_column`."""
    return pl.format("account?account_id={}", pl.col(account_id_column)).alias("open")


def open_account_picker(accounts: pl.DataFrame, key: str) -> None:
    """Pick one of the listed accounts and go to its page."""
    names = dict(zip(accounts["account_id"], accounts["name"], strict=True))
    left, right = st.columns([3, 1])
    chosen = left.selectbox(t("Open an account from this list"), list(names), key=key,
                            format_func=lambda a: f"{names[a]} · {a}")
    if right.button(t("Open account"), key=f"{key}_go") and chosen:
        st.switch_page("pages/account.py", query_params={"account_id": chosen})
