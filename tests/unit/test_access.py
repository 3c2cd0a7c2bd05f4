"""Who may do what, enforced by the services (SPEC §1, issue 5 point 6), role by role.

Each table names what a role is refused; the same call by an allowed role must work, so a
table entry cannot pass by failing for another reason.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import admin, admin_users, settings, setup
from klachtdesk.services.cases import case_activities, case_view, cases
from klachtdesk.services.cases.case_view import CONFIDENTIAL_EVENTS
from klachtdesk.services.safety import audit_log
from klachtdesk.services.safety.audit_log import AuditFilter
from tests.conftest import APPEAL_GROUNDS, PASSWORD, TODAY, complaint_data

ROLES = ("balie", "coordinator", "manager", "directeur", "beheer")


def register(org) -> str:
    return cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))


def user_id(org, username: str) -> int:
    return next(u.id for u in admin_users.list_users(org.beheer) if u.username == username)


# -- only beheer: users, passwords of others, settings, the recovery code, the audit log -------
BEHEER_ONLY: dict[str, Callable] = {
    "gebruiker toevoegen": lambda org, ctx: setup.add_user(
        ctx, "nieuw", "Nina Nieuw", "balie", PASSWORD
    ),
    "gebruikers bekijken": lambda org, ctx: admin_users.list_users(ctx),
    "rollen wijzigen": lambda org, ctx: admin_users.set_user_roles(
        ctx, user_id(org, "manager"), [Role.MANAGER, Role.COORDINATOR]
    ),
    "gebruiker wijzigen": lambda org, ctx: admin_users.update_user(
        ctx, user_id(org, "manager"), "Mark de Manager"
    ),
    "gebruiker deactiveren": lambda org, ctx: admin_users.deactivate_user(
        ctx, user_id(org, "manager")
    ),
    "wachtwoord van een ander": lambda org, ctx: admin_users.reset_password(
        ctx, user_id(org, "manager"), "nieuw-geheim-2026"
    ),
    "instellingen wijzigen": lambda org, ctx: settings.update_settings(ctx, {"org.city": "Zeist"}),
    "instellingen opslaan": lambda org, ctx: admin.save_settings(ctx, {"org.city": "Zeist"}),
    "nieuwe herstelcode": lambda org, ctx: setup.replace_recovery_code(ctx, PASSWORD),
    "auditlog lezen": lambda org, ctx: audit_log.query_audit(ctx, AuditFilter()),
    "auditlog geopend": lambda org, ctx: audit_log.audit_log_opened(ctx),
    "auditlog gebruikers": lambda org, ctx: audit_log.audit_users(ctx),
    "auditlog handelingen": lambda org, ctx: audit_log.audit_actions(ctx),
    "auditlog keten": lambda org, ctx: audit_log.verify_chain(ctx),
    "auditlog exporteren": lambda org, ctx: audit_log.export_audit(
        ctx, None, org.path.parent / f"auditlog-{ctx.actor.username}.csv"
    ),
}


@pytest.mark.parametrize("what", list(BEHEER_ONLY))
def test_only_beheer_may(org, what):
    call = BEHEER_ONLY[what]
    for role in ROLES[:-1]:
        with pytest.raises(NotAllowed, match="rol Beheerder"):
            call(org, getattr(org, role))
    assert not (org.path.parent / "auditlog-balie.csv").exists()
    call(org, org.beheer)  # and the beheerder may


# -- deciding a case -------------------------------------------------------------------------
def in_state(org, status: str) -> str:
    ref = register(org)
    if status == "ontvangen":
        return ref
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    if status == "in_behandeling":
        return ref
    cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="Zie brief.")
    cases.perform(org.coordinator, ref, Action.BEROEP, grounds=APPEAL_GROUNDS)
    assert status == "heroverweging"
    return ref


DECISIONS = [
    # action, the state it is taken in, details, the only role that may take it
    (Action.TRIAGE_KLACHT, "ontvangen", {}, "coordinator"),
    (Action.NIET_ONTVANKELIJK, "ontvangen", {"reason": "anders", "note": "Dubbel."}, "coordinator"),
    (Action.DOORVERWIJZEN, "ontvangen", {"referral_to": "Onderhoud"}, "coordinator"),
    (Action.UITSPRAAK, "in_behandeling", {"outcome": "gegrond", "motivation": "x"}, "manager"),
    (
        Action.UITSPRAAK_DIRECTEUR,
        "heroverweging",
        {"outcome": "ongegrond", "motivation": "x"},
        "directeur",
    ),
]


@pytest.mark.parametrize(("action", "status", "details", "allowed"), DECISIONS)
def test_only_the_right_role_decides(org, action, status, details, allowed):
    ref = in_state(org, status)
    version = case_view.case_detail(org.coordinator, ref).version
    for role in ROLES:
        if role == allowed:
            continue
        with pytest.raises(NotAllowed):
            cases.perform(getattr(org, role), ref, action, **details)
    detail = case_view.case_detail(org.coordinator, ref)
    assert (detail.status, detail.version) == (status, version)  # nothing changed
    cases.perform(getattr(org, allowed), ref, action, **details)


def test_the_front_desk_decides_nothing(org):
    """Whatever state a case is in, no decision is open to balie."""
    decisions = {a for a, *_ in DECISIONS} | {Action.GESCHIL, Action.SLUITEN}
    for status in ("ontvangen", "in_behandeling", "heroverweging"):
        ref = in_state(org, status)
        offered = set(case_view.case_detail(org.balie, ref).actions)
        assert not offered & decisions
        for action in decisions:
            with pytest.raises(NotAllowed):
                cases.perform(org.balie, ref, action, outcome="gegrond", motivation="x")


# -- confidential timeline entries -----------------------------------------------------------
CONFIDENTIAL = {
    Activity.BEMIDDELING: {},
    Activity.HOORGESPREK: {"held_on": "2026-11-24"},
    Activity.VERKLARING_MEDEWERKER: {},
}


def test_the_table_covers_every_confidential_entry():
    assert {a.value for a in CONFIDENTIAL} == set(CONFIDENTIAL_EVENTS)


@pytest.mark.parametrize("activity", list(CONFIDENTIAL))
def test_balie_does_not_read_confidential_entries(org, activity):
    ref = in_state(org, "in_behandeling")
    secret = f"Vertrouwelijk verslag ({activity.value}): medewerker Erik gaf fouten toe."
    case_activities.record(org.coordinator, ref, activity, secret, **CONFIDENTIAL[activity])
    for role in ROLES:
        if role == "directeur":
            continue  # sees appeal cases only (tested in test_case_view)
        if role == "beheer":  # keeps the PC running; reads no complaints at all
            with pytest.raises(NotAllowed, match="geen rol waarmee u zaken kunt inzien"):
                case_view.case_detail(org.beheer, ref)
            continue
        [entry] = [
            e for e in case_view.case_detail(getattr(org, role), ref).events if e.kind == activity
        ]
        if role == "balie":
            assert entry.confidential and entry.data == {}
            assert secret not in repr(case_view.case_detail(org.balie, ref))
        else:
            assert not entry.confidential and entry.data["tekst"] == secret


def test_beheer_alone_sees_no_complaints_in_lists_vandaag_or_the_calendar(org):
    """Beheer keeps the PC running: no names, subjects or references of complaints."""
    from datetime import date as day

    from klachtdesk.services.cases import agenda

    ref = in_state(org, "heroverweging")  # deadlines, and an appeal waiting for the director
    assert case_view.case_ids(org.coordinator) != []
    assert case_view.case_ids(org.beheer) == []
    assert case_view.list_rows(org.beheer, case_view.case_ids(org.coordinator)) == []
    overview = agenda.today_overview(org.beheer)
    assert (overview.overdue, overview.this_week, overview.letters, overview.appeals) == (
        [],
        [],
        [],
        [],
    )
    assert agenda.deadlines_between(org.beheer, day(2026, 1, 1), day(2027, 12, 31)) == [
        item
        for item in agenda.deadlines_between(org.beheer, day(2026, 1, 1), day(2027, 12, 31))
        if item.ref == ""  # only the evaluation task, which names nobody
    ]
    assert ref not in repr(agenda.today_overview(org.beheer))
