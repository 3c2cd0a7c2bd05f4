"""The case list as the clerk uses it: type to search, filter, open with Enter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.cases.case_view import CaseFilter
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


def test_model_reads_one_screenful_and_counts_after(org, qtbot, qtmodeltester, monkeypatch):
    register_many(org.balie, 450)
    model = CaseListModel(org.coordinator)
    model.PAGE_SIZE = 100
    pages: list[int] = []
    real_page = case_view.case_page

    def counting(ctx, flt, sort, descending, offset, limit):
        pages.append(offset)
        return real_page(ctx, flt, sort, descending, offset, limit)

    monkeypatch.setattr("klachtdesk.ui.cases.case_list.case_view.case_page", counting)
    with qtbot.waitSignal(model.counted) as counted:
        model.reload()
        # The first screenful is there at once; the count is not yet known.
        assert pages == [0] and model.rowCount() == 100 and not model.complete
    assert counted.args == [450] and model.rowCount() == 450 and model.complete
    newest_first = case_view.case_ids(org.coordinator)
    assert model.index(0, 0).data(REF_ROLE) == _ref(org, newest_first[0])
    assert model.index(449, 0).data(REF_ROLE) == _ref(org, newest_first[449])
    assert pages == [0, 400]  # the last row read its own page, nothing in between
    qtmodeltester.check(model, force_py=True)


def _ref(org, case_id: int) -> str:
    return case_view.list_rows(org.coordinator, [case_id])[0].ref


@pytest.mark.parametrize("search", ["", "Jansen", "klager abx"])
@pytest.mark.parametrize("sort", case_view.SORT_KEYS)
def test_pages_together_are_the_whole_list_in_order(org, qtbot, monkeypatch, sort, search):
    refs = register_many(org.balie, 45)
    # Count by walking an index (many hits) and by fetching the hits: the same answer.
    monkeypatch.setattr(case_view, "WALK_FROM_HITS", 0 if sort == "ref" else 10_000)
    model = CaseListModel(org.coordinator)
    model.PAGE_SIZE = 10
    model.sort_key = sort
    model.descending = sort != "complainant"
    model.filter = CaseFilter(search=search)
    model.reload(count=True)
    shown = [model.index(row, 0).data(REF_ROLE) for row in range(model.rowCount())]
    ids = case_view.case_ids(org.coordinator, model.filter, sort, model.descending)
    assert shown == [row.ref for row in case_view.list_rows(org.coordinator, ids)]
    assert len(set(shown)) == {"": 45, "Jansen": 45, "klager abx": 1}[search]
    if search == "klager abx":
        assert shown == [refs[1]]
    if sort == "received" and search != "klager abx":  # newest first, also searched
        assert shown == refs[::-1]


def test_a_newer_search_cancels_the_older_count(org, qtbot, monkeypatch):
    register_many(org.balie, 30)
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.model.PAGE_SIZE = 5
    counted: list[str] = []
    real_count = case_view.case_count

    def counting(ctx, flt):
        counted.append(flt.search)
        return real_count(ctx, flt)

    monkeypatch.setattr("klachtdesk.ui.cases.case_list.case_view.case_count", counting)
    panel.search.setText("Klacht")
    panel.apply_filter()
    assert panel.count.text() == "5 of meer zaken (tellen…)"
    panel.search.setText("Jansen")  # typed on before the first count ran
    panel.apply_filter()
    qtbot.waitUntil(lambda: panel.model.complete, timeout=2000)
    assert counted == ["Jansen"] and panel.count.text() == "30 zaken"


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


def test_the_selected_case_stays_selected_when_another_pc_adds_one(org, qtbot):
    refs = register_many(org.balie, 25)
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.model.PAGE_SIZE = 10
    panel.refresh()
    panel.table.selectRow(9)  # the last row of the first page: the new case pushes it on
    selected = panel.selected_ref()
    assert selected == refs[-10]
    register_many(org.balie, 1)
    panel.refresh_if_changed()
    assert panel.model.rowCount() == 26 and panel.count.text() == "26 zaken"
    assert panel.selected_ref() == selected and panel.table.currentIndex().row() == 10


def test_column_layout_is_remembered(org, qtbot):
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.table.setColumnWidth(3, 420)
    panel.save_layout()
    again = CaseListPanel(org.coordinator)
    qtbot.addWidget(again)
    assert again.table.columnWidth(3) == 420
