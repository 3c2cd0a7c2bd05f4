"""Passwords: guessing is slowed down at every door and cannot be reset by deleting a file;
weak passwords are refused; slots use Argon2id with bounded parameters; user names in the key
file are salted hashes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from klachtdesk.domain.errors import ValidationError
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.storage import keyslots
from klachtdesk.storage.errors import NotADatabase, TooManyAttempts, WrongPassword
from klachtdesk.storage.keyslots import KeyFile, attempts_path, key_file_path
from klachtdesk.storage.models import AuditEntry
from tests.conftest import PASSWORD, cli_env

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 25, 9, 0, 0)


def at(moment: datetime) -> dict:
    return {"today": lambda: moment.date(), "now": lambda: moment}


def guess(org, username: str, moment: datetime, password: str = "verkeerd-wachtwoord"):
    return setup.unlock(org.path, username, password, **at(moment))


def fail_times(org, username: str, count: int, start: datetime = T0) -> datetime:
    """``count`` wrong passwords, each as soon as the guard allows; returns the moment of
    the next try (one second after the last failure)."""
    moment, wait = start, 0
    for _ in range(count):
        moment += timedelta(seconds=wait)
        with pytest.raises(WrongPassword) as failed:
            guess(org, username, moment)
        wait = failed.value.wait
    if wait <= 1:
        raise AssertionError("no wait yet: fail more often")
    return moment + timedelta(seconds=1)


def audit_actions(ctx) -> list[str]:
    with ctx.db.session() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_after_three_wrong_passwords_the_next_try_waits_and_costs_no_key_derivation(
    org, monkeypatch
):
    moment = fail_times(org, "balie", 4)  # three free, the fourth starts a wait of 2 s
    derived = []
    real = keyslots._derive
    monkeypatch.setattr(keyslots, "_derive", lambda *a: derived.append(1) or real(*a))
    with pytest.raises(TooManyAttempts, match="Wacht nog 1 seconde"):
        guess(org, "balie", moment, PASSWORD)  # even the right password must wait
    assert derived == []
    later = moment + timedelta(seconds=2)
    setup.unlock(org.path, "balie", PASSWORD, **at(later)).db.dispose()  # then it works


def test_unknown_names_are_slowed_down_too(org):
    moment = fail_times(org, "niemand", 4)
    with pytest.raises(TooManyAttempts):
        guess(org, "niemand", moment)


def test_deleting_the_attempts_file_does_not_reset_the_wait_and_is_audited(org):
    moment = fail_times(org, "balie", 5)
    attempts_path(key_file_path(org.path)).unlink()  # the careful attacker's first move
    with pytest.raises(TooManyAttempts):
        guess(org, "balie", moment)  # this PC remembers
    ctx = setup.unlock(org.path, "coordinator", PASSWORD, **at(moment + timedelta(minutes=1)))
    try:
        assert audit_actions(ctx)[-1] == setup.ATTEMPTS_VANISHED
    finally:
        ctx.db.dispose()


def test_another_pc_sees_the_failures_in_the_shared_attempts_file(org, tmp_path, monkeypatch):
    moment = fail_times(org, "balie", 5)
    # A second PC: its own (empty) memory, the same database folder.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "tweede-pc"))
    with pytest.raises(TooManyAttempts):
        guess(org, "balie", moment)


def test_the_command_line_is_slowed_down_as_the_window_is(org, tmp_path):
    env = cli_env(tmp_path, "balie")
    env["KLACHTDESK_PASSWORD"] = "verkeerd-wachtwoord"
    outcomes = []
    for _ in range(7):
        done = subprocess.run(
            [sys.executable, "-m", "klachtdesk", "cases", "--db", str(org.path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outcomes.append((done.returncode, "Wacht nog" in done.stderr))
    assert all(code == 1 for code, _ in outcomes), outcomes  # refused, never let in
    assert outcomes[:3] == [(1, False)] * 3  # three free tries
    # from the fourth failure on a run comes too soon: it is told to wait, not let in
    assert any(waited for _code, waited in outcomes[4:]), outcomes


def test_the_recovery_code_and_the_idle_lock_are_slowed_down(org):
    moment = T0
    for _ in range(4):
        with pytest.raises(WrongPassword):
            setup.recover_with_code(
                org.path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", "beheer",
                "fiets-regen-koffie-dinsdag", **at(moment),
            )  # fmt: skip
        moment += timedelta(seconds=1)
    with pytest.raises(TooManyAttempts):
        setup.recover_with_code(
            org.path, org.recovery_code, "beheer", "fiets-regen-koffie-dinsdag", **at(moment)
        )
    manager = replace(org.manager, now=lambda: T0)
    for _ in range(4):
        with pytest.raises(WrongPassword):
            setup.verify_password(manager, "verkeerd-wachtwoord")
    with pytest.raises(TooManyAttempts):
        setup.verify_password(manager, PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["wachtwoord123", "Welkom2026!", "zomer2026!", "Feyenoord1908", "Linde2026!", "kort"],
)
def test_weak_passwords_are_refused_everywhere(org, password):
    with pytest.raises(ValidationError, match="wachtwoord"):
        setup.add_user(org.beheer, "nieuw", "Nina Nieuw", "balie", password)
    with pytest.raises(ValidationError, match="wachtwoord"):
        setup.change_password(org.balie, PASSWORD, password)
    balie = next(u.id for u in admin_users.list_users(org.beheer) if u.username == "balie")
    with pytest.raises(ValidationError, match="wachtwoord"):
        admin_users.reset_password(org.beheer, balie, password)
    with pytest.raises(ValidationError, match="wachtwoord"):
        setup.create_database(
            org.path.parent / "ander.kdb", "De Linde", "woonpartners", "beheer", password
        )


def test_a_sentence_of_words_is_accepted(org):
    setup.add_user(org.beheer, "nieuw", "Nina Nieuw", "balie", "fiets-regen-koffie-dinsdag")
    org.login("nieuw", "fiets-regen-koffie-dinsdag").db.dispose()


def test_new_slots_use_argon2id_and_weaker_slots_are_strengthened_at_login(org, monkeypatch):
    keys = key_file_path(org.path)
    slot = KeyFile.load(keys).slots[KeyFile.load(keys).user_lookup("balie")]
    assert slot.kdf.name == "argon2id" and slot.kdf.params["memory_kib"] == 1024
    monkeypatch.setattr(keyslots, "ARGON2_MEMORY_KIB", 2048)  # today's cost went up
    monkeypatch.setattr(keyslots, "ARGON2_ITERATIONS", 2)
    org.login("balie").db.dispose()
    slot = KeyFile.load(keys).slots[KeyFile.load(keys).user_lookup("balie")]
    assert (slot.kdf.params["memory_kib"], slot.kdf.params["iterations"]) == (2048, 2)
    org.login("balie").db.dispose()  # and still opens


@pytest.mark.parametrize(
    "change",
    [
        {"memory_kib": 64 * 1024 * 1024},  # 64 GiB
        {"iterations": 100_000},
        {"lanes": 64},
        {"memory_kib": "veel"},
        {"name": "pbkdf2"},
    ],
)
def test_key_derivation_parameters_are_bounded_and_a_bad_slot_is_called_damaged(org, change):
    keys = key_file_path(org.path)
    data = json.loads(keys.read_bytes())
    data["slots"][0]["kdf"].update(change)
    keys.write_text(json.dumps(data))
    with pytest.raises(NotADatabase, match="beschadigd"):
        org.login("balie")


def test_user_names_are_salted_hashes_in_the_key_file(org):
    keyfile = KeyFile.load(key_file_path(org.path))
    text = key_file_path(org.path).read_text()
    for name in ("balie", "coordinator", "beheer"):
        assert name not in text
        unsalted = hashlib.sha256(f"{keyfile.file_id}:user:{name}".encode()).hexdigest()
        assert unsalted not in keyfile.slots  # a dictionary over names finds nothing
        assert keyfile.has_user(name)
