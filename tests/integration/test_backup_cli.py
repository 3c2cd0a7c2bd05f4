"""`klachtdesk backup` and `klachtdesk restore` in a real process: output and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from tests.conftest import TODAY, cli_env, complaint_data

TIMEOUT_S = 120


def run(tmp_path: Path, user: str | None, *args: str, **env_changes) -> subprocess.CompletedProcess:
    env = cli_env(tmp_path, user or "")
    if user is None:
        env.pop("KLACHTDESK_USER")
        env.pop("KLACHTDESK_PASSWORD")
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-m", "klachtdesk", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def made(org, tmp_path):
    """A database with one case and a back-up of it made with the command."""
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    folder = tmp_path / "usb"
    folder.mkdir()
    result = run(tmp_path, "balie", "backup", "--db", str(org.path), "--to", str(folder))
    assert result.returncode == 0, result.stderr
    match = re.fullmatch(
        r"Back-up gemaakt: (\S+\.kdbackup) \((\d+ kB|\d+,\d MB)\), gecontroleerd\.\n",
        result.stdout,
    )
    assert match, result.stdout
    path = Path(match.group(1))
    assert path.parent == folder and [p.name for p in folder.iterdir()] == [path.name]
    return ref, path


def test_backup_then_restore_to_a_new_file_and_log_in(made, tmp_path):
    ref, backup_file = made
    target = tmp_path / "hersteld.kdb"
    result = run(
        tmp_path, "coordinator", "restore", "--db", str(target), "--from", str(backup_file)
    )
    assert result.returncode == 0, result.stderr
    assert f"De back-up {backup_file.name} is gecontroleerd" in result.stdout
    assert f"Teruggezet naar {target} met het sleutelbestand {target}.keys." in result.stdout
    listing = run(tmp_path, "coordinator", "cases", "--db", str(target), "--json")
    assert listing.returncode == 0, listing.stderr
    [row] = json.loads(listing.stdout)
    assert (row["ref"], row["complainant"]) == (ref, "Fatima el Amrani")


def test_restore_refuses_an_existing_database_without_overwrite(made, tmp_path):
    _ref, backup_file = made
    target = tmp_path / "hersteld.kdb"
    first = run(tmp_path, "balie", "restore", "--db", str(target), "--from", str(backup_file))
    assert first.returncode == 0, first.stderr
    before = target.read_bytes()

    refused = run(tmp_path, "balie", "restore", "--db", str(target), "--from", str(backup_file))
    assert refused.returncode == 2
    assert "--overwrite" in refused.stderr and "Er is niets gewijzigd" in refused.stderr
    no_traceback(refused)
    assert target.read_bytes() == before

    overwrite = ["restore", "--db", str(target), "--from", str(backup_file), "--overwrite"]
    not_beheer = run(tmp_path, "balie", *overwrite)  # replacing a database is beheer's
    assert not_beheer.returncode == 1 and "alleen een beheerder" in not_beheer.stderr
    assert target.read_bytes() == before
    replaced = run(tmp_path, "beheer", *overwrite)
    assert replaced.returncode == 0, replaced.stderr
    assert "opzij gezet" in replaced.stdout
    aside = sorted(p for p in tmp_path.iterdir() if ".voor-herstel-" in p.name)
    assert [p.name for p in aside] == [aside[0].name, aside[0].name + ".keys"]
    assert aside[0].name.startswith("hersteld.kdb.voor-herstel-")
    assert all(str(p) in replaced.stdout for p in aside)
    assert aside[0].read_bytes() == before


def test_restore_with_the_recovery_code_from_the_environment(made, org, tmp_path):
    ref, backup_file = made
    target = tmp_path / "via-code.kdb"
    args = ("restore", "--db", str(target), "--from", str(backup_file), "--recovery-code")
    missing = run(tmp_path, None, *args)
    assert missing.returncode == 1
    assert "KLACHTDESK_RECOVERY_CODE" in missing.stderr
    assert not target.exists()

    result = run(tmp_path, None, *args, KLACHTDESK_RECOVERY_CODE=org.recovery_code)
    assert result.returncode == 0, result.stderr
    listing = run(tmp_path, "beheer", "cases", "--db", str(target), "--json")
    assert [row["ref"] for row in json.loads(listing.stdout)] == [ref]


def flip_bytes_in_the_database(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        entry = zf.getinfo("klachtdesk.kdb")
    raw = bytearray(path.read_bytes())
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)
    middle = start + entry.file_size // 2
    raw[middle : middle + 8] = bytes(b ^ 0x55 for b in raw[middle : middle + 8])
    path.write_bytes(bytes(raw))


def test_a_damaged_backup_or_wrong_password_exits_1_and_creates_nothing(made, tmp_path):
    _ref, backup_file = made
    target = tmp_path / "nieuw" / "klachten.kdb"
    target.parent.mkdir()
    args = ("restore", "--db", str(target), "--from", str(backup_file))

    wrong = run(tmp_path, "balie", *args, KLACHTDESK_PASSWORD="verkeerd-wachtwoord")
    assert wrong.returncode == 1
    assert "past niet op deze back-up" in wrong.stderr
    no_traceback(wrong)

    flip_bytes_in_the_database(backup_file)
    damaged = run(tmp_path, "balie", *args)
    assert damaged.returncode == 1
    assert "is beschadigd of onvolledig" in damaged.stderr
    no_traceback(damaged)
    assert list(target.parent.iterdir()) == []


def test_bad_input_exits_2(org, tmp_path):
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    missing_folder = run(
        tmp_path, "balie", "backup", "--db", str(org.path), "--to", str(tmp_path / "weg")
    )
    assert missing_folder.returncode == 2
    assert "bestaat niet" in missing_folder.stderr
    missing_file = run(
        tmp_path,
        "balie",
        "restore",
        "--db",
        str(tmp_path / "nieuw.kdb"),
        "--from",
        str(tmp_path / "geen.kdbackup"),
    )
    assert missing_file.returncode == 2
    assert "geen.kdbackup' bestaat niet" in missing_file.stderr
    for result in (missing_folder, missing_file):
        no_traceback(result)
    assert not (tmp_path / "nieuw.kdb").exists()
