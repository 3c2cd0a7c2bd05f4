"""Restoring a back-up: verified first, never over an existing database without being asked,
and the files it replaces are moved aside, never deleted.

Restoring needs no working current database: the database may be damaged or missing. Close
KlachtDesk on other PCs that use the target file before restoring over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin.setup import open_database
from klachtdesk.services.context import audit
from klachtdesk.services.safety.backup import BackupInfo, unlocker, verify_into
from klachtdesk.storage import backup as archive
from klachtdesk.storage.backup import BackupMissing
from klachtdesk.storage.errors import (
    DamagedDatabase,
    DatabaseMissing,
    KeyFileMissing,
    NewerDatabase,
    NotADatabase,
)
from klachtdesk.storage.keyslots import key_file_path
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
    (folder missing; a database or key file exists there and ``overwrite`` is False)."""
    target = Path(target_db).absolute()
    if not target.parent.is_dir():
        raise ValidationError("database", f"de map '{target.parent}' bestaat niet.")
    check_location(target)
    if any(p.exists() for p in _companions(target)) and not overwrite:
        raise RestoreTargetExists(target)
    return target


def restore_backup(
    backup_path: Path,
    target_db: Path,
    username: str | None = None,
    password: str | None = None,
    *,
    recovery_code: str | None = None,
    overwrite: bool = False,
    now: datetime | None = None,
) -> RestoreResult:
    """Verify ``backup_path`` and put its database and key file at ``target_db``.

    Unlocks with the user's password or the recovery code (as they were when the back-up was
    made). Without ``overwrite`` an existing database or key file at the target is refused
    (RestoreTargetExists); with it, they are first renamed to
    ``<db>.voor-herstel-YYYYMMDD-HHMM`` (and ``.keys``). Then the restored database is opened
    and the audit entry ``backup_teruggezet`` is written as the restoring user (``herstelcode``
    for a recovery-code restore).
    """
    now = now or datetime.now().replace(microsecond=0)
    backup_path = Path(backup_path)
    target = check_target(target_db, overwrite)
    if not backup_path.is_file():
        raise BackupMissing(backup_path)
    unlock, name = unlocker(username, password, recovery_code)
    try:
        with archive.work_folder(target.parent) as work:
            # Replacing a shared database is the beheerder's (SPEC §1); a new file is anyone's.
            require = Role.BEHEER if overwrite and target_exists(target) else None
            extracted, key = verify_into(backup_path, work, unlock, name, require)
            moved = _move_aside(target, now) if overwrite else []
            _put_in_place(extracted, target, moved)
    except OSError as exc:
        raise RestoreWriteFailed(target.parent, exc) from exc
    restored_by = name or RECOVERY_USER
    info = replace(extracted.info, verified=True)
    try:
        db = open_database(target, key)
        try:
            with db.session(write=True) as session:
                audit(
                    session,
                    restored_by,
                    "backup_teruggezet",
                    info.name,
                    f"back-up van {info.created_at:%d-%m-%Y %H:%M}",
                    at=now,
                )
        finally:
            db.dispose()
    except KlachtDeskError as error:
        raise RestoredNotOpened(target, error) from error
    aside = tuple(new for _current, new in moved)
    return RestoreResult(target, key_file_path(target), info, restored_by, aside)


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
        archive.fsync_folder(target.parent)
    except OSError:
        for path in placed:
            path.unlink(missing_ok=True)
        _move_back(moved)
        raise
