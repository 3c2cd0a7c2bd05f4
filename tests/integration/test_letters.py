"""Letters end to end: drafted from a case, rendered to PDF, stored with their hash, sent.

The text is read back from the PDF with pypdfium2 (no poppler needed).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
from datetime import date

import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlalchemy import select, text

from klachtdesk.cli import main
from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import ConflictError, KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.letters.render import LetterDocument, Letterhead, Recipient, render_letter
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.services.admin import admin, settings
from klachtdesk.services.cases import case_activities, case_view, cases
from klachtdesk.services.letters import letters
from klachtdesk.storage.models import AuditEntry, Letter
from tests.conftest import (
    APPEAL_GROUNDS,
    PASSWORD,
    TODAY,
    complaint_data,
    directeur_refusal,
    on_server,
    tampering,
)

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
MM = 72 / 25.4


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return " ".join(" ".join(pages).split())


def text_in_box(data: bytes, left_mm, top_mm, width_mm, height_mm, page: int = 0) -> str:
    """The text inside a rectangle measured from the sheet's top-left corner, in mm."""
    document = pdfium.PdfDocument(data)
    try:
        height = document[page].get_size()[1]
        box = (
            document[page]
            .get_textpage()
            .get_text_bounded(
                left=left_mm * MM,
                right=(left_mm + width_mm) * MM,
                top=height - top_mm * MM,
                bottom=height - (top_mm + height_mm) * MM,
            )
        )
    finally:
        document.close()
    return " ".join(box.split())


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


@pytest.fixture
def org(org):
    settings.update_settings(
        org.beheer,
        {
            "org.street": "Lindeplein 1",
            "org.postcode": "3511 AB",
            "org.city": "Utrecht",
            "org.phone": "030 123 45 67",
            "org.email": "klachten@delinde.example",
            "org.website": "www.delinde.example",
            "org.kvk": "12345678",
            "letters.signature_name": "Carla Coördinator",
            "letters.signature_function": "Klachtencoördinator",
        },
    )
    return org


def register(org, name="Jan de Vries", salutation="heer", **complainant) -> str:
    data = complaint_data()
    data["complainant"] = {**data["complainant"], "name": name, "salutation": salutation}
    data["complainant"].update(complainant)
    return cases.register(org.balie, ComplaintInput.validated(data, TODAY))


def triaged(org, **kw) -> str:
    ref = register(org, **kw)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    return ref


def decided(org, outcome="deels_gegrond", **kw) -> str:
    ref = triaged(org, **kw)
    cases.perform(
        org.manager,
        ref,
        Action.UITSPRAAK,
        outcome=outcome,
        motivation="de aannemer heeft de lekkage niet op tijd verholpen",
        solution="Wij laten de lekkage deze week verhelpen en vergoeden € 150,00.",
    )
    return ref


def appealed(org) -> str:
    ref = decided(org)
    cases.perform(org.coordinator, ref, Action.BEROEP, received=TODAY, grounds=APPEAL_GROUNDS)
    return ref


def director_decided(org) -> str:
    ref = appealed(org)
    cases.perform(
        org.directeur,
        ref,
        Action.UITSPRAAK_DIRECTEUR,
        outcome="ongegrond",
        motivation="De geboden oplossing is redelijk.",
    )
    return ref


def extended(org) -> str:
    ref = triaged(org)
    case_activities.extend_decision(
        org.coordinator, ref, date(2027, 1, 8), "Wij wachten op het rapport van de aannemer."
    )
    return ref


def not_admitted(org) -> str:
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.NIET_ONTVANKELIJK, reason="niet_besproken")
    return ref


def referred(org) -> str:
    ref = register(org)
    cases.perform(
        org.coordinator,
        ref,
        Action.DOORVERWIJZEN,
        referral_to="het reparatieformulier op onze website (afdeling Onderhoud)",
    )
    return ref


