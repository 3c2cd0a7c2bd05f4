"""Alembic environment: migrations run only through klachtdesk.storage.migrate."""

from alembic import context

from klachtdesk.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run KlachtDesk migrations through klachtdesk.storage.migrate.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
