"""Before the password is known: compile what the main window's first screen reads.

SQLAlchemy compiles each statement once per engine: some 40 statements, about 25 ms, after
"Aanmelden" on the way to the first screen (its settings, the case list's first page and
count, Vandaag). A rehearsal runs those same service calls while the user types, for every
role, on the engine that then opens the real file (``Database.rehearsal`` and
``open_file``): against an in-memory database with the same tables, the shipped procedures
and a few made-up cases, so that every section has a row and is counted as a full one is.
No file is read or written, and nothing of it stays but the compiled statements (and the
working-day counts of the years around today).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from klachtdesk.domain.calendar import DeadlineCalendar
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.procedures import PRESETS
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Status
from klachtdesk.services.admin import settings
from klachtdesk.services.admin.setup import add_preset_procedures
from klachtdesk.services.cases import agenda, case_view
from klachtdesk.services.context import Actor, Context
from klachtdesk.storage.engine import Database
from klachtdesk.storage.models import Case, Category, Complainant, Deadline, ProcedureVersion

# Made-up cases: one overdue, one due this week, one appeal, and more received ones until
# the banner about employees not on the list (all of them name one) is full; the first owes
# a letter.
_CASES = (
    (Status.IN_BEHANDELING, DeadlineKind.UITSPRAAK, -3),
    (Status.ONTVANGEN, DeadlineKind.ONTVANGSTBEVESTIGING, 0),
    (Status.HEROVERWEGING, DeadlineKind.HEROVERWEGING, 2),
) + ((Status.ONTVANGEN, None, 0),) * (agenda.UNLINKED_SHOWN - 3)


def rehearse(today: date | None = None) -> Database:
    """A rehearsed Database for ``setup.unlock``: the first screen's statements compiled."""
    today = today or date.today()
    db = Database.rehearsal()
    with db.session(write=True) as session:
        settings.write(session, "procedure.current", next(iter(PRESETS)))
        add_preset_procedures(session, datetime(2000, 1, 1))
        _add_cases(session, today)
    for role in Role:
        first_screen(Context(db, Actor(0, "repetitie", "Repetitie", frozenset({role}))))
    db.engine.dispose()  # the in-memory database goes with its last connection
    # The working-day counts of last, this and next year, which the deadlines on the first
    # screen are measured with (shared by every calendar without closing days of its own).
    calendar = DeadlineCalendar()
    for year in range(today.year - 1, today.year + 2):
        calendar.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
    return db


def first_screen(ctx: Context) -> None:
    """The reads of the main window's first screen, as its panels make them."""
    settings.get_settings(ctx)
    case_view.category_choices(ctx)
    case_view.data_stamp(ctx)
    case_view.case_page(ctx)
    case_view.case_count(ctx)
    # one row per section: shown=1 makes each one full, so it is counted too
    agenda.today_overview(ctx, shown=1)


def _add_cases(session, today: date) -> None:
    now = datetime.combine(today, datetime.min.time())
    version = session.scalars(select(ProcedureVersion)).first()
    category = Category(name="Repetitie")
    complainant = Complainant(name="Repetitie", created_at=now)
    session.add_all([category, complainant])
    session.flush()
    for seq, (status, kind, days) in enumerate(_CASES, start=1):
        case = Case(
            ref=f"KD-2000-{seq:05d}",
            year=2000,
            seq=seq,
            status=status.value,
            procedure_version_id=version.id,
            channel="telefoon",
            received=today - timedelta(days=10),
            complainant_id=complainant.id,
            category_id=category.id,
            subject="Repetitie",
            description="Repetitie",
            employee_name="Repetitie",
            letter_owed=seq == 1,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        session.flush()
        if kind is None:
            continue
        due = today + timedelta(days=days)
        session.add(
            Deadline(
                case_id=case.id,
                kind=kind.value,
                start=case.received,
                due=due,
                unadjusted=due,
                created_at=now,
            )
        )
