"""The back-up file: one zip (no compression) with the encrypted database, its key file and a
manifest without personal data; the online copy, the atomic write and the rotation rule.

The database copy is made with SQLite's online backup API into a connection keyed with the
same raw key, so the copy is as encrypted as the original and consistent while others write.
Nothing is ever decrypted to disk: temporary files hold the encrypted copy only.

Which back-up is the newest is decided by the manifest's ``sequence``, a number the database
hands out (and keeps) for each back-up, never by the date: a clock that ran ahead must not
make an older back-up pass for the newest. Back-ups of KlachtDesk before sequence numbers
have none (0) and count as older than every numbered one.

Back-up files come from shared folders and are untrusted: their zip directory, manifest and
members are read with hard limits on size and compression ratio, checked before anything is
inflated (zip headers can lie, so every read is capped as well).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import heapq
import json
import os
import re
import shutil
import socket
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from klachtdesk.domain.errors import KlachtDeskError, os_reason
from klachtdesk.storage.engine import SQLITE_MAGIC, _raw_connect
from klachtdesk.storage.keyslots import make_private_folder, open_private
from klachtdesk.storage.migrate import alembic_config

FORMAT = "klachtdesk-backup"
FORMAT_VERSION = 1
SUFFIX = ".kdbackup"
PART_SUFFIX = ".part"
DEFECT_SUFFIX = ".defect"
MANIFEST = "manifest.json"
DB_MEMBER = "klachtdesk.kdb"
KEYS_MEMBER = "klachtdesk.kdb.keys"
_NAME = re.compile(r"^klachtdesk-(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(?:-(\d{1,3}))?\.kdbackup$")
WORK_PREFIX = ".klachtdesk-werk-"
OWNER_FILE = "eigenaar.json"
STALE_AFTER_S = 24 * 60 * 60
_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_ERROR_INVALID_PARAMETER = 87
_STILL_ACTIVE = 259
_CHUNK = 1024 * 1024
_MAX_KEYS_BYTES = 10 * 1024 * 1024
# Limits for untrusted files. A real manifest is under 1 kB, a real back-up has 3 members in a
# directory of a few hundred bytes, stored without compression (an encrypted database does
# not compress at all).
_MAX_MANIFEST_BYTES = 256 * 1024
_MAX_MEMBERS = 8
_MAX_DIRECTORY_BYTES = 64 * 1024
_MAX_RATIO = 10  # inflated size per stored byte, for a member larger than _RATIO_FLOOR
_RATIO_FLOOR = 1024 * 1024
_MAX_SEQUENCE = 2**62
_SAFE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # deflate reads are bounded
_SPACE_MARGIN = 8 * 1024 * 1024  # room for SQLite's own files while the copy is checked
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, zlib.error)
_END = struct.Struct("<4s4H2LH")  # end of central directory record
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
T = TypeVar("T")


class BackupDamaged(KlachtDeskError):
    def __init__(self, path: Path, detail: str = ""):
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"De back-up '{Path(path).name}' is beschadigd of onvolledig{extra} en kan niet "
            "worden gebruikt. Er is niets teruggezet of overschreven. Kies een andere back-up."
        )


class BackupTooNew(KlachtDeskError):
    def __init__(self, path: Path):
        super().__init__(
            f"De back-up '{Path(path).name}' is gemaakt met een nieuwere versie van KlachtDesk. "
            "Installeer de nieuwste versie van KlachtDesk en probeer het opnieuw."
        )


class BackupNoRoom(KlachtDeskError):
    def __init__(self, path: Path, folder: Path, needed: int, free: int):
        super().__init__(
            f"Er is niet genoeg vrije ruimte in '{folder}' om de back-up '{Path(path).name}' "
            f"uit te pakken en te controleren (nodig: {_human(needed)}, vrij: {_human(free)}). "
            "Er is niets teruggezet of gewijzigd. Maak ruimte vrij of kies een andere map."
        )


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
    return f"{max(size // 1024, 1)} kB"


class BackupMissing(KlachtDeskError):
    exit_code = 2

    def __init__(self, path: Path):
        super().__init__(
            f"Het back-upbestand '{path}' bestaat niet. Controleer de naam en de map (is de "
            "USB-stick of netwerkschijf aangesloten?)."
        )


class BackupFolderMissing(KlachtDeskError):
    exit_code = 2

    def __init__(self, folder: Path):
        super().__init__(
            f"De map '{folder}' voor back-ups bestaat niet. Is de USB-stick of netwerkschijf "
            "aangesloten? Kies anders een andere map. Er is geen back-up gemaakt."
        )


class BackupWriteFailed(KlachtDeskError):
    def __init__(self, folder: Path, error: OSError):
        if error.errno == errno.ENOSPC:
            reason = "de schijf of USB-stick is vol"
        else:
            reason = os_reason(error)
        super().__init__(
            f"De back-up kon niet worden geschreven in '{folder}': {reason}. Er is geen "
            "nieuwe back-up gemaakt; eerdere back-ups en de database zelf zijn ongewijzigd."
        )


@dataclass(frozen=True)
class Member:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    app_version: str
    schema_revision: str
    file_id: str
    members: dict[str, Member]
    # The database the back-up was made of: a restored copy elsewhere keeps the file_id, and
    # its back-ups must not rotate away (or stand in for) those of the live database.
    database: str = ""
    # The database's own count of its back-ups (also stored inside the copy); 0: made by a
    # KlachtDesk from before sequence numbers. Orders back-ups where dates may lie.
    sequence: int = 0
    # The audit chain's head when the back-up was made, and the first beheerder's key: a
    # witness that the live log must still contain (services/safety/signatures.py)
    witness: dict = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "app_version": self.app_version,
            "schema_revision": self.schema_revision,
            "file_id": self.file_id,
            "database": self.database,
            "sequence": self.sequence,
            "witness": self.witness,
            "members": {name: vars(m) for name, m in sorted(self.members.items())},
        }
        return json.dumps(data, indent=1).encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes, path: Path) -> Manifest:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("format")
        except (ValueError, RecursionError):  # RecursionError: nested a hundred thousand deep
            raise BackupDamaged(path, "geen KlachtDesk-back-up") from None
        version = data.get("version")
        if not _is_count(version):
            raise BackupDamaged(path, "de inhoudsopgave is onleesbaar")
        if version > FORMAT_VERSION:
            raise BackupTooNew(path)
        try:
            members = {name: _member(m) for name, m in data["members"].items()}
            if set(members) != {DB_MEMBER, KEYS_MEMBER}:
                raise ValueError("members")
            created_at = datetime.fromisoformat(data["created_at"])
            if created_at.tzinfo is not None:  # ours are local time; mixed ones cannot be sorted
                raise ValueError("created_at")
            sequence = data.get("sequence", 0)
            if not _is_count(sequence) or sequence > _MAX_SEQUENCE:
                raise ValueError("sequence")
            witness = _witness(data.get("witness", {}))
            return cls(
                created_at=created_at,
                app_version=_text(data["app_version"]),
                schema_revision=_text(data["schema_revision"]),
                file_id=_text(data["file_id"]),
                members=members,
                database=_text(data.get("database", "")),
                sequence=sequence,
                witness=witness,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BackupDamaged(path, "de inhoudsopgave is onleesbaar") from None


def _witness(data: object) -> dict:
    """A manifest's witness: a few short texts and counts, nothing else."""
    if not isinstance(data, dict) or len(data) > 8:
        raise ValueError("witness")
    for key, value in data.items():
        if not isinstance(key, str) or not (
            (isinstance(value, str) and len(value) <= 100) or _is_count(value)
        ):
            raise ValueError("witness")
    return data


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


