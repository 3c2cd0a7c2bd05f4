"""The case dossier (zaakdossier): the whole case as one PDF, for the director who reads on
paper and for the Geschillencommissie that asks for the file.

It holds what the case window shows the acting user, under the same rules: the window's
"may see" rule, and the clerk (balie alone) reads no hearing or mediation reports and no
employees' statements. The stored final letters (checked against their SHA-256) and the
PDF and image attachments are appended. An anonymised case has no dossier any more.

Writing the file is an explicit export: it is audited (with the reference, no personal
data), and written to a temporary name in the same folder first, so an error leaves no
half file behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.deadlines import DeadlineState, Urgency
from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, os_reason
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Action, Activity, Status
from klachtdesk.domain.values import Channel, NotAdmissibleReason, Outcome, Relation
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.reports import dossier_pdf
from klachtdesk.reports.dossier_pdf import (
    Appendix,
    DeadlineRow,
    Decision,
    Dossier,
    Statement,
    TimelineEntry,
    human_size,
)
from klachtdesk.services.admin.settings import read_all
from klachtdesk.services.cases.case_view import (
    CONFIDENTIAL_EVENTS,
    CaseDetail,
    DeadlineView,
    EventView,
    _load_detail,  # the case window's read: its may-see rule and its confidentiality
)
from klachtdesk.services.cases.cases import CaseNotFound, check_may_see, procedure_of
from klachtdesk.services.context import Context, audit, viewing
from klachtdesk.storage.models import Attachment, Case, Letter, User

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Timeline detail names that read better than the stored key (as in the case window).
DATA_LABELS = {
    "oud": "Oude termijn",
    "nieuw": "Nieuwe termijn",
    "velden": "Gewijzigd",
    "opgevolgd": "Opvolging",
}
VIA = {"post": "post", "email": "e-mail"}
STATEMENT_TITLES = {
    Activity.HOORGESPREK.value: "Hoorgesprek",
    Activity.BEMIDDELING.value: "Verslag van de bemiddeling",
    Activity.VERKLARING_MEDEWERKER.value: "Verklaring van de medewerker",
}
STATEMENTS_CHAPTER = "hoofdstuk 5"


@dataclass(frozen=True)
class DossierFile:
    ref: str
    pdf: bytes
    pages: int


def suggested_name(ref: str) -> str:
    """A file name without personal data: 'Zaakdossier KD-2026-0042.pdf'."""
    return f"{dossier_pdf.TITLE} {ref}.pdf"


# -- the use case -------------------------------------------------------------------------------
def case_dossier(ctx: Context, ref: str) -> DossierFile:
    """The dossier of one case as PDF bytes (not audited: nothing has left the database yet)."""
    with ctx.db.session() as session:
        case = session.scalar(select(Case).where(Case.ref == ref.strip().upper()))
        if case is None:
            raise CaseNotFound(ref)
        check_may_see(ctx, case)
        if case.anonymised_at is not None:
            raise NotAllowed(
                f"Zaak {case.ref} is geanonimiseerd: de persoonsgegevens zijn verwijderd, dus "
                "er kan geen zaakdossier meer van worden gemaakt."
            )
        detail = _load_detail(session, ctx, case.ref)
        data = _dossier(session, ctx, case, detail)
    pdf = dossier_pdf.render(data)
    return DossierFile(case.ref, pdf, dossier_pdf.page_count(pdf))


def save_case_dossier(ctx: Context, ref: str, target: Path | str) -> DossierFile:
    """Make the dossier and write it to ``target``; audited as 'dossier_geexporteerd'."""
    target = Path(target)
    made = case_dossier(ctx, ref)
    temporary = _write_temporary(target, made.pdf)
    try:
        # Audited before the file takes its name: an export that failed at the last step
        # may stand in the log, a file on disk that the log does not know of may not.
        with viewing(ctx) as session:
            audit(session, ctx, "dossier_geexporteerd", made.ref, f"{made.pages} pagina's")
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _not_saved(target, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return made


def _write_temporary(target: Path, data: bytes) -> Path:
    if target.is_dir():
        raise KlachtDeskError(
            f"'{target}' is een map. Kies een bestandsnaam voor het zaakdossier, bijvoorbeeld "
            f"'{target / 'zaakdossier.pdf'}'."
        )
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise _not_saved(target, error) from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # a full disk shows here at the latest, not after rename
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _not_saved(target, error) from None
        raise
    return temporary


def _not_saved(target: Path, error: OSError) -> KlachtDeskError:
    return KlachtDeskError(
        f"Het zaakdossier kan niet worden opgeslagen als '{target}' ({os_reason(error)}). "
        "Er is geen (half) bestand achtergebleven. Kies een andere map of maak ruimte vrij en "
        "probeer het opnieuw."
    )


# -- the timeline, as the case window writes it --------------------------------------------------
def fmt_date(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def fmt_moment(moment: datetime | None) -> str:
    return moment.strftime("%d-%m-%Y %H:%M") if moment else ""


def _value_text(key: str, value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key == "grootte" and isinstance(value, int):
        return human_size(value)
    text = str(value)
    if _ISO_DATE.match(text):
        return fmt_date(date.fromisoformat(text))
    lookups = {
        "uitkomst": {o.value: o.label for o in Outcome},
        "reden": {r.value: r.label for r in NotAdmissibleReason},
        "kanaal": {c.value: c.label for c in Channel},
        "brief": {key: kind.label for key, kind in LETTER_TYPES.items()},
        "via": VIA,
    }
    return lookups.get(key, {}).get(text, text)


def event_details(event: EventView, with_text: bool = True) -> str:
    """An event's details in Dutch, line by line, with the labels of the case window's
    timeline; a confidential event the reader may not see reads 'Vertrouwelijk'."""
    if event.confidential:
        return "Vertrouwelijk"
    parts = []
    if event.from_status and event.to_status:
        parts.append(f"{Status(event.from_status).label} → {Status(event.to_status).label}")
    elif event.to_status:
        parts.append(f"Status: {Status(event.to_status).label}")
    # The recorded text (a report, a note) reads best after the short facts.
    for key, value in sorted(event.data.items(), key=lambda kv: kv[0] == "tekst"):
        if value in ("", None) or (key == "tekst" and not with_text):
            continue
        text = _value_text(key, value)
        label = DATA_LABELS.get(key) or key.replace("_", " ").capitalize()
        parts.append(text if key == "tekst" else f"{label}: {text}")
    return "\n".join(parts)


def _in_date_order(events: list[EventView]) -> list[EventView]:
    # Recorded afterwards (a letter sent last week) still belongs where it happened.
    return sorted(events, key=lambda e: e.at)


def _timeline(events: list[EventView]) -> tuple[TimelineEntry, ...]:
    entries = []
    for event in _in_date_order(events):
        if event.kind in STATEMENT_TITLES and not event.confidential:
            # The report itself is printed once, in its own chapter.
            details = event_details(event, with_text=False)
            pointer = f"De tekst staat in {STATEMENTS_CHAPTER}."
            details = f"{details}\n{pointer}" if details else pointer
        else:
            details = event_details(event)
        entries.append(
            TimelineEntry(
                moment=fmt_moment(event.at),
                user=event.user,
                label=event.label,
                details=details,
                confidential=event.confidential,
            )
        )
    return tuple(entries)


# -- gathering the case ---------------------------------------------------------------------------
def _clerk_only(ctx: Context) -> bool:
    """The case window's rule: balie alone does not read the confidential entries."""
    return Role.BALIE in ctx.actor.roles and not ctx.actor.roles - {Role.BALIE}


