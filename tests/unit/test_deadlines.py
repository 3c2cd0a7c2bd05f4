"""Which deadlines a case gets (SPEC §4), extensions, and the status shown in the calendar.

Expected dates are worked out by hand; the comment beside each case shows how.
"""

from __future__ import annotations

from datetime import date

import pytest

from klachtdesk.domain.calendar import CalendarSettings, DeadlineCalendar, Term, TermUnit
from klachtdesk.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    Settlement,
    Urgency,
    answered,
    appeal_deadline,
    deadline_status,
    extension_limit,
    initial_deadlines,
    no_longer_applies,
    validate_extension,
)
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import PRESETS

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)

WOONPARTNERS = PRESETS["woonpartners"]
LIVABLE = PRESETS["livable"]
CALENDAR = DeadlineCalendar()
GOOD_FRIDAY_OPEN = DeadlineCalendar(CalendarSettings(good_friday_closed=False))
CHRISTMAS_CLOSED = DeadlineCalendar(
    CalendarSettings(
        closing_days={date(2026, 12, 24): "kerstavond", date(2026, 12, 31): "oudejaarsdag"}
    )
)

ACK = DeadlineKind.ONTVANGSTBEVESTIGING
DECISION = DeadlineKind.UITSPRAAK


def test_kind_and_state_names():
    assert ACK.label == "Ontvangstbevestiging"
    assert DECISION.label == "Uitspraak"
    assert DeadlineKind.HEROVERWEGING.label == "Reactie directeur-bestuurder"
    assert DeadlineKind.VERLENGINGSBERICHT.label == "Bericht van verlenging"
    # the life of a deadline, as `klachtdesk case REF --json` prints it
    assert [s.value for s in DeadlineState] == ["open", "met", "missed", "lapsed", "superseded"]
    assert DeadlineState.SUPERSEDED.label == "vervangen door verlenging"
    # how it looks today
    assert [u.value for u in Urgency] == [
        "open",
        "binnenkort",
        "verlopen",
        "gehaald",
        "gemist",
        "vervallen",
        "vervangen",
    ]


