"""Shared Streamlit widgets: the database connection, cached figures, sidebar filters, KPIs, tables.

The only module of the package that imports streamlit. Pages call
:func:`compute` to run a domain function on the live database; results are
cached by the database file's identity and the function's arguments, so a new
import invalidates them without a restart.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import inspect
import ipaddress
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl
import streamlit as st

from renewal_radar import access, audit, columns, db, downloads, i18n, metrics, settings
from renewal_radar import filters as filters_mod
from renewal_radar import money as money_mod
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
def _compute(key: tuple[str, int], language: str, currency: str | None, function_path: str, args: tuple,
             kwargs: tuple):
    # the language and the currency are part of the key: words and money in a result are in them
    module, name = function_path.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    with i18n.language(language), money_mod.shown_in(currency):
        return function(_connection(*key), *args, **dict(kwargs))


def compute(function: Callable, *args, **kwargs):
    """Run ``function(connection, *args, **kwargs)`` on the live database, cached by its arguments.

    This is where access is enforced (shared/spec/access.md): every :class:`Filters` argument is narrowed to
    the signed-in person's book, a one-account read checks the account's owner first, and a CSM cannot run a
    whole-book read that takes neither filters nor an account.
    """
    args, kwargs = _scoped_arguments(function, args, kwargs)
    return _compute(database_key(), i18n.current_language(), current_currency(), _function_path(function), args,
                    tuple(sorted(kwargs.items())))


def _function_path(function: Callable) -> str:
    return f"{function.__module__}.{function.__name__}"


def _scoped_arguments(function: Callable, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    who = person()
    args = tuple(who.scope(a) if isinstance(a, Filters) else a for a in args)
    kwargs = {k: who.scope(v) if isinstance(v, Filters) else v for k, v in kwargs.items()}
    if not who.book_only:
        return args, kwargs
    bound = _signature(function).bind_partial(None, *args, **kwargs).arguments
    if "account_id" in bound:
        require_account(bound["account_id"])
    elif not any(isinstance(v, Filters) for v in bound.values()) and _function_path(function) not in BOOK_FREE:
        raise access.Refused(t("This figure covers the whole book; your role sees only your own accounts."))
    return args, kwargs


@functools.cache
def _signature(function: Callable) -> inspect.Signature:
    return inspect.signature(function)


# Reads that carry no account data, allowed to people who see only their own book.
BOOK_FREE = frozenset({"renewal_radar.metrics.data_as_of", "renewal_radar.metrics.reporting_currency",
                       "renewal_radar.money.offered", "renewal_radar.money.shown_currency",
                       "renewal_radar.pagedata.reporting_currency", "renewal_radar.pagedata.month_starts",
                       "renewal_radar.pagedata.score_status", "renewal_radar.filters.options",
                       "renewal_radar.pagedata.snapshot_days", "renewal_radar.pagedata.digest_since",
                       "renewal_radar.pagedata.digest_since_day"})


def require_account(account_id: str) -> None:
    """Refuse (:class:`access.Refused`) when the account is outside the signed-in person's book."""
    from renewal_radar import pagedata

    who = person()
    if not who.book_only:
        return
    exists, owner = _compute(database_key(), "en", None, _function_path(pagedata.account_owner), (account_id,), ())
    if not (exists and who.owns(owner)):
        raise access.Refused(t("Account {account} is not in your book, so it is not shown.", account=account_id))


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
    record("snapshot_save", snapshot=snapshot_id, name=name, as_of=as_of, horizon_days=horizon_days)
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


# ---------------------------------------------------------------- language

LANGUAGE = "language"


def choose_language() -> str:
    """Set this run's language: the sidebar's choice, kept across pages; by default the browser's language,
    then ``RENEWAL_RADAR_LANG``, then English."""
    state = st.session_state
    if state.get(LANGUAGE) not in i18n.LANGUAGES:
        state[LANGUAGE] = i18n.match_language(st.context.locale) or i18n.default_language()
    state[LANGUAGE] = state[LANGUAGE]  # keep the widget's value when a page without the widget runs
    i18n.set_language(state[LANGUAGE])
    return state[LANGUAGE]


def _session_language() -> str | None:
    try:
        chosen = st.session_state.get(LANGUAGE)
    except Exception:  # no script run (a command-line import of this module): no session
        return None
    return chosen if chosen in i18n.LANGUAGES else None


