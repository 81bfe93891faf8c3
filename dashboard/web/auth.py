"""Sign-in, sessions, the current actor, public/private reading and security headers on the Flask server."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboard.domain.roles import ANONYMOUS, Actor
from dashboard.web.context import AppContext
from data_access.accounts import authenticate, load_actor

OPEN_PATHS = frozenset({"/login", "/logout", "/healthz", "/favicon.ico"})  # exactly these paths
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/")  # static files under these folders
CALLBACK_PATHS = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies")
MAX_REQUEST_BYTES = 1_000_000  # callback payloads are small; a bigger body is refused with 413


class SignedInUser(UserMixin):
    """Flask-Login's view of an actor; the id is the username (roles are re-read on every request)."""

    def __init__(self, actor: Actor):
        self.actor = actor

    def get_id(self) -> str:
        return self.actor.username or ""


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


def security_headers(response, csp: str):
    """Headers every response carries: CSP the app itself satisfies, no sniffing, no framing."""
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
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


def init_auth(server: Flask, app_ctx: AppContext, script_hashes: Sequence[str]) -> None:
    """Attach sign-in, session settings, the PUBLIC_READ gate and security headers to the server."""
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
    manager.session_protection = "strong"

    lifetime = server.config["PERMANENT_SESSION_LIFETIME"].total_seconds()

    @manager.user_loader
    def _load(username: str) -> SignedInUser | None:
        # The cookie is re-issued on every request, so its own expiry only ends idle sessions; this ends
        # every session SESSION_HOURS after sign-in, however busy.
        signed_in_at = session.get("signed_in_at")
        if not isinstance(signed_in_at, int) or time.time() - signed_in_at > lifetime:
            return None
        actor = load_actor(app_ctx.engine, username)
        return SignedInUser(actor) if actor else None

    csp = content_security_policy(script_hashes)

    @server.before_request
    def _gate():
        path = request.path
        open_path = path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)
        if settings.public_read or open_path or current_actor().is_authenticated:
            return None
        if path.startswith(CALLBACK_PATHS):
            return jsonify(error="Sign in to use the dashboard."), 401
        return redirect("/login?" + urlencode({"next": path}))  # URL-quoted: no raw newline reaches a header

    @server.after_request
    def _headers(response):
        return security_headers(response, csp)

    @server.get("/login")
    def _login_form():
        return login_page(next_path=_safe_next(request.args.get("next")))

    @server.post("/login")
    def _login():
        next_path = _safe_next(request.form.get("next"))
        if not _csrf_ok():
            return login_page("The form expired; please sign in again.", next_path, 400)
        username = request.form.get("username", "")[:80]
        password = request.form.get("password", "")[:200]
        actor = authenticate(app_ctx.engine, username, password)
        if actor is None:
            return login_page("Wrong username or password.", next_path, 401)
        session.clear()  # a fresh session on sign-in (no fixation)
        login_user(SignedInUser(actor))
        session["signed_in_at"] = int(time.time())
        session.permanent = True
        return redirect(next_path)

    @server.post("/logout")
    def _logout():
        if _csrf_ok():
            logout_user()
            session.clear()
        return redirect("/")


def csrf_token() -> str:
    """The session's CSRF token for server-rendered forms (the navbar's sign-out button)."""
    return _csrf_token()
