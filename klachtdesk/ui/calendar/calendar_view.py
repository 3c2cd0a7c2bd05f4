"""The deadline calendar: month, week and agenda views of the deadlines, and .ics export."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from html import escape
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import day_month, long_date
from klachtdesk.domain.deadlines import Urgency
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.cases import agenda
from klachtdesk.services.cases.agenda import AgendaItem
from klachtdesk.services.context import Context
from klachtdesk.ui.calendar.calendar_month import (
    DAY_OFF_TEXT_COLOUR,
    DUTCH,
    Legend,
    MonthCalendar,
    state_colour,
    state_text_colour,
)
from klachtdesk.ui.common import STATE_LABELS, call_service, fmt_date, show_error

COLUMNS = ("Zaak", "Termijn", "Onderwerp", "Status zaak", "Stand")
REF_ROLE = Qt.ItemDataRole.UserRole
AGENDA_PERIODS = (("de komende 4 weken", 28), ("de komende 3 maanden", 91), ("een jaar", 365))


def _count(number: int) -> str:
    return f"{number} {'termijn' if number == 1 else 'termijnen'}"


def stand_text(item: AgendaItem, today: date) -> str:
    """'verlopen, 3 werkdagen te laat', 'binnenkort, nog 2 werkdagen', 'gehaald op 20-11-2026'."""
    label = STATE_LABELS[item.state]
    if item.met_on is not None:
        return f"{label} op {fmt_date(item.met_on)}"
    if item.due == today:
        return f"{label}: vandaag"
    days = abs(item.working_days_left)
    unit = "werkdag" if days == 1 else "werkdagen"
    if item.state is Urgency.OVERDUE:
        return f"{label}, {days} {unit} te laat" if days else label
    return f"{label}, nog {days} {unit}"


def _cell(text: str, ref: str, tooltip: str = "") -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setData(REF_ROLE, ref)
    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        cell.setToolTip(tooltip)
    return cell


def _cells(item: AgendaItem, today: date) -> list[str]:
    return [item.ref, item.label, item.subject, item.status_label, stand_text(item, today)]


def _tooltip(item: AgendaItem) -> str:
    text = f"{item.label}: uiterlijk {long_date(item.due)}"
    return f"{text}\n{item.explanation}" if item.explanation else text


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(False)
    return table


def _row(*parts) -> QHBoxLayout:
    """A row of widgets; a number is a stretch."""
    row = QHBoxLayout()
    for part in parts:
        if isinstance(part, int):
            row.addStretch(part)
        else:
            row.addWidget(part)
    return row


def _inform(parent: QWidget, title: str, text: str) -> None:
    """A plain message (module level, so tests can replace it)."""
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("infoDialog")
    box.exec()


class CalendarPanel(QWidget):
    """Every deadline by month, week or as an agenda; double-click or Enter opens the case."""

    open_case = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None, lazy: bool = False):
        super().__init__(parent)
        self.ctx = ctx
        # lazy (in the main window): read the deadlines when the panel is first shown, not
        # while the window opens (the case list and Vandaag come first)
        self._lazy = lazy
        self._stale = False
        self.today = ctx.today()
        self.setObjectName("calendarPanel")
        self.setLocale(DUTCH)
        self._month_items: list[AgendaItem] = []
        self._week_items: list[AgendaItem] = []
        self._agenda_items: list[AgendaItem] = []
        self.week_start = self.today - timedelta(days=self.today.weekday())

        self.tabs = QTabWidget()
        self.tabs.setObjectName("calendarTabs")
        self.tabs.addTab(self._month_tab(), "&Maand")
        self.tabs.addTab(self._week_tab(), "&Week")
        self.tabs.addTab(self._agenda_tab(), "&Agenda")

        title = QLabel("<b>Termijnen</b>")
        title.setObjectName("calendarTitle")
        self.today_button = QPushButton("&Terug naar vandaag")
        self.today_button.setObjectName("todayButton")
        self.today_button.setToolTip("Toon de termijnen van vandaag en deze week.")
        self.today_button.clicked.connect(self.go_to_today)
        self.export_button = QPushButton("E&xporteren naar agenda (.ics)…")
        self.export_button.setObjectName("exportIcsButton")
        self.export_button.setToolTip(
            "Zet de open termijnen van de getoonde maand, week of agenda in een agendabestand "
            "voor Outlook of uw telefoon. Namen van klagers komen er niet in."
        )
        self.export_button.clicked.connect(self.export_ics)
        self.export_status = QLabel("")
        self.export_status.setObjectName("exportStatus")
        self.export_status.setWordWrap(True)
        top = _row(title, 1, self.today_button, self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.export_status)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _month_tab(self) -> QWidget:
        self.month = MonthCalendar(self.today)
        self.month.setSelectedDate(QDate(self.today))
        self.month.currentPageChanged.connect(lambda *_: self._load_month())
        self.month.selectionChanged.connect(self._show_day)
        self.month.activated.connect(self._focus_day_table)
        self.day_label = QLabel()
        self.day_label.setObjectName("dayLabel")
        self.day_table = _table("dayTable", COLUMNS)
        self.day_table.activated.connect(self._activated)
        self.day_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        right = QWidget()
        box = QVBoxLayout(right)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.day_label)
        box.addWidget(self.day_table, 1)
        self.legend = Legend()
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.month, 1)
        column.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 720])
        return splitter

    def _week_tab(self) -> QWidget:
        previous = QPushButton("◀ V&orige week")
        previous.setObjectName("previousWeek")
        previous.clicked.connect(lambda: self.show_week(self.week_start - timedelta(days=7)))
        following = QPushButton("Volge&nde week ▶")
        following.setObjectName("nextWeek")
        following.clicked.connect(lambda: self.show_week(self.week_start + timedelta(days=7)))
        self.week_label = QLabel()
        self.week_label.setObjectName("weekLabel")
        self.week_table = _table("weekTable", ("",) * 7)
        self.week_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.week_table.setAlternatingRowColors(False)
        self.week_table.setWordWrap(True)
        self.week_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.week_table.activated.connect(self._activated)
        self.week_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nav = _row(previous, self.week_label, following)
        nav.setStretch(1, 1)
        page = QWidget()
        box = QVBoxLayout(page)
        box.addLayout(nav)
        box.addWidget(self.week_table, 1)
        return page

    def _agenda_tab(self) -> QWidget:
        self.agenda_period = QComboBox()
        self.agenda_period.setObjectName("agendaPeriod")
        for label, days in AGENDA_PERIODS:
            self.agenda_period.addItem(label, days)
        self.agenda_period.currentIndexChanged.connect(lambda *_: self._load_agenda())
        period_label = QLabel("&Periode:")
        period_label.setBuddy(self.agenda_period)
        self.agenda_overdue = QCheckBox("Ook ve&rlopen termijnen tonen")
        self.agenda_overdue.setObjectName("agendaOverdue")
        self.agenda_overdue.setChecked(True)
        self.agenda_overdue.toggled.connect(lambda *_: self._load_agenda())
        self.agenda_tree = QTreeWidget()
        self.agenda_tree.setObjectName("agendaTree")
        self.agenda_tree.setHeaderLabels(list(COLUMNS))
        self.agenda_tree.setAlternatingRowColors(True)
        self.agenda_tree.setRootIsDecorated(False)
        self.agenda_tree.activated.connect(self._activated)
        self.agenda_tree.header().setStretchLastSection(False)
        self.agenda_tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        controls = _row(period_label, self.agenda_period, self.agenda_overdue, 1)
        page = QWidget()
        box = QVBoxLayout(page)
        box.addLayout(controls)
        box.addWidget(self.agenda_tree, 1)
        return page

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the deadlines again (another PC may have changed them); a lazy panel that is
        not on screen does so when it is shown."""
        if self._lazy and not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.today = self.ctx.today()
        self.month.today = self.today
        self._load_month()
        self.show_week(self.week_start)
        self._load_agenda()

    def forget(self) -> None:
        """The idle lock: clear every deadline read from the database until ``refresh``."""
        self._month_items, self._week_items, self._agenda_items = [], [], []
        self.month.set_items([])
        self.day_table.setRowCount(0)
        self.week_table.setRowCount(0)
        self.agenda_tree.clear()

    def go_to_today(self) -> None:
        self.today = self.ctx.today()
        self.week_start = self.today - timedelta(days=self.today.weekday())
        self.month.setSelectedDate(QDate(self.today))
        self.refresh()

    def _load_month(self) -> None:
        first = date(self.month.yearShown(), self.month.monthShown(), 1)
        # The grid shows up to two weeks of the months around it as well.
        start, end = first - timedelta(days=14), first + timedelta(days=56)
        items = call_service(self, agenda.deadlines_between, self.ctx, start, end)
        self._month_items = items or []
        self.month.set_items(self._month_items)
        self.month.set_days_off(call_service(self, agenda.days_off, self.ctx, start, end) or {})
        self._show_day()

    def _show_day(self) -> None:
        day = self.month.selectedDate().toPython()
        items = self.month.items_on(day)
        written = DUTCH.toString(QDate(day), "dddd d MMMM yyyy")
        off = self.month.day_off(day)
        named = f"{written} ({escape(off)})" if off else written
        self.day_label.setText(
            f"<b>{named}</b>: {_count(len(items)) if items else 'geen termijnen'}"
        )
        self.day_table.setRowCount(len(items))
        for row, item in enumerate(items):
            for column, text in enumerate(_cells(item, self.today)):
                cell = _cell(text, item.ref, _tooltip(item))
                if column == 4:
                    cell.setBackground(state_colour(item.state))
                    cell.setForeground(state_text_colour(item.state))
                self.day_table.setItem(row, column, cell)
        for column in (0, 1, 3, 4):
            self.day_table.resizeColumnToContents(column)

    def show_week(self, monday: date) -> None:
        self.week_start = monday
        sunday = monday + timedelta(days=6)
        week = monday.isocalendar().week
        self.week_label.setText(
            f"<b>Week {week}</b>: {day_month(monday)} tot en met {long_date(sunday)}"
        )
        items = call_service(self, agenda.deadlines_between, self.ctx, monday, sunday) or []
        self._week_items = items
        by_day: dict[int, list[AgendaItem]] = defaultdict(list)
        for item in items:
            by_day[(item.due - monday).days].append(item)
        days = [monday + timedelta(days=offset) for offset in range(7)]
        off = call_service(self, agenda.days_off, self.ctx, monday, sunday) or {}
        self.week_table.clear()
        self.week_table.setHorizontalHeaderLabels(
            [
                f"{DUTCH.dayName(d.isoweekday())}{' (vandaag)' if d == self.today else ''}\n"
                f"{day_month(d)}" + (f"\n{off[d]}" if d in off else "")
                for d in days
            ]
        )
        for column, d in enumerate(days):
            header = self.week_table.horizontalHeaderItem(column)
            if d in off:
                header.setToolTip(f"{long_date(d)}: {off[d]}. Op deze dag eindigt geen termijn.")
                header.setForeground(DAY_OFF_TEXT_COLOUR)
        self.week_table.setRowCount(max([len(v) for v in by_day.values()] or [0]))
        for column, day_items in by_day.items():
            for row, item in enumerate(day_items):
                cell = _cell(
                    f"{item.ref}\n{item.label}\n{STATE_LABELS[item.state]}",
                    item.ref,
                    f"{item.subject}\n{stand_text(item, self.today)}",
                )
                cell.setBackground(state_colour(item.state))
                cell.setForeground(state_text_colour(item.state))
                self.week_table.setItem(row, column, cell)
        self.week_table.resizeRowsToContents()

    def _load_agenda(self) -> None:
        end = self.today + timedelta(days=self.agenda_period.currentData())
        between = agenda.deadlines_between
        upcoming = call_service(self, between, self.ctx, self.today, end, open_only=True) or []
        overdue = []
        if self.agenda_overdue.isChecked():
            overdue = call_service(self, agenda.open_deadlines_before, self.ctx, self.today) or []
        self._agenda_items = overdue + upcoming
        tree = self.agenda_tree
        tree.clear()
        groups: list[tuple[str, list[AgendaItem]]] = []
        if overdue:
            groups.append(("Verlopen", overdue))
        by_day: dict[date, list[AgendaItem]] = defaultdict(list)
        for item in upcoming:
            by_day[item.due].append(item)
        for day, items in by_day.items():
            label = DUTCH.toString(QDate(day), "dddd d MMMM yyyy")
            groups.append(
                ("Vandaag, " + label if day == self.today else label[:1].upper() + label[1:], items)
            )
        for title, items in groups:
            group = QTreeWidgetItem([f"{title} ({len(items)})"])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for item in items:
                child = QTreeWidgetItem(_cells(item, self.today))
                for column in range(len(COLUMNS)):
                    child.setData(column, REF_ROLE, item.ref)
                child.setToolTip(1, _tooltip(item))
                child.setBackground(4, state_colour(item.state))
                child.setForeground(4, state_text_colour(item.state))
                group.addChild(child)
            group.setExpanded(True)
        if not groups:
            empty = QTreeWidgetItem(["Geen open termijnen in deze periode."])
            tree.addTopLevelItem(empty)
            empty.setFirstColumnSpanned(True)
        for column in (0, 1, 3, 4):
            tree.resizeColumnToContents(column)

    # -- acting -----------------------------------------------------------------------------
    def _focus_day_table(self, *_args) -> None:
        if self.day_table.rowCount():
            self.day_table.setFocus()
            self.day_table.selectRow(0)

    def _activated(self, index) -> None:
        ref = index.data(REF_ROLE)
        if ref:
            self.open_case.emit(ref)

    def visible_items(self) -> tuple[list[AgendaItem], str]:
        """The deadlines of the period the current tab shows, and a name for the file."""
        mode = self.tabs.currentIndex()
        if mode == 0:
            year, month = self.month.yearShown(), self.month.monthShown()
            items = [i for i in self._month_items if (i.due.year, i.due.month) == (year, month)]
            return items, f"{year}-{month:02d}"
        if mode == 1:
            week = self.week_start.isocalendar()
            return self._week_items, f"{week.year}-week-{week.week:02d}"
        return self._agenda_items, f"vanaf-{self.today.isoformat()}"

    def export_ics(self) -> None:
        items, name = self.visible_items()
        open_items = [i for i in items if i.is_open]
        if not open_items:
            _inform(
                self, "Niets te exporteren", "In de getoonde periode staan geen open termijnen."
            )
            return
        suggestion = str(Path.home() / f"klachtdesk-termijnen-{name}.ics")
        path, _ = QFileDialog.getSaveFileName(
            self, "Termijnen exporteren naar agenda", suggestion, "Agendabestand (*.ics)"
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".ics":
            target = target.with_name(target.name + ".ics")
        data = call_service(self, agenda.export_ics, self.ctx, open_items)
        if data is None:
            return
        try:
            target.write_bytes(data)
        except OSError:
            show_error(
                self,
                KlachtDeskError(
                    f"Het bestand {target} kon niet worden opgeslagen. Controleer of de map "
                    "bestaat en of u daar mag schrijven."
                ),
            )
            return
        count = len(open_items)
        self.export_status.setText(
            f"{_count(count)} opgeslagen in {target}. Namen van klagers staan er niet in."
        )
