"""Re-encrypting the database with a new key that only the remaining slots receive.

This is what makes revoking access real: after a user is deactivated, a password is reset
after a compromise or the recovery code is replaced, the old secret together with an old copy
of the key file opens only old copies of the database, never the live file.

Three steps, each one crash-safe, so a kill at any moment leaves a database that opens with
the slots in the key file:

1. Under the database's write lock, the key file gets the change (a slot removed or
   replaced) and the new key sealed for every remaining slot as the *pending* generation.
2. SQLCipher re-encrypts every page with the new key, in one transaction of its own.
3. The key file forgets the old generation.

A login (``complete``) finds an interrupted re-key by the pending generation and finishes it:
after step 1 it re-encrypts, after step 2 it only does step 3.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from klachtdesk.storage.engine import Database, opens_with
from klachtdesk.storage.errors import KeyFileWriteFailed
from klachtdesk.storage.keyslots import KeyFile, key_file_path, new_database_key

# What a test may do between the steps: kill the process there, to prove the above.
STEP_HOOK: Callable[[str], None] = lambda _step: None  # noqa: E731


def rekey(
    db: Database,
    change: Callable[[KeyFile], object],
    record: Callable[[Session], None] | None = None,
) -> list[str]:
    """Apply ``change`` to the key file and give the database a new key; returns the
    lookups of format 1 slots that were dropped (those users need a new password).
    ``record`` writes the audit entry, in the transaction of the last step."""
    keys_path = key_file_path(db.path)
    new_key = new_database_key()
    with db.session(write=True):  # the write lock: no other PC writes the key file meanwhile
        keyfile = KeyFile.load(keys_path)
        change(keyfile)
        dropped = keyfile.begin_rekey(keys_path, db.key, new_key)
        _save(keyfile, keys_path)
    STEP_HOOK("sleutelbestand")
    _finish(db, keys_path, new_key, record)
    return dropped


def complete(db: Database, key_for_pending: bytes | None) -> bool:
    """Finish a re-key a crash interrupted (the key file still has a pending generation);
    ``key_for_pending`` is that generation's key as this session's slot reads it. Returns
    whether there was one to finish."""
    keys_path = key_file_path(db.path)
    keyfile = KeyFile.load(keys_path)
    if keyfile.pending is None or key_for_pending is None:
        return False
    _finish(db, keys_path, key_for_pending, None)
    return True


def _finish(
    db: Database, keys_path: Path, new_key: bytes, record: Callable[[Session], None] | None
) -> None:
    if db.key != new_key and not opens_with(db.path, new_key):
        db.rekey_to(new_key)
    else:  # another PC did step 2 already
        db.use_key(new_key)
    STEP_HOOK("database")
    with db.session(write=True) as session:
        keyfile = KeyFile.load(keys_path)
        keyfile.finish_rekey(new_key)
        if record is not None:
            record(session)
        _save(keyfile, keys_path)  # last: if it fails the audit entry is rolled back
    STEP_HOOK("klaar")


def _save(keyfile: KeyFile, keys_path: Path) -> None:
    try:
        keyfile.save(keys_path)
    except OSError as error:
        raise KeyFileWriteFailed(keys_path, error) from None
