"""status layer: plan and commitment statuses stored per day

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 06:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_snapshot",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("data_stamp", sa.String(length=80), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_status_snapshot")),
    )
    op.create_table(
        "plan_status",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("submission_status", sa.String(length=30), nullable=False),
        sa.Column("submission_reason", sa.Text(), nullable=False),
        sa.Column("process_status", sa.String(length=30), nullable=False),
        sa.Column("process_reason", sa.Text(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("total_months", sa.Integer(), nullable=True),
        sa.Column("midterm", sa.Date(), nullable=True),
        sa.Column("elapsed_share", sa.Float(), nullable=True),
        sa.Column("position", sa.String(length=80), nullable=False),
        sa.Column("late_or_contrary", sa.Boolean(), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), nullable=False),
        sa.Column("commitments", sa.Integer(), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("high_completion", sa.Integer(), nullable=False),
        sa.Column("progress_share", sa.Float(), nullable=True),
        sa.Column("last_report_on", sa.Date(), nullable=True),
        sa.Column("schedule", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["action_plan.id"], name=op.f("fk_plan_status_plan_id_action_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("day", "plan_id", name=op.f("pk_plan_status")),
    )
    op.create_table(
        "commitment_status",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("delay_status", sa.String(length=20), nullable=False),
        sa.Column("delay_reason", sa.Text(), nullable=False),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("evidence_source", sa.String(length=20), nullable=True),
        sa.Column("evidence_as_of", sa.Date(), nullable=True),
        sa.Column("evidence_completion", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_commitment_status_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "commitment_id", name=op.f("pk_commitment_status")),
    )
    op.create_index("ix_commitment_status_day_delay_status", "commitment_status", ["day", "delay_status"])


def downgrade() -> None:
    op.drop_index("ix_commitment_status_day_delay_status", table_name="commitment_status")
    op.drop_table("commitment_status")
    op.drop_table("plan_status")
    op.drop_table("status_snapshot")
