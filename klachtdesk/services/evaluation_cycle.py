"""The evaluation cycle (SPEC §2, Livable §7): "ten minste twee maal per jaar" an overview of
the complaints, an evaluation and action points.

The procedure says how many evaluations a year (``Procedure.evaluations_per_year``); the
year is split into that many equal periods of whole months (two: the half-years). The
evaluation of a period is due by the last day of the month after the period. Until it is
recorded as held (date, who took part; the report of that moment is stored with it) it is a
task in Vandaag and in the calendar ("Evaluatie 2026-2 uiterlijk 31 januari 2027").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import MAX_TEXT, parse_date, required_text
from klachtdesk.reports.periods import Period, parse_period
from klachtdesk.services import report
from klachtdesk.services.cases.cases import current_procedure_version, procedure_of
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import Case, EvaluationRecord

RECORD_ROLES = (Role.COORDINATOR, Role.BEHEER)
LOOK_BACK_DAYS = 400  # older periods without an evaluation are history, not a task


@dataclass(frozen=True)
class EvaluationDue:
    """One period's evaluation: when it is due and whether (and when) it was held."""

    period: Period
    label: str  # "Evaluatie 2026-2"
    due: date
    held_on: date | None

    @property
    def is_open(self) -> bool:
        return self.held_on is None


def _months(per_year: int) -> int:
    # whole months per period: 2 → 6, 4 → 3, 12 → 1; a number that does not divide 12 gets
    # the longest period that still gives at least that many evaluations a year
    return max(1, 12 // per_year)


def period_of(day: date, per_year: int) -> tuple[Period, int]:
    """The evaluation period that holds ``day``, and its number within the year (1, 2, …)."""
    months = _months(per_year)
    index = (day.month - 1) // months
    first_month = index * months + 1
    start = date(day.year, first_month, 1)
    last_month = first_month + months - 1
    if last_month >= 12:
        end = date(day.year, 12, 31)
    else:
        end = date(day.year, last_month + 1, 1) - timedelta(days=1)
    return Period(start, end), index + 1


def due_date(period: Period) -> date:
    """The last day of the month after the period."""
    first_after = period.end + timedelta(days=1)
    following = date(first_after.year + first_after.month // 12, first_after.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _due(period: Period, number: int, held_on: date | None) -> EvaluationDue:
    return EvaluationDue(
        period, f"Evaluatie {period.start.year}-{number}", due_date(period), held_on
    )


def evaluations(ctx: Context, start: date, end: date) -> list[EvaluationDue]:
    """The evaluations due from ``start`` to ``end`` (both included), held or not, for the
    calendar; for a coordinator or beheer only (they run the evaluation)."""
    if not ctx.actor.roles & set(RECORD_ROLES):
        return []
    with ctx.db.session() as session:
        per_year = procedure_of(current_procedure_version(session)).evaluations_per_year
        held = dict(
            session.execute(select(EvaluationRecord.period, EvaluationRecord.held_on)).all()
        )
        first_case = session.scalar(select(func.min(Case.received)))
    result = []
    day = start - timedelta(days=62)  # a period ending before start may be due within it
    seen = set()
    while day <= end:
        period, number = period_of(day, per_year)
        day = period.end + timedelta(days=1)
        if period.key in seen or first_case is None or period.end < first_case:
            continue  # nothing to evaluate before the first complaint
        seen.add(period.key)
        item = _due(period, number, held.get(period.key))
        if start <= item.due <= end:
            result.append(item)
    return result


def open_evaluations(ctx: Context) -> list[EvaluationDue]:
    """Finished periods of the last year whose evaluation is not recorded yet (Vandaag)."""
    today = ctx.today()
    return [
        item
        for item in evaluations(ctx, today - timedelta(days=LOOK_BACK_DAYS), today + timedelta(31))
        if item.is_open and item.period.end < today
    ]


def record_evaluation(
    ctx: Context, period: Period | str, held_on: date | str, participants: str
) -> int:
    """Record that the evaluation of ``period`` was held: the date, who took part, and the
    report as it is now (stored with its SHA-256). Action points are added to the same
    period with ``report.add_action_point``. Returns the record's id."""
    ctx.actor.require(*RECORD_ROLES, what="een evaluatie vastleggen")
    if isinstance(period, str):
        period = parse_period(period)
    day = parse_date(held_on, "gehouden op")
    if day > ctx.today():
        raise ValidationError("gehouden op", "ligt in de toekomst.")
    if day < period.start:
        raise ValidationError(
            "gehouden op", f"ligt vóór het begin van de periode ({period.label})."
        )
    who = required_text(participants, "deelnemers", max_length=MAX_TEXT, multiline=True)
    from klachtdesk.reports import evaluation_pdf  # ReportLab's graphics: loaded when used

    pdf = evaluation_pdf.render(report.evaluation(ctx, period))
    with ctx.db.session(write=True) as session:
        known = session.scalar(
            select(EvaluationRecord.held_on).where(EvaluationRecord.period == period.key)
        )
        if known is not None:
            raise NotAllowed(
                f"De evaluatie over {period.short_label} is al vastgelegd (gehouden op "
                f"{long_date(known)})."
            )
        row = EvaluationRecord(
            period=period.key,
            held_on=day,
            participants=who,
            report_pdf=pdf,
            report_sha256=hashlib.sha256(pdf).hexdigest(),
            created_at=ctx.now(),
            created_by_id=ctx.actor.user_id,
        )
        session.add(row)
        session.flush()
        audit(session, ctx, "evaluatie_vastgelegd", period.key, f"gehouden op {day.isoformat()}")
        return row.id


def held_evaluation(ctx: Context, period: Period | str) -> tuple[date, str, bytes] | None:
    """(held on, participants, the report PDF it was held on) of ``period``, if recorded."""
    ctx.actor.require(*report.VIEW_ROLES, what="de evaluatie bekijken")
    if isinstance(period, str):
        period = parse_period(period)
    with ctx.db.session() as session:
        row = session.scalar(select(EvaluationRecord).where(EvaluationRecord.period == period.key))
        if row is None:
            return None
        pdf = row.report_pdf
        if hashlib.sha256(pdf).hexdigest() != row.report_sha256:
            raise NotAllowed("Het opgeslagen evaluatierapport is beschadigd (SHA-256 klopt niet).")
        return row.held_on, row.participants, pdf
