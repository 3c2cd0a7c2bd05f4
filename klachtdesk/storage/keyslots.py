"""Key slots: each user's password (and the recovery code) wraps the one random database key.

The slots live in a small JSON file beside the database (``<database>.keys``). It holds no
readable personal data: user names are stored only as salted hashes. Changing a password
rewraps one slot; the database itself is never re-encrypted.

The file also keeps a short list of failed logins (time and the hash of the typed name):
while the database is locked nothing can be written into its audit log, so the attempts wait
here until the next successful login moves them there.
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

    def __init__(
        self,
        file_id: str,
        slots: dict[str, Slot],
        failed_logins: list[FailedLogin] | None = None,
    ):
        self.file_id = file_id
        self.slots = slots
        self.failed_logins: list[FailedLogin] = list(failed_logins or [])

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
        return cls(file_id, slots, _failed_logins(data.get("failed_logins")))

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "file_id": self.file_id,
            "slots": [asdict(s) for s in self.slots.values()],
            "failed_logins": [asdict(f) for f in self.failed_logins],
        }
        return json.dumps(data, indent=1).encode("ascii")

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves either the old or the new file, never half."""
        fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.to_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

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

    # -- failed logins ----------------------------------------------------------------
    def add_failed_login(self, username: str, at: datetime) -> FailedLogin:
        attempt = FailedLogin(
            secrets.token_hex(8), at.isoformat(timespec="seconds"), self.user_lookup(username)
        )
        self.failed_logins = [*self.failed_logins, attempt][-MAX_FAILED_LOGINS:]
        return attempt

    def remove_failed_logins(self, ids: set[str]) -> None:
        self.failed_logins = [f for f in self.failed_logins if f.id not in ids]

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


def record_failed_login(path: Path, username: str, at: datetime) -> None:
    """Add one attempt to the key file at ``path``.

    Read again just before writing, so a slot another PC wrote a moment ago is kept.
    Raises OSError when the file cannot be written (for example a read-only share).
    """
    keyfile = KeyFile.load(path)
    keyfile.add_failed_login(username, at)
    keyfile.save(path)


def forget_failed_logins(path: Path, ids: set[str]) -> None:
    """Remove attempts that are now in the audit log (again read just before writing)."""
    keyfile = KeyFile.load(path)
    before = len(keyfile.failed_logins)
    keyfile.remove_failed_logins(ids)
    if len(keyfile.failed_logins) != before:
        keyfile.save(path)
