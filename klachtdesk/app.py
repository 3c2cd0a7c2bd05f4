"""The one wiring point for the desktop application: unlock → context → main window."""

from __future__ import annotations

import sys
from pathlib import Path


def run(database: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from klachtdesk.paths import default_database
    from klachtdesk.ui.common import install_dutch, preferences
    from klachtdesk.ui.login import LoginDialog
    from klachtdesk.ui.main_window import MainWindow
    from klachtdesk.ui.setup_wizard import SetupWizard

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("KlachtDesk")
    install_dutch(app)

    known = database or preferences().value("login/recent") or default_database().exists()
    if known:
        dialog = LoginDialog(database)
        if not dialog.exec():
            return 0
        ctx = dialog.context
    else:
        wizard = SetupWizard()
        if not wizard.exec() or wizard.context is None:
            return 0
        ctx = wizard.context
    try:
        window = MainWindow(ctx)
        window.show()
        return app.exec()
    finally:
        ctx.db.dispose()
