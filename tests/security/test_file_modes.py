"""On POSIX, what a back-up or restore writes is the owner's alone, whatever the umask.

A shared machine (a terminal server, a NAS with a Linux account per colleague) must not let
others read a back-up, a restored database or its key file, nor the work folders
(``.klachtdesk-werk-*``) holding encrypted copies while a back-up or restore runs. Files are
0600 and folders 0700 even with the usual umask 022.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from klachtdesk.services.safety import backup, restore
from klachtdesk.storage import backup as archive
from klachtdesk.storage.keyslots import key_file_path
from tests.conftest import PASSWORD

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    folder = tmp_path / "systeem-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_backup_restore_and_work_folders_are_owner_only(org, tmp_path, umask_022, monkeypatch):
    seen: list[dict[str, int]] = []
    real_extract = archive.extract

    def extract_and_look(path, workdir, *args, **kwargs):
        extracted = real_extract(path, workdir, *args, **kwargs)
        seen.append(
            {
                "folder": mode(workdir),
                "owner file": mode(workdir / archive.OWNER_FILE),
                "database copy": mode(extracted.database),
                "key file copy": mode(extracted.key_file),
            }
        )
        return extracted

    monkeypatch.setattr(archive, "extract", extract_and_look)
    folder = tmp_path / "usb"
    folder.mkdir()
    info = backup.make_backup(org.beheer, folder)
    assert mode(info.path) == 0o600

    target = tmp_path / "hersteld" / "klachten.kdb"
    target.parent.mkdir()
    result = restore.restore_backup(info.path, target, "beheer", PASSWORD)
    assert mode(result.database) == 0o600
    assert mode(key_file_path(target)) == 0o600

    # The work folders of making (checking the new file) and of restoring, while they existed.
    assert len(seen) == 2
    for modes in seen:
        assert modes == {
            "folder": 0o700,
            "owner file": 0o600,
            "database copy": 0o600,
            "key file copy": 0o600,
        }
    assert not [p for p in target.parent.iterdir() if p.name.startswith(archive.WORK_PREFIX)]


def test_owner_only_even_with_a_permissive_umask(org, tmp_path, monkeypatch):
    old = os.umask(0)
    try:
        folder = tmp_path / "usb"
        folder.mkdir()
        info = backup.make_backup(org.beheer, folder)
        with archive.work_folder(tmp_path) as work:
            assert mode(work) == 0o700
    finally:
        os.umask(old)
    assert mode(info.path) == 0o600
