"""Changing a case's own data (complainant and complaint) and what the case window needs for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError, os_reason
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Activity, Status, check_activity
from klachtdesk.domain.validation import (
    MAX_NAME,
    MAX_SUBJECT,
    MAX_TEXT,
    ComplainantInput,
    clean_text,
    required_text,
)
from klachtdesk.services.cases import attachments, complainants
from klachtdesk.services.cases.cases import CaseNotFound, check_may_see, editing, finish_change
from klachtdesk.services.context import Context, audit
from klachtdesk.services.intake.intake_read import EmployeeChoice, active_choices
from klachtdesk.storage.models import (
    Attachment,
    Case,
    Category,
    Complainant,
    Department,
    Employee,
    User,
)

# Field name → Dutch label, in the order the timeline lists what changed.
COMPLAINT_FIELDS = {
    "subject": "onderwerp",
    "description": "omschrijving",
    "category": "categorie",
    "department": "afdeling",
    "employee": "medewerker",
    "expectation": "verwachting",
}
COMPLAINANT_FIELDS = complainants.FIELD_LABELS
EDITABLE_FIELDS = {**COMPLAINT_FIELDS, **COMPLAINANT_FIELDS}

_CASE_ROLES = frozenset({Role.BALIE, Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR})


@dataclass(frozen=True)
class HandlerChoice:
    username: str
    display_name: str
    roles: str


@dataclass(frozen=True)
class EditChoices:
    """What the case window's combo boxes offer."""

    categories: list[str]
    departments: list[str]
    employees: list[EmployeeChoice]
    handlers: list[HandlerChoice]


def edit_choices(ctx: Context) -> EditChoices:
    """Active categories, departments and employees, and who may handle a case."""
    if not ctx.actor.roles & _CASE_ROLES:
        raise NotAllowed("U heeft geen rol waarmee u zaken kunt inzien.")
    with ctx.db.session() as session:
        choices = active_choices(session)
        handlers = [
            HandlerChoice(user.username, user.display_name, user.roles)
            for user in session.scalars(select(User).where(User.active).order_by(User.display_name))
            if {Role.COORDINATOR.value, Role.MANAGER.value} & set(user.roles.split(","))
        ]
    return EditChoices(choices.categories, choices.departments, choices.employees, handlers)


def _by_name(session: Session, model, name: str, label: str, current_id: int | None):
    """A known category/department/employee by name; an inactive one only if already set."""
    row = session.scalar(select(model).where(func.lower(model.name) == name.lower()))
    if row is None or (not row.active and row.id != current_id):
        known = ", ".join(
            session.scalars(select(model.name).where(model.active).order_by(model.name))
        )
        raise ValidationError(label, f"'{name}' is onbekend (bekend zijn: {known}).")
    return row


def _complainant_data(complainant: Complainant) -> dict[str, Any]:
    return {field: getattr(complainant, field) for field in COMPLAINANT_FIELDS}


