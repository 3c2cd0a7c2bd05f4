"""The case dossier (zaakdossier): what it holds, for whom, and how it is written.

The PDF's text is read back with pypdfium2, page by page.
"""

from __future__ import annotations

import errno
import io
import os
from dataclasses import replace
from datetime import datetime, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import attachments, case_activities, cases, dossier
from klachtdesk.services.cases.cases import CaseNotFound
from klachtdesk.services.letters import letters
from klachtdesk.storage.models import AuditEntry, Case
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data

HEARING = "Verslag: de klager vertelde dat de monteur twee keer niet kwam opdagen."
STATEMENT = "Verklaring: de planning was door ziekte in de war geraakt."
MOTIVATION = "De monteur is twee keer niet gekomen zonder bericht."
SOLUTION = "Wij komen deze week en vergoeden € 50,00."


def pages_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [
            " ".join(document[i].get_textpage().get_text_range().split())
            for i in range(len(document))
        ]
    finally:
        document.close()


def text(data: bytes) -> str:
    return " ".join(pages_text(data))


def image_count(data: bytes, page: int) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(list(document[page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])))
    finally:
        document.close()


def register(org, **overrides) -> str:
    return cases.register(org.balie, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def handled(org) -> str:
    """A case with a hearing, a statement, a decision and its stored (sent) letter."""
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    case_activities.record(org.coordinator, ref, Activity.HOORGESPREK, HEARING, held_on=TODAY)
    case_activities.record(org.coordinator, ref, Activity.VERKLARING_MEDEWERKER, STATEMENT)
    cases.perform(
        org.manager,
        ref,
        Action.UITSPRAAK,
        outcome="deels_gegrond",
        motivation=MOTIVATION,
        solution=SOLUTION,
    )
    draft = letters.draft(org.manager, ref, "uitspraak")
    letters.finalise(org.manager, ref, draft, "post")
    return ref


def appealed(org) -> str:
    ref = handled(org)
    cases.perform(org.coordinator, ref, Action.BEROEP, received=TODAY, grounds=APPEAL_GROUNDS)
    return ref


def stored_letter_pages(org, ref) -> list[str]:
    (stored,) = letters.stored_letters(org.coordinator, ref)
    return pages_text(letters.letter_pdf(org.coordinator, stored.id))


def scanned_pdf(words: str, pages: int = 1) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for number in range(pages):
        canvas.drawString(100, 700, f"{words} (blad {number + 1})")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def photo(fmt: str = "PNG", size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 150, 120)).save(out, fmt)
    return out.getvalue()


# -- what it holds ------------------------------------------------------------------------------
def test_the_dossier_holds_the_complainant_the_timeline_and_the_letters_text(org):
    ref = handled(org)
    made = dossier.case_dossier(org.coordinator, ref)
    pages = pages_text(made.pdf)
    whole = " ".join(pages)
    assert made.ref == ref and made.pages == len(pages)
    # the cover
    assert f"Zaakdossier {ref}" in pages[0]
    assert "Lekkage badkamer niet verholpen" in pages[0]
    assert "Vertrouwelijk: dit dossier bevat persoonsgegevens" in pages[0]
    assert "Afgehandeld" in pages[0]  # the status
    assert "25 november 2026" in pages[0]  # the day it was made
    assert "Inhoud" in pages[0] and "Verloop" in pages[0]
    # the complainant and the complaint
    for expected in (
        "Fatima el Amrani",
        "Lindelaan 4",
        "3511 AB Utrecht",
        "fatima@voorbeeld.nl",
        "Telefoon",
        "Sinds drie weken lekt er water door het plafond van de badkamer.",
        "Ik wil dat de lekkage binnen een week is verholpen.",
        "Onderhoud en reparaties",
    ):
        assert expected in whole, expected
    # the procedure and its version
    assert "versie 1" in whole and "Regionale Geschillencommissie" in whole
    # the timeline, with the window's labels and who did it
    for label in (
        "Klacht geregistreerd",
        "In behandeling genomen",
        "Hoorgesprek",
        "Verklaring medewerker",
        "Uitspraak gedaan",
        "Ontvangen → In behandeling",
        "Uitkomst: Deels gegrond",
        "Bea Balie",
        "Mark Manager",
    ):
        assert label in whole, label
    # reports, decision, deadlines
    assert HEARING in whole and STATEMENT in whole
    assert MOTIVATION in whole and SOLUTION in whole
    assert "gehaald op 25-11-2026" in whole  # the decision letter was sent today
    # the stored letter, appended as it is: its pages are the dossier's last pages
    letter = stored_letter_pages(org, ref)
    assert "Uitspraak op uw klacht" in letter[0]
    assert pages[-len(letter) :] == letter
    # the dossier's own pages are numbered over the whole dossier
    own = len(pages) - len(letter)
    for number in range(own):
        assert f"Pagina {number + 1} van {len(pages)}" in pages[number]
    assert f"Pagina {own + 1} van {len(pages)}" not in pages[own]


