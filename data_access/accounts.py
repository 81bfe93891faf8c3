"""User accounts: create, authenticate, change roles and assigned members. Passwords hashed with scrypt."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.domain.roles import ROLES, Actor
from data_access.db import session_scope
from data_access.models import AuditEntry, Member, User

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
MIN_PASSWORD = 10
# The one hashing method of stored passwords (werkzeug's name). Tests swap in a cheap one (tests/conftest.py);
# verification always goes through check_password_hash, which reads the method from the stored hash.
PASSWORD_HASH_METHOD = "scrypt"
_DUMMY_HASHES: dict[str, str] = {}


class AccountError(ValueError):
    """A user-facing problem with an account request."""


def hash_password(password: str) -> str:
    """Salted hash of a password in werkzeug's format, by PASSWORD_HASH_METHOD (scrypt)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > 200:
        raise AccountError("A password may have at most 200 characters.")
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def _dummy_hash() -> str:
    """A real hash of the current method to verify against when the user is unknown.

    Checking it keeps the timing the same as for a known user (no user enumeration).
    """
    if PASSWORD_HASH_METHOD not in _DUMMY_HASHES:
        _DUMMY_HASHES[PASSWORD_HASH_METHOD] = generate_password_hash("not-a-real-password", PASSWORD_HASH_METHOD)
    return _DUMMY_HASHES[PASSWORD_HASH_METHOD]


_dummy_hash()  # made at import, so the first unknown sign-in costs no more than later ones


def _members(session: Session, codes: Sequence[str]) -> list[Member]:
    wanted = sorted({c.upper() for c in codes})
    found = list(session.scalars(select(Member).where(Member.code.in_(wanted))))
    missing = sorted(set(wanted) - {m.code for m in found})
    if missing:
        raise AccountError(f"Unknown member code(s): {', '.join(missing)}.")
    return found


def _audit(session: Session, by: str, action: str, username: str, field: str, old: str | None, new: str | None):
    session.add(
        AuditEntry(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            username=by,
            action=action,
            entity="user",
            entity_id=username,
            field=field,
            old_value=old,
            new_value=new,
        )
    )


def create_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    role: str,
    members: Sequence[str] = (),
    display_name: str | None = None,
    by: str = "cli",
) -> None:
    """Create a user; support users are scoped to the member codes given."""
    if not USERNAME.match(username):
        raise AccountError("A username is 2-80 letters, digits or . _ @ -.")
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}' (use one of: {', '.join(ROLES)}).")
    password_hash = hash_password(password)
    with session_scope(engine) as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise AccountError(f"A user named '{username}' already exists.")
        user = User(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            members=_members(session, members),
        )
        session.add(user)
        _audit(session, by, "create-user", username, "role", None, role)
        if members:
            _audit(session, by, "create-user", username, "members", None, ",".join(sorted(members)))


def set_role(
    engine: Engine, *, username: str, role: str, members: Sequence[str] | None = None, by: str = "cli"
) -> None:
    """Change a user's role (and, when given, the members they are assigned to)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}' (use one of: {', '.join(ROLES)}).")
    with session_scope(engine) as session:
        user = session.scalar(select(User).options(selectinload(User.members)).where(User.username == username))
        if user is None:
            raise AccountError(f"No user named '{username}'.")
        if user.role != role:
            _audit(session, by, "set-role", username, "role", user.role, role)
            user.role = role
        if members is not None:
            old = ",".join(m.code for m in user.members)
            user.members = _members(session, members)
            new = ",".join(sorted(m.code for m in user.members))
            if old != new:
                _audit(session, by, "set-role", username, "members", old, new)


def authenticate(engine: Engine, username: str, password: str) -> Actor | None:
    """The actor for a correct username and password of an active user, else None."""
    with session_scope(engine) as session:
        user = session.scalar(select(User).options(selectinload(User.members)).where(User.username == username))
        if user is None or not user.active:
            check_password_hash(_dummy_hash(), password)
            return None
        if not check_password_hash(user.password_hash, password):
            return None
        user.last_login_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return Actor(user.username, user.role, frozenset(m.code for m in user.members))


def load_actor(engine: Engine, username: str) -> Actor | None:
    """The current role and members of an active user (read on every request, so changes apply at once)."""
    with Session(engine) as session:
        user = session.scalar(select(User).options(selectinload(User.members)).where(User.username == username))
        if user is None or not user.active:
            return None
        return Actor(user.username, user.role, frozenset(m.code for m in user.members))
