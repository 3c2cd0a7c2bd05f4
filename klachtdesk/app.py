"""The one wiring point for the desktop application: unlock → context → main window."""

from __future__ import annotations

import sys
from pathlib import Path


def run(database: Path | None = None) -> int:
    from klachtdesk.platform_check import window_problem

    problem = window_problem()
    if problem:  # before Qt: it would abort with a message nobody understands
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from klachtdesk.paths import default_database
    from klachtdesk.ui.common import install_dutch, preferences

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("KlachtDesk")
    install_dutch(app)
    sys.excepthook = _unexpected

    known = database or preferences().value("login/recent") or default_database().exists()
    ctx = _login(database) if known else _first_start()
    if ctx is None:
        return 0
    from klachtdesk.ui.main_window import MainWindow  # after the login window: not before it

    while ctx is not None:
        try:
            window = MainWindow(ctx, backups=True)
            window.show()
            status = app.exec()
        finally:
            ctx.db.dispose()
        if not window.restart:  # a restored back-up: log in again on the restored database
            return status
        ctx = _login(ctx.db.path)
    return 0


def _first_start():
    """A new database, the one another PC uses, or a back-up; cancelling any of them comes
    back to this choice, only 'Afsluiten' ends the program. The logged-in context, or None."""
    from klachtdesk.paths import default_database
    from klachtdesk.ui.safety.restore_dialog import RestoreDialog
    from klachtdesk.ui.start.setup_wizard import SetupWizard
    from klachtdesk.ui.start.start_choice import NEW, OPEN, RESTORE, StartChoice

    choice = StartChoice()
    while choice.exec():
        if choice.choice == NEW:
            wizard = SetupWizard()
            if wizard.exec() and wizard.context is not None:
                return wizard.context
            if wizard.open_instead is not None:  # the file existed: log in to it instead
                ctx = _login(wizard.open_instead)
                if ctx is not None:
                    return ctx
        elif choice.choice == OPEN:
            ctx = _login(choice.path)
            if ctx is not None:
                return ctx
            choice.say("Aanmelden is afgebroken; kies opnieuw hoe u wilt beginnen.")
        elif choice.choice == RESTORE:
            restore = RestoreDialog(default_database())
            if restore.exec() and restore.restored is not None:
                ctx = _login(restore.restored.database)
                if ctx is not None:
                    return ctx
    return None


def _login(database: Path | None):
    from klachtdesk.ui.start.login import LoginDialog

    dialog = LoginDialog(database)
    return dialog.context if dialog.exec() else None


def _unexpected(kind, error, trace) -> None:
    """An error no window caught: a calm Dutch message, and the support log without data.

    Python's default hook would print the message and local values to the console, where a
    database error can quote a complainant's name.
    """
    from klachtdesk.ui.common import show_error

    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    error.__traceback__ = trace
    show_error(None, error)
