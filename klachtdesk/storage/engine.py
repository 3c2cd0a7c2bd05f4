"""The SQLCipher engine: opened with the raw key after unlock, never at import time."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3
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
    NotADatabase,
)

BUSY_TIMEOUT_S = 30.0
CACHE_KIB = 131_072  # 128 MiB page cache: page decryption makes cold scans expensive
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
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
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


class Database:
    """An unlocked database: engines and sessions for one file and its raw key."""

    def __init__(self, path: Path, key: bytes):
        self.path = Path(path)
        self._key = key
        self.engine: Engine = create_engine(
            "sqlite+pysqlcipher://", creator=lambda: _raw_connect(self.path, self._key)
        )
        event.listen(self.engine, "begin", self._begin)
        # Writers take the write lock at BEGIN, so read-then-write sequences (case numbers,
        # the audit chain) are serialised between processes and PCs.
        self.write_engine = self.engine.execution_options(klachtdesk_write=True)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

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
            raise translated from exc

    @contextlib.contextmanager
    def session(self, write: bool = False, wait: float | None = None) -> Iterator[Session]:
        """One short transaction: commit when the block ends, roll back on any error.

        ``wait``: at most this many seconds for a lock held elsewhere (default
        BUSY_TIMEOUT_S); then DatabaseBusy.
        """
        if wait is None:
            factory = self._write_sessions if write else self._read_sessions
        else:
            engine = self.engine.execution_options(klachtdesk_write=write, klachtdesk_wait=wait)
            factory = sessionmaker(engine, expire_on_commit=False)
        with self.translated_errors(), factory() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def pinned(self) -> Iterator[PinnedConnection]:
        """One connection for several transactions in a row (read first, write after), so
        the writer can tell whether anyone else committed in between (``data_version``)."""
        with self.translated_errors(), self.engine.connect() as conn:
            yield PinnedConnection(self, conn)

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
        self._conn.execution_options(klachtdesk_write=write)  # read by Database._begin
        with (
            self._db.translated_errors(),
            Session(self._conn, expire_on_commit=False) as session,
            session.begin(),
        ):
            session.connection()  # begin now: data_version() belongs to this transaction
            yield session

    def data_version(self) -> int:
        """SQLite's PRAGMA data_version, asked inside a ``session()``: it differs between two
        transactions of this connection exactly when another connection (process, PC)
        committed in between."""
        return self._conn.exec_driver_sql("PRAGMA data_version").scalar_one()
