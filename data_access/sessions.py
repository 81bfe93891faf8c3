"""Signed-in sessions kept server-side, so they can be ended: sign-out, deactivation and a password reset revoke
the row, and a cookie naming a revoked, expired or unknown session reads as anonymous.

The cookie carries a random session id (signed by Flask); the database keeps only its SHA-256, so a copy of the
database does not give anyone a session. Sign-ins, sign-outs and failed attempts are in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.roles import Actor
from data_access.accounts import audit_user
from data_access.db import session_scope
from data_access.models import User, UserSession

MAX_AUDITED_NAME = 40  # an attempted username is stored cut to the audit column's width


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(engine: Engine, username: str, *, hours: int, address: str | None) -> str:
    """Open a session for a user who has just proved their password; the new session id (for the cookie)."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise LookupError(f"no active user named {username!r}")
        session.add(
            UserSession(
                id=_digest(session_id),
                user_id=user.id,
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours),
                address=(address or "")[:64] or None,
            )
        )
        audit_user(session, username, "sign-in", username, None, None, address)
    return session_id


def session_actor(engine: Engine, session_id: str) -> Actor | None:
    """The actor of an open session (not revoked, not expired, user active), read afresh on every request so
    a role change or a revocation applies at once; None otherwise."""
    if not session_id or len(session_id) > 100:
        return None
    stmt = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .options(selectinload(User.members))
        .where(
            UserSession.id == _digest(session_id),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > _now(),
            User.active.is_(True),
        )
    )
    with Session(engine) as session:
        user = session.scalar(stmt)
        if user is None:
            return None
        return Actor(user.username, user.role, frozenset(m.code for m in user.members))


def end_session(engine: Engine, session_id: str, *, address: str | None) -> bool:
    """Revoke one session (sign-out); True when it was open."""
    with session_scope(engine) as session:
        row = session.get(UserSession, _digest(session_id))
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at, row.revoked_why = _now(), "sign-out"
        username = session.scalar(select(User.username).where(User.id == row.user_id)) or "?"
        audit_user(session, username, "sign-out", username, None, None, address)
        return True


def record_failed_sign_in(engine: Engine, attempted: str, *, address: str | None, why: str) -> None:
    """Note a refused sign-in (wrong password, unknown or deactivated user, throttled) in the audit trail."""
    name = attempted[:MAX_AUDITED_NAME] or "(empty)"
    with session_scope(engine) as session:
        audit_user(session, name, "sign-in-failed", name, "reason", None, f"{why} from {address or 'unknown'}")


def revoke_all_sessions(session: Session, why: str) -> int:
    """End every open session (after a restore, say); how many were open."""
    ended = session.execute(
        update(UserSession).where(UserSession.revoked_at.is_(None)).values(revoked_at=_now(), revoked_why=why)
    )
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]
