"""First start: organisation, letterhead, procedure, first beheer user, recovery code."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.passwords import MIN_LENGTH
from klachtdesk.domain.procedures import PRESETS
from klachtdesk.domain.roles import Role
from klachtdesk.paths import default_database
from klachtdesk.services.admin import admin as admin_service
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.admin import setup
from klachtdesk.services.context import Context
from klachtdesk.ui.admin.password_dialogs import RecoveryCodePanel, recovery_sheet
from klachtdesk.ui.common import call_service, fit_to_screen, show_error

# The letterhead fields, labelled as in Instellingen (so a message names the field as shown).
ORG_FIELDS = tuple(
    (key, settings_service.BY_KEY[key].label + (" *" if key == "org.name" else ""))
    for key in (
        "org.name",
        "org.street",
        "org.postcode",
        "org.city",
        "org.phone",
        "org.email",
        "org.website",
        "org.kvk",
    )
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
            "een aan: de gegevens van uw organisatie voor het briefpapier, wie de brieven "
            "ondertekent, de klachtenregeling die u volgt, wie wat doet en de eerste "
            "beheerder.<br><br>Alle gegevens worden versleuteld opgeslagen. Aan het eind "
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

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """The letterhead is checked as a complainant's data is, and shown as it will print."""
        for key, edit in self.fields.items():
            try:
                value = settings_service.coerce(key, edit.text())
            except ValidationError as error:
                self.error.setText(str(error))
                edit.setFocus()
                edit.selectAll()
                return False
            edit.setText(value)
        self.error.clear()
        return True


class LetterheadPage(QWizardPage):
    """Who signs the letters, and the logo on the letterhead (both can change later)."""

    def __init__(self):
        super().__init__()
        self.setTitle("Ondertekening en logo")
        self.setSubTitle(
            "Wie ondertekent de brieven aan klagers, en welk logo staat op het briefpapier? "
            "U kunt dit later aanpassen bij Instellingen."
        )
        form = QFormLayout(self)
        self.signature_name = QLineEdit()
        self.signature_name.setObjectName("signatureName")
        self.signature_name.setPlaceholderText("bijvoorbeeld Carla Mertens")
        self.signature_function = QLineEdit()
        self.signature_function.setObjectName("signatureFunction")
        self.signature_function.setPlaceholderText("bijvoorbeeld Klachtencoördinator")
        self.logo: bytes | None = None
        self.logo_preview = QLabel("Geen logo gekozen.")
        self.logo_preview.setObjectName("logoPreview")
        self.logo_preview.setMinimumHeight(60)
        choose = QPushButton("&Logo kiezen…")
        choose.setObjectName("chooseLogo")
        choose.clicked.connect(self._choose_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview, 1)
        logo_row.addWidget(choose)
        form.addRow("&Naam ondertekenaar:", self.signature_name)
        form.addRow("&Functie:", self.signature_function)
        form.addRow("Logo (PNG of JPEG):", logo_row)
        self.error = _error_label("letterheadError")
        form.addRow(self.error)

    def _choose_logo(self) -> None:
        path = choose_logo_file(self)
        if not path:
            return
        try:
            data = Path(path).read_bytes()
            admin_service.encode_logo(data)  # the same check as the settings
        except (OSError, ValidationError) as error:
            self.error.setText(str(error) if isinstance(error, ValidationError) else str(path))
            return
        self.error.clear()
        self.logo = data
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.logo_preview.setPixmap(pixmap.scaledToHeight(56, Qt.SmoothTransformation))

    def values(self) -> dict[str, str]:
        return {
            "letters.signature_name": self.signature_name.text().strip(),
            "letters.signature_function": self.signature_function.text().strip(),
        }


