"""Organisation settings, declared once: key, type, default and Dutch label."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.calendar import CalendarSettings, DeadlineCalendar, atw_decree_days
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import (
    clean_text,
    normalise_email,
    normalise_kvk,
    normalise_phone,
    normalise_postcode,
    normalise_website,
)
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import CalendarDay, Setting

MAX_SETTING_TEXT = 1000  # a folder path is the longest text setting


@dataclass(frozen=True)
class SettingDecl:
    key: str
    label: str
    type: type
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    # a text's check and normal form, as a complainant's data is checked ('' stays allowed)
    check: Callable[[str], str] | None = None
    max_length: int = MAX_SETTING_TEXT  # of a text


def _valid_phone(text: str) -> str:
    """Checked like a complainant's number, but kept as the organisation writes it."""
    normalise_phone(text)
    return text


DECLARATIONS: tuple[SettingDecl, ...] = (
    SettingDecl("org.name", "Naam organisatie", str, ""),
    SettingDecl("org.street", "Adres (straat en huisnummer)", str, ""),
    SettingDecl("org.postcode", "Postcode", str, "", check=normalise_postcode),
    SettingDecl("org.city", "Plaats", str, ""),
    SettingDecl("org.phone", "Telefoonnummer", str, "", check=_valid_phone),
    SettingDecl("org.email", "E-mailadres", str, "", check=normalise_email),
    SettingDecl("org.website", "Website", str, "", check=normalise_website),
    SettingDecl("org.kvk", "KvK-nummer", str, "", check=normalise_kvk),
    # base64 of a PNG or JPEG: admin.encode_logo allows 512 kB (about 700,000 characters)
    SettingDecl("org.logo", "Logo (afbeelding)", str, "", max_length=1_000_000),
    SettingDecl("letters.signature_name", "Naam ondertekenaar", str, ""),
    SettingDecl("letters.signature_function", "Functie ondertekenaar", str, ""),
    SettingDecl(
        "letters.address_left_mm", "Adresvenster: afstand vanaf links (mm)", int, 20, 0, 150
    ),
    SettingDecl(
        "letters.address_top_mm", "Adresvenster: afstand vanaf boven (mm)", int, 50, 0, 250
    ),
    SettingDecl("calendar.good_friday_closed", "Goede Vrijdag is een vrije dag", bool, True),
    SettingDecl(
        "calendar.liberation_day_every_year", "5 mei is elk jaar een vrije dag", bool, False
    ),
    SettingDecl(
        "security.idle_lock_minutes", "Automatisch vergrendelen na (minuten)", int, 10, 1, 240
    ),
    SettingDecl("retention.years_after_closing", "Bewaartermijn na sluiten (jaren)", int, 2, 1, 20),
    SettingDecl("backup.folder", "Map voor back-ups", str, ""),
    SettingDecl("backup.keep_daily", "Dagelijkse back-ups bewaren", int, 7, 1, 60),
    SettingDecl("backup.keep_weekly", "Wekelijkse back-ups bewaren", int, 4, 0, 52),
    SettingDecl("backup.keep_monthly", "Maandelijkse back-ups bewaren", int, 12, 0, 120),
    SettingDecl(
        "backup.warn_after_days",
        "Waarschuwen als de laatste back-up ouder is dan (dagen)",
        int,
        7,
        1,
        90,
    ),
    SettingDecl("backup.last_at", "Laatste geslaagde back-up", str, ""),
    # The number the next back-up is made after (written into the copy and its manifest): the
    # order of back-ups when their dates cannot be trusted.
    SettingDecl("backup.sequence", "Volgnummer van de laatste back-up", int, 0, 0),
    # The latest future date a back-up was seen with: the clock ran ahead (a warning until then).
    SettingDecl("backup.clock_ahead_until", "Back-up met een datum in de toekomst", str, ""),
    SettingDecl("procedure.current", "Klachtenregeling", str, "woonpartners"),
    SettingDecl("database.file_id", "Kenmerk van het sleutelbestand", str, ""),
)
BY_KEY = {decl.key: decl for decl in DECLARATIONS}


def coerce(key: str, value: Any) -> Any:
    decl = BY_KEY.get(key)
    if decl is None:
        raise ValidationError(key, "is geen bekende instelling.")
    if decl.type is bool:
        if isinstance(value, str):
            value = value.strip().lower() in ("1", "ja", "true", "waar", "aan")
        return bool(value)
    if decl.type is int:
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(decl.label, "verwacht een heel getal.") from None
        if (decl.minimum is not None and value < decl.minimum) or (
            decl.maximum is not None and value > decl.maximum
        ):
            raise ValidationError(
                decl.label, f"kies een getal van {decl.minimum} tot en met {decl.maximum}."
            )
        return value
    # Names and addresses printed on every letter: no control or invisible characters.
    text = clean_text(str(value), decl.label, max_length=decl.max_length)
    if text and decl.check is not None:
        try:
            return decl.check(text)
        except ValidationError as error:
            raise ValidationError(decl.label, error.message) from None
    return text


def read_all(session: Session) -> dict[str, Any]:
    values = {decl.key: decl.default for decl in DECLARATIONS}
    for row in session.scalars(select(Setting)):
        if row.key in BY_KEY:
            values[row.key] = json.loads(row.value)
    return values


def write(session: Session, key: str, value: Any) -> None:
    value = coerce(key, value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def get_settings(ctx: Context) -> dict[str, Any]:
    with ctx.db.session() as session:
        return read_all(session)


def update_settings(ctx: Context, changes: dict[str, Any]) -> None:
    ctx.actor.require(Role.BEHEER, what="instellingen wijzigen")
    with ctx.db.session(write=True) as session:
        for key, value in changes.items():
            if key == "database.file_id":
                raise ValidationError(key, "kan niet worden gewijzigd.")
            write(session, key, value)
            audit(session, ctx, "instelling_gewijzigd", key)


def load_calendar(session: Session) -> DeadlineCalendar:
    """The organisation's calendar: its settings and closing days, and the Atw decree days.

    The decree days are the shipped decrees' (law, so every database counts with them, also
    one made before a decree was shipped) plus the days of later decrees beheer added.
    """
    values = read_all(session)
    closing: dict = {}
    added: list = []
    for day in session.scalars(select(CalendarDay)):
        if day.kind == "sluitingsdag":
            closing[day.day] = day.label
        else:
            added.append(day.day)
    return DeadlineCalendar(
        CalendarSettings(
            closing_days=closing,
            good_friday_closed=values["calendar.good_friday_closed"],
            liberation_day_every_year=values["calendar.liberation_day_every_year"],
            atw_decree_days=atw_decree_days(added),
        )
    )
