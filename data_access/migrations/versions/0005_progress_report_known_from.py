"""progress_report.known_from: the day a report became known, so /changes replays what was known on a past day

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:20:00

Reports restated from published sources (OGP's commitments sheet, the sample's history) were known from their
date; reports entered here (recorded or imported) from the day they were recorded.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RESTATED = ("import-ogp", "sample")  # data_access.ogp_sheet.upsert.RECORDED_BY, data_access.sample.RECORDED_BY


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    with op.batch_alter_table("progress_report") as batch:
        batch.add_column(sa.Column("known_from", sa.Date(), nullable=True))
    report = sa.table(
        "progress_report",
        sa.column("id", sa.Integer),
        sa.column("as_of", sa.Date),
        sa.column("recorded_by", sa.String),
        sa.column("recorded_at", sa.DateTime),
        sa.column("known_from", sa.Date),
    )
    bind = op.get_bind()
    bind.execute(sa.update(report).where(report.c.recorded_by.in_(RESTATED)).values(known_from=report.c.as_of))
    entered = bind.execute(
        sa.select(report.c.id, report.c.as_of, report.c.recorded_at).where(report.c.known_from.is_(None))
    ).all()
    if entered:
        bind.execute(
            sa.update(report).where(report.c.id == sa.bindparam("report_id")).values(known_from=sa.bindparam("day")),
            [{"report_id": i, "day": max(_day(as_of), _day(at))} for i, as_of, at in entered],
        )
    with op.batch_alter_table("progress_report") as batch:
        batch.alter_column("known_from", existing_type=sa.Date(), nullable=False)
        batch.create_index("ix_progress_report_known_from", ["known_from"])


def downgrade() -> None:
    with op.batch_alter_table("progress_report") as batch:
        batch.drop_index("ix_progress_report_known_from")
        batch.drop_column("known_from")
