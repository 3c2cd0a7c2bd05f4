"""Creating a database, unlocking it, and managing the users who may unlock it."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.domain.passwords import check_password
from klachtdesk.domain.procedures import PRESETS, preset
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.domain.validation import MAX_LINE, clean_text, required_text
from klachtdesk.services.admin import login_guard
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.admin.admin_access import admin_session, roles_of
from klachtdesk.services.admin.revocation import REKEYED, revoke
from klachtdesk.services.context import (
    Actor,
    Context,
    DeferredEntry,
    audit,
    move_waiting_audit,
)
from klachtdesk.services.safety import signatures
from klachtdesk.services.safety.backup import remove_leftover_work_folders
from klachtdesk.storage import migrate
from klachtdesk.storage import rekey as rekeying
from klachtdesk.storage.address import is_server_address
from klachtdesk.storage.engine import Database, opens_with, probe
from klachtdesk.storage.errors import (
    DatabaseBusy,
    DatabaseExists,
    DatabaseMissing,
    DiskFull,
    DiskWriteFailed,
    KeyFileWriteFailed,
    ReadOnlyDatabase,
    WrongPassword,
)
from klachtdesk.storage.keyring import Keyring
from klachtdesk.storage.keyslots import (
    KeyFile,
    Opened,
    forget_failed_logins,
    key_file_path,
    load_failed_logins,
    make_private,
    new_database_key,
    record_failed_login,
)
from klachtdesk.storage.location import check_location
from klachtdesk.storage.models import (
    Category,
    Department,
    Procedure,
    ProcedureVersion,
    User,
)

# Logging in needs no write lock: while another PC writes (a long import), the login's own
# audit entry waits at most this long for the lock, then waits in the context instead.
LOGIN_WAIT_S = 0.5
KEY_REGISTERED = "sleutel_vastgelegd"
UNKNOWN_USER = "onbekende gebruiker"  # the audit log's name for a name nobody has
FAILED_LOGIN = "aanmelden_mislukt"
ATTEMPTS_VANISHED = "aanmeldpogingen_verdwenen"
ATTEMPTS_VANISHED_DETAIL = (
    "het bestand met mislukte aanmeldingen naast de database is verwijderd of vervangen "
    "(of een back-up is teruggezet); eerder geziene pogingen ontbreken"
)
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
    admin_roles: str = Role.BEHEER.value,
) -> NewDatabase:
    """Create an encrypted database with its first user, who always holds ``beheer`` (in a
    small team also the other roles: ``admin_roles``); return the recovery code."""
    path = Path(path)
    check_location(path)
    keys_path = key_file_path(path)
    for existing in (path, keys_path):
        if existing.exists():
            raise DatabaseExists(existing)
    if not path.parent.is_dir():
        raise ValidationError("database", f"de map '{path.parent}' bestaat niet.")
    org_name = required_text(org_name, "organisatie", max_length=200)
    procedure = preset(procedure_key)
    username = check_username(admin_username)
    display = required_text(admin_display_name or username, "naam", max_length=200)
    check_password(admin_password, username, display, org_name)
    roles = parse_roles(admin_roles) | {Role.BEHEER}
    now = now or datetime.now().replace(microsecond=0)

    key = new_database_key()
    keyfile = KeyFile.new()
    identity = keyfile.set_user(username, admin_password, key)
    recovery = keyfile.set_recovery(key)
    keyfile.root = signatures.public_key(identity)  # every later grant traces back to it
    db = Database(path, key)
    db.signer = identity.sign
    try:
        migrate.upgrade(db)
        with db.session(write=True) as session:
            for name, value in (
                ("org.name", org_name),
                ("procedure.current", procedure.key),
                ("database.file_id", keyfile.file_id),
            ):
                settings_service.write(session, name, value)
            add_preset_procedures(session, now)
            session.add_all(Category(name=name) for name in DEFAULT_CATEGORIES)
            session.add_all(Department(name=name) for name in DEFAULT_DEPARTMENTS)
            session.add(
                User(
                    username=username,
                    display_name=display,
                    roles=",".join(sorted(r.value for r in roles)),
                    created_at=now,
                    password_changed_at=now,
                )
            )
            audit(
                session,
                username,
                "database_aangemaakt",
                detail=procedure.key,
                at=now,
                grants=signatures.grants_json(
                    signatures.grant(username, roles, True, keyfile.root),
                    signatures.grant(signatures.RECOVERY, (), True, keyfile.recovery_sign_key()),
                ),
            )
        keyfile.save(keys_path)
        make_private(path)
    except BaseException:
        db.dispose()
        path.unlink(missing_ok=True)
        Path(str(path) + "-journal").unlink(missing_ok=True)
        raise
    db.dispose()
    return NewDatabase(path, recovery)


def add_preset_procedures(session: Session, now: datetime) -> None:
    """The shipped procedures, each with its first version (a new database)."""
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


def database_exists(path: Path) -> bool:
    """Is there a database or its key file at ``path`` (creating there is refused)?"""
    path = Path(path)
    return path.exists() or key_file_path(path).exists()


def org_name(ctx: Context) -> str:
    """The organisation's name: a password made of it is guessed early."""
    with ctx.db.session() as session:
        return str(settings_service.read_all(session).get("org.name", ""))


