"""Registering complaints and moving cases through their procedure (SPEC §2)."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from klachtdesk.domain.calendar import DeadlineCalendar, long_date
from klachtdesk.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    Settlement,
    answered,
    appeal_deadline,
    initial_deadlines,
    no_longer_applies,
)
from klachtdesk.domain.errors import ConflictError, KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.domain.independence import likely_same_person
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import (
    REGISTER_ROLES,
    Action,
    Activity,
    Status,
    check_action,
    event_label,
)
from klachtdesk.domain.validation import (
    MAX_LINE,
    MAX_TEXT,
    ComplainantInput,
    ComplaintInput,
    clean_text,
    parse_date,
    required_text,
)
from klachtdesk.domain.values import NotAdmissibleReason, Outcome, Relation, case_reference
from klachtdesk.services.admin.settings import load_calendar, read_all
from klachtdesk.services.cases import complainants
from klachtdesk.services.context import Context, audit
from klachtdesk.storage import queries
from klachtdesk.storage.models import (
    Case,
    Category,
    Complainant,
    Deadline,
    Department,
    Employee,
    Event,
    ProcedureVersion,
    RefCounter,
    User,
)
from klachtdesk.storage.models import Procedure as ProcedureRow

ONTVANGSTBEVESTIGING = DeadlineKind.ONTVANGSTBEVESTIGING
UITSPRAAK = DeadlineKind.UITSPRAAK
VERLENGINGSBERICHT = DeadlineKind.VERLENGINGSBERICHT


class CaseNotFound(KlachtDeskError):
    exit_code = 2

    def __init__(self, ref: str):
        super().__init__(f"Zaak '{ref}' bestaat niet.")


# -- helpers ------------------------------------------------------------------------------
def procedure_of(version: ProcedureVersion) -> Procedure:
    return _procedure_from(version.config)


@lru_cache(maxsize=64)  # a version's rules never change; every case and letter asks for them
def _procedure_from(config: str) -> Procedure:
    return Procedure.from_dict(json.loads(config))


def current_procedure_version(session: Session) -> ProcedureVersion:
    key = read_all(session)["procedure.current"]
    row = session.scalar(select(ProcedureRow).where(ProcedureRow.key == key))
    if row is None or row.current_version_id is None:
        raise KlachtDeskError(f"De klachtenregeling '{key}' ontbreekt in de database.")
    return session.get(ProcedureVersion, row.current_version_id)


def _next_reference(session: Session, year: int) -> tuple[str, int]:
    # Callers hold the write lock (BEGIN IMMEDIATE), so read-increment-write is race-free
    # between processes and PCs.
    counter = session.get(RefCounter, year)
    if counter is None:
        counter = RefCounter(year=year, last=0)
        session.add(counter)
    counter.last += 1
    session.flush()
    return case_reference(year, counter.last), counter.last


def by_name(session: Session, model, name: str, field: str, required: bool = False):
    """The active row of ``model`` with this name (case-insensitive), or None."""
    if not name:
        return None
    row = session.scalar(select(model).where(func.lower(model.name) == name.lower(), model.active))
    if row is None and required:
        known = ", ".join(
            session.scalars(select(model.name).where(model.active).order_by(model.name))
        )
        raise ValidationError(field, f"'{name}' is onbekend (bekend zijn: {known}).")
    return row


def same_complainant(postcode: str, email: str, data: ComplainantInput) -> bool:
    """The rule that makes a stored complainant (of the same name) the one ``data`` is
    about: the same postcode or the same e-mail address. Imports apply it too."""
    return bool(
        (data.postcode and postcode == data.postcode) or (data.email and email == data.email)
    )


def _find_or_add_complainant(
    session: Session, data: ComplainantInput, ctx: Context
) -> tuple[Complainant, list[str]]:
    """Reuse a known complainant (same name and postcode, or same e-mail address), with
    what the clerk filled in; returns the complainant and the labels of the fields of a
    known complainant that changed."""
    matches = []
    if data.postcode:
        matches.append(Complainant.postcode == data.postcode)
    if data.email:
        matches.append(Complainant.email == data.email)
    found = None
    if matches:
        found = session.scalar(
            select(Complainant)
            .where(func.lower(Complainant.name) == data.name.lower(), or_(*matches))
            .where(Complainant.anonymised_at.is_(None))
            .order_by(Complainant.id.desc())
            .limit(1)
        )
    known = found is not None
    if found is None:
        found = Complainant(name=data.name, created_at=ctx.now())
        session.add(found)
    new = {
        field: getattr(data, field)
        for field in ("street", "postcode", "city", "phone", "email", "member_number")
        if getattr(data, field)
    }
    if data.salutation.value != "onbekend":
        new["salutation"] = data.salutation.value
    new["prefers_email"] = data.prefers_email or bool(found.prefers_email)
    changed = [
        label
        for field, label in complainants.FIELD_LABELS.items()
        if field in new and new[field] != getattr(found, field)
    ]
    for field, value in new.items():
        setattr(found, field, value)
    return found, changed if known else []


def _event(
    session: Session,
    ctx: Context,
    case: Case,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    **data: Any,
) -> None:
    session.add(
        Event(
            case_id=case.id,
            at=ctx.now(),
            user_id=ctx.actor.user_id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            data=event_data(**data),
        )
    )


def event_data(**data: Any) -> str:
    """A timeline event's details as stored (JSON, dates as ISO text)."""
    clean = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    return json.dumps(clean, ensure_ascii=False)


