"""Where a database lives: a file, or a PostgreSQL server (issue 15). Light on imports: the
command line and the login window ask before anything else is loaded."""

from __future__ import annotations

from pathlib import Path

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_address(address) -> bool:
    """Is ``address`` (what --db or the login window got) a PostgreSQL URL?"""
    return str(address or "").strip().split(":", 1)[0].lower() in SCHEMES


def database_address(text: str) -> Path | str:
    """A PostgreSQL address as it is, anything else as a file path."""
    return text.strip() if is_server_address(text) else Path(text)
