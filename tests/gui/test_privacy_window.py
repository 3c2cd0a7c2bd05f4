"""The privacy window: anonymising cases past the retention period and exporting an
inzageverzoek, driven as the administrator does it."""

from __future__ import annotations

import json
from datetime import date

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt, QThreadPool

from klachtdesk.services.cases import case_view
from klachtdesk.services.safety import privacy
from klachtdesk.ui.safety import privacy_window
from klachtdesk.ui.safety.privacy_window import PrivacyWindow
from tests.unit.test_privacy import KEES, NAME, closed_case


@pytest.fixture(autouse=True)
def finish_tasks():
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def data(org):
    """Two cases past the two-year retention period, one recent closed case, one open."""
    org.refs = {
        "old": closed_case(org, date(2023, 3, 6), date(2023, 6, 1), category="Communicatie"),
        "withdrawn": closed_case(
            org, date(2023, 9, 4), date(2023, 9, 20), withdraw=True, complainant=KEES
        ),
        "recent": closed_case(org, date(2025, 3, 3), date(2025, 6, 2), complainant=KEES),
        "open": closed_case(org, date(2026, 11, 20), subject="Tuinhek kapot"),
    }
    return org


def open_window(qtbot, ctx) -> PrivacyWindow:
    window = PrivacyWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def table_column(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def check(window, ref: str) -> None:
    table = window.retention_table
    row = table_column(table, 0).index(ref)
    table.item(row, 0).setCheckState(Qt.CheckState.Checked)


def test_the_due_cases_are_listed_with_the_retention_period(data, qtbot):
    window = open_window(qtbot, data.beheer)
    assert "<b>2 jaar</b>" in window.retention_intro.text()
    table = window.retention_table
    assert table_column(table, 0) == [data.refs["old"], data.refs["withdrawn"]]
    assert [table.item(0, c).text() for c in range(table.columnCount())] == [
        data.refs["old"],
        "06-03-2023",
        "Gesloten",
        "01-06-2023",
        "Communicatie",
        "01-06-2025",
        "3",
    ]
    assert table.item(1, 2).text() == "Ingetrokken"
    assert window.retention_count.text() == "2 zaken zijn over de bewaartermijn; 0 aangevinkt."
    assert not window.anonymise_button.isEnabled()
    qtbot.mouseClick(window.check_all_button, Qt.MouseButton.LeftButton)
    assert window.checked_refs() == [data.refs["old"], data.refs["withdrawn"]]
    assert window.anonymise_button.isEnabled()
    qtbot.mouseClick(window.check_none_button, Qt.MouseButton.LeftButton)
    assert window.checked_refs() == []


def test_anonymising_asks_first_and_keeps_the_case_in_the_list(data, qtbot, monkeypatch):
    asked = []
    answers = iter([False, True])
    monkeypatch.setattr(
        privacy_window, "confirm", lambda *args, **kwargs: asked.append(args) or next(answers)
    )
    window = open_window(qtbot, data.beheer)
    check(window, data.refs["old"])
    assert window.retention_count.text().endswith("1 aangevinkt.")

    qtbot.mouseClick(window.anonymise_button, Qt.MouseButton.LeftButton)  # cancelled
    title, question = asked[0][1], asked[0][2]
    assert title == "Zaken anonimiseren"
    assert data.refs["old"] in question and data.refs["withdrawn"] not in question
    assert "niet ongedaan worden gemaakt" in question
    assert "cijfers voor het evaluatierapport blijven bewaard" in question
    assert case_view.case_detail(data.coordinator, data.refs["old"]).complainant_name == NAME

    with qtbot.waitSignal(window.anonymised, timeout=10_000) as signal:
        qtbot.mouseClick(window.anonymise_button, Qt.MouseButton.LeftButton)
        assert window.busy() and not window.anonymise_button.isEnabled()
        assert window.status.text() == "Bezig met anonimiseren van 1 zaak…"
        assert not window.close()  # it stays open until the work is done
    assert signal.args == [[data.refs["old"]]]
    assert not window.busy()
    assert window.status.text() == "1 zaak is geanonimiseerd."
    assert table_column(window.retention_table, 0) == [data.refs["withdrawn"]]
    detail = case_view.case_detail(data.coordinator, data.refs["old"])
    assert (detail.complainant_name, detail.subject, detail.status) == (
        privacy.ANONYMISED,
        privacy.ANONYMISED,
        "gesloten",
    )
    rows = case_view.list_rows(data.coordinator, case_view.case_ids(data.coordinator))
    assert data.refs["old"] in [row.ref for row in rows]


def test_a_refused_anonymisation_is_shown_as_a_dutch_message(data, qtbot, monkeypatch):
    monkeypatch.setattr(privacy_window, "confirm", lambda *args, **kwargs: True)
    errors = []
    monkeypatch.setattr(privacy_window, "show_error", lambda parent, error: errors.append(error))
    window = open_window(qtbot, data.beheer)
    check(window, data.refs["withdrawn"])
    privacy.anonymise(data.beheer, [data.refs["withdrawn"]])  # meanwhile, on another PC
    qtbot.mouseClick(window.anonymise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)
    assert "al geanonimiseerd" in str(errors[0])
    assert window.status.text() == ""
    assert table_column(window.retention_table, 0) == [data.refs["old"]]


def test_exporting_an_inzageverzoek_writes_pdf_and_json(data, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "export"
    folder.mkdir()
    window = open_window(qtbot, data.beheer)
    window.tabs.setCurrentIndex(1)
    assert not window.export_button.isEnabled()
    qtbot.keyClicks(window.search_edit, "3511 AB")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert table_column(window.person_table, 0) == [NAME]
    assert window.person_table.item(0, 6).text() == "2"  # the old case and the open one
    assert window.search_message.text() == "1 klager gevonden."
    assert window.export_button.isEnabled()

    folders = iter(["", str(folder), str(folder)])
    monkeypatch.setattr(
        privacy_window.QFileDialog, "getExistingDirectory", lambda *args: next(folders)
    )
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)  # cancelled
    assert list(folder.iterdir()) == []
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)

    [pdf] = folder.glob("*.pdf")
    [exported] = folder.glob("*.json")
    assert pdf.stem == exported.stem and NAME not in pdf.name
    content = json.loads(exported.read_text(encoding="utf-8"))
    assert content["persoonsgegevens"]["naam"] == NAME
    assert [c["kenmerk"] for c in content["zaken"]] == [data.refs["old"], data.refs["open"]]
    document = pdfium.PdfDocument(pdf.read_bytes())
    first = document[0].get_textpage().get_text_range()
    document.close()
    assert "Overzicht van uw gegevens" in first and NAME in first
    assert str(folder) in window.status.text()
    assert "Lees het overzicht na" in window.status.text()

    # The same folder again: the files there are replaced only when the user says so.
    pdf.write_bytes(b"eerder overzicht")
    asked = []
    monkeypatch.setattr(privacy_window, "confirm", lambda *args, **kwargs: asked.append(args[2]))
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    assert pdf.name in asked[0] and exported.name in asked[0]
    assert pdf.read_bytes() == b"eerder overzicht"