def update_case_details(
    ctx: Context,
    ref: str,
    expected_version: int | None,
    *,
    complainant_version: int | None = None,
    **fields: Any,
) -> int:
    """Change the complaint and the complainant's contact data; returns the case's version.

    Only fields that are given are changed. The complainant is shared by all their cases:
    when complainant fields are given with the ``complainant_version`` the caller showed, a
    change of the person made meanwhile (through any case) refuses the whole save with a
    ConflictError, and nothing is written. The timeline says which fields changed, never
    their values (personal data stays out of the history). Without a change nothing is
    written and the current version is returned.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {', '.join(sorted(unknown))}")
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.GEGEVENS_WIJZIGEN, Status(case.status), ctx.actor.roles)
        if set(fields) & set(COMPLAINANT_FIELDS):
            complainants.check_version(session, case.complainant, complainant_version)
        changed = _apply_complaint(session, case, fields)
        person = _apply_complainant(case, fields)
        changed += person
        if not changed:
            return case.version
        labels = ", ".join(label for field, label in EDITABLE_FIELDS.items() if field in changed)
        version = finish_change(
            session,
            ctx,
            case,
            Activity.GEGEVENS_WIJZIGEN.value,
            audit_detail=labels,
            velden=labels,
        )
        if person:
            complainants.record_change(
                session, ctx, case.complainant, case, [COMPLAINANT_FIELDS[f] for f in person]
            )
        return version


def _apply_complaint(session: Session, case: Case, fields: dict[str, Any]) -> list[str]:
    changed = []
    if "subject" in fields:
        subject = required_text(fields["subject"], "onderwerp", max_length=MAX_SUBJECT)
        if subject != case.subject:
            case.subject = subject
            changed.append("subject")
    if "description" in fields:
        description = required_text(
            fields["description"], "omschrijving", max_length=MAX_TEXT, multiline=True
        )
        if description != case.description:
            case.description = description
            changed.append("description")
    if "expectation" in fields:
        expectation = clean_text(
            fields["expectation"], "verwachting", max_length=MAX_TEXT, multiline=True
        )
        if expectation != case.expectation:
            case.expectation = expectation
            changed.append("expectation")
    if "category" in fields:
        name = clean_text(fields["category"], "categorie", max_length=MAX_NAME)
        row = _by_name(session, Category, name, "categorie", case.category_id) if name else None
        if (row.id if row else None) != case.category_id:
            case.category = row
            changed.append("category")
    employee_changed = False
    if "employee" in fields:
        name = clean_text(fields["employee"], "medewerker", max_length=MAX_NAME)
        known = session.scalar(
            select(Employee).where(func.lower(Employee.name) == name.lower(), Employee.active)
        )
        if known is None and name and name.lower() == case.employee_name.lower():
            known = case.employee  # keep an employee who has since become inactive
        new_name = known.name if known else name
        if new_name != case.employee_name or (known.id if known else None) != case.employee_id:
            if known is not None and case.handler is not None:
                _check_handler_independent(known, case.handler)
            case.employee = known
            case.employee_name = new_name
            changed.append("employee")
            employee_changed = True
    if "department" in fields:
        name = clean_text(fields["department"], "afdeling", max_length=MAX_NAME)
        row = _by_name(session, Department, name, "afdeling", case.department_id) if name else None
        if row is None and employee_changed and case.employee is not None:
            row = case.employee.department  # as at registration: the employee's department
        if (row.id if row else None) != case.department_id:
            case.department = row
            changed.append("department")
    return changed


def _check_handler_independent(employee: Employee, handler: User) -> None:
    """SPEC §2: the handler is not the employee the complaint is about."""
    if handler.employee_id == employee.id:
        raise NotAllowed(
            f"{handler.display_name} behandelt deze klacht en kan daarom niet de medewerker "
            "zijn over wie de klacht gaat. Wijs eerst een andere behandelaar toe."
        )


def _apply_complainant(case: Case, fields: dict[str, Any]) -> list[str]:
    given = {field: fields[field] for field in COMPLAINANT_FIELDS if field in fields}
    if not given:
        return []
    complainant = case.complainant
    if complainant.anonymised_at is not None:
        raise NotAllowed("De gegevens van deze klager zijn geanonimiseerd en blijven dat.")
    current = _complainant_data(complainant)
    # Validate the whole person (an address is complete or absent) with the same rules as
    # registration, so what is stored here could have been registered.
    validated = ComplainantInput.validated({**current, **given})
    new = {
        "salutation": validated.salutation.value,
        "name": validated.name,
        "street": validated.street,
        "postcode": validated.postcode,
        "city": validated.city,
        "phone": validated.phone,
        "email": validated.email,
        "member_number": validated.member_number,
        "prefers_email": validated.prefers_email,
    }
    changed = [field for field in COMPLAINANT_FIELDS if new[field] != current[field]]
    for field in changed:
        setattr(complainant, field, new[field])
    return changed


# -- attachments ------------------------------------------------------------------------------
def _may_see_case(session: Session, ctx: Context, case_id: int) -> None:
    """The same rule as the case window (``cases.check_may_see``)."""
    check_may_see(ctx, session.get(Case, case_id))


def add_attachment_file(
    ctx: Context, ref: str, path: Path | str, expected_version: int | None = None
) -> int:
    """Store a file the user picked with the case; too large files are refused unread."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > attachments.MAX_ATTACHMENT_BYTES:
            size_mb = size / 1024 / 1024
            raise ValidationError(
                "bijlage",
                f"'{path.name}' is {size_mb:.1f} MB; een bijlage mag ten hoogste 20 MB zijn. "
                "Scan het document met een lagere resolutie of als PDF.",
            )
        data = path.read_bytes()
    except OSError as error:
        raise KlachtDeskError(
            f"Het bestand '{path.name}' kan niet worden gelezen ({os_reason(error)})."
        ) from None
    return attachments.add_attachment(ctx, ref, path.name, data, expected_version)


def save_attachment_as(ctx: Context, ref: str, attachment_id: int, target: Path | str) -> Path:
    """Write an attachment to a file the user chose (an explicit export, audited)."""
    target = Path(target)
    with ctx.db.session(write=True) as session:
        case_id = session.scalar(select(Case.id).where(Case.ref == ref.strip().upper()))
        if case_id is None:
            raise CaseNotFound(ref)
        _may_see_case(session, ctx, case_id)
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.case_id != case_id:
            raise ValidationError("bijlage", "bestaat niet (meer) bij deze zaak.")
        try:
            target.write_bytes(attachment.data)
        except OSError as error:
            raise KlachtDeskError(
                f"De bijlage kan niet worden opgeslagen in '{target}' "
                f"({os_reason(error)}). Kies een andere map."
            ) from None
        # The file name can hold a person's name: the audit log keeps only the id.
        audit(session, ctx, "bijlage_opgeslagen", ref.strip().upper(), f"bijlage {attachment_id}")
    return target
