"""A KlachtDesk database on a PostgreSQL server (issue 15): the same tables and services as
the encrypted file, reached through SQLAlchemy with psycopg 3.

The file and the server differ in who enforces what. A file is opened with a key that every
user holds, so KlachtDesk itself checks roles and signs the audit log. On a server each
KlachtDesk user is a PostgreSQL login role with the server's own password (SCRAM), member of
group roles that carry the rights of the KlachtDesk roles (storage/server_roles.py): the
server refuses what a role may not do, whatever program sends the SQL.

Writers are serialised as on the file (``BEGIN IMMEDIATE`` there): a write transaction
first takes one transaction-level advisory lock, so read-then-write sequences (case
numbers, the audit chain) never interleave between PCs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import ipaddress
import os
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import sessionmaker

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.storage.address import is_server_address
from klachtdesk.storage.engine import PinnedConnection, Transactions
from klachtdesk.storage.errors import (
    DatabaseBusy,
    DiskFull,
    WrongPassword,
)

LOCAL_HOSTS = {"", "localhost"}
SAFE_TLS = {"verify-full"}
BUSY_TIMEOUT_S = 30.0
# pg_advisory_xact_lock's key for "a KlachtDesk writer": 'KDSK' as a number
WRITER_LOCK = 0x4B44534B
SCRAM_ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)


def server_url(address: str, field: str = "--db") -> URL:
    """``address`` as SQLAlchemy's psycopg URL; refused in Dutch when it is no PostgreSQL
    URL, holds a password, or reaches another computer without a verified TLS connection."""
    raw = (address or "").strip()
    if not is_server_address(raw):
        raise ValidationError(
            field, "geef een PostgreSQL-adres op, zoals postgresql://gebruiker@server/klachtdesk."
        )
    parts = urlsplit(raw)
    if parts.password:
        raise ValidationError(
            field,
            "zet het wachtwoord niet in het adres (anderen kunnen het in de lijst met "
            "programma's zien); gebruik PGPASSWORD of het bestand ~/.pgpass.",
        )
    host = remote_host(raw)
    if host is not None:
        tls = parse_qs(parts.query).get("sslmode", [""])[0]
        if tls not in SAFE_TLS:
            raise ValidationError(
                field,
                f"de server {host} is een andere computer: voeg ?sslmode=verify-full toe, "
                "zodat de verbinding versleuteld is en het certificaat van de server wordt "
                "gecontroleerd.",
            )
    try:
        url = make_url("postgresql+psycopg://" + raw.split("://", 1)[1])
    except (ArgumentError, IndexError, ValueError) as error:
        raise ValidationError(field, f"dit adres is niet te lezen ({error}).") from error
    if not url.database:
        raise ValidationError(
            field, "noem de database achter de server, zoals postgresql://server/klachtdesk."
        )
    return url


def remote_host(address: str) -> str | None:
    """The other computer ``address`` reaches, or None when it is this one (a socket)."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    named = parse_qs(parts.query).get("host", [None])[0]  # libpq's host=…, a name or a folder
    if named is not None:
        host = "" if named.startswith("/") else named
    if host in LOCAL_HOSTS or host.startswith("/"):
        return None
    try:
        return None if ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return host


def display_address(url: URL) -> str:
    """The address for titles and messages: server and database, never a password."""
    host = url.query.get("host") if url.host is None else url.host
    if isinstance(host, tuple):
        host = host[0]
    where = "deze computer" if not host or str(host).startswith("/") else host
    return f"postgresql://{where}/{url.database}"


def require_driver() -> None:
    try:
        import psycopg  # noqa: F401 - SQLAlchemy's PostgreSQL driver
    except ImportError:
        raise KlachtDeskError(
            "Voor een database op een PostgreSQL-server is het Python-pakket psycopg nodig: "
            "pip install 'psycopg[binary]'."
        ) from None