def _yes_no(value: bool | None, unknown: str = "onbekend") -> str:
    return unknown if value is None else ("ja" if value else "nee")


def _dossier(session: Session, ctx: Context, case: Case, d: CaseDetail) -> Dossier:
    settings = read_all(session)
    clerk = _clerk_only(ctx)
    roles = ", ".join(r.label for r in sorted(ctx.actor.roles, key=list(Role).index))
    procedure = f"{d.procedure_name}, versie {d.procedure_version}"
    return Dossier(
        organisation=settings["org.name"],
        ref=d.ref,
        subject=d.subject,
        status=Status(d.status).label,
        made_on=ctx.today(),
        made_by=f"{ctx.actor.display_name} ({roles})",
        summary=(
            ("Ontvangen op", fmt_date(d.received)),
            ("Klachtenregeling", procedure),
            ("Behandelaar", d.handler or "nog niet toegewezen"),
        ),
        notice=(
            "Dit dossier is opgesteld door een baliemedewerker. Verslagen van hoorgesprekken en "
            "bemiddeling en verklaringen van medewerkers zijn vertrouwelijk en staan er niet in; "
            "op de tijdlijn staat alleen dat ze zijn vastgelegd."
            if clerk
            else ""
        ),
        complainant=_complainant_rows(d),
        complaint=_complaint_rows(d, procedure),
        complaint_texts=(
            ("Omschrijving", d.description),
            ("Verwachting van de klager", d.expectation or "niet vastgelegd"),
            ("Nieuwe feiten of omstandigheden", d.new_facts),
            ("Onafhankelijkheid toegelicht door de klachtencoördinator", d.independence_note),
        ),
        procedure=_procedure_rows(case, procedure),
        timeline=_timeline(d.events),
        statements=_statements(d.events),
        statements_note=_statements_note(d.events, clerk),
        decisions=_decisions(d),
        deadlines=tuple(_deadline_row(x) for x in d.deadlines),
        letters=_letters(session, case, d),
        letter_heads=("Brief", "Gemaakt op", "Verzonden"),
        letters_note=(
            "Brieven die buiten KlachtDesk zijn gemaakt, staan niet in KlachtDesk; van die "
            "brieven is alleen de verzending vastgelegd."
            if any(_outside_letter(e) for e in d.events)
            else ""
        ),
        attachments=_attachments(session, case),
    )


