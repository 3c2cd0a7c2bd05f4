"""Back-ups of a KlachtDesk database on a PostgreSQL server: ``pg_dump``, checked with
``pg_restore``; or a clear word that the server's own back-up is in charge.

On a server the IT provider's back-up of the server is the back-up. KlachtDesk adds, at a
beheerder's wish, a copy of its own database (``services/safety/backup.py`` sends every
call here when ``ctx.db.is_server``). What was decided, and why:

- **Only a beheerder.** pg_dump reads what the logged-in login role may read. Row-level
  security shows a directeur the appeal cases only, so his dump would be silently
  incomplete; the other roles see everything but a copy of all personal data is the
  beheerder's business. Every other role is refused up front, before pg_dump runs.
- **``--enable-row-security``.** Without it pg_dump refuses (measured: "query would be
  affected by row-level security policy for table cases") every table with row-level
  security for a role that does not own it, the beheerder included. With it the rows come
  through the policies, and the beheerder's policy shows every row.
- **Only into a folder someone chose**: ``--to MAP`` or the setting ``backup.folder``. A dump
  is not encrypted (the server's data is not in KlachtDesk's key), so KlachtDesk never puts
  one in a folder nobody picked.
- **The automatic back-ups** (daily, and on closing the main window) are made only when a
  beheerder is logged in and ``backup.folder`` is set. Otherwise they are never due and the
  status names the server as in charge without a warning: nobody is nagged daily about a
  back-up that is not theirs to make.
- **Checked before it counts.** The dump is written as ``<name>.part`` in the target folder
  and gets its ``.dump`` name only after two checks: ``pg_restore --list`` must show the
  data of every table the database has, and ``pg_restore --file=-`` must read every data
  block to the end (a dump cut in half still lists fine: measured). A dump that fails is
  removed. ``backup.last_at`` and the audit entry ``backup_gemaakt`` are written afterwards,
  and the rotation settings of the file's back-ups apply to this database's dumps.
- **The programs**: ``pg_dump`` and ``pg_restore`` from PATH, else from the newest
  ``/usr/lib/postgresql/<versie>/bin`` (Debian, Ubuntu) or ``PostgreSQL\\<versie>\\bin``
  under Program Files (Windows). Without them KlachtDesk says the server's back-up is in
  charge. Run as a list of arguments, no shell; the password goes in the environment
  (``ServerDatabase.libpq_arguments``), never on the command line.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from klachtdesk import __version__
from klachtdesk.domain.errors import KlachtDeskError, NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.context import Context, audit
from klachtdesk.storage import backup as archive
from klachtdesk.storage.backup import BackupFolderMissing, BackupInfo, BackupWriteFailed

SUFFIX = ".dump"
DUMP_TIMEOUT_S = 60 * 60
CHECK_TIMEOUT_S = 60 * 60
# Where PostgreSQL's own installers put the programs when they are not on PATH.
INSTALL_FOLDERS = ["/usr/lib/postgresql/*/bin"]
if os.name == "nt":  # pragma: no cover - Windows only
    INSTALL_FOLDERS += [
        str(Path(os.environ.get(name, "")) / "PostgreSQL" / "*" / "bin")
        for name in ("ProgramFiles", "ProgramW6432")
        if os.environ.get(name)
    ]
# Tables that every KlachtDesk database has data for, whatever the server lists.
REQUIRED_TABLES = ("cases", "audit_log")

SERVER_IN_CHARGE = (
    "Op een PostgreSQL-server is de back-up de taak van uw IT-beheerder: de back-up van de "
    "server zelf is leidend."
)
UNENCRYPTED = (
    "Let op: zo'n kopie is niet versleuteld; kies een map die alleen bevoegde personen "
    "kunnen lezen."
)
NOTE_AFTER_BACKUP = (
    "Deze kopie komt bovenop de back-up van de server zelf, die uw IT-beheerder regelt en die "
    "leidend blijft. De kopie is niet versleuteld: bewaar hem op een veilige plek."
)
STATUS_SERVER = "Back-up: door de server zelf (uw IT-beheerder)"


class ServerBackupInCharge(KlachtDeskError):
    """KlachtDesk makes no copy of its own here: the server's back-up is in charge."""

    def __init__(self, reason: str):
        super().__init__(f"{SERVER_IN_CHARGE} {reason} Er is geen back-up gemaakt.")


