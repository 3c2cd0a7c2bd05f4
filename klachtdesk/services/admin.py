"""Administration by ``beheer``: lists, users, calendar days, organisation settings and logo."""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klachtdesk.domain.calendar import GOOD_FRIDAY, ComputedDeadline
from klachtdesk.domain.deadlines import DeadlineKind, initial_deadlines
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.domain.validation import (
    MAX_LINE,
    clean_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    required_text,
)
from klachtdesk.services import settings as settings_service
from klachtdesk.services.cases import current_procedure_version, procedure_of
from klachtdesk.services.context import Context, audit
from klachtdesk.services.setup import check_password
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import (
    CalendarDay,
    Case,
    Category,
    Department,
    Employee,
    ProcedureVersion,
    User,
)
from klachtdesk.storage.models import Procedure as ProcedureRow

CLOSING = "sluitingsdag"
ATW = "atw"
LOGO_KEY = "org.logo"
MAX_LOGO_BYTES = 512 * 1024
MAX_CLOSING_RANGE_DAYS = 62
# Keys that have their own service: the logo is checked here, the procedure is chosen in
# services.procedures, and the key file's identity never changes.
_NOT_HERE = {
    LOGO_KEY: "wijzig het logo met 'Logo kiezen'.",
    "procedure.current": "kies de klachtenregeling op de pagina Klachtenregeling.",
    "database.file_id": "kan niet worden gewijzigd.",
}


# -- shared ------------------------------------------------------------------------------
@contextlib.contextmanager
def _admin_session(ctx: Context, what: str) -> Iterator[Session]:
    """One write transaction by a user who is (still, in the database) an active beheerder."""
    ctx.actor.require(Role.BEHEER, what=what)
    with ctx.db.session(write=True) as session:
        me = session.get(User, ctx.actor.user_id)
        if me is None or not me.active or Role.BEHEER not in _roles_of(me):
            # Another PC took the role away or deactivated this account since login.
            raise NotAllowed(
                "Uw account is intussen gewijzigd of gedeactiveerd; meld u opnieuw aan."
            )
        yield session


def _roles_of(user: User) -> frozenset[Role]:
    return parse_roles(user.roles) if user.roles else frozenset()


def _get(session: Session, model, item_id: int, noun: str):
    row = session.get(model, item_id)
    if row is None:
        raise ValidationError(noun, "bestaat niet (meer); vernieuw de lijst.")
    return row


# -- categories and departments ------------------------------------------------------------
@dataclass(frozen=True)
class NamedItem:
    id: int
    name: str
    active: bool
    cases: int  # how many cases refer to it (in use: cannot be removed)


_NOUNS = {Category: ("categorie", "categorieën"), Department: ("afdeling", "afdelingen")}


def _list_named(ctx: Context, model, column, include_inactive: bool) -> list[NamedItem]:
    with ctx.db.session() as session:
        counts = dict(
            session.execute(
                select(column, func.count(Case.id)).where(column.is_not(None)).group_by(column)
            ).all()
        )
        query = select(model).order_by(func.lower(model.name))
        if not include_inactive:
            query = query.where(model.active)
        return [
            NamedItem(row.id, row.name, row.active, counts.get(row.id, 0))
            for row in session.scalars(query)
        ]


def _unique_name(session: Session, model, name: str, noun: str, own_id: int | None = None) -> str:
    name = required_text(name, noun, max_length=MAX_LINE)
    clash = session.scalar(select(model).where(func.lower(model.name) == name.lower()))
    if clash is not None and clash.id != own_id:
        state = "" if clash.active else " (gedeactiveerd; u kunt die weer activeren)"
        raise ValidationError(noun, f"'{clash.name}' bestaat al{state}.")
    return name


def _add_named(ctx: Context, model, name: str) -> int:
    noun, plural = _NOUNS[model]
    with _admin_session(ctx, f"het beheer van {plural}") as session:
        name = _unique_name(session, model, name, noun)
        row = model(name=name, active=True)
        session.add(row)
        session.flush()
        audit(session, ctx, f"{noun}_toegevoegd", name)
        return row.id