# A page run on its own (Streamlit's AppTest, a deep link before navigation) still speaks the session's language.
i18n.language_source = _session_language


def sidebar_language() -> None:
    """The language selector at the top of the sidebar."""
    st.sidebar.selectbox(t("Language"), list(i18n.LANGUAGES), key=LANGUAGE,
                         format_func=i18n.LANGUAGES.get)


CURRENCY = "currency"
SHOWN_CURRENCY = "_shown_currency"  # not a widget key, so it outlives a page run that draws no sidebar


def current_currency() -> str | None:
    """The currency money is shown in, picked in the sidebar (None: the import's reporting currency)."""
    try:
        return st.session_state.get(SHOWN_CURRENCY)
    except Exception:  # no script run: no session
        return None


def sidebar_currency() -> None:
    """The reporting-currency selector: the import's currency and every currency the data has rates for."""
    if not has_data():
        return
    offered = _compute(database_key(), "en", None, _function_path(money_mod.offered), (), ())
    state = st.session_state
    if state.get(CURRENCY) not in offered:
        state[CURRENCY] = state.get(SHOWN_CURRENCY) if state.get(SHOWN_CURRENCY) in offered else offered[0]
    picked = st.sidebar.selectbox(t("Currency"), offered, key=CURRENCY, disabled=len(offered) == 1,
                                  help=t("Money on every page, download and review pack is shown in this currency, "
                                         "converted with the imported exchange rates of the month each amount "
                                         "belongs to."))
    state[SHOWN_CURRENCY] = picked


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
    return st.session_state.get("as_of") or compute(metrics.data_as_of)


def current_filters() -> Filters:
    """The account filters chosen in the sidebar, narrowed to the signed-in person's book."""
    state = st.session_state
    chosen = Filters(tuple(state.get("segments") or ()), tuple(state.get("regions") or ()),
                     tuple(state.get("owners") or ()), tuple(state.get("bill_periods") or ()))
    return person().scope(chosen)


def bill_period_label(months: int) -> str:
    """``Annual`` for 12 months, ``N months`` otherwise."""
    return t(BILL_PERIOD_LABELS.get(int(months), f"{months} months"))


# ---------------------------------------------------------------- formatting and layout


def money(value: float | None, currency: str, compact: bool = True) -> str:
    """Money in the chosen language's format: compact on KPI cards (``$1.2M``, ``₩12.3억``), else whole units."""
    return i18n.money(value, currency, compact)


def coded(column: str, value: str | None) -> str | None:
    """A coded value (a health band, a forecast category, a probability's source) in words."""
    return columns.coded(column, value)


def day(value: dt.date | None) -> str:
    """A date in the chosen language's format."""
    return i18n.date(value)


def percent(value: float | None, digits: int = 1) -> str:
    """``87.5%`` in the chosen language's format; a dash for no value."""
    return i18n.percent(value, digits)


def snapshot_name(row: dict) -> str:
    """A snapshot's name as the reader's language says it: the names the app gives ("import as of 2026-11-01",
    "forecast as of …") are worded again; a name someone typed is theirs and shown as typed."""
    found = re.fullmatch(r"(import|forecast) as of (\d{4}-\d\d-\d\d)", row["name"] or "")
    if not found:
        return row["name"]
    day_text = day(dt.date.fromisoformat(found.group(2)))
    return t("import as of {day}", day=day_text) if found.group(1) == "import" else t(
        "forecast as of {day}", day=day_text)


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
    """A sortable table whose columns read like a product: labels and formats from :mod:`columns`, empty text
    cells blank, scores whole, percentages with one decimal, money in whole units of the reporting currency.
    A page's own ``column_config`` entry wins for its column."""
    explicit = column_config or {}
    shown, configs = _readable(frame, explicit)
    shown, explicit = _percent_columns(shown, explicit)
    money = [n for n, dtype in shown.schema.items() if dtype.is_float() and columns.column(n).kind == "money"]
    shown = shown.with_columns(pl.col(money).round(0)) if money else shown  # whole units, pages' columns too
    st.dataframe(shown, hide_index=True, width="stretch", column_config=configs | explicit,
                 **({"height": height} if height else {}))


