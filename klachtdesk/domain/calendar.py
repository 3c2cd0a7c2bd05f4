"""Deadline arithmetic: the organisation's working days and the Algemene termijnenwet (Atw).

Two day sets are kept apart on purpose (SPEC §4):

* the organisation's *working days* (Monday–Friday minus Dutch public holidays minus the
  organisation's closing days) answer "when is the 7th working day after receipt?";
* the *Atw set* (Saturday, Sunday, the holidays of Atw art. 3, 5 May every year and the
  days made equal by Royal decree) answers "a term ends on a holiday: where does it end?".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from klachtdesk.domain.errors import ValidationError

if TYPE_CHECKING:
    from holidays import HolidayBase


class TermUnit(StrEnum):
    WERKDAGEN = "werkdagen"
    DAGEN = "dagen"
    WEKEN = "weken"


_UNIT_SINGULAR = {TermUnit.WERKDAGEN: "werkdag", TermUnit.DAGEN: "dag", TermUnit.WEKEN: "week"}


@dataclass(frozen=True)
class Term:
    """A term such as "7 werkdagen" or "4 weken", counted from the date of receipt."""

    amount: int
    unit: TermUnit

    def __post_init__(self) -> None:
        amount_ok = isinstance(self.amount, int) and not isinstance(self.amount, bool)
        if not amount_ok or not 1 <= self.amount <= 520:
            raise ValidationError("termijn", "een termijn is een heel getal van 1 tot en met 520.")
        try:
            object.__setattr__(self, "unit", TermUnit(self.unit))
        except ValueError:
            raise ValidationError(
                "termijn", f"'{self.unit}' is geen eenheid (kies werkdagen, dagen of weken)."
            ) from None

    @property
    def nominal_days(self) -> int:
        """The term's own length in days (a working day counts as one day)."""
        return self.amount * 7 if self.unit is TermUnit.WEKEN else self.amount

    def label(self) -> str:
        unit = _UNIT_SINGULAR[self.unit] if self.amount == 1 else self.unit.value
        return f"{self.amount} {unit}"

    def to_dict(self) -> dict:
        return {"amount": self.amount, "unit": self.unit.value}

    @classmethod
    def from_dict(cls, data: Mapping) -> Term:
        return cls(int(data["amount"]), TermUnit(data["unit"]))


DECREE_NOTE = "gelijkgesteld bij koninklijk besluit"


def _decree_reason(occasion: str) -> str:
    return f"{occasion} ({DECREE_NOTE})"


@dataclass(frozen=True)
class AtwDecree:
    """A Royal decree making days equal to "algemeen erkende feestdagen" (Atw art. 3 lid 3).

    One appears every few years, for the next few years; the days it names are bridge days,
    usually the Friday after a holiday that falls on a Thursday.
    """

    title: str
    years: tuple[int, ...]
    days: Mapping[date, str]  # each day with the reason a deadline's explanation gives

    @property
    def short_title(self) -> str:
        """'Besluit 2023–2025', for a list where the full titles would all look alike."""
        first, last = min(self.years), max(self.years)
        return f"Besluit {first}" if first == last else f"Besluit {first}–{last}"


# The published decrees, shipped as data. They are law: beheer cannot remove their days,
# only add the days of later decrees (kept in the database). Titles without the decree's
# own date, which is not needed to find it.
SHIPPED_DECREES: tuple[AtwDecree, ...] = (
    AtwDecree(
        title=(
            "Besluit houdende gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, "
            "27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag"
        ),
        years=(2023, 2024, 2025),
        days={
            date(2023, 4, 28): _decree_reason("vrijdag na Koningsdag"),
            date(2023, 5, 19): _decree_reason("vrijdag na Hemelvaartsdag"),
            date(2024, 5, 10): _decree_reason("vrijdag na Hemelvaartsdag"),
            date(2024, 12, 27): _decree_reason("vrijdag na Tweede Kerstdag"),
            date(2025, 5, 30): _decree_reason("vrijdag na Hemelvaartsdag"),
        },
    ),
    AtwDecree(
        title=(
            "Besluit houdende gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, "
            "28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag"
        ),
        years=(2026, 2027, 2028),
        days={
            date(2026, 1, 2): _decree_reason("vrijdag na Nieuwjaarsdag"),
            date(2026, 5, 15): _decree_reason("vrijdag na Hemelvaartsdag"),
            date(2027, 5, 7): _decree_reason("vrijdag na Hemelvaartsdag"),
            date(2028, 4, 28): _decree_reason("vrijdag na Koningsdag"),
            date(2028, 5, 26): _decree_reason("vrijdag na Hemelvaartsdag"),
        },
    ),
)