def _rename_named(ctx: Context, model, item_id: int, name: str) -> None:
    noun, plural = _NOUNS[model]
    with _admin_session(ctx, f"het beheer van {plural}") as session:
        row = _get(session, model, item_id, noun)
        name = _unique_name(session, model, name, noun, own_id=row.id)
        if name != row.name:
            audit(session, ctx, f"{noun}_hernoemd", name, f"was: {row.name}")
            row.name = name


def _set_named_active(ctx: Context, model, item_id: int, active: bool) -> None:
    noun, plural = _NOUNS[model]
    with _admin_session(ctx, f"het beheer van {plural}") as session:
        row = _get(session, model, item_id, noun)
        if row.active != active:
            row.active = active
            audit(session, ctx, f"{noun}_{'geactiveerd' if active else 'gedeactiveerd'}", row.name)


def list_categories(ctx: Context, include_inactive: bool = True) -> list[NamedItem]:
    return _list_named(ctx, Category, Case.category_id, include_inactive)


def add_category(ctx: Context, name: str) -> int:
    return _add_named(ctx, Category, name)


def rename_category(ctx: Context, category_id: int, name: str) -> None:
    """Renaming keeps the cases: they refer to the category, not to its name."""
    _rename_named(ctx, Category, category_id, name)


def set_category_active(ctx: Context, category_id: int, active: bool) -> None:
    """A deactivated category stays on its cases but is no longer offered for new ones."""
    _set_named_active(ctx, Category, category_id, active)


def remove_category(ctx: Context, category_id: int) -> None:
    """Only a category no case uses can be removed; one in use can be deactivated."""
    with _admin_session(ctx, "het beheer van categorieën") as session:
        row = _get(session, Category, category_id, "categorie")
        used = session.scalar(select(func.count(Case.id)).where(Case.category_id == row.id))
        if used:
            raise ValidationError(
                "categorie",
                f"'{row.name}' wordt gebruikt in {used} "
                f"{'zaak' if used == 1 else 'zaken'} en kan daarom niet worden verwijderd; "
                "deactiveer de categorie in plaats daarvan.",
            )
        audit(session, ctx, "categorie_verwijderd", row.name)
        session.delete(row)


def list_departments(ctx: Context, include_inactive: bool = True) -> list[NamedItem]:
    return _list_named(ctx, Department, Case.department_id, include_inactive)


def add_department(ctx: Context, name: str) -> int:
    return _add_named(ctx, Department, name)


def rename_department(ctx: Context, department_id: int, name: str) -> None:
    _rename_named(ctx, Department, department_id, name)


def set_department_active(ctx: Context, department_id: int, active: bool) -> None:
    _set_named_active(ctx, Department, department_id, active)


# -- employees ----------------------------------------------------------------------------
@dataclass(frozen=True)
class EmployeeInfo:
    id: int
    name: str
    function_title: str
    department_id: int | None
    department: str
    active: bool
    cases: int


def list_employees(ctx: Context, include_inactive: bool = True) -> list[EmployeeInfo]:
    with ctx.db.session() as session:
        counts = dict(
            session.execute(
                select(Case.employee_id, func.count(Case.id))
                .where(Case.employee_id.is_not(None))
                .group_by(Case.employee_id)
            ).all()
        )
        query = (
            select(Employee, Department.name)
            .outerjoin(Department, Department.id == Employee.department_id)
            .order_by(func.lower(Employee.name))
        )
        if not include_inactive:
            query = query.where(Employee.active)
        return [
            EmployeeInfo(
                e.id,
                e.name,
                e.function_title,
                e.department_id,
                department or "",
                e.active,
                counts.get(e.id, 0),
            )
            for e, department in session.execute(query)
        ]


def _employee_fields(
    session: Session, name: str, function_title: str, department_id: int | None, own_id=None
) -> tuple[str, str, int | None]:
    name = required_text(name, "naam medewerker", max_length=MAX_LINE)
    function_title = clean_text(function_title, "functie", max_length=MAX_LINE)
    # Complaints name the employee concerned by name, so two active people may not share one.
    clash = session.scalar(
        select(Employee).where(func.lower(Employee.name) == name.lower(), Employee.active)
    )
    if clash is not None and clash.id != own_id:
        raise ValidationError(
            "naam medewerker",
            f"er is al een actieve medewerker '{clash.name}'; "
            "voeg iets toe om ze uit elkaar te houden (bijvoorbeeld een voorletter).",
        )
    if department_id is not None:
        _get(session, Department, department_id, "afdeling")
    return name, function_title, department_id


