"""The case window, driven as its users do: buttons, dialogs, the data form."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
)

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, case_view, cases
from klachtdesk.ui.cases import case_detail, case_files
from klachtdesk.ui.cases.case_actions import FormDialog
from klachtdesk.ui.cases.case_detail import CaseDetailWindow
from tests.conftest import TODAY, complaint_data


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
    """A test that fails with unsaved edits must not hang on the "leave?" question."""
    monkeypatch.setattr(case_detail, "confirm", lambda *args: True)


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def status(org, ref) -> str:
    return case_view.case_detail(org.coordinator, ref).status


def open_window(qtbot, ctx, ref) -> CaseDetailWindow:
    window = CaseDetailWindow(ctx, ref)
    qtbot.addWidget(window)
    window.show()
    return window


def button(window, name) -> QPushButton | None:
    return window.findChild(QPushButton, name)


def start(qtbot, window, name) -> FormDialog:
    qtbot.mouseClick(button(window, name), Qt.MouseButton.LeftButton)
    dialog = window.dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def field(dialog, key):
    return dialog.findChild(object, f"{key}Field")


def choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def accept(qtbot, window, dialog) -> None:
    with qtbot.waitSignal(window.changed, timeout=2000) as signal:
        qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert signal.args == [window.ref]
    assert not dialog.isVisible()


def test_a_case_walks_from_triage_to_the_directors_decision(qtbot, org, errors):
    ref = register(org.balie)

    window = open_window(qtbot, org.coordinator, ref)
    assert window.findChild(QLabel, "statusLabel").text() == "Ontvangen"
    dialog = start(qtbot, window, "action_triage_klacht")
    choose(field(dialog, "handler"), "manager")
    qtbot.keyClicks(field(dialog, "note"), "Klacht over onderhoud, in behandeling.")
    accept(qtbot, window, dialog)
    assert status(org, ref) == "in_behandeling"
    assert case_view.case_detail(org.balie, ref).handler == "Mark Manager"
    assert window.findChild(QLabel, "statusLabel").text() == "In behandeling"
    assert window.message.text() == "De klacht is in behandeling genomen."
    assert button(window, "action_triage_klacht") is None

    window = open_window(qtbot, org.manager, ref)
    dialog = start(qtbot, window, "action_uitspraak")
    choose(field(dialog, "outcome"), "deels_gegrond")
    qtbot.keyClicks(field(dialog, "motivation"), "De reparatie duurde te lang.")
    qtbot.keyClicks(field(dialog, "solution"), "Wij vergoeden 50 euro.")
    accept(qtbot, window, dialog)
    detail = case_view.case_detail(org.coordinator, ref)
    assert (detail.status, detail.outcome, detail.solution) == (
        "afgehandeld",
        "deels_gegrond",
        "Wij vergoeden 50 euro.",
    )

    window = open_window(qtbot, org.balie, ref)
    dialog = start(qtbot, window, "action_beroep")
    assert field(dialog, "received").date() == QDate(TODAY)
    qtbot.keyClicks(field(dialog, "grounds"), "De vergoeding is te laag.")
    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the default button takes Enter
    assert status(org, ref) == "heroverweging"
    assert window.message.text() == "Het verzoek om heroverweging is vastgelegd."

    window = open_window(qtbot, org.directeur, ref)
    dialog = start(qtbot, window, "action_uitspraak_directeur")
    choose(field(dialog, "outcome"), "ongegrond")
    qtbot.keyClicks(field(dialog, "motivation"), "Ik heb de klacht opnieuw bekeken.")
    accept(qtbot, window, dialog)
    assert status(org, ref) == "afgehandeld_directeur"
    assert "Uitspraak directeur-bestuurder" in window.findChild(QLabel, "caseSummary").text()
    assert errors == []


def test_the_clerk_sees_the_decision_disabled_and_the_service_refuses_it(qtbot, org, errors):
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    window = open_window(qtbot, org.balie, ref)
    decision = button(window, "action_uitspraak")
    assert not decision.isEnabled()
    assert decision.toolTip() == "Hiervoor is de rol Manager / behandelaar nodig."
    assert button(window, "action_intrekken").isEnabled()
    assert not button(window, "activity_verlenging").isEnabled()
    with pytest.raises(NotAllowed):
        cases.perform(
            org.balie, ref, Action.UITSPRAAK, outcome="gegrond", motivation="Zelf besloten."
        )
    assert status(org, ref) == "in_behandeling"
    assert button(open_window(qtbot, org.manager, ref), "action_uitspraak").isEnabled()


def test_the_director_cannot_open_a_case_without_appeal(qtbot, org, errors):
    ref = register(org.balie)
    window = open_window(qtbot, org.directeur, ref)
    assert window.detail is None
    assert "kan niet worden getoond" in window.findChild(QLabel, "caseTitle").text()
    assert "heroverweging" in errors[0][1]


def test_a_stale_window_reports_the_conflict_and_keeps_the_other_change(qtbot, org, errors):
    ref = register(org.balie)
    window = open_window(qtbot, org.coordinator, ref)
    loaded = window.detail.version
    case_activities.record(org.balie, ref, Activity.NOTITIE, "Klager belde: de lekkage is erger.")

    dialog = start(qtbot, window, "activity_notitie")
    qtbot.keyClicks(field(dialog, "text"), "Mijn notitie van eerder.")
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)

    assert errors and errors[0][0] == "Zaak is intussen gewijzigd"
    assert "Bea Balie" in errors[0][1]
    assert not dialog.isVisible()
    assert window.detail.version == loaded + 1  # the window read the case again
    notes = [e for e in case_view.case_detail(org.coordinator, ref).events if e.kind == "notitie"]
    assert [n.data["tekst"] for n in notes] == ["Klager belde: de lekkage is erger."]
    timeline = window.findChild(object, "timeline")
    shown = [timeline.topLevelItem(i).text(3) for i in range(timeline.topLevelItemCount())]
    assert "Klager belde: de lekkage is erger." in shown


def test_postcode_is_stored_normalised_and_a_bad_one_stores_nothing(
    qtbot, org, errors, monkeypatch
):
    ref = register(org.balie)
    window = open_window(qtbot, org.balie, ref)
    qtbot.mouseClick(button(window, "activity_gegevens_wijzigen"), Qt.MouseButton.LeftButton)
    postcode = window.findChild(QLineEdit, "postcodeField")
    save = button(window, "saveButton")
    assert not save.isEnabled()  # nothing to save yet

    postcode.clear()
    qtbot.keyClicks(postcode, "1234ab")
    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert case_view.case_detail(org.coordinator, ref).postcode == "1234 AB"
    assert postcode.text() == "1234 AB"
    version = window.detail.version

    postcode.clear()
    qtbot.keyClicks(postcode, "12345")
    qtbot.keyClicks(window.findChild(QLineEdit, "subjectField"), " (aangevuld)")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    message = window.findChild(QLabel, "postcodeError")
    assert message.isVisible()
    assert message.text() == "'12345' is geen geldige Nederlandse postcode (bijvoorbeeld 1234 AB)."
    assert window.focusWidget() is postcode
    assert postcode.text() == "12345"  # the input stays for the user to correct
    detail = case_view.case_detail(org.coordinator, ref)
    assert (detail.version, detail.postcode, detail.subject) == (
        version,
        "1234 AB",
        "Lekkage badkamer niet verholpen",
    )
    assert errors == []

    # Closing with unsaved edits asks first; the user stays to correct them.
    asked = []
    monkeypatch.setattr(case_detail, "confirm", lambda *args: asked.append(args[1]) or False)
    assert not window.close()
    assert asked == ["Wijzigingen niet opgeslagen"]


def test_the_data_is_read_only_for_the_manager(qtbot, org, errors):
    ref = register(org.balie)
    window = open_window(qtbot, org.manager, ref)
    assert window.findChild(QLineEdit, "nameField").isReadOnly()
    assert window.findChild(QPlainTextEdit, "descriptionField").isReadOnly()
    assert not window.findChild(QComboBox, "categoryField").isEnabled()
    assert not button(window, "saveButton").isVisible()
    assert not button(window, "activity_gegevens_wijzigen").isEnabled()


def test_missing_answers_keep_the_dialog_open_and_store_nothing(qtbot, org, errors):
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    window = open_window(qtbot, org.manager, ref)
    dialog = start(qtbot, window, "action_uitspraak")
    # No outcome is chosen for the manager: leaving it is refused at the form.
    assert field(dialog, "outcome").currentData() == ""
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.findChild(QLabel, "dialogError").text() == "Vul 'Uitkomst' in."
    choose(field(dialog, "outcome"), "ongegrond")
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert dialog.findChild(QLabel, "dialogError").text() == "Vul 'Motivering' in."
    assert status(org, ref) == "in_behandeling"


def test_extension_shows_the_old_deadline_struck_through(qtbot, org, errors):
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    case_activities.mark_letter_sent(org.balie, ref, "ontvangstbevestiging", TODAY, "post")
    window = open_window(qtbot, org.coordinator, ref)
    header = window.findChild(QLabel, "nextDeadlineLabel")
    assert header.text() == "Uitspraak uiterlijk 18-12-2026 — open (nog 17 werkdagen)"
    assert (
        window.deadline_table.item(0, 2).text()
        == "gehaald op 25-11-2026 (Ontvangstbevestiging verzonden per post)"
    )
    dialog = start(qtbot, window, "activity_verlenging")
    assert field(dialog, "current").text() == "18 december 2026"
    field(dialog, "new_due").setDate(QDate(2027, 1, 9))  # a Saturday
    qtbot.keyClicks(field(dialog, "reason"), "Het rapport van de aannemer is nog niet binnen.")
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "geen werkdag" in dialog.findChild(QLabel, "dialogError").text()

    field(dialog, "new_due").setDate(QDate(2027, 1, 8))
    accept(qtbot, window, dialog)
    due = [(d.kind, d.due, d.active) for d in case_view.case_detail(org.balie, ref).deadlines]
    assert due[1:] == [
        ("uitspraak", date(2026, 12, 18), False),
        ("uitspraak", date(2027, 1, 8), True),
        # the complainant must have the notice before the old date
        ("verlengingsbericht", date(2026, 12, 18), True),
    ]
    table = window.deadline_table
    assert table.item(1, 2).text() == "vervangen door verlenging"  # not "verlopen"
    assert table.item(1, 1).font().strikeOut()
    assert "verlengd van 18 december 2026" in table.item(2, 3).text()
    assert table.item(3, 0).text() == "Bericht van verlenging"
    # the next thing due is the notice, on the old date
    assert header.text().startswith("Bericht van verlenging uiterlijk 18-12-2026")


def test_the_clerk_sees_that_a_hearing_took_place_but_not_what_was_said(qtbot, org, errors):
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    case_activities.record(org.coordinator, ref, Activity.HOORGESPREK, "Vertrouwelijk verslag.")

    def hearing(ctx) -> str:
        timeline = open_window(qtbot, ctx, ref).findChild(object, "timeline")
        rows = [timeline.topLevelItem(i) for i in range(timeline.topLevelItemCount())]
        return next(r.text(3) for r in rows if r.text(2) == "Hoorgesprek")

    assert hearing(org.balie) == "Vertrouwelijk"
    assert "Vertrouwelijk verslag." in hearing(org.coordinator)


def test_attachments_are_added_and_saved_only_where_the_user_chooses(
    qtbot, org, errors, tmp_path, monkeypatch
):
    ref = register(org.balie)
    scan = tmp_path / "brief.pdf"
    scan.write_bytes(b"%PDF-1.4 brief van de klager")
    monkeypatch.setattr(case_files, "_ask_open_path", lambda parent: str(scan))
    window = open_window(qtbot, org.balie, ref)
    window.tabs.setCurrentIndex(3)
    assert window.findChild(QLabel, "noLetters").isVisible()
    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.mouseClick(button(window, "activity_bijlage"), Qt.MouseButton.LeftButton)
    files = window.findChild(QTreeWidget, "attachmentList")
    assert files.topLevelItemCount() == 1 and files.topLevelItem(0).text(0) == "brief.pdf"

    target = tmp_path / "kopie.pdf"
    monkeypatch.setattr(case_files, "_ask_save_path", lambda parent, name: str(target))
    files.setCurrentItem(files.topLevelItem(0))
    qtbot.mouseClick(button(window, "saveAttachmentButton"), Qt.MouseButton.LeftButton)
    assert target.read_bytes() == b"%PDF-1.4 brief van de klager"
    assert errors == []


def test_the_timeline_is_in_date_order_when_a_pc_clock_is_behind(qtbot, org):
    """The balie PC's clock is an hour behind the coordinator's: its note, recorded after the
    coordinator's, happened (by its clock) before it. The timeline shows the times in order,
    on screen and in what the dossier reads."""
    from dataclasses import replace
    from datetime import datetime

    ref = register(org.balie)
    ahead = replace(org.coordinator, now=lambda: datetime(2026, 11, 25, 15, 0))
    behind = replace(org.balie, now=lambda: datetime(2026, 11, 25, 14, 0))
    case_activities.record(ahead, ref, Activity.NOTITIE, "Notitie van de coördinator.")
    case_activities.record(behind, ref, Activity.NOTITIE, "Notitie van de balie.")

    events = case_view.case_detail(org.coordinator, ref).events
    times = [event.at for event in events]
    assert times == sorted(times)
    window = open_window(qtbot, org.coordinator, ref)
    timeline = window.findChild(QTreeWidget, "timeline")
    shown = [timeline.topLevelItem(i).text(3) for i in range(timeline.topLevelItemCount())]
    assert shown.index("Notitie van de balie.") < shown.index("Notitie van de coördinator.")


def test_closing_is_disabled_with_the_reason_until_the_decision_letter_went_out(qtbot, org):
    """The procedure refuses to close a case whose decision letter was not sent; the window
    does not offer a button that can only be refused, it says why instead."""
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="Nee.")
    window = open_window(qtbot, org.coordinator, ref)
    close = button(window, "action_sluiten")
    assert close is not None and not close.isEnabled()
    assert "de brief met de uitspraak is nog niet als verzonden vastgelegd" in close.toolTip()
    with pytest.raises(NotAllowed, match="nog niet als verzonden vastgelegd"):
        cases.perform(org.coordinator, ref, Action.SLUITEN)

    case_activities.mark_letter_sent(org.coordinator, ref, "uitspraak", TODAY, "post")
    window.reload()
    close = button(window, "action_sluiten")
    assert close.isEnabled() and close.toolTip() == ""
