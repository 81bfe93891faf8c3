"""Cache of rendered views (flask-caching): Redis when REDIS_URL is set, otherwise in-process.

A key holds the view (path and query), the viewer's role and member scope, today's date and the data
version that every write and import bumps, so a change is never hidden and one role never sees another's.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, g, has_request_context, request
from flask_caching import Cache

from dashboard.domain.roles import Actor
from dashboard.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class ViewCache:
    """get-or-compute on a flask-caching backend; a failing backend degrades to computing, never to an error."""

    def __init__(self, server: Flask, settings: Settings):
        # Apps on different databases may share one Redis: the prefix names the database.
        database = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
        config: dict[str, Any] = {
            "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
            "CACHE_KEY_PREFIX": f"ogp:{database}:",
        }
        if settings.redis_url:
            config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=settings.redis_url)
        else:
            config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=500)
        self._cache = Cache(server, config=config)

    @staticmethod
    def key(kind: str, actor: Actor, data_stamp: str, *parts: Any) -> str:
        """A stable key for a view as seen by a role and scope at one data version."""
        payload = [kind, actor.role or "anonymous", sorted(actor.members), data_stamp, *parts]
        digest = hashlib.sha256(json.dumps(payload, default=str, sort_keys=True).encode()).hexdigest()
        return f"{kind}:{digest}"

    def get(self, key: str) -> Any:
        """The cached value, or None (also when the backend fails)."""
        try:
            return self._cache.get(key)
        except Exception:  # the cache is an optimisation: Redis being down must not break a page
            log.warning("cache read failed for %s", key, exc_info=True)
            return None

    def set(self, key: str, value: Any) -> None:
        """Store a value (a failing backend is logged and ignored)."""
        try:
            self._cache.set(key, value)
        except Exception:
            log.warning("cache write failed for %s", key, exc_info=True)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The cached value for key, or compute it, store it and return it."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.set(key, value)
        return value

    def clear(self) -> None:
        """Drop every cached view of this database."""
        self._cache.clear()


# Read-only callbacks whose JSON response depends only on their inputs, the viewer's role and scope, today
# and the data: the page router and the commitments grid's server-side rows. Writes are never cached.
CACHEABLE_OUTPUTS = ("page-content.children", ".getRowsResponse")


def is_cacheable(output: str) -> bool:
    """True when a callback's output names a read-only view (Dash writes several outputs as ..a...b..)."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    return any(part.endswith(CACHEABLE_OUTPUTS) for part in parts)


UPDATE_PATH = "/_dash-update-component"


def mark_uncacheable() -> None:
    """Keep this request's response out of the cache (an error banner must not outlive the error)."""
    if has_request_context():
        g.response_uncacheable = True


def init_response_cache(
    server: Flask,
    cache: ViewCache,
    stamp: Callable[[], str],
    today: Callable[[], Any],
    current_actor: Callable[[], Actor],
) -> None:
    """Serve repeated read-only callback requests from the cache, as the exact JSON bytes Dash produced.

    stamp() returns the data stamp (version and time of the last change); today() the date views use;
    current_actor() the signed-in actor whose role and scope the key holds.
    """

    @server.before_request
    def _serve_cached():
        if request.path != UPDATE_PATH or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        output = body.get("output")
        if not isinstance(output, str) or not is_cacheable(output):
            return None
        request_part = {k: body.get(k) for k in ("output", "inputs", "state")}
        g.response_cache_key = cache.key("response", current_actor(), stamp(), today(), request_part)
        cached = cache.get(g.response_cache_key)
        if cached is None:
            return None
        return Response(cached, status=200, mimetype="application/json", headers={"X-View-Cache": "hit"})

    @server.after_request
    def _store(response: Response) -> Response:
        key = g.pop("response_cache_key", None)
        if (
            key
            and response.status_code == 200
            and response.mimetype == "application/json"
            and not g.get("response_uncacheable")
            and "X-View-Cache" not in response.headers
        ):
            cache.set(key, response.get_data())
        return response
