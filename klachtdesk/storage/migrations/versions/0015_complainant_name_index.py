"""index: complainants by name, for the case list sorted by complainant

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

The case list sorted by complainant sorted every case to show the first screenful: 0.33 s at
1,000,000 cases. Ordered by name, complainant and case number, the first screenful is read
along this index and the cases' complainant index instead. The names sort without regard to
capitals, so "Ahmed el Amrani" comes before "Ahmed Koster" (SQLite's NOCASE: A to Z).
PostgreSQL has no NOCASE: there the index is on the lower-cased name.
"""

from alembic import op

from klachtdesk.storage.migration_sql import on_postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if on_postgresql():
        op.execute("CREATE INDEX ix_complainants_name ON complainants (lower(name))")
        return
    op.execute("CREATE INDEX ix_complainants_name ON complainants (name COLLATE NOCASE)")


def downgrade() -> None:
    op.drop_index("ix_complainants_name", table_name="complainants")
