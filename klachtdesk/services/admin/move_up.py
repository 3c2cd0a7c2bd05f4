"""Moving up: the whole database file copied into an empty PostgreSQL database.

``klachtdesk migrate-to --db FILE --to postgresql://…`` (issue 15). In one transaction on
the server: the schema through the same migrations, then every table in the order of its
foreign keys, then a check that each table holds the same rows (a SHA-256 over every row,
in key order, on both sides) and that every letter and attachment still matches its own
SHA-256. Only then is the transaction committed; anything else leaves the server's database
as empty as it was. The file is only read.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Table, create_engine, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.services.context import Context
from klachtdesk.storage import migrate
from klachtdesk.storage.models import Attachment, Base, Letter

BATCH = 500  # rows per INSERT
LOCAL_HOSTS = {"", "localhost"}
SAFE_TLS = {"verify-full"}


@dataclass(frozen=True)
class Moved:
    """What was copied: rows per table, and the letters and attachments checked."""

    rows: dict[str, int]
    letters: int
    attachments: int

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def server_url(url: str) -> str:
    """``url`` as SQLAlchemy's psycopg URL; refused in Dutch when it is no PostgreSQL URL or
    reaches another computer without a verified TLS connection."""
    raw = (url or "").strip()
    scheme = raw.split(":", 1)[0].lower()
    if scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise ValidationError(
            "--to", "geef een PostgreSQL-adres op, zoals postgresql://gebruiker@server/klachtdesk."
        )
    if urlsplit(raw).password:
        raise ValidationError(
            "--to",
            "zet het wachtwoord niet in het adres (anderen kunnen het in de lijst met "
            "programma's zien); gebruik PGPASSWORD of het bestand ~/.pgpass.",
        )
    parts = urlsplit(raw)
    host = parts.hostname or ""
    named = parse_qs(parts.query).get("host", [None])[0]  # libpq's host=…, a name or a folder
    if named is not None:
        host = "" if named.startswith("/") else named  # a socket folder: this computer
    if not _local(host):
        tls = parse_qs(parts.query).get("sslmode", [""])[0]
        if tls not in SAFE_TLS:
            raise ValidationError(
                "--to",
                f"de server {host} is een andere computer: voeg ?sslmode=verify-full toe, "
                "zodat de verbinding versleuteld is en het certificaat van de server wordt "
                "gecontroleerd.",
            )
    try:
        return make_url("postgresql+psycopg://" + raw.split("://", 1)[1]).render_as_string(
            hide_password=False
        )
    except (ArgumentError, IndexError, ValueError) as error:
        raise ValidationError("--to", f"dit adres is niet te lezen ({error}).") from error


def _local(host: str) -> bool:
    if host in LOCAL_HOSTS or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def migrate_to(ctx: Context, url: str) -> Moved:
    """Copy the database of ``ctx`` into the empty PostgreSQL database at ``url``."""
    ctx.actor.require(Role.BEHEER, what="de database naar een server verhuizen")
    address = server_url(url)
    try:
        import psycopg  # noqa: F401 - SQLAlchemy's PostgreSQL driver
    except ImportError:
        raise KlachtDeskError(
            "Voor verhuizen naar PostgreSQL is het Python-pakket psycopg nodig: "
            "pip install 'psycopg[binary]'. Er is niets gekopieerd."
        ) from None
    target = create_engine(address)
    try:
        with _translated(url), target.begin() as server:
            if inspect(server).get_table_names():
                raise KlachtDeskError(
                    "De database op de server is niet leeg. KlachtDesk verhuist alleen naar "
                    "een lege database; er is niets gekopieerd."
                )
            migrate.upgrade_on(server)
            with ctx.db.session() as session:
                copied = {table: _copy(session.connection(), server, table) for table in _tables()}
            _reset_sequences(server)
            # only now: the server's triggers rework rows (the owed-letter mark) as others arrive
            for table, (_rows, read) in copied.items():
                if read != _digest(server, table):
                    raise KlachtDeskError(
                        f"De tabel {table.name} is op de server anders dan in het bestand. "
                        "Er is niets gekopieerd."
                    )
            letters = _check_hashes(server, Letter.__table__, Letter.pdf.key)
            attachments = _check_hashes(server, Attachment.__table__, Attachment.data.key)
        return Moved(
            {table.name: rows for table, (rows, _read) in copied.items()}, letters, attachments
        )
    finally:
        target.dispose()


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before the rows that name them


def _copy(source: Connection, server: Connection, table: Table) -> tuple[int, str]:
    """Copy ``table``: how many rows, and the digest of the rows read (see ``_digest``),
    so that the file is read once."""
    copied, digest = 0, hashlib.sha256()
    for batch in _batches(source, table):
        server.execute(table.insert(), batch)
        _add_rows(digest, table, batch)
        copied += len(batch)
    return copied, digest.hexdigest()


def _batches(source: Connection, table: Table) -> Iterator[list[dict]]:
    result = source.execute(select(table).order_by(*table.primary_key.columns))
    while rows := result.mappings().fetchmany(BATCH):
        yield [dict(row) for row in rows]


def _reset_sequences(server: Connection) -> None:
    """The next id of every table continues after the copied ones."""
    for table in _tables():
        key = list(table.primary_key.columns)
        if len(key) != 1 or not key[0].autoincrement or key[0].type.python_type is not int:
            continue
        server.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                f"coalesce(max({key[0].name}), 0) + 1, false) FROM {table.name}"
            )
        )


def _digest(conn: Connection, table: Table) -> str:
    """A SHA-256 over every row of ``table`` in key order."""
    digest = hashlib.sha256()
    for batch in _batches(conn, table):
        _add_rows(digest, table, batch)
    return digest.hexdigest()


def _add_rows(digest, table: Table, batch: list[dict]) -> None:
    for row in batch:
        digest.update(repr(tuple(_plain(row[c.name]) for c in table.columns)).encode())


def _plain(value):
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def _check_hashes(server: Connection, table: Table, content: str) -> int:
    """Every stored file on the server still matches its SHA-256; how many there are."""
    count = 0
    query = select(table.c.id, table.c[content], table.c.sha256).order_by(table.c.id)
    for row_id, data, sha256 in server.execute(query):
        if hashlib.sha256(bytes(data)).hexdigest() != sha256:
            raise KlachtDeskError(
                f"{table.name} {row_id} op de server klopt niet met zijn controlecode. "
                "Er is niets gekopieerd."
            )
        count += 1
    return count


class _translated:
    """Server failures in Dutch (the transaction is rolled back by then)."""

    def __init__(self, url: str):
        self.where = urlsplit(url).hostname or "deze computer"

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _trace) -> bool:
        if isinstance(error, DBAPIError):
            raise KlachtDeskError(
                f"De PostgreSQL-server op {self.where} weigerde of was niet bereikbaar: "
                f"{str(error.orig).strip().splitlines()[0]}. Er is niets gekopieerd."
            ) from error
        return False
