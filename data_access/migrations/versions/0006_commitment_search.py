"""commitment_search: the words search looks in, with SQLite's FTS5 table or PostgreSQL's tsvector index beside it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:30:00

The index is filled from the commitments already stored (data_access.search.rebuild).
"""

import sqlalchemy as sa
from alembic import op

from data_access import search

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitment_search",
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_commitment_search_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commitment_id", name=op.f("pk_commitment_search")),
    )
    bind = op.get_bind()
    for statement in search.create_index_sql(bind.dialect.name):
        bind.execute(sa.text(statement))
    search.rebuild(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in search.drop_index_sql(bind.dialect.name):
        bind.execute(sa.text(statement))
    op.drop_table("commitment_search")