def _member(data: object) -> Member:
    digest, size = data["sha256"], data["size"]  # type: ignore[index]
    if not isinstance(digest, str):  # a wrong one is caught by the checksum comparison
        raise ValueError("sha256")
    if not _is_count(size):
        raise ValueError("size")
    return Member(digest, size)


@dataclass(frozen=True)
class BackupInfo:
    """One back-up file as its manifest describes it; ``problem`` is set for a bad file."""

    path: Path
    created_at: datetime
    size: int
    app_version: str = ""
    schema_revision: str = ""
    file_id: str = ""
    verified: bool = False
    problem: str = ""
    database: str = ""
    sequence: int = 0
    # Dated later than a back-up made after it (or than now): the clock ran ahead.
    misdated: bool = False
    witness: dict = field(default_factory=dict)  # see Manifest.witness

    def made_of(self, database: Path | str) -> bool:
        """Made of this database file (older back-ups without the path count as such)."""
        return not self.database or same_path(self.database, database)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class Extracted:
    """The members of a back-up written to a work folder: still encrypted, hashes checked."""

    database: Path
    key_file: Path
    manifest: Manifest
    info: BackupInfo


# -- names ------------------------------------------------------------------------------------
def backup_name(at: datetime, number: int = 1) -> str:
    extra = f"-{number}" if number > 1 else ""
    return f"klachtdesk-{at:%Y-%m-%d-%H%M}{extra}{SUFFIX}"


