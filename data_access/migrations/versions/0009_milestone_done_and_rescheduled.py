"""milestones marked done with evidence, or rescheduled keeping their original due date and the reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("milestone") as batch:
        batch.add_column(sa.Column("done_evidence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("original_due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reschedule_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("milestone") as batch:
        batch.drop_column("reschedule_reason")
        batch.drop_column("original_due_date")
        batch.drop_column("done_evidence")