def deadline_columns(
    kind: DeadlineKind, computed, ctx: Context, reason: str = ""
) -> dict[str, Any]:
    """A new, open deadline's columns (an import writes them in bulk)."""
    return dict(
        kind=kind.value,
        start=computed.start,
        due=computed.due,
        unadjusted=computed.unadjusted,
        explanation=computed.explanation or "",
        extension_reason=reason,
        active=True,
        met_on=None,
        state=DeadlineState.OPEN.value,
        settled_on=None,
        settled_by="",
        created_at=ctx.now(),
        created_by_id=ctx.actor.user_id,
    )


def _add_deadline(case: Case, kind: DeadlineKind, computed, ctx: Context, reason: str = "") -> None:
    case.deadlines.append(Deadline(**deadline_columns(kind, computed, ctx, reason)))


def active_deadline(case: Case, kind: DeadlineKind) -> Deadline | None:
    """The current deadline of ``kind`` (not one an extension replaced), in whatever state."""
    for deadline in case.deadlines:
        if deadline.active and deadline.kind == kind.value:
            return deadline
    return None


def open_deadline(case: Case, kind: DeadlineKind) -> Deadline | None:
    deadline = active_deadline(case, kind)
    return deadline if deadline is not None and deadline.state == DeadlineState.OPEN else None


def _settle(deadline: Deadline, settlement: Settlement) -> None:
    deadline.state = settlement.state.value
    deadline.settled_on = settlement.on
    deadline.settled_by = settlement.by


def refresh_next_due(case: Case) -> None:
    """Keep the denormalised next open deadline that the case list sorts on."""
    open_deadlines = [d for d in case.deadlines if d.active and d.state == DeadlineState.OPEN]
    first = min(open_deadlines, key=lambda d: d.due, default=None)
    case.next_due = first.due if first else None
    case.next_due_kind = first.kind if first else None


def meet_deadlines(case: Case, kinds: tuple[DeadlineKind, ...], sent_on: date, by: str) -> None:
    """A letter went out on ``sent_on``: it meets (or, late, misses) the open deadlines of
    ``kinds`` that it answers. Deadlines that are no longer open keep their state."""
    for kind in kinds:
        deadline = open_deadline(case, kind)
        if deadline is not None:
            deadline.met_on = sent_on
            _settle(deadline, answered(deadline.due, sent_on, by))


