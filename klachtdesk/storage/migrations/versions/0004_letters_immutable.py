"""a final letter is never changed: refuse UPDATE of a stored letter's PDF in the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The service layer has no path that changes a letter; this trigger makes that a property of
the database too. Recording it as sent (sent_on, sent_via) stays possible.
"""

from alembic import op

from klachtdesk.storage.migration_sql import create_trigger, drop_trigger, on_postgresql, refusal

REFUSED = "Een definitieve brief wordt nooit gewijzigd."

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if on_postgresql():
        timing = "BEFORE UPDATE OF pdf, sha256, type, case_id"
        create_trigger("letters_immutable", timing, "letters", refusal(REFUSED))
        return
    op.execute(
        """CREATE TRIGGER letters_immutable BEFORE UPDATE OF pdf, sha256, type, case_id
        ON letters BEGIN
            SELECT RAISE(ABORT, 'Een definitieve brief wordt nooit gewijzigd.');
        END"""
    )


def downgrade() -> None:
    if on_postgresql():
        drop_trigger("letters_immutable", "letters")
        return
    op.execute("DROP TRIGGER IF EXISTS letters_immutable")
