"""Key slots: who may open the database, and with which secret.

The slots live in a small JSON file beside the database (``<database>.keys``). It holds no
readable personal data: user names are stored only as hashes with a salt of their own.

Format 2 (this module writes it; format 1 files are read and upgraded slot by slot):

* Every user, and the recovery code, has an *identity*: an X25519 key pair (to receive the
  database key) and an Ed25519 key pair (to sign, see the audit log). The private keys are
  encrypted with a key derived from the password (Argon2id, parameters stored per slot).
* The database key itself is sealed to each slot's X25519 public key, per *generation*.
  Whoever holds the current database key can therefore give a new database key to every
  remaining slot without knowing their passwords, and leave one out: revoking a user is
  re-encrypting the database with a new key that their slot never receives (``begin_rekey``,
  ``finish_rekey``). An old copy of this file and an old password then open only old copies
  of the database.
* A slot's public keys carry a seal (HMAC) made with the current database key, so someone who
  can write the file but has no valid key cannot slip in a public key of their own to receive
  the next database key.

Format 1 slots wrapped the database key with the password directly; they still open the
database and are rewritten as format 2 at the user's next login. They cannot receive a new
database key, so a re-key drops them (the beheerder is told which users need a new password).

Failed logins wait in a small file of their own (``<database>.keys.attempts``): while the
database is locked nothing can be written into its audit log, so the attempts wait there
until the next successful login moves them in. They are kept apart from the key slots on
purpose: the key file is only written under the database's write lock, and a failed login
(which has no lock) must never be able to overwrite a slot another PC just changed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from klachtdesk.storage.errors import KeyFileMissing, KeyFileTampered, NotADatabase, WrongPassword

KEY_BYTES = 32
FORMAT = "klachtdesk-keys"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
# Argon2id for new slots: RFC 9106's second recommended setting (64 MiB, 3 passes, 4 lanes),
# about 0.13 s on the 2-core benchmark machine, and well above OWASP's minimum; the first
# (2 GiB) is more than a 4 GiB office laptop can spare beside KlachtDesk's own 200 MiB.
# Stored per slot, so a slot made with other values (earlier versions used 256 MiB) keeps
# working, and a weaker one is strengthened at its next login.
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4
# Format 1 slots used scrypt; read only (kept as names tests and old files refer to).
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
# What a key file may ask of this PC. A slot outside these bounds is damage, not a reason to
# spend minutes or gigabytes deriving a key.
ARGON2_BOUNDS = {"memory_kib": (1024, 1024 * 1024), "iterations": (1, 16), "lanes": (1, 16)}
SCRYPT_BOUNDS = {"n": (2**10, 2**20), "r": (1, 16), "p": (1, 4)}
MAX_KEY_FILE_BYTES = 1024 * 1024
MAX_SLOTS = 500
RECOVERY_SLOT = "recovery"
MAX_FAILED_LOGINS = 200  # the newest attempts are kept; older ones are dropped
_B32_FORGIVING = str.maketrans({"0": "O", "1": "I", "8": "B"})
OWNER_ONLY = 0o600


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


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# -- key derivation ---------------------------------------------------------------------------
def _bounded(params: dict, bounds: dict) -> dict:
    result = {}
    for name, (low, high) in bounds.items():
        value = params[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"{name} out of bounds")
        result[name] = value
    return result


@dataclass(frozen=True)
class Kdf:
    """How a password becomes the key that opens a slot: the algorithm, its salt, its cost."""

    name: str  # "argon2id" or "scrypt" (format 1)
    salt: bytes
    params: dict

    @classmethod
    def new(cls) -> Kdf:
        params = {
            "memory_kib": ARGON2_MEMORY_KIB,
            "iterations": ARGON2_ITERATIONS,
            "lanes": ARGON2_LANES,
        }
        return cls("argon2id", secrets.token_bytes(16), params)

    @classmethod
    def from_dict(cls, data: dict) -> Kdf:
        name = data["name"]
        if name == "argon2id":
            params = _bounded(data, ARGON2_BOUNDS)
        elif name == "scrypt":
            params = _bounded(data, SCRYPT_BOUNDS)
            if params["n"] & (params["n"] - 1):
                raise ValueError("n is not a power of two")
        else:
            raise ValueError("unknown key derivation")
        salt = _unb64(data["salt"])
        if not 8 <= len(salt) <= 64:
            raise ValueError("bad salt")
        return cls(name, salt, params)

    def to_dict(self) -> dict:
        return {"name": self.name, "salt": _b64(self.salt), **self.params}

    def derive(self, secret: str) -> bytes:
        data = secret.encode("utf-8")
        if self.name == "argon2id":
            return Argon2id(
                salt=self.salt,
                length=32,
                iterations=self.params["iterations"],
                lanes=self.params["lanes"],
                memory_cost=self.params["memory_kib"],
            ).derive(data)
        p = self.params
        return hashlib.scrypt(
            data, salt=self.salt, n=p["n"], r=p["r"], p=p["p"], maxmem=256 * 1024 * 1024, dklen=32
        )

    @property
    def weaker_than_today(self) -> bool:
        """Should the slot be rewrapped with today's cost at the next successful login?"""
        if self.name != "argon2id":
            return True
        p = self.params
        return (p["memory_kib"], p["iterations"]) < (ARGON2_MEMORY_KIB, ARGON2_ITERATIONS)