# --------------------------------------------------------------------------------------------
# initial_deadlines
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("procedure", "received", "calendar", "ack_due", "decision_due"),
    [
        pytest.param(
            # Woonpartners, Mon 2 Mar 2026. Acknowledgement, 5 werkdagen: Tue 3, Wed 4, Thu 5,
            # Fri 6, Mon 9 Mar. Decision, 4 weken: Mon 30 Mar 2026.
            WOONPARTNERS,
            date(2026, 3, 2),
            CALENDAR,
            date(2026, 3, 9),
            date(2026, 3, 30),
            id="woonpartners-plain",
        ),
        pytest.param(
            # Livable, Mon 2 Mar 2026. 7 werkdagen: Tue 3 .. Fri 6 (4), Mon 9 (5), Tue 10 (6),
            # Wed 11 (7). 6 weken: Mon 13 Apr 2026.
            LIVABLE,
            date(2026, 3, 2),
            CALENDAR,
            date(2026, 3, 11),
            date(2026, 4, 13),
            id="livable-plain",
        ),
        pytest.param(
            # Woonpartners, Thu 16 Apr 2026. 5 werkdagen: Fri 17, Mon 20, Tue 21, Wed 22, Thu 23.
            # 4 weken: Thu 14 May Hemelvaartsdag, Fri 15 decree, weekend -> Mon 18 May 2026.
            WOONPARTNERS,
            date(2026, 4, 16),
            CALENDAR,
            date(2026, 4, 23),
            date(2026, 5, 18),
            id="woonpartners-hemelvaart",
        ),
        pytest.param(
            # Livable, Thu 16 Apr 2026. 7 werkdagen: Fri 17 (1), Mon 20 .. Fri 24 (2-6), Mon 27
            # Koningsdag skipped, Tue 28 Apr (7). 6 weken: Thu 28 May 2026, an ordinary day.
            LIVABLE,
            date(2026, 4, 16),
            CALENDAR,
            date(2026, 4, 28),
            date(2026, 5, 28),
            id="livable-koningsdag",
        ),
        pytest.param(
            # Livable, Fri 20 Feb 2026. 7 werkdagen: Mon 23 .. Fri 27 (1-5), Mon 2 Mar (6),
            # Tue 3 Mar (7). 6 weken: Fri 3 Apr Goede Vrijdag .. Mon 6 Tweede Paasdag -> Tue 7 Apr.
            LIVABLE,
            date(2026, 2, 20),
            CALENDAR,
            date(2026, 3, 3),
            date(2026, 4, 7),
            id="livable-pasen",
        ),
        pytest.param(
            # Woonpartners, Fri 20 Feb 2026: 5 werkdagen -> Fri 27 Feb; 4 weken -> Fri 20 Mar.
            WOONPARTNERS,
            date(2026, 2, 20),
            CALENDAR,
            date(2026, 2, 27),
            date(2026, 3, 20),
            id="woonpartners-friday",
        ),
        pytest.param(
            # Woonpartners, Fri 18 Dec 2026, closed 24 and 31 Dec. 5 werkdagen: Mon 21, Tue 22,
            # Wed 23 (3), Thu 24 closed, Fri 25 Kerstmis, Mon 28 (4), Tue 29 Dec (5).
            # 4 weken: Fri 15 Jan 2027.
            WOONPARTNERS,
            date(2026, 12, 18),
            CHRISTMAS_CLOSED,
            date(2026, 12, 29),
            date(2027, 1, 15),
            id="woonpartners-christmas-closing",
        ),
        pytest.param(
            # Livable, received Sat 28 Nov 2026. 7 werkdagen: Mon 30 Nov .. Fri 4 Dec (1-5),
            # Mon 7 (6), Tue 8 Dec (7). 6 weken: Sat 9 Jan 2027 -> Mon 11 Jan 2027.
            LIVABLE,
            date(2026, 11, 28),
            CALENDAR,
            date(2026, 12, 8),
            date(2027, 1, 11),
            id="livable-received-saturday",
        ),
    ],
)
def test_initial_deadlines(procedure, received, calendar, ack_due, decision_due):
    deadlines = initial_deadlines(received, procedure, calendar)
    assert set(deadlines) == {ACK, DECISION}
    assert deadlines[ACK].due == ack_due
    assert deadlines[DECISION].due == decision_due
    assert deadlines[ACK].start == deadlines[DECISION].start == received
    assert deadlines[ACK].term == procedure.acknowledgement_term
    assert deadlines[DECISION].term == procedure.decision_term


def test_initial_deadlines_explain_themselves():
    deadlines = initial_deadlines(date(2026, 4, 16), WOONPARTNERS, CALENDAR)
    assert deadlines[DECISION].explanation.startswith("verschoven van 14 mei: Hemelvaartsdag")
    assert deadlines[ACK].explanation is None
    livable = initial_deadlines(date(2026, 4, 16), LIVABLE, CALENDAR)
    assert livable[ACK].explanation == "telt niet als werkdag: 27 april (Koningsdag)"
    assert livable[DECISION].explanation is None


def test_woonpartners_decision_over_the_2025_decree_friday():
    # Woonpartners, received Thu 1 May 2025. 5 werkdagen: Fri 2 (1), Mon 5 Bevrijdingsdag
    # (lustrum) skipped, Tue 6 .. Fri 9 May (2-5). 4 weken: Thu 29 May Hemelvaartsdag, Fri 30
    # May made equal by the 2023-2025 decree, Sat 31 May, Sun 1 June -> Mon 2 June 2025.
    deadlines = initial_deadlines(date(2025, 5, 1), WOONPARTNERS, CALENDAR)
    assert deadlines[ACK].due == date(2025, 5, 9)
    assert deadlines[DECISION].due == date(2025, 6, 2)
    assert deadlines[DECISION].explanation == (
        "verschoven van 29 mei: Hemelvaartsdag, 30 mei: vrijdag na Hemelvaartsdag "
        "(gelijkgesteld bij koninklijk besluit), 31 mei: zaterdag, 1 juni: zondag"
    )


