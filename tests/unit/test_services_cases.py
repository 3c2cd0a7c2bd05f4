"""Service layer: a case walked through its procedure, with roles enforced and history kept."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import settings
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.services.safety import check
from klachtdesk.storage.models import AuditEntry, Case, Complainant, Deadline, Employee, Event
from tests.conftest import (
    APPEAL_GROUNDS,
    TODAY,
    complaint_data,
    directeur_refusal,
    tampering,
)

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)


def at(ctx, day: date, hour: int = 10):
    """The same user on another day (the services read the clock from the context)."""
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, hour))


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def load(ctx, ref) -> Case:
    with ctx.db.session() as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        case.deadlines, case.events  # noqa: B018 - load before the session closes
        return case


def deadlines(ctx, ref) -> list[tuple[str, date, bool]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(Deadline.kind, Deadline.due, Deadline.active)
            .join(Case)
            .where(Case.ref == ref)
            .order_by(Deadline.id)
        )
        return [tuple(row) for row in rows]


def test_woonpartners_case_from_phone_call_to_closing(org):
    # Received Monday 2 November 2026 by phone.
    ref = register(at(org.balie, date(2026, 11, 2)), received="2026-11-02")
    assert ref == "KD-2026-0001"
    assert deadlines(org.balie, ref) == [
        ("ontvangstbevestiging", date(2026, 11, 9), True),  # 5 working days
        ("uitspraak", date(2026, 11, 30), True),  # 4 weeks
    ]
    coord = at(org.coordinator, date(2026, 11, 3))
    cases.perform(coord, ref, Action.TRIAGE_KLACHT, handler="manager")
    case_activities.record(
        coord, ref, Activity.HOORGESPREK, "Klager licht de lekkage toe.", held_on="2026-11-03"
    )
    # Extension on 20 November, before the deadline, to Friday 11 December.
    case_activities.extend_decision(
        at(org.coordinator, date(2026, 11, 20)),
        ref,
        "2026-12-11",
        "Het rapport van de aannemer is nog niet binnen.",
    )
    assert deadlines(org.balie, ref) == [
        ("ontvangstbevestiging", date(2026, 11, 9), True),
        ("uitspraak", date(2026, 11, 30), False),  # the old term stays in the history
        ("uitspraak", date(2026, 12, 11), True),
        # the complainant must hear of it before the old term ends
        ("verlengingsbericht", date(2026, 11, 30), True),
    ]
    case_activities.mark_letter_sent(
        at(org.coordinator, date(2026, 11, 20)), ref, "verlenging", "2026-11-20", "post"
    )
    manager = at(org.manager, date(2026, 12, 7))
    cases.perform(
        manager,
        ref,
        Action.UITSPRAAK,
        outcome="deels_gegrond",
        motivation="De reparatie duurde te lang.",
        solution="Wij vergoeden € 50.",
    )
    case_activities.mark_letter_sent(manager, ref, "uitspraak", "2026-12-07", "post")
    # Appeal received Thursday 10 December: 2 weeks → Thursday 24 December 2026.
    cases.perform(
        at(org.balie, date(2026, 12, 10)),
        ref,
        Action.BEROEP,
        received="2026-12-10",
        grounds=APPEAL_GROUNDS,
    )
    assert deadlines(org.balie, ref)[-1] == ("heroverweging", date(2026, 12, 24), True)
    cases.perform(
        at(org.directeur, date(2026, 12, 21)),
        ref,
        Action.UITSPRAAK_DIRECTEUR,
        outcome="ongegrond",
        motivation="Het aanbod van de manager is redelijk.",
    )
    case_activities.mark_letter_sent(
        at(org.directeur, date(2026, 12, 21)), ref, "reactie_directeur", "2026-12-21", "post"
    )
    cases.perform(at(org.coordinator, date(2026, 12, 22)), ref, Action.GESCHIL)
    case_activities.record(
        at(org.coordinator, date(2026, 12, 23)),
        ref,
        Activity.GESCHIL_UITKOMST,
        "De commissie adviseert de vergoeding te verhogen.",
        followed="Overgenomen.",
    )
    final = cases.perform(at(org.coordinator, date(2026, 12, 23)), ref, Action.SLUITEN)

    case = load(org.balie, ref)
    assert case.status == "gesloten"
    assert case.version == final
    assert case.outcome == "deels_gegrond" and case.director_outcome == "ongegrond"
    settled = {(d.kind, d.due): (d.state, d.met_on) for d in case.deadlines}
    assert settled == {
        # never acknowledged, and decided after its day: missed in the history
        ("ontvangstbevestiging", date(2026, 11, 9)): ("missed", None),
        ("uitspraak", date(2026, 11, 30)): ("superseded", None),
        ("verlengingsbericht", date(2026, 11, 30)): ("met", date(2026, 11, 20)),
        ("uitspraak", date(2026, 12, 11)): ("met", date(2026, 12, 7)),
        ("heroverweging", date(2026, 12, 24)): ("met", date(2026, 12, 21)),
    }
    transitions = [
        (e.kind, e.from_status, e.to_status, e.user_id, e.at) for e in case.events if e.to_status
    ]
    assert [t[:3] for t in transitions] == [
        ("geregistreerd", None, "ontvangen"),
        ("triage_klacht", "ontvangen", "in_behandeling"),
        ("uitspraak", "in_behandeling", "afgehandeld"),
        ("beroep", "afgehandeld", "heroverweging"),
        ("uitspraak_directeur", "heroverweging", "afgehandeld_directeur"),
        ("geschil", "afgehandeld_directeur", "geschil"),
        ("sluiten", "geschil", "gesloten"),
    ]
    assert transitions[2][3] == org.manager.actor.user_id
    assert transitions[2][4] == datetime(2026, 12, 7, 10)
    assert transitions[4][3] == org.directeur.actor.user_id
    extension = next(e for e in case.events if e.kind == "verlenging")
    assert json.loads(extension.data) == {
        "oud": "2026-11-30",
        "nieuw": "2026-12-11",
        "reden": "Het rapport van de aannemer is nog niet binnen.",
    }


def test_livable_has_no_appeal_and_goes_straight_to_the_external_body(livable_org):
    org = livable_org
    ref = register(at(org.balie, date(2026, 11, 20)), received="2026-11-20")
    # Livable: 7 working days (→ Tuesday 1 December), 6 weeks (→ Friday 1 January 2027,
    # Nieuwjaarsdag, then the weekend → Monday 4 January 2027).
    assert deadlines(org.balie, ref) == [
        ("ontvangstbevestiging", date(2026, 12, 1), True),
        ("uitspraak", date(2027, 1, 4), True),
    ]
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="Zie brief.")
    with pytest.raises(NotAllowed, match="geen heroverweging"):
        cases.perform(org.coordinator, ref, Action.BEROEP, grounds=APPEAL_GROUNDS)
    case_activities.record(
        org.coordinator, ref, Activity.TEVREDENHEID, "Klager is niet tevreden.", satisfied=False
    )
    cases.perform(org.coordinator, ref, Action.GESCHIL, body="Huurcommissie")
    assert load(org.balie, ref).status == "geschil"
    assert load(org.balie, ref).satisfied is False


@pytest.mark.parametrize(
    ("who", "action", "details"),
    [
        ("balie", Action.TRIAGE_KLACHT, {}),
        ("manager", Action.NIET_ONTVANKELIJK, {"reason": "anders", "note": "x"}),
        ("directeur", Action.DOORVERWIJZEN, {"referral_to": "Onderhoud"}),
        ("beheer", Action.SLUITEN, {}),
    ],
)
def test_a_role_that_may_not_act_is_refused_and_nothing_changes(org, who, action, details):
    ref = register(org.balie)
    before = load(org.balie, ref)
    with pytest.raises(directeur_refusal(org) if who == "directeur" else NotAllowed):
        cases.perform(getattr(org, who), ref, action, **details)
    after = load(org.balie, ref)
    assert (after.status, after.version, len(after.events)) == (
        before.status,
        before.version,
        len(before.events),
    )


def test_only_the_manager_decides_and_only_the_director_decides_appeals(org):
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    with pytest.raises(NotAllowed, match="Manager"):
        cases.perform(org.coordinator, ref, Action.UITSPRAAK, outcome="gegrond", motivation="x")
    cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="gegrond", motivation="Terecht.")
    cases.perform(org.coordinator, ref, Action.BEROEP, grounds=APPEAL_GROUNDS)
    for who in ("coordinator", "manager", "balie"):
        with pytest.raises(NotAllowed, match="Directeur-bestuurder"):
            cases.perform(
                getattr(org, who),
                ref,
                Action.UITSPRAAK_DIRECTEUR,
                outcome="ongegrond",
                motivation="x",
            )


def test_the_employee_concerned_may_not_handle_or_decide(org):
    with org.beheer.db.session(write=True) as session:
        employee = Employee(name="Mark Manager")
        session.add(employee)
        session.flush()
        session.execute(
            text("UPDATE users SET employee_id = :e WHERE username = 'manager'"), {"e": employee.id}
        )
    ref = register(org.balie, employee="mark manager")
    with pytest.raises(NotAllowed, match="medewerker over wie de klacht gaat"):
        cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    with pytest.raises(NotAllowed, match="een derde beoordeelt de klacht"):
        cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="x")


def test_not_discussed_with_the_employee_is_not_admitted_without_a_reason(org):
    ref = register(org.balie, employee="Sandra", discussed_with_employee=False)
    with pytest.raises(NotAllowed, match="niet eerst met de medewerker"):
        cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    cases.perform(org.coordinator, ref, Action.NIET_ONTVANKELIJK, reason="niet_besproken")
    case = load(org.balie, ref)
    assert (case.status, case.not_admissible_reason) == ("niet_ontvankelijk", "niet_besproken")
    # Refused: the decision deadline no longer applies; the refusal letter is still owed and
    # answers the acknowledgement.
    states = {d.kind: (d.state, d.settled_by) for d in case.deadlines}
    assert states == {
        "ontvangstbevestiging": ("open", ""),
        "uitspraak": ("lapsed", "niet ontvankelijk verklaard"),
    }


def test_references_count_per_year_of_receipt(org):
    refs = [
        register(org.balie, received=day)
        for day in ("2026-01-05", "2025-12-30", "2026-02-02", "2025-12-31")
    ]
    assert refs == ["KD-2026-0001", "KD-2025-0001", "KD-2026-0002", "KD-2025-0002"]


def test_a_returning_complainant_is_recognised(org):
    register(org.balie)
    register(
        org.balie,
        complainant={
            "name": "fatima el amrani",
            "street": "Lindelaan 4",
            "postcode": "3511 AB",
            "city": "Utrecht",
        },
    )
    register(org.balie, complainant={"name": "Fatima el Amrani", "email": "ander@voorbeeld.nl"})
    with org.balie.db.session() as session:
        assert session.scalar(select(Complainant.id).order_by(Complainant.id.desc())) == 2
        ids = list(session.scalars(select(Case.complainant_id).order_by(Case.id)))
    assert ids == [1, 1, 2]


def test_extension_rules(org):
    ref = register(at(org.balie, date(2026, 11, 2)), received="2026-11-02")
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    early = at(org.coordinator, date(2026, 11, 20))
    with pytest.raises(ValidationError, match="reden"):
        case_activities.extend_decision(early, ref, "2026-12-11", "  ")
    with pytest.raises(ValidationError, match="later liggen"):
        case_activities.extend_decision(early, ref, "2026-11-27", "Meer tijd nodig.")
    with pytest.raises(ValidationError, match="geen werkdag"):
        case_activities.extend_decision(
            early, ref, "2026-12-25", "Meer tijd nodig."
        )  # Eerste Kerstdag
    with pytest.raises(ValidationError, match="al verstreken"):
        case_activities.extend_decision(
            at(org.coordinator, date(2026, 12, 1)), ref, "2026-12-11", "Laat."
        )
    with pytest.raises(NotAllowed):
        case_activities.extend_decision(org.balie, ref, "2026-12-11", "Meer tijd nodig.")
    assert [d[1] for d in deadlines(org.balie, ref) if d[0] == "uitspraak"] == [date(2026, 11, 30)]


def test_every_change_is_in_a_verifiable_audit_chain(org):
    ref = register(org.balie)
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT)
    with org.beheer.db.session() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        names = set(session.scalars(select(AuditEntry.username)))
    assert actions[0] == "database_aangemaakt"
    assert actions[-2:] == ["zaak_geregistreerd", "zaak_triage_klacht"]
    assert {"beheer", "balie", "coordinator"} <= names
    assert check.check_database(org.beheer).ok
    with tampering(org) as conn:  # the server's superuser: no KlachtDesk role may
        conn.execute(text("UPDATE audit_log SET detail = 'vervalst' WHERE id = 3"))
    report = check.check_database(org.beheer)
    assert not report.ok
    assert "auditlog is onderbroken bij regel 3" in report.problems[0]


def test_only_beheer_changes_settings_and_values_are_checked(org):
    with pytest.raises(NotAllowed):
        settings.update_settings(org.coordinator, {"org.name": "Anders"})
    with pytest.raises(ValidationError, match="van 1 tot en met 240"):
        settings.update_settings(org.beheer, {"security.idle_lock_minutes": 0})
    settings.update_settings(
        org.beheer, {"org.kvk": "12345678", "calendar.good_friday_closed": "nee"}
    )
    values = settings.get_settings(org.balie)
    assert values["org.kvk"] == "12345678"
    assert values["calendar.good_friday_closed"] is False
    assert values["org.name"] == "Woonstichting De Linde"


def test_events_of_a_case_carry_user_and_time(org):
    ref = register(at(org.balie, date(2026, 11, 24), hour=9))
    with org.balie.db.session() as session:
        event = session.scalar(select(Event).join(Case).where(Case.ref == ref))
        assert (event.kind, event.user_id, event.at) == (
            "geregistreerd",
            org.balie.actor.user_id,
            datetime(2026, 11, 24, 9),
        )


def test_each_change_raises_the_version_by_exactly_one(org):
    ref = register(org.balie)
    assert load(org.balie, ref).version == 1
    assert cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager") == 2
    assert (
        case_activities.assign_handler(org.coordinator, ref, "coordinator", expected_version=2) == 3
    )
    assert (
        case_activities.record(
            org.coordinator, ref, Activity.NOTITIE, "Gebeld.", expected_version=3
        )
        == 4
    )
    assert (
        case_activities.extend_decision(
            at(org.coordinator, date(2026, 11, 24)), ref, "2026-12-30", "Wachten op aannemer.", 4
        )
        == 5
    )
    assert load(org.balie, ref).version == 5


def test_login_throttle_gives_three_free_tries_then_a_growing_wait():
    from klachtdesk.services.admin.login_guard import delay_after

    assert [delay_after(n) for n in range(1, 10)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]
