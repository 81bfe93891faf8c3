"""Engine, sessions, migrations and the data version that every write bumps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import AppMeta

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the driver installed here)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")  # a writer waits up to 15 s for another (below gunicorn's 60 s)
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
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


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
    """Increase the data version (cache keys include it) inside the caller's transaction."""
    meta = session.get(AppMeta, "data_version")
    if meta is None:
        meta = AppMeta(key="data_version", value="0")
        session.add(meta)
    meta.value = str(int(meta.value) + 1)
    stamp = session.get(AppMeta, "data_updated_at") or AppMeta(key="data_updated_at", value="")
    stamp.value = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    session.add(stamp)
    return int(meta.value)


def read_meta(engine: Engine) -> dict[str, str]:
    """Every app_meta entry as a dict."""
    with Session(engine) as session:
        return {m.key: m.value for m in session.scalars(select(AppMeta))}


def set_meta(session: Session, key: str, value: str) -> None:
    """Write one app_meta entry inside the caller's transaction."""
    entry = session.get(AppMeta, key) or AppMeta(key=key, value=value)
    entry.value = value
    session.add(entry)
