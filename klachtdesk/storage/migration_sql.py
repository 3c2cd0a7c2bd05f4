"""What the migrations write differently for PostgreSQL: the few places where SQLite's and
PostgreSQL's SQL differ (triggers, full-text search, expression indexes). Each migration
keeps its SQLite statements as they were and adds the PostgreSQL ones beside them, so that
a database file upgrades exactly as before.
"""

from __future__ import annotations

from alembic import op


def on_postgresql() -> bool:
    """Does this migration run on PostgreSQL (rather than on a SQLite file)?"""
    return op.get_bind().dialect.name == "postgresql"


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def create_trigger(
    name: str, timing: str, table: str, body: str, *, when: str = "", returns: str = "NULL"
) -> None:
    """A PostgreSQL row trigger ``name`` with its own function: ``body`` (PL/pgSQL
    statements) runs ``timing`` (e.g. ``AFTER INSERT OR UPDATE OF status``) on ``table``."""
    op.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\n{body}\nRETURN {returns};\nEND\n$body$"
    )
    condition = f" WHEN ({when})" if when else ""
    op.execute(
        f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
        f"EXECUTE FUNCTION {name}()"
    )


def drop_trigger(name: str, table: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def refusal(message: str) -> str:
    """A PL/pgSQL statement that refuses the change with ``message`` (SQLite's RAISE(ABORT))."""
    # restrict_violation: an integrity error to the driver, as SQLite's ABORT is
    return f"RAISE EXCEPTION USING MESSAGE = {literal(message)}, ERRCODE = 'restrict_violation';"
