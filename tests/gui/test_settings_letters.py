"""The Brieven page of the settings dialog: beheer edits the letter templates."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from klachtdesk.services.letters import letters
from klachtdesk.ui import common
from klachtdesk.ui.admin import settings_dialog as settings_dialog_module
from klachtdesk.ui.admin.settings_dialog import SettingsDialog
from klachtdesk.ui.admin.settings_pages import letters as letters_page
from klachtdesk.ui.admin.settings_pages.letters import LettersPage
from tests.conftest import TODAY, complaint_data

LEFT = Qt.MouseButton.LeftButton
KIND = "ontvangstbevestiging"


@pytest.fixture
def errors(monkeypatch):
    """Error dialogs would block offscreen: collect their texts instead."""
    shown: list[str] = []
    monkeypatch.setattr(
        common, "show_error", lambda parent, error, title="": shown.append(str(error))
    )
    return shown


@pytest.fixture
def answers(monkeypatch):
    """Confirmation questions: record them and answer from a list (True = the yes button)."""
    asked: list[str] = []
    replies: list[bool] = []

    def confirm(parent, title, text, yes="Ja"):
        asked.append(text)
        return replies.pop(0) if replies else True  # True: pytest-qt closing the dialog

    monkeypatch.setattr(letters_page, "confirm", confirm)
    monkeypatch.setattr(settings_dialog_module, "confirm", confirm)
    return asked, replies


@pytest.fixture
def dialog(qtbot, org, monkeypatch):
    # pytest-qt closes the dialog after the test; with unsaved edits it would ask (and block).
    monkeypatch.setattr(settings_dialog_module, "confirm", lambda *args, **kwargs: True)
    result = SettingsDialog(org.beheer)
    qtbot.addWidget(result)
    result.show()
    result.show_page(LettersPage)
    return result


def find(dialog, kind, name):
    widget = dialog.findChild(kind, name)
    assert widget is not None, name
    return widget


def subject(dialog) -> QLineEdit:
    return find(dialog, QLineEdit, "templateSubject")


def body(dialog) -> QPlainTextEdit:
    return find(dialog, QPlainTextEdit, "templateBody")


def click(qtbot, dialog, name: str) -> None:
    qtbot.mouseClick(find(dialog, QPushButton, name), LEFT)


def text_of(dialog, name: str) -> str:
    return find(dialog, QLabel, name).text()


def stored(ctx, kind: str = KIND) -> letters.TemplateView:
    return next(t for t in letters.templates(ctx) if t.type == kind)


def choose_type(qtbot, dialog, label: str) -> None:
    types = find(dialog, QListWidget, "letterTypeList")
    item = types.findItems(label, Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(types.viewport(), LEFT, pos=types.visualItemRect(item).center())


def type_text(qtbot, editor, text: str) -> None:
    """Type as a user does; a new line is the Enter key."""
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def replace_text(qtbot, editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    type_text(qtbot, editor, text)


def placeholder_row(table, name: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "{" + name + "}")


def double_click_placeholder(qtbot, dialog, name: str) -> None:
    table = dialog.page(LettersPage).fields
    item = table.item(placeholder_row(table, name), 0)
    table.scrollToItem(item)
    where = table.visualItemRect(item).center()
    # A real double click: Qt's item views need the first click before the double one.
    qtbot.mouseClick(table.viewport(), LEFT, pos=where)
    qtbot.mouseDClick(table.viewport(), LEFT, pos=where)


def register(ctx) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(), TODAY))


# -- what the page shows ------------------------------------------------------------------------
def test_the_page_lists_the_letter_types_and_the_placeholders_in_dutch(dialog):
    pages = find(dialog, QListWidget, "pageList")
    assert "Brieven" in [pages.item(i).text() for i in range(pages.count())]
    assert text_of(dialog, "pageTitle") == "Brieven"
    types = find(dialog, QListWidget, "letterTypeList")
    assert [types.item(i).text() for i in range(types.count())] == [
        "Ontvangstbevestiging",
        "Niet-ontvankelijkverklaring",
        "Doorverwijzing",
        "Uitnodiging hoorgesprek",
        "Verlenging van de termijn",
        "Uitspraak",
        "Tevredenheidsvraag",
        "Reactie directeur-bestuurder",
    ]
    assert subject(dialog).text() == "Ontvangstbevestiging van uw klacht"
    assert "{termijn_uitspraak}" in body(dialog).toPlainText()
    assert text_of(dialog, "templateVersion") == (
        "Standaardtekst van KlachtDesk (nog niet gewijzigd)"
    )
    assert text_of(dialog, "templatePurpose").startswith("Bevestigt de ontvangst")
    assert not find(dialog, QPushButton, "templateSaveButton").isEnabled()  # nothing changed
    assert not find(dialog, QPushButton, "templateRestoreButton").isEnabled()  # is the default
    table = dialog.page(LettersPage).fields
    row = placeholder_row(table, "klager_naam")
    assert table.item(row, 1).text() == "naam van de klager"
    assert table.rowCount() > 30


# -- editing and saving -------------------------------------------------------------------------
def test_an_edited_template_is_saved_as_a_new_version_and_used_by_new_drafts(
    qtbot, dialog, org, errors
):
    ref = register(org.balie)
    replace_text(qtbot, subject(dialog), "Wij hebben uw klacht ontvangen ({zaak})")
    replace_text(qtbot, body(dialog), "Beste klant,\n\nUw klacht over ")
    double_click_placeholder(qtbot, dialog, "onderwerp_klacht")  # at the cursor, in the text
    qtbot.keyClicks(body(dialog), " is bij ons binnen.")
    assert body(dialog).toPlainText() == (
        "Beste klant,\n\nUw klacht over {onderwerp_klacht} is bij ons binnen."
    )
    assert body(dialog).hasFocus()  # the user can type on
    assert stored(org.beheer).version == 0  # nothing stored before Opslaan

    click(qtbot, dialog, "templateSaveButton")
    view = stored(org.coordinator)
    assert (view.version, view.subject, view.updated_by) == (
        1,
        "Wij hebben uw klacht ontvangen ({zaak})",
        "Bert Beheer",
    )
    assert view.body == "Beste klant,\n\nUw klacht over {onderwerp_klacht} is bij ons binnen."
    assert text_of(dialog, "templateVersion") == (
        "Versie 1, opgeslagen op 25-11-2026 om 00:00 door Bert Beheer"
    )
    assert text_of(dialog, "statusLabel") == (
        "Het sjabloon 'Ontvangstbevestiging' is opgeslagen als versie 1. Nieuwe brieven "
        "gebruiken deze tekst."
    )
    assert not find(dialog, QPushButton, "templateSaveButton").isEnabled()
    assert find(dialog, QPushButton, "templateRestoreButton").isEnabled()

    draft = letters.draft(org.balie, ref, KIND)
    assert draft.template_version == 1
    assert draft.subject == f"Wij hebben uw klacht ontvangen ({ref})"
    assert draft.paragraphs == (
        "Beste klant,",
        "Uw klacht over Lekkage badkamer niet verholpen is bij ons binnen.",
    )

    # Enter in the subject saves the template (not the dialog's Opslaan); a second version.
    subject(dialog).setFocus()
    subject(dialog).end(False)
    qtbot.keyClicks(subject(dialog), " - ")
    double_click_placeholder(qtbot, dialog, "klager_naam")  # into the subject: typed there last
    assert subject(dialog).text() == "Wij hebben uw klacht ontvangen ({zaak}) - {klager_naam}"
    qtbot.keyClick(subject(dialog), Qt.Key.Key_Return)
    assert stored(org.beheer).version == 2
    assert letters.draft(org.balie, ref, KIND).subject == (
        f"Wij hebben uw klacht ontvangen ({ref}) - Fatima el Amrani"
    )
    assert stored(org.beheer, "uitspraak").version == 0  # other letter types untouched
    assert errors == []


def test_enter_in_the_placeholder_list_inserts_the_field(qtbot, dialog, org):
    body(dialog).setFocus()
    body(dialog).moveCursor(body(dialog).textCursor().MoveOperation.Start)
    table = dialog.page(LettersPage).fields
    table.setFocus()
    table.setCurrentCell(placeholder_row(table, "zaak"), 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert body(dialog).toPlainText().startswith("{zaak}Op {ontvangen}")
    assert stored(org.beheer).version == 0  # Enter did not press the dialog's Opslaan
    assert text_of(dialog, "statusLabel") == "Invulveld {zaak} is ingevoegd."


def test_an_unknown_placeholder_is_refused_at_the_editor_and_nothing_is_stored(
    qtbot, dialog, org, errors
):
    before = stored(org.beheer)
    body(dialog).setFocus()
    body(dialog).moveCursor(body(dialog).textCursor().MoveOperation.End)
    qtbot.keyClicks(body(dialog), " Uw contactpersoon is {naam_behandelaar}.")
    click(qtbot, dialog, "templateSaveButton")
    message = text_of(dialog, "templateBodyError")
    assert message.startswith("Onbekend invulveld: {naam_behandelaar}. Gebruik alleen")
    assert find(dialog, QLabel, "templateBodyError").isVisible()
    assert not find(dialog, QLabel, "templateSubjectError").isVisible()
    assert text_of(dialog, "statusLabel") == (
        "Niet opgeslagen: verbeter de tekst met de rode melding."
    )
    assert stored(org.beheer) == before
    assert "{naam_behandelaar}" in body(dialog).toPlainText()  # the user's text is kept

    replace_text(qtbot, subject(dialog), "Uw klacht {kenmerk}")
    click(qtbot, dialog, "templateSaveButton")
    assert "{kenmerk}" in text_of(dialog, "templateSubjectError")
    assert stored(org.beheer) == before

    replace_text(qtbot, subject(dialog), "Uw klacht {zaak}")
    body(dialog).setPlainText(body(dialog).toPlainText().replace("{naam_behandelaar}", "{{x}}"))
    click(qtbot, dialog, "templateSaveButton")
    assert stored(org.beheer).version == 1
    assert not find(dialog, QLabel, "templateSubjectError").isVisible()
    assert not find(dialog, QLabel, "templateBodyError").isVisible()
    assert errors == []


def test_restoring_the_default_text_asks_first_and_makes_a_new_version(qtbot, dialog, org, answers):
    asked, replies = answers
    letters.save_template(org.beheer, KIND, "Eigen onderwerp", "Eigen tekst met {zaak}.")
    dialog.page(LettersPage).refresh()
    assert subject(dialog).text() == "Eigen onderwerp"

    replies.append(False)
    click(qtbot, dialog, "templateRestoreButton")
    assert "standaardtekst van KlachtDesk terugzetten" in asked[-1]
    assert stored(org.beheer).version == 1
    assert subject(dialog).text() == "Eigen onderwerp"

    replies.append(True)
    click(qtbot, dialog, "templateRestoreButton")
    view = stored(org.beheer)
    assert (view.version, view.subject) == (2, "Ontvangstbevestiging van uw klacht")
    assert subject(dialog).text() == "Ontvangstbevestiging van uw klacht"
    assert "{termijn_uitspraak}" in body(dialog).toPlainText()
    assert text_of(dialog, "templateVersion").startswith("Versie 2, opgeslagen op 25-11-2026")
    assert text_of(dialog, "statusLabel") == (
        "De standaardtekst van 'Ontvangstbevestiging' is teruggezet (versie 2)."
    )
    ref = register(org.balie)
    draft = letters.draft(org.balie, ref, KIND)
    assert draft.subject == "Ontvangstbevestiging van uw klacht"


# -- unsaved changes and other PCs ---------------------------------------------------------------
def test_unsaved_changes_are_not_lost_without_asking(qtbot, dialog, org, answers):
    asked, replies = answers
    subject(dialog).setFocus()
    qtbot.keyClick(subject(dialog), Qt.Key.Key_End)
    qtbot.keyClicks(subject(dialog), "!")
    replies.append(False)  # keep editing
    choose_type(qtbot, dialog, "Uitspraak")
    assert "nog niet opgeslagen" in asked[-1]
    assert subject(dialog).text().endswith("!")
    types = find(dialog, QListWidget, "letterTypeList")
    assert types.currentItem().text() == "Ontvangstbevestiging"

    replies.append(False)  # closing the dialog asks as well
    click(qtbot, dialog, "closeButton")
    assert dialog.isVisible()

    replies.append(True)  # throw the changes away
    choose_type(qtbot, dialog, "Uitspraak")
    assert subject(dialog).text() == "Uitspraak op uw klacht"
    assert text_of(dialog, "templatePurpose").startswith("Het oordeel")
    assert not dialog.is_dirty()
    assert stored(org.beheer).version == 0


def test_a_template_changed_on_another_pc_is_not_overwritten(qtbot, dialog, org, errors):
    letters.save_template(org.beheer, KIND, "Van de andere pc", "Tekst van de andere pc.")
    replace_text(qtbot, subject(dialog), "Van deze pc")
    click(qtbot, dialog, "templateSaveButton")
    assert len(errors) == 1 and "intussen door iemand anders gewijzigd" in errors[0]
    assert stored(org.beheer).subject == "Van de andere pc"
    assert subject(dialog).text() == "Van deze pc"  # still there to copy
