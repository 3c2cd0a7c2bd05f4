"""The half-year evaluation (SPEC §6): figures from SQL aggregates, action points, exports.

Every figure is counted by the database; only the handling time needs working days per
(receipt, decision) pair, which come from one prefix sum over the calendar. Nothing in an
evaluation identifies a complainant or an employee.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from klachtdesk.domain.calendar import DeadlineCalendar
from klachtdesk.domain.deadlines import DeadlineKind, DeadlineState
from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError, os_reason
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import OPEN_STATES, Action, Status
from klachtdesk.domain.validation import MAX_LINE, MAX_TEXT, parse_date, required_text
from klachtdesk.domain.values import Channel, NotAdmissibleReason, Outcome
from klachtdesk.reports.model import (
    ActionPointInfo,
    DeadlineFigures,
    Evaluation,
    Figures,
    Kind,
    Line,
    Section,
    fmt_difference,
    fmt_value,
)
from klachtdesk.reports.periods import Period, last_finished_half_year, make_period, parse_period
from klachtdesk.services.admin.settings import load_calendar, read_all
from klachtdesk.services.context import Context, audit, viewing
from klachtdesk.storage.models import ActionPoint, Case, Category, Deadline, Department, Event

__all__ = [
    "ACTION_POINT_ROLES",
    "VIEW_ROLES",
    "ActionPointInfo",
    "Evaluation",
    "Figures",
    "Kind",
    "Line",
    "Period",
    "Section",
    "add_action_point",
    "chart_images",
    "complete_action_point",
    "evaluation",
    "export",
    "fmt_difference",
    "fmt_value",
    "last_finished_half_year",
    "list_action_points",
    "make_period",
    "may_edit_action_points",
    "may_view",
    "parse_period",
    "save_csv",
    "save_pdf",
]

VIEW_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR, Role.BEHEER)
ACTION_POINT_ROLES = (Role.COORDINATOR, Role.BEHEER)
NO_CATEGORY, NO_DEPARTMENT = "Geen categorie", "Geen afdeling"


# -- who may -------------------------------------------------------------------------------------
def may_view(ctx: Context) -> bool:
    return bool(ctx.actor.roles & set(VIEW_ROLES))


def may_edit_action_points(ctx: Context) -> bool:
    return bool(ctx.actor.roles & set(ACTION_POINT_ROLES))


# -- the evaluation ------------------------------------------------------------------------------
def evaluation(ctx: Context, period: Period | str) -> Evaluation:
    """The figures of ``period`` and of the period before it; audited as 'rapport'."""
    ctx.actor.require(*VIEW_ROLES, what="het evaluatierapport bekijken")
    if isinstance(period, str):
        period = parse_period(period)
    today = ctx.today()
    if period.start > today:
        raise ValidationError("periode", "de periode begint na vandaag; er is nog niets te tellen.")
    with ctx.db.session() as session:
        calendar = load_calendar(session)
        organisation = read_all(session)["org.name"]
        current = _figures(session, calendar, period, today)
        previous = _figures(session, calendar, period.previous(), today)
        previous = _aligned(previous, current)
        current = _aligned(current, previous)
        points = _action_points(session, period)
    with viewing(ctx) as session:
        audit(session, ctx, "rapport", period.key)
    return Evaluation(organisation, today, current, previous, points)


def _aligned(figures: Figures, other: Figures) -> Figures:
    """Give ``figures`` a zero for every label that only ``other`` has, in a stable order."""

    def merge(mine, theirs):
        labels = dict(mine)
        for label, _ in theirs:
            labels.setdefault(label, 0)
        return tuple(labels.items())

    return replace(
        figures,
        by_category=merge(figures.by_category, other.by_category),
        by_department=merge(figures.by_department, other.by_department),
        not_admissible=merge(figures.not_admissible, other.not_admissible),
    )


def _figures(session: Session, calendar: DeadlineCalendar, period: Period, today: date) -> Figures:
    start, end = period.start, period.end
    begin = datetime.combine(start, time())
    after = datetime.combine(end + timedelta(days=1), time())  # events before this moment
    received = Case.received.between(start, end)

    # Received, by channel, category and department: one grouped query.
    channels, categories, departments = Counter(), Counter(), Counter()
    rows = session.execute(
        select(Case.channel, Category.name, Department.name, func.count())
        .select_from(Case)
        .outerjoin(Category, Category.id == Case.category_id)
        .outerjoin(Department, Department.id == Case.department_id)
        .where(received)
        .group_by(Case.channel, Category.name, Department.name)
    )
    for channel, category, department, count in rows:
        channels[channel] += count
        categories[category or NO_CATEGORY] += count
        departments[department or NO_DEPARTMENT] += count
    category_order = list(session.scalars(select(Category.name).where(Category.active)))
    department_order = list(session.scalars(select(Department.name).where(Department.active)))

    admitted, not_admissible, referred, withdrawn, pending = _assessment(session, received, after)
    outcomes = Counter(
        dict(
            session.execute(
                select(Case.outcome, func.count())
                .where(Case.decided_on.between(start, end), Case.outcome.is_not(None))
                .group_by(Case.outcome)
            ).all()
        )
    )
    events = dict(
        session.execute(
            select(Event.kind, func.count())
            .where(
                Event.kind.in_([Action.BEROEP.value, Action.GESCHIL.value]),
                Event.at >= begin,
                Event.at < after,
            )
            .group_by(Event.kind)
        ).all()
    )
    director = session.scalar(
        select(func.count()).where(Case.director_decided_on.between(start, end))
    )
    days = _handling_days(session, calendar, start, end)
    deadlines = _deadline_figures(session, start, end, today)
    return Figures(
        period=period,
        received=sum(channels.values()),
        by_channel=tuple((c.label, channels.get(c.value, 0)) for c in Channel),
        by_category=_ordered(categories, category_order, NO_CATEGORY),
        by_department=_ordered(departments, department_order, NO_DEPARTMENT),
        admitted=admitted,
        not_admissible=tuple(
            (reason.label, not_admissible.get(reason.value, 0)) for reason in NotAdmissibleReason
        ),
        referred=referred,
        withdrawn_before_assessment=withdrawn,
        not_yet_assessed=pending,
        outcomes=tuple((o.label, outcomes.get(o.value, 0)) for o in Outcome),
        appeals=events.get(Action.BEROEP.value, 0),
        director_decisions=director or 0,
        disputes=events.get(Action.GESCHIL.value, 0),
        handling_count=len(days),
        handling_median=statistics.median(days) if days else None,
        handling_p90=percentile(days, 90) if days else None,
        acknowledgements=deadlines.get(DeadlineKind.ONTVANGSTBEVESTIGING.value, DeadlineFigures()),
        decisions_on_time=deadlines.get(DeadlineKind.UITSPRAAK.value, DeadlineFigures()),
        open_at_end=_open_at_end(session, end, after),
    )


def _ordered(counts: Counter, order: list[str], missing: str) -> tuple[tuple[str, int], ...]:
    """Every active name (zero included), then names no longer active, then 'none'."""
    names = list(order)
    names += sorted(name for name in counts if name not in names and name != missing)
    if counts.get(missing):
        names.append(missing)
    return tuple((name, counts.get(name, 0)) for name in names)


def _assessment(session: Session, received, after: datetime):
    """How the complaints received were assessed, as recorded before the period ended."""

    def flag(action: Action):
        return func.max(case((Event.kind == action.value, 1), else_=0))

    per_case = (
        select(
            Case.not_admissible_reason.label("reason"),
            flag(Action.TRIAGE_KLACHT).label("admitted"),
            flag(Action.NIET_ONTVANKELIJK).label("refused"),
            flag(Action.DOORVERWIJZEN).label("referred"),
            flag(Action.INTREKKEN).label("withdrawn"),
        )
        .select_from(Case)
        .outerjoin(
            Event,
            and_(
                Event.case_id == Case.id,
                Event.kind.in_(
                    [
                        Action.TRIAGE_KLACHT.value,
                        Action.NIET_ONTVANKELIJK.value,
                        Action.DOORVERWIJZEN.value,
                        Action.INTREKKEN.value,
                    ]
                ),
                Event.at < after,
            ),
        )
        .where(received)
        .group_by(Case.id)
        .subquery()
    )
    rows = session.execute(
        select(
            per_case.c.reason,
            per_case.c.admitted,
            per_case.c.refused,
            per_case.c.referred,
            per_case.c.withdrawn,
            func.count(),
        ).group_by(*per_case.c)
    )
    admitted = referred = withdrawn = pending = 0
    not_admissible: Counter = Counter()
    for reason, was_admitted, refused, was_referred, was_withdrawn, count in rows:
        if refused:
            not_admissible[reason or NotAdmissibleReason.OTHER.value] += count
        elif was_referred:
            referred += count
        elif was_admitted:
            admitted += count
        elif was_withdrawn:
            withdrawn += count
        else:
            pending += count
    return admitted, not_admissible, referred, withdrawn, pending


def percentile(values: list[float], pct: int) -> float:
    """Nearest rank: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class WorkingDayCounter:
    """Working days in (start, end] by a prefix sum: one calendar look-up per day, not per case."""

    def __init__(self, calendar: DeadlineCalendar, first: date, last: date):
        self.first = first
        self.prefix = [0]
        for offset in range(1, (last - first).days + 1):
            day = first + timedelta(days=offset)
            self.prefix.append(self.prefix[-1] + calendar.is_working_day(day))

    def between(self, start: date, end: date) -> int:
        return self.prefix[(end - self.first).days] - self.prefix[(start - self.first).days]


