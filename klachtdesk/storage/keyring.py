"""A logged-in session's hold on the key file: it follows a re-key made on another PC, and
learns there when its own access was revoked."""

from __future__ import annotations

import os
from pathlib import Path

from klachtdesk.storage.errors import AccessRevoked, KeyFileMissing
from klachtdesk.storage.keyslots import Identity, KeyFile, LegacySlot


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class Keyring:
    """The slot a session was opened with (its lookup and, for a format 2 slot, its private
    keys), and the database keys the key file offers it now."""

    def __init__(self, keys_path: Path, lookup: str, identity: Identity | None):
        self.keys_path = Path(keys_path)
        self.lookup = lookup
        self.identity = identity
        self._stamp = _stamp(self.keys_path)

    def adopt(self, lookup: str, identity: Identity | None) -> None:
        """This session's own slot was rewritten (a new password, a stronger derivation)."""
        self.lookup, self.identity = lookup, identity

    def candidates(self, force: bool = False) -> list[bytes] | None:
        """The database keys to try, newest last, if the key file changed since the last
        look (or ``force``); None when nothing changed. Raises AccessRevoked when the file
        holds no key for this session any more."""
        stamp = _stamp(self.keys_path)
        if stamp == self._stamp and not force:
            return None
        self._stamp = stamp
        try:
            keyfile = KeyFile.load(self.keys_path)
        except KeyFileMissing:
            return None  # a key file being replaced; the open connection keeps working
        slot = keyfile.slots.get(self.lookup)
        if slot is None:
            raise AccessRevoked()
        if isinstance(slot, LegacySlot) or self.identity is None:
            return None  # a format 1 slot has one key for ever (a re-key drops it)
        keys = keyfile.keys_for(self.lookup, self.identity)
        if not keys:
            raise AccessRevoked()
        order = [keyfile.generation, keyfile.pending]
        return [keys[g] for g in order if g is not None and g in keys]

    def generations(self) -> tuple[int, int | None]:
        keyfile = KeyFile.load(self.keys_path)
        return keyfile.generation, keyfile.pending
