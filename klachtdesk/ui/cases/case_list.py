"""The case list: a lazy table model over the database, with search and filters."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.deadlines import Urgency
from klachtdesk.domain.states import Status
from klachtdesk.services.cases import case_view
from klachtdesk.services.cases.case_view import CaseFilter, ListRow
from klachtdesk.services.context import Context
from klachtdesk.ui.common import (
    STATE_COLOURS,
    STATE_LABELS,
    STATE_TEXT_COLOURS,
    call_service,
    deadline_label,
    fmt_date,
    preferences,
    status_label,
)

REF_ROLE = Qt.ItemDataRole.UserRole + 1
SHORT_KIND = {
    "ontvangstbevestiging": "bevestiging",
    "uitspraak": "uitspraak",
    "heroverweging": "heroverweging",
}

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ANSWERED_ROLES = frozenset((_DISPLAY, _BACKGROUND, _FOREGROUND, _FONT, _TOOLTIP, int(REF_ROLE)))


class CaseListModel(QAbstractTableModel):
    """Holds only the pages of rows that were shown; each page is one query for a screenful.

    Sorting and filtering happen in SQL (indexes, FTS5, LIMIT/OFFSET), so opening the list
    and every search costs the same for 1,000 or 1,000,000 cases (DESIGN.md "Big lists are
    lazy", after Anki's browser table model). The first page is shown at once; the number
    of matching cases is counted just after, and ``counted`` tells when it is known.
    """

    counted = Signal(int)

    COLUMNS = (
        ("ref", "Zaak"),
        ("received", "Ontvangen"),
        ("complainant", "Klager"),
        ("subject", "Onderwerp"),
        ("category", "Categorie"),
        ("status", "Status"),
        ("next_due", "Volgende termijn"),
        ("handler", "Behandelaar"),
    )
    PAGE_SIZE = 200
    MAX_PAGES = 25
    COUNT_DELAY_MS = 100

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._rows = 0
        self.complete = True  # is ``rowCount`` the number of matching cases?
        self._pages: OrderedDict[int, list[ListRow]] = OrderedDict()
        self._texts: dict[int, tuple[str, ...]] = {}  # case id → the row's column texts
        self._due_column = [key for key, _label in self.COLUMNS].index("next_due")
        self._normal, self._bold = QFont(), QFont()
        self._bold.setBold(True)
        self.filter = CaseFilter()
        self.sort_key = "received"
        self.descending = True
        # Counting waits until the first page is on screen (``count_soon``, or this delay
        # when no view paints it); a newer search cancels it.
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(self.COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self.count_now)

    # -- loading --------------------------------------------------------------------------
    def reload(self, count: bool = False) -> None:
        """Read the first page again; with ``count`` also the number of matching cases,
        otherwise that follows once the page is painted."""
        self._count_timer.stop()
        first = call_service(None, self._page, 0) or []
        self.beginResetModel()
        self._pages.clear()
        self._texts.clear()
        self._pages[0] = first
        self._rows = len(first)
        self.complete = len(first) < self.PAGE_SIZE
        self.endResetModel()
        if self.complete:
            self.counted.emit(self._rows)
        elif count:
            self.count_now()
        else:
            self._count_timer.start()

    def count_soon(self) -> None:
        """The first page is painted: count right after (if a count is waiting)."""
        if self._count_timer.isActive():
            self._count_timer.start(0)

    def count_now(self) -> None:
        """Count the matching cases and make them all reachable by scrolling."""
        self._count_timer.stop()
        total = call_service(None, case_view.case_count, self._ctx, self.filter)
        if total is None:  # the database said why in a message box
            return
        if total > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, total - 1)
            self._rows = total
            self.endInsertRows()
        elif total < self._rows:  # another PC removed cases since the first page
            self.beginRemoveRows(QModelIndex(), total, self._rows - 1)
            self._rows = total
            self.endRemoveRows()
        self.complete = True
        self.counted.emit(total)

    def forget(self) -> None:
        """Drop every row read from the database (the idle lock); ``reload`` reads again."""
        self._count_timer.stop()
        self.beginResetModel()
        self._rows = 0
        self.complete = True
        self._pages.clear()
        self._texts.clear()
        self.endResetModel()

    def set_filter(self, flt: CaseFilter) -> None:
        self.filter = flt
        self.reload()

    def _page(self, number: int) -> list[ListRow]:
        offset = number * self.PAGE_SIZE
        return case_view.case_page(
            self._ctx, self.filter, self.sort_key, self.descending, offset, self.PAGE_SIZE
        )

    def row_at(self, row: int) -> ListRow | None:
        if not 0 <= row < self._rows:
            return None
        page_number = row // self.PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            page = self._pages[page_number] = self._page(page_number)
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        offset = row % self.PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def row_of_ref(self, ref: str, near: int = 0) -> int | None:
        """The row showing ``ref``, looked for around row ``near`` (where it was before a
        refresh; another PC's new case moves it one row down)."""
        for row in (near, near + 1, near - 1):
            self.row_at(row)  # reads the pages around ``near``
        for number, page in self._pages.items():
            for offset, item in enumerate(page):
                if item.ref == ref:
                    return number * self.PAGE_SIZE + offset
        return None

    # -- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        # A view asks about ten roles per cell and repaint; most have no answer here, and
        # the texts of a row are made once.
        if role not in _ANSWERED_ROLES:
            return None
        row = self.row_at(index.row())  # None for an invalid index too (row -1)
        if row is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            texts = self._texts.get(row.id)
            if texts is None:
                if len(self._texts) > self.MAX_PAGES * self.PAGE_SIZE:
                    self._texts.clear()
                texts = self._texts[row.id] = tuple(
                    self._display(row, key) for key, _label in self.COLUMNS
                )
            return texts[column]
        if role == REF_ROLE:
            return row.ref
        state = row.deadline_state
        if state is None:
            return None
        due_column = column == self._due_column
        if role == _BACKGROUND and due_column:
            return STATE_COLOURS.get(state)
        if role == _FOREGROUND and due_column:
            return STATE_TEXT_COLOURS.get(state)
        if role == _FONT and state is Urgency.OVERDUE:
            return self._bold if due_column else self._normal
        if role == _TOOLTIP and due_column and row.next_due:
            return (
                f"{deadline_label(row.next_due_kind)}: {fmt_date(row.next_due)} "
                f"({STATE_LABELS[state]})"
            )
        return None

    @staticmethod
    def _display(row: ListRow, key: str) -> str:
        if key == "received":
            return fmt_date(row.received)
        if key == "status":
            return status_label(row.status)
        if key == "next_due":
            if not row.next_due:
                return ""
            return f"{fmt_date(row.next_due)} · {SHORT_KIND.get(row.next_due_kind, '')}"
        return str(getattr(row, key))

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = self.COLUMNS[column][0]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class CaseListPanel(QWidget):
    """Search box, filters and the table; Enter or double-click opens a case."""

    open_case = Signal(str)
    SEARCH_DELAY_MS = 150
    POLL_MS = 5000

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self.model = CaseListModel(ctx, self)

        self.search = QLineEdit()
        self.search.setObjectName("caseSearch")
        self.search.setPlaceholderText(
            "Zoeken op zaaknummer, naam, postcode, onderwerp of omschrijving…"
        )
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem("Alle statussen", None)
        for status in Status:
            self.status.addItem(status.label, status.value)
        self.category = QComboBox()
        self.category.setObjectName("categoryFilter")
        self.category.addItem("Alle categorieën", None)
        for category_id, name in call_service(self, case_view.category_choices, ctx) or []:
            self.category.addItem(name, category_id)
        self.mine = QCheckBox("Alleen &mijn zaken")
        self.mine.setObjectName("mineFilter")
        self.overdue = QCheckBox("Alleen ver&lopen termijnen")  # Alt+V is the Vandaag tab
        self.overdue.setObjectName("overdueFilter")
        self.count = QLabel()
        self.count.setObjectName("caseCount")

        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((110, 90, 180, 290, 170, 190, 200, 140)):
            self.table.setColumnWidth(column, width)
        # "activated" is Enter on the current row and a double-click, on every platform.
        self.table.activated.connect(self._open_index)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status, 1)
        filters.addWidget(self.category, 1)
        filters.addWidget(self.mine)
        filters.addWidget(self.overdue)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        if not case_view.reads_cases(ctx):  # an empty list must not look like lost data
            notice = QLabel(
                "U bent aangemeld als beheerder zonder andere rol: klachten en klagers ziet u "
                "daarom niet. Wie klachten registreert of behandelt, meldt zich aan met een "
                "eigen gebruikersnaam; rollen geeft u bij Beheer → Instellingen → Gebruikers."
            )
            notice.setObjectName("noCaseRoleNotice")
            notice.setWordWrap(True)
            notice.setStyleSheet(
                "background: #fff3cd; color: #664d03; padding: 6px; border-radius: 3px;"
            )
            layout.addWidget(notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_and_focus)
        for combo in (self.status, self.category):
            combo.currentIndexChanged.connect(self.apply_filter)
        for box in (self.mine, self.overdue):
            box.toggled.connect(self.apply_filter)
        self.model.modelReset.connect(self._update_count)
        self.model.counted.connect(self._update_count)
        self.table.viewport().installEventFilter(self)

        # Another PC may change the same database file: look for changes now and then.
        self._stamp = None
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self.refresh_if_changed)
        self._poll.start()
        if not self.restore_layout():
            header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)  # newest first
        # Enabling sorting sorts once by the indicator: this is the first (and only) load.
        self.table.setSortingEnabled(True)
        self._stamp = call_service(self, case_view.data_stamp, ctx)
        self._update_count()

    # -- behaviour ------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and watched is self.table.viewport():
            self.model.count_soon()  # after this paint, not before it
        return super().eventFilter(watched, event)

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            search=self.search.text(),
            status=self.status.currentData(),
            mine=self.mine.isChecked(),
            overdue=self.overdue.isChecked(),
            category_id=self.category.currentData(),
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.current_filter())
        self._stamp = call_service(self, case_view.data_stamp, self._ctx)

    def refresh(self) -> None:
        """Reload, keeping the selected case selected."""
        self._poll.start()
        selected, row = self.selected_ref(), self.table.currentIndex().row()
        self.model.reload(count=True)
        self._stamp = call_service(self, case_view.data_stamp, self._ctx)
        if selected:
            self.select_ref(selected, near=max(row, 0))

    def forget(self) -> None:
        """The idle lock: show nothing from the database until ``refresh``."""
        self._poll.stop()
        self._search_timer.stop()
        self.model.forget()

    def refresh_if_changed(self) -> None:
        try:
            stamp = case_view.data_stamp(self._ctx)
        except Exception:  # noqa: BLE001 - a busy or unreachable share: try again later
            return
        if stamp != self._stamp:
            self.refresh()

    def selected_ref(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(REF_ROLE) if index.isValid() else None

    def select_ref(self, ref: str, near: int = 0) -> None:
        row = self.model.row_of_ref(ref, near)
        if row is not None:
            self.table.selectRow(row)

    def _search_and_focus(self) -> None:
        self.apply_filter()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _open_index(self, index) -> None:
        ref = index.data(REF_ROLE)
        if ref:
            self.open_case.emit(ref)

    def _update_count(self) -> None:
        count = self.model.rowCount()
        shown = f"{count:,}".replace(",", ".")
        if not self.model.complete:
            self.count.setText(f"{shown} of meer zaken (tellen…)")
        else:
            self.count.setText("1 zaak" if count == 1 else f"{shown} zaken")

    # -- remembered layout ----------------------------------------------------------------
    def save_layout(self) -> None:
        prefs = preferences()
        prefs.setValue("caselist/header", self.table.horizontalHeader().saveState())

    def restore_layout(self) -> bool:
        state = preferences().value("caselist/header")
        return state is not None and self.table.horizontalHeader().restoreState(state)