def check_existing(path: Path) -> None:
    """Before logging in to a database another PC made: is it there, with its key file,
    in a place KlachtDesk may keep it (not a cloud-synchronised folder)?"""
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(path)
    check_location(path)
    KeyFile.load(key_file_path(path))  # a missing or damaged key file says so in Dutch


def check_server_address(address: str) -> None:
    """Before logging in to a database on a server: a PostgreSQL address, safe to use
    (no password in it, TLS with a checked certificate to another computer)."""
    from klachtdesk.storage.server import require_driver, server_url

    server_url(address, "adres")
    require_driver()


def open_database(path: Path, key: bytes, rehearsed: Database | None = None) -> Database:
    """Open and check an unlocked database file (schema version, not damaged); on the
    engine of ``rehearsed`` when given (services/admin/rehearsal.py)."""
    probe(path, key)
    db = Database(path, key) if rehearsed is None else rehearsed.open_file(path, key)
    try:
        migrate.ensure_current(db)
    except BaseException:
        db.dispose()
        raise
    return db


def unlock(
    path: Path, username: str, password: str, rehearsed: Database | None = None, **clock
) -> Context:
    """Log in: open the user's key slot with the password and open the database.

    A wrong name or password is noted beside the key file (the database is still locked)
    and moved into the audit log at the next successful login. Logging in only reads: when
    another PC holds the write lock, the 'aangemeld' entry is written by this user's next
    audited change (``Context.deferred``), with the time of the login. When the database
    cannot be written at all (a full disk, a read-only share), it opens to read only.
    After logging in, an interrupted re-key is finished, a slot from an earlier version is
    strengthened, and the work folders a killed back-up or restore left behind are removed
    (the windows and the command line both log in here). ``rehearsed``: the login window's
    rehearsal, whose engine then opens the file (``open_database``). A PostgreSQL address
    logs in to the server instead (services/admin/server_accounts.py).
    """
    if is_server_address(path):
        from klachtdesk.services.admin import server_accounts

        return server_accounts.unlock(str(path), username, password, **clock)
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(path)
    check_location(path)
    keys_path = key_file_path(path)
    keyfile = KeyFile.load(keys_path)
    name = (username or "").strip().lower()
    now = clock.get("now") or _now
    slot = "user:" + name
    login_guard.check(keys_path, keyfile, slot, now())  # before any key derivation
    try:
        opened = keyfile.open_user(name, password)
    except WrongPassword as error:
        _note_failed_login(keys_path, name, now())
        error.wait = login_guard.failed(keys_path, keyfile, slot, now())
        raise
    db = open_database(path, _working_key(path, keyfile, opened), rehearsed)
    db.keyring = Keyring(keys_path, opened.lookup, opened.identity)
    try:
        _move_failed_logins(db, keys_path)
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == name))
            # the roles the signed grants give, not what the users table says
            account = signatures.account_of(session, keyfile, name)
        if (
            user is None
            or not user.active
            or account is None
            or not account.active
            or not signatures.slot_is_granted(account, opened.identity)
        ):
            # a slot without an active account (deactivated on another PC meanwhile, or an
            # account nobody with the right to do so made or activated), or a slot someone
            # put in the key file by hand (not the key the grants name)
            _failed_login_without_account(db, keys_path, name, user is not None, now())
            refused = WrongPassword()
            refused.wait = login_guard.failed(keys_path, keyfile, slot, now())
            raise refused
        roles = parse_roles(",".join(sorted(account.roles))) if account.roles else frozenset()
        actor = Actor(user.id, user.username, user.display_name, roles)
        ctx = Context(db, actor, **clock)
        entries = [DeferredEntry("aangemeld", ctx.now())]
        if login_guard.attempts_file_vanished(keys_path, keyfile):
            entries.append(DeferredEntry(ATTEMPTS_VANISHED, ctx.now(), ATTEMPTS_VANISHED_DETAIL))
        try:
            with db.session(write=True, wait=LOGIN_WAIT_S) as session:
                for entry in entries:
                    audit(session, ctx, entry.action, detail=entry.detail, at=entry.at)
        except DatabaseBusy:
            ctx.deferred.extend(entries)
        except (DiskWriteFailed, DiskFull) as error:
            # A read-only share, a full disk: let the user read, and say why nothing can change.
            db.read_only = _read_only_reason(error)
            with contextlib.suppress(ReadOnlyDatabase), db.session() as session:
                for entry in entries:  # they wait on this PC for a login that can write
                    audit(session, ctx, entry.action, detail=entry.detail, at=entry.at)
        login_guard.succeeded(keyfile, slot)
        remove_leftover_work_folders(ctx)  # of a back-up or restore killed earlier
        if not db.read_only:
            move_waiting_audit(db)  # reads recorded on this PC while it could only read
            _after_login(ctx, password, opened)
            _integrity_at_login(ctx)
    except BaseException:
        db.dispose()
        raise
    return ctx


