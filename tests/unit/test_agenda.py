"""The deadline calendar, the 'Vandaag' overview and the .ics export, on real dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import icalendar
import pytest
from sqlalchemy import event, select

from klachtdesk.domain.deadlines import Urgency
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import agenda, case_activities, cases, independence
from klachtdesk.storage.models import AuditEntry
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data, on_server

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)

NAME = "Fatima el Amrani"


def at(ctx, day: date, hour: int = 10):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, hour))


def register(org, received: str, **overrides) -> str:
    data = complaint_data(received=received, **overrides)
    day = date.fromisoformat(received)
    return cases.register(at(org.balie, day), ComplaintInput.validated(data, TODAY))


def to_appeal(org, ref: str) -> None:
    """Acknowledged, decided, and an appeal received today (2 weeks → Wednesday 9 December)."""
    case_activities.mark_letter_sent(org.balie, ref, "ontvangstbevestiging", TODAY, "post")
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(org.manager, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="Zo is het.")
    cases.perform(
        org.coordinator, ref, Action.BEROEP, received=TODAY.isoformat(), grounds=APPEAL_GROUNDS
    )


def summary(items) -> list[tuple[str, str, date, Urgency]]:
    return [(i.ref, i.kind, i.due, i.state) for i in items]


def test_deadlines_between_gives_the_real_due_dates_and_states(org):
    # Friday 20 November: acknowledgement 5 working days → Friday 27 November (2 working
    # days from Wednesday 25th: due soon); decision 4 weeks → Friday 18 December.
    ref = register(org, "2026-11-20")
    items = agenda.deadlines_between(org.coordinator, date(2026, 11, 1), date(2026, 12, 31))
    assert summary(items) == [
        (ref, "ontvangstbevestiging", date(2026, 11, 27), Urgency.DUE_SOON),
        (ref, "uitspraak", date(2026, 12, 18), Urgency.OPEN),
    ]
    first = items[0]
    assert first.label == "Ontvangstbevestiging" and items[1].label == "Uitspraak"
    assert first.working_days_left == 2 and first.met_on is None and first.is_open
    assert first.subject == "Lekkage badkamer niet verholpen"
    assert first.category == "Onderhoud en reparaties"
    assert first.status == "ontvangen" and first.status_label == "Ontvangen"
    # Both ends are included; a day without deadlines gives nothing.
    one_day = agenda.deadlines_between(org.coordinator, date(2026, 11, 27), date(2026, 11, 27))
    assert summary(one_day) == summary(items[:1])
    assert agenda.deadlines_between(org.coordinator, date(2026, 11, 28), date(2026, 12, 17)) == []
    assert agenda.deadlines_between(org.coordinator, date(2026, 12, 31), date(2026, 12, 1)) == []


def test_met_deadlines_stay_visible_and_closed_cases_drop_their_open_ones(org):
    met = register(org, "2026-11-16")  # acknowledgement due Monday 23 November
    case_activities.mark_letter_sent(
        org.balie,
        met,
        "ontvangstbevestiging",
        "2026-11-18",
        "post",
    )
    late = register(org, "2026-11-02")  # acknowledgement due 9 November, sent on the 12th
    case_activities.mark_letter_sent(
        org.balie,
        late,
        "ontvangstbevestiging",
        "2026-11-12",
        "post",
    )
    withdrawn = register(org, "2026-11-19")
    cases.perform(org.balie, withdrawn, Action.INTREKKEN, note="Opgelost.")
    items = agenda.deadlines_between(org.coordinator, date(2026, 11, 1), date(2026, 12, 31))
    assert summary(items) == [
        (late, "ontvangstbevestiging", date(2026, 11, 9), Urgency.MISSED),
        (met, "ontvangstbevestiging", date(2026, 11, 23), Urgency.MET),
        (late, "uitspraak", date(2026, 11, 30), Urgency.DUE_SOON),  # 3 working days
        (met, "uitspraak", date(2026, 12, 14), Urgency.OPEN),
    ]
    assert items[1].met_on == date(2026, 11, 18) and not items[1].is_open
    assert withdrawn not in {i.ref for i in items}
    # Only open ones when asked.
    open_only = agenda.deadlines_between(
        org.coordinator, date(2026, 11, 1), date(2026, 12, 31), open_only=True
    )
    assert [(i.ref, i.kind) for i in open_only] == [(late, "uitspraak"), (met, "uitspraak")]


def test_a_directeur_only_sees_the_deadlines_of_appeal_cases(org):
    plain = register(org, "2026-11-20")
    appealed = register(org, "2026-11-19")
    to_appeal(org, appealed)
    start, end = date(2026, 11, 1), date(2026, 12, 31)
    director = agenda.deadlines_between(org.directeur, start, end)
    assert {i.ref for i in director} == {appealed}
    assert (appealed, "heroverweging", date(2026, 12, 9)) in [
        (i.ref, i.kind, i.due) for i in director
    ]
    assert {i.ref for i in agenda.deadlines_between(org.coordinator, start, end)} == {
        plain,
        appealed,
    }
    if on_server(org):
        return  # there the server's roles of the login decide, not the actor's (see below)
    # A directeur who is also coordinator sees everything (SPEC §1: roles combine).
    both = replace(
        org.directeur,
        actor=replace(org.directeur.actor, roles=org.directeur.actor.roles | {Role.COORDINATOR}),
    )
    assert {i.ref for i in agenda.deadlines_between(both, start, end)} == {plain, appealed}


def test_overview_sorts_what_is_late_due_and_waiting(org):
    old = register(org, "2026-11-02")  # acknowledgement due Monday 9 November: overdue
    new = register(org, "2026-11-20")  # acknowledgement due Friday 27 November: this week
    decided = register(org, "2026-11-16")
    cases.perform(org.coordinator, decided, Action.TRIAGE_KLACHT, handler="coordinator")
    case_activities.mark_letter_sent(
        org.coordinator,
        decided,
        "ontvangstbevestiging",
        "2026-11-17",
        "email",
    )
    cases.perform(org.manager, decided, Action.UITSPRAAK, outcome="gegrond", motivation="Terecht.")
    appealed = register(org, "2026-11-19")
    to_appeal(org, appealed)

    overview = agenda.today_overview(org.coordinator)
    assert overview.today == TODAY and overview.week_end == date(2026, 11, 29)
    assert summary(overview.overdue) == [
        (old, "ontvangstbevestiging", date(2026, 11, 9), Urgency.OVERDUE)
    ]
    assert overview.overdue[0].working_days_left == -12
    # Today up to Sunday: only the acknowledgement of the 20th (the old case's decision
    # falls on Monday 30 November, next week).
    assert [(i.ref, i.kind, i.due) for i in overview.this_week] == [
        (new, "ontvangstbevestiging", date(2026, 11, 27))
    ]
    letters = [(x.ref, x.label, x.due, x.note) for x in overview.letters]
    assert (old, "Ontvangstbevestiging", date(2026, 11, 9), "") in letters
    assert (new, "Ontvangstbevestiging", date(2026, 11, 27), "") in letters
    # decided, but the term is met only when the letter is sent: it is still due
    assert (
        decided,
        "Uitspraak",
        date(2026, 12, 14),
        "besluit genomen, brief nog niet verstuurd",
    ) in letters
    assert appealed not in {x[0] for x in letters}  # its acknowledgement went out
    assert [(i.ref, i.kind, i.due, i.status) for i in overview.appeals] == [
        (appealed, "heroverweging", date(2026, 12, 9), "heroverweging")
    ]
    assert overview.order == ("verlopen", "deze_week", "brieven", "heroverwegingen")
    assert not overview.director_first

    # The decision letter goes out: it leaves the list; so does a sent acknowledgement.
    case_activities.mark_letter_sent(
        org.coordinator, decided, "uitspraak", TODAY.isoformat(), "post"
    )
    case_activities.mark_letter_sent(
        org.balie,
        old,
        "ontvangstbevestiging",
        TODAY.isoformat(),
        "post",
    )
    again = agenda.today_overview(org.coordinator)
    assert again.overdue == []
    assert {x.ref for x in again.letters} == {new}
    # A later decision in another case does not bring back the letter already sent.
    later = register(org, "2026-11-17")
    cases.perform(org.coordinator, later, Action.NIET_ONTVANKELIJK, reason="anders", note="Eerder.")
    letters = [(x.ref, x.label) for x in agenda.today_overview(org.coordinator).letters]
    # the refusal letter answers the acknowledgement still owed (due 24 November: first)
    assert letters == [(later, "Niet-ontvankelijkverklaring"), (new, "Ontvangstbevestiging")]


def test_the_directeur_sees_appeals_first_and_only_appeal_cases(org):
    register(org, "2026-11-02")
    appealed = register(org, "2026-11-19")
    to_appeal(org, appealed)
    overview = agenda.today_overview(org.directeur)
    assert overview.order[0] == "heroverwegingen" and overview.director_first
    assert [i.ref for i in overview.appeals] == [appealed]
    # The other case's overdue acknowledgement is not the directeur's concern.
    assert overview.overdue == [] and overview.this_week == [] and overview.letters == []


def test_ics_has_one_all_day_event_per_open_deadline_and_no_personal_data(org):
    ref = register(org, "2026-11-20")
    # Received on Sunday 22 November (web form): 4 weeks → Sunday 20 December → Monday 21st.
    moved = register(org, "2026-11-22", channel="web")
    case_activities.mark_letter_sent(
        org.balie,
        moved,
        "ontvangstbevestiging",
        "2026-11-23",
        "email",
    )
    items = agenda.deadlines_between(org.coordinator, date(2026, 11, 1), date(2026, 12, 31))
    assert len(items) == 4  # one of them met: not exported
    data = agenda.export_ics(org.coordinator, items)

    calendar = icalendar.Calendar.from_ical(data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"{ref}: ontvangstbevestiging",
        f"{ref}: uitspraak",
        f"{moved}: uitspraak",
    }
    decision = events[f"{moved}: uitspraak"]
    assert decision.decoded("dtstart") == date(2026, 12, 21)
    assert decision.decoded("dtend") == date(2026, 12, 22)
    assert str(decision["uid"]) == f"{moved}-uitspraak-20261221@klachtdesk"
    assert "Termijn: Uitspraak" in str(decision["description"])
    assert "verschoven van 20 december: zondag" in str(decision["description"])
    assert events[f"{ref}: ontvangstbevestiging"].decoded("dtstart") == date(2026, 11, 27)
    assert events[f"{ref}: uitspraak"].decoded("dtstart") == date(2026, 12, 18)
    text = data.decode("utf-8")
    for private in (NAME, "Lindelaan", "fatima@voorbeeld.nl", "Lekkage badkamer"):
        assert private not in text
    # Exporting again gives the same UIDs: the calendar updates instead of doubling.
    again = icalendar.Calendar.from_ical(agenda.export_ics(org.coordinator, items))
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in events.values()}
    with org.beheer.db.session() as session:
        entries = session.execute(
            select(AuditEntry.username, AuditEntry.detail).where(AuditEntry.action == "export_ics")
        ).all()
    assert entries == [("coordinator", "3 termijnen"), ("coordinator", "3 termijnen")]


def test_the_calendar_queries_never_scan_the_cases(org):
    if on_server(org):
        pytest.skip("SQLite's query plans (EXPLAIN QUERY PLAN); a server plans by statistics")
    register(org, "2026-11-20")
    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = org.coordinator.db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        agenda.deadlines_between(org.coordinator, date(2026, 11, 1), date(2026, 11, 30))
        agenda.today_overview(org.coordinator)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) >= 2  # the month, then the overview
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = " | ".join(
                row[3]
                for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
            assert "SCAN cases" not in plan, plan


def test_a_section_holds_its_first_rows_counts_them_all_and_gives_the_rest_on_request(org):
    """Five overdue acknowledgements, the oldest first: an overview of two rows a section
    lists the first two and counts five; ``section_items`` gives all five in that order."""
    received = ["2026-11-03", "2026-11-02", "2026-11-05", "2026-11-02", "2026-11-04"]
    refs = [register(org, day) for day in received]
    oldest_first = [refs[1], refs[3], refs[0], refs[4], refs[2]]  # by due date, then number
    overview = agenda.today_overview(org.coordinator, shown=2)
    assert [i.ref for i in overview.overdue] == oldest_first[:2]
    assert overview.count(agenda.OVERDUE) == 5
    assert [x.ref for x in overview.letters] == oldest_first[:2]  # the acknowledgements
    assert overview.count(agenda.LETTERS) == 5
    assert overview.count(agenda.THIS_WEEK) == 0 and overview.this_week == []
    every = agenda.section_items(org.coordinator, agenda.OVERDUE)
    assert [i.ref for i in every] == oldest_first
    assert [x.ref for x in agenda.section_items(org.coordinator, agenda.LETTERS)] == oldest_first
    # Read whole, the overview is what it was before it read screenfuls.
    whole = agenda.today_overview(org.coordinator, shown=None)
    assert summary(whole.overdue) == summary(every)
    assert whole.count(agenda.OVERDUE) == 5
    # The directeur counts only what they see (no appeals here): nothing.
    director = agenda.today_overview(org.directeur, shown=2)
    assert director.count(agenda.OVERDUE) == 0 and director.overdue == []


def test_the_unlinked_names_are_counted_and_the_first_named(org):
    refs = [register(org, "2026-11-20", employee=f"P. Onbekend{n}") for n in "abc"]
    first, count = independence.first_unlinked(org.coordinator, 2)
    assert [(u.ref, u.typed) for u in first] == [
        (refs[0], "P. Onbekenda"),
        (refs[1], "P. Onbekendb"),
    ]
    assert count == 3
    overview = agenda.today_overview(org.coordinator)
    assert overview.unlinked_count == 3 and len(overview.unlinked) == 3
    assert independence.first_unlinked(org.balie, 2) == ([], 0)  # the coordinator's task
