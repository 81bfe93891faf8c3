"""The test databases themselves: a database lent again after a test wrote to it comes back as freshly migrated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from data_access.db import bump_data_version, get_engine, read_meta, session_scope
from data_access.models import AppMeta, AuditEntry, Base, Member
from tests.conftest import BACKENDS, PgDatabases, fresh_database


def _row_counts(url: str) -> dict[str, int]:
    engine = get_engine(url)
    with engine.connect() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
        }


def _write(url: str) -> int:
    """Write a member, an audit entry and the data version; the new member's id."""
    with session_scope(get_engine(url)) as session:
        member = Member(code="ALB", name="Albania", region="Europe", member_type="National", status="Active")
        session.add(member)
        session.add(
            AuditEntry(at=dt.datetime(2024, 1, 1), username="t", action="a", entity="e", entity_id="1", field="f")
        )
        bump_data_version(session)
        session.flush()
        return member.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_tdb001_a_database_written_by_one_test_is_clean_for_the_next(
    backend: str, tmp_path: Path, sqlite_template: Path, pg_databases: PgDatabases | None
):
    with fresh_database(backend, tmp_path, sqlite_template, pg_databases) as url:
        fresh = _row_counts(url)
        fresh_meta = read_meta(get_engine(url))
        assert _write(url) == 1
        assert _row_counts(url)["member"] == 1
    # That test is over and its database went back; the next one gets a database as freshly migrated.
    (tmp_path / "again").mkdir()
    with fresh_database(backend, tmp_path / "again", sqlite_template, pg_databases) as again:
        if backend == "postgresql":
            assert again == url  # the same database, reused rather than created again
        assert _row_counts(again) == fresh
        assert read_meta(get_engine(again)) == fresh_meta
        assert "alembic_version" in inspect(get_engine(again)).get_table_names()
        with get_engine(again).connect() as conn:
            assert conn.scalar(select(func.count()).select_from(AppMeta)) == fresh["app_meta"]
        assert _write(again) == 1  # identities restarted


@pytest.mark.parametrize("backend", BACKENDS)
def test_tdb002_rows_added_then_deleted_still_leave_a_fresh_database(
    backend: str, tmp_path: Path, sqlite_template: Path, pg_databases: PgDatabases | None
):
    """A table a test emptied again is not clean yet: its id sequence moved on. The next test still gets id 1."""
    with fresh_database(backend, tmp_path, sqlite_template, pg_databases) as url:
        _write(url)
        with session_scope(get_engine(url)) as session:
            session.query(AuditEntry).delete()
            session.query(Member).delete()
    (tmp_path / "again").mkdir()
    with fresh_database(backend, tmp_path / "again", sqlite_template, pg_databases) as again:
        assert _row_counts(again)["member"] == 0
        assert _write(again) == 1
