"""The case window's "Zaakdossier (PDF)…" button, and the dossier's timeline reading as the
window's."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, case_view, cases, dossier
from klachtdesk.services.letters import letters
from klachtdesk.ui.cases import case_actions, case_detail
from klachtdesk.ui.cases.case_detail import CaseDetailWindow
from tests.conftest import TODAY, complaint_data


@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "klachtdesk.ui.common.show_error",
        lambda parent, error, title="Niet gelukt": shown.append((title, str(error))),
    )
    return shown


def register(org) -> str:
    return cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))


def open_window(qtbot, ctx, ref) -> CaseDetailWindow:
    window = CaseDetailWindow(ctx, ref)
    qtbot.addWidget(window)
    window.show()
    return window


def click_dossier(qtbot, window) -> QPushButton:
    button = window.findChild(QPushButton, "dossierButton")
    assert button is not None and button.isEnabled()
    assert button.text().replace("&", "") == "Zaakdossier (PDF)…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return button


def test_the_button_saves_the_dossier_where_the_user_chooses(qtbot, org, tmp_path, monkeypatch):
    ref = register(org)
    target = tmp_path / "dossier.pdf"
    asked = []

    def ask(parent, suggested):
        asked.append(suggested)
        return str(target)

    monkeypatch.setattr(case_detail, "_ask_dossier_path", ask)
    window = open_window(qtbot, org.coordinator, ref)
    click_dossier(qtbot, window)
    qtbot.waitUntil(lambda: "is opgeslagen als" in window.message.text(), timeout=10_000)
    assert asked == [f"Zaakdossier {ref}.pdf"]  # no personal data in the suggested name
    assert target.read_bytes().startswith(b"%PDF-")
    assert f"Het zaakdossier van zaak {ref}" in window.message.text()
    assert str(target) in window.message.text()
    assert window.findChild(QPushButton, "dossierButton").isEnabled()


def test_cancelling_the_file_dialog_makes_nothing(qtbot, org, tmp_path, monkeypatch):
    ref = register(org)
    monkeypatch.setattr(case_detail, "_ask_dossier_path", lambda parent, suggested: "")
    window = open_window(qtbot, org.coordinator, ref)
    click_dossier(qtbot, window)
    assert window._dossier_task is None
    assert "zaakdossier" not in window.message.text().lower()


def test_a_missing_folder_is_a_dutch_error(qtbot, org, tmp_path, monkeypatch, errors):
    ref = register(org)
    target = tmp_path / "weg" / "dossier.pdf"
    monkeypatch.setattr(case_detail, "_ask_dossier_path", lambda parent, suggested: str(target))
    window = open_window(qtbot, org.coordinator, ref)
    click_dossier(qtbot, window)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    title, message = errors[0]
    assert title == "Zaakdossier niet opgeslagen"
    assert "bestaat niet" in message and "Kies een andere map" in message
    assert window.message.text() == "Het zaakdossier is niet opgeslagen."
    assert not target.parent.exists()


def test_the_directeur_has_the_button_on_an_appeal(qtbot, org, tmp_path, monkeypatch):
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="Zo is het.")
    cases.perform(org.coordinator, ref, Action.BEROEP, received=TODAY, grounds="Oneens.")
    target = tmp_path / "dossier.pdf"
    monkeypatch.setattr(case_detail, "_ask_dossier_path", lambda parent, suggested: str(target))
    window = open_window(qtbot, org.directeur, ref)
    click_dossier(qtbot, window)
    qtbot.waitUntil(lambda: "is opgeslagen als" in window.message.text(), timeout=10_000)
    assert target.is_file()


def test_the_dossier_timeline_reads_as_the_window(org):
    """The dossier writes each event's details with the labels of the case window."""
    ref = register(org)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    case_activities.record(org.coordinator, ref, Activity.HOORGESPREK, "Geheim.", held_on=TODAY)
    case_activities.record(org.coordinator, ref, Activity.NOTITIE, "Teruggebeld.")
    case_activities.mark_letter_sent(org.coordinator, ref, "ontvangstbevestiging", TODAY, "email")
    cases.perform(
        org.manager, ref, Action.UITSPRAAK, outcome="gegrond", motivation="Klopt.", solution="Ja."
    )
    letters.finalise(org.manager, ref, letters.draft(org.manager, ref, "uitspraak"), "post")
    for ctx in (org.coordinator, org.balie):
        detail = case_view.case_detail(ctx, ref)
        for event in detail.events:
            assert dossier.event_details(event) == case_actions.event_details(event), event.kind
