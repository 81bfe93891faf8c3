"""Settings read from environment variables (every one is documented in the README)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE / 'ogp.sqlite'}"

# Keys that are public (earlier defaults of this app, framework examples): a cookie signed with one can be forged.
DEVELOPMENT_KEYS = frozenset({"dev-only-not-secret", "dev", "development", "secret", "changeme", "change-me", "test"})
MIN_SECRET_KEY_LENGTH = 24
SECRET_KEY_HELP = (
    "Set SECRET_KEY to a long random value, the same on every server, e.g. "
    "export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\" "
    "(`make run` and `python -m dashboard run` create one in instance/secret_key instead)."
)


class ConfigurationError(Exception):
    """The settings cannot run safely; the message says what to set."""


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
    secret_key: str = ""  # required outside debug: see require_secret_key
    debug: bool = False
    redis_url: str | None = None
    cache_timeout: int = 300
    view_cache: bool = True  # VIEW_CACHE=false renders every view afresh (benchmarks of the cold path)
    today: str | None = None  # ISO date that replaces "today" (demos, tests); None = the real date
    public_read: bool = True  # reading without an account; PUBLIC_READ=false requires signing in
    session_hours: int = 8  # a session expires this many hours after sign-in
    secure_cookies: bool = False  # SESSION_COOKIE_SECURE=true when served over HTTPS
    # Import limits (import-ogp, import-progress), checked before a file is read in full; README explains each.
    import_max_bytes: int = 100_000_000  # file size
    import_max_rows: int = 200_000  # rows below the header
    import_max_cells: int = 10_000_000  # cells of all rows, header included
    import_max_xlsx_uncompressed_bytes: int = 500_000_000  # what an XLSX (a zip) unpacks to
    chromium: str = "chromium"  # the browser that prints briefings to PDF (a command on PATH or a path)
    # E-mail digests (python -m dashboard send-digests): where they go out, who sends them, the links in them.
    smtp_url: str | None = None  # smtp://[user:password@]host[:port][?starttls=true], smtps://...; None: not sent
    mail_from: str = "OGP Implementation Monitor <no-reply@localhost>"
    public_url: str = "http://127.0.0.1:8050"  # the dashboard's address as readers reach it

    @property
    def database_tag(self) -> str:
        """A short, stable name of the database (apps on different databases may share one Redis)."""
        return hashlib.sha256(self.database_url.encode()).hexdigest()[:12]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from the process environment (or the mapping given)."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8050),
            secret_key=env.get("SECRET_KEY") or "",
            debug=_flag(env.get("DASH_DEBUG"), False),
            redis_url=env.get("REDIS_URL") or None,
            cache_timeout=int(env.get("CACHE_TIMEOUT") or 300),
            view_cache=_flag(env.get("VIEW_CACHE"), True),
            today=env.get("OGP_TODAY") or None,
            public_read=_flag(env.get("PUBLIC_READ"), True),
            session_hours=int(env.get("SESSION_HOURS") or 8),
            secure_cookies=_flag(env.get("SESSION_COOKIE_SECURE"), False),
            import_max_bytes=int(env.get("IMPORT_MAX_BYTES") or cls.import_max_bytes),
            import_max_rows=int(env.get("IMPORT_MAX_ROWS") or cls.import_max_rows),
            import_max_cells=int(env.get("IMPORT_MAX_CELLS") or cls.import_max_cells),
            import_max_xlsx_uncompressed_bytes=int(
                env.get("IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES") or cls.import_max_xlsx_uncompressed_bytes
            ),
            chromium=env.get("CHROMIUM") or cls.chromium,
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM") or cls.mail_from,
            public_url=(env.get("PUBLIC_URL") or cls.public_url).rstrip("/"),
        )


def secret_key_problem(key: str) -> str | None:
    """Why this key must not sign sessions, or None when it may."""
    if not key:
        return "SECRET_KEY is not set"
    if key.strip().lower() in DEVELOPMENT_KEYS:
        return "SECRET_KEY is a well-known development value"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is {len(key)} characters long; at least {MIN_SECRET_KEY_LENGTH} are needed"
    return None


def require_secret_key(settings: Settings) -> None:
    """Refuse to serve outside debug with a missing, short or known key (a forged session cookie could sign in
    as anyone)."""
    problem = secret_key_problem(settings.secret_key)
    if problem and not settings.debug:
        raise ConfigurationError(f"Refusing to start: {problem}. {SECRET_KEY_HELP}")


def instance_secret_key(folder: Path = INSTANCE) -> str:
    """The local server's own random key: created once in folder/secret_key (owner-only), then reused, so
    `make run` works without configuration and its sessions survive a restart."""
    path = folder / "secret_key"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        problem = secret_key_problem(key)
        if problem:
            raise ConfigurationError(
                f"{path} holds an unusable key ({problem}); delete the file to get a new one"
            ) from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
