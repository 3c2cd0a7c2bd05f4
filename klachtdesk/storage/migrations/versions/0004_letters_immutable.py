"""a final letter is never changed: refuse UPDATE of a stored letter's PDF in the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The service layer has no path that changes a letter; this trigger makes that a property of
the database too. Recording it as sent (sent_on, sent_via) stays possible.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TRIGGER letters_immutable BEFORE UPDATE OF pdf, sha256, type, case_id
        ON letters BEGIN
            SELECT RAISE(ABORT, 'Een definitieve brief wordt nooit gewijzigd.');
        END"""
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS letters_immutable")
