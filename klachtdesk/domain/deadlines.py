"""Which deadlines a case has, computed from its procedure and the calendar (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from klachtdesk.domain.calendar import ComputedDeadline, DeadlineCalendar
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import Procedure


class DeadlineKind(StrEnum):
    ONTVANGSTBEVESTIGING = "ontvangstbevestiging"
    UITSPRAAK = "uitspraak"
    HEROVERWEGING = "heroverweging"

    @property
    def label(self) -> str:
        return {
            DeadlineKind.ONTVANGSTBEVESTIGING: "Ontvangstbevestiging",
            DeadlineKind.UITSPRAAK: "Uitspraak",
            DeadlineKind.HEROVERWEGING: "Reactie directeur-bestuurder",
        }[self]


class DeadlineState(StrEnum):
    OPEN = "open"
    DUE_SOON = "binnenkort"
    OVERDUE = "verlopen"
    MET = "gehaald"
    MET_LATE = "te_laat"


@dataclass(frozen=True)
class DeadlineStatus:
    state: DeadlineState
    working_days_left: int


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


def validate_extension(current_due: date, new_due: date, today: date, reason: str) -> None:
    """An extension moves the decision deadline later, is announced in time, and says why."""
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


def deadline_status(
    due: date, met_on: date | None, today: date, calendar: DeadlineCalendar, soon_days: int = 3
) -> DeadlineStatus:
    """Met, overdue, due within ``soon_days`` working days, or open."""
    if met_on is not None:
        state = DeadlineState.MET if met_on <= due else DeadlineState.MET_LATE
        return DeadlineStatus(state, 0)
    left = calendar.working_days_between(today, due)
    if today > due:
        return DeadlineStatus(DeadlineState.OVERDUE, left)
    if left <= soon_days:
        return DeadlineStatus(DeadlineState.DUE_SOON, left)
    return DeadlineStatus(DeadlineState.OPEN, left)
