"""Creating a database, unlocking it, and managing the users who may unlock it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from klachtdesk.domain.calendar import ATW_DECREE_DAYS
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import PRESETS, preset
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.domain.validation import required_text
from klachtdesk.services import settings as settings_service
from klachtdesk.services.context import Actor, Context, audit
from klachtdesk.storage import migrate
from klachtdesk.storage.engine import Database, probe
from klachtdesk.storage.errors import DatabaseExists, DatabaseMissing, WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path, new_database_key
from klachtdesk.storage.models import (
    CalendarDay,
    Category,
    Department,
    Procedure,
    ProcedureVersion,
    User,
)

MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

DEFAULT_CATEGORIES = (
    "Dienstverlening",
    "Bejegening medewerker",
    "Onderhoud en reparaties",
    "Communicatie",
    "Overlast-afhandeling",
    "Huur en betalingen",
    "Woningtoewijzing",
)
DEFAULT_DEPARTMENTS = ("Klantenservice", "Wonen", "Vastgoed en onderhoud", "Financiën")


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise ValidationError(
            "gebruikersnaam",
            "gebruik 2 tot 40 kleine letters, cijfers, punten, streepjes of lage streepjes "
            "(bijvoorbeeld 'j.devries').",
        )
    return name


def check_password(password: str) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationError(
            "wachtwoord", f"kies een wachtwoord van ten minste {MIN_PASSWORD} tekens."
        )
    if password.strip() != password:
        raise ValidationError("wachtwoord", "begint of eindigt met een spatie; klopt dat niet?")
    return password


@dataclass(frozen=True)
class NewDatabase:
    path: Path
    recovery_code: str


def create_database(
    path: Path,
    org_name: str,
    procedure_key: str,
    admin_username: str,
    admin_password: str,
    admin_display_name: str = "",
    now: datetime | None = None,
) -> NewDatabase:
    """Create an encrypted database with one ``beheer`` user; return the recovery code."""
    path = Path(path)
    keys_path = key_file_path(path)
    for existing in (path, keys_path):
        if existing.exists():
            raise DatabaseExists(existing)
    if not path.parent.is_dir():
        raise ValidationError("database", f"de map '{path.parent}' bestaat niet.")
    org_name = required_text(org_name, "organisatie", max_length=200)
    procedure = preset(procedure_key)
    username = check_username(admin_username)
    check_password(admin_password)
    display = required_text(admin_display_name or username, "naam", max_length=200)
    now = now or datetime.now().replace(microsecond=0)

    key = new_database_key()
    keyfile = KeyFile.new()
    keyfile.set_user(username, admin_password, key)
    recovery = keyfile.set_recovery(key)
    db = Database(path, key)
    try:
        migrate.upgrade(db)
        with db.session(write=True) as session:
            for name, value in (
                ("org.name", org_name),
                ("procedure.current", procedure.key),
                ("database.file_id", keyfile.file_id),
            ):
                settings_service.write(session, name, value)
            for key_name, preset_procedure in PRESETS.items():
                row = Procedure(key=key_name, name=preset_procedure.name)
                session.add(row)
                session.flush()
                version = ProcedureVersion(
                    procedure_id=row.id,
                    version=1,
                    config=json.dumps(preset_procedure.to_dict()),
                    created_at=now,
                    note="standaardinstelling",
                )
                session.add(version)
                session.flush()
                row.current_version_id = version.id
            session.add_all(Category(name=name) for name in DEFAULT_CATEGORIES)
            session.add_all(Department(name=name) for name in DEFAULT_DEPARTMENTS)
            session.add_all(
                CalendarDay(day=day, kind="atw", label=label)
                for day, label in ATW_DECREE_DAYS.items()
            )
            session.add(
                User(
                    username=username,
                    display_name=display,
                    roles=Role.BEHEER.value,
                    created_at=now,
                    password_changed_at=now,
                )
            )
            audit(session, username, "database_aangemaakt", detail=procedure.key, at=now)
        keyfile.save(keys_path)
    except BaseException:
        db.dispose()
        path.unlink(missing_ok=True)
        Path(str(path) + "-journal").unlink(missing_ok=True)
        raise
    db.dispose()
    return NewDatabase(path, recovery)


def open_database(path: Path, key: bytes) -> Database:
    """Open and check an unlocked database file (schema version, not damaged)."""
    probe(path, key)
    db = Database(path, key)
    try:
        migrate.ensure_current(db)
    except BaseException:
        db.dispose()
        raise
    return db


def unlock(path: Path, username: str, password: str, **clock) -> Context:
    """Log in: unwrap the key with the user's password and open the database."""
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(path)
    keyfile = KeyFile.load(key_file_path(path))
    name = (username or "").strip().lower()
    key = keyfile.unlock(name, password)
    db = open_database(path, key)
    try:
        with db.session(write=True) as session:
            user = session.scalar(select(User).where(User.username == name))
            if user is None or not user.active:
                raise WrongPassword()
            actor = Actor(user.id, user.username, user.display_name, parse_roles(user.roles))
            ctx = Context(db, actor, **clock)
            audit(session, ctx, "aangemeld")
    except BaseException:
        db.dispose()
        raise
    return ctx


