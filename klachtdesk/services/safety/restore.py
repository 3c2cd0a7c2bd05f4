"""Restoring a back-up: verified first, never over an existing database without being asked,
and the files it replaces are moved aside, never deleted.

Replacing a database is authorised by that database, not by the back-up: the user proves to
be a beheerder of the current database (name and current password against its key file, the
role from its users table), or gives the current database's recovery code. Being beheerder in
the back-up is not enough: anyone can make a database of their own, be beheerder there, and
back it up. A back-up of another database file (another file id) is refused unless the
beheerder confirms it (``foreign_ok``).

Restoring needs no working current database: the database may be damaged or missing. When
its key file is gone or unreadable nobody can open it any more, and the back-up's own
beheerder may replace it (as for a new path). When only the database itself is unreadable,
the password still has to fit the current key file and, as its roles cannot be read, the user
must be beheerder in a back-up of this same database (or use the recovery code). Close
KlachtDesk on other PCs that use the target file before restoring over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import login_guard
from klachtdesk.services.admin.setup import open_database
from klachtdesk.services.context import audit
from klachtdesk.services.safety import signatures
from klachtdesk.services.safety.backup import BackupInfo, Unlocker, unlocker, verify_into
from klachtdesk.storage import backup as archive
from klachtdesk.storage.address import is_server_address
from klachtdesk.storage.backup import BackupDamaged, BackupMissing, BackupTooNew
from klachtdesk.storage.engine import read_account
from klachtdesk.storage.errors import (
    DamagedDatabase,
    DatabaseMissing,
    KeyFileMissing,
    NewerDatabase,
    NotADatabase,
    WrongPassword,
)
from klachtdesk.storage.keyslots import (
    KeyFile,
    Opened,
    Slot,
    key_file_path,
    make_private,
    record_failed_login,
)
from klachtdesk.storage.location import check_location

RECOVERY_USER = "herstelcode"
ASIDE_MARK = "voor-herstel"


class RestoreTargetExists(KlachtDeskError):
    exit_code = 2

    def __init__(self, path: Path):
        super().__init__(
            f"Er staat al een database op '{path}'. Een back-up terugzetten over een bestaande "
            "database gebeurt alleen als u daar uitdrukkelijk voor kiest (in het venster met "
            "'De bestaande database vervangen', in de opdrachtregel met de optie --overwrite). "
            "De huidige database en het sleutelbestand worden dan "
            "eerst opzij gezet, niet verwijderd. Er is niets gewijzigd."
        )


class ForeignBackup(KlachtDeskError):
    """The back-up was made of another database file than the one it would replace."""

    exit_code = 2

    def __init__(self, backup_path: Path, target: Path):
        super().__init__(
            f"De back-up '{Path(backup_path).name}' is niet gemaakt van de database in "
            f"'{target}', maar van een ander databasebestand. Controleer of u de juiste "
            "back-up heeft gekozen: de back-ups van deze database staan meestal in de map "
            "'KlachtDesk-back-ups' naast de database. Wilt u deze back-up toch over de "
            "huidige database terugzetten, dan moet een beheerder van de huidige database "
            "dat uitdrukkelijk bevestigen (in het venster met 'Ja' op de vraag die volgt, in "
            "de opdrachtregel met de optie --other-database). Er is niets gewijzigd."
        )


class RestoreWriteFailed(KlachtDeskError):
    def __init__(self, folder: Path, error: OSError):
        reason = "de schijf is vol" if error.errno == errno.ENOSPC else "schrijven lukte niet"
        super().__init__(
            f"De back-up kon niet worden teruggezet in '{folder}': {reason}. De back-up en de "
            "bestaande bestanden zijn ongewijzigd. Maak ruimte vrij of kies een andere map."
        )


class RestoredNotOpened(KlachtDeskError):
    def __init__(self, target: Path, error: KlachtDeskError):
        super().__init__(
            f"De back-up is teruggezet in '{target}', maar openen lukte daarna nog niet: "
            f"{error} Probeer over enkele ogenblikken aan te melden."
        )


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    key_file: Path
    backup: BackupInfo
    restored_by: str
    moved_aside: tuple[Path, ...] = ()

    @property
    def previous_database(self) -> Path | None:
        """Where the database that was replaced now is (None if there was none)."""
        return self.moved_aside[0] if self.moved_aside else None


def restore_may_help(error: BaseException) -> bool:
    """True when the database would not open because the file is missing, damaged, not ours
    or too new: the login window then offers to put back a back-up (a wrong password: no)."""
    return isinstance(
        error, (DatabaseMissing, KeyFileMissing, NotADatabase, DamagedDatabase, NewerDatabase)
    )


def replacing_is_safe(error: BaseException) -> bool:
    """Whether a restore may offer to replace the file that would not open. Not for a database
    of a newer KlachtDesk: it is sound and other PCs may be using it; update instead."""
    return restore_may_help(error) and not isinstance(error, NewerDatabase)


def _companions(database: Path) -> tuple[Path, Path, Path]:
    """The database, its key file and a (hot) rollback journal, which must move with it."""
    return database, key_file_path(database), Path(str(database) + "-journal")


def target_exists(target_db: Path) -> bool:
    """Is there a database, key file or journal at the target (restoring there replaces it)?"""
    return any(p.exists() for p in _companions(Path(target_db).absolute()))


def check_target(target_db: Path, overwrite: bool = False) -> Path:
    """The absolute target path, or a Dutch error if restoring there is not possible as asked
    (folder missing; a database or key file exists there and ``overwrite`` is False; a
    PostgreSQL address, whose back-ups the IT provider restores with pg_restore)."""
    if is_server_address(target_db):
        raise ValidationError(
            "database",
            "een database op een PostgreSQL-server zet KlachtDesk niet terug: dat doet uw "
            "IT-beheerder met de back-up van de server (of met pg_restore uit een kopie van "
            "'klachtdesk backup'). Er is niets gewijzigd.",
        )
    target = Path(target_db).absolute()
    if not target.parent.is_dir():
        raise ValidationError("database", f"de map '{target.parent}' bestaat niet.")
    check_location(target)
    if any(p.exists() for p in _companions(target)) and not overwrite:
        raise RestoreTargetExists(target)
    return target


def _live_key_file(target: Path) -> KeyFile | None:
    """The key file of the database at ``target``, or None when there is none or it cannot
    be read (then nobody can open that database any more)."""
    try:
        return KeyFile.load(key_file_path(target))
    except (KeyFileMissing, NotADatabase):
        return None


def backup_is_foreign(backup_path: Path, target_db: Path) -> bool:
    """True when a readable database key file is at ``target_db`` and the back-up's manifest
    names another database file (file id). Needs no password: the window asks its question
    before the restore starts. A back-up whose manifest cannot be read is not called foreign
    here; verifying it says what is wrong."""
    live = _live_key_file(Path(target_db).absolute())
    if live is None:
        return False
    try:
        manifest = archive.read_manifest(Path(backup_path))
    except (BackupDamaged, BackupTooNew, OSError):
        return False
    return manifest.file_id != live.file_id


def check_backup_fits(backup_path: Path, target_db: Path, foreign_ok: bool = False) -> None:
    """Refuse (ForeignBackup) a back-up of another database file over the database at
    ``target_db`` unless ``foreign_ok``; before a password is asked."""
    if not foreign_ok and backup_is_foreign(backup_path, target_db):
        raise ForeignBackup(backup_path, Path(target_db).absolute())


@dataclass(frozen=True)
class _LiveAuthority:
    """Who may replace the current database, proven against that database."""

    file_id: str
    key: bytes
    name: str | None  # None: the current database's recovery code
    # The current database itself proved the authority: its recovery code, or its users table
    # shows the user as an active beheerder. False when that table could not be read.
    proven: bool


def _open_slot(
    keyfile: KeyFile, name: str | None, password: str | None, code: str | None
) -> Opened:
    """The recovery code's slot (``name`` None) or the user's, opened with the secret."""
    if name is None:
        return keyfile.open_recovery(code or "")
    return keyfile.open_user(name, password or "")


def _not_beheer(name: str) -> NotAllowed:
    return NotAllowed(
        f"Een back-up over een bestaande database terugzetten mag alleen een beheerder van "
        f"die database (of iemand met de herstelcode van die database). '{name}' is daar "
        "geen actieve beheerder. Beheerder zijn in de back-up is niet genoeg. Er is niets "
        "gewijzigd."
    )


def _authorise_replacement(
    target: Path,
    keyfile: KeyFile,
    username: str | None,
    password: str | None,
    recovery_code: str | None,
    now: datetime,
) -> _LiveAuthority:
    """Prove beheer of the current database (name, current password, role from its users
    table) or its recovery code. Failures count like failed logins (the login guard)."""
    keys_path = key_file_path(target)
    name = None if recovery_code else (username or "").strip().lower()
    slot = login_guard.RECOVERY if name is None else "user:" + name
    login_guard.check(keys_path, keyfile, slot, now)  # before any key derivation
    try:
        opened = _open_slot(keyfile, name, password, recovery_code)
    except WrongPassword:
        with contextlib.suppress(OSError, KlachtDeskError):  # bookkeeping never blocks
            if name is None:
                record_failed_login(keys_path, "", now, who=login_guard.RECOVERY)
            else:
                record_failed_login(keys_path, name, now)
        refused = WrongPassword(
            (
                "De herstelcode past niet op de huidige database. "
                if name is None
                else "De gebruikersnaam of het wachtwoord past niet op de huidige database. "
            )
            + "Een back-up over een bestaande database terugzetten mag alleen een beheerder "
            "van die database, met het wachtwoord dat daar nu geldt, of iemand met de "
            "herstelcode van die database. Er is niets gewijzigd."
        )
        refused.wait = login_guard.failed(keys_path, keyfile, slot, now)
        raise refused from None
    login_guard.succeeded(keyfile, slot)
    # The database's key (a re-key cut short may have got as far as the database).
    keys = [opened.keys[g] for g in (keyfile.pending, keyfile.generation) if g in opened.keys]
    current = keys[-1] if keys else b""
    if name is None:  # the recovery code of this database is authority enough
        return _LiveAuthority(keyfile.file_id, current, None, proven=True)
    for key in keys:
        try:
            account = read_account(target, key, name)
        except NotADatabase:
            continue  # damaged, missing, a journal to recover, or not this key
        # the signed grants decide, not the users table (a key holder can write that)
        if account is None or not signatures.stored_beheer(account, keyfile, name, opened.identity):
            raise _not_beheer(name)
        return _LiveAuthority(keyfile.file_id, key, name, proven=True)
    return _LiveAuthority(keyfile.file_id, current, name, proven=False)


def _check_foreign_allowed(
    backup_path: Path, target: Path, live: _LiveAuthority, foreign_ok: bool
) -> None:
    """A back-up of another database file replaces this one only when confirmed, and only
    when the current database showed the user to be its beheerder (or by the recovery code):
    the back-up's own users table says nothing about this database."""
    if not foreign_ok:
        raise ForeignBackup(backup_path, target)
    if not live.proven:
        raise NotAllowed(
            "De huidige database is niet te lezen, dus KlachtDesk kan niet nagaan of u daar "
            "beheerder bent. Een back-up van een ander databasebestand zet u daarom niet met "
            "een wachtwoord over deze database terug: gebruik de herstelcode van de huidige "
            "database, of zet de back-up terug op een nieuwe plek. Er is niets gewijzigd."
        )


