"""Deadline arithmetic (SPEC §4): working days of the organisation and the Algemene termijnenwet.

Every expected date below was worked out by hand from a calendar; the comment next to each case
shows the reasoning. Weekdays used (checked against a real calendar):

2023: Thu 27 Apr (Koningsdag), Fri 28 Apr (decree), Thu 18 May (Hemelvaart), Fri 19 May (decree).
2024: Thu 9 May (Hemelvaart), Fri 10 May (decree), Thu 26 Dec (Tweede Kerstdag), Fri 27 Dec
      (decree).
2025: Sat 26 Apr (Koningsdag, because 27 Apr is a Sunday), Mon 5 May (Bevrijdingsdag, lustrum),
      Thu 29 May (Hemelvaart), Fri 30 May (decree).
2026: Thu 1 Jan, Fri 2 Jan (decree), Fri 3 Apr (Goede Vrijdag), Sun 5 / Mon 6 Apr (Pasen),
      Mon 27 Apr (Koningsdag), Tue 5 May, Thu 14 May (Hemelvaart), Fri 15 May (decree),
      Mon 25 May (Tweede Pinksterdag), Fri 25 / Sat 26 Dec (Kerstmis).
2027: Fri 1 Jan, Fri 26 Mar (Goede Vrijdag), Thu 6 May (Hemelvaart), Fri 7 May (decree),
      Sat 25 / Sun 26 Dec (Kerstmis).
2028: Thu 27 Apr (Koningsdag), Fri 28 Apr (decree), Thu 25 May (Hemelvaart), Fri 26 May (decree).
2029: no decree known yet; Thu 10 May (Hemelvaart).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from klachtdesk.domain.calendar import (
    ATW_DECREE_DAYS,
    ATW_DECREE_YEARS,
    SHIPPED_DECREES,
    CalendarSettings,
    ComputedDeadline,
    DeadlineCalendar,
    Term,
    TermUnit,
    atw_decree_days,
    day_month,
    decree_day_reason,
    long_date,
    shipped_decree,
)
from klachtdesk.domain.errors import ValidationError

WEKEN = TermUnit.WEKEN
DAGEN = TermUnit.DAGEN
WERKDAGEN = TermUnit.WERKDAGEN

DEFAULT = DeadlineCalendar()
GOOD_FRIDAY_OPEN = DeadlineCalendar(CalendarSettings(good_friday_closed=False))
LIBERATION_EVERY_YEAR = DeadlineCalendar(CalendarSettings(liberation_day_every_year=True))
NO_DECREE = DeadlineCalendar(CalendarSettings(atw_decree_days={}))
CHRISTMAS_CLOSED = DeadlineCalendar(
    CalendarSettings(
        closing_days={date(2026, 12, 24): "kerstavond", date(2026, 12, 31): "oudejaarsdag"}
    )
)
# Closed 24 December - 1 January every year, for the property tests.
_YEARLY_CLOSING = {
    date(year, 12, day): "kerstsluiting" for year in range(1999, 2040) for day in range(24, 32)
}
CLOSED_EVERY_CHRISTMAS = DeadlineCalendar(CalendarSettings(closing_days=_YEARLY_CLOSING))

ALL_CALENDARS = [
    DEFAULT,
    GOOD_FRIDAY_OPEN,
    LIBERATION_EVERY_YEAR,
    NO_DECREE,
    CHRISTMAS_CLOSED,
    CLOSED_EVERY_CHRISTMAS,
]

DECREE_FRIDAY_HEMELVAART = "vrijdag na Hemelvaartsdag (gelijkgesteld bij koninklijk besluit)"
DECREE_FRIDAY_NIEUWJAAR = "vrijdag na Nieuwjaarsdag (gelijkgesteld bij koninklijk besluit)"
DECREE_FRIDAY_KONINGSDAG = "vrijdag na Koningsdag (gelijkgesteld bij koninklijk besluit)"
DECREE_FRIDAY_KERST = "vrijdag na Tweede Kerstdag (gelijkgesteld bij koninklijk besluit)"
ART2 = (
    "verlengd zodat de termijn twee dagen telt die geen weekend- of feestdag zijn "
    "(Algemene termijnenwet, art. 2)"
)


def end(
    start: date,
    amount: int,
    unit: TermUnit,
    calendar: DeadlineCalendar = DEFAULT,
    apply_atw: bool = True,
) -> ComputedDeadline:
    return calendar.term_end(start, Term(amount, unit), apply_atw)


# --------------------------------------------------------------------------------------------
# Term and date formatting
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "label"),
    [
        (1, WEKEN, "1 week"),
        (4, WEKEN, "4 weken"),
        (6, WEKEN, "6 weken"),
        (1, WERKDAGEN, "1 werkdag"),
        (7, WERKDAGEN, "7 werkdagen"),
        (1, DAGEN, "1 dag"),
        (90, DAGEN, "90 dagen"),
    ],
)
def test_term_label(amount, unit, label):
    assert Term(amount, unit).label() == label


def test_term_unit_given_as_text_is_converted():
    term = Term(4, "weken")
    assert term.unit is TermUnit.WEKEN
    assert term == Term(4, TermUnit.WEKEN)


@pytest.mark.parametrize("amount", [0, -1, 521, 2.5, "4"])
def test_term_refuses_invalid_amount(amount):
    with pytest.raises(ValidationError) as info:
        Term(amount, WEKEN)
    assert info.value.field == "termijn"
    assert str(info.value) == "Veld 'termijn': een termijn is een heel getal van 1 tot en met 520."


@pytest.mark.parametrize("amount", [1, 520])
def test_term_accepts_bounds(amount):
    assert Term(amount, DAGEN).amount == amount


def test_term_round_trip():
    term = Term(7, WERKDAGEN)
    assert term.to_dict() == {"amount": 7, "unit": "werkdagen"}
    assert Term.from_dict(term.to_dict()) == term
    assert Term.from_dict({"amount": "6", "unit": "weken"}) == Term(6, WEKEN)


def test_dutch_date_formats():
    assert day_month(date(2026, 12, 25)) == "25 december"
    assert day_month(date(2026, 5, 5)) == "5 mei"
    assert long_date(date(2026, 11, 22)) == "22 november 2026"
    assert long_date(date(2027, 1, 1)) == "1 januari 2027"


# --------------------------------------------------------------------------------------------
# The two day sets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 3), "Goede Vrijdag"),
        (date(2026, 4, 5), "Eerste Paasdag"),
        (date(2026, 4, 6), "Tweede Paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        # 27 April 2025 is a Sunday, so Koningsdag is Saturday 26 April.
        (date(2025, 4, 26), "Koningsdag"),
        (date(2025, 4, 27), None),
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 24), "Eerste Pinksterdag"),
        (date(2026, 5, 25), "Tweede Pinksterdag"),
        (date(2026, 12, 25), "Eerste Kerstdag"),
        (date(2026, 12, 26), "Tweede Kerstdag"),
        # 5 May is a public holiday (holidays package) only in lustrum years.
        (date(2025, 5, 5), "Bevrijdingsdag"),
        (date(2030, 5, 5), "Bevrijdingsdag"),
        (date(2026, 5, 5), None),
        (date(2027, 5, 5), None),
        # Decree days and the days around Christmas are no public holidays.
        (date(2026, 5, 15), None),
        (date(2026, 12, 24), None),
        (date(2026, 12, 31), None),
    ],
)
def test_public_holiday_names(day, name):
    assert DEFAULT.public_holiday(day) == name


@pytest.mark.parametrize(
    ("calendar", "day", "reason"),
    [
        (DEFAULT, date(2026, 3, 7), "zaterdag"),
        (DEFAULT, date(2026, 3, 8), "zondag"),
        (DEFAULT, date(2026, 3, 9), None),
        # Koningsdag 2025 falls on Saturday: the weekend is the reason, Monday 28 is no
        # substitute day.
        (DEFAULT, date(2025, 4, 26), "zaterdag"),
        (DEFAULT, date(2025, 4, 28), None),
        (DEFAULT, date(2026, 4, 27), "Koningsdag"),
        (DEFAULT, date(2026, 4, 3), "Goede Vrijdag"),
        (GOOD_FRIDAY_OPEN, date(2026, 4, 3), None),
        (GOOD_FRIDAY_OPEN, date(2026, 4, 6), "Tweede Paasdag"),
        (DEFAULT, date(2026, 5, 14), "Hemelvaartsdag"),
        # The decree Friday is an Atw day, not a day the organisation is closed.
        (DEFAULT, date(2026, 5, 15), None),
        (DEFAULT, date(2026, 5, 25), "Tweede Pinksterdag"),
        # 5 May: lustrum year 2025 (Monday) closed, 2026 (Tuesday) open unless the setting.
        (DEFAULT, date(2025, 5, 5), "Bevrijdingsdag"),
        (DEFAULT, date(2026, 5, 5), None),
        (LIBERATION_EVERY_YEAR, date(2026, 5, 5), "Bevrijdingsdag"),
        (LIBERATION_EVERY_YEAR, date(2027, 5, 5), "Bevrijdingsdag"),
        # 5 May 2030 is a Sunday; Monday 6 May 2030 is an ordinary working day.
        (DEFAULT, date(2030, 5, 5), "zondag"),
        (DEFAULT, date(2030, 5, 6), None),
        (DEFAULT, date(2026, 12, 24), None),
        (CHRISTMAS_CLOSED, date(2026, 12, 24), "sluitingsdag: kerstavond"),
        (CHRISTMAS_CLOSED, date(2026, 12, 25), "Eerste Kerstdag"),
        (CHRISTMAS_CLOSED, date(2026, 12, 31), "sluitingsdag: oudejaarsdag"),
        (DEFAULT, date(2027, 1, 1), "Nieuwjaarsdag"),
    ],
)
def test_closed_reason(calendar, day, reason):
    assert calendar.closed_reason(day) == reason
    assert calendar.is_working_day(day) is (reason is None)


def test_closing_day_without_label():
    calendar = DeadlineCalendar(CalendarSettings(closing_days={date(2026, 12, 28): ""}))
    assert calendar.closed_reason(date(2026, 12, 28)) == "sluitingsdag"


@pytest.mark.parametrize(
    ("calendar", "day", "reason"),
    [
        (DEFAULT, date(2026, 3, 7), "zaterdag"),
        (DEFAULT, date(2026, 3, 8), "zondag"),
        (DEFAULT, date(2026, 3, 9), None),
        (DEFAULT, date(2025, 4, 26), "Koningsdag"),
        (DEFAULT, date(2025, 4, 27), "zondag"),
        (DEFAULT, date(2025, 4, 28), None),
        # Goede Vrijdag is an Atw day (art. 3 lid 2) whatever the organisation decides.
        (DEFAULT, date(2026, 4, 3), "Goede Vrijdag"),
        (GOOD_FRIDAY_OPEN, date(2026, 4, 3), "Goede Vrijdag"),
        (DEFAULT, date(2026, 4, 6), "Tweede Paasdag"),
        # 5 May every year (art. 3 lid 1), not only in lustrum years.
        (DEFAULT, date(2026, 5, 5), "Bevrijdingsdag"),
        (DEFAULT, date(2027, 5, 5), "Bevrijdingsdag"),
        (DEFAULT, date(2026, 5, 6), None),
        (DEFAULT, date(2026, 1, 2), DECREE_FRIDAY_NIEUWJAAR),
        (DEFAULT, date(2026, 5, 15), DECREE_FRIDAY_HEMELVAART),
        (DEFAULT, date(2027, 5, 7), DECREE_FRIDAY_HEMELVAART),
        (DEFAULT, date(2028, 4, 28), DECREE_FRIDAY_KONINGSDAG),
        (DEFAULT, date(2028, 5, 26), DECREE_FRIDAY_HEMELVAART),
        (NO_DECREE, date(2026, 5, 15), None),
        # Closing days of the organisation do not move a term.
        (CHRISTMAS_CLOSED, date(2026, 12, 24), None),
        (CHRISTMAS_CLOSED, date(2026, 12, 31), None),
    ],
)
def test_atw_reason(calendar, day, reason):
    assert calendar.atw_reason(day) == reason


def test_shipped_decrees_are_the_published_ones():
    first, second = SHIPPED_DECREES
    # Besluit houdende gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024,
    # 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag.
    assert first.title == (
        "Besluit houdende gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, "
        "27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag"
    )
    assert first.years == (2023, 2024, 2025)
    assert first.days == {
        date(2023, 4, 28): DECREE_FRIDAY_KONINGSDAG,
        date(2023, 5, 19): DECREE_FRIDAY_HEMELVAART,
        date(2024, 5, 10): DECREE_FRIDAY_HEMELVAART,
        date(2024, 12, 27): DECREE_FRIDAY_KERST,
        date(2025, 5, 30): DECREE_FRIDAY_HEMELVAART,
    }
    # ... and the next one, of 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en
    # 26 mei 2028.
    assert second.title == (
        "Besluit houdende gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, "
        "28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag"
    )
    assert second.years == (2026, 2027, 2028)
    assert second.days == {
        date(2026, 1, 2): DECREE_FRIDAY_NIEUWJAAR,
        date(2026, 5, 15): DECREE_FRIDAY_HEMELVAART,
        date(2027, 5, 7): DECREE_FRIDAY_HEMELVAART,
        date(2028, 4, 28): DECREE_FRIDAY_KONINGSDAG,
        date(2028, 5, 26): DECREE_FRIDAY_HEMELVAART,
    }
    assert {**first.days, **second.days} == ATW_DECREE_DAYS
    assert set(range(2023, 2029)) == ATW_DECREE_YEARS
    # Every day lies in a year its decree covers, is a Friday, and follows a holiday.
    for decree in SHIPPED_DECREES:
        assert all(day.year in decree.years for day in decree.days)
        # The title names every one of its days.
        assert all(long_date(day) in decree.title for day in decree.days)
    assert all(day.weekday() == 4 for day in ATW_DECREE_DAYS)
    assert all(DEFAULT.public_holiday(day - timedelta(days=1)) for day in ATW_DECREE_DAYS)
    # The reason an explanation gives is the one a later decree's day gets.
    assert all(decree_day_reason(day) == reason for day, reason in ATW_DECREE_DAYS.items())
    assert (first.short_title, second.short_title) == ("Besluit 2023–2025", "Besluit 2026–2028")
    assert shipped_decree(date(2024, 12, 27)) is first
    assert shipped_decree(date(2028, 5, 26)) is second
    assert shipped_decree(date(2029, 5, 11)) is None


def test_decree_days_are_data_beheer_can_extend():
    later = DeadlineCalendar(
        CalendarSettings(atw_decree_days={date(2029, 5, 11): "vrijdag na Hemelvaartsdag"})
    )
    assert later.atw_reason(date(2029, 5, 11)) == "vrijdag na Hemelvaartsdag"
    assert later.atw_reason(date(2026, 5, 15)) is None
    # The default is a copy: changing one calendar's data does not change the shipped set.
    assert CalendarSettings().atw_decree_days is not ATW_DECREE_DAYS
    assert CalendarSettings().atw_decree_days == ATW_DECREE_DAYS


def test_added_decree_days_join_the_shipped_ones():
    # Thu 10 May 2029 is Hemelvaartsdag, so Fri 11 May gets the same reason as shipped days.
    assert decree_day_reason(date(2029, 5, 11)) == (
        "vrijdag na Hemelvaartsdag (gelijkgesteld bij koninklijk besluit)"
    )
    # A day not after a holiday is still named for what it is.
    assert decree_day_reason(date(2029, 6, 12)) == "dinsdag (gelijkgesteld bij koninklijk besluit)"
    days = atw_decree_days([date(2029, 5, 11), date(2026, 5, 15)])
    assert days == {**ATW_DECREE_DAYS, date(2029, 5, 11): DECREE_FRIDAY_HEMELVAART}
    assert list(days) == sorted(days)
    # A shipped day keeps its shipped reason: a database's copy cannot change it.
    assert days[date(2026, 5, 15)] == DECREE_FRIDAY_HEMELVAART
    assert atw_decree_days() == ATW_DECREE_DAYS
    calendar = DeadlineCalendar(CalendarSettings(atw_decree_days=days))
    assert calendar.decree_years == set(range(2023, 2030))
    assert DEFAULT.decree_years == set(range(2023, 2029))


# --------------------------------------------------------------------------------------------
# Working-day arithmetic
# --------------------------------------------------------------------------------------------


def test_add_working_days_basics():
    # Friday 6 March 2026 + 1 working day: Saturday and Sunday skipped -> Monday 9 March.
    assert DEFAULT.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    # Zero working days: the start itself, even on a Sunday.
    assert DEFAULT.add_working_days(date(2026, 3, 8), 0) == date(2026, 3, 8)
    with pytest.raises(ValueError):
        DEFAULT.add_working_days(date(2026, 3, 6), -1)


@pytest.mark.parametrize(
    ("calendar", "start", "stop", "count"),
    [
        (DEFAULT, date(2026, 3, 9), date(2026, 3, 9), 0),
        # (Fri 6 Mar, Mon 9 Mar]: only Monday.
        (DEFAULT, date(2026, 3, 6), date(2026, 3, 9), 1),
        # (Thu 2 Apr, Tue 7 Apr 2026]: Fri 3 Goede Vrijdag, Sat, Sun, Mon 6 Tweede Paasdag
        # closed -> only Tue 7.
        (DEFAULT, date(2026, 4, 2), date(2026, 4, 7), 1),
        (GOOD_FRIDAY_OPEN, date(2026, 4, 2), date(2026, 4, 7), 2),
        # (Fri 18 Dec 2026, Mon 4 Jan 2027]: Mon 21, Tue 22, Wed 23, Thu 24, Mon 28, Tue 29,
        # Wed 30, Thu 31, Mon 4 = 9 (Fri 25 Dec and Fri 1 Jan are holidays).
        (DEFAULT, date(2026, 12, 18), date(2027, 1, 4), 9),
        # ... and 7 when the organisation is closed on 24 and 31 December.
        (CHRISTMAS_CLOSED, date(2026, 12, 18), date(2027, 1, 4), 7),
        # The whole of 2026: 261 weekdays (52 weeks + Thursday 1 Jan), minus the public holidays
        # on weekdays: Nieuwjaarsdag (Thu), Goede Vrijdag, Tweede Paasdag, Koningsdag (Mon),
        # Hemelvaartsdag, Tweede Pinksterdag, Eerste Kerstdag (Fri) = 7 -> 254.
        # (Tweede Kerstdag is a Saturday, 5 May 2026 is no lustrum.)
        (DEFAULT, date(2025, 12, 31), date(2026, 12, 31), 254),
        (GOOD_FRIDAY_OPEN, date(2025, 12, 31), date(2026, 12, 31), 255),
        (LIBERATION_EVERY_YEAR, date(2025, 12, 31), date(2026, 12, 31), 253),
        # The whole of 2025: 261 weekdays (52 weeks + Wednesday 1 Jan) minus Nieuwjaarsdag,
        # Goede Vrijdag, Tweede Paasdag, Bevrijdingsdag (Mon, lustrum), Hemelvaartsdag,
        # Tweede Pinksterdag, Eerste and Tweede Kerstdag (Thu, Fri) = 8 -> 253.
        # (Koningsdag is Saturday 26 April.)
        (DEFAULT, date(2024, 12, 31), date(2025, 12, 31), 253),
    ],
)
def test_working_days_between(calendar, start, stop, count):
    assert calendar.working_days_between(start, stop) == count
    assert calendar.working_days_between(stop, start) == -count


@pytest.mark.parametrize("closed_first, year", [(True, 2031), (False, 2032)])
def test_calendars_share_working_day_counts_only_with_the_same_working_days(closed_first, year):
    """Every service call makes a calendar, and calendars with the same working days share
    their counts per year; another organisation's closing days never count for them."""
    closing = {date(year, 12, 24): "kerstavond", date(year, 12, 31): "oudejaarsdag"}
    closed = DeadlineCalendar(CalendarSettings(closing_days=closing))
    plain = DeadlineCalendar()
    renamed = DeadlineCalendar(CalendarSettings(closing_days=dict.fromkeys(closing, "dicht")))
    span = (date(year, 12, 1), date(year, 12, 31))
    order = [closed, plain, renamed] if closed_first else [plain, renamed, closed]
    counts = {id(calendar): calendar.working_days_between(*span) for calendar in order}
    assert counts[id(closed)] == counts[id(renamed)] == counts[id(plain)] - 2
    # a fresh calendar of each kind counts as the first one did
    again = DeadlineCalendar(CalendarSettings(closing_days=closing))
    assert again.working_days_between(*span) == counts[id(closed)]
    assert DeadlineCalendar().working_days_between(*span) == counts[id(plain)]


