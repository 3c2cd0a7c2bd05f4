"""Back-ups: one encrypted, verified file; consistent while others write; rotation; restore."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from klachtdesk import __version__
from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import settings, setup
from klachtdesk.services.cases import attachments, cases
from klachtdesk.services.letters import letters
from klachtdesk.services.safety import backup, restore
from klachtdesk.services.safety.backup import BackupDamaged, BackupRejected, BackupWriteFailed
from klachtdesk.services.safety.restore import RestoreTargetExists
from klachtdesk.storage import backup as archive
from klachtdesk.storage import migrate
from klachtdesk.storage.engine import SQLITE_MAGIC, Database
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import AuditEntry, Case, Setting
from tests.conftest import PASSWORD, TODAY, complaint_data

REPO = Path(__file__).resolve().parents[2]
AFTERNOON = datetime(2026, 11, 25, 14, 30)
PERSONAL = (b"Fatima el Amrani", b"fatima@voorbeeld.nl", b"Lindelaan", b"06 12345678")


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    """Work folders go to a temp dir of this test only, so a test can see what is left."""
    folder = tmp_path / "systeem-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def at(ctx, when: datetime):
    return dataclasses.replace(ctx, now=lambda: when, today=lambda: when.date())


@contextlib.contextmanager
def inside(backup_file: Path, key: bytes, workdir: Path):
    """A read session on the database inside a back-up (extracted, still encrypted)."""
    workdir.mkdir()
    extracted = archive.extract(backup_file, workdir)
    db = Database(extracted.database, key)
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


def refs_in(backup_file: Path, key: bytes, workdir: Path) -> set[str]:
    with inside(backup_file, key, workdir) as session:
        return set(session.scalars(select(Case.ref)))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def last_audit(ctx) -> AuditEntry:
    with ctx.db.session() as session:
        return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()


# -- the file --------------------------------------------------------------------------------
def test_one_file_with_encrypted_database_key_file_and_a_manifest(org, private_tempdir):
    register(org.balie)
    info = backup.make_backup(at(org.balie, AFTERNOON))
    folder = org.path.parent / "KlachtDesk-back-ups"  # the default beside the database
    assert info.path == folder / "klachtdesk-2026-11-25-1430.kdbackup"
    assert info.verified and info.created_at == AFTERNOON
    assert listing(folder) == ["klachtdesk-2026-11-25-1430.kdbackup"]  # no .part left
    assert listing(private_tempdir) == []  # no work folder left
    with zipfile.ZipFile(info.path) as zf:
        assert sorted(zf.namelist()) == ["klachtdesk.kdb", "klachtdesk.kdb.keys", "manifest.json"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        manifest = json.loads(zf.read("manifest.json"))
        database, keys = zf.read("klachtdesk.kdb"), zf.read("klachtdesk.kdb.keys")
    assert not database.startswith(SQLITE_MAGIC)
    assert keys == key_file_path(org.path).read_bytes()
    assert manifest["format"] == "klachtdesk-backup" and manifest["version"] == 1
    assert manifest["created_at"] == "2026-11-25T14:30:00"
    assert manifest["app_version"] == __version__
    assert manifest["schema_revision"] == migrate.head_revision()
    assert manifest["file_id"] == KeyFile.load(key_file_path(org.path)).file_id
    assert manifest["members"] == {
        "klachtdesk.kdb": {"sha256": hashlib.sha256(database).hexdigest(), "size": len(database)},
        "klachtdesk.kdb.keys": {"sha256": hashlib.sha256(keys).hexdigest(), "size": len(keys)},
    }


def test_no_personal_data_readable_in_the_backup_file(org):
    ref = register(org.balie)
    attachments.add_attachment(org.balie, ref, "brief.txt", b"Brief van Fatima el Amrani" * 50)
    letters.finalise(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"), "post")
    raw = backup.make_backup(org.balie).path.read_bytes()
    for needle in PERSONAL:
        for text in (needle, needle.lower(), needle.decode().encode("utf-16-le")):
            assert text not in raw


def test_backup_records_its_time_and_an_audit_entry(org):
    assert backup.backup_due(org.balie)
    info = backup.make_backup(at(org.balie, AFTERNOON))
    assert settings.get_settings(org.beheer)["backup.last_at"] == "2026-11-25T14:30:00"
    entry = last_audit(org.beheer)
    assert (entry.username, entry.action, entry.object_ref) == (
        "balie",
        "backup_gemaakt",
        info.name,
    )
    assert not backup.backup_due(at(org.balie, AFTERNOON))
    assert backup.backup_due(at(org.balie, AFTERNOON + timedelta(days=1)))


def test_status_says_how_old_the_last_backup_is(org):
    status = backup.backup_status(org.balie)
    assert (status.last_at, status.age_days, status.is_old) == (None, None, True)
    assert status.message == "Er is nog nooit een back-up gemaakt."
    assert status.folder == org.path.parent / "KlachtDesk-back-ups"
    backup.make_backup(at(org.balie, AFTERNOON))
    expected = {
        0: "Laatste back-up: vandaag 14:30",
        1: "Laatste back-up: gisteren 14:30",
        3: "Laatste back-up: 25 november 2026 om 14:30 (3 dagen geleden)",
        7: "Laatste back-up: 25 november 2026 om 14:30 (7 dagen geleden)",
        9: "De laatste back-up is 9 dagen oud (25 november 2026). Maak zo snel mogelijk een "
        "nieuwe back-up.",
    }
    for days, message in expected.items():
        status = backup.backup_status(at(org.balie, AFTERNOON + timedelta(days=days, hours=2)))
        assert (status.message, status.age_days, status.is_old) == (message, days, days > 7)


def test_automatic_backup_daily_at_most_once_and_always_on_exit(org):
    morning = at(org.balie, datetime(2026, 11, 25, 9, 0))
    assert backup.automatic_backup(morning, "dagelijks") is not None
    assert backup.automatic_backup(at(org.balie, AFTERNOON), "dagelijks") is None
    on_exit = backup.automatic_backup(at(org.balie, AFTERNOON), "afsluiten")
    assert on_exit is not None and "afsluiten" in last_audit(org.beheer).detail
    tomorrow = at(org.balie, datetime(2026, 11, 26, 9, 0))
    assert backup.automatic_backup(tomorrow, "dagelijks") is not None
    # Rotation keeps the newest of each day: the 09:00 back-up of 25 November has gone.
    assert [i.created_at for i in backup.list_backups(on_exit.path.parent)] == [
        datetime(2026, 11, 26, 9, 0),
        AFTERNOON,
    ]


def test_configured_folder_and_missing_folder(org, tmp_path):
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    settings.update_settings(org.beheer, {"backup.folder": str(stick)})
    assert backup.make_backup(org.balie).path.parent == stick
    assert backup.backup_status(org.balie).folder == stick
    stick.rename(tmp_path / "weg")
    with pytest.raises(backup.BackupFolderMissing, match="USB-stick"):
        backup.make_backup(org.balie)
    assert not stick.exists()  # not silently created where the stick should be mounted


def test_a_full_disk_leaves_no_half_file_and_the_old_backups(org, monkeypatch):
    first = backup.make_backup(org.balie)

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive.os, "fsync", full)
    with pytest.raises(BackupWriteFailed, match="vol"):
        backup.make_backup(at(org.balie, AFTERNOON))
    assert listing(first.path.parent) == [first.name]


def test_a_backup_failing_verification_is_set_aside_and_raises(org, monkeypatch):
    first = backup.make_backup(org.balie)
    real = archive.file_digest
    monkeypatch.setattr(archive, "file_digest", lambda p: dataclasses.replace(real(p), sha256="0"))
    with pytest.raises(BackupRejected, match="afgekeurd.*controlesom"):
        backup.make_backup(at(org.balie, AFTERNOON))
    assert listing(first.path.parent) == [
        first.name,
        "klachtdesk-2026-11-25-1430.kdbackup.defect",
    ]
    assert settings.get_settings(org.beheer)["backup.last_at"] == "2026-11-25T00:00:00"


# -- consistency while others write ----------------------------------------------------------
def test_backup_while_another_connection_holds_a_write_transaction(org, tmp_path):
    ref = register(org.balie)
    conn = org.balie.db.raw_connection()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE settings SET value = '\"Onaf\"' WHERE key = 'org.name'")
    committer = threading.Timer(1.5, conn.execute, ("COMMIT",))
    committer.start()
    try:
        info = backup.make_backup(org.beheer)  # copies now; its audit entry waits for COMMIT
    finally:
        committer.join()
        conn.close()
    assert backup.verify_backup(info.path, "beheer", PASSWORD).verified
    with inside(info.path, org.beheer.db.key, tmp_path / "x") as session:
        assert session.scalars(select(Case.ref)).all() == [ref]
        # The copy is the state before the open transaction, not half of it.
        assert session.get(Setting, "org.name").value == '"Woonstichting De Linde"'
    assert settings.get_settings(org.beheer)["org.name"] == "Onaf"


WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from klachtdesk.services.admin import setup
from tests.conftest import PASSWORD, TODAY, clock, complaint_data
ctx = setup.unlock(Path({db!r}), "balie", PASSWORD, **clock())
for n in range(100000):
    data = complaint_data(subject=f"Gelijktijdig {{n}}")
    ref = cases.register(ctx, ComplaintInput.validated(data, TODAY))
    with open({log!r}, "a") as log:
        log.write(ref + "\\n")
"""


