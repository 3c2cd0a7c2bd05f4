"""A real PostgreSQL server for the tests under tests/postgres (see tests/postgres_server.py):
one per test run, a new empty database per test."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer


@pytest.fixture(scope="session")
def postgres():
    # not under pytest's own folder: as root the server runs as another user, who must be
    # able to reach its folder
    folder = Path(tempfile.mkdtemp(prefix="klachtdesk-postgresql-"))
    server = PostgresServer(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgres):
    url = postgres.new_database()
    yield url
    postgres.drop_database(url)
