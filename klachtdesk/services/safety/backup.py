"""Back-ups: made while KlachtDesk runs, verified after writing, rotated; status and listing.

A back-up is one ``.kdbackup`` file (see ``storage/backup.py``) holding the encrypted database
and its key file, so the same passwords and the recovery code unlock it. Restoring lives in
``services/safety/restore.py``; both share the verification here.

Automatic back-ups: ``automatic_backup(ctx, "dagelijks")`` (the GUI calls it at start-up and
once a day while running) makes one only when none was made today; ``"afsluiten"`` (on exit)
always makes one, because the session may have changed data. Rotation keeps one per day,
so the extra back-ups of a busy day cost nothing for long.

Clocks go wrong (a flat BIOS battery, a date typed by hand). Each back-up gets a sequence
number from the database itself, and "newest" means highest number: in the listing, the
rotation, the newest verified back-up and the restore window's default. A last back-up dated
later than now means the clock ran ahead or was put back: the daily back-up is still made and
the status warns (``BackupStatus.clock_warning``) until that date has passed.

On a PostgreSQL server (``ctx.db.is_server``) there is no file to copy and no key file: the
server's own back-up is in charge, and the public functions here hand over to
``services/safety/server_backup.py`` (a checked ``pg_dump`` by a beheerder, into a folder
someone chose; the automatic ones only when a beheerder set ``backup.folder``).
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import sqlcipher3
from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from klachtdesk import __version__
from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.context import Context, audit
from klachtdesk.services.safety import check, server_backup, signatures
from klachtdesk.storage import backup as archive
from klachtdesk.storage import migrate
from klachtdesk.storage.backup import (
    BackupDamaged,
    BackupFolderMissing,
    BackupInfo,
    BackupMissing,
    BackupNoRoom,
    BackupTooNew,
    BackupWriteFailed,
)
from klachtdesk.storage.engine import Database, probe, translate_error
from klachtdesk.storage.errors import DamagedDatabase, NotADatabase, WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import User

__all__ = [
    "BackupDamaged",
    "BackupFolderMissing",
    "BackupInfo",
    "BackupMissing",
    "BackupNoRoom",
    "BackupRejected",
    "BackupStatus",
    "BackupTooNew",
    "BackupWriteFailed",
    "automatic_backup",
    "backup_due",
    "backup_folder",
    "backup_status",
    "list_backups",
    "make_backup",
    "newest_verified_backup",
    "remove_leftover_work_folders",
    "rotate_backups",
    "verify_backup",
]

DEFAULT_FOLDER_NAME = "KlachtDesk-back-ups"
AUTOMATIC_REASONS = ("dagelijks", "afsluiten")
# How much later than now a back-up may be dated before it counts as a clock fault: the clock
# going back an hour when summer time ends, or a small correction, is not one.
CLOCK_SLACK = timedelta(hours=1)
Unlocker = Callable[[KeyFile], bytes]


class BackupRejected(KlachtDeskError):
    def __init__(self, defect: Path | None, error: KlachtDeskError):
        kept = f" Het bestand is bewaard als '{defect.name}'." if defect else ""
        super().__init__(
            f"De nieuwe back-up is bij de controle afgekeurd: {error}{kept} Eerdere back-ups "
            "zijn ongewijzigd. Probeer het opnieuw of kies een andere map."
        )


@dataclass(frozen=True)
class BackupStatus:
    last_at: datetime | None
    folder: Path
    age_days: int | None
    is_old: bool
    message: str
    # Set while a back-up dated later than now exists: the clock ran ahead or was put back.
    clock_warning: str = ""

    @property
    def warn(self) -> bool:
        """Show the status as a warning."""
        return self.is_old or bool(self.clock_warning)


# -- making -----------------------------------------------------------------------------------
def default_folder(database: Path) -> Path:
    return Path(database).absolute().parent / DEFAULT_FOLDER_NAME


def backup_folder(ctx: Context) -> Path:
    """The folder from the setting ``backup.folder``, or the default beside the database."""
    if ctx.db.is_server:
        return server_backup.backup_folder(ctx)
    configured = settings_service.get_settings(ctx)["backup.folder"]
    return Path(configured) if configured else default_folder(ctx.db.path)


def remove_leftover_work_folders(ctx: Context) -> list[Path]:
    """At login: remove what a killed back-up, check or restore left behind.

    Their work folders (an encrypted database copy and a copy of the key file) are made in
    the system's temporary folder (making and checking a back-up) and beside the database
    (a restore); nowhere else, so the back-up folder (perhaps a NAS that is switched off)
    is not searched. Only folders of a process that no longer runs, or untouched for a day,
    are removed (see ``storage.backup.remove_stale_work_folders``).
    """
    # on a server only the temporary folder: there is no database folder to look in
    folders = [] if ctx.db.is_server else [ctx.db.path.absolute().parent]
    # No writable temporary folder (a full disk): nothing can have been left there to remove.
    with contextlib.suppress(OSError):
        folders.insert(0, Path(tempfile.gettempdir()))
    return archive.remove_stale_work_folders(folders)


def make_backup(ctx: Context, folder: Path | None = None, reason: str = "handmatig") -> BackupInfo:
    """Copy the database (online, consistent) into a verified ``.kdbackup`` in ``folder``.

    Any logged-in user may make one. Records ``backup.last_at`` and the audit entry
    ``backup_gemaakt``, then applies the rotation to ``folder``. On a server: a checked
    ``pg_dump`` (see ``server_backup.make_backup``).
    """
    if ctx.db.is_server:
        return server_backup.make_backup(ctx, folder, reason)
    settings = settings_service.get_settings(ctx)
    if folder is None:
        folder = Path(settings["backup.folder"] or default_folder(ctx.db.path))
        if not settings["backup.folder"]:
            try:
                folder.mkdir(exist_ok=True)
            except OSError as exc:
                raise BackupWriteFailed(folder.parent, exc) from exc
    folder = Path(folder).absolute()
    if not folder.is_dir():
        raise BackupFolderMissing(folder)
    now = ctx.now()
    file_id = KeyFile.load(key_file_path(ctx.db.path)).file_id
    earlier = [i for i in list_backups(folder) if not i.problem and i.file_id == file_id]
    ahead = _clock_ahead([_last_at(settings), *(i.created_at for i in earlier)], now)
    sequence = _next_sequence(ctx, max((info.sequence for info in earlier), default=0))
    keyfile = KeyFile.load(key_file_path(ctx.db.path))
    with ctx.db.session() as session:  # before the copy: the copy holds at least this head
        witness = signatures.current_witness(session, keyfile, now)
    with archive.work_folder() as work:
        copy = work / archive.DB_MEMBER
        try:
            archive.copy_database(ctx.db.path, ctx.db.key, copy)
        except sqlcipher3.Error as exc:
            raise (translate_error(exc, ctx.db.path) or exc) from exc
        except OSError as exc:
            raise BackupWriteFailed(Path(tempfile.gettempdir()), exc) from exc
        # Read after the copy: a user added meanwhile has a slot (written before the commit).
        keys = key_file_path(ctx.db.path).read_bytes()
        revision = _stamp_copy(copy, ctx.db.key, sequence)
        manifest = archive.Manifest(
            created_at=now,
            app_version=__version__,
            schema_revision=revision or "",
            file_id=file_id,
            database=str(ctx.db.path.absolute()),
            sequence=sequence,
            witness=witness.to_dict() if witness is not None else {},
            members={
                archive.DB_MEMBER: archive.file_digest(copy),
                archive.KEYS_MEMBER: archive.Member(hashlib.sha256(keys).hexdigest(), len(keys)),
            },
        )
        target = archive.free_backup_path(folder, now)
        try:
            part = archive.write_part(target, copy, keys, manifest)
        except OSError as exc:
            raise BackupWriteFailed(folder, exc) from exc
        copy.unlink()
        try:
            verify_into(part, work, lambda _keyfile: ctx.db.key, None)
        except KlachtDeskError as error:
            raise BackupRejected(archive.set_aside_defect(part), error) from error
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    try:
        archive.publish(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise BackupWriteFailed(folder, exc) from exc
    detail = f"{reason}; map {folder}; gecontroleerd"
    with ctx.db.session(write=True) as session:
        stored = settings_service.read_all(session)
        settings_service.write(session, "backup.last_at", now.isoformat(timespec="seconds"))
        settings_service.write(session, "backup.sequence", max(stored["backup.sequence"], sequence))
        if ahead is not None:
            recorded = _parse(stored["backup.clock_ahead_until"])
            latest = max(ahead, recorded) if recorded else ahead
            settings_service.write(
                session, "backup.clock_ahead_until", latest.isoformat(timespec="seconds")
            )
            detail += f"; klok liep voor: een eerdere back-up is gedateerd {ahead:%d-%m-%Y %H:%M}"
        audit(session, ctx, "backup_gemaakt", target.name, detail)
    rotate_backups(
        folder,
        file_id,
        settings["backup.keep_daily"],
        settings["backup.keep_weekly"],
        settings["backup.keep_monthly"],
        protect=target,
        database=ctx.db.path,
    )
    return replace(archive.info_from(target, manifest), verified=True)


def _next_sequence(ctx: Context, in_folder: int) -> int:
    """The number of this back-up: above the database's own count and every back-up of it in
    the folder (after a restore the database's count is that of the back-up it came from).
    Only read here: the copy is made without waiting for other PCs' write transactions."""
    return max(settings_service.get_settings(ctx)["backup.sequence"], in_folder) + 1


def _stamp_copy(copy: Path, key: bytes, sequence: int) -> str | None:
    """Write the back-up's number into the copy (so the manifest's number can be checked
    against the database it describes, and a restored database counts on from it); returns
    the copy's schema revision."""
    db = Database(copy, key)
    try:
        with db.session(write=True) as session:
            settings_service.write(session, "backup.sequence", sequence)
        return migrate.current_revision(db)
    finally:
        db.dispose()


def _clock_ahead(moments: list[datetime | None], now: datetime) -> datetime | None:
    """The latest of ``moments`` that is later than now (beyond the slack), else None."""
    ahead = [moment for moment in moments if moment and moment > now + CLOCK_SLACK]
    return max(ahead, default=None)


def _clock_warning(ahead: datetime) -> str:
    when = f"{format_date(ahead.date(), format='long', locale='nl_NL')} om {ahead:%H:%M}"
    return (
        f"De klok liep voor of is teruggezet: er is een back-up met een datum in de toekomst "
        f"({when}). Controleer de datum en tijd van deze computer en van de andere computers "
        "die deze database gebruiken. KlachtDesk ordent de back-ups op volgorde van maken, "
        "niet op datum; de dagelijkse back-up gaat gewoon door."
    )


def backup_due(ctx: Context) -> bool:
    """True when no back-up was made today (at most one automatic daily back-up).

    A last back-up dated on another day, also a later one (the clock ran ahead), or later
    today than now by more than the slack, does not count as today's. On a server never,
    unless a beheerder is logged in who set a folder for back-ups.
    """
    if ctx.db.is_server and not server_backup.automatic_copies(ctx):
        return False
    last = _last_at(settings_service.get_settings(ctx))
    if last is None:
        return True
    return last.date() != ctx.today() or last > ctx.now() + CLOCK_SLACK


def automatic_backup(ctx: Context, reason: str = "dagelijks") -> BackupInfo | None:
    """``dagelijks``: a back-up if none was made today; ``afsluiten``: always one.

    Returns the new back-up, or None when none was due. Errors (folder missing, disk full)
    are raised as Dutch KlachtDeskErrors for the GUI to show as a warning.
    """
    if reason not in AUTOMATIC_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    if reason == "dagelijks" and not backup_due(ctx):
        return None
    if ctx.db.is_server and not server_backup.automatic_copies(ctx):
        return None  # the server's own back-up is in charge
    return make_backup(ctx, reason=f"automatisch, {reason}")


def _last_at(settings: dict) -> datetime | None:
    return _parse(settings["backup.last_at"])


def _parse(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is None else None


def backup_status(ctx: Context) -> BackupStatus:
    """How old the last back-up is, with a Dutch sentence for the main window; and a warning
    while a back-up dated later than now exists (the clock ran ahead or was put back)."""
    settings = settings_service.get_settings(ctx)
    if ctx.db.is_server:
        return _server_status(ctx, settings)
    folder = Path(settings["backup.folder"] or default_folder(ctx.db.path))
    return _status(ctx, settings, folder)


def _server_status(ctx: Context, settings: dict) -> BackupStatus:
    """On a server: the status of the beheerder's own copies when they are made
    automatically; otherwise only that the server's back-up is in charge (no warning)."""
    folder = server_backup.chosen_folder(settings)
    if folder is not None and server_backup.may_make(ctx):
        return _status(ctx, settings, folder)
    last = _last_at(settings)
    age = max((ctx.today() - last.date()).days, 0) if last else None
    return BackupStatus(last, folder or Path.home(), age, False, server_backup.STATUS_SERVER)


def _status(ctx: Context, settings: dict, folder: Path) -> BackupStatus:
    last = _last_at(settings)
    if last is None:
        return BackupStatus(None, folder, None, True, "Er is nog nooit een back-up gemaakt.")
    now = ctx.now()
    ahead = _clock_ahead([last, _parse(settings["backup.clock_ahead_until"])], now)
    clock_warning = _clock_warning(ahead) if ahead else ""
    long_date = format_date(last.date(), format="long", locale="nl_NL")
    if last > now + CLOCK_SLACK:  # its age is unknown; the next daily back-up is due
        message = f"Laatste back-up: datum in de toekomst ({long_date} om {last:%H:%M})"
        return BackupStatus(last, folder, None, False, message, clock_warning)
    age = max((ctx.today() - last.date()).days, 0)
    is_old = age > settings["backup.warn_after_days"]
    if is_old:
        message = (
            f"De laatste back-up is {age} dagen oud ({long_date}). Maak zo snel mogelijk een "
            "nieuwe back-up."
        )
    elif age == 0:
        message = f"Laatste back-up: vandaag {last:%H:%M}"
    elif age == 1:
        message = f"Laatste back-up: gisteren {last:%H:%M}"
    else:
        message = f"Laatste back-up: {long_date} om {last:%H:%M} ({age} dagen geleden)"
    return BackupStatus(last, folder, age, is_old, message, clock_warning)


# -- listing and rotation ---------------------------------------------------------------------
def backup_witnesses(ctx: Context) -> list[tuple[str, dict]]:
    """(description, witness) of every readable back-up of this database in its back-up
    folder; an unreachable folder gives none (a server's dumps hold no witness: none)."""
    if ctx.db.is_server:
        return []
    file_id = KeyFile.load(key_file_path(ctx.db.path)).file_id
    try:
        found = list_backups(backup_folder(ctx))
    except OSError:
        return []
    return [
        (f"de back-up van {info.created_at:%d-%m-%Y %H:%M}", info.witness)
        for info in found
        if not info.problem and info.file_id == file_id and info.witness
    ]


def backups_in(ctx: Context, folder: Path) -> list[BackupInfo]:
    """The back-ups of this database in ``folder`` as the Back-ups window lists them: the
    ``.kdbackup`` files of a database file, the checked dumps of a database on a server."""
    if ctx.db.is_server:
        return server_backup.list_dumps(ctx, folder)
    return list_backups(folder, ctx.now())


def list_backups(folder: Path, now: datetime | None = None) -> list[BackupInfo]:
    """The ``.kdbackup`` files in ``folder``, newest first, from their manifests only.

    Newest by the order they were made in (see ``archive.newest_first``), not by date. A
    back-up dated later than one made after it, or than ``now``, is marked ``misdated``.
    A damaged or foreign ``.kdbackup`` is listed with ``problem`` set; other files are ignored.
    Each manifest is read with hard limits, so a hostile file costs little and breaks nothing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.name.endswith(archive.SUFFIX) and path.is_file():
            try:
                found.append(archive.describe(path))
            except OSError:
                continue  # removed meanwhile (rotation on another PC)
    ordered = archive.newest_first(found)
    earliest_after: dict[str, datetime] = {}  # per database: the earliest date of newer ones
    for index, info in enumerate(ordered):
        if info.problem:
            continue
        limits = [t for t in (earliest_after.get(info.file_id), now) if t is not None]
        if limits and info.created_at > min(limits) + CLOCK_SLACK:
            ordered[index] = replace(info, misdated=True)
        later = earliest_after.get(info.file_id)
        earliest_after[info.file_id] = min(later, info.created_at) if later else info.created_at
    return ordered


def rotate_backups(
    folder: Path,
    file_id: str,
    keep_daily: int,
    keep_weekly: int,
    keep_monthly: int,
    protect: Path | None = None,
    database: Path | None = None,
) -> list[Path]:
    """Delete the back-ups of this database that the rotation does not keep; returns them.

    Only files with our name pattern and a readable manifest of this database (``file_id``)
    are candidates: other files in the folder are never touched, nor is ``protect`` (the
    back-up just made, even when an older one carries the same time). With ``database``,
    only back-ups made of that file count: a restored copy elsewhere keeps the file_id, and
    its back-ups must not push out those of the live database.
    """
    ours = [
        info
        for info in list_backups(folder)
        if not info.problem
        and info.file_id == file_id
        and archive.is_backup_name(info.name)
        and (database is None or info.made_of(database))
    ]
    kept = archive.select_kept(
        ours,
        lambda info: info.created_at,
        keep_daily,
        keep_weekly,
        keep_monthly,
        order=archive.made_order,
    )
    removed = []
    for info in ours:
        if info in kept or info.path == protect:
            continue
        try:
            info.path.unlink()
        except OSError:
            continue  # tried again after the next back-up
        removed.append(info.path)
    return removed


# -- verification -----------------------------------------------------------------------------
def unlocker(
    username: str | None, password: str | None, recovery_code: str | None
) -> tuple[Unlocker, str | None]:
    """How to unwrap the key of a back-up's key file, and the user name it is for."""
    if recovery_code:

        def by_code(keyfile: KeyFile) -> bytes:
            try:
                return keyfile.unlock_recovery(recovery_code)
            except WrongPassword:
                raise WrongPassword(
                    "De herstelcode past niet op deze back-up. Gebruik de herstelcode die gold "
                    "toen de back-up werd gemaakt (de streepjes mag u weglaten)."
                ) from None

        return by_code, None
    name = (username or "").strip().lower()
    if not name:
        raise ValidationError("gebruikersnaam", "is verplicht (of gebruik de herstelcode).")
    if not password:
        raise ValidationError("wachtwoord", "is verplicht (of gebruik de herstelcode).")

    def by_password(keyfile: KeyFile) -> bytes:
        try:
            return keyfile.unlock(name, password)
        except WrongPassword:
            raise WrongPassword(
                "De gebruikersnaam of het wachtwoord past niet op deze back-up. Gebruik het "
                "wachtwoord dat gold toen de back-up werd gemaakt, of de herstelcode."
            ) from None

    return by_password, name


def verify_backup(
    path: Path,
    username: str | None = None,
    password: str | None = None,
    *,
    recovery_code: str | None = None,
) -> BackupInfo:
    """Check a back-up completely with a user's password or the recovery code.

    Raises WrongPassword, BackupDamaged, BackupTooNew or BackupMissing (Dutch messages).
    """
    unlock, name = unlocker(username, password, recovery_code)
    with archive.work_folder() as work:
        extracted, _key = verify_into(Path(path), work, unlock, name)
    return replace(extracted.info, verified=True)


def newest_verified_backup(
    folder: Path,
    username: str | None = None,
    password: str | None = None,
    *,
    recovery_code: str | None = None,
    file_id: str | None = None,
    database: Path | None = None,
) -> BackupInfo | None:
    """The newest back-up in ``folder`` that passes verification (for a database that will
    not open). Damaged ones are skipped; so are ones the password does not fit (an older one
    may still have the old password). Raises WrongPassword if no back-up accepted the
    password; None if there is no usable back-up. ``file_id`` limits it to one database,
    ``database`` to the back-ups made of that file."""
    unlock, name = unlocker(username, password, recovery_code)
    refused: WrongPassword | None = None
    for info in list_backups(folder):
        if info.problem or (file_id and info.file_id != file_id):
            continue
        if database is not None and not info.made_of(database):
            continue
        try:
            with archive.work_folder() as work:
                extracted, _key = verify_into(info.path, work, unlock, name)
        except WrongPassword as error:
            refused = refused or error
            continue
        except (BackupDamaged, BackupTooNew, BackupMissing):
            continue
        return replace(extracted.info, verified=True)
    if refused is not None:
        raise refused
    return None


def verify_into(
    path: Path,
    workdir: Path,
    unlock: Unlocker,
    username: str | None,
    require: Role | None = None,
) -> tuple[archive.Extracted, bytes]:
    """Extract ``path`` into ``workdir`` and check everything; returns the copy and its key.

    Shared by making (checking the fresh file), verifying and restoring a back-up.
    """
    try:
        extracted = archive.extract(path, workdir)
    except OSError as exc:
        raise BackupWriteFailed(workdir.parent, exc) from exc
    try:
        keyfile = KeyFile.load(extracted.key_file)
    except NotADatabase:
        raise BackupDamaged(path, "het sleutelbestand is onleesbaar") from None
    if keyfile.file_id != extracted.manifest.file_id:
        raise BackupDamaged(path, "het sleutelbestand hoort niet bij deze back-up")
    key = unlock(keyfile)
    try:
        probe(extracted.database, key)
    except (NotADatabase, DamagedDatabase):
        raise BackupDamaged(path, "de database in de back-up opent niet") from None
    db = Database(extracted.database, key)
    try:
        _check_copy(path, db, extracted.manifest, username, require)
    except (sqlcipher3.Error, DBAPIError, DamagedDatabase, NotADatabase):
        raise BackupDamaged(path, "de database in de back-up is onleesbaar") from None
    finally:
        db.dispose()
    return extracted, key


def _check_copy(
    path: Path,
    db: Database,
    manifest: archive.Manifest,
    username: str | None,
    require: Role | None = None,
):
    conn = db.raw_connection()
    try:
        problems, _pages = check.page_problems(conn)
    finally:
        conn.close()
    if problems:
        raise BackupDamaged(path, problems[0].rstrip("."))
    revision = migrate.current_revision(db)
    if revision is None:
        raise BackupDamaged(path, "er staat geen KlachtDesk-schema in")
    if revision not in archive.known_revisions():
        raise BackupTooNew(path)
    if revision != manifest.schema_revision:
        raise BackupDamaged(path, "de inhoudsopgave past niet bij de database")
    with db.session() as session:
        _count, problem = check.audit_chain_problem(session)
        if problem:
            raise BackupDamaged(path, problem.rstrip("."))
        stored = settings_service.read_all(session)
        stored_id = stored["database.file_id"]
        if stored_id and stored_id != manifest.file_id:
            raise BackupDamaged(path, "het sleutelbestand hoort niet bij deze database")
        # Old back-ups have no number (0); a number must be the one the copy itself holds.
        if manifest.sequence and stored["backup.sequence"] != manifest.sequence:
            raise BackupDamaged(path, "de inhoudsopgave past niet bij de database")
        if username is not None:
            user = session.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise WrongPassword()
            if require is not None and require not in parse_roles(user.roles):
                raise NotAllowed(
                    f"Een back-up over een bestaande database terugzetten mag alleen een "
                    f"{require.label.lower()} (of iemand met de herstelcode). Er is niets "
                    "gewijzigd."
                )
