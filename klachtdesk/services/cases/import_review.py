"""Contact data an import brought for a known complainant (issue 13, item 4).

An import never writes over a stored complainant's contact data: a web form can carry anyone's
name and e-mail address. What differs waits with the new case, per field (the address as one
field). The coordinator takes a field over (audited, with the same optimistic versioning as
every change of the person), or decides the record is someone else and gives the case a
complainant of its own, made from the imported record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.contact import BY_KEY, CONTACT_FIELDS, ContactField, shown, values_of
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import ACTIVITY_STATES, Activity, Status
from klachtdesk.domain.validation import ComplainantInput
from klachtdesk.services.cases import complainants
from klachtdesk.services.cases.cases import editing, finish_change
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Case, Complainant, ImportDifference

ACCEPTED = "overgenomen"
NEW_COMPLAINANT = "nieuwe_klager"
ACCEPT_EVENT = "importgegevens_overgenomen"
NEW_COMPLAINANT_EVENT = "nieuwe_klager"
MAY_DECIDE = "Alleen de klachtencoördinator beslist over gegevens uit een import."
# What was just done: the case window's message line and the `case` command say the same.
ACCEPTED_SENTENCE = "De gegevens uit de import zijn overgenomen."
NEW_COMPLAINANT_SENTENCE = "De zaak heeft nu een eigen klager, met de gegevens uit de import."


@dataclass(frozen=True)
class DifferenceView:
    """One field in which the import said something else: as it came in, and as stored now."""

    field: str
    label: str
    imported: str
    current: str


def person_values(person: Complainant) -> dict[str, Any]:
    return {column: getattr(person, column) for item in CONTACT_FIELDS for column in item.columns}


def open_differences(session: Session, case: Case) -> list[ImportDifference]:
    rows = session.scalars(
        select(ImportDifference).where(
            ImportDifference.case_id == case.id, ImportDifference.resolution == ""
        )
    ).all()
    order = [item.key for item in CONTACT_FIELDS]
    return sorted(rows, key=lambda row: order.index(row.field))


def difference_views(session: Session, case: Case) -> list[DifferenceView]:
    """What the case window and ``klachtdesk case --json`` list."""
    current = person_values(case.complainant)
    return [
        DifferenceView(
            item.key,
            item.label,
            shown(item, json.loads(row.imported)),
            shown(item, values_of(item, current)),
        )
        for row in open_differences(session, case)
        for item in (BY_KEY[row.field],)
    ]


def field_named(name: str) -> ContactField:
    key = str(name or "").strip().lower().replace("-", "")
    if key not in BY_KEY:
        keys = ", ".join(BY_KEY)
        raise ValidationError("veld", f"'{name}' is geen gegeven uit een import; kies uit: {keys}.")
    return BY_KEY[key]


def may_decide(ctx: Context, status: str) -> bool:
    """Whether this user may take imported data over (or make a new complainant) on a case
    in ``status``: the coordinator, wherever the case's data may still be changed."""
    allowed = ACTIVITY_STATES[Activity.GEGEVENS_WIJZIGEN]
    return Role.COORDINATOR in ctx.actor.roles and Status(status) in allowed


def _check(ctx: Context, case: Case) -> None:
    if Role.COORDINATOR not in ctx.actor.roles:
        raise NotAllowed(MAY_DECIDE)
    status = Status(case.status)
    if status not in ACTIVITY_STATES[Activity.GEGEVENS_WIJZIGEN]:
        raise NotAllowed(f"Dit is niet mogelijk bij een zaak met status '{status.label}'.")


def waiting(ctx: Context, refs: list[str]) -> list[tuple[str, list[str]]]:
    """Of these (just imported) cases, those with differences waiting: (ref, field labels),
    in the order of ``refs``. Labels only: the values are personal data."""
    found: dict[str, list[str]] = {}
    with ctx.db.session() as session:
        for start in range(0, len(refs), 500):
            rows = session.execute(
                select(Case.ref, ImportDifference.field)
                .join(Case, Case.id == ImportDifference.case_id)
                .where(Case.ref.in_(refs[start : start + 500]), ImportDifference.resolution == "")
                .order_by(ImportDifference.id)
            )
            for ref, key in rows:
                found.setdefault(ref, []).append(BY_KEY[key].label)
    return [(ref, found[ref]) for ref in refs if ref in found]


def _resolve(row: ImportDifference, ctx: Context, resolution: str) -> None:
    """Done with: the imported values are not kept (they are in the person now, or not
    wanted); the timeline and the audit log say what was decided."""
    row.resolution = resolution
    row.resolved_at = ctx.now()
    row.resolved_by_id = ctx.actor.user_id
    row.imported = row.record = "{}"


def accept_imported(
    ctx: Context,
    ref: str,
    field: str,
    expected_version: int | None = None,
    complainant_version: int | None = None,
) -> int:
    """Take one field of the imported record over into the complainant (for all their
    cases); returns the case's new version."""
    item = field_named(field)
    with editing(ctx, ref, expected_version) as (session, case):
        _check(ctx, case)
        row = next((r for r in open_differences(session, case) if r.field == item.key), None)
        if row is None:
            raise NotAllowed(
                f"Bij deze zaak is voor {item.label} geen ander gegeven uit de import (meer) om "
                "over te nemen."
            )
        person = case.complainant
        complainants.check_version(session, person, complainant_version)
        imported = json.loads(row.imported)
        # The whole person must stay valid (an address complete, an e-mail address for
        # letters by e-mail), as in the case window.
        merged = {**person_values(person), **imported, "name": person.name}
        ComplainantInput.validated(merged)
        for column, value in imported.items():
            setattr(person, column, value)
        _resolve(row, ctx, ACCEPTED)
        version = finish_change(
            session, ctx, case, ACCEPT_EVENT, audit_detail=item.key, veld=item.key
        )
        complainants.record_change(session, ctx, person, case, [item.label])
        return version


def new_complainant(ctx: Context, ref: str, expected_version: int | None = None) -> int:
    """The imported record is someone else: the case gets a complainant of its own, made from
    that record; the known complainant and their other cases stay as they are."""
    with editing(ctx, ref, expected_version) as (session, case):
        _check(ctx, case)
        rows = open_differences(session, case)
        if not rows:
            raise NotAllowed(
                f"Bij zaak {case.ref} kwamen bij de import geen andere gegevens binnen; de "
                "klager blijft wie KlachtDesk kent."
            )
        record = ComplainantInput.validated(json.loads(rows[0].record))
        person = Complainant(
            name=record.name,
            salutation=record.salutation.value,
            street=record.street,
            postcode=record.postcode,
            city=record.city,
            phone=record.phone,
            email=record.email,
            member_number=record.member_number,
            prefers_email=record.prefers_email,
            created_at=ctx.now(),
        )
        session.add(person)
        case.complainant = person
        for row in rows:
            _resolve(row, ctx, NEW_COMPLAINANT)
        return finish_change(session, ctx, case, NEW_COMPLAINANT_EVENT, audit_detail="na import")
