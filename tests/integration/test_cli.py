"""The `klachtdesk` command end to end: init, import, cases --json, check, exit codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from klachtdesk.cli import main
from tests.conftest import PASSWORD, cli_env, complaint_data

TODAY_ISO = "2026-11-20"


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("KLACHTDESK_USER", "beheer")


@pytest.fixture
def db(tmp_path, env, capsys):
    path = tmp_path / "cli.kdb"
    code = main(
        [
            "init",
            "--db",
            str(path),
            "--org",
            "De Linde",
            "--procedure",
            "woonpartners",
            "--admin",
            "beheer",
        ]
    )
    assert code == 0
    capsys.readouterr()
    return path


def run_json(capsys, *args) -> list:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def write_json(path, records):
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_init_prints_the_recovery_code_once(tmp_path, env, capsys):
    path = tmp_path / "nieuw.kdb"
    assert (
        main(
            [
                "init",
                "--db",
                str(path),
                "--org",
                "Vereniging Ons Huis",
                "--procedure",
                "livable",
                "--admin",
                "Anna",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "HERSTELCODE" in out
    code_line = [line.strip() for line in out.splitlines() if line.count("-") == 7][0]
    assert len(code_line.replace("-", "")) == 32
    assert path.exists() and (tmp_path / "nieuw.kdb.keys").exists()
    # Running it again refuses to overwrite, with exit code 2 and a Dutch message.
    assert (
        main(["init", "--db", str(path), "--org", "X", "--procedure", "livable", "--admin", "anna"])
        == 2
    )
    assert "overschrijft geen bestaande database" in capsys.readouterr().err


def test_import_json_then_list_as_json(db, tmp_path, capsys):
    records = [
        complaint_data(received="2026-11-20"),
        complaint_data(received="2026-04-17", channel="brief", subject="Monteur niet gekomen"),
    ]
    source = write_json(tmp_path / "web.json", records)
    assert main(["import", "--db", str(db), str(source)]) == 0
    assert (
        "2 klachten geïmporteerd: KD-2026-0001 tot en met KD-2026-0002" in capsys.readouterr().out
    )
    rows = run_json(capsys, "cases", "--db", str(db), "--json")
    assert [r["ref"] for r in rows] == ["KD-2026-0001", "KD-2026-0002"]
    first, second = rows
    assert first["status"] == "ontvangen"
    assert first["received"] == "2026-11-20"
    assert first["complainant"] == "Fatima el Amrani"
    assert first["subject"] == "Lekkage badkamer niet verholpen"
    # Woonpartners: acknowledgement 5 working days, decision 4 weeks from receipt.
    assert first["deadlines"] == {"ontvangstbevestiging": "2026-11-27", "uitspraak": "2026-12-18"}
    # Received Fri 17 April 2026: 4 weeks → Fri 15 May 2026, a decree day after Ascension,
    # then the weekend → Monday 18 May. 5 working days: 20, 21, 22, 23, 24 April.
    assert second["deadlines"] == {"ontvangstbevestiging": "2026-04-24", "uitspraak": "2026-05-18"}


def test_import_lists_employees_that_are_not_on_the_list(db, tmp_path, capsys):
    from klachtdesk.services.admin import setup

    admin = setup.unlock(db, "beheer", PASSWORD)
    setup.add_user(admin, "carla", "Carla Coördinator", "coordinator", PASSWORD)
    admin.db.dispose()
    source = write_json(
        tmp_path / "web.json",
        [complaint_data(employee="C. Coördinator"), complaint_data(employee="")],
    )
    assert main(["import", "--db", str(db), str(source)]) == 0
    out = capsys.readouterr().out
    assert "noemen een medewerker die niet in de lijst van medewerkers staat" in out
    # the name the complainant gave is probably the coordinator herself
    assert "KD-2026-0001: 'C. Coördinator' (lijkt op Carla Coördinator)" in out
    assert "KD-2026-0002:" not in out  # it names no employee


def test_import_csv_with_semicolons_and_dutch_booleans(db, tmp_path, capsys):
    path = tmp_path / "export.csv"
    fields = [
        "received",
        "channel",
        "name",
        "street",
        "postcode",
        "city",
        "phone",
        "email",
        "subject",
        "description",
        "category",
        "employee",
        "discussed_with_employee",
        "expectation",
    ]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(fields)
        writer.writerow(
            [
                "2026-11-02",
                "web",
                "Kees de Jong",
                "Molenweg 12",
                "3431ab",
                "Nieuwegein",
                "",
                "",
                "Geen antwoord op e-mails",
                "Drie mails, geen antwoord.",
                "communicatie",
                "",
                "ja",
                "",
            ]
        )
        writer.writerow([])
    assert main(["import", "--db", str(db), str(path)]) == 0
    capsys.readouterr()
    rows = run_json(capsys, "cases", "--db", str(db), "--json")
    assert rows[0]["complainant"] == "Kees de Jong"
    assert rows[0]["category"] == "Communicatie"


@pytest.mark.parametrize(
    ("bad_record", "expected"),
    [
        (
            {
                "complainant": {
                    "name": "A. Jansen",
                    "street": "Dorpsstraat 1",
                    "postcode": "12345",
                    "city": "Zeist",
                }
            },
            "Record 2, veld 'postcode': '12345' is geen geldige Nederlandse postcode",
        ),
        ({"received": "2031-01-01"}, "Record 2, veld 'ontvangen': de datum van ontvangst ligt"),
        ({"channel": "fax"}, "Record 2, veld 'kanaal': 'fax' is geen bekend kanaal"),
        ({"subject": "   "}, "Record 2, veld 'onderwerp': is verplicht."),
        ({"category": "Parkeren"}, "Record 2, veld 'categorie': 'Parkeren' is onbekend"),
    ],
)
def test_one_bad_record_imports_nothing_and_names_record_and_field(
    db, tmp_path, capsys, bad_record, expected
):
    source = write_json(tmp_path / "fout.json", [complaint_data(), complaint_data(**bad_record)])
    assert main(["import", "--db", str(db), str(source)]) == 2
    assert expected in capsys.readouterr().err
    assert run_json(capsys, "cases", "--db", str(db), "--json") == []


def test_malformed_import_files_get_dutch_messages(db, tmp_path, capsys):
    broken = tmp_path / "kapot.json"
    broken.write_text('[{"received": "2026-11-20",', encoding="utf-8")
    assert main(["import", "--db", str(db), str(broken)]) == 2
    assert "geen geldige JSON" in capsys.readouterr().err
    assert main(["import", "--db", str(db), str(tmp_path / "weg.json")]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("received,channel,name\n2026-11-20,web,Jos\xe9\n".encode("latin-1"))
    assert main(["import", "--db", str(db), str(latin)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_wrong_password_is_a_dutch_message_and_exit_1(db, monkeypatch, capsys):
    monkeypatch.setenv("KLACHTDESK_PASSWORD", "dit-is-fout")
    assert main(["cases", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "wachtwoord klopt niet" in err
    assert "Traceback" not in err


def test_check_reports_a_healthy_database(db, capsys):
    assert main(["check", "--db", str(db)]) == 0
    assert "De database is in orde." in capsys.readouterr().out


def test_check_finds_a_damaged_file(db, capsys):
    raw = bytearray(db.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 64] = b"\0" * 64
    db.write_bytes(bytes(raw))
    code = main(["check", "--db", str(db)])
    captured = capsys.readouterr()
    assert code == 1
    assert "beschadigd" in captured.err
    assert "Traceback" not in captured.err


def test_balie_cannot_add_users(db, capsys, monkeypatch):
    monkeypatch.setenv("KLACHTDESK_NEW_PASSWORD", "welkom-bea-2026")
    assert (
        main(["user", "add", "bea", "--db", str(db), "--name", "Bea Smits", "--roles", "balie"])
        == 0
    )
    capsys.readouterr()
    monkeypatch.setenv("KLACHTDESK_USER", "bea")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", "welkom-bea-2026")
    assert (
        main(["user", "add", "kees", "--db", str(db), "--name", "Kees", "--roles", "beheer"]) == 1
    )
    assert "rol Beheerder nodig" in capsys.readouterr().err


def test_unknown_option_is_bad_input(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["cases", "--bestaat-niet"])
    assert exit_info.value.code == 2
    assert "onbekende gegevens" in capsys.readouterr().err


def test_demo_builds_cases_in_every_state(tmp_path, env, capsys):
    path = tmp_path / "demo.kdb"
    assert main(["demo", "--db", str(path), "--cases", "220"]) == 0
    capsys.readouterr()
    os.environ["KLACHTDESK_USER"] = "coordinator"
    rows = run_json(capsys, "cases", "--db", str(path), "--json")
    assert len(rows) == 220
    states = {row["status"] for row in rows}
    assert {
        "ontvangen",
        "in_behandeling",
        "afgehandeld",
        "niet_ontvankelijk",
        "doorverwezen",
        "gesloten",
    } <= states
    assert len({row["complainant"] for row in rows}) > 50


def test_the_installed_command_runs_and_never_shows_a_traceback(db, tmp_path):
    """The real entry point in a fresh process, as an administrator's script runs it."""
    env = {**os.environ, "KLACHTDESK_PASSWORD": "fout", "KLACHTDESK_USER": "beheer"}
    result = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "cases", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "wachtwoord klopt niet" in result.stderr
    assert "Traceback" not in result.stderr
    env["KLACHTDESK_PASSWORD"] = PASSWORD
    result = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "cases", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_report_command_writes_pdf_and_csv_without_personal_data(db, tmp_path, capsys):
    import pypdfium2

    source = write_json(tmp_path / "web.json", [complaint_data(received="2026-03-02")])
    assert main(["import", "--db", str(db), str(source)]) == 0
    capsys.readouterr()
    pdf, sheet = tmp_path / "rapport.pdf", tmp_path / "rapport.csv"
    assert (
        main(
            [
                "report",
                "--db",
                str(db),
                "--period",
                "2026H1",
                "--out",
                str(pdf),
                "--csv",
                str(sheet),
            ]
        )
        == 0
    )
    assert "Evaluatierapport" in capsys.readouterr().out
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    assert "1 januari 2026" in text and "30 juni 2026" in text
    csv_text = sheet.read_text(encoding="utf-8-sig")
    assert csv_text.count(";") > 10
    for personal in ("Fatima", "Amrani", "Lindelaan", "fatima@voorbeeld.nl", "lekt"):
        assert personal not in text and personal not in csv_text
    assert main(["report", "--db", str(db), "--period", "2026H3", "--out", str(pdf)]) == 2
    assert "2026H3" in capsys.readouterr().err


