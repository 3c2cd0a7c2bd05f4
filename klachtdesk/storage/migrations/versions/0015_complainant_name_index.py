"""index: complainants by name, for the case list sorted by complainant

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

The case list sorted by complainant sorted every case to show the first screenful: 0.33 s at
1,000,000 cases. Ordered by name, complainant and case number, the first screenful is read
along this index and the cases' complainant index instead.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_complainants_name", "complainants", ["name"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_complainants_name", table_name="complainants")
