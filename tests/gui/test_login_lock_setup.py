"""Logging in, the idle lock, and the first-start wizard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from klachtdesk.services.admin import setup
from klachtdesk.ui.start.lock import Locker
from klachtdesk.ui.start.login import LoginDialog
from klachtdesk.ui.start.setup_wizard import SetupWizard
from tests.conftest import PASSWORD


def fill_login(dialog, qtbot, user, password):
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, user)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_wrong_password_is_refused_in_dutch_and_slows_down(org, qtbot):
    dialog = LoginDialog(org.path)
    qtbot.addWidget(dialog)
    dialog.show()
    for _attempt in range(3):
        fill_login(dialog, qtbot, "balie", "fout-wachtwoord")
        assert dialog.context is None
        assert "wachtwoord klopt niet" in dialog.message.text()
        assert dialog.login_button.isEnabled()
    fill_login(dialog, qtbot, "balie", "fout-wachtwoord")  # 4th wrong: a wait begins
    assert not dialog.login_button.isEnabled()
    assert "wacht nog 2 seconden" in dialog.message.text()
    assert dialog.password.text() == ""
    qtbot.waitUntil(dialog.login_button.isEnabled, timeout=4000)
    fill_login(dialog, qtbot, "balie", PASSWORD)
    assert dialog.context is not None and dialog.context.actor.username == "balie"
    dialog.context.db.dispose()


def test_login_remembers_database_and_user(org, qtbot):
    dialog = LoginDialog(org.path)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_login(dialog, qtbot, "coordinator", PASSWORD)
    dialog.context.db.dispose()
    again = LoginDialog()
    qtbot.addWidget(again)
    assert again.database.currentText() == str(org.path)
    assert again.username.text() == "coordinator"


def test_login_to_a_missing_file_explains(tmp_path, qtbot):
    dialog = LoginDialog(tmp_path / "weg.kdb")
    qtbot.addWidget(dialog)
    dialog.show()
    fill_login(dialog, qtbot, "beheer", PASSWORD)
    assert "bestaat niet" in dialog.message.text()


def test_idle_lock_hides_windows_keeps_input_and_needs_the_password(org, qtbot):
    window = QWidget()
    field = QLineEdit(window)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(field, "half getypte notitie")
    locker = Locker(org.coordinator, minutes=1)
    locker.watcher.timer.setInterval(50)  # a minute is long for a test
    locker.watcher.resume()
    qtbot.waitUntil(lambda: locker.is_locked, timeout=2000)
    assert not window.isVisible()
    dialog = locker.dialog
    qtbot.keyClicks(dialog.password, "fout")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert locker.is_locked and "wachtwoord klopt niet" in dialog.message.text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not locker.is_locked
    assert window.isVisible()
    assert field.text() == "half getypte notitie"


def test_first_start_wizard_creates_the_database_and_shows_the_recovery_code(tmp_path, qtbot):
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()  # welcome
    qtbot.keyClicks(wizard.organisation.fields["org.name"], "Huurdersvereniging Het Anker")
    qtbot.keyClicks(wizard.organisation.fields["org.kvk"], "8765 4321")
    qtbot.keyClicks(wizard.organisation.fields["org.postcode"], "1234")  # not a postcode
    wizard.next()
    assert wizard.currentPage() is wizard.organisation
    assert "geen geldige Nederlandse postcode" in wizard.organisation.error.text()
    wizard.organisation.fields["org.postcode"].setText("3511ab")
    wizard.next()
    assert wizard.organisation.fields["org.postcode"].text() == "3511 AB"  # as it will print
    assert wizard.currentPage() is wizard.letterhead
    qtbot.keyClicks(wizard.letterhead.signature_name, "Hanna de Boer")
    qtbot.keyClicks(wizard.letterhead.signature_function, "Secretaris")
    wizard.next()
    wizard.procedure.choices["livable"].setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.team
    assert wizard.team.choices["alles"].isChecked()  # a small association: one person
    wizard.next()
    admin = wizard.admin
    qtbot.keyClicks(admin.full_name, "Hanna de Boer")
    qtbot.keyClicks(admin.username, "hanna")
    qtbot.keyClicks(admin.password, "een-goed-wachtwoord")
    qtbot.keyClicks(admin.repeat, "een-ander-wachtwoord")
    admin.location.setText(str(tmp_path / "anker.kdb"))
    wizard.next()
    assert wizard.currentPage() is admin
    assert admin.error.text() == "De twee wachtwoorden zijn niet gelijk."
    admin.repeat.clear()
    qtbot.keyClicks(admin.repeat, "een-goed-wachtwoord")
    wizard.next()
    assert wizard.currentPage() is wizard.recovery
    code = wizard.recovery.code.text()
    assert len(code.replace("-", "")) == 32
    assert not wizard.button(wizard.WizardButton.FinishButton).isEnabled()
    wizard.recovery.stored.setChecked(True)
    assert wizard.button(wizard.WizardButton.FinishButton).isEnabled()
    assert code in wizard.recovery.recovery_sheet().toPlainText()
    ctx = wizard.context
    assert ctx.actor.display_name == "Hanna de Boer"
    assert {r.value for r in ctx.actor.roles} == {"beheer", "coordinator", "balie", "manager"}
    from klachtdesk.services.admin import procedures, settings

    values = settings.get_settings(ctx)
    assert values["org.kvk"] == "87654321"
    assert values["org.postcode"] == "3511 AB"
    assert (values["letters.signature_name"], values["letters.signature_function"]) == (
        "Hanna de Boer",
        "Secretaris",
    )
    assert procedures.current_procedure(ctx).key == "livable"
    ctx.db.dispose()
    # The recovery code really unlocks the key.
    from klachtdesk.storage.keyslots import KeyFile, key_file_path

    keyfile = KeyFile.load(key_file_path(tmp_path / "anker.kdb"))
    assert keyfile.unlock_recovery(code) == keyfile.unlock("hanna", "een-goed-wachtwoord")
    setup.unlock(tmp_path / "anker.kdb", "hanna", "een-goed-wachtwoord").db.dispose()
