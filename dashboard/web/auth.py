"""Sign-in, sessions, the current actor, public/private reading and security headers on the Flask server."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import time
from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

from flask import Flask, g, jsonify, redirect, request, session
from flask_limiter import Limiter
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from dashboard.domain.roles import ANONYMOUS, Actor, landing
from dashboard.web.context import AppContext
from dashboard.web.limits import (
    FAILED_SIGN_INS_PER_ACCOUNT,
    FAILED_SIGN_INS_PER_ADDRESS,
    SIGN_IN_PER_ADDRESS,
    attempted_account,
)
from data_access.accounts import authenticate
from data_access.sessions import API, end_session, record_failed_sign_in, session_actor, start_session, token_id

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/login", "/logout", "/healthz", "/favicon.ico", "/unsubscribe"})  # exactly these paths
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/")  # static files under these folders
CALLBACK_PATHS = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies")
API_PREFIX = "/api/"  # the read-only API (callbacks/api.py) answers in JSON, never with the sign-in page
MAX_REQUEST_BYTES = 1_000_000  # callback payloads are small; a bigger body is refused with 413
DATABASE_DOWN = (
    "The database cannot be reached right now, so nobody can sign in; nothing was changed. Try again in a minute."
)
SIGN_IN_FOR_API = "Sign in, or send an API token as 'Authorization: Bearer <token>', to read the API."
TOKEN_REFUSED = "The API token is not valid: it is unknown, revoked or expired, or its user is deactivated."
TOO_MANY = (
    "Too many sign-in attempts from this address or for this account. Wait 15 minutes and try again, "
    "or ask an administrator to reset the password."
)


class SignedInUser(UserMixin):
    """Flask-Login's view of an actor; its id is the server-side session's id (data_access.sessions), so
    revoking the session ends it wherever the cookie is. Role and members are re-read on every request."""

    def __init__(self, actor: Actor, session_id: str):
        self.actor = actor
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id


def bearer_token() -> str | None:
    """The token of an API request's `Authorization: Bearer <token>` header; None when there is none (or the
    path is not the API's: a token opens the read-only API and nothing else)."""
    if not request.path.startswith(API_PREFIX):
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def current_actor() -> Actor:
    """The signed-in actor of this request, or ANONYMOUS (also outside a request)."""
    try:
        user = current_user._get_current_object()
    except (RuntimeError, AttributeError):
        return ANONYMOUS
    return user.actor if isinstance(user, SignedInUser) else ANONYMOUS


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get("csrf", "")
    return bool(sent) and hmac.compare_digest(sent, session.get("csrf", ""))


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after signing in."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isascii()
        and target.isprintable()  # browsers drop tabs and newlines: "/\t/evil.example" means //evil.example
        and " " not in target
    ):
        return target
    return "/"


def login_page(message: str | None = None, next_path: str = "/", status: int = 200):
    """The sign-in form (server-rendered; the Bootstrap CSS comes from /assets)."""
    alert = f'<div class="alert alert-danger" role="alert">{escape(message)}</div>' if message else ""
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - OGP Implementation Monitor</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css"><link rel="stylesheet" href="/assets/app.css"></head>
<body><main class="container" style="max-width: 26rem; margin-top: 10vh">
<h1 class="h4 mb-3">OGP Implementation Monitor</h1>
<p class="text-muted">Sign in to record progress. Reading may not need an account.</p>
{alert}
<form method="post" action="/login" class="card card-body shadow-sm">
<input type="hidden" name="csrf" value="{escape(_csrf_token())}">
<input type="hidden" name="next" value="{escape(next_path)}">
<label class="form-label" for="username">Username</label>
<input class="form-control mb-2" id="username" name="username" autocomplete="username" maxlength="80" required>
<label class="form-label" for="password">Password</label>
<input class="form-control mb-3" id="password" name="password" type="password"
  autocomplete="current-password" maxlength="200" required>