def _complainant_rows(d: CaseDetail) -> tuple[tuple[str, str], ...]:
    return (
        ("Naam", d.complainant_name),
        ("Adres", d.street),
        ("Postcode en plaats", " ".join(p for p in (d.postcode, d.city) if p)),
        ("Telefoon", d.phone),
        ("E-mailadres", d.email),
        ("Huurder- of lidnummer", d.member_number),
        ("Brieven per", "e-mail" if d.prefers_email else "post"),
        (
            "Relatie tot de woning",
            Relation(d.complainant_relation).label if d.complainant_relation else "",
        ),
    )


def _complaint_rows(d: CaseDetail, procedure: str) -> tuple[tuple[str, str], ...]:
    repeat = ""
    if d.repeat_claimed:
        repeat = "ja" + (f" ({d.earlier_ref})" if d.earlier_ref else "")
    return (
        ("Ontvangen op", fmt_date(d.received)),
        ("Ontvangen via", Channel(d.channel).label),
        ("Onderwerp", d.subject),
        ("Categorie", d.category or "geen"),
        ("Afdeling", d.department or "onbekend"),
        ("Medewerker", d.employee or "niet genoemd"),
        ("Eerst besproken met de medewerker", _yes_no(d.discussed_with_employee)),
        ("Eerder behandeld volgens de klager", repeat),
        ("Behandelaar", d.handler or "nog niet toegewezen"),
        ("Status", Status(d.status).label),
        ("Klachtenregeling", procedure),
    )


def _procedure_rows(case: Case, procedure_text: str) -> tuple[tuple[str, str], ...]:
    p = procedure_of(case.procedure_version)
    appeal = "nee"
    if p.appeal:
        appeal = "ja" + (f", reactie binnen {p.appeal_term.label()}" if p.appeal_term else "")
    return (
        ("Klachtenregeling", procedure_text),
        ("Versie vastgesteld op", fmt_date(case.procedure_version.created_at.date())),
        ("Ontvangstbevestiging binnen", p.acknowledgement_term.label()),
        ("Uitspraak binnen", p.decision_term.label()),
        ("Verlenging mogelijk", _yes_no(p.extension_allowed)),
        ("Heroverweging door de directeur-bestuurder", appeal),
        ("Externe instantie", p.external_body),
        ("Tevredenheid vragen", _yes_no(p.satisfaction_check)),
    )


def _statements(events: list[EventView]) -> tuple[Statement, ...]:
    found = []
    for event in _in_date_order(events):
        if event.kind not in STATEMENT_TITLES or event.confidential:
            continue
        title = STATEMENT_TITLES[event.kind]
        held = event.data.get("datum")
        if held:
            title = f"{title} op {_value_text('datum', held)}"
        found.append(
            Statement(
                title=title,
                recorded=f"Vastgelegd door {event.user or 'onbekend'} op {fmt_moment(event.at)}",
                text=str(event.data.get("tekst") or ""),
            )
        )
    return tuple(found)


