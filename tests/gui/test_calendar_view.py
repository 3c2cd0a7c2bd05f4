"""The deadline calendar as a coordinator uses it: month, day list, week, agenda, export."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import icalendar
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCalendarWidget, QPushButton, QTableView, QToolButton

from klachtdesk.domain.deadlines import Urgency
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.ui.calendar import calendar_view
from klachtdesk.ui.calendar.calendar_view import REF_ROLE, CalendarPanel
from klachtdesk.ui.common import STATE_COLOURS
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data


def at(ctx, day: date):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, 10))


def register(org, received: str, name: str = "Fatima el Amrani") -> str:
    data = complaint_data(received=received)
    data["complainant"] = {**data["complainant"], "name": name}
    day = date.fromisoformat(received)
    return cases.register(at(org.balie, day), ComplaintInput.validated(data, TODAY))


@pytest.fixture
def refs(org):
    """Two complaints of Friday 20 November (acknowledgement 27 November, decision
    18 December) and one of Monday 2 November (acknowledgement 9 November: overdue;
    decision Monday 30 November)."""
    return {
        "a": register(org, "2026-11-20"),
        "b": register(org, "2026-11-20", "Jan de Vries"),
        "old": register(org, "2026-11-02", "Kees Bakker"),
    }


def make_panel(qtbot, ctx) -> CalendarPanel:
    panel = CalendarPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1280, 720)
    panel.show()
    return panel


def double_click(qtbot, view, rect) -> None:
    """A real double click: Qt's item views need the first click before the double one."""
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def table_refs(table) -> list[str]:
    return [table.item(row, 0).text() for row in range(table.rowCount())]


def test_month_shows_counts_with_the_worst_colour(org, refs, qtbot):
    panel = make_panel(qtbot, org.coordinator)
    month = panel.month
    assert (month.yearShown(), month.monthShown()) == (2026, 11)
    assert month.selectedDate() == QDate(2026, 11, 25)
    assert month.locale().language() == month.locale().Language.Dutch
    assert month.firstDayOfWeek() == Qt.DayOfWeek.Monday
    assert month.count_on(date(2026, 11, 27)) == 2
    assert month.state_on(date(2026, 11, 27)) is Urgency.DUE_SOON
    assert month.count_on(date(2026, 11, 9)) == 1
    assert month.state_on(date(2026, 11, 9)) is Urgency.OVERDUE
    assert month.count_on(date(2026, 11, 30)) == 1  # in the grid's last row
    assert month.count_on(date(2026, 11, 26)) == 0
    # What is painted: the overdue badge's colour is on screen.
    image = month.grab().toImage()
    colours = {
        image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())
    }
    assert STATE_COLOURS[Urgency.OVERDUE].name() in colours
    assert STATE_COLOURS[Urgency.DUE_SOON].name() in colours

    # The user goes to December with the calendar's own arrow.
    next_month = month.findChild(QToolButton, "qt_calendar_nextmonth")
    qtbot.mouseClick(next_month, Qt.MouseButton.LeftButton)
    assert month.monthShown() == 12
    assert month.count_on(date(2026, 12, 18)) == 2
    assert month.state_on(date(2026, 12, 18)) is Urgency.OPEN


def test_selecting_a_day_lists_its_cases_and_double_click_opens_one(org, refs, qtbot):
    panel = make_panel(qtbot, org.coordinator)
    view = panel.month.findChild(QTableView)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # from Wednesday 25 to Friday 27 November
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert panel.month.selectedDate() == QDate(2026, 11, 27)
    assert "vrijdag 27 november 2026" in panel.day_label.text()
    assert "2 termijnen" in panel.day_label.text()
    table = panel.day_table
    assert table_refs(table) == [refs["a"], refs["b"]]
    assert [table.item(0, c).text() for c in range(5)] == [
        refs["a"],
        "Ontvangstbevestiging",
        "Lekkage badkamer niet verholpen",
        "Ontvangen",
        "binnenkort, nog 2 werkdagen",
    ]
    assert [table.horizontalHeaderItem(c).text() for c in range(5)] == [
        "Zaak",
        "Termijn",
        "Onderwerp",
        "Status zaak",
        "Stand",
    ]
    rect = table.visualItemRect(table.item(1, 2))
    with qtbot.waitSignal(panel.open_case) as opened:
        double_click(qtbot, table, rect)
    assert opened.args == [refs["b"]]

    # Enter on the calendar goes to the day's list; Enter there opens the case.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert panel.focusWidget() is table and table.currentRow() == 0
    with qtbot.waitSignal(panel.open_case) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [refs["a"]]

    # The overdue day lists the old case with how late it is.
    panel.month.setSelectedDate(QDate(2026, 11, 9))
    assert table_refs(table) == [refs["old"]]
    assert table.item(0, 4).text() == "verlopen, 12 werkdagen te laat"


