"""Both presets' deadlines for every day of 2023-2028, checked against an independent oracle.

The oracle below is written from the law and the procedures, not from KlachtDesk's code: its
own table of Dutch public holidays (cross-checked with Easter computed here), its own decree
days, its own counting. Nothing of klachtdesk.domain.calendar is used to build it; KlachtDesk
is only called as the code under test, with the default calendar settings (Goede Vrijdag
closed, 5 May a day off only in lustrum years, no closing days).

Rules, as SPEC §4 and the Algemene termijnenwet (Atw) state them:

* a term in working days counts the working days after the date of receipt: Monday to Friday,
  no public holiday (5 May only in a lustrum year);
* a term in weeks runs from the date of receipt;
* Atw art. 1: a term ending on a Saturday, Sunday or a day of art. 3 (the holidays, Goede
  Vrijdag, 5 May in every year, the days made equal by decree) ends on the next day that is
  none of these;
* art. 2: a term of three days or more holds at least two days that are none of these,
  otherwise it is extended;
* art. 4: the Act does not apply to terms over twelve weeks or ninety days.
"""

from __future__ import annotations

from datetime import date, timedelta

from klachtdesk.domain.calendar import DeadlineCalendar
from klachtdesk.domain.deadlines import DeadlineKind, appeal_deadline, initial_deadlines
from klachtdesk.domain.procedures import PRESETS

FIRST, LAST = date(2023, 1, 1), date(2028, 12, 31)

# -- the oracle's own data ----------------------------------------------------------------------

# Dutch public holidays 2023-2029, written out by hand (Koningsdag is 27 April, or Saturday
# 26 April when the 27th is a Sunday, as in 2025). Bevrijdingsdag is listed apart: it is a
# day off in lustrum years only, but an Atw day in every year.
HOLIDAYS: dict[int, dict[date, str]] = {
    2023: {
        date(2023, 1, 1): "Nieuwjaarsdag",
        date(2023, 4, 7): "Goede Vrijdag",
        date(2023, 4, 9): "Eerste Paasdag",
        date(2023, 4, 10): "Tweede Paasdag",
        date(2023, 4, 27): "Koningsdag",
        date(2023, 5, 18): "Hemelvaartsdag",
        date(2023, 5, 28): "Eerste Pinksterdag",
        date(2023, 5, 29): "Tweede Pinksterdag",
        date(2023, 12, 25): "Eerste Kerstdag",
        date(2023, 12, 26): "Tweede Kerstdag",
    },
    2024: {
        date(2024, 1, 1): "Nieuwjaarsdag",
        date(2024, 3, 29): "Goede Vrijdag",
        date(2024, 3, 31): "Eerste Paasdag",
        date(2024, 4, 1): "Tweede Paasdag",
        date(2024, 4, 27): "Koningsdag",
        date(2024, 5, 9): "Hemelvaartsdag",
        date(2024, 5, 19): "Eerste Pinksterdag",
        date(2024, 5, 20): "Tweede Pinksterdag",
        date(2024, 12, 25): "Eerste Kerstdag",
        date(2024, 12, 26): "Tweede Kerstdag",
    },
    2025: {
        date(2025, 1, 1): "Nieuwjaarsdag",
        date(2025, 4, 18): "Goede Vrijdag",
        date(2025, 4, 20): "Eerste Paasdag",
        date(2025, 4, 21): "Tweede Paasdag",
        date(2025, 4, 26): "Koningsdag",  # 27 April 2025 is a Sunday
        date(2025, 5, 29): "Hemelvaartsdag",
        date(2025, 6, 8): "Eerste Pinksterdag",
        date(2025, 6, 9): "Tweede Pinksterdag",
        date(2025, 12, 25): "Eerste Kerstdag",
        date(2025, 12, 26): "Tweede Kerstdag",
    },
    2026: {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede Vrijdag",
        date(2026, 4, 5): "Eerste Paasdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 24): "Eerste Pinksterdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    },
    2027: {
        date(2027, 1, 1): "Nieuwjaarsdag",
        date(2027, 3, 26): "Goede Vrijdag",
        date(2027, 3, 28): "Eerste Paasdag",
        date(2027, 3, 29): "Tweede Paasdag",
        date(2027, 4, 27): "Koningsdag",
        date(2027, 5, 6): "Hemelvaartsdag",
        date(2027, 5, 16): "Eerste Pinksterdag",
        date(2027, 5, 17): "Tweede Pinksterdag",
        date(2027, 12, 25): "Eerste Kerstdag",
        date(2027, 12, 26): "Tweede Kerstdag",
    },
    2028: {
        date(2028, 1, 1): "Nieuwjaarsdag",
        date(2028, 4, 14): "Goede Vrijdag",
        date(2028, 4, 16): "Eerste Paasdag",
        date(2028, 4, 17): "Tweede Paasdag",
        date(2028, 4, 27): "Koningsdag",
        date(2028, 5, 25): "Hemelvaartsdag",
        date(2028, 6, 4): "Eerste Pinksterdag",
        date(2028, 6, 5): "Tweede Pinksterdag",
        date(2028, 12, 25): "Eerste Kerstdag",
        date(2028, 12, 26): "Tweede Kerstdag",
    },
    2029: {
        date(2029, 1, 1): "Nieuwjaarsdag",
        date(2029, 3, 30): "Goede Vrijdag",
        date(2029, 4, 1): "Eerste Paasdag",
        date(2029, 4, 2): "Tweede Paasdag",
        date(2029, 4, 27): "Koningsdag",
        date(2029, 5, 10): "Hemelvaartsdag",
        date(2029, 5, 20): "Eerste Pinksterdag",
        date(2029, 5, 21): "Tweede Pinksterdag",
        date(2029, 12, 25): "Eerste Kerstdag",
        date(2029, 12, 26): "Tweede Kerstdag",
    },
}
YEARS = range(2023, 2030)
LUSTRUM_YEARS = {2025, 2030}

