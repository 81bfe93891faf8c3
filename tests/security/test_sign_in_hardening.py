"""Sign-in and sessions under attack: throttled guessing (per account, per address), passwords that resist the
first guesses, sign-ins in the audit trail, sessions that sign-out, deactivation and a password reset end at
once, exports throttled, a clear answer when the database is down, and the HTTP headers of a hardened site."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from callbacks import exports
from dashboard.cli import cli
from dashboard.domain.passwords import password_problem
from dashboard.factory import create_app
from dashboard.settings import Settings
from dashboard.web.auth import DATABASE_DOWN, TOO_MANY
from data_access import db
from data_access.accounts import create_user
from data_access.db import get_engine
from data_access.models import AuditEntry, UserSession
from tests.helpers import TEST_SECRET, lock_held
from tests.security import PASSWORD, csrf_token, sign_in, two_members
from tests.security.test_forged_callbacks import callback_body, downloaded, export_body

NEW_PASSWORD = "a brand new long passphrase"


def make_app(db_url: str, **settings):
    settings.setdefault("public_read", False)
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, **settings))
    engine = get_engine(db_url)
    two_members(engine)
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=["ALB"])
    return app


@pytest.fixture
def app(db_url):
    return make_app(db_url)


def _client(app, address: str = "10.0.0.1"):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _audit(db_url: str) -> list[tuple[str, str]]:
    with get_engine(db_url).connect() as conn:
        rows = conn.execute(select(AuditEntry.action, AuditEntry.entity_id).order_by(AuditEntry.id)).all()
    return [(action, who) for action, who in rows if action.startswith("sign-")]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "at least 5 different characters"),
        ("password1234", "common passwords"),
        ("iloveyou2024!", "common passwords"),
        ("sofia-is-my-password", "may not contain the username"),
    ],
)
def test_pwd001_weak_passwords_are_refused_in_words(password, problem):
    assert problem in (password_problem(password, "sofia") or "")


def test_pwd002_a_long_uncommon_passphrase_is_accepted():
    assert password_problem(NEW_PASSWORD, "sofia") is None
    assert password_problem(PASSWORD, "vera") is None


def test_thr001_five_wrong_passwords_lock_the_account_for_every_address(app):
    guesser = _client(app, "10.0.0.1")
    token = csrf_token(guesser)
    for guess in range(5):  # one CSRF token for every guess, as the attacker did
        response = guesser.post("/login", data={"csrf": token, "username": "vera", "password": f"guess {guess}"})
        assert response.status_code == 401
    locked = guesser.post("/login", data={"csrf": token, "username": "Vera", "password": PASSWORD})
    assert locked.status_code == 429 and TOO_MANY in locked.get_data(as_text=True)
    elsewhere = _client(app, "10.9.9.9")
    assert sign_in(elsewhere, "vera").status_code == 429  # the lock is on the account, not the address
    assert sign_in(elsewhere, "sofia").status_code == 302  # other accounts sign in


def test_thr002_ten_failures_from_one_address_block_that_address_only(app, db_url):
    guesser = _client(app, "10.0.0.2")
    token = csrf_token(guesser)
    for guess in range(10):  # two wrong passwords on each of five names: no account reaches its limit
        name = f"user{guess % 5}"
        assert guesser.post("/login", data={"csrf": token, "username": name, "password": "x"}).status_code == 401
    assert sign_in(guesser, "sofia").status_code == 429
    assert sign_in(_client(app, "10.0.0.3"), "sofia").status_code == 302


def test_aud001_sign_in_sign_out_and_failures_are_in_the_audit_trail(app, db_url):
    client = _client(app)
    assert sign_in(client, "vera", "not the password").status_code == 401
    assert sign_in(client, "nobody", "not the password").status_code == 401
    assert sign_in(client, "vera").status_code == 302
    client.post("/logout", data={"csrf": csrf_token(client)})
    assert _audit(db_url) == [
        ("sign-in-failed", "vera"),
        ("sign-in-failed", "nobody"),
        ("sign-in", "vera"),
        ("sign-out", "vera"),
    ]


def test_ses001_after_sign_out_the_old_cookie_reads_as_anonymous_and_cannot_write(app):
    client = _client(app)
    assert sign_in(client, "sofia").status_code == 302
    old_cookie = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf": csrf_token(client)})
    replay = _client(app, "10.0.0.66")
    replay.set_cookie("session", old_cookie)
    assert replay.get("/").status_code == 302  # private dashboard: back to the sign-in form
    assert replay.post("/_dash-update-component", json={"output": "record-alert.children"}).status_code == 401


@pytest.mark.parametrize("command", ["deactivate-user", "reset-password"])
def test_ses002_deactivation_and_password_reset_end_open_sessions_at_once(app, db_url, command):
    client = _client(app)
    assert sign_in(client, "sofia").status_code == 302
    assert client.get("/").status_code == 200
    done = CliRunner().invoke(
        cli,
        [command, "sofia", "--database-url", db_url, *(["--password-stdin"] if "reset" in command else [])],
        input=NEW_PASSWORD + "\n",
    )
    assert done.exit_code == 0, done.output
    assert "1 open session(s) ended" in done.output
    assert client.get("/").status_code == 302
    with get_engine(db_url).connect() as conn:
        assert conn.scalar(select(UserSession.revoked_why)) == (
            "deactivated" if "deactivate" in command else "password-reset"
        )
    again = sign_in(_client(app, "10.0.0.7"), "sofia", NEW_PASSWORD)
    assert again.status_code == (401 if "deactivate" in command else 302)


def test_ses003_reset_password_refuses_a_weak_one_and_keeps_the_old(app, db_url):
    done = CliRunner().invoke(
        cli, ["reset-password", "sofia", "--password-stdin", "--database-url", db_url], input="password1234\n"
    )
    assert done.exit_code == 1 and "common passwords" in done.output
    assert sign_in(_client(app), "sofia").status_code == 302


def test_thr003_exports_are_throttled_per_session_with_a_message(db_url):
    app = make_app(db_url)
    client = _client(app)
    sign_in(client, "vera")
    replies = [
        client.post("/_dash-update-component", data=json.dumps(export_body(app)), content_type="application/json")
        for _ in range(11)
    ]
    assert all(downloaded(reply) for reply in replies[:10])
    assert downloaded(replies[10]) is None
    assert "Too many downloads (at most 10 a minute)" in replies[10].get_data(as_text=True)
    other = _client(app, "10.0.0.8")
    sign_in(other, "sofia")
    fresh = other.post("/_dash-update-component", data=json.dumps(export_body(app)), content_type="application/json")
    assert downloaded(fresh)  # another session has its own budget


def test_db001_sign_in_while_the_database_is_down_says_so(db_url):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=url, public_read=False))
    client = _client(app)
    response = sign_in(client, "vera")
    assert response.status_code == 503
    assert DATABASE_DOWN in response.get_data(as_text=True)


@pytest.mark.parametrize("secure", [False, True])
def test_http001_permissions_policy_always_and_hsts_over_https(db_url, secure):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, secure_cookies=secure))
    response = app.server.test_client().get("/login")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert ("Strict-Transport-Security" in response.headers) is secure
    if secure:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_db002_while_the_database_is_down_every_page_shows_the_banner_and_healthz_says_why(db_url):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=url))  # the view cache is on
    client = _client(app)
    assert client.get("/").status_code == 200 and client.get("/_dash-layout").status_code == 200
    for path in ("/", "/commitments", "/delays", "/countries/ALB"):
        body = callback_body(app, "page-content.children", values={"url.pathname": path, "url.search": ""})
        reply = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        assert reply.status_code == 200, path
        assert "db-error" in reply.get_data(as_text=True) and "X-View-Cache" not in reply.headers, path
    health = client.get("/healthz")
    assert (
        health.status_code == 503 and health.json["database"] == "unreachable" and health.json["cache"] == "in-process"
    )


def test_db003_a_locked_table_gives_a_prompt_banner_and_an_honest_health_check(db_url, monkeypatch):
    """Someone holds an exclusive lock on the commitments (a long migration, a stuck import): pages answer with
    the banner within the lock timeout instead of hanging, and /healthz says the database is timing out."""
    monkeypatch.setattr(db, "LOCK_TIMEOUT_MS", 500)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 500)
    db.dispose_engines()  # new engines and connections take the short wait
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url))
    two_members(get_engine(db_url))
    client = _client(app)
    body = callback_body(app, "page-content.children", values={"url.pathname": "/commitments", "url.search": ""})
    fresh = {**body, "inputs": body["inputs"]}  # rendered once first: today's statuses are stored before the lock
    assert (
        client.post("/_dash-update-component", data=json.dumps(fresh), content_type="application/json").status_code
        == 200
    )
    app.server.extensions["ogp_context"].cache.clear()
    # In WAL mode SQLite readers go on beside an exclusive writer; PostgreSQL's ACCESS EXCLUSIVE blocks reads too.
    held = lock_held(db_url, sqlite="BEGIN EXCLUSIVE", postgresql="LOCK TABLE commitment IN ACCESS EXCLUSIVE MODE")
    with held:
        started = time.monotonic()
        page = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        health = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert page.status_code == 200 and health.json["cache"] == "in-process"
    if db_url.startswith("sqlite"):
        assert "db-error" not in page.get_data(as_text=True) and health.status_code == 200
    else:
        assert "db-error" in page.get_data(as_text=True)  # the banner, not a hung request
        assert health.status_code == 503 and health.json["database"] == "timeout"
        assert elapsed < 8, elapsed  # 0.5 s lock wait for the page, 2 s for the health check


def test_thr004_a_download_asked_while_another_is_built_is_answered_at_once(db_url):
    app = make_app(db_url, public_read=True)
    client = _client(app)
    body = json.dumps(export_body(app))
    with exports._BUILDING:  # another download is being built in this worker
        started = time.monotonic()
        busy = client.post("/_dash-update-component", data=body, content_type="application/json")
        waited = time.monotonic() - started
    assert downloaded(busy) is None and exports.BUSY in busy.get_data(as_text=True)
    assert waited < 5  # answered, not queued behind the other download
    assert downloaded(client.post("/_dash-update-component", data=body, content_type="application/json"))
