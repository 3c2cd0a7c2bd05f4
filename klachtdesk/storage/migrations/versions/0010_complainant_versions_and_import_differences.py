"""complainant versions: no lost update on a shared complainant; import differences kept apart

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

A complainant is shared by all of their cases, so two PCs could change one person through two
different cases, and the second save silently undid the first (issue 13, item 3). The row now
carries a version (SQLAlchemy's optimistic ``version_id_col``, as cases have had from the
start); ``complainant_changes`` records each change (who, when, through which case, which
fields: labels only, never values), so that a save based on an older view of the person is
refused with a message naming what changed meanwhile.

An import no longer writes over a known complainant's contact data (item 4): what a web form
brought that differs from the stored data waits in ``import_differences`` with the new case,
per field (the address as one field), until the coordinator takes it over or decides the
record is a different person. The imported values are personal data: they are deleted when
the case is anonymised.

Plain ``ALTER TABLE ADD COLUMN``: a batch (copy-and-move) migration of ``complainants`` would
drop the search index's trigger on it (see migration 0002).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "complainants",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_table(
        "complainant_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complainant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["complainant_id"], ["complainants.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_complainant_changes_complainant_id", "complainant_changes", ["complainant_id"]
    )
    op.create_table(
        "import_differences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("complainant_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("imported", sa.Text(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["complainant_id"], ["complainants.id"]),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_differences_case_id", "import_differences", ["case_id"])
    op.create_index(
        "ix_import_differences_complainant_id", "import_differences", ["complainant_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_import_differences_complainant_id", table_name="import_differences")
    op.drop_index("ix_import_differences_case_id", table_name="import_differences")
    op.drop_table("import_differences")
    op.drop_index("ix_complainant_changes_complainant_id", table_name="complainant_changes")
    op.drop_table("complainant_changes")
    op.drop_column("complainants", "version")
