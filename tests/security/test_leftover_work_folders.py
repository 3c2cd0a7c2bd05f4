"""A back-up or restore killed half-way leaves its work folder; the next login removes it.

The work folder (``.klachtdesk-werk-*``) holds an encrypted copy of the database and a copy
of its key file. Here a real ``klachtdesk backup`` and ``klachtdesk restore`` are stopped
with SIGKILL at the moment that copy exists (the process waits there, so the kill never
misses), then someone logs in, in the window's way or with the command line. The leftover
is gone, and nothing else: not the folder of a back-up that is still running, not a folder
another PC may be using, not anything that merely looks like a work folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from klachtdesk.services.admin import setup
from klachtdesk.services.safety import backup
from klachtdesk.storage import backup as archive
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from tests.conftest import PASSWORD, cli_env, clock

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork: POSIX")

PROCESS_TIMEOUT_S = 120
DAY = 25 * 60 * 60  # a day and an hour: older than the rule's day

# The real command line, told to wait once the back-up's members (the key file too) are in
# the work folder: the moment a kill leaves the most behind.
PAUSED_CLI = textwrap.dedent(
    """
    import sys, time
    from klachtdesk import cli
    from klachtdesk.storage import backup as archive

    real_extract = archive.extract

    def extract_then_wait(*args, **kwargs):
        extracted = real_extract(*args, **kwargs)
        print("uitgepakt", extracted.key_file.parent, flush=True)
        time.sleep(600)
        return extracted

    archive.extract = extract_then_wait
    sys.exit(cli.main(sys.argv[1:]))
    """
)


@pytest.fixture
def system_tmp(tmp_path, monkeypatch):
    """The system's temporary folder of this test only, here and in the subprocesses."""
    folder = tmp_path / "systeem-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def start_paused(tmp_path: Path, system_tmp: Path, *argv: str) -> tuple[subprocess.Popen, Path]:
    """Start ``klachtdesk ARGV`` and wait until it holds a work folder with a key file copy."""
    env = {**cli_env(tmp_path, "beheer"), "TMPDIR": str(system_tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_CLI, *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if not line.startswith("uitgepakt "):
        proc.kill()
        _, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
        pytest.fail(f"klachtdesk {argv[0]} kwam niet tot het uitpakken: {line!r} {err}")
    folder = Path(line.removeprefix("uitgepakt ").strip())
    assert folder.name.startswith(archive.WORK_PREFIX)
    assert (folder / archive.KEYS_MEMBER).is_file()  # the key file copy
    assert (folder / archive.DB_MEMBER).is_file()
    return proc, folder


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=PROCESS_TIMEOUT_S)  # reaped: its process id no longer runs
    assert proc.returncode == -signal.SIGKILL


def tree(*folders: Path) -> set[Path]:
    return {path for folder in folders for path in folder.rglob("*")}


def test_a_killed_backup_leaves_a_work_folder_that_the_next_login_removes(
    org, tmp_path, system_tmp
):
    database_folder = org.path.parent
    # A second back-up is busy meanwhile: its work folder must survive the login.
    running, in_use = start_paused(tmp_path, system_tmp, "backup", "--db", str(org.path))
    try:
        killed, leftover = start_paused(tmp_path, system_tmp, "backup", "--db", str(org.path))
        kill(killed)
        assert leftover.parent == in_use.parent == system_tmp
        assert leftover.is_dir() and in_use.is_dir()  # SIGKILL: no clean-up of its own
        before = tree(system_tmp, database_folder)

        ctx = setup.unlock(org.path, "balie", PASSWORD, **clock())  # the login window's way
        ctx.db.dispose()

        assert not leftover.exists()
        assert before - tree(system_tmp, database_folder) == tree_of(leftover, before)
        assert (in_use / archive.KEYS_MEMBER).is_file()  # a back-up still running: kept
    finally:
        kill(running)


def tree_of(folder: Path, paths: set[Path]) -> set[Path]:
    return {p for p in paths if p == folder or folder in p.parents}


def test_a_killed_restore_leaves_a_work_folder_that_the_command_line_removes(
    org, tmp_path, system_tmp
):
    database_folder = org.path.parent
    made = backup.make_backup(org.beheer)
    live_database = org.path.read_bytes()
    live_key = org.beheer.db.key
    killed, leftover = start_paused(
        tmp_path,
        system_tmp,
        "restore",
        "--db",
        str(org.path),
        "--from",
        str(made.path),
        "--overwrite",
    )
    kill(killed)
    assert leftover.parent == database_folder  # the restore works beside the database
    assert org.path.read_bytes() == live_database  # killed before it replaced anything
    before = tree(system_tmp, database_folder)

    listing = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "cases", "--db", str(org.path), "--json"],
        env={**cli_env(tmp_path, "coordinator"), "TMPDIR": str(system_tmp)},
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
    )
    assert listing.returncode == 0, listing.stderr

    assert not leftover.exists()
    assert before - tree(system_tmp, database_folder) == tree_of(leftover, before)
    # The live key file is still the live one (the copy in the work folder did not replace
    # it; the login may have strengthened the test's cheap key derivation, so not byte-equal).
    assert KeyFile.load(key_file_path(org.path)).unlock_recovery(org.recovery_code) == live_key
    assert made.path.is_file()


