"""Clock faults: a back-up made while the clock ran a week ahead must not stop the daily
back-ups, fake "vandaag", hold a rotation slot, or pose as the newest back-up at login.

Back-ups are ordered by the sequence number the database itself hands out (recorded in the
manifest), not by their date; a date later than now is reported as a clock fault.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from klachtdesk import __version__
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.safety import backup, restore
from klachtdesk.storage import backup as archive
from klachtdesk.storage import migrate
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.ui.main_window import MainWindow
from klachtdesk.ui.safety.backup_window import BackupDialog
from klachtdesk.ui.start.login import LoginDialog
from tests.conftest import PASSWORD, TODAY, cli_env, complaint_data
from tests.gui.conftest import message_boxes_fail_the_test  # noqa: F401 - autouse fixture

REAL = datetime(2026, 11, 25, 9, 0)  # what the clock should say
AHEAD = datetime(2026, 12, 2, 14, 30)  # what it said for one back-up: a week ahead


def at(ctx, when: datetime):
    return dataclasses.replace(ctx, now=lambda: when, today=lambda: when.date())


def register(ctx, subject: str = "Lekkage") -> str:
    data = complaint_data(subject=subject)
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def close_all(org) -> None:
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read(archive.MANIFEST))


def old_style_backup(ctx, folder: Path, when: datetime) -> Path:
    """A back-up as KlachtDesk wrote it before back-ups had a sequence number: the same
    members, and the manifest in its old shape (no ``sequence``)."""
    target = folder / archive.backup_name(when)
    with archive.work_folder() as work:
        copy = work / archive.DB_MEMBER
        archive.copy_database(ctx.db.path, ctx.db.key, copy)
        keys = key_file_path(ctx.db.path).read_bytes()
        data = {
            "format": "klachtdesk-backup",
            "version": 1,
            "created_at": when.isoformat(timespec="seconds"),
            "app_version": __version__,
            "schema_revision": migrate.head_revision(),
            "file_id": KeyFile.load(key_file_path(ctx.db.path)).file_id,
            "database": str(ctx.db.path.absolute()),
            "members": {
                archive.DB_MEMBER: vars(archive.file_digest(copy)),
                archive.KEYS_MEMBER: {
                    "sha256": hashlib.sha256(keys).hexdigest(),
                    "size": len(keys),
                },
            },
        }
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(archive.MANIFEST, json.dumps(data, indent=1))
            zf.write(copy, archive.DB_MEMBER)
            zf.writestr(archive.KEYS_MEMBER, keys)
    return target


# -- daily back-ups and the status ------------------------------------------------------------
def test_daily_backups_go_on_after_a_backup_dated_a_week_ahead(org):
    assert backup.automatic_backup(at(org.balie, REAL), "dagelijks") is not None
    ahead = backup.automatic_backup(at(org.balie, AHEAD), "afsluiten")  # the clock ran ahead
    assert ahead.created_at == AHEAD

    # The clock is put right the same afternoon: today's back-up is still made, once.
    afternoon = REAL.replace(hour=17)
    made = backup.automatic_backup(at(org.balie, afternoon), "dagelijks")
    assert made is not None and made.created_at == afternoon
    assert backup.automatic_backup(at(org.balie, afternoon + timedelta(hours=1))) is None
    for day in range(1, 4):
        morning = REAL + timedelta(days=day)
        made = backup.automatic_backup(at(org.balie, morning), "dagelijks")
        assert made is not None and made.created_at == morning
        assert backup.automatic_backup(at(org.balie, morning + timedelta(hours=2))) is None


def test_the_status_does_not_say_today_for_a_backup_dated_in_the_future(org):
    backup.make_backup(at(org.balie, REAL))
    backup.make_backup(at(org.balie, AHEAD))
    next_morning = at(org.balie, datetime(2026, 11, 26, 9, 0))
    status = backup.backup_status(next_morning)
    assert "vandaag" not in status.message and "gisteren" not in status.message
    assert "2 december 2026" in status.message and "toekomst" in status.message
    assert status.warn
    assert "klok" in status.clock_warning and "2 december 2026 om 14:30" in status.clock_warning
    assert backup.backup_due(next_morning)

    backup.automatic_backup(next_morning, "dagelijks")
    status = backup.backup_status(at(org.balie, datetime(2026, 11, 26, 9, 5)))
    assert status.message == "Laatste back-up: vandaag 09:00"  # true now
    # The future-dated back-up is still in the folder: the warning stays until its date.
    assert "klok" in status.clock_warning and status.warn
    assert backup.backup_status(at(org.balie, AHEAD + timedelta(days=1))).clock_warning == ""


def test_a_clock_put_back_by_minutes_or_the_dst_hour_is_no_fault(org):
    backup.make_backup(at(org.balie, REAL.replace(hour=2, minute=50)))
    back = at(org.balie, REAL.replace(hour=2, minute=5))  # end of summer time: 03:00 -> 02:00
    status = backup.backup_status(back)
    assert status.clock_warning == "" and status.message == "Laatste back-up: vandaag 02:50"
    assert not backup.backup_due(back)


# -- the newest back-up is the last one made, whatever its date -------------------------------
def test_the_login_offers_the_truly_newest_backup_not_the_future_dated_one(org, qtbot):
    first = backup.make_backup(at(org.beheer, REAL - timedelta(days=1)))
    ahead = backup.make_backup(at(org.beheer, AHEAD))  # made on 25 November
    ref = register(org.balie, "Na de verkeerde klok")
    newest = backup.make_backup(at(org.beheer, REAL.replace(hour=17)))
    folder = newest.path.parent
    assert [manifest_of(i.path)["sequence"] for i in (first, ahead, newest)] == [1, 2, 3]
    assert [i.path for i in backup.list_backups(folder)] == [newest.path, ahead.path, first.path]
    assert backup.newest_verified_backup(folder, "beheer", PASSWORD).path == newest.path
    close_all(org)
    org.path.write_bytes(org.path.read_bytes()[:5000])  # the database breaks

    login = LoginDialog(org.path)
    qtbot.addWidget(login)
    login.username.setText("beheer")
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.mouseClick(login.login_button, Qt.MouseButton.LeftButton)
    assert login.context is None and not login.restore_button.isHidden()
    login.open_restore()
    dialog = login.restore_dialog
    assert dialog.chosen_backup() == newest.path
    ahead_text = dialog.backup_combo.itemText(dialog.backup_combo.findData(str(ahead.path)))
    assert "de klok liep voor" in ahead_text
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Meld u nu aan" in login.message.text(), timeout=20_000)
    reader = setup.unlock(org.path, "coordinator", PASSWORD)
    try:
        refs = [row.ref for row in case_view.list_rows(reader, case_view.case_ids(reader))]
        assert refs == [ref]  # the case entered after the clock fault is back
    finally:
        reader.db.dispose()


def test_after_restoring_an_older_backup_the_next_backup_is_the_newest(org):
    older = backup.make_backup(at(org.beheer, REAL - timedelta(days=2)))
    register(org.balie)
    abandoned = backup.make_backup(at(org.beheer, REAL - timedelta(days=1)))
    close_all(org)
    restore.restore_backup(older.path, org.path, "beheer", PASSWORD, overwrite=True)
    ctx = org.login("beheer")
    try:
        # The clock was also put back: the new back-up's date is before the abandoned one's.
        new = backup.make_backup(at(ctx, REAL - timedelta(days=2, hours=-3)))
    finally:
        ctx.db.dispose()
    assert manifest_of(new.path)["sequence"] > manifest_of(abandoned.path)["sequence"]
    assert [i.path for i in backup.list_backups(new.path.parent)][:2] == [
        new.path,
        abandoned.path,
    ]


def test_a_manifest_claiming_a_higher_sequence_than_its_database_is_refused(org, tmp_path):
    made = backup.make_backup(at(org.beheer, REAL))
    forged = made.path.with_name("klachtdesk-2026-11-25-1000.kdbackup")
    with zipfile.ZipFile(made.path) as src, zipfile.ZipFile(forged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == archive.MANIFEST:
                data = json.dumps(dict(json.loads(data), sequence=999)).encode()
            dst.writestr(item, data)
    assert backup.list_backups(made.path.parent)[0].path == forged  # its manifest says newest
    with pytest.raises(backup.BackupDamaged, match="past niet bij de database"):
        backup.verify_backup(forged, "beheer", PASSWORD)
    assert backup.newest_verified_backup(made.path.parent, "beheer", PASSWORD).path == made.path


# -- rotation ---------------------------------------------------------------------------------
def test_rotation_drops_the_future_dated_backup_in_time(org, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    for day in range(22, 25):
        backup.make_backup(at(org.balie, datetime(2026, 11, day, 17, 0)), folder)
    ahead = backup.make_backup(at(org.balie, AHEAD), folder)  # made on 25 November
    day = REAL.replace(hour=17)
    while day.date() <= datetime(2026, 12, 1).date():  # default rotation: 7 / 4 / 12
        backup.make_backup(at(org.balie, day), folder)
        day += timedelta(days=1)
    # A week of newer back-ups has pushed it out, before the clock even reaches its date.
    assert not ahead.path.exists()
    kept = [i.created_at.date().isoformat() for i in backup.list_backups(folder)]
    assert kept[:7] == ["2026-12-01", *(f"2026-11-{d}" for d in range(30, 24, -1))]


def test_old_backups_without_a_sequence_still_list_rotate_and_restore(org, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    old = old_style_backup(org.beheer, folder, datetime(2026, 11, 20, 17, 0))
    old_ahead = old_style_backup(org.beheer, folder, AHEAD)  # old version, clock ahead
    assert "sequence" not in manifest_of(old)
    new = backup.make_backup(at(org.beheer, REAL), folder)
    assert manifest_of(new.path)["sequence"] == 1
    # Made before sequence numbers existed, so older than any back-up with one; among
    # themselves by date.
    found = backup.list_backups(folder)
    assert [i.path for i in found] == [new.path, old_ahead, old]
    assert [i.problem for i in found] == ["", "", ""]
    assert backup.verify_backup(old, "beheer", PASSWORD).verified
    result = restore.restore_backup(old, tmp_path / "terug.kdb", "beheer", PASSWORD)
    assert result.backup.created_at == datetime(2026, 11, 20, 17, 0)
    ctx = setup.unlock(result.database, "beheer", PASSWORD)
    try:  # the restored old database hands out sequence numbers from where the folder is
        after = backup.make_backup(at(ctx, REAL.replace(hour=10)), folder)
    finally:
        ctx.db.dispose()
    assert manifest_of(after.path)["sequence"] == 2


# -- the warning, where people look -----------------------------------------------------------
def test_the_clock_warning_in_the_status_bar_and_the_backup_window(org, qtbot):
    backup.make_backup(at(org.beheer, REAL))
    ahead = backup.make_backup(at(org.beheer, AHEAD))
    org.beheer.now = lambda: datetime(2026, 11, 26, 9, 0)
    org.beheer.today = lambda: TODAY + timedelta(days=1)
    window = MainWindow(org.beheer)
    qtbot.addWidget(window)
    assert "⚠" in window.backup_label.text() and "klok" in window.backup_label.text()
    assert "vandaag" not in window.backup_label.text()
    assert "klok" in window.backup_label.toolTip()
    dialog = BackupDialog(org.beheer)
    qtbot.addWidget(dialog)
    assert "klok" in dialog.status.text() and "2 december 2026" in dialog.status.text()
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 3).text() for r in range(2)}
    assert "de klok liep voor" in rows[ahead.name]


def test_the_backup_command_warns_about_the_clock(org, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    next_week = datetime.now().replace(microsecond=0) + timedelta(days=7)
    ahead = backup.make_backup(at(org.beheer, next_week), folder)
    close_all(org)
    result = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "backup", "--db", str(org.path), "--to", str(folder)],
        env=cli_env(tmp_path, "balie"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Back-up gemaakt: ")
    assert "klok" in result.stderr and "toekomst" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    found = backup.list_backups(folder)
    assert len(found) == 2 and found[1].path == ahead.path  # the new one is the newest
    assert os.path.basename(result.stdout.split()[2]) == found[0].name
