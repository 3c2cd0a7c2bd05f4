"""Which deadlines a case has, computed from its procedure and the calendar (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from klachtdesk.domain.calendar import ComputedDeadline, DeadlineCalendar, long_date
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.states import Status


class DeadlineKind(StrEnum):
    ONTVANGSTBEVESTIGING = "ontvangstbevestiging"
    UITSPRAAK = "uitspraak"
    HEROVERWEGING = "heroverweging"
    VERLENGINGSBERICHT = "verlengingsbericht"  # the complainant hears of an extension in time

    @property
    def label(self) -> str:
        return {
            DeadlineKind.ONTVANGSTBEVESTIGING: "Ontvangstbevestiging",
            DeadlineKind.UITSPRAAK: "Uitspraak",
            DeadlineKind.HEROVERWEGING: "Reactie directeur-bestuurder",
            DeadlineKind.VERLENGINGSBERICHT: "Bericht van verlenging",
        }[self]


class DeadlineState(StrEnum):
    """Where a deadline is in its life (SPEC §4); stored with the deadline."""

    OPEN = "open"  # still running: the only state that can be overdue
    MET = "met"  # the answer was sent on or before the due date
    MISSED = "missed"  # answered late, or the case finished after the due date unanswered
    LAPSED = "lapsed"  # no longer applies (refused, referred, withdrawn, closed) in time
    SUPERSEDED = "superseded"  # replaced by an extension

    @property
    def label(self) -> str:
        return {
            DeadlineState.OPEN: "open",
            DeadlineState.MET: "gehaald",
            DeadlineState.MISSED: "gemist",
            DeadlineState.LAPSED: "vervallen",
            DeadlineState.SUPERSEDED: "vervangen door verlenging",
        }[self]


class Urgency(StrEnum):
    """How a deadline looks today: what colours the lists, the calendar and Vandaag."""

    OPEN = "open"
    DUE_SOON = "binnenkort"
    OVERDUE = "verlopen"
    MET = "gehaald"
    MISSED = "gemist"
    LAPSED = "vervallen"
    SUPERSEDED = "vervangen"


_SETTLED_URGENCY = {
    DeadlineState.MET: Urgency.MET,
    DeadlineState.MISSED: Urgency.MISSED,
    DeadlineState.LAPSED: Urgency.LAPSED,
    DeadlineState.SUPERSEDED: Urgency.SUPERSEDED,
}


@dataclass(frozen=True)
class DeadlineStatus:
    state: Urgency
    working_days_left: int


@dataclass(frozen=True)
class Settlement:
    """How a deadline left the open state: the new state, the day, and what did it."""

    state: DeadlineState
    on: date
    by: str


def waiting_for(kind: str, status: str) -> str:
    """What an open deadline still waits for once the decision itself is taken ('' if
    nothing special): the term is met by the letter, not by the decision (SPEC §4)."""
    kind, status = DeadlineKind(kind), Status(status)
    decided = (kind is DeadlineKind.UITSPRAAK and status is Status.AFGEHANDELD) or (
        kind is DeadlineKind.HEROVERWEGING and status is Status.AFGEHANDELD_DIRECTEUR
    )
    if decided:
        return "besluit genomen, brief nog niet verstuurd"
    if kind is DeadlineKind.ONTVANGSTBEVESTIGING and status is Status.NIET_ONTVANKELIJK:
        return "niet ontvankelijk verklaard, brief nog niet verstuurd"
    if kind is DeadlineKind.ONTVANGSTBEVESTIGING and status is Status.DOORVERWEZEN:
        return "doorverwezen, brief nog niet verstuurd"
    return ""


def answered(due: date, sent_on: date, by: str) -> Settlement:
    """A promised answer went out on ``sent_on``: met when on or before the due date."""
    return Settlement(DeadlineState.MET if sent_on <= due else DeadlineState.MISSED, sent_on, by)


def no_longer_applies(due: date, on: date, reason: str) -> Settlement:
    """The case no longer asks for this answer (refused, referred, withdrawn, closed …).

    A deadline that had already passed unanswered stays a missed deadline in the history;
    one still running lapses.
    """
    if on > due:
        return Settlement(DeadlineState.MISSED, on, f"niet op tijd beantwoord; {reason}")
    return Settlement(DeadlineState.LAPSED, on, reason)


def initial_deadlines(
    received: date, procedure: Procedure, calendar: DeadlineCalendar
) -> dict[DeadlineKind, ComputedDeadline]:
    """The deadlines a case gets when it is registered."""
    return {
        DeadlineKind.ONTVANGSTBEVESTIGING: calendar.term_end(
            received, procedure.acknowledgement_term, procedure.apply_atw
        ),
        DeadlineKind.UITSPRAAK: calendar.term_end(
            received, procedure.decision_term, procedure.apply_atw
        ),
    }


def appeal_deadline(
    appeal_received: date, procedure: Procedure, calendar: DeadlineCalendar
) -> ComputedDeadline:
    """The director's answer term, counted from the date the appeal was received."""
    if not procedure.appeal or procedure.appeal_term is None:
        raise ValidationError("heroverweging", "deze klachtenregeling kent geen heroverweging.")
    return calendar.term_end(appeal_received, procedure.appeal_term, procedure.apply_atw)


def extension_limit(original_due: date, procedure: Procedure) -> date:
    """The latest decision date an extension may set without the complainant's consent:
    the first decision deadline plus the procedure's maximum extension (default 4 weeks, as
    Awb 9:11 lid 2 allows)."""
    return original_due + timedelta(days=procedure.max_extension.nominal_days)


def validate_extension(
    current_due: date,
    new_due: date,
    today: date,
    reason: str,
    limit: date | None = None,
    consent: str = "",
) -> None:
    """An extension moves the decision deadline later, is announced in time, says why, and
    stays within the procedure's maximum unless the complainant agreed (recorded)."""
    if not reason.strip():
        raise ValidationError("reden", "geef de reden van de verlenging op; de klager leest die.")
    if new_due <= current_due:
        raise ValidationError(
            "nieuwe datum", "de nieuwe datum moet later liggen dan de huidige termijn."
        )
    if today > current_due:
        raise ValidationError(
            "nieuwe datum",
            "de termijn is al verstreken; een verlenging moet vóór het einde van de termijn "
            "aan de klager worden meegedeeld.",
        )
    if limit is not None and new_due > limit and not consent.strip():
        raise ValidationError(
            "nieuwe datum",
            f"de klachtenregeling staat verlenging toe tot uiterlijk {long_date(limit)}. "
            "Een latere datum kan alleen met instemming van de klager: leg vast wanneer en "
            "hoe de klager heeft ingestemd.",
        )


def deadline_status(
    due: date,
    state: DeadlineState | str,
    today: date,
    calendar: DeadlineCalendar,
    soon_days: int = 3,
) -> DeadlineStatus:
    """How a deadline looks today: settled ones as their state; open ones overdue, due within
    ``soon_days`` working days, or open."""
    state = DeadlineState(state)
    if state is not DeadlineState.OPEN:
        return DeadlineStatus(_SETTLED_URGENCY[state], 0)
    left = calendar.working_days_between(today, due)
    if today > due:
        return DeadlineStatus(Urgency.OVERDUE, left)
    if left <= soon_days:
        return DeadlineStatus(Urgency.DUE_SOON, left)
    return DeadlineStatus(Urgency.OPEN, left)
