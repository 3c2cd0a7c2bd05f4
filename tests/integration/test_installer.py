"""The Linux build: `python3.13 installer/build.py` makes one executable that runs its self-test
on a clean machine (no Python, no virtual environment, no source tree), so a hidden import
or data file PyInstaller missed fails here and not at a user's desk.

The build runs once per test session (about a minute on the CI machine) into a temporary
folder; the size and build time are printed in the test log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
MAX_SIZE = 100 * 1024 * 1024  # 78 MB when this was written; much more means a lost exclude
STEPS = [
    "versleutelde database",
    "feestdagen",
    "zaak registreren",
    "zoeken",
    "termijnen naar de agenda",
    "brief (PDF)",
    "evaluatierapport (PDF)",
    "databasecontrole",
    "PostgreSQL-stuurprogramma",
    "venster (Qt)",
]

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="the Linux executable is built on Linux"),
    pytest.mark.skipif(
        sys.version_info < (3, 12), reason="installers are built on Python 3.12+ (build.py)"
    ),
    pytest.mark.slow,
]


@dataclass
class Build:
    dist: Path
    program: Path
    seconds: float
    output: str


@pytest.fixture(scope="module")
def build(tmp_path_factory, request) -> Build:
    folder = tmp_path_factory.mktemp("installer")
    dist, work = folder / "dist", folder / "build"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "installer/build.py", "--dist", str(dist), "--work", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    program = dist / "klachtdesk"
    size = program.stat().st_size
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # into the CI log, also without -s
            reporter.write_line(
                f"\nLinux-build: {program.name} {size / 1024 / 1024:.1f} MB ({size} bytes), "
                f"gebouwd in {seconds:.0f} s"
            )
    return Build(dist, program, seconds, result.stdout)


def clean_env(home: Path) -> dict[str, str]:
    """A user's session without any Python: no PYTHONPATH, no venv, no display."""
    (home / "tmp").mkdir(exist_ok=True)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TMPDIR": str(home / "tmp"),
    }


def test_build_prints_the_size_and_leaves_the_linux_files(build):
    exact = f"{build.program.stat().st_size:,}".replace(",", ".")
    assert f" MB ({exact} bytes)" in build.output  # build.py prints the size
    assert build.program.read_bytes()[:4] == b"\x7fELF"
    assert os.access(build.program, os.X_OK)
    assert build.program.stat().st_size < MAX_SIZE
    desktop = (build.dist / "klachtdesk.desktop").read_text("utf-8")
    assert "Name=KlachtDesk" in desktop and "Icon=klachtdesk" in desktop
    assert (build.dist / "klachtdesk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_self_test_passes_on_a_clean_machine(build, tmp_path):
    env = clean_env(tmp_path)
    result = subprocess.run(
        [str(build.program), "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Zelftest van KlachtDesk {VERSION}"
    assert [line.split(":")[0].strip() for line in lines[1:-1]] == [
        f"in orde  {step}" for step in STEPS
    ]
    assert "(offscreen)" in lines[-2]
    assert lines[-1] == "Zelftest geslaagd: KlachtDesk werkt op deze computer."
    # the temporary database and PyInstaller's unpacked files are both gone
    assert list((tmp_path / "tmp").iterdir()) == []


def test_version_comes_from_pyproject(build, tmp_path):
    result = subprocess.run(
        [str(build.program), "--version"],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"KlachtDesk {VERSION}"


def test_archive_installs_for_the_user_and_the_installed_program_runs(build, tmp_path):
    archive = build.dist / f"KlachtDesk-{VERSION}-linux-x86_64.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "download", filter="data")
    folder = tmp_path / "download" / f"KlachtDesk-{VERSION}"
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)

    installed = subprocess.run(
        ["sh", str(folder / "install.sh")], env=env, capture_output=True, text=True, timeout=120
    )

    assert installed.returncode == 0, installed.stderr
    program = home / ".local" / "bin" / "klachtdesk"
    desktop = (home / ".local/share/applications/klachtdesk.desktop").read_text("utf-8")
    assert f'Exec="{program}"' in desktop
    assert (home / ".local/share/icons/hicolor/256x256/apps/klachtdesk.png").is_file()
    version = subprocess.run(
        [str(program), "--version"], env=env, capture_output=True, text=True, timeout=120
    )
    assert version.stdout.strip() == f"KlachtDesk {VERSION}"

    removed = subprocess.run(
        ["sh", str(folder / "install.sh"), "--verwijder"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert removed.returncode == 0, removed.stderr
    assert not program.exists()
    assert "Uw gegevens" in removed.stdout
