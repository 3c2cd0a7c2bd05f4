"""Who the employee named in a complaint probably is (SPEC §2: a third party assesses it).

The complainant names the employee as they remember it ("E. Hoekstra"). These functions find
the colleagues that name probably means, so the intake can warn, the case window can say why
a colleague may not handle the case, and typed names that match no employee on the list are
put before the coordinator to link.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klachtdesk.domain.independence import likely_same_person
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Status
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Case, Employee, User
from klachtdesk.storage.queries import not_anonymised

# While a case is in these states someone still handles or decides it.
HANDLED_STATES = (Status.ONTVANGEN, Status.IN_BEHANDELING, Status.HEROVERWEGING)


@dataclass(frozen=True)
class UnlinkedName:
    """An open case naming an employee who is not on the list of employees."""

    ref: str
    typed: str
    likely: tuple[str, ...]  # colleagues the name probably means


def colleague_names(session: Session) -> list[str]:
    """The full names of active users and employees (read once, matched against many)."""
    names = list(session.scalars(select(User.display_name).where(User.active)))
    return names + list(session.scalars(select(Employee.name).where(Employee.active)))


def colleagues_named(session: Session, typed: str, names: list[str] | None = None) -> list[str]:
    """Active users and employees whose full name ``typed`` probably is, without doubles.
    ``names`` are those of ``colleague_names``, when read already."""
    if not typed.strip():
        return []
    found: list[str] = []
    for name in colleague_names(session) if names is None else names:
        if likely_same_person(typed, name) and name not in found:
            found.append(name)
    return found


def colleagues_named_by(ctx: Context, typed: str) -> list[str]:
    """``colleagues_named`` for the intake (the clerk types the name the complainant gave)."""
    with ctx.db.session() as session:
        return colleagues_named(session, typed)


def warning(typed: str, colleagues: list[str]) -> str:
    """The Dutch warning shown at intake and in the case window, or ''."""
    if not colleagues:
        return ""
    who = " of ".join(colleagues)
    return (
        f"Let op: '{typed.strip()}' lijkt {who} te zijn. Wie de klacht betreft, mag haar niet "
        "behandelen en er niet over beslissen, tenzij de klachtencoördinator vastlegt waarom "
        "dat toch aanvaardbaar is."
    )


def unlinked_names(ctx: Context) -> list[UnlinkedName]:
    """Open cases whose employee is only a typed name (an import, a name not on the list):
    the coordinator links them to an employee (Gegevens wijzigen), so the independence rule
    and the figures per employee hold. Oldest case first."""
    return first_unlinked(ctx, None)[0]


def first_unlinked(ctx: Context, limit: int | None) -> tuple[list[UnlinkedName], int]:
    """The first ``limit`` of ``unlinked_names`` (all with ``None``) and how many there are."""
    if Role.COORDINATOR not in ctx.actor.roles:
        return [], 0
    return _unlinked(ctx, limit=limit)


def imported_unlinked(ctx: Context, refs: list[str]) -> list[UnlinkedName]:
    """Of the complaints just imported, those naming an employee not on the list (told to
    whoever imported them; the coordinator sees them on Vandaag)."""
    return _unlinked(ctx, refs)[0]


def _unlinked(
    ctx: Context, refs: list[str] | None = None, limit: int | None = None
) -> tuple[list[UnlinkedName], int]:
    query = select(Case.ref, Case.employee_name).where(
        Case.status.in_([s.value for s in HANDLED_STATES]),  # by the status index
        Case.employee_id.is_(None),
        Case.employee_name != "",
        not_anonymised(),
    )
    if refs is not None:
        query = query.where(Case.ref.in_(refs))
    with ctx.db.session() as session:
        ordered = query.order_by(Case.year, Case.seq)
        rows = session.execute(ordered if limit is None else ordered.limit(limit)).all()
        if limit is None or len(rows) < limit:
            count = len(rows)
        else:
            count = session.scalar(select(func.count()).select_from(query.subquery()))
        names = colleague_names(session) if rows else []
        likely: dict[str, tuple[str, ...]] = {}
        for _ref, typed in rows:
            if typed not in likely:
                likely[typed] = tuple(colleagues_named(session, typed, names))
        return [UnlinkedName(ref, typed, likely[typed]) for ref, typed in rows], count
