"""The letter dialog and viewer, driven as a user does: choose, edit, finalise, print, save."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import text

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import settings
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.letters import letters
from klachtdesk.storage.models import Letter
from klachtdesk.ui.letters import letter_dialog, letter_preview, letter_viewer
from klachtdesk.ui.letters.letter_dialog import LetterDialog
from klachtdesk.ui.letters.letter_viewer import LetterViewer
from tests.conftest import TODAY, complaint_data


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return " ".join(" ".join(pages).split())


@pytest.fixture
def errors(monkeypatch):
    """Error dialogs would block offscreen: record (title, message) instead."""
    shown = []
    monkeypatch.setattr(
        "klachtdesk.ui.common.show_error",
        lambda parent, error, title="Niet gelukt": shown.append((title, str(error))),
    )
    return shown


class Asked(list):
    """The questions a test answered, and the answer it gives to the next one."""

    answer: object = None


@pytest.fixture
def confirmations(monkeypatch):
    """Questions answered 'yes' unless a test says otherwise; the titles are recorded."""
    asked = Asked()
    asked.answer = True

    def confirm(parent, title, text, yes="Ja"):
        asked.append(title)
        return asked.answer

    monkeypatch.setattr("klachtdesk.ui.common.confirm", confirm)
    return asked


@pytest.fixture
def channel(monkeypatch):
    """The two questions of a final letter: 'make it final?' (answered ``final``, True by
    default) and 'sent today, by post or e-mail?' (answered ``answer``, 'post')."""
    asked = Asked()
    asked.answer = "post"
    asked.final = True

    def ask_final(parent, ref, label):
        asked.append(("definitief", ref, label))
        return asked.final

    def ask(parent, ref, label, today, options, default):
        asked.append((ref, label, options, default))
        return asked.answer

    monkeypatch.setattr(letter_dialog, "ask_final", ask_final)
    monkeypatch.setattr(letter_dialog, "ask_channel", ask)
    return asked


def register(org, **complainant) -> str:
    data = complaint_data()
    data["complainant"] = {**data["complainant"], "salutation": "mevrouw", **complainant}
    return cases.register(org.balie, ComplaintInput.validated(data, TODAY))


def open_dialog(qtbot, ctx, ref, letter_type=None) -> LetterDialog:
    dialog = LetterDialog(ctx, ref, letter_type=letter_type)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_at_end(qtbot, dialog, text: str, new_paragraph: bool = False) -> None:
    """Type at the end of the letter's text (QTest types ASCII only: the rest is pasted)."""
    dialog.body_edit.setFocus()
    dialog.body_edit.moveCursor(QTextCursor.MoveOperation.End)
    if new_paragraph:
        qtbot.keyClick(dialog.body_edit, Qt.Key.Key_Return)
        qtbot.keyClick(dialog.body_edit, Qt.Key.Key_Return)
    if text.isascii():
        qtbot.keyClicks(dialog.body_edit, text)
    else:
        dialog.body_edit.insertPlainText(text)


def test_the_dialog_shows_the_draft_and_a_preview(qtbot, org, errors, channel):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    assert dialog.type_combo.currentData() == "ontvangstbevestiging"
    assert [dialog.type_combo.itemText(i) for i in range(dialog.type_combo.count())] == [
        "Ontvangstbevestiging"
    ]
    assert dialog.subject_edit.text() == "Ontvangstbevestiging van uw klacht"
    assert dialog.salutation_edit.text() == "Geachte mevrouw El Amrani,"
    assert "uiterlijk op 18 december 2026" in dialog.body_edit.toPlainText()
    assert "Fatima el Amrani, Lindelaan 4, 3511 AB Utrecht" in dialog.case_label.text()
    assert dialog.preview.page_count == 1
    assert not dialog.preview.page_labels[0].pixmap().isNull()
    assert "Concept, nog niet opgeslagen (1 pagina)" in dialog.status_label.text()
    assert "CONCEPT" in pdf_text(dialog._pdf)
    assert errors == []