def add_employee(
    ctx: Context, name: str, function_title: str = "", department_id: int | None = None
) -> int:
    with _admin_session(ctx, "het beheer van medewerkers") as session:
        name, function_title, department_id = _employee_fields(
            session, name, function_title, department_id
        )
        row = Employee(name=name, function_title=function_title, department_id=department_id)
        session.add(row)
        session.flush()
        audit(session, ctx, "medewerker_toegevoegd", f"medewerker {row.id}")
        return row.id


def update_employee(
    ctx: Context,
    employee_id: int,
    name: str,
    function_title: str = "",
    department_id: int | None = None,
) -> None:
    with _admin_session(ctx, "het beheer van medewerkers") as session:
        row = _get(session, Employee, employee_id, "medewerker")
        name, function_title, department_id = _employee_fields(
            session, name, function_title, department_id, own_id=row.id
        )
        row.name, row.function_title, row.department_id = name, function_title, department_id
        audit(session, ctx, "medewerker_gewijzigd", f"medewerker {row.id}")


def set_employee_active(ctx: Context, employee_id: int, active: bool) -> None:
    with _admin_session(ctx, "het beheer van medewerkers") as session:
        row = _get(session, Employee, employee_id, "medewerker")
        if active and not row.active:
            _employee_fields(session, row.name, row.function_title, row.department_id, row.id)
        if row.active != active:
            row.active = active
            state = "geactiveerd" if active else "gedeactiveerd"
            audit(session, ctx, f"medewerker_{state}", f"medewerker {row.id}")


# -- users ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    function_title: str
    roles: frozenset[Role]
    active: bool
    employee_id: int | None
    employee: str
    is_me: bool


def list_users(ctx: Context) -> list[UserInfo]:
    ctx.actor.require(Role.BEHEER, what="het beheer van gebruikers")
    with ctx.db.session() as session:
        rows = session.execute(
            select(User, Employee.name)
            .outerjoin(Employee, Employee.id == User.employee_id)
            .order_by(User.username)
        ).all()
        return [
            UserInfo(
                u.id,
                u.username,
                u.display_name,
                u.function_title,
                _roles_of(u),
                u.active,
                u.employee_id,
                employee or "",
                u.id == ctx.actor.user_id,
            )
            for u, employee in rows
        ]


def _other_active_beheer(session: Session, user: User) -> bool:
    return any(
        Role.BEHEER in _roles_of(other)
        for other in session.scalars(select(User).where(User.active, User.id != user.id))
    )


def _check_keeps_a_beheerder(session: Session, user: User, what: str) -> None:
    """Never leave the organisation without an active beheerder (nobody could add users)."""
    if user.active and Role.BEHEER in _roles_of(user) and not _other_active_beheer(session, user):
        raise NotAllowed(
            f"{user.display_name} is de laatste actieve beheerder en kan daarom niet {what}. "
            "Geef eerst een andere gebruiker de rol Beheerder."
        )


def set_user_roles(ctx: Context, user_id: int, roles: Iterable[Role | str]) -> None:
    wanted = parse_roles(",".join(str(r) for r in roles))
    with _admin_session(ctx, "het beheer van gebruikers") as session:
        user = _get(session, User, user_id, "gebruiker")
        if Role.BEHEER in _roles_of(user) and Role.BEHEER not in wanted:
            _check_keeps_a_beheerder(session, user, "de rol Beheerder verliezen")
            if user.id == ctx.actor.user_id:
                raise NotAllowed(
                    "U kunt uw eigen rol Beheerder niet intrekken; laat een andere beheerder "
                    "dat doen."
                )
        text = ",".join(sorted(r.value for r in wanted))
        if text != ",".join(sorted(r.value for r in _roles_of(user))):
            user.roles = text
            audit(session, ctx, "gebruiker_rollen_gewijzigd", user.username, text)