def settle_open_deadlines(
    case: Case, on: date, reason: str, kinds: tuple[DeadlineKind, ...] | None = None
) -> None:
    """The case no longer asks for these answers: open deadlines lapse, or are missed when
    their day had already passed (SPEC §4)."""
    for deadline in case.deadlines:
        applies = kinds is None or DeadlineKind(deadline.kind) in kinds
        if applies and deadline.active and deadline.state == DeadlineState.OPEN:
            _settle(deadline, no_longer_applies(deadline.due, on, reason))


def supersede(deadline: Deadline, on: date, by: str) -> None:
    """An extension replaced this deadline; it stays in the history."""
    deadline.active = False
    _settle(deadline, Settlement(DeadlineState.SUPERSEDED, on, by))


# -- registering ----------------------------------------------------------------------------
def register_in(
    session: Session,
    ctx: Context,
    complaint: ComplaintInput,
    calendar: DeadlineCalendar,
    version: ProcedureVersion,
) -> Case:
    """Register one complaint inside the caller's transaction."""
    category = by_name(session, Category, complaint.category, "categorie", required=True)
    department = by_name(session, Department, complaint.department, "afdeling", required=True)
    employee = by_name(session, Employee, complaint.employee, "medewerker")
    if employee is not None and department is None:
        department = employee.department
    complainant, changed = _find_or_add_complainant(session, complaint.complainant, ctx)
    ref, seq = _next_reference(session, complaint.received.year)
    now = ctx.now()
    case = Case(
        ref=ref,
        seq=seq,
        procedure_version=version,
        complainant=complainant,
        category=category,
        department=department,
        employee=employee,
        employee_name=employee.name if employee else complaint.employee,
        created_at=now,
        updated_at=now,
        **complaint_columns(complaint),
    )
    session.add(case)
    procedure = procedure_of(version)
    for kind, computed in initial_deadlines(complaint.received, procedure, calendar).items():
        _add_deadline(case, kind, computed, ctx)
    refresh_next_due(case)
    session.flush()
    _event(
        session, ctx, case, "geregistreerd", None, Status.ONTVANGEN.value, **registered(complaint)
    )
    audit(session, ctx, "zaak_geregistreerd", ref)
    if changed:  # a known complainant with new data from the clerk: other PCs must know
        complainants.record_change(session, ctx, complainant, case, changed)
    return case


def complaint_columns(complaint: ComplaintInput) -> dict[str, Any]:
    """The columns of a new case that come from the complaint itself (an import writes them
    in bulk, with the same values)."""
    return dict(
        year=complaint.received.year,
        status=Status.ONTVANGEN.value,
        channel=complaint.channel.value,
        received=complaint.received,
        subject=complaint.subject,
        description=complaint.description,
        discussed_with_employee=complaint.discussed_with_employee,
        expectation=complaint.expectation,
        complainant_relation=complaint.relation.value if complaint.relation else "",
        repeat_claimed=complaint.repeat,
        earlier_ref=complaint.earlier_ref,
        new_facts=complaint.new_facts,
    )


def registered(complaint: ComplaintInput) -> dict[str, Any]:
    """What the 'geregistreerd' event on the timeline says."""
    return {"kanaal": complaint.channel.value}


def register(ctx: Context, complaint: ComplaintInput) -> str:
    """Register a complaint; returns its reference (KD-YYYY-NNNN)."""
    ctx.actor.require(*REGISTER_ROLES, what="een klacht registreren")
    with ctx.db.session(write=True) as session:
        case = register_in(
            session, ctx, complaint, load_calendar(session), current_procedure_version(session)
        )
        return case.ref


# -- changing a case ------------------------------------------------------------------------
# Roles that work on cases; beheer alone keeps the PC running and does not read complaints.
CASE_ROLES = frozenset({Role.BALIE, Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR})


def reads_cases(ctx: Context) -> bool:
    """Whether this user sees complaints at all (beheer alone does not)."""
    return bool(ctx.actor.roles & CASE_ROLES)