# --------------------------------------------------------------------------------------------
# Terms in weeks (Woonpartners "4 weken", Livable "6 weken", appeal "2 weken")
# --------------------------------------------------------------------------------------------


def test_four_weeks_without_any_rule():
    # Mon 2 Mar 2026 + 28 days = Mon 30 Mar 2026, an ordinary day: nothing moves.
    result = end(date(2026, 3, 2), 4, WEKEN)
    assert result.due == result.unadjusted == date(2026, 3, 30)
    assert not result.moved
    assert result.moved_over == ()
    assert result.skipped == ()
    assert result.extended_art2 is False
    assert result.explanation is None
    assert result.start == date(2026, 3, 2)
    assert result.term == Term(4, WEKEN)


@pytest.mark.parametrize(
    ("start", "amount", "calendar", "unadjusted", "due", "explanation"),
    [
        pytest.param(
            # Mon 30 Mar 2026 + 4 weeks = Mon 27 Apr 2026, Koningsdag -> Tue 28 Apr.
            date(2026, 3, 30),
            4,
            DEFAULT,
            date(2026, 4, 27),
            date(2026, 4, 28),
            "verschoven van 27 april: Koningsdag",
            id="koningsdag-2026-monday",
        ),
        pytest.param(
            # Received Saturday 29 Mar 2025 + 4 weeks = Sat 26 Apr 2025: Koningsdag (the 27th
            # is a Sunday), then Sunday 27 -> Monday 28 Apr 2025.
            date(2025, 3, 29),
            4,
            DEFAULT,
            date(2025, 4, 26),
            date(2025, 4, 28),
            "verschoven van 26 april: Koningsdag, 27 april: zondag",
            id="koningsdag-2025-saturday",
        ),
        pytest.param(
            # Thu 30 Mar 2028 + 4 weeks = Thu 27 Apr 2028 Koningsdag, Fri 28 decree, Sat, Sun
            # -> Mon 1 May 2028.
            date(2028, 3, 30),
            4,
            DEFAULT,
            date(2028, 4, 27),
            date(2028, 5, 1),
            "verschoven van 27 april: Koningsdag, 28 april: "
            + DECREE_FRIDAY_KONINGSDAG
            + ", 29 april: zaterdag, 30 april: zondag",
            id="koningsdag-2028-decree-friday",
        ),
        pytest.param(
            # Livable: Fri 20 Feb 2026 + 6 weeks = Fri 3 Apr 2026 Goede Vrijdag, Sat 4,
            # Sun 5 Eerste Paasdag, Mon 6 Tweede Paasdag -> Tue 7 Apr.
            date(2026, 2, 20),
            6,
            DEFAULT,
            date(2026, 4, 3),
            date(2026, 4, 7),
            "verschoven van 3 april: Goede Vrijdag, 4 april: zaterdag, "
            "5 april: Eerste Paasdag, 6 april: Tweede Paasdag",
            id="pasen-2026",
        ),
        pytest.param(
            # Same, but the organisation works on Goede Vrijdag: the Atw still moves the term.
            date(2026, 2, 20),
            6,
            GOOD_FRIDAY_OPEN,
            date(2026, 4, 3),
            date(2026, 4, 7),
            "verschoven van 3 april: Goede Vrijdag, 4 april: zaterdag, "
            "5 april: Eerste Paasdag, 6 april: Tweede Paasdag",
            id="pasen-2026-good-friday-open",
        ),
        pytest.param(
            # Thu 16 Apr 2026 + 4 weeks = Thu 14 May Hemelvaartsdag, Fri 15 decree day, Sat 16,
            # Sun 17 -> Mon 18 May 2026.
            date(2026, 4, 16),
            4,
            DEFAULT,
            date(2026, 5, 14),
            date(2026, 5, 18),
            "verschoven van 14 mei: Hemelvaartsdag, 15 mei: "
            + DECREE_FRIDAY_HEMELVAART
            + ", 16 mei: zaterdag, 17 mei: zondag",
            id="hemelvaart-2026-decree",
        ),
        pytest.param(
            # Without the decree data the Friday after Hemelvaart is an ordinary day.
            date(2026, 4, 16),
            4,
            NO_DECREE,
            date(2026, 5, 14),
            date(2026, 5, 15),
            "verschoven van 14 mei: Hemelvaartsdag",
            id="hemelvaart-2026-no-decree",
        ),
        pytest.param(
            # Received on Goede Vrijdag, Fri 26 Mar 2027, + 6 weeks = Fri 7 May 2027, the decree
            # Friday after Hemelvaartsdag (Thu 6 May), Sat 8, Sun 9 -> Mon 10 May 2027.
            date(2027, 3, 26),
            6,
            DEFAULT,
            date(2027, 5, 7),
            date(2027, 5, 10),
            "verschoven van 7 mei: "
            + DECREE_FRIDAY_HEMELVAART
            + ", 8 mei: zaterdag, 9 mei: zondag",
            id="hemelvaart-2027-decree",
        ),
        pytest.param(
            # Received on Koningsdag, Mon 27 Apr 2026, + 4 weeks = Mon 25 May 2026, Tweede
            # Pinksterdag -> Tue 26 May.
            date(2026, 4, 27),
            4,
            DEFAULT,
            date(2026, 5, 25),
            date(2026, 5, 26),
            "verschoven van 25 mei: Tweede Pinksterdag",
            id="pinksteren-2026",
        ),
        pytest.param(
            # Tue 7 Apr 2026 + 4 weeks = Tue 5 May 2026: no lustrum, but 5 May is an Atw day
            # every year -> Wed 6 May.
            date(2026, 4, 7),
            4,
            DEFAULT,
            date(2026, 5, 5),
            date(2026, 5, 6),
            "verschoven van 5 mei: Bevrijdingsdag",
            id="bevrijdingsdag-2026",
        ),
        pytest.param(
            # Fri 27 Nov 2026 + 4 weeks = Fri 25 Dec 2026, Sat 26 Tweede Kerstdag, Sun 27
            # -> Mon 28 Dec.
            date(2026, 11, 27),
            4,
            DEFAULT,
            date(2026, 12, 25),
            date(2026, 12, 28),
            "verschoven van 25 december: Eerste Kerstdag, 26 december: Tweede Kerstdag, "
            "27 december: zondag",
            id="kerstmis-2026",
        ),
        pytest.param(
            # Livable: Fri 20 Nov 2026 + 6 weeks = Fri 1 Jan 2027, Sat 2, Sun 3 -> Mon 4 Jan.
            date(2026, 11, 20),
            6,
            DEFAULT,
            date(2027, 1, 1),
            date(2027, 1, 4),
            "verschoven van 1 januari: Nieuwjaarsdag, 2 januari: zaterdag, 3 januari: zondag",
            id="nieuwjaar-2027",
        ),
        pytest.param(
            # Appeal: Thu 18 Dec 2025 + 2 weeks = Thu 1 Jan 2026, Fri 2 Jan decree, Sat 3,
            # Sun 4 -> Mon 5 Jan 2026.
            date(2025, 12, 18),
            2,
            DEFAULT,
            date(2026, 1, 1),
            date(2026, 1, 5),
            "verschoven van 1 januari: Nieuwjaarsdag, 2 januari: "
            + DECREE_FRIDAY_NIEUWJAAR
            + ", 3 januari: zaterdag, 4 januari: zondag",
            id="nieuwjaar-2026-decree",
        ),
        pytest.param(
            # Thu 3 Dec 2026 + 4 weeks = Thu 31 Dec 2026: a closing day, but no Atw day.
            date(2026, 12, 3),
            4,
            CHRISTMAS_CLOSED,
            date(2026, 12, 31),
            date(2026, 12, 31),
            None,
            id="closing-day-does-not-move",
        ),
    ],
)
def test_weeks_term(start, amount, calendar, unadjusted, due, explanation):
    result = end(start, amount, WEKEN, calendar)
    assert result.unadjusted == unadjusted == start + timedelta(weeks=amount)
    assert result.due == due
    assert result.moved is (due != unadjusted)
    assert result.explanation == explanation
    assert result.skipped == ()
    assert result.extended_art2 is False


