"""Putting a back-up back, in three steps: which back-up, who unlocks it, where it goes.

Used from the login window (the database will not open) and from Beheer → Back-ups. The
back-up is verified before anything is written; a database already at the target is moved
aside, never deleted.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.services.safety import backup, restore
from klachtdesk.ui import tasks
from klachtdesk.ui.common import fmt_datetime, preferences

ERROR_STYLE = "color: #842029;"
PREF_FOLDER = "backup/folder"
MISDATED = "let op: de datum klopt niet, de klok liep voor"


def remembered_folder(database: Path | None) -> Path | None:
    """The back-up folder this PC last used, else the default folder beside the database."""
    value = preferences().value(PREF_FOLDER)
    if value:
        return Path(value)
    return backup.default_folder(database) if database else None


def remember_folder(folder: Path) -> None:
    preferences().setValue(PREF_FOLDER, str(folder))


def describe(info: backup.BackupInfo) -> str:
    size = f"{max(info.size // 1024, 1)} kB"
    if info.problem:
        return f"{info.name} — onbruikbaar: {info.problem}"
    text = f"{fmt_datetime(info.created_at)} — {info.name} ({size})"
    return f"{text} — {MISDATED}" if info.misdated else text


class RestoreDialog(QDialog):
    """``restored`` holds the RestoreResult after a successful restore (then the dialog accepts)."""

    def __init__(
        self,
        target: Path | None = None,
        folder: Path | None = None,
        username: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Back-up terugzetten — KlachtDesk")
        self.setMinimumWidth(640)
        self.restored: restore.RestoreResult | None = None
        self._target_hint = str(target) if target else ""
        self._task: tasks.Task | None = None

        intro = QLabel(
            "Een back-up terugzetten maakt de database weer zoals die was op het moment van de "
            "back-up. KlachtDesk controleert de back-up eerst; een bestaande database wordt "
            "opzij gezet en niet verwijderd. Sluit KlachtDesk eerst op de andere computers die "
            "dezelfde database gebruiken."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self._backup_step(folder))
        layout.addWidget(self._unlock_step(username))
        layout.addWidget(self._target_step(target))
        self.progress = QProgressBar()
        self.progress.setObjectName("restoreProgress")
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("restoreMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(
            "&Controleren en terugzetten", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreButton")
        self.cancel_button = buttons.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("restoreCancel")
        buttons.accepted.connect(self.start_restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update_target()

    # -- building -------------------------------------------------------------------------
    def _backup_step(self, folder: Path | None) -> QGroupBox:
        box = QGroupBox("1. Welke back-up?")
        self.backup_combo = QComboBox()
        self.backup_combo.setObjectName("backupChoice")
        self.backup_combo.setMinimumContentsLength(40)
        browse = QPushButton("&Bladeren…")
        browse.setObjectName("browseBackup")
        browse.clicked.connect(self._browse_backup)
        row = QHBoxLayout()
        row.addWidget(self.backup_combo, 1)
        row.addWidget(browse)
        self.folder_label = QLabel()
        self.folder_label.setObjectName("backupFolderLabel")
        self.folder_label.setWordWrap(True)
        inner = QVBoxLayout(box)
        inner.addLayout(row)
        inner.addWidget(self.folder_label)
        self.load_folder(folder)
        return box

    def _unlock_step(self, username: str) -> QGroupBox:
        box = QGroupBox("2. Wie opent de back-up?")
        self.by_password = QRadioButton("Met &gebruikersnaam en wachtwoord")
        self.by_password.setObjectName("byPassword")
        self.by_code = QRadioButton("Met de &herstelcode")
        self.by_code.setObjectName("byRecoveryCode")
        group = QButtonGroup(self)
        group.addButton(self.by_password)
        group.addButton(self.by_code)
        self.by_password.setChecked(True)
        self.username = QLineEdit(username)
        self.username.setObjectName("restoreUsername")
        self.password = QLineEdit()
        self.password.setObjectName("restorePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.code = QLineEdit()
        self.code.setObjectName("restoreRecoveryCode")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        form = QFormLayout()
        form.addRow("Gebruikersnaam:", self.username)
        form.addRow("Wachtwoord:", self.password)
        form.addRow("Herstelcode:", self.code)
        note = QLabel(
            "Vervangt u een bestaande database, dan moet u beheerder van die database zijn: "
            "vul uw gebruikersnaam en het wachtwoord in dat daar nu geldt, of de herstelcode "
            "van die database. Beheerder zijn in de back-up is dan niet genoeg. Zet u de "
            "back-up op een nieuwe plek, gebruik dan het wachtwoord dat gold toen de back-up "
            "werd gemaakt, of de herstelcode van toen."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        inner = QVBoxLayout(box)
        inner.addWidget(self.by_password)
        inner.addWidget(self.by_code)
        inner.addLayout(form)
        inner.addWidget(note)
        self.by_password.toggled.connect(self._update_unlock)
        self._update_unlock()
        return box

    def _target_step(self, target: Path | None) -> QGroupBox:
        box = QGroupBox("3. Waar komt de database?")
        self.target = QLineEdit(str(target) if target else "")
        self.target.setObjectName("restoreTarget")
        self.target.textChanged.connect(self._update_target)
        browse = QPushButton("B&laderen…")
        browse.setObjectName("browseTarget")
        browse.clicked.connect(self._browse_target)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(browse)
        self.overwrite = QCheckBox(
            "De bestaande database &vervangen (die wordt bewaard als '… voor-herstel-…')"
        )
        self.overwrite.setObjectName("restoreOverwrite")
        inner = QVBoxLayout(box)
        inner.addLayout(row)
        inner.addWidget(self.overwrite)
        return box

    # -- behaviour ------------------------------------------------------------------------
    def load_folder(self, folder: Path | None) -> None:
        self.backup_combo.clear()
        found = backup.list_backups(folder, datetime.now()) if folder else []
        for info in found:
            self.backup_combo.addItem(describe(info), str(info.path))
        usable = [info for info in found if not info.problem]
        if folder is None:
            self.folder_label.setText("Kies een back-upbestand met 'Bladeren…'.")
        elif not found:
            self.folder_label.setText(
                f"In de map '{folder}' staan geen back-ups. Is de USB-stick of netwerkschijf "
                "aangesloten? Kies anders een back-upbestand met 'Bladeren…'."
            )
        else:
            count = "1 back-up" if len(usable) == 1 else f"{len(usable)} back-ups"
            self.folder_label.setText(
                f"{count} in '{folder}'; de nieuwste (de laatst gemaakte) staat bovenaan."
            )
            self.backup_combo.setCurrentIndex(self._newest_usable(found))

    def _newest_usable(self, found: list[backup.BackupInfo]) -> int:
        """The newest good back-up of the target database itself, else the newest good one
        (a restored copy elsewhere makes back-ups into the same folder)."""
        target = self._target_hint
        for wanted in (lambda info: target and info.made_of(target), lambda info: True):
            for index, info in enumerate(found):
                if not info.problem and wanted(info):
                    return index
        return 0

    def chosen_backup(self) -> Path | None:
        value = self.backup_combo.currentData()
        return Path(value) if value else None

    def _browse_backup(self) -> None:
        start = str(self.chosen_backup().parent) if self.chosen_backup() else ""
        name, _ = QFileDialog.getOpenFileName(
            self, "Back-up kiezen", start, "KlachtDesk-back-ups (*.kdbackup)"
        )
        if name:
            self.load_folder(Path(name).parent)
            index = self.backup_combo.findData(str(Path(name)))
            if index < 0:
                self.backup_combo.insertItem(0, Path(name).name, name)
                index = 0
            self.backup_combo.setCurrentIndex(index)

    def _browse_target(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Database opslaan als",
            self.target.text(),
            "KlachtDesk-database (*.kdb)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if name:
            self.target.setText(name)

    def _update_unlock(self) -> None:
        password = self.by_password.isChecked()
        self.username.setEnabled(password)
        self.password.setEnabled(password)
        self.code.setEnabled(not password)

    def _update_target(self) -> None:
        text = self.target.text().strip()
        exists = bool(text) and restore.target_exists(Path(text))
        self.overwrite.setVisible(exists)
        if not exists:
            self.overwrite.setChecked(False)

    def start_restore(self) -> None:
        source, target = self.chosen_backup(), self.target.text().strip()
        if source is None:
            self._show_problem("Kies eerst een back-up.")
            return
        if not target:
            self._show_problem("Vul in waar de database moet komen.")
            return
        kwargs = {"overwrite": self.overwrite.isChecked()}
        if kwargs["overwrite"] and restore.backup_is_foreign(source, Path(target)):
            if not self.confirm_other_database(source, Path(target)):
                self._show_problem(
                    "Er is niets gewijzigd. Kies een back-up van deze database, of zet de "
                    "back-up terug op een nieuwe plek."
                )
                return
            kwargs["foreign_ok"] = True
        if self.by_password.isChecked():
            kwargs.update(username=self.username.text(), password=self.password.text())
        else:
            kwargs["recovery_code"] = self.code.text()
        self._set_busy(True)
        self.message.setStyleSheet("")
        self.message.setText("De back-up wordt gecontroleerd en teruggezet…")
        self._task = tasks.start(
            restore.restore_backup,
            source,
            Path(target),
            done=self._restored,
            failed=self._failed,
            **kwargs,
        )

    def confirm_other_database(self, source: Path, target: Path) -> bool:
        """Ask the beheerder to confirm a back-up of another database file (default: no)."""
        answer = QMessageBox.question(
            self,
            "Back-up van een andere database",
            f"De back-up '{source.name}' is niet gemaakt van de database in '{target}', maar "
            "van een ander databasebestand.\n\nWeet u zeker dat u de huidige database door "
            "deze back-up wilt vervangen? De huidige database wordt opzij gezet, niet "
            "verwijderd. Alleen een beheerder van de huidige database (of iemand met de "
            "herstelcode daarvan) kan dit doen.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def reject(self) -> None:
        """Escape or the window's close button: not while a restore is moving files."""
        if self._task is None:
            super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._task is None:
            super().closeEvent(event)
        else:
            event.ignore()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.restore_button, self.cancel_button, self.backup_combo):
            widget.setEnabled(not busy)

    def _show_problem(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        from klachtdesk.domain.errors import KlachtDeskError

        self._task = None
        self._set_busy(False)
        self.password.clear()
        if isinstance(error, KlachtDeskError):
            self._show_problem(str(error))
        else:
            from klachtdesk.support import log_unexpected

            log_unexpected(error)
            self._show_problem("Er ging iets onverwachts mis; er is niets gewijzigd.")

    def _restored(self, result: restore.RestoreResult) -> None:
        self._task = None
        self._set_busy(False)
        self.restored = result
        remember_folder(result.backup.path.parent)
        self.accept()


def restored_text(result: restore.RestoreResult) -> str:
    """What the user is told after a restore: from when, where, and where the old file is."""
    text = (
        f"De back-up van {fmt_datetime(result.backup.created_at)} is gecontroleerd en "
        f"teruggezet in '{result.database}'."
    )
    if result.previous_database:
        text += f" De vorige database staat nu in '{result.previous_database}'."
    if result.restored_by == "herstelcode":
        text += (
            " U heeft de herstelcode gebruikt: kies bij het aanmelden 'Wachtwoord vergeten?' "
            "om een nieuw wachtwoord en een nieuwe herstelcode te maken."
        )
    return text
