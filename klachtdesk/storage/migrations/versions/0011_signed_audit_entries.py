"""signed audit entries: who signed each entry, the signature, and the grants it carries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Issue 13 item 2: every audit entry is signed with the Ed25519 key of the user who acted (kept
in that user's own key slot). A change of users or roles carries a *grant* (JSON) and counts
only when a beheerder whose own grant traces back to the first beheerder signed it. Entries
written before this revision stay unsigned; the first beheer login afterwards writes the
boundary entry ``ondertekening_ingevoerd``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(
            sa.Column("signer", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("signature", sa.String(length=128), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("grants", sa.Text(), nullable=False, server_default=""))
    # the few entries that change users or roles, read at every login
    op.create_index(
        "ix_audit_log_grants",
        "audit_log",
        ["id"],
        sqlite_where=sa.text("grants != ''"),
        postgresql_where=sa.text("grants != ''"),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_grants", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("grants")
        batch.drop_column("signature")
        batch.drop_column("signer")