def test_christmas_explanation_starts_as_spec_says():
    result = end(date(2026, 11, 27), 4, WEKEN)
    assert result.explanation.startswith("verschoven van 25 december: Eerste Kerstdag")
    assert result.moved_over == (
        (date(2026, 12, 25), "Eerste Kerstdag"),
        (date(2026, 12, 26), "Tweede Kerstdag"),
        (date(2026, 12, 27), "zondag"),
    )


# --------------------------------------------------------------------------------------------
# A year without a known decree
# --------------------------------------------------------------------------------------------

NOT_KNOWN_2029 = "gelijkstellingsbesluit voor 2029 nog niet bekend"


def test_a_term_ending_in_a_year_without_decree_says_so():
    # Fri 13 Apr 2029 + 4 weeks = Fri 11 May 2029, the Friday after Hemelvaartsdag (Thu 10 May).
    # No decree for 2029 is known yet, so the term ends there, with a warning.
    result = end(date(2029, 4, 13), 4, WEKEN)
    assert result.due == result.unadjusted == date(2029, 5, 11)
    assert not result.moved
    assert result.decree_unknown_year == 2029
    assert result.explanation == NOT_KNOWN_2029


def test_the_note_follows_the_moves_of_the_atw():
    # Sun 3 Dec 2028 + 4 weeks = Sun 31 Dec 2028 -> Mon 1 Jan 2029 Nieuwjaarsdag -> Tue 2 Jan:
    # the term ends in 2029, after the move.
    result = end(date(2028, 12, 3), 4, WEKEN)
    assert result.due == date(2029, 1, 2)
    assert result.explanation == (
        "verschoven van 31 december: zondag, 1 januari: Nieuwjaarsdag; " + NOT_KNOWN_2029
    )
    # Thu 7 Dec 2028 + 3 weeks = Thu 28 Dec 2028: a known year, no note.
    assert end(date(2028, 12, 7), 3, WEKEN).explanation is None