def test_initial_deadlines_in_a_year_without_decree_say_so():
    # Livable, Thu 29 Mar 2029. 7 werkdagen: Fri 30 Mar Goede Vrijdag and Mon 2 Apr Tweede
    # Paasdag skipped, Tue 3 .. Fri 6 (1-4), Mon 9 .. Wed 11 Apr (5-7). 6 weken: Thu 10 May
    # 2029 Hemelvaartsdag -> Fri 11 May, which a decree for 2029 may well make a holiday too.
    deadlines = initial_deadlines(date(2029, 3, 29), LIVABLE, CALENDAR)
    assert deadlines[ACK].due == date(2029, 4, 11)
    assert deadlines[ACK].explanation == (
        "telt niet als werkdag: 30 maart (Goede Vrijdag), 2 april (Tweede Paasdag); "
        "gelijkstellingsbesluit voor 2029 nog niet bekend"
    )
    assert deadlines[DECISION].due == date(2029, 5, 11)
    assert deadlines[DECISION].explanation == (
        "verschoven van 10 mei: Hemelvaartsdag; gelijkstellingsbesluit voor 2029 nog niet bekend"
    )
    # Without the Atw nothing moves, and the decree does not matter.
    off = initial_deadlines(date(2029, 3, 29), LIVABLE.changed(apply_atw=False), CALENDAR)
    assert off[DECISION].due == date(2029, 5, 10)
    assert off[DECISION].explanation is None
    assert (
        off[ACK].explanation
        == "telt niet als werkdag: 30 maart (Goede Vrijdag), 2 april (Tweede Paasdag)"
    )


def test_initial_deadlines_respect_apply_atw_off():
    # Livable without the Atw, Fri 20 Feb 2026: 6 weken end on Goede Vrijdag Fri 3 Apr and stay.
    procedure = LIVABLE.changed(apply_atw=False)
    deadlines = initial_deadlines(date(2026, 2, 20), procedure, CALENDAR)
    assert deadlines[DECISION].due == date(2026, 4, 3)
    assert deadlines[DECISION].explanation is None


def test_initial_deadlines_good_friday_setting():
    # Woonpartners, Mon 30 Mar 2026. 5 werkdagen with Goede Vrijdag closed: Tue 31, Wed 1,
    # Thu 2, [Fri 3, Mon 6], Tue 7, Wed 8 Apr. With Goede Vrijdag open: Fri 3 counts -> Tue 7.
    # 4 weken: Mon 27 Apr 2026 Koningsdag -> Tue 28 Apr in both.
    closed = initial_deadlines(date(2026, 3, 30), WOONPARTNERS, CALENDAR)
    opened = initial_deadlines(date(2026, 3, 30), WOONPARTNERS, GOOD_FRIDAY_OPEN)
    assert closed[ACK].due == date(2026, 4, 8)
    assert opened[ACK].due == date(2026, 4, 7)
    assert closed[DECISION].due == opened[DECISION].due == date(2026, 4, 28)


def test_initial_deadlines_with_custom_terms():
    # A procedure with "3 werkdagen" and "42 dagen": Fri 24 Apr 2026 -> Tue 28, Wed 29, Thu 30
    # Apr (Mon 27 Koningsdag skipped); 42 days = Fri 5 Jun 2026.
    procedure = LIVABLE.changed(
        acknowledgement_term=Term(3, TermUnit.WERKDAGEN),
        decision_term=Term(42, TermUnit.DAGEN),
    )
    deadlines = initial_deadlines(date(2026, 4, 24), procedure, CALENDAR)
    assert deadlines[ACK].due == date(2026, 4, 30)
    assert deadlines[DECISION].due == date(2026, 6, 5)


# --------------------------------------------------------------------------------------------
# appeal_deadline
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Mon 4 May 2026 + 2 weken = Mon 18 May 2026.
        (date(2026, 5, 4), date(2026, 5, 18)),
        # Fri 1 May 2026 + 2 weken = Fri 15 May 2026, decree day -> Mon 18 May 2026.
        (date(2026, 5, 1), date(2026, 5, 18)),
        # Fri 11 Dec 2026 + 2 weken = Fri 25 Dec 2026 -> Mon 28 Dec 2026.
        (date(2026, 12, 11), date(2026, 12, 28)),
        # Thu 18 Dec 2025 + 2 weken = Thu 1 Jan 2026, Fri 2 Jan decree -> Mon 5 Jan 2026.
        (date(2025, 12, 18), date(2026, 1, 5)),
    ],
)
def test_appeal_deadline_woonpartners(received, due):
    result = appeal_deadline(received, WOONPARTNERS, CALENDAR)
    assert result.due == due
    assert result.term == Term(2, TermUnit.WEKEN)
    assert result.start == received


