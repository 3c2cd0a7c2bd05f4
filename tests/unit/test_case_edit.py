"""Editing a case's own data: validated, role-checked, locked, and kept out of the history."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from klachtdesk.domain.errors import ConflictError, NotAllowed, ValidationError
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import attachments, case_edit, case_view, cases
from klachtdesk.storage.models import AuditEntry, Case, Category, Employee, Event, User
from tests.conftest import TODAY, complaint_data


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def version(ctx, ref) -> int:
    return case_view.case_detail(ctx, ref).version


def events(ctx, ref, kind="gegevens_wijzigen") -> list[dict]:
    with ctx.db.session() as session:
        rows = session.scalars(
            select(Event.data).join(Case).where(Case.ref == ref, Event.kind == kind)
        )
        return [json.loads(row) for row in rows]


def audit_details(ctx) -> list[str]:
    with ctx.db.session() as session:
        return [
            f"{a} {d}" for a, d in session.execute(select(AuditEntry.action, AuditEntry.detail))
        ]


def test_postcode_is_normalised_and_history_names_fields_not_values(org):
    ref = register(org.balie)
    before = version(org.balie, ref)
    new = case_edit.update_case_details(
        org.balie, ref, before, postcode="1234ab", phone="0612345679", subject="Lekkage keuken"
    )
    assert new == before + 1
    detail = case_view.case_detail(org.coordinator, ref)
    assert detail.postcode == "1234 AB"
    assert detail.phone == "+31 6 12345679"
    assert detail.subject == "Lekkage keuken"
    assert events(org.balie, ref) == [{"velden": "onderwerp, postcode, telefoon"}]
    everything = json.dumps(events(org.balie, ref)) + " ".join(audit_details(org.balie))
    for value in ("1234", "12345679", "Lekkage keuken"):
        assert value not in everything


def test_bad_postcode_is_refused_and_nothing_is_stored(org):
    ref = register(org.balie)
    before = version(org.balie, ref)
    with pytest.raises(ValidationError) as error:
        case_edit.update_case_details(
            org.balie, ref, before, postcode="12345", subject="Ander onderwerp"
        )
    assert error.value.field == "postcode"
    assert "geen geldige Nederlandse postcode" in str(error.value)
    detail = case_view.case_detail(org.balie, ref)
    assert (detail.version, detail.postcode, detail.subject) == (
        before,
        "3511 AB",
        "Lekkage badkamer niet verholpen",
    )
    assert events(org.balie, ref) == []


def test_address_must_stay_complete_or_be_replaced_by_email(org):
    ref = register(org.balie)
    with pytest.raises(ValidationError) as error:
        case_edit.update_case_details(org.balie, ref, None, city="")
    assert error.value.field == "plaats"
    with pytest.raises(ValidationError) as error:
        case_edit.update_case_details(
            org.balie, ref, None, street="", postcode="", city="", email=""
        )
    assert error.value.field == "adres"
    case_edit.update_case_details(org.balie, ref, None, street="", postcode="", city="")
    assert case_view.case_detail(org.balie, ref).street == ""


def test_only_clerk_and_coordinator_may_edit_and_not_a_closed_case(org):
    ref = register(org.balie)
    for ctx in (org.manager, org.directeur, org.beheer):
        with pytest.raises(NotAllowed):
            case_edit.update_case_details(ctx, ref, None, subject="Iets anders")
    case_edit.update_case_details(org.coordinator, ref, None, subject="Iets anders")
    cases.perform(org.coordinator, ref, Action.INTREKKEN)
    cases.perform(org.coordinator, ref, Action.SLUITEN)
    with pytest.raises(NotAllowed, match="Gesloten"):
        case_edit.update_case_details(org.coordinator, ref, None, subject="Nog iets anders")


def test_stale_version_is_refused_and_the_other_change_kept(org):
    ref = register(org.balie)
    seen = version(org.balie, ref)
    case_edit.update_case_details(org.coordinator, ref, seen, subject="Door de coördinator")
    with pytest.raises(ConflictError, match="intussen gewijzigd"):
        case_edit.update_case_details(org.balie, ref, seen, subject="Door de balie")
    assert case_view.case_detail(org.balie, ref).subject == "Door de coördinator"


def test_no_change_writes_nothing(org):
    ref = register(org.balie)
    before = version(org.balie, ref)
    same = case_edit.update_case_details(
        org.balie, ref, before, postcode="3511 ab", subject="Lekkage badkamer niet verholpen"
    )
    assert same == before
    assert events(org.balie, ref) == []


def test_category_department_and_employee(org):
    with org.beheer.db.session(write=True) as session:
        session.add(Employee(name="Erik Hoekstra", department_id=None))
        session.scalar(select(Category).where(Category.name == "Woningtoewijzing")).active = False
    ref = register(org.balie)
    with pytest.raises(ValidationError, match="onbekend"):
        case_edit.update_case_details(org.balie, ref, None, category="Woningtoewijzing")
    case_edit.update_case_details(
        org.balie, ref, None, category="communicatie", department="Wonen", employee="erik hoekstra"
    )
    detail = case_view.case_detail(org.balie, ref)
    assert (detail.category, detail.department, detail.employee) == (
        "Communicatie",
        "Wonen",
        "Erik Hoekstra",
    )
    with org.balie.db.session() as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        assert case.employee_id is not None
    # Someone not in the employee list is kept as a name only.
    case_edit.update_case_details(org.balie, ref, None, employee="De schilder", category="")
    with org.balie.db.session() as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        assert (case.employee_id, case.employee_name, case.category_id) == (
            None,
            "De schilder",
            None,
        )
    assert events(org.balie, ref)[-1] == {"velden": "categorie, medewerker"}


def test_the_handler_cannot_become_the_employee_concerned(org):
    with org.beheer.db.session(write=True) as session:
        employee = Employee(name="Mark Manager")
        session.add(employee)
        session.flush()
        session.scalar(select(User).where(User.username == "manager")).employee_id = employee.id
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    with pytest.raises(NotAllowed, match="andere behandelaar"):
        case_edit.update_case_details(org.coordinator, ref, None, employee="Mark Manager")
    assert case_view.case_detail(org.balie, ref).employee == ""


def test_unknown_field_is_a_programming_error(org):
    ref = register(org.balie)
    with pytest.raises(TypeError):
        case_edit.update_case_details(org.balie, ref, None, status="gesloten")


def test_choices_offer_active_entries_and_case_handlers(org):
    with org.beheer.db.session(write=True) as session:
        session.scalar(select(Category).where(Category.name == "Woningtoewijzing")).active = False
    choices = case_edit.edit_choices(org.balie)
    assert "Woningtoewijzing" not in choices.categories
    assert "Onderhoud en reparaties" in choices.categories
    assert "Wonen" in choices.departments
    assert [h.username for h in choices.handlers] == ["coordinator", "manager"]
    with pytest.raises(NotAllowed):
        case_edit.edit_choices(org.beheer)


def test_attachment_from_file_and_saved_as(org, tmp_path):
    ref = register(org.balie)
    source = tmp_path / "brief klager.pdf"
    source.write_bytes(b"%PDF-1.4 inhoud")
    attachment_id = case_edit.add_attachment_file(org.balie, ref, source)
    target = tmp_path / "uit" / "kopie.pdf"
    target.parent.mkdir()
    case_edit.save_attachment_as(org.coordinator, ref, attachment_id, target)
    assert target.read_bytes() == b"%PDF-1.4 inhoud"
    assert f"bijlage_opgeslagen bijlage {attachment_id}" in audit_details(org.balie)
    assert not any("brief klager" in line for line in audit_details(org.balie))
    other = register(org.balie)
    with pytest.raises(ValidationError, match="bestaat niet"):
        case_edit.save_attachment_as(org.coordinator, other, attachment_id, target)
    # The director sees only appealed cases, also their attachments.
    with pytest.raises(NotAllowed):
        case_edit.save_attachment_as(org.directeur, ref, attachment_id, target)


def test_too_large_file_is_refused_without_reading_it(org, tmp_path, monkeypatch):
    ref = register(org.balie)
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 10)
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"x" * 11)
    with pytest.raises(ValidationError, match="ten hoogste 20 MB"):
        case_edit.add_attachment_file(org.balie, ref, source)
    with pytest.raises(Exception, match="kan niet worden gelezen"):
        case_edit.add_attachment_file(org.balie, ref, tmp_path / "bestaat-niet.pdf")
    assert case_view.case_detail(org.balie, ref).attachments == []
