"""Passwords and the recovery code: change one's password, recover with the code, new code.

The recovery code is shown once and can be printed; the first-start wizard uses the same
sheet and printing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.passwords import MIN_LENGTH
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.admin import setup
from klachtdesk.services.context import Context
from klachtdesk.storage.errors import TooManyAttempts
from klachtdesk.ui.common import show_error, wait_of

ERROR_STYLE = "color: #842029;"
RECOVERY_EXPLANATION = (
    "Met de herstelcode komt de beheerder weer bij de gegevens als alle wachtwoorden "
    "vergeten zijn. Print de code of schrijf haar over en bewaar haar op een veilige plek, "
    "bijvoorbeeld in de kluis. Wie de code heeft, kan de database openen: deel haar met niemand."
)
STORED_TEXT = "Ik heb de herstelcode geprint of opgeschreven en veilig bewaard."


# -- the recovery sheet (also used by the first-start wizard) ---------------------------------
def recovery_sheet(
    code: str, database: Path | str | None, made_on: date | None, org_name: str = ""
) -> QTextDocument:
    """The page to print and keep in a safe place."""
    lines = []
    if org_name:
        lines.append(f"Organisatie: {html.escape(org_name)}")
    if database:
        lines.append(f"Database: {html.escape(str(database))}")
    if made_on:
        lines.append(f"Aangemaakt op: {long_date(made_on)}")
    document = QTextDocument()
    document.setHtml(
        "<h1>KlachtDesk — herstelcode</h1>"
        f"<p>{'<br>'.join(lines)}</p>"
        f"<p style='font-size:20pt; font-family:monospace'><b>{html.escape(code)}</b></p>"
        "<p>Bewaar dit blad op een veilige plek. Met deze code kan de beheerder de database "
        "openen als alle wachtwoorden vergeten zijn. Na gebruik maakt KlachtDesk een nieuwe "
        "code; deze code werkt dan niet meer.</p>"
    )
    return document


def print_recovery_sheet(parent: QWidget, document: QTextDocument) -> bool:
    """Ask for a printer and print the sheet; False when the user cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Herstelcode printen")
    if not dialog.exec():
        return False
    document.print_(printer)
    return True


