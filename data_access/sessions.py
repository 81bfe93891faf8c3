"""Signed-in sessions kept server-side, so they can be ended: sign-out, deactivation and a password reset revoke
the row, and a cookie naming a revoked, expired or unknown session reads as anonymous.

The cookie carries a random session id (signed by Flask); the database keeps only its SHA-256, so a copy of the
database does not give anyone a session. Sign-ins, sign-outs and failed attempts are in the audit trail.

An API token is the same thing for another program: a session of kind 'api', opened by an operator
(`python -m dashboard create-token`), sent as `Authorization: Bearer <token>`, labelled, valid for days rather
than hours, and ended the same ways (revoke-token, deactivation, password reset, restore). A session id is only
accepted as its own kind: a browser cookie is no token, a token no cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.roles import Actor
from data_access.accounts import audit_user
from data_access.db import session_scope
from data_access.models import User, UserSession

MAX_AUDITED_NAME = 40  # an attempted username is stored cut to the audit column's width
BROWSER, API = "browser", "api"  # the kinds of session (user_session.kind)
TOKEN_PREFIX = "ogp_"  # marks a token in logs and secret scanners
TOKEN_ID_LENGTH = 12  # hex digits of the token's digest that name it in listings and revoke-token
MAX_TOKEN_DAYS = 3650
MAX_LABEL = 80


class TokenError(ValueError):
    """A token command that cannot be done, said in words (unknown user or token, bad label)."""


@dataclass(frozen=True)
class Token:
    """An API token as listings show it (never the token itself: only its digest is stored)."""

    token_id: str
    username: str
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_why: str | None

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked" if self.revoked_why in (None, "revoked") else f"revoked ({self.revoked_why})"
        return "expired" if self.expires_at <= now else "active"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def token_id(token: str) -> str:
    """How listings, logs and revoke-token name a token: the start of its digest (the token itself is secret)."""
    return _digest(token)[:TOKEN_ID_LENGTH]


def _open(session: Session, user: User, *, kind: str, hours: int, address: str | None, label: str | None) -> str:
    """Add an open session of `kind` for `user` to the caller's transaction; its new random id."""
    session_id = (TOKEN_PREFIX if kind == API else "") + secrets.token_urlsafe(32)
    now = _now()
    session.add(
        UserSession(
            id=_digest(session_id),
            user_id=user.id,
            kind=kind,
            label=label,
            created_at=now,
            expires_at=now + dt.timedelta(hours=hours),
            address=(address or "")[:64] or None,
        )
    )
    return session_id


def start_session(engine: Engine, username: str, *, hours: int, address: str | None) -> str:
    """Open a session for a user who has just proved their password; the new session id (for the cookie)."""
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise LookupError(f"no active user named {username!r}")
        session_id = _open(session, user, kind=BROWSER, hours=hours, address=address, label=None)
        audit_user(session, username, "sign-in", username, None, None, address)
    return session_id


def session_actor(engine: Engine, session_id: str, kind: str = BROWSER) -> Actor | None:
    """The actor of an open session of `kind` (not revoked, not expired, user active), read afresh on every
    request so a role change or a revocation applies at once; None otherwise."""
    if not session_id or len(session_id) > 100:
        return None
    stmt = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .options(selectinload(User.members))
        .where(
            UserSession.id == _digest(session_id),
            UserSession.kind == kind,
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
        if row is None or row.kind != BROWSER or row.revoked_at is not None:
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


def create_token(engine: Engine, username: str, *, label: str, days: int, by: str) -> tuple[str, Token]:
    """Open an API token for an active user: the token (shown once, never stored) and how listings show it."""
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL:
        raise TokenError(f"A token needs a label of 1 to {MAX_LABEL} characters saying what it is for.")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise TokenError(f"A token lasts 1 to {MAX_TOKEN_DAYS} days, not {days}.")
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise TokenError(f"No active user named '{username}'.")
        token = _open(session, user, kind=API, hours=24 * days, address=None, label=label)
        audit_user(session, by, "token-created", username, "token", None, f"{token_id(token)} {label}")
        row = session.get(UserSession, _digest(token))
        assert row is not None
        return token, _token(row, username)


def _token(row: UserSession, username: str) -> Token:
    return Token(
        row.id[:TOKEN_ID_LENGTH],
        username,
        row.label or "",
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.revoked_why,
    )


def list_tokens(engine: Engine, username: str | None = None) -> list[Token]:
    """Every API token (of one user when named), newest first, revoked and expired ones included."""
    stmt = (
        select(UserSession, User.username)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.kind == API)
        .order_by(UserSession.created_at.desc(), UserSession.id)
    )
    if username is not None:
        stmt = stmt.where(User.username == username)
    with Session(engine) as session:
        return [_token(row, name) for row, name in session.execute(stmt)]


def revoke_token(engine: Engine, token_id: str, *, by: str) -> Token:
    """Revoke the API token that `token_id` (from create-token or list-tokens) names; it stops at once."""
    token_id = token_id.strip().lower()
    if len(token_id) != TOKEN_ID_LENGTH or any(c not in "0123456789abcdef" for c in token_id):
        raise TokenError(f"A token id is {TOKEN_ID_LENGTH} hexadecimal digits, as list-tokens shows it.")
    with session_scope(engine) as session:
        found = session.execute(
            select(UserSession, User.username)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.kind == API, UserSession.id.startswith(token_id))
        ).all()
        if not found:
            raise TokenError(f"No API token with id {token_id}.")
        row, username = found[0]  # 12 hex digits of a SHA-256: a second match is not to be expected
        if row.revoked_at is None:
            row.revoked_at, row.revoked_why = _now(), "revoked"
            audit_user(session, by, "token-revoked", username, "token", token_id, None)
        return _token(row, username)
