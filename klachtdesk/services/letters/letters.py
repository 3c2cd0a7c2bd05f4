"""Official letters (SPEC §5): drafts, and final letters stored with their SHA-256.

A final letter is rendered once, stored as PDF inside the encrypted database with its
SHA-256, and never changed after: this module has no update path for it. Storing it records
the letter as sent (today, by post or e-mail) and meets the deadline it answers.

Stored letters are read back through ``letter_archive``, templates are in
``letter_templates`` and which letters to offer or send in ``letter_choices``; all are
re-exported here, so ``services.letters`` is the one way in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Activity, Status, check_activity
from klachtdesk.domain.validation import (
    MAX_NAME,
    MAX_SUBJECT,
    MAX_TEXT,
    clean_text,
    required_text,
)
from klachtdesk.domain.values import LetterChannel
from klachtdesk.letters.names import salutation_line
from klachtdesk.letters.placeholders import PLACEHOLDERS
from klachtdesk.letters.render import (
    LetterDocument,
    Letterhead,
    Recipient,
    WindowPosition,
    render_letter,
)
from klachtdesk.letters.templates import (
    LETTER_TYPES,
    LetterFacts,
    letter_type,
    placeholder_values,
    render_text,
    split_paragraphs,
)
from klachtdesk.services.admin.settings import read_all
from klachtdesk.services.cases.cases import (
    date_detail,
    editing,
    finish_change,
    meet_deadlines,
    procedure_of,
)
from klachtdesk.services.context import Context, audit
from klachtdesk.services.letters.letter_archive import (
    StoredLetter,
    letter_pdf,
    load_case,
    may_see,
    record_printed,
    save_letter_as,
    stored_letter,
    stored_letters,
    write_copy,
)
from klachtdesk.services.letters.letter_choices import (
    DIRECTOR_LETTER,
    WRITER_ROLES,
    LetterDue,
    letters_to_send,
    types_for,
)
from klachtdesk.services.letters.letter_templates import (
    TemplateView,
    current_template,
    restore_default_template,
    save_template,
    templates,
)
from klachtdesk.storage.models import Case, Deadline, Event, Letter, User

__all__ = [
    "LETTER_TYPES",
    "PLACEHOLDERS",
    "Draft",
    "LetterDue",
    "StoredLetter",
    "TemplateView",
    "draft",
    "finalise",
    "letter_pdf",
    "letters_to_send",
    "preview",
    "record_printed",
    "record_sent",
    "delivery_options",
    "restore_default_template",
    "save_concept_as",
    "save_letter_as",
    "save_template",
    "stored_letter",
    "stored_letters",
    "templates",
    "types_for",
]

MAX_PARAGRAPHS = 60


# -- values handed to the windows and the CLI ---------------------------------------------------
@dataclass(frozen=True)
class Draft:
    """A letter before it is final: the user may change the subject, salutation and text."""

    ref: str
    type: str
    subject: str
    salutation: str
    paragraphs: tuple[str, ...]
    template_version: int  # 0: the built-in default text
    case_version: int
    default_via: str  # 'email' when the complainant prefers e-mail, else 'post'

    @property
    def label(self) -> str:
        return LETTER_TYPES[self.type].label

    @property
    def body_text(self) -> str:
        """The paragraphs as one text, separated by empty lines (for an edit field)."""
        return "\n\n".join(self.paragraphs)

    def edited(
        self, subject: str | None = None, salutation: str | None = None, body: str | None = None
    ) -> Draft:
        """A copy with the user's changes; ``body`` is split into paragraphs at empty lines."""
        return replace(
            self,
            subject=self.subject if subject is None else subject,
            salutation=self.salutation if salutation is None else salutation,
            paragraphs=self.paragraphs if body is None else tuple(split_paragraphs(body)),
        )