def test_the_note_comes_after_the_working_days_skipped():
    # Thu 3 May 2029, 5 working days: Fri 4 (1), Mon 7 (2), Tue 8 (3), Wed 9 (4), Thu 10
    # Hemelvaartsdag skipped, Fri 11 (5).
    result = end(date(2029, 5, 3), 5, WERKDAGEN)
    assert result.due == date(2029, 5, 11)
    assert result.explanation == (
        "telt niet als werkdag: 10 mei (Hemelvaartsdag); " + NOT_KNOWN_2029
    )


def test_no_note_when_the_atw_does_not_apply():
    # Switched off for the procedure, or a term over twelve weeks (art. 4).
    assert end(date(2029, 4, 13), 4, WEKEN, apply_atw=False).explanation is None
    long_term = end(date(2029, 1, 5), 13, WEKEN)
    assert long_term.due == date(2029, 4, 6)
    assert long_term.decree_unknown_year is None
    assert long_term.explanation is None


def test_a_decree_day_beheer_added_makes_the_year_known():
    calendar = DeadlineCalendar(
        CalendarSettings(atw_decree_days=atw_decree_days([date(2029, 5, 11)]))
    )
    # Fri 11 May 2029 is now a decree day: Sat, Sun -> Mon 14 May 2029, without the note.
    result = end(date(2029, 4, 13), 4, WEKEN, calendar)
    assert result.due == date(2029, 5, 14)
    assert result.decree_unknown_year is None
    assert result.explanation == (
        "verschoven van 11 mei: " + DECREE_FRIDAY_HEMELVAART + ", 12 mei: zaterdag, 13 mei: zondag"
    )