def update_user(
    ctx: Context,
    user_id: int,
    display_name: str,
    function_title: str = "",
    employee_id: int | None = None,
) -> None:
    """Name and function (for letters) and, if the user is also an employee, which one.

    The employee link makes the independence rule work: nobody handles a complaint about
    themselves.
    """
    with _admin_session(ctx, "het beheer van gebruikers") as session:
        user = _get(session, User, user_id, "gebruiker")
        user.display_name = required_text(display_name, "naam", max_length=MAX_LINE)
        user.function_title = clean_text(function_title, "functie", max_length=MAX_LINE)
        if employee_id is not None:
            _get(session, Employee, employee_id, "medewerker")
        user.employee_id = employee_id
        audit(session, ctx, "gebruiker_gewijzigd", user.username)


def deactivate_user(ctx: Context, user_id: int) -> None:
    """The user can no longer log in: the account is kept, their key slot is removed."""
    keys_path = key_file_path(ctx.db.path)
    keyfile = KeyFile.load(keys_path)
    with _admin_session(ctx, "het beheer van gebruikers") as session:
        user = _get(session, User, user_id, "gebruiker")
        if not user.active:
            return
        _check_keeps_a_beheerder(session, user, "worden gedeactiveerd")
        if user.id == ctx.actor.user_id:
            raise NotAllowed("U kunt uzelf niet deactiveren; laat een andere beheerder dat doen.")
        user.active = False
        audit(session, ctx, "gebruiker_gedeactiveerd", user.username)
        # Without a slot the old password no longer unwraps the database key, not even with
        # a copy of the files outside KlachtDesk. Written last: if it fails, nothing changes.
        keyfile.remove_user(user.username)
        keyfile.save(keys_path)


def _give_password(ctx: Context, user_id: int, password: str, reactivate: bool) -> None:
    check_password(password)
    keys_path = key_file_path(ctx.db.path)
    keyfile = KeyFile.load(keys_path)
    with _admin_session(ctx, "het beheer van gebruikers") as session:
        user = _get(session, User, user_id, "gebruiker")
        if user.active == reactivate:
            if reactivate:
                return
            raise ValidationError(
                "wachtwoord", f"{user.display_name} is gedeactiveerd; activeer de gebruiker."
            )
        user.active = True
        user.password_changed_at = ctx.now()
        action = "gebruiker_geactiveerd" if reactivate else "wachtwoord_opnieuw_ingesteld"
        audit(session, ctx, action, user.username)
        keyfile.set_user(user.username, password, ctx.db.key)
        keyfile.save(keys_path)


def reactivate_user(ctx: Context, user_id: int, password: str) -> None:
    """A deactivated user comes back with a new password chosen by the beheerder."""
    _give_password(ctx, user_id, password, reactivate=True)


def reset_password(ctx: Context, user_id: int, password: str) -> None:
    """A colleague forgot their password: the beheerder sets a new one (data stays as is)."""
    _give_password(ctx, user_id, password, reactivate=False)


# -- calendar: closing days and Atw decree days -------------------------------------------
@dataclass(frozen=True)
class CalendarEntry:
    day: date
    label: str


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


def list_atw_days(ctx: Context) -> list[CalendarEntry]:
    return _list_days(ctx, ATW)


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
    with _admin_session(ctx, "het beheer van de kalender") as session:
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
    with _admin_session(ctx, "het beheer van de kalender") as session:
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


def add_atw_day(ctx: Context, day: date, label: str) -> None:
    """A day made equal to a public holiday by Royal decree (Atw art. 3 lid 3)."""
    label = required_text(label, "omschrijving", max_length=MAX_LINE)
    if day.weekday() >= 5:
        raise ValidationError(
            "datum", "valt in het weekend; de Algemene termijnenwet telt die dag al mee."
        )
    with _admin_session(ctx, "het beheer van de kalender") as session:
        exists = session.scalar(
            select(CalendarDay.id).where(CalendarDay.kind == ATW, CalendarDay.day == day)
        )
        if exists is not None:
            raise ValidationError("datum", f"{day:%d-%m-%Y} staat al in de lijst.")
        session.add(CalendarDay(day=day, kind=ATW, label=label))
        audit(session, ctx, "atw_dag_toegevoegd", str(day), label)


