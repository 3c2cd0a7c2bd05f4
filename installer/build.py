"""Build KlachtDesk for end users with PyInstaller (installer/klachtdesk.spec).

Usage, from the project folder, with Python 3.12 or newer (any environment: the build makes
its own):

    python3.13 installer/build.py                 # Linux: dist/klachtdesk and friends
    python3.13 installer/build.py --self-test     # ... and run the built program's self-test
    py -3.13 installer/build.py --installer       # Windows: also KlachtDesk-Setup-<version>.exe

What goes into a release is pinned: the build first makes an environment of its own from
installer/requirements.lock (exact versions with their hashes; pip refuses anything else),
installs KlachtDesk into it, and runs PyInstaller there. So a release never picks up a Qt
or any other library that the test suite has not run with. The environment is kept in
.build-env/ and made again whenever the lock file changes. Python 3.11 is refused: the
Qt binding that runs there (PySide6 < 6.12) is not the one the installers are tested with.

Linux (one self-contained executable, no Python needed on the user's PC) leaves in dist/:

    klachtdesk                                  the program (onefile)
    klachtdesk.desktop, klachtdesk.png          start-menu entry and icon
    install.sh                                  per-user installation (~/.local)
    KlachtDesk-<version>-linux-x86_64.tar.gz    the four above, to hand out

Windows leaves dist/KlachtDesk/ (onedir: KlachtDesk.exe without a console window for the
start menu, klachtdesk-cli.exe for the command line and --self-test); with ``--installer``
Inno Setup (ISCC.exe, on PATH or in its default folder) then makes
dist/KlachtDesk-Setup-<version>.exe from installer/windows/klachtdesk.iss.

Options: ``--mode onefile|onedir`` (default: onefile on Linux, onedir on Windows),
``--dist DIR`` and ``--work DIR`` (default dist/ and build/ in the project folder),
``--env DIR`` (the build environment, default .build-env/py3.X-<lock hash>),
``--no-archive`` (no .tar.gz). The work folder is emptied first; PyInstaller's own cache
of analysed libraries is kept, so a second build is faster. The version comes from
pyproject.toml.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "klachtdesk.spec"
LINUX_FILES = ROOT / "installer" / "linux"
ISS = ROOT / "installer" / "windows" / "klachtdesk.iss"
LOCK = ROOT / "installer" / "requirements.lock"
MIN_PYTHON = (3, 12)
ICON_PNG = ROOT / "resources" / "icons" / "klachtdesk.png"
IS_WINDOWS = sys.platform == "win32"
ISCC_FOLDERS = [
    Path(os.environ.get(name, "")) / "Inno Setup 6"
    for name in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA")
    if os.environ.get(name)
]


class BuildError(Exception):
    """A build that cannot go on; the message says what to do (Dutch)."""


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        running = ".".join(map(str, sys.version_info[:2]))
        raise BuildError(
            f"Bouw de installatiebestanden met Python 3.12 of nieuwer (dit is {running}). "
            "Het programma wordt getest en uitgeleverd met de Qt-versie uit "
            "installer/requirements.lock, die Python 3.12 of nieuwer vraagt. Bijvoorbeeld: "
            "python3.13 installer/build.py"
        )


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


def run_step(command: list[str], what: str) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write((result.stdout + result.stderr)[-6000:])
        raise BuildError(f"{what} is mislukt (afsluitcode {result.returncode}); zie hierboven.")


def build_environment(env: Path | None) -> Path:
    """A virtual environment with exactly the locked packages and KlachtDesk; its Python."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    tag = f"py{sys.version_info.major}.{sys.version_info.minor}"
    env = (env or ROOT / ".build-env" / f"{tag}-{digest[:12]}").resolve()
    python, marker = env_python(env), env / "klachtdesk-lock.sha256"
    fresh = not (python.is_file() and marker.is_file() and marker.read_text().strip() == digest)
    if fresh:
        print(f"Bouwomgeving maken uit {LOCK.relative_to(ROOT)} in {env} ...", flush=True)
        shutil.rmtree(env, ignore_errors=True)
        run_step([sys.executable, "-m", "venv", str(env)], "Een virtuele omgeving maken")
        run_step(
            [
                *(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
                *("--require-hashes", "--no-deps", "--only-binary", ":all:", "-r", str(LOCK)),
            ],
            "De vastgelegde pakketten installeren",
        )
        run_step([str(python), "-m", "pip", "check"], "De pakketten controleren")
        marker.write_text(digest + "\n", encoding="utf-8")
    # KlachtDesk itself, as it is in the project folder now; nothing else may come along.
    run_step(
        [
            *(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--no-build-isolation", "--force-reinstall", str(ROOT)),
        ],
        "KlachtDesk in de bouwomgeving installeren",
    )
    return python


def run_pyinstaller(python: Path, mode: str, dist: Path, work: Path) -> list[str]:
    """Run PyInstaller; returns the names of system libraries it could not find."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    command = [
        str(python),
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--",
        "--mode",
        mode,
    ]
    log = work / "pyinstaller.log"
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    text = log.read_text("utf-8", errors="replace")
    if result.returncode != 0:
        sys.stderr.write(text[-6000:])
        raise BuildError(f"PyInstaller is mislukt (afsluitcode {result.returncode}); zie {log}.")
    return sorted(set(re.findall(r"could not resolve '([^']+)'", text)))


def linux_extras(dist: Path, version: str, archive: bool) -> Path | None:
    """The .desktop entry, icon and install script beside the executable; the archive."""
    extras = [
        (LINUX_FILES / "klachtdesk.desktop", "klachtdesk.desktop"),
        (LINUX_FILES / "install.sh", "install.sh"),
        (ICON_PNG, "klachtdesk.png"),
    ]
    for source, name in extras:
        shutil.copy2(source, dist / name)
    (dist / "install.sh").chmod(0o755)
    if not archive:
        return None
    target = dist / f"KlachtDesk-{version}-linux-x86_64.tar.gz"
    folder = f"KlachtDesk-{version}"
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        for name in ("klachtdesk", "klachtdesk.desktop", "klachtdesk.png", "install.sh"):
            tar.add(dist / name, arcname=f"{folder}/{name}")
    return target


def find_iscc() -> Path | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return Path(found)
    for folder in ISCC_FOLDERS:
        if (folder / "ISCC.exe").is_file():
            return folder / "ISCC.exe"
    return None


def windows_installer(dist: Path, version: str) -> Path:
    iscc = find_iscc()
    if iscc is None:
        raise BuildError(
            "Inno Setup 6 (ISCC.exe) is niet gevonden. Installeer het (bijvoorbeeld "
            "'choco install innosetup') of zet ISCC.exe op PATH."
        )
    subprocess.run(
        [
            str(iscc),
            "/Qp",
            f"/DMyAppVersion={version}",
            f"/DSourceDir={dist / 'KlachtDesk'}",
            f"/DIconFile={ROOT / 'resources' / 'icons' / 'klachtdesk.ico'}",
            f"/O{dist}",
            str(ISS),
        ],
        check=True,
    )
    return dist / f"KlachtDesk-Setup-{version}.exe"


def size_text(size: int) -> str:
    """In Dutch notation: 74,8 MB (78.439.824 bytes)."""
    megabytes = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    exact = f"{size:,}".replace(",", ".")
    return f"{megabytes} MB ({exact} bytes)"


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def self_test(program: Path) -> None:
    print(f"Zelftest: {program} --self-test")
    result = subprocess.run([str(program), "--self-test"], cwd=program.parent, check=False)
    if result.returncode != 0:
        raise BuildError("De zelftest van het gebouwde programma is mislukt (zie hierboven).")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python installer/build.py",
        description="Bouw KlachtDesk met PyInstaller (zie de uitleg bovenin dit bestand).",
    )
    parser.add_argument(
        "--mode",
        choices=["onefile", "onedir"],
        default="onedir" if IS_WINDOWS else "onefile",
        help="één bestand (Linux) of één map (Windows, voor de Setup)",
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="uitvoermap")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="werkmap")
    parser.add_argument(
        "--env", type=Path, default=None, help="bouwomgeving (standaard .build-env/...)"
    )
    parser.add_argument("--no-archive", action="store_true", help="Linux: geen .tar.gz")
    parser.add_argument(
        "--self-test", action="store_true", help="draai daarna de zelftest van het programma"
    )
    parser.add_argument(
        "--installer", action="store_true", help="Windows: maak ook de Setup met Inno Setup"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    version = project_version()
    started = time.monotonic()
    try:
        check_python()
        python = build_environment(args.env)
        print(f"KlachtDesk {version} bouwen ({args.mode}) naar {dist} ...", flush=True)
        missing = run_pyinstaller(python, args.mode, dist, work)
        if args.mode == "onefile":
            program = dist / ("klachtdesk.exe" if IS_WINDOWS else "klachtdesk")
            size = program.stat().st_size
        else:
            program = (
                dist / "KlachtDesk" / ("klachtdesk-cli.exe" if IS_WINDOWS else "klachtdesk-cli")
            )
            size = folder_size(dist / "KlachtDesk")
        print(f"Gebouwd in {time.monotonic() - started:.0f} s: {program}")
        print(f"Grootte: {size_text(size)}")
        if missing:
            print(
                "Let op: deze systeembibliotheken ontbreken op de bouwmachine en zitten dus niet "
                f"in het programma: {', '.join(missing)}. Op een Linux-bureaublad zijn ze er "
                "meestal al; installeer ze hier (Debian: libxcb-icccm4 libxcb-keysyms1 ...) "
                "voor een volledig pakket."
            )
        if not IS_WINDOWS and args.mode == "onefile":
            archive = linux_extras(dist, version, archive=not args.no_archive)
            if archive:
                print(f"Pakket: {archive}, {size_text(archive.stat().st_size)}")
        if args.self_test:
            self_test(program)
        if args.installer:
            if not IS_WINDOWS or args.mode != "onedir":
                raise BuildError("--installer kan alleen op Windows, met --mode onedir.")
            setup = windows_installer(dist, version)
            print(f"Installatieprogramma: {setup}, {size_text(setup.stat().st_size)}")
    except BuildError as error:
        print(f"FOUT: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
