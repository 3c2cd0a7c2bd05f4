"""Issue 15, item 4: back-ups on a PostgreSQL server. ``klachtdesk backup`` makes a pg_dump
(custom format) as the beheerder, checks it with pg_restore and only then gives it its name;
the dump restores into a fresh database with every case and audit entry. A dump cut short is
refused and removed, other roles are refused, and without pg_dump KlachtDesk says that the
server's own back-up is in charge. The automatic back-ups do not run on a server unless a
beheerder chose a folder."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from klachtdesk.cli import main
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.safety import backup, server_backup
from tests.postgres.test_server_use import (  # noqa: F401 - the fixtures
    COLLEAGUE,
    PASSWORD,
    demo_file,
    moved,
    user_id,
)


def superuser(address: str):
    return create_engine(make_url(address).set(username="postgres"))


def counts(address: str) -> tuple[int, list[tuple[int, str]]]:
    """The number of cases and the audit log's (id, hash), read by the superuser."""
    engine = superuser(address)
    with engine.connect() as conn:
        cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
        entries = conn.execute(text("SELECT id, hash FROM audit_log ORDER BY id")).all()
    engine.dispose()
    return cases, [tuple(row) for row in entries]


def libpq(address: str) -> str:
    return make_url(address).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def fresh_database(postgres, moved):  # noqa: F811 - the fixture's name
    """An empty database for a restore; dropped on its own (the roles stay for ``moved``)."""
    url = postgres.new_database()
    yield url
    engine = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def test_the_beheerder_makes_a_checked_dump_that_restores_every_case_and_entry(
    moved,  # noqa: F811
    fresh_database,
    tmp_path,
    capsys,
):
    folder = tmp_path / "kopieën"
    folder.mkdir()
    assert main(["backup", "--db", moved, "--to", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Back-up gemaakt:" in out and "gecontroleerd" in out
    assert server_backup.NOTE_AFTER_BACKUP in out
    (dump,) = folder.iterdir()  # nothing half-written beside it
    assert dump.suffix == ".dump" and make_url(moved).database in dump.name
    tools = server_backup.find_tools()
    listing = subprocess.run(
        [str(tools.pg_restore), "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public cases " in listing
    assert "TABLE DATA public audit_log " in listing

    restored = subprocess.run(
        [
            str(tools.pg_restore),
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={libpq(fresh_database)}",
            str(dump),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr
    cases, entries = counts(moved)
    restored_cases, restored_entries = counts(fresh_database)
    assert cases == restored_cases == 30
    # the dump holds the log up to the back-up; the entry for the back-up itself comes after
    assert restored_entries == entries[:-1] and len(restored_entries) > 80

    ctx = setup.unlock(moved, "beheer", PASSWORD)
    assert settings_service.get_settings(ctx)["backup.last_at"]
    with ctx.db.session() as session:
        last = session.execute(
            text("SELECT action, object_ref, detail FROM audit_log ORDER BY id DESC LIMIT 2")
        ).all()
    assert ("backup_gemaakt", dump.name) in [(row[0], row[1]) for row in last]
    # the status names the server as in charge and does not warn (no folder was chosen)
    status = backup.backup_status(ctx)
    assert status.message == server_backup.STATUS_SERVER and not status.warn
    ctx.db.dispose()


def test_a_dump_cut_short_is_refused_and_not_left_behind(moved, tmp_path, monkeypatch):  # noqa: F811
    ctx = setup.unlock(moved, "beheer", PASSWORD)
    tmp_path = tmp_path / "kopieën"
    tmp_path.mkdir()
    real_dump = server_backup.dump

    def cut_short(ctx, tools, part):
        real_dump(ctx, tools, part)
        data = part.read_bytes()
        part.write_bytes(data[: len(data) // 2])  # a full disk, a NAS that went away

    monkeypatch.setattr(server_backup, "dump", cut_short)
    with pytest.raises(server_backup.ServerBackupRejected) as refused:
        backup.make_backup(ctx, tmp_path)
    assert "afgekeurd" in str(refused.value) and "is verwijderd" in str(refused.value)
    assert list(tmp_path.iterdir()) == []
    assert not settings_service.get_settings(ctx)["backup.last_at"]
    ctx.db.dispose()


def test_a_damaged_or_incomplete_dump_fails_the_check(moved, tmp_path):  # noqa: F811
    ctx = setup.unlock(moved, "beheer", PASSWORD)
    tools = server_backup.find_tools()
    good = tmp_path / "goed.dump"
    server_backup.dump(ctx, tools, good)
    server_backup.verify_dump(tools, good, {"cases", "audit_log"})
    with pytest.raises(server_backup.ServerBackupRejected, match="ontbreken"):
        server_backup.verify_dump(tools, good, {"cases", "audit_log", "niet_bestaand"})
    damaged = tmp_path / "kapot.dump"
    damaged.write_bytes(good.read_bytes()[:100])
    with pytest.raises(server_backup.ServerBackupRejected, match="onleesbaar"):
        server_backup.verify_dump(tools, damaged, {"cases"})
    ctx.db.dispose()


def test_a_coordinator_is_refused_and_nothing_is_written(moved, tmp_path, monkeypatch, capsys):  # noqa: F811
    beheer = setup.unlock(moved, "beheer", PASSWORD)
    admin_users.reset_password(beheer, user_id(beheer, "coordinator"), COLLEAGUE)
    chosen = tmp_path / "gekozen"
    chosen.mkdir()
    settings_service.update_settings(beheer, {"backup.folder": str(chosen)})
    beheer.db.dispose()
    tmp_path = tmp_path / "elders"
    tmp_path.mkdir()
    monkeypatch.setenv("KLACHTDESK_USER", "coordinator")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", COLLEAGUE)
    assert main(["backup", "--db", moved, "--to", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "de back-up van de server zelf is leidend" in err
    assert "mag alleen een beheerder maken" in err
    assert list(tmp_path.iterdir()) == []
    # and the automatic back-ups leave a coordinator alone, even with a folder chosen
    ctx = setup.unlock(moved, "coordinator", COLLEAGUE)
    assert not backup.backup_due(ctx)
    assert backup.automatic_backup(ctx, "afsluiten") is None
    assert not backup.backup_status(ctx).warn
    assert list(chosen.iterdir()) == []
    ctx.db.dispose()


def test_without_pg_dump_the_servers_own_backup_is_in_charge(moved, tmp_path, monkeypatch, capsys):  # noqa: F811
    tmp_path = tmp_path / "kopieën"
    tmp_path.mkdir()
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(server_backup, "INSTALL_FOLDERS", [str(tmp_path / "*" / "bin")])
    assert server_backup.find_tools() is None
    assert main(["backup", "--db", moved, "--to", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "Op een PostgreSQL-server is de back-up de taak van uw IT-beheerder" in err
    assert "ontbreken de PostgreSQL-programma's pg_dump en pg_restore" in err
    assert list(tmp_path.iterdir()) == []


def test_the_tools_are_found_in_debians_folders_when_not_on_path(tmp_path, monkeypatch):
    for version in ("9.6", "15", "13"):
        folder = tmp_path / version / "bin"
        folder.mkdir(parents=True)
        for name in ("pg_dump", "pg_restore"):
            (folder / name).write_text("#!/bin/sh\n")
            (folder / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    monkeypatch.setattr(server_backup, "INSTALL_FOLDERS", [str(tmp_path / "*" / "bin")])
    tools = server_backup.find_tools()
    assert tools.pg_dump == tmp_path / "15" / "bin" / "pg_dump"
    assert tools.pg_restore == tmp_path / "15" / "bin" / "pg_restore"


def test_no_folder_chosen_no_dump_and_no_daily_backup(moved, tmp_path):  # noqa: F811
    ctx = setup.unlock(moved, "beheer", PASSWORD)
    assert not backup.backup_due(ctx)
    assert backup.automatic_backup(ctx, "dagelijks") is None
    assert backup.automatic_backup(ctx, "afsluiten") is None
    with pytest.raises(server_backup.ServerBackupInCharge, match="kies dan eerst een map"):
        backup.make_backup(ctx)
    status = backup.backup_status(ctx)
    assert status.message == server_backup.STATUS_SERVER and not status.warn
    assert backup.backup_folder(ctx) == status.folder
    assert backup.backup_witnesses(ctx) == []
    backup.remove_leftover_work_folders(ctx)  # only the temporary folder; no crash

    # a beheerder who chooses a folder gets the daily back-up there, once a day
    settings_service.update_settings(ctx, {"backup.folder": str(tmp_path)})
    status = backup.backup_status(ctx)
    assert status.warn and status.message == "Er is nog nooit een back-up gemaakt."
    assert backup.backup_due(ctx)
    info = backup.automatic_backup(ctx, "dagelijks")
    assert info.verified and info.path.parent == tmp_path and info.path.is_file()
    assert not backup.backup_due(ctx)
    assert backup.automatic_backup(ctx, "dagelijks") is None
    status = backup.backup_status(ctx)
    assert not status.warn and status.message.startswith("Laatste back-up: vandaag")
    ctx.db.dispose()


def test_the_rotation_keeps_this_databases_dumps_only(tmp_path):
    from datetime import datetime, timedelta

    start = datetime(2026, 3, 1, 9, 0, 0)
    made = [
        tmp_path / server_backup.dump_name("klachtdesk", start + timedelta(days=day))
        for day in range(10)
    ]
    other = tmp_path / server_backup.dump_name("andere", start)
    stranger = tmp_path / "mijn-eigen.dump"
    for path in (*made, other, stranger):
        path.write_bytes(b"x")
    removed = server_backup.rotate_dumps(tmp_path, "klachtdesk", 3, 0, 0, protect=made[0])
    assert sorted(removed) == sorted(made[1:7])
    assert other.exists() and stranger.exists() and made[0].exists()
    assert all(path.exists() for path in made[7:])


def test_the_main_window_on_a_server_names_the_servers_backup_and_makes_none(
    qtbot,
    moved,  # noqa: F811
    monkeypatch,
):
    from PySide6.QtCore import QThreadPool

    from klachtdesk.ui import main_window
    from klachtdesk.ui.safety.backup_window import BackupDialog

    shown = []
    monkeypatch.setattr(main_window, "show_error", lambda *args: shown.append(args))
    ctx = setup.unlock(moved, "beheer", PASSWORD)
    window = main_window.MainWindow(ctx, backups=True)
    qtbot.addWidget(window)
    assert server_backup.STATUS_SERVER in window.backup_label.text()
    assert "⚠" not in window.backup_label.text()
    made = []
    automatic = backup.automatic_backup
    monkeypatch.setattr(backup, "automatic_backup", lambda *a: made.append(automatic(*a)))
    qtbot.waitUntil(
        lambda: bool(made), timeout=10_000
    )  # the daily one, two seconds after the start
    QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.waitUntil(lambda: window._backup_task is None, timeout=5000)
    assert made == [None]
    assert "niet gelukt" not in window.backup_label.text()
    dialog = BackupDialog(ctx, window)  # Beheer → Back-ups opens and says the same
    assert dialog.status.text() == server_backup.STATUS_SERVER
    assert "PostgreSQL-server" in dialog.rotation.text()
    assert "niet versleuteld" in dialog.rotation.text()
    assert dialog.restore_button.isHidden()  # the IT provider restores a server
    dialog.deleteLater()
    window.close()  # the back-up on closing: none on a server without a chosen folder
    assert shown == [] and made == [None, None]
    assert not settings_service.get_settings(ctx)["backup.last_at"]
    ctx.db.dispose()


def test_the_backups_window_lists_the_dumps_of_this_database(qtbot, moved, tmp_path):  # noqa: F811
    from klachtdesk.ui.safety.backup_window import BackupDialog

    ctx = setup.unlock(moved, "beheer", PASSWORD)
    settings_service.update_settings(ctx, {"backup.folder": str(tmp_path)})
    made = backup.make_backup(ctx)
    (tmp_path / "klachtdesk-een-andere-database-2026-12-01-101010.dump").write_bytes(b"x")
    dialog = BackupDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == made.path.name
    assert dialog.table.item(0, 3).text() == "gecontroleerd bij het maken"
    ctx.db.dispose()


def test_restoring_over_a_server_database_is_left_to_the_it_provider(
    moved,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    copy = tmp_path / "kopie.kdbackup"
    copy.write_bytes(b"niet gebruikt")
    monkeypatch.setenv("KLACHTDESK_USER", "beheer")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    assert main(["restore", "--db", moved, "--from", str(copy), "--overwrite"]) == 2  # bad input
    assert "zet KlachtDesk niet terug" in capsys.readouterr().err
    ctx = setup.unlock(moved, "beheer", PASSWORD)  # the server's database is as it was
    assert len(admin_users.list_users(ctx)) == 5
    ctx.db.dispose()


def test_a_pg_dump_older_than_the_server_is_explained(moved, tmp_path, monkeypatch, capsys):  # noqa: F811
    """A workstation's PostgreSQL programs older than the server: pg_dump refuses, and the
    beheerder hears why in Dutch (seen with pg_dump 15 against a server 16)."""
    old = tmp_path / "pg_dump"
    old.write_text(
        "#!/bin/sh\necho 'pg_dump: error: aborting because of server version mismatch' >&2\n"
        "exit 1\n"
    )
    old.chmod(0o755)
    real = server_backup.find_tools()
    monkeypatch.setattr(
        server_backup, "find_tools", lambda: server_backup.Tools(old, real.pg_restore)
    )
    monkeypatch.setenv("KLACHTDESK_USER", "beheer")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    folder = tmp_path / "kopieën"
    folder.mkdir()
    assert main(["backup", "--db", moved, "--to", str(folder)]) == 1
    said = capsys.readouterr().err
    assert "ouder dan de server" in said and "leidend" in said
    assert list(folder.iterdir()) == []