def test_week_view_runs_monday_to_sunday(org, refs, qtbot):
    panel = make_panel(qtbot, org.coordinator)
    qtbot.mouseClick(
        panel.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=panel.tabs.tabBar().tabRect(1).center()
    )
    assert panel.tabs.currentIndex() == 1
    table = panel.week_table
    assert panel.week_label.text() == "<b>Week 48</b>: 23 november tot en met 29 november 2026"
    headers = [table.horizontalHeaderItem(c).text() for c in range(7)]
    assert headers[0] == "maandag\n23 november"
    assert headers[2] == "woensdag (vandaag)\n25 november"
    assert headers[6] == "zondag\n29 november"
    friday = [table.item(r, 4).data(REF_ROLE) for r in range(table.rowCount()) if table.item(r, 4)]
    assert friday == [refs["a"], refs["b"]]
    assert table.item(0, 4).text() == f"{refs['a']}\nOntvangstbevestiging\nbinnenkort"
    qtbot.mouseClick(panel.findChild(QPushButton, "nextWeek"), Qt.MouseButton.LeftButton)
    assert panel.week_label.text().startswith("<b>Week 49</b>: 30 november")
    assert table.item(0, 0).data(REF_ROLE) == refs["old"]  # decision due Monday 30th
    assert table.rowCount() == 1
    rect = table.visualItemRect(table.item(0, 0))
    with qtbot.waitSignal(panel.open_case) as opened:
        double_click(qtbot, table, rect)
    assert opened.args == [refs["old"]]
    qtbot.mouseClick(panel.findChild(QPushButton, "todayButton"), Qt.MouseButton.LeftButton)
    assert panel.week_label.text().startswith("<b>Week 48</b>")


def test_agenda_lists_overdue_first_then_each_day(org, refs, qtbot):
    case_activities.extend_decision(
        org.coordinator, refs["b"], "2027-01-15", "Wij wachten op de aannemer."
    )
    panel = make_panel(qtbot, org.coordinator)
    panel.tabs.setCurrentIndex(2)
    tree = panel.agenda_tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups == [  # today up to 23 December
        "Verlopen (1)",
        "Vrijdag 27 november 2026 (2)",
        "Maandag 30 november 2026 (1)",
        # a's decision, and the notice of b's extension: due on b's old decision date
        "Vrijdag 18 december 2026 (2)",
    ]
    assert tree.topLevelItem(0).child(0).text(0) == refs["old"]
    assert tree.topLevelItem(0).child(0).text(4) == "verlopen, 12 werkdagen te laat"
    # Three months ahead brings in the extended decision, with why it moved.
    panel.agenda_period.setCurrentIndex(1)
    groups = {
        tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
    }
    extended = groups["Vrijdag 15 januari 2027 (1)"]
    assert extended.child(0).text(0) == refs["b"]
    assert "verlengd van 18 december 2026" in extended.child(0).toolTip(1)
    # ... and the evaluation of the second half of 2026, a task without a case
    evaluation = groups["Zondag 31 januari 2027 (1)"].child(0)
    assert (evaluation.text(0), evaluation.text(1)) == ("", "Evaluatie 2026-2")
    qtbot.mouseClick(panel.agenda_overdue, Qt.MouseButton.LeftButton)
    assert not panel.agenda_overdue.isChecked()
    assert tree.topLevelItem(0).text(0) == "Vrijdag 27 november 2026 (2)"
    child = tree.topLevelItem(0).child(1)
    tree.setFocus()
    tree.setCurrentItem(child, 2)
    with qtbot.waitSignal(panel.open_case) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == [refs["b"]]


