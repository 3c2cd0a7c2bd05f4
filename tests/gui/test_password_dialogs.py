"""Changing one's password, recovering with the recovery code, and a new recovery code."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from klachtdesk.services.admin import setup
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import AuditEntry
from klachtdesk.ui.admin.password_dialogs import ChangePasswordDialog, NewRecoveryCodeDialog
from klachtdesk.ui.start.login import LoginDialog
from tests.conftest import PASSWORD

NEW = "nieuw-wachtwoord-2026"


def type_into(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def last_actions(ctx, count: int) -> list[str]:
    with ctx.db.session() as session:
        rows = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()))
        return list(rows)[:count][::-1]


def test_change_password_explains_mistakes_inline_and_the_new_password_works(org, qtbot):
    dialog = ChangePasswordDialog(org.balie)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.old, PASSWORD)
    type_into(qtbot, dialog.new, NEW)
    type_into(qtbot, dialog.repeat, NEW + "x")
    click(qtbot, dialog.action_button)
    assert dialog.message.text() == "De twee nieuwe wachtwoorden zijn niet gelijk."
    assert dialog.isVisible()

    type_into(qtbot, dialog.old, "fout-wachtwoord")
    type_into(qtbot, dialog.repeat, NEW)
    click(qtbot, dialog.action_button)
    assert "wachtwoord klopt niet" in dialog.message.text()
    assert dialog.old.text() == "" and dialog.isVisible()

    type_into(qtbot, dialog.old, PASSWORD)
    type_into(qtbot, dialog.new, "kort")
    type_into(qtbot, dialog.repeat, "kort")
    click(qtbot, dialog.action_button)
    assert "ten minste 10 tekens" in dialog.message.text()

    type_into(qtbot, dialog.old, PASSWORD)
    type_into(qtbot, dialog.new, NEW)
    type_into(qtbot, dialog.repeat, NEW)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        click(qtbot, dialog.action_button)
    with pytest.raises(WrongPassword):
        org.login("balie")
    ctx = org.login("balie", NEW)
    assert "wachtwoord_gewijzigd" in last_actions(ctx, 5)
    ctx.db.dispose()


def test_repeated_wrong_old_passwords_slow_down(org, qtbot):
    dialog = ChangePasswordDialog(org.coordinator)
    qtbot.addWidget(dialog)
    dialog.show()
    for _attempt in range(4):
        type_into(qtbot, dialog.old, "fout-wachtwoord")
        type_into(qtbot, dialog.new, NEW)
        type_into(qtbot, dialog.repeat, NEW)
        click(qtbot, dialog.action_button)
    assert not dialog.action_button.isEnabled()
    assert "Wacht 2 seconden" in dialog.message.text()


def open_recovery(org, qtbot):
    login = LoginDialog(org.path)
    qtbot.addWidget(login)
    login.show()
    type_into(qtbot, login.username, "beheer")
    click(qtbot, login.findChild(QPushButton, "forgotPassword"))
    recovery = login.recovery_dialog
    qtbot.waitUntil(recovery.isVisible, timeout=2000)
    return login, recovery


def test_the_beheerder_recovers_with_the_code_prints_the_new_one_and_logs_in(org, qtbot):
    login, dialog = open_recovery(org, qtbot)
    assert any("Bent u geen beheerder?" in label.text() for label in dialog.findChildren(QLabel))
    assert dialog.user.text() == "beheer"  # taken from the login dialog

    type_into(qtbot, dialog.code, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    type_into(qtbot, dialog.new, NEW)
    type_into(qtbot, dialog.repeat, NEW)
    click(qtbot, dialog.action_button)
    assert "herstelcode klopt niet" in dialog.message.text()
    assert dialog.pages.currentIndex() == 0

    type_into(qtbot, dialog.code, org.recovery_code.lower())
    type_into(qtbot, dialog.new, NEW)
    type_into(qtbot, dialog.repeat, NEW)
    click(qtbot, dialog.action_button)
    assert dialog.pages.currentIndex() == 1
    new_code = dialog.panel.code.text()
    assert new_code == dialog.new_code and new_code != org.recovery_code
    assert new_code in dialog._sheet().toPlainText()  # what the Print button prints
    assert not dialog.done_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # the new code cannot be lost by a keypress
    assert dialog.isVisible()
    dialog.panel.stored.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        click(qtbot, dialog.done_button)

    assert login.username.text() == "beheer"
    assert "nieuwe wachtwoord is ingesteld" in login.message.text()
    type_into(qtbot, login.password, NEW)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert login.context is not None and login.context.actor.username == "beheer"
    assert last_actions(login.context, 5)[:4] == [
        "herstelcode_gebruikt",
        "herstelcode_vervangen",
        "database_opnieuw_versleuteld",  # the used code opens nothing live any more
        "aanmelden_mislukt",  # the wrong code typed first, moved into the log at this login
    ]
    live_key = login.context.db.key
    login.context.db.dispose()
    keys = KeyFile.load(key_file_path(org.path))
    with pytest.raises(WrongPassword, match="herstelcode klopt niet"):
        keys.unlock_recovery(org.recovery_code)
    assert keys.unlock_recovery(new_code) == live_key


def test_recovery_for_a_colleague_without_the_beheer_role_is_refused(org, qtbot):
    _login, dialog = open_recovery(org, qtbot)
    type_into(qtbot, dialog.code, org.recovery_code)
    type_into(qtbot, dialog.user, "balie")
    type_into(qtbot, dialog.new, NEW)
    type_into(qtbot, dialog.repeat, NEW)
    click(qtbot, dialog.action_button)
    assert "Bea Balie is geen beheerder" in dialog.message.text()
    assert dialog.pages.currentIndex() == 0
    org.login("balie").db.dispose()  # unchanged
    assert KeyFile.load(key_file_path(org.path)).unlock_recovery(org.recovery_code)


def test_a_new_recovery_code_needs_the_password_and_replaces_the_old_code(org, qtbot):
    dialog = NewRecoveryCodeDialog(org.beheer)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.password, "fout-wachtwoord")
    click(qtbot, dialog.action_button)
    assert "wachtwoord klopt niet" in dialog.message.text()
    assert dialog.pages.currentIndex() == 0
    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog.action_button)
    assert dialog.pages.currentIndex() == 1
    code = dialog.panel.code.text()
    sheet = dialog._sheet().toPlainText()
    assert code in sheet and "Woonstichting De Linde" in sheet
    dialog.panel.stored.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        click(qtbot, dialog.done_button)
    keys = KeyFile.load(key_file_path(org.path))
    with pytest.raises(WrongPassword):
        keys.unlock_recovery(org.recovery_code)
    new_password = setup.recover_with_code(org.path, code, "beheer", NEW)
    assert new_password  # the new code really works