def test_a_window_session_ends_with_the_windows_status_and_no_teardown_crash(tmp_path):
    """A real window session through the program's entry point: log in, use the tabs, open a
    case, close the main window. The process ends by itself with status 0: the interpreter's
    own clean-up runs (nothing skips it) and may not crash."""
    script = f"""
import sys
import traceback
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from klachtdesk import app, cli
from klachtdesk.services import demo
from klachtdesk.services.admin import setup

path = {str(tmp_path / "demo.kdb")!r}
demo.create_demo_database(path, "beheer", "geheim-wachtwoord-1", cases=30)


def login(database):
    QTimer.singleShot(0, use_the_window)  # runs once the main window's event loop runs
    return setup.unlock(database, "coordinator", "geheim-wachtwoord-1")


def use_the_window():
    try:
        work()
    except Exception:  # report it and end the session: the error dialog would wait forever
        traceback.print_exc()
        QApplication.exit(1)


def work():
    window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
    for _round in range(5):
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            QApplication.processEvents()
    ref = window.cases.model.row_at(0).ref
    window.open_case(ref)
    QApplication.processEvents()
    for detail in window.detail_windows.values():
        detail.close()
    window.close()

app._login = login
sys.argv = ["klachtdesk", "gui", "--db", path]
cli.entry()
"""
    env = cli_env(tmp_path, "coordinator")
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert "Fatal Python error" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["init", "--help"], ["cases", "--help"], ["case", "--help"], ["user", "--help"]],
)
def test_the_help_of_every_command_is_dutch(args, capsys):
    """argparse writes 'usage', 'positional arguments', 'options' and 'show this help message
    and exit' itself; a Dutch office reads 'gebruik', 'gegevens', 'opties'."""
    try:
        code = main(args)
    except SystemExit as done:  # argparse's own --help exits
        code = done.code
    assert code == 0
    text = capsys.readouterr().out
    assert text.startswith("gebruik: klachtdesk")
    for english in ("usage", "positional arguments", "options:", "show this help", "and exit"):
        assert english not in text