def _derive(secret: str, kdf: Kdf) -> bytes:
    return kdf.derive(secret)


# -- identities -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    """The private keys of one slot, known only after its password or code was typed."""

    box: X25519PrivateKey
    sign: Ed25519PrivateKey

    @classmethod
    def new(cls) -> Identity:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, raw: bytes) -> Identity:
        if len(raw) != 64:
            raise ValueError("bad identity")
        return cls(
            X25519PrivateKey.from_private_bytes(raw[:32]),
            Ed25519PrivateKey.from_private_bytes(raw[32:]),
        )

    def to_bytes(self) -> bytes:
        return self.box.private_bytes_raw() + self.sign.private_bytes_raw()

    @property
    def box_public(self) -> bytes:
        return self.box.public_key().public_bytes_raw()

    @property
    def sign_public(self) -> bytes:
        return self.sign.public_key().public_bytes_raw()


def _seal(data_key: bytes, recipient: bytes, aad: bytes) -> bytes:
    """Encrypt ``data_key`` so that only the holder of ``recipient``'s private key reads it."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    key = HKDF(hashes.SHA256(), 32, None, b"klachtdesk-seal" + ephemeral_public + recipient).derive(
        shared
    )
    nonce = secrets.token_bytes(12)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, data_key, aad)


def _unseal(sealed: bytes, identity: Identity, aad: bytes) -> bytes:
    ephemeral_public, nonce, body = sealed[:32], sealed[32:44], sealed[44:]
    shared = identity.box.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = HKDF(
        hashes.SHA256(), 32, None, b"klachtdesk-seal" + ephemeral_public + identity.box_public
    ).derive(shared)
    return AESGCM(key).decrypt(nonce, body, aad)


# -- slots ------------------------------------------------------------------------------------
@dataclass
class Slot:
    """A format 2 slot: the identity wrapped by a password, the database key per generation."""

    lookup: str
    name_salt: str
    kdf: Kdf
    nonce: str
    secret: str  # the identity's private keys, encrypted with the password-derived key
    box_public: str
    sign_public: str
    seal: str  # HMAC of the public keys with the current database key
    keys: dict[str, str] = field(default_factory=dict)  # generation -> sealed database key

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kdf"] = self.kdf.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Slot:
        keys = data.get("keys", {})
        if not isinstance(keys, dict) or len(keys) > 4:
            raise ValueError("bad keys")
        for generation, sealed in keys.items():
            int(generation)
            _unb64(sealed)
        slot = cls(
            lookup=str(data["lookup"]),
            name_salt=str(data["name_salt"]),
            kdf=Kdf.from_dict(data["kdf"]),
            nonce=str(data["nonce"]),
            secret=str(data["secret"]),
            box_public=str(data["box_public"]),
            sign_public=str(data["sign_public"]),
            seal=str(data["seal"]),
            keys={str(g): str(s) for g, s in keys.items()},
        )
        for value in (slot.name_salt, slot.nonce, slot.secret, slot.box_public, slot.sign_public):
            _unb64(value)
        return slot


@dataclass
class LegacySlot:
    """A format 1 slot: the database key wrapped directly by the password (scrypt)."""

    lookup: str
    salt: str
    nonce: str
    wrapped: str
    n: int
    r: int
    p: int

    @property
    def kdf(self) -> Kdf:
        return Kdf.from_dict(
            {"name": "scrypt", "salt": self.salt, "n": self.n, "r": self.r, "p": self.p}
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LegacySlot:
        slot = cls(
            lookup=str(data["lookup"]),
            salt=str(data["salt"]),
            nonce=str(data["nonce"]),
            wrapped=str(data["wrapped"]),
            n=data["n"],
            r=data["r"],
            p=data["p"],
        )
        slot.kdf  # noqa: B018 - validates the cost parameters
        _unb64(slot.nonce)
        _unb64(slot.wrapped)
        return slot


@dataclass(frozen=True)
class Opened:
    """A slot opened with its password or code: what the session needs from it."""

    lookup: str
    identity: Identity | None  # None for a format 1 slot
    keys: dict[int, bytes]  # the database key per generation this slot could read
    upgrade: bool  # format 1 or a weaker key derivation than today's: rewrap at login


class KeyFile:
    """The key slots of one database."""

    def __init__(
        self,
        file_id: str,
        slots: dict[str, Slot | LegacySlot],
        generation: int = 1,
        pending: int | None = None,
        root: str = "",
    ):
        self.file_id = file_id
        self.slots = slots
        self.generation = generation  # the key generation the database is encrypted with
        self.pending = pending  # a re-key in progress: the database may already use this one
        # the first beheerder's public signing key: every grant of rights traces back to it
        # (also kept by every PC and back-up as a witness; see services/safety/signatures.py)
        self.root = root

    @classmethod
    def new(cls) -> KeyFile:
        return cls(secrets.token_hex(16), {})

    # -- persistence ----------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_KEY_FILE_BYTES + 1)
        except FileNotFoundError:
            raise KeyFileMissing(path) from None
        try:
            if len(raw) > MAX_KEY_FILE_BYTES:
                raise ValueError("too large")
            data = json.loads(raw)
            if data.get("format") != FORMAT or data.get("version") not in READABLE_VERSIONS:
                raise ValueError("unknown format")
            if not isinstance(data["slots"], list) or len(data["slots"]) > MAX_SLOTS:
                raise ValueError("bad slots")
            slots: dict[str, Slot | LegacySlot] = {}
            for item in data["slots"]:
                slot = LegacySlot.from_dict(item) if "wrapped" in item else Slot.from_dict(item)
                slots[slot.lookup] = slot
            file_id = str(data["file_id"])
            generation = int(data.get("generation", 1))
            pending = data.get("pending")
            pending = None if pending is None else int(pending)
            root = str(data.get("root", ""))
            if len(root) > 64:
                raise ValueError("bad root")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise NotADatabase(path, "het sleutelbestand is onleesbaar of beschadigd") from None
        return cls(file_id, slots, generation, pending, root)

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "file_id": self.file_id,
            "generation": self.generation,
            "pending": self.pending,
            "root": self.root,
            "slots": [s.to_dict() for s in self.slots.values()],
        }
        return json.dumps(data, indent=1).encode("ascii")

    def save(self, path: Path) -> None:
        """Write atomically and readable by the owner only: a crash leaves either the old or
        the new file, never half."""
        write_private(path, self.to_bytes())

    # -- finding a slot ----------------------------------------------------------------
    def _legacy_lookup(self, name: str) -> str:
        return hashlib.sha256(f"{self.file_id}:{name.strip().lower()}".encode()).hexdigest()

    def _salted_lookup(self, salt: str, name: str) -> str:
        data = _unb64(salt) + f"{self.file_id}:{name.strip().lower()}".encode()
        return hashlib.sha256(data).hexdigest()

    def _find(self, name: str) -> str | None:
        legacy = self._legacy_lookup(name)
        for lookup, slot in self.slots.items():
            if isinstance(slot, LegacySlot):
                if lookup == legacy:
                    return lookup
            elif hmac.compare_digest(lookup, self._salted_lookup(slot.name_salt, name)):
                return lookup
        return None

    def has_user(self, username: str) -> bool:
        return self._find("user:" + username) is not None

    def user_lookup(self, username: str) -> str:
        """The hash that stands for a user name in this file (never the name itself); empty
        when the name has no slot."""
        return self._find("user:" + username) or ""

    def legacy_lookup_of(self, username: str) -> str:
        """What a format 1 slot of ``username`` is called (to name dropped slots)."""
        return self._legacy_lookup("user:" + username)

    def recovery_is_legacy(self) -> bool:
        lookup = self._find(RECOVERY_SLOT)
        return lookup is not None and isinstance(self.slots[lookup], LegacySlot)

    def sign_key_of(self, username: str) -> str:
        """The public signing key (base64) of ``username``'s slot; "" for none or format 1."""
        slot = self.slots.get(self.user_lookup(username)) if self.has_user(username) else None
        return slot.sign_public if isinstance(slot, Slot) else ""

    def recovery_sign_key(self) -> str:
        """The public signing key of the recovery code's slot ("" for a format 1 slot)."""
        lookup = self._find(RECOVERY_SLOT)
        slot = self.slots.get(lookup) if lookup else None
        return slot.sign_public if isinstance(slot, Slot) else ""

    def remove_user(self, username: str) -> None:
        lookup = self._find("user:" + username)
        if lookup is not None:
            del self.slots[lookup]

    # -- the seal on public keys --------------------------------------------------------
    def _seal_of(self, slot: Slot, data_key: bytes) -> str:
        message = f"{self.file_id}:{slot.lookup}:{slot.box_public}:{slot.sign_public}".encode()
        return _b64(hmac.new(data_key, message, hashlib.sha256).digest())

    def sealed_by(self, slot: Slot, data_key: bytes) -> bool:
        return hmac.compare_digest(slot.seal, self._seal_of(slot, data_key))

    # -- making slots ----------------------------------------------------------------
    def _aad(self, lookup: str, what: str) -> bytes:
        return f"{self.file_id}:{lookup}:{what}".encode()

    def _make_slot(
        self, name: str, secret: str, data_key: bytes, identity: Identity | None = None
    ) -> Identity:
        """A fresh format 2 slot for ``name`` (replacing any slot of that name)."""
        if self.pending is not None:
            raise NotADatabase(
                "sleutelbestand", "een eerdere sleutelwissel is niet afgemaakt; meld u opnieuw aan"
            )
        old = self._find(name)
        previous = self.slots.pop(old) if old is not None else None
        name_salt = _b64(secrets.token_bytes(16))
        if (
            identity is not None
            and isinstance(previous, Slot)
            and _unb64(previous.box_public) == identity.box_public
        ):
            name_salt = previous.name_salt  # the same identity keeps its place (sessions follow)
        identity = identity or Identity.new()
        lookup = self._salted_lookup(name_salt, name)
        kdf = Kdf.new()
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(kdf.derive(secret)).encrypt(
            nonce, identity.to_bytes(), self._aad(lookup, "identity")
        )
        slot = Slot(
            lookup=lookup,
            name_salt=name_salt,
            kdf=kdf,
            nonce=_b64(nonce),
            secret=_b64(wrapped),
            box_public=_b64(identity.box_public),
            sign_public=_b64(identity.sign_public),
            seal="",
        )
        slot.seal = self._seal_of(slot, data_key)
        generation = str(self.generation)
        slot.keys[generation] = _b64(
            _seal(data_key, identity.box_public, self._aad(lookup, generation))
        )
        self.slots[lookup] = slot
        return identity

    def set_user(
        self, username: str, password: str, key: bytes, identity: Identity | None = None
    ) -> Identity:
        """Give ``username`` a slot opened by ``password`` (a new identity unless given)."""
        return self._make_slot("user:" + username, password, key, identity)

    def set_recovery(self, key: bytes) -> str:
        """Make a new recovery code (the old one stops working) and return it."""
        code = new_recovery_code()
        self._make_slot(RECOVERY_SLOT, normalise_recovery_code(code), key)
        return code

    # -- opening slots ----------------------------------------------------------------
    def _open(self, name: str, secret: str) -> Opened:
        lookup = self._find(name)
        slot = self.slots.get(lookup) if lookup else None
        if slot is None:
            # Spend the same effort as a real attempt so timing does not reveal user names.
            _derive(secret, Kdf.new())
            raise WrongPassword()
        try:
            kek = _derive(secret, slot.kdf)
            if isinstance(slot, LegacySlot):
                key = AESGCM(kek).decrypt(
                    _unb64(slot.nonce), _unb64(slot.wrapped), f"{self.file_id}:{lookup}".encode()
                )
                return Opened(lookup, None, {self.generation: key}, upgrade=True)
            identity = Identity.from_bytes(
                AESGCM(kek).decrypt(
                    _unb64(slot.nonce), _unb64(slot.secret), self._aad(lookup, "identity")
                )
            )
        except InvalidTag:
            raise WrongPassword() from None
        keys = self._unseal_keys(slot, lookup, identity)
        return Opened(lookup, identity, keys, upgrade=slot.kdf.weaker_than_today)

    def open_user(self, username: str, password: str) -> Opened:
        return self._open("user:" + username, password)

    def open_recovery(self, code: str) -> Opened:
        try:
            return self._open(RECOVERY_SLOT, normalise_recovery_code(code))
        except WrongPassword:
            raise WrongPassword(
                "De herstelcode klopt niet. Controleer de code op het geprinte herstelblad "
                "(de streepjes mag u weglaten)."
            ) from None

    def unlock(self, username: str, password: str) -> bytes:
        """The database key of the current generation for this user's password."""
        return self._current(self.open_user(username, password))

    def unlock_recovery(self, code: str) -> bytes:
        return self._current(self.open_recovery(code))

    def _current(self, opened: Opened) -> bytes:
        key = opened.keys.get(self.generation)
        if key is None:
            raise WrongPassword()
        return key

    def rewrap(
        self, username: str, password: str, opened: Opened, data_key: bytes
    ) -> tuple[str, Identity]:
        """Strengthen a slot after a successful login: today's key derivation, format 2
        (a format 1 slot gets its identity now). Returns the slot's lookup and identity."""
        identity = self._make_slot("user:" + username, password, data_key, opened.identity)
        return self.user_lookup(username), identity

    # -- re-keying ----------------------------------------------------------------------
    def keys_for(self, lookup: str, identity: Identity) -> dict[int, bytes]:
        """The database keys a session with ``identity`` can read now (after a re-key on
        another PC); empty when the slot is gone (the account was revoked)."""
        slot = self.slots.get(lookup)
        if not isinstance(slot, Slot) or _unb64(slot.box_public) != identity.box_public:
            return {}
        return self._unseal_keys(slot, lookup, identity)

    def _unseal_keys(self, slot: Slot, lookup: str, identity: Identity) -> dict[int, bytes]:
        """The database key per generation sealed to ``identity`` in ``slot``."""
        keys = {}
        for generation, sealed in slot.keys.items():
            try:
                keys[int(generation)] = _unseal(
                    _unb64(sealed), identity, self._aad(lookup, generation)
                )
            except (InvalidTag, ValueError):
                continue  # a damaged entry: the other generation may still open
        return keys

    def begin_rekey(self, path: Path, current_key: bytes, new_key: bytes) -> list[str]:
        """Seal ``new_key`` as the next generation for every format 2 slot whose public keys
        carry the current key's seal; drop format 1 slots (they cannot receive a key).
        Returns the lookups dropped. Refuses a slot with a forged public key."""
        if self.pending is not None:
            raise NotADatabase(path, "een eerdere sleutelwissel is niet afgemaakt")
        generation = self.generation + 1
        dropped = []
        for lookup, slot in list(self.slots.items()):
            if isinstance(slot, LegacySlot):
                del self.slots[lookup]
                dropped.append(lookup)
                continue
            if not self.sealed_by(slot, current_key):
                raise KeyFileTampered(path)
            slot.keys[str(generation)] = _b64(
                _seal(new_key, _unb64(slot.box_public), self._aad(lookup, str(generation)))
            )
        self.pending = generation
        return dropped

    def abort_rekey(self) -> None:
        """The database still uses the current generation: forget the pending one."""
        if self.pending is None:
            return
        for slot in self.slots.values():
            if isinstance(slot, Slot):
                slot.keys.pop(str(self.pending), None)
        self.pending = None

    def finish_rekey(self, new_key: bytes) -> None:
        """The database now uses the pending generation: forget every older key."""
        if self.pending is None:
            return
        self.generation, self.pending = self.pending, None
        for slot in self.slots.values():
            if isinstance(slot, Slot):
                slot.keys = {g: s for g, s in slot.keys.items() if int(g) == self.generation}
                slot.seal = self._seal_of(slot, new_key)


