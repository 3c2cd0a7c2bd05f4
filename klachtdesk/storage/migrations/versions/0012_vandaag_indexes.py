"""indexes: a case's events by status and by kind, and the letters not yet sent

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Vandaag lists the decided cases whose decision letter has not been sent. At 100,000 cases
that read every event of 17,500 decided cases (about 270 ms from disk) and every letter row,
past its PDF, for the sending date (about 60 ms). These indexes answer both from the index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_case_status", "events", ["case_id", "to_status"], unique=False)
    op.create_index("ix_events_case_kind", "events", ["case_id", "kind"], unique=False)
    op.create_index(
        "ix_letters_unsent",
        "letters",
        ["case_id", "type", "created_at"],
        unique=False,
        sqlite_where=sa.text("sent_on IS NULL"),
        postgresql_where=sa.text("sent_on IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_letters_unsent", table_name="letters")
    op.drop_index("ix_events_case_kind", table_name="events")
    op.drop_index("ix_events_case_status", table_name="events")
