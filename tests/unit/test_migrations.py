"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from data_access.db import alembic_config, dispose_engines, get_engine
from data_access.models import Base
from data_access.search import is_modelled
from tests.builders import build


def test_mig001_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": is_modelled}), Base.metadata
        )
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


def test_mig003_known_from_is_the_report_date_for_published_reports_and_the_entry_day_otherwise(db_url):
    """Migration 0005 fills progress_report.known_from for the reports already stored."""
    build(
        get_engine(db_url),
        [
            {
                "code": "AAA",
                "name": "Aland",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_AAA01",
                        "submission_year": 2024,
                        "start": dt.date(2024, 9, 1),
                        "end": dt.date(2026, 8, 31),
                        "commitments": [{"ogp_id": "AA0001", "title": "A commitment"}],
                    }
                ],
            }
        ],
    )
    dispose_engines()
    command.downgrade(alembic_config(db_url), "0004")
    dispose_engines()
    engine = get_engine(db_url)
    with engine.begin() as conn:
        commitment_id = conn.execute(text("SELECT id FROM commitment")).scalar_one()
        rows = [
            (1, "2019-12-31", "irm_midterm", "import-ogp", "2026-11-30 10:00:00"),  # restated from OGP's sheet
            (2, "2025-06-01", "government", "sample", "2026-11-30 10:00:00"),  # the sample's history
            (3, "2026-03-01", "civil_society", "maria", "2026-11-02 16:30:00"),  # recorded here, backdated
            (4, "2026-11-20", "government", "import-progress", "2026-11-20 09:00:00"),  # imported the same day
        ]
        for report_id, as_of, source, who, at in rows:
            conn.execute(
                text(
                    "INSERT INTO progress_report (id, commitment_id, as_of, source, completion, recorded_by, "
                    "recorded_at) VALUES (:id, :commitment, :as_of, :source, 'Limited', :who, :at)"
                ),
                {
                    "id": report_id,
                    "commitment": commitment_id,
                    "as_of": dt.date.fromisoformat(as_of),
                    "source": source,
                    "who": who,
                    "at": dt.datetime.fromisoformat(at),
                },
            )
    dispose_engines()
    command.upgrade(alembic_config(db_url), "head")
    dispose_engines()
    with get_engine(db_url).connect() as conn:
        known = dict(conn.execute(text("SELECT id, known_from FROM progress_report")).all())
    assert {k: str(v)[:10] for k, v in known.items()} == {
        1: "2019-12-31",
        2: "2025-06-01",
        3: "2026-11-02",
        4: "2026-11-20",
    }
