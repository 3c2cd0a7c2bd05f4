"""The month grid of the deadline calendar, and the colours of deadline states in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from PySide6.QtCore import QDate, QLocale, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.deadlines import Urgency
from klachtdesk.services.cases.agenda import STATE_SEVERITY, AgendaItem, worst_state
from klachtdesk.ui.common import STATE_COLOURS, STATE_LABELS, STATE_TEXT_COLOURS

DUTCH = QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands)
# An open deadline that is not yet pressing has no colour in ui/common: a calm blue.
OPEN_COLOUR = QColor("#dbe7f6")
OPEN_TEXT_COLOUR = QColor("#1f3b5c")
# A public holiday, closing day or Atw day: no term ends on it.
DAY_OFF_COLOUR = QColor("#ece6f4")
DAY_OFF_TEXT_COLOUR = QColor("#4b3a6b")
TODAY_COLOUR = QColor("#eef4fb")


def state_colour(state: Urgency | None) -> QColor:
    return STATE_COLOURS.get(state, OPEN_COLOUR)


def state_text_colour(state: Urgency | None) -> QColor:
    return STATE_TEXT_COLOURS.get(state, OPEN_TEXT_COLOUR)


def _swatch(colour: QColor, text_colour: QColor, text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setStyleSheet(
        f"background: {colour.name()}; color: {text_colour.name()}; "
        "border: 1px solid #c8c8c8; border-radius: 4px; padding: 1px 6px;"
    )
    return label


class Legend(QWidget):
    """What the colours of the month grid mean: one swatch per deadline state, the holiday
    and today; the numbers in a day's badges count that day's deadlines of that state."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("calendarLegend")
        swatches = [
            _swatch(
                state_colour(state),
                state_text_colour(state),
                STATE_LABELS[state][:1].upper() + STATE_LABELS[state][1:],
                f"legend_{state.value}",
            )
            for state in STATE_SEVERITY
        ]
        swatches.append(
            _swatch(DAY_OFF_COLOUR, DAY_OFF_TEXT_COLOUR, "Feestdag of sluitingsdag", "legend_vrij")
        )
        swatches.append(_swatch(TODAY_COLOUR, OPEN_TEXT_COLOUR, "Vandaag", "legend_vandaag"))
        self.labels = swatches
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(4)
        for start in range(0, len(swatches), 4):
            row = QHBoxLayout()
            row.setSpacing(6)
            caption = QLabel("Kleuren:" if start == 0 else "")
            caption.setFixedWidth(caption.fontMetrics().horizontalAdvance("Kleuren:") + 4)
            row.addWidget(caption)
            for swatch in swatches[start : start + 4]:
                row.addWidget(swatch)
            row.addStretch(1)
            column.addLayout(row)
        hint = QLabel("Het getal in een dag is het aantal termijnen in die kleur.")
        hint.setObjectName("legendHint")
        hint.setStyleSheet("color: palette(placeholder-text);")
        column.addWidget(hint)


class MonthCalendar(QCalendarWidget):
    """A month whose days show how many deadlines fall on them, one badge per state in that
    state's colour; holidays and closing days are tinted and named."""

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("monthCalendar")
        self.setLocale(DUTCH)
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setGridVisible(True)
        self.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.ISOWeekNumbers)
        self.setMinimumSize(560, 340)
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
        self._days_off: dict[date, str] = {}

    def set_days_off(self, days: dict[date, str]) -> None:
        """Holidays, closing days and Atw days with their names, to tint and name them."""
        self._days_off = dict(days)
        self.updateCells()

    def day_off(self, day: date) -> str | None:
        return self._days_off.get(day)

    def counts_on(self, day: date) -> list[tuple[Urgency, int]]:
        """(state, number of deadlines) for the day, worst state first: the badges."""
        states = [item.state for item in self._by_day.get(day, ())]
        return [(state, states.count(state)) for state in STATE_SEVERITY if state in states]

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
        off = self._days_off.get(day)
        background = palette.base().color()
        if off:
            background = DAY_OFF_COLOUR
        if day == self.today:
            background = TODAY_COLOUR
        painter.fillRect(inner, background)
        font = QFont(self.font())
        font.setBold(day == self.today)
        painter.setFont(font)
        other_month = qdate.month() != self.monthShown()
        role = QPalette.ColorRole.PlaceholderText if other_month else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        top_left = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        text_area = inner.adjusted(6, 3, -6, -3)
        painter.drawText(text_area, top_left, str(qdate.day()))
        metrics = painter.fontMetrics()
        badge_height = metrics.height() + 4
        if off:
            small = QFont(self.font())
            small.setPointSizeF(max(6.5, small.pointSizeF() * 0.8))
            painter.setFont(small)
            painter.setPen(DAY_OFF_TEXT_COLOUR)
            # under the day number, above the badges; wrapped, and cut off at the badges
            name_area = text_area.adjusted(0, metrics.height(), 0, -(badge_height + 2))
            painter.setClipRect(name_area)
            small_metrics = painter.fontMetrics()
            words = [
                small_metrics.elidedText(word, Qt.TextElideMode.ElideRight, name_area.width())
                for word in off.split()
            ]
            painter.drawText(name_area, top_left | Qt.TextFlag.TextWordWrap, " ".join(words))
            painter.setClipping(False)
            painter.setFont(font)
        counts = self.counts_on(day)
        if counts:
            height = badge_height
            gap = 3
            width = (inner.width() - 8 - gap * (len(counts) - 1)) // len(counts)
            left = inner.left() + 4
            for state, number in counts:
                badge = QRect(left, inner.bottom() - height - 3, width, height)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(state_colour(state))
                painter.drawRoundedRect(badge, 4, 4)
                painter.setPen(state_text_colour(state))
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(number))
                left += width + gap
        if selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            pen = painter.pen()
            pen.setColor(palette.color(QPalette.ColorRole.Highlight))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawRect(inner.adjusted(1, 1, -1, -1))
        painter.restore()