def _statements_note(events: list[EventView], clerk: bool) -> str:
    hidden = sum(1 for e in events if e.confidential)
    if clerk:
        if not hidden:
            return "Er zijn geen verklaringen of verslagen vastgelegd."
        return (
            f"Er {'is' if hidden == 1 else 'zijn'} {hidden} vertrouwelijk"
            f"{'' if hidden == 1 else 'e'} verslag{'' if hidden == 1 else 'en'} of "
            f"verklaring{'' if hidden == 1 else 'en'} vastgelegd. Die staan niet in dit dossier: "
            "een baliemedewerker kan ze niet inzien."
        )
    if not any(e.kind in CONFIDENTIAL_EVENTS for e in events):
        return (
            "Er zijn geen hoorgesprekken, bemiddelingen of verklaringen van medewerkers vastgelegd."
        )
    return ""


def _last(events: list[EventView], kind: str) -> EventView | None:
    return next((e for e in reversed(_in_date_order(events)) if e.kind == kind), None)


def _by(event: EventView | None) -> str:
    return event.user if event is not None else ""


def _decisions(d: CaseDetail) -> tuple[Decision, ...]:
    events = d.events
    found: list[Decision] = []
    if d.not_admissible_reason:
        event = _last(events, Action.NIET_ONTVANKELIJK.value)
        found.append(
            Decision(
                "Niet ontvankelijk",
                (
                    ("Reden", NotAdmissibleReason(d.not_admissible_reason).label),
                    ("Besloten op", fmt_moment(event.at) if event else ""),
                    ("Door", _by(event)),
                ),
                (("Toelichting", str(event.data.get("toelichting") or "")),) if event else (),
            )
        )
    if d.referral_to:
        event = _last(events, Action.DOORVERWIJZEN.value)
        found.append(
            Decision(
                "Doorverwezen (geen klacht maar een melding)",
                (
                    ("Doorverwezen naar", d.referral_to),
                    ("Op", fmt_moment(event.at) if event else ""),
                    ("Door", _by(event)),
                ),
            )
        )
    withdrawn = _last(events, Action.INTREKKEN.value)
    if withdrawn is not None:
        found.append(
            Decision(
                "Ingetrokken door de klager",
                (("Vastgelegd op", fmt_moment(withdrawn.at)), ("Door", withdrawn.user)),
                (("Toelichting", str(withdrawn.data.get("toelichting") or "")),),
            )
        )
    if d.outcome:
        found.append(
            Decision(
                "Uitspraak",
                (
                    ("Uitkomst", Outcome(d.outcome).label),
                    ("Datum van de uitspraak", fmt_date(d.decided_on)),
                    ("Vastgelegd door", _by(_last(events, Action.UITSPRAAK.value))),
                ),
                (("Motivering", d.motivation), ("Aangeboden oplossing", d.solution)),
            )
        )
    satisfaction = _last(events, Activity.TEVREDENHEID.value)
    if satisfaction is not None and not satisfaction.confidential:
        answer = "niet bereikbaar" if d.satisfaction_unreachable else _yes_no(d.satisfied)
        found.append(
            Decision(
                "Tevredenheid van de klager",
                (("Tevreden", answer), ("Gevraagd op", fmt_moment(satisfaction.at))),
                (("Toelichting", str(satisfaction.data.get("tekst") or "")),),
            )
        )
    appeal = _last(events, Action.BEROEP.value)
    if appeal is not None:
        found.append(
            Decision(
                "Verzoek om heroverweging",
                (
                    ("Ontvangen op", _value_text("ontvangen", appeal.data.get("ontvangen", ""))),
                    ("Termijn tot en met", _value_text("termijn", appeal.data.get("termijn", ""))),
                    ("Vastgelegd door", appeal.user),
                ),
                (("Gronden van de klager", d.appeal_grounds),),
            )
        )
    if d.director_outcome:
        found.append(
            Decision(
                "Beslissing van de directeur-bestuurder",
                (
                    ("Uitkomst", Outcome(d.director_outcome).label),
                    ("Datum van de beslissing", fmt_date(d.director_decided_on)),
                    ("Vastgelegd door", _by(_last(events, Action.UITSPRAAK_DIRECTEUR.value))),
                ),
                (("Motivering", d.director_motivation),),
            )
        )
    dispute = _last(events, Action.GESCHIL.value)
    if dispute is not None:
        outcome = _last(events, Activity.GESCHIL_UITKOMST.value)
        found.append(
            Decision(
                "Geschil",
                (
                    ("Instantie", str(dispute.data.get("instantie") or d.external_body)),
                    (
                        "Voorgelegd op",
                        _value_text("voorgelegd", dispute.data.get("voorgelegd", "")),
                    ),
                ),
                (
                    ("Advies van de commissie", str(outcome.data.get("tekst") or "")),
                    ("Wat is met het advies gedaan", str(outcome.data.get("opgevolgd") or "")),
                )
                if outcome is not None
                else (),
            )
        )
    return tuple(found)


