"""Shared fixtures: a fresh encrypted database per test, with a user for every role."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from klachtdesk.services.admin import setup  # noqa: E402
from klachtdesk.services.context import Context  # noqa: E402
from klachtdesk.storage import keyslots  # noqa: E402

TODAY = date(2026, 11, 25)
APPEAL_GROUNDS = "De klager vindt de geboden oplossing onvoldoende."
PASSWORD = "correct-paard-batterij"
ROLE_USERS = {
    "balie": ("Bea Balie", "balie"),
    "coordinator": ("Carla Coördinator", "coordinator"),
    "manager": ("Mark Manager", "manager"),
    "directeur": ("Dirk Directeur", "directeur"),
}


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch):
    """Tests create many key slots; the slot records its own cost, so this is safe."""
    monkeypatch.setattr(keyslots, "ARGON2_MEMORY_KIB", 1024)
    monkeypatch.setattr(keyslots, "ARGON2_ITERATIONS", 1)
    monkeypatch.setattr(keyslots, "ARGON2_LANES", 1)


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path, monkeypatch):
    """Keep logs and default database paths of tests out of the real home folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # QSettings
    monkeypatch.delenv("KLACHTDESK_PASSWORD", raising=False)
    monkeypatch.delenv("KLACHTDESK_USER", raising=False)
    monkeypatch.delenv("KLACHTDESK_DB", raising=False)


def clock(today: date = TODAY):
    return {"today": lambda: today, "now": lambda: datetime.combine(today, datetime.min.time())}


@dataclass
class Org:
    path: Path
    recovery_code: str
    beheer: Context
    balie: Context
    coordinator: Context
    manager: Context
    directeur: Context

    def login(self, username: str, password: str = PASSWORD, today: date = TODAY) -> Context:
        return setup.unlock(self.path, username, password, **clock(today))


def make_org(tmp_path: Path, procedure: str = "woonpartners", server: str | None = None) -> Org:
    """The organisation in a database file, or (``server``: an empty database's address on
    the test server) moved there with ``klachtdesk migrate-to``, every user with the same
    password on the server as in the file (issue 15: the same tests on both stores)."""
    if server is not None:
        return _moved_org(make_org(tmp_path, procedure), server)
    return _file_org(tmp_path, procedure)


def _moved_org(on_file: Org, server: str) -> Org:
    from sqlalchemy.engine import make_url

    from klachtdesk.services.admin import admin_users, move_up

    move_up.migrate_to(on_file.beheer, server, PASSWORD)
    for ctx in (on_file.beheer, *(getattr(on_file, u) for u in ROLE_USERS)):
        ctx.db.dispose()
    address = make_url(server).render_as_string(hide_password=False)
    admin = setup.unlock(address, "beheer", PASSWORD, **clock())
    for user in admin_users.list_users(admin):
        if user.username in ROLE_USERS:
            admin_users.reset_password(admin, user.id, PASSWORD)
    contexts = {u: setup.unlock(address, u, PASSWORD, **clock()) for u in ROLE_USERS}
    return Org(address, on_file.recovery_code, admin, **contexts)


def _file_org(tmp_path: Path, procedure: str) -> Org:
    path = tmp_path / "klachten.kdb"
    created = setup.create_database(
        path, "Woonstichting De Linde", procedure, "beheer", PASSWORD, "Bert Beheer"
    )
    admin = setup.unlock(path, "beheer", PASSWORD, **clock())
    for username, (name, roles) in ROLE_USERS.items():
        setup.add_user(admin, username, name, roles, PASSWORD)
    contexts = {u: setup.unlock(path, u, PASSWORD, **clock()) for u in ROLE_USERS}
    return Org(path, created.recovery_code, admin, **contexts)


def on_server(org: Org) -> bool:
    """Is this organisation's database on the PostgreSQL test server?"""
    return isinstance(org.path, str)