def director_only(ctx: Context) -> bool:
    """A directeur without another case role sees only the appeals (SPEC §1)."""
    return Role.DIRECTEUR in ctx.actor.roles and not ctx.actor.roles & (
        CASE_ROLES - {Role.DIRECTEUR} | {Role.BEHEER}
    )


def check_may_see(ctx: Context, case: Case) -> None:
    """The rule of the case window, for every way into a case: a case role is needed, and a
    directeur alone sees only the cases for which heroverweging was asked."""
    if not ctx.actor.roles & CASE_ROLES:
        raise NotAllowed("U heeft geen rol waarmee u zaken kunt inzien.")
    if director_only(ctx) and not any(
        d.kind == DeadlineKind.HEROVERWEGING.value for d in case.deadlines
    ):
        raise NotAllowed(
            "Als directeur-bestuurder ziet u alleen zaken waarvoor heroverweging is gevraagd."
        )


def _load(session: Session, ref: str) -> Case:
    case = session.scalar(select(Case).where(Case.ref == ref.strip().upper()))
    if case is None:
        raise CaseNotFound(ref)
    return case


def _check_version(session: Session, case: Case, expected: int | None) -> None:
    if expected is None or case.version == expected:
        return
    events = session.execute(
        select(Event.at, Event.kind, User.display_name)
        .outerjoin(User, User.id == Event.user_id)
        .where(Event.case_id == case.id)
        .order_by(Event.id.desc())
        .limit(max(1, case.version - expected))
    ).all()
    changes = "; ".join(
        f"{at:%d-%m-%Y %H:%M} {event_label(kind).lower()} door {who or 'onbekend'}"
        for at, kind, who in reversed(events)
    )
    raise ConflictError(
        f"Zaak {case.ref} is intussen gewijzigd op een andere computer ({changes}). "
        "Uw wijziging is niet opgeslagen; open de zaak opnieuw en voer de wijziging nog eens in."
    )


def _user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        raise ValidationError(
            "behandelaar", f"gebruiker '{username}' bestaat niet of is niet actief."
        )
    return user


def _check_independent(case: Case, user: User, what: str) -> None:
    """SPEC §2: whoever assesses or decides is not the employee the complaint is about.

    Linked to that employee: refused. Only the typed name matches (``likely_same_person``):
    refused until the coordinator records why it is acceptable (``independence_note``).
    """
    if case.employee_id is not None and user.employee_id == case.employee_id:
        raise NotAllowed(
            f"{user.display_name} is de medewerker over wie de klacht gaat en mag de klacht "
            f"daarom niet {what}. Kies een andere collega (een derde beoordeelt de klacht)."
        )
    named = case.employee_id is None and likely_same_person(case.employee_name, user.display_name)
    if named and not case.independence_note:
        raise NotAllowed(
            f"De klacht gaat over '{case.employee_name}'; dat lijkt {user.display_name} te "
            f"zijn, die de klacht daarom niet mag {what}. Kies een andere collega, of laat "
            "de klachtencoördinator vastleggen waarom dit toch aanvaardbaar is "
            "(bijvoorbeeld: het is een andere persoon met dezelfde naam)."
        )


def assign_handler_in(session: Session, ctx: Context, case: Case, username: str) -> User:
    """Make ``username`` (a coordinator or manager, not the employee concerned) the case's
    handler inside the caller's transaction."""
    user = _user_by_name(session, username)
    roles = set(user.roles.split(","))
    if not roles & {Role.COORDINATOR.value, Role.MANAGER.value}:
        raise ValidationError(
            "behandelaar", f"{user.display_name} heeft niet de rol coördinator of manager."
        )
    _check_independent(case, user, "behandelen")
    case.handler = user
    return user


def _text(details: dict, name: str, label: str, required: bool = True, max_length=MAX_TEXT) -> str:
    value = details.get(name)
    if required:
        return required_text(value, label, max_length=max_length, multiline=True)
    return clean_text(value, label, max_length=max_length, multiline=True)


