"""The first start on a PC: a new database, the database another PC already uses, or a
back-up; cancelling brings the user back to that choice, never out of the program. The first
user of a small team can do everything; what a role may not do is visible but disabled."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from klachtdesk import app
from klachtdesk.services.admin import setup
from klachtdesk.ui.main_window import MainWindow
from klachtdesk.ui.start import setup_wizard, start_choice
from klachtdesk.ui.start.setup_wizard import SetupWizard
from klachtdesk.ui.start.start_choice import NEW, OPEN, StartChoice
from tests.conftest import PASSWORD


def test_the_choice_offers_four_ways_and_escape_closes_it(qtbot):
    choice = StartChoice()
    qtbot.addWidget(choice)
    choice.show()
    buttons = (choice.new_button, choice.open_button, choice.server_button, choice.restore_button)
    assert [b.text() for b in buttons] == [
        "Nieuwe database maken",
        "Bestaande database openen",
        "Database op een server openen",
        "Back-up terugzetten",
    ]
    assert "gedeelde netwerkschijf" in choice.open_button.description()
    qtbot.keyClick(choice, Qt.Key.Key_Escape)
    assert choice.result() == QDialog.DialogCode.Rejected


def test_opening_another_pcs_database_checks_it_first(qtbot, org, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(
        start_choice, "show_error", lambda parent, error, title="": shown.append(str(error))
    )
    choice = StartChoice()
    qtbot.addWidget(choice)
    # the shared file in a Dropbox folder: refused, with the reason; the choice stays open
    cloud = tmp_path / "Dropbox"
    cloud.mkdir()
    shutil.copy(org.path, cloud / "klachten.kdb")
    shutil.copy(str(org.path) + ".keys", str(cloud / "klachten.kdb") + ".keys")
    monkeypatch.setattr(
        start_choice, "choose_database_file", lambda parent: str(cloud / "klachten.kdb")
    )
    qtbot.mouseClick(choice.open_button, Qt.MouseButton.LeftButton)
    assert "conflictkopieën" in shown[0] and choice.choice is None
    # a file without its key file: said so
    lonely = tmp_path / "los.kdb"
    shutil.copy(org.path, lonely)
    monkeypatch.setattr(start_choice, "choose_database_file", lambda parent: str(lonely))
    qtbot.mouseClick(choice.open_button, Qt.MouseButton.LeftButton)
    assert "sleutelbestand" in shown[1]
    # the file on the network share: chosen
    monkeypatch.setattr(start_choice, "choose_database_file", lambda parent: str(org.path))
    with qtbot.waitSignal(choice.accepted):
        qtbot.mouseClick(choice.open_button, Qt.MouseButton.LeftButton)
    assert (choice.choice, choice.path) == (OPEN, Path(org.path))


def test_a_database_on_a_server_is_opened_by_its_address(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(
        start_choice, "show_error", lambda parent, error, title="": shown.append(str(error))
    )
    choice = StartChoice()
    qtbot.addWidget(choice)
    for unsafe, reason in (
        ("postgresql://beheer:geheim@localhost/klachtdesk", "wachtwoord niet in het adres"),
        ("postgresql://db.voorbeeld.nl/klachtdesk", "sslmode=verify-full"),
        ("klachten.kdb", "PostgreSQL-adres"),
    ):
        monkeypatch.setattr(start_choice, "ask_server_address", lambda parent, a=unsafe: a)
        qtbot.mouseClick(choice.server_button, Qt.MouseButton.LeftButton)
        assert reason in shown[-1] and choice.choice is None
    address = "postgresql://db.voorbeeld.nl/klachtdesk?sslmode=verify-full"
    monkeypatch.setattr(start_choice, "ask_server_address", lambda parent: address)
    with qtbot.waitSignal(choice.accepted):
        qtbot.mouseClick(choice.server_button, Qt.MouseButton.LeftButton)
    assert (choice.choice, choice.path) == (OPEN, address)  # logging in as for a file


def test_cancelling_a_way_comes_back_to_the_choice(qtbot, monkeypatch, org):
    """New database: the wizard is cancelled → the choice again; then open the existing
    database: the login is cancelled → the choice again, with a word why; then 'Afsluiten'."""
    answers = iter([(NEW, None), (OPEN, org.path), None])
    said = []

    def exec_choice(self):
        answer = next(answers)
        if answer is None:
            return 0
        self.choice, self.path = answer
        return 1

    monkeypatch.setattr(StartChoice, "exec", exec_choice)
    monkeypatch.setattr(StartChoice, "say", lambda self, text: said.append(text))
    monkeypatch.setattr(SetupWizard, "exec", lambda self: 0)
    logins = []
    monkeypatch.setattr(app, "_login", lambda database: logins.append(database))
    assert app._first_start() is None
    assert logins == [org.path]
    assert said == ["Aanmelden is afgebroken; kies opnieuw hoe u wilt beginnen."]


def test_the_wizard_will_not_make_a_database_over_an_existing_one(qtbot, org, monkeypatch):
    asked = []
    monkeypatch.setattr(
        setup_wizard, "ask_open_existing", lambda parent, path: asked.append(path) or True
    )
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.organisation.fields["org.name"].setText("De Linde")
    for _page in range(4):
        wizard.next()
    admin = wizard.admin
    assert wizard.currentPage() is admin
    admin.username.setText("anna")
    admin.password.setText("een-goed-wachtwoord")
    admin.repeat.setText("een-goed-wachtwoord")
    admin.location.setText(str(org.path))
    before = org.path.read_bytes()
    wizard.next()
    assert asked == [Path(org.path)]
    assert wizard.open_instead == Path(org.path) and wizard.context is None
    assert org.path.read_bytes() == before  # untouched


def test_the_first_user_who_does_everything_can_register_a_complaint(tmp_path, qtbot):
    path = tmp_path / "klein.kdb"
    setup.create_database(
        path, "Vereniging Klein", "livable", "anna", PASSWORD, "Anna",
        admin_roles="beheer,coordinator,balie,manager",
    )  # fmt: skip
    ctx = setup.unlock(path, "anna", PASSWORD)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.new_case_action.isEnabled()
    ctx.db.dispose()


def test_an_action_the_roles_do_not_allow_is_visible_but_disabled_and_says_why(org, qtbot):
    window = MainWindow(org.beheer)  # beheer alone registers no complaints
    qtbot.addWidget(window)
    window.show()
    action = window.new_case_action
    assert action.isVisible() and not action.isEnabled()
    assert "Baliemedewerker of Klachtencoördinator" in action.toolTip()
    clerk = MainWindow(org.balie)
    qtbot.addWidget(clerk)
    assert clerk.new_case_action.isEnabled()


def test_the_choice_is_shown_when_no_database_is_known(monkeypatch, qtbot):
    shown = []

    def first_start():
        shown.append(True)
        return None

    monkeypatch.setattr(app, "_first_start", first_start)
    monkeypatch.setattr(app, "_login", lambda database: pytest_fail("login without a database"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.run(None) == 0
    assert shown == [True]


def pytest_fail(message: str):
    raise AssertionError(message)
