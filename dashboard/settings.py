"""Settings read from environment variables (every one is documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'ogp.sqlite'}"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of the dashboard."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8050
    secret_key: str = "dev-only-not-secret"
    debug: bool = False
    redis_url: str | None = None
    cache_timeout: int = 300
    view_cache: bool = True  # VIEW_CACHE=false renders every view afresh (benchmarks of the cold path)
    today: str | None = None  # ISO date that replaces "today" (demos, tests); None = the real date
    public_read: bool = True  # reading without an account; PUBLIC_READ=false requires signing in
    session_hours: int = 8  # a session expires this many hours after sign-in
    secure_cookies: bool = False  # SESSION_COOKIE_SECURE=true when served over HTTPS

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from the process environment (or the mapping given)."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8050),
            secret_key=env.get("SECRET_KEY") or "dev-only-not-secret",
            debug=_flag(env.get("DASH_DEBUG"), False),
            redis_url=env.get("REDIS_URL") or None,
            cache_timeout=int(env.get("CACHE_TIMEOUT") or 300),
            view_cache=_flag(env.get("VIEW_CACHE"), True),
            today=env.get("OGP_TODAY") or None,
            public_read=_flag(env.get("PUBLIC_READ"), True),
            session_hours=int(env.get("SESSION_HOURS") or 8),
            secure_cookies=_flag(env.get("SESSION_COOKIE_SECURE"), False),
        )