def _outcome(details: dict) -> Outcome:
    try:
        return Outcome(str(details.get("outcome", "")).strip().lower())
    except ValueError:
        options = ", ".join(o.value for o in Outcome)
        raise ValidationError("uitkomst", f"kies een van: {options}.") from None


def date_detail(details: dict, name: str, label: str, ctx: Context, earliest: date) -> date:
    """The date ``details[name]`` (today when empty): not in the future, not before ``earliest``."""
    value = details.get(name)
    day = ctx.today() if value in (None, "") else parse_date(value, label)
    if day > ctx.today():
        raise ValidationError(label, "ligt in de toekomst.")
    if day < earliest:
        raise ValidationError(label, f"ligt vóór {long_date(earliest)}.")
    return day


# The letter a finished decision still owes the complainant, per decided status: closing the
# case waits until it is recorded as sent (SPEC §4: the answer counts when it is sent).
OWED_LETTERS = {
    Status.AFGEHANDELD: "uitspraak",
    Status.AFGEHANDELD_DIRECTEUR: "reactie_directeur",
    Status.NIET_ONTVANKELIJK: "niet_ontvankelijk",
    Status.DOORVERWEZEN: "doorverwijzing",
}
OWED_LETTER_LABELS = {
    "uitspraak": "de brief met de uitspraak",
    "reactie_directeur": "de reactie van de directeur-bestuurder",
    "niet_ontvankelijk": "de brief over de niet-ontvankelijkheid",
    "doorverwijzing": "de doorverwijzingsbrief",
}


def owed_letter(session: Session, case: Case) -> str | None:
    """The letter type the case's present decision still owes (not recorded as sent since)."""
    letter = OWED_LETTERS.get(Status(case.status))
    if letter is None:
        return None
    decided_at = session.scalar(
        select(func.max(Event.id)).where(Event.case_id == case.id, Event.to_status == case.status)
    )
    for data in session.scalars(
        select(Event.data).where(
            Event.case_id == case.id,
            Event.kind == Activity.BRIEF.value,
            Event.id > (decided_at or 0),
        )
    ):
        sent = json.loads(data or "{}")
        if sent.get("brief") == letter and sent.get("verzonden"):
            return None
    return letter


def _refusal_reason(procedure: Procedure, details: dict) -> NotAdmissibleReason:
    grounds = procedure.refusal_grounds
    options = "; ".join(f"{g.value} ({g.label.lower()})" for g in grounds)
    try:
        reason = NotAdmissibleReason(str(details.get("reason", "")).strip())
    except ValueError:
        raise ValidationError("reden", f"kies een van: {options}.") from None
    if reason not in grounds:
        raise NotAllowed(
            f"'{reason.label}' is geen grond voor niet-ontvankelijkheid in "
            f"{procedure.name}. Mogelijke gronden: {options}."
        )
    return reason


def _check_triage(case: Case, procedure: Procedure, note: str) -> None:
    """The procedure's admissibility rules: refuse, or take it on with a recorded reason."""
    not_discussed = case.discussed_with_employee is False
    if procedure.must_discuss_with_employee_first and not_discussed and not note:
        raise NotAllowed(
            "Volgens de klachtenregeling wordt een klacht die niet eerst met de medewerker "
            "is besproken niet in behandeling genomen. Verklaar de klacht niet "
            "ontvankelijk, of licht toe waarom u haar toch in behandeling neemt."
        )
    if procedure.refuse_repeat_without_new_facts and case.repeat_claimed and not note:
        raise NotAllowed(
            "Deze klacht is volgens de intake eerder behandeld"
            + (f" ({case.earlier_ref})" if case.earlier_ref else "")
            + ". Volgens de klachtenregeling wordt zij alleen opnieuw behandeld als er nieuwe "
            "feiten of omstandigheden zijn: noem die in de toelichting, of verklaar de klacht "
            "niet ontvankelijk (herhaling)."
        )
    relation = case.complainant_relation
    entitled = procedure.entitled_relations
    if entitled and relation and Relation(relation) not in entitled and not note:
        who = procedure.entitled_words()
        raise NotAllowed(
            f"Volgens de klachtenregeling kan alleen een {who} een klacht indienen; de klager "
            f"is {Relation(relation).label.lower()}. Verklaar de klacht niet ontvankelijk "
            "(niet klachtgerechtigd), of licht toe waarom u haar toch in behandeling neemt."
        )


