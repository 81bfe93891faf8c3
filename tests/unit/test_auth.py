"""Sign-in and sign-out over HTTP: CSRF, wrong passwords, cookie flags, safe redirects, role changes at once."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from dashboard.factory import create_app
from dashboard.settings import Settings
from data_access.accounts import create_user, set_role
from data_access.db import get_engine, session_scope
from data_access.models import User
from data_access.sessions import session_actor
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, csrf_token, sign_in, two_members


def private_app(db_url: str, **settings):
    """An app with PUBLIC_READ=false and one viewer, 'vera'."""
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, public_read=False, **settings))
    create_user(get_engine(db_url), username="vera", password=PASSWORD, role="viewer")
    return app


@pytest.fixture
def client(db_url):
    return private_app(db_url).server.test_client()


def signed_in_user(client) -> str | None:
    """The username of the open server-side session the client's cookie names, or None."""
    with client.session_transaction() as session:
        session_id = session.get("_user_id")
    if not session_id:
        return None
    actor = session_actor(client.application.extensions["ogp_context"].engine, session_id)
    return actor.username if actor else None


def is_signed_in(client) -> bool:
    """A private page is served (200) rather than a redirect to the sign-in form."""
    return client.get("/").status_code == 200


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["missing", "empty", "wrong"])
def test_aut001_sign_in_without_the_csrf_token_is_refused(client, token):
    csrf_token(client)  # the session holds a real token; the form does not send it
    form = {"username": "vera", "password": PASSWORD, "next": "/"}
    if token is not None:
        form["csrf"] = token
    response = client.post("/login", data=form)
    assert response.status_code == 400
    assert "The form expired; please sign in again." in response.get_data(as_text=True)
    assert signed_in_user(client) is None
    assert not is_signed_in(client)


def test_aut002_csrf_token_of_another_session_is_refused(db_url):
    app = private_app(db_url)
    attacker, victim = app.server.test_client(), app.server.test_client()
    stolen = csrf_token(attacker)
    csrf_token(victim)
    response = victim.post("/login", data={"csrf": stolen, "username": "vera", "password": PASSWORD})
    assert response.status_code == 400
    assert signed_in_user(victim) is None


@pytest.mark.parametrize(
    ("username", "password"),
    [("vera", "wrong password 123"), ("nobody", PASSWORD), ("vera' OR '1'='1", "' OR '1'='1")],
    ids=["wrong-password", "unknown-user", "sql-fragments"],
)
def test_aut003_wrong_credentials_get_401_with_one_message(client, username, password):
    response = sign_in(client, username, password)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "Wrong username or password." in body
    assert "Traceback" not in body
    assert signed_in_user(client) is None


def test_aut004_sign_in_sets_an_httponly_lax_session_cookie_and_redirects(client):
    response = sign_in(client, "vera", next_path="/commitments?member=ALB")
    assert response.status_code == 302
    assert response.headers["Location"] == "/commitments?member=ALB"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert signed_in_user(client) == "vera"
    assert is_signed_in(client)


def test_aut005_secure_cookies_setting_marks_the_cookie_secure(db_url):
    client = private_app(db_url, secure_cookies=True).server.test_client()
    response = sign_in(client, "vera")
    cookie = response.headers["Set-Cookie"]
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie


FOREIGN_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/commitments",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: x=1",
    "/\uff0f/evil.example",
]


@pytest.mark.parametrize("target", FOREIGN_TARGETS, ids=repr)
def test_aut006_sign_in_redirects_only_to_local_paths(client, target):
    response = sign_in(client, "vera", next_path=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    # Browsers drop tabs and newlines in URLs, so judge the location as a browser would read it.
    seen = "".join(ch for ch in location if ch not in "\t\n\r")
    assert seen.startswith("/") and not seen.startswith("//") and "\\" not in seen
    assert "evil.example" not in seen or seen.startswith("/%")


def test_aut007_sign_in_form_carries_only_a_local_next(client):
    page = client.get("/login?next=https://evil.example").get_data(as_text=True)
    assert 'name="next" value="/"' in page
    page = client.get('/login?next=/commitments"><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_aut008_sign_out_needs_a_post_with_the_csrf_token(client):
    sign_in(client, "vera")
    client.get("/logout")  # a link or an <img> cannot sign anyone out
    assert is_signed_in(client)
    assert client.post("/logout").status_code == 302
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 302
    assert is_signed_in(client)  # a forged sign-out does nothing
    response = client.post("/logout", data={"csrf": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user(client) is None
    assert not is_signed_in(client)


def test_aut009_deactivating_a_user_ends_their_open_session_at_once(db_url):
    client = private_app(db_url).server.test_client()
    sign_in(client, "vera")
    assert is_signed_in(client)
    with session_scope(get_engine(db_url)) as session:
        session.execute(update(User).where(User.username == "vera").values(active=False))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_aut010_a_role_change_applies_to_the_open_session_at_once(db_url):
    app = private_app(db_url)
    client = app.server.test_client()
    sign_in(client, "vera")
    set_role(get_engine(db_url), username="vera", role="irm", by="ada")
    with app.server.test_request_context():
        from dashboard.web.auth import current_actor

        assert current_actor().role is None  # outside a signed-in request: anonymous
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "vera (irm)" in layout


def test_aut050_a_support_user_lands_on_their_members_and_others_where_they_were(db_url):
    app = private_app(db_url)
    engine = get_engine(db_url)
    two_members(engine)
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=["ARM", "ALB"])
    support = app.server.test_client()
    assert sign_in(support, "sofia").headers["Location"] == "/?member=ALB&member=ARM"
    # From any other page, back to that page; the preset is only the overview's.
    elsewhere = app.server.test_client()
    assert sign_in(elsewhere, "sofia", next_path="/delays?region=Europe").headers["Location"] == "/delays?region=Europe"
    viewer = app.server.test_client()
    assert sign_in(viewer, "vera").headers["Location"] == "/"
