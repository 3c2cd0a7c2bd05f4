"""Schema creation and upgrade through the Alembic revisions shipped in the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from klachtdesk.storage.engine import Database
from klachtdesk.storage.errors import NewerDatabase, NotADatabase

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, target: str = "head") -> None:
    config = alembic_config()
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def ensure_current(db: Database) -> None:
    """Refuse a database from a newer KlachtDesk; bring an older one up to date."""
    revision = current_revision(db)
    if revision is None:
        raise NotADatabase(db.path, "er staat geen KlachtDesk-schema in")
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise NewerDatabase(db.path)
    if revision != script.get_current_head():
        upgrade(db)