def write_private(path: Path, data: bytes) -> None:
    """Write ``path`` atomically (a crash leaves the old or the new file), owner-only."""
    fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def open_private(path: Path) -> BinaryIO:
    """Create ``path`` (it must not exist) for writing, owner-only on POSIX from the first
    byte on, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        if os.name == "posix":
            os.fchmod(fd, OWNER_ONLY)
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def make_private_folder(path: Path) -> None:
    """Owner-only (700) on POSIX, whatever the umask (Windows keeps the folder's rules)."""
    if os.name == "posix":
        os.chmod(path, stat.S_IRWXU)


def make_private(path: Path) -> None:
    """Owner-only on POSIX (Windows keeps the folder's access rules)."""
    if os.name == "posix" and path.exists():
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


# -- failed logins ------------------------------------------------------------------------
def attempts_path(keys_path: Path) -> Path:
    return Path(str(keys_path) + ".attempts")


@dataclass(frozen=True)
class FailedLogin:
    """One failed login while the database was locked; ``who`` is the hash of the typed name."""

    id: str
    at: str  # ISO date and time of the attempt
    who: str


def load_failed_logins(keys_path: Path) -> list[FailedLogin]:
    """The attempts waiting for the audit log; a missing or damaged file counts as none."""
    return _read_attempts(keys_path)[1]


def attempts_counter(keys_path: Path) -> int | None:
    """How many attempts were ever noted in the attempts file (None: no file). The counter
    only grows; a lower one than a PC saw before means the file was deleted or replaced."""
    return _read_attempts(keys_path)[0]


def _read_attempts(keys_path: Path) -> tuple[int | None, list[FailedLogin]]:
    try:
        with attempts_path(keys_path).open("rb") as handle:
            raw = json.loads(handle.read(MAX_KEY_FILE_BYTES))
    except (OSError, ValueError):
        return None, []
    if isinstance(raw, list):  # the first version of this file: a bare list
        return len(raw), _failed_logins(raw)
    if not isinstance(raw, dict):
        return None, []
    counter = raw.get("counter")
    counter = counter if isinstance(counter, int) and not isinstance(counter, bool) else 0
    return counter, _failed_logins(raw.get("attempts"))


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


def _save_failed_logins(keys_path: Path, attempts: list[FailedLogin], counter: int) -> None:
    data = {"counter": counter, "attempts": [asdict(a) for a in attempts]}
    write_private(attempts_path(keys_path), json.dumps(data, indent=1).encode("ascii"))


def record_failed_login(
    keys_path: Path, username: str, at: datetime, who: str | None = None
) -> FailedLogin:
    """Note one failed login beside the key file (which is only read here, never written);
    ``who`` is the slot's hash for a known user name, empty for an unknown one, or given
    (the recovery code's attempts).

    Raises OSError when the file cannot be written (for example a read-only share).
    """
    if who is None:
        who = KeyFile.load(keys_path).user_lookup(username)
    attempt = FailedLogin(secrets.token_hex(8), at.isoformat(timespec="seconds"), who)
    counter, attempts = _read_attempts(keys_path)
    attempts = [*attempts, attempt][-MAX_FAILED_LOGINS:]
    _save_failed_logins(keys_path, attempts, (counter or 0) + 1)
    return attempt


def forget_failed_logins(keys_path: Path, ids: set[str]) -> None:
    """Remove attempts that are now in the audit log (the counter stays)."""
    counter, attempts = _read_attempts(keys_path)
    kept = [a for a in attempts if a.id not in ids]
    if len(kept) != len(attempts):
        _save_failed_logins(keys_path, kept, counter or len(attempts))