def _read_only_reason(error: Exception) -> str:
    """Why the login could not be written to the audit log, for the read-only banner."""
    if isinstance(error, DiskFull):
        return "de schijf is vol"
    return "de map of het bestand is alleen-lezen, of de netwerkschijf staat geen schrijven toe"


def _failed_login_without_account(
    db: Database, keys_path: Path, name: str, known: bool, at: datetime
) -> None:
    try:
        with db.session(write=True, wait=LOGIN_WAIT_S) as session:
            audit(session, name if known else UNKNOWN_USER, FAILED_LOGIN, at=at)
    except (DatabaseBusy, DiskWriteFailed, DiskFull):
        # another PC is writing, or nothing can be written: noted beside the key file
        _note_failed_login(keys_path, name, at)


def _working_key(path: Path, keyfile: KeyFile, opened: Opened) -> bytes:
    """The key this slot has that opens the database: the pending generation if a re-key
    got as far as the database, else the current one."""
    for generation in (keyfile.pending, keyfile.generation):
        key = opened.keys.get(generation) if generation is not None else None
        if key is not None and (generation == keyfile.generation or opens_with(path, key)):
            return key
    raise WrongPassword()  # the slot has no key for this database (a damaged slot)


def _after_login(ctx: Context, password: str, opened: Opened) -> None:
    """Finish an interrupted re-key; give a slot of an earlier version today's protection."""
    keys_path = key_file_path(ctx.db.path)
    pending = KeyFile.load(keys_path).pending
    if pending is not None and pending in opened.keys:
        rekeying.complete(ctx.db, opened.keys[pending])
        with ctx.db.session(write=True) as session:
            audit(session, ctx, REKEYED, detail="afgemaakt na een onderbreking")
    if opened.upgrade:
        with ctx.db.session(write=True):  # the write lock: no other PC writes the key file
            keyfile = KeyFile.load(keys_path)
            if keyfile.pending is None:
                lookup, identity = keyfile.rewrap(ctx.actor.username, password, opened, ctx.db.key)
                _save_keys(keyfile, keys_path)
                ctx.db.keyring.adopt(lookup, identity)
        if opened.identity is None:  # a slot from before signing got its first key
            _register_own_key(ctx)