def _percent_columns(frame: pl.DataFrame, explicit: dict) -> tuple[pl.DataFrame, dict]:
    """A page's percent columns (fractions) shown with one decimal, like the registry's."""
    scaled = {name for name, config in explicit.items() if isinstance(config, dict)
              and (config.get("type_config") or {}).get("format") == "percent" and name in frame.columns}
    if not scaled:
        return frame, explicit
    fixed = {name: {**config, "type_config": {**config["type_config"], "format": "%.1f%%"}} if name in scaled
             else config for name, config in explicit.items()}
    return frame.with_columns(pl.col(name) * 100 for name in scaled), fixed


def _readable(frame: pl.DataFrame, explicit: dict) -> tuple[pl.DataFrame, dict]:
    """The frame as shown (values scaled and rounded per kind) and a column config per column."""
    currency = compute(money_mod.shown_currency) if has_data() else "USD"
    changes, configs = [], {}
    nulls = frame.null_count().row(0, named=True) if frame.height else {}
    for name, dtype in frame.schema.items():
        if name in explicit:
            continue
        entry = columns.column(name)
        if nulls.get(name) and (dtype.is_numeric() or dtype == pl.Date):
            change, config = _column_with_gaps(name, dtype, entry.kind, columns.label(name), currency)
        else:
            change, config = _column_view(name, dtype, entry.kind, columns.label(name), currency)
        if change is not None:
            changes.append(change)
        configs[name] = config
    return (frame.with_columns(changes) if changes else frame), configs


def _column_with_gaps(name: str, dtype, kind: str, label: str, currency: str):
    """A number or date column with empty cells, as text: the grid would print "None" in them; a dash instead."""
    col = pl.col(name)
    if dtype == pl.Date:
        text = col.dt.strftime("%Y-%m-%d")
    elif kind == "percent":
        text = pl.format("{}%", (col * 100).round(1))
    elif kind in ("money", "score", "count") or dtype.is_integer():
        text = col.round(0).cast(pl.Int64).cast(pl.String)
    else:
        text = col.round(2).cast(pl.String)
    if kind == "money":
        label = _money_label(label, currency)
    return text.fill_null("—"), st.column_config.TextColumn(label, alignment="right")


def _column_view(name: str, dtype, kind: str, label: str, currency: str):
    """(expression changing the values or None, column config) for one column."""
    col = pl.col(name)
    numeric = dtype.is_numeric()
    if kind == "money" and numeric:
        return col.round(0), money_column(label, currency)
    if kind == "percent" and numeric:
        return col * 100, st.column_config.NumberColumn(label, format="%.1f%%")
    if kind == "score" and numeric:
        return col.round(0), st.column_config.NumberColumn(label, format="%d")
    if kind in ("number", "count") and numeric:
        return None, st.column_config.NumberColumn(label, format="localized")
    if dtype == pl.Date:
        return None, st.column_config.DateColumn(label, format="localized")
    if isinstance(dtype, pl.Datetime):
        return None, st.column_config.DatetimeColumn(label, format="localized")
    if dtype == pl.Boolean:
        return None, st.column_config.CheckboxColumn(label, help=columns.help_text(name))
    if dtype == pl.String:
        words = columns.value_words(name)
        shown = col.replace(words) if words else col
        return shown.fill_null(""), st.column_config.TextColumn(label)  # an empty cell, never "None"
    return None, st.column_config.Column(label)


def table_with_download(frame: pl.DataFrame, name: str, key: str, column_config: dict | None = None,
                        height: int | None = None, whole: Callable[[], pl.DataFrame] | None = None) -> None:
    """A sortable table with CSV and XLSX downloads of exactly what it shows (or, for a paged table, of
    ``whole()``: every page).

    The files are written when the button is clicked, not on every run: a 50,000-row workbook takes
    seconds to write and most views never download it.
    """
    dataframe(frame, column_config, height)
    rows = whole or (lambda: frame)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("Download CSV"), lambda: downloads.spreadsheet_csv(rows()), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", on_click="ignore")
    right.download_button(t("Download XLSX"), lambda: downloads.xlsx_bytes(rows()), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                          on_click="ignore")


