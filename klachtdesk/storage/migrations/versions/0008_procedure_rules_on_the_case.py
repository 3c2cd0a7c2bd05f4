"""what the procedure's rules need to know about a case

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

The complainant's relation to the home (Livable: only a resident or owner may complain), the
complainant's claim that the matter was handled before and the new facts brought, the grounds
of an appeal, a satisfaction check that could not reach the complainant, and the recorded
reason for accepting a handler whose name matches the employee complained about.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (
    ("satisfaction_unreachable", sa.Boolean(), "0"),
    ("complainant_relation", sa.String(length=20), ""),
    ("repeat_claimed", sa.Boolean(), None),
    ("earlier_ref", sa.String(length=200), ""),
    ("new_facts", sa.Text(), ""),
    ("appeal_grounds", sa.Text(), ""),
    ("independence_note", sa.Text(), ""),
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind, default in COLUMNS:
            batch_op.add_column(
                sa.Column(name, kind, nullable=default is None, server_default=default)
            )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, _kind, _default in reversed(COLUMNS):
            batch_op.drop_column(name)
