"""The intake wizard driven as the front-desk clerk does: keyboard first, some clicks."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QTreeWidget,
    QWizard,
    QWizardPage,
)

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import attachments, case_view, cases
from klachtdesk.services.intake.intake_admissibility import (
    CONSEQUENCE_NOT_DISCUSSED,
    CONSEQUENCE_REPEAT,
)
from klachtdesk.ui import common
from klachtdesk.ui.intake import intake_wizard
from klachtdesk.ui.intake.intake_wizard import IntakeWizard
from tests.conftest import TODAY, complaint_data

Key = Qt.Key


@pytest.fixture
def messages(monkeypatch):
    """What the wizard tells the clerk in message boxes (they would block offscreen)."""
    shown = []
    monkeypatch.setattr(intake_wizard, "show_registered", lambda parent, text: shown.append(text))
    monkeypatch.setattr(common, "show_error", lambda parent, error, title="": shown.append(error))
    # Closing a wizard with input asks first; at the end of a test that must not block.
    monkeypatch.setattr(intake_wizard, "confirm", lambda *args, **kwargs: True)
    return shown


def open_wizard(qtbot, ctx) -> IntakeWizard:
    wizard = IntakeWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def find(wizard, cls, name):
    widget = wizard.findChild(cls, name)
    assert widget is not None, name
    return widget


def enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Key.Key_Return)


def fill_complainant(qtbot, wizard, postcode="3512cd") -> None:
    qtbot.keyClicks(find(wizard, QLineEdit, "nameEdit"), "Ans de Wit")
    qtbot.keyClicks(find(wizard, QLineEdit, "streetEdit"), "Beukstraat 12")
    qtbot.keyClicks(find(wizard, QLineEdit, "postcodeEdit"), postcode)
    qtbot.keyClicks(find(wizard, QLineEdit, "cityEdit"), "Utrecht")
    qtbot.keyClicks(find(wizard, QLineEdit, "phoneEdit"), "06 87654321")


def fill_complaint(qtbot, wizard) -> None:
    subject = find(wizard, QLineEdit, "subjectEdit")
    qtbot.keyClicks(subject, "Monteur kwam afspraak niet na")
    qtbot.keyClicks(find(wizard, QPlainTextEdit, "descriptionEdit"), "Niemand kwam opdagen.")
    qtbot.keyClicks(find(wizard, QComboBox, "categoryCombo"), "Onderhoud")
    qtbot.keyClicks(find(wizard, QPlainTextEdit, "expectationEdit"), "Een nieuwe afspraak.")


def to_admissibility(qtbot, wizard) -> None:
    enter(qtbot, find(wizard, QComboBox, "channelCombo"))
    fill_complainant(qtbot, wizard)
    enter(qtbot, find(wizard, QLineEdit, "phoneEdit"))
    fill_complaint(qtbot, wizard)
    enter(qtbot, find(wizard, QLineEdit, "subjectEdit"))
    assert wizard.currentId() == 3


def test_clerk_registers_a_phone_complaint_by_keyboard(qtbot, org, messages):
    wizard = open_wizard(qtbot, org.balie)
    assert wizard.windowTitle() == "Klacht registreren"
    assert wizard.buttonText(QWizard.WizardButton.NextButton) == "&Volgende >"
    assert wizard.buttonText(QWizard.WizardButton.BackButton) == "< V&orige"
    assert wizard.buttonText(QWizard.WizardButton.FinishButton) == "&Registreren"
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Annuleren"
    # Page 1: the letter came in by post on Monday; Down on the combo, Down twice on the day.
    channel = find(wizard, QComboBox, "channelCombo")
    qtbot.keyClick(channel, Key.Key_Down)
    assert channel.currentText() == "Brief"
    received = find(wizard, QDateEdit, "receivedDate")
    qtbot.keyClick(received, Key.Key_Down)
    qtbot.keyClick(received, Key.Key_Down)
    assert find(wizard, QLabel, "receivedLong").text() == "23 november 2026"
    enter(qtbot, received)
    assert wizard.currentId() == 1
    # Page 2: a new complainant.
    fill_complainant(qtbot, wizard)
    salutation = find(wizard, QComboBox, "salutationCombo")
    qtbot.keyClicks(salutation, "Mevrouw")
    enter(qtbot, find(wizard, QLineEdit, "phoneEdit"))
    assert wizard.currentId() == 2
    # Page 3: the complaint; the employee's department follows from the list.
    fill_complaint(qtbot, wizard)
    enter(qtbot, find(wizard, QLineEdit, "subjectEdit"))
    assert wizard.currentId() == 3
    # Page 4: Woonpartners asks whether it was discussed first.
    yes = find(wizard, QRadioButton, "discussedJa")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert not find(wizard, QLabel, "discussedConsequence").isVisible()
    enter(qtbot, yes)
    assert wizard.currentId() == 4
    enter(qtbot, find(wizard, QListWidget, "attachmentList"))
    assert wizard.currentId() == 5
    summary = find(wizard, QTextBrowser, "summaryText").toPlainText()
    for text in ("Brief", "23 november 2026", "Ans de Wit", "3512 CD Utrecht", "Mevrouw"):
        assert text in summary
    assert "Ontvangstbevestiging uiterlijk" in summary and "30 november 2026" in summary
    with qtbot.waitSignal(wizard.registered, timeout=5000) as signal:
        enter(qtbot, find(wizard, QTextBrowser, "summaryText"))
    ref = signal.args[0]
    assert ref == "KD-2026-0001"
    assert messages == [
        "Klacht geregistreerd als KD-2026-0001.\n\nDe ontvangstbevestiging moet uiterlijk op "
        "30 november 2026 zijn verstuurd."
    ]
    assert not wizard.isVisible()
    case = case_view.case_detail(org.coordinator, ref)
    assert (case.channel, case.received) == ("brief", date(2026, 11, 23))
    assert (case.complainant_name, case.salutation) == ("Ans de Wit", "mevrouw")
    assert (case.postcode, case.city, case.phone) == ("3512 CD", "Utrecht", "+31 6 87654321")
    assert case.category == "Onderhoud en reparaties"
    assert case.subject == "Monteur kwam afspraak niet na"
    assert case.expectation == "Een nieuwe afspraak."
    assert case.discussed_with_employee is True


def test_a_bad_postcode_is_named_at_the_field_and_the_page_stays(qtbot, org, messages):
    wizard = open_wizard(qtbot, org.balie)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == 1
    fill_complainant(qtbot, wizard, postcode="123")
    postcode = find(wizard, QLineEdit, "postcodeEdit")
    enter(qtbot, postcode)
    assert wizard.currentId() == 1
    error = find(wizard, QLabel, "postcodeError")
    assert error.isVisible()
    assert error.text() == "'123' is geen geldige Nederlandse postcode (bijvoorbeeld 1234 AB)."
    assert not find(wizard, QLabel, "nameError").isVisible()
    postcode.clear()
    qtbot.keyClicks(postcode, "3512 cd")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == 2
    assert cases.list_cases(org.balie) == []
    assert messages == []


def test_a_receipt_date_in_the_future_is_refused_at_the_field(qtbot, org, messages):
    wizard = open_wizard(qtbot, org.balie)
    received = find(wizard, QDateEdit, "receivedDate")
    qtbot.keyClick(received, Key.Key_Up)
    enter(qtbot, received)
    assert wizard.currentId() == 0
    error = find(wizard, QLabel, "receivedError")
    assert error.isVisible()
    assert error.text() == (
        "De datum van ontvangst (26 november 2026) ligt in de toekomst; kies vandaag of een "
        "eerdere dag."
    )


def test_a_returning_complainant_is_found_by_name_with_the_earlier_case(qtbot, org, messages):
    earlier = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    wizard = open_wizard(qtbot, org.balie)
    enter(qtbot, find(wizard, QComboBox, "channelCombo"))
    search = find(wizard, QLineEdit, "complainantSearch")
    results = find(wizard, QListWidget, "complainantResults")
    qtbot.keyClicks(search, "Fatima el Amrani")  # searched while typing
    qtbot.waitUntil(lambda: results.count() == 1)
    assert results.item(0).text() == ("Fatima el Amrani — Lindelaan 4, 3511 AB Utrecht — 1 zaak")
    enter(qtbot, search)  # Enter in the search box goes to the first result, not on
    assert wizard.currentId() == 1
    earlier_cases = find(wizard, QTreeWidget, "earlierCases")
    assert earlier_cases.topLevelItemCount() == 1
    row = earlier_cases.topLevelItem(0)
    assert [row.text(i) for i in range(4)] == [
        earlier,
        "20-11-2026",
        "Lekkage badkamer niet verholpen",
        "Ontvangen",
    ]
    assert find(wizard, QLabel, "earlierLabel").text() == "Eerdere zaken van Fatima el Amrani (1):"
    enter(qtbot, results)  # take over her data
    assert find(wizard, QLineEdit, "nameEdit").text() == "Fatima el Amrani"
    assert find(wizard, QLineEdit, "postcodeEdit").text() == "3511 AB"
    assert "Bekende klager (1 eerdere zaak)" in find(wizard, QLabel, "knownLabel").text()
    enter(qtbot, find(wizard, QLineEdit, "nameEdit"))
    fill_complaint(qtbot, wizard)
    enter(qtbot, find(wizard, QLineEdit, "subjectEdit"))
    assert earlier in find(wizard, QLabel, "earlierInfo").text()
    qtbot.mouseClick(find(wizard, QRadioButton, "discussedJa"), Qt.MouseButton.LeftButton)
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.registered):
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton
        )
    assert case_view.find_complainants(org.balie, "Fatima el Amrani")[0].case_count == 2


def test_not_discussed_shows_the_consequence_and_is_stored(qtbot, org, messages):
    wizard = open_wizard(qtbot, org.balie)
    to_admissibility(qtbot, wizard)
    enter(qtbot, find(wizard, QRadioButton, "discussedJa"))
    assert wizard.currentId() == 3
    assert find(wizard, QLabel, "discussedError").text() == "Kies een antwoord."
    consequence = find(wizard, QLabel, "discussedConsequence")
    assert not consequence.isVisible()
    qtbot.mouseClick(find(wizard, QRadioButton, "discussedNee"), Qt.MouseButton.LeftButton)
    assert consequence.isVisible()
    assert consequence.text() == CONSEQUENCE_NOT_DISCUSSED
    assert find(wizard, QLabel, "registerAnyway").isVisible()
    wizard.next()
    wizard.next()
    assert CONSEQUENCE_NOT_DISCUSSED in find(wizard, QTextBrowser, "summaryText").toPlainText()
    with qtbot.waitSignal(wizard.registered) as signal:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert case_view.case_detail(org.coordinator, signal.args[0]).discussed_with_employee is False


def test_livable_asks_about_an_earlier_handling(qtbot, livable_org, messages):
    wizard = open_wizard(qtbot, livable_org.balie)
    to_admissibility(qtbot, wizard)
    assert find(wizard, QLabel, "repeatQuestion").text() == "Is deze klacht eerder behandeld?"
    # Livable: only a tenant, resident or owner may complain
    assert find(wizard, QLabel, "relationQuestion").text() == (
        "Wat is de relatie van de klager tot de woning of het pand?"
    )
    qtbot.mouseClick(find(wizard, QRadioButton, "relationAnders"), Qt.MouseButton.LeftButton)
    assert "alleen een huurder, bewoner of eigenaar" in (
        find(wizard, QLabel, "relationConsequence").text()
    )
    qtbot.mouseClick(find(wizard, QRadioButton, "relationBewoner"), Qt.MouseButton.LeftButton)
    assert not find(wizard, QLabel, "relationConsequence").isVisible()
    assert not find(wizard, QRadioButton, "newFactsNee").isVisible()
    qtbot.mouseClick(find(wizard, QRadioButton, "repeatJa"), Qt.MouseButton.LeftButton)
    assert find(wizard, QRadioButton, "newFactsNee").isVisible()
    qtbot.mouseClick(find(wizard, QRadioButton, "newFactsNee"), Qt.MouseButton.LeftButton)
    assert find(wizard, QLabel, "newFactsConsequence").text() == CONSEQUENCE_REPEAT
    qtbot.mouseClick(find(wizard, QRadioButton, "newFactsJa"), Qt.MouseButton.LeftButton)
    assert not find(wizard, QLabel, "newFactsConsequence").isVisible()
    enter(qtbot, find(wizard, QRadioButton, "newFactsJa"))
    assert wizard.currentId() == 3
    assert find(wizard, QLabel, "newFactsTextError").text() == (
        "Beschrijf de nieuwe feiten of omstandigheden."
    )
    qtbot.keyClicks(find(wizard, QPlainTextEdit, "newFactsTextEdit"), "Weer lekkage.")
    wizard.next()
    assert wizard.currentId() == 4


def test_attachments_are_added_refused_removed_and_stored(
    qtbot, org, messages, tmp_path, monkeypatch
):
    letter = tmp_path / "brief.pdf"
    letter.write_bytes(b"%PDF-1.4 gescande brief")
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"\xff\xd8 foto")
    huge = tmp_path / "groot.tif"
    with huge.open("wb") as handle:
        handle.truncate(attachments.MAX_ATTACHMENT_BYTES + 1)
    wizard = open_wizard(qtbot, org.balie)
    to_admissibility(qtbot, wizard)
    qtbot.mouseClick(find(wizard, QRadioButton, "discussedJa"), Qt.MouseButton.LeftButton)
    wizard.next()
    files = find(wizard, QListWidget, "attachmentList")
    monkeypatch.setattr(intake_wizard, "choose_files", lambda parent: [str(letter), str(huge)])
    add = find(wizard, QPushButton, "addAttachmentButton")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert [files.item(i).text() for i in range(files.count())] == ["brief.pdf (1 kB)"]
    error = find(wizard, QLabel, "attachmentsError")
    assert error.isVisible()
    assert "'groot.tif' is 20,0 MB; een bijlage mag ten hoogste 20 MB zijn" in error.text()
    # A photo dragged onto the page, then removed again with Delete.
    page = files.window().findChild(QWizardPage, "bijlagenPage")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    drag = QDragEnterEvent(
        QPoint(5, 5),  # QPoint: PySide6 6.11 has no QPointF overload for drag events
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page, drag)
    assert drag.isAccepted()
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page, drop)
    assert files.count() == 2 and files.item(1).text() == "foto.jpg (1 kB)"
    files.setCurrentRow(1)
    qtbot.keyClick(files, Key.Key_Delete)
    assert files.count() == 1
    wizard.next()
    with qtbot.waitSignal(wizard.registered) as signal:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    stored = attachments.list_attachments(org.balie, signal.args[0])
    assert [(a.filename, a.size) for a in stored] == [("brief.pdf", 23)]
    assert attachments.attachment_data(org.balie, stored[0].id) == (
        "brief.pdf",
        b"%PDF-1.4 gescande brief",
    )


def test_cancelling_after_typing_asks_first_and_stores_nothing(qtbot, org, messages, monkeypatch):
    answers = [False, True]
    asked = []

    def fake_confirm(parent, title, text, yes="Ja"):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(intake_wizard, "confirm", fake_confirm)
    wizard = open_wizard(qtbot, org.balie)
    wizard.next()
    qtbot.keyClicks(find(wizard, QLineEdit, "nameEdit"), "Ans de Wit")
    qtbot.keyClick(find(wizard, QLineEdit, "nameEdit"), Key.Key_Escape)
    assert wizard.isVisible()
    assert asked == ["De gegevens die u hebt ingevoerd worden niet bewaard. Wilt u stoppen?"]
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert not wizard.isVisible()
    assert cases.list_cases(org.balie) == []


def test_a_manager_cannot_start_an_intake(qtbot, org, messages):
    wizard = IntakeWizard(org.manager)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert len(messages) == 1
    assert "een klacht registreren" in str(messages[0])


def test_the_complainant_page_is_walked_with_tab_in_reading_order(qtbot, org, messages):
    wizard = open_wizard(qtbot, org.balie)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    enter(qtbot, find(wizard, QComboBox, "channelCombo"))
    order = [QApplication.focusWidget().objectName()]
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Key.Key_Tab)
        order.append(QApplication.focusWidget().objectName())
    assert order == [
        "complainantSearch",
        "complainantResults",
        "newComplainantButton",  # "Gegevens overnemen" waits for a chosen complainant
        "earlierCases",
        "salutationCombo",
        "nameEdit",
        "streetEdit",
        "postcodeEdit",
        "cityEdit",
        "phoneEdit",
        "emailEdit",
        "memberNumberEdit",
        "prefersEmailCheck",
    ]
