"""The view cache holds data, never code, and a failing Redis costs one short timeout, not a page.

Redis here is the test's own redis-server process (stopped with SIGSTOP to hang it, killed to take it down),
never the machine's service.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from dashboard.factory import create_app
from dashboard.settings import Settings
from dashboard.web.cache import MAC_BYTES, RedisStore, ViewCache
from data_access.db import get_engine
from tests.helpers import TEST_SECRET, free_port
from tests.security import two_members
from tests.security.test_forged_callbacks import callback_body

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A private redis-server on a free port (no persistence), stopped at the end."""
    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server is missing (Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("the test's redis-server did not start")
            time.sleep(0.05)
    yield url, process
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.kill()
    process.wait(timeout=10)


def _app(db_url: str, redis_url: str | None):
    two_members(get_engine(db_url))
    return create_app(Settings(secret_key=TEST_SECRET, database_url=db_url, redis_url=redis_url, today="2024-03-01"))


def _render(client, app, path: str = "/"):
    body = callback_body(app, "page-content.children", values={"url.pathname": path, "url.search": ""})
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


class _Boom:
    """A pickle that, if ever loaded, creates a file (the proof that code ran)."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_cfl001_a_crafted_pickle_in_redis_runs_nothing_and_is_ignored(db_url, own_redis, tmp_path, caplog):
    redis_url, _process = own_redis
    app = _app(db_url, redis_url)
    cache: ViewCache = app.server.extensions["ogp_context"].cache
    client = app.server.test_client()
    first = _render(client, app)
    assert first.status_code == 200 and _render(client, app).headers.get("X-View-Cache") == "hit"

    raw = redis.Redis.from_url(redis_url)
    keys = raw.keys(cache.prefix + "response:*")
    assert len(keys) == 1
    proof = tmp_path / "code-ran"
    raw.set(keys[0], b"!" + pickle.dumps(_Boom(proof)))  # what flask-caching's Redis backend would unpickle
    with caplog.at_level(logging.WARNING, logger="dashboard.web.cache"):
        forged = _render(client, app)
        again = _render(client, app)
    assert not proof.exists(), "a cached value ran code"
    assert forged.status_code == 200 and "X-View-Cache" not in forged.headers  # rendered afresh
    assert forged.get_data() == first.get_data()
    assert again.headers.get("X-View-Cache") == "hit"  # the fresh render replaced the forged value
    warnings = [r for r in caplog.records if "failed verification" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None


def test_cfl002_a_value_signed_with_another_key_is_ignored_and_logged_once(db_url, caplog):
    settings = Settings(secret_key=TEST_SECRET, database_url=db_url)
    ours = ViewCache(settings)
    theirs = ViewCache(Settings(secret_key="another-" + TEST_SECRET, database_url=db_url), store=ours.store)
    theirs.set_bytes("response:x", b'{"forged": true}')
    theirs.set_bytes("response:y", b'{"forged": true}')
    with caplog.at_level(logging.WARNING, logger="dashboard.web.cache"):
        assert ours.get_bytes("response:x") is None
        assert ours.get_bytes("response:y") is None
    assert len([r for r in caplog.records if "failed verification" in r.getMessage()]) == 1
    ours.set_bytes("response:x", b'{"real": true}')
    assert ours.get_bytes("response:x") == b'{"real": true}'
    stored = ours.store.get(ours.prefix + "response:x")
    assert stored is not None and stored[MAC_BYTES:] == b'{"real": true}'  # data, behind a MAC
    tampered = stored[:MAC_BYTES] + b'{"real": false}'
    ours.store.set(ours.prefix + "response:x", tampered, 60)
    assert ours.get_bytes("response:x") is None


def test_cfl003_a_hung_redis_costs_one_short_timeout_then_pages_render_uncached(db_url, own_redis, caplog):
    redis_url, process = own_redis
    app = _app(db_url, redis_url)
    client = app.server.test_client()
    assert _render(client, app).status_code == 200
    process.send_signal(signal.SIGSTOP)  # hung: the socket accepts, nothing answers
    with caplog.at_level(logging.WARNING, logger="dashboard.web.cache"):
        started = time.monotonic()
        replies = [_render(client, app) for _ in range(6)]
        elapsed = time.monotonic() - started
    assert all(r.status_code == 200 and "X-View-Cache" not in r.headers for r in replies)
    # Six renders with a hung Redis: one 0.2 s timeout, then the breaker skips Redis (was 10 s a page).
    assert elapsed < 6, elapsed
    outages = [r for r in caplog.records if "view cache unavailable" in r.getMessage()]
    assert len(outages) == 1 and outages[0].exc_info is None  # one line, no traceback


def test_cfl004_redis_down_logs_one_line_and_recovers_when_it_is_back(db_url, own_redis, caplog):
    redis_url, process = own_redis
    app = _app(db_url, redis_url)
    cache: ViewCache = app.server.extensions["ogp_context"].cache
    cache.store = RedisStore(redis_url, breaker_seconds=0.3)
    client = app.server.test_client()
    process.send_signal(signal.SIGSTOP)
    with caplog.at_level(logging.WARNING):
        assert all(_render(client, app).status_code == 200 for _ in range(4))
    process.send_signal(signal.SIGCONT)
    time.sleep(0.4)  # the breaker closes again
    assert _render(client, app).status_code == 200
    assert _render(client, app).headers.get("X-View-Cache") == "hit"  # caching resumed
    process.kill()
    process.wait(timeout=10)
    with caplog.at_level(logging.WARNING):
        assert _render(client, app).status_code == 200
    cache_lines = [r for r in caplog.records if r.name == "dashboard.web.cache"]
    assert len(cache_lines) == 2 and all(r.exc_info is None for r in cache_lines)  # one per outage
    assert not [r for r in caplog.records if r.exc_info]