class ServerBackupNotAllowed(NotAllowed):
    def __init__(self):
        super().__init__(
            f"{SERVER_IN_CHARGE} Een eigen kopie met pg_dump mag alleen een beheerder maken: "
            "andere rollen zien niet alle gegevens (een directeur bijvoorbeeld alleen de "
            "zaken in heroverweging), zodat hun kopie onvolledig zou zijn. Er is geen back-up "
            "gemaakt."
        )


class ServerBackupFailed(KlachtDeskError):
    def __init__(self, detail: str):
        super().__init__(
            f"De back-up met pg_dump is niet gelukt ({detail}). Er is geen back-up gemaakt; "
            "eerdere back-ups zijn ongewijzigd. Probeer het later opnieuw of vraag uw "
            "IT-beheerder om hulp; de back-up van de server zelf blijft leidend."
        )


class ServerBackupRejected(KlachtDeskError):
    def __init__(self, name: str, detail: str):
        super().__init__(
            f"De nieuwe back-up '{name}' is bij de controle met pg_restore afgekeurd ({detail}) "
            "en is verwijderd. Eerdere back-ups zijn ongewijzigd. Probeer het opnieuw of kies "
            "een andere map."
        )


@dataclass(frozen=True)
class Tools:
    pg_dump: Path
    pg_restore: Path


# -- where, who, when -------------------------------------------------------------------------
def chosen_folder(settings: dict) -> Path | None:
    """The folder a beheerder set for back-ups (``backup.folder``), or None."""
    return Path(settings["backup.folder"]) if settings["backup.folder"] else None


def backup_folder(ctx: Context) -> Path:
    """The chosen folder; without one the home folder, only as the place to start choosing
    (nothing is written there unless someone picks it)."""
    return chosen_folder(settings_service.get_settings(ctx)) or Path.home()


def may_make(ctx: Context) -> bool:
    return Role.BEHEER in ctx.actor.roles


def automatic_copies(ctx: Context) -> bool:
    """Are the automatic back-ups made here? Only for a beheerder who chose a folder."""
    return may_make(ctx) and chosen_folder(settings_service.get_settings(ctx)) is not None


def find_tools() -> Tools | None:
    """pg_dump and pg_restore from PATH, else from the newest installed PostgreSQL."""
    folders = [folder for pattern in INSTALL_FOLDERS for folder in glob.glob(pattern)]
    for folder in [None, *sorted(folders, key=_version, reverse=True)]:
        found = _tools_in(folder)
        if found is not None:
            return found
    return None


def _tools_in(folder: str | None) -> Tools | None:
    """Both programs in ``folder`` (None: on PATH), or None."""
    pg_dump, pg_restore = (shutil.which(name, path=folder) for name in ("pg_dump", "pg_restore"))
    return Tools(Path(pg_dump), Path(pg_restore)) if pg_dump and pg_restore else None


def _version(folder: str) -> tuple[int, ...]:
    name = Path(folder).parent.name  # .../postgresql/15/bin
    return tuple(int(part) for part in re.findall(r"\d+", name))