def _register_own_key(ctx: Context) -> None:
    """The grants learn the key of an account from before signing, signed with that key."""
    name = ctx.actor.username
    with ctx.db.session(write=True) as session:
        keyfile = KeyFile.load(key_file_path(ctx.db.path))
        roles = signatures.roles_for_grant(session, keyfile, name)
        key = keyfile.sign_key_of(name)
        signatures.record_grants(
            session, ctx, KEY_REGISTERED, name, signatures.grant(name, roles, True, key)
        )


def _integrity_at_login(ctx: Context) -> None:
    """Start signing in a database from an earlier version; look for changes made behind
    KlachtDesk's back (a beheerder sees them); remember the newest entry on this PC."""
    try:
        signatures.introduce(ctx)
    except KeyFileWriteFailed as error:  # signing starts at a later login; this one goes on
        from klachtdesk.support import log_unexpected

        log_unexpected(error)
    keyfile = KeyFile.load(key_file_path(ctx.db.path))
    with ctx.db.session() as session:
        problems, witness_holds = signatures.login_problems(session, keyfile)
        if witness_holds:
            signatures.remember(session, keyfile, ctx.now())
    if Role.BEHEER in ctx.actor.roles:
        ctx.integrity = problems


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _note_failed_login(keys_path: Path, name: str, at: datetime) -> None:
    """Best effort: a read-only key file must never block or break logging in."""
    try:
        record_failed_login(keys_path, name, at)
    except (OSError, KlachtDeskError) as error:
        from klachtdesk.support import log_unexpected

        log_unexpected(error)  # the type and code location only, never the typed name


def _move_failed_logins(db: Database, keys_path: Path) -> None:
    """Failed logins noted beside the key file become ``aanmelden_mislukt`` audit entries.

    The attempts file is written last, inside the transaction: if it cannot be written the
    entries are rolled back and the attempts stay for the next login (no duplicates).
    Whatever goes wrong here is logged and does not stop the login.
    """
    try:
        attempts = load_failed_logins(keys_path)
        if not attempts:
            return
        with db.session(write=True, wait=LOGIN_WAIT_S) as session:
            keyfile = KeyFile.load(keys_path)
            known = {keyfile.user_lookup(n): n for n in session.scalars(select(User.username))}
            for attempt in sorted(attempts, key=lambda a: a.at):
                who = known.get(attempt.who, UNKNOWN_USER)
                detail = "onjuist wachtwoord" if who != UNKNOWN_USER else "onbekende gebruikersnaam"
                if attempt.who == login_guard.RECOVERY:
                    who, detail = login_guard.RECOVERY, "onjuiste herstelcode"
                at = datetime.fromisoformat(attempt.at)
                audit(session, who, FAILED_LOGIN, detail=detail, at=at)
            forget_failed_logins(keys_path, {a.id for a in attempts})
    except (DatabaseBusy, DiskWriteFailed, DiskFull):
        return  # another PC is writing, or nothing can be written: they wait for a later login
    except Exception as error:  # noqa: BLE001 - logging in matters more than this bookkeeping
        from klachtdesk.support import log_unexpected

        log_unexpected(error)


def _save_keys(keyfile: KeyFile, keys_path: Path) -> None:
    try:
        keyfile.save(keys_path)
    except OSError as error:
        raise KeyFileWriteFailed(keys_path, error) from None


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
    role_set = parse_roles(roles)
    display = required_text(display_name, "naam", max_length=200)
    function_title = clean_text(function_title, "functie", max_length=MAX_LINE)
    check_password(password, name, display, org_name(ctx))
    keys_path = None if ctx.db.is_server else key_file_path(ctx.db.path)
    if keys_path is not None:
        KeyFile.load(keys_path)  # a missing key file is reported before anything is written
    with ctx.db.session(write=True) as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationError("gebruikersnaam", f"'{name}' bestaat al.")
        user = User(
            username=name,
            display_name=display,
            roles=",".join(sorted(r.value for r in role_set)),
            function_title=function_title,
            created_at=ctx.now(),
            password_changed_at=ctx.now(),
        )
        session.add(user)
        if keys_path is None:  # on a server: the login role, with the server's password
            from klachtdesk.services.admin import server_accounts

            server_accounts.add_user(session, ctx, user, role_set, password)
            return
        # The key slot is written last, inside the transaction: if it fails, no user row.
        # Read again just before writing, so a failed login noted meanwhile is kept.
        keyfile = KeyFile.load(keys_path)
        identity = keyfile.set_user(name, password, ctx.db.key)
        signatures.record_grants(
            session,
            ctx,
            "gebruiker_toegevoegd",
            name,
            signatures.grant(name, role_set, True, signatures.public_key(identity)),
        )
        keyfile.save(keys_path)


