"""Build KlachtDesk for end users with PyInstaller (installer/klachtdesk.spec).

Usage, from the project folder, in the environment where KlachtDesk is installed
(``pip install -e '.[test]'`` brings PyInstaller):

    python installer/build.py                 # Linux: dist/klachtdesk and friends
    python installer/build.py --self-test     # ... and run the built program's self-test
    python installer/build.py --installer     # Windows: also KlachtDesk-Setup-<version>.exe

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
``--no-archive`` (no .tar.gz). The work folder is emptied first; PyInstaller's own cache
of analysed libraries is kept, so a second build is faster. The version comes from
pyproject.toml.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "klachtdesk.spec"
LINUX_FILES = ROOT / "installer" / "linux"
ISS = ROOT / "installer" / "windows" / "klachtdesk.iss"
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


def check_installed_version(version: str) -> None:
    """The bundle takes the version from the installed package metadata: it must be current."""
    try:
        installed = metadata.version("klachtdesk")
    except metadata.PackageNotFoundError:
        raise BuildError(
            "KlachtDesk is niet geïnstalleerd in deze Python-omgeving. Voer eerst uit: "
            "pip install -e '.[test]'"
        ) from None
    if installed != version:
        raise BuildError(
            f"pyproject.toml zegt versie {version}, maar de geïnstalleerde metadata zegt "
            f"{installed}. Voer eerst opnieuw uit: pip install -e '.[test]'"
        )


def run_pyinstaller(mode: str, dist: Path, work: Path) -> list[str]:
    """Run PyInstaller; returns the names of system libraries it could not find."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    command = [
        sys.executable,
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
        check_installed_version(version)
        print(f"KlachtDesk {version} bouwen ({args.mode}) naar {dist} ...", flush=True)
        missing = run_pyinstaller(args.mode, dist, work)
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