def directeur_refusal(org: Org) -> tuple[type[Exception], ...]:
    """How a directeur is refused a case without heroverweging: by the services' rule on a
    file; on a server row-level security hides the case itself ('Zaak bestaat niet')."""
    from klachtdesk.domain.errors import NotAllowed
    from klachtdesk.services.cases.cases import CaseNotFound

    return (NotAllowed, CaseNotFound) if on_server(org) else (NotAllowed,)


@contextlib.contextmanager
def tampering(org: Org):
    """A connection that may change anything, as someone working outside KlachtDesk: with
    the file and its key, or as the server's superuser."""
    if not on_server(org):
        with org.beheer.db.session(write=True) as session:
            yield session.connection()
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(org.path).set(username="postgres"))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def pytest_generate_tests(metafunc):
    """A test module with ``BOTH_STORES = True`` runs its ``org`` tests on a database file
    and on the PostgreSQL test server (issue 15)."""
    uses_org = {"org", "livable_org"} & set(metafunc.fixturenames)
    if uses_org and getattr(metafunc.module, "BOTH_STORES", False):
        metafunc.parametrize("store", ["bestand", "server"], indirect=True)


@pytest.fixture
def store(request) -> str | None:
    """None: a database file; else the address of an empty database on the test server."""
    if getattr(request, "param", "bestand") == "bestand":
        return None
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for this test run (tests/postgres_server.py), started when
    the first test asks for it."""
    import shutil
    import tempfile

    from tests.postgres_server import PostgresServer

    # not under pytest's own folder: as root the server runs as another user, who must be
    # able to reach its folder
    folder = Path(tempfile.mkdtemp(prefix="klachtdesk-postgresql-"))
    server = PostgresServer(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgres):
    """A new empty database on the test server; dropped afterwards with every login role."""
    url = postgres.new_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def org(tmp_path, store) -> Org:
    """An organisation on the Woonpartners procedure, one user per role."""
    result = make_org(tmp_path, server=store)
    yield result
    for ctx in (result.beheer, result.balie, result.coordinator, result.manager, result.directeur):
        ctx.db.dispose()


@pytest.fixture
def livable_org(tmp_path, store) -> Org:
    result = make_org(tmp_path, "livable", server=store)
    yield result
    for ctx in (result.beheer, result.balie, result.coordinator, result.manager, result.directeur):
        ctx.db.dispose()


def cli_env(tmp_path: Path, user: str) -> dict[str, str]:
    """The environment for a `klachtdesk` subprocess: login from variables, user dirs in tmp."""
    env = dict(os.environ)
    env.update(
        KLACHTDESK_USER=user,
        KLACHTDESK_PASSWORD=PASSWORD,
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_STATE_HOME=str(tmp_path / "xdg-state"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
    )
    env.pop("KLACHTDESK_DB", None)
    return env


def complaint_data(**overrides) -> dict:
    data = {
        "received": "2026-11-20",
        "channel": "telefoon",
        "complainant": {
            "name": "Fatima el Amrani",
            "street": "Lindelaan 4",
            "postcode": "3511ab",
            "city": "Utrecht",
            "phone": "06 12345678",
            "email": "fatima@voorbeeld.nl",
        },
        "subject": "Lekkage badkamer niet verholpen",
        "description": "Sinds drie weken lekt er water door het plafond van de badkamer.",
        "category": "Onderhoud en reparaties",
        "employee": "",
        "discussed_with_employee": True,
        "expectation": "Ik wil dat de lekkage binnen een week is verholpen.",
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="session", autouse=True)
def qt_workers_finish_before_exit():
    """Background tasks (the report window computes off the UI thread) must end before the
    interpreter tears Qt down; a worker still emitting then crashes the process."""
    yield
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    QThreadPool.globalInstance().waitForDone(30_000)
    app = QApplication.instance()
    if app is not None:
        app.processEvents()  # deliver what the workers reported; windows are left as they are