def test_every_timeline_entry_is_listed_in_date_order(org):
    ref = register(org)
    later = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=15)
    cases.perform(replace(org.coordinator, now=lambda: later), ref, Action.TRIAGE_KLACHT)
    # recorded afterwards, but it happened earlier that day
    earlier = later - timedelta(hours=5)
    case_activities.record(
        replace(org.coordinator, now=lambda: earlier), ref, Activity.NOTITIE, "Eerder gebeld."
    )
    whole = text(dossier.case_dossier(org.coordinator, ref).pdf)
    timeline = whole[whole.index("4. Verloop", whole.index("4. Verloop") + 1) :]
    assert (
        timeline.index("Klacht geregistreerd")
        < timeline.index("Eerder gebeld.")
        < timeline.index("In behandeling genomen")
    )


def test_deadlines_with_their_history_and_state(org):
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    case_activities.extend_decision(
        org.coordinator, ref, TODAY + timedelta(days=35), "Wij wachten op de aannemer."
    )
    whole = text(dossier.case_dossier(org.coordinator, ref).pdf)
    assert "vervangen door verlenging" in whole  # the old decision deadline stays
    assert "Reden van de verlenging: Wij wachten op de aannemer." in whole
    assert "Bericht van verlenging" in whole and "open" in whole


def test_a_case_without_letters_or_attachments_says_so(org):
    ref = register(org)
    made = dossier.case_dossier(org.coordinator, ref)
    whole = text(made.pdf)
    assert "Bij deze zaak zijn geen brieven vastgelegd." in whole
    assert "Bij deze zaak zijn geen bijlagen opgeslagen." in whole
    assert "Over deze klacht is nog niets beslist." in whole
    assert f"Pagina {made.pages} van {made.pages}" in whole


# -- attachments ----------------------------------------------------------------------------
def test_pdf_attachments_are_appended_and_images_become_a_page(org):
    ref = register(org)
    attachments.add_attachment(org.balie, ref, "scan-brief.pdf", scanned_pdf("Scan van", 2))
    attachments.add_attachment(org.balie, ref, "foto.png", photo("PNG"))
    attachments.add_attachment(org.balie, ref, "lang.jpg", photo("JPEG", (600, 2400)))
    attachments.add_attachment(org.balie, ref, "offerte.docx", b"PK\x03\x04 geen pdf")
    attachments.add_attachment(org.balie, ref, "kapot.pdf", b"%PDF-1.4 kapot bestand")
    without = dossier.case_dossier(org.coordinator, register(org))
    made = dossier.case_dossier(org.coordinator, ref)
    pages = pages_text(made.pdf)
    # own pages, then 2 scanned pages, then one page per image
    own = made.pages - 4
    assert own >= without.pages
    assert pages[own] == "Scan van (blad 1)" and pages[own + 1] == "Scan van (blad 2)"
    for page, name in ((own + 2, "foto.png"), (own + 3, "lang.jpg")):
        assert f"Bijlage: {name}" in pages[page]
        assert image_count(made.pdf, page) == 1
        assert f"Pagina {page + 1} van {made.pages}" in pages[page]
    listing = " ".join(pages[:own])
    for name in ("scan-brief.pdf", "foto.png", "lang.jpg", "offerte.docx", "kapot.pdf"):
        assert name in listing
    assert f"pagina {own + 1}–{own + 2}" in listing  # where the scan starts and ends
    assert "alleen vermeld: geen PDF of afbeelding" in listing
    assert "niet opgenomen: beschadigd of beveiligd" in listing
    # every image page is A4 and the tall photo fits on it
    document = pdfium.PdfDocument(made.pdf)
    try:
        assert [round(x) for x in document.get_page_size(own + 3)] == [595, 842]
    finally:
        document.close()


