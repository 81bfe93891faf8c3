"""Security headers on every response, session lifetime, the PUBLIC_READ gate, debug off, request size limit."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from email.utils import parsedate_to_datetime
from types import SimpleNamespace

import pytest
from itsdangerous.timed import TimestampSigner

from dashboard.factory import create_app
from dashboard.settings import Settings
from dashboard.web import auth
from data_access.accounts import create_user
from data_access.db import get_engine
from tests.builders import page_request
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, csrf_token, sign_in, two_members

ONE_MB = 1_000_000


def make_app(db_url: str, **settings):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, **settings))
    engine = get_engine(db_url)
    two_members(engine)
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    return app


@pytest.fixture
def private(db_url):
    return make_app(db_url, public_read=False)


def assert_hardened(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, response
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"


def test_hdr001_every_kind_of_response_carries_the_security_headers(private):
    client = private.server.test_client()
    responses = [
        client.get("/"),  # redirect to sign in
        client.get("/login"),
        client.post("/login", data={}),  # 400
        client.get("/assets/app.css"),
        client.get("/healthz"),
        client.get("/_dash-layout"),  # 401
        client.post("/_dash-update-component", json={}),  # 401
        client.post("/login", data={"password": "x" * (ONE_MB + 1)}),  # 413
        client.put("/login"),  # 405
        client.get("/assets/no-such-file.css"),  # 404
    ]
    assert [r.status_code for r in responses] == [302, 200, 400, 200, 200, 401, 401, 413, 405, 404]
    sign_in(client, "vera")
    responses = [client.get("/"), client.get("/_dash-layout"), client.get("/_dash-dependencies")]
    assert [r.status_code for r in responses] == [200, 200, 200]
    for response in responses:
        assert_hardened(response)


def test_hdr002_csp_allows_no_inline_or_remote_script(private):
    csp = private.server.test_client().get("/login").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    sources = directives["script-src"].split()
    assert sources[0] == "'self'"
    assert all(re.fullmatch(r"'sha256-[A-Za-z0-9+/=]+'", s) for s in sources[1:])
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in csp
    assert "http" not in csp and "*" not in csp


def test_ses001_session_cookie_expires_after_session_hours(db_url):
    client = make_app(db_url, public_read=False, session_hours=1).server.test_client()
    response = sign_in(client, "vera")
    expires = re.search(r"Expires=([^;]+)", response.headers["Set-Cookie"]).group(1)
    lifetime = parsedate_to_datetime(expires) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=59) < lifetime <= dt.timedelta(hours=1)


class Clock:
    """Moves both clocks a session depends on: the cookie signature's and the sign-in time's."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.offset = 0
        real_stamp, real_time = TimestampSigner.get_timestamp, time.time
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: real_stamp(signer) + self.offset)
        monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: real_time() + self.offset))

    def minutes_later(self, minutes: int) -> None:
        self.offset = minutes * 60


def test_ses002_an_idle_session_ends_after_session_hours(db_url, monkeypatch):
    clock = Clock(monkeypatch)
    client = make_app(db_url, public_read=False, session_hours=1).server.test_client()
    sign_in(client, "vera")
    assert client.get("/").status_code == 200
    clock.minutes_later(61)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_ses003_a_busy_session_still_ends_session_hours_after_sign_in(db_url, monkeypatch):
    """Each request re-issues the cookie; the sign-in time, not the last request, decides when it ends."""
    clock = Clock(monkeypatch)
    client = make_app(db_url, public_read=False, session_hours=1).server.test_client()
    sign_in(client, "vera")
    for minutes in (20, 40, 59):
        clock.minutes_later(minutes)
        assert client.get("/").status_code == 200, minutes
    clock.minutes_later(61)
    assert client.get("/").status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_ses004_session_signed_with_another_secret_is_ignored(db_url):
    client = make_app(db_url, public_read=False).server.test_client()
    sign_in(client, "vera")
    other = create_app(Settings(secret_key="another-secret-" + TEST_SECRET, database_url=db_url, public_read=False))
    cookie = client.get_cookie("session").value
    stranger = other.server.test_client()
    stranger.set_cookie("session", cookie)
    assert stranger.get("/").status_code == 302


def test_gate001_private_dashboard_refuses_anonymous_reads(private):
    client = private.server.test_client()
    page = client.get("/commitments/AL0001?member=ALB")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=%2Fcommitments%2FAL0001%3Fmember%3DALB"  # filters kept
    for path in ("/_dash-layout", "/_dash-dependencies"):
        response = client.get(path)
        assert response.status_code == 401 and response.json == {"error": "Sign in to use the dashboard."}
    callback = client.post("/_dash-update-component", json={"output": "page-content.children", "inputs": []})
    assert callback.status_code == 401
    assert b"Open budgets" not in callback.data


def test_gate002_only_the_exact_open_paths_and_static_folders_skip_the_gate(private):
    client = private.server.test_client()
    assert client.get("/assets/app.css").status_code == 200
    assert client.get("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    for near_miss in ("/loginx", "/login-page/commitments", "/healthz-all", "/logout/x", "/assets"):
        assert client.get(near_miss).status_code == 302, near_miss


@pytest.mark.parametrize("path", ["/%0a", "/%0d%0aSet-Cookie:%20x=1", "/a&b<c>", "/%09/evil.example"], ids=repr)
def test_gate003_odd_paths_redirect_to_sign_in_with_a_quoted_next(private, path):
    response = private.server.test_client().get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=%2F")
    assert re.fullmatch(r"next=[A-Za-z0-9%._~+-]*", location.split("?", 1)[1])
    assert not any(cookie.startswith("x=") for cookie in response.headers.getlist("Set-Cookie"))


def test_gate004_signed_in_viewer_reads_everything(private):
    client = private.server.test_client()
    sign_in(client, "vera")
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    body = page_request("/commitments/AL0001")
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200 and "Open budgets" in response.get_data(as_text=True)


def test_gate005_public_dashboard_reads_without_an_account(db_url):
    client = make_app(db_url).server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200


def test_dbg001_debug_and_dev_tools_are_off_by_default(db_url):
    assert Settings.from_env({}).debug is False
    app = make_app(db_url)
    assert app.server.debug is False
    page = app.server.test_client().get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page).group(1))
    assert config["ui"] is False and config["props_check"] is False
    assert "hot_reload" not in config


@pytest.mark.parametrize("public_read", [True, False], ids=["public", "private"])
def test_big001_request_bodies_over_1_mb_get_413_not_500(db_url, public_read):
    client = make_app(db_url, public_read=public_read).server.test_client()
    if not public_read:
        assert client.post("/_dash-update-component", data=b"x" * (ONE_MB + 1)).status_code == 401  # never read
        sign_in(client, "vera")
    token = csrf_token(client)
    big = b"[" + b"1," * (ONE_MB // 2) + b"1]"
    callback = client.post("/_dash-update-component", data=big, content_type="application/json")
    form = client.post("/login", data={"csrf": token, "username": "vera", "password": "x" * (ONE_MB + 10)})
    assert (callback.status_code, form.status_code) == (413, 413)
    assert b"Traceback" not in callback.data + form.data
    just_under = client.post(
        "/_dash-update-component", data=b'{"x": "' + b"a" * (ONE_MB - 100) + b'"}', content_type="application/json"
    )
    assert just_under.status_code == 400
