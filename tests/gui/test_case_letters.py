"""Letters in the case window: make one, see it listed and the deadline met, open it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTreeWidget

from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, case_view, cases
from klachtdesk.services.letters import letters
from klachtdesk.ui.cases import case_detail
from klachtdesk.ui.cases.case_detail import CaseDetailWindow
from klachtdesk.ui.letters import letter_dialog
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data


@pytest.fixture
def errors(monkeypatch):
    """Error dialogs would block offscreen: record (title, message) instead."""
    shown = []
    monkeypatch.setattr(
        "klachtdesk.ui.common.show_error",
        lambda parent, error, title="Niet gelukt": shown.append((title, str(error))),
    )
    return shown


@pytest.fixture(autouse=True)
def leave_without_asking(monkeypatch):
    monkeypatch.setattr(case_detail, "confirm", lambda *args: True)


@pytest.fixture
def channel(monkeypatch):
    """The letter dialog's questions: 'make it final?' yes; 'sent by post or e-mail?' post."""
    asked = []

    def ask(parent, ref, label, today, options, default):
        asked.append((ref, label))
        return "post"

    monkeypatch.setattr(letter_dialog, "ask_final", lambda parent, ref, label: True)
    monkeypatch.setattr(letter_dialog, "ask_channel", ask)
    return asked


def register(ctx) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(), TODAY))


def open_window(qtbot, ctx, ref) -> CaseDetailWindow:
    window = CaseDetailWindow(ctx, ref)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def letter_rows(window) -> list[list[str]]:
    tree = window.findChild(QTreeWidget, "letterList")
    return [
        [tree.topLevelItem(r).text(c) for c in range(tree.columnCount())]
        for r in range(tree.topLevelItemCount())
    ]


def make_letter(ctx, ref, kind: str = "ontvangstbevestiging") -> int:
    return letters.finalise(ctx, ref, letters.draft(ctx, ref, kind), "post")


def test_a_letter_made_in_the_window_is_listed_and_meets_the_deadline(qtbot, org, errors, channel):
    ref = register(org.balie)
    window = open_window(qtbot, org.balie, ref)
    assert window.deadline_table.item(0, 2).text().startswith("binnenkort")
    make = window.findChild(QPushButton, "makeLetterButton")
    assert make.isEnabled() and make.text() == "Brief &maken…"
    window.tabs.setCurrentWidget(window.files)
    assert window.findChild(QLabel, "noLetters").isVisible()

    qtbot.mouseClick(make, Qt.MouseButton.LeftButton)
    dialog = window.files.letter_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.ref == ref
    assert dialog.type_combo.currentData() == "ontvangstbevestiging"
    with qtbot.waitSignal(window.changed, timeout=5000) as changed:
        qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    assert changed.args == [ref]
    # Behind the still open dialog (for printing) the window already shows the letter.
    assert letter_rows(window)[0][3] == "nog niet verzonden"
    assert (
        window.findChild(QLabel, "statusMessage")
        .text()
        .startswith("De brief is definitief opgeslagen in de zaak. Leg de verzending vast")
    )
    with qtbot.waitSignal(window.changed, timeout=5000):
        qtbot.mouseClick(dialog.sent_button, Qt.MouseButton.LeftButton)
    assert channel == [(ref, "Ontvangstbevestiging")]
    assert letter_rows(window) == [
        ["Ontvangstbevestiging", "25-11-2026 00:00", "Bea Balie", "25-11-2026", "per post"]
    ]
    assert window.tabs.currentWidget() is window.files
    assert not window.findChild(QLabel, "noLetters").isVisible()
    assert window.findChild(QLabel, "statusMessage").text() == (
        "De verzending van de brief is vastgelegd; de termijn ontvangstbevestiging is "
        "daarmee gehaald."
    )
    assert window.deadline_table.item(0, 0).text() == "Ontvangstbevestiging"
    assert (
        window.deadline_table.item(0, 2).text()
        == "gehaald op 25-11-2026 (Ontvangstbevestiging verzonden per post)"
    )
    header = window.findChild(QLabel, "nextDeadlineLabel").text()
    assert header.startswith("Uitspraak uiterlijk 18-12-2026")
    assert [s.type for s in letters.stored_letters(org.coordinator, ref)] == [
        "ontvangstbevestiging"
    ]
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.files.letter_dialog is None)
    assert errors == []


def test_enter_and_double_click_open_the_letter_in_the_viewer(qtbot, org, errors):
    ref = register(org.balie)
    letter_id = make_letter(org.balie, ref)
    window = open_window(qtbot, org.coordinator, ref)
    window.tabs.setCurrentWidget(window.files)
    tree = window.findChild(QTreeWidget, "letterList")
    open_button = window.findChild(QPushButton, "openLetterButton")
    assert not open_button.isEnabled()  # nothing chosen yet

    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    assert open_button.isEnabled()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    viewer = window.files.viewer
    qtbot.waitUntil(viewer.isVisible)
    assert viewer.letter_id == letter_id
    assert viewer.windowTitle() == f"Brief – Ontvangstbevestiging – {ref}"
    assert "verzonden per post op 25-11-2026" in viewer.summary.text()
    assert viewer.preview.page_count == 1
    qtbot.mouseClick(viewer.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.files.viewer is None)

    rect = tree.visualItemRect(tree.topLevelItem(0))
    # A real double click is a click followed by a double-click event (QTest sends only the
    # latter, which an item view ignores without the press before it).
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.files.viewer is None  # one click only chooses the row
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = window.files.viewer
    qtbot.waitUntil(viewer.isVisible)
    assert viewer.letter_id == letter_id
    viewer.accept()
    assert errors == []