def scram_verifier(password: str, iterations: int = SCRAM_ITERATIONS) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier for ``password`` (RFC 5802/7677, as libpq's
    PQencryptPasswordConn makes it): the server stores this, and neither it nor its log
    ever sees the password itself."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def quote_name(name: str) -> str:
    """A role or object name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


class ServerUnreachable(KlachtDeskError):
    def __init__(self, where: str, detail: str):
        super().__init__(
            f"De PostgreSQL-server {where} is niet bereikbaar ({detail}). Controleer de "
            "netwerkverbinding of VPN, of vraag uw IT-beheerder of de server draait."
        )


class ServerDatabaseMissing(KlachtDeskError):
    def __init__(self, where: str):
        super().__init__(
            f"De database {where} bestaat niet op de server. Controleer het adres, of vraag "
            "uw IT-beheerder om het juiste adres."
        )


class ServerRefused(NotAllowed):
    def __init__(self, detail: str = ""):
        extra = f" ({detail})" if detail else ""
        super().__init__(
            "De server staat dit niet toe voor uw rol"
            f"{extra}. Er is niets gewijzigd. Vraag zo nodig uw beheerder om de juiste rol."
        )


LOGIN_REFUSED = (
    "De gebruikersnaam of het wachtwoord klopt niet, of dit account mag zich niet (meer) "
    "aanmelden. Let op hoofdletters en de Caps Lock-toets, en probeer het opnieuw."
)


def translate_server_error(exc: BaseException, where: str) -> Exception | None:
    """A Dutch error for a server failure, or None if it is not one we know."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None) or ""
    first = (str(orig).strip().splitlines() or [""])[0]
    lowered = first.lower()
    refusals = ("password authentication failed", "not permitted to log in", "no password")
    if state in ("28P01", "28000") or any(words in lowered for words in refusals):
        return WrongPassword(LOGIN_REFUSED)
    if state == "42501":  # insufficient_privilege, a row-level security refusal included
        return ServerRefused(first)
    if state in ("55P03", "40P01", "40001"):  # lock_not_available, deadlock, serialization
        return DatabaseBusy()
    if state == "53100":
        return DiskFull()
    if state == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return ServerDatabaseMissing(where)
    if state.startswith("08") or (not state and "connection" in lowered):
        return ServerUnreachable(where, first)
    return None


class ServerDatabase(Transactions):
    """A KlachtDesk database on a PostgreSQL server, logged in as one login role.

    The same transactions as storage.engine.Database (``Transactions``: ``session``,
    ``pinned``), so that the services do not know which store they run on.
    """

    is_server = True
    keyring = None  # no key file: the server checks the password
    signer = None

    def __init__(self, url: URL, username: str | None = None, password: str | None = None):
        require_driver()
        self.url = url.set(username=username) if username else url
        self.username = self.url.username or ""
        self.path = display_address(self.url)  # what titles and messages name
        self.read_only = ""
        self._password = password  # never in the URL: not in logs or tracebacks
        self.engine: Engine = create_engine(
            self.url,
            connect_args={"application_name": "KlachtDesk", "connect_timeout": 10},
            pool_pre_ping=True,
        )
        event.listen(self.engine, "do_connect", self._credentials)
        event.listen(self.engine, "begin", self._begin)
        self.write_engine = self.engine.execution_options(klachtdesk_write=True)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

    @staticmethod
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        wait_ms = round(1000 * options.get("klachtdesk_wait", BUSY_TIMEOUT_S))
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
        if options.get("klachtdesk_write", False):
            lock_writers(conn)

    @contextlib.contextmanager
    def translated_errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            translated = translate_server_error(exc, self.path)
            if translated is None:
                raise
            raise translated from exc

    def use_password(self, password: str) -> None:
        """Connect with ``password`` from now on (the user changed it)."""
        self._password = password
        self.engine.dispose()

    def _credentials(self, _dialect, _record, _args, params: dict) -> None:
        if self._password is not None:
            params["password"] = self._password

    def libpq_arguments(self) -> tuple[list[str], dict[str, str]]:
        """How a PostgreSQL tool (pg_dump) reaches this database as this user: its
        ``--dbname`` argument and the environment that carries the password (never the
        command line, which other users of the computer can read)."""
        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=True)
        environment = {"PGAPPNAME": "KlachtDesk"}
        if self._password is not None:
            environment["PGPASSWORD"] = self._password
        return [f"--dbname={conninfo}"], environment

    def follow_key_file(self, force: bool = False) -> None:
        """Nothing to follow: a server has no key file."""

    def signing_key(self):
        return None  # the server's grants, not signatures, say who may do what

    def _pin(self, conn: Connection) -> PinnedServerConnection:
        return PinnedServerConnection(self, conn)

    def dispose(self) -> None:
        self.engine.dispose()


class PinnedServerConnection(PinnedConnection):
    """Transactions on one server connection (see storage.engine.PinnedConnection); only
    how it sees another writer differs."""

    def data_version(self) -> int:
        """Changes when another transaction wrote since the last call (as SQLite's
        data_version): the first transaction id not yet handed out. A writer that began but
        has not committed counts too, which at worst makes the caller look again."""
        return self._conn.exec_driver_sql(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
        ).scalar_one()


def follow_ids(conn, models) -> None:
    """After rows were written with ids of their own (a bulk import, a move): each table's
    id sequence continues after its highest id, so the server's next id is free. A no-op on
    a file, where SQLite takes the highest id + 1 by itself."""
    if conn.dialect.name != "postgresql":
        return
    for model in models:
        table = getattr(model, "__table__", model)
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
        )


def lock_writers(conn) -> None:
    """Take the writers' lock for the rest of this transaction (a no-op on a file, where
    BEGIN IMMEDIATE already holds the write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
