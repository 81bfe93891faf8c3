"""Throttling (Flask-Limiter): sign-in per address and per account, exports per session or address, the API per
token, session or address.

Counters live in Redis when REDIS_URL is set (shared by every worker and server), in memory otherwise. Redis
failing never blocks a request: the limiter falls back to memory and swallows storage errors. A refused
request gets 429 with a page or message that says when to try again.
"""

from __future__ import annotations

import logging

from flask import Flask, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from dashboard.settings import Settings

# Sign-in: any attempt from one address; failures from one address; failures on one account (a lock of the
# account's sign-in for the rest of the window, whatever address the guesses come from).
SIGN_IN_PER_ADDRESS = "20 per minute"
FAILED_SIGN_INS_PER_ADDRESS = "10 per 15 minutes"
FAILED_SIGN_INS_PER_ACCOUNT = "5 per 15 minutes"
# Exports build whole tables (CSV, XLSX): per session when signed in, else per address.
EXPORTS = "10 per minute"
# The read-only API (callbacks/api.py): one budget for all its routes, per token, else session, else address.
API_REQUESTS = "120 per minute"
STORAGE_TIMEOUT = 0.2  # seconds; a slower Redis counts as down
EXPORT_LIMIT = parse(EXPORTS)

log = logging.getLogger(__name__)


def init_limiter(server: Flask, settings: Settings) -> Limiter:
    """The app's limiter (limits are attached where they apply: dashboard.web.auth, the export callback)."""
    storage_options = {}
    if settings.redis_url:
        storage_options = {"socket_timeout": STORAGE_TIMEOUT, "socket_connect_timeout": STORAGE_TIMEOUT}
    return Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.redis_url or "memory://",
        storage_options=storage_options,  # type: ignore[arg-type]  # redis-py takes float seconds
        key_prefix=f"ogp-limits:{settings.database_tag}",
        strategy="fixed-window",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        headers_enabled=True,
        default_limits=[],
    )


def attempted_account() -> str:
    """The limiter key of the account a sign-in names (lower case: 'Sofia' and 'sofia' share a budget)."""
    return "account:" + request.form.get("username", "")[:80].strip().lower()


def exporter() -> str:
    """The limiter key of whoever asks for an export: their session, else their address."""
    return "exporter:" + str(session.get("_user_id") or get_remote_address())


def api_reader() -> str:
    """The limiter key of whoever reads the API: their token (dashboard.web.auth), session or address."""
    return "api:" + str(g.get("api_reader") or session.get("_user_id") or get_remote_address())


def export_allowed(limiter: Limiter) -> bool:
    """Count one export against EXPORTS for this session or address; False when the budget is spent. A
    failing counter store lets the export through (throttling must not break the dashboard)."""
    try:
        return bool(limiter.limiter.hit(EXPORT_LIMIT, "exports", exporter()))
    except Exception as error:  # the storage's own errors (Redis down, timeouts) have no common base class
        log.warning("export throttle unavailable: %s", type(error).__name__)
        return True
