"""case list: next deadline column and full-text search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The case list sorts by the next open deadline and searches ref, name, postcode, subject and
description as the user types. Both are answered by the database: a denormalised
``next_due`` column (kept by the service layer) and an FTS5 trigram index kept by triggers.
Note for later migrations: a batch (copy-and-move) migration of ``cases`` or
``complainants`` drops these triggers and must create them again (see ``TRIGGERS``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_INDEX_ROWS = """
    SELECT cases.id, cases.ref, complainants.name, complainants.postcode,
           cases.subject, cases.description
    FROM cases JOIN complainants ON complainants.id = cases.complainant_id
"""

TRIGGERS = (
    f"""CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
        INSERT INTO case_search(rowid, ref, name, postcode, subject, description)
        {_INDEX_ROWS} WHERE cases.id = new.id;
    END""",
    f"""CREATE TRIGGER case_search_update
        AFTER UPDATE OF ref, subject, description, complainant_id ON cases BEGIN
        DELETE FROM case_search WHERE rowid = old.id;
        INSERT INTO case_search(rowid, ref, name, postcode, subject, description)
        {_INDEX_ROWS} WHERE cases.id = new.id;
    END""",
    """CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_search WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER case_search_complainant AFTER UPDATE OF name, postcode ON complainants
    BEGIN
        DELETE FROM case_search WHERE rowid IN (SELECT id FROM cases
                                                WHERE complainant_id = new.id);
        INSERT INTO case_search(rowid, ref, name, postcode, subject, description)
        {_INDEX_ROWS} WHERE cases.complainant_id = new.id;
    END""",
)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("next_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_due_kind", sa.String(length=30), nullable=True))
        batch_op.create_index("ix_cases_next_due", ["next_due"], unique=False)
    op.execute(
        """UPDATE cases SET
            next_due = (SELECT min(due) FROM deadlines d
                        WHERE d.case_id = cases.id AND d.active AND d.met_on IS NULL),
            next_due_kind = (SELECT kind FROM deadlines d
                             WHERE d.case_id = cases.id AND d.active AND d.met_on IS NULL
                             ORDER BY due LIMIT 1)
           WHERE status NOT IN ('gesloten', 'ingetrokken')"""
    )
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "ref, name, postcode, subject, description, tokenize='trigram')"
    )
    op.execute(
        f"INSERT INTO case_search(rowid, ref, name, postcode, subject, description) {_INDEX_ROWS}"
    )
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    for name in (
        "case_search_insert",
        "case_search_update",
        "case_search_delete",
        "case_search_complainant",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS case_search")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_next_due")
        batch_op.drop_column("next_due_kind")
        batch_op.drop_column("next_due")
