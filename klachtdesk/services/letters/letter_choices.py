"""Which letters to offer for a case, and which the deadlines ask for today."""

from __future__ import annotations

from klachtdesk.domain.deadlines import DeadlineKind, DeadlineState
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Status
from klachtdesk.services.cases import agenda
from klachtdesk.services.cases.agenda import DIRECTOR_LETTER, WRITER_ROLES, LetterDue
from klachtdesk.services.cases.case_view import CaseDetail
from klachtdesk.services.context import Context

__all__ = ["DIRECTOR_LETTER", "WRITER_ROLES", "LetterDue", "letters_to_send", "types_for"]

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
        d.kind == DeadlineKind.ONTVANGSTBEVESTIGING.value
        and d.active
        and d.deadline_state is not DeadlineState.OPEN
        for d in detail.deadlines
    )
    if "ontvangstbevestiging" in kinds and acknowledged:
        kinds.remove("ontvangstbevestiging")  # already sent: not the likely one
        kinds.append("ontvangstbevestiging")
    if "tevredenheidsvraag" in kinds and (
        detail.satisfied is not None or not detail.satisfaction_check
    ):
        kinds.remove("tevredenheidsvraag")
    if ctx is not None and not ctx.actor.roles & WRITER_ROLES:
        kinds = [k for k in kinds if k == DIRECTOR_LETTER and Role.DIRECTEUR in ctx.actor.roles]
    return kinds


def letters_to_send(ctx: Context) -> list[LetterDue]:
    """The letters the procedure asks for today (Vandaag's "Brieven te versturen")."""
    return agenda.section_items(ctx, agenda.LETTERS)