def test_a_preview_that_cannot_be_made_still_leaves_the_text_to_edit(
    qtbot, org, errors, channel, monkeypatch
):
    """The window opens with the draft and its preview in one call; when the PDF cannot be
    made (here: the letter font is missing), the text still comes and the preview says why."""

    def no_font(_document):
        raise KlachtDeskError(
            "Het lettertype voor brieven ontbreekt. Installeer KlachtDesk opnieuw."
        )

    monkeypatch.setattr(letters, "render_letter", no_font)
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    assert dialog.subject_edit.text() == "Ontvangstbevestiging van uw klacht"
    assert not dialog.body_edit.isReadOnly()
    assert "Het lettertype voor brieven ontbreekt" in dialog.preview.message.text()
    assert dialog.status_label.text() == "Het voorbeeld kan niet worden getoond; zie hiernaast."
    assert dialog._pdf is None
    assert errors == []


def test_editing_the_text_updates_the_preview(qtbot, org, channel):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    type_at_end(qtbot, dialog, "Met ë, é en € erin.", new_paragraph=True)
    qtbot.waitUntil(lambda: "Met ë, é en € erin." in pdf_text(dialog._pdf), timeout=3000)
    dialog.subject_edit.clear()
    qtbot.keyClicks(dialog.subject_edit, "Uw klacht over de lekkage")
    qtbot.waitUntil(lambda: "Uw klacht over de lekkage" in pdf_text(dialog._pdf), timeout=3000)


def test_an_empty_subject_is_explained_in_the_preview(qtbot, org, channel):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    dialog.subject_edit.selectAll()
    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: dialog.preview.message.isVisible(), timeout=3000)
    assert "onderwerp" in dialog.preview.message.text() and "verplicht" in (
        dialog.preview.message.text()
    )
    assert not dialog.print_button.isEnabled()


def test_final_archives_the_letter_and_only_its_recorded_sending_meets_the_deadline(
    qtbot, org, errors, channel
):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    type_at_end(qtbot, dialog, "Wij bellen u nog.", new_paragraph=True)
    assert not dialog.sent_button.isVisible()
    with qtbot.waitSignal(dialog.stored, timeout=3000) as stored:
        qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    assert channel == [("definitief", ref, "Ontvangstbevestiging")]
    [letter] = letters.stored_letters(org.balie, ref)
    assert stored.args == [letter.id] and dialog.letter_id == letter.id
    # final is not sent: archived, the deadline still open, the letter on Vandaag
    assert (letter.sent_via, letter.sent_on) == (None, None)
    acknowledgement = next(
        d for d in case_view.case_detail(org.coordinator, ref).deadlines
        if d.kind == "ontvangstbevestiging"
    )  # fmt: skip
    assert acknowledgement.met_on is None
    assert "Verzending vastleggen" in dialog.status_label.text()
    assert "Wij bellen u nog." in pdf_text(letters.letter_pdf(org.balie, letter.id))
    assert dialog.body_edit.isReadOnly() and dialog.subject_edit.isReadOnly()
    assert not dialog.finalise_button.isEnabled()
    assert "CONCEPT" not in pdf_text(dialog._pdf)
    # e-mailed, then recorded: now it counts
    channel.answer = "email"
    assert dialog.sent_button.isVisible() and dialog.sent_button.isEnabled()
    qtbot.mouseClick(dialog.sent_button, Qt.MouseButton.LeftButton)
    assert channel[-1] == (ref, "Ontvangstbevestiging", ["post", "email"], "post")
    [letter] = letters.stored_letters(org.balie, ref)
    assert (letter.sent_via, letter.sent_on) == ("email", TODAY)
    detail = case_view.case_detail(org.coordinator, ref)
    assert next(d for d in detail.deadlines if d.kind == "ontvangstbevestiging").met_on == TODAY
    assert "per e-mail op 25 november 2026" in dialog.status_label.text()
    assert not dialog.sent_button.isEnabled()  # once
    assert errors == []
    # Closing after the letter is stored asks nothing and counts as done.
    dialog.close_button.click()
    assert dialog.result() == LetterDialog.DialogCode.Accepted


