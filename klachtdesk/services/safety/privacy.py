"""Privacy (AVG, SPEC §7): closed cases past the retention period, and anonymising them.

Anonymising keeps what the evaluation report counts (dates, channel, category, department,
admissibility, outcome, the timeline's kinds and status changes, deadlines, procedure
version) and removes everything that says who complained or what about: the complainant's
name and contact data, all free text, the employee the complaint was about, attachments and
letters. The inzageverzoek export lives in ``privacy_export`` and is re-exported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.orm import Session

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import FINISHED_STATES, Action, Status
from klachtdesk.services.admin.settings import read_all
from klachtdesk.services.cases.cases import CaseNotFound
from klachtdesk.services.context import Context, audit
from klachtdesk.services.safety.privacy_export import (
    InzageExport,
    find_complainants,
    inzage_export,
)
from klachtdesk.storage.models import (
    Attachment,
    Case,
    Category,
    Complainant,
    ComplainantChange,
    Event,
    ImportDifference,
    Letter,
)

__all__ = [
    "ANONYMISED",
    "InzageExport",
    "RetentionRow",
    "anonymise",
    "find_complainants",
    "inzage_export",
    "may_manage",
    "retention_due",
    "retention_years",
]

ANONYMISED = "[geanonimiseerd]"
BATCH_SIZE = 25  # cases per transaction: short transactions for the other PCs on the file
_FINISHED = [status.value for status in FINISHED_STATES]

# Timeline data that stays after anonymising: codes, dates, numbers and staff names, never
# free text (an explanation, a report, a referral, a file name can all name someone).
# Anything not listed here is removed, so a field added later is removed by default.
_KEPT_EVENT_DATA = frozenset(
    {
        "kanaal",
        "uitkomst",
        "ontvangen",
        "termijn",
        "voorgelegd",
        "oud",
        "nieuw",
        "brief",
        "verzonden",
        "via",
        "briefnummer",
        "sjabloon",
        "datum",
        "tevreden",
        "grootte",
        "velden",  # the Dutch labels of the fields that changed, never their values
        "behandelaar",  # the staff member who handled the case, as handler_id keeps it too
    }
)
# 'reden' is a code for a refusal but free text for an extension.
_KEPT_PER_KIND = {Action.NIET_ONTVANKELIJK.value: frozenset({"reden"})}


@dataclass(frozen=True)
class RetentionRow:
    """A closed case whose retention period has ended. Holds no personal data."""

    ref: str
    received: date
    status: str
    closed_on: date  # the day it was closed or withdrawn
    category: str
    retention_ended: date  # closed_on + the retention period
    years_since_closing: int


def may_manage(ctx: Context) -> bool:
    """Retention, anonymising and the inzageverzoek are the administrator's (SPEC §1)."""
    return Role.BEHEER in ctx.actor.roles


def retention_years(ctx: Context) -> int:
    """The retention period setting: years after closing (SPEC §7)."""
    with ctx.db.session() as session:
        return int(read_all(session)["retention.years_after_closing"])


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year + years, day=28)


def _full_years(start: date, end: date) -> int:
    years = end.year - start.year
    return years - 1 if (end.month, end.day) < (start.month, start.day) else years


def _finished_at():
    """The moment the case entered a finished state (for a withdrawal without closing)."""
    return (
        select(func.max(Event.at))
        .where(Event.case_id == Case.id, Event.to_status.in_(_FINISHED))
        .scalar_subquery()
    )


def _closing_date(closed_on: date | None, finished_at, updated_at) -> date:
    if closed_on is not None:
        return closed_on
    return (finished_at or updated_at).date()


def _due_rows(session: Session, today: date, years: int) -> list[RetentionRow]:
    # Closing comes after receipt, so only cases received before the cut-off can be due:
    # an index range instead of a scan of every closed case.
    cutoff = _add_years(today, -years)
    rows = session.execute(
        select(
            Case.ref,
            Case.received,
            Case.status,
            Case.closed_on,
            _finished_at(),
            Case.updated_at,
            Category.name,
        )
        .outerjoin(Category, Category.id == Case.category_id)
        .where(
            Case.status.in_(_FINISHED),
            Case.anonymised_at.is_(None),
            Case.received < cutoff,
        )
        .order_by(Case.year, Case.seq)
    ).all()
    result = []
    for ref, received, status, closed_on, finished_at, updated_at, category in rows:
        closing = _closing_date(closed_on, finished_at, updated_at)
        ended = _add_years(closing, years)
        if ended < today:
            result.append(
                RetentionRow(
                    ref=ref,
                    received=received,
                    status=status,
                    closed_on=closing,
                    category=category or "",
                    retention_ended=ended,
                    years_since_closing=_full_years(closing, today),
                )
            )
    return result


def retention_due(ctx: Context) -> list[RetentionRow]:
    """Closed cases whose retention period (years after closing) ended before today and that
    are not anonymised yet, oldest reference first."""
    ctx.actor.require(Role.BEHEER, what="de bewaartermijn bekijken")
    with ctx.db.session() as session:
        years = int(read_all(session)["retention.years_after_closing"])
        return _due_rows(session, ctx.today(), years)


def _retention_end(session: Session, case: Case, years: int) -> date | None:
    """The last day of one case's retention period; None while it is not finished."""
    if Status(case.status) not in FINISHED_STATES:
        return None
    finished_at = None
    if case.closed_on is None:
        finished_at = session.scalar(
            select(func.max(Event.at)).where(
                Event.case_id == case.id, Event.to_status.in_(_FINISHED)
            )
        )
    return _add_years(_closing_date(case.closed_on, finished_at, case.updated_at), years)