def test_backups_while_a_second_process_writes_hold_every_committed_case(org, tmp_path):
    log = tmp_path / "vastgelegd.txt"
    log.touch()
    script = WRITER.format(repo=str(REPO), db=str(org.path), log=str(log))
    writer = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(log.read_text().split()) < 5:
            assert writer.poll() is None, writer.stderr.read()
            assert time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.05)
        sizes = []
        for round_ in range(4):
            committed = set(log.read_text().split())
            info = backup.make_backup(at(org.beheer, AFTERNOON + timedelta(minutes=round_)))
            assert writer.poll() is None  # still writing while the backup was made
            assert backup.verify_backup(info.path, "balie", PASSWORD).verified
            in_backup = refs_in(info.path, org.beheer.db.key, tmp_path / f"r{round_}")
            assert committed <= in_backup
            sizes.append(len(in_backup))
            time.sleep(0.3)
        assert sizes == sorted(set(sizes))  # each back-up saw more: the writer kept writing
    finally:
        writer.kill()
        writer.wait()


# -- restore ---------------------------------------------------------------------------------
def snapshot(ctx, ref: str):
    [row] = [r for r in cases.list_cases(ctx) if r.ref == ref]
    stored = letters.stored_letters(ctx, ref)
    pdfs = [(s.sha256, letters.letter_pdf(ctx, s.id)) for s in stored]
    files = [
        (a.filename, a.sha256, attachments.attachment_data(ctx, a.id)[1])
        for a in attachments.list_attachments(ctx, ref)
    ]
    return dataclasses.replace(row, id=0), pdfs, files


