"""A full disk during a save: the save is refused in Dutch, everything stored before stays.

The disk is made "full" for one process with RLIMIT_FSIZE (writes past the limit fail), so the
test needs no special file system. SIGXFSZ is ignored in that process, so a write fails with an
error instead of killing it, just as on a disk without free space.
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys

import pytest

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases
from klachtdesk.services.safety import backup, check
from tests.conftest import PASSWORD, TODAY, cli_env, clock, complaint_data

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE test (Linux)")


def limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def inspect(db) -> list[str]:
    ctx = setup.unlock(db, "coordinator", PASSWORD, **clock())
    try:
        report = check.check_database(ctx)
        assert report.problems == []
        return [row.ref for row in cases.list_cases(ctx)]
    finally:
        ctx.db.dispose()


def test_an_import_on_a_full_disk_is_refused_and_stored_cases_stay(org, tmp_path):
    stored = [
        cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
        for _ in range(3)
    ]
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    big = [
        complaint_data(subject=f"Grote klacht {n}", description="Lang verhaal. " * 600)
        for n in range(150)
    ]
    source = tmp_path / "groot.json"
    source.write_text(json.dumps(big, ensure_ascii=False), encoding="utf-8")
    size = org.path.stat().st_size

    result = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "import", "--db", str(org.path), str(source)],
        env=cli_env(tmp_path, "balie"),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size(size + 64 * 1024),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "schijf" in result.stderr and "niet opgeslagen" in result.stderr, result.stderr
    assert "eerder was opgeslagen is bewaard" in result.stderr
    assert sorted(inspect(org.path)) == sorted(stored)


def test_a_backup_to_a_full_disk_is_refused_and_leaves_no_half_file(org, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "backup", "--db", str(org.path), "--to", str(folder)],
        env=cli_env(tmp_path, "beheer"),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size(org.path.stat().st_size // 2),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "schijf" in result.stderr.lower()
    assert list(folder.iterdir()) == []  # no half back-up, no .part left behind
    assert backup.list_backups(folder) == []
    assert len(inspect(org.path)) == 0
