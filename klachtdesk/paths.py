"""Where things live: bundled resources and per-user data, also inside a PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "KlachtDesk"


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``: from the PyInstaller bundle, from an installed wheel
    (where setup.py puts them in ``klachtdesk/resources``), or from the source tree."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base).joinpath("resources", *parts)
    packaged = Path(__file__).resolve().parent / "resources"
    if packaged.is_dir():
        return packaged.joinpath(*parts)
    return Path(__file__).resolve().parent.parent.joinpath("resources", *parts)


def default_database() -> Path:
    """KLACHTDESK_DB if set, else the per-user data folder the OS expects."""
    env = os.environ.get("KLACHTDESK_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "klachtdesk.kdb"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def preferences_file() -> Path:
    """Per-PC preferences (window layout, last database): not secret, not in the database."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "voorkeuren.ini"


def login_state_file() -> Path:
    """Per-PC memory of failed logins (hashed names and times only): it slows down guessing
    even when someone deletes the attempts file beside the database."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "aanmeldpogingen.json"
