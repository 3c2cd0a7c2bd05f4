"""What is done on a case without changing its status: a handler, an extension, a letter
sent, a report or note (SPEC §2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    extension_limit,
    validate_extension,
)
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.states import Activity, Status, check_activity
from klachtdesk.domain.validation import MAX_TEXT, clean_text, parse_date, required_text
from klachtdesk.domain.values import LetterChannel
from klachtdesk.letters.templates import letter_type as letter_type_of
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases.cases import (
    assign_handler_in,
    date_detail,
    editing,
    finish_change,
    meet_deadlines,
    open_deadline,
    procedure_of,
    supersede,
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
    ctx: Context,
    ref: str,
    new_due: date | str,
    reason: str,
    expected_version: int | None = None,
    consent: str = "",
) -> int:
    """Extend the decision term (SPEC §2 verlenging); the old deadline stays in the history.

    Announced in time: the notice of extension gets a deadline of its own, the old due date.
    Beyond the procedure's maximum only with the complainant's consent (``consent`` says
    when and how the complainant agreed).
    """
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.VERLENGING, Status(case.status), ctx.actor.roles)
        procedure = procedure_of(case.procedure_version)
        if not procedure.extension_allowed:
            raise NotAllowed("Deze klachtenregeling staat geen verlenging van de termijn toe.")
        current = open_deadline(case, DeadlineKind.UITSPRAAK)
        if current is None:
            raise NotAllowed("Er loopt geen termijn voor de uitspraak die verlengd kan worden.")
        first = min(
            (d for d in case.deadlines if d.kind == DeadlineKind.UITSPRAAK.value),
            key=lambda d: d.id or 0,
        )
        new_due = parse_date(new_due, "nieuwe datum")
        reason = required_text(reason, "reden", max_length=MAX_TEXT, multiline=True)
        consent = clean_text(consent, "instemming klager", max_length=MAX_TEXT, multiline=True)
        limit = extension_limit(first.due, procedure)
        validate_extension(current.due, new_due, ctx.today(), reason, limit, consent)
        calendar = load_calendar(session)
        closed = calendar.closed_reason(new_due)
        if closed:
            raise ValidationError(
                "nieuwe datum",
                f"{long_date(new_due)} is geen werkdag ({closed}); kies een werkdag.",
            )
        today = ctx.today()
        by = f"vervangen door verlenging tot {long_date(new_due)}"
        supersede(current, today, by)
        notice = open_deadline(case, DeadlineKind.VERLENGINGSBERICHT)
        if notice is not None:
            supersede(notice, today, by)
        for kind, due, explanation in (
            (DeadlineKind.UITSPRAAK, new_due, f"verlengd van {long_date(current.due)}"),
            (
                DeadlineKind.VERLENGINGSBERICHT,
                current.due,
                "de klager hoort vóór het einde van de oude termijn dat het langer duurt",
            ),
        ):
            case.deadlines.append(
                Deadline(
                    kind=kind.value,
                    start=current.start if kind is DeadlineKind.UITSPRAAK else today,
                    due=due,
                    unadjusted=due,
                    explanation=explanation,
                    extension_reason=reason if kind is DeadlineKind.UITSPRAAK else "",
                    active=True,
                    state=DeadlineState.OPEN.value,
                    created_at=ctx.now(),
                    created_by_id=ctx.actor.user_id,
                )
            )
        data = {"oud": current.due, "nieuw": new_due, "reden": reason}
        if consent:
            data["instemming_klager"] = consent
        return finish_change(session, ctx, case, Activity.VERLENGING.value, **data)


def mark_letter_sent(
    ctx: Context,
    ref: str,
    letter_type: str,
    sent_on: date | str,
    via: str,
    *,
    expected_version: int | None = None,
) -> int:
    """Record that a letter made outside KlachtDesk went out (date, post or e-mail); it meets
    the deadlines its type answers."""
    try:
        via = LetterChannel(via).value
    except ValueError:
        raise ValidationError("verzonden via", "kies post of e-mail.") from None
    kind = letter_type_of(letter_type)
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.BRIEF, Status(case.status), ctx.actor.roles)
        sent_on = date_detail({"sent_on": sent_on}, "sent_on", "verzenddatum", ctx, case.received)
        meet_deadlines(case, kind.answers, sent_on, kind.sent_by(via))
        return finish_change(
            session,
            ctx,
            case,
            Activity.BRIEF.value,
            audit_detail=kind.key,
            brief=kind.key,
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
    Activity.ONAFHANKELIJKHEID: "toelichting onafhankelijkheid",
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
            if not procedure_of(case.procedure_version).satisfaction_check:
                raise NotAllowed(
                    "Deze klachtenregeling kent geen vraag naar de tevredenheid van de klager."
                )
            satisfied, unreachable = details.get("satisfied"), details.get("unreachable") is True
            if unreachable:
                case.satisfied, case.satisfaction_unreachable = None, True
                data["niet_bereikbaar"] = True
            elif isinstance(satisfied, bool):
                case.satisfied, case.satisfaction_unreachable = satisfied, False
                data["tevreden"] = satisfied
            else:
                raise ValidationError(
                    "tevreden",
                    "geef aan of de klager tevreden is (ja of nee), of dat de klager niet "
                    "bereikbaar was.",
                )
        if activity is Activity.ONAFHANKELIJKHEID:
            case.independence_note = body
        if activity is Activity.GESCHIL_UITKOMST:
            data["opgevolgd"] = clean_text(
                details.get("followed"), "opvolging", max_length=MAX_TEXT
            )
        return finish_change(session, ctx, case, activity.value, **data)
