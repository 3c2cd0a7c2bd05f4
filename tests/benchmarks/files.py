"""Letters and attachments for the benchmark database: real letter PDFs made once, reused.

Every final letter KlachtDesk stores is a PDF of about 44 KB (two embedded font subsets);
the generator renders one real PDF per letter type with the application's own renderer
and the default template texts, and stores those bytes for every letter of that type.
Attachments are random bytes (incompressible, like photos and scans) of 50–500 KB,
spread log-uniformly (many small, few large), as the services would store them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from klachtdesk.letters.render import LetterDocument, Letterhead, Recipient, render_letter
from klachtdesk.letters.templates import DEFAULT_TEMPLATES, LETTER_TYPES, render_text

# Letter types a case in each state was sent (besides the acknowledgement), and the share
# of cases that also got the occasional letters.
OUTCOME_LETTERS = {
    "gesloten": ["uitspraak"],
    "afgehandeld": ["uitspraak"],
    "heroverweging": ["uitspraak"],
    "afgehandeld_directeur": ["uitspraak", "reactie_directeur"],
    "geschil": ["uitspraak", "reactie_directeur"],
    "niet_ontvankelijk": ["niet_ontvankelijk"],
    "doorverwezen": ["doorverwijzing"],
}
ACKNOWLEDGED = 0.95  # a few complaints are withdrawn or referred on the day they come in
HEARING = 0.15  # invited to a hearing (uitnodiging hoorgesprek)
EXTENSION = 0.05  # the decision took longer (verlenging)
SURVEY = 0.40  # a closed case gets a satisfaction survey (tevredenheidsvraag)
ATTACHMENT_SHARE = 0.10  # cases with attachments: photos, scans of letters, e-mails
ATTACHMENT_KB = (50, 500)
ATTACHMENT_NAMES = (
    ("foto-schade.jpg", "image/jpeg"),
    ("foto-lekkage.jpg", "image/jpeg"),
    ("scan-brief-klager.pdf", "application/pdf"),
    ("e-mail-klager.pdf", "application/pdf"),
    ("offerte-herstel.pdf", "application/pdf"),
)


@dataclass(frozen=True)
class StoredPdf:
    pdf: bytes
    sha256: str


def letter_pdfs() -> dict[str, StoredPdf]:
    """One real letter PDF per letter type, rendered by KlachtDesk from its default text."""
    values = defaultdict(
        lambda: "een voorbeeldtekst van gewone lengte voor deze brief",
        zaak="KD-2026-0042",
        ontvangen="3 maart 2026",
        datum="10 maart 2026",
        onderwerp_klacht="lekkage in de badkamer",
        behandelaar="Carla de Coördinator",
        contact="via 030 123 45 67 of klachten@woonstichting-groot.nl",
        termijn_uitspraak="31 maart 2026",
    )
    letterhead = Letterhead(
        "Woonstichting Groot",
        "Marktplein 1",
        "3511 AB",
        "Utrecht",
        "030 123 45 67",
        "klachten@woonstichting-groot.nl",
        "www.woonstichting-groot.nl",
        "30123456",
    )
    recipient = Recipient("J. de Vries", "heer", "Lindelaan 12", "3512 CD", "Utrecht")
    made = {}
    for kind in LETTER_TYPES:
        subject, body = DEFAULT_TEMPLATES[kind]
        subject, paragraphs = render_text(subject, body, values)
        pdf = render_letter(
            LetterDocument(
                letterhead=letterhead,
                recipient=recipient,
                reference="KD-2026-0042",
                date=date(2026, 3, 10),
                subject=subject,
                salutation="Geachte heer De Vries,",
                paragraphs=tuple(paragraphs),
                signature_name="Carla de Coördinator",
                signature_function="Klachtencoördinator",
            )
        )
        made[kind] = StoredPdf(pdf, hashlib.sha256(pdf).hexdigest())
    return made


def letter_kinds(status: str, path: list[str], rng: random.Random) -> list[str]:
    """The letters a case in ``status`` was sent, in order."""
    kinds = ["ontvangstbevestiging"] if rng.random() < ACKNOWLEDGED else []
    if "triage_klacht" in path and rng.random() < HEARING:
        kinds.append("uitnodiging_hoorgesprek")
    if "triage_klacht" in path and rng.random() < EXTENSION:
        kinds.append("verlenging")
    kinds += OUTCOME_LETTERS.get(status, [])
    if status == "gesloten" and rng.random() < SURVEY:
        kinds.append("tevredenheidsvraag")
    return kinds


def letter_rows(case_id, received: date, kinds, pdfs, users, store: bool, today: date):
    """Events for every letter sent and, when ``store``, the letters themselves.

    Cases whose letters are not stored stand for cases past their retention period: the
    privacy service deletes letters and attachments when it anonymises a case, and keeps
    the timeline."""
    letters, events = [], []
    for number, kind in enumerate(kinds):
        sent = min(received + timedelta(days=2 + 12 * number), today)
        moment = datetime.combine(sent, clock_time(14, number))
        answers = LETTER_TYPES[kind].answers
        via = "post"
        if store:
            stored = pdfs[kind]
            letters.append(
                {
                    "case_id": case_id,
                    "type": kind,
                    "pdf": stored.pdf,
                    "sha256": stored.sha256,
                    "created_at": moment,
                    "created_by_id": users["coordinator"],
                    "sent_on": sent,
                    "sent_via": via,
                    "deadline_kind": next((k.value for k in answers), None),
                }
            )
        events.append(
            {
                "case_id": case_id,
                "at": moment,
                "user_id": users["coordinator"],
                "kind": "brief",
                "from_status": None,
                "to_status": None,
                "data": json.dumps({"brief": kind, "verzonden": sent.isoformat(), "via": via}),
            }
        )
    return letters, events


def attachment_rows(case_id, received: date, users, rng: random.Random):
    """1–2 attachments for ``ATTACHMENT_SHARE`` of the cases; events for each."""
    if rng.random() >= ATTACHMENT_SHARE:
        return [], []
    rows, events = [], []
    low, high = (math.log(kb * 1024) for kb in ATTACHMENT_KB)
    for number in range(rng.choice((1, 1, 2))):
        data = os.urandom(int(math.exp(rng.uniform(low, high))))
        name, mime = rng.choice(ATTACHMENT_NAMES)
        moment = datetime.combine(received, clock_time(10, number))
        rows.append(
            {
                "case_id": case_id,
                "filename": name,
                "mime_type": mime,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "data": data,
                "added_at": moment,
                "added_by_id": users["balie"],
            }
        )
        events.append(
            {
                "case_id": case_id,
                "at": moment,
                "user_id": users["balie"],
                "kind": "bijlage",
                "from_status": None,
                "to_status": None,
                "data": json.dumps({"bestand": name, "grootte": len(data)}),
            }
        )
    return rows, events
