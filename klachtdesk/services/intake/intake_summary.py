"""The summary page of the intake: everything entered, readable, before registering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.validation import normalise_phone, normalise_postcode
from klachtdesk.domain.values import Channel
from klachtdesk.services.intake.intake import IntakeFlow, Page, file_size, normalised
from klachtdesk.services.intake.intake_admissibility import ANSWER_LABELS

_CHANNELS = {c.value for c in Channel}


@dataclass
class SummarySection:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def summary(flow: IntakeFlow) -> list[SummarySection]:
    """Everything entered, readable, in the order of the pages; the deadlines up front, so
    the clerk can tell the caller when to expect an answer."""
    k, c = flow.answers[Page.KANAAL], flow.answers[Page.KLACHT]
    data = flow.complainant_data()
    channel = k.get("channel")
    received = k.get("received")
    sections = [
        SummarySection(
            Page.KANAAL.title,
            [
                ("Kanaal", Channel(channel).label if channel in _CHANNELS else ""),
                ("Ontvangen op", long_date(received) if isinstance(received, date) else ""),
            ],
        )
    ]
    sections.append(
        SummarySection(
            "Termijnen",
            [
                (
                    f"{d.kind.label} uiterlijk",
                    long_date(d.due) + (f" ({d.explanation})" if d.explanation else ""),
                )
                for d in flow.deadlines()
            ],
        )
    )
    postcode = normalised(normalise_postcode, data["postcode"]) or data["postcode"]
    address = ", ".join(
        part for part in (data["street"], f"{postcode} {data['city']}".strip()) if part
    )
    if flow.is_known_complainant():
        count = len(flow.known_cases)
        known = f"Bekende klager ({count} eerdere {'zaak' if count == 1 else 'zaken'})"
    else:
        known = "Nieuwe klager"
    salutation = {"heer": "De heer", "mevrouw": "Mevrouw"}.get(data["salutation"], "")
    if data["prefers_email"] or not data["street"]:
        letters = "per e-mail" if data["prefers_email"] else "per e-mail (geen postadres)"
    else:
        letters = "per post"
    sections.append(
        SummarySection(
            Page.KLAGER.title,
            [
                ("Naam", f"{salutation} {data['name']}".strip()),
                ("Adres", address),
                ("Telefoon", normalised(normalise_phone, data["phone"]) or data["phone"]),
                ("E-mailadres", data["email"]),
                ("Huurdernummer", data["member_number"]),
                ("Brieven", letters),
                ("Bekend", known),
            ],
        )
    )
    sections.append(
        SummarySection(
            Page.KLACHT.title,
            [
                ("Onderwerp", c.get("subject", "")),
                ("Omschrijving", c.get("description", "")),
                ("Categorie", c.get("category", "")),
                ("Afdeling", c.get("department", "")),
                ("Medewerker", c.get("employee", "")),
                ("Verwachting", c.get("expectation", "")),
            ],
        )
    )
    a = flow.answers[Page.ONTVANKELIJKHEID]
    rows = []
    for question in flow.questions():
        value = a.get(question.key) or ""
        if question.kind == "choice":
            value = ANSWER_LABELS.get(value, "niet beantwoord")
        rows.append((question.text, value or "niet ingevuld"))
    rows += [("Let op", text) for text in flow.consequences().values()]
    sections.append(SummarySection(Page.ONTVANKELIJKHEID.title, rows))
    files = [(f.name, file_size(f.size)) for f in flow.files]
    sections.append(SummarySection(Page.BIJLAGEN.title, files or [("Bijlagen", "geen")]))
    return [
        SummarySection(s.title, [(label, value) for label, value in s.rows if value])
        for s in sections
    ]