<button class="btn btn-primary" type="submit" id="login-submit">Sign in</button>
</form><p class="mt-3"><a href="/">Back to the dashboard</a></p></main></body></html>"""
    return body, status, {"Content-Type": "text/html; charset=utf-8"}


# Browser features the dashboard never uses, switched off for it and anything it could be made to load.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response, csp: str, *, hsts: bool = False):
    """Headers every response carries: CSP the app itself satisfies, no sniffing, no framing, no device access;
    HSTS when served over HTTPS (SESSION_COOKIE_SECURE=true). A refused oversized body (413) closes the
    connection: its unread rest must not be parsed as the next request."""
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if response.status_code == 413:
        response.headers["Connection"] = "close"
    return response


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """CSP for this app: own scripts plus Dash's inline bootstrap script by hash, nothing remote."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes),
            "style-src 'self' 'unsafe-inline'",  # plotly.js and React set inline styles
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_auth(server: Flask, app_ctx: AppContext, script_hashes: Sequence[str], limiter: Limiter) -> None:
    """Attach sign-in (throttled by `limiter`), revocable sessions, the PUBLIC_READ gate and security headers."""
    settings = app_ctx.settings
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        REMEMBER_COOKIE_DURATION=dt.timedelta(hours=settings.session_hours),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    manager = LoginManager(server)
    # Flask-Login's "strong" protection does nothing for permanent sessions; what ends a session here is its
    # server-side row (sign-out, deactivation, password reset revoke it).
    manager.session_protection = None

    lifetime = server.config["PERMANENT_SESSION_LIFETIME"].total_seconds()

    @manager.user_loader
    def _load(session_id: str) -> SignedInUser | None:
        # The cookie is re-issued on every request, so its own expiry only ends idle sessions; this ends
        # every session SESSION_HOURS after sign-in, however busy (the row's expiry says the same).
        signed_in_at = session.get("signed_in_at")
        if not isinstance(signed_in_at, int) or time.time() - signed_in_at > lifetime:
            return None
        try:
            actor = session_actor(app_ctx.engine, session_id)
        except SQLAlchemyError as error:  # read as anonymous; the page shows the database banner
            log.warning("session lookup failed, reading as anonymous: %s", type(error).__name__)
            g.database_unreachable = True
            return None
        return SignedInUser(actor, session_id) if actor else None

    @manager.request_loader
    def _load_token(_request) -> SignedInUser | None:
        # Only when no cookie names a session: an API client sends its token instead.
        token = bearer_token()
        if token is None:
            return None
        try:
            actor = session_actor(app_ctx.engine, token, kind=API)
        except SQLAlchemyError as error:
            log.warning("token lookup failed, reading as anonymous: %s", type(error).__name__)
            g.database_unreachable = True
            return None
        if actor is None:
            g.token_refused = True
            return None
        g.api_reader = "token:" + token_id(token)
        return SignedInUser(actor, API)  # never stored in the cookie: login_user is not called

    csp = content_security_policy(script_hashes)

    @server.before_request
    def _gate():
        path = request.path
        if path.startswith(API_PREFIX) and not current_actor().is_authenticated and g.get("token_refused"):
            return jsonify(error=TOKEN_REFUSED), 401  # said even in public mode: the client's token is wrong
        open_path = path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)
        if settings.public_read or open_path or current_actor().is_authenticated:
            return None
        if path.startswith(CALLBACK_PATHS):
            return jsonify(error="Sign in to use the dashboard."), 401
        if path.startswith(API_PREFIX):
            return jsonify(error=SIGN_IN_FOR_API), 401
        wanted = request.full_path if request.query_string else path  # the view, filters included
        return redirect("/login?" + urlencode({"next": wanted}))  # URL-quoted: no raw newline reaches a header

    @server.after_request
    def _headers(response):
        return security_headers(response, csp, hsts=settings.secure_cookies)

    @server.errorhandler(429)
    def _too_many(error):
        log.warning("throttled %s %s from %s: %s", request.method, request.path, request.remote_addr, error)
        if request.path == "/login":
            return login_page(TOO_MANY, _safe_next(request.form.get("next")), 429)
        return jsonify(error="Too many requests: wait a minute and try again."), 429

    @server.get("/login")
    def _login_form():
        return login_page(next_path=_safe_next(request.args.get("next")))

    def _failed(response) -> bool:
        return response.status_code == 401

    @server.post("/login")
    @limiter.limit(SIGN_IN_PER_ADDRESS)
    @limiter.limit(FAILED_SIGN_INS_PER_ADDRESS, deduct_when=_failed)
    @limiter.limit(FAILED_SIGN_INS_PER_ACCOUNT, key_func=attempted_account, deduct_when=_failed)
    def _login():
        next_path = _safe_next(request.form.get("next"))
        if not _csrf_ok():
            return login_page("The form expired; please sign in again.", next_path, 400)
        username = request.form.get("username", "")[:80]
        password = request.form.get("password", "")[:200]
        try:
            actor = authenticate(app_ctx.engine, username, password)
            if actor is None or actor.username is None:
                record_failed_sign_in(app_ctx.engine, username, address=request.remote_addr, why="wrong password")
                return login_page("Wrong username or password.", next_path, 401)
            session_id = start_session(
                app_ctx.engine, actor.username, hours=settings.session_hours, address=request.remote_addr
            )
        except SQLAlchemyError as error:
            log.warning("sign-in refused, database unreachable: %s", type(error).__name__)
            return login_page(DATABASE_DOWN, next_path, 503)
        session.clear()  # a fresh session on sign-in (no fixation)
        login_user(SignedInUser(actor, session_id))
        session["signed_in_at"] = int(time.time())
        session.permanent = True
        return redirect(landing(actor, next_path))

    @server.post("/logout")
    def _logout():
        if _csrf_ok():
            if current_user.is_authenticated:
                try:
                    end_session(app_ctx.engine, current_user.get_id(), address=request.remote_addr)
                except SQLAlchemyError as error:  # the cookie is cleared anyway; the row expires on its own
                    log.warning("sign-out could not revoke the session: %s", type(error).__name__)
            logout_user()
            session.clear()
        return redirect("/")


def csrf_token() -> str:
    """The session's CSRF token for server-rendered forms (the navbar's sign-out button)."""
    return _csrf_token()