def test_a_year_before_the_first_decree_is_not_known_either():
    # Tue 1 Mar 2022 + 4 weeks = Tue 29 Mar 2022: KlachtDesk ships no decree for 2022.
    result = end(date(2022, 3, 1), 4, WEKEN)
    assert result.due == date(2022, 3, 29)
    assert result.explanation == "gelijkstellingsbesluit voor 2022 niet bekend"


def test_apply_atw_off_never_moves():
    # Fri 27 Nov 2026 + 4 weeks = Fri 25 Dec 2026 stays there when the procedure switches the
    # Atw off.
    result = end(date(2026, 11, 27), 4, WEKEN, apply_atw=False)
    assert result.due == result.unadjusted == date(2026, 12, 25)
    assert result.explanation is None


# --------------------------------------------------------------------------------------------
# Terms in calendar days, Atw art. 2 and art. 4
# --------------------------------------------------------------------------------------------


def test_three_days_as_in_burgerlijk_wetboek():
    # The 3-day cooling-off period (BW 7:2): signed Tue 19 Dec 2023 -> Fri 22 Dec 2023.
    assert end(date(2023, 12, 19), 3, DAGEN).due == date(2023, 12, 22)
    # Signed Wed 20 Dec 2023 -> Sat 23, Sun 24, Mon 25 and Tue 26 Kerstmis -> Wed 27 Dec 2023.
    result = end(date(2023, 12, 20), 3, DAGEN)
    assert result.unadjusted == date(2023, 12, 23)
    assert result.due == date(2023, 12, 27)
    assert result.extended_art2 is False
    assert result.explanation == (
        "verschoven van 23 december: zaterdag, 24 december: zondag, "
        "25 december: Eerste Kerstdag, 26 december: Tweede Kerstdag"
    )


