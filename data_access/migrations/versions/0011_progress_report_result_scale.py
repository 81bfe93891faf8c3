"""progress_report.result_scale: which scale a report's result is on (early results or "did it open
government": both have "Outstanding"); filled for the values only one scale has

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# dashboard.domain.scales at this revision: the values only one of the two scales has.
ONLY_EARLY_RESULTS = ("No notable results", "Moderate", "Significant")
ONLY_DIOG = ("Worsens", "Did Not Change", "Marginal", "Major", "No early results to report yet", "Not Applicable")


def upgrade() -> None:
    with op.batch_alter_table("progress_report") as batch:
        batch.add_column(sa.Column("result_scale", sa.String(length=20), nullable=True))
    report = sa.table("progress_report", sa.column("result", sa.String), sa.column("result_scale", sa.String))
    bind = op.get_bind()
    bind.execute(sa.update(report).where(report.c.result.in_(ONLY_EARLY_RESULTS)).values(result_scale="early_results"))
    bind.execute(sa.update(report).where(report.c.result.in_(ONLY_DIOG)).values(result_scale="diog"))


def downgrade() -> None:
    with op.batch_alter_table("progress_report") as batch:
        batch.drop_column("result_scale")
