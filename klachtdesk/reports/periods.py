"""Evaluation periods: a half-year ('2026H1') or any range of days, and the one before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from klachtdesk.domain.errors import ValidationError

LOCALE = "nl_NL"
_PERIOD_HELP = "schrijf bijvoorbeeld 2026H1, 2026H2 of 2026-01-01:2026-06-30."
_HALF = re.compile(r"^(\d{4})\s*-?\s*H([12])$", re.IGNORECASE)
_MAX_PERIOD_DAYS = 10 * 366


def long_date(day: date) -> str:
    """'1 januari 2026'."""
    return format_date(day, format="long", locale=LOCALE)


def short_date(day: date | None) -> str:
    """'01-01-2026', or an empty string."""
    return day.strftime("%d-%m-%Y") if day else ""


def _add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``day`` (``day`` is a 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A closed range of days, both ends included."""

    start: date
    end: date

    @property
    def half(self) -> int | None:
        """1 or 2 when the period is exactly a calendar half-year, else None."""
        if self.start.year != self.end.year:
            return None
        year = self.start.year
        if (self.start, self.end) == (date(year, 1, 1), date(year, 6, 30)):
            return 1
        if (self.start, self.end) == (date(year, 7, 1), date(year, 12, 31)):
            return 2
        return None

    @property
    def key(self) -> str:
        """'2026H1' for a half-year, else '2026-03-01:2026-05-31' (also the action points')."""
        if self.half:
            return f"{self.start.year}H{self.half}"
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """'1 januari 2026 – 30 juni 2026'."""
        return f"{long_date(self.start)} – {long_date(self.end)}"

    @property
    def short_label(self) -> str:
        """'1e halfjaar 2026', 'jaar 2026', or '01-03-2026 t/m 31-05-2026'."""
        if self.half:
            return f"{self.half}e halfjaar {self.start.year}"
        ends = (self.start.month, self.start.day, self.end.month, self.end.day)
        if ends == (1, 1, 12, 31) and self.start.year == self.end.year:
            return f"jaar {self.start.year}"
        return f"{short_date(self.start)} t/m {short_date(self.end)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before: whole months stay whole months."""
        end = self.start - timedelta(days=1)
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            return Period(_add_months(self.start, -months), end)
        return Period(end - timedelta(days=self.days - 1), end)


def parse_period(text: str) -> Period:
    """'2026H1', '2026H2' or 'YYYY-MM-DD:YYYY-MM-DD' (both days included)."""
    value = (text or "").strip()
    if not value:
        raise ValidationError("periode", f"geef een periode op; {_PERIOD_HELP}")
    half = _HALF.match(value)
    if half:
        year, number = int(half.group(1)), int(half.group(2))
        if year < 2000:
            raise ValidationError("periode", f"het jaar {year} ligt vóór 2000; klopt dat?")
        if number == 1:
            return Period(date(year, 1, 1), date(year, 6, 30))
        return Period(date(year, 7, 1), date(year, 12, 31))
    parts = value.split(":")
    if len(parts) != 2:
        raise ValidationError("periode", f"'{value}' is geen periode; {_PERIOD_HELP}")
    try:
        start, end = (date.fromisoformat(part.strip()) for part in parts)
    except ValueError:
        raise ValidationError(
            "periode", f"'{value}' bevat geen geldige datums; {_PERIOD_HELP}"
        ) from None
    return make_period(start, end)


def make_period(start: date, end: date) -> Period:
    """A period from two days, checked (the window's from/to fields)."""
    if end < start:
        raise ValidationError("periode", "de einddatum ligt vóór de begindatum.")
    if start.year < 2000:
        raise ValidationError("periode", "de begindatum ligt vóór 2000; klopt dat?")
    if (end - start).days >= _MAX_PERIOD_DAYS:
        raise ValidationError("periode", "kies een periode van hoogstens tien jaar.")
    return Period(start, end)


def last_finished_half_year(today: date) -> Period:
    """The half-year that ended most recently: what an evaluation usually looks back on."""
    if today.month >= 7:
        return Period(date(today.year, 1, 1), date(today.year, 6, 30))
    return Period(date(today.year - 1, 7, 1), date(today.year - 1, 12, 31))