def test_art2_extends_a_term_without_two_free_days():
    # Fri 24 Dec 2027 + 3 days = Mon 27 Dec 2027, itself a free day (Kerstmis falls on Sat 25
    # and Sun 26), so art. 1 does not move it. But (24 Dec, 27 Dec] holds one free day only
    # (Mon 27): art. 2 extends the term to Tue 28 Dec 2027.
    result = end(date(2027, 12, 24), 3, DAGEN)
    assert result.unadjusted == date(2027, 12, 27)
    assert result.due == date(2027, 12, 28)
    assert result.extended_art2 is True
    assert result.moved_over == ()
    assert result.explanation == ART2


def test_art2_after_art1():
    # Thu 2 Apr 2026 + 3 days = Sun 5 Apr (Eerste Paasdag); art. 1: Mon 6 Tweede Paasdag ->
    # Tue 7. (2 Apr, 7 Apr] then holds one free day only (Fri 3 is Goede Vrijdag), so art. 2
    # extends to Wed 8 Apr 2026.
    result = end(date(2026, 4, 2), 3, DAGEN)
    assert result.due == date(2026, 4, 8)
    assert result.extended_art2 is True
    assert result.explanation == (
        "verschoven van 5 april: Eerste Paasdag, 6 april: Tweede Paasdag; " + ART2
    )


def test_art2_not_for_terms_under_three_days():
    # Thu 24 Dec 2026 + 2 days = Sat 26 (Tweede Kerstdag), Sun 27 -> Mon 28 Dec; the term has
    # only one free day, but art. 2 is for terms of three days or more.
    result = end(date(2026, 12, 24), 2, DAGEN)
    assert result.due == date(2026, 12, 28)
    assert result.extended_art2 is False


def test_art4_twelve_weeks_moves_thirteen_weeks_does_not():
    # Fri 2 Oct 2026 + 12 weeks (84 days) = Fri 25 Dec 2026 -> Mon 28 Dec.
    assert end(date(2026, 10, 2), 12, WEKEN).due == date(2026, 12, 28)
    # Fri 25 Sep 2026 + 13 weeks (91 days) = Fri 25 Dec 2026: the Atw does not apply.
    result = end(date(2026, 9, 25), 13, WEKEN)
    assert result.due == result.unadjusted == date(2026, 12, 25)
    assert result.explanation is None


def test_art4_ninety_days_moves_ninety_one_days_does_not():
    # Sat 26 Sep 2026 + 90 days: 4 days to 30 Sep, 31 to 31 Oct, 30 to 30 Nov, 25 to 25 Dec
    # = Fri 25 Dec 2026 -> Mon 28 Dec.
    assert end(date(2026, 9, 26), 90, DAGEN).due == date(2026, 12, 28)
    # Fri 25 Sep 2026 + 91 days = Fri 25 Dec 2026, not moved.
    result = end(date(2026, 9, 25), 91, DAGEN)
    assert result.due == result.unadjusted == date(2026, 12, 25)


def test_art4_for_working_days_terms_counts_calendar_days():
    # Working days (Mon 2 Feb, Tue 5 May 2026]: February 19 (Tue 3 - Fri 27), March 22,
    # April 22 weekdays minus Goede Vrijdag, Tweede Paasdag, Koningsdag = 19, May: Fri 1,
    # Mon 4, Tue 5 = 3 -> 63. Tue 5 May is a working day (no lustrum) but an Atw day.
    long_term = end(date(2026, 2, 2), 63, WERKDAGEN)
    assert long_term.unadjusted == date(2026, 5, 5)
    # 92 calendar days: over 90, the Atw does not apply.
    assert long_term.due == date(2026, 5, 5)
    # From Wed 4 Feb the interval loses Tue 3 and Wed 4 Feb: 61 working days, 90 calendar days
    # to Tue 5 May -> the Atw applies and moves the term to Wed 6 May.
    short_term = end(date(2026, 2, 4), 61, WERKDAGEN)
    assert short_term.unadjusted == date(2026, 5, 5)
    assert short_term.due == date(2026, 5, 6)
    assert short_term.explanation.startswith("verschoven van 5 mei: Bevrijdingsdag")


# --------------------------------------------------------------------------------------------
# Terms in working days (Livable "7 werkdagen", default "5 werkdagen")
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "calendar", "due", "explanation"),
    [
        pytest.param(
            # Received Saturday 7 Mar 2026: Mon 9 (1) .. Fri 13 (5), Mon 16 (6), Tue 17 (7).
            date(2026, 3, 7),
            7,
            DEFAULT,
            date(2026, 3, 17),
            None,
            id="received-saturday",
        ),
        pytest.param(
            # Received Sunday 8 Mar 2026: the same seven working days -> Tue 17 Mar.
            date(2026, 3, 8),
            7,
            DEFAULT,
            date(2026, 3, 17),
            None,
            id="received-sunday",
        ),
        pytest.param(
            # Received on Tweede Paasdag, Mon 6 Apr 2026: Tue 7 (1), Wed 8, Thu 9, Fri 10 (4),
            # Mon 13 (5), Tue 14 (6), Wed 15 (7).
            date(2026, 4, 6),
            7,
            DEFAULT,
            date(2026, 4, 15),
            None,
            id="received-on-holiday",
        ),
        pytest.param(
            # Fri 17 Apr 2026: Mon 20 .. Fri 24 (1-5), Mon 27 Koningsdag skipped, Tue 28 (6),
            # Wed 29 (7).
            date(2026, 4, 17),
            7,
            DEFAULT,
            date(2026, 4, 29),
            "telt niet als werkdag: 27 april (Koningsdag)",
            id="koningsdag-2026",
        ),
        pytest.param(
            # Thu 24 Apr 2025: Fri 25 (1), [Sat 26 Koningsdag], Mon 28 .. Fri 2 May (2-6),
            # Mon 5 May Bevrijdingsdag (lustrum) skipped, Tue 6 May (7).
            date(2025, 4, 24),
            7,
            DEFAULT,
            date(2025, 5, 6),
            "telt niet als werkdag: 5 mei (Bevrijdingsdag)",
            id="koningsdag-2025-and-lustrum",
        ),
        pytest.param(
            # Mon 30 Mar 2026, 5 working days: Tue 31 (1), Wed 1 (2), Thu 2 (3), Fri 3 Goede
            # Vrijdag and Mon 6 Tweede Paasdag skipped, Tue 7 (4), Wed 8 (5).
            date(2026, 3, 30),
            5,
            DEFAULT,
            date(2026, 4, 8),
            "telt niet als werkdag: 3 april (Goede Vrijdag), 6 april (Tweede Paasdag)",
            id="pasen-good-friday-closed",
        ),
        pytest.param(
            # Same with Goede Vrijdag a working day: Fri 3 (4), Mon 6 skipped, Tue 7 (5).
            date(2026, 3, 30),
            5,
            GOOD_FRIDAY_OPEN,
            date(2026, 4, 7),
            "telt niet als werkdag: 6 april (Tweede Paasdag)",
            id="pasen-good-friday-open",
        ),
        pytest.param(
            # Thu 30 Apr 2026: Fri 1 May (1), Mon 4 (2), Tue 5 (3, no lustrum), Wed 6 (4),
            # Thu 7 (5).
            date(2026, 4, 30),
            5,
            DEFAULT,
            date(2026, 5, 7),
            None,
            id="bevrijdingsdag-2026-working-day",
        ),
        pytest.param(
            # With liberation_day_every_year Tue 5 May is skipped -> Fri 8 May.
            date(2026, 4, 30),
            5,
            LIBERATION_EVERY_YEAR,
            date(2026, 5, 8),
            "telt niet als werkdag: 5 mei (Bevrijdingsdag)",
            id="bevrijdingsdag-2026-every-year",
        ),
        pytest.param(
            # Wed 30 Apr 2025: Thu 1 (1), Fri 2 (2), Mon 5 lustrum skipped, Tue 6 (3), Wed 7 (4),
            # Thu 8 May (5).
            date(2025, 4, 30),
            5,
            DEFAULT,
            date(2025, 5, 8),
            "telt niet als werkdag: 5 mei (Bevrijdingsdag)",
            id="bevrijdingsdag-2025-lustrum",
        ),
        pytest.param(
            # Fri 18 Dec 2026: Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4), Fri 25 skipped,
            # Mon 28 (5), Tue 29 (6), Wed 30 (7).
            date(2026, 12, 18),
            7,
            DEFAULT,
            date(2026, 12, 30),
            "telt niet als werkdag: 25 december (Eerste Kerstdag)",
            id="kerstmis-2026",
        ),
        pytest.param(
            # Closed 24 and 31 Dec: Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 closed, Fri 25
            # holiday, Mon 28 (4), Tue 29 (5), Wed 30 (6), Thu 31 closed, Fri 1 Jan holiday,
            # Mon 4 Jan 2027 (7).
            date(2026, 12, 18),
            7,
            CHRISTMAS_CLOSED,
            date(2027, 1, 4),
            "telt niet als werkdag: 24 december (sluitingsdag: kerstavond), "
            "25 december (Eerste Kerstdag), 31 december (sluitingsdag: oudejaarsdag), "
            "1 januari (Nieuwjaarsdag)",
            id="kerstmis-2026-closing-days",
        ),
    ],
)
def test_working_days_term(start, amount, calendar, due, explanation):
    result = end(start, amount, WERKDAGEN, calendar)
    assert result.due == result.unadjusted == due
    assert not result.moved
    assert result.explanation == explanation
    assert calendar.working_days_between(start, due) == amount


