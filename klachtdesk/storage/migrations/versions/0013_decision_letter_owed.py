"""cases.letter_owed: the decision letter of a decided case is not yet recorded as sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

Vandaag lists decided cases whose decision letter has not gone out. Finding them read every
decided case with its events: 17,500 cases at 100,000 (a quarter of a second and 100 MiB of
page cache), 175,000 at 1,000,000 (five seconds). The database now keeps the answer on the
case, worked out by triggers with the same rule whenever a case's status or its events
change, so Vandaag reads only the few marked cases (and still checks each against the rule).

The rule, as services.cases.agenda states it: the case's status is one that owes a letter,
and no "brief" event recording that letter as sent ("verzonden" not null) follows the newest
event that brought the case into that status.
"""

import sqlalchemy as sa
from alembic import op

from klachtdesk.storage.migration_sql import create_trigger, drop_trigger, on_postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# services.cases.cases.OWED_LETTERS as of this revision (a test keeps the two in step)
OWED_LETTERS = {
    "afgehandeld": "uitspraak",
    "afgehandeld_directeur": "reactie_directeur",
    "niet_ontvankelijk": "niet_ontvankelijk",
    "doorverwezen": "doorverwijzing",
}
_STATUSES = ", ".join(f"'{status}'" for status in OWED_LETTERS)
_LETTER = (
    "CASE cases.status "
    + " ".join(f"WHEN '{status}' THEN '{letter}'" for status, letter in OWED_LETTERS.items())
    + " END"
)
OWED_NOW = f"""(cases.status IN ({_STATUSES}) AND NOT EXISTS (
    SELECT 1 FROM events AS sent
    WHERE sent.case_id = cases.id AND sent.kind = 'brief'
      AND sent.id > (SELECT max(decision.id) FROM events AS decision
                     WHERE decision.case_id = cases.id AND decision.to_status = cases.status)
      AND sent.data LIKE '%"brief": "' || {_LETTER} || '"%'
      AND sent.data NOT LIKE '%"verzonden": null%'))"""


def _recompute(case_id: str) -> str:
    return f"UPDATE cases SET letter_owed = {OWED_NOW} WHERE cases.id = {case_id};"


TRIGGERS = {
    "cases_letter_owed_insert": f"AFTER INSERT ON cases BEGIN {_recompute('new.id')} END",
    "cases_letter_owed_status": (
        f"AFTER UPDATE OF status ON cases BEGIN {_recompute('new.id')} END"
    ),
    "events_letter_owed_insert": (
        "AFTER INSERT ON events WHEN new.kind = 'brief' OR new.to_status IS NOT NULL "
        f"BEGIN {_recompute('new.case_id')} END"
    ),
    "events_letter_owed_update": (
        f"AFTER UPDATE ON events BEGIN {_recompute('old.case_id')} {_recompute('new.case_id')} END"
    ),
    "events_letter_owed_delete": f"AFTER DELETE ON events BEGIN {_recompute('old.case_id')} END",
}


# PostgreSQL: the same triggers, each calling ``letter_owed_write`` (the rule above).
PG_TRIGGERS = {
    "cases_letter_owed": (
        "AFTER INSERT OR UPDATE OF status", "cases", "", "PERFORM letter_owed_write(NEW.id);"
    ),
    "events_letter_owed_insert": (
        "AFTER INSERT", "events", "NEW.kind = 'brief' OR NEW.to_status IS NOT NULL",
        "PERFORM letter_owed_write(NEW.case_id);",
    ),
    "events_letter_owed_update": (
        "AFTER UPDATE", "events", "",
        "PERFORM letter_owed_write(OLD.case_id);\nPERFORM letter_owed_write(NEW.case_id);",
    ),
    "events_letter_owed_delete": (
        "AFTER DELETE", "events", "", "PERFORM letter_owed_write(OLD.case_id);"
    ),
}  # fmt: skip


def upgrade() -> None:
    default = sa.false() if on_postgresql() else sa.text("0")
    op.add_column(
        "cases", sa.Column("letter_owed", sa.Boolean(), nullable=False, server_default=default)
    )
    op.execute(f"UPDATE cases SET letter_owed = {OWED_NOW}")
    op.create_index("ix_cases_letter_owed", "cases", ["letter_owed"], unique=False)
    if on_postgresql():
        op.execute(
            "CREATE FUNCTION letter_owed_write(target INTEGER) RETURNS void LANGUAGE sql AS "
            f"$$ {_recompute('target')} $$"
        )
        for name, (timing, table, when, body) in PG_TRIGGERS.items():
            create_trigger(name, timing, table, body, when=when)
        return
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if on_postgresql():
        for name, (_timing, table, _when, _body) in PG_TRIGGERS.items():
            drop_trigger(name, table)
        op.execute("DROP FUNCTION IF EXISTS letter_owed_write(INTEGER)")
        op.drop_index("ix_cases_letter_owed", table_name="cases")
        op.drop_column("cases", "letter_owed")
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_cases_letter_owed", table_name="cases")
    op.execute("ALTER TABLE cases DROP COLUMN letter_owed")  # no batch: it would drop triggers