def test_appeal_deadline_refused_for_livable():
    with pytest.raises(ValidationError) as info:
        appeal_deadline(date(2026, 5, 4), LIVABLE, CALENDAR)
    assert info.value.field == "heroverweging"
    assert str(info.value) == "Veld 'heroverweging': deze klachtenregeling kent geen heroverweging."


def test_appeal_deadline_refused_when_appeal_switched_off():
    procedure = WOONPARTNERS.changed(appeal=False)
    with pytest.raises(ValidationError):
        appeal_deadline(date(2026, 5, 4), procedure, CALENDAR)


# --------------------------------------------------------------------------------------------
# validate_extension
# --------------------------------------------------------------------------------------------


def test_extension_accepted():
    # Announced before the deadline, with a later date and a reason.
    assert (
        validate_extension(
            date(2026, 3, 30), date(2026, 4, 20), date(2026, 3, 25), "hoorgesprek gepland"
        )
        is None
    )
    # Announced on the last day of the term itself: the term has not passed yet.
    validate_extension(date(2026, 3, 30), date(2026, 4, 20), date(2026, 3, 30), "advies nodig")


def test_an_extension_beyond_four_weeks_needs_the_complainants_recorded_consent():
    # Woonpartners, received Mon 2 Mar 2026: decision due Mon 30 Mar; at most 4 weeks more.
    first = initial_deadlines(date(2026, 3, 2), WOONPARTNERS, CALENDAR)[DECISION].due
    limit = extension_limit(first, WOONPARTNERS)
    assert limit == date(2026, 4, 27)
    today = date(2026, 3, 25)
    validate_extension(first, limit, today, "advies nodig", limit)  # the last allowed day
    with pytest.raises(ValidationError) as info:
        validate_extension(first, date(2026, 4, 28), today, "advies nodig", limit)
    assert "tot uiterlijk 27 april 2026" in info.value.message
    assert "instemming van de klager" in info.value.message
    validate_extension(
        first, date(2026, 5, 11), today, "advies nodig", limit, "Klager stemde op 24-3 in."
    )
    longer = WOONPARTNERS.changed(max_extension=Term(6, TermUnit.WEKEN))
    assert extension_limit(first, longer) == date(2026, 5, 11)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_extension_needs_a_reason(reason):
    with pytest.raises(ValidationError) as info:
        validate_extension(date(2026, 3, 30), date(2026, 4, 20), date(2026, 3, 25), reason)
    assert info.value.field == "reden"
    assert str(info.value) == (
        "Veld 'reden': geef de reden van de verlenging op; de klager leest die."
    )


@pytest.mark.parametrize("new_due", [date(2026, 3, 30), date(2026, 3, 27)])
def test_extension_must_be_later(new_due):
    with pytest.raises(ValidationError) as info:
        validate_extension(date(2026, 3, 30), new_due, date(2026, 3, 25), "meer tijd nodig")
    assert info.value.field == "nieuwe datum"
    assert info.value.message == "de nieuwe datum moet later liggen dan de huidige termijn."


def test_extension_refused_after_the_term_passed():
    with pytest.raises(ValidationError) as info:
        validate_extension(date(2026, 3, 30), date(2026, 4, 20), date(2026, 3, 31), "te laat")
    assert info.value.field == "nieuwe datum"
    assert info.value.message.startswith("de termijn is al verstreken")