def test_working_days_term_ending_on_decree_friday_is_moved():
    # Received Tue 5 May 2026, 7 working days: Wed 6 (1), Thu 7 (2), Fri 8 (3), Mon 11 (4),
    # Tue 12 (5), Wed 13 (6), Thu 14 Hemelvaartsdag skipped, Fri 15 (7). Fri 15 May is a working
    # day of the organisation but an Atw day (decree): the term ends on Mon 18 May.
    result = end(date(2026, 5, 5), 7, WERKDAGEN)
    assert result.unadjusted == date(2026, 5, 15)
    assert result.due == date(2026, 5, 18)
    assert result.moved
    assert result.explanation == (
        "verschoven van 15 mei: "
        + DECREE_FRIDAY_HEMELVAART
        + ", 16 mei: zaterdag, 17 mei: zondag; "
        "telt niet als werkdag: 14 mei (Hemelvaartsdag)"
    )


def test_working_days_term_ending_on_open_good_friday_is_moved():
    # Goede Vrijdag open: Mon 30 Mar 2026 + 4 working days = Fri 3 Apr (Tue 31, Wed 1, Thu 2,
    # Fri 3). The Atw still treats Goede Vrijdag as a holiday -> Tue 7 Apr.
    result = end(date(2026, 3, 30), 4, WERKDAGEN, GOOD_FRIDAY_OPEN)
    assert result.unadjusted == date(2026, 4, 3)
    assert result.due == date(2026, 4, 7)
    assert result.explanation.startswith("verschoven van 3 april: Goede Vrijdag")


def test_one_working_day_from_friday_is_monday():
    # Fri 6 Mar 2026 + 1 working day = Mon 9 Mar 2026, an ordinary day.
    result = end(date(2026, 3, 6), 1, WERKDAGEN)
    assert result.due == date(2026, 3, 9)
    assert result.extended_art2 is False


def test_one_working_day_later_receipt_not_earlier_due():
    friday = end(date(2026, 3, 6), 1, WERKDAGEN)
    saturday = end(date(2026, 3, 7), 1, WERKDAGEN)
    # Both should be Monday 9 March 2026.
    assert saturday.due == date(2026, 3, 9)
    assert friday.due <= saturday.due


# --------------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------------

FAST = settings(max_examples=200, deadline=None)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
calendars = st.sampled_from(ALL_CALENDARS)
# Terms to which the Atw applies (art. 4: at most 12 weeks / 90 days).
atw_terms = st.one_of(
    st.builds(Term, st.integers(1, 12), st.just(WEKEN)),
    st.builds(Term, st.integers(1, 90), st.just(DAGEN)),
    st.builds(Term, st.integers(1, 40), st.just(WERKDAGEN)),
)
any_terms = st.one_of(
    st.builds(Term, st.integers(1, 30), st.just(WEKEN)),
    st.builds(Term, st.integers(1, 200), st.just(DAGEN)),
    st.builds(Term, st.integers(1, 70), st.just(WERKDAGEN)),
)


@FAST
@given(start=dates, term=atw_terms, calendar=calendars)
def test_prop_atw_due_is_never_an_atw_day(start, term, calendar):
    result = calendar.term_end(start, term, apply_atw=True)
    assert calendar.atw_reason(result.due) is None


@FAST
@given(start=dates, term=any_terms, calendar=calendars, apply_atw=st.booleans())
def test_prop_due_never_before_unadjusted(start, term, calendar, apply_atw):
    result = calendar.term_end(start, term, apply_atw)
    assert result.due >= result.unadjusted > start


@FAST
@given(start=dates, term=any_terms, calendar=calendars)
def test_prop_without_atw_nothing_moves(start, term, calendar):
    result = calendar.term_end(start, term, apply_atw=False)
    assert result.due == result.unadjusted
    assert result.moved_over == ()
    assert result.extended_art2 is False
    assert not result.moved


@FAST
@given(start=dates, term=any_terms, calendar=calendars)
def test_prop_art4_long_terms_are_not_moved(start, term, calendar):
    result = calendar.term_end(start, term, apply_atw=True)
    too_long = {
        WEKEN: term.amount > 12,
        DAGEN: term.amount > 90,
        WERKDAGEN: (result.unadjusted - start).days > 90,
    }[term.unit]
    if too_long:
        assert result.due == result.unadjusted
        assert result.moved_over == ()


@FAST
@given(start=dates, count=st.integers(1, 80), calendar=calendars)
def test_prop_add_working_days(start, count, calendar):
    result = calendar.add_working_days(start, count)
    assert result > start
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(start, result) == count
    assert calendar.working_days_between(result, start) == -count
    # The day before the result is still one working day short.
    assert calendar.working_days_between(start, result - timedelta(days=1)) == count - 1


