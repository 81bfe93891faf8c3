"""Cache of rendered views: Redis when REDIS_URL is set, otherwise a bounded in-process store.

A key holds the view (path and query), the viewer's name, role and member scope, today's date and the data
version that every write and import bumps, so a change is never hidden and one user never sees another's.

Values are data, never code: bytes (a callback's JSON reply) or JSON, stored behind an HMAC of the secret key
and verified on read. A value that fails verification (written by anyone without the key) is ignored and
logged once. Redis answers within REDIS_TIMEOUT or is skipped: after a failure the cache is bypassed for
BREAKER_SECONDS (one warning line, no traceback), and pages render uncached meanwhile.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import redis
from flask import Flask, Response, g, has_request_context, request

from dashboard.domain.roles import Actor
from dashboard.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

MAC_BYTES = 32  # HMAC-SHA256
MEMORY_ENTRIES = 500  # the in-process store keeps this many views, least recently used dropped first
REDIS_TIMEOUT = 0.2  # seconds to connect or answer; a slower Redis is treated as down
BREAKER_SECONDS = 30.0  # how long a failed Redis is left alone before it is tried again


class Store(Protocol):
    """Where signed cache values live: bytes in, bytes out."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, timeout: int) -> None: ...

    def clear(self, prefix: str) -> None: ...


class MemoryStore:
    """A bounded, thread-safe, expiring in-process store (one per app)."""

    def __init__(self, entries: int = MEMORY_ENTRIES):
        self._entries = entries
        self._values: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            expires, value = found
            if expires < time.monotonic():
                del self._values[key]
                return None
            self._values.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, timeout: int) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + timeout, value)
            self._values.move_to_end(key)
            while len(self._values) > self._entries:
                self._values.popitem(last=False)

    def clear(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self._values if k.startswith(prefix)]:
                del self._values[key]


class RedisStore:
    """Redis with short socket timeouts behind a circuit breaker: a down or hung Redis costs one timeout per
    BREAKER_SECONDS, not one per request, and is reported once per outage (one warning line, no traceback)."""

    def __init__(self, url: str, timeout: float = REDIS_TIMEOUT, breaker_seconds: float = BREAKER_SECONDS):
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False, retry=None
        )
        self._breaker_seconds = breaker_seconds
        self._open_until = 0.0  # monotonic time before which Redis is not tried
        self._down = False  # failed since it last answered
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """False while the breaker is open (Redis failed within the last BREAKER_SECONDS)."""
        return time.monotonic() >= self._open_until

    def _call(self, operation: Callable[[], T]) -> T | None:
        if not self.available:
            return None
        try:
            result = operation()
        except redis.RedisError as error:
            with self._lock:
                first = not self._down
                self._down = True
                self._open_until = time.monotonic() + self._breaker_seconds
            if first:  # one line per outage, however long it lasts
                log.warning(
                    "view cache unavailable (%s: %s); pages render uncached, Redis is retried every %.0f s",
                    type(error).__name__,
                    error,
                    self._breaker_seconds,
                )
            return None
        if self._down:
            self._down = False
            log.info("view cache reachable again")
        return result

    def get(self, key: str) -> bytes | None:
        value = self._call(lambda: self._client.get(key))
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, timeout: int) -> None:
        self._call(lambda: self._client.set(key, value, ex=timeout))

    def clear(self, prefix: str) -> None:
        def drop() -> None:
            keys = list(self._client.scan_iter(match=prefix + "*", count=500))
            for start in range(0, len(keys), 500):
                self._client.delete(*keys[start : start + 500])

        self._call(drop)

    def ping(self) -> bool:
        """True when Redis answers now (the health check; ignores the breaker)."""
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False


class ViewCache:
    """Signed get-or-compute on a store; a failing or forged value degrades to computing, never to an error."""

    def __init__(self, settings: Settings, store: Store | None = None):
        # Apps on different databases may share one Redis: the prefix names the database.
        self.prefix = f"ogp:{settings.database_tag}:"
        self.timeout = settings.cache_timeout
        self.store: Store = store or (RedisStore(settings.redis_url) if settings.redis_url else MemoryStore())
        self._mac_key = hashlib.sha256(b"ogp-view-cache:" + settings.secret_key.encode()).digest()
        self._forgery_logged = False

    @staticmethod
    def key(kind: str, actor: Actor, data_stamp: str, *parts: Any) -> str:
        """A stable key for a view as seen by one user (or anonymously), with their role and scope, at one data
        version. The name is part of it because pages greet the signed-in user ("Recording as ...")."""
        payload = [kind, actor.username or "", actor.role or "anonymous", sorted(actor.members), data_stamp, *parts]
        digest = hashlib.sha256(json.dumps(payload, default=str, sort_keys=True).encode()).hexdigest()
        return f"{kind}:{digest}"

    def _mac(self, key: str, payload: bytes) -> bytes:
        return hmac.new(self._mac_key, key.encode() + b"\0" + payload, hashlib.sha256).digest()

    def get_bytes(self, key: str) -> bytes | None:
        """The verified bytes stored under key, or None (missing, expired, unreachable or failing verification)."""
        stored = self.store.get(self.prefix + key)
        if stored is None:
            return None
        mac, payload = stored[:MAC_BYTES], stored[MAC_BYTES:]
        if len(stored) < MAC_BYTES or not hmac.compare_digest(mac, self._mac(key, payload)):
            if not self._forgery_logged:
                self._forgery_logged = True
                log.warning("ignored a cached value that failed verification (key %s); later ones are not logged", key)
            return None
        return payload

    def set_bytes(self, key: str, payload: bytes) -> None:
        """Store bytes under key, signed."""
        self.store.set(self.prefix + key, self._mac(key, payload) + payload, self.timeout)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The cached JSON value for key, or compute it, store it as JSON and return it (tuples come back as
        lists)."""
        cached = self.get_bytes(key)
        if cached is not None:
            return json.loads(cached)
        value = compute()
        self.set_bytes(key, json.dumps(value, separators=(",", ":")).encode())
        return value

    def clear(self) -> None:
        """Drop every cached view of this database."""
        self.store.clear(self.prefix)


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
    stamp: Callable[[], str | None],
    today: Callable[[], Any],
    current_actor: Callable[[], Actor],
) -> None:
    """Serve repeated read-only callback requests from the cache, as the exact JSON bytes Dash produced.

    stamp() returns the data stamp (version and time of the last change), None when the database cannot be
    read (the request then bypasses the cache and shows the page's own error); today() the date views use;
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
        data_stamp = stamp()
        if data_stamp is None:  # the database cannot say which data version: render (its banner) uncached
            return None
        request_part = {k: body.get(k) for k in ("output", "inputs", "state")}
        g.response_cache_key = cache.key("response", current_actor(), data_stamp, today(), request_part)
        cached = cache.get_bytes(g.response_cache_key)
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
            cache.set_bytes(key, response.get_data())
        return response