def is_backup_name(name: str) -> bool:
    return _NAME.match(name) is not None


def free_backup_path(folder: Path, at: datetime) -> Path:
    """A name not yet used in ``folder`` (also not as .part or .defect)."""
    for number in range(1, 1000):
        path = folder / backup_name(at, number)
        taken = (path, *(path.with_name(path.name + s) for s in (PART_SUFFIX, DEFECT_SUFFIX)))
        if not any(p.exists() for p in taken):
            return path
    raise BackupWriteFailed(folder, OSError(errno.EEXIST, "te veel back-ups in één minuut"))


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


# -- work folders -----------------------------------------------------------------------------
@contextlib.contextmanager
def work_folder(parent: Path | None = None) -> Iterator[Path]:
    """A private folder (mode 700) for encrypted temporary copies, removed on every path.

    It names its owner (computer and process id) in ``OWNER_FILE``, so that the folder a
    killed process leaves behind can be told from one in use (``remove_stale_work_folders``).
    """
    folder = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=parent))
    try:
        make_private_folder(folder)  # mkdtemp's 700 is subject to the umask
        owner = {"host": socket.gethostname(), "pid": os.getpid()}
        with open_private(folder / OWNER_FILE) as handle:
            handle.write(json.dumps(owner).encode("utf-8"))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_work_folders(parents: Iterable[Path], now: float | None = None) -> list[Path]:
    """Remove the work folders a killed back-up, check or restore left in ``parents``.

    Such a folder holds an encrypted copy of the database and a copy of its key file. A
    ``.klachtdesk-werk-*`` folder (never a link, never anything else) is stale when

    - its owner file names this computer and a process id that no longer runs: the process
      was killed; or
    - nothing in it has changed for ``STALE_AFTER_S`` (a day): a run on another PC sharing
      the folder that crashed, a reused process id, or an owner file that was never written.
      No back-up or restore takes that long, and the clocks of PCs sharing a folder differ
      by minutes, not hours.

    So a folder in use right now, by this process, another on this PC, or another PC, is
    kept. Returns the folders removed; one that cannot be read or removed (another user's,
    a stick pulled out) is left for a later start.
    """
    now = time.time() if now is None else now
    removed = []
    for parent in dict.fromkeys(Path(p) for p in parents):
        try:
            entries = [
                entry
                for entry in os.scandir(parent)
                if entry.name.startswith(WORK_PREFIX) and entry.is_dir(follow_symlinks=False)
            ]
        except OSError:
            continue
        for entry in entries:
            folder = Path(entry.path)
            try:
                if not _is_stale(folder, now):
                    continue
                shutil.rmtree(folder)
            except OSError:
                continue
            removed.append(folder)
    return removed


def _is_stale(folder: Path, now: float) -> bool:
    if _owner_is_gone(folder / OWNER_FILE):
        return True
    with os.scandir(folder) as entries:
        changed = [entry.stat(follow_symlinks=False).st_mtime for entry in entries]
    changed.append(folder.lstat().st_mtime)
    return now - max(changed) > STALE_AFTER_S


def _owner_is_gone(owner_file: Path) -> bool:
    """True only when the owner file says: this computer, a process that no longer runs."""
    try:
        owner = json.loads(owner_file.read_text(encoding="utf-8"))
        host, pid = owner["host"], owner["pid"]
    except (OSError, ValueError, TypeError, KeyError):
        return False  # no readable owner: the age rule decides
    if host != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    return not process_runs(pid)