# -- making -----------------------------------------------------------------------------------
def make_backup(ctx: Context, folder: Path | None = None, reason: str = "handmatig") -> BackupInfo:
    """A checked pg_dump of the database in ``folder`` (or the chosen ``backup.folder``)."""
    if not may_make(ctx):
        raise ServerBackupNotAllowed()
    settings = settings_service.get_settings(ctx)
    tools = find_tools()
    if tools is None:
        raise ServerBackupInCharge(
            "Op deze computer ontbreken de PostgreSQL-programma's pg_dump en pg_restore, dus "
            "kan KlachtDesk er zelf geen kopie naast maken. Wilt u dat toch, laat dan de "
            "PostgreSQL-programma's (bijvoorbeeld het pakket postgresql-client) installeren."
        )
    folder = folder or chosen_folder(settings)
    if folder is None:
        raise ServerBackupInCharge(
            "Wilt u daarnaast zelf een kopie met pg_dump, kies dan eerst een map (klachtdesk "
            f"backup --to MAP, of Back-ups → Andere map kiezen). {UNENCRYPTED}"
        )
    folder = Path(folder).absolute()
    if not folder.is_dir():
        raise BackupFolderMissing(folder)
    database = ctx.db.url.database
    now = ctx.now()
    remove_stale_parts(folder, database)
    with ctx.db.session() as session:  # what the dump must hold: every table of the database
        tables = set(
            session.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    target = free_dump_path(folder, database, now)
    part = target.with_name(target.name + archive.PART_SUFFIX)
    try:
        with part.open("xb"):  # the folder can be written, and the name is ours
            pass
    except OSError as exc:
        raise BackupWriteFailed(folder, exc) from exc
    try:
        dump(ctx, tools, part)
        verify_dump(tools, part, tables | set(REQUIRED_TABLES), target.name)
        archive.publish(part, target)
    except OSError as exc:
        raise BackupWriteFailed(folder, exc) from exc
    finally:
        part.unlink(missing_ok=True)
    with ctx.db.session(write=True) as session:
        # a beheerder may write settings on the server (the only role that gets here)
        settings_service.write(session, "backup.last_at", now.isoformat(timespec="seconds"))
        detail = f"{reason}; pg_dump; map {folder}; gecontroleerd"
        audit(session, ctx, "backup_gemaakt", target.name, detail)
    rotate_dumps(
        folder,
        database,
        settings["backup.keep_daily"],
        settings["backup.keep_weekly"],
        settings["backup.keep_monthly"],
        protect=target,
    )
    return BackupInfo(
        path=target,
        created_at=now,
        size=target.stat().st_size,
        app_version=__version__,
        verified=True,
        database=ctx.db.path,
    )


def dump(ctx: Context, tools: Tools, part: Path) -> None:
    """pg_dump the database into ``part`` as the logged-in login role."""
    arguments, environment = ctx.db.libpq_arguments()
    argv = [
        str(tools.pg_dump),
        "--format=custom",
        "--enable-row-security",  # see the module's docstring
        f"--file={part}",
        *arguments,
    ]
    done = _run(argv, DUMP_TIMEOUT_S, {**os.environ, **environment})
    if done is None:
        raise ServerBackupFailed(f"pg_dump was na {DUMP_TIMEOUT_S // 60} minuten nog niet klaar")
    if done.returncode:
        detail = _first_error(done.stderr)
        if "version mismatch" in detail.lower():  # pg_dump older than the server
            raise ServerBackupInCharge(
                "De PostgreSQL-programma's op deze computer zijn ouder dan de server, en een "
                "oudere pg_dump kan een nieuwere server niet kopiëren. Laat de "
                "PostgreSQL-programma's van dezelfde versie als de server (of nieuwer) "
                "installeren."
            )
        if "no space left" in detail.lower():
            raise BackupWriteFailed(part.parent, OSError(errno.ENOSPC, detail))
        if "permission denied" in detail.lower() or "row-level security" in detail.lower():
            raise ServerBackupInCharge(
                f"De server weigerde de gegevens voor een eigen kopie te lezen ({detail})."
            )
        raise ServerBackupFailed(detail or f"pg_dump stopte met code {done.returncode}")


def verify_dump(tools: Tools, path: Path, tables: set[str], name: str = "") -> None:
    """Raise ServerBackupRejected unless ``path`` is a complete dump with the data of every
    table in ``tables``: its table of contents lists them, and every data block reads to
    the end."""
    name = name or path.name
    listing = _run([str(tools.pg_restore), "--list", str(path)], CHECK_TIMEOUT_S)
    if listing is None or listing.returncode:
        detail = _first_error(listing.stderr) if listing else "de controle duurde te lang"
        raise ServerBackupRejected(name, f"het bestand is onleesbaar: {detail}")
    present = set(re.findall(r"^\d+; \d+ \d+ TABLE DATA public (\S+) ", listing.stdout, re.M))
    missing = sorted(tables - present)
    if missing:
        raise ServerBackupRejected(
            name, f"de gegevens van de tabel(len) {', '.join(missing)} ontbreken"
        )
    # --list reads only the table of contents at the start; a dump cut short passes it
    reading = _run([str(tools.pg_restore), "--file=-", str(path)], CHECK_TIMEOUT_S, quiet=True)
    if reading is None or reading.returncode:
        detail = _first_error(reading.stderr) if reading else "de controle duurde te lang"
        raise ServerBackupRejected(name, f"het bestand is onvolledig of beschadigd: {detail}")


def _run(
    argv: list[str], timeout: float, env: dict | None = None, quiet: bool = False
) -> subprocess.CompletedProcess | None:
    """Run a PostgreSQL program; None when it did not finish in time (it is stopped)."""
    extra = {"creationflags": subprocess.CREATE_NO_WINDOW} if os.name == "nt" else {}
    try:
        return subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            env=env,
            timeout=timeout,
            check=False,
            **extra,
        )
    except subprocess.TimeoutExpired:
        return None
    except OSError as exc:  # the program vanished or cannot run
        raise ServerBackupFailed(f"{Path(argv[0]).name} kon niet starten: {exc}") from exc