def change_password(ctx: Context, old_password: str, new_password: str) -> None:
    """A new slot for the acting user, with a new identity: the old password (even with an
    old copy of the key file) no longer opens this slot. It still knows the database key of
    today; the next re-key (deactivating someone, a reset, a new recovery code) ends that."""
    check_password(new_password, ctx.actor.username, ctx.actor.display_name, org_name(ctx))
    if new_password == old_password:
        raise ValidationError(
            "nieuw wachtwoord", "is gelijk aan het huidige wachtwoord; kies een ander wachtwoord."
        )
    if ctx.db.is_server:
        from klachtdesk.services.admin import server_accounts

        server_accounts.check_own_password(ctx, old_password)
        server_accounts.change_own_password(ctx, new_password)
        return
    keys_path = key_file_path(ctx.db.path)
    _check_own_password(ctx, KeyFile.load(keys_path), old_password, "wachtwoord wijzigen")
    with ctx.db.session(write=True) as session:
        user = session.get(User, ctx.actor.user_id)
        user.password_changed_at = ctx.now()
        keyfile = KeyFile.load(keys_path)  # fresh: keeps what another PC wrote meanwhile
        identity = keyfile.set_user(ctx.actor.username, new_password, ctx.db.key)
        # signed with the old key, which hands over to the new one
        name = ctx.actor.username
        roles = signatures.roles_for_grant(session, keyfile, name)
        signatures.record_grants(
            session,
            ctx,
            "wachtwoord_gewijzigd",
            name,
            signatures.grant(name, roles, True, signatures.public_key(identity)),
        )
        _save_keys(keyfile, keys_path)
    if ctx.db.keyring is not None:
        ctx.db.keyring.adopt(keyfile.user_lookup(ctx.actor.username), identity)


def verify_password(ctx: Context, password: str) -> None:
    """Check the acting user's password again (unlocking after the idle lock)."""
    if ctx.db.is_server:
        from klachtdesk.services.admin import server_accounts

        server_accounts.check_own_password(ctx, password)
        return
    _check_own_password(ctx, KeyFile.load(key_file_path(ctx.db.path)), password, "vergrendeling")


WRONG_OWN_PASSWORD = "Het wachtwoord klopt niet. Let op hoofdletters en de Caps Lock-toets."


def _check_own_password(ctx: Context, keyfile: KeyFile, password: str, where: str) -> None:
    """The logged-in user's password; a wrong one is a failed login in the audit log, and
    guessing here is slowed down as at the login."""
    keys_path = key_file_path(ctx.db.path)
    slot = "user:" + ctx.actor.username
    login_guard.check(keys_path, keyfile, slot, ctx.now())
    try:
        if keyfile.unlock(ctx.actor.username, password) == ctx.db.key:
            login_guard.succeeded(keyfile, slot)
            return
    except WrongPassword:
        pass
    try:
        with ctx.db.session(write=True) as session:
            audit(session, ctx, FAILED_LOGIN, detail=f"onjuist wachtwoord ({where})")
    except Exception as error:  # noqa: BLE001 - the user still hears the password was wrong
        from klachtdesk.support import log_unexpected

        log_unexpected(error)
    refused = WrongPassword(WRONG_OWN_PASSWORD)
    refused.wait = login_guard.failed(keys_path, keyfile, slot, ctx.now())
    raise refused