# letter type -> (how to get a case for it, who makes it, phrases the letter must contain)
SCENARIOS = {
    "ontvangstbevestiging": (
        register,
        "balie",
        [
            "Ontvangstbevestiging van uw klacht",
            "Op 20 november 2026 hebben wij uw klacht ontvangen over: Lekkage badkamer niet "
            "verholpen.",
            "Uw klacht wordt behandeld door onze klachtencoördinator.",
            "U ontvangt uiterlijk op 18 december 2026 een schriftelijke reactie van ons.",
            "vertrouwelijk",
        ],
    ),
    "niet_ontvankelijk": (
        not_admitted,
        "coordinator",
        [
            "Wij nemen uw klacht niet in behandeling",
            "Helaas kunnen wij uw klacht niet in behandeling nemen.",
            "Uit uw klacht blijkt dat u dat nog niet heeft gedaan.",
            "Wij raden u aan uw klacht eerst te bespreken met de medewerker die uw vraag of "
            "melding heeft behandeld.",
        ],
    ),
    "doorverwijzing": (
        referred,
        "coordinator",
        [
            "Uw melding: wij verwijzen u door",
            "maar een melding.",
            "Voor uw melding verwijzen wij u naar het reparatieformulier op onze website "
            "(afdeling Onderhoud).",
        ],
    ),
    "uitnodiging_hoorgesprek": (
        triaged,
        "coordinator",
        [
            "Uitnodiging voor een gesprek over uw klacht",
            "Wij nodigen u daarom uit voor een hoorgesprek.",
            "Carla Coördinator neemt binnenkort contact met u op",
            "op ons kantoor, Lindeplein 1, 3511 AB Utrecht.",
        ],
    ),
    "verlenging": (
        extended,
        "coordinator",
        [
            "Meer tijd nodig voor de behandeling van uw klacht",
            "uiterlijk op 18 december 2026 een reactie van ons zou krijgen.",
            "Wij wachten op het rapport van de aannemer.",
            "U ontvangt nu uiterlijk op 8 januari 2027 een schriftelijke reactie van ons.",
        ],
    ),
    "uitspraak": (
        decided,
        "manager",
        [
            "Uitspraak op uw klacht",
            "Wij vinden uw klacht gedeeltelijk gegrond.",
            "De aannemer heeft de lekkage niet op tijd verholpen.",
            "Wij laten de lekkage deze week verhelpen en vergoeden € 150,00.",
            "Dan kunt u zich richten tot onze directeur-bestuurder.",
            "U krijgt binnen twee weken een schriftelijke reactie.",
            "geschil voorleggen aan de Regionale Geschillencommissie.",
            "Huurcommissie",
        ],
    ),
    "tevredenheidsvraag": (
        decided,
        "coordinator",
        [
            "Bent u tevreden over de afhandeling van uw klacht?",
            "of u tevreden bent over de afhandeling van uw klacht.",
            "Wilt u ons dat laten weten via 030 123 4567 of klachten@delinde.example?",
        ],
    ),
    "reactie_directeur": (
        director_decided,
        "directeur",
        [
            "Reactie op uw verzoek om heroverweging",
            "U was het niet eens met onze uitspraak van 25 november 2026",
            "Ook na heroverweging vind ik uw klacht ongegrond.",
            "De geboden oplossing is redelijk.",
            "Dan is uw klacht een geschil geworden.",
            "ter beoordeling voorleggen aan de Regionale Geschillencommissie.",
            "Dirk Directeur Directeur-bestuurder",
        ],
    ),
}


def test_every_letter_type_has_a_scenario():
    assert set(SCENARIOS) == set(LETTER_TYPES)


@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_the_text_of_every_letter_type(org, kind):
    make_case, who, phrases = SCENARIOS[kind]
    ref = make_case(org)
    ctx = getattr(org, who)
    draft = letters.draft(ctx, ref, kind)
    letter_id = letters.finalise(ctx, ref, draft, "post")
    text = pdf_text(letters.letter_pdf(ctx, letter_id))
    for phrase in [
        "Woonstichting De Linde",
        "De heer Jan de Vries",
        "Lindelaan 4",
        "3511 AB UTRECHT",
        f"Ons kenmerk {ref}",
        "Datum 25 november 2026",
        "Onderwerp",
        "Geachte heer De Vries,",
        "Met vriendelijke groet,",
        "T 030 123 4567",
        "KvK 12345678",
        *phrases,
    ]:
        assert phrase in text, f"{kind}: {phrase!r} not in {text!r}"
    assert "{" not in text and "}" not in text
    assert "CONCEPT" not in text
    assert "Pagina" not in text  # one page: no page numbers
    signer = "Dirk Directeur" if kind == "reactie_directeur" else "Carla Coördinator"
    assert signer in text


