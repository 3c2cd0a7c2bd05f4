"""One complainant, several cases, several PCs: every change of the person is versioned.

A complainant's data is shared by all their cases, so the case's own version cannot protect
it: a window showing case 2 knows nothing of a change made through case 1. The complainant
row has a version of its own; a change based on an older view of the person is refused with
the same kind of message as a stale change of a case, naming who changed what, when, and
through which case (``ComplainantChange``, labels only, never values).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import ConflictError
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Case, Complainant, ComplainantChange, User

# The complainant's own fields → Dutch label, in the order the timeline lists what changed.
FIELD_LABELS = {
    "salutation": "aanhef",
    "name": "naam",
    "street": "straat",
    "postcode": "postcode",
    "city": "plaats",
    "phone": "telefoon",
    "email": "e-mail",
    "member_number": "huurdernummer",
    "prefers_email": "voorkeur e-mail",
}


def check_version(session: Session, complainant: Complainant, expected: int | None) -> None:
    """Refuse a change based on version ``expected`` when the person changed since then
    (None: the caller shows no version, as the command line, and the change applies to the
    person as stored now)."""
    if expected is None or complainant.version == expected:
        return
    rows = session.execute(
        select(ComplainantChange.at, ComplainantChange.fields, Case.ref, User.display_name)
        .outerjoin(Case, Case.id == ComplainantChange.case_id)
        .outerjoin(User, User.id == ComplainantChange.user_id)
        .where(
            ComplainantChange.complainant_id == complainant.id,
            ComplainantChange.version > expected,
        )
        .order_by(ComplainantChange.version)
    ).all()
    changes = "; ".join(
        f"{at:%d-%m-%Y %H:%M} {fields} gewijzigd"
        + (f" bij zaak {ref}" if ref else "")
        + f" door {who or 'onbekend'}"
        for at, fields, ref, who in rows
    )
    raise ConflictError(
        "De gegevens van de klager zijn intussen gewijzigd op een andere computer"
        + (f" ({changes})" if changes else "")
        + ". Uw wijziging is niet opgeslagen; open de zaak opnieuw en voer de wijziging nog "
        "eens in."
    )


def record_change(
    session: Session, ctx: Context, complainant: Complainant, case: Case | None, labels: list[str]
) -> None:
    """Note who changed which fields of the person (after the change is written: the row's
    version has gone up by one)."""
    session.flush()
    session.add(
        ComplainantChange(
            complainant_id=complainant.id,
            version=complainant.version,
            at=ctx.now(),
            user_id=ctx.actor.user_id,
            case_id=case.id if case is not None else None,
            fields=", ".join(labels),
        )
    )
