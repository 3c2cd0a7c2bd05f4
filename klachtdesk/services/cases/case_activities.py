"""What is done on a case without changing its status: a handler, an extension, a letter
sent, a report or note (SPEC §2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.deadlines import DeadlineKind, validate_extension
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.states import Activity, Status, check_activity
from klachtdesk.domain.validation import MAX_TEXT, clean_text, parse_date, required_text
from klachtdesk.domain.values import LetterChannel
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases.cases import (
    active_deadline,
    assign_handler_in,
    date_detail,
    editing,
    finish_change,
    mark_deadline_met,
    procedure_of,
)
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Deadline


def assign_handler(
    ctx: Context, ref: str, username: str, expected_version: int | None = None
) -> int:
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.BEHANDELAAR_TOEWIJZEN, Status(case.status), ctx.actor.roles)
        user = assign_handler_in(session, ctx, case, username)
        return finish_change(
            session,
            ctx,
            case,
            Activity.BEHANDELAAR_TOEWIJZEN.value,
            audit_detail=user.username,
            behandelaar=user.display_name,
        )


def extend_decision(
    ctx: Context, ref: str, new_due: date | str, reason: str, expected_version: int | None = None
) -> int:
    """Extend the decision term (SPEC §2 verlenging); the old deadline stays in the history."""
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.VERLENGING, Status(case.status), ctx.actor.roles)
        procedure = procedure_of(case.procedure_version)
        if not procedure.extension_allowed:
            raise NotAllowed("Deze klachtenregeling staat geen verlenging van de termijn toe.")
        current = active_deadline(case, DeadlineKind.UITSPRAAK)
        new_due = parse_date(new_due, "nieuwe datum")
        reason = required_text(reason, "reden", max_length=MAX_TEXT, multiline=True)
        validate_extension(current.due, new_due, ctx.today(), reason)
        calendar = load_calendar(session)
        closed = calendar.closed_reason(new_due)
        if closed:
            raise ValidationError(
                "nieuwe datum",
                f"{long_date(new_due)} is geen werkdag ({closed}); kies een werkdag.",
            )
        current.active = False
        case.deadlines.append(
            Deadline(
                kind=DeadlineKind.UITSPRAAK.value,
                start=current.start,
                due=new_due,
                unadjusted=new_due,
                explanation=f"verlengd van {long_date(current.due)}",
                extension_reason=reason,
                active=True,
                created_at=ctx.now(),
                created_by_id=ctx.actor.user_id,
            )
        )
        return finish_change(
            session,
            ctx,
            case,
            Activity.VERLENGING.value,
            oud=current.due,
            nieuw=new_due,
            reden=reason,
        )


def mark_letter_sent(
    ctx: Context,
    ref: str,
    letter_type: str,
    sent_on: date | str,
    via: str,
    answers: DeadlineKind | None = None,
    expected_version: int | None = None,
) -> int:
    """Record that a letter went out (date, post or e-mail); it meets the deadline it answers."""
    via = LetterChannel(via).value
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.BRIEF, Status(case.status), ctx.actor.roles)
        sent_on = date_detail({"sent_on": sent_on}, "sent_on", "verzenddatum", ctx, case.received)
        if answers is not None:
            mark_deadline_met(case, DeadlineKind(answers), sent_on)
        return finish_change(
            session,
            ctx,
            case,
            Activity.BRIEF.value,
            audit_detail=letter_type,
            brief=letter_type,
            verzonden=sent_on,
            via=via,
        )


_ACTIVITY_FIELDS = {
    Activity.VERWACHTING: "verwachting",
    Activity.HOORGESPREK: "verslag hoorgesprek",
    Activity.BEMIDDELING: "verslag bemiddeling",
    Activity.VERKLARING_MEDEWERKER: "verklaring medewerker",
    Activity.TEVREDENHEID: "toelichting",
    Activity.GESCHIL_UITKOMST: "advies geschillencommissie",
    Activity.NOTITIE: "notitie",
}


def record(
    ctx: Context,
    ref: str,
    activity: Activity,
    text: str,
    expected_version: int | None = None,
    **details,
) -> int:
    """Record a hearing, mediation report, statement, satisfaction answer, note, …"""
    activity = Activity(activity)
    if activity not in _ACTIVITY_FIELDS:
        raise ValidationError("handeling", f"'{activity}' wordt niet op deze manier vastgelegd.")
    label = _ACTIVITY_FIELDS[activity]
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(activity, Status(case.status), ctx.actor.roles)
        body = required_text(text, label, max_length=MAX_TEXT, multiline=True)
        data: dict[str, Any] = {"tekst": body}
        if activity is Activity.VERWACHTING:
            case.expectation = body
        if activity is Activity.HOORGESPREK:
            data["datum"] = date_detail(details, "held_on", "datum hoorgesprek", ctx, case.received)
        if activity is Activity.TEVREDENHEID:
            satisfied = details.get("satisfied")
            if not isinstance(satisfied, bool):
                raise ValidationError("tevreden", "geef aan of de klager tevreden is (ja of nee).")
            case.satisfied = satisfied
            data["tevreden"] = satisfied
        if activity is Activity.GESCHIL_UITKOMST:
            data["opgevolgd"] = clean_text(
                details.get("followed"), "opvolging", max_length=MAX_TEXT
            )
        return finish_change(session, ctx, case, activity.value, **data)