# -- who may do what ------------------------------------------------------------------------------
def _may_write(session: Session, ctx: Context, case: Case, kind: str) -> None:
    may_see(session, ctx, case)
    check_activity(Activity.BRIEF, Status(case.status), ctx.actor.roles)
    if kind != DIRECTOR_LETTER and not ctx.actor.roles & WRITER_ROLES:
        raise NotAllowed(
            "Als directeur-bestuurder maakt u alleen de brief met uw reactie op het verzoek om "
            "heroverweging."
        )
    if case.complainant.anonymised_at is not None:
        raise NotAllowed(
            f"De gegevens van de klager van zaak {case.ref} zijn geanonimiseerd; er kan geen "
            "brief meer worden gemaakt."
        )


def _extended(case: Case) -> bool:
    return any(
        d.kind == DeadlineKind.UITSPRAAK.value and not d.active for d in case.deadlines
    ) and any(d.kind == DeadlineKind.UITSPRAAK.value and d.active for d in case.deadlines)


def _why_not(case: Case, kind: str) -> str | None:
    """Why the case has not (yet) got what this letter tells, or None."""
    if kind == "niet_ontvankelijk" and not case.not_admissible_reason:
        return "de klacht is niet niet-ontvankelijk verklaard"
    if kind == "doorverwijzing" and not case.referral_to:
        return "de klacht is niet als melding doorverwezen"
    if kind == "uitspraak" and not case.outcome:
        return "er is nog geen uitspraak gedaan"
    if kind == DIRECTOR_LETTER and not case.director_outcome:
        return "de directeur-bestuurder heeft nog geen uitspraak gedaan"
    if kind == "verlenging" and not _extended(case):
        return "leg eerst de verlenging van de termijn vast (nieuwe datum en reden)"
    procedure = procedure_of(case.procedure_version)
    names_handler = kind == "ontvangstbevestiging" and procedure.acknowledgement_names_handler
    if names_handler and case.handler is None:
        return (
            "de klachtenregeling belooft dat de ontvangstbevestiging noemt wie de klacht "
            "behandelt; de klachtencoördinator wijst eerst een behandelaar toe"
        )
    return None


def _check_feasible(case: Case, kind: str) -> None:
    why = _why_not(case, kind)
    if why:
        raise NotAllowed(
            f"De brief '{LETTER_TYPES[kind].label}' kan voor zaak {case.ref} nog niet worden "
            f"gemaakt: {why}."
        )


# -- gathering what a letter says -----------------------------------------------------------------
def _deadline(case: Case, kind: DeadlineKind, active: bool = True) -> Deadline | None:
    rows = [d for d in case.deadlines if d.kind == kind.value and d.active == active]
    return rows[-1] if rows else None