def _deadline_row(x: DeadlineView) -> DeadlineRow:
    explanation = x.explanation
    if x.extension_reason:
        explanation = f"{explanation}\nReden van de verlenging: {x.extension_reason}".strip()
    return DeadlineRow(
        label=x.label,
        start=fmt_date(x.start),
        due=fmt_date(x.due),
        stand=deadline_stand(x),
        explanation=explanation,
        superseded=x.deadline_state is DeadlineState.SUPERSEDED,
    )


def deadline_stand(x: DeadlineView) -> str:
    """'gehaald op 03-12-2026 (brief verzonden per post)', 'open, verlopen; …'."""
    state = x.deadline_state
    if state is DeadlineState.SUPERSEDED:
        return state.label
    if state is DeadlineState.OPEN:
        text = "open, verlopen" if x.state is Urgency.OVERDUE else "open"
        return f"{text}; {x.note}" if x.note else text
    when = x.met_on or x.settled_on
    text = state.label + (f" op {fmt_date(when)}" if when else "")
    return f"{text} ({x.settled_by})" if x.settled_by else text


def _outside_letter(event: EventView) -> bool:
    return (
        event.kind == Activity.BRIEF.value
        and "briefnummer" not in event.data
        and not event.confidential
    )


def _letter_label(kind: str) -> str:
    return LETTER_TYPES[kind].label if kind in LETTER_TYPES else kind


def _letters(session: Session, case: Case, d: CaseDetail) -> tuple[Appendix, ...]:
    users = dict(session.execute(select(User.id, User.display_name)).all())
    rows = []
    for letter in session.scalars(
        select(Letter).where(Letter.case_id == case.id).order_by(Letter.created_at, Letter.id)
    ):
        intact = hashlib.sha256(letter.pdf).hexdigest() == letter.sha256
        made = fmt_moment(letter.created_at)
        who = users.get(letter.created_by_id, "")
        sent = (
            f"{fmt_date(letter.sent_on)} per {VIA.get(letter.sent_via or '', 'post')}"
            if letter.sent_on
            else "nog niet verzonden"
        )
        rows.append(
            (
                letter.created_at,
                Appendix(
                    title=f"Brief: {_letter_label(letter.type)}, {fmt_date(letter.created_at)}",
                    cells=(_letter_label(letter.type), f"{made}\n{who}".strip(), sent),
                    data=letter.pdf if intact else None,
                    note="" if intact else "niet opgenomen: de controlecode (SHA-256) klopt niet",
                ),
            )
        )
    for event in d.events:
        if _outside_letter(event):
            sent = _value_text("verzonden", event.data.get("verzonden") or "")
            via = VIA.get(str(event.data.get("via") or ""), "")
            rows.append(
                (
                    event.at,
                    Appendix(
                        title=_letter_label(str(event.data.get("brief") or "")),
                        cells=(
                            _letter_label(str(event.data.get("brief") or "")),
                            "buiten KlachtDesk",
                            f"{sent} per {via}".strip() if via else sent,
                        ),
                        note="alleen de verzending is vastgelegd",
                    ),
                )
            )
    rows.sort(key=lambda row: row[0])
    return tuple(appendix for _, appendix in rows)


def _attachments(session: Session, case: Case) -> tuple[Appendix, ...]:
    users = dict(session.execute(select(User.id, User.display_name)).all())
    found = []
    for attachment in session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ):
        added = fmt_moment(attachment.added_at)
        who = users.get(attachment.added_by_id, "")
        found.append(
            Appendix(
                title=f"Bijlage: {attachment.filename}",
                cells=(
                    attachment.filename,
                    human_size(attachment.size),
                    f"{added}\n{who}".strip(),
                ),
                data=attachment.data,
                caption=" · ".join(
                    part
                    for part in (
                        f"Toegevoegd op {added}" + (f" door {who}" if who else ""),
                        human_size(attachment.size),
                        f"zaak {case.ref}",
                    )
                ),
            )
        )
    return tuple(found)


def dossier_summary(made: DossierFile) -> str:
    """The Dutch confirmation line for the window and the command line."""
    pages = "1 pagina" if made.pages == 1 else f"{made.pages} pagina's"
    return f"Het zaakdossier van zaak {made.ref} ({pages})"