def process_runs(pid: int) -> bool:
    """Does a process with this id run on this computer? (When unsure: yes.)"""
    if os.name == "nt":
        return _windows_process_runs(pid)
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _windows_process_runs(pid: int) -> bool:
    # os.kill(pid, 0) would end the process on Windows: ask the kernel instead.
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
    kernel32.GetExitCodeProcess.restype = wintypes.BOOL
    kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
    handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ctypes.get_last_error() != _ERROR_INVALID_PARAMETER  # no such process
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


# -- writing ----------------------------------------------------------------------------------


def copy_database(source: Path, key: bytes, target: Path) -> None:
    """Copy a live database with the online backup API into ``target``, keyed with ``key``."""
    src = _raw_connect(source, key)
    try:
        dst = _raw_connect(target, key)
        try:
            # One step copies every page under one read lock: a consistent snapshot, while
            # writers wait (busy timeout) only for the length of the copy.
            src.backup(dst, pages=-1, sleep=0.05)
        finally:
            dst.close()
    finally:
        src.close()
    with target.open("rb") as handle:
        if handle.read(16) == SQLITE_MAGIC:  # never keep an unencrypted copy, not even here
            target.unlink()
            raise RuntimeError("the database copy is not encrypted")


def file_digest(path: Path) -> Member:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Member(digest.hexdigest(), size)


def write_part(target: Path, db_copy: Path, keys: bytes, manifest: Manifest) -> Path:
    """Write ``<target>.part`` and fsync it; the caller verifies, then ``publish``es it."""
    part = target.with_name(target.name + PART_SUFFIX)
    try:
        with open_private(part) as raw:  # owner-only, whatever the umask
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, manifest.to_bytes())
                archive.write(db_copy, DB_MEMBER)
                archive.writestr(KEYS_MEMBER, keys)
            raw.flush()
            os.fsync(raw.fileno())
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part


def publish(part: Path, target: Path) -> None:
    """Give a verified ``.part`` its final name (never over an existing file)."""
    if target.exists():
        raise FileExistsError(errno.EEXIST, f"'{target.name}' bestaat al")
    os.replace(part, target)
    fsync_folder(target.parent)


def set_aside_defect(part: Path) -> Path | None:
    """Keep a back-up that failed verification as ``.defect`` for inspection (never a
    ``.kdbackup``); remove it if even that fails."""
    name = part.name.removesuffix(PART_SUFFIX)
    defect = part.with_name(name + DEFECT_SUFFIX)
    try:
        os.replace(part, defect)
        return defect
    except OSError:
        part.unlink(missing_ok=True)
        return None


def fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles for this."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- reading ----------------------------------------------------------------------------------
def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupMissing(path)
    _check_directory_size(path)
    try:
        archive = zipfile.ZipFile(path)
    except (*_ZIP_ERRORS, struct.error):
        raise BackupDamaged(path, "het is geen volledig back-upbestand") from None
    if len(archive.infolist()) > _MAX_MEMBERS:
        archive.close()
        raise BackupDamaged(path, "geen KlachtDesk-back-up")
    return archive


def _check_directory_size(path: Path) -> None:
    """Refuse a zip whose central directory is not that of a back-up, from its last bytes.

    ``zipfile`` reads and parses the whole directory on opening, which a hostile file can make
    as large as itself. This reads the end-of-directory records as ``zipfile`` finds them
    (the zip64 record just before its locator wins) and checks the count and size they give.
    """
    size = path.stat().st_size
    if size < _END.size:
        raise BackupDamaged(path, "het is geen volledig back-upbestand")
    search = _END.size + 0xFFFF  # the record, then at most a comment of 64 kB
    before = _END64_LOCATOR.size + _END64.size
    with path.open("rb") as handle:
        start = max(size - search - before, 0)
        handle.seek(start)
        tail = handle.read(size - start)
    end = len(tail) - _END.size
    if not (tail[end : end + 4] == b"PK\x05\x06" and tail[-2:] == b"\0\0"):
        end = tail.rfind(b"PK\x05\x06", max(len(tail) - search, 0))
    if end < 0 or len(tail) - end < _END.size:
        raise BackupDamaged(path, "het is geen volledig back-upbestand")
    *_, members, directory, _offset, _comment = _END.unpack_from(tail, end)
    locator = end - _END64_LOCATOR.size
    if locator >= _END64.size and tail[locator : locator + 4] == b"PK\x06\x07":
        record = _END64.unpack_from(tail, locator - _END64.size)
        if record[0] == b"PK\x06\x06":
            members, directory = record[7], record[8]
    if members > _MAX_MEMBERS or directory > _MAX_DIRECTORY_BYTES:
        raise BackupDamaged(path, "geen KlachtDesk-back-up")