def _apply_action(
    session: Session, ctx: Context, case: Case, procedure: Procedure, action: Action, details: dict
) -> dict:
    """Validate the action's details and change the case; returns what goes on the timeline."""
    today = ctx.today()
    if action is Action.TRIAGE_KLACHT:
        note = _text(details, "note", "toelichting", required=False)
        _check_triage(case, procedure, note)
        data = {"toelichting": note} if note else {}
        if details.get("handler"):
            handler = assign_handler_in(session, ctx, case, details["handler"])
            data["behandelaar"] = handler.display_name
        return data
    if action is Action.NIET_ONTVANKELIJK:
        reason = _refusal_reason(procedure, details)
        note = _text(details, "note", "toelichting", required=reason is NotAdmissibleReason.OTHER)
        case.not_admissible_reason = reason.value
        settle_open_deadlines(
            case, today, "niet ontvankelijk verklaard", (UITSPRAAK, VERLENGINGSBERICHT)
        )
        return {"reden": reason.value, "toelichting": note}
    if action is Action.DOORVERWIJZEN:
        case.referral_to = _text(details, "referral_to", "doorverwezen naar", max_length=MAX_LINE)
        settle_open_deadlines(
            case, today, "doorverwezen als melding", (UITSPRAAK, VERLENGINGSBERICHT)
        )
        return {"doorverwezen_naar": case.referral_to}
    if action is Action.UITSPRAAK:
        decider = session.get(User, ctx.actor.user_id)
        _check_independent(case, decider, "beslissen")
        case.outcome = _outcome(details).value
        case.motivation = _text(details, "motivation", "motivering")
        case.solution = _text(details, "solution", "oplossing", required=False)
        case.decided_on = date_detail(details, "decided_on", "datum uitspraak", ctx, case.received)
        ack = open_deadline(case, ONTVANGSTBEVESTIGING)
        if ack is not None and ack.due < case.decided_on:
            settle_open_deadlines(
                case, case.decided_on, "uitspraak gedaan zonder ontvangstbevestiging", (ack.kind,)
            )
        return {"uitkomst": case.outcome, "datum": case.decided_on}
    if action is Action.BEROEP:
        received = date_detail(
            details, "received", "datum heroverzoek", ctx, case.decided_on or case.received
        )
        case.appeal_grounds = _text(details, "grounds", "gronden van het heroverzoek")
        computed = appeal_deadline(received, procedure, load_calendar(session))
        _add_deadline(case, DeadlineKind.HEROVERWEGING, computed, ctx)
        return {"ontvangen": received, "termijn": computed.due, "gronden": case.appeal_grounds}
    if action is Action.UITSPRAAK_DIRECTEUR:
        appeal = active_deadline(case, DeadlineKind.HEROVERWEGING)
        case.director_outcome = _outcome(details).value
        case.director_motivation = _text(details, "motivation", "motivering")
        case.director_decided_on = date_detail(
            details,
            "decided_on",
            "datum uitspraak directeur-bestuurder",
            ctx,
            appeal.start if appeal is not None else case.received,
        )
        return {"uitkomst": case.director_outcome, "datum": case.director_decided_on}
    if action is Action.GESCHIL:
        body = clean_text(details.get("body"), "instantie", max_length=MAX_LINE)
        submitted = date_detail(details, "submitted", "datum voorgelegd", ctx, case.received)
        body = body or procedure.external_body
        settle_open_deadlines(case, submitted, f"voorgelegd aan {body}")
        return {"instantie": body, "voorgelegd": submitted}
    if action is Action.INTREKKEN:
        note = _text(details, "note", "toelichting", required=False)
        settle_open_deadlines(case, today, "ingetrokken door de klager")
        return {"toelichting": note}
    if action is Action.SLUITEN:
        _check_closable(session, case, procedure)
        case.closed_on = today
        settle_open_deadlines(case, today, "zaak gesloten")
        return {}
    raise AssertionError(action)  # every Action is handled above


