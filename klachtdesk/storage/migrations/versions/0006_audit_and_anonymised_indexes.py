"""indexes: the audit log by time (newest first) and cases by anonymisation time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

The audit log window sorts by time, newest first; without an index a page of a log with
200,000 entries took 0.3–0.4 s, with it about 15 ms. The case list's change stamp also looks
at the newest anonymisation, so other PCs refresh after cases were anonymised.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_at", "audit_log", ["at", "id"], unique=False)
    op.create_index("ix_cases_anonymised_at", "cases", ["anonymised_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_anonymised_at", table_name="cases")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