def _or_live_key(unlock: Unlocker, live: _LiveAuthority) -> Unlocker:
    """Unlock a back-up with the credentials, else (a back-up of the same database made
    since the last key change, the password changed meanwhile) with the current key."""

    def opener(keyfile: KeyFile) -> bytes:
        try:
            return unlock(keyfile)
        except WrongPassword:
            if keyfile.file_id == live.file_id and any(
                isinstance(slot, Slot) and keyfile.sealed_by(slot, live.key)
                for slot in keyfile.slots.values()
            ):
                return live.key
            raise

    return opener


def restore_backup(
    backup_path: Path,
    target_db: Path,
    username: str | None = None,
    password: str | None = None,
    *,
    recovery_code: str | None = None,
    overwrite: bool = False,
    foreign_ok: bool = False,
    now: datetime | None = None,
) -> RestoreResult:
    """Verify ``backup_path`` and put its database and key file at ``target_db``.

    At a new path (no database there), unlocks with the user's password or the recovery code
    as they were when the back-up was made. Without ``overwrite`` an existing database or key
    file at the target is refused (RestoreTargetExists). With it, the user must be beheerder
    of the *current* database with its current password, or give its recovery code (see the
    module docstring); a back-up of another database file is refused (ForeignBackup) unless
    ``foreign_ok``. The current files are then renamed to ``<db>.voor-herstel-YYYYMMDD-HHMM``
    (and ``.keys``). The restored database is opened and the audit entry
    ``backup_teruggezet`` is written as the restoring user (``herstelcode`` for a
    recovery-code restore).
    """
    now = now or datetime.now().replace(microsecond=0)
    backup_path = Path(backup_path)
    target = check_target(target_db, overwrite)
    if not backup_path.is_file():
        raise BackupMissing(backup_path)
    replacing = overwrite and target_exists(target)
    live_keys = _live_key_file(target) if replacing else None
    if live_keys is not None:
        check_backup_fits(backup_path, target, foreign_ok)
    unlock, name = unlocker(username, password, recovery_code)
    live = None
    if live_keys is not None:
        live = _authorise_replacement(target, live_keys, username, password, recovery_code, now)
        unlock = _or_live_key(unlock, live)
    # Whose role the back-up's users table must show: at a new path nobody's; over a database
    # nobody can open (no key file) or whose users table would not open, the beheerder's.
    require = Role.BEHEER if replacing and (live is None or not live.proven) else None
    in_backup = name if live is None or not live.proven else None
    try:
        with archive.work_folder(target.parent) as work:
            extracted, key = verify_into(backup_path, work, unlock, in_backup, require)
            foreign = live is not None and extracted.manifest.file_id != live.file_id
            if foreign:
                _check_foreign_allowed(backup_path, target, live, foreign_ok)
            moved = _move_aside(target, now) if overwrite else []
            _put_in_place(extracted, target, moved)
    except OSError as exc:
        raise RestoreWriteFailed(target.parent, exc) from exc
    restored_by = name or RECOVERY_USER
    info = replace(extracted.info, verified=True)
    detail = f"back-up van {info.created_at:%d-%m-%Y %H:%M}"
    if live is not None:
        how = "herstelcode" if name is None else "beheerder"
        detail += f"; vervangt de database (bevoegd als {how} van die database)"
    elif moved:
        detail += "; vervangt een database zonder leesbaar sleutelbestand"
    if foreign:
        detail += "; back-up van een ander databasebestand, bevestigd"
    try:
        db = open_database(target, key)
        db.signer = _restorer_key(target, name, password, recovery_code)
        try:
            with db.session(write=True) as session:
                audit(session, restored_by, "backup_teruggezet", info.name, detail, at=now)
        finally:
            db.dispose()
    except KlachtDeskError as error:
        raise RestoredNotOpened(target, error) from error
    signatures.forget_witness(extracted.manifest.file_id)
    aside = tuple(new for _current, new in moved)
    return RestoreResult(target, key_file_path(target), info, restored_by, aside)


