"""evaluations: the periodic evaluation as held (date, who took part) with its report

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Livable §7: at least twice a year an overview of the complaints, an evaluation and action
points. A held evaluation keeps the report PDF it was held on (with its SHA-256), so what was
discussed stays the same when later corrections change the figures.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("report_pdf", sa.LargeBinary(), nullable=False),
        sa.Column("report_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period"),
    )


def downgrade() -> None:
    op.drop_table("evaluations")
