"""What the intake reads: the lists to choose from and the deadlines a complaint gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.deadlines import DeadlineKind, initial_deadlines
from klachtdesk.domain.states import REGISTER_ROLES
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases import cases
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Case, Category, Deadline, Department, Employee


@dataclass(frozen=True)
class EmployeeChoice:
    name: str
    department: str
    function_title: str


@dataclass(frozen=True)
class IntakeChoices:
    """The active categories, departments and employees to choose from at intake."""

    categories: list[str]
    departments: list[str]
    employees: list[EmployeeChoice]


def intake_choices(ctx: Context) -> IntakeChoices:
    ctx.actor.require(*REGISTER_ROLES, what="een klacht registreren")
    with ctx.db.session() as session:
        return active_choices(session)


def active_choices(session: Session) -> IntakeChoices:
    """Active categories, departments and employees (with department), alphabetically."""
    categories = list(
        session.scalars(select(Category.name).where(Category.active).order_by(Category.name))
    )
    departments = list(
        session.scalars(select(Department.name).where(Department.active).order_by(Department.name))
    )
    employees = [
        EmployeeChoice(name, department or "", function_title or "")
        for name, department, function_title in session.execute(
            select(Employee.name, Department.name, Employee.function_title)
            .outerjoin(Department, Department.id == Employee.department_id)
            .where(Employee.active)
            .order_by(Employee.name)
        )
    ]
    return IntakeChoices(categories, departments, employees)


@dataclass(frozen=True)
class DeadlinePreview:
    kind: DeadlineKind
    due: date
    explanation: str


def expected_deadlines(ctx: Context, received: date) -> list[DeadlinePreview]:
    """The deadlines a complaint received on ``received`` gets under the current procedure."""
    ctx.actor.require(*REGISTER_ROLES, what="een klacht registreren")
    with ctx.db.session() as session:
        procedure = cases.procedure_of(cases.current_procedure_version(session))
        computed = initial_deadlines(received, procedure, load_calendar(session))
    return [DeadlinePreview(k, c.due, c.explanation or "") for k, c in computed.items()]


def registered_deadline(ctx: Context, ref: str, kind: DeadlineKind) -> date | None:
    """The active deadline of one kind of a registered case (to tell the clerk)."""
    ctx.actor.require(*REGISTER_ROLES, what="een klacht registreren")
    with ctx.db.session() as session:
        return session.scalar(
            select(Deadline.due)
            .join(Case, Case.id == Deadline.case_id)
            .where(Case.ref == ref, Deadline.kind == kind.value, Deadline.active)
        )