# -- for whom ---------------------------------------------------------------------------------
def test_a_director_sees_only_the_dossier_of_an_appeal(org):
    ordinary = handled(org)
    with pytest.raises(NotAllowed, match="alleen zaken waarvoor heroverweging is gevraagd"):
        dossier.case_dossier(org.directeur, ordinary)
    appeal = appealed(org)
    whole = text(dossier.case_dossier(org.directeur, appeal).pdf)
    assert "Verzoek om heroverweging" in whole and APPEAL_GROUNDS in whole


def test_a_clerk_only_dossier_leaves_the_confidential_reports_out(org):
    ref = handled(org)
    clerk = text(dossier.case_dossier(org.balie, ref).pdf)
    assert HEARING not in clerk and STATEMENT not in clerk
    assert "Hoorgesprek" in clerk and "Vertrouwelijk" in clerk  # that it happened, not what
    assert "een baliemedewerker kan ze niet inzien" in clerk
    assert "Verslagen van hoorgesprekken en bemiddeling" in clerk  # the cover says so
    assert MOTIVATION in clerk  # the decision is no secret to the clerk
    coordinator = text(dossier.case_dossier(org.coordinator, ref).pdf)
    assert HEARING in coordinator and "baliemedewerker" not in coordinator


def test_a_clerk_with_another_role_reads_the_reports(org, tmp_path):
    from klachtdesk.services.admin import setup

    setup.add_user(org.beheer, "duo", "Dora Duo", "balie,coordinator", "duo-wachtwoord-123")
    both = org.login("duo", "duo-wachtwoord-123")
    try:
        assert HEARING in text(dossier.case_dossier(both, handled(org)).pdf)
    finally:
        both.db.dispose()


def test_an_anonymised_case_has_no_dossier(org):
    ref = handled(org)
    with org.beheer.db.session(write=True) as session:
        session.scalar(select(Case).where(Case.ref == ref)).anonymised_at = datetime(2026, 1, 1)
    with pytest.raises(NotAllowed, match="geanonimiseerd"):
        dossier.case_dossier(org.coordinator, ref)


def test_an_unknown_case_is_named(org):
    with pytest.raises(CaseNotFound, match="KD-2026-9999"):
        dossier.case_dossier(org.coordinator, "KD-2026-9999")


def test_beheer_alone_reads_no_dossier(org):
    with pytest.raises(NotAllowed):
        dossier.case_dossier(org.beheer, register(org))


# -- writing it ---------------------------------------------------------------------------------
def audit_entries(org) -> list[AuditEntry]:
    with org.beheer.db.session() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier_geexporteerd"))
        )


