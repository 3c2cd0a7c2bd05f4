"""First start: organisation, letterhead, procedure, first beheer user, recovery code."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from klachtdesk.domain.procedures import PRESETS
from klachtdesk.paths import default_database
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.admin import setup
from klachtdesk.services.context import Context
from klachtdesk.ui.admin.password_dialogs import RecoveryCodePanel, recovery_sheet
from klachtdesk.ui.common import call_service, show_error

ORG_FIELDS = (
    ("org.name", "Naam organisatie *"),
    ("org.street", "Adres"),
    ("org.postcode", "Postcode"),
    ("org.city", "Plaats"),
    ("org.phone", "Telefoon"),
    ("org.email", "E-mail"),
    ("org.website", "Website"),
    ("org.kvk", "KvK-nummer"),
)
PROCEDURE_TEXT = {
    "woonpartners": "Eerst bespreken met de medewerker; uitspraak binnen 4 weken; heroverweging "
    "door de directeur-bestuurder binnen 2 weken; daarna de Regionale Geschillencommissie.",
    "livable": "Bevestiging binnen 7 werkdagen; uitspraak binnen 6 weken; herhaling zonder nieuwe "
    "feiten wordt niet in behandeling genomen; tevredenheid navragen; daarna een externe "
    "instantie.",
}


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet("color: #842029;")
    label.setWordWrap(True)
    return label


class WelcomePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Welkom bij KlachtDesk")
        text = QLabel(
            "Er is nog geen klachtendatabase op deze computer. In een paar stappen maakt u er "
            "een aan: de gegevens van uw organisatie, de klachtenregeling die u volgt en de "
            "eerste beheerder.<br><br>Alle gegevens worden versleuteld opgeslagen. Aan het eind "
            "krijgt u een <b>herstelcode</b> die u moet printen en veilig bewaren."
        )
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)


class OrganisationPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Uw organisatie")
        self.setSubTitle("Deze gegevens komen op het briefpapier; u kunt ze later aanpassen.")
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in ORG_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(key.replace(".", "_"))
            self.fields[key] = edit
            form.addRow(label + ":", edit)
        self.error = _error_label("organisationError")
        form.addRow(self.error)
        self.fields["org.name"].textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return bool(self.fields["org.name"].text().strip())


class ProcedurePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Klachtenregeling")
        self.setSubTitle(
            "Kies de regeling die het meest lijkt op de uwe; u kunt termijnen en "
            "regels later aanpassen."
        )
        layout = QVBoxLayout(self)
        self.choices: dict[str, QRadioButton] = {}
        for key, procedure in PRESETS.items():
            button = QRadioButton(procedure.name)
            button.setObjectName(f"procedure_{key}")
            self.choices[key] = button
            explanation = QLabel(PROCEDURE_TEXT[key])
            explanation.setWordWrap(True)
            explanation.setContentsMargins(24, 0, 0, 12)
            layout.addWidget(button)
            layout.addWidget(explanation)
        self.choices["woonpartners"].setChecked(True)
        layout.addStretch(1)

    def chosen(self) -> str:
        return next(key for key, button in self.choices.items() if button.isChecked())


class AdminPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("De eerste beheerder")
        self.setSubTitle("De beheerder maakt later de andere gebruikers aan.")
        form = QFormLayout(self)
        self.full_name = QLineEdit()
        self.full_name.setObjectName("adminName")
        self.username = QLineEdit()
        self.username.setObjectName("adminUsername")
        self.password = QLineEdit()
        self.password.setObjectName("adminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("adminPasswordRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.location = QLineEdit(str(default_database()))
        self.location.setObjectName("databaseLocation")
        browse = QPushButton("&Bladeren…")
        browse.setObjectName("browseLocation")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(browse)
        form.addRow("Volledige naam:", self.full_name)
        form.addRow("Gebruikersnaam:", self.username)
        form.addRow("Wachtwoord (min. 8 tekens):", self.password)
        form.addRow("Herhaal wachtwoord:", self.repeat)
        form.addRow("Databasebestand:", row)
        self.error = _error_label("adminError")
        form.addRow(self.error)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Database opslaan als", self.location.text(), "KlachtDesk-database (*.kdb)"
        )
        if path:
            self.location.setText(path if path.endswith(".kdb") else path + ".kdb")

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self.password.text() != self.repeat.text():
            self.error.setText("De twee wachtwoorden zijn niet gelijk.")
            return False
        wizard: SetupWizard = self.wizard()
        return wizard.create()


class RecoveryPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Uw herstelcode")
        self.setSubTitle("Deze code wordt maar één keer getoond.")
        self.panel = RecoveryCodePanel(self.recovery_sheet, self)
        self.code, self.stored = self.panel.code, self.panel.stored
        self.print_button = self.panel.print_button
        self.panel.stored_changed.connect(lambda _checked: self.completeChanged.emit())
        QVBoxLayout(self).addWidget(self.panel)

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self.panel.set_code(self.wizard().recovery_code or "")

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.stored.isChecked()

    def recovery_sheet(self) -> QTextDocument:
        wizard: SetupWizard = self.wizard()
        return recovery_sheet(
            wizard.recovery_code or "",
            wizard.database_path,
            wizard.created_on,
            wizard.org_values().get("org.name", ""),
        )


class SetupWizard(QWizard):
    """Creates the database; ``context`` is the logged-in beheer user afterwards."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("KlachtDesk — eerste start")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        for button, text in (
            (QWizard.WizardButton.NextButton, "&Volgende >"),
            (QWizard.WizardButton.BackButton, "< V&orige"),
            (QWizard.WizardButton.FinishButton, "&Klaar"),
            (QWizard.WizardButton.CancelButton, "Annuleren"),
        ):
            self.setButtonText(button, text)
        self.context: Context | None = None
        self.recovery_code: str | None = None
        self.database_path: Path | None = None
        self.created_on = None
        self.welcome = WelcomePage()
        self.organisation = OrganisationPage()
        self.procedure = ProcedurePage()
        self.admin = AdminPage()
        self.recovery = RecoveryPage()
        for page in (self.welcome, self.organisation, self.procedure, self.admin, self.recovery):
            self.addPage(page)
        self.resize(640, 480)

    def org_values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.organisation.fields.items()}

    def create(self) -> bool:
        """Create the database once; later visits to the page do nothing."""
        if self.context is not None:
            return True
        admin = self.admin
        values = self.org_values()
        path = Path(admin.location.text().strip())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            created = setup.create_database(
                path,
                values["org.name"],
                self.procedure.chosen(),
                admin.username.text(),
                admin.password.text(),
                admin.full_name.text(),
            )
            self.context = setup.unlock(path, admin.username.text(), admin.password.text())
        except Exception as error:  # noqa: BLE001 - shown at the page, calmly
            admin.error.setText(str(error) if hasattr(error, "exit_code") else "")
            if not hasattr(error, "exit_code"):
                show_error(self, error)
            return False
        details = {k: v for k, v in values.items() if v and k != "org.name"}
        if details:
            call_service(self, settings_service.update_settings, self.context, details)
        self.recovery_code = created.recovery_code
        self.database_path = path
        self.created_on = self.context.today()
        return True