@pytest.mark.parametrize("month", range(1, 13))
def test_the_date_is_written_out_in_dutch_for_every_month(org, month):
    data = complaint_data(received="2026-01-02")
    ref = cases.register(org.balie, ComplaintInput.validated(data, TODAY))
    day = date(2026, month, 15)
    ctx = dataclasses.replace(org.balie, today=lambda: day)
    pdf = letters.preview(ctx, ref, letters.draft(ctx, ref, "ontvangstbevestiging"))
    text = pdf_text(pdf)
    assert f"Datum 15 {MONTHS[month - 1]} 2026" in text
    assert "Op 2 januari 2026 hebben wij uw klacht ontvangen" in text


@pytest.mark.parametrize(
    "name, salutation, greeting, addressee",
    [
        ("Jan de Vries", "heer", "Geachte heer De Vries,", "De heer Jan de Vries"),
        ("Fatima el Amrani", "mevrouw", "Geachte mevrouw El Amrani,", "Mevrouw Fatima el Amrani"),
        ("Fatima el Amrani", "onbekend", "Geachte Fatima el Amrani,", "Fatima el Amrani"),
        ("Jan Bosschaert", "heer", "Geachte heer Bosschaert,", "De heer Jan Bosschaert"),
        ("Pieter van den Berg", "heer", "Geachte heer Van den Berg,", "De heer Pieter van den"),
    ],
)
def test_salutation_and_address_block_from_the_complainant(
    org, name, salutation, greeting, addressee
):
    ref = register(org, name=name, salutation=salutation)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    assert draft.salutation == greeting
    pdf = letters.preview(org.balie, ref, draft)
    assert greeting in pdf_text(pdf)
    window = text_in_box(pdf, 20, 50, 90, 45)
    assert addressee in window
    assert "Lindelaan 4" in window and "3511 AB UTRECHT" in window


