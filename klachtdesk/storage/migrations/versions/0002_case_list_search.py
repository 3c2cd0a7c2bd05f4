"""case list: next deadline column and full-text search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The case list sorts by the next open deadline and searches ref, name, postcode, subject and
description as the user types. Both are answered by the database: a denormalised
``next_due`` column (kept by the service layer) and an FTS5 trigram index kept by triggers.
Note for later migrations: a batch (copy-and-move) migration of ``cases`` or
``complainants`` drops these triggers and must create them again (see ``TRIGGERS``).

On PostgreSQL the index is a table ``case_search`` kept by triggers as well: per case the
same text lower-cased (``haystack``, with a pg_trgm index where the server has pg_trgm:
substrings, as FTS5's trigram index finds them) and as Dutch words (``document``, a
tsvector with a GIN index).
"""

import sqlalchemy as sa
from alembic import op

from klachtdesk.storage.migration_sql import create_trigger, drop_trigger, on_postgresql

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
    if on_postgresql():
        _upgrade_postgresql()
        return
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "ref, name, postcode, subject, description, tokenize='trigram')"
    )
    op.execute(
        f"INSERT INTO case_search(rowid, ref, name, postcode, subject, description) {_INDEX_ROWS}"
    )
    for trigger in TRIGGERS:
        op.execute(trigger)


# PostgreSQL: one row per case, written by ``case_search_write`` whenever a case or its
# complainant changes what is searched.
_SEARCHED = (
    "concat_ws(' ', cases.ref, complainants.name, complainants.postcode, "
    "cases.subject, cases.description)"
)
PG_TRIGGERS = {
    "case_search_case": (
        "AFTER INSERT OR UPDATE OF ref, subject, description, complainant_id",
        "cases",
        "PERFORM case_search_write(NEW.id);",
    ),
    "case_search_complainant": (
        "AFTER UPDATE OF name, postcode",
        "complainants",
        "PERFORM case_search_write(cases.id) FROM cases WHERE cases.complainant_id = NEW.id;",
    ),
}


def _upgrade_postgresql() -> None:
    # pg_trgm comes with PostgreSQL's contrib package, which servers nearly always have; a
    # server without it searches the same text without an index.
    available = "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    trigram = op.get_bind().execute(sa.text(available)).first() is not None
    if trigram:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        """CREATE TABLE case_search (
            case_id INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
            haystack TEXT NOT NULL,
            document TSVECTOR NOT NULL
        )"""
    )
    op.execute(
        f"""CREATE FUNCTION case_search_write(target INTEGER) RETURNS void LANGUAGE sql AS $$
            INSERT INTO case_search (case_id, haystack, document)
            SELECT cases.id, lower({_SEARCHED}), to_tsvector('dutch', {_SEARCHED})
            FROM cases JOIN complainants ON complainants.id = cases.complainant_id
            WHERE cases.id = target
            ON CONFLICT (case_id) DO UPDATE
            SET haystack = excluded.haystack, document = excluded.document
        $$"""
    )
    op.execute("SELECT case_search_write(id) FROM cases")
    if trigram:
        op.execute(
            "CREATE INDEX ix_case_search_haystack ON case_search USING gin (haystack gin_trgm_ops)"
        )
    op.execute("CREATE INDEX ix_case_search_document ON case_search USING gin (document)")
    for name, (timing, table, body) in PG_TRIGGERS.items():
        create_trigger(name, timing, table, body)


def downgrade() -> None:
    if on_postgresql():
        for name, (_timing, table, _body) in PG_TRIGGERS.items():
            drop_trigger(name, table)
        op.execute("DROP TABLE IF EXISTS case_search")
        op.execute("DROP FUNCTION IF EXISTS case_search_write(INTEGER)")
        with op.batch_alter_table("cases") as batch_op:
            batch_op.drop_index("ix_cases_next_due")
            batch_op.drop_column("next_due_kind")
            batch_op.drop_column("next_due")
        return
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
