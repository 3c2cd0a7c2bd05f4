"""Online guessing is slowed down at every door: the login window, the command line, the
idle lock, the password dialogs and the recovery code all go through ``check`` first.

Three free tries, then a growing wait (2, 4, 8 … 60 seconds) after each further failure
within a quarter of an hour. The failures are counted from two places, so removing one does
not reset the count:

* the attempts file beside the database (``<database>.keys.attempts``), which every PC that
  uses the database sees (failures of known user names);
* this PC's own memory (``paths.login_state_file``): hashed names and times, never a name or
  a password.

That per-PC memory also remembers how many attempts the shared file had counted. A lower
count later means the file was deleted or replaced: the next login writes that into the audit
log (``aanmeldpogingen_verdwenen``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

from klachtdesk.paths import login_state_file
from klachtdesk.storage.errors import TooManyAttempts
from klachtdesk.storage.keyslots import (
    KeyFile,
    attempts_counter,
    load_failed_logins,
    write_private,
)

FREE_TRIES = 3
MAX_DELAY_S = 60
WINDOW = timedelta(minutes=15)
RECOVERY = "herstelcode"  # the name the recovery code's attempts are counted under
MAX_REMEMBERED = 50  # failures per name this PC remembers


def delay_after(failures: int) -> int:
    """Seconds to wait after this many failures in a row: 3 free, then 2, 4, 8 … 60."""
    extra = failures - FREE_TRIES
    return 0 if extra <= 0 else min(2**extra, MAX_DELAY_S)


def _name_key(keyfile: KeyFile, name: str) -> str:
    return hashlib.sha256(f"{keyfile.file_id}:{name.strip().lower()}".encode()).hexdigest()


def _load() -> dict:
    try:
        data = json.loads(login_state_file().read_bytes()[:1_000_000])
    except (OSError, ValueError):
        return {"pogingen": {}, "tellers": {}}
    if not isinstance(data, dict):
        return {"pogingen": {}, "tellers": {}}
    data.setdefault("pogingen", {})
    data.setdefault("tellers", {})
    return data


def _save(data: dict) -> None:
    """Best effort: a PC whose profile cannot be written still lets people log in."""
    path = login_state_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(data).encode("ascii"))
    except OSError as error:
        from klachtdesk.support import log_unexpected

        log_unexpected(error)


def _recent(times, now: datetime) -> list[datetime]:
    result = []
    for text in times if isinstance(times, list) else []:
        try:
            moment = datetime.fromisoformat(str(text))
        except ValueError:
            continue
        if now - WINDOW <= moment <= now + timedelta(minutes=5):
            result.append(moment)
    return result


def wait_seconds(keys_path: Path, keyfile: KeyFile, name: str, now: datetime) -> int:
    """How long the next try of ``name`` must wait (0: now)."""
    own = _recent(_load()["pogingen"].get(_name_key(keyfile, name)), now)
    lookup = keyfile.user_lookup(name.removeprefix("user:")) if name.startswith("user:") else ""
    who = lookup or (RECOVERY if name == RECOVERY else "")
    shared = []
    if who:
        shared = _recent([a.at for a in load_failed_logins(keys_path) if a.who == who], now)
    failures = max(own, shared, key=len)
    if not failures:
        return 0
    allowed = max(failures) + timedelta(seconds=delay_after(len(failures)))
    return max(0, int((allowed - now).total_seconds() + 0.999))


def check(keys_path: Path, keyfile: KeyFile, name: str, now: datetime) -> None:
    """Refuse the try (no key derivation, nothing written) while ``name`` must wait."""
    seconds = wait_seconds(keys_path, keyfile, name, now)
    if seconds:
        raise TooManyAttempts(seconds)


def failed(keys_path: Path, keyfile: KeyFile, name: str, now: datetime) -> int:
    """Remember a failure on this PC; returns how long the next try must wait."""
    data = _load()
    key = _name_key(keyfile, name)
    times = [t.isoformat(timespec="seconds") for t in _recent(data["pogingen"].get(key), now)]
    data["pogingen"][key] = [*times, now.isoformat(timespec="seconds")][-MAX_REMEMBERED:]
    counter = attempts_counter(keys_path)
    if counter is not None:
        data["tellers"][keyfile.file_id] = max(counter, data["tellers"].get(keyfile.file_id, 0))
    _save(data)
    return wait_seconds(keys_path, keyfile, name, now)


def succeeded(keyfile: KeyFile, name: str) -> None:
    data = _load()
    if data["pogingen"].pop(_name_key(keyfile, name), None) is not None:
        _save(data)


def attempts_file_vanished(keys_path: Path, keyfile: KeyFile) -> bool:
    """Did the shared attempts file lose attempts this PC saw counted (deleted, replaced)?
    Remembers the count it sees now."""
    data = _load()
    seen = data["tellers"].get(keyfile.file_id, 0)
    now = attempts_counter(keys_path) or 0
    if now == seen:
        return False
    data["tellers"][keyfile.file_id] = now
    _save(data)
    return now < seen