def _handling_days(session: Session, calendar: DeadlineCalendar, start: date, end: date):
    pairs = session.execute(
        select(Case.received, Case.decided_on, func.count())
        .where(Case.decided_on.between(start, end))
        .group_by(Case.received, Case.decided_on)
    ).all()
    if not pairs:
        return []
    first = min(received for received, _, _ in pairs)
    last = max(decided for _, decided, _ in pairs)
    counter = WorkingDayCounter(calendar, min(first, last), max(first, last))
    days: list[int] = []
    for received, decided, count in pairs:
        days.extend([max(0, counter.between(received, decided))] * count)
    return days


def _deadline_figures(
    session: Session, start: date, end: date, today: date
) -> dict[str, DeadlineFigures]:
    """On time, late and still running, per kind, for the active deadlines due in the period.

    A deadline is met when the answer was *sent* in time (SPEC §4); one that lapsed (the
    complaint was refused, referred or withdrawn before its day) asks for nothing and is not
    counted. Open deadlines past their day count as late.
    """
    state = Deadline.state
    on_time = state == DeadlineState.MET.value
    late = or_(
        state == DeadlineState.MISSED.value,
        and_(state == DeadlineState.OPEN.value, Deadline.due < today),
    )
    pending = and_(state == DeadlineState.OPEN.value, Deadline.due >= today)

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(Deadline.kind, total(on_time), total(late), total(pending))
        .where(
            Deadline.active.is_(True),
            Deadline.due.between(start, end),
            Deadline.kind.in_(
                [DeadlineKind.ONTVANGSTBEVESTIGING.value, DeadlineKind.UITSPRAAK.value]
            ),
        )
        .group_by(Deadline.kind)
    )
    return {kind: DeadlineFigures(*map(int, counts)) for kind, *counts in rows}