def test_export_writes_the_open_deadlines_of_the_month_without_names(
    org, refs, qtbot, tmp_path, monkeypatch
):
    # One acknowledgement is met: it is not exported.
    case_activities.mark_letter_sent(
        org.balie,
        refs["b"],
        "ontvangstbevestiging",
        "2026-11-23",
        "post",
    )
    panel = make_panel(qtbot, org.coordinator)
    asked = []

    def save_as(parent, title, suggestion, filters):
        asked.append((title, suggestion, filters))
        return str(tmp_path / "termijnen"), filters

    monkeypatch.setattr(calendar_view.QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert asked[0][0] == "Termijnen exporteren naar agenda"
    assert asked[0][1].endswith("klachtdesk-termijnen-2026-11.ics")
    written = tmp_path / "termijnen.ics"
    data = written.read_bytes()
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert sorted((e.decoded("dtstart"), str(e["summary"])) for e in events) == [
        (date(2026, 11, 9), f"{refs['old']}: ontvangstbevestiging"),
        (date(2026, 11, 27), f"{refs['a']}: ontvangstbevestiging"),
        (date(2026, 11, 30), f"{refs['old']}: uitspraak"),
    ]
    for name in ("Fatima el Amrani", "Jan de Vries", "Kees Bakker", "Lekkage"):
        assert name.encode() not in data
    assert panel.export_status.text().startswith("3 termijnen opgeslagen in ")


def test_export_of_a_period_without_open_deadlines_says_so(org, refs, qtbot, monkeypatch):
    panel = make_panel(qtbot, org.coordinator)
    messages = []
    monkeypatch.setattr(calendar_view, "_inform", lambda parent, title, text: messages.append(text))
    monkeypatch.setattr(
        calendar_view.QFileDialog,
        "getSaveFileName",
        lambda *a: pytest.fail("no file dialog for nothing to export"),
    )
    qtbot.mouseClick(
        panel.month.findChild(QToolButton, "qt_calendar_prevmonth"), Qt.MouseButton.LeftButton
    )
    assert panel.month.monthShown() == 10
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert messages == ["In de getoonde periode staan geen open termijnen."]


def test_a_directeur_only_sees_appeal_cases(org, refs, qtbot):
    cases.perform(org.coordinator, refs["a"], Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(org.manager, refs["a"], Action.UITSPRAAK, outcome="ongegrond", motivation="Nee.")
    cases.perform(
        org.coordinator,
        refs["a"],
        Action.BEROEP,
        received=TODAY.isoformat(),
        grounds=APPEAL_GROUNDS,
    )
    panel = make_panel(qtbot, org.directeur)
    assert panel.month.count_on(date(2026, 11, 27)) == 1  # only the appeal case
    assert panel.month.count_on(date(2026, 11, 9)) == 0
    panel.month.setSelectedDate(QDate(2026, 12, 9))
    assert table_refs(panel.day_table) == [refs["a"]]
    assert panel.day_table.item(0, 1).text() == "Reactie directeur-bestuurder"
    assert isinstance(panel.month, QCalendarWidget)


def cell_image(month, day: int):
    """The painted cell of ``day`` of the shown month (the grid's model holds day numbers)."""
    view = month.findChild(QTableView)
    model = view.model()
    for row in range(1, model.rowCount()):
        for column in range(1, model.columnCount()):
            index = model.index(row, column)
            text = str(index.data())
            if text == str(day) and not (row == 1 and day > 7) and not (row > 4 and day < 15):
                rect = view.visualRect(index)
                return view.viewport().grab(rect).toImage()
    raise AssertionError(f"day {day} not in the grid")


def colours_of(image) -> set[str]:
    return {
        image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())
    }


def test_a_day_has_one_badge_per_state_in_its_own_colour(org, refs, qtbot):
    """27 November: the acknowledgement of one case was sent (met), the other's is due soon.
    The day shows a yellow 1 and a green 1, not one badge of 2 in the worst colour."""
    case_activities.mark_letter_sent(
        org.coordinator, refs["a"], "ontvangstbevestiging", TODAY, "post"
    )
    panel = make_panel(qtbot, org.coordinator)
    month = panel.month
    assert month.counts_on(date(2026, 11, 27)) == [(Urgency.DUE_SOON, 1), (Urgency.MET, 1)]
    colours = colours_of(cell_image(month, 27))
    assert STATE_COLOURS[Urgency.DUE_SOON].name() in colours
    assert STATE_COLOURS[Urgency.MET].name() in colours
    assert STATE_COLOURS[Urgency.OVERDUE].name() not in colours


def test_the_legend_names_every_colour_and_holidays_are_marked(org, refs, qtbot):
    from klachtdesk.services.admin import admin_calendar
    from klachtdesk.ui.calendar.calendar_month import DAY_OFF_COLOUR

    admin_calendar.add_closing_days(org.beheer, date(2026, 12, 28), label="Kerstsluiting")
    panel = make_panel(qtbot, org.coordinator)
    legend = [label.text() for label in panel.legend.labels]
    assert legend == [
        "Verlopen",
        "Binnenkort",
        "Open",
        "Gemist",
        "Gehaald",
        "Feestdag of sluitingsdag",
        "Vandaag",
    ]
    assert panel.legend.isVisible()

    panel.month.setSelectedDate(QDate(2026, 12, 25))
    month = panel.month
    assert month.day_off(date(2026, 12, 25)) == "Eerste Kerstdag"
    assert month.day_off(date(2026, 12, 26)) == "Tweede Kerstdag"  # a Saturday, still named
    assert month.day_off(date(2026, 12, 28)) == "sluitingsdag: Kerstsluiting"
    assert month.day_off(date(2026, 12, 24)) is None
    assert month.day_off(date(2026, 12, 27)) is None  # a plain Sunday
    assert "vrijdag 25 december 2026 (Eerste Kerstdag)" in panel.day_label.text()
    assert DAY_OFF_COLOUR.name() in colours_of(cell_image(month, 28))
    assert DAY_OFF_COLOUR.name() not in colours_of(cell_image(month, 23))

    # 5 May 2026: the office is open, but no term ends on it (Algemene termijnenwet)
    panel.month.setSelectedDate(QDate(2026, 5, 5))
    assert month.day_off(date(2026, 5, 5)) == "Bevrijdingsdag (er eindigt geen termijn)"

    # the week view names them in its header
    panel.show_week(date(2026, 12, 21))
    header = panel.week_table.horizontalHeaderItem(4)
    assert header.text().endswith("Eerste Kerstdag")
    assert "Op deze dag eindigt geen termijn" in header.toolTip()