def remove_atw_days(ctx: Context, days: Iterable[date]) -> int:
    return _remove_days(ctx, ATW, days, "atw_dagen_verwijderd")


def preview_deadlines(ctx: Context, received: date) -> dict[DeadlineKind, ComputedDeadline]:
    """The deadlines a complaint received on ``received`` would get now (no case is made)."""
    with ctx.db.session() as session:
        procedure = procedure_of(current_procedure_version(session))
        return initial_deadlines(received, procedure, settings_service.load_calendar(session))


# -- organisation settings and logo ------------------------------------------------------------
KEEP: Any = object()  # save_settings: leave the logo as it is


def decode_logo(text: str) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def encode_logo(data: bytes) -> str:
    """Check a PNG or JPEG image and return it as base64 text for the setting."""
    if not data:
        raise ValidationError("logo", "het bestand is leeg.")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            "logo",
            f"het bestand is {len(data) // 1024} kB; kies een afbeelding van ten hoogste "
            f"{MAX_LOGO_BYTES // 1024} kB.",
        )
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise ValidationError("logo", "kies een afbeelding in PNG- of JPEG-formaat.")
    return base64.b64encode(data).decode("ascii")


def logo_bytes(ctx: Context) -> bytes | None:
    """The organisation's logo (PNG or JPEG), or None."""
    return decode_logo(settings_service.get_settings(ctx).get(LOGO_KEY, ""))


def _checked(key: str, value: Any) -> Any:
    value = settings_service.coerce(key, value)
    label = settings_service.BY_KEY[key].label
    if key == "org.name" and not value:
        raise ValidationError(label, "is verplicht; de naam staat boven elke brief.")
    if not value:
        return value
    try:
        if key == "org.postcode":
            return normalise_postcode(value)
        if key == "org.email":
            return normalise_email(value)
        if key == "org.phone":
            normalise_phone(value)  # checked, but written as the organisation writes it
    except ValidationError as error:
        raise ValidationError(label, error.message) from None
    return value


def save_settings(ctx: Context, changes: dict[str, Any], logo: bytes | None = KEEP) -> list[str]:
    """Save organisation settings and, if given, the logo (None removes it) in one go.

    Returns the keys that really changed; each gets an audit entry.
    """
    ctx.actor.require(Role.BEHEER, what="het wijzigen van instellingen")
    clean = {}
    for key, value in changes.items():
        if key in _NOT_HERE:
            label = settings_service.BY_KEY[key].label
            raise ValidationError(label, _NOT_HERE[key])
        clean[key] = _checked(key, value)
    if logo is not KEEP:
        clean[LOGO_KEY] = encode_logo(logo) if logo is not None else ""
    with _admin_session(ctx, "het wijzigen van instellingen") as session:
        current = settings_service.read_all(session)
        changed = [key for key, value in clean.items() if current.get(key) != value]
        for key in changed:
            settings_service.write(session, key, clean[key])
            audit(session, ctx, "instelling_gewijzigd", key)
        return changed


# -- procedures ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcedureInfo:
    key: str
    name: str
    version: int
    procedure: Procedure
    created_at: datetime
    created_by: str
    note: str
    current: bool  # the organisation's procedure for new cases


def list_procedures(ctx: Context) -> list[ProcedureInfo]:
    """The latest version of each procedure; ``current`` marks the one new cases get."""
    with ctx.db.session() as session:
        chosen = settings_service.read_all(session)["procedure.current"]
        result = []
        for row in session.scalars(select(ProcedureRow).order_by(ProcedureRow.id)):
            version = session.get(ProcedureVersion, row.current_version_id)
            author = session.get(User, version.created_by_id) if version.created_by_id else None
            result.append(
                ProcedureInfo(
                    row.key,
                    row.name,
                    version.version,
                    procedure_of(version),
                    version.created_at,
                    author.display_name if author else "",
                    version.note,
                    row.key == chosen,
                )
            )
        return result
