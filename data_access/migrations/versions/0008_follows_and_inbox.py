"""follows, the inbox and e-mail digests: follow, status_seen, status_change, inbox_event; app_user's e-mail,
digest frequency and last digest

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("digest", sa.String(length=10), server_default="off", nullable=False))
        batch.add_column(sa.Column("digest_sent_at", sa.DateTime(), nullable=True))
        batch.create_check_constraint(op.f("ck_app_user_digest"), "digest IN ('off', 'daily', 'weekly')")
    op.create_table(
        "follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.CheckConstraint("kind IN ('member', 'action_plan', 'commitment')", name=op.f("ck_follow_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_follow_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow")),
        sa.UniqueConstraint("user_id", "kind", "ref", name="uq_follow_user_kind_ref"),
    )
    op.create_index("ix_follow_user_id", "follow", ["user_id"])
    op.create_table(
        "status_seen",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "entity_id", name=op.f("pk_status_seen")),
    )
    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=40), nullable=False),
        sa.Column("before", sa.String(length=40), nullable=False),
        sa.Column("after", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    op.create_index("ix_status_change_entity_id", "status_change", ["entity_id"])
    op.create_index("ix_status_change_day", "status_change", ["day"])
    op.create_table(
        "inbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_inbox_event_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_event")),
        sa.UniqueConstraint("user_id", "key", name="uq_inbox_event_user_key"),
    )
    op.create_index("ix_inbox_event_user_id_id", "inbox_event", ["user_id", "id"])


def downgrade() -> None:
    op.drop_table("inbox_event")
    op.drop_table("status_change")
    op.drop_table("status_seen")
    op.drop_table("follow")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_digest"), type_="check")
        batch.drop_column("digest_sent_at")
        batch.drop_column("digest")
        batch.drop_column("email")
