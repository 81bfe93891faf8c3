"""Who may do what: roles, the signed-in actor, and permission checks as pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from dashboard.domain.scales import PROGRESS_SOURCES

ROLES: dict[str, str] = {
    "viewer": "Viewer (Steering Committee): reads and exports",
    "support": "Country support staff: records progress and delay notes for assigned members",
    "irm": "IRM researcher: records progress (any source) and IRM ratings for every member",
    "admin": "Administrator: everything, plus users and roles",
}
SUPPORT_SOURCES = frozenset({"government", "civil_society", "support_unit"})


@dataclass(frozen=True)
class Actor:
    """The person behind a request: anonymous (username None) or a signed-in user with a role."""

    username: str | None = None
    role: str | None = None
    members: frozenset[str] = field(default_factory=frozenset)  # member codes a support user is assigned to

    @property
    def is_authenticated(self) -> bool:
        """True for a signed-in user."""
        return self.username is not None and self.role in ROLES

    @property
    def label(self) -> str:
        """Name and role as shown in the navigation bar."""
        return f"{self.username} ({self.role})" if self.is_authenticated else "not signed in"


ANONYMOUS = Actor()


def can_read(actor: Actor, *, public_read: bool) -> bool:
    """Reading (pages, charts) is public unless PUBLIC_READ=false; then any signed-in user."""
    return public_read or actor.is_authenticated


def can_export(actor: Actor, *, public_read: bool) -> bool:
    """Exporting a table is reading it in another form."""
    return can_read(actor, public_read=public_read)


def covers_member(actor: Actor, member_code: str) -> bool:
    """True when the actor works on this member: irm and admin on all, support on assigned ones."""
    if actor.role in ("irm", "admin"):
        return True
    return actor.role == "support" and member_code in actor.members


def allowed_sources(actor: Actor) -> tuple[str, ...]:
    """Progress-report sources this actor may record, in display order."""
    if actor.role in ("irm", "admin"):
        return tuple(PROGRESS_SOURCES)
    if actor.role == "support":
        return tuple(s for s in PROGRESS_SOURCES if s in SUPPORT_SOURCES)
    return ()


def can_record_progress(actor: Actor, member_code: str, source: str | None = None) -> bool:
    """May this actor add a progress report (of this source) for a commitment of this member?"""
    if not actor.is_authenticated or not covers_member(actor, member_code):
        return False
    return source is None or source in allowed_sources(actor)


def can_add_delay_note(actor: Actor, member_code: str) -> bool:
    """Support staff (their members), IRM and admins may note why a commitment is delayed."""
    return actor.is_authenticated and actor.role in ("support", "irm", "admin") and covers_member(actor, member_code)


def can_record_rating(actor: Actor, member_code: str) -> bool:
    """Only IRM researchers (and admins) record IRM ratings."""
    return actor.is_authenticated and actor.role in ("irm", "admin")


def landing(actor: Actor, next_path: str) -> str:
    """Where signing in leads: the page the user came from; from the overview, a support user lands on their
    own members (the member filter set to them, removable like any filter)."""
    if next_path == "/" and actor.role == "support" and actor.members:
        return "/?" + urlencode([("member", code) for code in sorted(actor.members)])
    return next_path