def _check_entry(path: Path, entry: zipfile.ZipInfo, limit: int | None, size: int) -> None:
    """Refuse a member that is not what a back-up holds, before inflating any of it."""
    name = entry.filename
    what = "de inhoudsopgave" if name == MANIFEST else f"'{name}'"
    if entry.flag_bits & 0x1 or entry.compress_type not in _SAFE_COMPRESSION:
        raise BackupDamaged(path, f"{what} is op een onbekende manier ingepakt")
    if entry.compress_size > size or not 0 <= entry.header_offset < size:
        raise BackupDamaged(path, "het is geen volledig back-upbestand")
    if limit is not None and entry.file_size > limit:
        raise BackupDamaged(path, f"{what} is te groot; dit is geen KlachtDesk-back-up")
    if entry.file_size > max(entry.compress_size * _MAX_RATIO, _RATIO_FLOOR):
        raise BackupDamaged(path, f"{what} pakt veel groter uit dan het bestand zelf")


def _read_capped(path: Path, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """The whole member, in small reads: never more than its (checked) size, even when the
    compressed data inflates to far more than the header says."""
    parts: list[bytes] = []
    total = 0
    try:
        with archive.open(entry) as source:
            while chunk := source.read(64 * 1024):
                total += len(chunk)
                if total > entry.file_size:
                    raise BackupDamaged(path, "de inhoudsopgave is groter dan opgegeven")
                parts.append(chunk)
    except _ZIP_ERRORS:
        raise BackupDamaged(path, "de inhoudsopgave is onleesbaar") from None
    return b"".join(parts)


def _limit(name: str) -> int | None:
    return {MANIFEST: _MAX_MANIFEST_BYTES, KEYS_MEMBER: _MAX_KEYS_BYTES}.get(name)


def _read_checked_manifest(path: Path, archive: zipfile.ZipFile) -> Manifest:
    size = path.stat().st_size
    try:
        entry = archive.getinfo(MANIFEST)
    except KeyError:
        raise BackupDamaged(path, "geen KlachtDesk-back-up") from None
    _check_entry(path, entry, _MAX_MANIFEST_BYTES, size)
    manifest = Manifest.from_bytes(_read_capped(path, archive, entry), path)
    for other in archive.infolist():
        _check_entry(path, other, _limit(other.filename), size)
    for member in (DB_MEMBER, KEYS_MEMBER):
        if member not in archive.NameToInfo:
            raise BackupDamaged(path, f"'{member}' ontbreekt")
    return manifest


def read_manifest(path: Path) -> Manifest:
    """The manifest of a back-up (no password needed); raises BackupDamaged/BackupTooNew.

    Reads only the end of the file and the manifest itself, each with a hard limit, and checks
    the other members' sizes as the zip directory gives them (without inflating anything).
    """
    with _open_zip(path) as archive:
        return _read_checked_manifest(path, archive)


def info_from(path: Path, manifest: Manifest, verified: bool = False) -> BackupInfo:
    return BackupInfo(
        path=path,
        created_at=manifest.created_at,
        size=path.stat().st_size,
        app_version=manifest.app_version,
        schema_revision=manifest.schema_revision,
        file_id=manifest.file_id,
        verified=verified,
        database=manifest.database,
        sequence=manifest.sequence,
        witness=manifest.witness,
    )


def describe(path: Path) -> BackupInfo:
    """Read one file's manifest; a damaged file comes back with ``problem`` set."""
    try:
        return info_from(path, read_manifest(path))
    except KlachtDeskError as error:
        return BackupInfo(path, _date_of_damaged(path), path.stat().st_size, problem=str(error))


def _date_of_damaged(path: Path) -> datetime:
    """For sorting a file without a readable manifest: the date in its name, else its time."""
    match = _NAME.match(path.name)
    if match:
        with contextlib.suppress(ValueError):  # e.g. 30 February in a hostile name
            return datetime(*(int(g) for g in match.groups()[:3]), int(match[4]), int(match[5]))
    with contextlib.suppress(OverflowError, ValueError):
        return datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    return datetime.min


def newest_first(infos: Iterable[BackupInfo]) -> list[BackupInfo]:
    """Newest first. The back-ups of one database (file_id) in the order the database made
    them (sequence, then date for old back-ups without one); those of other databases and
    damaged files merged in by date."""
    groups: dict[str, list[BackupInfo]] = {}
    for info in infos:
        groups.setdefault("" if info.problem else info.file_id, []).append(info)
    ordered = [
        sorted(group, key=made_order if key else by_date, reverse=True)
        for key, group in groups.items()
    ]
    return list(heapq.merge(*ordered, key=by_date, reverse=True))


def made_order(info: BackupInfo) -> tuple[int, datetime, str]:
    """The order back-ups of one database were made in (the key for "newest")."""
    return info.sequence, info.created_at, info.name


def by_date(info: BackupInfo) -> tuple[datetime, str]:
    return info.created_at, info.name


def extract(path: Path, workdir: Path, database_name: str = DB_MEMBER) -> Extracted:
    """Copy the members into ``workdir`` (encrypted as they are), checking size and SHA-256.

    Sizes are checked against the manifest, the limits and the free space in ``workdir``
    before anything is written; every read is capped at the size the zip directory gives.
    """
    database = workdir / database_name
    key_file = Path(str(database) + ".keys")
    with _open_zip(path) as archive:
        manifest = _read_checked_manifest(path, archive)
        entries = {}
        for member in (DB_MEMBER, KEYS_MEMBER):
            entry = archive.getinfo(member)
            if entry.file_size != manifest.members[member].size:
                raise BackupDamaged(path, f"'{member}' heeft niet de verwachte grootte")
            entries[member] = entry
        needed = sum(entry.file_size for entry in entries.values()) + _SPACE_MARGIN
        free = shutil.disk_usage(workdir).free
        if needed > free:
            raise BackupNoRoom(path, workdir.parent, needed, free)
        for member, target in ((DB_MEMBER, database), (KEYS_MEMBER, key_file)):
            entry, expected = entries[member], manifest.members[member]
            digest = hashlib.sha256()
            written = 0
            try:
                with archive.open(entry) as source, open_private(target) as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > entry.file_size:
                            raise BackupDamaged(path, f"'{member}' is groter dan opgegeven")
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            except _ZIP_ERRORS:
                raise BackupDamaged(path, f"'{member}' is onleesbaar") from None
            if digest.hexdigest() != expected.sha256:
                raise BackupDamaged(path, f"de controlesom van '{member}' klopt niet")
    return Extracted(database, key_file, manifest, info_from(path, manifest))


# -- rotation ---------------------------------------------------------------------------------
def select_kept(
    items: list[T],
    stamp: Callable[[T], datetime],
    daily: int,
    weekly: int,
    monthly: int,
    order: Callable[[T], object] | None = None,
) -> list[T]:
    """The back-ups rotation keeps, newest first.

    Each rule is applied on its own to all back-ups (as restic's ``forget`` does): the newest
    back-up of each of the ``daily`` most recent days that have one, of the ``weekly`` most
    recent ISO weeks, and of the ``monthly`` most recent months. A back-up kept by several
    rules is kept once. The newest back-up is always kept.

    "Newest" is by ``order`` (default: the date). With the order the back-ups were made in, a
    back-up dated in the future by a clock that ran ahead counts as one day among the others
    and is pushed out as newer ones come, instead of holding the newest place for ever.
    """
    ordered = sorted(items, key=order or stamp, reverse=True)
    periods: tuple[tuple[int, Callable[[datetime], object]], ...] = (
        (max(daily, 1), lambda t: t.date()),
        (weekly, lambda t: tuple(t.isocalendar())[:2]),
        (monthly, lambda t: (t.year, t.month)),
    )
    kept_ids: set[int] = set()
    for count, period in periods:
        seen: set[object] = set()
        for item in ordered:
            key = period(stamp(item))
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            kept_ids.add(id(item))
    return [item for item in ordered if id(item) in kept_ids]


def same_path(first: Path | str, second: Path | str) -> bool:
    return os.path.normcase(os.path.abspath(first)) == os.path.normcase(os.path.abspath(second))
