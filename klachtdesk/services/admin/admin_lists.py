"""The lists beheer keeps: categories, departments and the employees complaints are about."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.validation import MAX_LINE, clean_text, required_text
from klachtdesk.services.admin.admin_access import admin_session, existing
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import Case, Category, Department, Employee


# -- categories and departments ------------------------------------------------------------
@dataclass(frozen=True)
class NamedItem:
    id: int
    name: str
    active: bool
    cases: int  # how many cases refer to it (in use: cannot be removed)


_NOUNS = {Category: ("categorie", "categorieën"), Department: ("afdeling", "afdelingen")}


def _case_counts(session: Session, column) -> dict[int, int]:
    """How many cases refer to each row, by ``column`` (a foreign key of Case)."""
    return dict(
        session.execute(
            select(column, func.count(Case.id)).where(column.is_not(None)).group_by(column)
        ).all()
    )


def _list_named(ctx: Context, model, column, include_inactive: bool) -> list[NamedItem]:
    with ctx.db.session() as session:
        counts = _case_counts(session, column)
        query = select(model).order_by(func.lower(model.name))
        if not include_inactive:
            query = query.where(model.active)
        return [
            NamedItem(row.id, row.name, row.active, counts.get(row.id, 0))
            for row in session.scalars(query)
        ]


def _unique_name(session: Session, model, name: str, noun: str, own_id: int | None = None) -> str:
    name = required_text(name, noun, max_length=MAX_LINE)
    clash = session.scalar(select(model).where(func.lower(model.name) == name.lower()))
    if clash is not None and clash.id != own_id:
        state = "" if clash.active else " (gedeactiveerd; u kunt die weer activeren)"
        raise ValidationError(noun, f"'{clash.name}' bestaat al{state}.")
    return name


def _add_named(ctx: Context, model, name: str) -> int:
    noun, plural = _NOUNS[model]
    with admin_session(ctx, f"het beheer van {plural}") as session:
        name = _unique_name(session, model, name, noun)
        row = model(name=name, active=True)
        session.add(row)
        session.flush()
        audit(session, ctx, f"{noun}_toegevoegd", name)
        return row.id


def _rename_named(ctx: Context, model, item_id: int, name: str) -> None:
    noun, plural = _NOUNS[model]
    with admin_session(ctx, f"het beheer van {plural}") as session:
        row = existing(session, model, item_id, noun)
        name = _unique_name(session, model, name, noun, own_id=row.id)
        if name != row.name:
            audit(session, ctx, f"{noun}_hernoemd", name, f"was: {row.name}")
            row.name = name


def _set_named_active(ctx: Context, model, item_id: int, active: bool) -> None:
    noun, plural = _NOUNS[model]
    with admin_session(ctx, f"het beheer van {plural}") as session:
        row = existing(session, model, item_id, noun)
        if row.active != active:
            row.active = active
            audit(session, ctx, f"{noun}_{'geactiveerd' if active else 'gedeactiveerd'}", row.name)


def list_categories(ctx: Context, include_inactive: bool = True) -> list[NamedItem]:
    return _list_named(ctx, Category, Case.category_id, include_inactive)


def add_category(ctx: Context, name: str) -> int:
    return _add_named(ctx, Category, name)


def rename_category(ctx: Context, category_id: int, name: str) -> None:
    """Renaming keeps the cases: they refer to the category, not to its name."""
    _rename_named(ctx, Category, category_id, name)


def set_category_active(ctx: Context, category_id: int, active: bool) -> None:
    """A deactivated category stays on its cases but is no longer offered for new ones."""
    _set_named_active(ctx, Category, category_id, active)


def remove_category(ctx: Context, category_id: int) -> None:
    """Only a category no case uses can be removed; one in use can be deactivated."""
    with admin_session(ctx, "het beheer van categorieën") as session:
        row = existing(session, Category, category_id, "categorie")
        used = session.scalar(select(func.count(Case.id)).where(Case.category_id == row.id))
        if used:
            raise ValidationError(
                "categorie",
                f"'{row.name}' wordt gebruikt in {used} "
                f"{'zaak' if used == 1 else 'zaken'} en kan daarom niet worden verwijderd; "
                "deactiveer de categorie in plaats daarvan.",
            )
        audit(session, ctx, "categorie_verwijderd", row.name)
        session.delete(row)


def list_departments(ctx: Context, include_inactive: bool = True) -> list[NamedItem]:
    return _list_named(ctx, Department, Case.department_id, include_inactive)


def add_department(ctx: Context, name: str) -> int:
    return _add_named(ctx, Department, name)


def rename_department(ctx: Context, department_id: int, name: str) -> None:
    _rename_named(ctx, Department, department_id, name)


def set_department_active(ctx: Context, department_id: int, active: bool) -> None:
    _set_named_active(ctx, Department, department_id, active)


# -- employees ----------------------------------------------------------------------------
@dataclass(frozen=True)
class EmployeeInfo:
    id: int
    name: str
    function_title: str
    department_id: int | None
    department: str
    active: bool
    cases: int


def list_employees(ctx: Context, include_inactive: bool = True) -> list[EmployeeInfo]:
    with ctx.db.session() as session:
        counts = _case_counts(session, Case.employee_id)
        query = (
            select(Employee, Department.name)
            .outerjoin(Department, Department.id == Employee.department_id)
            .order_by(func.lower(Employee.name))
        )
        if not include_inactive:
            query = query.where(Employee.active)
        return [
            EmployeeInfo(
                e.id,
                e.name,
                e.function_title,
                e.department_id,
                department or "",
                e.active,
                counts.get(e.id, 0),
            )
            for e, department in session.execute(query)
        ]


def _employee_fields(
    session: Session, name: str, function_title: str, department_id: int | None, own_id=None
) -> tuple[str, str, int | None]:
    name = required_text(name, "naam medewerker", max_length=MAX_LINE)
    function_title = clean_text(function_title, "functie", max_length=MAX_LINE)
    # Complaints name the employee concerned by name, so two active people may not share one.
    clash = session.scalar(
        select(Employee).where(func.lower(Employee.name) == name.lower(), Employee.active)
    )
    if clash is not None and clash.id != own_id:
        raise ValidationError(
            "naam medewerker",
            f"er is al een actieve medewerker '{clash.name}'; "
            "voeg iets toe om ze uit elkaar te houden (bijvoorbeeld een voorletter).",
        )
    if department_id is not None:
        existing(session, Department, department_id, "afdeling")
    return name, function_title, department_id


def add_employee(
    ctx: Context, name: str, function_title: str = "", department_id: int | None = None
) -> int:
    with admin_session(ctx, "het beheer van medewerkers") as session:
        name, function_title, department_id = _employee_fields(
            session, name, function_title, department_id
        )
        row = Employee(name=name, function_title=function_title, department_id=department_id)
        session.add(row)
        session.flush()
        audit(session, ctx, "medewerker_toegevoegd", f"medewerker {row.id}")
        return row.id


def update_employee(
    ctx: Context,
    employee_id: int,
    name: str,
    function_title: str = "",
    department_id: int | None = None,
) -> None:
    with admin_session(ctx, "het beheer van medewerkers") as session:
        row = existing(session, Employee, employee_id, "medewerker")
        name, function_title, department_id = _employee_fields(
            session, name, function_title, department_id, own_id=row.id
        )
        row.name, row.function_title, row.department_id = name, function_title, department_id
        audit(session, ctx, "medewerker_gewijzigd", f"medewerker {row.id}")


def set_employee_active(ctx: Context, employee_id: int, active: bool) -> None:
    with admin_session(ctx, "het beheer van medewerkers") as session:
        row = existing(session, Employee, employee_id, "medewerker")
        if active and not row.active:
            _employee_fields(session, row.name, row.function_title, row.department_id, row.id)
        if row.active != active:
            row.active = active
            state = "geactiveerd" if active else "gedeactiveerd"
            audit(session, ctx, f"medewerker_{state}", f"medewerker {row.id}")
