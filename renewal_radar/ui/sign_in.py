"""Signing in and out, the local-mode guard, and running a page the person may open (timed, refusals shown)."""

from __future__ import annotations

import ipaddress

import streamlit as st

from renewal_radar import access, audit
from renewal_radar.i18n import t
from renewal_radar.readers import common as common_reader
from renewal_radar.ui.data import compute_unscoped, database_key, function_path
from renewal_radar.ui.session import PERSON, REFUSAL, SIGNED_IN_EMAIL, auth_configured, refuse, role_word


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
        team = compute_unscoped(database_key(), "en", None, function_path(common_reader.team_members), (), ())
        found = access.with_team(found, team.to_dicts())
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


def _no_page() -> None:
    """The sign-in and refusal screens' stand-in page: they draw themselves and stop before any page runs."""


def _hide_navigation() -> None:
    # without a call to st.navigation in a run, Streamlit falls back to listing the pages/ folder's files in the
    # sidebar (its first multipage mode): a person not signed in, or refused, would see every page's file name
    st.navigation([st.Page(_no_page, title=t("Renewal Radar"), url_path="sign-in")], position="hidden")


def _sign_in_screen() -> None:
    _hide_navigation()
    st.title(t("Renewal Radar"))
    st.write(t("Sign in with your company account to see renewals, health and the forecast."))
    if st.button(t("Sign in"), type="primary", key="sign_in"):
        st.login()
    st.stop()


def _refused_everything(email: str, reason: str) -> None:
    admins = st.session_state.get("_admins") or []
    ask = (t("Ask an administrator ({admins}) to add you to access.toml.", admins=", ".join(admins)) if admins
           else t("Ask whoever runs Renewal Radar to add you to access.toml."))
    _hide_navigation()
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