# Every shipped decree day with its reason, and the years the shipped decrees cover.
ATW_DECREE_DAYS: dict[date, str] = {
    day: reason for decree in SHIPPED_DECREES for day, reason in decree.days.items()
}
ATW_DECREE_YEARS: frozenset[int] = frozenset(
    year for decree in SHIPPED_DECREES for year in decree.years
)


def shipped_decree(day: date) -> AtwDecree | None:
    """The shipped decree that made ``day`` equal to a public holiday, if any."""
    return next((decree for decree in SHIPPED_DECREES if day in decree.days), None)


GOOD_FRIDAY = "Goede Vrijdag"
LIBERATION_DAY = "Bevrijdingsdag"
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_WEEKEND = {5: "zaterdag", 6: "zondag"}

# Atw art. 4: the Act does not apply to terms longer than these.
_ATW_MAX_DAYS = 90
_ATW_MAX_WEEKS = 12


def _capitalise_words(name: str) -> str:
    # The holidays package writes "Eerste kerstdag"; Dutch law and letters write "Eerste Kerstdag".
    return " ".join(word[:1].upper() + word[1:] for word in name.split())


@cache
def _dutch_holidays() -> HolidayBase:
    """One table per process: building it costs about 30 ms, and every calendar (each
    window, each service call) needs the same holidays. The package fills it per year on
    first use; a year filled twice (two threads at once) comes out the same."""
    import holidays  # on first use: the login window does not wait for its tables

    return holidays.country_holidays("NL", language="nl", categories=("public",))


def _holiday_name(table: HolidayBase, day: date) -> str | None:
    name = table.get(day)
    return _capitalise_words(name.split(";")[0].strip()) if name else None


def decree_day_reason(day: date) -> str:
    """The reason given for a day of a later decree that beheer added.

    Decrees name the day after a holiday, so the reason reads as the shipped ones do:
    "vrijdag na Hemelvaartsdag (gelijkgesteld bij koninklijk besluit)".
    """
    weekday = WEEKDAYS[day.weekday()]
    before = _holiday_name(_dutch_holidays(), day - timedelta(days=1))
    return _decree_reason(f"{weekday} na {before}" if before else weekday)


def atw_decree_days(added: Iterable[date] = ()) -> dict[date, str]:
    """The decree days deadlines count with: the shipped decrees' and ``added`` later ones.

    A shipped day keeps its shipped reason, also when a database holds a copy of it.
    """
    days = {day: decree_day_reason(day) for day in added if day not in ATW_DECREE_DAYS}
    days.update(ATW_DECREE_DAYS)
    return dict(sorted(days.items()))


@lru_cache(maxsize=4096)  # Babel formats a date in some 30 µs; lists and letters repeat them
def day_month(day: date) -> str:
    """'25 december'."""
    from babel.dates import format_date  # on first use, as holidays

    return format_date(day, format="d MMMM", locale="nl_NL")


@lru_cache(maxsize=4096)
def long_date(day: date) -> str:
    """'22 november 2026', as in a Dutch letter."""
    from babel.dates import format_date

    return format_date(day, format="long", locale="nl_NL")


