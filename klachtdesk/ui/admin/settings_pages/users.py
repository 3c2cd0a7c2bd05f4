"""Settings page: users, their roles, passwords and whether they may still log in."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.passwords import MIN_LENGTH
from klachtdesk.domain.roles import ROLE_LABELS, Role
from klachtdesk.services.admin import admin_lists, admin_users, setup
from klachtdesk.services.admin.revocation import Revocation
from klachtdesk.ui.admin.password_dialogs import RecoveryCodeMadeDialog
from klachtdesk.ui.admin.settings_pages import (
    ErrorLabel,
    Page,
    attempt,
    fill_table,
    handles_enter,
    intro,
    make_table,
    select_data,
    selected_data,
)
from klachtdesk.ui.common import confirm

ROLE_ORDER = (Role.BALIE, Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR, Role.BEHEER)


def roles_text(roles) -> str:
    return ", ".join(ROLE_LABELS[r] for r in ROLE_ORDER if r in roles)


class RoleBoxes(QWidget):
    """A checkbox per role, with the Dutch role names."""

    def __init__(self, prefix: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes: dict[Role, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, role in enumerate(ROLE_ORDER):
            box = QCheckBox(ROLE_LABELS[role])
            box.setObjectName(f"{prefix}_{role.value}")
            self.boxes[role] = box
            grid.addWidget(box, index // 2, index % 2)

    def roles(self) -> list[Role]:
        return [role for role, box in self.boxes.items() if box.isChecked()]

    def set_roles(self, roles) -> None:
        for role, box in self.boxes.items():
            box.setChecked(role in roles)


def right_aligned(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch()
    for widget in widgets:
        row.addWidget(widget)
    return row


def password_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(200)
    return edit


class UsersPage(Page):
    title = "Gebruikers en rollen"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.users: dict[int, admin_users.UserInfo] = {}
        self.table = make_table(
            "userTable", ["Gebruikersnaam", "Naam", "Rollen", "Status"], stretch=2
        )
        self.table.itemSelectionChanged.connect(self._selected)

        # The selected user.
        self.display_name = QLineEdit()
        self.display_name.setObjectName("userDisplayName")
        self.function = QLineEdit()
        self.function.setObjectName("userFunction")
        self.employee = QComboBox()
        self.employee.setObjectName("userEmployee")
        self.employee.setToolTip(
            "Is deze gebruiker ook medewerker over wie een klacht kan gaan? Dan kan KlachtDesk "
            "voorkomen dat iemand een klacht over zichzelf behandelt."
        )
        self.roles = RoleBoxes("userRole")
        self.update_button = QPushButton("Gegevens en rollen &bijwerken")
        self.update_button.setObjectName("userUpdateButton")
        self.update_button.clicked.connect(self._update)
        self.password = password_edit("userPassword", "nieuw wachtwoord")
        self.password2 = password_edit("userPassword2", "herhaal het wachtwoord")
        handles_enter(self.password2, self._set_password)
        self.password_button = QPushButton("Wachtwoord &instellen")
        self.password_button.setObjectName("userPasswordButton")
        self.password_button.clicked.connect(self._set_password)
        self.toggle_button = QPushButton("De&activeren")
        self.toggle_button.setObjectName("userToggleButton")
        self.toggle_button.clicked.connect(self._toggle)
        self.error = ErrorLabel("userError")
        selected = QGroupBox("Geselecteerde gebruiker")
        selected.setObjectName("selectedUserBox")
        form = QFormLayout(selected)
        form.addRow("&Naam:", self.display_name)
        form.addRow("&Functie:", self.function)
        form.addRow("Is m&edewerker:", self.employee)
        form.addRow("Rollen:", self.roles)
        form.addRow("", right_aligned(self.update_button))
        passwords = QHBoxLayout()
        passwords.addWidget(self.password)
        passwords.addWidget(self.password2)
        form.addRow("Nieuw wachtwoord:", passwords)
        form.addRow("", right_aligned(self.password_button, self.toggle_button))
        form.addRow("", self.error)

        # A new user.
        self.new_username = handles_enter(QLineEdit(), self._add)
        self.new_username.setObjectName("newUsername")
        self.new_username.setPlaceholderText("bijvoorbeeld j.devries")
        self.new_display_name = handles_enter(QLineEdit(), self._add)
        self.new_display_name.setObjectName("newDisplayName")
        self.new_function = handles_enter(QLineEdit(), self._add)
        self.new_function.setObjectName("newFunction")
        self.new_password = password_edit(
            "newPassword", f"ten minste {MIN_LENGTH} tekens, een zin van een paar woorden"
        )
        self.new_password2 = handles_enter(
            password_edit("newPassword2", "herhaal het wachtwoord"), self._add
        )
        self.new_roles = RoleBoxes("newRole")
        self.add_button = QPushButton("Gebruiker &toevoegen")
        self.add_button.setObjectName("newUserAddButton")
        self.add_button.clicked.connect(self._add)
        self.new_error = ErrorLabel("newUserError")
        new = QGroupBox("Nieuwe gebruiker")
        new.setObjectName("newUserBox")
        new_form = QFormLayout(new)
        new_form.addRow("&Gebruikersnaam:", self.new_username)
        new_form.addRow("Naa&m:", self.new_display_name)
        new_form.addRow("F&unctie:", self.new_function)
        new_form.addRow("Wacht&woord:", self.new_password)
        new_form.addRow("&Herhaal wachtwoord:", self.new_password2)
        new_form.addRow("Rollen:", self.new_roles)
        new_form.addRow("", right_aligned(self.add_button))
        new_form.addRow("", self.new_error)

        boxes = QHBoxLayout()
        boxes.addWidget(selected, 1)
        boxes.addWidget(new, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            intro(
                "Iedere gebruiker meldt zich aan met een eigen naam en wachtwoord. Een "
                "gedeactiveerde gebruiker kan niet meer aanmelden; zijn naam blijft bij de "
                "zaken staan. Wijzigingen op deze pagina worden direct opgeslagen."
            )
        )
        layout.addWidget(self.table, 1)
        layout.addLayout(boxes)
        self.refresh()

    # -- list --------------------------------------------------------------------------------
    def refresh(self) -> None:
        users = admin_users.list_users(self.ctx)
        self.users = {u.id: u for u in users}
        rows = []
        for u in users:
            state = "actief" if u.active else "gedeactiveerd"
            if u.is_me:
                state += " (dat bent u)"
            rows.append(([u.username, u.display_name, roles_text(u.roles), state], u.id, u.active))
        fill_table(self.table, rows)
        self.employee.clear()
        self.employee.addItem("(nee)", None)
        for e in admin_lists.list_employees(self.ctx):
            if e.active:
                self.employee.addItem(
                    f"{e.name} ({e.department})" if e.department else e.name, e.id
                )
        self._selected()

    def _current(self) -> admin_users.UserInfo | None:
        return self.users.get(selected_data(self.table))

    def _selected(self) -> None:
        user = self._current()
        for widget in (
            self.display_name,
            self.function,
            self.employee,
            self.roles,
            self.update_button,
            self.password,
            self.password2,
            self.password_button,
            self.toggle_button,
        ):
            widget.setEnabled(user is not None)
        self.error.clear()
        if user is None:
            return
        self.display_name.setText(user.display_name)
        self.function.setText(user.function_title)
        index = self.employee.findData(user.employee_id)
        if index < 0 and user.employee_id is not None:
            self.employee.addItem(user.employee, user.employee_id)
            index = self.employee.count() - 1
        self.employee.setCurrentIndex(max(index, 0))
        self.roles.set_roles(user.roles)
        self.password_button.setEnabled(user.active)
        self.toggle_button.setText("De&activeren" if user.active else "Acti&veren")
        self.toggle_button.setToolTip(
            "" if user.active else "Kies eerst een nieuw wachtwoord (tweemaal) voor deze gebruiker."
        )

    def _done(self, message: str, user_id: int | None) -> None:
        self.refresh()
        if user_id is not None:
            select_data(self.table, user_id)
        self.status.emit(message)

    # -- actions ------------------------------------------------------------------------------
    def _update(self) -> None:
        user = self._current()
        if user is None:
            return
        ok, _ = attempt(
            self, self.error, admin_users.set_user_roles, self.ctx, user.id, self.roles.roles()
        )
        if not ok:
            return
        ok, _ = attempt(
            self,
            self.error,
            admin_users.update_user,
            self.ctx,
            user.id,
            self.display_name.text(),
            self.function.text(),
            self.employee.currentData(),
        )
        if ok:
            self._done(f"De gegevens en rollen van {user.username} zijn bijgewerkt.", user.id)

    def _new_password(self, first: QLineEdit, second: QLineEdit, error: ErrorLabel) -> str | None:
        if first.text() != second.text():
            error.say("De twee wachtwoorden zijn niet gelijk; herhaal het wachtwoord nog eens.")
            second.clear()
            second.setFocus()
            return None
        return first.text()

    def _set_password(self) -> None:
        user = self._current()
        password = self._new_password(self.password, self.password2, self.error)
        if user is None or password is None:
            return
        ok, result = attempt(
            self, self.error, admin_users.reset_password, self.ctx, user.id, password
        )
        if ok:
            self.password.clear()
            self.password2.clear()
            self._done(
                f"{user.display_name} kan nu aanmelden met het nieuwe wachtwoord."
                + self._after_rekey(result, "het oude wachtwoord"),
                user.id,
            )

    def _toggle(self) -> None:
        user = self._current()
        if user is None:
            return
        if not user.active:
            if not self.password.text():
                self.error.say("Kies een nieuw wachtwoord (tweemaal) om de gebruiker te activeren.")
                self.password.setFocus()
                return
            password = self._new_password(self.password, self.password2, self.error)
            if password is None:
                return
            ok, _ = attempt(
                self, self.error, admin_users.reactivate_user, self.ctx, user.id, password
            )
            if ok:
                self.password.clear()
                self.password2.clear()
                self._done(f"{user.display_name} is weer actief en kan aanmelden.", user.id)
            return
        if not confirm(
            self,
            "Gebruiker deactiveren",
            f"{user.display_name} kan daarna niet meer aanmelden. Om de gebruiker later weer "
            "te activeren, kiest u een nieuw wachtwoord.\n\nWilt u doorgaan?",
            yes="Deactiveren",
        ):
            return
        ok, result = attempt(self, self.error, admin_users.deactivate_user, self.ctx, user.id)
        if ok:
            self._done(
                f"{user.display_name} is gedeactiveerd."
                + self._after_rekey(result, "het wachtwoord van deze gebruiker"),
                user.id,
            )

    def _after_rekey(self, result: Revocation, what: str) -> str:
        """What the beheerder must know after the database got a new key (on a server:
        None, the server refuses the old password itself)."""
        if result is None:
            return f" De server weigert {what} vanaf nu." if self.ctx.db.is_server else ""
        text = (
            f" De database is opnieuw versleuteld: {what} opent nu niets meer, ook niet met "
            "een oude kopie van het sleutelbestand."
        )
        if result.need_new_password:
            names = ", ".join(result.need_new_password)
            text += (
                f" Geef ook {names} een nieuw wachtwoord: zij hadden zich sinds de laatste "
                "update van KlachtDesk nog niet aangemeld en kunnen dat nu niet meer."
            )
        if result.new_recovery_code:
            RecoveryCodeMadeDialog(self.ctx, result.new_recovery_code, self).exec()
            text += " Er is ook een nieuwe herstelcode gemaakt; de oude werkt niet meer."
        return text

    def _add(self) -> None:
        password = self._new_password(self.new_password, self.new_password2, self.new_error)
        if password is None:
            return
        username = self.new_username.text()
        ok, _ = attempt(
            self,
            self.new_error,
            setup.add_user,
            self.ctx,
            username,
            self.new_display_name.text(),
            ",".join(r.value for r in self.new_roles.roles()),
            password,
            self.new_function.text(),
        )
        if not ok:
            return
        for edit in (
            self.new_username,
            self.new_display_name,
            self.new_function,
            self.new_password,
            self.new_password2,
        ):
            edit.clear()
        self.new_roles.set_roles(())
        added = next(
            (u for u in admin_users.list_users(self.ctx) if u.username == username.strip().lower()),
            None,
        )
        self._done(
            f"Gebruiker {username.strip().lower()} is toegevoegd en kan nu aanmelden.",
            added.id if added else None,
        )