def not_closable_because(session: Session, case: Case, procedure: Procedure) -> str | None:
    """Why the procedure does not let the case be closed yet, or None if it may be."""
    letter = owed_letter(session, case)
    if letter is not None:
        return (
            f"Zaak {case.ref} kan nog niet worden gesloten: {OWED_LETTER_LABELS[letter]} is "
            "nog niet als verzonden vastgelegd. Maak en verstuur die brief eerst, of leg vast "
            "dat hij buiten KlachtDesk is verstuurd."
        )
    if (
        procedure.satisfaction_check
        and Status(case.status) in (Status.AFGEHANDELD, Status.AFGEHANDELD_DIRECTEUR)
        and case.satisfied is None
        and not case.satisfaction_unreachable
    ):
        return (
            f"Zaak {case.ref} kan nog niet worden gesloten: volgens de klachtenregeling wordt "
            "de klager gevraagd of de klacht naar tevredenheid is afgehandeld. Leg het "
            "antwoord vast, of leg vast dat de klager niet bereikbaar was."
        )
    return None


def _check_closable(session: Session, case: Case, procedure: Procedure) -> None:
    reason = not_closable_because(session, case, procedure)
    if reason is not None:
        raise NotAllowed(reason)


@contextlib.contextmanager
def editing(ctx: Context, ref: str, expected_version: int | None):
    """A write transaction on one case, refused if someone else changed it meanwhile.

    Autoflush is off so the case row is written exactly once, by ``finish_change``.
    """
    with ctx.db.session(write=True) as session:
        case = _load(session, ref)
        check_may_see(ctx, case)
        _check_version(session, case, expected_version)
        if case.anonymised_at is not None:  # nothing personal may come back (services.privacy)
            raise NotAllowed(
                f"Zaak {case.ref} is geanonimiseerd en kan niet meer worden gewijzigd."
            )
        with session.no_autoflush:
            yield session, case


def finish_change(
    session: Session,
    ctx: Context,
    case: Case,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    audit_detail: str = "",
    **data: Any,
) -> int:
    """Write the case (its version goes up by one), then its timeline event and audit entry."""
    case.updated_at = ctx.now()
    refresh_next_due(case)
    flag_modified(case, "updated_at")  # also a change that only touched related rows counts
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"Zaak {case.ref} is zojuist op een andere computer gewijzigd. Uw wijziging is niet "
            "opgeslagen; open de zaak opnieuw."
        ) from None
    _event(session, ctx, case, kind, from_status, to_status, **data)
    audit(session, ctx, f"zaak_{kind}", case.ref, audit_detail)
    return case.version


def perform(
    ctx: Context, ref: str, action: Action, *, expected_version: int | None = None, **details
) -> int:
    """Take ``action`` on a case (a state transition); returns the case's new version."""
    action = Action(action)
    with editing(ctx, ref, expected_version) as (session, case):
        procedure = procedure_of(case.procedure_version)
        old = Status(case.status)
        new = check_action(action, old, ctx.actor.roles, procedure.flags)
        data = _apply_action(session, ctx, case, procedure, action, details)
        case.status = new.value
        return finish_change(session, ctx, case, action.value, old.value, new.value, **data)


# -- reading ----------------------------------------------------------------------------------
def list_cases(ctx: Context, status: Status | None = None) -> list[queries.CaseRow]:
    with ctx.db.session() as session:
        return queries.case_rows(session, status=status.value if status else None)
