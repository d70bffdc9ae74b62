"""Who may see what: roles from ``access.toml`` and the book each person reaches (shared/spec/access.md).

Pure logic, no Streamlit: :mod:`renewal_radar.ui` asks :func:`resolve` who a signed-in email is, and every
figure a page reads goes through :meth:`Person.scope`, so a CSM's filters always carry their own name. Hiding
navigation is a convenience; the filters are the control.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from renewal_radar.filters import Filters
from renewal_radar.settings import REPO_ROOT

ROLES = ("leader", "manager", "csm", "analyst", "admin")
EVERY_PAGE = frozenset({"overview", "forecast", "why", "calendar", "at_risk", "account", "expansion", "cohorts",
                        "explore", "data", "import", "digest"})
PAGES_BY_ROLE = {
    "leader": EVERY_PAGE - {"import", "explore"},
    "manager": EVERY_PAGE - {"import", "explore"},
    "csm": frozenset({"overview", "calendar", "at_risk", "account", "expansion", "digest"}),
    "analyst": EVERY_PAGE - {"import"},
    "admin": EVERY_PAGE,
}
LOCAL_EMAIL = "local"


class Refused(Exception):
    """A page, an account or an action outside the signed-in person's reach; the message says which."""


@dataclass(frozen=True)
class Person:
    """A signed-in person: their email, role and, for a CSM or a manager, the owner name of their book; a
    manager's book also holds their team's (``team``: every owner in it, theirs included, from team.csv)."""

    email: str
    role: str
    owner: str | None = None
    team: tuple[str, ...] = ()

    @property
    def book_only(self) -> bool:
        """True when the person sees only their own book (CSMs) or their team's (managers)."""
        return self.role in ("csm", "manager")

    @property
    def owners(self) -> tuple[str, ...]:
        """The owner names whose accounts the person sees (empty: every account)."""
        if not self.book_only:
            return ()
        return tuple(dict.fromkeys((self.owner or "", *self.team))) if self.role == "manager" else (self.owner or "",)

    @property
    def is_admin(self) -> bool:
        """True for administrators (imports, rollback, scoring, the audit log)."""
        return self.role == "admin"

    def can_open(self, page: str) -> bool:
        """True when the role reaches ``page`` (the page file's stem)."""
        return page in PAGES_BY_ROLE.get(self.role, frozenset())

    def scope(self, filters: Filters) -> Filters:
        """The filters narrowed to this person's book: a CSM's owner filter is always their own name."""
        if not self.book_only:
            return filters
        allowed = self.owners
        # a manager may narrow to some of their people; any other name narrows to nothing of theirs
        picked = tuple(o for o in filters.owners if o in allowed) if filters.owners else allowed
        return dataclasses.replace(filters, owners=picked or (self.owner or "",))

    def owns(self, account_owner: str | None) -> bool:
        """True when an account with this ``csm_owner`` is in the person's book."""
        return not self.book_only or (account_owner is not None and account_owner in self.owners)


LOCAL = Person(LOCAL_EMAIL, "admin")


@dataclass(frozen=True)
class Rules:
    """The parsed ``access.toml``: email or ``*@domain`` to role, and CSM emails to owner names."""

    roles: dict[str, str] = field(default_factory=dict)
    csm_owner: dict[str, str] = field(default_factory=dict)
    source: str = ""
    language: dict[str, str] = field(default_factory=dict)  # email -> language of their digest
    webhook: dict[str, str] = field(default_factory=dict)  # email -> their Slack-compatible incoming webhook

    def admins(self) -> list[str]:
        """The exact emails with the admin role (the people to ask for access)."""
        return sorted(email for email, role in self.roles.items() if role == "admin" and not email.startswith("*"))


@dataclass(frozen=True)
class Resolution:
    """Who an email turned out to be: a person, or why they are refused."""

    person: Person | None
    reason: str = ""


def access_file() -> Path:
    """Where ``access.toml`` is read from: ``$RENEWAL_RADAR_ACCESS``, else the repository root."""
    return Path(os.environ.get("RENEWAL_RADAR_ACCESS") or REPO_ROOT / "access.toml")