def test_search_without_a_match_says_so(data, qtbot):
    window = open_window(qtbot, data.beheer)
    window.tabs.setCurrentIndex(1)
    qtbot.keyClicks(window.search_edit, "Onbekende Persoon")
    qtbot.mouseClick(window.search_button, Qt.MouseButton.LeftButton)
    assert window.person_table.rowCount() == 0
    assert window.search_message.text() == "Geen klager gevonden voor ‘Onbekende Persoon’."
    assert not window.export_button.isEnabled()


@pytest.mark.parametrize("role", ["balie", "coordinator"])
def test_other_roles_see_why_the_window_is_closed_to_them(data, qtbot, role):
    window = open_window(qtbot, getattr(data, role))
    assert not window.tabs.isEnabled()
    assert "Alleen de beheerder" in window.status.text()
    assert window.retention_table.rowCount() == 0


def test_the_lock_drops_the_people_found_for_an_inzageverzoek(org, qtbot):
    from klachtdesk.domain.validation import ComplaintInput
    from klachtdesk.services.cases import cases
    from tests.conftest import TODAY, complaint_data

    cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    window = PrivacyWindow(org.beheer)
    qtbot.addWidget(window)
    window.search_edit.setText("Amrani")
    window.search()
    assert window.person_table.rowCount() == 1
    window.forget()
    assert window.person_table.rowCount() == 0 and window.people == []
    assert window.search_edit.text() == ""
