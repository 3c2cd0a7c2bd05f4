"""The settings dialog, driven as a beheerder would: every change lands in the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
)

from klachtdesk.domain.calendar import Term, TermUnit
from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import (
    admin,
    admin_calendar,
    admin_lists,
    admin_users,
    procedures,
    settings,
    setup,
)
from klachtdesk.services.cases import cases
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.ui import common
from klachtdesk.ui.admin.settings_dialog import SettingsDialog
from klachtdesk.ui.admin.settings_pages import organisation as organisation_page
from klachtdesk.ui.admin.settings_pages import users as users_page
from klachtdesk.ui.admin.settings_pages.calendar import CalendarPage
from klachtdesk.ui.admin.settings_pages.lists import CategoriesPage, StaffPage
from klachtdesk.ui.admin.settings_pages.organisation import OrganisationPage, SecurityPage
from klachtdesk.ui.admin.settings_pages.procedure import ProcedurePage
from klachtdesk.ui.admin.settings_pages.users import UsersPage
from tests.conftest import complaint_data

LEFT = Qt.MouseButton.LeftButton
NEW_PASSWORD = "zomer-aan-zee-2026"


@pytest.fixture
def errors(monkeypatch):
    """Error dialogs would block offscreen: collect their texts instead."""
    shown: list[str] = []
    monkeypatch.setattr(
        common, "show_error", lambda parent, error, title="": shown.append(str(error))
    )
    return shown


@pytest.fixture
def dialog(qtbot, org):
    result = SettingsDialog(org.beheer)
    qtbot.addWidget(result)
    result.show()
    return result


def find(dialog, kind, name):
    widget = dialog.findChild(kind, name)
    assert widget is not None, name
    return widget


def click(qtbot, dialog, name):
    qtbot.mouseClick(find(dialog, QPushButton, name), LEFT)


def status(dialog) -> str:
    return find(dialog, QLabel, "statusLabel").text()


def click_row(qtbot, table: QTableWidget, text: str) -> None:
    item = next(
        table.item(r, 0) for r in range(table.rowCount()) if table.item(r, 0).text() == text
    )
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualItemRect(item).center())


def column(table: QTableWidget, index: int = 0) -> list[str]:
    return [table.item(row, index).text() for row in range(table.rowCount())]


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def register(ctx, today: date, **overrides) -> str:
    ctx = replace(
        ctx, today=lambda: today, now=lambda: datetime(today.year, today.month, today.day)
    )
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), today))


def due(ctx, ref: str) -> dict[str, date]:
    return {row.ref: row.deadlines for row in cases.list_cases(ctx)}[ref]


def png_bytes() -> bytes:
    image = QImage(120, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#2f6f4f"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


# -- access ------------------------------------------------------------------------------------
def test_a_coordinator_is_refused_politely_and_by_the_service(qtbot, org):
    refused = SettingsDialog(org.coordinator)
    qtbot.addWidget(refused)
    refused.show()
    text = find(refused, QLabel, "refusalLabel").text()
    assert "rol Beheerder nodig" in text and "Carla Coördinator" in text
    assert refused.findChild(QListWidget, "pageList") is None
    assert refused.save() is False
    with pytest.raises(NotAllowed, match="rol Beheerder"):
        admin_lists.add_category(org.coordinator, "Via een omweg")
    qtbot.mouseClick(find(refused, QPushButton, "closeButton"), LEFT)
    assert not refused.isVisible()


def test_the_pages_are_listed_in_dutch(dialog):
    pages = find(dialog, QListWidget, "pageList")
    titles = [pages.item(i).text() for i in range(pages.count())]
    assert titles == [
        "Organisatie en briefpapier",
        "Klachtenregeling",
        "Brieven",
        "Categorieën",
        "Afdelingen en medewerkers",
        "Gebruikers en rollen",
        "Kalender",
        "Beveiliging",
    ]
    assert dialog.windowTitle() == "Instellingen"
    pages.setCurrentRow(5)
    assert find(dialog, QLabel, "pageTitle").text() == "Gebruikers en rollen"


# -- categories, employees -----------------------------------------------------------------
def test_a_category_is_added_with_enter_renamed_and_deactivated(qtbot, dialog, org, errors):
    dialog.show_page(CategoriesPage)
    name = find(dialog, QLineEdit, "categoryName")
    type_into(qtbot, name, "Energielabel")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert "Energielabel" in [c.name for c in admin_lists.list_categories(org.balie)]
    assert status(dialog) == "Categorie 'Energielabel' is toegevoegd."  # not Opslaan's text
    table = find(dialog, QTableWidget, "categoryTable")
    assert "Energielabel" in column(table)

    type_into(qtbot, name, "energielabel")  # the same name again: refused at the field
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert "bestaat al" in find(dialog, QLabel, "categoryError").text()
    assert [c.name for c in admin_lists.list_categories(org.balie)].count("Energielabel") == 1

    click_row(qtbot, table, "Energielabel")
    type_into(qtbot, name, "Energielabel en isolatie")
    click(qtbot, dialog, "categoryRenameButton")
    click(qtbot, dialog, "categoryToggleButton")
    [stored] = [c for c in admin_lists.list_categories(org.balie) if c.name.startswith("Energie")]
    assert (stored.name, stored.active) == ("Energielabel en isolatie", False)
    assert find(dialog, QPushButton, "categoryToggleButton").text() == "&Activeren"
    assert errors == []

    register(org.balie, date(2026, 11, 25), category="Dienstverlening")
    dialog.page(CategoriesPage).refresh()
    click_row(qtbot, table, "Dienstverlening")
    assert not find(dialog, QPushButton, "categoryRemoveButton").isEnabled()


def test_an_employee_is_added_to_a_department(qtbot, dialog, org):
    dialog.show_page(StaffPage)
    type_into(qtbot, find(dialog, QLineEdit, "employeeName"), "Jan de Vries")
    type_into(qtbot, find(dialog, QLineEdit, "employeeFunction"), "Opzichter")
    departments = find(dialog, QComboBox, "employeeDepartment")
    departments.setCurrentIndex(departments.findText("Vastgoed en onderhoud"))
    click(qtbot, dialog, "employeeAddButton")
    [employee] = admin_lists.list_employees(org.beheer)
    assert (employee.name, employee.function_title, employee.department) == (
        "Jan de Vries",
        "Opzichter",
        "Vastgoed en onderhoud",
    )
    assert column(find(dialog, QTableWidget, "employeeTable")) == ["Jan de Vries"]


# -- calendar ------------------------------------------------------------------------------
def test_a_closing_period_moves_the_acknowledgement_deadline(qtbot, dialog, org):
    # Received Friday 18 December 2026, Woonpartners: 5 working days. Without closing days
    # they are 21, 22, 23, 24 and (25/26 are Christmas, then the weekend) 28 December.
    before = register(org.balie, date(2027, 1, 4), received="2026-12-18")
    assert due(org.balie, before)["ontvangstbevestiging"] == date(2026, 12, 28)

    dialog.show_page(CalendarPage)
    find(dialog, QDateEdit, "closingFrom").setDate(QDate(2026, 12, 24))
    find(dialog, QDateEdit, "closingTo").setDate(QDate(2026, 12, 31))
    type_into(qtbot, find(dialog, QLineEdit, "closingLabel"), "Kerstsluiting")
    click(qtbot, dialog, "closingAddButton")
    assert status(dialog) == "5 sluitingsdagen toegevoegd (24-12-2026 t/m 31-12-2026)."
    assert column(find(dialog, QTableWidget, "closingTable")) == [
        "24-12-2026",
        "28-12-2026",
        "29-12-2026",
        "30-12-2026",
        "31-12-2026",
    ]
    # Now 21, 22, 23 December, then closed, 1 January is Nieuwjaarsdag: 4 and 5 January.
    after = register(org.balie, date(2027, 1, 4), received="2026-12-18")
    assert due(org.balie, after)["ontvangstbevestiging"] == date(2027, 1, 5)
    assert due(org.balie, before)["ontvangstbevestiging"] == date(2026, 12, 28)  # kept

    find(dialog, QDateEdit, "previewDate").setDate(QDate(2026, 12, 18))
    preview = find(dialog, QLabel, "previewLabel").text()
    assert "uiterlijk dinsdag 5 januari 2027" in preview
    assert "sluitingsdag: Kerstsluiting" in preview

    table = find(dialog, QTableWidget, "closingTable")
    click_row(qtbot, table, "24-12-2026")
    click(qtbot, dialog, "closingRemoveButton")
    assert [d.day for d in admin_calendar.list_closing_days(org.beheer)][0] == date(2026, 12, 28)


DECREE_2029 = "Besluit houdende gelijkstelling van 11 mei 2029 met een algemeen erkende feestdag"


def test_calendar_switches_and_atw_days(qtbot, dialog, org):
    dialog.show_page(CalendarPage)
    table = find(dialog, QTableWidget, "atwTable")
    # The shipped decrees' days, read-only, each with the title of its decree.
    assert column(table) == [
        "28-04-2023",
        "19-05-2023",
        "10-05-2024",
        "27-12-2024",
        "30-05-2025",
        "02-01-2026",
        "15-05-2026",
        "07-05-2027",
        "28-04-2028",
        "26-05-2028",
    ]
    assert column(table, 1)[3] == "vrijdag na Tweede Kerstdag"
    assert column(table, 2)[3] == "Besluit 2023–2025 (meegeleverd)"
    assert not find(dialog, QLabel, "atwDecreeShown").isVisible()  # until a day is selected
    click_row(qtbot, table, "27-12-2024")
    assert not find(dialog, QPushButton, "atwRemoveButton").isEnabled()
    shown = find(dialog, QLabel, "atwDecreeShown")
    assert shown.isVisible()
    assert shown.text() == (
        "Besluit houdende gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, "
        "27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag "
        "(meegeleverd, kan niet worden verwijderd)"
    )

    find(dialog, QCheckBox, "setting_calendar_liberation_day_every_year").setChecked(True)
    find(dialog, QDateEdit, "atwDate").setDate(QDate(2029, 5, 11))
    decree = find(dialog, QLineEdit, "atwDecree")
    click(qtbot, dialog, "atwAddButton")  # without the decree's title: refused at the field
    assert "Veld 'titel van het besluit': is verplicht." in find(dialog, QLabel, "atwError").text()
    type_into(qtbot, decree, DECREE_2029)
    qtbot.keyClick(decree, Qt.Key.Key_Return)
    assert date(2029, 5, 11) in [d.day for d in admin_calendar.list_atw_days(org.beheer)]
    assert status(dialog) == "11-05-2029 is toegevoegd aan de gelijkgestelde dagen."
    assert column(table)[-1] == "11-05-2029"
    assert (column(table, 1)[-1], column(table, 2)[-1]) == (
        "vrijdag na Hemelvaartsdag",
        DECREE_2029,
    )
    click_row(qtbot, table, "11-05-2029")
    assert find(dialog, QLabel, "atwDecreeShown").text() == DECREE_2029 + " (toegevoegd)"
    assert find(dialog, QPushButton, "atwRemoveButton").isEnabled()
    # The preview counts with it: 13 April 2029 + 4 weeks = Fri 11 May -> Mon 14 May.
    find(dialog, QDateEdit, "previewDate").setDate(QDate(2029, 4, 13))
    assert "uiterlijk maandag 14 mei 2029" in find(dialog, QLabel, "previewLabel").text()
    click(qtbot, dialog, "atwRemoveButton")
    assert status(dialog) == "1 gelijkgestelde dag verwijderd."
    preview = find(dialog, QLabel, "previewLabel").text()
    assert "uiterlijk vrijdag 11 mei 2029" in preview
    assert "gelijkstellingsbesluit voor 2029 nog niet bekend" in preview
    # Adding a day kept the unsaved switch; Opslaan stores it.
    assert find(dialog, QCheckBox, "setting_calendar_liberation_day_every_year").isChecked()
    click(qtbot, dialog, "saveButton")
    assert settings.get_settings(org.balie)["calendar.liberation_day_every_year"] is True


# -- procedure -----------------------------------------------------------------------------
def test_changing_the_decision_term_makes_version_2(qtbot, dialog, org):
    old = register(org.balie, date(2026, 11, 25), received="2026-11-02")
    page = dialog.show_page(ProcedurePage)
    assert find(dialog, QLabel, "procedureVersion").text().startswith("1, vastgesteld op")
    type_into(qtbot, find(dialog, QSpinBox, "decisionTermAmount"), "6")
    type_into(qtbot, find(dialog, QLineEdit, "procedureNote"), "Besluit bestuur november")
    assert page.is_dirty()
    click(qtbot, dialog, "saveButton")
    assert status(dialog) == (
        "Opgeslagen als versie 2; zaken die al binnen zijn houden hun versie."
    )
    assert find(dialog, QLabel, "procedureVersion").text().startswith("2, vastgesteld op 25-11")
    current = procedures.current_procedure(org.balie)
    assert (current.version, current.procedure.decision_term) == (2, Term(6, TermUnit.WEKEN))
    new = register(org.balie, date(2026, 11, 25), received="2026-11-02")
    assert due(org.balie, old)["uitspraak"] == date(2026, 11, 30)  # 4 weeks, version 1
    assert due(org.balie, new)["uitspraak"] == date(2026, 12, 14)  # 6 weeks, version 2
    assert not page.is_dirty()


def test_choosing_livable_applies_to_new_cases(qtbot, dialog, org):
    dialog.show_page(ProcedurePage)
    choice = find(dialog, QComboBox, "procedureChoice")
    choice.setCurrentIndex(choice.findData("livable"))
    assert find(dialog, QSpinBox, "acknowledgementTermAmount").value() == 7
    assert not find(dialog, QCheckBox, "procedure_appeal").isChecked()
    click(qtbot, dialog, "saveButton")
    assert "Nieuwe klachten vallen voortaan onder 'Klachtenreglement" in status(dialog)
    assert procedures.current_procedure(org.balie).key == "livable"


# -- users ----------------------------------------------------------------------------------
def test_a_new_user_is_added_and_can_log_in(qtbot, dialog, org):
    dialog.show_page(UsersPage)
    type_into(qtbot, find(dialog, QLineEdit, "newUsername"), "j.devries")
    type_into(qtbot, find(dialog, QLineEdit, "newDisplayName"), "Jan de Vries")
    type_into(qtbot, find(dialog, QLineEdit, "newPassword"), NEW_PASSWORD)
    type_into(qtbot, find(dialog, QLineEdit, "newPassword2"), NEW_PASSWORD + "x")
    find(dialog, QCheckBox, "newRole_coordinator").setChecked(True)
    click(qtbot, dialog, "newUserAddButton")
    assert "niet gelijk" in find(dialog, QLabel, "newUserError").text()
    assert "j.devries" not in [u.username for u in admin_users.list_users(org.beheer)]

    type_into(qtbot, find(dialog, QLineEdit, "newPassword2"), NEW_PASSWORD)
    qtbot.keyClick(find(dialog, QLineEdit, "newPassword2"), Qt.Key.Key_Return)
    assert "j.devries" in column(find(dialog, QTableWidget, "userTable"))
    assert status(dialog) == "Gebruiker j.devries is toegevoegd en kan nu aanmelden."
    jan = setup.unlock(org.path, "j.devries", NEW_PASSWORD)
    assert (jan.actor.display_name, jan.actor.roles) == ("Jan de Vries", {Role.COORDINATOR})
    jan.db.dispose()


def test_roles_are_changed_with_the_checkboxes(qtbot, dialog, org):
    dialog.show_page(UsersPage)
    click_row(qtbot, find(dialog, QTableWidget, "userTable"), "balie")
    assert find(dialog, QCheckBox, "userRole_balie").isChecked()
    find(dialog, QCheckBox, "userRole_manager").setChecked(True)
    click(qtbot, dialog, "userUpdateButton")
    assert org.login("balie").actor.roles == {Role.BALIE, Role.MANAGER}
    assert "Baliemedewerker, Manager / behandelaar" in column(
        find(dialog, QTableWidget, "userTable"), 2
    )


def test_the_last_beheerder_cannot_be_deactivated(qtbot, dialog, org, errors, monkeypatch):
    monkeypatch.setattr(users_page, "confirm", lambda *args, **kwargs: True)
    dialog.show_page(UsersPage)
    click_row(qtbot, find(dialog, QTableWidget, "userTable"), "beheer")
    click(qtbot, dialog, "userToggleButton")
    assert len(errors) == 1 and "laatste actieve beheerder" in errors[0]
    assert [u.active for u in admin_users.list_users(org.beheer) if u.username == "beheer"] == [
        True
    ]
    # Taking away one's own last Beheerder role is refused the same way.
    find(dialog, QCheckBox, "userRole_beheer").setChecked(False)
    find(dialog, QCheckBox, "userRole_balie").setChecked(True)
    click(qtbot, dialog, "userUpdateButton")
    assert "laatste actieve beheerder" in errors[1]
    assert org.login("beheer").actor.roles == {Role.BEHEER}


def test_a_user_is_deactivated_and_comes_back_with_a_new_password(
    qtbot, dialog, org, errors, monkeypatch
):
    answers = iter([False, True])
    monkeypatch.setattr(users_page, "confirm", lambda *args, **kwargs: next(answers))
    dialog.show_page(UsersPage)
    table = find(dialog, QTableWidget, "userTable")
    click_row(qtbot, table, "manager")
    click(qtbot, dialog, "userToggleButton")  # "Annuleren": nothing happens
    assert org.login("manager").actor.username == "manager"
    click(qtbot, dialog, "userToggleButton")
    with pytest.raises(WrongPassword):
        org.login("manager")
    assert column(table, 3)[column(table).index("manager")] == "gedeactiveerd"

    click(qtbot, dialog, "userToggleButton")  # "Activeren" asks for a new password first
    assert "nieuw wachtwoord" in find(dialog, QLabel, "userError").text()
    type_into(qtbot, find(dialog, QLineEdit, "userPassword"), NEW_PASSWORD)
    type_into(qtbot, find(dialog, QLineEdit, "userPassword2"), NEW_PASSWORD)
    click(qtbot, dialog, "userToggleButton")
    assert org.login("manager", NEW_PASSWORD).actor.username == "manager"
    assert errors == []


# -- organisation, security, closing -------------------------------------------------------
def test_organisation_settings_are_checked_at_the_field(qtbot, dialog, org, errors):
    page = dialog.show_page(OrganisationPage)
    postcode = find(dialog, QLineEdit, "setting_org_postcode")
    type_into(qtbot, postcode, "12345")
    type_into(qtbot, find(dialog, QLineEdit, "setting_org_city"), "Utrecht")
    click(qtbot, dialog, "saveButton")
    message = find(dialog, QLabel, "error_org_postcode")
    assert message.isVisible() and "geen geldige Nederlandse postcode" in message.text()
    assert settings.get_settings(org.balie)["org.city"] == ""  # nothing half saved
    type_into(qtbot, postcode, "3511ab")
    spin = find(dialog, QSpinBox, "setting_letters_address_top_mm")
    type_into(qtbot, spin, "55")
    click(qtbot, dialog, "saveButton")
    stored = settings.get_settings(org.balie)
    assert (stored["org.postcode"], stored["org.city"], stored["letters.address_top_mm"]) == (
        "3511 AB",
        "Utrecht",
        55,
    )
    assert postcode.text() == "3511 AB" and not message.isVisible()
    assert status(dialog) == "De instellingen zijn opgeslagen."
    assert not page.is_dirty() and errors == []


def test_the_logo_is_chosen_previewed_saved_and_removed(qtbot, dialog, org, tmp_path, monkeypatch):
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes())
    not_an_image = tmp_path / "logo.gif"
    not_an_image.write_bytes(b"GIF89a" + b"\0" * 20)
    chosen = iter([str(not_an_image), str(logo)])
    monkeypatch.setattr(
        organisation_page.QFileDialog,
        "getOpenFileName",
        lambda *args, **kwargs: (next(chosen), ""),
    )
    dialog.show_page(OrganisationPage)
    click(qtbot, dialog, "chooseLogoButton")
    assert "PNG- of JPEG" in find(dialog, QLabel, "logoError").text()
    click(qtbot, dialog, "chooseLogoButton")
    preview = find(dialog, QLabel, "logoPreview")
    assert not preview.pixmap().isNull()
    assert admin.logo_bytes(org.balie) is None  # not before Opslaan
    click(qtbot, dialog, "saveButton")
    assert admin.logo_bytes(org.balie) == logo.read_bytes()
    click(qtbot, dialog, "removeLogoButton")
    assert preview.text() == "Geen logo"
    click(qtbot, dialog, "saveButton")
    assert admin.logo_bytes(org.balie) is None


def test_closing_with_unsaved_changes_asks_first(qtbot, dialog, org, monkeypatch):
    answers = []
    monkeypatch.setattr(
        "klachtdesk.ui.admin.settings_dialog.confirm", lambda *args, **kwargs: answers.pop(0)
    )
    dialog.show_page(SecurityPage)
    type_into(qtbot, find(dialog, QSpinBox, "setting_security_idle_lock_minutes"), "15")
    answers.append(False)
    click(qtbot, dialog, "closeButton")
    assert dialog.isVisible()
    click(qtbot, dialog, "saveButton")
    assert settings.get_settings(org.balie)["security.idle_lock_minutes"] == 15
    click(qtbot, dialog, "closeButton")  # nothing unsaved: no question
    assert not dialog.isVisible() and answers == []
