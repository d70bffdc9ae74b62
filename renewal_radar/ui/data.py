"""The live database for the pages: its connection, the figures computed on it (cached by the file's identity,
the language, the currency and the arguments) and where access narrows every read to the person's book.

Pages call :func:`compute` to run a reader on the live database; a new import changes the file, so every cached
figure refreshes without a restart."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import inspect
from collections.abc import Callable

import streamlit as st

from renewal_radar import access, db, i18n, settings, snapshots
from renewal_radar.filters import Filters
from renewal_radar.i18n import t
from renewal_radar.readers import common as common_reader
from renewal_radar.ui.session import current_currency, person, record


def database_key() -> tuple[str, int]:
    """The live database's path and modification time: a new import changes it."""
    path = settings.db_path()
    return str(path), (path.stat().st_mtime_ns if path.exists() else 0)


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, mtime_ns: int):
    return db.connect(path)


@st.cache_data(show_spinner=False, max_entries=1024)
def compute_unscoped(key: tuple[str, int], language: str, currency: str | None, function_path: str, args: tuple,
                     kwargs: tuple):
    """``function(connection, *args, **kwargs)`` cached, without access narrowing: only for reads that carry no
    account data or that run before anyone is signed in (the team of a signing-in manager)."""
    # the language and the currency are part of the key: words and money in a result are in them (the currency
    # reaches a reader that shows money as its ``currency`` argument, see compute)
    module, name = function_path.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    with i18n.language(language):
        return function(_connection(*key), *args, **dict(kwargs))


def compute(function: Callable, *args, **kwargs):
    """Run ``function(connection, *args, **kwargs)`` on the live database, cached by its arguments.

    This is where access is enforced (shared/spec/access.md): every :class:`Filters` argument is narrowed to
    the signed-in person's book, a one-account read checks the account's owner first, and a CSM cannot run a
    whole-book read that takes neither filters nor an account. A reader that shows money (it takes
    ``currency``) is given the currency picked in the sidebar, unless the page names one.
    """
    args, kwargs = _scoped_arguments(function, args, kwargs)
    if "currency" in _signature(function).parameters and "currency" not in kwargs:
        kwargs["currency"] = current_currency()
    return compute_unscoped(database_key(), i18n.current_language(), current_currency(), function_path(function), args,
                    tuple(sorted(kwargs.items())))


def function_path(function: Callable) -> str:
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
    elif not any(isinstance(v, Filters) for v in bound.values()) and function_path(function) not in BOOK_FREE:
        raise access.Refused(t("This figure covers the whole book; your role sees only your own accounts."))
    return args, kwargs


@functools.cache
def _signature(function: Callable) -> inspect.Signature:
    return inspect.signature(function)


# Reads that carry no account data, allowed to people who see only their own book.
BOOK_FREE = frozenset({
    "renewal_radar.readers.common.data_as_of", "renewal_radar.readers.common.filter_options",
    "renewal_radar.readers.common.currencies_offered", "renewal_radar.readers.common.reporting_currency",
    "renewal_radar.readers.common.month_starts", "renewal_radar.readers.common.score_status",
    "renewal_radar.readers.digest.snapshot_days", "renewal_radar.readers.digest.since",
    "renewal_radar.readers.digest.since_day", "renewal_radar.readers.digest.owners",
    "renewal_radar.readers.explore.schema", "renewal_radar.readers.cohorts.attributes",
})


def account_exists(account_id: str) -> bool:
    """Whether the loaded data holds the account (whatever the filters)."""
    exists, _ = compute_unscoped(database_key(), "en", None, function_path(common_reader.account_owner),
                                 (account_id,), ())
    return exists


def require_account(account_id: str) -> None:
    """Refuse (:class:`access.Refused`) when the account is outside the signed-in person's book."""
    who = person()
    if not who.book_only:
        return
    exists, owner = compute_unscoped(database_key(), "en", None, function_path(common_reader.account_owner),
                                     (account_id,), ())
    if not (exists and who.owns(owner)):
        raise access.Refused(t("Account {account} is not in your book, so it is not shown.", account=account_id))


def warn_if_scores_stale() -> None:
    """Say so when the stored scores were made with other settings than today's (rerun `score`)."""
    found = compute(common_reader.score_status)
    if found.stale:
        st.warning(t("The stored scores were made with other settings (health.toml or forecast settings) than the "
                     "ones in use now; figures for stored days are computed live until an administrator runs "
                     "`python -m renewal_radar score`."))


def shown_currency() -> str:
    """The currency money is shown in: the one picked in the sidebar, else the import's reporting currency."""
    return current_currency() or (compute(common_reader.reporting_currency) if has_data() else "USD")


def has_data() -> bool:
    """True when a database has been built or imported."""
    return database_key()[1] != 0


def stop_without_data() -> None:
    """Explain how to load data and stop the page when there is none."""
    if not has_data():
        st.info(t("No data is loaded yet. Run `make run` to build the demo company, or "
                  "`python -m renewal_radar import FOLDER` to load your own exports."))
        st.stop()


def save_snapshot(as_of: dt.date, horizon_days: int, name: str) -> int:
    """Store the forecast as a snapshot in the live database (:func:`snapshots.save_in_file`); returns its id.

    The read-only connection this process holds is let go first: DuckDB lets one process write a file only
    while no other connection has it open. The write changes the file, so every cached figure refreshes.
    """
    path = release_connection()
    snapshot_id = snapshots.save_in_file(path, as_of, horizon_days, name)
    record("snapshot_save", snapshot=snapshot_id, name=name, as_of=as_of, horizon_days=horizon_days)
    return snapshot_id


def release_connection() -> str:
    """Close this process's cached connection to the live database (before a write); returns the file's path."""
    key = database_key()
    _connection(*key).close()
    _connection.clear()
    return key[0]
