"""The main window: the case list as home, with today's overview and the calendar a click away."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from klachtdesk import __version__
from klachtdesk.domain.roles import ROLE_LABELS, Role
from klachtdesk.domain.states import REGISTER_ROLES
from klachtdesk.paths import resource_path
from klachtdesk.services import report
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.context import Context, settle_deferred
from klachtdesk.services.safety import backup
from klachtdesk.ui import tasks
from klachtdesk.ui.calendar.calendar_view import CalendarPanel
from klachtdesk.ui.cases.case_list import CaseListPanel
from klachtdesk.ui.common import call_service, confirm, fit_to_screen, preferences, show_error
from klachtdesk.ui.help_window import HelpLauncher
from klachtdesk.ui.safety.backup_window import BackupDialog, status_style
from klachtdesk.ui.start.lock import Locker
from klachtdesk.ui.today import TodayPanel

if TYPE_CHECKING:  # the windows behind menus load when first opened (a quicker start-up)
    from klachtdesk.ui.cases.case_detail import CaseDetailWindow
    from klachtdesk.ui.report_window import ReportWindow

TAB_CASES, TAB_TODAY, TAB_CALENDAR = range(3)
BACKUP_CHECK_MS = 60 * 60 * 1000  # look once an hour whether today's back-up is due
BACKUP_HINT = "Klik om de back-ups te bekijken of nu een back-up te maken."


def integrity_banner(problems: list[str]) -> QLabel:
    """Red, for the beheerder only: what was changed behind KlachtDesk's back. It informs;
    nobody is stopped from working."""
    banner = QLabel()
    banner.setObjectName("integrityBanner")
    banner.setWordWrap(True)
    banner.setStyleSheet("background: #b02a37; color: white; padding: 8px; font-weight: bold;")
    shown = problems[:3]
    more = len(problems) - len(shown)
    banner.setText(
        "Let op, het auditlog of de gebruikers zijn buiten KlachtDesk om gewijzigd:\n• "
        + "\n• ".join(shown)
        + (f"\n(en nog {more}; zie Beheer → Auditlog)" if more else "")
        + "\nWat u nu doet, staat in de handleiding (F1), bij 'Auditlog'. Collega's kunnen "
        "gewoon doorwerken."
    )
    banner.setToolTip("\n".join(problems))
    banner.setVisible(bool(problems))
    return banner


class MainWindow(QMainWindow):
    """``backups``: make the automatic back-ups (daily and on exit); the application sets it,
    tests that are not about back-ups leave it off. ``restart`` is set when the user restored
    a back-up over the open database: the application then asks for a login again."""

    def __init__(self, ctx: Context, parent=None, backups: bool = False):
        super().__init__(parent)
        self.ctx = ctx
        self.backups = backups and not ctx.db.read_only  # a back-up records itself: a write
        self.restart = False
        self._backup_task: tasks.Task | None = None
        self.setObjectName("mainWindow")
        values = call_service(self, settings_service.get_settings, ctx) or {}
        self.org_name = values.get("org.name", "")
        self.setWindowTitle(f"KlachtDesk — {self.org_name}" if self.org_name else "KlachtDesk")
        self.setWindowIcon(QIcon(str(resource_path("icons", "klachtdesk.svg"))))
        self.detail_windows: dict[str, CaseDetailWindow] = {}
        self.report_window: ReportWindow | None = None

        self.cases = CaseListPanel(ctx, self)
        self.today = TodayPanel(ctx, self, deferred=True)
        self.calendar = CalendarPanel(ctx, self, lazy=True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.cases, "&Zaken")
        self.tabs.addTab(self.today, "&Vandaag")
        self.tabs.addTab(self.calendar, "&Kalender")
        self.read_only_banner = QLabel()
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet(
            "background: #f8d7da; color: #842029; padding: 8px; font-weight: bold;"
        )
        if ctx.db.read_only:
            self.read_only_banner.setText(
                f"Alleen lezen: {ctx.db.read_only}. U kunt zaken bekijken, maar niets wijzigen "
                "of toevoegen. Los het op (ruimte vrijmaken, schrijfrechten op de map) en start "
                "KlachtDesk opnieuw."
            )
        self.read_only_banner.setVisible(bool(ctx.db.read_only))
        self.integrity_banner = integrity_banner(ctx.integrity)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.read_only_banner)
        column.addWidget(self.integrity_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        for panel in (self.cases, self.today, self.calendar):
            panel.open_case.connect(self.open_case)
        self.today.changed.connect(self._case_changed)  # a letter made from "Vandaag"
        self.today.open_report.connect(self.open_report)  # an evaluation to hold

        self._build_actions()
        self._build_status_bar()
        self.locker = Locker(ctx, values.get("security.idle_lock_minutes", 10), self)
        self.locker.locked.connect(self._forget)
        self.locker.unlocked.connect(self._read_again)
        self._reopen: list[str] = []
        self._side_windows: list = []  # audit log and privacy windows: closed for a restore
        self.show_backup_status()
        if self.backups:
            self._backup_timer = QTimer(self)
            self._backup_timer.setInterval(BACKUP_CHECK_MS)
            self._backup_timer.timeout.connect(self.daily_backup)
            self._backup_timer.start()
            QTimer.singleShot(2000, self.daily_backup)
        self._restore_geometry()
        # At start the user first sees what is overdue and due this week (SPEC §4). The panel
        # has just been filled, so the tab signal is connected only afterwards.
        self.tabs.setCurrentIndex(TAB_TODAY)
        self.tabs.currentChanged.connect(self._tab_changed)

    # -- building -------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _allow(self, action: QAction, roles: frozenset[Role]) -> None:
        """Enabled for these roles; otherwise visible but disabled, saying who may use it."""
        allowed = bool(self.ctx.actor.roles & roles)
        action.setEnabled(allowed)
        if not allowed:
            needed = " of ".join(ROLE_LABELS[r] for r in Role if r in roles)
            why = f"Hiervoor is de rol {needed} nodig."
            action.setToolTip(why)
            action.setStatusTip(why)

    def _build_actions(self) -> None:
        self.new_case_action = self._action(
            "&Nieuwe klacht…", self.new_complaint, QKeySequence.StandardKey.New, "newComplaint"
        )
        self._allow(self.new_case_action, REGISTER_ROLES)
        if self.ctx.db.read_only:  # nothing can be registered: say why, as for a missing role
            self.new_case_action.setEnabled(False)
            self.new_case_action.setToolTip(f"Alleen lezen: {self.ctx.db.read_only}.")
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
        self.backup_action = self._action("&Back-ups…", self.open_backups, None, "openBackups")
        self.password_action = self._action(
            "&Wachtwoord wijzigen…", self.change_password, None, "changePassword"
        )
        self.audit_action = self._action("&Auditlog…", self.open_audit_log, None, "openAuditLog")
        self.privacy_action = self._action(
            "&Privacy (AVG)…", self.open_privacy, None, "openPrivacy"
        )
        self.recovery_action = self._action(
            "Nieuwe &herstelcode…", self.new_recovery_code, None, "newRecoveryCode"
        )
        self.report_action = self._action(
            "&Evaluatierapport…", self.open_report, None, "openReport"
        )

        menu = self.menuBar()
        file_menu = menu.addMenu("&Bestand")
        file_menu.setToolTipsVisible(True)
        file_menu.addActions([self.new_case_action, self.lock_action])
        file_menu.addSeparator()
        file_menu.addActions([self.backup_action, self.password_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        view_menu = menu.addMenu("B&eeld")
        view_menu.addActions([show_cases, show_today, show_calendar, find, refresh])
        # What the roles do not allow stays in sight, disabled, saying which role it needs.
        self._allow(self.report_action, frozenset(report.VIEW_ROLES))
        reports_menu = menu.addMenu("&Rapporten")
        reports_menu.setToolTipsVisible(True)
        reports_menu.addAction(self.report_action)
        admin_menu = menu.addMenu("Be&heer")
        admin_menu.setToolTipsVisible(True)
        admin_menu.addAction(self.settings_action)
        admin_menu.addSeparator()
        admin_menu.addActions([self.audit_action, self.privacy_action, self.recovery_action])
        for action in (
            self.settings_action,
            self.audit_action,
            self.privacy_action,
            self.recovery_action,
        ):
            self._allow(action, frozenset({Role.BEHEER}))
        self.recovery_action.setVisible(not self.ctx.db.is_server)  # no recovery code there
        help_menu = menu.addMenu("&Help")
        self.help = HelpLauncher(self)  # Handleiding (F1, in every window) and Sneltoetsen
        help_menu.addActions([self.help.manual_action, self.help.shortcuts_action])
        help_menu.addSeparator()
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
        names = [ROLE_LABELS[r] for r in Role if r in actor.roles]
        # "Ik doe alles" gives four roles: name them in the tooltip, not in the status bar
        roles = ", ".join(names) if len(names) <= 2 else f"{len(names)} rollen"
        self.user_label = QLabel(f"Aangemeld: {actor.display_name} ({roles})")
        self.user_label.setObjectName("statusUser")
        self.user_label.setToolTip("Uw rollen: " + ", ".join(names) + ".")
        self.db_label = QLabel(f"Database: {self.ctx.db.path}")
        self.db_label.setObjectName("statusDatabase")
        self.db_label.setToolTip(str(self.ctx.db.path))
        # a long path gives way (it is in the tooltip); the user and back-up state stay
        self.db_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addWidget(self.db_label, 1)
        self.backup_label = QLabel()
        self.backup_label.setObjectName("statusBackup")
        self.backup_label.setToolTip(BACKUP_HINT)
        self.backup_label.linkActivated.connect(lambda _link: self.open_backups())
        self.statusBar().addPermanentWidget(self.backup_label)
        lock_hint = QLabel("Vergrendelen: Ctrl+L")
        lock_hint.setObjectName("statusLock")
        self.statusBar().addPermanentWidget(lock_hint)

    # -- behaviour ------------------------------------------------------------------------
    def open_case(self, ref: str) -> None:
        window = self.detail_windows.get(ref)
        if window is None or not window.isVisible():
            from klachtdesk.ui.cases.case_detail import CaseDetailWindow

            window = CaseDetailWindow(self.ctx, ref)
            if window.detail is None:  # not found or not allowed: the window said why
                window.deleteLater()
                return
            window.changed.connect(self._case_changed)
            # A closed case window is deleted: a day of opening cases must not pile them up.
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.destroyed.connect(lambda *_args, r=ref, w=window: self._case_window_gone(r, w))
            self.detail_windows[ref] = window
        window.show()
        window.raise_()
        window.activateWindow()

    def _case_window_gone(self, ref: str, window: CaseDetailWindow) -> None:
        if self.detail_windows.get(ref) is window:
            del self.detail_windows[ref]

    def _case_changed(self, ref: str) -> None:
        window = self.detail_windows.get(ref)
        if window is not None and window.isVisible() and self.sender() is not window:
            window.reload()
        self.refresh()

    def new_complaint(self) -> None:
        from klachtdesk.ui.intake.intake_wizard import IntakeWizard

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
        from klachtdesk.ui.admin.settings_dialog import SettingsDialog

        SettingsDialog(self.ctx, self).exec()
        values = call_service(self, settings_service.get_settings, self.ctx) or {}
        self.locker.watcher.set_minutes(values.get("security.idle_lock_minutes", 10))
        self.refresh()

    def open_report(self) -> None:
        if self.report_window is None:
            from klachtdesk.ui.report_window import ReportWindow

            self.report_window = ReportWindow(self.ctx, self)
            self.report_window.evaluation_recorded.connect(self.today.refresh)
        self.report_window.show()
        self.report_window.raise_()

    def lock(self) -> None:
        self.locker.lock()

    def change_password(self) -> None:
        from klachtdesk.ui.admin.password_dialogs import ChangePasswordDialog

        if ChangePasswordDialog(self.ctx, self).exec():
            self.statusBar().showMessage("Uw wachtwoord is gewijzigd.", 10_000)

    def new_recovery_code(self) -> None:
        from klachtdesk.ui.admin.password_dialogs import NewRecoveryCodeDialog

        NewRecoveryCodeDialog(self.ctx, self).exec()

    def open_audit_log(self) -> None:
        from klachtdesk.ui.safety.audit_log_window import AuditLogWindow

        window = AuditLogWindow(self.ctx, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not window.allowed:
            window.deleteLater()
            return
        self.locker.locked.connect(window.close)  # it reads the log again when reopened
        self._side_windows.append(window)
        window.show()

    def open_privacy(self) -> None:
        """Bewaartermijn and inzageverzoek (beheer); anonymised cases refresh the lists."""
        from klachtdesk.ui.safety.privacy_window import PrivacyWindow

        window = PrivacyWindow(self.ctx, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.anonymised.connect(lambda _refs: self.refresh())
        self.locker.locked.connect(window.forget)  # even if anonymising keeps it open
        self.locker.locked.connect(window.close)  # its lists hold case data
        self._side_windows.append(window)
        window.show()

    # -- back-ups -------------------------------------------------------------------------
    def show_backup_status(self) -> None:
        status = call_service(self, backup.backup_status, self.ctx)
        if status is None:
            return
        text = status.message if not status.warn else f"⚠ {status.message}"
        if status.clock_warning:
            text += " — controleer de klok"
        self.backup_label.setText(f'<a href="backups" style="{status_style(status)}">{text}</a>')
        tip = f"{status.clock_warning}\n\n{BACKUP_HINT}" if status.clock_warning else BACKUP_HINT
        self.backup_label.setToolTip(tip)

    def daily_backup(self) -> None:
        """The automatic daily back-up, off the UI thread; a failure shows in the status bar."""
        if self._backup_task is not None or self.locker.is_locked:
            return
        self._backup_task = tasks.start(
            backup.automatic_backup,
            self.ctx,
            "dagelijks",
            done=self._backup_made,
            failed=self._backup_failed,
        )

    def _backup_made(self, info) -> None:
        self._backup_task = None
        if info is not None:
            from klachtdesk.ui.safety.restore_dialog import remember_folder

            remember_folder(info.path.parent)
        self.show_backup_status()

    def _backup_failed(self, error: BaseException) -> None:
        self._backup_task = None
        self.show_backup_status()
        self.backup_label.setText(
            '<a href="backups" style="color: #842029; font-weight: bold;">'
            "⚠ De automatische back-up is niet gelukt</a>"
        )
        self.backup_label.setToolTip(str(error))

    def open_backups(self) -> None:
        dialog = BackupDialog(self.ctx, self)
        dialog.made.connect(self.show_backup_status)
        dialog.restore_requested.connect(self.restore_backup)
        dialog.exec()
        dialog.deleteLater()

    def restore_backup(self) -> None:
        """Put a back-up over the open database: close it, restore, then log in again."""
        unsaved = [ref for ref, w in self.detail_windows.items() if w.isVisible() and w.form.dirty]
        if unsaved:
            QMessageBox.information(
                self,
                "Back-up terugzetten",
                f"In het venster van zaak {', '.join(unsaved)} staan wijzigingen die nog niet "
                "zijn opgeslagen. Sla ze eerst op of sluit het venster; zet daarna de back-up "
                "terug.",
            )
            return
        if not confirm(
            self,
            "Back-up terugzetten",
            "Als u een back-up terugzet, gaat alles verloren wat na die back-up is ingevoerd; "
            "de huidige database wordt wel opzij gezet en niet verwijderd. Sluit KlachtDesk "
            "eerst op de andere computers die deze database gebruiken. Daarna meldt u zich "
            "opnieuw aan. Doorgaan?",
            "Doorgaan",
        ):
            return
        from klachtdesk.ui.safety.restore_dialog import RestoreDialog, restored_text

        folder = backup.backup_folder(self.ctx)  # read while the database is still open
        self._close_database_users()
        dialog = RestoreDialog(self.ctx.db.path, folder, self.ctx.actor.username, self)
        dialog.overwrite.setChecked(True)
        if not dialog.exec() or dialog.restored is None:
            self._reopen_database_users()
            return
        QMessageBox.information(self, "Back-up teruggezet", restored_text(dialog.restored))
        self.restart = True
        self.backups = False  # no exit back-up of a database that was just replaced
        self.close()

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
            fit_to_screen(self, 1280, 760)
        state = prefs.value("main/state")
        if state is not None:
            self.restoreState(state)

    def _close_database_users(self) -> None:
        """Before a restore replaces the file: nothing of ours may hold it open or touch it."""
        if self.backups:
            self._backup_timer.stop()
        self.locker.watcher.pause()
        QThreadPool.globalInstance().waitForDone(120_000)  # a back-up or report still running
        QApplication.processEvents()  # deliver their results before the windows close
        for window in self._side_windows:
            if shiboken6.isValid(window):
                window.close()
        self._side_windows = []
        self._forget()
        self.ctx.db.dispose()

    def _reopen_database_users(self) -> None:
        if self.backups:
            self._backup_timer.start()
        self.locker.watcher.resume()
        self._read_again()

    def _exit_backup(self) -> None:
        """On exit: always a back-up (SPEC §7); a failure is said, the data itself is safe."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.statusBar().showMessage("Back-up maken…")
        try:
            backup.automatic_backup(self.ctx, "afsluiten")
        except Exception as error:  # noqa: BLE001 - shown, then KlachtDesk closes anyway
            QApplication.restoreOverrideCursor()
            show_error(
                self,
                error,
                "Back-up bij afsluiten niet gelukt (uw gegevens zijn wel opgeslagen)",
            )
            return
        QApplication.restoreOverrideCursor()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        for window in list(self.detail_windows.values()):
            if window.isVisible() and not window.close():
                event.ignore()  # the user chose to keep unsaved changes in a case window
                return
        prefs = preferences()
        prefs.setValue("main/geometry", self.saveGeometry())
        prefs.setValue("main/state", self.saveState())
        self.cases.save_layout()
        if self.backups:
            if self._backup_task is not None:
                QThreadPool.globalInstance().waitForDone(120_000)
            self._exit_backup()
        # the login's audit entry, if it waited for another PC's write and nothing wrote it yet
        call_service(self, settle_deferred, self.ctx)
        super().closeEvent(event)
