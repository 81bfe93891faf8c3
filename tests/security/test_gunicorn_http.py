"""HTTP as production serves it (gunicorn with gunicorn.conf.py, one worker): a refused oversized body closes the
connection instead of answering keep-alive and then dropping the next request; /healthz reports the database
and the cache separately."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.settings import ROOT
from tests.helpers import TEST_SECRET, free_port

BODY_BYTES = 2_000_000  # twice the request limit


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving app:server on a fresh SQLite database; yields its base URL."""
    folder: Path = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'ogp.sqlite'}",
        "SECRET_KEY": TEST_SECRET,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("REDIS_URL", None)
    log = (folder / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start:\n" + (folder / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)
    log.close()


def _exchange(port: int, request: bytes, *, timeout: float = 10) -> tuple[bytes, bool]:
    """Send raw bytes on one connection; (everything received, whether the server closed the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it may close while the body is sent
            sock.sendall(request)
        received = b""
        closed = False
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except TimeoutError:
            closed = False
        except ConnectionResetError:
            closed = True
    return received, closed


def test_gun001_an_oversized_body_gets_413_and_the_connection_is_closed(gunicorn):
    port = int(gunicorn.rsplit(":", 1)[1])
    head = (
        f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {BODY_BYTES}\r\n\r\n"
    ).encode()
    received, closed = _exchange(port, head + b"a" * BODY_BYTES, timeout=10)
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), received[:200]
    headers = rest.split(b"\r\n\r\n", 1)[0].lower()
    assert b"connection: close" in headers
    assert closed, "the server kept the connection open after refusing the body"
    with urllib.request.urlopen(gunicorn + "/healthz", timeout=5) as fresh:  # and it still serves
        assert fresh.status == 200


def test_gun002_healthz_reports_the_database_and_the_cache_separately(gunicorn):
    with urllib.request.urlopen(gunicorn + "/healthz", timeout=5) as response:
        report = json.loads(response.read())
    assert report["status"] == "ok"
    assert report["database"] == "ok"
    assert report["cache"] == "in-process"