@dataclass(frozen=True)
class CalendarSettings:
    """What an organisation decides about its own calendar."""

    closing_days: Mapping[date, str] = field(default_factory=dict)
    good_friday_closed: bool = True
    liberation_day_every_year: bool = False
    atw_decree_days: Mapping[date, str] = field(default_factory=lambda: dict(ATW_DECREE_DAYS))
    # Years a decree is known for, besides the years of ``atw_decree_days`` themselves.
    atw_decree_years: frozenset[int] = ATW_DECREE_YEARS


@dataclass(frozen=True)
class ComputedDeadline:
    """A deadline with the reasoning behind it, so the application can show its work."""

    due: date
    start: date
    term: Term
    unadjusted: date
    moved_over: tuple[tuple[date, str], ...] = ()
    skipped: tuple[tuple[date, str], ...] = ()
    extended_art2: bool = False
    # The Atw applied, but no decree is known for the year the term ends in: a decree day
    # may still move it. "Past" when a later year's decree is known (so this one is old).
    decree_unknown_year: int | None = None
    decree_unknown_is_past: bool = False

    @property
    def moved(self) -> bool:
        return self.due != self.unadjusted

    @property
    def explanation(self) -> str | None:
        """Why the deadline is where it is, in Dutch, or None when no rule applied."""
        parts = []
        if self.moved_over:
            over = ", ".join(f"{day_month(d)}: {reason}" for d, reason in self.moved_over)
            parts.append(f"verschoven van {over}")
        if self.extended_art2:
            parts.append(
                "verlengd zodat de termijn twee dagen telt die geen weekend- of feestdag zijn "
                "(Algemene termijnenwet, art. 2)"
            )
        if self.skipped:
            days = ", ".join(f"{day_month(d)} ({reason})" for d, reason in self.skipped)
            parts.append(f"telt niet als werkdag: {days}")
        if self.decree_unknown_year is not None:
            known = "niet bekend" if self.decree_unknown_is_past else "nog niet bekend"
            parts.append(f"gelijkstellingsbesluit voor {self.decree_unknown_year} {known}")
        return "; ".join(parts) or None


# The working-day tables of every calendar, by what decides a working day (see __init__);
# a table filled twice at once (two threads) comes out the same.
_WORKING_PREFIXES: dict[tuple, dict[int, list[int]]] = {}


