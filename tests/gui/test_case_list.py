"""The case list as the clerk uses it: type to search, filter, open with Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from klachtdesk.ui.cases.case_list import REF_ROLE, CaseListModel, CaseListPanel
from tests.conftest import TODAY, complaint_data


def register_many(ctx, count: int) -> list[str]:
    refs = []
    for number in range(count):
        data = complaint_data(subject=f"Klacht nummer {number}")
        code = chr(97 + number // 26) + chr(97 + number % 26) + "x"  # aax, abx, … (no digits)
        data["complainant"] = {**data["complainant"], "name": f"Klager {code} Jansen"}
        refs.append(cases.register(ctx, ComplaintInput.validated(data, TODAY)))
    return refs


def test_model_passes_qt_model_tester_and_fetches_lazily(org, qtmodeltester, monkeypatch):
    register_many(org.balie, 450)
    model = CaseListModel(org.coordinator)
    model.PAGE_SIZE = 100
    fetched: list[int] = []
    real = cases_list_rows = __import__(
        "klachtdesk.services.cases.case_view", fromlist=["x"]
    ).list_rows

    def counting(ctx, ids):
        fetched.append(len(ids))
        return real(ctx, ids)

    monkeypatch.setattr("klachtdesk.ui.cases.case_list.case_view.list_rows", counting)
    model.reload()
    assert model.rowCount() == 450 and fetched == []
    assert model.index(0, 0).data(REF_ROLE)
    assert fetched == [100]  # one page, not every row
    del cases_list_rows
    qtmodeltester.check(model, force_py=True)


def test_typing_in_the_search_box_filters_and_enter_opens_the_case(org, qtbot):
    refs = register_many(org.balie, 30)
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.model.rowCount() == 30
    assert panel.count.text() == "30 zaken"
    qtbot.keyClicks(panel.search, "Klager arx")  # number 17
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    assert panel.count.text() == "1 zaak"
    with qtbot.waitSignal(panel.open_case) as opened:
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)  # search, jump to the first row
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened.args == [refs[17]]


def test_status_and_overdue_filters(org, qtbot):
    refs = register_many(org.balie, 3)
    from klachtdesk.domain.states import Action

    cases.perform(org.coordinator, refs[0], Action.TRIAGE_KLACHT)
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.show()
    panel.status.setCurrentIndex(panel.status.findData("in_behandeling"))
    assert [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())] == [refs[0]]
    panel.status.setCurrentIndex(0)
    qtbot.mouseClick(panel.overdue, Qt.MouseButton.LeftButton)
    # Received 20 November: acknowledgement due 27 November, not yet overdue on the 25th.
    assert panel.model.rowCount() == 0


def test_list_refreshes_when_another_pc_registers_a_case(org, qtbot):
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 0
    register_many(org.balie, 1)  # another login on the same file
    panel.refresh_if_changed()
    assert panel.model.rowCount() == 1


def test_column_layout_is_remembered(org, qtbot):
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.table.setColumnWidth(3, 420)
    panel.save_layout()
    again = CaseListPanel(org.coordinator)
    qtbot.addWidget(again)
    assert again.table.columnWidth(3) == 420
