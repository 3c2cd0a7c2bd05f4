"""Final letters once stored: read back (after checking the SHA-256), copied, printed.

Nothing here changes a stored letter: there is no update path. Opening, copying and
printing are audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from klachtdesk.domain.errors import KlachtDeskError, ValidationError, os_reason
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.services.cases.cases import CaseNotFound, check_may_see
from klachtdesk.services.context import Context, audit, viewing
from klachtdesk.storage.models import Case, Letter, User


@dataclass(frozen=True)
class StoredLetter:
    id: int
    ref: str
    type: str
    label: str
    created_at: datetime
    created_by: str
    sent_on: date | None
    sent_via: str | None
    sha256: str
    size: int


def may_see(session: Session, ctx: Context, case: Case) -> None:
    """The case window's rule (``cases.check_may_see``)."""
    check_may_see(ctx, case)


def load_case(session: Session, ref: str, *parts: ORMOption) -> Case:
    """The case with this reference, or CaseNotFound (exit code 2 on the command line).

    ``parts`` are loader options for what the caller reads of the case, so that it comes in
    the same query (``joinedload(Case.complainant)``)."""
    query = select(Case).options(*parts).where(Case.ref == ref.strip().upper())
    case = session.scalars(query).unique().one_or_none()
    if case is None:
        raise CaseNotFound(ref)
    return case


def _verified(letter: Letter) -> bytes:
    data = letter.pdf
    if hashlib.sha256(data).hexdigest() != letter.sha256:
        raise KlachtDeskError(
            f"De opgeslagen brief {letter.id} is beschadigd of gewijzigd: de controlecode "
            "(SHA-256) klopt niet meer. De brief wordt niet getoond. Zet de nieuwste back-up "
            "terug of neem contact op met uw beheerder."
        )
    return data


def _stored(session: Session, ctx: Context, letter_id: int) -> tuple[Letter, Case]:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise ValidationError("brief", f"brief {letter_id} bestaat niet.")
    case = session.get(Case, letter.case_id)
    may_see(session, ctx, case)
    return letter, case


def letter_pdf(ctx: Context, letter_id: int) -> bytes:
    """A stored letter's PDF, after checking its SHA-256; the opening is audited."""
    with viewing(ctx) as session:
        letter, case = _stored(session, ctx, letter_id)
        data = _verified(letter)
        audit(session, ctx, "brief_geopend", case.ref, f"brief {letter.id}")
        return data


def _stored_query():
    return (
        select(
            Letter.id,
            Case.ref,
            Letter.type,
            Letter.created_at,
            User.display_name,
            Letter.sent_on,
            Letter.sent_via,
            Letter.sha256,
            func.length(Letter.pdf),
        )
        .join(Case, Case.id == Letter.case_id)
        .outerjoin(User, User.id == Letter.created_by_id)
        .order_by(Letter.id)
    )


def _stored_view(row) -> StoredLetter:
    kind = row[2]
    return StoredLetter(
        id=row[0],
        ref=row[1],
        type=kind,
        label=LETTER_TYPES[kind].label if kind in LETTER_TYPES else kind,
        created_at=row[3],
        created_by=row[4] or "",
        sent_on=row[5],
        sent_via=row[6],
        sha256=row[7],
        size=row[8] or 0,
    )


def stored_letters(ctx: Context, ref: str) -> list[StoredLetter]:
    """The final letters of a case, oldest first."""
    with ctx.db.session() as session:
        case = load_case(session, ref)
        may_see(session, ctx, case)
        rows = session.execute(_stored_query().where(Letter.case_id == case.id)).all()
    return [_stored_view(row) for row in rows]


def stored_letter(ctx: Context, letter_id: int) -> StoredLetter:
    """What is known about one final letter (not its content)."""
    with ctx.db.session() as session:
        _stored(session, ctx, letter_id)
        return _stored_view(session.execute(_stored_query().where(Letter.id == letter_id)).one())


def write_copy(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as error:
        raise KlachtDeskError(
            f"De brief kan niet worden opgeslagen in '{target}' ({os_reason(error)}). "
            "Kies een andere map."
        ) from None


def save_letter_as(ctx: Context, letter_id: int, target: Path | str) -> Path:
    """Write a verified copy of a stored letter to a file the user chose (audited)."""
    target = Path(target)
    with ctx.db.session(write=True) as session:
        letter, case = _stored(session, ctx, letter_id)
        write_copy(target, _verified(letter))
        audit(session, ctx, "brief_opgeslagen", case.ref, f"brief {letter.id}")
    return target


def record_printed(ctx: Context, ref: str, letter_id: int | None = None) -> None:
    """Audit that a letter (or, without an id, a draft) went to the printer."""
    with ctx.db.session(write=True) as session:
        case = load_case(session, ref)
        may_see(session, ctx, case)
        detail = f"brief {letter_id}" if letter_id is not None else "concept"
        audit(session, ctx, "brief_geprint", case.ref, detail)
