"""Restoring over a database is authorised by that database, never by the back-up.

The attack: a clerk makes a database of their own (where they are beheerder), backs it up and
puts that back-up over the live database with their own name and password. Being beheerder in
a back-up proves nothing about the database it would replace: replacing needs a beheerder of
the current database (its current password, the role from its users table) or its recovery
code, and a back-up of another database file needs an explicit confirmation.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.safety import backup, restore
from klachtdesk.services.safety.restore import ForeignBackup
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import AuditEntry, User
from tests.conftest import PASSWORD, cli_env, clock

TIMEOUT_S = 120
NEW_PASSWORD = "Nieuw-en-lang-2026!"


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    folder = tmp_path / "systeem-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def close(org) -> None:
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()


def live_files(org) -> tuple[bytes, bytes]:
    return org.path.read_bytes(), key_file_path(org.path).read_bytes()


def moved_aside(org) -> list[Path]:
    return [p for p in org.path.parent.iterdir() if ".voor-herstel-" in p.name]


def own_database_backup(tmp_path: Path, beheerder: str) -> Path:
    """A database someone made themselves, where ``beheerder`` is beheerder, backed up."""
    folder = tmp_path / "eigen"
    folder.mkdir(parents=True)
    own = folder / "eigen.kdb"
    setup.create_database(own, "Eigen Stichting", "woonpartners", beheerder, PASSWORD, "Eigen")
    ctx = setup.unlock(own, beheerder, PASSWORD, **clock())
    try:
        (folder / "back-ups").mkdir()
        return backup.make_backup(ctx, folder / "back-ups").path
    finally:
        ctx.db.dispose()


def same_database_backup(org, tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return backup.make_backup(org.beheer, folder).path


def last_audit(path: Path, username: str) -> AuditEntry:
    ctx = setup.unlock(path, username, PASSWORD, **clock())
    try:
        with ctx.db.session() as session:
            entries = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "backup_teruggezet")
                .order_by(AuditEntry.id)
            ).all()
        return entries[-1]
    finally:
        ctx.db.dispose()


def test_the_clerks_own_backup_is_refused_over_the_live_database(org, tmp_path):
    attack = own_database_backup(tmp_path, "balie")  # balie is beheerder there
    close(org)
    before = live_files(org)

    with pytest.raises(ForeignBackup) as foreign:
        restore.restore_backup(attack, org.path, "balie", PASSWORD, overwrite=True)
    assert "niet gemaakt van de database" in str(foreign.value)
    assert "--other-database" in str(foreign.value) and "Er is niets gewijzigd" in str(
        foreign.value
    )
    # Confirming the other file does not help: balie is no beheerder of the live database.
    with pytest.raises(NotAllowed) as refused:
        restore.restore_backup(attack, org.path, "balie", PASSWORD, overwrite=True, foreign_ok=True)
    assert "alleen een beheerder" in str(refused.value)
    assert "Beheerder zijn in de back-up is niet genoeg" in str(refused.value)
    assert live_files(org) == before and moved_aside(org) == []
    setup.unlock(org.path, "balie", PASSWORD, **clock()).db.dispose()  # still the live one


def test_beheer_in_the_backup_is_not_enough_for_a_user_of_the_live_database(org, tmp_path):
    balie_id = org.balie.actor.user_id
    admin_users.set_user_roles(org.beheer, balie_id, [Role.BALIE, Role.BEHEER])
    made_while_beheer = same_database_backup(org, tmp_path)  # balie is beheerder in it
    admin_users.set_user_roles(org.beheer, balie_id, [Role.BALIE])  # but no longer live
    close(org)
    before = live_files(org)

    with pytest.raises(NotAllowed, match="alleen een beheerder"):
        restore.restore_backup(made_while_beheer, org.path, "balie", PASSWORD, overwrite=True)
    assert live_files(org) == before and moved_aside(org) == []


def test_a_wrong_password_for_the_live_database_is_refused(org, tmp_path):
    made = same_database_backup(org, tmp_path)
    close(org)
    before = live_files(org)
    with pytest.raises(WrongPassword, match="past niet op de huidige database"):
        restore.restore_backup(made, org.path, "beheer", "Verkeerd-wachtwoord-1", overwrite=True)
    with pytest.raises(WrongPassword, match="herstelcode past niet op de huidige database"):
        restore.restore_backup(made, org.path, recovery_code="AAAA-BBBB", overwrite=True)
    assert live_files(org) == before and moved_aside(org) == []


def test_beheer_of_the_live_database_restores_a_backup_of_it(org, tmp_path):
    made = same_database_backup(org, tmp_path)
    close(org)
    before = live_files(org)

    result = restore.restore_backup(made, org.path, "beheer", PASSWORD, overwrite=True)
    assert result.restored_by == "beheer"
    assert result.previous_database.read_bytes() == before[0]
    entry = last_audit(org.path, "beheer")
    assert entry.username == "beheer"
    assert "bevoegd als beheerder van die database" in entry.detail


def test_beheer_whose_password_changed_since_the_backup_still_restores_it(org, tmp_path):
    made = same_database_backup(org, tmp_path)  # made with the old password
    setup.change_password(org.beheer, PASSWORD, NEW_PASSWORD)
    close(org)
    result = restore.restore_backup(made, org.path, "beheer", NEW_PASSWORD, overwrite=True)
    assert result.restored_by == "beheer"  # authorised live; the current key opened the copy


def test_the_recovery_code_of_the_live_database_restores(org, tmp_path):
    made = same_database_backup(org, tmp_path)
    close(org)
    result = restore.restore_backup(made, org.path, recovery_code=org.recovery_code, overwrite=True)
    assert result.restored_by == "herstelcode"
    entry = last_audit(org.path, "beheer")
    assert entry.username == "herstelcode"
    assert "bevoegd als herstelcode van die database" in entry.detail


def test_a_backup_of_another_database_needs_the_confirmation(org, tmp_path):
    other = own_database_backup(tmp_path, "beheer")  # beheer exists there with this password
    close(org)
    before = live_files(org)
    assert restore.backup_is_foreign(other, org.path)

    with pytest.raises(ForeignBackup):
        restore.restore_backup(other, org.path, "beheer", PASSWORD, overwrite=True)
    assert live_files(org) == before and moved_aside(org) == []

    result = restore.restore_backup(
        other, org.path, "beheer", PASSWORD, overwrite=True, foreign_ok=True
    )
    assert result.previous_database.read_bytes() == before[0]
    assert (
        KeyFile.load(key_file_path(org.path)).file_id
        != KeyFile.load(key_file_path(result.previous_database)).file_id
    )
    entry = last_audit(org.path, "beheer")
    assert "ander databasebestand, bevestigd" in entry.detail


def test_a_new_path_keeps_using_the_backups_own_credentials(org, tmp_path):
    attack = own_database_backup(tmp_path, "balie")
    close(org)
    target = tmp_path / "elders" / "kopie.kdb"
    target.parent.mkdir()
    result = restore.restore_backup(attack, target, "balie", PASSWORD)  # nothing replaced
    assert result.moved_aside == ()
    ctx = setup.unlock(target, "balie", PASSWORD, **clock())
    try:
        with ctx.db.session() as session:
            assert session.scalar(select(User.username)) == "balie"
    finally:
        ctx.db.dispose()


def test_an_unreadable_live_database_needs_beheer_in_a_backup_of_it(org, tmp_path):
    """Its key file still checks the password; its roles cannot be read, so the back-up's
    (of this same database) count, and another database's back-up is not taken."""
    made = same_database_backup(org, tmp_path)
    other = own_database_backup(tmp_path, "beheer")
    close(org)
    org.path.write_bytes(b"\0" * 4096)  # destroyed; the key file is intact
    with pytest.raises(NotAllowed, match="alleen een beheerder"):
        restore.restore_backup(made, org.path, "balie", PASSWORD, overwrite=True)
    with pytest.raises(NotAllowed, match="niet te lezen"):
        restore.restore_backup(other, org.path, "beheer", PASSWORD, overwrite=True, foreign_ok=True)
    assert org.path.read_bytes() == b"\0" * 4096 and moved_aside(org) == []
    result = restore.restore_backup(made, org.path, "beheer", PASSWORD, overwrite=True)
    assert result.previous_database.read_bytes() == b"\0" * 4096


