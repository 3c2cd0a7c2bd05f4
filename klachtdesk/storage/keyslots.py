"""Key slots: each user's password (and the recovery code) wraps the one random database key.

The slots live in a small JSON file beside the database (``<database>.keys``). It holds no
readable personal data: user names are stored only as salted hashes. Changing a password
rewraps one slot; the database itself is never re-encrypted.

Failed logins wait in a small file of their own (``<database>.keys.attempts``): while the
database is locked nothing can be written into its audit log, so the attempts wait there
until the next successful login moves them in. They are kept apart from the key slots on
purpose: the key file is only written under the database's write lock, and a failed login
(which has no lock) must never be able to overwrite a slot another PC just changed. An
attempt records the time and, only if the typed name is a known user, that user's hash; a
password typed into the name field leaves no trace.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from klachtdesk.storage.errors import KeyFileMissing, NotADatabase, WrongPassword

KEY_BYTES = 32
FORMAT = "klachtdesk-keys"
FORMAT_VERSION = 1
# scrypt cost: ~0.1 s and 32 MiB on a modest PC; stored per slot so it can grow later.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
RECOVERY_SLOT = "recovery"
MAX_FAILED_LOGINS = 200  # the newest attempts are kept; older ones are dropped
_B32_FORGIVING = str.maketrans({"0": "O", "1": "I", "8": "B"})


def key_file_path(database: Path) -> Path:
    return Path(str(database) + ".keys")


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_recovery_code() -> str:
    """A 160-bit code in eight groups of four letters/digits, easy to print and type."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum()).translate(_B32_FORGIVING)


def _derive(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


@dataclass(frozen=True)
class FailedLogin:
    """One failed login while the database was locked; ``who`` is the hash of the typed name."""

    id: str
    at: str  # ISO date and time of the attempt
    who: str


@dataclass
class Slot:
    lookup: str
    salt: str
    nonce: str
    wrapped: str
    n: int
    r: int
    p: int


class KeyFile:
    """The key slots of one database."""

    def __init__(self, file_id: str, slots: dict[str, Slot]):
        self.file_id = file_id
        self.slots = slots

    @classmethod
    def new(cls) -> KeyFile:
        return cls(secrets.token_hex(16), {})

    # -- persistence ----------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileMissing(path) from None
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
                raise ValueError("unknown format")
            slots = {s["lookup"]: Slot(**s) for s in data["slots"]}
            file_id = str(data["file_id"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise NotADatabase(path, "het sleutelbestand is onleesbaar") from None
        return cls(file_id, slots)

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "file_id": self.file_id,
            "slots": [asdict(s) for s in self.slots.values()],
        }
        return json.dumps(data, indent=1).encode("ascii")

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves either the old or the new file, never half."""
        _write_atomically(path, self.to_bytes())

    # -- slots ----------------------------------------------------------------------
    def _lookup(self, name: str) -> str:
        return hashlib.sha256(f"{self.file_id}:{name.strip().lower()}".encode()).hexdigest()

    def _wrap(self, lookup: str, secret: str, key: bytes) -> Slot:
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = _derive(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        wrapped = AESGCM(kek).encrypt(nonce, key, f"{self.file_id}:{lookup}".encode())
        enc = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
        return Slot(lookup, enc(salt), enc(nonce), enc(wrapped), SCRYPT_N, SCRYPT_R, SCRYPT_P)

    def _unwrap(self, lookup: str, secret: str) -> bytes:
        slot = self.slots.get(lookup)
        if slot is None:
            # Spend the same effort as a real attempt so timing does not reveal user names.
            _derive(secret, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
            raise WrongPassword()
        dec = base64.b64decode
        kek = _derive(secret, dec(slot.salt), slot.n, slot.r, slot.p)
        try:
            return AESGCM(kek).decrypt(
                dec(slot.nonce), dec(slot.wrapped), f"{self.file_id}:{lookup}".encode()
            )
        except InvalidTag:
            raise WrongPassword() from None

    def set_user(self, username: str, password: str, key: bytes) -> None:
        lookup = self._lookup("user:" + username)
        self.slots[lookup] = self._wrap(lookup, password, key)

    def has_user(self, username: str) -> bool:
        return self._lookup("user:" + username) in self.slots

    def remove_user(self, username: str) -> None:
        self.slots.pop(self._lookup("user:" + username), None)

    def unlock(self, username: str, password: str) -> bytes:
        return self._unwrap(self._lookup("user:" + username), password)

    def user_lookup(self, username: str) -> str:
        """The hash that stands for a user name in this file (never the name itself)."""
        return self._lookup("user:" + username)

    def set_recovery(self, key: bytes) -> str:
        """Make a new recovery code (the old one stops working) and return it."""
        code = new_recovery_code()
        lookup = self._lookup(RECOVERY_SLOT)
        self.slots[lookup] = self._wrap(lookup, normalise_recovery_code(code), key)
        return code

    def unlock_recovery(self, code: str) -> bytes:
        try:
            return self._unwrap(self._lookup(RECOVERY_SLOT), normalise_recovery_code(code))
        except WrongPassword:
            raise WrongPassword(
                "De herstelcode klopt niet. Controleer de code op het geprinte herstelblad "
                "(de streepjes mag u weglaten)."
            ) from None


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- failed logins ------------------------------------------------------------------------
def attempts_path(keys_path: Path) -> Path:
    return Path(str(keys_path) + ".attempts")


def load_failed_logins(keys_path: Path) -> list[FailedLogin]:
    """The attempts waiting for the audit log; a missing or damaged file counts as none."""
    try:
        raw = json.loads(attempts_path(keys_path).read_bytes())
    except (OSError, ValueError):
        return []
    return _failed_logins(raw)


def _failed_logins(raw) -> list[FailedLogin]:
    """The stored attempts; a damaged list is dropped rather than blocking every login."""
    if not isinstance(raw, list):
        return []
    result = []
    for item in raw[-MAX_FAILED_LOGINS:]:
        try:
            attempt = FailedLogin(str(item["id"]), str(item["at"]), str(item["who"]))
            datetime.fromisoformat(attempt.at)
        except (KeyError, TypeError, ValueError):
            continue
        result.append(attempt)
    return result


def _save_failed_logins(keys_path: Path, attempts: list[FailedLogin]) -> None:
    path = attempts_path(keys_path)
    if not attempts:
        path.unlink(missing_ok=True)
        return
    _write_atomically(path, json.dumps([asdict(a) for a in attempts], indent=1).encode("ascii"))


def record_failed_login(keys_path: Path, username: str, at: datetime) -> None:
    """Note one failed login beside the key file (which is only read here, never written).

    Raises OSError when the file cannot be written (for example a read-only share).
    """
    keyfile = KeyFile.load(keys_path)
    who = keyfile.user_lookup(username) if keyfile.has_user(username) else ""
    attempt = FailedLogin(secrets.token_hex(8), at.isoformat(timespec="seconds"), who)
    attempts = [*load_failed_logins(keys_path), attempt][-MAX_FAILED_LOGINS:]
    _save_failed_logins(keys_path, attempts)


def forget_failed_logins(keys_path: Path, ids: set[str]) -> None:
    """Remove attempts that are now in the audit log."""
    attempts = load_failed_logins(keys_path)
    kept = [a for a in attempts if a.id not in ids]
    if len(kept) != len(attempts):
        _save_failed_logins(keys_path, kept)
