"""The inzageverzoek (AVG art. 15, SPEC §7): everything stored about one complainant, as JSON
and as a PDF for the person, made on explicit request by the administrator.

What is included, and why:
- the person's own data and every case that is (still) linked to them, with all its fields;
- the whole timeline, confidential entries included (hearing, mediation report, employees'
  statements): notes and reports about a complaint are personal data of the complainant too
  (CJEU C-434/16 Nowak), so the right of access covers them. Where they also hold data of
  others (an employee's statement), art. 15(4) lets the organisation black out what harms
  their rights; the window tells the administrator to read the overview before handing it
  over, the export itself leaves nothing out;
- letters (date, type, how sent) and attachments (name, size), not their contents: those
  are copies the person received or handed in, and can be given on request separately;
- from the audit log: when each case was viewed or changed and what was done. The names of
  the employees who consulted the data are left out: the right of access covers the dates
  and purposes of consultations, not the identity of the employees (CJEU C-579/21).
  The timeline does say who recorded what, as the case itself does (the acknowledgement
  letter names the handler).

The JSON is UTF-8 with Dutch keys in snake_case, dates as ISO 8601 ('2026-11-25') and
moments as '2026-11-25 10:00'; codes are given as their Dutch labels. The PDF is rendered
from the same data, so the two never differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Status, event_label
from klachtdesk.domain.values import Channel, NotAdmissibleReason, Outcome
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.reports import inzage_pdf
from klachtdesk.services.admin.settings import read_all
from klachtdesk.services.cases import case_view
from klachtdesk.services.cases.case_view import ComplainantMatch
from klachtdesk.services.cases.cases import procedure_of
from klachtdesk.services.context import Context, audit, viewing
from klachtdesk.storage.models import Attachment, AuditEntry, Case, Complainant, Letter, User

TITLE = inzage_pdf.TITLE

# Labels of the timeline's data keys, and of the codes some of them hold.
_DATA_LABELS = {
    "kanaal": "Kanaal",
    "behandelaar": "Behandelaar",
    "toelichting": "Toelichting",
    "reden": "Reden",
    "doorverwezen_naar": "Doorverwezen naar",
    "uitkomst": "Uitkomst",
    "ontvangen": "Ontvangen op",
    "termijn": "Termijn tot en met",
    "instantie": "Instantie",
    "voorgelegd": "Voorgelegd op",
    "oud": "Oude datum",
    "nieuw": "Nieuwe datum",
    "brief": "Brief",
    "verzonden": "Verzonden op",
    "via": "Verzonden via",
    "briefnummer": "Briefnummer",
    "sjabloon": "Sjabloon",
    "datum": "Datum",
    "tekst": "Tekst",
    "tevreden": "Tevreden",
    "opgevolgd": "Opvolging",
    "bestand": "Bestand",
    "grootte": "Grootte (bytes)",
    "velden": "Gewijzigde gegevens",
}
_VIA = {"post": "Post", "email": "E-mail"}
_AUDIT_LABELS = {
    "zaak_bekeken": "Zaak ingezien",
    "zaak_geregistreerd": "Klacht geregistreerd",
    "brief_geopend": "Brief geopend",
    "brief_opgeslagen": "Kopie van een brief opgeslagen",
    "brief_geprint": "Brief afgedrukt",
    "conceptbrief_opgeslagen": "Conceptbrief opgeslagen",
    "bijlage_opgeslagen": "Bijlage opgeslagen als bestand",
    "dossier_geexporteerd": "Zaakdossier gemaakt (PDF)",
}


@dataclass(frozen=True)
class InzageExport:
    """The overview as bytes; the window saves them where the user chooses."""

    json_bytes: bytes
    pdf_bytes: bytes
    filename_stem: str  # no name in it: file names show up in folder listings


def find_complainants(ctx: Context, text: str, limit: int = 50) -> list[ComplainantMatch]:
    """Complainants by (part of) name, postcode, e-mail address or phone number."""
    ctx.actor.require(Role.BEHEER, what="een inzageverzoek behandelen")
    return case_view.find_complainants(ctx, text, limit)


def inzage_export(ctx: Context, complainant_id: int) -> InzageExport:
    """Everything stored about one complainant, as JSON and PDF; audited without the name."""
    ctx.actor.require(Role.BEHEER, what="een inzageverzoek behandelen")
    with viewing(ctx) as session:
        person = session.get(Complainant, complainant_id)
        if person is None or person.anonymised_at is not None:
            raise KlachtDeskError(
                "Deze klager bestaat niet (meer); mogelijk zijn de gegevens geanonimiseerd."
            )
        settings = read_all(session)
        today = ctx.today()
        data = {
            "titel": TITLE,
            "organisatie": settings["org.name"],
            "opgesteld_op": today.isoformat(),
            "bewaartermijn": (
                f"{settings['retention.years_after_closing']} jaar na het sluiten van een zaak; "
                "daarna worden de gegevens geanonimiseerd."
            ),
            "persoonsgegevens": _person(person),
            "zaken": _cases(session, complainant_id),
        }
        audit(
            session,
            ctx,
            "inzage_geexporteerd",
            f"klager {complainant_id}",
            "1 zaak" if len(data["zaken"]) == 1 else f"{len(data['zaken'])} zaken",
        )
    json_bytes = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    pdf_bytes = inzage_pdf.render(data)
    return InzageExport(json_bytes, pdf_bytes, f"inzageverzoek-klager-{complainant_id}-{today}")


# -- gathering ------------------------------------------------------------------------------
def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value else None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("ja" if value else "nee")


def _label(enum, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return enum(value).label
    except ValueError:
        return value


def _person(person: Complainant) -> dict[str, Any]:
    return {
        "naam": person.name,
        "aanhef": person.salutation if person.salutation != "onbekend" else "",
        "straat_en_huisnummer": person.street,
        "postcode": person.postcode,
        "plaats": person.city,
        "telefoon": person.phone,
        "e_mail": person.email,
        "huurder_of_lidnummer": person.member_number,
        "brieven_per": "e-mail" if person.prefers_email else "post",
        "vastgelegd_op": _moment(person.created_at),
    }


def _cases(session: Session, complainant_id: int) -> list[dict[str, Any]]:
    found = list(
        session.scalars(
            select(Case)
            .where(Case.complainant_id == complainant_id)
            .order_by(Case.received, Case.id)
        )
    )
    users = dict(session.execute(select(User.id, User.display_name)).all())
    return [_case(session, case, users) for case in found]


def _case(session: Session, case: Case, users: dict[int, str]) -> dict[str, Any]:
    procedure = procedure_of(case.procedure_version)
    return {
        "kenmerk": case.ref,
        "status": Status(case.status).label,
        "ontvangen_op": _day(case.received),
        "kanaal": _label(Channel, case.channel),
        "onderwerp": case.subject,
        "omschrijving": case.description,
        "categorie": case.category.name if case.category else "",
        "afdeling": case.department.name if case.department else "",
        "medewerker": case.employee_name,
        "eerst_besproken_met_medewerker": _yes_no(case.discussed_with_employee),
        "verwachting": case.expectation,
        "behandelaar": case.handler.display_name if case.handler else "",
        "klachtenregeling": f"{procedure.name}, versie {case.procedure_version.version}",
        "niet_ontvankelijk_omdat": _label(NotAdmissibleReason, case.not_admissible_reason),
        "doorverwezen_naar": case.referral_to,
        "uitspraak": _label(Outcome, case.outcome),
        "motivering": case.motivation,
        "oplossing": case.solution,
        "uitspraak_op": _day(case.decided_on),
        "uitspraak_heroverweging": _label(Outcome, case.director_outcome),
        "motivering_heroverweging": case.director_motivation,
        "heroverweging_beslist_op": _day(case.director_decided_on),
        "tevreden": _yes_no(case.satisfied),
        "gesloten_op": _day(case.closed_on),
        "termijnen": [
            {
                "termijn": DeadlineKind(d.kind).label,
                "uiterlijk": _day(d.due),
                "gehaald_op": _day(d.met_on),
                "vervallen_door_verlenging": not d.active,
                "toelichting": d.explanation,
                "reden_verlenging": d.extension_reason,
            }
            for d in case.deadlines
        ],
        "tijdlijn": [
            {
                "moment": _moment(e.at),
                "gebeurtenis": event_label(e.kind),
                "door": users.get(e.user_id, ""),
                "van_status": Status(e.from_status).label if e.from_status else None,
                "naar_status": Status(e.to_status).label if e.to_status else None,
                "details": _details(e.data),
            }
            for e in case.events
        ],
        "brieven": [
            {
                "soort": LETTER_TYPES[kind].label if kind in LETTER_TYPES else kind,
                "gemaakt_op": _moment(created),
                "verzonden_op": _day(sent_on),
                "verzonden_via": _VIA.get(via or "", via),
            }
            for kind, created, sent_on, via in session.execute(
                select(Letter.type, Letter.created_at, Letter.sent_on, Letter.sent_via)
                .where(Letter.case_id == case.id)
                .order_by(Letter.id)
            )
        ],
        "bijlagen": [
            {"bestandsnaam": name, "grootte_bytes": size, "toegevoegd_op": _moment(added)}
            for name, size, added in session.execute(
                select(Attachment.filename, Attachment.size, Attachment.added_at)
                .where(Attachment.case_id == case.id)
                .order_by(Attachment.id)
            )
        ],
        "inzage_en_wijzigingen": [
            {"moment": _moment(at), "handeling": _audit_label(action)}
            for at, action in session.execute(
                select(AuditEntry.at, AuditEntry.action)
                .where(AuditEntry.object_ref == case.ref)
                .order_by(AuditEntry.id)
            )
        ],
    }


def _details(raw: str) -> dict[str, str]:
    result = {}
    for key, value in json.loads(raw or "{}").items():
        if value in (None, ""):
            continue
        if key == "uitkomst":
            value = _label(Outcome, value)
        elif key == "reden":
            value = _label(NotAdmissibleReason, value)
        elif key == "kanaal":
            value = _label(Channel, value)
        elif key == "via":
            value = _VIA.get(value, value)
        elif key == "brief":
            value = LETTER_TYPES[value].label if value in LETTER_TYPES else value
        elif isinstance(value, bool):
            value = _yes_no(value)
        result[_DATA_LABELS.get(key, key.replace("_", " ").capitalize())] = str(value)
    return result


def _audit_label(action: str) -> str:
    if action in _AUDIT_LABELS:
        return _AUDIT_LABELS[action]
    if action.startswith("zaak_"):
        return event_label(action.removeprefix("zaak_"))
    return action.replace("_", " ").capitalize()