# -- the rule, one case at a time ----------------------------------------------------------------
def make_folder(parent: Path, name: str, owner: dict | None, age_s: float = 0) -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / archive.KEYS_MEMBER).write_bytes(b"sleutels")
    if owner is not None:
        (folder / archive.OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
    stamp = time.time() - age_s
    for path in (*folder.iterdir(), folder):
        os.utime(path, (stamp, stamp), follow_symlinks=False)
    return folder


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_folders_of_a_gone_process_or_untouched_for_a_day_are_removed(tmp_path):
    parent = tmp_path / "gedeeld"
    parent.mkdir()
    here, me, dead = socket.gethostname(), os.getpid(), dead_pid()
    gone = [
        make_folder(parent, ".klachtdesk-werk-gestopt", {"host": here, "pid": dead}),
        # another PC's run that crashed a day ago; one that never wrote its owner file
        make_folder(parent, ".klachtdesk-werk-oud-elders", {"host": "pc-balie", "pid": 4}, DAY),
        make_folder(parent, ".klachtdesk-werk-oud-zonder", None, DAY),
        # a day old, its process id taken by a process that runs now (this one)
        make_folder(parent, ".klachtdesk-werk-hergebruikt", {"host": here, "pid": me}, DAY),
    ]
    kept = [
        make_folder(parent, ".klachtdesk-werk-nu-elders", {"host": "pc-balie", "pid": dead}),
        make_folder(parent, ".klachtdesk-werk-nu-zonder", None),  # owner file not yet written
        make_folder(parent, ".klachtdesk-werk-onleesbaar", None),
        make_folder(parent, ".klachtdesk-werk-loopt", {"host": here, "pid": me}),
        make_folder(parent, "klachtdesk-werk-notities", {"host": here, "pid": dead}),
        make_folder(parent, ".klachtdesk-werkplaats", {"host": here, "pid": dead}),
    ]
    (kept[2] / archive.OWNER_FILE).write_text("{kapot", encoding="utf-8")
    # A link with the name points at something precious: neither followed nor removed.
    precious = make_folder(tmp_path, "documenten", None, DAY)
    link = parent / ".klachtdesk-werk-link"
    link.symlink_to(precious, target_is_directory=True)
    plain_file = parent / ".klachtdesk-werk-bestand"
    plain_file.write_bytes(b"geen map")
    os.utime(plain_file, (0, 0))
    # Made long ago, no owner file, but a file in it was written just now: in use.
    busy = make_folder(parent, ".klachtdesk-werk-bezig", None, DAY)
    (busy / archive.DB_MEMBER).write_bytes(b"net geschreven")

    removed = archive.remove_stale_work_folders([parent, parent, tmp_path / "weg"])

    assert sorted(removed) == sorted(gone)
    assert not any(folder.exists() for folder in gone)
    assert all((folder / archive.KEYS_MEMBER).is_file() for folder in kept)
    assert link.is_symlink() and (precious / archive.KEYS_MEMBER).is_file()
    assert plain_file.read_bytes() == b"geen map"
    assert busy.is_dir()


def test_a_folder_that_cannot_be_removed_is_left_for_a_later_login(tmp_path, monkeypatch):
    parent = tmp_path / "gedeeld"
    parent.mkdir()
    owner = {"host": socket.gethostname(), "pid": dead_pid()}
    stale = make_folder(parent, ".klachtdesk-werk-vast", owner)
    later = make_folder(parent, ".klachtdesk-werk-later", owner)

    def refuse(path, *args, **kwargs):
        if Path(path) == stale:
            raise PermissionError(13, "Toegang geweigerd", str(path))
        return real_rmtree(path, *args, **kwargs)

    real_rmtree = archive.shutil.rmtree
    monkeypatch.setattr(archive.shutil, "rmtree", refuse)
    assert archive.remove_stale_work_folders([parent]) == [later]
    assert stale.is_dir() and not later.exists()


def test_the_work_folder_names_its_owner_and_is_gone_afterwards(tmp_path):
    with archive.work_folder(tmp_path) as folder:
        owner = json.loads((folder / archive.OWNER_FILE).read_text(encoding="utf-8"))
        assert owner == {"host": socket.gethostname(), "pid": os.getpid()}
        assert archive.remove_stale_work_folders([tmp_path]) == []  # in use: kept
        assert folder.is_dir()
    assert not folder.exists()