# Days made equal to a public holiday by the two published decrees (Atw art. 3 lid 3).
DECREE_DAYS = {
    date(2023, 4, 28),
    date(2023, 5, 19),
    date(2024, 5, 10),
    date(2024, 12, 27),
    date(2025, 5, 30),
    date(2026, 1, 2),
    date(2026, 5, 15),
    date(2027, 5, 7),
    date(2028, 4, 28),
    date(2028, 5, 26),
}
DECREE_YEARS = set(range(2023, 2029))  # the years the two decrees cover

# The presets' terms as the model procedures state them: (amount, unit).
WOONPARTNERS_TERMS = {"ontvangst": (5, "werkdagen"), "uitspraak": (4, "weken")}
WOONPARTNERS_APPEAL = (2, "weken")
LIVABLE_TERMS = {"ontvangst": (7, "werkdagen"), "uitspraak": (6, "weken")}


def easter_sunday(year: int) -> date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


ALL_HOLIDAYS = {day for year in YEARS for day in HOLIDAYS[year]}
LIBERATION_DAYS = {date(year, 5, 5) for year in YEARS}


def is_day_off(day: date) -> bool:
    """Not a working day of the organisation (default settings, no closing days)."""
    if day.weekday() >= 5 or day in ALL_HOLIDAYS:
        return True
    return day in LIBERATION_DAYS and day.year in LUSTRUM_YEARS


def in_atw_set(day: date) -> bool:
    """Saturday, Sunday, or an "algemeen erkende feestdag" in the sense of Atw art. 3."""
    return day.weekday() >= 5 or day in ALL_HOLIDAYS or day in LIBERATION_DAYS or day in DECREE_DAYS


def oracle_due(received: date, amount: int, unit: str) -> tuple[date, bool]:
    """The last day of the term, and whether the Atw applied to it."""
    if unit == "werkdagen":
        end, counted = received, 0
        while counted < amount:
            end += timedelta(days=1)
            counted += not is_day_off(end)
        nominal_days = amount
    else:
        end = received + timedelta(days=7 * amount)
        nominal_days = 7 * amount
    too_long = (unit == "weken" and amount > 12) or (end - received).days > 90  # art. 4
    if too_long:
        return end, False
    # Art. 1 and 2 together: the first day from the nominal end on that is outside the Atw
    # set and, for a term of three days or more, closes a term with two such days in it.
    candidate = end
    while True:
        if not in_atw_set(candidate):
            free = sum(
                not in_atw_set(received + timedelta(days=n))
                for n in range(1, (candidate - received).days + 1)
            )
            if nominal_days < 3 or free >= 2:
                return candidate, True
        candidate += timedelta(days=1)


# -- the oracle checks itself ---------------------------------------------------------------------


def test_the_oracle_table_agrees_with_easter_and_the_fixed_dates():
    for year in YEARS:
        easter = easter_sunday(year)
        kings_day = date(year, 4, 27)
        if kings_day.weekday() == 6:
            kings_day = date(year, 4, 26)
        expected = {
            date(year, 1, 1): "Nieuwjaarsdag",
            easter - timedelta(days=2): "Goede Vrijdag",
            easter: "Eerste Paasdag",
            easter + timedelta(days=1): "Tweede Paasdag",
            kings_day: "Koningsdag",
            easter + timedelta(days=39): "Hemelvaartsdag",
            easter + timedelta(days=49): "Eerste Pinksterdag",
            easter + timedelta(days=50): "Tweede Pinksterdag",
            date(year, 12, 25): "Eerste Kerstdag",
            date(year, 12, 26): "Tweede Kerstdag",
        }
        assert HOLIDAYS[year] == expected, year
    # Known Easter Sundays, to catch a slip in the algorithm itself.
    assert easter_sunday(2000) == date(2000, 4, 23)
    assert easter_sunday(2019) == date(2019, 4, 21)
    assert easter_sunday(2038) == date(2038, 4, 25)


def test_the_oracle_decree_days_are_fridays_after_a_holiday():
    for day in DECREE_DAYS:
        assert day.weekday() == 4
        assert day - timedelta(days=1) in ALL_HOLIDAYS
        assert day.year in DECREE_YEARS


