"""Schema creation and upgrade through the Alembic revisions shipped in the package.

Alembic is imported only when a database is created or upgraded (or its revision is not
this version's head): logging in to a current database reads one row instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection

from klachtdesk.storage.engine import Database
from klachtdesk.storage.errors import NewerDatabase, NotADatabase, OlderServerSchema

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (a test keeps the two in step).
HEAD = "0016"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The database's schema revision (Alembic's own table), None when it has none."""
    with db.engine.connect() as conn:
        return revision_on(conn)


def revision_on(conn: Connection) -> str | None:
    if conn.dialect.name == "sqlite":
        exists = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).first()
    else:
        exists = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
    if exists is None:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db: Database, target: str = "head") -> None:
    with db.write_engine.begin() as conn:
        upgrade_on(conn, target)


def upgrade_on(conn: Connection, target: str = "head") -> None:
    """Run the migrations up to ``target`` inside ``conn``'s transaction (any store: a
    database file, or a PostgreSQL server when moving up)."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, target)


def ensure_current(db: Database) -> None:
    """Refuse a database from a newer KlachtDesk; bring an older one up to date."""
    revision = current_revision(db)
    if revision is None:
        raise NotADatabase(db.path, "er staat geen KlachtDesk-schema in")
    if revision == HEAD:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise NewerDatabase(db.path)
    if revision != script.get_current_head():
        if db.is_server:  # the login roles may not change tables: the owner upgrades
            raise OlderServerSchema(db.path)
        upgrade(db)
