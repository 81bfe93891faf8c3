"""`/healthz`: the database and the view cache, reported separately.

200 while the database answers (a failing cache only degrades speed: "cache": "unavailable"); 503 with the
reason when the database does not answer within HEALTH_TIMEOUT_S or cannot read the application's own table.
"""

from __future__ import annotations

from flask import Flask, jsonify

from dashboard.web.cache import RedisStore
from dashboard.web.context import AppContext
from data_access.health import database_status

HEALTH_TIMEOUT_S = 2


def cache_status(app_ctx: AppContext) -> str:
    """'off', 'in-process', 'ok' (Redis answers) or 'unavailable' (Redis does not; pages render uncached)."""
    if app_ctx.cache is None:
        return "off"
    store = app_ctx.cache.store
    if not isinstance(store, RedisStore):
        return "in-process"
    return "ok" if store.ping() else "unavailable"


def init_health(server: Flask, app_ctx: AppContext) -> None:
    """Register the health check used by load balancers and `make bench`."""

    @server.get("/healthz")
    def _healthz():
        database = database_status(app_ctx.engine, timeout_s=HEALTH_TIMEOUT_S)
        cache = cache_status(app_ctx)
        healthy = database == "ok"
        return jsonify(status="ok" if healthy else "error", database=database, cache=cache), 200 if healthy else 503
