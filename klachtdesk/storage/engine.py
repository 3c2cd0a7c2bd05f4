"""The SQLCipher engine: opened with the raw key after unlock, never at import time."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, event
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlcipher import SQLiteDialect_pysqlcipher
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from klachtdesk.storage.errors import (
    DamagedDatabase,
    DatabaseBusy,
    DiskFull,
    DiskWriteFailed,
    KeyChanged,
    NotADatabase,
    ReadOnlyDatabase,
)
from klachtdesk.storage.keyring import Keyring
from klachtdesk.storage.keyslots import make_private
from klachtdesk.storage.models import Base

BUSY_TIMEOUT_S = 30.0
SIGNER = "klachtdesk_signer"  # Session.info: the private key that signs this session's entries
CACHE_KIB = 131_072  # at most 128 MiB: page decryption makes cold scans expensive
MIN_CACHE_KIB = 16_384  # a small or new database still gets 16 MiB


def cache_kib(path: Path) -> int:
    """The page cache for this file: half its size, between 16 and 128 MiB (a small office's
    database does not reserve the memory a 100,000-case archive needs)."""
    try:
        size_kib = Path(path).stat().st_size // 1024
    except OSError:
        return MIN_CACHE_KIB
    return max(MIN_CACHE_KIB, min(CACHE_KIB, size_kib // 2))


SQLITE_MAGIC = b"SQLite format 3\x00"


class KeyedSQLCipherDialect(SQLiteDialect_pysqlcipher):
    """The pysqlcipher dialect without its URL passphrase: our creator sets the raw key."""

    supports_statement_cache = True

    def on_connect_url(self, url):
        return super(SQLiteDialect_pysqlcipher, self).on_connect_url(url)


registry.register("sqlite.pysqlcipher", __name__, "KeyedSQLCipherDialect")


def _raw_connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.isolation_level = None  # SQLAlchemy's "begin" event below decides how to begin
    conn.execute("PRAGMA cipher_log_level = NONE")  # our own Dutch messages explain failures
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{cache_kib(path)}")
    conn.execute("PRAGMA temp_store = MEMORY")  # no temporary files on disk at all
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def probe(path: Path, key: bytes) -> None:
    """Check that ``path`` opens with ``key``; raise a Dutch error explaining why not."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        raise NotADatabase(path, "het is een onversleuteld SQLite-bestand")
    try:
        conn = _raw_connect(path, key)
    except sqlcipher3.DatabaseError as exc:
        raise NotADatabase(path) from exc
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if mode.lower() != "delete":
            raise DamagedDatabase(path, f"onverwachte journaalmodus {mode}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        raise NotADatabase(path) from exc
    finally:
        conn.close()


def translate_error(exc: BaseException, path: Path) -> Exception | None:
    """A Dutch error for a low-level database failure, or None if it is not one we know."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    if isinstance(orig, OSError) and orig.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull()
    if isinstance(orig, OSError) and orig.errno in (errno.EFBIG, errno.EIO, errno.EROFS):
        return DiskWriteFailed()
    if "database or disk is full" in text:
        return DiskFull()
    if "disk i/o error" in text or "readonly database" in text:
        return DiskWriteFailed()
    if "database is locked" in text or "database is busy" in text:
        return DatabaseBusy()
    if "malformed" in text or "not a database" in text:
        return DamagedDatabase(path)
    return None


def opens_with(path: Path, key: bytes) -> bool:
    """Does ``key`` decrypt ``path`` (a quick look at the schema, nothing written)?"""
    try:
        conn = _raw_connect(path, key)
    except sqlcipher3.DatabaseError:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()
    return True


@dataclass(frozen=True)
class StoredAccount:
    """A user's row as stored, and the audit entries that carry grants (for the signed
    roles; see services/safety/signatures.py). ``grant_rows``: column name -> value."""

    roles: str
    active: bool
    grant_rows: list[dict]


_GRANT_COLUMNS = (
    "id, at, username, action, object_ref, detail, prev_hash, hash, signer, signature, grants"
)


def read_account(path: Path, key: bytes, username: str) -> StoredAccount | None:
    """``username``'s stored roles and active flag in the database at ``path``, with the
    entries that grant rights; None when it has no such account.

    Read through a connection that can only read: a hot journal is not rolled back and
    nothing is written (for a database that a restore is about to move aside untouched).
    Raises NotADatabase when the file cannot be read with ``key`` (damaged, not ours, a
    journal that needs recovery).
    """
    uri = Path(path).absolute().as_uri() + "?mode=ro"
    try:
        conn = sqlcipher3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    except sqlcipher3.Error as exc:
        raise NotADatabase(path) from exc
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA query_only = ON")
        row = conn.execute(
            "SELECT roles, active FROM users WHERE username = ?", (username,)
        ).fetchone()
        columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
        grant_rows = []
        if "grants" in columns:  # a database from before signed grants has none
            cursor = conn.execute(
                f"SELECT {_GRANT_COLUMNS} FROM audit_log WHERE grants != '' ORDER BY id"
            )
            names = [d[0] for d in cursor.description]
            grant_rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    except sqlcipher3.Error as exc:
        raise NotADatabase(path) from exc
    finally:
        conn.close()
    if row is None:
        return None
    return StoredAccount(str(row[0] or ""), bool(row[1]), grant_rows)


class Transactions:
    """Short transactions on a KlachtDesk database, the same on a file (``Database``) and on
    a PostgreSQL server (storage/server.py): each store gives its engines and session
    makers, ``read_only``, ``translated_errors``, ``follow_key_file``, ``signing_key`` and
    ``_pin`` (its PinnedConnection)."""

    @contextlib.contextmanager
    def session(self, write: bool = False, wait: float | None = None) -> Iterator[Session]:
        """One short transaction: commit when the block ends, roll back on any error.

        ``wait``: at most this many seconds for a lock held elsewhere (default
        BUSY_TIMEOUT_S); then DatabaseBusy.
        """
        if write and self.read_only:
            raise ReadOnlyDatabase(self.read_only)
        self.follow_key_file()
        if wait is None:
            factory = self._write_sessions if write else self._read_sessions
        else:
            engine = self.engine.execution_options(klachtdesk_write=write, klachtdesk_wait=wait)
            factory = sessionmaker(engine, expire_on_commit=False)
        with self.translated_errors(), factory() as session, session.begin():
            session.info[SIGNER] = self.signing_key()
            yield session

    @contextlib.contextmanager
    def pinned(self) -> Iterator[PinnedConnection]:
        """One connection for several transactions in a row (read first, write after), so
        the writer can tell whether anyone else committed in between (``data_version``)."""
        self.follow_key_file()
        with self.translated_errors(), self.engine.connect() as conn:
            yield self._pin(conn)

    def _pin(self, conn: Connection) -> PinnedConnection:
        return PinnedConnection(self, conn)


class Database(Transactions):
    """An unlocked database: engines and sessions for one file and its raw key.

    With a ``keyring`` (a logged-in session) every transaction first looks whether the key
    file changed: after a re-key on another PC the session continues with the new key, and
    a session whose access was revoked ends with AccessRevoked.
    """

    is_server = False  # see storage/server.py for a database on a PostgreSQL server

    def __init__(self, path: Path, key: bytes | None, keyring: Keyring | None = None):
        self.path = Path(path)
        self._key = key  # None: a rehearsal (see ``rehearsal``)
        self.keyring = keyring
        self.read_only = ""  # why changes are refused in this session ("" = they are not)
        # who signs the audit entries of this session when there is no keyring (a new
        # database, the recovery code); see ``signing_key``
        self.signer: Ed25519PrivateKey | None = None
        self.engine: Engine = create_engine("sqlite+pysqlcipher://", creator=self._connect)
        event.listen(self.engine, "begin", self._begin)
        # Writers take the write lock at BEGIN, so read-then-write sequences (case numbers,
        # the audit chain) are serialised between processes and PCs.
        self.write_engine = self.engine.execution_options(klachtdesk_write=True)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

    @classmethod
    def rehearsal(cls) -> Database:
        """A Database without a file yet, for compiling statements before the password is
        known: its connections go to one empty in-memory database with the same tables.

        SQLAlchemy compiles each statement once per engine (a few ms each, some 40 for the
        main window's first screen); a rehearsal on this engine does that while the user
        types. ``open_file`` then points the same engine at the real file."""
        db = cls(Path(), None)
        with db.engine.begin() as conn:
            Base.metadata.create_all(conn)
        return db

    def open_file(self, path: Path, key: bytes) -> Database:
        """Connect to ``path`` with ``key`` from now on (a rehearsal becomes the real one;
        the statements it compiled are kept)."""
        self.engine.dispose()
        self.path, self._key = Path(path), key
        self.keyring, self.read_only, self.signer = None, "", None  # as a new Database
        return self

    def _connect(self) -> sqlcipher3.Connection:
        if self._key is None:
            # one shared in-memory database per rehearsal, for every connection of its pool
            conn = sqlcipher3.connect(
                f"file:klachtdesk-rehearsal-{id(self)}?mode=memory&cache=shared",
                uri=True,
                check_same_thread=False,
            )
            conn.isolation_level = None
            return conn
        return _raw_connect(self.path, self._key)

    @staticmethod
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        # How long to wait for a lock another PC holds: BUSY_TIMEOUT_S unless the session
        # asked for less (a login does not wait for someone else's long write).
        wait_ms = round(1000 * options.get("klachtdesk_wait", BUSY_TIMEOUT_S))
        info = conn.connection.info
        if info.get("busy_timeout_ms") != wait_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
            info["busy_timeout_ms"] = wait_ms
        write = options.get("klachtdesk_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @contextlib.contextmanager
    def translated_errors(self) -> Iterator[None]:
        """Low-level database failures become the Dutch errors of storage.errors."""
        try:
            yield
        except (DBAPIError, sqlite3.Error, sqlcipher3.Error, OSError) as exc:
            translated = translate_error(exc, self.path)
            if translated is None:
                raise
            if isinstance(translated, DamagedDatabase) and self._rekeyed_meanwhile():
                raise KeyChanged() from exc
            raise translated from exc

    def follow_key_file(self, force: bool = False) -> None:
        """Use the key the key file offers now (a re-key on another PC)."""
        if self.keyring is None:
            return
        candidates = self.keyring.candidates(force)
        if not candidates or self._key in candidates[-1:]:
            return
        for key in reversed(candidates):  # the pending generation first: it may be in use
            if key == self._key or opens_with(self.path, key):
                self.use_key(key)
                return

    def _rekeyed_meanwhile(self) -> bool:
        """Did the database get a new key while this transaction ran? (Then the failure is
        no damage: the next transaction uses the new key.)"""
        if self.keyring is None:
            return False
        before = self._key
        self.follow_key_file(force=True)
        return self._key != before

    def rekey_to(self, new_key: bytes) -> None:
        """Re-encrypt every page with ``new_key`` in one atomic step (SQLCipher's rekey runs
        in a transaction of its own: a crash leaves the old or the new key, never a mix)."""
        conn = _raw_connect(self.path, self._key)
        try:
            conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
        except (sqlite3.Error, sqlcipher3.Error, OSError) as exc:
            translated = translate_error(exc, self.path)
            if translated is None:
                raise
            raise translated from exc
        finally:
            conn.close()
        self.use_key(new_key)
        make_private(self.path)

    def use_key(self, key: bytes) -> None:
        """From now on open connections with ``key`` (the database was re-keyed)."""
        if key != self._key:
            self.engine.dispose()
            self._key = key

    def signing_key(self) -> Ed25519PrivateKey | None:
        """The private key the logged-in person signs audit entries with (their slot's)."""
        if self.keyring is not None and self.keyring.identity is not None:
            return self.keyring.identity.sign
        return self.signer

    @property
    def key(self) -> bytes:
        """The raw database key, for writing key slots (never logged, never in a URL)."""
        return self._key

    def raw_connection(self) -> sqlcipher3.Connection:
        """A DB-API connection outside SQLAlchemy (integrity check, online backup)."""
        return _raw_connect(self.path, self._key)

    def dispose(self) -> None:
        self.engine.dispose()


class PinnedConnection:
    """Transactions on one connection of a Database (see ``Database.pinned``)."""

    def __init__(self, db: Database, conn: Connection):
        self._db = db
        self._conn = conn

    @contextlib.contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A transaction as ``Database.session`` gives it, on this connection."""
        if write and self._db.read_only:
            raise ReadOnlyDatabase(self._db.read_only)
        self._conn.execution_options(klachtdesk_write=write)  # read by Database._begin
        with (
            self._db.translated_errors(),
            Session(self._conn, expire_on_commit=False) as session,
            session.begin(),
        ):
            session.connection()  # begin now: data_version() belongs to this transaction
            session.info[SIGNER] = self._db.signing_key()
            yield session

    def data_version(self) -> int:
        """SQLite's PRAGMA data_version, asked inside a ``session()``: it differs between two
        transactions of this connection exactly when another connection (process, PC)
        committed in between."""
        return self._conn.exec_driver_sql("PRAGMA data_version").scalar_one()
