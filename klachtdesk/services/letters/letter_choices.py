"""Which letters to offer for a case, and which the deadlines ask for today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from klachtdesk.domain.deadlines import DeadlineKind, DeadlineState
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Activity, Status
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.services.cases import agenda
from klachtdesk.services.cases.case_view import CaseDetail
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Case, Deadline, Event

# Who may make letters: these roles every type, a directeur-bestuurder only their reaction.
WRITER_ROLES = frozenset({Role.BALIE, Role.COORDINATOR, Role.MANAGER})
DIRECTOR_LETTER = "reactie_directeur"


@dataclass(frozen=True)
class LetterDue:
    """A letter the deadlines ask for today ("Brieven te versturen")."""

    ref: str
    subject: str
    type: str
    label: str
    due: date | None  # the deadline the letter answers, if it is still open
    since: date | None  # the date of the decision or extension it announces
    state: DeadlineState | None
    status_label: str


_BY_STATUS: dict[Status, tuple[str, ...]] = {
    Status.ONTVANGEN: ("ontvangstbevestiging", "verlenging"),
    Status.IN_BEHANDELING: (
        "ontvangstbevestiging",
        "uitnodiging_hoorgesprek",
        "verlenging",
    ),
    Status.NIET_ONTVANKELIJK: ("niet_ontvankelijk",),
    Status.DOORVERWEZEN: ("doorverwijzing",),
    Status.AFGEHANDELD: ("uitspraak", "tevredenheidsvraag"),
    Status.HEROVERWEGING: ("uitnodiging_hoorgesprek",),
    Status.AFGEHANDELD_DIRECTEUR: (DIRECTOR_LETTER, "tevredenheidsvraag"),
}


def types_for(detail: CaseDetail, ctx: Context | None = None) -> list[str]:
    """The letter types that make sense for a case in its present state, likeliest first.

    With ``ctx`` only the types the acting user may make (a directeur-bestuurder alone:
    only the reactie directeur).
    """
    status = Status(detail.status)
    if status in _BY_STATUS:
        kinds = list(_BY_STATUS[status])
    else:  # gesloten, geschil, ingetrokken: what the case's decisions were
        kinds = [
            kind
            for kind, present in (
                (DIRECTOR_LETTER, detail.director_outcome),
                ("uitspraak", detail.outcome),
                ("niet_ontvankelijk", detail.not_admissible_reason),
                ("doorverwijzing", detail.referral_to),
            )
            if present and status is not Status.INGETROKKEN
        ]
    uitspraak = [d for d in detail.deadlines if d.kind == DeadlineKind.UITSPRAAK.value]
    if "verlenging" in kinds and not (
        any(not d.active for d in uitspraak) and any(d.active for d in uitspraak)
    ):
        kinds.remove("verlenging")
    acknowledged = any(
        d.kind == DeadlineKind.ONTVANGSTBEVESTIGING.value and d.active and d.met_on
        for d in detail.deadlines
    )
    if "ontvangstbevestiging" in kinds and acknowledged:
        kinds.remove("ontvangstbevestiging")  # already sent: not the likely one
        kinds.append("ontvangstbevestiging")
    if "tevredenheidsvraag" in kinds and detail.satisfied is not None:
        kinds.remove("tevredenheidsvraag")
    if ctx is not None and not ctx.actor.roles & WRITER_ROLES:
        kinds = [k for k in kinds if k == DIRECTOR_LETTER and Role.DIRECTEUR in ctx.actor.roles]
    return kinds


_DECIDED_TYPES = {
    Status.AFGEHANDELD.value: "uitspraak",
    Status.NIET_ONTVANKELIJK.value: "niet_ontvankelijk",
    Status.DOORVERWEZEN.value: "doorverwijzing",
    Status.AFGEHANDELD_DIRECTEUR.value: DIRECTOR_LETTER,
}


def letters_to_send(ctx: Context) -> list[LetterDue]:
    """The letters the deadlines ask for today: acknowledgements not yet sent, decisions
    without their letter, and extensions not yet announced."""
    result: list[LetterDue] = []
    for item in agenda.today_overview(ctx).letters:
        if item.kind == DeadlineKind.ONTVANGSTBEVESTIGING.value:
            kind = "ontvangstbevestiging"
        else:
            kind = _DECIDED_TYPES.get(item.status)
        if kind is None:
            continue
        result.append(
            LetterDue(
                ref=item.ref,
                subject=item.subject,
                type=kind,
                label=LETTER_TYPES[kind].label,
                due=item.due,
                since=item.decided_on,
                state=item.state,
                status_label=item.status_label,
            )
        )
    result += _extensions_to_announce(ctx)
    if not ctx.actor.roles & WRITER_ROLES:
        result = [r for r in result if r.type == DIRECTOR_LETTER]
    return result


def _extensions_to_announce(ctx: Context) -> list[LetterDue]:
    """Open cases whose decision term was extended, without a verlenging letter since."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Case.id, Case.ref, Case.subject, Case.status, Deadline.due, Deadline.created_at)
            .join(Deadline, Deadline.case_id == Case.id)
            .where(
                Deadline.kind == DeadlineKind.UITSPRAAK.value,
                Deadline.active.is_(True),
                Deadline.met_on.is_(None),
                Deadline.extension_reason != "",
                Case.status.in_([Status.ONTVANGEN.value, Status.IN_BEHANDELING.value]),
            )
            .order_by(Deadline.due)
        ).all()
        result = []
        for case_id, ref, subject, status, due, extended_at in rows:
            announced = session.scalar(
                select(func.count(Event.id)).where(
                    Event.case_id == case_id,
                    Event.kind == Activity.BRIEF.value,
                    Event.at >= extended_at,
                    Event.data.contains('"brief": "verlenging"'),
                )
            )
            if not announced:
                result.append(
                    LetterDue(
                        ref=ref,
                        subject=subject,
                        type="verlenging",
                        label=LETTER_TYPES["verlenging"].label,
                        due=due,
                        since=extended_at.date(),
                        state=None,
                        status_label=Status(status).label,
                    )
                )
        return result
