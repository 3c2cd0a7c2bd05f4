"""The month grid of the deadline calendar, and the colours of deadline states in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from PySide6.QtCore import QDate, QLocale, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QCalendarWidget, QHeaderView, QTableView, QWidget

from klachtdesk.domain.deadlines import Urgency
from klachtdesk.services.cases.agenda import AgendaItem, worst_state
from klachtdesk.ui.common import STATE_COLOURS, STATE_TEXT_COLOURS

DUTCH = QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands)
# An open deadline that is not yet pressing has no colour in ui/common: a calm blue.
OPEN_COLOUR = QColor("#dbe7f6")
OPEN_TEXT_COLOUR = QColor("#1f3b5c")


def state_colour(state: Urgency | None) -> QColor:
    return STATE_COLOURS.get(state, OPEN_COLOUR)


def state_text_colour(state: Urgency | None) -> QColor:
    return STATE_TEXT_COLOURS.get(state, OPEN_TEXT_COLOUR)


class MonthCalendar(QCalendarWidget):
    """A month whose days show how many deadlines fall on them, coloured by the worst."""

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("monthCalendar")
        self.setLocale(DUTCH)
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setGridVisible(True)
        self.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.ISOWeekNumbers)
        self.setMinimumSize(560, 400)
        # Qt gives the row of day names as much height as a week; keep it one line high,
        # and the week number column narrow.
        view = self.findChild(QTableView)
        if view is not None:
            rows, columns = view.verticalHeader(), view.horizontalHeader()
            rows.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            rows.resizeSection(0, self.fontMetrics().height() + 10)
            columns.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            columns.resizeSection(0, self.fontMetrics().horizontalAdvance("00") + 16)
        self.today = today
        self._by_day: dict[date, list[AgendaItem]] = {}

    def set_items(self, items: list[AgendaItem]) -> None:
        by_day: dict[date, list[AgendaItem]] = defaultdict(list)
        for item in items:
            by_day[item.due].append(item)
        self._by_day = dict(by_day)
        self.updateCells()

    def items_on(self, day: date) -> list[AgendaItem]:
        return list(self._by_day.get(day, ()))

    def count_on(self, day: date) -> int:
        return len(self._by_day.get(day, ()))

    def state_on(self, day: date) -> Urgency | None:
        return worst_state(self._by_day.get(day, []))

    def paintCell(self, painter: QPainter, rect: QRect, qdate: QDate) -> None:  # noqa: N802
        day = qdate.toPython()
        palette = self.palette()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        inner = rect.adjusted(1, 1, -1, -1)
        selected = qdate == self.selectedDate()
        painter.fillRect(inner, QColor("#eef4fb") if day == self.today else palette.base())
        font = QFont(self.font())
        font.setBold(day == self.today)
        painter.setFont(font)
        other_month = qdate.month() != self.monthShown()
        role = QPalette.ColorRole.PlaceholderText if other_month else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        top_left = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        painter.drawText(inner.adjusted(6, 3, -6, -3), top_left, str(qdate.day()))
        items = self._by_day.get(day)
        if items:
            state = worst_state(items)
            metrics = painter.fontMetrics()
            height = metrics.height() + 4
            badge = QRect(inner.left() + 4, inner.bottom() - height - 3, inner.width() - 8, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(state_colour(state))
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(state_text_colour(state))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(len(items)))
        if selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            pen = painter.pen()
            pen.setColor(palette.color(QPalette.ColorRole.Highlight))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawRect(inner.adjusted(1, 1, -1, -1))
        painter.restore()
