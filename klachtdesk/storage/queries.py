"""Read-side queries: lean rows for lists, exports and the calendar."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import collate, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from klachtdesk.storage.models import Case, Category, Complainant, Deadline, User


class likely(FunctionElement):  # noqa: N801 - named as SQLite's function
    """A condition marked as probably true for SQLite's planner (``likely(X)``). PostgreSQL
    plans from its own statistics and has no such function: there it is just X."""

    name = "likely"
    inherit_cache = True


@compiles(likely)
def _likely(element, compiler, **kw) -> str:
    return f"likely({compiler.process(element.clauses, **kw)})"


@compiles(likely, "postgresql")
def _bare_condition(element, compiler, **kw) -> str:
    # in brackets: a condition with OR stays one condition among the others
    return f"({compiler.process(element.clauses, **kw)})"


class nocase(FunctionElement):  # noqa: N801 - as SQL reads it
    """A text ordered without regard to capitals: SQLite's ``X COLLATE NOCASE`` (A to Z, what
    the index of migration 0015 holds), ``lower(X)`` on PostgreSQL (its index there)."""

    name = "nocase"
    inherit_cache = True


@compiles(nocase)
def _nocase(element, compiler, **kw) -> str:
    (text,) = element.clauses
    return compiler.process(collate(text, "NOCASE"), **kw)


@compiles(nocase, "postgresql")
def _lower(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def not_anonymised():
    """``cases.anonymised_at IS NULL``, marked as probably true (SQLite's ``likely()``).

    Without ANALYZE statistics SQLite takes any equality on an indexed column for selective,
    and drove the work lists (status ``IN`` a few values) by the anonymisation index: every
    case read. Marked likely, the condition is checked per row and the status index leads.
    """
    return likely(Case.anonymised_at.is_(None))


@dataclass(frozen=True)
class CaseRow:
    id: int
    ref: str
    status: str
    received: date
    channel: str
    complainant: str
    subject: str
    category: str
    handler: str
    version: int
    deadlines: dict[str, date] = field(default_factory=dict)
    open_deadlines: dict[str, date] = field(default_factory=dict)


def active_deadlines(session: Session, case_ids: list[int]) -> dict[int, list[Deadline]]:
    result: dict[int, list[Deadline]] = defaultdict(list)
    for start in range(0, len(case_ids), 900):  # stay below SQLite's parameter limit
        chunk = case_ids[start : start + 900]
        rows = session.scalars(select(Deadline).where(Deadline.active, Deadline.case_id.in_(chunk)))
        for deadline in rows:
            result[deadline.case_id].append(deadline)
    return result


def case_rows(session: Session, status: str | None = None) -> list[CaseRow]:
    query = (
        select(
            Case.id,
            Case.ref,
            Case.status,
            Case.received,
            Case.channel,
            Complainant.name,
            Case.subject,
            Category.name,
            User.display_name,
            Case.version,
        )
        .join(Complainant, Complainant.id == Case.complainant_id)
        .outerjoin(Category, Category.id == Case.category_id)
        .outerjoin(User, User.id == Case.handler_id)
        .order_by(Case.year, Case.seq)
    )
    if status:
        query = query.where(Case.status == status)
    rows = session.execute(query).all()
    deadlines = active_deadlines(session, [row[0] for row in rows])
    return [
        CaseRow(
            id=row[0],
            ref=row[1],
            status=row[2],
            received=row[3],
            channel=row[4],
            complainant=row[5],
            subject=row[6],
            category=row[7] or "",
            handler=row[8] or "",
            version=row[9],
            deadlines={d.kind: d.due for d in deadlines.get(row[0], [])},
            open_deadlines={d.kind: d.due for d in deadlines.get(row[0], []) if d.state == "open"},
        )
        for row in rows
    ]