def _why_not_due(session: Session, ref: str, years: int) -> str:
    case = session.scalar(select(Case).where(Case.ref == ref))
    if case is None:
        raise CaseNotFound(ref)
    if case.anonymised_at is not None:
        return f"Zaak {ref} is al geanonimiseerd."
    ended = _retention_end(session, case, years)
    if ended is None:
        return f"Zaak {ref} is nog niet gesloten; alleen gesloten zaken worden geanonimiseerd."
    return (
        f"De bewaartermijn van zaak {ref} loopt nog tot en met {long_date(ended)}; "
        "de zaak kan daarna worden geanonimiseerd."
    )


def anonymise(ctx: Context, refs: list[str]) -> int:
    """Anonymise cases past their retention period; returns how many were anonymised.

    Only cases that ``retention_due`` lists are accepted: if any other is asked for, nothing
    is changed and a Dutch message says why. Works in short transactions of
    ``BATCH_SIZE`` cases; each case gets an audit entry 'zaak_geanonimiseerd'.
    """
    ctx.actor.require(Role.BEHEER, what="zaken anonimiseren")
    wanted = list(dict.fromkeys(ref.strip().upper() for ref in refs if ref.strip()))
    if not wanted:
        return 0
    today = ctx.today()
    with ctx.db.session() as session:
        years = int(read_all(session)["retention.years_after_closing"])
        due = {row.ref for row in _due_rows(session, today, years)}
        refused = [ref for ref in wanted if ref not in due]
        if refused:
            reason = _why_not_due(session, refused[0], years)
            more = len(refused) - 1
            if more == 1:
                reason += " Ook één andere gekozen zaak kan nog niet worden geanonimiseerd."
            elif more:
                reason += f" Ook {more} andere gekozen zaken kunnen nog niet worden geanonimiseerd."
            raise NotAllowed(reason + " Er is niets gewijzigd.")
    count = 0
    for start in range(0, len(wanted), BATCH_SIZE):
        with ctx.db.session(write=True) as session:
            placeholder = _placeholder(session, ctx)
            for ref in wanted[start : start + BATCH_SIZE]:
                case = session.scalar(select(Case).where(Case.ref == ref))
                if case is None or case.anonymised_at is not None:
                    continue  # anonymised meanwhile on another PC
                ended = _retention_end(session, case, years)
                if ended is None or ended >= today:
                    continue  # a withdrawn case was closed meanwhile: its period starts again
                _anonymise_case(session, ctx, case, placeholder)
                audit(session, ctx, "zaak_geanonimiseerd", case.ref, f"bewaartermijn {years} jaar")
                count += 1
    if count:
        _optimise_search_index(ctx)
    return count


def _placeholder(session: Session, ctx: Context) -> Complainant:
    """The one complainant row every anonymised case points at (the column is required)."""
    row = session.scalar(
        select(Complainant)
        .where(Complainant.anonymised_at.is_not(None), Complainant.name == ANONYMISED)
        .order_by(Complainant.id)
        .limit(1)
    )
    if row is None:
        now = ctx.now()
        row = Complainant(name=ANONYMISED, created_at=now, anonymised_at=now)
        session.add(row)
        session.flush()
    return row


def _anonymise_case(session: Session, ctx: Context, case: Case, placeholder: Complainant) -> None:
    now = ctx.now()
    # Mark first: the database refuses to delete a letter of a case that is not marked
    # (migration 0005), so this is the only way a final letter ever leaves the database.
    case.anonymised_at = now
    case.updated_at = now
    session.flush()
    session.execute(delete(Letter).where(Letter.case_id == case.id))
    session.execute(delete(Attachment).where(Attachment.case_id == case.id))
    # what an import brought about the person (values, not yet taken over) goes too
    session.execute(delete(ImportDifference).where(ImportDifference.case_id == case.id))
    former = case.complainant_id
    case.complainant = placeholder
    case.subject = ANONYMISED
    case.description = ANONYMISED
    for field in (
        "expectation",
        "motivation",
        "solution",
        "director_motivation",
        "referral_to",
        "employee_name",
    ):
        setattr(case, field, "")
    # The employee the complaint was about is named by this link; the report counts
    # departments, never employees, so the link goes as well.
    case.employee_id = None
    for deadline in case.deadlines:
        deadline.extension_reason = ""
    for event in case.events:
        kept = _KEPT_EVENT_DATA | _KEPT_PER_KIND.get(event.kind, frozenset())
        data = json.loads(event.data or "{}")
        event.data = json.dumps(
            {key: value for key, value in data.items() if key in kept}, ensure_ascii=False
        )
    session.flush()  # the search index's triggers now hold the placeholder, not the person
    still_used = session.scalar(select(exists().where(Case.complainant_id == former)))
    if not still_used and former != placeholder.id:
        for model in (ComplainantChange, ImportDifference):  # labels, values of other cases
            session.execute(delete(model).where(model.complainant_id == former))
        session.execute(delete(Complainant).where(Complainant.id == former))


def _optimise_search_index(ctx: Context) -> None:
    """Merge the search index's segments: terms of rows deleted before FTS5's secure-delete
    was switched on (migration 0005) disappear from the file too."""
    with ctx.db.session(write=True) as session:
        session.execute(text("INSERT INTO case_search(case_search) VALUES ('optimize')"))
