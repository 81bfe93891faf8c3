"""Gunicorn settings for production: `gunicorn app:server` picks this file up from the working directory."""

import json
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
# Dash callbacks are CPU-bound (pandas, plotly): one worker per core plus one, threads for I/O waits.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 2)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Preload the app once (migrations run once, memory is shared copy-on-write); database connections are
# opened lazily per process and every worker drops any inherited engine in post_fork.
preload_app = True
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
# Structured access log: one JSON object per request.
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "remote": "%(h)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "query": "%(q)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "user_agent": "%(a)s",
        "worker": "%(p)s",
    }
)


def post_fork(server, worker):
    """Never share a database connection pool across processes."""
    from data_access.db import dispose_engines

    dispose_engines()


def pre_request(worker, req):
    """A body the app will refuse with 413 (over its request limit, or of unknown length) ends the connection
    after the answer: the unread rest must never be read as the next request, and the answer must say
    `Connection: close` rather than promise a keep-alive the server cannot keep. (Gunicorn ignores a
    Connection header set by the app, so this is decided here, before the app runs.)"""
    from dashboard.web.auth import MAX_REQUEST_BYTES

    for name, value in req.headers:
        oversized = name == "CONTENT-LENGTH" and (not value.isdigit() or int(value) > MAX_REQUEST_BYTES)
        if oversized or (name == "TRANSFER-ENCODING" and "chunked" in value.lower()):
            req.must_close = True