def test_declining_the_final_question_stores_nothing(qtbot, org, channel):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    channel.final = False
    qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    assert len(channel) == 1
    assert letters.stored_letters(org.balie, ref) == []
    assert dialog.finalise_button.isEnabled() and not dialog.body_edit.isReadOnly()


def test_enter_in_the_subject_asks_to_finalise(qtbot, org, channel):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    channel.final = False
    dialog.subject_edit.setFocus()
    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Return)
    assert channel == [("definitief", ref, "Ontvangstbevestiging")]


def test_e_mail_is_offered_only_when_the_complainant_has_an_address(qtbot, org, errors, channel):
    ref = register(org, street="", postcode="", city="")  # an e-mail address, no address
    dialog = open_dialog(qtbot, org.balie, ref)
    qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    channel.answer = None  # cancelled: not sent yet
    qtbot.mouseClick(dialog.sent_button, Qt.MouseButton.LeftButton)
    assert channel[-1][2] == ["email"]  # post is not offered without an address
    assert letters.stored_letters(org.balie, ref)[0].sent_on is None
    assert errors == []


def test_print_goes_full_page_to_the_printer(qtbot, org, tmp_path, monkeypatch, channel):
    target = tmp_path / "geprint.pdf"

    def to_file(parent, printer):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return True

    monkeypatch.setattr(letter_preview, "ask_printer", to_file)
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert dialog.status_label.text() == "De brief is naar de printer gestuurd."
    document = pdfium.PdfDocument(target.read_bytes())
    try:
        assert len(document) == 1
        width, height = document[0].get_size()
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    mm = 72 / 25.4
    window = image.crop((int(20 * mm), int(50 * mm), int(110 * mm), int(95 * mm)))
    above = image.crop((int(20 * mm), int(36 * mm), int(110 * mm), int(49 * mm)))
    assert window.getextrema()[0] < 100  # dark text: the address is in the window
    assert above.getextrema()[0] > 200  # and nothing printed just above it


def test_save_a_copy_of_the_concept_and_of_the_final_letter(
    qtbot, org, tmp_path, monkeypatch, channel
):
    paths = iter([str(tmp_path / "concept"), str(tmp_path / "definitief.pdf")])
    suggested = []

    def ask(parent, name):
        suggested.append(name)
        path = next(paths)
        return path if path.endswith(".pdf") else path + ".pdf"

    monkeypatch.setattr(letter_dialog, "ask_save_path", ask)
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "CONCEPT" in pdf_text((tmp_path / "concept.pdf").read_bytes())
    qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "definitief.pdf").read_bytes() == letters.letter_pdf(
        org.balie, dialog.letter_id
    )
    assert suggested == [
        f"{ref} ontvangstbevestiging (concept).pdf",
        f"{ref} ontvangstbevestiging.pdf",
    ]
    assert "definitief.pdf" in dialog.status_label.text()


def test_choosing_another_type_asks_before_dropping_edits(qtbot, org, confirmations, channel):
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    dialog = open_dialog(qtbot, org.coordinator, ref)
    kinds = [dialog.type_combo.itemData(i) for i in range(dialog.type_combo.count())]
    assert kinds == ["ontvangstbevestiging", "uitnodiging_hoorgesprek"]
    type_at_end(qtbot, dialog, " Mijn aanvulling.")
    confirmations.answer = False
    dialog.type_combo.setCurrentIndex(1)
    assert confirmations == ["Andere soort brief"]
    assert dialog.type_combo.currentData() == "ontvangstbevestiging"
    assert dialog.body_edit.toPlainText().endswith(" Mijn aanvulling.")
    confirmations.answer = True
    dialog.type_combo.setCurrentIndex(1)
    assert dialog.subject_edit.text() == "Uitnodiging voor een gesprek over uw klacht"
    assert "Carla Coördinator neemt binnenkort contact" in dialog.body_edit.toPlainText()


