"""deadline life cycle: open, met, missed, lapsed or superseded, and what settled it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Until this revision a decision met its deadline when it was taken, and deadlines of finished
cases simply stayed open (shown as years overdue). A deadline that promises the complainant an
answer is met when the letter is *sent* (SPEC §4), so existing deadlines are worked out again
from the letters recorded as sent (timeline events 'brief', which both a stored letter and a
letter sent outside KlachtDesk leave), and those of finished cases are settled: missed when
their day had passed, lapsed otherwise. The rules are written out here, frozen as they were
at this revision, so that a later change of the application cannot change this migration.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# letter type → the deadline kinds a sent letter of that type answers (at this revision)
ANSWERS = {
    "ontvangstbevestiging": ("ontvangstbevestiging",),
    "uitspraak": ("uitspraak", "ontvangstbevestiging", "verlengingsbericht"),
    "niet_ontvankelijk": ("ontvangstbevestiging",),
    "doorverwijzing": ("ontvangstbevestiging",),
    "reactie_directeur": ("heroverweging",),
    "verlenging": ("verlengingsbericht",),
}
LETTER_LABELS = {
    "ontvangstbevestiging": "Ontvangstbevestiging",
    "uitspraak": "Brief met de uitspraak",
    "niet_ontvankelijk": "Niet-ontvankelijkverklaring",
    "doorverwijzing": "Doorverwijzing",
    "reactie_directeur": "Reactie directeur-bestuurder",
    "verlenging": "Bericht van verlenging",
}
# status a case reached → why its remaining deadlines no longer apply, and which kinds
ENDINGS = {
    "niet_ontvankelijk": ("niet ontvankelijk verklaard", ("uitspraak", "verlengingsbericht")),
    "doorverwezen": ("doorverwezen als melding", ("uitspraak", "verlengingsbericht")),
    "ingetrokken": ("ingetrokken door de klager", None),
    "geschil": ("voorgelegd aan de externe instantie", None),
    "gesloten": ("zaak gesloten", None),
}


def _day(value) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=20), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("settled_by", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index("ix_deadlines_state_due", ["state", "due"], unique=False)

    bind = op.get_bind()
    sent: dict[int, list[tuple[date, str]]] = {}
    for case_id, data in bind.execute(
        sa.text("SELECT case_id, data FROM events WHERE kind = 'brief' ORDER BY id")
    ):
        values = json.loads(data or "{}")
        day = _day(values.get("verzonden"))
        if day is not None and values.get("brief") in ANSWERS:
            sent.setdefault(case_id, []).append((day, values["brief"]))
    endings: dict[int, list[tuple[date, str]]] = {}
    for case_id, at, to_status in bind.execute(
        sa.text("SELECT case_id, at, to_status FROM events WHERE to_status IS NOT NULL ORDER BY id")
    ):
        endings.setdefault(case_id, []).append((_day(at), to_status))

    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.case_id, d.kind, d.start, d.due, d.active, c.status "
            "FROM deadlines d JOIN cases c ON c.id = d.case_id ORDER BY d.id"
        )
    ).all()
    # when an extension replaced a row: the next row of the same case and kind was made then
    made = {
        row_id: _day(created)
        for row_id, created in bind.execute(sa.text("SELECT id, created_at FROM deadlines"))
    }
    series: dict[tuple[int, str], list[int]] = {}
    for row_id, case_id, kind, *_rest in rows:
        series.setdefault((case_id, kind), []).append(row_id)
    updates = []
    for row_id, case_id, kind, start, due, active, _status in rows:
        start, due = _day(start), _day(due)
        if not active:
            later = [other for other in series[(case_id, kind)] if other > row_id]
            on = made[later[0]] if later else None
            updates.append((row_id, "superseded", None, on, "vervangen door verlenging"))
            continue
        answers = sorted(
            (day, letter)
            for day, letter in sent.get(case_id, [])
            if kind in ANSWERS[letter] and day >= start
        )
        if answers:
            day, letter = answers[0]
            state = "met" if day <= due else "missed"
            updates.append((row_id, state, day, day, f"{LETTER_LABELS[letter]} verzonden"))
            continue
        settled = None
        for day, status in endings.get(case_id, []):
            if status in ENDINGS and (ENDINGS[status][1] is None or kind in ENDINGS[status][1]):
                settled = (day, ENDINGS[status][0])
                break
            if status == "afgehandeld" and kind == "ontvangstbevestiging" and day > due:
                settled = (day, "uitspraak gedaan zonder ontvangstbevestiging")
                break
        if settled is None:
            updates.append((row_id, "open", None, None, ""))
            continue
        day, reason = settled
        if day > due:
            updates.append((row_id, "missed", None, day, f"niet op tijd beantwoord; {reason}"))
        else:
            updates.append((row_id, "lapsed", None, day, reason))
    statement = sa.text(
        "UPDATE deadlines SET state = :state, met_on = :met_on, settled_on = :settled_on, "
        "settled_by = :settled_by WHERE id = :id"
    )
    if updates:
        bind.execute(
            statement,
            [
                {
                    "id": row_id,
                    "state": state,
                    "met_on": met_on.isoformat() if met_on else None,
                    "settled_on": settled_on.isoformat() if settled_on else None,
                    "settled_by": settled_by,
                }
                for row_id, state, met_on, settled_on, settled_by in updates
            ],
        )
    # the cases' next open deadline, which the list sorts on, from the open ones only
    bind.execute(
        sa.text(
            "UPDATE cases SET "
            "next_due = (SELECT min(due) FROM deadlines d WHERE d.case_id = cases.id "
            "AND d.state = 'open'), "
            "next_due_kind = (SELECT kind FROM deadlines d WHERE d.case_id = cases.id "
            "AND d.state = 'open' ORDER BY due, id LIMIT 1)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_state_due")
        batch_op.drop_column("settled_by")
        batch_op.drop_column("settled_on")
        batch_op.drop_column("state")
