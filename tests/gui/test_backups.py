"""Back-ups in the windows: status and warning, back-up now, automatic ones, restore."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.safety import backup
from klachtdesk.ui.main_window import MainWindow
from klachtdesk.ui.safety.backup_window import BackupDialog
from klachtdesk.ui.safety.restore_dialog import RestoreDialog, restored_text
from tests.conftest import PASSWORD, TODAY, clock, complaint_data


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def case_refs(ctx) -> list[str]:
    return [row.ref for row in case_view.list_rows(ctx, case_view.case_ids(ctx))]


def test_backup_now_from_the_dialog_is_listed_and_the_status_says_today(org, qtbot):
    dialog = BackupDialog(org.beheer)
    qtbot.addWidget(dialog)
    assert dialog.status.text() == "Er is nog nooit een back-up gemaakt."
    assert dialog.table.rowCount() == 0
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Back-up gemaakt" in dialog.message.text(), timeout=20_000)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 3).text() == "gecontroleerd bij het maken"
    assert dialog.status.text() == "Laatste back-up: vandaag 00:00"
    folder = Path(dialog.folder.text())
    assert folder == org.path.parent / "KlachtDesk-back-ups"
    assert [info.name for info in backup.list_backups(folder)] == [dialog.table.item(0, 1).text()]


def test_only_beheer_chooses_the_folder_and_restores(org, qtbot):
    dialog = BackupDialog(org.balie)
    qtbot.addWidget(dialog)
    assert dialog.choose_button.isHidden() and dialog.restore_button.isHidden()
    assert not dialog.backup_button.isHidden()  # anyone may make a back-up


def test_the_status_bar_warns_when_the_last_backup_is_old(org, qtbot):
    settings_service.update_settings(org.beheer, {"backup.last_at": "2026-11-10T16:45:00"})
    window = MainWindow(org.coordinator)
    qtbot.addWidget(window)
    text = window.backup_label.text()
    assert "⚠ De laatste back-up is 15 dagen oud" in text
    settings_service.update_settings(org.beheer, {"backup.last_at": "2026-11-24T16:45:00"})
    window.show_backup_status()
    assert "Laatste back-up: gisteren 16:45" in window.backup_label.text()
    assert "⚠" not in window.backup_label.text()


def test_the_application_makes_a_daily_backup_and_one_on_exit(org, qtbot):
    folder = org.path.parent / "KlachtDesk-back-ups"
    window = MainWindow(org.coordinator, backups=True)
    qtbot.addWidget(window)
    window.show()
    window.daily_backup()
    qtbot.waitUntil(lambda: window._backup_task is None, timeout=20_000)
    assert len(backup.list_backups(folder)) == 1
    assert "vandaag" in window.backup_label.text()
    window.daily_backup()  # not due again today
    qtbot.waitUntil(lambda: window._backup_task is None, timeout=20_000)
    assert len(backup.list_backups(folder)) == 1
    org.coordinator.now = lambda: datetime(2026, 11, 25, 17, 30)
    window.close()
    made = backup.list_backups(folder)  # rotation keeps the newest of the day
    assert [(info.created_at, info.problem) for info in made] == [
        (datetime(2026, 11, 25, 17, 30), "")
    ]


def test_a_second_backup_in_the_same_minute_is_kept(org):
    first = backup.make_backup(org.beheer)
    second = backup.make_backup(org.beheer)
    assert second.path != first.path and second.path.exists()


def test_restore_dialog_puts_a_backup_into_a_new_file(org, qtbot, tmp_path):
    kept = register(org.balie, subject="Voor de back-up")
    info = backup.make_backup(org.beheer)
    register(org.balie, subject="Na de back-up")
    target = tmp_path / "hersteld.kdb"
    dialog = RestoreDialog(target, info.path.parent, "beheer")
    qtbot.addWidget(dialog)
    assert dialog.chosen_backup() == info.path
    assert dialog.overwrite.isHidden()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.restored is not None, timeout=20_000)
    assert "is gecontroleerd en teruggezet" in restored_text(dialog.restored)
    from klachtdesk.services.admin import setup

    restored = setup.unlock(target, "coordinator", PASSWORD, **clock())
    try:
        assert case_refs(restored) == [kept]
    finally:
        restored.db.dispose()


def test_restore_dialog_refuses_a_wrong_password_and_writes_nothing(org, qtbot, tmp_path):
    info = backup.make_backup(org.beheer)
    target = tmp_path / "hersteld.kdb"
    dialog = RestoreDialog(target, info.path.parent, "beheer")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, "niet-het-wachtwoord")
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=20_000)
    qtbot.waitUntil(lambda: "past niet op deze back-up" in dialog.message.text(), timeout=5_000)
    assert dialog.restored is None and not target.exists()
    assert dialog.password.text() == ""


def test_restore_over_an_existing_database_needs_the_box_and_keeps_the_old_one(org, qtbot):
    info = backup.make_backup(org.beheer)
    register(org.balie, subject="Na de back-up")
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    dialog = RestoreDialog(org.path, info.path.parent, "beheer")
    qtbot.addWidget(dialog)
    assert not dialog.overwrite.isHidden() and not dialog.overwrite.isChecked()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "--overwrite" in dialog.message.text() or "bestaande" in dialog.message.text(),
        timeout=20_000,
    )
    assert dialog.restored is None
    dialog.overwrite.setChecked(True)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.restored is not None, timeout=20_000)
    previous = dialog.restored.previous_database
    assert previous is not None and previous.exists() and "voor-herstel" in previous.name
    assert f"De vorige database staat nu in '{previous}'" in restored_text(dialog.restored)


def test_a_backup_of_another_database_is_put_back_only_after_the_question(
    org, qtbot, tmp_path, monkeypatch
):
    from klachtdesk.services.admin import setup

    other_path = tmp_path / "ander" / "ander.kdb"
    other_path.parent.mkdir()
    setup.create_database(other_path, "Andere Stichting", "woonpartners", "beheer", PASSWORD, "B")
    other = setup.unlock(other_path, "beheer", PASSWORD, **clock())
    try:
        info = backup.make_backup(other)
    finally:
        other.db.dispose()
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    before = org.path.read_bytes()
    asked = []
    answer = [False]

    def confirm(self, source, target) -> bool:
        asked.append((source, target))
        return answer[0]

    monkeypatch.setattr(RestoreDialog, "confirm_other_database", confirm)
    dialog = RestoreDialog(org.path, info.path.parent, "beheer")
    qtbot.addWidget(dialog)
    dialog.overwrite.setChecked(True)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert asked == [(info.path, org.path)]
    assert "Er is niets gewijzigd" in dialog.message.text() and dialog.restored is None
    assert org.path.read_bytes() == before
    answer[0] = True
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.restored is not None, timeout=20_000)
    assert dialog.restored.previous_database.read_bytes() == before


def test_beheer_sets_the_rotation_and_the_warning_age_in_the_dialog(org, qtbot):
    dialog = BackupDialog(org.beheer)
    qtbot.addWidget(dialog)
    assert dialog.keep["backup.keep_daily"].value() == 7
    dialog.keep["backup.keep_daily"].setValue(14)
    dialog.keep["backup.warn_after_days"].setValue(3)
    dialog.save_keep()
    values = settings_service.get_settings(org.beheer)
    assert (values["backup.keep_daily"], values["backup.warn_after_days"]) == (14, 3)
    assert "Bewaard blijven de laatste 14 dagelijkse" in dialog.rotation.text()
    assert "opgeslagen" in dialog.message.text()


def test_choosing_a_folder_stores_it_for_the_next_backup(org, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(usb))
    dialog = BackupDialog(org.beheer)
    qtbot.addWidget(dialog)
    dialog.choose_folder()
    assert dialog.folder.text() == str(usb)
    assert backup.make_backup(org.coordinator).path.parent == usb


def test_restoring_from_the_main_window_replaces_the_open_database_and_asks_for_a_login(
    org, qtbot, monkeypatch
):
    import klachtdesk.ui.main_window as main_window_module

    kept = register(org.balie, subject="Voor de back-up")
    info = backup.make_backup(org.beheer)
    register(org.balie, subject="Na de back-up")
    window = MainWindow(org.beheer, backups=True)
    qtbot.addWidget(window)
    window.show()
    window.open_audit_log()  # side windows that read the database are closed first
    monkeypatch.setattr(main_window_module, "confirm", lambda *args, **kwargs: True)

    def run_dialog(dialog) -> int:
        assert dialog.chosen_backup() == info.path and dialog.overwrite.isChecked()
        qtbot.keyClicks(dialog.password, PASSWORD)
        dialog.start_restore()
        qtbot.waitUntil(lambda: dialog.restored is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(RestoreDialog, "exec", run_dialog)
    monkeypatch.setattr(main_window_module.QMessageBox, "information", lambda *a, **k: 0)
    for ctx in (org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    window.restore_backup()
    assert window.restart and not window.isVisible()
    assert not any(
        p.name.startswith("klachtdesk-") and "0000-2" in p.name for p in info.path.parent.iterdir()
    )  # no exit back-up of the old file
    from klachtdesk.services.admin import setup

    again = setup.unlock(org.path, "coordinator", PASSWORD, **clock())
    try:
        assert case_refs(again) == [kept]
    finally:
        again.db.dispose()
    assert any("voor-herstel" in p.name for p in org.path.parent.iterdir())


def test_restoring_waits_for_unsaved_changes_in_a_case_window(org, qtbot, monkeypatch):
    import klachtdesk.ui.main_window as main_window_module

    ref = register(org.balie)
    # a beheerder who also coordinates: beheer alone reads no complaints
    both = replace(
        org.beheer,
        actor=replace(org.beheer.actor, roles=org.beheer.actor.roles | {Role.COORDINATOR}),
    )
    window = MainWindow(both)
    qtbot.addWidget(window)
    window.open_case(ref)
    window.detail_windows[ref].form.set_dirty(True)
    told = []
    monkeypatch.setattr(
        main_window_module.QMessageBox, "information", lambda *args: told.append(args[2])
    )
    monkeypatch.setattr(main_window_module, "confirm", lambda *a, **k: pytest.fail("asked"))
    window.restore_backup()
    assert told and f"zaak {ref}" in told[0] and not window.restart
    window.detail_windows[ref].form.set_dirty(False)