def table_page(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """The page of ``frame`` picked above the table (``table_page_rows`` rows each, in the frame's order), with
    which rows of how many it shows; the whole frame when it fits on one page."""
    size = max(int(settings.get("table_page_rows")), 1)
    pages = max(-(-frame.height // size), 1)
    if pages == 1:
        return frame
    left, right = st.columns([1, 4])
    page = left.number_input(t("Page"), min_value=1, max_value=pages, value=1, step=1, key=key)
    start = (int(page) - 1) * size
    right.caption(t("Rows {first}–{last} of {total}, in the order shown; sorting a column sorts this page.",
                    first=f"{start + 1:,}", last=f"{min(start + size, frame.height):,}", total=f"{frame.height:,}"))
    return frame.slice(start, size)


def money_column(label: str, currency: str) -> st.column_config.NumberColumn:
    """A table column of money in the reporting currency: whole units, the symbol in the label."""
    return st.column_config.NumberColumn(_money_label(label, currency), format="localized")


def _money_label(label: str, currency: str) -> str:
    return f"{label} ({i18n.currency_symbol(currency).strip()})"


def percent_column(label: str) -> st.column_config.NumberColumn:
    """A table column of fractions shown as percentages."""
    return st.column_config.NumberColumn(label, format="percent")


def account_link_column() -> st.column_config.LinkColumn:
    """A table column that opens the account page for the row's account."""
    return st.column_config.LinkColumn(t("Open"), display_text=t("Open account"))


def account_url(account_id_column: str = "account_id") -> pl.Expr:
    """The account page's address for each row, for :func:`account_link_column`."""
    return pl.format("account?account_id={}", pl.col(account_id_column)).alias("open")


def chart_opening_accounts(figure, key: str, id_index: int) -> None:
    """A chart whose points open the Account page when clicked (the account id sits in each point's customdata)."""
    event = st.plotly_chart(figure, width="stretch", on_select="rerun", selection_mode="points", key=key)
    points = (event.selection.points if event and event.selection else None) or []
    st.caption(t("Click a point to open its account."))
    if points and points[0].get("customdata"):
        st.switch_page("pages/account.py", query_params={"account_id": points[0]["customdata"][id_index]})


def open_account_picker(accounts: pl.DataFrame, key: str) -> None:
    """Pick one of the listed accounts and go to its page."""
    names = dict(zip(accounts["account_id"], accounts["name"], strict=True))
    left, right = st.columns([3, 1])
    chosen = left.selectbox(t("Open an account from this list"), list(names), key=key,
                            format_func=lambda a: f"{names[a]} · {a}")
    if right.button(t("Open account"), key=f"{key}_go") and chosen:
        st.switch_page("pages/account.py", query_params={"account_id": chosen})


# ---------------------------------------------------------------- sign-in, refusals, audit and page timing

PERSON = "_person"
SIGNED_IN_EMAIL = "_signed_in_email"
REFUSAL = "_refusal"


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section: sign-in is on."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def person() -> access.Person:
    """The signed-in person (the single local user in local mode)."""
    if not auth_configured():
        return access.LOCAL
    found = st.session_state.get(PERSON)
    if found is None:  # pages reached without app.py's sign-in (never through the server)
        raise access.Refused(t("Sign in first."))
    return found


def sign_in() -> access.Person:
    """Who is using the app, or stop the run: the sign-in screen, or a refusal naming the email."""
    if not auth_configured():
        _serve_this_computer_only()
        return access.LOCAL
    if not st.user.is_logged_in:
        _sign_in_screen()
    email = str(st.user.get("email") or "")
    if st.session_state.get(SIGNED_IN_EMAIL) != email:
        _resolve_signed_in(email)  # access.toml is read at each sign-in, so an edit counts at the next one
    found = st.session_state.get(PERSON)
    if found is None:
        _refused_everything(email, st.session_state.get(REFUSAL, ""))
    return found


def _resolve_signed_in(email: str) -> None:
    state = st.session_state
    try:
        rules = access.load_rules()
        resolution = access.resolve(email, rules)
    except (ValueError, OSError) as exc:
        rules, resolution = access.Rules(), access.Resolution(None, t("access.toml could not be read: {error}",
                                                                       error=exc))
    found = resolution.person
    if found is not None and found.role == "manager":  # their team, as team.csv says on the day they sign in
        from renewal_radar import pagedata

        found = access.with_team(found, _compute(database_key(), "en", None, _function_path(pagedata.team_members),
                                                 (), ()).to_dicts())
    state[SIGNED_IN_EMAIL], state[PERSON], state[REFUSAL] = email, found, resolution.reason
    state["_admins"] = rules.admins()
    if resolution.person is not None:
        # A sign-in is one ID token (its issue time); reloading the page opens a new session with the same token.
        issued = st.user.get("iat")
        if issued is None:
            audit.record("sign_in", email, resolution.person.role)
        else:
            audit.record_once("sign_in", email, resolution.person.role, issued_at=issued)
    else:
        audit.record("refused", email or "(none)", "none", reason=resolution.reason)


def _sign_in_screen() -> None:
    st.title(t("Renewal Radar"))
    st.write(t("Sign in with your company account to see renewals, health and the forecast."))
    if st.button(t("Sign in"), type="primary", key="sign_in"):
        st.login()
    st.stop()


def _refused_everything(email: str, reason: str) -> None:
    admins = st.session_state.get("_admins") or []
    ask = (t("Ask an administrator ({admins}) to add you to access.toml.", admins=", ".join(admins)) if admins
           else t("Ask whoever runs Renewal Radar to add you to access.toml."))
    st.title(t("Renewal Radar"))
    st.error(t("You are signed in as {email}, but this account has no access: {reason}.", email=email or "?",
               reason=reason) + " " + ask)
    _sign_out_button(st)
    st.stop()


def _serve_this_computer_only() -> None:
    # Without sign-in the app is one person's tool; a visitor from another machine (a server started with
    # --server.address 0.0.0.0 by hand) gets nothing. Streamlit reports no address for loopback visitors.
    if not _is_loopback(st.context.ip_address):
        st.error(t("This Renewal Radar runs in local mode (no sign-in configured) and serves only the computer it "
                   "runs on. Ask its administrator to configure sign-in."))
        st.stop()


def _is_loopback(address) -> bool:
    if not isinstance(address, str):  # None for loopback; no network client at all in Streamlit's AppTest
        return True
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return False
    return found.is_loopback or bool(getattr(found, "ipv4_mapped", None) and found.ipv4_mapped.is_loopback)


def role_word(role: str) -> str:
    """A role in words."""
    return {"leader": t("leader"), "csm": t("CSM"), "analyst": t("analyst"), "admin": t("admin")}.get(role, role)


def sidebar_identity(who: access.Person) -> None:
    """Who is signed in and the sign-out button; or that the app runs in local mode."""
    with st.sidebar:
        if who is access.LOCAL:
            st.caption(t("Local mode: one user, every page, reachable from this computer only (127.0.0.1). "
                         "Configure sign-in to share it with a team."))
            return
        label = t("Signed in as {email} · {role}", email=who.email, role=role_word(who.role))
        st.caption(label + (" · " + t("book of {owner}", owner=who.owner) if who.book_only else ""))
        _sign_out_button(st)


def _sign_out_button(container) -> None:
    if container.button(t("Sign out"), key="sign_out"):
        who = st.session_state.get(PERSON)
        audit.record("sign_out", str(st.user.get("email") or ""), who.role if who else "none")
        for key in (PERSON, SIGNED_IN_EMAIL, REFUSAL):
            st.session_state.pop(key, None)
        st.logout()


def record(action: str, **detail) -> None:
    """Audit an action of the signed-in person (import, rollback, snapshot save, console query, download…)."""
    who = person()
    audit.record(action, who.email, who.role, **detail)


def audited(content: bytes, action: str, **detail) -> Callable[[], bytes]:
    """Download data that audits the download when (and only when) the button is clicked."""
    who = person()

    def deliver() -> bytes:
        audit.record(action, who.email, who.role, **detail)
        return content

    return deliver


def refuse(message: str, **detail) -> None:
    """Show a refusal in the page, audit it, and stop: none of the data is shown."""
    who = person()
    audit.record("refused", who.email, who.role, reason=message, **detail)
    st.error(message, icon=":material/block:")
    st.stop()


def run_page(page, name: str, who: access.Person, stopwatch: audit.Stopwatch) -> None:
    """Run a page the person may open, turn a refusal deep in its reads into a message, and time the run."""
    try:
        if not who.can_open(name):
            st.title(page.title)
            refuse(t("Your role ({role}) does not reach the {page} page.", role=role_word(who.role), page=page.title),
                   page=name)
        page.run()
    except access.Refused as refusal:
        refuse(str(refusal), page=name)
    finally:
        seconds, cpu = stopwatch.elapsed()
        audit.record_page_run(name, who.role, seconds, cpu)
