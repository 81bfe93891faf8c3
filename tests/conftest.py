"""Shared fixtures: a clean, migrated database per test (SQLite always, PostgreSQL when asked), cheap hashing.

Under pytest-xdist each worker has its own SQLite template and its own PostgreSQL databases (the worker id is
in their names). A PostgreSQL database is created and migrated once per worker and handed to one test at a
time, emptied by TRUNCATE (with the rows the migrations seed put back) instead of being created per test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from data_access import accounts
from data_access.db import dispose_engines, get_engine, migrate, normalise_url

REAL_SHEET = Path(__file__).resolve().parents[2] / "shared" / "data" / "ogp" / "ogp_commitments_europe_americas.csv"
PG_URL = os.environ.get("TEST_DATABASE_URL")
# Test databases are throwaway: SQLite commits need not wait for the disk (test_db_sync checks the default FULL).
os.environ.setdefault("SQLITE_SYNCHRONOUS", "OFF")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# "gw0", "gw1", ... under pytest-xdist; "main" in a plain run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# One salted PBKDF2 round: werkzeug's format and check_password_hash as in production, without scrypt's cost.
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passwords cheaply in every test but those marked real_password_hash (which keep scrypt)."""
    if request.node.get_closest_marker("real_password_hash") is None:
        monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", CHEAP_PASSWORD_HASH)


@pytest.fixture(scope="session")
def real_sheet() -> Path:
    """OGP's real commitments export (kept in ../shared, never copied into the repo)."""
    if not REAL_SHEET.exists():
        pytest.fail(f"the real OGP sheet is missing at {REAL_SHEET}")
    return REAL_SHEET


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is the slow part; per xdist worker)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate(f"sqlite:///{path}")
    dispose_engines()
    return path


def _pg_admin_engine() -> Engine:
    assert PG_URL
    return create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")


class PgDatabases:
    """This worker's migrated PostgreSQL databases, lent clean to one user at a time and reused.

    Clean means: every table but alembic_version truncated (identities restarted) and the rows the
    migrations seeded put back, so a database looks exactly as freshly migrated.
    """

    def __init__(self) -> None:
        self._admin = _pg_admin_engine()
        self._prefix = f"ogp_t_{WORKER}_{uuid.uuid4().hex[:6]}"
        self._free: list[str] = []
        self._all: list[str] = []
        self._seeded: dict[str, list[dict[str, Any]]] | None = None
        self._reflected: list[Any] | None = None

    def url(self, name: str) -> str:
        return make_url(normalise_url(PG_URL or "")).set(database=name).render_as_string(hide_password=False)

    def _create(self) -> str:
        name = f"{self._prefix}_{len(self._all)}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # Throwaway databases: a commit need not wait for the disk (the server itself stays as it is).
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        self._all.append(name)
        migrate(self.url(name))
        if self._seeded is None:
            self._seeded = self._snapshot(name)
        dispose_engines()
        return name

    def _snapshot(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """Rows of every table right after migrating (what the migrations seed)."""
        engine = create_engine(self.url(name))
        try:
            meta = MetaData()
            meta.reflect(engine)
            with engine.connect() as conn:
                return {
                    table.name: [dict(row._mapping) for row in conn.execute(select(table))]
                    for table in meta.sorted_tables
                    if table.name != "alembic_version"
                }
        finally:
            engine.dispose()

    def _clean(self, name: str) -> None:
        # A connection a test left open would block TRUNCATE: nobody else may use a database being lent.
        with self._admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
        engine = create_engine(self.url(name))
        try:
            tables = self._tables(engine)
            with engine.begin() as conn:
                dirty = self._dirty(conn, tables)
                if dirty:
                    names = ", ".join(f'"{t.name}"' for t in dirty)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                for table in dirty:
                    rows = (self._seeded or {}).get(table.name)
                    if rows:
                        conn.execute(insert(table), rows)
                conn.execute(text("SELECT 1 FROM alembic_version"))  # still migrated
        finally:
            engine.dispose()

    def _dirty(self, conn: Any, tables: list[Any]) -> list[Any]:
        """The tables a test may have changed: those holding rows, those whose id sequence was used (rows added,
        then deleted), and those the migrations seed (a test may have updated those rows). Truncating only these
        (one query to find them) keeps the database exactly as migrated at a fraction of the cost."""
        seeded = {name for name, rows in (self._seeded or {}).items() if rows}
        probes = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
        holding = set(conn.execute(text(probes)).scalars())
        used = conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL")
        ).scalars()
        sequences = {f"{t.name}_id_seq": t.name for t in tables}
        touched = holding | seeded | {sequences[s] for s in used if s in sequences}
        return [t for t in tables if t.name in touched]

    def _tables(self, engine: Engine) -> list[Any]:
        """The migrated tables but alembic_version, dependencies first: reflected once (it cost three quarters of
        lending a database), since every database of the pool is migrated to the same head."""
        if self._reflected is None:
            meta = MetaData()
            meta.reflect(engine)
            self._reflected = [t for t in meta.sorted_tables if t.name != "alembic_version"]
        return self._reflected

    def acquire(self) -> str:
        """URL of a clean, migrated database that nobody else uses until release()."""
        name = self._free.pop() if self._free else self._create()
        self._clean(name)
        return self.url(name)

    def release(self, url: str) -> None:
        dispose_engines()
        self._free.append(make_url(url).database or "")

    def drop_all(self) -> None:
        dispose_engines()
        with self._admin.connect() as conn:
            for name in self._all:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases | None]:
    """This worker's pool of PostgreSQL databases, or None when TEST_DATABASE_URL is not set."""
    if not PG_URL:
        yield None
        return
    pool = PgDatabases()
    yield pool
    pool.drop_all()


@contextmanager
def fresh_database(
    backend: str, directory: Path, sqlite_template: Path, pg_databases: PgDatabases | None
) -> Iterator[str]:
    """URL of a clean, migrated database of the backend for the duration of the block."""
    if backend == "sqlite":
        path = directory / "ogp.sqlite"
        shutil.copy(sqlite_template, path)
        try:
            yield f"sqlite:///{path}"
        finally:
            dispose_engines()
        return
    assert pg_databases is not None
    url = pg_databases.acquire()
    try:
        yield url
    finally:
        pg_databases.release(url)


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_databases: PgDatabases | None
) -> Iterator[str]:
    """URL of a clean, migrated, empty database for this test."""
    with fresh_database(request.param, tmp_path, sqlite_template, pg_databases) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_databases: PgDatabases | None,
) -> Iterator[str]:
    """URL of a clean, migrated database shared by one module's tests: only for tests that never write."""
    directory = tmp_path_factory.mktemp("module-db")
    with fresh_database(request.param, directory, sqlite_template, pg_databases) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Engine:
    """Engine on the fresh database of this test."""
    return get_engine(db_url)
