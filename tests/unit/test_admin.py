"""Beheer services: lists, users, calendar days, settings and logo, each refused to others."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import select

from klachtdesk.domain.calendar import ATW_DECREE_DAYS
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import (
    admin,
    admin_calendar,
    admin_lists,
    admin_users,
    settings,
    setup,
)
from klachtdesk.services.cases import cases
from klachtdesk.storage.errors import AccessRevoked, WrongPassword
from klachtdesk.storage.models import AuditEntry, CalendarDay
from tests.conftest import PASSWORD, TODAY, complaint_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
NEW_PASSWORD = "nieuw-geheim-2026"


def at(ctx, day: date):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, 9))


def register(ctx, today: date = TODAY, **overrides) -> str:
    return cases.register(
        at(ctx, today), ComplaintInput.validated(complaint_data(**overrides), today)
    )


def due(ctx, ref: str) -> dict[str, date]:
    return {row.ref: row.deadlines for row in cases.list_cases(ctx)}[ref]


def audit_actions(ctx) -> list[str]:
    with ctx.db.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def user_id(ctx, username: str) -> int:
    return next(u.id for u in admin_users.list_users(ctx) if u.username == username)


# -- categories, departments, employees --------------------------------------------------------
def test_categories_are_added_renamed_deactivated_and_removed_only_when_unused(org):
    new_id = admin_lists.add_category(org.beheer, "  Energielabel ")
    assert "Energielabel" in [c.name for c in admin_lists.list_categories(org.balie)]
    with pytest.raises(ValidationError, match="bestaat al"):
        admin_lists.add_category(org.beheer, "energielabel")
    admin_lists.rename_category(org.beheer, new_id, "Energielabel en isolatie")

    ref = register(org.balie, category="Energielabel en isolatie")
    [used] = [c for c in admin_lists.list_categories(org.beheer) if c.id == new_id]
    assert (used.name, used.active, used.cases) == ("Energielabel en isolatie", True, 1)
    with pytest.raises(ValidationError, match="1 zaak .*deactiveer"):
        admin_lists.remove_category(org.beheer, new_id)
    admin_lists.set_category_active(org.beheer, new_id, False)
    assert "Energielabel en isolatie" not in [
        c.name for c in admin_lists.list_categories(org.beheer, include_inactive=False)
    ]
    assert [r.category for r in cases.list_cases(org.balie) if r.ref == ref] == [
        "Energielabel en isolatie"
    ]

    unused = admin_lists.add_category(org.beheer, "Tijdelijk")
    admin_lists.remove_category(org.beheer, unused)
    assert "Tijdelijk" not in [c.name for c in admin_lists.list_categories(org.beheer)]
    actions = audit_actions(org.beheer)
    for action in (
        "categorie_toegevoegd",
        "categorie_hernoemd",
        "categorie_gedeactiveerd",
        "categorie_verwijderd",
    ):
        assert action in actions


def test_departments_and_employees(org):
    wonen = next(d.id for d in admin_lists.list_departments(org.beheer) if d.name == "Wonen")
    dept = admin_lists.add_department(org.beheer, "Sociaal beheer")
    admin_lists.rename_department(org.beheer, dept, "Sociaal beheer en leefbaarheid")
    emp = admin_lists.add_employee(org.beheer, "Jan de Vries", "Opzichter", dept)
    with pytest.raises(ValidationError, match="al een actieve medewerker"):
        admin_lists.add_employee(org.beheer, "jan de vries")
    admin_lists.update_employee(org.beheer, emp, "Jan de Vries", "Wijkbeheerder", wonen)
    [info] = [e for e in admin_lists.list_employees(org.beheer) if e.id == emp]
    assert (info.function_title, info.department, info.active) == ("Wijkbeheerder", "Wonen", True)

    ref = register(org.balie, employee="Jan de Vries")
    assert [e.cases for e in admin_lists.list_employees(org.beheer) if e.id == emp] == [1]
    with org.balie.db.session() as session:
        assert cases._load(session, ref).department.name == "Wonen"  # from the employee
    admin_lists.set_employee_active(org.beheer, emp, False)
    assert emp not in [e.id for e in admin_lists.list_employees(org.beheer, include_inactive=False)]
    admin_lists.set_department_active(org.beheer, dept, False)
    assert [d.active for d in admin_lists.list_departments(org.beheer) if d.id == dept] == [False]
    with pytest.raises(ValidationError, match="verplicht"):
        admin_lists.add_department(org.beheer, "   ")


# -- users --------------------------------------------------------------------------------
def test_roles_change_and_a_deactivated_user_can_no_longer_log_in(org):
    carla = user_id(org.beheer, "coordinator")
    admin_users.set_user_roles(org.beheer, carla, [Role.COORDINATOR, Role.BEHEER])
    assert org.login("coordinator").actor.roles == {Role.COORDINATOR, Role.BEHEER}
    balie = user_id(org.beheer, "balie")
    admin_users.update_user(org.beheer, balie, "Bea Bakker", "Medewerker klantcontact")
    [info] = [u for u in admin_users.list_users(org.beheer) if u.id == balie]
    assert (info.display_name, info.function_title, info.active) == (
        "Bea Bakker",
        "Medewerker klantcontact",
        True,
    )

    admin_users.deactivate_user(org.beheer, balie)
    with pytest.raises(WrongPassword):
        org.login("balie")
    with pytest.raises(ValidationError, match="is gedeactiveerd"):
        admin_users.reset_password(org.beheer, balie, NEW_PASSWORD)
    with pytest.raises(ValidationError, match="ten minste 10"):
        admin_users.reactivate_user(org.beheer, balie, "kort")
    admin_users.reactivate_user(org.beheer, balie, NEW_PASSWORD)
    with pytest.raises(WrongPassword):
        org.login("balie")  # the old password went with the old key slot
    assert org.login("balie", NEW_PASSWORD).actor.display_name == "Bea Bakker"
    admin_users.reset_password(org.beheer, balie, "weer-een-ander-1")
    assert org.login("balie", "weer-een-ander-1").actor.username == "balie"
    for action in (
        "gebruiker_gedeactiveerd",
        "gebruiker_geactiveerd",
        "gebruiker_rollen_gewijzigd",
    ):
        assert action in audit_actions(org.beheer)


def test_the_last_beheerder_and_oneself_are_protected(org):
    me = user_id(org.beheer, "beheer")
    with pytest.raises(NotAllowed, match="laatste actieve beheerder"):
        admin_users.deactivate_user(org.beheer, me)
    with pytest.raises(NotAllowed, match="laatste actieve beheerder"):
        admin_users.set_user_roles(org.beheer, me, [Role.COORDINATOR])
    with pytest.raises(ValidationError, match="ten minste één rol"):
        admin_users.set_user_roles(org.beheer, me, [])

    setup.add_user(org.beheer, "tweede", "Tina Tweede", "beheer", PASSWORD)
    with pytest.raises(NotAllowed, match="uzelf niet deactiveren"):
        admin_users.deactivate_user(org.beheer, me)
    with pytest.raises(NotAllowed, match="eigen rol Beheerder"):
        admin_users.set_user_roles(org.beheer, me, [Role.BALIE])
    tina = org.login("tweede")
    admin_users.set_user_roles(tina, me, [Role.BALIE, Role.BEHEER])  # another beheerder may
    admin_users.deactivate_user(tina, me)
    # The session of the deactivated beheerder is still open, but it has no key any more:
    # the database was re-encrypted without their slot.
    with pytest.raises(AccessRevoked, match="ingetrokken"):
        admin_lists.add_category(org.beheer, "Nieuwe categorie")
    with pytest.raises(AccessRevoked, match="ingetrokken"):
        admin_users.deactivate_user(org.beheer, user_id(tina, "tweede"))
    assert [u.active for u in admin_users.list_users(tina) if u.username == "tweede"] == [True]
    tina.db.dispose()


@pytest.mark.parametrize(
    "call",
    [
        lambda ctx: admin_lists.add_category(ctx, "Parkeren"),
        lambda ctx: admin_lists.add_department(ctx, "Parkeren"),
        lambda ctx: admin_lists.add_employee(ctx, "Piet Paters"),
        lambda ctx: admin_users.list_users(ctx),
        lambda ctx: admin_users.set_user_roles(ctx, 1, [Role.BALIE]),
        lambda ctx: admin_calendar.add_closing_days(ctx, date(2026, 12, 24)),
        lambda ctx: admin_calendar.add_atw_day(ctx, date(2029, 5, 11), "Besluit gelijkstelling"),
        lambda ctx: admin.save_settings(ctx, {"org.city": "Zeist"}),
    ],
)
def test_a_coordinator_is_refused_everything(org, call):
    with pytest.raises(NotAllowed, match="rol Beheerder"):
        call(org.coordinator)
    assert "Parkeren" not in [c.name for c in admin_lists.list_categories(org.coordinator)]
    assert admin_calendar.list_closing_days(org.coordinator) == []
    assert settings.get_settings(org.coordinator)["org.city"] == ""


# -- calendar -------------------------------------------------------------------------------
def test_a_closing_period_moves_the_acknowledgement_deadline(org):
    # Received Friday 18 December 2026; Woonpartners: 5 working days, 4 weeks.
    # Without closing days: 21, 22, 23, 24 Dec (25 Eerste Kerstdag, weekend) and 28 Dec.
    christmas = date(2027, 1, 4)
    before = register(org.balie, christmas, received="2026-12-18")
    assert due(org.balie, before) == {
        "ontvangstbevestiging": date(2026, 12, 28),
        "uitspraak": date(2027, 1, 15),
    }
    # Closed 24 up to and including 31 December: 21, 22, 23 Dec, then (1 January is
    # Nieuwjaarsdag) Monday 4 and Tuesday 5 January.
    assert (
        admin_calendar.add_closing_days(org.beheer, date(2026, 12, 24), date(2026, 12, 31), "Kerst")
        == 5
    )
    assert admin_calendar.add_closing_days(org.beheer, date(2026, 12, 28), date(2026, 12, 31)) == 0
    assert [d.day.day for d in admin_calendar.list_closing_days(org.beheer)] == [24, 28, 29, 30, 31]
    after = register(org.balie, christmas, received="2026-12-18")
    assert due(org.balie, after) == {
        "ontvangstbevestiging": date(2027, 1, 5),
        "uitspraak": date(2027, 1, 15),  # weeks are calendar time: unchanged
    }
    assert due(org.balie, before)["ontvangstbevestiging"] == date(2026, 12, 28)  # kept
    preview = admin_calendar.preview_deadlines(org.beheer, date(2026, 12, 18))
    assert "sluitingsdag: Kerst" in preview[DeadlineKind.ONTVANGSTBEVESTIGING].explanation

    assert (
        admin_calendar.remove_closing_days(org.beheer, [date(2026, 12, 24), date(2026, 12, 28)])
        == 2
    )
    assert len(admin_calendar.list_closing_days(org.beheer)) == 3
    with pytest.raises(ValidationError, match="vóór de begindatum"):
        admin_calendar.add_closing_days(org.beheer, date(2026, 12, 31), date(2026, 12, 24))


def test_livable_seven_working_days_over_a_closing_period(livable_org):
    org = livable_org
    # 21, 22, 23 Dec, then closed until 1 January: 4, 5, 6 and 7 January 2027.
    admin_calendar.add_closing_days(
        org.beheer, date(2026, 12, 24), date(2026, 12, 31), "Kerstsluiting"
    )
    ref = register(org.balie, date(2027, 1, 4), received="2026-12-18")
    assert due(org.balie, ref)["ontvangstbevestiging"] == date(2027, 1, 7)


DECREE_2029 = "Besluit houdende gelijkstelling van 11 mei 2029 met een algemeen erkende feestdag"


def test_atw_decree_days_are_kept_as_data(org):
    listed = admin_calendar.list_atw_days(org.beheer)
    assert [d.day for d in listed] == sorted(ATW_DECREE_DAYS)
    assert all(d.shipped for d in listed)
    first = listed[0]
    assert (first.day, first.reason) == (
        date(2023, 4, 28),
        "vrijdag na Koningsdag (gelijkgesteld bij koninklijk besluit)",
    )
    assert first.decree.startswith("Besluit houdende gelijkstelling van 28 april 2023")
    assert [d.decree_short for d in listed] == ["Besluit 2023–2025"] * 5 + ["Besluit 2026–2028"] * 5
    assert admin_calendar.known_decree_years(org.beheer) == list(range(2023, 2029))

    # No decree for 2029 yet: received Fri 13 April 2029 + 4 weeks = Fri 11 May 2029, the
    # Friday after Hemelvaartsdag, with a note that the decree is not known yet.
    preview = admin_calendar.preview_deadlines(org.beheer, date(2029, 4, 13))
    assert preview[DeadlineKind.UITSPRAAK].due == date(2029, 5, 11)
    assert preview[DeadlineKind.UITSPRAAK].explanation == (
        "gelijkstellingsbesluit voor 2029 nog niet bekend"
    )

    with pytest.raises(ValidationError, match="titel van het besluit': is verplicht"):
        admin_calendar.add_atw_day(org.beheer, date(2029, 5, 11), "  ")
    admin_calendar.add_atw_day(org.beheer, date(2029, 5, 11), DECREE_2029)
    added = admin_calendar.list_atw_days(org.beheer)[-1]
    assert added == admin_calendar.AtwDay(
        date(2029, 5, 11),
        "vrijdag na Hemelvaartsdag (gelijkgesteld bij koninklijk besluit)",
        DECREE_2029,
        DECREE_2029,
        shipped=False,
    )
    assert admin_calendar.known_decree_years(org.beheer) == list(range(2023, 2030))
    assert audit_actions(org.beheer)[-1] == "atw_dag_toegevoegd"
    with pytest.raises(ValidationError, match="staat al in de lijst"):
        admin_calendar.add_atw_day(org.beheer, date(2029, 5, 11), "nogmaals")
    with pytest.raises(ValidationError, match="staat al in de lijst \\(meegeleverd: Besluit"):
        admin_calendar.add_atw_day(org.beheer, date(2026, 5, 15), DECREE_2029)
    with pytest.raises(ValidationError, match="weekend"):
        admin_calendar.add_atw_day(org.beheer, date(2029, 5, 12), DECREE_2029)
    with pytest.raises(ValidationError, match="is al een feestdag \\(Hemelvaartsdag\\)"):
        admin_calendar.add_atw_day(org.beheer, date(2029, 5, 10), DECREE_2029)
    with pytest.raises(ValidationError, match="is al een feestdag \\(Bevrijdingsdag\\)"):
        admin_calendar.add_atw_day(org.beheer, date(2027, 5, 5), DECREE_2029)  # a Wednesday

    # A decision term ending on the decree day moves to the next working day:
    # received Friday 13 April 2029 + 4 weeks = Friday 11 May 2029 → Monday 14 May.
    preview = admin_calendar.preview_deadlines(org.beheer, date(2029, 4, 13))
    assert preview[DeadlineKind.UITSPRAAK].due == date(2029, 5, 14)
    assert "nog niet bekend" not in preview[DeadlineKind.UITSPRAAK].explanation

    # The shipped days are law: beheer cannot remove them, others may not try.
    with pytest.raises(ValidationError, match="kan niet worden verwijderd"):
        admin_calendar.remove_atw_days(org.beheer, [date(2025, 5, 30), date(2029, 5, 11)])
    with pytest.raises(NotAllowed, match="rol Beheerder"):
        admin_calendar.remove_atw_days(org.coordinator, [date(2025, 5, 30)])
    assert len(admin_calendar.list_atw_days(org.beheer)) == len(ATW_DECREE_DAYS) + 1
    assert admin_calendar.remove_atw_days(org.beheer, [date(2029, 5, 11)]) == 1
    assert audit_actions(org.beheer)[-1] == "atw_dagen_verwijderd"
    preview = admin_calendar.preview_deadlines(org.beheer, date(2029, 4, 13))
    assert preview[DeadlineKind.UITSPRAAK].due == date(2029, 5, 11)


def test_a_database_made_before_the_2023_2025_decree_was_shipped_counts_with_it(org):
    # Older versions copied the 2026-2028 days into the database at creation (label: the
    # reason), and beheer typed a free description. No migration is needed: the shipped
    # decrees count for every database, and the old copies show once, as shipped days.
    with org.beheer.db.session(write=True) as session:
        for day, reason in list(ATW_DECREE_DAYS.items())[5:]:
            session.add(CalendarDay(day=day, kind="atw", label=reason))
        session.add(CalendarDay(day=date(2029, 5, 11), kind="atw", label="vrijdag na Hemelvaart"))
    listed = admin_calendar.list_atw_days(org.beheer)
    assert [d.day for d in listed] == [*sorted(ATW_DECREE_DAYS), date(2029, 5, 11)]
    assert [d.shipped for d in listed].count(False) == 1
    assert listed[-1].decree == "vrijdag na Hemelvaart"  # what beheer typed, kept
    # Woonpartners, received Thu 1 May 2025: 4 weeks = Thu 29 May 2025 (Hemelvaartsdag), Fri 30
    # May (decree day), Sat 31 May, Sun 1 June -> Mon 2 June 2025.
    ref = register(org.balie, date(2025, 5, 1), received="2025-05-01")
    assert due(org.balie, ref)["uitspraak"] == date(2025, 6, 2)


# -- settings and logo ---------------------------------------------------------------------
def test_settings_are_checked_and_only_real_changes_are_audited(org):
    changed = admin.save_settings(
        org.beheer,
        {
            "org.postcode": "3511ab",
            "org.email": "Klachten@DeLinde.nl",
            "org.phone": "030 123 45 67",
            "org.name": "Woonstichting De Linde",  # unchanged
            "letters.address_top_mm": "55",
            "security.idle_lock_minutes": 15,
        },
    )
    assert set(changed) == {
        "org.postcode",
        "org.email",
        "org.phone",
        "letters.address_top_mm",
        "security.idle_lock_minutes",
    }
    values = settings.get_settings(org.balie)
    assert values["org.postcode"] == "3511 AB"
    assert values["org.phone"] == "030 123 45 67"
    assert values["letters.address_top_mm"] == 55
    assert audit_actions(org.beheer).count("instelling_gewijzigd") == 5
    with pytest.raises(ValidationError, match="Postcode.*geen geldige"):
        admin.save_settings(org.beheer, {"org.city": "Zeist", "org.postcode": "12345"})
    with pytest.raises(ValidationError, match="van 1 tot en met 240"):
        admin.save_settings(org.beheer, {"security.idle_lock_minutes": 0})
    with pytest.raises(ValidationError, match="Naam organisatie.*verplicht"):
        admin.save_settings(org.beheer, {"org.name": "  "})
    with pytest.raises(ValidationError, match="Klachtenregeling"):
        admin.save_settings(org.beheer, {"procedure.current": "livable"})
    assert settings.get_settings(org.balie)["org.city"] == ""  # nothing half saved


def test_the_logo_is_a_checked_base64_image(org):
    assert admin.logo_bytes(org.beheer) is None
    admin.save_settings(org.beheer, {}, logo=PNG)
    assert admin.logo_bytes(org.balie) == PNG
    stored = settings.get_settings(org.balie)["org.logo"]
    assert base64.b64decode(stored) == PNG
    with pytest.raises(ValidationError, match="PNG- of JPEG"):
        admin.save_settings(org.beheer, {}, logo=b"GIF89a....")
    with pytest.raises(ValidationError, match="ten hoogste 512 kB"):
        admin.save_settings(org.beheer, {}, logo=PNG + b"\0" * admin.MAX_LOGO_BYTES)
    assert admin.logo_bytes(org.beheer) == PNG
    admin.save_settings(org.beheer, {}, logo=None)
    assert admin.logo_bytes(org.beheer) is None


def test_procedures_are_listed_with_their_latest_version(org):
    infos = {p.key: p for p in admin.list_procedures(org.beheer)}
    assert set(infos) == {"woonpartners", "livable"}
    assert infos["woonpartners"].current and not infos["livable"].current
    assert infos["livable"].version == 1
    assert json.dumps(infos["livable"].procedure.to_dict())  # a full procedure
