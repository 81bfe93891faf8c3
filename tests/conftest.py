"""Shared fixtures: one fresh, migrated database per test (SQLite always, PostgreSQL when asked)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from data_access.db import dispose_engines, get_engine, migrate, normalise_url

REAL_SHEET = Path(__file__).resolve().parents[2] / "shared" / "data" / "ogp" / "ogp_commitments_europe_americas.csv"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def real_sheet() -> Path:
    """OGP's real commitments export (kept in ../shared, never copied into the repo)."""
    if not REAL_SHEET.exists():
        pytest.fail(f"the real OGP sheet is missing at {REAL_SHEET}")
    return REAL_SHEET


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate(f"sqlite:///{path}")
    dispose_engines()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated PostgreSQL template database, or None when TEST_DATABASE_URL is not set."""
    if not PG_URL:
        yield None
        return
    admin = _pg_admin_engine()
    name = f"ogp_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    dispose_engines()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _pg_admin_engine() -> Engine:
    return create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_template) -> Iterator[str]:
    """URL of a fresh, migrated, empty database for this test."""
    if request.param == "sqlite":
        path = tmp_path / "ogp.sqlite"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        dispose_engines()
        return
    admin = _pg_admin_engine()
    name = f"ogp_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def engine(db_url: str) -> Engine:
    """Engine on the fresh database of this test."""
    return get_engine(db_url)
