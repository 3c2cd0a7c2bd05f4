"""Settings pages for the lists: categories, departments and employees (saved at once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.services.admin import admin_lists
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

IMMEDIATE = "Wijzigingen op deze pagina worden direct opgeslagen."


def active_text(active: bool) -> str:
    return "actief" if active else "gedeactiveerd"


def cases_text(count: int) -> str:
    return "geen" if not count else str(count)


@dataclass(frozen=True)
class NameListServices:
    noun: str  # "categorie"
    list: Callable
    add: Callable
    rename: Callable
    set_active: Callable
    remove: Callable | None = None


class NameListEditor(QWidget):
    """A list of names (categories, departments): add, rename, (de)activate, remove."""

    status = Signal(str)
    changed = Signal()

    def __init__(self, ctx, prefix: str, services: NameListServices, add_text: str = "&Toevoegen"):
        super().__init__()
        self.ctx, self.services, self.items = ctx, services, {}
        self.table = make_table(prefix + "Table", ["Naam", "Status", "Zaken"])
        self.table.itemSelectionChanged.connect(self._selected)
        self.name = handles_enter(QLineEdit(), self._add)
        self.name.setObjectName(prefix + "Name")
        self.name.setMaxLength(200)
        self.name.setPlaceholderText(f"Naam van de {services.noun}")
        self.add_button = self._button(prefix + "AddButton", add_text, self._add)
        self.rename_button = self._button(prefix + "RenameButton", "Naam &wijzigen", self._rename)
        self.toggle_button = self._button(prefix + "ToggleButton", "&Deactiveren", self._toggle)
        self.remove_button = None
        if services.remove is not None:
            self.remove_button = self._button(prefix + "RemoveButton", "&Verwijderen", self._remove)
        self.error = ErrorLabel(prefix + "Error")
        buttons = QHBoxLayout()
        buttons.addWidget(self.name, 1)
        for button in (self.add_button, self.rename_button, self.toggle_button):
            buttons.addWidget(button)
        if self.remove_button:
            buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.refresh()

    def _button(self, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        items = self.services.list(self.ctx)
        self.items = {item.id: item for item in items}
        fill_table(
            self.table,
            [([i.name, active_text(i.active), cases_text(i.cases)], i.id, i.active) for i in items],
        )
        self._selected()

    def _current(self):
        return self.items.get(selected_data(self.table))

    def _selected(self) -> None:
        item = self._current()
        self.rename_button.setEnabled(item is not None)
        self.toggle_button.setEnabled(item is not None)
        self.toggle_button.setText("&Activeren" if item and not item.active else "&Deactiveren")
        if self.remove_button:
            self.remove_button.setEnabled(item is not None and item.cases == 0)
            self.remove_button.setToolTip(
                "Een categorie die in zaken wordt gebruikt, kunt u alleen deactiveren."
                if item and item.cases
                else ""
            )
        if item is not None:
            self.name.setText(item.name)

    def _done(self, message: str, select=None) -> None:
        self.refresh()
        if select is not None:
            select_data(self.table, select)
        self.status.emit(message)
        self.changed.emit()

    def _add(self) -> None:
        ok, new_id = attempt(self, self.error, self.services.add, self.ctx, self.name.text())
        if ok:
            name = self.name.text().strip()
            self.table.clearSelection()
            self.name.clear()
            self._done(f"{self.services.noun.capitalize()} '{name}' is toegevoegd.", new_id)

    def _rename(self) -> None:
        item = self._current()
        if item is None:
            return
        ok, _ = attempt(self, self.error, self.services.rename, self.ctx, item.id, self.name.text())
        if ok:
            self._done(f"De naam is gewijzigd in '{self.name.text().strip()}'.", item.id)

    def _toggle(self) -> None:
        item = self._current()
        if item is None:
            return
        ok, _ = attempt(
            self, self.error, self.services.set_active, self.ctx, item.id, not item.active
        )
        if ok:
            noun = self.services.noun.capitalize()
            if item.active:
                message = (
                    f"{noun} '{item.name}' is gedeactiveerd; bestaande zaken behouden deze "
                    f"{self.services.noun}."
                )
            else:
                message = f"{noun} '{item.name}' is weer actief."
            self._done(message, item.id)

    def _remove(self) -> None:
        item = self._current()
        if item is None or self.services.remove is None:
            return
        ok, _ = attempt(self, self.error, self.services.remove, self.ctx, item.id)
        if ok:
            self.name.clear()
            self._done(f"{self.services.noun.capitalize()} '{item.name}' is verwijderd.")


class CategoriesPage(Page):
    title = "Categorieën"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.editor = NameListEditor(
            ctx,
            "category",
            NameListServices(
                "categorie",
                admin_lists.list_categories,
                admin_lists.add_category,
                admin_lists.rename_category,
                admin_lists.set_category_active,
                admin_lists.remove_category,
            ),
        )
        self.editor.status.connect(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            intro(
                "De categorieën waaruit de baliemedewerker kiest bij het registreren van een "
                "klacht. Een categorie die in zaken wordt gebruikt, kunt u hernoemen of "
                "deactiveren, maar niet verwijderen. " + IMMEDIATE
            )
        )
        layout.addWidget(self.editor, 1)

    def refresh(self) -> None:
        self.editor.refresh()


class StaffPage(Page):
    """Departments and the employees a complaint can be about."""

    title = "Afdelingen en medewerkers"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.employees: dict[int, admin_lists.EmployeeInfo] = {}
        self.departments = NameListEditor(
            ctx,
            "department",
            NameListServices(
                "afdeling",
                admin_lists.list_departments,
                admin_lists.add_department,
                admin_lists.rename_department,
                admin_lists.set_department_active,
            ),
            add_text="Afdeling &toevoegen",
        )
        self.departments.status.connect(self.status)
        self.departments.changed.connect(self._refresh_employees)

        self.table = make_table(
            "employeeTable", ["Naam", "Functie", "Afdeling", "Status", "Zaken"], stretch=0
        )
        self.table.itemSelectionChanged.connect(self._selected)
        self.name = handles_enter(QLineEdit(), self._add)
        self.name.setObjectName("employeeName")
        self.name.setMaxLength(200)
        self.function = handles_enter(QLineEdit(), self._add)
        self.function.setObjectName("employeeFunction")
        self.function.setMaxLength(200)
        self.department = QComboBox()
        self.department.setObjectName("employeeDepartment")
        self.add_button = QPushButton("&Medewerker toevoegen")
        self.add_button.setObjectName("employeeAddButton")
        self.add_button.clicked.connect(self._add)
        self.update_button = QPushButton("Gegevens &bijwerken")
        self.update_button.setObjectName("employeeUpdateButton")
        self.update_button.clicked.connect(self._update)
        self.toggle_button = QPushButton("De&activeren")
        self.toggle_button.setObjectName("employeeToggleButton")
        self.toggle_button.clicked.connect(self._toggle)
        self.error = ErrorLabel("employeeError")

        form = QGridLayout()
        for column, (text, widget) in enumerate(
            (("&Naam:", self.name), ("&Functie:", self.function), ("Afde&ling:", self.department))
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addWidget(label, 0, column)
            form.addWidget(widget, 1, column)
            form.setColumnStretch(column, 2 if column < 2 else 1)
        buttons = QHBoxLayout()
        buttons.addStretch()
        for button in (self.add_button, self.update_button, self.toggle_button):
            buttons.addWidget(button)

        departments_box = QGroupBox("Afdelingen")
        departments_layout = QVBoxLayout(departments_box)
        departments_layout.addWidget(self.departments)
        employees_box = QGroupBox("Medewerkers")
        employees_layout = QVBoxLayout(employees_box)
        employees_layout.addWidget(
            intro(
                "Medewerkers over wie een klacht kan gaan. Is een gebruiker zelf medewerker, "
                "koppel dat dan bij Gebruikers en rollen: wie de klacht betreft, mag die "
                "niet behandelen."
            )
        )
        employees_layout.addWidget(self.table, 1)
        employees_layout.addLayout(form)
        employees_layout.addLayout(buttons)
        employees_layout.addWidget(self.error)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro(IMMEDIATE))
        layout.addWidget(departments_box, 2)
        layout.addWidget(employees_box, 3)
        self._refresh_employees()

    def refresh(self) -> None:
        self.departments.refresh()
        self._refresh_employees()

    def _refresh_employees(self) -> None:
        employees = admin_lists.list_employees(self.ctx)
        self.employees = {e.id: e for e in employees}
        fill_table(
            self.table,
            [
                (
                    [
                        e.name,
                        e.function_title,
                        e.department,
                        active_text(e.active),
                        cases_text(e.cases),
                    ],
                    e.id,
                    e.active,
                )
                for e in employees
            ],
        )
        self._fill_departments()
        self._selected()

    def _fill_departments(self, include: int | None = None) -> None:
        self.department.clear()
        self.department.addItem("(geen afdeling)", None)
        for item in self.departments.items.values():
            if item.active or item.id == include:
                self.department.addItem(item.name, item.id)

    def _current(self) -> admin_lists.EmployeeInfo | None:
        return self.employees.get(selected_data(self.table))

    def _selected(self) -> None:
        employee = self._current()
        self.update_button.setEnabled(employee is not None)
        self.toggle_button.setEnabled(employee is not None)
        self.toggle_button.setText(
            "Acti&veren" if employee and not employee.active else "De&activeren"
        )
        if employee is not None:
            self._fill_departments(include=employee.department_id)
            self.name.setText(employee.name)
            self.function.setText(employee.function_title)
            self.department.setCurrentIndex(self.department.findData(employee.department_id))

    def _fields(self) -> tuple[str, str, int | None]:
        return self.name.text(), self.function.text(), self.department.currentData()

    def _done(self, message: str, employee_id: int | None = None) -> None:
        self._refresh_employees()
        if employee_id is not None:
            select_data(self.table, employee_id)
        self.status.emit(message)

    def _add(self) -> None:
        ok, new_id = attempt(self, self.error, admin_lists.add_employee, self.ctx, *self._fields())
        if ok:
            name = self.name.text().strip()
            self.table.clearSelection()
            self.name.clear()
            self.function.clear()
            self._done(f"Medewerker '{name}' is toegevoegd.", new_id)

    def _update(self) -> None:
        employee = self._current()
        if employee is None:
            return
        ok, _ = attempt(
            self, self.error, admin_lists.update_employee, self.ctx, employee.id, *self._fields()
        )
        if ok:
            self._done(f"De gegevens van {self.name.text().strip()} zijn bijgewerkt.", employee.id)

    def _toggle(self) -> None:
        employee = self._current()
        if employee is None:
            return
        ok, _ = attempt(
            self,
            self.error,
            admin_lists.set_employee_active,
            self.ctx,
            employee.id,
            not employee.active,
        )
        if ok:
            state = "gedeactiveerd" if employee.active else "weer actief"
            self._done(f"Medewerker '{employee.name}' is {state}.", employee.id)
