"""API tokens: a token is a server-side session of kind 'api' (revocable, hashed, with an expiry and a label)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:10:00

Browser sessions keep kind 'browser'. A session's id is only ever accepted for its own kind: a browser cookie
cannot be replayed as a bearer token, nor a token as a cookie.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=10), server_default="browser", nullable=False))
        batch.add_column(sa.Column("label", sa.String(length=80), nullable=True))
        batch.create_check_constraint(op.f("ck_user_session_kind"), "kind IN ('browser', 'api')")


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_constraint(op.f("ck_user_session_kind"), type_="check")
        batch.drop_column("label")
        batch.drop_column("kind")