class RecoveryCodePanel(QWidget):
    """Shows a new recovery code once, with Print and a 'kept safely' check box."""

    stored_changed = Signal(bool)

    def __init__(self, sheet: Callable[[], QTextDocument], parent: QWidget | None = None):
        super().__init__(parent)
        self._sheet = sheet
        self.code = QLabel()
        self.code.setObjectName("recoveryCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setPointSize(16)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        explanation = QLabel(RECOVERY_EXPLANATION)
        explanation.setWordWrap(True)
        self.print_button = QPushButton("&Printen…")
        self.print_button.setObjectName("printRecovery")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(lambda: print_recovery_sheet(self, self._sheet()))
        self.stored = QCheckBox(STORED_TEXT)
        self.stored.setObjectName("recoveryStored")
        self.stored.toggled.connect(self.stored_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.code)
        layout.addWidget(explanation)
        layout.addWidget(self.print_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        layout.addWidget(self.stored)

    def set_code(self, code: str) -> None:
        self.code.setText(code)
        self.stored.setChecked(False)


# -- shared pieces ----------------------------------------------------------------------------
def _password_field(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


class _GuardedDialog(QDialog):
    """A dialog that tries a service call, shows Dutch errors inline and slows down guessing."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setModal(True)
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.setTimerType(Qt.TimerType.PreciseTimer)  # never before the service allows
        self.action_button: QPushButton | None = None
        self.message: QLabel | None = None
        self._wait.timeout.connect(self._waited)

    def _waited(self) -> None:
        if self.action_button is not None:
            self.action_button.setEnabled(True)

    def _attempt(self, func: Callable, *args, **kwargs):
        """The service's result, or None after showing why it failed."""
        self.message.clear()
        try:
            result = func(*args, **kwargs)
        except KlachtDeskError as error:
            delay = wait_of(error)
            extra = f" Wacht {delay} seconden voor de volgende poging." if delay else ""
            self.message.setText(str(error) + ("" if isinstance(error, TooManyAttempts) else extra))
            if delay:
                self.action_button.setEnabled(False)
                self._wait.start(delay * 1000)
            return None
        except Exception as error:  # noqa: BLE001 - a calm dialog, never a traceback
            show_error(self, error)
            return None
        return result


def _buttons(ok_text: str, ok_name: str, cancel_name: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox()
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName(ok_name)
    ok.setDefault(True)
    cancel = box.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setObjectName(cancel_name)
    return box, ok


def _fields_page(
    intro: QLabel,
    form: QFormLayout,
    message: QLabel,
    buttons: QDialogButtonBox,
    *extra: QWidget,
) -> QWidget:
    """The first page of the recovery dialogs: text, fields, extras, message, buttons."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(intro)
    layout.addLayout(form)
    for widget in extra:
        layout.addWidget(widget)
    layout.addWidget(message)
    layout.addStretch(1)
    layout.addWidget(buttons)
    return page


def _done_page(
    panel: RecoveryCodePanel, intro: str, close_text: str, close_name: str
) -> tuple[QWidget, QPushButton]:
    page = QWidget()
    text = QLabel(intro)
    text.setWordWrap(True)
    text.setTextFormat(Qt.TextFormat.RichText)
    close = QPushButton(close_text)
    close.setObjectName(close_name)
    close.setEnabled(False)
    close.setDefault(True)
    panel.stored_changed.connect(close.setEnabled)
    box = QDialogButtonBox()
    box.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(text)
    layout.addWidget(panel, 1)
    layout.addWidget(box)
    return page, close


# -- change one's own password ----------------------------------------------------------------
class ChangePasswordDialog(_GuardedDialog):
    """The logged-in user chooses a new password (old one first); the data is not touched."""

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle("Wachtwoord wijzigen")
        self.old = _password_field("oldPassword")
        self.new = _password_field("newPassword")
        self.repeat = _password_field("repeatPassword")
        self.message = _message_label("passwordMessage")
        intro = QLabel(
            f"<h3>Wachtwoord wijzigen</h3>Aangemeld als <b>{html.escape(ctx.actor.display_name)}"
            "</b>. Vul eerst uw huidige wachtwoord in en kies dan een nieuw wachtwoord van ten "
            f"minste {MIN_LENGTH} tekens. Het nieuwe wachtwoord geldt direct, ook op "
            "andere computers."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("H&uidig wachtwoord:", self.old)
        form.addRow("&Nieuw wachtwoord:", self.new)
        form.addRow("&Herhaal nieuw wachtwoord:", self.repeat)
        buttons, self.action_button = _buttons(
            "&Wachtwoord wijzigen", "changePasswordButton", "changePasswordCancel"
        )
        buttons.accepted.connect(self.change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.old.setFocus()

    def change(self) -> None:
        if self.new.text() != self.repeat.text():
            self.message.setText("De twee nieuwe wachtwoorden zijn niet gelijk.")
            self.repeat.clear()
            self.repeat.setFocus()
            return
        done = self._attempt(
            lambda: setup.change_password(self._ctx, self.old.text(), self.new.text()) or True
        )
        if done:
            self.accept()
        else:
            self.old.clear()
            self.old.setFocus()


# -- recovery with the code (from the login dialog) -------------------------------------------
RECOVERY_INTRO = (
    "<h3>Wachtwoord vergeten?</h3>"
    "<p>Niemand kan uw wachtwoord terugzien, ook de beheerder niet: daardoor zijn de "
    "gegevens veilig. <b>Bent u geen beheerder?</b> Vraag dan de beheerder van KlachtDesk om "
    "u een nieuw wachtwoord te geven.</p>"
    "<p>Is de beheerder zelf het wachtwoord kwijt, dan gebruikt de beheerder de "
    "<b>herstelcode</b>: de code van acht groepen van vier tekens die bij het aanmaken van de "
    "database is getoond en geprint. Daarmee kiest de beheerder een nieuw wachtwoord. De "
    "herstelcode is daarna opgebruikt: u krijgt meteen een nieuwe om te printen.</p>"
)


class RecoveryDialog(_GuardedDialog):
    """A beheerder regains access with the recovery code and gets a new code to keep.

    After ``accepted``, ``username`` is the beheerder who can now log in with the new password.
    """

    def __init__(self, database: Path | str, parent: QWidget | None = None, username: str = ""):
        super().__init__(parent)
        self.database = Path(database)
        self.username: str | None = None
        self.new_code: str | None = None
        self._made_on: date | None = None
        self.setObjectName("recoveryDialog")
        self.setWindowTitle("Wachtwoord vergeten — herstelcode gebruiken")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page(username))
        self.panel = RecoveryCodePanel(self._sheet)
        done, self.done_button = _done_page(
            self.panel,
            "<h3>Uw nieuwe herstelcode</h3><p>Het nieuwe wachtwoord is ingesteld. De oude "
            "herstelcode werkt niet meer; bewaar deze nieuwe code in plaats van de oude. Deze "
            "code wordt maar één keer getoond.</p>",
            "&Sluiten en aanmelden",
            "recoveryDone",
        )
        self.done_button.clicked.connect(self.accept)
        self.pages.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumWidth(560)

    def _form_page(self, username: str) -> QWidget:
        intro = QLabel(RECOVERY_INTRO)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.code = QLineEdit()
        self.code.setObjectName("recoveryCodeInput")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.user = QLineEdit(username)
        self.user.setObjectName("recoveryUsername")
        self.new = _password_field("recoveryPassword")
        self.repeat = _password_field("recoveryPasswordRepeat")
        self.message = _message_label("recoveryMessage")
        form = QFormLayout()
        form.addRow("Her&stelcode:", self.code)
        form.addRow("&Gebruikersnaam beheerder:", self.user)
        form.addRow(f"&Nieuw wachtwoord (min. {MIN_LENGTH} tekens):", self.new)
        form.addRow("&Herhaal nieuw wachtwoord:", self.repeat)
        database = QLabel(f"Database: {self.database}")
        database.setObjectName("recoveryDatabase")
        database.setWordWrap(True)
        database.setStyleSheet("color: #555;")
        buttons, self.action_button = _buttons(
            "Nieuw &wachtwoord instellen", "recoverButton", "recoveryCancel"
        )
        buttons.accepted.connect(self.recover)
        buttons.rejected.connect(self.reject)
        return _fields_page(intro, form, self.message, buttons, database)

    def recover(self) -> None:
        if self.new.text() != self.repeat.text():
            self.message.setText("De twee nieuwe wachtwoorden zijn niet gelijk.")
            self.repeat.clear()
            self.repeat.setFocus()
            return
        code = self._attempt(
            setup.recover_with_code,
            self.database,
            self.code.text(),
            self.user.text(),
            self.new.text(),
        )
        if code is None:
            return
        self.username = setup.check_username(self.user.text())
        self.new_code = code
        self._made_on = date.today()
        for edit in (self.code, self.new, self.repeat):
            edit.clear()
        self.panel.set_code(code)
        self.pages.setCurrentIndex(1)

    def _sheet(self) -> QTextDocument:
        return recovery_sheet(self.new_code or "", self.database, self._made_on)

    def reject(self) -> None:
        """Once the new code is shown it may only be closed after confirming it is kept."""
        if self.new_code is None:
            super().reject()


# -- a new recovery code on request (beheer) --------------------------------------------------
class NewRecoveryCodeDialog(_GuardedDialog):
    """The beheerder replaces the recovery code (lost sheet, a colleague left): password first."""

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.new_code: str | None = None
        self.setObjectName("newRecoveryCodeDialog")
        self.setWindowTitle("Nieuwe herstelcode maken")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page())
        self.panel = RecoveryCodePanel(self._sheet)
        done, self.done_button = _done_page(
            self.panel,
            "<h3>Uw nieuwe herstelcode</h3><p>De oude herstelcode werkt vanaf nu niet meer; "
            "vernietig het oude blad. Deze code wordt maar één keer getoond.</p>",
            "&Sluiten",
            "newCodeDone",
        )
        self.done_button.clicked.connect(self.accept)
        self.pages.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumWidth(560)

    def _form_page(self) -> QWidget:
        intro = QLabel(
            "<h3>Nieuwe herstelcode maken</h3><p>Doe dit als het blad met de herstelcode kwijt "
            "is of als iemand die de code kent niet meer bij de organisatie werkt. De huidige "
            "herstelcode werkt daarna niet meer.</p><p>Vul ter bevestiging uw eigen wachtwoord "
            "in.</p>"
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.password = _password_field("newCodePassword")
        self.message = _message_label("newCodeMessage")
        form = QFormLayout()
        form.addRow("&Uw wachtwoord:", self.password)
        buttons, self.action_button = _buttons(
            "Nieuwe &herstelcode maken", "makeRecoveryCode", "newCodeCancel"
        )
        buttons.accepted.connect(self.make_code)
        buttons.rejected.connect(self.reject)
        return _fields_page(intro, form, self.message, buttons)

    def make_code(self) -> None:
        code = self._attempt(setup.replace_recovery_code, self._ctx, self.password.text())
        self.password.clear()
        if code is None:
            return
        self.new_code = code
        self.panel.set_code(code)
        self.pages.setCurrentIndex(1)

    def _sheet(self) -> QTextDocument:
        try:
            org_name = settings_service.get_settings(self._ctx).get("org.name", "")
        except KlachtDeskError:
            org_name = ""
        return recovery_sheet(
            self.new_code or "", self._ctx.db.path, self._ctx.today(), str(org_name)
        )

    def reject(self) -> None:
        """Once the new code is shown it may only be closed after confirming it is kept."""
        if self.new_code is None:
            super().reject()


class RecoveryCodeMadeDialog(_GuardedDialog):
    """A re-key had to replace a recovery code from an earlier version: show the new one
    once, to print, before the beheerder goes on."""

    def __init__(self, ctx: Context, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.new_code = code
        self.setObjectName("recoveryCodeMadeDialog")
        self.setWindowTitle("Nieuwe herstelcode")
        self.panel = RecoveryCodePanel(self._sheet)
        self.panel.set_code(code)
        page, self.done_button = _done_page(
            self.panel,
            "<h3>Nieuwe herstelcode</h3><p>De database is opnieuw versleuteld. De herstelcode "
            "van uw organisatie was nog van een eerdere versie van KlachtDesk en kon de nieuwe "
            "sleutel niet krijgen; dit is de nieuwe. Print haar en vernietig het oude blad. "
            "Deze code wordt maar één keer getoond.</p>",
            "&Sluiten",
            "madeCodeDone",
        )
        self.done_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(page)
        self.setMinimumWidth(560)

    def _sheet(self) -> QTextDocument:
        try:
            org_name = settings_service.get_settings(self._ctx).get("org.name", "")
        except KlachtDeskError:
            org_name = ""
        return recovery_sheet(self.new_code, self._ctx.db.path, self._ctx.today(), str(org_name))

    def reject(self) -> None:
        """Closed only after confirming the code is kept (Escape does nothing before)."""
        if self.panel.stored.isChecked():
            super().reject()
