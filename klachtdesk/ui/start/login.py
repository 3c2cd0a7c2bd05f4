"""Logging in: database file, user name and password, with a growing wait after mistakes.

"Wachtwoord vergeten?" explains what to do and lets a beheerder use the recovery code.
"""

from __future__ import annotations

import importlib
import threading
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.paths import default_database
from klachtdesk.storage.address import database_address, is_server_address
from klachtdesk.storage.errors import TooManyAttempts
from klachtdesk.ui.common import preferences, show_error, wait_of

if TYPE_CHECKING:
    from klachtdesk.services.context import Context
    from klachtdesk.storage.engine import Database
    from klachtdesk.ui.admin.password_dialogs import RecoveryDialog
    from klachtdesk.ui.safety.restore_dialog import RestoreDialog

# What logging in needs (SQLAlchemy, Alembic, SQLCipher, cryptography, the password check):
# imported on a thread while the user types, so that the login window is on screen as soon
# as a bare Qt window would be. Qt windows are not imported there (only the GUI thread makes
# Qt types); the main window is imported after "Aanmelden".
PRELOADED = (
    "klachtdesk.services.admin.setup",
    "klachtdesk.services.safety.restore",
    "babel.dates",
    # what the main window's lists and status bar call first (no Qt in any of these)
    "klachtdesk.services.cases.case_view",
    "klachtdesk.services.cases.agenda",
    "klachtdesk.services.letters.letters",
    "klachtdesk.services.safety.backup",
)

# The main window's own modules (Qt widgets: imported on the GUI thread, one per turn of the
# event loop once the services above are in, so typing in the login window stays smooth;
# ``warm_type_lookup`` is the last step).
UI_PRELOADED = (
    "klachtdesk.ui.common",
    "klachtdesk.ui.tasks",
    "klachtdesk.ui.start.lock",
    "klachtdesk.ui.cases.case_list",
    "klachtdesk.ui.calendar.calendar_month",
    "klachtdesk.ui.letters.letter_dialog",
    "klachtdesk.ui.today",
    "klachtdesk.ui.calendar.calendar_view",
    "klachtdesk.ui.help_window",
    "klachtdesk.ui.safety.backup_window",
    "klachtdesk.ui.main_window",
)


def warm_type_lookup() -> None:
    """Let PySide meet an object Qt made itself (a rich-text label's text control) once.

    The first time PySide has to find the Python class of such an object, it sets up the
    classes of Qt's object types with some 150 enum types: about 12 ms that the main
    window's first screen would otherwise pay (a table's viewport, the status bar's link).
    Here it happens while the user types."""
    QLabel('<a href="#">.</a>').children()


class Preload(threading.Thread):
    """Imports the services in the background and rehearses the first screen's reads
    (services/admin/rehearsal.py); ``join`` before relying on it (an import that fails
    there fails again, with its message, where it is used)."""

    def __init__(self):
        super().__init__(target=self.work, name="klachtdesk-vooraf-laden", daemon=True)
        self.rehearsed: Database | None = None  # set once the rehearsal is done

    def work(self) -> None:
        for name in PRELOADED:
            importlib.import_module(name)
        # the holiday table every deadline of the first screen needs (about 0.2 s to build)
        calendar = importlib.import_module("klachtdesk.domain.calendar")
        calendar.DeadlineCalendar()
        # SQLAlchemy sets up the table classes on the first query: do it now (about 30 ms)
        importlib.import_module("sqlalchemy.orm").configure_mappers()
        # First uses that take time once per process: Babel's Dutch calendar data (the dates
        # on Vandaag, about 10 ms) and cryptography's X25519 code (a key slot, about 6 ms)
        calendar.long_date(date.today())
        x25519 = importlib.import_module("cryptography.hazmat.primitives.asymmetric.x25519")
        x25519.X25519PrivateKey.generate()
        self.rehearsed = importlib.import_module("klachtdesk.services.admin.rehearsal").rehearse()

    def take_rehearsed(self) -> Database | None:
        """The rehearsed database, once (a second login attempt gets it again only when the
        first did not keep it: see ``LoginDialog.try_login``)."""
        rehearsed, self.rehearsed = self.rehearsed, None
        return rehearsed


def preload(start: bool = True) -> Preload:
    """Start importing the services (and the rehearsal) in the background."""
    thread = Preload()
    if start:
        thread.start()
    return thread


