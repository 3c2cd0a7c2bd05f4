"""The main window as each role sees it: home list, tabs, menus, opening a case, memory."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from klachtdesk.ui.cases.case_detail import CaseDetailWindow
from klachtdesk.ui.main_window import TAB_CASES, TAB_TODAY, MainWindow
from tests.conftest import APPEAL_GROUNDS, PASSWORD, TODAY, complaint_data


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
    # every menu is there; what the roles do not allow is disabled (see below)
    assert menu_titles(window) == ["&Bestand", "B&eeld", "&Rapporten", "Be&heer", "&Help"]
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


def test_only_beheer_may_use_the_settings_menu_the_clerk_sees_it_disabled(org, qtbot):
    window = open_window(qtbot, org.beheer)
    assert window.settings_action.isEnabled()
    clerk = open_window(qtbot, org.balie)
    assert not clerk.settings_action.isEnabled() and not clerk.report_action.isEnabled()
    assert clerk.settings_action.toolTip() == "Hiervoor is de rol Beheerder nodig."
    # beheer alone does not register: the action is there, disabled, saying who may
    assert window.new_case_action.isVisible() and not window.new_case_action.isEnabled()


def test_director_sees_only_appeals_and_cannot_register(org, qtbot):
    appealed = register(org.balie)
    register(org.balie)
    cases.perform(org.coordinator, appealed, Action.TRIAGE_KLACHT)
    cases.perform(org.manager, appealed, Action.UITSPRAAK, outcome="ongegrond", motivation="Zo.")
    cases.perform(org.balie, appealed, Action.BEROEP, grounds=APPEAL_GROUNDS)
    window = open_window(qtbot, org.directeur)
    assert not window.new_case_action.isEnabled()
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


def _visible_texts(widget) -> str:
    """Every text a window shows: labels, line edits, tables, trees and list models."""
    from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit

    parts = []
    for child in widget.findChildren(QLabel):
        parts.append(child.text())
    for child in widget.findChildren(QLineEdit):
        parts.append(child.text())
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                parts.append(str(model.index(row, column).data() or ""))
    return "\n".join(parts)


def test_the_idle_lock_clears_case_data_from_the_windows_and_reads_it_again(org, qtbot):
    ref = register(org.balie, subject="Schimmel in de slaapkamer")
    window = open_window(qtbot, org.coordinator)
    window.open_case(ref)
    window.tabs.setCurrentIndex(TAB_CASES)
    assert window.cases.model.rowCount() == 1
    assert "Schimmel in de slaapkamer" in _visible_texts(window)
    assert "Fatima el Amrani" in _visible_texts(window.detail_windows[ref])

    window.lock()
    dialog = window.locker.dialog
    assert dialog.isVisible() and not window.isVisible()
    assert ref not in window.detail_windows  # a case window without changes is closed
    texts = _visible_texts(window)
    assert window.cases.model.rowCount() == 0
    for secret in ("Schimmel in de slaapkamer", "Fatima el Amrani", ref):
        assert secret not in texts
    open_windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, CaseDetailWindow)]
    assert all(not w.isVisible() for w in open_windows)

    qtbot.keyClicks(dialog.password, "correct-paard-batterij")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert window.isVisible() and not window.locker.is_locked
    assert window.cases.model.rowCount() == 1
    assert window.detail_windows[ref].isVisible()  # reopened, read again


def test_a_case_window_with_unsaved_input_keeps_it_through_the_lock(org, qtbot):
    ref = register(org.balie)
    window = open_window(qtbot, org.coordinator)
    window.open_case(ref)
    detail = window.detail_windows[ref]
    detail.form.set_dirty(True)
    window.lock()
    assert window.detail_windows[ref] is detail and not detail.isVisible()
    dialog = window.locker.dialog
    qtbot.keyClicks(dialog.password, "correct-paard-batterij")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert detail.isVisible() and detail.form.dirty
    detail.form.set_dirty(False)  # or closing the window at the end would ask


def _menu(window, title: str) -> list[str]:
    for action in window.menuBar().actions():
        if action.text() == title:
            return [a.text() for a in action.menu().actions() if not a.isSeparator()]
    return []


def _menu_actions(window, title: str) -> list:
    for action in window.menuBar().actions():
        if action.text() == title:
            return [a for a in action.menu().actions() if not a.isSeparator()]
    return []


def test_safety_entries_in_the_menus_by_role(org, qtbot):
    admin = open_window(qtbot, org.beheer)
    assert _menu(admin, "Be&heer") == [
        "&Instellingen…",
        "&Auditlog…",
        "&Privacy (AVG)…",
        "Nieuwe &herstelcode…",
    ]
    assert "&Back-ups…" in _menu(admin, "&Bestand")
    assert "&Wachtwoord wijzigen…" in _menu(admin, "&Bestand")
    admin.open_audit_log()
    logs = [w for w in QApplication.topLevelWidgets() if w.objectName() == "auditLogWindow"]
    assert any(w.isVisible() for w in logs)
    admin.open_privacy()
    privacy = [w for w in QApplication.topLevelWidgets() if w.objectName() == "privacyWindow"]
    assert any(w.isVisible() for w in privacy)
    admin.lock()  # the privacy window lists case data: it closes with the lock
    assert not any(shiboken6.isValid(w) and w.isVisible() for w in privacy)
    clerk = open_window(qtbot, org.balie)
    assert not any(a.isEnabled() for a in _menu_actions(clerk, "Be&heer"))
    assert "&Wachtwoord wijzigen…" in _menu(clerk, "&Bestand")


def test_about_shows_the_version_from_pyproject(org, qtbot, monkeypatch):
    import tomllib
    from pathlib import Path

    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window = open_window(qtbot, org.balie)
    window.about()
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert f"KlachtDesk {version}" in shown[0]


def test_beheer_alone_is_told_why_the_case_list_is_empty(org, qtbot):
    register(org.balie)
    window = open_window(qtbot, org.beheer)
    assert window.cases.model.rowCount() == 0
    notice = window.findChild(QLabel, "noCaseRoleNotice")
    assert notice is not None and "klachten en klagers ziet u daarom niet" in notice.text()
    assert open_window(qtbot, org.coordinator).findChild(QLabel, "noCaseRoleNotice") is None


def test_the_status_bar_of_someone_who_does_everything_is_not_cut_off(org, qtbot):
    """'Ik doe alles' gives four roles; on a 1280-pixel window the status bar still shows who
    is logged in and the back-up state (the roles are in the tooltip, a long path gives way)."""
    from klachtdesk.services.admin import setup

    setup.add_user(org.beheer, "alles", "Jan Visser", "beheer,coordinator,balie,manager", PASSWORD)
    ctx = setup.unlock(org.path, "alles", PASSWORD)
    try:
        window = open_window(qtbot, ctx)
        window.resize(1280, 700)
        qtbot.waitUntil(lambda: window.user_label.width() > 0)
        label = window.user_label
        assert label.text() == "Aangemeld: Jan Visser (4 rollen)"
        assert label.width() >= label.sizeHint().width()
        assert "Klachtencoördinator" in label.toolTip() and "Manager" in label.toolTip()
        backup = window.backup_label
        assert backup.isVisible() and backup.width() >= backup.sizeHint().width()
    finally:
        ctx.db.dispose()


def test_a_hand_written_role_shows_the_beheerder_a_red_banner_and_the_clerk_works_on(org, qtbot):
    from klachtdesk.storage.engine import _raw_connect

    conn = _raw_connect(org.path, org.balie.db.key)
    conn.execute("UPDATE users SET roles = 'balie,beheer' WHERE username = 'balie'")
    conn.commit()
    conn.close()

    beheer = open_window(qtbot, org.login("beheer"))
    assert beheer.integrity_banner.isVisibleTo(beheer)
    text = beheer.integrity_banner.text()
    assert "buiten KlachtDesk om gewijzigd" in text and "'balie'" in text

    balie = open_window(qtbot, org.login("balie"))
    assert not balie.integrity_banner.isVisibleTo(balie)
    assert balie.new_case_action.isEnabled()
    assert not balie.settings_action.isEnabled()  # the hand-written beheer gives nothing


def test_the_calendar_reads_its_deadlines_when_its_tab_is_first_opened(org, qtbot):
    """Opening the main window does not wait for the calendar (issue 14); the deadlines are
    there as soon as the user opens the Kalender tab."""
    from klachtdesk.ui.main_window import TAB_CALENDAR

    register(org.balie)
    window = open_window(qtbot, org.coordinator)
    tree = window.calendar.agenda_tree
    assert tree.topLevelItemCount() == 0  # not read yet: the tab was never shown
    window.tabs.setCurrentIndex(TAB_CALENDAR)
    window.calendar.tabs.setCurrentIndex(2)
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups and all("(" in g for g in groups)


def test_vandaag_fills_right_after_the_window_is_on_screen(org, qtbot):
    """The main window paints first (the case list is usable at once); Vandaag fills in the
    very next turn of the event loop (issue 14)."""
    register(org.balie)
    window = MainWindow(org.coordinator)
    qtbot.addWidget(window)
    assert window.today.overview is None  # not read while the window was being built
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.today.overview is not None, timeout=5000)
    assert window.cases.model.rowCount() == 1
    # filling it opened no window of its own (a section shown before it had a parent did,
    # for a moment, and took the activation away from the main window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
