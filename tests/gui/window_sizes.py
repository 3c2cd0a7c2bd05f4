"""Open every top-level window and dialog on a screen of 1366 × 728 free pixels (a 1366 × 768
laptop with a 40-pixel taskbar) and report their sizes. Run by test_window_sizes.py in a
process of its own, because the screen is chosen when Qt starts:

    QT_QPA_PLATFORM=offscreen:configfile=… python -m tests.gui.window_sizes FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget

from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.services.letters import letters
from klachtdesk.storage import keyslots
from klachtdesk.ui.common import install_dutch
from tests.conftest import TODAY, complaint_data, make_org


def measure(name: str, widget: QWidget, found: dict, *keep: QWidget) -> None:
    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    frame = widget.frameGeometry()
    minimum = widget.minimumSizeHint()
    reachable = all(
        widget.rect().contains(child.mapTo(widget, child.rect().bottomRight())) for child in keep
    )
    found[name] = {
        "width": frame.width(),
        "height": frame.height(),
        "min_width": minimum.width(),
        "min_height": minimum.height(),
        "buttons_inside": reachable,
    }
    widget.close()
    # Deleted now, while the application lives: left to the interpreter's exit, PySide 6.12
    # destroys windows in any order, and a signal's lambda that holds the last reference to
    # another window then deletes that one inside the first one's destructor (a crash at exit,
    # seen on Python 3.13). The application itself closes its windows the same way.
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def main(folder: Path) -> None:
    keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1
    app = QApplication(sys.argv)
    install_dutch(app)
    org = make_org(folder)
    from klachtdesk.ui.admin.password_dialogs import (
        ChangePasswordDialog,
        NewRecoveryCodeDialog,
        RecoveryDialog,
    )
    from klachtdesk.ui.admin.settings_dialog import SettingsDialog
    from klachtdesk.ui.cases.case_actions import FormDialog, action_form
    from klachtdesk.ui.cases.case_detail import CaseDetailWindow
    from klachtdesk.ui.help_window import HelpWindow
    from klachtdesk.ui.intake.intake_wizard import IntakeWizard
    from klachtdesk.ui.letters.letter_dialog import LetterDialog
    from klachtdesk.ui.letters.letter_viewer import LetterViewer
    from klachtdesk.ui.main_window import MainWindow
    from klachtdesk.ui.report_window import ReportWindow
    from klachtdesk.ui.safety.audit_log_window import AuditLogWindow
    from klachtdesk.ui.safety.backup_window import BackupDialog
    from klachtdesk.ui.safety.privacy_window import PrivacyWindow
    from klachtdesk.ui.safety.restore_dialog import RestoreDialog
    from klachtdesk.ui.start.lock import LockDialog
    from klachtdesk.ui.start.login import LoginDialog
    from klachtdesk.ui.start.setup_wizard import SetupWizard
    from klachtdesk.ui.start.start_choice import StartChoice

    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    case_activities.record(
        org.coordinator, ref, Activity.HOORGESPREK, "Een lang verslag. " * 80, held_on=TODAY
    )
    letter_id = letters.finalise(
        org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"), "post"
    )
    everything = org.beheer  # settings, audit log, privacy, back-ups
    found: dict = {}
    measure("aanmelden", LoginDialog(org.path), found)
    measure("eerste start: keuze", StartChoice(), found)
    wizard = SetupWizard()
    measure("eerste start: wizard", wizard, found, wizard.button(wizard.WizardButton.NextButton))
    window = MainWindow(org.coordinator)
    measure("hoofdvenster", window, found)
    detail = CaseDetailWindow(org.coordinator, ref)
    form = FormDialog(
        None,
        action_form(
            Action.UITSPRAAK,
            detail.detail,
            detail.choices(),
            TODAY,
        ),
        lambda values: True,
    )
    measure("zaak", detail, found, detail.message)
    dialog = LetterDialog(org.coordinator, ref, None, "uitnodiging_hoorgesprek")
    measure(
        "brief maken",
        dialog,
        found,
        dialog.finalise_button,
        dialog.print_button,
        dialog.close_button,
    )
    measure("brief bekijken", LetterViewer(org.coordinator, letter_id), found)
    intake = IntakeWizard(org.balie)
    measure("nieuwe klacht", intake, found, intake.button(intake.WizardButton.NextButton))
    measure("uitspraak vastleggen", form, found, form.ok_button)
    measure("instellingen", SettingsDialog(everything), found)
    measure("evaluatierapport", ReportWindow(org.coordinator), found)
    measure("auditlog", AuditLogWindow(everything), found)
    measure("privacy", PrivacyWindow(everything), found)
    measure("back-ups", BackupDialog(everything), found)
    measure("back-up terugzetten", RestoreDialog(org.path), found)
    measure("wachtwoord wijzigen", ChangePasswordDialog(org.coordinator), found)
    measure("wachtwoord vergeten", RecoveryDialog(org.path), found)
    measure("nieuwe herstelcode", NewRecoveryCodeDialog(everything), found)
    measure("vergrendeld", LockDialog(org.coordinator), found)
    measure("handleiding", HelpWindow(lambda: "<p>Sneltoetsen</p>"), found)
    print(json.dumps(found))
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