@FAST
@given(a=dates, b=dates, c=dates, calendar=calendars)
def test_prop_working_days_between_is_additive(a, b, c, calendar):
    wdb = calendar.working_days_between
    assert wdb(a, c) == wdb(a, b) + wdb(b, c)
    assert wdb(a, b) == -wdb(b, a)


monotone_terms = st.one_of(
    st.builds(Term, st.integers(1, 30), st.just(WEKEN)),
    st.builds(Term, st.integers(1, 200), st.just(DAGEN)),
    st.builds(Term, st.integers(1, 70), st.just(WERKDAGEN)),
)


@FAST
@given(
    first=dates,
    gap=st.integers(0, 60),
    term=monotone_terms,
    calendar=calendars,
    apply_atw=st.booleans(),
)
def test_prop_later_receipt_never_gives_earlier_due(first, gap, term, calendar, apply_atw):
    second = first + timedelta(days=gap)
    assert (
        calendar.term_end(first, term, apply_atw).due
        <= calendar.term_end(second, term, apply_atw).due
    )


@FAST
@given(start=dates, weeks=st.integers(1, 30), calendar=calendars, apply_atw=st.booleans())
def test_prop_weeks_term_is_seven_days_a_week(start, weeks, calendar, apply_atw):
    result = calendar.term_end(start, Term(weeks, WEKEN), apply_atw)
    assert result.unadjusted == start + timedelta(days=7 * weeks)
    assert result.skipped == ()


@FAST
@given(start=dates, days=st.integers(1, 200), calendar=calendars)
def test_prop_days_term_is_calendar_days(start, days, calendar):
    result = calendar.term_end(start, Term(days, DAGEN))
    assert result.unadjusted == start + timedelta(days=days)


@FAST
@given(start=dates, term=any_terms, calendar=calendars, apply_atw=st.booleans())
def test_prop_explanation_iff_a_rule_applied(start, term, calendar, apply_atw):
    result = calendar.term_end(start, term, apply_atw)
    note = None
    if result.decree_unknown_year is not None:
        assert apply_atw and result.due.year not in calendar.decree_years
        note = f"gelijkstellingsbesluit voor {result.due.year} "
        assert note in result.explanation.split("; ")[-1]
        assert result.explanation.endswith("niet bekend")
    if result.moved:
        assert result.explanation
        assert result.moved_over or result.extended_art2
    elif term.unit is not WERKDAGEN and note is None:
        assert result.explanation is None
    # Every day moved over is an Atw day, for the reason given, between unadjusted and due.
    for day, reason in result.moved_over:
        assert result.unadjusted <= day < result.due
        assert calendar.atw_reason(day) == reason
        assert f"{day_month(day)}: {reason}" in result.explanation


@FAST
@given(start=dates, count=st.integers(1, 70), calendar=calendars)
def test_prop_working_days_skipped_lists_closed_weekdays(start, count, calendar):
    result = calendar.term_end(start, Term(count, WERKDAGEN), apply_atw=False)
    expected = []
    day = start + timedelta(days=1)
    while day < result.unadjusted:
        reason = calendar.closed_reason(day)
        if reason and day.weekday() < 5:
            expected.append((day, reason))
        day += timedelta(days=1)
    assert list(result.skipped) == expected
    assert calendar.is_working_day(result.due)
    if expected:
        assert result.explanation.startswith("telt niet als werkdag: ")
    else:
        assert result.explanation is None


@FAST
@given(start=dates, term=atw_terms, calendar=calendars)
def test_prop_art2_leaves_two_free_days(start, term, calendar):
    result = calendar.term_end(start, term, apply_atw=True)
    # Art. 2 speaks of a term of three days or more: the term's own length, so a term of
    # one working day over a weekend is not one (Fri + 1 werkdag = Mon stays Mon).
    if term.nominal_days >= 3:
        free = sum(
            1
            for offset in range(1, (result.due - start).days + 1)
            if calendar.atw_reason(start + timedelta(days=offset)) is None
        )
        assert free >= 2
    if result.extended_art2:
        assert result.explanation.endswith(ART2) or "art. 2)" in result.explanation


@FAST
@given(year=st.integers(2000, 2035))
def test_prop_moveable_feasts_follow_easter(year):
    sunday = easter(year)
    good_friday = sunday - timedelta(days=2)
    assert DEFAULT.atw_reason(good_friday) == "Goede Vrijdag"
    assert not DEFAULT.is_working_day(good_friday)
    assert GOOD_FRIDAY_OPEN.is_working_day(good_friday)
    assert GOOD_FRIDAY_OPEN.atw_reason(good_friday) == "Goede Vrijdag"
    assert DEFAULT.atw_reason(sunday + timedelta(days=1)) == "Tweede Paasdag"
    ascension = sunday + timedelta(days=39)
    # When Hemelvaartsdag is 5 May (2005, 2016) either name is right.
    names = {"Hemelvaartsdag", "Bevrijdingsdag"} if ascension == date(year, 5, 5) else None
    assert DEFAULT.atw_reason(ascension) in (names or {"Hemelvaartsdag"})
    assert DEFAULT.atw_reason(sunday + timedelta(days=50)) == "Tweede Pinksterdag"
    for offset in (1, 39, 50):
        assert not DEFAULT.is_working_day(sunday + timedelta(days=offset))


@FAST
@given(year=st.integers(2000, 2035))
def test_prop_fifth_of_may(year):
    day = date(year, 5, 5)
    ascension = easter(year) + timedelta(days=39)
    # Atw: every year (in 2005 and 2016 it is also Hemelvaartsdag).
    assert DEFAULT.atw_reason(day) in {"Bevrijdingsdag", "Hemelvaartsdag"}
    # Working days: closed on a weekday only in lustrum years, or with the setting.
    if day.weekday() < 5:
        assert LIBERATION_EVERY_YEAR.is_working_day(day) is False
        if day != ascension:
            assert DEFAULT.is_working_day(day) is (year % 5 != 0)


@FAST
@given(year=st.integers(2014, 2035))
def test_prop_koningsdag(year):
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it is celebrated on Saturday the 26th
        kings_day = date(year, 4, 26)
    assert DEFAULT.atw_reason(kings_day) == "Koningsdag"
    assert DEFAULT.public_holiday(kings_day) == "Koningsdag"
    assert not DEFAULT.is_working_day(kings_day)


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=-1500, max_value=1500),
)
def test_working_days_between_matches_counting_day_by_day(start, span):
    calendar = DeadlineCalendar(
        CalendarSettings(closing_days={date(2026, 12, 24): "kerst", date(2027, 1, 2): ""})
    )
    end = start + timedelta(days=span)
    low, high = min(start, end), max(start, end)
    naive = sum(
        calendar.is_working_day(low + timedelta(days=n)) for n in range(1, (high - low).days + 1)
    )
    assert calendar.working_days_between(start, end) == (naive if end >= start else -naive)
