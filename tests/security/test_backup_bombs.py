"""Hostile back-up files: zip bombs, lying headers, manifests that are not what they claim.

A back-up folder is shared (USB stick, NAS) and every back-up run lists it, so a hostile file
there must cost little memory and time, must not break listing or rotating the good back-ups
beside it, and is refused with a Dutch message that it is damaged or not a back-up.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import struct
import tracemalloc
import zipfile
from collections import namedtuple
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.admin import settings
from klachtdesk.services.safety import backup, restore
from klachtdesk.storage import backup as archive
from klachtdesk.ui.safety.backup_window import BackupDialog
from klachtdesk.ui.safety.restore_dialog import RestoreDialog
from tests.conftest import PASSWORD
from tests.gui.conftest import message_boxes_fail_the_test  # noqa: F401 - autouse fixture

REAL = datetime(2026, 11, 25, 9, 0)
MB = 1024 * 1024
BOMB_SIZE = 200 * MB  # what the hostile member inflates to
HOSTILE = "klachtdesk-2026-11-25-1200.kdbackup"  # a name among the good ones


def at(ctx, when: datetime):
    return dataclasses.replace(ctx, now=lambda: when, today=lambda: when.date())


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "usb"
    path.mkdir()
    return path


@pytest.fixture
def good(org, folder) -> list[Path]:
    """Two good back-ups, of 23 and 24 November."""
    days = (REAL - timedelta(days=2), REAL - timedelta(days=1))
    return [backup.make_backup(at(org.beheer, day), folder).path for day in days]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zeros(size: int) -> Iterable[bytes]:
    chunk = b"\0" * MB
    for _ in range(size // MB):
        yield chunk


def spaces_then(tail: bytes, size: int) -> Iterable[bytes]:
    """``size`` bytes of JSON whitespace followed by ``tail``: valid JSON if read whole."""
    chunk = b" " * MB
    for _ in range(size // MB):
        yield chunk
    yield tail


def write_zip(path: Path, entries: dict[str, bytes | Iterable[bytes]], deflated=()) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 25, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if name in deflated else zipfile.ZIP_STORED
            with zf.open(info, "w") as out:
                for chunk in [content] if isinstance(content, bytes) else content:
                    out.write(chunk)
    return path


def lie_about_size(path: Path, member: str, size: int) -> None:
    """Change the uncompressed size the central directory gives for ``member``."""
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    (cd_size, cd_offset) = struct.unpack("<LL", data[at + 12 : at + 20])
    pos = cd_offset
    while pos < cd_offset + cd_size:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        if data[pos + 46 : pos + 46 + name_len].decode() == member:
            data[pos + 24 : pos + 28] = struct.pack("<L", size)
            path.write_bytes(bytes(data))
            return
        pos += 46 + name_len + extra_len + comment_len
    raise AssertionError(f"{member} not in {path}")


def peak_memory(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_refused_and_nothing_written(path: Path, tmp_path: Path, phrase: str) -> None:
    target = tmp_path / "terug" / "klachten.kdb"
    target.parent.mkdir()
    with pytest.raises(backup.BackupDamaged) as refused:
        restore.restore_backup(path, target, "beheer", PASSWORD)
    message = str(refused.value)
    assert "beschadigd" in message and "Er is niets teruggezet" in message
    assert phrase in message
    assert list(target.parent.iterdir()) == []  # no database, no work folder left behind


# -- zip bombs --------------------------------------------------------------------------------
def manifest_bomb(good, folder):
    """A real back-up whose manifest is padded to BOMB_SIZE and deflated to a few kB."""
    real = members(good[0])
    return write_zip(
        folder / HOSTILE,
        {
            archive.MANIFEST: spaces_then(real[archive.MANIFEST], BOMB_SIZE),
            archive.DB_MEMBER: real[archive.DB_MEMBER],
            archive.KEYS_MEMBER: real[archive.KEYS_MEMBER],
        },
        deflated={archive.MANIFEST},
    )


def test_a_manifest_that_inflates_to_200_mb_is_refused_without_reading_it(good, folder, tmp_path):
    bomb = manifest_bomb(good, folder)
    assert bomb.stat().st_size < 2 * MB
    found, peak = peak_memory(lambda: backup.list_backups(folder))
    assert peak < 8 * MB, f"listing took {peak // MB} MB"
    by_name = {info.name: info for info in found}
    assert "beschadigd" in by_name[HOSTILE].problem
    assert "inhoudsopgave is te groot" in by_name[HOSTILE].problem
    assert [by_name[p.name].problem for p in good] == ["", ""]
    assert_refused_and_nothing_written(bomb, tmp_path, "inhoudsopgave is te groot")


def test_a_manifest_whose_header_understates_its_size_is_cut_off(good, folder, tmp_path):
    bomb = manifest_bomb(good, folder)
    lie_about_size(bomb, archive.MANIFEST, 100 * 1024)  # within the limit; the stream is not
    info, peak = peak_memory(lambda: archive.describe(bomb))
    assert peak < 8 * MB, f"reading the manifest took {peak // MB} MB"
    assert "beschadigd" in info.problem
    assert_refused_and_nothing_written(bomb, tmp_path, "inhoudsopgave")


def test_a_database_member_with_a_huge_ratio_is_refused_before_unpacking(
    good, folder, tmp_path, monkeypatch
):
    real = members(good[0])
    manifest = json.loads(real[archive.MANIFEST])
    digest = hashlib.sha256()
    for chunk in zeros(BOMB_SIZE):
        digest.update(chunk)
    manifest["members"][archive.DB_MEMBER] = {"sha256": digest.hexdigest(), "size": BOMB_SIZE}
    bomb = write_zip(
        folder / HOSTILE,
        {
            archive.MANIFEST: json.dumps(manifest).encode(),
            archive.DB_MEMBER: zeros(BOMB_SIZE),
            archive.KEYS_MEMBER: real[archive.KEYS_MEMBER],
        },
        deflated={archive.DB_MEMBER},
    )
    assert bomb.stat().st_size < 2 * MB
    read = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    info = {i.name: i for i in backup.list_backups(folder)}[HOSTILE]
    assert "beschadigd" in info.problem and "groter uit dan" in info.problem
    assert_refused_and_nothing_written(bomb, tmp_path, "groter uit dan")
    with pytest.raises(backup.BackupDamaged, match="groter uit dan"):
        backup.verify_backup(bomb, "beheer", PASSWORD)
    assert sum(read) < MB, f"{sum(read) // MB} MB inflated before refusing"
    newest = backup.newest_verified_backup(folder, "beheer", PASSWORD)
    assert newest.path == good[1]


def test_a_database_larger_than_the_free_space_is_refused_before_unpacking(
    good, tmp_path, monkeypatch
):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(archive.shutil, "disk_usage", lambda _path: usage(10 * MB, 10 * MB, 4096))
    target = tmp_path / "terug.kdb"
    with pytest.raises(KlachtDeskError, match="niet genoeg vrije ruimte") as refused:
        restore.restore_backup(good[1], target, "beheer", PASSWORD)
    assert "Er is niets teruggezet" in str(refused.value)
    assert not target.exists() and not restore.target_exists(target)


def test_a_manifest_compressed_with_bzip2_is_refused_before_inflating(good, folder):
    """bzip2 (and lzma) inflate a whole read at once, without a bound: not allowed at all."""
    real = members(good[0])
    bomb = folder / HOSTILE
    with zipfile.ZipFile(bomb, "w") as zf:
        info = zipfile.ZipInfo(archive.MANIFEST, date_time=(2026, 11, 25, 12, 0, 0))
        info.compress_type = zipfile.ZIP_BZIP2
        with zf.open(info, "w") as out:
            for chunk in spaces_then(real[archive.MANIFEST], 100 * MB):
                out.write(chunk)
        zf.writestr(archive.DB_MEMBER, real[archive.DB_MEMBER])
        zf.writestr(archive.KEYS_MEMBER, real[archive.KEYS_MEMBER])
    assert bomb.stat().st_size < MB
    info, peak = peak_memory(lambda: archive.describe(bomb))
    assert "beschadigd" in info.problem and "onbekende manier ingepakt" in info.problem
    assert peak < 8 * MB, f"describing took {peak // MB} MB"


def test_a_member_marked_as_password_protected_is_refused(good, folder, tmp_path):
    hostile = folder / HOSTILE
    hostile.write_bytes(good[1].read_bytes())
    data = bytearray(hostile.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    directory = struct.unpack("<L", data[end + 16 : end + 20])[0]
    data[directory + 8] |= 0x1  # the first member's "encrypted" flag
    hostile.write_bytes(bytes(data))
    info = {i.name: i for i in backup.list_backups(folder)}[HOSTILE]
    assert "beschadigd" in info.problem and "onbekende manier ingepakt" in info.problem
    assert_refused_and_nothing_written(hostile, tmp_path, "onbekende manier ingepakt")


def test_garbled_zip_structures_are_listed_and_refused_never_skipped_or_crashing(
    good, folder, tmp_path
):
    """Bytes changed at random in the zip's directory, its end record and the first header:
    every variant is listed (damaged or not) and either restores or is refused in Dutch."""
    raw = good[1].read_bytes()
    end = raw.rfind(b"PK\x05\x06")
    directory = struct.unpack("<L", raw[end + 16 : end + 20])[0]
    rng = random.Random(20261125)
    hostile = folder / HOSTILE
    refused = 0
    for round_ in range(60):
        data = bytearray(raw)
        start = rng.choice((0, directory, end))
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(start, min(start + 200, len(data)))] = rng.randrange(256)
        hostile.write_bytes(bytes(data))
        assert HOSTILE in {info.name for info in backup.list_backups(folder)}
        target = tmp_path / f"terug-{round_}.kdb"
        try:
            restore.restore_backup(hostile, target, "beheer", PASSWORD)
        except backup.BackupDamaged as error:
            assert "beschadigd" in str(error) and not target.exists()
            refused += 1
    assert refused > 30  # most changes there break the file


def test_a_backup_with_many_members_is_refused_reading_only_its_end(folder):
    bomb = folder / HOSTILE
    with zipfile.ZipFile(bomb, "w") as zf:
        for n in range(40_000):
            zf.writestr(f"{n}", b"")
    info, peak = peak_memory(lambda: archive.describe(bomb))
    assert "beschadigd" in info.problem and "geen KlachtDesk-back-up" in info.problem
    assert peak < 2 * MB, f"describing took {peak / MB:.1f} MB"


def test_a_backup_with_zip64_records_as_large_databases_get_is_accepted(good, folder, monkeypatch):
    """Over 2 GiB, zipfile writes zip64 end records: the directory check reads those too."""
    real = members(good[1])
    large = folder / HOSTILE
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1024)  # as if the database were 2 GiB
    with zipfile.ZipFile(large, "w") as zf:
        for name, data in real.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 25, 12, 0, 0)), data)
    monkeypatch.undo()
    assert b"PK\x06\x06" in large.read_bytes()[-200:]  # the zip64 end record is there
    assert archive.describe(large).problem == ""
    assert backup.verify_backup(large, "beheer", PASSWORD).verified


# -- manifests that are not what they claim ---------------------------------------------------
def manifest_with(**changes) -> bytes:
    def build(real: bytes) -> bytes:
        data = json.loads(real)
        data.update(changes)
        return json.dumps(data).encode()

    return build


HOSTILE_MANIFESTS = {
    "not JSON": lambda real: b"\x00\xff PK\x03\x04 dit is geen inhoudsopgave",
    "nested 100,000 deep": lambda real: b"[" * 100_000 + b"]" * 100_000,
    "a list": lambda real: b"[1, 2, 3]",
    "a time zone": manifest_with(created_at="2026-11-25T12:00:00+14:00"),
    "a negative size": lambda real: real.replace(b'"size": ', b'"size": -', 1),
    "a sequence that is text": manifest_with(sequence="99"),
    "a sequence that is negative": manifest_with(sequence=-1),
    "another format": manifest_with(format="iets-anders"),
}


@pytest.mark.parametrize("kind", HOSTILE_MANIFESTS)
def test_a_hostile_manifest_among_good_backups(org, good, folder, tmp_path, kind):
    real = members(good[0])
    hostile = write_zip(
        folder / HOSTILE,
        {**real, archive.MANIFEST: HOSTILE_MANIFESTS[kind](real[archive.MANIFEST])},
    )
    found = backup.list_backups(folder)
    assert {i.name for i in found} == {HOSTILE, good[0].name, good[1].name}
    by_name = {info.name: info for info in found}
    problem = by_name[HOSTILE].problem
    assert "beschadigd" in problem and f"'{HOSTILE}'" in problem
    assert [i.path for i in found if not i.problem] == [good[1], good[0]]

    # A back-up run lists and rotates the folder: it works and leaves the hostile file.
    made = backup.make_backup(at(org.beheer, REAL.replace(hour=17)), folder)
    assert hostile.exists() and made.path.exists()
    assert backup.list_backups(folder)[0].path == made.path
    assert backup.newest_verified_backup(folder, "beheer", PASSWORD).path == made.path
    assert_refused_and_nothing_written(hostile, tmp_path, "")


def test_an_impossible_date_in_a_damaged_files_name_does_not_break_the_listing(good, folder):
    (folder / "klachtdesk-2026-13-45-2599.kdbackup").write_bytes(b"geen zip")
    (folder / "klachtdesk-2026-02-30-1200-7.kdbackup").write_bytes(b"")
    found = backup.list_backups(folder)
    assert len(found) == 4
    assert sum(1 for info in found if "beschadigd" in info.problem) == 2
    assert [i.path for i in found if not i.problem] == [good[1], good[0]]


def test_the_windows_list_a_hostile_file_as_damaged_and_offer_a_good_one(org, good, folder, qtbot):
    real = members(good[0])
    write_zip(
        folder / HOSTILE,
        {**real, archive.MANIFEST: spaces_then(real[archive.MANIFEST], 20 * MB)},
        deflated={archive.MANIFEST},
    )
    dialog = RestoreDialog(org.path, folder, "beheer")
    qtbot.addWidget(dialog)
    assert dialog.chosen_backup() == good[1]
    texts = [dialog.backup_combo.itemText(i) for i in range(dialog.backup_combo.count())]
    assert any(HOSTILE in t and "onbruikbaar" in t and "beschadigd" in t for t in texts)
    # Choosing it anyway: refused with the reason, nothing restored.
    dialog.backup_combo.setCurrentIndex(dialog.backup_combo.findData(str(folder / HOSTILE)))
    dialog.target.setText(str(folder.parent / "terug.kdb"))
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=20_000)
    assert "beschadigd" in dialog.message.text() and dialog.restored is None
    assert not (folder.parent / "terug.kdb").exists()

    settings.update_settings(org.beheer, {"backup.folder": str(folder)})
    org.beheer.now = lambda: REAL + timedelta(hours=8)
    window = BackupDialog(org.beheer)
    qtbot.addWidget(window)
    states = {window.table.item(r, 1).text(): window.table.item(r, 3).text() for r in range(3)}
    assert states[HOSTILE].startswith("onbruikbaar: ") and "beschadigd" in states[HOSTILE]
    assert states[good[1].name] == states[good[0].name] == "gecontroleerd bij het maken"