# --------------------------------------------------------------------------------------------
# deadline_status
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "calendar", "state", "left"),
    [
        # Overdue: due Mon 9 Mar, today Tue 10 Mar -> -1; today Mon 16 Mar -> Tue 10, Wed 11,
        # Thu 12, Fri 13, Mon 16 = -5.
        (date(2026, 3, 9), date(2026, 3, 10), CALENDAR, "verlopen", -1),
        (date(2026, 3, 9), date(2026, 3, 16), CALENDAR, "verlopen", -5),
        # Due today.
        (date(2026, 3, 9), date(2026, 3, 9), CALENDAR, "binnenkort", 0),
        # Today Fri 6 Mar, due Wed 11 Mar: Mon 9, Tue 10, Wed 11 = 3 -> due soon.
        (date(2026, 3, 11), date(2026, 3, 6), CALENDAR, "binnenkort", 3),
        # Due Thu 12 Mar: 4 working days -> open.
        (date(2026, 3, 12), date(2026, 3, 6), CALENDAR, "open", 4),
        # Over Easter: today Wed 1 Apr 2026, due Tue 7 Apr: Thu 2, [Fri 3, Mon 6], Tue 7 = 2.
        (date(2026, 4, 7), date(2026, 4, 1), CALENDAR, "binnenkort", 2),
        # Due Thu 9 Apr: Thu 2, Tue 7, Wed 8, Thu 9 = 4 -> open; with Goede Vrijdag open 5.
        (date(2026, 4, 9), date(2026, 4, 1), CALENDAR, "open", 4),
        (date(2026, 4, 9), date(2026, 4, 1), GOOD_FRIDAY_OPEN, "open", 5),
        # Over Christmas with closing days: today Wed 23 Dec 2026, due Mon 4 Jan 2027:
        # Mon 28, Tue 29, Wed 30, Mon 4 = 4 -> open.
        (date(2027, 1, 4), date(2026, 12, 23), CHRISTMAS_CLOSED, "open", 4),
        # ... and due Wed 30 Dec: Mon 28, Tue 29, Wed 30 = 3 -> due soon.
        (date(2026, 12, 30), date(2026, 12, 23), CHRISTMAS_CLOSED, "binnenkort", 3),
        # Far away.
        (date(2026, 5, 18), date(2026, 4, 16), CALENDAR, "open", 20),
    ],
)
def test_an_open_deadline_is_overdue_due_soon_or_open(due, today, calendar, state, left):
    status = deadline_status(due, DeadlineState.OPEN, today, calendar)
    assert status == DeadlineStatus(Urgency(state), left)


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ("met", "gehaald"),
        ("missed", "gemist"),
        ("lapsed", "vervallen"),
        ("superseded", "vervangen"),
    ],
)
def test_a_settled_deadline_is_never_overdue(state, shown):
    # Long past its day, and today far later: still only what it became.
    status = deadline_status(date(2025, 1, 6), state, date(2026, 11, 25), CALENDAR)
    assert status == DeadlineStatus(Urgency(shown), 0)


def test_an_answer_sent_on_the_last_day_meets_the_deadline_and_one_day_later_misses_it():
    due = date(2026, 3, 30)
    assert answered(due, date(2026, 3, 30), "Uitspraak verzonden per post") == Settlement(
        DeadlineState.MET, date(2026, 3, 30), "Uitspraak verzonden per post"
    )
    assert answered(due, date(2026, 3, 31), "x").state is DeadlineState.MISSED


def test_a_deadline_that_no_longer_applies_lapses_unless_its_day_had_already_passed():
    due = date(2026, 3, 30)
    assert no_longer_applies(due, date(2026, 3, 30), "ingetrokken door de klager") == Settlement(
        DeadlineState.LAPSED, date(2026, 3, 30), "ingetrokken door de klager"
    )
    late = no_longer_applies(due, date(2026, 4, 2), "zaak gesloten")
    assert late == Settlement(
        DeadlineState.MISSED, date(2026, 4, 2), "niet op tijd beantwoord; zaak gesloten"
    )


def test_deadline_status_soon_days_is_a_parameter():
    # Today Fri 6 Mar; due Thu 12 Mar is 4 working days away.
    status = deadline_status(date(2026, 3, 12), "open", date(2026, 3, 6), CALENDAR)
    assert status.state == "open"
    status = deadline_status(date(2026, 3, 12), "open", date(2026, 3, 6), CALENDAR, soon_days=5)
    assert status.state is Urgency.DUE_SOON
    status = deadline_status(date(2026, 3, 11), "open", date(2026, 3, 6), CALENDAR, soon_days=0)
    assert status.state is Urgency.OPEN


def test_deadline_status_on_real_case():
    # Livable complaint received Fri 20 Feb 2026: decision due Tue 7 Apr (after Easter).
    due = initial_deadlines(date(2026, 2, 20), LIVABLE, CALENDAR)[DECISION].due
    assert due == date(2026, 4, 7)
    # Nothing sent and today is Wed 8 Apr: overdue by one working day.
    assert deadline_status(due, "open", date(2026, 4, 8), CALENDAR) == DeadlineStatus(
        Urgency.OVERDUE, -1
    )
