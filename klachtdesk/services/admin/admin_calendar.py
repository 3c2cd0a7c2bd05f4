"""The calendar beheer keeps: closing days, Atw decree days and a preview of the deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from klachtdesk.domain.calendar import (
    ATW_DECREE_YEARS,
    GOOD_FRIDAY,
    LIBERATION_DAY,
    SHIPPED_DECREES,
    ComputedDeadline,
    decree_day_reason,
    shipped_decree,
)
from klachtdesk.domain.deadlines import DeadlineKind, initial_deadlines
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import MAX_LINE, clean_text, required_text
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.admin.admin_access import admin_session
from klachtdesk.services.cases.cases import current_procedure_version, procedure_of
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import CalendarDay

CLOSING = "sluitingsdag"
ATW = "atw"
MAX_CLOSING_RANGE_DAYS = 62


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    label: str


@dataclass(frozen=True)
class AtwDay:
    """A day made equal to a public holiday by Royal decree, with the decree it comes from."""

    day: date
    reason: str  # as a deadline's explanation gives it
    decree: str  # the decree's title
    decree_short: str  # for a list: "Besluit 2023–2025" for a shipped one, else the title
    shipped: bool  # shipped with KlachtDesk: law, beheer cannot remove it


def _list_days(ctx: Context, kind: str) -> list[CalendarEntry]:
    with ctx.db.session() as session:
        return [
            CalendarEntry(row.day, row.label)
            for row in session.scalars(
                select(CalendarDay).where(CalendarDay.kind == kind).order_by(CalendarDay.day)
            )
        ]


def list_closing_days(ctx: Context) -> list[CalendarEntry]:
    return _list_days(ctx, CLOSING)


def list_atw_days(ctx: Context) -> list[AtwDay]:
    """The shipped decrees' days and the days beheer added from later decrees, by date.

    A database made before this version also holds copies of the 2026-2028 days (label: the
    reason); the shipped decree stands for them.
    """
    days = [
        AtwDay(day, reason, decree.title, decree.short_title, shipped=True)
        for decree in SHIPPED_DECREES
        for day, reason in decree.days.items()
    ]
    days += [
        AtwDay(entry.day, decree_day_reason(entry.day), entry.label, entry.label, shipped=False)
        for entry in _list_days(ctx, ATW)
        if shipped_decree(entry.day) is None
    ]
    return sorted(days, key=lambda entry: entry.day)


def known_decree_years(ctx: Context) -> list[int]:
    """The years for which a decree is known (shipped or added), in order."""
    return sorted({entry.day.year for entry in list_atw_days(ctx)} | ATW_DECREE_YEARS)


def add_closing_days(ctx: Context, first: date, last: date | None = None, label: str = "") -> int:
    """Add the weekdays from ``first`` to ``last`` as closing days; returns how many were new.

    Weekends and public holidays are no working days anyway and are left out (Good Friday
    is kept: whether it is a day off is a setting). Deadlines already computed stay as they
    are; cases received from now on count with the new days.
    """
    last = last or first
    label = clean_text(label, "omschrijving", max_length=MAX_LINE)
    if last < first:
        raise ValidationError("tot en met", "de einddatum ligt vóór de begindatum.")
    if (last - first).days >= MAX_CLOSING_RANGE_DAYS:
        raise ValidationError(
            "tot en met", f"kies een periode van ten hoogste {MAX_CLOSING_RANGE_DAYS} dagen."
        )
    with admin_session(ctx, "het beheer van de kalender") as session:
        known = set(
            session.scalars(
                select(CalendarDay.day).where(
                    CalendarDay.kind == CLOSING, CalendarDay.day.between(first, last)
                )
            )
        )
        calendar = settings_service.load_calendar(session)
        added = 0
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            holiday = calendar.public_holiday(day)
            if holiday == GOOD_FRIDAY:
                holiday = None
            if day.weekday() < 5 and not holiday and day not in known:
                session.add(CalendarDay(day=day, kind=CLOSING, label=label))
                added += 1
        if added:
            audit(session, ctx, "sluitingsdagen_toegevoegd", f"{first} t/m {last}", label)
        return added


def _remove_days(ctx: Context, kind: str, days: Iterable[date], action: str) -> int:
    days = sorted(set(days))
    with admin_session(ctx, "het beheer van de kalender") as session:
        rows = list(
            session.scalars(
                select(CalendarDay).where(CalendarDay.kind == kind, CalendarDay.day.in_(days))
            )
        )
        for row in rows:
            session.delete(row)
        if rows:
            audit(session, ctx, action, ", ".join(str(r.day) for r in rows)[:80])
        return len(rows)


def remove_closing_days(ctx: Context, days: Iterable[date]) -> int:
    return _remove_days(ctx, CLOSING, days, "sluitingsdagen_verwijderd")


def add_atw_day(ctx: Context, day: date, decree: str) -> None:
    """A day of a later decree (Atw art. 3 lid 3), with the title of that decree.

    Deadlines already computed stay as they are; deadlines computed from now on count with
    the day.
    """
    decree = required_text(decree, "titel van het besluit", max_length=MAX_LINE)
    with admin_session(ctx, "het beheer van de kalender") as session:
        if day.weekday() >= 5:
            raise ValidationError(
                "datum", "valt in het weekend; de Algemene termijnenwet telt die dag al mee."
            )
        holiday = settings_service.load_calendar(session).public_holiday(day)
        if holiday or (day.month, day.day) == (5, 5):
            raise ValidationError(
                "datum",
                f"is al een feestdag ({holiday or LIBERATION_DAY}); de Algemene termijnenwet "
                "telt die dag al mee.",
            )
        shipped = shipped_decree(day)
        if shipped is not None:
            raise ValidationError(
                "datum", f"{day:%d-%m-%Y} staat al in de lijst (meegeleverd: {shipped.title})."
            )
        exists = session.scalar(
            select(CalendarDay.id).where(CalendarDay.kind == ATW, CalendarDay.day == day)
        )
        if exists is not None:
            raise ValidationError("datum", f"{day:%d-%m-%Y} staat al in de lijst.")
        session.add(CalendarDay(day=day, kind=ATW, label=decree))
        audit(session, ctx, "atw_dag_toegevoegd", str(day), decree)


def remove_atw_days(ctx: Context, days: Iterable[date]) -> int:
    """Remove days beheer added; the days of a shipped decree are law and stay."""
    days = sorted(set(days))
    shipped = [day for day in days if shipped_decree(day) is not None]
    if shipped:
        ctx.actor.require(Role.BEHEER, what="het beheer van de kalender")
        listed = ", ".join(f"{day:%d-%m-%Y}" for day in shipped)
        if len(shipped) == 1:
            text = "komt uit een meegeleverd besluit en kan niet worden verwijderd"
        else:
            text = "komen uit meegeleverde besluiten en kunnen niet worden verwijderd"
        raise ValidationError("datum", f"{listed} {text}; een gelijkstellingsbesluit is wet.")
    return _remove_days(ctx, ATW, days, "atw_dagen_verwijderd")


def preview_deadlines(ctx: Context, received: date) -> dict[DeadlineKind, ComputedDeadline]:
    """The deadlines a complaint received on ``received`` would get now (no case is made)."""
    with ctx.db.session() as session:
        procedure = procedure_of(current_procedure_version(session))
        return initial_deadlines(received, procedure, settings_service.load_calendar(session))