# -- the recovery code ------------------------------------------------------------------------
def recover_with_code(
    path: Path, code: str, username: str, new_password: str, **clock: Callable
) -> str:
    """Every password is forgotten: the recovery code gives a beheerder a new password.

    The code is used up: a new recovery code replaces it and is returned (show it once, let
    it be printed). Nothing changes when the code, the user or the password is not right.
    """
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(path)
    name = check_username(username)
    check_password(new_password, name)
    keys_path = key_file_path(path)
    keyfile = KeyFile.load(keys_path)
    now = clock.get("now") or _now
    login_guard.check(keys_path, keyfile, login_guard.RECOVERY, now())
    try:
        opened = keyfile.open_recovery(code)
    except WrongPassword as error:
        try:
            record_failed_login(keys_path, "", now(), who=login_guard.RECOVERY)
        except (OSError, KlachtDeskError) as unwritten:
            from klachtdesk.support import log_unexpected

            log_unexpected(unwritten)
        error.wait = login_guard.failed(keys_path, keyfile, login_guard.RECOVERY, now())
        raise
    login_guard.succeeded(keyfile, login_guard.RECOVERY)
    db = open_database(path, _working_key(path, keyfile, opened))
    db.signer = opened.identity.sign if opened.identity is not None else None
    try:
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == name))
            if user is None or not user.active:
                raise ValidationError(
                    "gebruikersnaam",
                    f"er is geen actieve gebruiker '{name}'. Vul de gebruikersnaam van een "
                    "beheerder in.",
                )
            if Role.BEHEER not in roles_of(user):
                raise NotAllowed(
                    f"{user.display_name} is geen beheerder. Met de herstelcode krijgt alleen "
                    "een beheerder een nieuw wachtwoord; de beheerder kan daarna de wachtwoorden "
                    "van collega's opnieuw instellen."
                )
            actor = Actor(user.id, user.username, user.display_name, roles_of(user))
        ctx = Context(db, actor, **clock)
        made: dict[str, str] = {}

        def change(keyfile: KeyFile) -> None:
            identity = keyfile.set_user(actor.username, new_password, db.key)
            made["key"] = signatures.public_key(identity)
            made["code"] = keyfile.set_recovery(db.key)
            made["recovery"] = keyfile.recovery_sign_key()

        def record(session) -> None:
            session.get(User, actor.user_id).password_changed_at = ctx.now()
            keyfile = KeyFile.load(keys_path)
            roles = signatures.roles_for_grant(session, keyfile, actor.username)
            # signed with the used code's key: the beheerder's new key, the new code's key
            signatures.record_grants(
                session,
                ctx,
                "herstelcode_gebruikt",
                actor.username,
                signatures.grant(actor.username, roles, True, made["key"]),
            )
            signatures.record_recovery_key(session, ctx, made["recovery"])
            audit(session, ctx, REKEYED, detail="herstelcode gebruikt")

        # The used code and every old copy of the key file stop opening the live database.
        rekeying.rekey(db, change, record)
    finally:
        db.dispose()
    return made["code"]


def replace_recovery_code(ctx: Context, password: str) -> str:
    """A beheerder makes a new recovery code and gets it once; the database is re-encrypted,
    so the old code opens nothing live any more, not even with an old key file."""
    if ctx.db.is_server:
        raise NotAllowed(
            "Een database op een PostgreSQL-server heeft geen herstelcode: de IT-beheerder "
            "van de server kan een beheerder een nieuw wachtwoord geven."
        )
    ctx.actor.require(Role.BEHEER, what="een nieuwe herstelcode maken")
    keys_path = key_file_path(ctx.db.path)
    _check_own_password(ctx, KeyFile.load(keys_path), password, "nieuwe herstelcode")
    with admin_session(ctx, "een nieuwe herstelcode maken"):
        pass  # refuses a user whose beheer role was taken away on another PC meanwhile
    made: dict[str, str] = {}

    def change(keyfile: KeyFile) -> None:
        made["code"] = keyfile.set_recovery(ctx.db.key)
        made["recovery"] = keyfile.recovery_sign_key()

    def record(session) -> None:
        signatures.record_recovery_key(session, ctx, made["recovery"])

    revoke(ctx, change, "nieuwe herstelcode", record)
    return made["code"]
