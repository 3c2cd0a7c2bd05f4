"""First start on this PC: a new database, the database another PC already uses, or a back-up.

Whatever the user starts from here and cancels brings them back to this choice; only
"Afsluiten" (or closing this window) ends the program.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.admin import setup
from klachtdesk.ui.common import show_error

NEW, OPEN, SERVER, RESTORE = "nieuw", "openen", "server", "terugzetten"


def choose_database_file(parent: QWidget | None) -> str:
    """The file dialog for an existing database (a module-level function: tests replace it)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Bestaande database openen", "", "KlachtDesk-database (*.kdb)"
    )
    return path


def ask_server_address(parent: QWidget | None) -> str:
    """The address of a database on a server (module level: tests replace it)."""
    address, ok = QInputDialog.getText(
        parent,
        "Database op een server openen",
        "Adres van de database, zoals uw IT-beheerder het opgaf\n"
        "(bijvoorbeeld postgresql://server/klachtdesk?sslmode=verify-full):",
    )
    return address.strip() if ok else ""


class StartChoice(QDialog):
    """Three ways to begin; ``choice`` is NEW, OPEN or RESTORE, ``path`` the file to open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("startChoice")
        self.setWindowTitle("KlachtDesk — eerste start")
        self.choice: str | None = None
        self.path: Path | str | None = None  # a file, or a PostgreSQL address
        title = QLabel("<h2>Welkom bij KlachtDesk</h2>")
        intro = QLabel(
            "Op deze computer is nog geen klachtendatabase gekozen. Hoe wilt u beginnen?"
        )
        intro.setWordWrap(True)
        self.new_button = self._way(
            NEW,
            "&Nieuwe database maken",
            "U begint met KlachtDesk in uw organisatie. U vult de gegevens van uw organisatie "
            "in, kiest de klachtenregeling en wordt de eerste gebruiker.",
        )
        self.open_button = self._way(
            OPEN,
            "&Bestaande database openen",
            "Een collega werkt al met KlachtDesk, op een andere computer. Kies het "
            "databasebestand (.kdb) op de gedeelde netwerkschijf; u meldt zich aan met de "
            "gebruikersnaam die de beheerder voor u heeft gemaakt.",
        )
        self.server_button = self._way(
            SERVER,
            "Database op een &server openen",
            "Uw organisatie werkt met een PostgreSQL-server. Vul het adres in dat uw "
            "IT-beheerder u gaf; u meldt zich aan met uw gebruikersnaam en wachtwoord.",
        )
        self.restore_button = self._way(
            RESTORE,
            "Back-up &terugzetten",
            "U heeft een back-upbestand (.kdbackup), bijvoorbeeld na een nieuwe computer of "
            "een defecte schijf.",
        )
        self.message = QLabel()
        self.message.setObjectName("startMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #842029;")
        self.message.hide()
        quit_button = QPushButton("&Afsluiten")
        quit_button.setObjectName("quitButton")
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(quit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        for button in (self.new_button, self.open_button, self.server_button, self.restore_button):
            layout.addWidget(button)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.setMinimumWidth(560)
        self.new_button.setFocus()

    def _way(self, choice: str, text: str, description: str) -> QCommandLinkButton:
        button = QCommandLinkButton(text.replace("&", ""), description)
        button.setObjectName(f"start_{choice}")
        button.setShortcut(text[text.index("&") + 1].lower())  # the mnemonic of the title
        button.clicked.connect(lambda _checked=False, c=choice: self._chosen(c))
        return button

    def say(self, text: str) -> None:
        """Why the last way did not work out (shown when the choice comes back)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _chosen(self, choice: str) -> None:
        self.say("")
        if choice == OPEN:
            chosen = choose_database_file(self)
            if not chosen:
                return
            try:
                setup.check_existing(Path(chosen))
            except KlachtDeskError as error:
                show_error(self, error, "Deze database kan niet worden geopend")
                return
            self.path = Path(chosen)
        if choice == SERVER:
            address = ask_server_address(self)
            if not address:
                return
            try:
                setup.check_server_address(address)
            except KlachtDeskError as error:
                show_error(self, error, "Dit adres kan niet worden gebruikt")
                return
            self.path, choice = address, OPEN  # logging in is the same from here on
        self.choice = choice
        self.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        super().keyPressEvent(event)