def _note(session: Session, case: Case, kind: str) -> str:
    data = session.scalar(
        select(Event.data)
        .where(Event.case_id == case.id, Event.kind == kind)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return str(json.loads(data or "{}").get("toelichting", "")) if data else ""


# What a draft reads of its case: loaded with the case, in one query.
_DRAFT_PARTS = (
    joinedload(Case.complainant),
    joinedload(Case.procedure_version),
    joinedload(Case.handler),
    joinedload(Case.department),
    joinedload(Case.deadlines),
)


def _employee_statement(session: Session, case: Case) -> bool:
    """Whether a statement of the employee concerned is recorded (without loading every
    event of the case)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Event.case_id == case.id, Event.kind == Activity.VERKLARING_MEDEWERKER.value
                )
            )
        )
    )


def _facts(session: Session, ctx: Context, case: Case, settings: dict) -> LetterFacts:
    procedure = procedure_of(case.procedure_version)
    decision = _deadline(case, DeadlineKind.UITSPRAAK)
    previous = _deadline(case, DeadlineKind.UITSPRAAK, active=False)
    appeal = _deadline(case, DeadlineKind.HEROVERWEGING)
    return LetterFacts(
        reference=case.ref,
        today=ctx.today(),
        received=case.received,
        complainant_name=case.complainant.name,
        case_subject=case.subject,
        organisation=settings["org.name"],
        org_street=settings["org.street"],
        org_postcode=settings["org.postcode"],
        org_city=settings["org.city"],
        org_phone=settings["org.phone"],
        org_email=settings["org.email"],
        org_website=settings["org.website"],
        handler=case.handler.display_name if case.handler else "",
        handler_function=case.handler.function_title if case.handler else "",
        employee=case.employee_name or "",
        department=case.department.name if case.department else "",
        decision_due=decision.due if decision else None,
        previous_decision_due=previous.due if previous else None,
        extension_reason=decision.extension_reason if decision else "",
        not_admissible_reason=case.not_admissible_reason,
        # the event that sets the reason holds the note: without a reason there is none
        not_admissible_note=_note(session, case, "niet_ontvankelijk")
        if case.not_admissible_reason
        else "",
        referral_to=case.referral_to,
        outcome=case.outcome,
        motivation=case.motivation,
        solution=case.solution,
        decided_on=case.decided_on,
        appeal_due=appeal.due if appeal else None,
        director_outcome=case.director_outcome,
        director_motivation=case.director_motivation,
        decision_term=procedure.decision_term,
        appeal=procedure.appeal,
        appeal_term=procedure.appeal_term,
        external_body=procedure.external_body,
        mention_huurcommissie=procedure.mention_huurcommissie,
        employee_statement=_employee_statement(session, case),
        channel=case.channel,
        complaint_text=case.description,
        entitled=procedure.entitled_words(),
    )


def _logo(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True) if text else None
    except (binascii.Error, ValueError):
        return None


def _signature(session: Session, ctx: Context, kind: str, settings: dict) -> tuple[str, str]:
    user = session.get(User, ctx.actor.user_id)
    if kind == DIRECTOR_LETTER and Role.DIRECTEUR in ctx.actor.roles:
        return ctx.actor.display_name, (user.function_title if user else "") or (
            "Directeur-bestuurder"
        )
    name = settings["letters.signature_name"]
    if name:
        return name, settings["letters.signature_function"]
    return ctx.actor.display_name, user.function_title if user else ""


def _document(
    session: Session,
    ctx: Context,
    case: Case,
    draft: Draft,
    concept: bool,
    settings: dict | None = None,
) -> LetterDocument:
    settings = read_all(session) if settings is None else settings
    person = case.complainant
    name, function = _signature(session, ctx, draft.type, settings)
    return LetterDocument(
        letterhead=Letterhead(
            name=settings["org.name"],
            street=settings["org.street"],
            postcode=settings["org.postcode"],
            city=settings["org.city"],
            phone=settings["org.phone"],
            email=settings["org.email"],
            website=settings["org.website"],
            kvk=settings["org.kvk"],
            logo=_logo(settings["org.logo"]),
        ),
        recipient=Recipient(
            name=person.name,
            salutation=person.salutation,
            street=person.street,
            postcode=person.postcode,
            city=person.city,
        ),
        reference=case.ref,
        date=ctx.today(),
        subject=draft.subject,
        salutation=draft.salutation,
        paragraphs=draft.paragraphs,
        signature_name=name,
        signature_function=function,
        window=WindowPosition(
            settings["letters.address_left_mm"], settings["letters.address_top_mm"]
        ),
        concept=concept,
    )


MAX_SALUTATION = MAX_NAME + 30


def _checked_draft(draft: Draft, ref: str) -> Draft:
    letter_type(draft.type)
    if draft.ref.strip().upper() != ref.strip().upper():
        raise ValidationError("brief", f"dit concept hoort bij zaak {draft.ref}, niet bij {ref}.")
    paragraphs = tuple(
        p
        for p in (
            clean_text(p, "tekst van de brief", max_length=MAX_TEXT, multiline=True)
            for p in draft.paragraphs
        )
        if p
    )
    if not paragraphs:
        raise ValidationError("tekst van de brief", "is leeg; schrijf ten minste één alinea.")
    if len(paragraphs) > MAX_PARAGRAPHS or sum(len(p) for p in paragraphs) > MAX_TEXT:
        raise ValidationError("tekst van de brief", f"is te lang (ten hoogste {MAX_TEXT} tekens).")
    return replace(
        draft,
        subject=required_text(draft.subject, "onderwerp", max_length=MAX_SUBJECT),
        # "Geachte mevrouw " + the longest name a complainant may have, and the comma.
        salutation=required_text(draft.salutation, "aanhef", max_length=MAX_SALUTATION),
        paragraphs=paragraphs,
    )


# -- drafts and final letters ---------------------------------------------------------------------
def draft(ctx: Context, ref: str, kind: str) -> Draft:
    """The letter of type ``kind`` for a case, filled in from the case; not yet stored."""
    letter_type(kind)
    with ctx.db.session() as session:
        return _draft(session, ctx, load_case(session, ref, *_DRAFT_PARTS), kind, read_all(session))


def draft_with_preview(ctx: Context, ref: str, kind: str) -> tuple[Draft, bytes]:
    """What the letter window shows when it opens: the draft (as ``draft``) and its preview
    (as ``preview``), read in one transaction. A draft whose preview fails raises that
    failure; ``draft`` alone then still gives the text."""
    letter_type(kind)
    with ctx.db.session() as session:
        case = load_case(session, ref, *_DRAFT_PARTS)
        settings = read_all(session)
        letter = _draft(session, ctx, case, kind, settings)
        document = _document(session, ctx, case, _checked_draft(letter, ref), True, settings)
        return letter, render_letter(document)


def _draft(session: Session, ctx: Context, case: Case, kind: str, settings: dict) -> Draft:
    _may_write(session, ctx, case, kind)
    _check_feasible(case, kind)
    subject, body, version = current_template(session, kind)
    filled_subject, paragraphs = render_text(
        subject, body, placeholder_values(_facts(session, ctx, case, settings))
    )
    person = case.complainant
    return Draft(
        ref=case.ref,
        type=kind,
        subject=filled_subject,
        salutation=salutation_line(person.name, person.salutation),
        paragraphs=tuple(paragraphs),
        template_version=version,
        case_version=case.version,
        default_via=LetterChannel.EMAIL.value
        if person.prefers_email and person.email
        else LetterChannel.POST.value,
    )


def preview(ctx: Context, ref: str, letter: Draft) -> bytes:
    """The draft as PDF with "CONCEPT" across the pages; nothing is stored."""
    letter = _checked_draft(letter, ref)
    with ctx.db.session() as session:
        case = load_case(session, ref, joinedload(Case.complainant))
        _may_write(session, ctx, case, letter.type)
        return render_letter(_document(session, ctx, case, letter, concept=True))


def delivery_options(detail) -> list[str]:
    """How a letter can reach the complainant of a case (CaseDetail): 'post' with a full
    address, 'email' with an e-mail address."""
    options = []
    if detail.street and detail.postcode and detail.city:
        options.append(LetterChannel.POST.value)
    if detail.email:
        options.append(LetterChannel.EMAIL.value)
    return options


def _check_delivery(case: Case, via: str) -> None:
    person = case.complainant
    if via == LetterChannel.POST and not (person.street and person.postcode and person.city):
        raise ValidationError(
            "verzenden",
            "het adres van de klager is niet volledig (straat, postcode en plaats). Vul het "
            "adres aan bij de gegevens van de zaak, of verstuur de brief per e-mail.",
        )
    if via == LetterChannel.EMAIL and not person.email:
        raise ValidationError(
            "verzenden",
            "van de klager is geen e-mailadres bekend. Vul het aan bij de gegevens van de zaak, "
            "of verstuur de brief per post.",
        )


def finalise(
    ctx: Context,
    ref: str,
    letter: Draft,
    sent_via: str,
    expected_version: int | None = None,
    *,
    sent: bool = True,
    sent_on: date | str | None = None,
) -> int:
    """Render the final letter and store it with its SHA-256; returns the stored letter's id.

    With ``sent`` (the window's "Definitief maken") it is recorded as sent by ``sent_via`` on
    ``sent_on`` (default today) and meets the deadlines it answers (``LetterType.answers``).
    Without, it is final but not yet sent: ``record_sent`` records the sending later.
    """
    via = _via(sent_via)
    letter = _checked_draft(letter, ref)
    with editing(ctx, ref, expected_version) as (session, case):
        _may_write(session, ctx, case, letter.type)
        _check_feasible(case, letter.type)
        if sent:  # an unsent letter is checked when its sending is recorded
            _check_delivery(case, via)
        day = _sent_date(ctx, case, sent_on) if sent else None
        if day is not None and day < ctx.today():
            raise ValidationError(
                "verzenddatum",
                "de brief wordt vandaag gemaakt en gedateerd; hij kan niet eerder zijn "
                "verzonden. Een brief die buiten KlachtDesk is gemaakt, legt u vast als "
                "verzonden brief.",
            )
        pdf = render_letter(_document(session, ctx, case, letter, concept=False))
        digest = hashlib.sha256(pdf).hexdigest()
        stored = Letter(
            case_id=case.id,
            type=letter.type,
            pdf=pdf,
            sha256=digest,
            created_at=ctx.now(),
            created_by_id=ctx.actor.user_id,
            sent_on=day,
            sent_via=via if sent else None,
            deadline_kind=next((k.value for k in LETTER_TYPES[letter.type].answers), None),
        )
        session.add(stored)
        session.flush()
        data = {
            "brief": letter.type,
            "briefnummer": stored.id,
            "sjabloon": f"versie {letter.template_version}"
            if letter.template_version
            else "standaardtekst",
        }
        if sent:
            _meet(case, letter.type, day, via)
            data.update(verzonden=day, via=via)
        else:
            data["verzonden"] = None
        finish_change(
            session,
            ctx,
            case,
            Activity.BRIEF.value,
            audit_detail=f"{letter.type}; brief {stored.id}; sha256 {digest}"
            + ("" if sent else "; nog niet verzonden"),
            **data,
        )
        return stored.id


def record_sent(
    ctx: Context,
    ref: str,
    letter_id: int,
    sent_via: str,
    sent_on: date | str | None = None,
    expected_version: int | None = None,
) -> int:
    """Record that a final letter stored earlier went out (once); it then meets the deadlines
    it answers. Returns the case's new version."""
    via = _via(sent_via)
    with editing(ctx, ref, expected_version) as (session, case):
        stored = session.get(Letter, letter_id)
        if stored is None or stored.case_id != case.id:
            raise ValidationError("brief", f"brief {letter_id} hoort niet bij zaak {case.ref}.")
        _may_write(session, ctx, case, stored.type)
        if stored.sent_on is not None:
            raise NotAllowed(
                f"Deze brief is al als verzonden vastgelegd op {long_date(stored.sent_on)}."
            )
        _check_delivery(case, via)
        day = _sent_date(ctx, case, sent_on)
        if day < stored.created_at.date():
            raise ValidationError(
                "verzenddatum", "ligt vóór de dag waarop de brief definitief werd gemaakt."
            )
        stored.sent_on, stored.sent_via = day, via
        _meet(case, stored.type, day, via)
        return finish_change(
            session,
            ctx,
            case,
            Activity.BRIEF.value,
            audit_detail=f"{stored.type}; brief {stored.id} verzonden",
            brief=stored.type,
            briefnummer=stored.id,
            verzonden=day,
            via=via,
        )


def _via(sent_via: str) -> str:
    try:
        return LetterChannel(sent_via).value
    except ValueError:
        raise ValidationError("verzonden via", "kies post of e-mail.") from None


def _sent_date(ctx: Context, case: Case, sent_on: date | str | None) -> date:
    return date_detail({"sent_on": sent_on}, "sent_on", "verzenddatum", ctx, case.received)


def _meet(case: Case, letter_type: str, day: date, via: str) -> None:
    kind = LETTER_TYPES[letter_type]
    meet_deadlines(case, kind.answers, day, kind.sent_by(via))


def save_concept_as(ctx: Context, ref: str, letter: Draft, target: Path | str) -> Path:
    """Write the draft (with "CONCEPT" across it) to a file the user chose (audited)."""
    target = Path(target)
    data = preview(ctx, ref, letter)
    with ctx.db.session(write=True) as session:
        write_copy(target, data)
        audit(session, ctx, "conceptbrief_opgeslagen", letter.ref, letter.type)
    return target