def test_address_block_follows_the_window_setting(org):
    ref = register(org)
    default = letters.preview(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"))
    # Nothing of the address outside the window, nothing else inside it.
    assert "Jan de Vries" not in text_in_box(default, 0, 0, 210, 50)
    assert "Jan de Vries" not in text_in_box(default, 0, 95, 210, 202)
    assert "Ons kenmerk" not in text_in_box(default, 20, 50, 90, 45)
    assert "Retouradres" in text_in_box(default, 20, 50, 90, 45)
    settings.update_settings(
        org.beheer, {"letters.address_left_mm": 100, "letters.address_top_mm": 40}
    )
    moved = letters.preview(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"))
    window = text_in_box(moved, 100, 40, 90, 45)
    assert "De heer Jan de Vries" in window and "3511 AB UTRECHT" in window
    assert "Jan de Vries" not in text_in_box(moved, 0, 40, 100, 60)
    assert "Lindeplein" not in window.replace("Retouradres: Woonstichting De Linde, Lindeplein", "")
    assert "KvK 12345678" in text_in_box(moved, 20, 40, 80, 60)  # details left of the window


def test_final_letter_is_stored_with_its_hash_and_a_tampered_one_is_refused(org, tmp_path):
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    letter_id = letters.finalise(org.balie, ref, draft, "email")
    with org.balie.db.session() as session:
        row = session.get(Letter, letter_id)
        stored_pdf, stored_hash = row.pdf, row.sha256
        assert (row.sent_on, row.sent_via, row.deadline_kind) == (
            TODAY,
            "email",
            "ontvangstbevestiging",
        )
    assert stored_pdf.startswith(b"%PDF")
    assert hashlib.sha256(stored_pdf).hexdigest() == stored_hash
    assert letters.letter_pdf(org.balie, letter_id) == stored_pdf
    info = letters.stored_letters(org.balie, ref)[0]
    assert (info.id, info.sha256, info.type, info.created_by) == (
        letter_id,
        stored_hash,
        "ontvangstbevestiging",
        "Bea Balie",
    )
    with tampering(org) as conn:
        # Someone working outside KlachtDesk first has to remove the database's own guard.
        on = " ON letters" if on_server(org) else ""
        conn.execute(text(f"DROP TRIGGER letters_immutable{on}"))
        middle = len(stored_pdf) // 2  # one changed byte, as a damaged disk or a hand would
        changed = bytes([stored_pdf[middle] ^ 0x01])
        conn.execute(
            text("UPDATE letters SET pdf = :pdf WHERE id = :i"),
            {"pdf": stored_pdf[:middle] + changed + stored_pdf[middle + 1 :], "i": letter_id},
        )
    with pytest.raises(KlachtDeskError, match="SHA-256") as refused:
        letters.letter_pdf(org.balie, letter_id)
    assert "beschadigd of gewijzigd" in str(refused.value)
    with pytest.raises(KlachtDeskError, match="SHA-256"):
        letters.save_letter_as(org.balie, letter_id, tmp_path / "kopie.pdf")
    assert not (tmp_path / "kopie.pdf").exists()


def test_the_final_letter_meets_the_deadline_it_answers(org):
    ref = register(org)
    letters.finalise(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"), "post")
    detail = case_view.case_detail(org.coordinator, ref)
    ack = next(d for d in detail.deadlines if d.kind == "ontvangstbevestiging")
    assert ack.met_on == TODAY
    event = detail.events[-1]
    assert event.kind == Activity.BRIEF.value
    assert event.data["brief"] == "ontvangstbevestiging"
    assert event.data["via"] == "post"
    assert event.data["verzonden"] == TODAY.isoformat()
    with org.beheer.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "zaak_brief")).all()[
            -1
        ]
        assert entry.object_ref == ref and entry.detail.startswith("ontvangstbevestiging")
        assert "Jan" not in entry.detail  # no personal data in the audit log


def test_director_letter_meets_the_appeal_deadline_and_extension_letter_its_notice(org):
    ref = director_decided(org)
    letters.finalise(
        org.directeur, ref, letters.draft(org.directeur, ref, "reactie_directeur"), "post"
    )
    detail = case_view.case_detail(org.coordinator, ref)
    appeal = next(d for d in detail.deadlines if d.kind == "heroverweging")
    assert appeal.met_on == TODAY

    ref = extended(org)
    before = [(d.kind, d.met_on) for d in case_view.case_detail(org.coordinator, ref).deadlines]
    letters.finalise(
        org.coordinator, ref, letters.draft(org.coordinator, ref, "verlenging"), "post"
    )
    after = [(d.kind, d.met_on) for d in case_view.case_detail(org.coordinator, ref).deadlines]
    # only the notice of the extension, due before the old term ended, is met by it
    assert [a for a in after if a not in before] == [("verlengingsbericht", TODAY)]
    assert len(after) == len(before)


def test_a_stored_letter_never_changes(org):
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    first = letters.finalise(org.balie, ref, draft, "post")
    first_pdf = letters.letter_pdf(org.balie, first)
    edited = draft.edited(body="Tweede versie van de brief.")
    second = letters.finalise(org.balie, ref, edited, "post")
    assert second != first
    assert letters.letter_pdf(org.balie, first) == first_pdf
    assert "Tweede versie van de brief." in pdf_text(letters.letter_pdf(org.balie, second))
    own = [
        name
        for name, value in vars(letters).items()
        if callable(value) and getattr(value, "__module__", "") == letters.__name__
    ]
    assert "finalise" in own
    assert not [name for name in own if name.startswith(("update", "change", "edit", "replace"))]


def test_the_user_edits_the_draft_before_it_is_final(org):
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    edited = draft.edited(
        subject="Uw klacht over de lekkage",
        salutation="Beste familie De Vries,",
        body="Eerste alinea met ë, é, ï en € 25,-.\n\n- eerste punt\n- tweede punt",
    )
    assert edited.paragraphs == (
        "Eerste alinea met ë, é, ï en € 25,-.",
        "- eerste punt\n- tweede punt",
    )
    pdf = letters.letter_pdf(org.balie, letters.finalise(org.balie, ref, edited, "post"))
    text = pdf_text(pdf)
    assert "Uw klacht over de lekkage" in text
    assert "Beste familie De Vries," in text
    assert "Eerste alinea met ë, é, ï en € 25,-." in text
    assert "• eerste punt" in text.replace("•  ", "• ")
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # the font is embedded


def test_page_numbers_only_on_letters_longer_than_one_page(org):
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    short = letters.preview(org.balie, ref, draft)
    assert page_count(short) == 1 and "Pagina" not in pdf_text(short)
    long = draft.edited(body="\n\n".join([draft.body_text] * 4))
    pdf = letters.preview(org.balie, ref, long)
    pages = page_count(pdf)
    assert pages >= 2
    text = pdf_text(pdf)
    for number in range(1, pages + 1):
        assert f"Pagina {number} van {pages}" in text
    # The greeting and signature never stand alone on the last page.
    last = text_in_box(pdf, 0, 0, 210, 297, page=pages - 1)
    assert "Vermeld daarbij altijd ons kenmerk" in last and "Met vriendelijke groet," in last


def test_preview_says_concept_and_stores_nothing(org):
    ref = register(org)
    pdf = letters.preview(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"))
    assert "CONCEPT" in pdf_text(pdf)
    assert letters.stored_letters(org.balie, ref) == []


@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_the_letter_window_opens_with_the_draft_and_its_preview_in_one_call(org, kind):
    make_case, who, _phrases = SCENARIOS[kind]
    ref = make_case(org)
    ctx = getattr(org, who)
    draft, pdf = letters.draft_with_preview(ctx, ref, kind)
    assert draft == letters.draft(ctx, ref, kind)
    assert pdf_text(pdf) == pdf_text(letters.preview(ctx, ref, draft))
    assert "CONCEPT" in pdf_text(pdf)
    assert letters.stored_letters(ctx, ref) == []


def test_the_one_call_refuses_what_the_draft_refuses(org):
    ref = register(org)
    hidden = "alleen zaken waarvoor heroverweging is gevraagd|bestaat niet"
    for call in (letters.draft, letters.draft_with_preview):
        with pytest.raises(directeur_refusal(org), match=hidden):
            call(org.directeur, ref, "ontvangstbevestiging")
        with pytest.raises(NotAllowed, match="nog niet worden gemaakt"):
            call(org.coordinator, ref, "uitspraak")


def test_the_note_of_an_other_reason_is_in_the_not_admissible_letter(org):
    ref = register(org)
    note = "Uw brief gaat over de buren en niet over onze dienstverlening"
    cases.perform(org.coordinator, ref, Action.NIET_ONTVANKELIJK, reason="anders", note=note)
    draft = letters.draft(org.coordinator, ref, "niet_ontvankelijk")
    assert f"{note}." in draft.body_text


def test_letter_streams_are_binary_not_ascii85(org):
    """Compressed streams without the ASCII85 layer: smaller, and every reader opens them."""
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    letter_id = letters.finalise(org.balie, ref, draft, "post")
    pdf = letters.letter_pdf(org.balie, letter_id)
    assert b"/FlateDecode" in pdf and b"ASCII85Decode" not in pdf
    assert f"Ons kenmerk {ref}" in pdf_text(pdf)


def test_logo_on_the_letterhead(org):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (31, 78, 95)).save(buffer, "PNG")
    settings.update_settings(org.beheer, {"org.logo": base64.b64encode(buffer.getvalue()).decode()})
    ref = register(org)
    pdf = letters.preview(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"))
    assert b"/Subtype /Image" in pdf
    # A damaged logo does not stop the letter.
    settings.update_settings(org.beheer, {"org.logo": base64.b64encode(b"geen plaatje").decode()})
    assert letters.preview(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"))


def _png(colour: tuple[int, int, int], mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (300, 100), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _colour_at(pdf: bytes, left_mm: float, top_mm: float) -> tuple[int, int, int]:
    """The colour of the first page at a point measured from the sheet's top-left corner."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil().convert("RGB")
    finally:
        document.close()
    return image.getpixel((round(left_mm * MM * 2), round(top_mm * MM * 2)))


def test_the_next_letter_shows_the_letterhead_beheer_just_saved(org):
    """Letters keep the logo's PDF image and the font subsets between letters: a letter
    made after beheer changed the letterhead in the settings window shows the new one."""
    ref = register(org)

    def preview() -> bytes:
        return letters.preview(
            org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging")
        )

    logo_middle = (25 + 35, 15 + 11)  # the logo is 70 mm wide, top left at (25, 15) mm
    admin.save_settings(org.beheer, {}, _png((200, 30, 30)))
    first = preview()
    assert _colour_at(first, *logo_middle) == (200, 30, 30)

    admin.save_settings(
        org.beheer,
        {"org.name": "Woonstichting Het Anker", "org.street": "Kadeweg 7"},
        _png((30, 30, 200), "RGBA"),
    )
    second = preview()
    assert _colour_at(second, *logo_middle) == (30, 30, 200)
    text = pdf_text(second)
    assert "Woonstichting Het Anker" in text and "Kadeweg 7" in text
    assert "Lindeplein" not in text

    admin.save_settings(org.beheer, {}, None)  # no logo: the name is the letterhead
    third = preview()
    assert _colour_at(third, *logo_middle) == (255, 255, 255)
    assert b"/Subtype /Image" not in third
    assert "Woonstichting Het Anker" in text_in_box(third, 20, 10, 120, 20)


def test_renderer_without_database():
    doc = LetterDocument(
        letterhead=Letterhead("Vereniging Ons Huis"),
        recipient=Recipient("Anna Bakker", "mevrouw", "Dorpsstraat 1", "1234 AB", "Ergens"),
        reference="KD-2026-0001",
        date=date(2026, 3, 1),
        subject="Onderwerp <b>met</b> & tekens",
        salutation="Geachte mevrouw Bakker,",
        paragraphs=("Tekst met <script> & 'aanhalingstekens'.",),
    )
    text = pdf_text(render_letter(doc))
    assert "Datum 1 maart 2026" in text
    assert "Onderwerp <b>met</b> & tekens" in text
    assert "Tekst met <script> & 'aanhalingstekens'." in text
    assert "Retouradres" not in text  # no sender address known


# -- who may make which letter, and when --------------------------------------------------------
def test_director_makes_only_the_reactie_directeur(org):
    ref = director_decided(org)
    with pytest.raises(NotAllowed, match="alleen de brief met uw reactie"):
        letters.draft(org.directeur, ref, "tevredenheidsvraag")
    other = register(org)
    with pytest.raises(directeur_refusal(org), match="heroverweging|bestaat niet"):
        letters.draft(org.directeur, other, "ontvangstbevestiging")
    with pytest.raises(NotAllowed):
        letters.draft(org.beheer, other, "ontvangstbevestiging")


def test_a_letter_about_something_that_has_not_happened_is_refused(org):
    ref = triaged(org)
    with pytest.raises(NotAllowed, match="nog geen uitspraak gedaan"):
        letters.draft(org.coordinator, ref, "uitspraak")
    with pytest.raises(NotAllowed, match="leg eerst de verlenging"):
        letters.draft(org.coordinator, ref, "verlenging")
    with pytest.raises(ValidationError, match="geen soort brief"):
        letters.draft(org.coordinator, ref, "kerstkaart")
    with pytest.raises(cases.CaseNotFound):
        letters.draft(org.coordinator, "KD-2026-9999", "ontvangstbevestiging")


def test_delivery_needs_an_address_or_an_email_address(org):
    only_email = register(org, street="", postcode="", city="")
    draft = letters.draft(org.balie, only_email, "ontvangstbevestiging")
    assert draft.default_via == "post"  # no preference for e-mail was given
    with pytest.raises(ValidationError, match="adres van de klager is niet volledig"):
        letters.finalise(org.balie, only_email, draft, "post")
    only_post = register(org, email="")
    draft = letters.draft(org.balie, only_post, "ontvangstbevestiging")
    with pytest.raises(ValidationError, match="geen e-mailadres"):
        letters.finalise(org.balie, only_post, draft, "email")
    with pytest.raises(ValidationError, match="kies post of e-mail"):
        letters.finalise(org.balie, only_post, draft, "duif")
    with pytest.raises(ValidationError, match="is leeg"):
        letters.finalise(org.balie, only_post, draft.edited(body="  \n\n "), "post")
    with pytest.raises(ValidationError, match="aanhef"):
        letters.finalise(org.balie, only_post, draft.edited(salutation=" "), "post")
    assert letters.stored_letters(org.balie, only_email) == []
    assert letters.stored_letters(org.balie, only_post) == []


def test_a_case_changed_on_another_pc_is_not_overwritten(org):
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    case_activities.record(org.coordinator, ref, Activity.NOTITIE, "Gebeld met de klager.")
    with pytest.raises(ConflictError):
        letters.finalise(org.balie, ref, draft, "post", draft.case_version)
    assert letters.stored_letters(org.balie, ref) == []


def test_types_for_the_state_of_a_case(org):
    def kinds(ref, ctx=None):
        return letters.types_for(case_view.case_detail(org.coordinator, ref), ctx)

    new = register(org)
    assert kinds(new) == ["ontvangstbevestiging"]
    letters.finalise(org.balie, new, letters.draft(org.balie, new, "ontvangstbevestiging"), "post")
    assert kinds(new) == ["ontvangstbevestiging"]
    assert kinds(triaged(org)) == ["ontvangstbevestiging", "uitnodiging_hoorgesprek"]
    assert kinds(extended(org))[-1] == "verlenging"
    assert kinds(not_admitted(org)) == ["niet_ontvankelijk"]
    assert kinds(referred(org)) == ["doorverwijzing"]
    # Woonpartners asks no satisfaction question: the letter is not offered
    assert kinds(decided(org)) == ["uitspraak"]
    done = director_decided(org)
    assert kinds(done) == ["reactie_directeur"]
    assert kinds(done, org.directeur) == ["reactie_directeur"]
    assert kinds(done, org.beheer) == []


def test_letters_to_send_today(org):
    def due():
        return {(item.ref, item.type) for item in letters.letters_to_send(org.coordinator)}

    new = register(org)
    assert (new, "ontvangstbevestiging") in due()
    letters.finalise(org.balie, new, letters.draft(org.balie, new, "ontvangstbevestiging"), "post")
    assert (new, "ontvangstbevestiging") not in due()

    ref = extended(org)
    assert (ref, "verlenging") in due()
    letters.finalise(
        org.coordinator, ref, letters.draft(org.coordinator, ref, "verlenging"), "post"
    )
    assert (ref, "verlenging") not in due()

    ref = decided(org)
    assert (ref, "uitspraak") in due()
    letters.finalise(org.manager, ref, letters.draft(org.manager, ref, "uitspraak"), "post")
    assert (ref, "uitspraak") not in due()
    item = next(
        i for i in letters.letters_to_send(org.coordinator) if i.type == "ontvangstbevestiging"
    )
    assert item.label == "Ontvangstbevestiging" and item.due is not None


# -- templates ----------------------------------------------------------------------------------
def test_beheer_edits_templates_and_unknown_placeholders_are_refused(org):
    with pytest.raises(ValidationError) as refused:
        letters.save_template(
            org.beheer, "ontvangstbevestiging", "Ontvangst {zaak}", "Beste {klant}, {foo.bar}"
        )
    assert "{klant}" in str(refused.value) and "{foo.bar}" in str(refused.value)
    with pytest.raises(NotAllowed):
        letters.save_template(org.coordinator, "ontvangstbevestiging", "Ontvangst", "Tekst")
    version = letters.save_template(
        org.beheer,
        "ontvangstbevestiging",
        "Wij hebben uw klacht {zaak} ontvangen",
        "Dank u, {klager_naam}.\n\nWij antwoorden uiterlijk op {termijn_uitspraak}.",
    )
    assert version == 1
    assert letters.save_template(org.beheer, "ontvangstbevestiging", "B {zaak}", "Tekst") == 2
    with pytest.raises(KlachtDeskError, match="intussen door iemand anders"):
        letters.save_template(org.beheer, "ontvangstbevestiging", "C", "Tekst", expected_version=1)
    view = next(t for t in letters.templates(org.coordinator) if t.type == "ontvangstbevestiging")
    assert (view.version, view.subject, view.updated_by) == (2, "B {zaak}", "Bert Beheer")
    assert letters.restore_default_template(org.beheer, "ontvangstbevestiging") == 3
    letters.save_template(
        org.beheer,
        "ontvangstbevestiging",
        "Wij hebben uw klacht {zaak} ontvangen",
        "Dank u, {klager_naam}.\n\nWij antwoorden uiterlijk op {termijn_uitspraak}.",
    )
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    assert draft.template_version == 4
    assert draft.subject == f"Wij hebben uw klacht {ref} ontvangen"
    assert draft.paragraphs == (
        "Dank u, Jan de Vries.",
        "Wij antwoorden uiterlijk op 18 december 2026.",
    )
    untouched = next(t for t in letters.templates(org.balie) if t.type == "uitspraak")
    assert untouched.version == 0
    letters.finalise(org.balie, ref, draft, "post")
    event = case_view.case_detail(org.coordinator, ref).events[-1]
    assert event.data["sjabloon"] == "versie 4"


# -- copies and printing are audited ------------------------------------------------------------
def test_copies_and_printing_are_audited(org, tmp_path):
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    letters.save_concept_as(org.balie, ref, draft, tmp_path / "concept.pdf")
    assert "CONCEPT" in pdf_text((tmp_path / "concept.pdf").read_bytes())
    letter_id = letters.finalise(org.balie, ref, draft, "post")
    letters.save_letter_as(org.balie, letter_id, tmp_path / "brief.pdf")
    assert (tmp_path / "brief.pdf").read_bytes() == letters.letter_pdf(org.balie, letter_id)
    letters.record_printed(org.balie, ref, letter_id)
    with pytest.raises(KlachtDeskError, match="Kies een andere map"):
        letters.save_letter_as(org.balie, letter_id, tmp_path / "bestaat-niet" / "brief.pdf")
    with org.beheer.db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    for action in ("conceptbrief_opgeslagen", "brief_opgeslagen", "brief_geopend", "brief_geprint"):
        assert action in actions


# -- the command line ---------------------------------------------------------------------------
@pytest.fixture
def cli_env(monkeypatch, org):
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("KLACHTDESK_USER", "balie")
    return org


def test_cli_letter_makes_stores_and_writes_the_letter(cli_env, tmp_path, capsys):
    org = cli_env
    ref = register(org)

    def acknowledgement():
        return next(
            d
            for d in case_view.case_detail(org.coordinator, ref).deadlines
            if d.kind == "ontvangstbevestiging"
        )

    out = tmp_path / "brief.pdf"
    args = ["letter", "--db", str(org.path), ref, "--type", "ontvangstbevestiging"]
    # Without --sent-on the letter is final, but not sent: it does not meet the deadline yet.
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"zaak {ref}" in printed and "nog niet als verzonden vastgelegd" in printed
    stored = letters.stored_letters(org.balie, ref)
    assert len(stored) == 1 and stored[0].sent_on is None and stored[0].sent_via is None
    assert hashlib.sha256(out.read_bytes()).hexdigest() == stored[0].sha256
    assert "Geachte heer De Vries," in pdf_text(out.read_bytes())
    assert acknowledgement().met_on is None

    # With --sent-on it is recorded as sent on that day and meets the deadline. The clock of
    # the CLI is the real one and the letter is dated today: it cannot have gone out earlier.
    today = date.today()
    early = ["--out", str(tmp_path / "vroeg.pdf"), "--sent-on", "2026-11-20"]
    assert main([*args, *early]) == 2
    assert "kan niet eerder zijn verzonden" in capsys.readouterr().err
    sent = ["--out", str(tmp_path / "verzonden.pdf"), "--sent-on", today.isoformat()]
    assert main([*args, *sent]) == 0
    assert f"verzonden per post op {long_date(today)}" in capsys.readouterr().out
    stored = letters.stored_letters(org.balie, ref)
    assert len(stored) == 2 and stored[1].sent_via == "post"
    assert stored[1].sent_on == today
    assert acknowledgement().met_on == today


def test_cli_letter_exit_codes(cli_env, tmp_path, capsys):
    org = cli_env
    ref = register(org)
    base = ["letter", "--db", str(org.path)]
    out = ["--out", str(tmp_path / "b.pdf")]
    assert main([*base, ref, "--type", "kerstkaart", *out]) == 2
    assert "geen soort brief" in capsys.readouterr().err
    assert main([*base, "KD-2026-9999", "--type", "uitspraak", *out]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    missing = ["--out", str(tmp_path / "nergens" / "b.pdf")]
    assert main([*base, ref, "--type", "ontvangstbevestiging", *missing]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert main([*base, ref, "--type", "uitspraak", *out]) == 1
    assert "nog geen uitspraak" in capsys.readouterr().err
    assert main([*base, ref, "--type", "ontvangstbevestiging", *out, "--sent-on", "morgen"]) == 2
    assert "'morgen' is geen geldige datum" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad_arguments:
        main([*base, ref, "--type"])
    assert bad_arguments.value.code == 2
    assert letters.stored_letters(org.balie, ref) == []
    assert not (tmp_path / "b.pdf").exists()


def test_cli_help_lists_every_letter_type(capsys):
    with pytest.raises(SystemExit):
        main(["letter", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for kind in LETTER_TYPES:
        assert kind in help_text


def test_the_database_itself_refuses_to_change_a_stored_letter(org):
    import pytest as _pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from klachtdesk.domain.validation import ComplaintInput
    from klachtdesk.services.cases import cases
    from klachtdesk.services.letters import letters
    from tests.conftest import TODAY, complaint_data

    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    letter_id = letters.finalise(
        org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"), "post"
    )
    with (
        _pytest.raises(IntegrityError, match="nooit gewijzigd"),
        org.beheer.db.session(write=True) as session,
    ):
        session.execute(
            text("UPDATE letters SET pdf = :pdf WHERE id = :i"), {"pdf": b"\x00", "i": letter_id}
        )
    assert letters.letter_pdf(org.balie, letter_id).startswith(b"%PDF")