def run_cli(tmp_path: Path, user: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "klachtdesk", *args],
        env=cli_env(tmp_path, user),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def test_the_clerks_attack_on_the_command_line(org, tmp_path):
    attack = own_database_backup(tmp_path, "balie")
    other = own_database_backup_named(tmp_path, "beheer")
    close(org)
    before = live_files(org)
    args = ["restore", "--db", str(org.path), "--from", str(attack), "--overwrite"]

    foreign = run_cli(tmp_path, "balie", *args)
    assert foreign.returncode == 2, foreign.stderr
    assert "niet gemaakt van de database" in foreign.stderr
    assert "--other-database" in foreign.stderr and "Traceback" not in foreign.stderr

    confirmed = run_cli(tmp_path, "balie", *args, "--other-database")
    assert confirmed.returncode == 1, confirmed.stderr
    assert "alleen een beheerder" in confirmed.stderr and "Traceback" not in confirmed.stderr
    assert live_files(org) == before and moved_aside(org) == []

    by_beheer = ["restore", "--db", str(org.path), "--from", str(other), "--overwrite"]
    replaced = run_cli(tmp_path, "beheer", *by_beheer, "--other-database")
    assert replaced.returncode == 0, replaced.stderr
    assert "opzij gezet" in replaced.stdout
    assert [p for p in moved_aside(org) if p.suffix != ".keys"][0].read_bytes() == before[0]


def own_database_backup_named(tmp_path: Path, beheerder: str) -> Path:
    """Like ``own_database_backup``, in a folder of its own (a second one in one test)."""
    return own_database_backup(tmp_path / beheerder, beheerder)
