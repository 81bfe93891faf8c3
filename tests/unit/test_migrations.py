"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from data_access.db import alembic_config, dispose_engines, get_engine
from data_access.models import Base


def test_mig001_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_mig002_downgrade_to_base_and_up_again(db_url):
    command.downgrade(alembic_config(db_url), "base")
    dispose_engines()
    assert set(inspect(get_engine(db_url)).get_table_names()) <= {"alembic_version"}
    command.upgrade(alembic_config(db_url), "head")
    dispose_engines()
    assert {"commitment", "progress_report", "app_user", "audit_entry"} <= set(
        inspect(get_engine(db_url)).get_table_names()
    )
