"""Shared fixtures: a fresh encrypted database per test, with a user for every role."""

from __future__ import annotations

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


def make_org(tmp_path: Path, procedure: str = "woonpartners") -> Org:
    path = tmp_path / "klachten.kdb"
    created = setup.create_database(
        path, "Woonstichting De Linde", procedure, "beheer", PASSWORD, "Bert Beheer"
    )
    admin = setup.unlock(path, "beheer", PASSWORD, **clock())
    for username, (name, roles) in ROLE_USERS.items():
        setup.add_user(admin, username, name, roles, PASSWORD)
    contexts = {u: setup.unlock(path, u, PASSWORD, **clock()) for u in ROLE_USERS}
    return Org(path, created.recovery_code, admin, **contexts)


@pytest.fixture
def org(tmp_path) -> Org:
    """An organisation on the Woonpartners procedure, one user per role."""
    result = make_org(tmp_path)
    yield result
    for ctx in (result.beheer, result.balie, result.coordinator, result.manager, result.directeur):
        ctx.db.dispose()


@pytest.fixture
def livable_org(tmp_path) -> Org:
    result = make_org(tmp_path, "livable")
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