def test_the_presets_have_the_terms_the_oracle_checks():
    def as_tuple(term):
        return (term.amount, term.unit.value)

    woonpartners, livable = PRESETS["woonpartners"], PRESETS["livable"]
    assert as_tuple(woonpartners.acknowledgement_term) == WOONPARTNERS_TERMS["ontvangst"]
    assert as_tuple(woonpartners.decision_term) == WOONPARTNERS_TERMS["uitspraak"]
    assert as_tuple(woonpartners.appeal_term) == WOONPARTNERS_APPEAL
    assert as_tuple(livable.acknowledgement_term) == LIVABLE_TERMS["ontvangst"]
    assert as_tuple(livable.decision_term) == LIVABLE_TERMS["uitspraak"]
    assert livable.appeal_term is None
    assert woonpartners.apply_atw and livable.apply_atw


# -- KlachtDesk against the oracle ----------------------------------------------------------------


def _disagreements(received: date, label: str, computed, amount: int, unit: str) -> list[str]:
    due, atw_applied = oracle_due(received, amount, unit)
    found = []
    if computed.due != due:
        found.append(f"{label}, ontvangen {received}: KlachtDesk {computed.due}, oracle {due}")
    # Every day the term was moved over is an Atw day, and the due date itself is none.
    for day, _reason in computed.moved_over:
        if not in_atw_set(day):
            found.append(f"{label}, ontvangen {received}: moved over {day}, no Atw day")
    # The note about a year without a known decree: exactly when the Atw applied to the term
    # and its end falls in a year no decree covers.
    note = f"gelijkstellingsbesluit voor {due.year} nog niet bekend"
    expect_note = atw_applied and due.year not in DECREE_YEARS
    has_note = bool(computed.explanation) and note in computed.explanation
    if expect_note != has_note:
        found.append(
            f"{label}, ontvangen {received}: note expected {expect_note}, "
            f"explanation {computed.explanation!r}"
        )
    return found


def test_every_received_date_2023_2028_for_both_presets():
    calendar = DeadlineCalendar()
    checked = {"woonpartners": 0, "livable": 0}
    problems: list[str] = []
    received = FIRST
    while received <= LAST:
        for key, terms in (("woonpartners", WOONPARTNERS_TERMS), ("livable", LIVABLE_TERMS)):
            procedure = PRESETS[key]
            deadlines = initial_deadlines(received, procedure, calendar)
            for kind, name in (
                (DeadlineKind.ONTVANGSTBEVESTIGING, "ontvangst"),
                (DeadlineKind.UITSPRAAK, "uitspraak"),
            ):
                amount, unit = terms[name]
                problems += _disagreements(received, f"{key} {name}", deadlines[kind], amount, unit)
                checked[key] += 1
        # The director's reply (Woonpartners only), counted from the appeal date.
        amount, unit = WOONPARTNERS_APPEAL
        appeal = appeal_deadline(received, PRESETS["woonpartners"], calendar)
        problems += _disagreements(received, "woonpartners heroverweging", appeal, amount, unit)
        checked["woonpartners"] += 1
        received += timedelta(days=1)

    days = (LAST - FIRST).days + 1
    assert checked == {"woonpartners": 3 * days, "livable": 2 * days}
    assert not problems, f"{len(problems)} disagreements, e.g.:\n" + "\n".join(problems[:25])


def test_the_brief_example_and_a_few_by_hand():
    # Woonpartners, received Thu 1 May 2025: 4 weeks = Thu 29 May (Hemelvaartsdag), Fri 30 May
    # (decree), weekend -> Mon 2 June 2025.
    assert oracle_due(date(2025, 5, 1), 4, "weken") == (date(2025, 6, 2), True)
    deadlines = initial_deadlines(date(2025, 5, 1), PRESETS["woonpartners"], DeadlineCalendar())
    assert deadlines[DeadlineKind.UITSPRAAK].due == date(2025, 6, 2)
    # Livable, received Fri 15 Dec 2023, 7 working days: Mon 18 .. Fri 22 (1-5), Mon 25 and
    # Tue 26 Kerstmis, Wed 27 (6), Thu 28 Dec (7).
    assert oracle_due(date(2023, 12, 15), 7, "werkdagen") == (date(2023, 12, 28), True)
    # Appeal, received Fri 13 Dec 2024 + 2 weeks = Fri 27 Dec 2024 (decree day after Tweede
    # Kerstdag), weekend -> Mon 30 Dec 2024.
    assert oracle_due(date(2024, 12, 13), 2, "weken") == (date(2024, 12, 30), True)
    # Woonpartners, received Fri 28 Apr 2023 (itself a decree day), 5 working days: Mon 1 ..
    # Thu 4 May (1-4), Fri 5 May (5; 2023 is no lustrum) -> an Atw day, weekend -> Mon 8 May.
    assert oracle_due(date(2023, 4, 28), 5, "werkdagen") == (date(2023, 5, 8), True)
