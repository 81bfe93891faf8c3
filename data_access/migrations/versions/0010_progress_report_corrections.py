"""progress_report.supersedes_id: a correction names the report it replaces (history kept, the replaced one no
longer counts)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_report") as batch:
        batch.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_progress_report_supersedes_id_progress_report"), "progress_report", ["supersedes_id"], ["id"]
        )
        batch.create_unique_constraint(op.f("uq_progress_report_supersedes_id"), ["supersedes_id"])


def downgrade() -> None:
    with op.batch_alter_table("progress_report") as batch:
        batch.drop_constraint(op.f("uq_progress_report_supersedes_id"), type_="unique")
        batch.drop_constraint(op.f("fk_progress_report_supersedes_id_progress_report"), type_="foreignkey")
        batch.drop_column("supersedes_id")