def _open_at_end(session: Session, end: date, after: datetime) -> int:
    """Complaints in an open state at the end of the period."""
    open_values = [status.value for status in OPEN_STATES]
    # The status at the end is that of the last status change recorded before it; a case
    # registered afterwards with an earlier date of receipt was still 'ontvangen' then.
    status_then = (
        select(Event.to_status)
        .where(Event.case_id == Case.id, Event.to_status.is_not(None), Event.at < after)
        .order_by(Event.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    candidates = (
        select(func.coalesce(status_then, Status.ONTVANGEN.value).label("status"))
        .where(Case.received <= end, or_(Case.closed_on.is_(None), Case.closed_on > end))
        .subquery()
    )
    return session.scalar(
        select(func.count()).select_from(candidates).where(candidates.c.status.in_(open_values))
    )


# -- action points -------------------------------------------------------------------------------
def _action_points(session: Session, period: Period) -> tuple[ActionPointInfo, ...]:
    rows = session.scalars(
        select(ActionPoint)
        .where(ActionPoint.period == period.key)
        .order_by(ActionPoint.due.is_(None), ActionPoint.due, ActionPoint.id)
    )
    return tuple(
        ActionPointInfo(row.id, row.period, row.description, row.owner, row.due, row.done_on)
        for row in rows
    )


def list_action_points(ctx: Context, period: Period | str) -> list[ActionPointInfo]:
    ctx.actor.require(*VIEW_ROLES, what="de actiepunten bekijken")
    if isinstance(period, str):
        period = parse_period(period)
    with ctx.db.session() as session:
        return list(_action_points(session, period))


def add_action_point(
    ctx: Context,
    period: Period | str,
    description: str,
    owner: str,
    due: date | str | None = None,
) -> int:
    """Record an action point of the evaluation; the owner is a function or department."""
    ctx.actor.require(*ACTION_POINT_ROLES, what="actiepunten vastleggen")
    if isinstance(period, str):
        period = parse_period(period)
    description = required_text(description, "actiepunt", max_length=MAX_TEXT, multiline=True)
    owner = required_text(owner, "verantwoordelijke", max_length=MAX_LINE)
    due = None if due in (None, "") else parse_date(due, "uiterlijk")
    if due is not None and due < period.start:
        raise ValidationError("uiterlijk", "de datum ligt vóór het begin van de periode.")
    with ctx.db.session(write=True) as session:
        row = ActionPoint(
            period=period.key,
            description=description,
            owner=owner,
            due=due,
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        audit(session, ctx, "actiepunt_toegevoegd", f"actiepunt {row.id}", period.key)
        return row.id


def complete_action_point(ctx: Context, point_id: int, done_on: date | str | None = None) -> date:
    """Mark an action point as done (today unless another day is given)."""
    ctx.actor.require(*ACTION_POINT_ROLES, what="actiepunten afronden")
    day = ctx.today() if done_on in (None, "") else parse_date(done_on, "afgerond op")
    if day > ctx.today():
        raise ValidationError("afgerond op", "ligt in de toekomst.")
    with ctx.db.session(write=True) as session:
        row = session.get(ActionPoint, point_id)
        if row is None:
            raise KlachtDeskError("Dit actiepunt bestaat niet (meer).")
        if row.done_on is not None:
            raise NotAllowed("Dit actiepunt is al afgerond.")
        row.done_on = day
        audit(session, ctx, "actiepunt_afgerond", f"actiepunt {row.id}", row.period)
        return day


# -- output --------------------------------------------------------------------------------------
def chart_images(report: Evaluation, scale: float = 1.5) -> list[tuple[str, bytes]]:
    """The report's charts as PNG images (title, bytes), for the window."""
    from klachtdesk.reports import charts  # ReportLab's graphics: loaded when first drawn

    return [(title, charts.png(drawing, scale)) for title, drawing in charts.drawings(report)]


def _write(path: Path | str, data: bytes) -> Path:
    path = Path(path)
    try:
        path.write_bytes(data)
    except OSError as error:
        raise KlachtDeskError(
            f"Het bestand {path} kon niet worden opgeslagen ({os_reason(error)}). "
            "Kies een andere map of naam."
        ) from None
    return path


def _save(ctx: Context, report: Evaluation, path: Path | str, kind: str, data: bytes) -> Path:
    ctx.actor.require(*VIEW_ROLES, what="het evaluatierapport opslaan")
    written = _write(path, data)
    with ctx.db.session(write=True) as session:
        audit(session, ctx, "rapport_export", report.period.key, kind)
    return written


def save_pdf(ctx: Context, report: Evaluation, path: Path | str) -> Path:
    """Write the report as PDF (an explicit export, audited)."""
    from klachtdesk.reports import evaluation_pdf

    return _save(ctx, report, path, "pdf", evaluation_pdf.render(report))


def save_csv(ctx: Context, report: Evaluation, path: Path | str) -> Path:
    """Write the figures as CSV for Dutch Excel (an explicit export, audited)."""
    from klachtdesk.reports import evaluation_csv

    return _save(ctx, report, path, "csv", evaluation_csv.render(report))


def export(
    ctx: Context,
    period_text: str,
    pdf_path: Path | str | None,
    csv_path: Path | str | None = None,
) -> Evaluation:
    """What `klachtdesk report` does: compute the evaluation and write PDF and/or CSV."""
    report = evaluation(ctx, period_text)
    if pdf_path:
        save_pdf(ctx, report, pdf_path)
    if csv_path:
        save_csv(ctx, report, csv_path)
    return report