def _first_error(stderr: str | None) -> str:
    """The first line a PostgreSQL program gave as its error, without its own prefix."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    chosen = next((line for line in lines if "error:" in line), lines[0] if lines else "")
    return re.sub(r"^pg_\w+: (error: )?", "", chosen)[:300]


# -- names and rotation -----------------------------------------------------------------------
def _safe(database: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", database)


def dump_name(database: str, at: datetime, number: int = 1) -> str:
    extra = f"-{number}" if number > 1 else ""
    return f"klachtdesk-{_safe(database)}-{at:%Y-%m-%d-%H%M%S}{extra}{SUFFIX}"


def free_dump_path(folder: Path, database: str, at: datetime) -> Path:
    """A name not yet used in ``folder``, also not as ``.part``."""
    for number in range(1, 1000):
        path = folder / dump_name(database, at, number)
        if not path.exists() and not path.with_name(path.name + archive.PART_SUFFIX).exists():
            return path
    raise BackupWriteFailed(folder, OSError(errno.EEXIST, "te veel back-ups in één seconde"))


def _dated_dumps(folder: Path, database: str) -> list[tuple[Path, datetime]]:
    pattern = re.compile(
        rf"^klachtdesk-{re.escape(_safe(database))}-(\d{{4}}-\d{{2}}-\d{{2}}-\d{{6}})"
        rf"(?:-\d{{1,3}})?{re.escape(SUFFIX)}$"
    )
    found = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match and path.is_file():
            found.append((path, datetime.strptime(match.group(1), "%Y-%m-%d-%H%M%S")))
    return found


def list_dumps(ctx: Context, folder: Path) -> list[BackupInfo]:
    """This database's dumps in ``folder``, newest first (only checked dumps get their
    final name, see ``make_backup``)."""
    if not folder.is_dir():
        return []
    database = ctx.db.url.database
    found = sorted(_dated_dumps(folder, database), key=lambda item: item[1], reverse=True)
    return [
        BackupInfo(path, made, path.stat().st_size, verified=True, database=database)
        for path, made in found
    ]


def rotate_dumps(
    folder: Path,
    database: str,
    keep_daily: int,
    keep_weekly: int,
    keep_monthly: int,
    protect: Path | None = None,
) -> list[Path]:
    """Delete this database's dumps that the rotation does not keep (as for the file's
    back-ups: only our own name pattern, never ``protect``); returns them."""
    ours = _dated_dumps(folder, database)
    kept = archive.select_kept(
        ours,
        lambda item: item[1],
        keep_daily,
        keep_weekly,
        keep_monthly,
        order=lambda item: (item[1], item[0].name),
    )
    removed = []
    for item in ours:
        if item in kept or item[0] == protect:
            continue
        with contextlib.suppress(OSError):  # tried again after the next back-up
            item[0].unlink()
            removed.append(item[0])
    return removed


def remove_stale_parts(folder: Path, database: str) -> list[Path]:
    """Remove the ``.part`` files of this database that a killed pg_dump left behind, once
    untouched for a day (a beheerder on another PC may be making one right now)."""
    removed = []
    prefix = f"klachtdesk-{_safe(database)}-"
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if not (path.name.startswith(prefix) and path.name.endswith(SUFFIX + ".part")):
                continue
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > archive.STALE_AFTER_S:
                    path.unlink()
                    removed.append(path)
    return removed