class DeadlineCalendar:
    """Computes term ends from a date of receipt, given the organisation's settings."""

    def __init__(self, settings: CalendarSettings | None = None):
        self.settings = settings or CalendarSettings()
        self._holidays = _dutch_holidays()
        self.decree_years = frozenset(self.settings.atw_decree_years) | {
            day.year for day in self.settings.atw_decree_days
        }
        # Per year: working days from 1 January up to and including each day (index = day of
        # the year; index 0 is 0). Settings are frozen, so a table never goes stale; every
        # calendar with the same working days shares the tables (each service call makes a
        # calendar, and a year's table takes a few ms to fill).
        working = (
            frozenset(self.settings.closing_days),
            self.settings.good_friday_closed,
            self.settings.liberation_day_every_year,
        )
        self._working_prefix: dict[int, list[int]] = _WORKING_PREFIXES.setdefault(working, {})

    # -- the two day sets -------------------------------------------------------------
    def public_holiday(self, day: date) -> str | None:
        """The Dutch public holiday on ``day`` (holidays package, NL, PUBLIC), if any."""
        return _holiday_name(self._holidays, day)

    def closed_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day of the organisation, or None if it is one."""
        if day.weekday() in _WEEKEND:
            return _WEEKEND[day.weekday()]
        holiday = self.public_holiday(day)
        if holiday == GOOD_FRIDAY and not self.settings.good_friday_closed:
            holiday = None
        if holiday:
            return holiday
        if self.settings.liberation_day_every_year and (day.month, day.day) == (5, 5):
            return LIBERATION_DAY
        if day in self.settings.closing_days:
            label = self.settings.closing_days[day]
            return f"sluitingsdag: {label}" if label else "sluitingsdag"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def atw_reason(self, day: date) -> str | None:
        """Why ``day`` is in the Algemene termijnenwet set, or None if a term may end on it."""
        holiday = self.public_holiday(day)
        if holiday:  # includes Goede Vrijdag: Atw art. 3 lid 2, whatever the organisation does
            return holiday
        if (day.month, day.day) == (5, 5):
            return LIBERATION_DAY
        if day in self.settings.atw_decree_days:
            return self.settings.atw_decree_days[day]
        return _WEEKEND.get(day.weekday())

    # -- arithmetic -------------------------------------------------------------------
    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval (start, end]; negative if end < start.

        Counted with a running total per year, so the case list and the overview can ask it
        for thousands of old deadlines without walking every day each time.
        """
        if end < start:
            return -self.working_days_between(end, start)
        total = self._working_up_to(end) - self._working_up_to(start)
        for year in range(start.year, end.year):
            total += self._year_prefix(year)[-1]
        return total

    def _working_up_to(self, day: date) -> int:
        """Working days from 1 January of ``day``'s year up to and including ``day``."""
        return self._year_prefix(day.year)[day.timetuple().tm_yday]

    def _year_prefix(self, year: int) -> list[int]:
        table = self._working_prefix.get(year)
        if table is None:
            table, day = [0], date(year, 1, 1)
            while day.year == year:
                table.append(table[-1] + self.is_working_day(day))
                day += timedelta(days=1)
            self._working_prefix[year] = table
        return table

    def _atw_move(self, day: date) -> tuple[date, list[tuple[date, str]]]:
        moved_over = []
        while (reason := self.atw_reason(day)) is not None:
            moved_over.append((day, reason))
            day += timedelta(days=1)
        return day, moved_over

    def _free_days(self, start: date, end: date) -> int:
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.atw_reason(start + timedelta(days=offset)) is None
        )

    def term_end(self, start: date, term: Term, apply_atw: bool = True) -> ComputedDeadline:
        """The last day of ``term`` counted from ``start`` (the date of receipt)."""
        skipped: list[tuple[date, str]] = []
        if term.unit is TermUnit.WERKDAGEN:
            end = self.add_working_days(start, term.amount)
            for offset in range(1, (end - start).days):
                day = start + timedelta(days=offset)
                reason = self.closed_reason(day)
                if reason and day.weekday() not in _WEEKEND:
                    skipped.append((day, reason))
        elif term.unit is TermUnit.WEKEN:
            end = start + timedelta(weeks=term.amount)
        else:
            end = start + timedelta(days=term.amount)
        unadjusted = end

        moved_over: list[tuple[date, str]] = []
        extended = False
        unknown_year, unknown_is_past = None, False
        if apply_atw and self._atw_applies(start, end, term):
            end, moved_over = self._atw_move(end)
            # Art. 2: a term of three days or more holds at least two days outside the set.
            if term.nominal_days >= 3:
                while self._free_days(start, end) < 2:
                    extended = True
                    end, more = self._atw_move(end + timedelta(days=1))
                    moved_over.extend(more)
            if end.year not in self.decree_years:
                unknown_year = end.year
                # A later year known means this year's decree exists but is not entered.
                unknown_is_past = any(year > end.year for year in self.decree_years)
        return ComputedDeadline(
            due=end,
            start=start,
            term=term,
            unadjusted=unadjusted,
            moved_over=tuple(moved_over),
            skipped=tuple(skipped),
            extended_art2=extended,
            decree_unknown_year=unknown_year,
            decree_unknown_is_past=unknown_is_past,
        )

    @staticmethod
    def _atw_applies(start: date, end: date, term: Term) -> bool:
        # Atw art. 4: not for terms longer than twelve weeks, ninety days or three months.
        if term.unit is TermUnit.WEKEN:
            return term.amount <= _ATW_MAX_WEEKS
        if term.unit is TermUnit.DAGEN:
            return term.amount <= _ATW_MAX_DAYS
        return (end - start).days <= _ATW_MAX_DAYS
