"""Engine, sessions, migrations and the data version that every write bumps."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Integer, String, cast, create_engine, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import AppMeta

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the driver installed here)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# Every wait on the database ends well before gunicorn's 60 s worker timeout, with an error the page turns into
# its "database busy" banner instead of a hung request: a writer waits for another at most BUSY_TIMEOUT_MS
# (SQLite), a statement runs at most STATEMENT_TIMEOUT_MS and waits for a lock at most LOCK_TIMEOUT_MS
# (PostgreSQL).
BUSY_TIMEOUT_MS = 15_000
STATEMENT_TIMEOUT_MS = 30_000
LOCK_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 5


SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def sqlite_synchronous() -> str:
    """SQLite's synchronous level from SQLITE_SYNCHRONOUS (default FULL: a commit is on disk before it returns,
    so no saved report is lost to a power cut; the test suite runs with OFF, its databases being throwaway)."""
    level = (os.environ.get("SQLITE_SYNCHRONOUS") or "FULL").strip().upper()
    if level not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS)}, not {level!r}")
    return level


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """One engine per database URL and process (created lazily, so forks open their own)."""
    url = normalise_url(url)
    if url not in _ENGINES:
        _ENGINES[url] = _create_engine(url)
    return _ENGINES[url]


def _ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite database file (e.g. instance/) so a fresh clone can start."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"options": options, "connect_timeout": CONNECT_TIMEOUT_S},
    )


def dispose_engines() -> None:
    """Drop every cached engine (after a fork, or between tests)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work commits as one transaction, or rolls back whole on any error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration that points at this package's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database schema up to the newest migration."""
    _ensure_sqlite_folder(normalise_url(url))
    command.upgrade(alembic_config(url), "head")


def bump_data_version(session: Session) -> int:
    """Increase the data version (cache keys include it) inside the caller's transaction, atomically: one
    `UPDATE ... SET value = value + 1` (concurrent writers queue on the row; none is lost)."""
    increment = (
        update(AppMeta)
        .where(AppMeta.key == "data_version")
        .values(value=cast(cast(AppMeta.value, Integer) + 1, String))
        .returning(AppMeta.value)
    )
    value = session.execute(increment, execution_options={"synchronize_session": "fetch"}).scalar()
    if value is None:  # a database from before the migrations seeded the row
        session.add(AppMeta(key="data_version", value="1"))
        value = "1"
    set_meta(session, "data_updated_at", dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
    return int(value)


def read_meta(engine: Engine) -> dict[str, str]:
    """Every app_meta entry as a dict."""
    with Session(engine) as session:
        return {m.key: m.value for m in session.scalars(select(AppMeta))}


def set_meta(session: Session, key: str, value: str) -> None:
    """Write one app_meta entry inside the caller's transaction."""
    entry = session.get(AppMeta, key) or AppMeta(key=key, value=value)
    entry.value = value
    session.add(entry)


def failure_reason(error: SQLAlchemyError) -> str:
    """Why a database operation failed, in words a user can act on (the driver's message decides)."""
    message = str(getattr(error, "orig", None) or error).lower()
    if "disk is full" in message or "no space left" in message or "disk full" in message:
        return "The server's disk is full, so the database cannot store anything; tell the administrator."
    if "locked" in message or "lock timeout" in message or "busy" in message:
        return "The database is busy with another change (an import, perhaps); try again in a minute."
    if "read-only" in message or "readonly" in message:
        return "The database is read-only at the moment; tell the administrator."
    if isinstance(error, DBAPIError) and error.connection_invalidated or "connect" in message or "refused" in message:
        return "The database cannot be reached; try again in a minute."
    return "The database refused the change; try again, and tell the administrator if it happens again."


BULK_LOADED = ("member", "action_plan", "commitment", "milestone", "progress_report", "commitment_search")


def refresh_planner_statistics(engine: Engine) -> None:
    """After a bulk load on PostgreSQL, ANALYZE at once instead of waiting for autovacuum: until it runs the
    planner knows nothing of the new rows (a 100-row API page at scale 10 took 48 ms instead of 4 ms, scanning
    every progress report). SQLite plans well without it: nothing to do there."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"ANALYZE {', '.join(BULK_LOADED)}"))
