"""User accounts: scrypt hashes, authentication, refused requests, role changes with audit entries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dashboard.domain.roles import Actor
from data_access.accounts import AccountError, authenticate, create_user, load_actor, set_role
from data_access.db import session_scope
from data_access.models import AuditEntry, User
from tests.security import PASSWORD, two_members


@pytest.fixture
def members(engine):
    two_members(engine)
    return engine


def _user(engine, username: str) -> User | None:
    with Session(engine) as session:
        return session.scalar(select(User).where(User.username == username))


def _user_count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(User))


def _user_audit(engine, username: str) -> list[tuple]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
            .where(AuditEntry.entity == "user", AuditEntry.entity_id == username)
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]


@pytest.mark.real_password_hash
def test_acc001_password_is_stored_as_a_salted_scrypt_hash(engine):
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    create_user(engine, username="vik", password=PASSWORD, role="viewer")
    stored = _user(engine, "vera").password_hash
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored
    assert stored != _user(engine, "vik").password_hash  # same password, different salt


def test_acc002_right_password_gives_the_actor(members):
    create_user(members, username="sam", password=PASSWORD, role="support", members=["alb"])
    assert authenticate(members, "sam", PASSWORD) == Actor("sam", "support", frozenset({"ALB"}))
    assert _user(members, "sam").last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [("vera", "correct horse battery stapl"), ("vera", ""), ("nobody", PASSWORD), ("VERA", PASSWORD)],
    ids=["wrong-password", "empty-password", "unknown-user", "other-case"],
)
def test_acc003_wrong_credentials_give_none(engine, username, password):
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    assert authenticate(engine, username, password) is None


def test_acc004_inactive_user_cannot_sign_in_or_be_loaded(engine):
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    with session_scope(engine) as session:
        session.execute(update(User).where(User.username == "vera").values(active=False))
    assert authenticate(engine, "vera", PASSWORD) is None
    assert load_actor(engine, "vera") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"password": "short1234"}, "at least 12 characters"),
        ({"password": "x" * 201}, "at most 200 characters"),
        ({"role": "superuser"}, "Unknown role 'superuser'"),
        ({"role": "support", "members": ["ALB", "ZZZ"]}, "Unknown member code(s): ZZZ."),
        ({"username": "a"}, "A username is 2-80"),
        ({"username": "vera'; DROP TABLE app_user;--"}, "A username is 2-80"),
    ],
    ids=["short-password", "long-password", "unknown-role", "unknown-member", "short-username", "sql-username"],
)
def test_acc005_invalid_requests_are_refused_and_write_nothing(members, kwargs, message):
    values = {"username": "vera", "password": PASSWORD, "role": "viewer", **kwargs}
    with pytest.raises(AccountError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_user(members, **values)
    assert _user_count(members) == 0
    assert _user_audit(members, values["username"]) == []


def test_acc006_duplicate_username_is_refused(engine):
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    with pytest.raises(AccountError, match="A user named 'vera' already exists."):
        create_user(engine, username="vera", password="another password 123", role="admin")
    assert _user_count(engine) == 1
    assert authenticate(engine, "vera", PASSWORD).role == "viewer"


def test_acc007_set_role_changes_role_and_members_and_is_audited(members):
    create_user(members, username="sam", password=PASSWORD, role="viewer", by="ada")
    set_role(members, username="sam", role="support", members=["ARM", "alb"], by="ada")
    assert load_actor(members, "sam") == Actor("sam", "support", frozenset({"ALB", "ARM"}))
    set_role(members, username="sam", role="support", members=["ARM"], by="ada")
    set_role(members, username="sam", role="support", members=["ARM"], by="ada")  # no change: no entry
    assert _user_audit(members, "sam") == [
        ("ada", "create-user", "role", None, "viewer"),
        ("ada", "set-role", "role", "viewer", "support"),
        ("ada", "set-role", "members", "", "ALB,ARM"),
        ("ada", "set-role", "members", "ALB,ARM", "ARM"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "ghost", "role": "admin"}, "No user named 'ghost'."),
        ({"username": "sam", "role": "root"}, "Unknown role 'root'"),
        ({"username": "sam", "role": "support", "members": ["ZZZ"]}, "Unknown member code"),
    ],
    ids=["unknown-user", "unknown-role", "unknown-member"],
)
def test_acc008_set_role_refuses_bad_requests_and_changes_nothing(members, kwargs, message):
    create_user(members, username="sam", password=PASSWORD, role="viewer", by="ada")
    with pytest.raises(AccountError, match=message):
        set_role(members, by="ada", **kwargs)
    assert load_actor(members, "sam") == Actor("sam", "viewer", frozenset())
    assert len(_user_audit(members, "sam")) == 1


def test_acc009_load_actor_reflects_role_changes_at_once(members):
    create_user(members, username="sam", password=PASSWORD, role="support", members=["ALB"])
    signed_in = authenticate(members, "sam", PASSWORD)
    assert signed_in.role == "support"
    set_role(members, username="sam", role="irm", members=[])
    assert load_actor(members, "sam") == Actor("sam", "irm", frozenset())
    assert load_actor(members, "nobody") is None
