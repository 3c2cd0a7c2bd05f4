"""indexes: deadlines by state and due date with whether they are active, and by state and kind

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

Vandaag counts the overdue deadlines and those of this week. The index on (state, due) did
not say whether a deadline is active (a superseded one is history), so every counted
deadline's row was read: 8,000 rows at 1,000,000 cases, half a second from disk. With
``active`` in the index the count reads the index only. It replaces the index of 0007. The
appeals waiting for the directeur-bestuurder are open deadlines of one kind: by state and
kind they are found without reading every open deadline.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_deadlines_state_due_active", "deadlines", ["state", "due", "active"], unique=False
    )
    op.drop_index("ix_deadlines_state_due", table_name="deadlines")
    op.create_index("ix_deadlines_state_kind", "deadlines", ["state", "kind"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deadlines_state_kind", table_name="deadlines")
    op.create_index("ix_deadlines_state_due", "deadlines", ["state", "due"], unique=False)
    op.drop_index("ix_deadlines_state_due_active", table_name="deadlines")