def choose_logo_file(parent) -> str:
    """The file dialog for the logo (a module-level function: tests replace it)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Logo kiezen", "", "Afbeeldingen (*.png *.jpg *.jpeg)"
    )
    return path


# Who the first user is, in a small team or a larger office (SPEC §1).
EVERYTHING = (Role.BEHEER, Role.COORDINATOR, Role.BALIE, Role.MANAGER)
TEAM_CHOICES = (
    (
        "alles",
        "Ik doe alles",
        "Voor een kleine vereniging: u registreert klachten, behandelt en beslist ze, en houdt "
        "KlachtDesk bij (beheer, klachtencoördinator, baliemedewerker en manager). Voor de "
        "directeur-bestuurder maakt u later een eigen gebruiker.",
    ),
    (
        "beheer",
        "Ik ben alleen de beheerder",
        "Voor een groter kantoor: u houdt KlachtDesk bij en maakt daarna gebruikers aan voor "
        "de balie, de klachtencoördinator, de managers en de directeur-bestuurder. Zelf "
        "registreert of behandelt u geen klachten.",
    ),
    (
        "zelf",
        "Zelf kiezen",
        "U bent beheerder en kiest hieronder welke andere rollen u zelf vervult.",
    ),
)


class RolesPage(QWizardPage):
    """Who does what: 'Ik doe alles' for a small team, or separate roles."""

    def __init__(self):
        super().__init__()
        self.setTitle("Wie doet wat?")
        self.setSubTitle(
            "Iedereen meldt zich aan met een eigen naam. Wat iemand mag, hangt af van zijn "
            "rollen; u kunt rollen later wijzigen bij Instellingen → Gebruikers."
        )
        layout = QVBoxLayout(self)
        self.choices: dict[str, QRadioButton] = {}
        for key, text, explanation in TEAM_CHOICES:
            button = QRadioButton(text)
            button.setObjectName(f"team_{key}")
            button.toggled.connect(self._update)
            self.choices[key] = button
            label = QLabel(explanation)
            label.setWordWrap(True)
            label.setContentsMargins(24, 0, 0, 8)
            layout.addWidget(button)
            layout.addWidget(label)
        self.role_boxes: dict[Role, QCheckBox] = {}
        boxes = QHBoxLayout()
        boxes.setContentsMargins(24, 0, 0, 0)
        for role in (Role.BALIE, Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR):
            box = QCheckBox(role.label)
            box.setObjectName(f"role_{role.value}")
            self.role_boxes[role] = box
            boxes.addWidget(box)
        boxes.addStretch(1)
        layout.addLayout(boxes)
        layout.addStretch(1)
        self.choices["alles"].setChecked(True)

    def _update(self) -> None:
        own = self.choices["zelf"].isChecked()
        for box in self.role_boxes.values():
            box.setEnabled(own)

    def roles(self) -> frozenset[Role]:
        if self.choices["alles"].isChecked():
            return frozenset(EVERYTHING)
        if self.choices["beheer"].isChecked():
            return frozenset({Role.BEHEER})
        return frozenset(
            {Role.BEHEER, *(r for r, box in self.role_boxes.items() if box.isChecked())}
        )


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
        form.addRow(f"Wachtwoord (min. {MIN_LENGTH} tekens):", self.password)
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
        path = Path(self.location.text().strip())
        if wizard.context is None and setup.database_exists(path):
            if ask_open_existing(self, path):
                wizard.open_instead = path
                wizard.reject()
            else:
                self.error.setText(
                    "Er staat al een database in dit bestand; KlachtDesk overschrijft die "
                    "niet. Kies een andere bestandsnaam of map."
                )
            return False
        return wizard.create()


def ask_open_existing(parent, path: Path) -> bool:
    """There is a database at ``path`` already: open it instead of making a new one?"""
    box = QMessageBox(parent)
    box.setObjectName("openExistingQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Er is al een database")
    box.setText(
        f"In '{path}' staat al een KlachtDesk-database. KlachtDesk maakt er geen nieuwe "
        "overheen.\n\nWilt u deze database openen en u aanmelden?"
    )
    open_button = box.addButton("Database &openen", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Andere plaats kiezen", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button)
    box.exec()
    return box.clickedButton() is open_button


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
        self.open_instead: Path | None = None  # the chosen file existed: log in to it
        self.recovery_code: str | None = None
        self.database_path: Path | None = None
        self.created_on = None
        self.welcome = WelcomePage()
        self.organisation = OrganisationPage()
        self.letterhead = LetterheadPage()
        self.procedure = ProcedurePage()
        self.team = RolesPage()
        self.admin = AdminPage()
        self.recovery = RecoveryPage()
        for page in (
            self.welcome,
            self.organisation,
            self.letterhead,
            self.procedure,
            self.team,
            self.admin,
            self.recovery,
        ):
            self.addPage(page)
        fit_to_screen(self, 720, 520)

    def org_values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.organisation.fields.items()}

    def create(self) -> bool:
        """Create the database once; later visits to the page do nothing."""
        if self.context is not None:
            return True
        admin = self.admin  # the page (not the service module admin_service)
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
                admin_roles=",".join(r.value for r in self.team.roles()),
            )
            self.context = setup.unlock(path, admin.username.text(), admin.password.text())
        except Exception as error:  # noqa: BLE001 - shown at the page, calmly
            admin.error.setText(str(error) if hasattr(error, "exit_code") else "")
            if not hasattr(error, "exit_code"):
                show_error(self, error)
            return False
        details = {k: v for k, v in values.items() if v and k != "org.name"}
        details.update({k: v for k, v in self.letterhead.values().items() if v})
        logo = self.letterhead.logo if self.letterhead.logo is not None else admin_service.KEEP
        if details or self.letterhead.logo is not None:
            call_service(self, admin_service.save_settings, self.context, details, logo)
        self.recovery_code = created.recovery_code
        self.database_path = path
        self.created_on = self.context.today()
        return True