def load_rules(path: Path | None = None) -> Rules:
    """Parse ``access.toml``; a missing file gives no rules (everyone is refused), a malformed one raises."""
    path = path or access_file()
    if not path.exists():
        return Rules(source=str(path))
    with path.open("rb") as handle:
        parsed = tomllib.load(handle)
    roles = {str(k).strip().lower(): str(v).strip().lower() for k, v in parsed.get("roles", {}).items()}
    unknown = sorted({role for role in roles.values() if role not in ROLES})
    if unknown:
        raise ValueError(f"{path}: unknown role(s) {', '.join(unknown)}; use one of {', '.join(ROLES)}")
    def section(name: str) -> dict[str, str]:
        return {str(k).strip().lower(): str(v).strip() for k, v in parsed.get(name, {}).items()}

    return Rules(roles, section("csm_owner"), str(path), section("language"), section("webhook"))


def role_of(email: str, rules: Rules) -> str | None:
    """The role an email has: an exact rule wins over a ``*@domain`` default; None when nothing matches."""
    email = email.strip().lower()
    if email in rules.roles:
        return rules.roles[email]
    domain = email.rpartition("@")[2]
    return rules.roles.get(f"*@{domain}") if domain else None


def resolve(email: str | None, rules: Rules) -> Resolution:
    """The person behind a signed-in email, or the reason they see nothing."""
    if not email:
        return Resolution(None, "the sign-in gave no email address")
    role = role_of(email, rules)
    if role is None:
        return Resolution(None, f"{email} matches no rule in access.toml")
    owner = rules.csm_owner.get(email.strip().lower())
    if role in ("csm", "manager") and not owner:
        return Resolution(None, f"{email} is a {role}, but access.toml names no csm_owner for them, so their "
                                "book is unknown")
    return Resolution(Person(email.strip().lower(), role, owner if role in ("csm", "manager") else None))


def with_team(person: Person, team: list[dict]) -> Person:
    """A manager with their team from team.csv rows (owner, manager): the owners whose manager is theirs."""
    if person.role != "manager":
        return person
    members = tuple(sorted(row["csm_owner"] for row in team if row.get("manager") == person.owner))
    return dataclasses.replace(person, team=members)


def secrets_files() -> list[Path]:
    """Where Streamlit reads ``secrets.toml`` by default: the user's folder, then the project's."""
    return [Path.home() / ".streamlit" / "secrets.toml", REPO_ROOT / ".streamlit" / "secrets.toml"]


def sign_in_configured(files: list[Path] | None = None) -> bool:
    """True when a secrets file has an ``[auth]`` section with what ``st.login`` needs."""
    needed = {"redirect_uri", "cookie_secret"}
    for path in files or secrets_files():
        if path.exists():
            with path.open("rb") as handle:
                section = tomllib.load(handle).get("auth") or {}
            if needed <= section.keys() or any(isinstance(v, dict) and "client_id" in v for v in section.values()):
                return True
    return False


def bind_address(files: list[Path] | None = None) -> str:
    """The address ``make serve`` listens on: every interface only when sign-in is configured."""
    return "0.0.0.0" if sign_in_configured(files) else "127.0.0.1"


@dataclass(frozen=True)
class Recipient:
    """Someone a digest goes to: their email, role, book (None: the whole book) and language."""

    email: str
    role: str
    owner: str | None
    language: str
    webhook: str | None = None


def recipients(rules: Rules, owner: str | None = None, role: str | None = None,
               default_language: str = "en") -> list[Recipient]:
    """The people of one CSM owner's book (``owner``) or with one role (exact emails only, not domains)."""
    found = []
    for email, their_role in sorted(rules.roles.items()):
        if email.startswith("*"):
            continue
        book = rules.csm_owner.get(email) if their_role == "csm" else None
        if (owner is not None and book == owner) or (role is not None and their_role == role):
            if their_role == "csm" and not book:
                continue  # a CSM without a book gets no digest (access.toml names no csm_owner)
            found.append(Recipient(email, their_role, book, rules.language.get(email, default_language),
                                   rules.webhook.get(email)))
    return found
