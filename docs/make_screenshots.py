"""Render the main windows offscreen from a fresh demo database into docs/screenshots/.

    python docs/make_screenshots.py

The offscreen screen is a 1366 × 768 laptop with a 40-pixel taskbar (1366 × 728 free), so
every window takes the size it takes on that laptop.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

_SCREEN = Path(tempfile.mkdtemp()) / "laptop.json"
_SCREEN.write_text(
    json.dumps(
        {
            "screens": [
                {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 728,
                 "logicalDpi": 96, "dpr": 1}
            ]
        }
    )
)  # fmt: skip
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # no remembered layout of this PC

from PySide6.QtWidgets import QApplication  # noqa: E402

from klachtdesk.services import demo  # noqa: E402
from klachtdesk.services.admin import setup  # noqa: E402
from klachtdesk.ui.common import install_dutch  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "demo-koffie-fiets"


def settle(app, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()


def main() -> None:
    app = QApplication(sys.argv)
    install_dutch(app)
    folder = Path(tempfile.mkdtemp())
    path = folder / "demo.kdb"
    demo.create_demo_database(path, "beheer", PASSWORD)

    from klachtdesk.ui.main_window import TAB_CALENDAR, TAB_CASES, TAB_TODAY, MainWindow
    from klachtdesk.ui.start.login import LoginDialog
    from klachtdesk.ui.start.setup_wizard import SetupWizard

    login = LoginDialog(path)
    login.username.setText("coordinator")
    login.show()
    settle(app)
    login.grab().save(str(OUT / "login.png"))

    from klachtdesk.ui.start.start_choice import StartChoice

    choice = StartChoice()
    choice.show()
    settle(app)
    choice.grab().save(str(OUT / "eerste-start-keuze.png"))
    choice.close()

    wizard = SetupWizard()
    wizard.show()
    pages = {
        wizard.organisation: "eerste-start-organisatie",
        wizard.letterhead: "eerste-start-ondertekening",
        wizard.team: "eerste-start-rollen",
        wizard.procedure: "eerste-start-regeling",
    }
    wizard.next()
    wizard.organisation.fields["org.name"].setText("Woonstichting De Linde")
    for field, value in (
        ("org.street", "Lindelaan 1"),
        ("org.postcode", "3511 AA"),
        ("org.city", "Utrecht"),
        ("org.phone", "030 123 45 67"),
        ("org.email", "klachten@delinde.nl"),
    ):
        if field in wizard.organisation.fields:
            wizard.organisation.fields[field].setText(value)
    for _ in range(len(pages) + 2):
        page = wizard.currentPage()
        settle(app)
        if page in pages:
            wizard.grab().save(str(OUT / f"{pages.pop(page)}.png"))
        if not pages:
            break
        wizard.next()
    wizard.close()

    ctx = setup.unlock(path, "coordinator", PASSWORD)
    window = MainWindow(ctx)
    window.show()
    for index, name in (
        (TAB_CASES, "hoofdvenster-zaken"),
        (TAB_TODAY, "hoofdvenster-vandaag"),
        (TAB_CALENDAR, "hoofdvenster-kalender"),
    ):
        window.tabs.setCurrentIndex(index)
        settle(app)
        window.grab().save(str(OUT / f"{name}.png"))
    help_window = window.help.open_page("vandaag.md")
    settle(app)
    help_window.grab().save(str(OUT / "handleiding-vandaag.png"))
    help_window.close()
    window.tabs.setCurrentIndex(TAB_CASES)
    window.cases.search.setText("lekkage")
    window.cases.apply_filter()
    settle(app)
    window.grab().save(str(OUT / "hoofdvenster-zoeken.png"))
    window.locker.lock()
    settle(app)
    window.locker.dialog.grab().save(str(OUT / "vergrendeld.png"))
    director = setup.unlock(path, "directeur", PASSWORD)
    window2 = MainWindow(director)
    window2.show()
    window2.tabs.setCurrentIndex(TAB_CASES)
    settle(app)
    window2.grab().save(str(OUT / "hoofdvenster-directeur.png"))
    window2.tabs.setCurrentIndex(TAB_TODAY)
    settle(app)
    window2.grab().save(str(OUT / "vandaag-directeur.png"))
    case_shots(app, path)
    safety_shots(app, path)
    print(f"screenshots in {OUT}")


def case_shots(app, path: Path) -> None:
    """The case window: an extension (the old term replaced, the notice due on the old date),
    a decision whose letter has not gone out, and a complaint naming a colleague."""
    from klachtdesk.domain.states import Action
    from klachtdesk.domain.validation import ComplaintInput
    from klachtdesk.services.cases import case_activities, cases
    from klachtdesk.ui.cases.case_detail import CaseDetailWindow

    balie = setup.unlock(path, "balie", PASSWORD)
    coordinator = setup.unlock(path, "coordinator", PASSWORD)
    manager = setup.unlock(path, "manager", PASSWORD)
    today = coordinator.today()

    def complaint(**extra) -> str:
        data = {
            "received": (today.replace(day=1)).isoformat(),
            "channel": "telefoon",
            "complainant": {"name": "Sanne de Boer", "street": "Lindelaan 12",
                            "postcode": "3511 AB", "city": "Utrecht"},
            "subject": "Cv-ketel na drie meldingen nog steeds kapot",
            "description": "Sinds september valt de verwarming steeds uit.",
            "category": "Onderhoud en reparaties",
            "discussed_with_employee": True,
            **extra,
        }  # fmt: skip
        return cases.register(balie, ComplaintInput.validated(data, today))

    def shot(ctx, ref: str, name: str) -> None:
        window = CaseDetailWindow(ctx, ref)
        window.show()
        settle(app)
        window.grab().save(str(OUT / f"{name}.png"))
        window.close()

    extended = complaint()
    cases.perform(coordinator, extended, Action.TRIAGE_KLACHT, handler="coordinator")
    case_activities.mark_letter_sent(balie, extended, "ontvangstbevestiging", today, "post")
    due = [d for d in cases.list_cases(coordinator) if d.ref == extended][0]
    new_due = due.open_deadlines["uitspraak"].toordinal() + 21
    from datetime import date

    new_day = date.fromordinal(new_due)
    while new_day.weekday() >= 5:
        new_day = date.fromordinal(new_day.toordinal() + 1)
    case_activities.extend_decision(
        coordinator, extended, new_day, "Wij wachten op het rapport van de installateur."
    )
    shot(coordinator, extended, "zaak-verlengd")
    decided = complaint(subject="Toezegging over schilderwerk niet nagekomen")
    cases.perform(coordinator, decided, Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(
        manager, decided, Action.UITSPRAAK, outcome="gegrond",
        motivation="De toezegging is niet nagekomen.", solution="Wij schilderen in mei.",
    )  # fmt: skip
    shot(coordinator, decided, "zaak-besluit-brief-nog-niet-verstuurd")
    from klachtdesk.ui.letters.letter_dialog import LetterDialog

    letter = LetterDialog(coordinator, decided, None, "uitspraak")
    letter.show()
    settle(app, 20)
    letter.grab().save(str(OUT / "brief-uitspraak.png"))
    letter.close()
    named = complaint(employee="C. Mertens", subject="Onvriendelijk te woord gestaan")
    shot(coordinator, named, "zaak-medewerker-lijkt-collega")


def safety_shots(app, path: Path) -> None:
    """Back-ups: the dialog, the status bar warning, and the restore offered at login."""
    from klachtdesk.services.admin import settings as settings_service
    from klachtdesk.services.safety import backup
    from klachtdesk.ui.main_window import MainWindow
    from klachtdesk.ui.safety.backup_window import BackupDialog
    from klachtdesk.ui.start.login import LoginDialog

    admin = setup.unlock(path, "beheer", PASSWORD)
    backup.make_backup(admin)
    backup.make_backup(admin)
    dialog = BackupDialog(admin)
    dialog.show()
    settle(app)
    dialog.grab().save(str(OUT / "back-ups.png"))
    settings_service.update_settings(admin, {"backup.last_at": "2026-11-10T16:45:00"})
    window = MainWindow(admin)
    window.show()
    settle(app)
    window.statusBar().grab().save(str(OUT / "back-up-waarschuwing.png"))
    admin.db.dispose()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])  # a damaged database
    login = LoginDialog(path)
    login.username.setText("beheer")
    login.password.setText(PASSWORD)
    login.show()
    login.try_login()
    settle(app)
    login.grab().save(str(OUT / "login-beschadigd.png"))
    login.open_restore()
    settle(app)
    login.restore_dialog.grab().save(str(OUT / "back-up-terugzetten.png"))


if __name__ == "__main__":
    main()
