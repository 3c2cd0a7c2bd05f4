"""The evaluation report window: figures, charts, action points and exports, as a user sees them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QDate, Qt, QThreadPool
from PySide6.QtWidgets import QLabel

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import report
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.ui import report_window
from klachtdesk.ui.report_window import ReportWindow
from tests.conftest import TODAY, complaint_data


def at(ctx, day: date, hour: int = 10):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, hour))


def register(org, received: str, channel: str = "telefoon") -> str:
    data = complaint_data(received=received, channel=channel, department="Wonen")
    return cases.register(
        at(org.balie, date.fromisoformat(received)), ComplaintInput.validated(data, TODAY)
    )


@pytest.fixture
def data(org):
    """Three complaints in 2026H1 and one in 2025H2; one decided in 15 working days."""
    register(org, "2025-10-06", "brief")
    first = register(org, "2026-01-05")
    case_activities.mark_letter_sent(
        at(org.balie, date(2026, 1, 7)),
        first,
        "ontvangstbevestiging",
        date(2026, 1, 7),
        "post",
    )
    cases.perform(at(org.coordinator, date(2026, 1, 6)), first, Action.TRIAGE_KLACHT)
    cases.perform(
        at(org.manager, date(2026, 1, 26)),
        first,
        Action.UITSPRAAK,
        outcome="gegrond",
        motivation="Terecht.",
    )
    register(org, "2026-03-02", "email")
    register(org, "2026-06-15", "email")
    return org


def open_window(qtbot, ctx) -> ReportWindow:
    window = ReportWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)
    return window


@pytest.fixture(autouse=True)
def finish_tasks():
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def figure_rows(window) -> dict[str, list[str]]:
    table = window.figures_table
    result = {}
    for row in range(table.rowCount()):
        cells = [table.item(row, c).text() if table.item(row, c) else "" for c in range(4)]
        result[cells[0].strip()] = cells[1:]
    return result


def test_opens_on_the_last_finished_half_year_with_its_figures(data, qtbot):
    window = open_window(qtbot, data.coordinator)
    assert window.evaluation is not None
    assert window.evaluation.period == report.parse_period("2026H1")
    header = [window.figures_table.horizontalHeaderItem(c).text() for c in range(4)]
    assert header == ["Omschrijving", "1e halfjaar 2026", "2e halfjaar 2025", "Verschil"]
    rows = figure_rows(window)
    assert rows["Totaal ontvangen"] == ["3", "1", "+2"]
    assert rows["E-mail"] == ["2", "0", "+2"]
    assert rows["Mediaan"] == ["15", "–", ""]
    assert rows["Ontvangstbevestigingen op tijd"][0] == "33,3%"  # 1 of 3 acknowledged in time
    assert "Ontvangen klachten" in rows  # a section title row
    assert "1 januari 2026 – 30 juni 2026" in window.period_message.text()
    assert window.pdf_button.isEnabled() and window.csv_button.isEnabled()


def test_choosing_a_range_and_pressing_enter_computes_it(data, qtbot):
    window = open_window(qtbot, data.coordinator)
    window.from_date.setDate(QDate(2026, 3, 1))
    window.to_date.setDate(QDate(2026, 3, 31))
    assert window.range_radio.isChecked()
    qtbot.keyClick(window.compute_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.evaluation.period.start == date(2026, 3, 1), timeout=10_000)
    assert figure_rows(window)["Totaal ontvangen"] == ["1", "0", "+1"]
    assert window.figures_table.horizontalHeaderItem(1).text() == "01-03-2026 t/m 31-03-2026"


def test_a_wrong_range_gets_a_dutch_message_and_keeps_the_figures(data, qtbot):
    window = open_window(qtbot, data.coordinator)
    shown = window.evaluation
    window.from_date.setDate(QDate(2026, 6, 30))
    window.to_date.setDate(QDate(2026, 1, 1))
    qtbot.mouseClick(window.compute_button, Qt.MouseButton.LeftButton)
    assert "de einddatum ligt vóór de begindatum" in window.period_message.text()
    assert window.evaluation is shown


def test_a_failure_is_shown_as_a_dutch_message(org, qtbot, monkeypatch):
    messages = []
    monkeypatch.setattr(report_window, "show_error", lambda parent, error: messages.append(error))

    def broken(ctx, period):
        raise KlachtDeskError("De database is bezet; probeer het zo nog eens.")

    monkeypatch.setattr(report_window.report, "evaluation", broken)
    window = open_window(qtbot, org.coordinator)
    assert [str(m) for m in messages] == ["De database is bezet; probeer het zo nog eens."]
    assert window.period_message.text() == "Het rapport kon niet worden berekend."
    assert not window.pdf_button.isEnabled()


def test_charts_are_shown(data, qtbot):
    window = open_window(qtbot, data.coordinator)
    window.tabs.setCurrentIndex(1)
    pictures = [
        label
        for label in window.findChildren(QLabel)
        if label.objectName().startswith("chart") and label.pixmap() is not None
    ]
    assert len(pictures) == 6
    assert all(not p.pixmap().isNull() and p.pixmap().width() > 200 for p in pictures)
    assert pictures[0].accessibleName() == "Ontvangen klachten per categorie"


def test_the_coordinator_adds_and_completes_an_action_point(data, qtbot):
    window = open_window(qtbot, data.coordinator)
    window.tabs.setCurrentIndex(2)
    qtbot.keyClicks(window.description_edit, "Bevestigingen dezelfde dag versturen.")
    qtbot.keyClicks(window.owner_edit, "Teamleider Klantenservice")
    window.due_check.setChecked(True)
    window.due_edit.setDate(QDate(2026, 12, 15))
    qtbot.keyClick(window.owner_edit, Qt.Key.Key_Return)
    table = window.points_table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in range(4)] == [
        "Bevestigingen dezelfde dag versturen.",
        "Teamleider Klantenservice",
        "15-12-2026",
        "Open",
    ]
    assert window.description_edit.text() == ""
    stored = report.list_action_points(data.manager, "2026H1")
    assert [(p.owner, p.due) for p in stored] == [("Teamleider Klantenservice", date(2026, 12, 15))]

    assert not window.complete_point_button.isEnabled()
    table.selectRow(0)
    qtbot.mouseClick(window.complete_point_button, Qt.MouseButton.LeftButton)
    assert table.item(0, 3).text() == "Afgerond op 25-11-2026"
    assert window.evaluation.action_points[0].done_on == TODAY


def test_an_action_point_without_owner_is_refused_at_the_form(data, qtbot):
    window = open_window(qtbot, data.coordinator)
    qtbot.keyClicks(window.description_edit, "Iets verbeteren.")
    qtbot.mouseClick(window.add_point_button, Qt.MouseButton.LeftButton)
    assert "verantwoordelijke" in window.point_message.text()
    assert window.description_edit.text() == "Iets verbeteren."  # what was typed stays
    assert report.list_action_points(data.coordinator, "2026H1") == []


def test_the_manager_sees_the_report_but_keeps_no_action_points(data, qtbot):
    window = open_window(qtbot, data.manager)
    assert figure_rows(window)["Totaal ontvangen"] == ["3", "1", "+2"]
    assert not window.form_box.isEnabled()
    assert "klachtencoördinator" in window.form_box.toolTip()


def test_saving_as_pdf_and_csv(data, qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, data.coordinator)
    answers = iter([str(tmp_path / "rapport"), str(tmp_path / "cijfers.csv")])
    asked = []

    def save_as(parent, title, suggestion, pattern):
        asked.append((title, suggestion))
        return next(answers), pattern

    monkeypatch.setattr(report_window.QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(window.pdf_button, Qt.MouseButton.LeftButton)
    pdf = tmp_path / "rapport.pdf"  # the extension is added
    assert pdf.exists()
    assert window.status_label.text() == f"Opgeslagen in {pdf}."
    document = pdfium.PdfDocument(pdf.read_bytes())
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert "Evaluatie klachtbehandeling" in text and "33,3%" in text
    assert "Fatima" not in text and "Lindelaan" not in text

    qtbot.mouseClick(window.csv_button, Qt.MouseButton.LeftButton)
    content = (tmp_path / "cijfers.csv").read_bytes().decode("utf-8-sig")
    assert "Ontvangen klachten;Totaal ontvangen;3;1;+2" in content
    assert asked[0][0] == "Evaluatierapport opslaan als PDF"
    assert asked[0][1].endswith("evaluatierapport-2026H1.pdf")


def test_cancelling_the_save_dialog_writes_nothing(data, qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, data.coordinator)
    monkeypatch.setattr(report_window.QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    qtbot.mouseClick(window.pdf_button, Qt.MouseButton.LeftButton)
    assert window.status_label.text() == ""
