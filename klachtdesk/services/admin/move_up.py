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
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Table, create_engine, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.services.context import Context
from klachtdesk.storage import migrate, server_roles
from klachtdesk.storage.models import Attachment, Base, Letter, User
from klachtdesk.storage.server import follow_ids, require_driver, scram_verifier, server_url

BATCH = 500  # rows per INSERT


@dataclass(frozen=True)
class Moved:
    """What was copied: rows per table, and the letters and attachments checked."""

    rows: dict[str, int]
    letters: int
    attachments: int

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def migrate_to(ctx: Context, url: str, password: str) -> Moved:
    """Copy the database of ``ctx`` into the empty PostgreSQL database at ``url`` (reached
    as its owner), and give the server KlachtDesk's roles: every user becomes a login role
    in the group roles of their KlachtDesk roles. The beheerder who moves keeps ``password``
    on the server; the others get a password from a beheerder before their first login."""
    ctx.actor.require(Role.BEHEER, what="de database naar een server verhuizen")
    address = server_url(url, "--to")
    require_driver()
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
            follow_ids(server, [t for t in _tables() if "id" in t.c])  # next ids are free
            # only now: the server's triggers rework rows (the owed-letter mark) as others arrive
            for table, (_rows, read) in copied.items():
                if read != _digest(server, table):
                    raise KlachtDeskError(
                        f"De tabel {table.name} is op de server anders dan in het bestand. "
                        "Er is niets gekopieerd."
                    )
            letters = _check_hashes(server, Letter.__table__, Letter.pdf.key)
            attachments = _check_hashes(server, Attachment.__table__, Attachment.data.key)
            server_roles.setup(server)
            _logins(server, ctx.actor.username, password)
        return Moved(
            {table.name: rows for table, (rows, _read) in copied.items()}, letters, attachments
        )
    finally:
        target.dispose()


def _logins(server: Connection, mover: str, password: str) -> None:
    """A login role for every user (an existing one on this server is taken over), in the
    group roles of their KlachtDesk roles; a deactivated user's cannot log in."""
    users = server.execute(select(User.username, User.roles, User.active)).all()
    for user in users:  # all first: a beheerder then gets the right to manage each
        if not server_roles.login_exists(server, user.username):
            server_roles.create_login(server, user.username, None)
    for user in users:
        if user.username == mover:
            server_roles.set_password(server, mover, scram_verifier(password))
        server_roles.set_login(server, user.username, bool(user.active))
        server_roles.set_roles(server, user.username, parse_roles(user.roles))


def setup_server(url: str) -> str:
    """``klachtdesk server-setup``: as the database's owner, bring the schema up to this
    version and give the group roles their rights again; the revision it is at."""
    address = server_url(url, "--db")
    require_driver()
    target = create_engine(address)
    try:
        with _translated(url, "Er is niets gewijzigd."), target.begin() as server:
            if not inspect(server).has_table("alembic_version"):
                raise KlachtDeskError(
                    "Op de server staat nog geen KlachtDesk-database. Verhuis eerst een "
                    "bestand met 'klachtdesk migrate-to'. Er is niets gewijzigd."
                )
            migrate.upgrade_on(server)
            server_roles.setup(server)
            return migrate.revision_on(server)
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

    def __init__(self, url: str, outcome: str = "Er is niets gekopieerd."):
        self.where = urlsplit(url).hostname or "deze computer"
        self.outcome = outcome

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _trace) -> bool:
        if isinstance(error, DBAPIError):
            raise KlachtDeskError(
                f"De PostgreSQL-server op {self.where} weigerde of was niet bereikbaar: "
                f"{str(error.orig).strip().splitlines()[0]}. {self.outcome}"
            ) from error
        return False
