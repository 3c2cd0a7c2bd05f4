"""A database that will not open: the login window explains and offers the newest back-up."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.safety import backup
from klachtdesk.storage.keyslots import key_file_path
from klachtdesk.ui.start.login import LoginDialog
from tests.conftest import PASSWORD, TODAY, complaint_data


def close_all(org) -> None:
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()


def truncate(path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def overwrite_with_noise(path) -> None:
    path.write_bytes(b"%PDF-1.4 dit is geen database" * 500)


def remove_key_file(path) -> None:
    key_file_path(path).unlink()


def login(qtbot, path, password=PASSWORD) -> LoginDialog:
    dialog = LoginDialog(path)
    qtbot.addWidget(dialog)
    dialog.username.setText("beheer")
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    return dialog


@pytest.mark.parametrize("damage", [truncate, overwrite_with_noise, remove_key_file])
def test_a_damaged_database_is_explained_and_the_newest_backup_put_back(org, qtbot, damage):
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    backup.make_backup(org.beheer)
    close_all(org)
    damage(org.path)

    dialog = login(qtbot, org.path)
    assert dialog.context is None
    assert "back-up" in dialog.message.text().lower()
    assert not dialog.restore_button.isHidden()

    dialog.open_restore()
    restore = dialog.restore_dialog
    assert restore.overwrite.isChecked()  # the damaged file is moved aside, not deleted
    assert restore.username.text() == "beheer"
    qtbot.keyClicks(restore.password, PASSWORD)
    qtbot.mouseClick(restore.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Meld u nu aan" in dialog.message.text(), timeout=20_000)
    assert dialog.restore_button.isHidden()
    aside = sorted(p.name for p in org.path.parent.iterdir() if "voor-herstel" in p.name)
    assert aside  # the damaged database (or what is left of it) is kept

    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.context is not None
    dialog.context.db.dispose()
    reader = setup.unlock(org.path, "coordinator", PASSWORD)  # beheer alone reads no cases
    try:
        rows = case_view.list_rows(reader, case_view.case_ids(reader))
        assert [row.ref for row in rows] == [ref]
    finally:
        reader.db.dispose()


def test_a_missing_database_offers_a_backup_from_the_default_folder(org, qtbot):
    backup.make_backup(org.beheer)
    close_all(org)
    moved = org.path.with_name("elders.kdb")
    org.path.rename(moved)
    dialog = login(qtbot, org.path)
    assert "bestaat niet" in dialog.message.text()
    assert not dialog.restore_button.isHidden()
    dialog.open_restore()
    restore = dialog.restore_dialog
    assert restore.backup_combo.count() == 1
    # The key file is still there: it is moved aside with the (missing) database's journal.
    assert not restore.overwrite.isHidden() and restore.overwrite.isChecked()
    qtbot.keyClicks(restore.password, PASSWORD)
    qtbot.mouseClick(restore.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Meld u nu aan" in dialog.message.text(), timeout=20_000)
    assert org.path.exists() and moved.exists()


def test_restore_offers_the_newest_backup_of_this_database_not_of_a_restored_copy(org, qtbot):
    from klachtdesk.services.safety import restore as restore_service
    from klachtdesk.ui.safety.restore_dialog import RestoreDialog

    own = backup.make_backup(org.beheer)
    copy = org.path.with_name("oud.kdb")
    restore_service.restore_backup(own.path, copy, "beheer", PASSWORD)
    later = datetime(2026, 11, 25, 18, 0)  # the copy's back-up is the newest of the day
    copy_ctx = setup.unlock(copy, "beheer", PASSWORD, today=lambda: TODAY, now=lambda: later)
    try:
        from_copy = backup.make_backup(copy_ctx, own.path.parent)  # the copy's exit back-up
    finally:
        copy_ctx.db.dispose()
    assert own.path.exists()  # rotation of the copy leaves the live database's back-up alone
    dialog = RestoreDialog(org.path, own.path.parent, "beheer")
    qtbot.addWidget(dialog)
    assert dialog.chosen_backup() == own.path and from_copy.path != own.path


def test_a_newer_database_is_not_offered_for_replacement(org, qtbot):
    conn = org.beheer.db.raw_connection()
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    backup_dir = org.path.parent / "KlachtDesk-back-ups"
    backup_dir.mkdir()
    close_all(org)
    dialog = login(qtbot, org.path)
    assert "als nieuw bestand" in dialog.message.text()
    dialog.open_restore()
    assert not dialog.restore_dialog.overwrite.isChecked()


def test_a_wrong_password_offers_no_restore(org, qtbot):
    close_all(org)
    dialog = login(qtbot, org.path, "niet-goed")
    assert "klopt niet" in dialog.message.text()
    assert dialog.restore_button.isHidden()


def test_a_newer_database_is_explained_and_restore_is_offered(org, qtbot):
    conn = org.beheer.db.raw_connection()
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    close_all(org)
    dialog = login(qtbot, org.path)
    assert "nieuwere versie van KlachtDesk" in dialog.message.text()
    assert not dialog.restore_button.isHidden()
    with pytest.raises(Exception, match="nieuwere versie"):
        setup.unlock(org.path, "beheer", PASSWORD)
