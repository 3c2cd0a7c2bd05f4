"""The deadline calendar, the "Vandaag" overview and the iCalendar export (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import icalendar
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from klachtdesk import __version__
from klachtdesk.domain.calendar import DeadlineCalendar, long_date
from klachtdesk.domain.deadlines import DeadlineKind, DeadlineState, deadline_status
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import FINISHED_STATES, Activity, Status
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases.case_view import SOON_WORKING_DAYS, appeal_clause, director_only
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import Case, Category, Deadline, Event

# From worst to best: a day in the month view takes the colour of its worst deadline.
STATE_SEVERITY = (
    DeadlineState.OVERDUE,
    DeadlineState.DUE_SOON,
    DeadlineState.OPEN,
    DeadlineState.MET_LATE,
    DeadlineState.MET,
)

# Section keys of the overview, in the order a non-director sees them.
OVERDUE, THIS_WEEK, LETTERS, APPEALS = "verlopen", "deze_week", "brieven", "heroverwegingen"
SECTION_TITLES = {
    OVERDUE: "Verlopen termijnen",
    THIS_WEEK: "Deze week",
    LETTERS: "Brieven te versturen",
    APPEALS: "Heroverwegingen voor de directeur-bestuurder",
}

# Which deadline a decision answers, and the letter that must follow it, per decided state.
_DECISION_LETTERS = {
    Status.AFGEHANDELD: (DeadlineKind.UITSPRAAK, "Brief met de uitspraak"),
    Status.NIET_ONTVANKELIJK: (DeadlineKind.UITSPRAAK, "Brief niet-ontvankelijk"),
    Status.DOORVERWEZEN: (DeadlineKind.UITSPRAAK, "Doorverwijzingsbrief"),
    Status.AFGEHANDELD_DIRECTEUR: (DeadlineKind.HEROVERWEGING, "Reactie directeur-bestuurder"),
}
_ACKNOWLEDGE_STATES = (Status.ONTVANGEN.value, Status.IN_BEHANDELING.value)
_FINISHED = tuple(s.value for s in FINISHED_STATES)


@dataclass(frozen=True)
class AgendaItem:
    """One active deadline of one case, as the calendar shows it."""

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
    state: DeadlineState
    working_days_left: int
    status: str
    status_label: str

    @property
    def is_open(self) -> bool:
        return self.met_on is None


@dataclass(frozen=True)
class LetterToSend:
    """A letter the procedure asks for that has not been recorded as sent."""

    ref: str
    subject: str
    letter: str
    kind: str
    due: date | None  # the acknowledgement's deadline; None for a decision letter
    decided_on: date | None  # the date of the decision the letter announces
    state: DeadlineState | None
    status: str
    status_label: str


@dataclass(frozen=True)
class Overview:
    """What the user sees first: what is late, what is due, what must go out."""

    today: date
    week_end: date
    overdue: list[AgendaItem]
    this_week: list[AgendaItem]
    letters: list[LetterToSend]
    appeals: list[AgendaItem]
    order: tuple[str, ...]

    @property
    def director_first(self) -> bool:
        return self.order[0] == APPEALS


def worst_state(items: list[AgendaItem]) -> DeadlineState | None:
    """The state that colours a day: overdue beats due soon beats open beats met."""
    states = {item.state for item in items}
    return next((s for s in STATE_SEVERITY if s in states), None)


class _States:
    """deadline_status per (due, met_on), computed once per distinct pair (cheap for many rows)."""

    def __init__(self, calendar: DeadlineCalendar, today: date):
        self.calendar, self.today, self._memo = calendar, today, {}

    def __call__(self, due: date, met_on: date | None):
        key = (due, met_on)
        if key not in self._memo:
            self._memo[key] = deadline_status(
                due, met_on, self.today, self.calendar, SOON_WORKING_DAYS
            )
        return self._memo[key]


def _active_unindexed(d):
    """'active', written so that SQLite does not choose the (active, met_on, due) index.

    Nearly every deadline is active, so a query that is not about open deadlines would
    scan that whole index; written this way the planner takes a better road (the due
    date, or the cases' status). Same meaning: ``active`` is never NULL.
    """
    return d.active.is_not(False)


def _deadline_query(ctx: Context, by_due: bool = False):
    """Active deadlines with their case; unmet deadlines of closed or withdrawn cases are
    left out (nobody watches them), met ones stay visible as met."""
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
        )
        .select_from(d)
        .join(Case, Case.id == d.case_id)
        .outerjoin(Category, Category.id == Case.category_id)
        .where(_active_unindexed(d) if by_due else d.active.is_(True))
        .where(or_(d.met_on.is_not(None), Case.status.not_in(_FINISHED)))
        .order_by(d.due, Case.year, Case.seq, d.kind)
    )
    if director_only(ctx):
        query = query.where(appeal_clause())
    return query, d


def _items(session: Session, states: _States, query) -> list[AgendaItem]:
    result = []
    for case_id, ref, subject, category, status, kind, due, unadj, expl, met_on in session.execute(
        query
    ):
        st = states(due, met_on)
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
    query, d = _deadline_query(ctx, by_due=not open_only)
    query = query.where(d.due >= start, d.due <= end)
    if open_only:
        query = query.where(d.met_on.is_(None))
    with ctx.db.session() as session:
        return _items(session, _States(load_calendar(session), ctx.today()), query)


def open_deadlines_before(ctx: Context, day: date) -> list[AgendaItem]:
    """Deadlines that passed before ``day`` without being met (overdue), earliest first."""
    query, d = _deadline_query(ctx)
    query = query.where(d.met_on.is_(None), d.due < day)
    with ctx.db.session() as session:
        return _items(session, _States(load_calendar(session), ctx.today()), query)


def _letters(session: Session, ctx: Context, states: _States) -> list[LetterToSend]:
    """Acknowledgements still to send, and decisions whose letter is not recorded as sent.

    Derived from the deadlines: a decision meets its deadline, and a letter recorded after
    the decision (timeline event 'brief') is taken as the letter that announces it.
    """
    restricted = director_only(ctx)
    result: list[LetterToSend] = []
    d = aliased(Deadline)
    ack = (
        select(Case.ref, Case.subject, Case.status, d.due)
        .select_from(d)
        .join(Case, Case.id == d.case_id)
        .where(d.active.is_(True), d.met_on.is_(None))
        .where(d.kind == DeadlineKind.ONTVANGSTBEVESTIGING.value)
        .where(Case.status.in_(_ACKNOWLEDGE_STATES))
        .order_by(d.due, Case.year, Case.seq)
    )
    if restricted:
        ack = ack.where(appeal_clause())
    for ref, subject, status, due in session.execute(ack):
        result.append(
            LetterToSend(
                ref=ref,
                subject=subject,
                letter=DeadlineKind.ONTVANGSTBEVESTIGING.label,
                kind=DeadlineKind.ONTVANGSTBEVESTIGING.value,
                due=due,
                decided_on=None,
                state=states(due, None).state,
                status=status,
                status_label=Status(status).label,
            )
        )
    # The decision is the last event that brought the case into its present status.
    decision = aliased(Event)
    decision_id = (
        select(func.max(decision.id))
        .where(decision.case_id == Case.id, decision.to_status == Case.status)
        .correlate(Case)
        .scalar_subquery()
    )
    sent_after = exists().where(
        Event.case_id == Case.id, Event.kind == Activity.BRIEF.value, Event.id > decision_id
    )
    decided = (
        select(Case.ref, Case.subject, Case.status, d.met_on)
        .select_from(d)
        .join(Case, Case.id == d.case_id)
        .where(Case.status.in_([s.value for s in _DECISION_LETTERS]))
        .where(_active_unindexed(d), d.met_on.is_not(None))  # from the cases' status index
        .where(
            or_(
                *(
                    and_(Case.status == status.value, d.kind == kind.value)
                    for status, (kind, _) in _DECISION_LETTERS.items()
                )
            )
        )
        .where(~sent_after)
        .order_by(d.met_on, Case.year, Case.seq)
    )
    if restricted:
        decided = decided.where(appeal_clause())
    for ref, subject, status, met_on in session.execute(decided):
        kind, letter = _DECISION_LETTERS[Status(status)]
        result.append(
            LetterToSend(
                ref=ref,
                subject=subject,
                letter=letter,
                kind=kind.value,
                due=None,
                decided_on=met_on,
                state=None,
                status=status,
                status_label=Status(status).label,
            )
        )
    return result


def today_overview(ctx: Context) -> Overview:
    """Overdue deadlines, those due this week (today to Sunday), letters to send and the
    appeals waiting for the directeur-bestuurder; a directeur sees the appeals first."""
    today = ctx.today()
    week_end = today + timedelta(days=6 - today.weekday())
    query, d = _deadline_query(ctx)
    open_query = query.where(d.met_on.is_(None), Case.status.not_in(_FINISHED))
    with ctx.db.session() as session:
        states = _States(load_calendar(session), today)
        overdue = _items(session, states, open_query.where(d.due < today))
        this_week = _items(session, states, open_query.where(d.due >= today, d.due <= week_end))
        appeals = _items(
            session,
            states,
            open_query.where(
                d.kind == DeadlineKind.HEROVERWEGING.value,
                Case.status == Status.HEROVERWEGING.value,
            ),
        )
        letters = _letters(session, ctx, states)
    order = (OVERDUE, THIS_WEEK, LETTERS, APPEALS)
    if Role.DIRECTEUR in ctx.actor.roles:
        order = (APPEALS, OVERDUE, THIS_WEEK, LETTERS)
    return Overview(today, week_end, overdue, this_week, letters, appeals, order)


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
        event.add("summary", f"{item.ref}: {item.kind}")
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
