"""A re-key killed at any moment leaves a database that opens with the slots of its key file,
and the next login finishes the job: the revoked password then opens nothing live.

Each run deactivates the manager in a process of its own and kills it with SIGKILL: at each
step boundary, and at random moments while SQLCipher re-encrypts the pages.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.cases import attachments, case_view, cases
from klachtdesk.storage.engine import opens_with
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from tests.conftest import PASSWORD, TODAY, clock, complaint_data

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

DEACTIVATE = f"""
import os, signal, sys
from klachtdesk.storage import keyslots, rekey
keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1
from klachtdesk.services.admin import admin_users, setup
kill_at = sys.argv[2]
def hook(step):
    print(step, flush=True)
    if step == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
rekey.STEP_HOOK = hook
ctx = setup.unlock(sys.argv[1], "beheer", "{PASSWORD}")
manager = next(u.id for u in admin_users.list_users(ctx) if u.username == "manager")
print("start", flush=True)
admin_users.deactivate_user(ctx, manager)
print("klaar", flush=True)
"""


def run(path: Path, kill_at: str = "", kill_after: float | None = None) -> dict[str, float]:
    """Deactivate the manager in a process of its own; kill it at a step, or ``kill_after``
    seconds into the re-encryption of the pages. Returns when each step was reached."""
    process = subprocess.Popen(
        [sys.executable, "-c", DEACTIVATE, str(path), kill_at],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[str, float] = {}
    for line in process.stdout:
        seen[line.strip()] = time.monotonic()
        if line.strip() == "sleutelbestand" and kill_after is not None:
            time.sleep(kill_after)  # the pages are being re-encrypted now
            process.send_signal(signal.SIGKILL)
            break
    process.communicate(timeout=300)
    seen["returncode"] = process.returncode
    return seen


@pytest.fixture
def big_org(org):
    """Some megabytes of pages, so the re-encryption takes long enough to be interrupted."""
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    for index in range(3):
        blob = random.Random(index).randbytes(4 * 1024 * 1024)
        attachments.add_attachment(org.balie, ref, f"foto-{index}.jpg", blob)
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    return org, ref


def check_after_crash(org, ref: str, copy: Path) -> None:
    """A colleague logs in (this finishes an interrupted re-key), reads the case; the
    manager's old secret opens nothing live once the re-key is done."""
    ctx = setup.unlock(org.path, "balie", PASSWORD, **clock())
    try:
        assert case_view.case_detail(ctx, ref).ref == ref
        keyfile = KeyFile.load(key_file_path(org.path))
        assert keyfile.pending is None  # finished by this login (or it never started)
        old = KeyFile.load(copy).unlock("manager", PASSWORD)
        if not keyfile.has_user("manager"):  # the re-key got past its first step
            assert not opens_with(org.path, old)
    finally:
        ctx.db.dispose()


@pytest.mark.parametrize("step", ["sleutelbestand", "database", "klaar"])
def test_a_kill_between_the_steps_leaves_a_database_that_opens(big_org, tmp_path, step):
    org, ref = big_org
    copy = tmp_path / "oud.keys"
    shutil.copy(key_file_path(org.path), copy)
    assert run(org.path, kill_at=step)["returncode"] == -signal.SIGKILL
    check_after_crash(org, ref, copy)
    with pytest.raises(Exception, match="klopt niet"):
        setup.unlock(org.path, "manager", PASSWORD)


def test_a_kill_while_the_pages_are_re_encrypted_leaves_a_database_that_opens(big_org, tmp_path):
    org, ref = big_org
    copy = tmp_path / "oud.keys"
    shutil.copy(key_file_path(org.path), copy)
    whole = run(org.path)
    assert whole["returncode"] == 0
    duration = whole["database"] - whole["sleutelbestand"]  # re-encrypting the pages
    rng = random.Random(13)
    interrupted = []
    for _round in range(6):
        ctx = setup.unlock(org.path, "beheer", PASSWORD, **clock())
        manager = next(u for u in admin_users.list_users(ctx) if u.username == "manager")
        if manager.active and not KeyFile.load(key_file_path(org.path)).has_user("manager"):
            # killed after the slot went but before the account was marked: deactivating
            # again finishes it
            admin_users.deactivate_user(ctx, manager.id)
            manager = next(u for u in admin_users.list_users(ctx) if u.username == "manager")
        if not manager.active:
            admin_users.reactivate_user(ctx, manager.id, PASSWORD)
        ctx.db.dispose()
        shutil.copy(key_file_path(org.path), copy)
        result = run(org.path, kill_after=rng.uniform(0.0, duration))
        interrupted.append(result["returncode"] == -signal.SIGKILL and "database" not in result)
        check_after_crash(org, ref, copy)
    assert sum(interrupted) >= 3, interrupted  # most kills landed inside the re-encryption
