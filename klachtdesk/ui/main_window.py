"""The main window: the case list as home, with today's overview and the calendar a click away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QToolBar

from klachtdesk import __version__
from klachtdesk.domain.roles import ROLE_LABELS, Role
from klachtdesk.paths import resource_path
from klachtdesk.services import report
from klachtdesk.services import settings as settings_service
from klachtdesk.services.context import Context
from klachtdesk.ui.calendar_view import CalendarPanel
from klachtdesk.ui.case_detail import CaseDetailWindow
from klachtdesk.ui.case_list import CaseListPanel
from klachtdesk.ui.common import call_service, preferences
from klachtdesk.ui.intake_wizard import IntakeWizard
from klachtdesk.ui.lock import Locker
from klachtdesk.ui.report_window import ReportWindow
from klachtdesk.ui.settings_dialog import SettingsDialog
from klachtdesk.ui.today import TodayPanel

TAB_CASES, TAB_TODAY, TAB_CALENDAR = range(3)


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mainWindow")
        values = call_service(self, settings_service.get_settings, ctx) or {}
        self.org_name = values.get("org.name", "")
        self.setWindowTitle(f"KlachtDesk — {self.org_name}" if self.org_name else "KlachtDesk")
        self.setWindowIcon(QIcon(str(resource_path("icons", "klachtdesk.svg"))))
        self.detail_windows: dict[str, CaseDetailWindow] = {}
        self.report_window: ReportWindow | None = None

        self.cases = CaseListPanel(ctx, self)
        self.today = TodayPanel(ctx, self)
        self.calendar = CalendarPanel(ctx, self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.cases, "&Zaken")
        self.tabs.addTab(self.today, "&Vandaag")
        self.tabs.addTab(self.calendar, "&Kalender")
        self.setCentralWidget(self.tabs)
        for panel in (self.cases, self.today, self.calendar):
            panel.open_case.connect(self.open_case)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.today.changed.connect(self._case_changed)  # a letter made from "Vandaag"

        self._build_actions()
        self._build_status_bar()
        self.locker = Locker(ctx, values.get("security.idle_lock_minutes", 10), self)
        self.locker.locked.connect(self._forget)
        self.locker.unlocked.connect(self._read_again)
        self._reopen: list[str] = []
        self._restore_geometry()
        # At start the user first sees what is overdue and due this week (SPEC §4).
        self.tabs.setCurrentIndex(TAB_TODAY)

    # -- building -------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        may_register = bool(self.ctx.actor.roles & {Role.BALIE, Role.COORDINATOR})
        self.new_case_action = self._action(
            "&Nieuwe klacht…", self.new_complaint, QKeySequence.StandardKey.New, "newComplaint"
        )
        self.new_case_action.setEnabled(may_register)
        self.new_case_action.setVisible(may_register)  # not offered to who may not use it
        self.lock_action = self._action("&Vergrendelen", self.lock, "Ctrl+L", "lockAction")
        quit_action = self._action("&Afsluiten", self.close, QKeySequence.StandardKey.Quit, "quit")
        show_cases = self._action(
            "&Zaken", lambda: self.tabs.setCurrentIndex(TAB_CASES), "Ctrl+1", "showCases"
        )
        show_today = self._action(
            "&Vandaag", lambda: self.tabs.setCurrentIndex(TAB_TODAY), "Ctrl+2", "showToday"
        )
        show_calendar = self._action(
            "&Kalender", lambda: self.tabs.setCurrentIndex(TAB_CALENDAR), "Ctrl+3", "showCalendar"
        )
        refresh = self._action(
            "&Vernieuwen", self.refresh, QKeySequence.StandardKey.Refresh, "refresh"
        )
        find = self._action("&Zoeken", self.focus_search, QKeySequence.StandardKey.Find, "find")
        self.settings_action = self._action(
            "&Instellingen…", self.open_settings, None, "openSettings"
        )
        about = self._action("&Over KlachtDesk", self.about, None, "about")
        self.report_action = self._action(
            "&Evaluatierapport…", self.open_report, None, "openReport"
        )

        menu = self.menuBar()
        file_menu = menu.addMenu("&Bestand")
        file_menu.addActions([self.new_case_action, self.lock_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        view_menu = menu.addMenu("B&eeld")
        view_menu.addActions([show_cases, show_today, show_calendar, find, refresh])
        if report.may_view(self.ctx):
            menu.addMenu("&Rapporten").addAction(self.report_action)
        if Role.BEHEER in self.ctx.actor.roles:
            admin_menu = menu.addMenu("Be&heer")
            admin_menu.addAction(self.settings_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(about)

        toolbar = QToolBar("Werkbalk")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.new_case_action)
        toolbar.addSeparator()
        toolbar.addActions([show_cases, show_today, show_calendar])
        toolbar.addSeparator()
        toolbar.addAction(self.lock_action)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        actor = self.ctx.actor
        roles = ", ".join(ROLE_LABELS[r] for r in Role if r in actor.roles)
        self.user_label = QLabel(f"Aangemeld: {actor.display_name} ({roles})")
        self.user_label.setObjectName("statusUser")
        self.db_label = QLabel(f"Database: {self.ctx.db.path}")
        self.db_label.setObjectName("statusDatabase")
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addWidget(self.db_label, 1)
        lock_hint = QLabel("Vergrendelen: Ctrl+L")
        lock_hint.setObjectName("statusLock")
        self.statusBar().addPermanentWidget(lock_hint)

    # -- behaviour ------------------------------------------------------------------------
    def open_case(self, ref: str) -> None:
        window = self.detail_windows.get(ref)
        if window is None or not window.isVisible():
            window = CaseDetailWindow(self.ctx, ref)
            if window.detail is None:  # not found or not allowed: the window said why
                window.deleteLater()
                return
            window.changed.connect(self._case_changed)
            self.detail_windows[ref] = window
        window.show()
        window.raise_()
        window.activateWindow()

    def _case_changed(self, ref: str) -> None:
        window = self.detail_windows.get(ref)
        if window is not None and window.isVisible() and self.sender() is not window:
            window.reload()
        self.refresh()

    def new_complaint(self) -> None:
        wizard = IntakeWizard(self.ctx, self)
        wizard.registered.connect(self._registered)
        wizard.open()

    def _registered(self, ref: str) -> None:
        self.refresh()
        self.tabs.setCurrentIndex(TAB_CASES)
        self.cases.select_ref(ref)

    def refresh(self) -> None:
        self.cases.refresh()
        self.today.refresh()
        self.calendar.refresh()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(TAB_CASES)
        self.cases.search.setFocus()
        self.cases.search.selectAll()

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget in (self.today, self.calendar):
            widget.refresh()

    def open_settings(self) -> None:
        SettingsDialog(self.ctx, self).exec()
        values = call_service(self, settings_service.get_settings, self.ctx) or {}
        self.locker.watcher.set_minutes(values.get("security.idle_lock_minutes", 10))
        self.refresh()

    def open_report(self) -> None:
        if self.report_window is None:
            self.report_window = ReportWindow(self.ctx, self)
        self.report_window.show()
        self.report_window.raise_()

    def lock(self) -> None:
        self.locker.lock()

    def _forget(self) -> None:
        """Locked: drop the data read from the database from every window (SPEC §7)."""
        for panel in (self.cases, self.today, self.calendar):
            panel.forget()
        self._reopen = []
        for ref, window in list(self.detail_windows.items()):
            if window.isVisible() and not window.form.dirty:
                self._reopen.append(ref)
                window.close()
                window.deleteLater()
                del self.detail_windows[ref]

    def _read_again(self) -> None:
        self.refresh()
        for ref in self._reopen:
            self.open_case(ref)
        self._reopen = []

    def about(self) -> None:
        QMessageBox.about(
            self,
            "Over KlachtDesk",
            f"<h3>KlachtDesk {__version__}</h3><p>Klachtenregistratie voor verenigingen en "
            "woningcorporaties.</p><p>Alle gegevens staan versleuteld in één databasebestand:"
            f"<br>{self.ctx.db.path}</p>",
        )

    # -- remembered layout ----------------------------------------------------------------
    def _restore_geometry(self) -> None:
        prefs = preferences()
        geometry = prefs.value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 760)
        state = prefs.value("main/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        prefs = preferences()
        prefs.setValue("main/geometry", self.saveGeometry())
        prefs.setValue("main/state", self.saveState())
        self.cases.save_layout()
        for window in list(self.detail_windows.values()):
            window.close()
        super().closeEvent(event)
