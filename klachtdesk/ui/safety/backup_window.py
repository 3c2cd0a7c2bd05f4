"""Beheer → Back-ups: how old the last back-up is, where they go, make one now, put one back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.context import Context
from klachtdesk.services.safety import backup
from klachtdesk.ui import tasks
from klachtdesk.ui.common import (
    call_service,
    fit_to_screen,
    fmt_datetime,
    read_only_item,
    show_error,
)
from klachtdesk.ui.safety.restore_dialog import MISDATED, remember_folder

WARNING_STYLE = "color: #842029; font-weight: bold;"
OK_STYLE = "color: #0f5132;"
COLUMNS = ("Gemaakt op", "Bestand", "Grootte", "Toestand")


def status_style(status: backup.BackupStatus) -> str:
    return WARNING_STYLE if status.warn else OK_STYLE


def state_text(info: backup.BackupInfo) -> str:
    if info.problem:
        return f"onbruikbaar: {info.problem}"
    if info.misdated:
        return f"gecontroleerd bij het maken; {MISDATED}"
    return "gecontroleerd bij het maken"


class BackupDialog(QDialog):
    """``restore_requested`` asks the main window to close the database and restore."""

    restore_requested = Signal()
    made = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("backupDialog")
        self.setWindowTitle("Back-ups — KlachtDesk")
        fit_to_screen(self, 820, 520)
        self._task: tasks.Task | None = None
        is_beheer = Role.BEHEER in ctx.actor.roles

        self.status = QLabel()
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        self.folder = QLineEdit()
        self.folder.setObjectName("backupFolder")
        self.folder.setReadOnly(True)
        self.choose_button = QPushButton("Andere &map kiezen…")
        self.choose_button.setObjectName("chooseBackupFolder")
        self.choose_button.clicked.connect(self.choose_folder)
        self.choose_button.setVisible(is_beheer)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Map:"))
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_button)
        self.rotation = QLabel()
        self.rotation.setObjectName("backupRotation")
        self.rotation.setWordWrap(True)
        self.keep_row = self._build_keep_row()
        self.keep_row.setVisible(is_beheer)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.progress = QProgressBar()
        self.progress.setObjectName("backupProgress")
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("backupMessage")
        self.message.setWordWrap(True)

        self.backup_button = QPushButton("&Nu een back-up maken")
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Back-up &terugzetten…")
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self._ask_restore)
        # a server's back-up is restored by its IT provider (pg_restore), not from here
        self.restore_button.setVisible(is_beheer and not ctx.db.is_server)
        close = QPushButton("&Sluiten")
        close.setObjectName("closeBackupDialog")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(folder_row)
        layout.addWidget(self.rotation)
        layout.addWidget(self.keep_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.refresh()

    def _build_keep_row(self) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        self.keep = {}
        for key, before, after in (
            ("backup.keep_daily", "Bewaren:", "dagelijkse,"),
            ("backup.keep_weekly", "", "wekelijkse en"),
            ("backup.keep_monthly", "", "maandelijkse back-ups; waarschuwen na"),
            ("backup.warn_after_days", "", "dagen zonder back-up."),
        ):
            decl = settings_service.BY_KEY[key]
            spin = QSpinBox()
            spin.setObjectName(key.replace(".", "_"))
            spin.setRange(decl.minimum, decl.maximum)
            spin.setAccessibleName(decl.label)
            self.keep[key] = spin
            if before:
                box.addWidget(QLabel(before))
            box.addWidget(spin)
            box.addWidget(QLabel(after))
        save = QPushButton("&Opslaan")
        save.setObjectName("saveBackupSettings")
        save.clicked.connect(self.save_keep)
        box.addStretch(1)
        box.addWidget(save)
        return row

    def save_keep(self) -> None:
        changes = {key: spin.value() for key, spin in self.keep.items()}
        if self._save_settings(changes):
            self.refresh()
            self.message.setStyleSheet(OK_STYLE)
            self.message.setText("De instellingen voor back-ups zijn opgeslagen.")

    def refresh(self) -> None:
        status = call_service(self, backup.backup_status, self.ctx)
        values = call_service(self, settings_service.get_settings, self.ctx) or {}
        if status is None:
            return
        for key, spin in self.keep.items():
            spin.setValue(values.get(key, spin.value()))
        text = status.message
        if status.clock_warning:
            text += f"\n{status.clock_warning}"
        self.status.setText(text)
        self.status.setStyleSheet(status_style(status))
        self.folder.setText(str(status.folder))
        keep = (
            f"Bewaard blijven de laatste {values.get('backup.keep_daily', 7)} dagelijkse, "
            f"{values.get('backup.keep_weekly', 4)} wekelijkse en "
            f"{values.get('backup.keep_monthly', 12)} maandelijkse back-ups."
        )
        if self.ctx.db.is_server:
            self.rotation.setText(
                "De database staat op een PostgreSQL-server: de back-up van de server zelf, "
                "die uw IT-beheerder regelt, is leidend. Kiest een beheerder hier een map, dan "
                "maakt KlachtDesk daarnaast een eigen kopie met pg_dump (niet versleuteld: "
                f"kies een map die alleen bevoegden kunnen lezen), ook dagelijks. {keep}"
            )
        else:
            self.rotation.setText(
                "KlachtDesk maakt elke dag en bij het afsluiten vanzelf een versleutelde "
                f"back-up. {keep} Kies bij voorkeur een map op een USB-stick of netwerkschijf, "
                "niet op dezelfde schijf als de database."
            )
        found = call_service(self, backup.backups_in, self.ctx, status.folder) or []
        self.table.setRowCount(len(found))
        for row, info in enumerate(found):
            size = f"{max(info.size // 1024, 1)} kB"
            state = state_text(info)
            for column, text in enumerate((fmt_datetime(info.created_at), info.name, size, state)):
                self.table.setItem(row, column, read_only_item(text, align_right=column == 2))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if not found:
            self.message.setText("In deze map staan nog geen back-ups.")

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self, "Map voor back-ups kiezen", self.folder.text()
        )
        if not name:
            return
        if not self._save_settings({"backup.folder": name}):
            return
        remember_folder(Path(name))
        self.refresh()
        self.message.setText(f"Back-ups komen voortaan in '{name}'.")

    def _save_settings(self, changes: dict) -> bool:
        def save() -> bool:
            settings_service.update_settings(self.ctx, changes)
            return True

        return call_service(self, save) is True

    def backup_now(self) -> None:
        self.backup_button.setEnabled(False)
        self.progress.setVisible(True)
        self.message.setStyleSheet("")
        self.message.setText("De back-up wordt gemaakt en gecontroleerd…")
        self._task = tasks.start(backup.make_backup, self.ctx, done=self._made, failed=self._failed)

    def _made(self, info: backup.BackupInfo) -> None:
        self._task = None
        self.progress.setVisible(False)
        self.backup_button.setEnabled(True)
        remember_folder(info.path.parent)
        self.refresh()
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(f"Back-up gemaakt en gecontroleerd: {info.path}")
        self.made.emit()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self.progress.setVisible(False)
        self.backup_button.setEnabled(True)
        self.message.setText("")
        show_error(self, error, "Back-up niet gelukt")

    def _ask_restore(self) -> None:
        self.accept()  # out of the way first: the main window closes the database next
        self.restore_requested.emit()