def _restorer_key(
    target: Path, name: str | None, password: str | None, code: str | None
) -> Ed25519PrivateKey | None:
    """The restoring person's signing key in the restored key file, so the restore entry is
    signed like any other (other PCs then accept the shorter log); None when today's secret
    does not open the slot of back then."""
    try:
        opened = _open_slot(KeyFile.load(key_file_path(target)), name, password, code)
    except WrongPassword:
        return None
    return opened.identity.sign if opened.identity is not None else None


def _move_aside(target: Path, now: datetime) -> list[tuple[Path, Path]]:
    """Rename the current database, key file and journal to ``<db>.voor-herstel-…``."""
    stamp = f"{now:%Y%m%d-%H%M}"
    for number in range(1, 1000):
        suffix = f"-{number}" if number > 1 else ""
        aside = target.with_name(f"{target.name}.{ASIDE_MARK}-{stamp}{suffix}")
        if not any(p.exists() for p in _companions(aside)):
            break
    moved: list[tuple[Path, Path]] = []
    try:
        for current, new in zip(_companions(target), _companions(aside), strict=True):
            if current.exists():
                os.replace(current, new)
                moved.append((current, new))
    except OSError:
        _move_back(moved)
        raise
    archive.fsync_folder(target.parent)
    return moved


def _move_back(moved: list[tuple[Path, Path]]) -> None:
    for current, new in reversed(moved):
        with contextlib.suppress(OSError):
            os.replace(new, current)


def _put_in_place(
    extracted: archive.Extracted, target: Path, moved: list[tuple[Path, Path]]
) -> None:
    """Rename the verified copies into place; on failure, undo and put the old files back."""
    placed: list[Path] = []
    try:
        for source, final in (
            (extracted.key_file, key_file_path(target)),
            (extracted.database, target),
        ):
            os.replace(source, final)
            placed.append(final)
            make_private(final)  # written owner-only; kept so whatever made the copy
        archive.fsync_folder(target.parent)
    except OSError:
        for path in placed:
            path.unlink(missing_ok=True)
        _move_back(moved)
        raise