def test_saving_writes_the_file_and_audits_it_without_personal_data(org, tmp_path):
    ref = handled(org)
    target = tmp_path / dossier.suggested_name(ref)
    target.write_bytes(b"an older copy")
    made = dossier.save_case_dossier(org.coordinator, ref, target)
    assert target.read_bytes() == made.pdf
    listed = (p.name for p in tmp_path.iterdir() if p.is_file() and p.suffix != ".kdb")
    assert sorted(listed) == sorted([target.name, "klachten.kdb.keys"])
    (entry,) = audit_entries(org)
    assert (entry.username, entry.object_ref) == ("coordinator", ref)
    assert entry.detail == f"{made.pages} pagina's"
    assert "Fatima" not in entry.detail


def test_a_missing_folder_is_a_dutch_message_and_nothing_is_written(org, tmp_path):
    ref = register(org)
    target = tmp_path / "bestaat-niet" / "dossier.pdf"
    with pytest.raises(KlachtDeskError, match="bestaat niet"):
        dossier.save_case_dossier(org.coordinator, ref, target)
    assert not target.parent.exists()
    assert audit_entries(org) == []


def test_a_folder_as_target_is_refused(org, tmp_path):
    with pytest.raises(KlachtDeskError, match="is een map"):
        dossier.save_case_dossier(org.coordinator, register(org), tmp_path)


def test_a_full_disk_leaves_no_half_file(org, tmp_path, monkeypatch):
    ref = register(org)
    folder = tmp_path / "usb"
    folder.mkdir()

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(KlachtDeskError, match="de schijf is vol") as refused:
        dossier.save_case_dossier(org.coordinator, ref, folder / "dossier.pdf")
    assert "geen (half) bestand" in str(refused.value)
    assert list(folder.iterdir()) == []
    assert audit_entries(org) == []


def test_a_failed_rename_leaves_no_temporary_file(org, tmp_path, monkeypatch):
    ref = register(org)

    def refused(_source, _target):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(KlachtDeskError, match="geen toestemming"):
        dossier.save_case_dossier(org.coordinator, ref, tmp_path / "dossier.pdf")
    assert [p.name for p in tmp_path.iterdir() if "dossier" in p.name] == []


def test_texts_longer_than_a_page_flow_over_the_pages(org):
    ref = register(org, description="Lange omschrijving. " * 400)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    long_note = "Begin van de notitie. " + "Nog een zin in de notitie. " * 600 + "Einde notitie."
    case_activities.record(org.coordinator, ref, Activity.NOTITIE, long_note)
    case_activities.record(
        org.coordinator, ref, Activity.HOORGESPREK, "Verslag. " * 1500 + "Einde verslag."
    )
    made = dossier.case_dossier(org.coordinator, ref)
    whole = text(made.pdf)
    assert "Begin van de notitie." in whole and "Einde notitie." in whole
    assert "Einde verslag." in whole
    assert made.pages >= 6


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size but holds no picture (as a damaged or crafted file may)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_a_damaged_or_enormous_image_is_listed_not_printed(org):
    ref = register(org)
    attachments.add_attachment(org.balie, ref, "leeg.png", png_header_only(400, 300))
    attachments.add_attachment(org.balie, ref, "reus.png", png_header_only(20000, 20000))
    made = dossier.case_dossier(org.coordinator, ref)
    whole = text(made.pdf)
    assert whole.count("niet opgenomen: beschadigd") == 2
    assert "Achter in dit dossier" not in whole  # nothing appended


def test_a_phone_photo_is_printed_upright(org):
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone on its side: "rotate 90° to show"
    Image.new("RGB", (1200, 600), (90, 120, 150)).save(out, "JPEG", exif=exif)
    ref = register(org)
    attachments.add_attachment(org.balie, ref, "telefoon.jpg", out.getvalue())
    made = dossier.case_dossier(org.coordinator, ref)
    document = pdfium.PdfDocument(made.pdf)
    try:
        page = document[made.pages - 1]
        (picture,) = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
        left, bottom, right, top = picture.get_bounds()
    finally:
        document.close()
    assert top - bottom > right - left  # portrait, as the photo was meant
