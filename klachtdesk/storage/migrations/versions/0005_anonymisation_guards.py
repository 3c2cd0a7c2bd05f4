"""anonymisation: letters are deleted only from an anonymised case; search rows leave no trace

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Anonymising a case past its retention period (SPEC §7, AVG) removes its letters. Migration
0004 already refuses any UPDATE of a letter; DELETE stays possible, but only for a letter
whose case is marked anonymised (``cases.anonymised_at``). The service marks the case first
and then deletes its letters in the same transaction, so that is the one path that removes a
final letter; a stray ``DELETE FROM letters`` by hand or by a bug is refused by the database.
Dropping the letters' foreign key (or a trigger that only checks a flag the caller sets)
would not give that guarantee.

The full-text index (case_search, FTS5, migration 0002) normally keeps a deleted row's
terms in its segments until they are merged. With FTS5's ``secure-delete`` option a delete
removes them at once; together with ``PRAGMA secure_delete`` (zeroed free space) the
complainant's name is then no longer anywhere in the database file.

On PostgreSQL the same guard is a trigger function; its search table (migration 0002) is an
ordinary table, whose old row versions the server's VACUUM removes.
"""

from alembic import op

from klachtdesk.storage.migration_sql import create_trigger, drop_trigger, on_postgresql, refusal

# One string literal in RAISE: older SQLite versions reject an expression there.
REFUSED = "Een definitieve brief wordt alleen verwijderd bij het anonimiseren van de zaak."

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if on_postgresql():
        create_trigger(
            "letters_delete_only_anonymised",
            "BEFORE DELETE",
            "letters",
            "IF (SELECT anonymised_at FROM cases WHERE id = OLD.case_id) IS NULL THEN\n"
            f"{refusal(REFUSED)}\nEND IF;",
            returns="OLD",
        )
        return
    op.execute(
        f"""CREATE TRIGGER letters_delete_only_anonymised BEFORE DELETE ON letters
        WHEN (SELECT anonymised_at FROM cases WHERE id = old.case_id) IS NULL
        BEGIN
            SELECT RAISE(ABORT, '{REFUSED}');
        END"""
    )
    op.execute("INSERT INTO case_search(case_search, rank) VALUES ('secure-delete', 1)")


def downgrade() -> None:
    if on_postgresql():
        drop_trigger("letters_delete_only_anonymised", "letters")
        return
    op.execute("INSERT INTO case_search(case_search, rank) VALUES ('secure-delete', 0)")
    op.execute("DROP TRIGGER IF EXISTS letters_delete_only_anonymised")
