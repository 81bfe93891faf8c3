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

from flask import Flask
from flask_caching import Cache

from dashboard.roles import Actor
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
        self.backend = "redis" if settings.redis_url else "local"
        self._cache = Cache(server, config=config)

    @staticmethod
    def key(kind: str, actor: Actor, data_stamp: str, *parts: Any) -> str:
        """A stable key for a view as seen by a role and scope at one data version."""
        payload = [kind, actor.role or "anonymous", sorted(actor.members), data_stamp, *parts]
        digest = hashlib.sha256(json.dumps(payload, default=str, sort_keys=True).encode()).hexdigest()
        return f"{kind}:{digest}"

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The cached value for key, or compute it, store it and return it."""
        try:
            value = self._cache.get(key)
        except Exception:  # the cache is an optimisation: Redis being down must not break a page
            log.warning("cache read failed for %s", key, exc_info=True)
            value = None
        if value is not None:
            return value
        value = compute()
        try:
            self._cache.set(key, value)
        except Exception:
            log.warning("cache write failed for %s", key, exc_info=True)
        return value

    def clear(self) -> None:
        """Drop every cached view of this database."""
        self._cache.clear()