def test_a_letter_sent_outside_klachtdesk_is_listed_but_cannot_be_opened(qtbot, org, errors):
    ref = register(org.balie)
    case_activities.mark_letter_sent(
        org.balie, ref, "ontvangstbevestiging", "2026-11-23", "email",
    )  # fmt: skip
    window = open_window(qtbot, org.balie, ref)
    window.tabs.setCurrentWidget(window.files)
    assert letter_rows(window) == [
        ["Ontvangstbevestiging", "buiten KlachtDesk", "", "23-11-2026", "per e-mail"]
    ]
    assert not window.findChild(QPushButton, "openLetterButton").isVisible()
    tree = window.findChild(QTreeWidget, "letterList")
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    with qtbot.waitSignal(window.files.message) as said:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert said.args == [
        "Deze brief is buiten KlachtDesk gemaakt; alleen de verzending is vastgelegd."
    ]
    assert window.files.viewer is None
    assert errors == []


def test_the_button_is_disabled_when_no_letter_fits_the_case(qtbot, org, errors):
    ref = register(org.balie)
    cases.perform(org.balie, ref, Action.INTREKKEN)
    make = open_window(qtbot, org.balie, ref).findChild(QPushButton, "makeLetterButton")
    assert not make.isEnabled()
    assert make.toolTip() == "Bij de huidige stand van de zaak hoort geen brief die u kunt maken."

    # In an appeal the directeur-bestuurder writes only the reaction, after deciding.
    appeal = register(org.balie)
    make_letter(org.balie, appeal)
    cases.perform(org.coordinator, appeal, Action.TRIAGE_KLACHT, handler="manager")
    cases.perform(org.manager, appeal, Action.UITSPRAAK, outcome="ongegrond", motivation="Nee.")
    cases.perform(
        org.coordinator, appeal, Action.BEROEP, received="2026-11-25", grounds=APPEAL_GROUNDS
    )
    make = open_window(qtbot, org.directeur, appeal).findChild(QPushButton, "makeLetterButton")
    assert not make.isEnabled()
    cases.perform(org.directeur, appeal, Action.UITSPRAAK_DIRECTEUR, outcome="ongegrond",
                  motivation="Opnieuw bekeken.")  # fmt: skip
    window = open_window(qtbot, org.directeur, appeal)
    make = window.findChild(QPushButton, "makeLetterButton")
    assert make.isEnabled()
    assert "reactie directeur-bestuurder" in make.toolTip()
    assert errors == []


def test_the_sent_letter_dialog_takes_types_and_deadlines_from_the_letters_service(
    qtbot, org, errors
):
    ref = register(org.balie)
    window = open_window(qtbot, org.balie, ref)
    qtbot.mouseClick(window.findChild(QPushButton, "activity_brief"), Qt.MouseButton.LeftButton)
    dialog = window.dialog
    qtbot.waitUntil(dialog.isVisible)
    combo = dialog.findChild(object, "letter_typeField")
    offered = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    assert offered == [(key, t.label) for key, t in letters.LETTER_TYPES.items()]
    assert combo.currentData() == "ontvangstbevestiging"  # the likely one for this case
    intro = dialog.findChild(QLabel, "dialogIntro").text()
    assert "buiten KlachtDesk" in intro
    assert "ontvangstbevestiging, niet-ontvankelijkverklaring, doorverwijzing" in intro
    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    acknowledgement = case_view.case_detail(org.coordinator, ref).deadlines[0]
    assert (acknowledgement.kind, acknowledgement.met_on) == ("ontvangstbevestiging", TODAY)
    assert (
        window.deadline_table.item(0, 2).text()
        == "gehaald op 25-11-2026 (Ontvangstbevestiging verzonden per post)"
    )
    assert errors == []


def test_a_letter_sent_later_counts_only_from_the_day_its_sending_is_recorded(
    qtbot, org, errors, monkeypatch
):
    """Final is not sent: the letter is listed as not yet sent and the deadline stays open
    until the clerk records the sending, which then meets it on that date."""
    monkeypatch.setattr(letter_dialog, "ask_final", lambda parent, ref, label: True)
    ref = register(org.balie)
    window = open_window(qtbot, org.balie, ref)
    window.make_letter("ontvangstbevestiging")
    dialog = window.files.letter_dialog
    qtbot.waitUntil(lambda: dialog.draft is not None)
    with qtbot.waitSignal(window.changed, timeout=5000):
        qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    assert "Verzending vastleggen" in dialog.status_label.text()
    dialog.reject()
    assert letter_rows(window) == [
        ["Ontvangstbevestiging", "25-11-2026 00:00", "Bea Balie", "nog niet verzonden", ""]
    ]
    ack = case_view.case_detail(org.balie, ref).deadlines[0]
    assert (ack.deadline_state.value, ack.met_on) == ("open", None)

    tree = window.findChild(QTreeWidget, "letterList")
    tree.setCurrentItem(tree.topLevelItem(0))
    record = window.findChild(QPushButton, "recordSentButton")
    assert record.isVisible()
    qtbot.mouseClick(record, Qt.MouseButton.LeftButton)
    form = window.dialog
    qtbot.waitUntil(form.isVisible)
    assert form.widgets["via"].currentData() == "post"
    with qtbot.waitSignal(window.changed, timeout=5000):
        qtbot.mouseClick(form.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert letter_rows(window)[0][3:] == ["25-11-2026", "per post"]
    ack = case_view.case_detail(org.balie, ref).deadlines[0]
    assert (ack.deadline_state.value, ack.met_on) == ("met", TODAY)
    assert not record.isVisible()  # once sent, it cannot be recorded again
    assert errors == []
