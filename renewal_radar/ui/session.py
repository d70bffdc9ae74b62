"""Who is using the app and what they did: the signed-in person, refusals and the audit log of their actions."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from renewal_radar import access, audit
from renewal_radar.i18n import t

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


def role_word(role: str) -> str:
    """A role in words."""
    return {"leader": t("leader"), "manager": t("manager"), "csm": t("CSM"), "analyst": t("analyst"),
            "admin": t("admin")}.get(role, role)


SHOWN_CURRENCY = "_shown_currency"  # not a widget key, so it outlives a page run that draws no sidebar


def current_currency() -> str | None:
    """The currency money is shown in, picked in the sidebar (None: the import's reporting currency)."""
    try:
        return st.session_state.get(SHOWN_CURRENCY)
    except Exception:  # no script run: no session
        return None