def add_user(
    ctx: Context,
    username: str,
    display_name: str,
    roles: str,
    password: str,
    function_title: str = "",
) -> None:
    """A ``beheer`` user adds a colleague, who gets a key slot of their own."""
    ctx.actor.require(Role.BEHEER, what="gebruikers beheren")
    name = check_username(username)
    check_password(password)
    role_set = parse_roles(roles)
    display = required_text(display_name, "naam", max_length=200)
    keys_path = key_file_path(ctx.db.path)
    keyfile = KeyFile.load(keys_path)
    with ctx.db.session(write=True) as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationError("gebruikersnaam", f"'{name}' bestaat al.")
        session.add(
            User(
                username=name,
                display_name=display,
                roles=",".join(sorted(r.value for r in role_set)),
                function_title=function_title.strip(),
                created_at=ctx.now(),
                password_changed_at=ctx.now(),
            )
        )
        audit(session, ctx, "gebruiker_toegevoegd", name, ",".join(sorted(role_set)))
        # The key slot is written last, inside the transaction: if it fails, no user row.
        keyfile.set_user(name, password, ctx.db.key)
        keyfile.save(keys_path)


def change_password(ctx: Context, old_password: str, new_password: str) -> None:
    """Rewrap the acting user's key slot; the data is not re-encrypted."""
    check_password(new_password)
    keys_path = key_file_path(ctx.db.path)
    keyfile = KeyFile.load(keys_path)
    keyfile.unlock(ctx.actor.username, old_password)
    with ctx.db.session(write=True) as session:
        user = session.get(User, ctx.actor.user_id)
        user.password_changed_at = ctx.now()
        audit(session, ctx, "wachtwoord_gewijzigd", ctx.actor.username)
        keyfile.set_user(ctx.actor.username, new_password, ctx.db.key)
        keyfile.save(keys_path)


def verify_password(ctx: Context, password: str) -> None:
    """Check the acting user's password again (unlocking after the idle lock)."""
    keyfile = KeyFile.load(key_file_path(ctx.db.path))
    if keyfile.unlock(ctx.actor.username, password) != ctx.db.key:
        raise WrongPassword()


class LoginThrottle:
    """A growing wait after repeated wrong passwords: 3 free tries, then 2, 4, 8 … 60 s."""

    FREE_TRIES = 3
    MAX_DELAY_S = 60

    def __init__(self) -> None:
        self.failures = 0

    def failed(self) -> int:
        """Record a failure; returns the seconds to wait before the next try."""
        self.failures += 1
        return self.delay()

    def delay(self) -> int:
        extra = self.failures - self.FREE_TRIES
        return 0 if extra <= 0 else min(2**extra, self.MAX_DELAY_S)

    def succeeded(self) -> None:
        self.failures = 0
