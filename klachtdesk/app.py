"""The one wiring point for the desktop application: Qt application → main window."""

from __future__ import annotations

import sys
from pathlib import Path


def run(database: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from klachtdesk.ui.placeholder import PlaceholderWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("KlachtDesk")
    window = PlaceholderWindow(database)
    window.show()
    return app.exec()
