"""The deadline calendar, the "Vandaag" overview and the iCalendar export (SPEC §4)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

import icalendar
from sqlalchemy import and_, exists, false, func, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from klachtdesk import __version__
from klachtdesk.domain.calendar import DeadlineCalendar, long_date
from klachtdesk.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    Urgency,
    deadline_status,
    waiting_for,
)
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Activity, Status
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.services import evaluation_cycle
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases import independence
from klachtdesk.services.cases.case_view import SOON_WORKING_DAYS, appeal_clause, director_only
from klachtdesk.services.cases.cases import (
    OWED_LETTERS,
    current_procedure_version,
    procedure_of,
    reads_cases,
)
from klachtdesk.services.context import Context, audit
from klachtdesk.services.evaluation_cycle import EvaluationDue
from klachtdesk.storage.models import Case, Category, Deadline, Event, Letter, ProcedureVersion
from klachtdesk.storage.queries import likely, not_anonymised

# Who may make letters: these roles every type, a directeur-bestuurder only their reaction.
WRITER_ROLES = frozenset({Role.BALIE, Role.COORDINATOR, Role.MANAGER})
DIRECTOR_LETTER = "reactie_directeur"

# From worst to best: a day in the month view takes the colour of its worst deadline.
STATE_SEVERITY = (
    Urgency.OVERDUE,
    Urgency.DUE_SOON,
    Urgency.OPEN,
    Urgency.MISSED,
    Urgency.MET,
)

# Section keys of the overview, in the order a non-director sees them.
OVERDUE, THIS_WEEK, LETTERS, APPEALS = "verlopen", "deze_week", "brieven", "heroverwegingen"
SECTION_TITLES = {
    OVERDUE: "Verlopen termijnen",
    THIS_WEEK: "Deze week",
    LETTERS: "Brieven te versturen",
    APPEALS: "Heroverwegingen voor de directeur-bestuurder",
}
OPEN = DeadlineState.OPEN.value
SECTION_ROWS = 50  # rows of a section read for the overview; "Toon alle" reads the rest
UNLINKED_SHOWN = 8  # cases named in the banner about unlinked employees
EVALUATION = "evaluatie"  # the kind of the evaluation task in the calendar
SATISFACTION_LETTER = "tevredenheidsvraag"


@dataclass(frozen=True)
class AgendaItem:
    """One active deadline of one case, as the calendar and Vandaag show it."""

    case_id: int
    ref: str
    subject: str
    category: str
    kind: str
    label: str
    due: date
    unadjusted: date
    explanation: str
    met_on: date | None
    state: Urgency
    working_days_left: int
    status: str
    status_label: str
    deadline_state: DeadlineState = DeadlineState.OPEN
    settled_by: str = ""
    note: str = ""  # e.g. "besluit genomen, brief nog niet verstuurd"

    @property
    def is_open(self) -> bool:
        return self.deadline_state is DeadlineState.OPEN


@dataclass(frozen=True)
class LetterDue:
    """A letter the procedure asks for that has not been recorded as sent ("Brieven te
    versturen"), or a satisfaction question still to ask."""

    ref: str
    subject: str
    type: str
    label: str
    due: date | None  # the open deadline the letter answers, if any
    since: date | None  # the date of the decision or extension it announces
    state: Urgency | None
    status_label: str
    note: str = ""
    letter_id: int | None = None  # a final letter already stored, waiting to be sent


@dataclass(frozen=True)
class Overview:
    """What the user sees first: what is late, what is due, what must go out."""

    today: date
    week_end: date
    overdue: list[AgendaItem]
    this_week: list[AgendaItem]
    letters: list[LetterDue]
    appeals: list[AgendaItem]
    order: tuple[str, ...]
    # open cases naming an employee not on the list (coordinator: link them)
    unlinked: list[independence.UnlinkedName] = field(default_factory=list)
    # evaluations of finished periods not yet recorded as held (SPEC §2 evaluation)
    evaluations: list[EvaluationDue] = field(default_factory=list)
    # how many rows each section has (its list holds the first few), and unlinked names
    counts: dict[str, int] = field(default_factory=dict)
    unlinked_count: int = 0

    def count(self, key: str) -> int:
        """How many rows the section ``key`` has; its list may hold only the first."""
        return self.counts[key]

    def rows(self, key: str) -> list:
        """The rows of section ``key`` that were read (the first ``count(key)``, or all)."""
        return {
            OVERDUE: self.overdue,
            THIS_WEEK: self.this_week,
            LETTERS: self.letters,
            APPEALS: self.appeals,
        }[key]

    @property
    def director_first(self) -> bool:
        return self.order[0] == APPEALS

    @property
    def with_appeals(self) -> bool:
        """False under a procedure without an appeal stage: no appeals panel."""
        return APPEALS in self.order


def worst_state(items: list[AgendaItem]) -> Urgency | None:
    """The state that colours a day: overdue beats due soon beats open beats missed/met."""
    states = {item.state for item in items}
    return next((s for s in STATE_SEVERITY if s in states), None)


class _States:
    """deadline_status per (due, state), computed once per distinct pair (cheap for many rows)."""

    def __init__(self, calendar: DeadlineCalendar, today: date):
        self.calendar, self.today, self._memo = calendar, today, {}

    def __call__(self, due: date, state: str = OPEN):
        key = (due, state)
        if key not in self._memo:
            self._memo[key] = deadline_status(
                due, state, self.today, self.calendar, SOON_WORKING_DAYS
            )
        return self._memo[key]


def _deadline_query(ctx: Context):
    """Active deadlines with their case, except those that lapsed (they ask for nothing)."""
    # An alias, so that the director's EXISTS clause (which names Deadline) does not
    # correlate with the deadline row being listed.
    d = aliased(Deadline)
    query = (
        select(
            Case.id,
            Case.ref,
            Case.subject,
            Category.name,
            Case.status,
            d.kind,
            d.due,
            d.unadjusted,
            d.explanation,
            d.met_on,
            d.state,
            d.settled_by,
        )
        .select_from(d)
        .join(Case, Case.id == d.case_id)
        .outerjoin(Category, Category.id == Case.category_id)
        # Nearly every row is active (superseded rows are history): marked likely, the
        # planner leads with the state or due date index instead of reading every row.
        .where(likely(d.active.is_(True)), d.state != DeadlineState.LAPSED.value)
        .order_by(d.due, Case.year, Case.seq, d.kind)
    )
    if director_only(ctx):
        query = query.where(appeal_clause())
    if not reads_cases(ctx):  # beheer alone sees no complaints, not even their deadlines
        query = query.where(false())
    return query, d


def _items(session: Session, states: _States, query) -> list[AgendaItem]:
    result = []
    for row in session.execute(query):
        case_id, ref, subject, category, status, kind, due, unadj, expl, met_on = row[:10]
        state, settled_by = row[10:]
        st = states(due, state)
        result.append(
            AgendaItem(
                case_id=case_id,
                ref=ref,
                subject=subject,
                category=category or "",
                kind=kind,
                label=DeadlineKind(kind).label,
                due=due,
                unadjusted=unadj,
                explanation=expl or "",
                met_on=met_on,
                state=st.state,
                working_days_left=st.working_days_left,
                status=status,
                status_label=Status(status).label,
                deadline_state=DeadlineState(state),
                settled_by=settled_by or "",
                note=waiting_for(kind, status) if state == OPEN else "",
            )
        )
    return result


def deadlines_between(
    ctx: Context, start: date, end: date, *, open_only: bool = False
) -> list[AgendaItem]:
    """Active deadlines due from ``start`` to ``end`` (both included), earliest first.

    One query over the deadlines' due date; the cases are joined, never all loaded.
    """
    if end < start:
        return []
    query, d = _deadline_query(ctx)
    query = query.where(d.due >= start, d.due <= end)
    if open_only:
        query = query.where(d.state == OPEN)
    with ctx.db.session() as session:
        states = _States(load_calendar(session), ctx.today())
        items = _items(session, states, query)
    tasks = [
        _evaluation_item(e, states)
        for e in evaluation_cycle.evaluations(ctx, start, end)
        if e.is_open or not open_only
    ]
    return sorted(items + tasks, key=lambda item: item.due) if tasks else items


def days_off(ctx: Context, start: date, end: date) -> dict[date, str]:
    """The days from ``start`` to ``end`` the calendar marks, with why: public holidays (also
    on a weekend), the organisation's closing days, and days of the Algemene termijnenwet on
    which the office may be open but no term ends (5 May in most years, decree days)."""
    with ctx.db.session() as session:
        calendar = load_calendar(session)
    result = {}
    day = start
    while day <= end:
        closed = None if day.weekday() >= 5 else calendar.closed_reason(day)
        atw = calendar.atw_reason(day)
        if atw in ("zaterdag", "zondag"):
            atw = None
        if closed:
            result[day] = closed
        elif atw:
            result[day] = f"{atw} (er eindigt geen termijn)" if day.weekday() < 5 else atw
        day += timedelta(days=1)
    return result


def _evaluation_item(evaluation: EvaluationDue, states: _States) -> AgendaItem:
    """The periodic evaluation as a task in the calendar (it belongs to no case)."""
    state = DeadlineState.OPEN if evaluation.is_open else DeadlineState.MET
    st = states(evaluation.due, state.value)
    return AgendaItem(
        case_id=0,
        ref="",
        subject=f"Evaluatie van de klachten over {evaluation.period.short_label}",
        category="",
        kind=EVALUATION,
        label=evaluation.label,
        due=evaluation.due,
        unadjusted=evaluation.due,
        explanation="overzicht van aard en omvang van de klachten, evaluatie en actiepunten",
        met_on=evaluation.held_on,
        state=st.state,
        working_days_left=st.working_days_left,
        status="",
        status_label="",
        deadline_state=state,
        settled_by="evaluatie gehouden" if evaluation.held_on else "",
    )


def open_deadlines_before(ctx: Context, day: date) -> list[AgendaItem]:
    """Deadlines that passed before ``day`` without being met (overdue), earliest first."""
    query, d = _deadline_query(ctx)
    query = query.where(d.state == OPEN, d.due < day)
    with ctx.db.session() as session:
        return _items(session, _States(load_calendar(session), ctx.today()), query)


# The letter an open deadline asks for, by deadline kind and the case's status.
_LETTER_FOR = {
    (DeadlineKind.ONTVANGSTBEVESTIGING, Status.ONTVANGEN): "ontvangstbevestiging",
    (DeadlineKind.ONTVANGSTBEVESTIGING, Status.IN_BEHANDELING): "ontvangstbevestiging",
    (DeadlineKind.ONTVANGSTBEVESTIGING, Status.NIET_ONTVANKELIJK): "niet_ontvankelijk",
    (DeadlineKind.ONTVANGSTBEVESTIGING, Status.DOORVERWEZEN): "doorverwijzing",
    (DeadlineKind.UITSPRAAK, Status.AFGEHANDELD): "uitspraak",
    (DeadlineKind.HEROVERWEGING, Status.AFGEHANDELD_DIRECTEUR): "reactie_directeur",
    (DeadlineKind.VERLENGINGSBERICHT, Status.ONTVANGEN): "verlenging",
    (DeadlineKind.VERLENGINGSBERICHT, Status.IN_BEHANDELING): "verlenging",
}


# A decision's letter and the directeur's are owed only by cases the database marks
# (``letter_owed``): their open deadlines are looked for on marked cases alone.
_MARKED_KINDS = (DeadlineKind.UITSPRAAK.value, DeadlineKind.HEROVERWEGING.value)
_UNMARKED_KINDS = tuple(sorted({kind.value for kind, _status in _LETTER_FOR} - set(_MARKED_KINDS)))


def _letters(
    session: Session, ctx: Context, states: _States, waiting: list[AgendaItem]
) -> list[LetterDue]:
    """Letters the procedure asks for and that are not recorded as sent: the open deadlines
    that a letter answers now, decisions whose letter has no deadline left (a refusal after
    the acknowledgement), final letters not yet sent, and (where the procedure asks for it)
    the satisfaction question once the answer went out."""
    if not reads_cases(ctx):
        return []
    result: list[LetterDue] = []
    covered: set[tuple[str, str]] = set()
    stored = _stored_unsent(session, ctx)

    def due(ref, subject, letter, status, **facts) -> LetterDue:
        return LetterDue(
            ref=ref,
            subject=subject,
            type=letter,
            label=LETTER_TYPES[letter].label,
            status_label=Status(status).label,
            **{"due": None, "since": None, "state": None, **facts},
        )

    for item in waiting:
        letter = _LETTER_FOR.get((DeadlineKind(item.kind), Status(item.status)))
        if letter is not None:
            covered.add((item.ref, letter))
            found = stored.pop((item.ref, letter), None)
            result.append(
                due(
                    item.ref,
                    item.subject,
                    letter,
                    item.status,
                    due=item.due,
                    state=item.state,
                    note=item.note,
                    letter_id=found,
                )  # fmt: skip
            )
    for ref, subject, status, since in _owed_without_deadline(session, ctx):
        letter = OWED_LETTERS[Status(status)]
        if (ref, letter) not in covered:
            found = stored.pop((ref, letter), None)
            note = "besluit genomen, brief nog niet verstuurd"
            result.append(
                due(ref, subject, letter, status, since=since, note=note, letter_id=found)
            )
    for (ref, letter), (letter_id, subject, status, made) in stored.items():
        note = "brief is definitief; verzending nog niet vastgelegd"
        result.append(due(ref, subject, letter, status, since=made, note=note, letter_id=letter_id))
    result += _satisfaction_questions(session, ctx)
    if not ctx.actor.roles & WRITER_ROLES:
        result = [r for r in result if r.type == DIRECTOR_LETTER]
    return result


def _stored_unsent(session: Session, ctx: Context) -> dict[tuple[str, str], tuple]:
    """Final letters stored without a sending date: (ref, type) → (id, subject, status, made)."""
    query = (
        select(Case.ref, Letter.type, Letter.id, Case.subject, Case.status, Letter.created_at)
        .join(Case, Case.id == Letter.case_id)
        .where(Letter.sent_on.is_(None), not_anonymised())
    )  # no ORDER BY: SQLite would then read every letter, past its PDF, in id order
    if director_only(ctx):
        query = query.where(appeal_clause())
    rows = sorted(session.execute(query), key=lambda row: row[2])  # oldest letter first
    return {
        (ref, kind): (letter_id, subject, status, made.date())
        for ref, kind, letter_id, subject, status, made in rows
    }


def _owed_without_deadline(session: Session, ctx: Context, marked_only: bool = True):
    """Decided cases whose decision letter is not recorded as sent since the decision.

    The database marks these cases (``letter_owed``, kept by triggers): only marked cases
    are checked against the rule. ``marked_only=False`` checks every decided case, as the
    tests do to show the mark misses none."""
    decision = aliased(Event)
    decision_id = (
        select(func.max(decision.id))
        .where(decision.case_id == Case.id, decision.to_status == Case.status)
        .correlate(Case)
        .scalar_subquery()
    )
    conditions = []
    for status, letter in OWED_LETTERS.items():
        sent_after = exists().where(
            Event.case_id == Case.id,
            Event.kind == Activity.BRIEF.value,
            Event.id > decision_id,
            Event.data.contains(f'"brief": "{letter}"'),
            ~Event.data.contains('"verzonden": null'),
        )
        conditions.append(and_(Case.status == status.value, ~sent_after))
    decided_at = select(func.date(decision.at)).where(decision.id == decision_id).scalar_subquery()
    query = (
        select(Case.ref, Case.subject, Case.status, decided_at)
        .where(
            Case.status.in_([status.value for status in OWED_LETTERS]),
            or_(*conditions),
            not_anonymised(),
        )
        .order_by(Case.year, Case.seq)
    )
    if marked_only:
        query = query.where(Case.letter_owed.is_(True))  # few cases, by their index
    if director_only(ctx):
        query = query.where(appeal_clause())
    return [
        (ref, subject, status, date.fromisoformat(str(day)))
        for ref, subject, status, day in session.execute(query)
    ]


def _satisfaction_questions(session: Session, ctx: Context) -> list[LetterDue]:
    """Decided cases of a procedure with a satisfaction check, answer sent, not yet asked."""
    # The few procedure versions first: cases under a version that does not ask are not read.
    asking = [
        version_id
        for version_id, config in session.execute(
            select(ProcedureVersion.id, ProcedureVersion.config)
        )
        if Procedure.from_dict(json.loads(config)).satisfaction_check
    ]
    if not asking:
        return []
    rows = session.execute(
        select(Case.ref, Case.subject, Case.status, Case.decided_on)
        .where(
            Case.status.in_([Status.AFGEHANDELD.value, Status.AFGEHANDELD_DIRECTEUR.value]),
            Case.procedure_version_id.in_(asking),
            Case.satisfied.is_(None),
            Case.satisfaction_unreachable.is_(False),
            not_anonymised(),
        )
        .order_by(Case.year, Case.seq)
    ).all()
    return [
        LetterDue(
            ref=ref,
            subject=subject,
            type=SATISFACTION_LETTER,
            label=LETTER_TYPES[SATISFACTION_LETTER].label,
            due=None,
            since=decided,
            state=None,
            status_label=Status(status).label,
            note="vraag of de klacht naar tevredenheid is afgehandeld",
        )
        for ref, subject, status, decided in rows
    ]


def _week_end(today: date) -> date:
    """The Sunday of ``today``'s week ("Deze week" runs from today to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def _section_query(ctx: Context, key: str, today: date, marked_only: bool = True):
    """The open deadlines of one deadline section of the overview, in the order it lists
    them: the selection is the database's (the state and due date are indexed).

    ``marked_only`` (letters): a decision's or the directeur's letter is looked for only on
    cases marked as owing one (``letter_owed``; an open deadline of that letter means it is
    not sent). ``False`` applies the rule to every open deadline, as the tests do to show
    that the mark misses none."""
    query, d = _deadline_query(ctx)
    query = query.where(d.state == OPEN)
    if key == OVERDUE:
        return query.where(d.due < today)
    if key == THIS_WEEK:
        return query.where(d.due >= today, d.due <= _week_end(today))
    if key == APPEALS:
        return query.where(
            d.kind == DeadlineKind.HEROVERWEGING.value,
            Case.status == Status.HEROVERWEGING.value,
        )
    # LETTERS: the open deadlines a letter answers now (by deadline kind and case status)
    answered = or_(*(and_(d.kind == k.value, Case.status == s.value) for k, s in _LETTER_FOR))
    if not marked_only:
        return query.where(answered)  # reads every open deadline with its case
    # Candidates by index: open acknowledgement and extension deadlines, and the deadlines
    # of marked cases (1,000,000 cases: 5 instead of 120 ms; most open deadlines are
    # decisions still being worked on, whose case the rule had to read to pass over them).
    candidates = union_all(
        select(Deadline.id).where(Deadline.state == OPEN, Deadline.kind.in_(_UNMARKED_KINDS)),
        select(Deadline.id).where(
            Deadline.case_id.in_(select(Case.id).where(Case.letter_owed.is_(True))),
            Deadline.kind.in_(_MARKED_KINDS),
        ),
    )
    return query.where(d.id.in_(candidates), answered)


def _count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _section_count(session: Session, ctx: Context, key: str, query) -> int:
    """How many rows a section has. Overdue and this week ask only about the deadline: they
    are counted from the deadlines' index (state, due, active), without reading a row."""
    if key not in (OVERDUE, THIS_WEEK) or director_only(ctx) or not reads_cases(ctx):
        return _count(session, query)
    today = ctx.today()
    due = Deadline.due < today if key == OVERDUE else Deadline.due.between(today, _week_end(today))
    return session.scalar(
        select(func.count())
        .select_from(Deadline)
        .where(Deadline.state == OPEN, due, Deadline.active.is_(True))
    )


def section_items(ctx: Context, key: str) -> list[AgendaItem] | list[LetterDue]:
    """Every row of one section of the overview ("Toon alle"), in the order it lists them."""
    today = ctx.today()
    with ctx.db.session() as session:
        states = _States(load_calendar(session), today)
        if key == LETTERS:
            return _letters(
                session, ctx, states, _items(session, states, _section_query(ctx, key, today))
            )
        return _items(session, states, _section_query(ctx, key, today))


def today_overview(ctx: Context, shown: int | None = SECTION_ROWS) -> Overview:
    """Overdue deadlines, those due this week (today to Sunday), letters to send and the
    appeals waiting for the directeur-bestuurder; a directeur sees the appeals first.

    Each section holds its first ``shown`` rows (all with ``None``) and ``counts`` how many
    it has: the database selects, orders and counts, so the cost is per screenful, not per
    case. ``section_items`` reads all rows of one section.
    """
    today = ctx.today()
    sections: dict[str, list] = {}
    counts: dict[str, int] = {}
    with ctx.db.session() as session:
        states = _States(load_calendar(session), today)
        for key in (OVERDUE, THIS_WEEK, APPEALS):
            query = _section_query(ctx, key, today)
            limited = query if shown is None else query.limit(shown)
            sections[key] = _items(session, states, limited)
            full = shown is None or len(sections[key]) < shown
            counts[key] = len(sections[key]) if full else _section_count(session, ctx, key, query)
        # Letters come from four sources that exclude one another (a letter answering an
        # open deadline is not listed again as owed): built whole, then cut to ``shown``.
        waiting = _items(session, states, _section_query(ctx, LETTERS, today))
        letters = _letters(session, ctx, states, waiting)
        counts[LETTERS] = len(letters)
        sections[LETTERS] = letters if shown is None else letters[:shown]
        # a procedure without an appeal stage (Livable) has no appeals panel, unless
        # cases of an earlier version with an appeal are still waiting for one
        with_appeals = procedure_of(current_procedure_version(session)).appeal or bool(
            counts[APPEALS]
        )
    order = (OVERDUE, THIS_WEEK, LETTERS, APPEALS)
    if Role.DIRECTEUR in ctx.actor.roles:
        order = (APPEALS, OVERDUE, THIS_WEEK, LETTERS)
    if not with_appeals:
        order = tuple(key for key in order if key != APPEALS)
    unlinked, unlinked_count = independence.first_unlinked(ctx, UNLINKED_SHOWN)
    due = evaluation_cycle.open_evaluations(ctx)
    return Overview(
        today,
        _week_end(today),
        sections[OVERDUE],
        sections[THIS_WEEK],
        sections[LETTERS],
        sections[APPEALS],
        order,
        unlinked,
        due,
        counts,
        unlinked_count,
    )


# -- iCalendar ------------------------------------------------------------------------------
def ics_uid(item: AgendaItem) -> str:
    """Stable per deadline: exporting again updates the event instead of doubling it."""
    return f"{item.ref}-{item.kind}-{item.due:%Y%m%d}@klachtdesk"


def export_ics(ctx: Context, items: list[AgendaItem]) -> bytes:
    """The open deadlines among ``items`` as an iCalendar file (Outlook, phone calendars).

    No complainant data and no subject: the file leaves the encrypted store. The export
    is audited.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//KlachtDesk//Termijnen {__version__}//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "KlachtDesk-termijnen")
    stamp = ctx.now()
    count = 0
    for item in items:
        if not item.is_open:
            continue
        event = icalendar.Event()
        event.add("uid", ics_uid(item))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
        event.add("summary", f"{item.ref}: {item.kind}" if item.ref else item.label)
        lines = [f"Termijn: {item.label}", f"Uiterlijk op {long_date(item.due)}."]
        if item.explanation:
            lines.append(f"Toelichting: {item.explanation}")
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["KlachtDesk"])
        cal.add_component(event)
        count += 1
    with ctx.db.session(write=True) as session:
        audit(session, ctx, "export_ics", detail=f"{count} termijnen")
    return cal.to_ical()
