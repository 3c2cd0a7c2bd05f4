"""A database that cannot be written (a read-only share, a full disk) still opens: to read,
with a clear Dutch notice, and every change is refused with the reason. Who read what is still
recorded: on this PC until a login can write it into the audit log.

The read-only share is a folder and files the user may read but not write (as root, the
command runs without the capability to override file permissions, so they count). The full
disk is RLIMIT_FSIZE = 0 for one process: not a byte can be written anywhere.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases
from klachtdesk.storage.keyslots import key_file_path
from klachtdesk.storage.models import AuditEntry
from tests.conftest import PASSWORD, TODAY, cli_env, clock, complaint_data

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX permissions, RLIMIT")


@pytest.fixture
def share(org, tmp_path_factory):
    """The organisation's database on a share this PC may only read."""
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    base = Path(tmp_path_factory.mktemp("share", numbered=True))
    base.chmod(0o755)
    folder = base / "Klachten"
    folder.mkdir()
    path = folder / "klachten.kdb"
    shutil.copy(org.path, path)
    shutil.copy(key_file_path(org.path), key_file_path(path))
    home = base / "pc"  # this PC's own profile: writable
    home.mkdir()
    for item in (path, key_file_path(path)):
        item.chmod(0o400)
    folder.chmod(0o555)
    yield path, ref, home
    folder.chmod(0o755)


# Root ignores file permissions unless it gives up that capability for the command.
AS_READER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
)
if AS_READER and not shutil.which("setpriv"):
    pytestmark = pytest.mark.skip(reason="setpriv (util-linux) is needed as root")


def klachtdesk(home: Path, user: str, *args: str, preexec=None, reader: bool = True):
    env = cli_env(home, user)
    env["HOME"] = str(home)
    return subprocess.run(
        [*(AS_READER if reader else []), sys.executable, "-m", "klachtdesk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,
    )


def test_a_read_only_share_is_read_changes_are_refused_and_reads_are_still_audited(share):
    path, ref, home = share
    before = path.read_bytes()
    listed = klachtdesk(home, "coordinator", "cases", "--db", str(path), "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["ref"] for row in json.loads(listed.stdout)] == [ref]
    assert "Let op: alleen lezen" in listed.stderr

    changed = klachtdesk(home, "coordinator", "case", "--db", str(path), ref, "triage_klacht")
    assert changed.returncode != 0
    assert "kan de database nu alleen lezen" in changed.stderr
    assert "Traceback" not in changed.stderr
    assert path.read_bytes() == before

    # The share is writable again: the next login writes the waiting entry into the log.
    path.parent.chmod(0o755)
    path.chmod(0o600)
    key_file_path(path).chmod(0o600)
    env = {"XDG_STATE_HOME": str(home / "xdg-state")}
    old = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        ctx = setup.unlock(path, "beheer", PASSWORD, **clock())
        with ctx.db.session() as session:
            actions = [
                (e.username, e.action)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            ]
        ctx.db.dispose()
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert ("coordinator", "zakenlijst_geexporteerd") in actions


WINDOW = """
import sys
from klachtdesk.storage import keyslots
keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1
from PySide6.QtWidgets import QApplication
from klachtdesk.services.admin import setup
from klachtdesk.ui.main_window import MainWindow
app = QApplication([])
ctx = setup.unlock(sys.argv[1], "balie", sys.argv[2])
window = MainWindow(ctx, backups=True)
window.show()
app.processEvents()
print(window.read_only_banner.isVisible(), window.new_case_action.isEnabled())
print(window.read_only_banner.text())
window.close()
del window
ctx.db.dispose()
"""


def test_the_window_opens_with_a_banner_and_no_new_complaint(share):
    path, _ref, home = share
    env = cli_env(home, "balie")
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), HOME=str(home))
    shown = subprocess.run(
        [*AS_READER, sys.executable, "-c", WINDOW, str(path), PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    first, banner = shown.stdout.splitlines()[:2]
    assert first == "True False"
    assert banner.startswith("Alleen lezen:") and "niets wijzigen" in banner


def nothing_can_be_written() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_on_a_completely_full_disk_the_login_works_and_reading_stays_closed(org, tmp_path):
    """Not even this PC can note who reads: the complaints stay closed, with the reason."""
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    before = org.path.read_bytes()
    done = klachtdesk(
        tmp_path,
        "coordinator",
        "case",
        "--db",
        str(org.path),
        ref,
        preexec=nothing_can_be_written,
        reader=False,
    )
    assert done.returncode != 0
    assert "Let op: alleen lezen" in done.stderr
    assert "kan niet worden vastgelegd wie wat inziet" in done.stderr
    assert "Traceback" not in done.stderr
    assert org.path.read_bytes() == before
