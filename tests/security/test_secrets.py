"""No default secret: outside debug the app refuses a missing, short or well-known SECRET_KEY and says how to
set one; a local server makes its own random key once in instance/ and reuses it; a cookie forged with the old
development key signs nobody in."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from dashboard.factory import create_app
from dashboard.settings import (
    DEVELOPMENT_KEYS,
    ROOT,
    ConfigurationError,
    Settings,
    instance_secret_key,
)
from data_access.accounts import create_user
from data_access.db import get_engine
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, sign_in, two_members


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "SECRET_KEY is not set"),
        ("dev-only-not-secret", "well-known development value"),
        ("Change-Me", "well-known development value"),
        ("short-but-random-8f3a", "21 characters long; at least 24"),
    ],
)
def test_sec001_outside_debug_a_missing_short_or_known_key_refuses_to_start(db_url, key, reason):
    with pytest.raises(ConfigurationError) as refused:
        create_app(Settings(secret_key=key, database_url=db_url))
    message = str(refused.value)
    assert message.startswith("Refusing to start: ") and reason in message
    assert "export SECRET_KEY=" in message and "instance/secret_key" in message  # says how to set one


def test_sec002_debug_without_a_key_serves_with_a_random_one(db_url):
    first = create_app(Settings(database_url=db_url, debug=True)).server.secret_key
    second = create_app(Settings(database_url=db_url, debug=True)).server.secret_key
    assert first and second and first != second
    assert first not in DEVELOPMENT_KEYS and len(first) >= 48


def test_sec003_instance_key_is_made_once_owner_only_and_reused(tmp_path):
    folder = tmp_path / "instance"
    key = instance_secret_key(folder)
    path = folder / "secret_key"
    assert len(key) >= 48 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert instance_secret_key(folder) == key  # reused: sessions survive a restart
    assert instance_secret_key(tmp_path / "elsewhere") != key  # random, not derived


def test_sec004_an_unusable_instance_key_is_refused_with_the_fix(tmp_path):
    (tmp_path / "secret_key").write_text("dev\n")
    with pytest.raises(ConfigurationError, match="delete the file to get a new one"):
        instance_secret_key(tmp_path)


def test_sec005_gunicorn_entry_point_refuses_to_import_without_a_key(tmp_path):
    """The production path (`gunicorn app:server` imports app.py) stops with the message, not a served app."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DASH_DEBUG"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'ogp.sqlite'}"
    done = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "Refusing to start: SECRET_KEY is not set" in done.stderr


def test_sec006_a_cookie_forged_with_the_old_development_key_signs_nobody_in(db_url):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, public_read=False))
    engine = get_engine(db_url)
    two_members(engine)
    create_user(engine, username="ada", password=PASSWORD, role="admin")
    client = app.server.test_client()
    sign_in(client, "ada")
    real = client.get_cookie("session").value
    session = SecureCookieSessionInterface().get_signing_serializer(app.server).loads(real)

    forger = app.server.test_client()
    forger.set_cookie("session", _signed_with("dev-only-not-secret", session))
    assert forger.get("/").status_code == 302  # to the sign-in page: the forged admin is nobody
    assert forger.get("/_dash-layout").status_code == 401


def _signed_with(key: str, session: dict) -> str:
    """A session cookie as Flask would sign it with `key`."""
    other = Flask("forger")
    other.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(other).dumps(dict(session))


def test_sec007_the_local_instance_folder_is_not_in_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(Path("instance") / "secret_key")], cwd=ROOT, capture_output=True
    )
    assert ignored.returncode == 0
