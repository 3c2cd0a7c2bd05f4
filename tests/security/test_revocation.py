"""Revocation revokes: a deactivated user, a reset password and a replaced recovery code open
nothing live any more — not through KlachtDesk, and not with an old copy of the key file and
the database key it gives (the attack of a former employee who kept both)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.safety import backup
from klachtdesk.storage.engine import opens_with
from klachtdesk.storage.errors import (
    AccessRevoked,
    KeyFileTampered,
    NotADatabase,
    WrongPassword,
)
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from tests.conftest import PASSWORD, TODAY, complaint_data

NEW = "een-ander-wachtwoord-2026"
DATA = Path(__file__).resolve().parents[1] / "data"


def user_id(ctx, username: str) -> int:
    return next(u.id for u in admin_users.list_users(ctx) if u.username == username)


def register(ctx, subject: str) -> str:
    data = complaint_data(subject=subject)
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def keep_a_copy(org, tmp_path) -> Path:
    """What a leaving employee copies to a USB stick: the key file as it is today."""
    copy = tmp_path / "meegenomen.kdb.keys"
    shutil.copy(key_file_path(org.path), copy)
    return copy


def old_key_opens_live(org, copy: Path, username: str, password: str) -> bool:
    """The attack: the old key file and the old password give a database key; does it
    decrypt the live database file?"""
    key = KeyFile.load(copy).unlock(username, password)
    return opens_with(org.path, key)


def test_a_deactivated_user_opens_nothing_live_not_even_with_an_old_key_file(org, tmp_path):
    copy = keep_a_copy(org, tmp_path)
    assert old_key_opens_live(org, copy, "manager", PASSWORD)  # the attack works today
    result = admin_users.deactivate_user(org.beheer, user_id(org.beheer, "manager"))
    assert result.need_new_password == [] and result.new_recovery_code is None
    secret = register(org.balie, "Na het vertrek van de manager")

    with pytest.raises(WrongPassword):
        org.login("manager")
    assert not old_key_opens_live(org, copy, "manager", PASSWORD)
    # Putting the old key file back in place does not help either.
    shutil.copy(copy, key_file_path(org.path))
    with pytest.raises(NotADatabase):
        org.login("manager")
    assert secret  # registered after the deactivation, readable only with the new key


def test_colleagues_keep_working_in_their_open_sessions_and_the_revoked_one_is_stopped(org):
    ref = register(org.balie, "Voor de sleutelwissel")
    admin_users.deactivate_user(org.beheer, user_id(org.beheer, "manager"))
    # balie's window stayed open during the re-key: it follows the new key
    assert case_view.case_detail(org.balie, ref).ref == ref
    assert register(org.balie, "Na de sleutelwissel")
    # the manager's open session ends with a clear message instead of reading on
    with pytest.raises(AccessRevoked, match="ingetrokken"):
        case_view.case_detail(org.manager, ref)
    org.login("coordinator").db.dispose()


def test_a_reset_password_after_a_leak_opens_nothing_live(org, tmp_path):
    copy = keep_a_copy(org, tmp_path)
    admin_users.reset_password(org.beheer, user_id(org.beheer, "balie"), NEW)
    with pytest.raises(WrongPassword):
        org.login("balie")
    assert not old_key_opens_live(org, copy, "balie", PASSWORD)
    org.login("balie", NEW).db.dispose()


def test_a_replaced_recovery_code_opens_nothing_live(org, tmp_path):
    copy = keep_a_copy(org, tmp_path)
    new_code = setup.replace_recovery_code(org.beheer, PASSWORD)
    old = KeyFile.load(copy).unlock_recovery(org.recovery_code)
    assert not opens_with(org.path, old)
    with pytest.raises(WrongPassword):
        KeyFile.load(key_file_path(org.path)).unlock_recovery(org.recovery_code)
    assert opens_with(org.path, KeyFile.load(key_file_path(org.path)).unlock_recovery(new_code))


def test_a_backup_made_before_stays_readable_with_the_secrets_of_its_time(org):
    made = backup.make_backup(org.beheer)
    admin_users.deactivate_user(org.beheer, user_id(org.beheer, "manager"))
    # The back-up holds the key file of its day: the manager's password opens it (README
    # says so); the live database it does not.
    checked = backup.verify_backup(made.path, "manager", PASSWORD)
    assert checked is not None


def test_a_forged_public_key_in_the_key_file_stops_the_rekey_and_changes_nothing(org):
    """Someone who can write the shared folder but has no key swaps a colleague's public key
    for their own, hoping to receive the next database key."""
    from klachtdesk.storage.keyslots import Identity, _b64

    keys = key_file_path(org.path)
    keyfile = KeyFile.load(keys)
    victim = keyfile.user_lookup("coordinator")
    keyfile.slots[victim].box_public = _b64(Identity.new().box_public)
    keyfile.save(keys)
    forged = keys.read_bytes()
    with pytest.raises(KeyFileTampered, match="buiten KlachtDesk gewijzigd"):
        admin_users.deactivate_user(org.beheer, user_id(org.beheer, "manager"))
    assert keys.read_bytes() == forged
    assert [u.active for u in admin_users.list_users(org.beheer) if u.username == "manager"] == [
        True
    ]


def test_a_key_file_of_the_first_version_is_upgraded_and_a_rekey_says_who_needs_a_password(
    tmp_path,
):
    """Databases made before this version: each slot becomes the new kind at its owner's
    next login; a re-key before that drops the old slots and names those users, and replaces
    a recovery code of the old kind."""
    path = tmp_path / "oud.kdb"
    shutil.copy(DATA / "schema-0006.kdb", path)
    shutil.copy(DATA / "schema-0006.kdb.keys", key_file_path(path))
    old_password = "fixture-wachtwoord"
    beheer = setup.unlock(path, "beheer", old_password)
    try:
        assert KeyFile.load(key_file_path(path)).to_bytes().count(b'"kdf"') == 1  # upgraded
        manager = user_id(beheer, "manager")
        result = admin_users.deactivate_user(beheer, manager)
        assert result.need_new_password == ["Carla", "Dirk"]
        assert result.new_recovery_code is not None
        with pytest.raises(WrongPassword):
            setup.unlock(path, "coordinator", old_password)
        admin_users.reset_password(beheer, user_id(beheer, "coordinator"), NEW)
        setup.unlock(path, "coordinator", NEW).db.dispose()
        assert opens_with(
            path, KeyFile.load(key_file_path(path)).unlock_recovery(result.new_recovery_code)
        )
    finally:
        beheer.db.dispose()