def test_restore_to_a_new_path_gives_the_same_data_and_logins(org, tmp_path):
    ref = register(org.balie)
    attachments.add_attachment(org.balie, ref, "foto.jpg", bytes(range(256)) * 40)
    letters.finalise(org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"), "post")
    before = snapshot(org.coordinator, ref)
    assert before[1] and before[2]
    info = backup.make_backup(org.balie)
    register(org.balie, subject="Na de back-up")  # not in the backup

    target = tmp_path / "hersteld" / "klachten.kdb"
    target.parent.mkdir()
    result = restore.restore_backup(info.path, target, "coordinator", PASSWORD, now=AFTERNOON)
    assert (result.database, result.key_file) == (target, key_file_path(target))
    assert result.moved_aside == () and result.restored_by == "coordinator"
    assert listing(target.parent) == ["klachten.kdb", "klachten.kdb.keys"]

    ctx = setup.unlock(target, "coordinator", PASSWORD)
    try:
        assert snapshot(ctx, ref) == before
        assert [r.ref for r in cases.list_cases(ctx)] == [ref]
        with ctx.db.session() as session:
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        restored = next(e for e in entries if e.action == "backup_teruggezet")
        assert (restored.username, restored.object_ref) == ("coordinator", info.name)
        assert restored.detail == "back-up van 25-11-2026 00:00"
        assert restored.at == AFTERNOON
    finally:
        ctx.db.dispose()


def test_restore_with_the_recovery_code(org, tmp_path):
    ref = register(org.balie)
    info = backup.make_backup(org.balie)
    target = tmp_path / "via-code.kdb"
    result = restore.restore_backup(info.path, target, recovery_code=org.recovery_code.lower())
    assert result.restored_by == "herstelcode"
    ctx = setup.unlock(target, "beheer", PASSWORD)
    try:
        assert [r.ref for r in cases.list_cases(ctx)] == [ref]
        assert any(e.username == "herstelcode" for e in _audit(ctx, "backup_teruggezet"))
    finally:
        ctx.db.dispose()


def _audit(ctx, action: str) -> list[AuditEntry]:
    with ctx.db.session() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_wrong_password_or_code_is_refused_and_nothing_is_written(org, tmp_path):
    info = backup.make_backup(org.balie)
    target = tmp_path / "nieuw" / "klachten.kdb"
    target.parent.mkdir()
    for credentials in (
        {"username": "balie", "password": "verkeerd-wachtwoord"},
        {"username": "onbekend", "password": PASSWORD},
        {"recovery_code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"},
    ):
        with pytest.raises(WrongPassword, match="past niet op deze back-up"):
            restore.restore_backup(info.path, target, **credentials)
        with pytest.raises(WrongPassword):
            backup.verify_backup(info.path, **credentials)
        assert listing(target.parent) == []


def flip_middle_of_database(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        entry = zf.getinfo("klachtdesk.kdb")
    raw = bytearray(path.read_bytes())
    name_len = int.from_bytes(raw[entry.header_offset + 26 : entry.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[entry.header_offset + 28 : entry.header_offset + 30], "little")
    middle = entry.header_offset + 30 + name_len + extra_len + entry.file_size // 2
    raw[middle : middle + 16] = bytes(b ^ 0xFF for b in raw[middle : middle + 16])
    path.write_bytes(bytes(raw))


def damage_pages_with_a_matching_manifest(path: Path) -> None:
    """Damage that only the page MACs can find: the manifest's checksum is made to fit."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    database = bytearray(members["klachtdesk.kdb"])
    database[5000:5016] = bytes(16)
    members["klachtdesk.kdb"] = bytes(database)
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["klachtdesk.kdb"]["sha256"] = hashlib.sha256(database).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    path.unlink()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


DAMAGE = {
    "bytes in the middle of the database flipped": flip_middle_of_database,
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "not a zip file": lambda p: p.write_bytes(bytes(range(256)) * 100),
    "damaged pages, fitting manifest": damage_pages_with_a_matching_manifest,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_backup_is_refused_and_no_target_is_created(org, tmp_path, damage):
    info = backup.make_backup(org.balie)
    DAMAGE[damage](info.path)
    target = tmp_path / "nieuw" / "klachten.kdb"
    target.parent.mkdir()
    with pytest.raises(BackupDamaged, match="beschadigd of onvolledig") as error:
        restore.restore_backup(info.path, target, "balie", PASSWORD)
    assert info.name in str(error.value) and "Er is niets teruggezet" in str(error.value)
    assert listing(target.parent) == []
    with pytest.raises(BackupDamaged):
        backup.verify_backup(info.path, "balie", PASSWORD)


def test_restore_over_an_existing_database_only_with_overwrite_and_keeps_it_aside(org):
    ref = register(org.balie)
    info = backup.make_backup(org.balie)
    register(org.balie, subject="Na de back-up")
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    old_db, old_keys = org.path.read_bytes(), key_file_path(org.path).read_bytes()
    journal = Path(str(org.path) + "-journal")
    journal.write_bytes(b"hot journal")  # must travel with the old database, not the new

    with pytest.raises(RestoreTargetExists, match="--overwrite"):
        restore.restore_backup(info.path, org.path, "beheer", PASSWORD)
    assert org.path.read_bytes() == old_db
    assert key_file_path(org.path).read_bytes() == old_keys

    result = restore.restore_backup(
        info.path, org.path, "beheer", PASSWORD, overwrite=True, now=AFTERNOON
    )
    aside = org.path.with_name("klachten.kdb.voor-herstel-20261125-1430")
    assert result.moved_aside == (
        aside,
        key_file_path(aside),
        Path(str(aside) + "-journal"),
    )
    assert aside.read_bytes() == old_db and key_file_path(aside).read_bytes() == old_keys
    assert Path(str(aside) + "-journal").read_bytes() == b"hot journal"
    assert not journal.exists()
    ctx = org.login("beheer")
    try:
        assert [r.ref for r in cases.list_cases(ctx)] == [ref]
    finally:
        ctx.db.dispose()


def test_restore_needs_no_working_current_database(org, tmp_path):
    info = backup.make_backup(org.balie)
    org.path.write_bytes(b"\0" * 4096)  # destroyed
    key_file_path(org.path).unlink()
    with pytest.raises(NotAllowed, match="alleen een beheerder"):  # replacing is beheer's
        restore.restore_backup(info.path, org.path, "balie", PASSWORD, overwrite=True)
    assert org.path.read_bytes() == b"\0" * 4096  # nothing changed
    result = restore.restore_backup(info.path, org.path, "beheer", PASSWORD, overwrite=True)
    assert result.previous_database.read_bytes() == b"\0" * 4096
    org.login("balie").db.dispose()


# -- listing, newest verified and rotation ---------------------------------------------------
def test_list_and_newest_verified_backup(org, tmp_path):
    folder = tmp_path / "map"
    folder.mkdir()
    assert backup.newest_verified_backup(folder, "balie", PASSWORD) is None
    made = [
        backup.make_backup(at(org.balie, AFTERNOON + timedelta(days=d)), folder) for d in range(3)
    ]
    (folder / "boodschappen.txt").write_text("melk")
    (folder / "vreemd.kdbackup").write_bytes(b"geen zip")
    os.utime(folder / "vreemd.kdbackup", (1.6e9, 1.6e9))  # September 2020: listed by its time
    flip_middle_of_database(made[2].path)

    found = backup.list_backups(folder)
    assert [i.name for i in found] == [
        made[2].name,
        made[1].name,
        made[0].name,
        "vreemd.kdbackup",
    ]
    assert [bool(i.problem) for i in found] == [False, False, False, True]  # manifest only
    assert backup.newest_verified_backup(folder, "balie", PASSWORD).path == made[1].path
    with pytest.raises(WrongPassword):
        backup.newest_verified_backup(folder, "balie", "verkeerd-wachtwoord")
    code = org.recovery_code
    assert backup.newest_verified_backup(folder, recovery_code=code).path == made[1].path


YEAR_OF_STAMPS = [
    datetime(2025, 11, 26, hour) + timedelta(days=day) for day in range(365) for hour in (9, 17)
]


def test_rotation_rule_over_a_year_of_backups():
    kept = archive.select_kept(YEAR_OF_STAMPS, lambda t: t, 7, 4, 12)
    days = [f"2026-11-{d}" for d in (25, 24, 23, 22, 21, 20, 19)]  # daily
    days += ["2026-11-15", "2026-11-08"]  # ISO weeks 46 and 45 (47 and 48 are daily ones)
    days += ["2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30"]
    days += ["2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31"]
    days += ["2025-12-31"]  # months: the newest of each; November 2026 is the 25th
    assert [t.isoformat(" ", "hours") for t in kept] == [f"{d} 17" for d in days]


def test_rotation_deletes_only_our_own_backups(org, tmp_path):
    folder = tmp_path / "nas"
    folder.mkdir()
    other = tmp_path / "andere"
    other.mkdir()
    foreign = setup.create_database(other / "ander.kdb", "Ander", "livable", "beheer", PASSWORD)
    ctx_other = setup.unlock(foreign.path, "beheer", PASSWORD)
    old_other = backup.make_backup(at(ctx_other, datetime(2026, 1, 1, 8, 0)), folder)
    ctx_other.db.dispose()
    keepers = ["boodschappen.txt", "klachtdesk-2025-01-01-1200.kdbackup", "x.defect"]
    for name in keepers:
        (folder / name).write_bytes(b"niet van ons")

    settings.update_settings(
        org.beheer, {"backup.keep_daily": 2, "backup.keep_weekly": 3, "backup.keep_monthly": 2}
    )
    start = datetime(2026, 9, 2, 17, 0)  # a backup every 4 days until 25 November
    for n in range(22):
        backup.make_backup(at(org.balie, start + timedelta(days=4 * n)), folder)
    file_id = KeyFile.load(key_file_path(org.path)).file_id
    ours = [
        i.created_at.date().isoformat() for i in backup.list_backups(folder) if i.file_id == file_id
    ]
    # daily: 25 and 21 Nov; weekly: ISO weeks 48 (25), 47 (21) and 46 (13 Nov);
    # monthly: November (25) and October (28).
    assert ours == ["2026-11-25", "2026-11-21", "2026-11-13", "2026-10-28"]
    assert set(keepers) | {old_other.name} <= set(listing(folder))
