"""Two PCs write the key file at the same moment: nothing one of them wrote is lost.

Deactivating a user, resetting a password and reactivating read the key file inside the
database's write lock, as adding a user and changing one's own password do. Each test widens
the window between reading and writing the key file in one process to a second, and lets a
second process change a password in that second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from klachtdesk.services.admin import admin_users, setup
from klachtdesk.storage.errors import WrongPassword
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NEW = "fiets-regen-koffie-dinsdag"
OTHER = "molen-kaas-tulp-regenjas"

SLOW_ADMIN = f"""
import sys, time
from klachtdesk.storage import keyslots
keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1
real_load = keyslots.KeyFile.load
def slow_load(path):
    loaded = real_load(path)
    print("gelezen", flush=True)
    time.sleep(1.5)  # the window between reading and writing the key file
    return loaded
from klachtdesk.services.admin import admin_users, setup
ctx = setup.unlock(sys.argv[1], "beheer", "{PASSWORD}")
users = {{u.username: u.id for u in admin_users.list_users(ctx)}}
keyslots.KeyFile.load = staticmethod(slow_load)
action = sys.argv[2]
if action == "deactivate":
    admin_users.deactivate_user(ctx, users["manager"])
elif action == "reset":
    admin_users.reset_password(ctx, users["directeur"], "{OTHER}")
else:
    admin_users.reactivate_user(ctx, users["manager"], "{OTHER}")
print("klaar", flush=True)
"""

CHANGE_OWN = f"""
import sys
from klachtdesk.storage import keyslots
keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1
from klachtdesk.services.admin import setup
ctx = setup.unlock(sys.argv[1], "balie", "{PASSWORD}")
print("aangemeld", flush=True)
sys.stdin.readline()
setup.change_password(ctx, "{PASSWORD}", "{NEW}")
print("klaar", flush=True)
"""


def start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def race(org, action: str) -> None:
    changer = start(CHANGE_OWN, str(org.path))
    assert changer.stdout.readline().strip() == "aangemeld"
    admin = start(SLOW_ADMIN, str(org.path), action)
    while admin.stdout.readline().strip() != "gelezen":  # inside the admin's window now
        pass
    changer.stdin.write("\n")
    changer.stdin.flush()
    time.sleep(0.2)
    for process in (admin, changer):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]


@pytest.mark.parametrize("action", ["deactivate", "reset", "reactivate"])
def test_a_password_changed_on_another_pc_meanwhile_is_kept(org, action):
    for ctx in (org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    if action == "reactivate":
        manager = next(u.id for u in admin_users.list_users(org.beheer) if u.username == "manager")
        admin_users.deactivate_user(org.beheer, manager)
    org.beheer.db.dispose()
    race(org, action)
    org.login("balie", NEW).db.dispose()  # the other PC's new password survived
    with pytest.raises(WrongPassword):
        org.login("balie")
    if action == "deactivate":
        with pytest.raises(WrongPassword):
            org.login("manager")
    elif action == "reset":
        org.login("directeur", OTHER).db.dispose()
    else:
        org.login("manager", OTHER).db.dispose()
    setup.unlock(org.path, "coordinator", PASSWORD).db.dispose()
