"""The audit log window: lazy pages, filters, the chain line and the export."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import func, select, text

from klachtdesk.services.context import audit
from klachtdesk.storage.models import AuditEntry
from klachtdesk.ui.safety.audit_log_window import AuditLogModel, AuditLogWindow


def count(ctx, action: str) -> int:
    with ctx.db.session() as session:
        return session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


@pytest.fixture
def busy_log(org):
    """500 case views spread over November, so the log needs several pages."""
    start = datetime(2026, 11, 1, 8, 0)
    with org.beheer.db.session(write=True) as session:
        for number in range(500):
            who = ("balie", "coordinator")[number % 2]
            ref = f"KD-2026-{number % 50 + 1:04d}"
            audit(session, who, "zaak_bekeken", ref, at=start + timedelta(hours=number))
    return org


def open_window(org, qtbot) -> AuditLogWindow:
    window = AuditLogWindow(org.beheer)
    qtbot.addWidget(window)
    window.show()
    wait_for_chain(window, qtbot)
    return window


def wait_for_chain(window, qtbot) -> None:
    """The chain is checked on a pool thread; the line says so until it is done."""
    qtbot.waitUntil(lambda: window._chain_task is None, timeout=10_000)


def shown(window, column: int) -> list[str]:
    model = window.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_the_window_reads_pages_lazily_and_records_one_viewing(busy_log, qtbot, qtmodeltester):
    window = open_window(busy_log, qtbot)
    model = window.model
    assert model.rowCount() > 500
    assert list(model._pages) == [0]  # only the first page was read
    assert window.count.text() == f"{model.rowCount()} regels"
    first = model.index(0, 0).data()
    window.table.scrollToBottom()
    last_row = model.rowCount() - 1
    assert model.index(last_row, 0).data() == "01-11-2026 08:00:00"  # the oldest, at the end
    assert model.index(last_row, 2).data() == "Zaak bekeken"
    assert len(model._pages) == 2 and model.index(0, 0).data() == first
    moments = [datetime.strptime(t, "%d-%m-%Y %H:%M:%S") for t in shown(window, 0)]
    assert moments == sorted(moments, reverse=True)  # newest first, over all pages
    assert count(busy_log.beheer, "auditlog_bekeken") == 1  # per opening, not per page
    qtmodeltester.check(model)


def test_filters_narrow_the_list(busy_log, qtbot):
    window = open_window(busy_log, qtbot)
    window.user.setCurrentIndex(window.user.findData("coordinator"))
    assert window.model.rowCount() == 251  # 250 views and one login
    assert set(shown(window, 1)) == {"Carla Coördinator (coordinator)"}
    window.action.setCurrentIndex(window.action.findData("zaak_bekeken"))
    assert window.model.rowCount() == 250
    qtbot.keyClicks(window.search, "KD-2026-0002")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert set(shown(window, 3)) == {"KD-2026-0002"} and window.model.rowCount() == 10
    window.clear_filters()
    window.from_enabled.setChecked(True)
    window.from_date.setDate(QDate(2026, 11, 3))
    window.to_enabled.setChecked(True)
    window.to_date.setDate(QDate(2026, 11, 3))
    assert window.model.rowCount() == 24
    assert shown(window, 0)[0] == "03-11-2026 23:00:00"
    window.to_date.setDate(QDate(2026, 11, 2))  # before "van": a Dutch message, an empty list
    assert window.model.rowCount() == 0
    assert "de datum 'van' ligt na de datum 'tot en met'" in window.count.text()
    assert not window.export_button.isEnabled()
    window.clear_filters()
    assert window.model.rowCount() > 500 and window.search.text() == ""


def test_the_chain_line_shows_a_break(org, qtbot, monkeypatch):
    window = open_window(org, qtbot)
    assert window.chain.text().startswith("Keten van het auditlog: in orde")
    with org.beheer.db.session(write=True) as session:
        session.execute(text("UPDATE audit_log SET detail = 'vervalst' WHERE id = 2"))
    window.refresh()
    assert window.chain.text() == "De keten van het auditlog wordt gecontroleerd…"
    wait_for_chain(window, qtbot)
    assert "onderbroken bij regel 2" in window.chain.text()
    assert window.chain_checked.broken_id == 2


def test_export_writes_the_filtered_log_and_is_recorded(busy_log, qtbot, monkeypatch, tmp_path):
    window = open_window(busy_log, qtbot)
    window.user.setCurrentIndex(window.user.findData("balie"))
    window.action.setCurrentIndex(window.action.findData("zaak_bekeken"))
    target = tmp_path / "export"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV-bestand")
    )
    messages = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: messages.append(box.text()))
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "export.csv"
    with written.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert len(rows) == 251 and rows[1][2] == "Bea Balie (balie)"
    assert "250 regels zijn opgeslagen" in messages[0] and "niet versleuteld" in messages[0]
    assert count(busy_log.beheer, "auditlog_geexporteerd") == 1
    assert window.action.findData("auditlog_geexporteerd") > 0  # the list was read again
    wait_for_chain(window, qtbot)


def test_locking_forgets_the_rows_and_refresh_reads_them_again(org, qtbot):
    window = open_window(org, qtbot)
    window.user.setCurrentIndex(window.user.findData("balie"))
    window.forget()
    assert window.model.rowCount() == 0 and window.chain.text() == ""
    assert window.user.count() == 1
    window.refresh()
    assert window.user.currentData() == "balie" and window.model.rowCount() > 0
    wait_for_chain(window, qtbot)


def test_only_beheer_may_open_the_window(org, qtbot, monkeypatch):
    messages = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: messages.append(box.text()))
    window = AuditLogWindow(org.coordinator)
    qtbot.addWidget(window)
    assert not window.allowed and window.model.rowCount() == 0
    assert "rol Beheerder nodig" in messages[0]


def test_the_model_alone_follows_its_filter(busy_log, qtmodeltester):
    from klachtdesk.services.safety.audit_log import AuditFilter

    model = AuditLogModel(busy_log.beheer)
    model.set_filter(AuditFilter(start=date(2026, 11, 5), end=date(2026, 11, 5)))
    assert model.rowCount() == 24
    qtmodeltester.check(model)