ERROR_STYLE = "color: #842029;"
GOOD_STYLE = "color: #0f5132;"


class LoginDialog(QDialog):
    """Asks for the database, user name and password; ``context`` holds the result."""

    def __init__(self, database: Path | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("KlachtDesk — aanmelden")
        self.context: Context | None = None
        # Started once the window is on screen: it would compete with drawing it.
        self.preloading = preload(start=False)
        self.recovery_dialog: RecoveryDialog | None = None
        prefs = preferences()

        self.database = QComboBox()
        self.database.setObjectName("databaseChoice")
        self.database.setEditable(True)
        self.database.setMinimumWidth(380)
        recent = [str(database)] if database else []
        recent += [p for p in (prefs.value("login/recent") or []) if p not in recent]
        if not recent:
            recent = [str(default_database())]
        self.database.addItems(recent)
        browse = QPushButton("&Bladeren…")
        browse.setObjectName("browseDatabase")
        browse.clicked.connect(self._browse)
        browse.setAutoDefault(False)
        self.username = QLineEdit(prefs.value("login/user", "") or "")
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        forgot = QPushButton("Wachtwoord &vergeten?")
        forgot.setObjectName("forgotPassword")
        forgot.setFlat(True)
        forgot.setAutoDefault(False)  # Enter in the password field logs in
        forgot.clicked.connect(self.open_recovery)
        self.restore_button = QPushButton("Back-up &terugzetten…")
        self.restore_button.setObjectName("offerRestore")
        self.restore_button.setAutoDefault(False)
        self.restore_button.clicked.connect(self.open_restore)
        self.restore_button.setVisible(False)  # offered when the database will not open
        self.restore_dialog: RestoreDialog | None = None
        self._replace_offered = False

        row = QHBoxLayout()
        row.addWidget(self.database, 1)
        row.addWidget(browse)
        form = QFormLayout()
        database_label = QLabel("&Database:")
        database_label.setBuddy(self.database)
        form.addRow(database_label, row)
        form.addRow("&Gebruikersnaam:", self.username)
        form.addRow("&Wachtwoord:", self.password)
        self.buttons = QDialogButtonBox()
        self.login_button = self.buttons.addButton("&Aanmelden", QDialogButtonBox.AcceptRole)
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        cancel = self.buttons.addButton("Annuleren", QDialogButtonBox.RejectRole)
        cancel.setObjectName("cancelButton")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel("<h2>KlachtDesk</h2>Meld u aan met uw eigen gebruikersnaam en wachtwoord.")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addWidget(forgot)
        bottom.addWidget(self.restore_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        (self.password if self.username.text() else self.username).setFocus()

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        # A coarse timer may fire up to 5% early: the button would come back a moment before
        # the service allows the next try, and that try would be refused again.
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._countdown.timeout.connect(self._tick)
        self._wait = 0
        self._ui_steps = [partial(importlib.import_module, name) for name in UI_PRELOADED]
        self._ui_steps.append(warm_type_lookup)
        self._ui_preload = QTimer(self)
        self._ui_preload.setInterval(20)
        self._ui_preload.timeout.connect(self._preload_ui_module)
        self._ui_preload.start()

    def _start_preload(self) -> None:
        if self.preloading.ident is None:
            self.preloading.start()

    def _wait_for_preload(self) -> None:
        """Before importing services here: one thread at a time in the same modules."""
        self._start_preload()
        self.preloading.join()

    def _preload_ui_module(self) -> None:
        self._start_preload()
        if self.preloading.is_alive():  # one import at a time: no two threads in one module
            return
        if self._ui_steps:
            self._ui_steps.pop(0)()
        else:
            self._ui_preload.stop()

    def preloaded(self) -> bool:
        """Is everything the main window needs imported (what happens while one types)?"""
        started = self.preloading.ident is not None
        return started and not self.preloading.is_alive() and not self._ui_steps

    def try_login(self) -> None:
        if self._wait:
            return
        path = database_address(self.database.currentText())
        self._wait_for_preload()
        from klachtdesk.services.admin import setup
        from klachtdesk.services.safety import restore

        rehearsed = self.preloading.take_rehearsed()
        try:
            self.context = setup.unlock(path, self.username.text(), self.password.text(), rehearsed)
        except KlachtDeskError as error:
            self.preloading.rehearsed = rehearsed  # not kept: the next attempt may use it
            self.password.clear()
            self.password.setFocus()
            damaged = restore.restore_may_help(error)
            wait = 0 if damaged else wait_of(error)
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(error))
            self.restore_button.setVisible(damaged)
            self._replace_offered = restore.replacing_is_safe(error)
            if self._replace_offered:
                self.message.setText(
                    f"{error}\nGebruik daarvoor de knop 'Back-up terugzetten…' hieronder."
                )
            elif damaged:
                self.message.setText(
                    f"{error}\nKunt u KlachtDesk nu niet bijwerken, dan kunt u met 'Back-up "
                    "terugzetten…' een back-up als nieuw bestand terugzetten."
                )
            if isinstance(error, TooManyAttempts):  # the countdown below says how long
                self.message.setText("Er is te vaak een onjuist wachtwoord ingevuld.")
            if wait:
                self._start_wait(wait)
            return
        except Exception as error:  # noqa: BLE001 - a calm dialog, never a traceback
            self.preloading.rehearsed = rehearsed
            show_error(self, error)
            return
        prefs = preferences()
        prefs.setValue("login/user", self.context.actor.username)
        recent = [str(path)] + [p for p in (prefs.value("login/recent") or []) if p != str(path)]
        prefs.setValue("login/recent", recent[:5])
        self.accept()

    def _start_wait(self, seconds: int) -> None:
        self._wait = seconds
        self.login_button.setEnabled(False)
        self._tick(first=True)
        self._countdown.start()

    def _tick(self, first: bool = False) -> None:
        if not first:
            self._wait -= 1
        if self._wait <= 0:
            self._wait = 0
            self._countdown.stop()
            self.login_button.setEnabled(True)
            self.message.setText(self.message.text().split("\n")[0])
            return
        first_line = self.message.text().split("\n")[0]
        self.message.setText(
            f"{first_line}\nTe vaak een onjuist wachtwoord: wacht nog {self._wait} seconden."
        )

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Database kiezen", self.database.currentText(), "KlachtDesk-database (*.kdb)"
        )
        if path:
            self.database.setCurrentText(path)

    def open_restore(self) -> None:
        """The database will not open: put the newest good back-up in its place."""
        path = Path(self.database.currentText().strip())
        self._wait_for_preload()
        from klachtdesk.ui.safety.restore_dialog import RestoreDialog, remembered_folder

        dialog = RestoreDialog(
            path, remembered_folder(path), self.username.text().strip(), parent=self
        )
        # A damaged file is moved aside; a newer database is left alone (other PCs use it).
        dialog.overwrite.setChecked(self._replace_offered and not dialog.overwrite.isHidden())
        self.restore_dialog = dialog
        dialog.accepted.connect(self._restored)
        dialog.open()

    def _restored(self) -> None:
        result = self.restore_dialog.restored
        self.database.setCurrentText(str(result.database))
        self.restore_button.setVisible(False)
        self.password.clear()
        self.password.setFocus()
        self.message.setStyleSheet(GOOD_STYLE)
        from klachtdesk.ui.safety.restore_dialog import restored_text

        self.message.setText(restored_text(result) + " Meld u nu aan.")

    def open_recovery(self) -> None:
        """Explain the forgotten password; a beheerder can use the recovery code there."""
        if is_server_address(self.database.currentText()):
            self.message.setStyleSheet(GOOD_STYLE)
            self.message.setText(
                "Deze database staat op een PostgreSQL-server: vraag een beheerder om u een "
                "nieuw wachtwoord te geven (Beheer > Instellingen > Gebruikers > 'Wachtwoord "
                "instellen'). Een herstelcode is er niet."
            )
            return
        path = Path(self.database.currentText().strip())
        self._wait_for_preload()
        from klachtdesk.ui.admin.password_dialogs import RecoveryDialog

        self.recovery_dialog = RecoveryDialog(path, self, self.username.text().strip())
        self.recovery_dialog.accepted.connect(self._recovered)
        self.recovery_dialog.open()

    def _recovered(self) -> None:
        dialog = self.recovery_dialog
        self.username.setText(dialog.username or "")
        self.password.clear()
        self.password.setFocus()
        self.message.setStyleSheet(GOOD_STYLE)
        self.message.setText(
            "Uw nieuwe wachtwoord is ingesteld. Meld u nu aan met het nieuwe wachtwoord."
        )
