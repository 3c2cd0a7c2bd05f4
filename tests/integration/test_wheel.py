"""A plain `pip install .` (a wheel, not an editable install) is a complete program: the
wheel is built, installed in a fresh virtual environment outside the source tree, and
`klachtdesk --self-test` must pass there (fonts, icons and the other resources included)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)


def test_the_wheel_installs_outside_the_source_tree_and_passes_its_self_test(tmp_path):
    built = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            str(tmp_path / "wheels"),
            str(ROOT),
        ]
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (tmp_path / "wheels").glob("klachtdesk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "klachtdesk/resources/fonts/DejaVuSans.ttf" in names
    assert "klachtdesk/resources/icons/klachtdesk.svg" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    installed = run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)])
    assert installed.returncode == 0, installed.stdout + installed.stderr

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(XDG_DATA_HOME=str(home / ".local/share"), XDG_STATE_HOME=str(home / ".state"))
    checked = run([str(bin_dir / "klachtdesk"), "--self-test"], cwd=home, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Zelftest geslaagd" in checked.stdout
    # the program ran from the installed wheel, not from this source tree
    where = run([str(bin_dir / "python"), "-c", "import klachtdesk; print(klachtdesk.__file__)"],
                cwd=home, env=env)  # fmt: skip
    assert str(env_dir) in where.stdout and str(ROOT) not in where.stdout
