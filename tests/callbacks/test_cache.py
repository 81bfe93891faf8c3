"""The view cache: per role and scope, invalidated by the data version, on Redis and in-process."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from sqlalchemy import event

from dashboard.domain.roles import Actor
from dashboard.factory import create_app
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from data_access.accounts import create_user
from data_access.db import get_engine
from data_access.recording import add_progress_report
from tests.builders import build
from tests.helpers import TEST_SECRET
from tests.security import PASSWORD, sign_in, two_members
from tests.security.test_forged_callbacks import callback_body

REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["local"] + (["redis"] if REDIS_URL else [])


@pytest.fixture(params=BACKENDS)
def app(request, db_url):
    engine = get_engine(db_url)
    two_members(engine)
    create_user(engine, username="ines", password=PASSWORD, role="irm")
    create_user(engine, username="vera", password=PASSWORD, role="viewer")
    create_user(engine, username="sofia", password=PASSWORD, role="support", members=["ALB"])
    # The namespace is the database's (per xdist worker, so workers never clear each other's entries);
    # a reused PostgreSQL database keeps its name, so entries an earlier test left are dropped first.
    redis_url = REDIS_URL if request.param == "redis" else None
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, redis_url=redis_url, today="2023-06-01"))
    app.server.extensions["ogp_context"].cache.clear()
    app.server.extensions["ogp_context"].limiter.reset()  # sign-in counters of earlier tests on this database
    yield app
    app.server.extensions["ogp_context"].cache.clear()


def render(client, app, path: str, search: str = "") -> str:
    body = callback_body(app, "page-content.children", values={"url.pathname": path, "url.search": search})
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kpi(response: str, component_id: str) -> str:
    """The text of a KPI value in a rendered page response."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == component_id:
                found.append(node["props"]["children"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(response))
    assert len(found) == 1, component_id
    return found[0]


def client_for(app, username: str | None):
    client = app.server.test_client()
    if username:
        assert sign_in(client, username).status_code == 302
    return client


def test_cch001_one_role_never_receives_another_roles_cached_page(app):
    irm_view = render(client_for(app, "ines"), app, "/commitments/AL0001")
    assert "record-tabs" in irm_view  # the IRM researcher may record: the forms are there
    for username in ("vera", None, "ines", "sofia", "vera"):
        view = render(client_for(app, username), app, "/commitments/AL0001")
        assert ("record-tabs" in view) == (username in ("ines", "sofia")), username


def test_cch002b_a_user_never_receives_another_users_cached_page(app, db_url):
    """Two support users of the same member: the second is greeted by their own name, not the first's."""
    create_user(get_engine(db_url), username="sara", password=PASSWORD, role="support", members=["ALB"])
    first = render(client_for(app, "sofia"), app, "/commitments/AL0001")
    second = render(client_for(app, "sara"), app, "/commitments/AL0001")
    assert "sofia" in first and "sara" not in first
    assert "sara" in second and "sofia" not in second


def test_cch002_support_scope_is_part_of_the_key(app, db_url):
    create_user(get_engine(db_url), username="sam", password=PASSWORD, role="support", members=["ARM"])
    assert "record-tabs" in render(client_for(app, "sofia"), app, "/commitments/AL0001")
    assert "record-tabs" not in render(client_for(app, "sam"), app, "/commitments/AL0001")


def test_cch003_a_write_changes_the_data_version_and_the_view(app, db_url):
    client = client_for(app, None)
    before = render(client, app, "/commitments/AL0001")
    note = f"evidence {uuid.uuid4().hex[:8]}"
    engine = get_engine(db_url)
    version = engine.connect().exec_driver_sql("SELECT version FROM commitment WHERE ogp_id = 'AL0001'").scalar()
    add_progress_report(
        engine,
        Actor("ines", "irm"),
        ogp_id="AL0001",
        expected_version=version,
        fields={"as_of": "2023-05-01", "source": "government", "completion": "Limited", "note": note},
        today=__import__("datetime").date(2023, 6, 1),
    )
    assert note not in before
    assert note in render(client, app, "/commitments/AL0001")


def test_cch004_a_repeated_view_is_served_from_the_cache(app, db_url):
    engine = get_engine(db_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    client = client_for(app, None)
    first = render(client, app, "/")
    cold = len(statements)
    statements.clear()
    second = render(client, app, "/")
    assert kpi(first, "kpi-commitments") == kpi(second, "kpi-commitments") == "3"
    assert len(statements) == 1 and "app_meta" in statements[0]  # only the data version is read
    assert cold > 5
    build(engine, [{"code": "KEN", "name": "Kenya", "region": "Africa and the Middle East"}])  # bumps the version
    statements.clear()
    third = render(client, app, "/")
    assert len(statements) > 5  # a new data version renders afresh
    assert kpi(third, "kpi-members") == "2"  # Kenya has no commitments yet, so members stay 2


def test_cch005_only_read_only_views_are_cacheable(app):
    from dashboard.web.cache import is_cacheable

    assert is_cacheable(
        "..page-content.children...breadcrumbs.children...filter-alerts.children...data-badge.children...page-title.data.."
    )
    assert is_cacheable('{"type":"commitments-grid","view":"abc"}.getRowsResponse')
    writes = [key for key in app.callback_map if "record" in key]
    assert writes, "the recording callbacks are registered"
    assert not any(is_cacheable(key) for key in writes)
    assert not is_cacheable("url.search") and not is_cacheable("..url.href@abc..")


def test_cch006_an_error_banner_is_never_cached():
    from flask import Flask, g

    from callbacks.shell import render_page
    from dashboard.web.context import AppContext

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app_ctx = AppContext(get_engine(url), Settings(secret_key=TEST_SECRET, database_url=url))
    with Flask(__name__).test_request_context("/_dash-update-component", method="POST"):
        page, *_ = render_page(app_ctx, ROUTER, "/", "")
        assert page.id == "db-error"
        assert g.response_uncacheable is True


def test_cch007_cached_replies_are_compressed_with_their_header_and_decode_to_the_same_json(app):
    """Dash compresses (compress=True at construction), after the cache stored the JSON: a cache hit is
    compressed again with Content-Encoding, never replayed as compressed bytes without it."""
    import gzip

    client = client_for(app, None)
    body = callback_body(app, "page-content.children", values={"url.pathname": "/", "url.search": ""})

    def post(encoding: str):
        return client.post(
            "/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Accept-Encoding": encoding},
        )

    first, second = post("gzip"), post("gzip")
    assert second.headers.get("X-View-Cache") == "hit" and "X-View-Cache" not in first.headers
    for response in (first, second):
        assert response.headers.get("Content-Encoding") == "gzip"
        assert len(response.get_data()) < len(gzip.decompress(response.get_data()))
    assert gzip.decompress(first.get_data()) == gzip.decompress(second.get_data())
    plain = post("identity")
    assert plain.headers.get("X-View-Cache") == "hit" and "Content-Encoding" not in plain.headers
    assert plain.get_data() == gzip.decompress(first.get_data())
