"""Issue 15: the windows on a database on a PostgreSQL server. The login window takes the
server's address; what follows is the same main window as on a file, with the server's
rights (a directeur sees the appeals only) and without what a server does not have."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from klachtdesk.services.admin import admin_users
from klachtdesk.ui.main_window import MainWindow
from klachtdesk.ui.start.login import LoginDialog
from tests.postgres.test_server_use import (  # noqa: F401 - the fixtures
    PASSWORD,
    demo_file,
    moved,
    user_id,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("QT_QPA_PLATFORM") != "offscreen" and not os.environ.get("DISPLAY"),
    reason="needs a display or the offscreen platform",
)
COLLEAGUE = "collega-wachtwoord-77"


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch):
    """A message box offscreen waits for ever: here it fails the test with its text."""
    from klachtdesk.ui import common

    def fail(parent, error, *args, **kwargs):
        pytest.fail(f"melding in het venster: {error!r}", pytrace=False)

    monkeypatch.setattr(common, "show_error", fail)


def log_in(qtbot, address: str, user: str, password: str) -> LoginDialog:
    dialog = LoginDialog(address)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, user)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    return dialog


def test_the_login_window_logs_in_to_the_server_and_says_why_not(qtbot, moved):  # noqa: F811
    dialog = log_in(qtbot, moved, "beheer", "niet-het-wachtwoord")
    assert dialog.context is None
    assert "wachtwoord klopt niet" in dialog.message.text()
    forgot = dialog.findChild(QPushButton, "forgotPassword")
    qtbot.mouseClick(forgot, Qt.MouseButton.LeftButton)
    assert "vraag een beheerder" in dialog.message.text()
    dialog = log_in(qtbot, moved, "beheer", PASSWORD)
    ctx = dialog.context
    assert ctx is not None, dialog.message.text()
    assert ctx.db.is_server
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert not window.recovery_action.isVisible()
    status = " ".join(label.text() for label in window.statusBar().findChildren(QLabel))
    assert "postgresql://deze computer/" in status
    admin_users.reset_password(ctx, user_id(ctx, "directeur"), COLLEAGUE)
    window.close()
    ctx.db.dispose()

    directeur = log_in(qtbot, moved, "directeur", COLLEAGUE).context
    window = MainWindow(directeur)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.cases.table.model().rowCount() > 0, timeout=5000)
    appeals = window.cases.table.model().rowCount()
    assert 0 < appeals < 30  # the appeals only, as the server's row-level security says
    window.close()
    directeur.db.dispose()
