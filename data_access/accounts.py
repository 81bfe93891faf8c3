"""User accounts: create, authenticate, change roles and assigned members, deactivate, reset passwords.

Passwords are hashed with scrypt and must pass dashboard.domain.passwords. Deactivating a user or resetting a
password ends every session of that user at once (data_access.sessions)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Sequence

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.domain.passwords import password_problem
from dashboard.domain.roles import ROLES, Actor
from data_access.db import session_scope
from data_access.models import AuditEntry, Member, User, UserSession

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
# The one hashing method of stored passwords (werkzeug's name). Tests swap in a cheap one (tests/conftest.py);
# verification always goes through check_password_hash, which reads the method from the stored hash.
PASSWORD_HASH_METHOD = "scrypt"
_DUMMY_HASHES: dict[str, str] = {}
# scrypt costs ~0.15 s of CPU: one hash at a time per process, so a burst of sign-ins queues behind itself
# instead of starving every other request of the worker (16 parallel sign-ins slowed a cached page to 1.9 s).
_HASHING = threading.BoundedSemaphore(1)


def _verify(stored_hash: str, password: str) -> bool:
    with _HASHING:
        return check_password_hash(stored_hash, password)


class AccountError(ValueError):
    """A user-facing problem with an account request."""


def hash_password(password: str, username: str | None = None) -> str:
    """Salted hash of an acceptable password in werkzeug's format, by PASSWORD_HASH_METHOD (scrypt)."""
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    with _HASHING:
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


def audit_user(
    session: Session, by: str, action: str, username: str, field: str | None, old: str | None, new: str | None
) -> None:
    """Add an audit entry about a user account (sign-ins included) to the caller's transaction."""
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
    password_hash = hash_password(password, username)
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
        audit_user(session, by, "create-user", username, "role", None, role)
        if members:
            audit_user(session, by, "create-user", username, "members", None, ",".join(sorted(members)))


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
            audit_user(session, by, "set-role", username, "role", user.role, role)
            user.role = role
        if members is not None:
            old = ",".join(m.code for m in user.members)
            user.members = _members(session, members)
            new = ",".join(sorted(m.code for m in user.members))
            if old != new:
                audit_user(session, by, "set-role", username, "members", old, new)


DIGESTS = ("off", "daily", "weekly")
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def set_digest(engine: Engine, *, username: str, frequency: str, email: str | None = None, by: str = "cli") -> None:
    """Set a user's e-mail digest (off, daily or weekly) and, when given, their e-mail address."""
    if frequency not in DIGESTS:
        raise AccountError(f"The digest is one of {', '.join(DIGESTS)}, not '{frequency[:20]}'.")
    if email is not None:
        email = email.strip()
        if len(email) > 254 or not EMAIL.match(email):
            raise AccountError(f"'{email[:60]}' is not an e-mail address like name@example.org.")
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise AccountError(f"No user named '{username}'.")
        if email is not None and email != user.email:
            audit_user(session, by, "set-digest", username, "email", user.email, email)
            user.email = email
        if frequency != "off" and not user.email:
            raise AccountError(f"'{username}' has no e-mail address: give one to send a {frequency} digest to.")
        if frequency != user.digest:
            audit_user(session, by, "set-digest", username, "digest", user.digest, frequency)
            user.digest = frequency


def digest_of(engine: Engine, username: str) -> tuple[str | None, str]:
    """(e-mail address, digest frequency) of a user; (None, 'off') when there is no such user."""
    with Session(engine) as session:
        row = session.execute(select(User.email, User.digest).where(User.username == username)).first()
    return (row[0], row[1]) if row else (None, "off")


def revoke_sessions(session: Session, user_id: int, why: str) -> int:
    """End every open session of a user in the caller's transaction; how many were open."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ended = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_why=why)
    )
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"No user named '{username}'.")
    return user


def deactivate_user(engine: Engine, *, username: str, by: str = "cli") -> int:
    """Deactivate a user (they can no longer sign in) and end their sessions at once; how many were ended."""
    with session_scope(engine) as session:
        user = _user(session, username)
        if user.active:
            user.active = False
            audit_user(session, by, "deactivate-user", username, "active", "true", "false")
        return revoke_sessions(session, user.id, "deactivated")


def reset_password(engine: Engine, *, username: str, password: str, by: str = "cli") -> int:
    """Set a new password (checked like any other) and end the user's sessions; how many were ended."""
    password_hash = hash_password(password, username)
    with session_scope(engine) as session:
        user = _user(session, username)
        user.password_hash = password_hash
        audit_user(session, by, "reset-password", username, "password", None, None)  # never the password
        return revoke_sessions(session, user.id, "password-reset")


def authenticate(engine: Engine, username: str, password: str) -> Actor | None:
    """The actor for a correct username and password of an active user, else None."""
    with session_scope(engine) as session:
        user = session.scalar(select(User).options(selectinload(User.members)).where(User.username == username))
        if user is None or not user.active:
            _verify(_dummy_hash(), password)
            return None
        if not _verify(user.password_hash, password):
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
