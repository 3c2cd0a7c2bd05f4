"""A temporary start window until the main window lands (GUI issue)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from klachtdesk import __version__
from klachtdesk.paths import default_database, resource_path


class PlaceholderWindow(QMainWindow):
    def __init__(self, database: Path | None = None):
        super().__init__()
        self.setWindowTitle(f"KlachtDesk {__version__}")
        self.setWindowIcon(QIcon(str(resource_path("icons", "klachtdesk.svg"))))
        database = database or default_database()
        text = QLabel(
            "<h2>KlachtDesk</h2>"
            "<p>De vensters van KlachtDesk zijn nog in aanbouw.</p>"
            "<p>Voorlopig werkt u met de opdrachtregel, bijvoorbeeld:<br>"
            "<code>klachtdesk cases --db …</code></p>"
            f"<p>Database: {database}</p>"
        )
        text.setObjectName("placeholderText")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        close = QPushButton("Sluiten")
        close.setObjectName("closeButton")
        close.clicked.connect(self.close)
        layout = QVBoxLayout()
        layout.addWidget(text)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        body = QWidget()
        body.setLayout(layout)
        self.setCentralWidget(body)
        self.resize(520, 260)