def test_restoring_the_default_text_and_closing_with_edits_ask_first(
    qtbot, org, confirmations, channel
):
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    original = dialog.body_edit.toPlainText()
    type_at_end(qtbot, dialog, " Weg ermee.")
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert confirmations == ["Standaardtekst terugzetten"]
    assert dialog.body_edit.toPlainText() == original
    type_at_end(qtbot, dialog, " Nog eens.")
    confirmations.answer = False
    dialog.close_button.click()
    assert confirmations[-1] == "Concept weggooien?" and dialog.isVisible()


def test_a_user_without_a_letter_role_gets_an_explanation(qtbot, org, channel, errors):
    ref = register(org)
    # beheer alone keeps the PC running and reads no complaints
    dialog = open_dialog(qtbot, org.beheer, ref)
    assert errors == [("Niet gelukt", "U heeft geen rol waarmee u zaken kunt inzien.")]
    assert dialog.type_combo.count() == 0
    assert dialog.preview.message.text() == "De zaak kan niet worden geopend."
    assert not dialog.finalise_button.isEnabled() and not dialog.print_button.isEnabled()


def test_letter_type_asked_for_from_the_letters_to_send_list(qtbot, org, channel):
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    dialog = open_dialog(qtbot, org.coordinator, ref, letter_type="uitnodiging_hoorgesprek")
    assert dialog.type_combo.currentData() == "uitnodiging_hoorgesprek"


# -- the viewer of stored letters -----------------------------------------------------------------
def stored_letter(org) -> tuple[str, int]:
    ref = register(org)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    return ref, letters.finalise(org.balie, ref, draft, "post")


def test_viewer_shows_prints_and_saves_a_stored_letter(qtbot, org, tmp_path, monkeypatch, errors):
    ref, letter_id = stored_letter(org)
    printed = tmp_path / "geprint.pdf"

    def to_file(parent, printer):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    monkeypatch.setattr(letter_preview, "ask_printer", to_file)
    monkeypatch.setattr(letter_viewer, "ask_save_path", lambda parent, name: str(tmp_path / name))
    viewer = LetterViewer(org.coordinator, letter_id)
    qtbot.addWidget(viewer)
    viewer.show()
    assert viewer.windowTitle() == f"Brief – Ontvangstbevestiging – {ref}"
    assert "verzonden per post op 25-11-2026" in viewer.summary.text()
    assert "Bea Balie" in viewer.summary.text()
    assert viewer.preview.page_count == 1
    assert "controlecode (SHA-256) klopt" in viewer.message.text()
    qtbot.mouseClick(viewer.print_button, Qt.MouseButton.LeftButton)
    assert printed.exists()
    qtbot.mouseClick(viewer.save_button, Qt.MouseButton.LeftButton)
    saved = tmp_path / f"{ref} ontvangstbevestiging.pdf"
    assert saved.read_bytes() == letters.letter_pdf(org.coordinator, letter_id)
    assert errors == []


def test_viewer_refuses_a_damaged_letter(qtbot, org, errors):
    _, letter_id = stored_letter(org)
    with org.beheer.db.session(write=True) as session:
        # Changing a letter means getting past the database's own guard first.
        session.execute(text("DROP TRIGGER letters_immutable"))
        row = session.get(Letter, letter_id)
        row.pdf = row.pdf + b"\n%gewijzigd"
    viewer = LetterViewer(org.coordinator, letter_id)
    qtbot.addWidget(viewer)
    viewer.show()
    assert "SHA-256" in errors[0][1]
    assert viewer.preview.page_count == 0
    assert "kan niet worden getoond" in viewer.preview.message.text()
    assert not viewer.print_button.isEnabled() and not viewer.save_button.isEnabled()


def test_preview_fits_the_page_to_the_pane(qtbot, org, channel):
    settings.update_settings(org.beheer, {"org.city": "Utrecht"})
    ref = register(org)
    dialog = open_dialog(qtbot, org.balie, ref)
    dialog.resize(1400, 900)
    qtbot.waitUntil(
        lambda: (
            abs(
                dialog.preview.page_labels[0].pixmap().deviceIndependentSize().width()
                - dialog.preview._page_width()
            )
            <= 4
        ),
        timeout=3000,
    )
    assert dialog.preview.horizontalScrollBar().maximum() == 0
