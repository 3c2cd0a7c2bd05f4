"""The main window as each role sees it: home list, tabs, menus, opening a case, memory."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import cases
from klachtdesk.ui.case_detail import CaseDetailWindow
from klachtdesk.ui.main_window import TAB_CASES, TAB_TODAY, MainWindow
from tests.conftest import TODAY, complaint_data


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def menu_titles(window) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def open_window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_coordinator_starts_on_today_and_opens_a_case_from_the_list(org, qtbot):
    ref = register(org.balie)
    window = open_window(qtbot, org.coordinator)
    assert window.tabs.currentIndex() == TAB_TODAY
    assert window.windowTitle() == "KlachtDesk — Woonstichting De Linde"
    assert "Carla Coördinator (Klachtencoördinator)" in window.user_label.text()
    assert menu_titles(window) == ["&Bestand", "B&eeld", "&Rapporten", "&Help"]
    window.open_report()
    assert window.report_window.isVisible()
    window.report_window.close()
    assert window.new_case_action.isEnabled()
    window.focus_search()  # Ctrl+F: to the list, into the search box
    assert window.tabs.currentIndex() == TAB_CASES
    panel = window.cases
    qtbot.keyClicks(panel.search, ref)
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    detail = window.detail_windows[ref]
    assert isinstance(detail, CaseDetailWindow) and detail.isVisible()
    assert detail.detail.ref == ref


def test_a_change_in_a_case_window_refreshes_the_list(org, qtbot):
    ref = register(org.balie)
    window = open_window(qtbot, org.coordinator)
    window.open_case(ref)
    status_column = 5
    assert window.cases.model.index(0, status_column).data() == "Ontvangen"
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    window.detail_windows[ref].changed.emit(ref)
    assert window.cases.model.index(0, status_column).data() == "In behandeling"


def test_only_beheer_gets_the_settings_menu(org, qtbot):
    window = open_window(qtbot, org.beheer)
    assert "Be&heer" in menu_titles(window)
    clerk = open_window(qtbot, org.balie)
    assert "&Rapporten" not in menu_titles(clerk) and "Be&heer" not in menu_titles(clerk)
    assert not window.new_case_action.isVisible()  # beheer alone does not register


def test_director_sees_only_appeals_and_cannot_register(org, qtbot):
    appealed = register(org.balie)
    register(org.balie)
    cases.perform(org.coordinator, appealed, Action.TRIAGE_KLACHT)
    cases.perform(org.manager, appealed, Action.UITSPRAAK, outcome="ongegrond", motivation="Zo.")
    cases.perform(org.balie, appealed, Action.BEROEP)
    window = open_window(qtbot, org.directeur)
    assert not window.new_case_action.isVisible()
    model = window.cases.model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [appealed]


def test_window_size_is_remembered(org, qtbot):
    window = open_window(qtbot, org.coordinator)
    # The offscreen test screen is 800×800 and the window's minimum width is larger, so the
    # height is what can differ here.
    window.resize(window.width(), 612)
    window.close()
    again = open_window(qtbot, org.coordinator)
    assert again.height() == 612


def test_locking_hides_the_main_window(org, qtbot):
    window = open_window(qtbot, org.coordinator)
    window.lock()
    assert not window.isVisible() and window.locker.is_locked
    window.locker.dialog.password.setText("correct-paard-batterij")
    window.locker.dialog.try_unlock()
    assert window.isVisible()
    QApplication.processEvents()
