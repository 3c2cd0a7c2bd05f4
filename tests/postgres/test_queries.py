"""Issue 15, queries on both stores: the case list's orders and Vandaag's sections are the
same statements on SQLite and on PostgreSQL, except where SQLite's planner needs a hint
(``likely``) or its own collation (``NOCASE``): PostgreSQL gets the bare condition and
``lower()``. Run on both stores with the same cases, they give the same rows in the same
order.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from klachtdesk.domain.roles import Role
from klachtdesk.services.cases import agenda, case_view
from klachtdesk.services.cases.case_view import CaseFilter
from klachtdesk.services.context import Actor, Context
from klachtdesk.storage.models import Case, Deadline
from klachtdesk.storage.queries import likely, not_anonymised
from tests.postgres.test_schema import NOW, add_case, store  # noqa: F401 - the fixture

TODAY = date(2026, 12, 4)
NAMES = ("Bram Zwart", "bram el Amrani", "Anna de Vries", "Ömer Yilmaz", "anna Bakker")


def sql(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect.dialect()))


def test_postgresql_gets_the_bare_condition_and_lower_case_names():
    condition = not_anonymised()
    assert sql(condition, sqlite) == "likely(cases.anonymised_at IS NULL)"
    assert sql(condition, postgresql) == "(cases.anonymised_at IS NULL)"
    either = likely(or_(Case.status == "ontvangen", Case.status == "heroverweging"))
    both = select(Case.id).where(either, Case.year == 2026)
    where = sql(both, postgresql).split("WHERE ")[1].replace("::VARCHAR", "")
    assert where.startswith("(cases.status = %(status_1)s OR cases.status = %(status_2)s) AND")
    ctx = Context(None, Actor(0, "t", "T", frozenset({Role.COORDINATOR})), today=lambda: TODAY)
    ordered = case_view._ordered_ids(ctx, CaseFilter(), "complainant", False)
    assert 'complainants.name COLLATE "NOCASE"' in sql(ordered, sqlite)
    assert "ORDER BY lower(complainants.name)" in sql(ordered, postgresql)


def the_cases(store) -> dict[str, int]:  # noqa: F811 - the fixture's name
    """Five cases with names in mixed capitals and deadlines in every Vandaag section."""
    refs = {}
    with Session(store) as session, session.begin():
        for number, name in enumerate(NAMES):
            status = ("in_behandeling", "ontvangen", "heroverweging")[number % 3]
            case = add_case(session, status, name)
            kind = {"in_behandeling": "uitspraak", "ontvangen": "ontvangstbevestiging"}.get(
                status, "heroverweging"
            )
            due = TODAY + timedelta(days=(-3, 1, 2, -1, 0)[number])
            session.add(
                Deadline(case_id=case.id, kind=kind, start=TODAY - timedelta(days=10), due=due,
                         unadjusted=due, created_at=NOW)
            )  # fmt: skip
            refs[name] = case.id
    return refs


def test_the_case_list_and_vandaag_read_alike_on_both_stores(store):  # noqa: F811
    ids = the_cases(store)
    ctx = Context(None, Actor(0, "t", "T", frozenset({Role.COORDINATOR})), today=lambda: TODAY)
    with store.connect() as conn:
        by_name = list(
            conn.scalars(case_view._ordered_ids(ctx, CaseFilter(), "complainant", False))
        )
        # capitals do not count: "anna Bakker" and "Anna de Vries" first, Ömer after Z
        # (SQLite's NOCASE folds A to Z only; lower() agrees on these names)
        assert by_name == [ids[n] for n in (
            "anna Bakker", "Anna de Vries", "bram el Amrani", "Bram Zwart", "Ömer Yilmaz"
        )]  # fmt: skip
        for sort in case_view.SORT_KEYS:
            for descending in (False, True):
                query = case_view._ordered_ids(ctx, CaseFilter(), sort, descending)
                assert len(list(conn.scalars(query))) == len(NAMES), sort
        sections = {
            key: [row.id for row in conn.execute(agenda._section_query(ctx, key, TODAY))]
            for key in (agenda.OVERDUE, agenda.THIS_WEEK, agenda.APPEALS, agenda.LETTERS)
        }
        anonymised = list(conn.scalars(select(Case.id).where(not_anonymised())))
    assert sections == {
        agenda.OVERDUE: [ids["Bram Zwart"], ids["Ömer Yilmaz"]],
        agenda.THIS_WEEK: [ids["anna Bakker"], ids["bram el Amrani"], ids["Anna de Vries"]],
        agenda.APPEALS: [ids["Anna de Vries"]],
        agenda.LETTERS: [ids["anna Bakker"], ids["bram el Amrani"]],
    }
    assert sorted(anonymised) == sorted(ids.values())
