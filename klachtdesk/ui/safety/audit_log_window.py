"""The audit log for beheer: read, filter and export who did what, and see that the chain holds."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.context import Context
from klachtdesk.services.safety import audit_log
from klachtdesk.services.safety.audit_log import AuditFilter, AuditRow
from klachtdesk.ui.common import call_service, fit_to_screen, preferences, show_error

GOOD_STYLE = "color: #0f5132;"
BAD_STYLE = "color: #842029; font-weight: bold;"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


class _ChainSignals(QObject):
    finished = Signal(int, object)


class _ChainCheck(QRunnable):
    """Walks the whole chain on a pool thread: on a large log that takes seconds."""

    def __init__(self, generation: int, ctx: Context):
        super().__init__()
        self.generation, self.ctx = generation, ctx
        self.signals = _ChainSignals()

    def run(self) -> None:
        try:
            result = audit_log.verify_chain(self.ctx)
        except Exception as error:  # noqa: BLE001 - reported to the window calmly
            result = error
        self.signals.finished.emit(self.generation, result)


class AuditLogModel(QAbstractTableModel):
    """The entries of the current filter, newest first, fetched a page at a time."""

    COLUMNS = ("Tijdstip", "Gebruiker", "Handeling", "Zaak/object", "Toelichting")
    PAGE_SIZE = 200
    MAX_PAGES = 20

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self.filter = AuditFilter()
        self.total = 0
        self._pages: OrderedDict[int, list[AuditRow]] = OrderedDict()

    def set_filter(self, flt: AuditFilter) -> None:
        """Read the first page again; on an error (raised) the list is left empty."""
        self.beginResetModel()
        self._pages.clear()
        self.filter, self.total = flt, 0
        try:
            page = audit_log.query_audit(self._ctx, flt, 0, self.PAGE_SIZE)
            # Later pages are read up to the same entry, so rows do not shift while scrolling.
            self.filter, self.total = replace(flt, up_to_id=page.last_id), page.total
            self._pages[0] = page.rows
        finally:
            self.endResetModel()

    def forget(self) -> None:
        self.beginResetModel()
        self._pages.clear()
        self.total = 0
        self.endResetModel()

    def row_at(self, row: int) -> AuditRow | None:
        if not 0 <= row < self.total:
            return None
        number = row // self.PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            try:
                page = audit_log.query_audit(
                    self._ctx, self.filter, number * self.PAGE_SIZE, self.PAGE_SIZE
                ).rows
            except KlachtDeskError:  # e.g. the database is busy: the rows stay empty for now
                return None
            self._pages[number] = page
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row % self.PAGE_SIZE
        return page[offset] if offset < len(page) else None

    # -- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        values = (
            f"{row.at:%d-%m-%Y %H:%M:%S}",
            row.user_label,
            row.action_label,
            row.object_ref,
            row.detail,
        )
        value = values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return value if index.column() == 4 and value else None
        return value


class AuditLogWindow(QWidget):
    """Opening the window is recorded in the audit log once ('auditlog_bekeken')."""

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.setObjectName("auditLogWindow")
        self.setWindowTitle("Auditlog — KlachtDesk")
        self.model = AuditLogModel(ctx, self)
        self._kept: tuple[str | None, str | None] = (None, None)  # filters across a lock
        self._chain_generation = 0
        self._chain_task: _ChainCheck | None = None
        self.chain_checked = None  # the last ChainStatus (or error), for tests and callers
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filter)
        self._build()
        # Reading the log is itself recorded, once per opened window (not per page).
        self.allowed = call_service(self, lambda: audit_log.audit_log_opened(ctx) or True) is True
        if self.allowed:
            self.refresh()
        self._restore_geometry()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        intro = QLabel(
            "Wie heeft wat gedaan, en wanneer. Het auditlog kan niet worden gewijzigd; elke "
            "regel bevat een controlewaarde van de vorige, zodat een wijziging buiten KlachtDesk "
            "om opvalt."
        )
        intro.setWordWrap(True)
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.user.setMinimumContentsLength(18)
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.setMinimumContentsLength(22)
        today = QDate(self.ctx.today())
        self.from_enabled = QCheckBox("&Van")
        self.from_enabled.setObjectName("auditFromEnabled")
        self.from_date = self._date_edit("auditFrom", today.addDays(-30))
        self.to_enabled = QCheckBox("&Tot en met")
        self.to_enabled.setObjectName("auditToEnabled")
        self.to_date = self._date_edit("auditTo", today)
        self.search = QLineEdit()
        self.search.setObjectName("auditSearch")
        self.search.setPlaceholderText("Zoeken in zaak, toelichting of gebruikersnaam…")
        self.search.setClearButtonEnabled(True)
        clear = QPushButton("&Wissen")
        clear.setObjectName("auditClearFilters")
        clear.setToolTip("Alle filters leegmaken")
        clear.clicked.connect(self.clear_filters)

        for checkbox, edit in (
            (self.from_enabled, self.from_date),
            (self.to_enabled, self.to_date),
        ):
            edit.setEnabled(False)
            checkbox.toggled.connect(edit.setEnabled)
            checkbox.toggled.connect(self.apply_filter)
            edit.dateChanged.connect(self.apply_filter)
        self.user.currentIndexChanged.connect(self.apply_filter)
        self.action.currentIndexChanged.connect(self.apply_filter)
        self.search.textChanged.connect(lambda: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)

        first = QHBoxLayout()
        first.addWidget(self._label("&Gebruiker:", self.user))
        first.addWidget(self.user, 1)
        first.addSpacing(12)
        first.addWidget(self._label("&Handeling:", self.action))
        first.addWidget(self.action, 1)
        second = QHBoxLayout()
        second.addWidget(self.from_enabled)
        second.addWidget(self.from_date)
        second.addSpacing(12)
        second.addWidget(self.to_enabled)
        second.addWidget(self.to_date)
        second.addSpacing(12)
        second.addWidget(self._label("&Zoeken:", self.search))
        second.addWidget(self.search, 1)
        second.addWidget(clear)

        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        for column, width in enumerate((150, 240, 240, 130)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.count = QLabel()
        self.count.setObjectName("auditCount")
        self.chain = QLabel()
        self.chain.setObjectName("auditChain")
        self.chain.setWordWrap(True)
        self.export_button = QPushButton("&Exporteren…")
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.export)
        refresh = QPushButton("&Vernieuwen")
        refresh.setObjectName("auditRefresh")
        refresh.clicked.connect(self.refresh)
        close = QPushButton("&Sluiten")
        close.setObjectName("auditClose")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addSpacing(16)
        bottom.addWidget(self.chain, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(refresh)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    @staticmethod
    def _date_edit(name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd-MM-yyyy")
        return edit

    # -- behaviour ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the choices, the entries and the chain again (keeps the filters)."""
        self._fill_choices()
        self.apply_filter()
        self._show_chain()

    def forget(self) -> None:
        """The idle lock: drop everything read from the database; ``refresh`` reads again."""
        self.model.forget()
        self._kept = (self.user.currentData(), self.action.currentData())
        for combo, everything in (
            (self.user, "Alle gebruikers"),
            (self.action, "Alle handelingen"),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            combo.blockSignals(False)
        self.count.clear()
        self._chain_generation += 1  # a check still running is ignored when it ends
        self.chain.clear()

    def _fill_choices(self) -> None:
        users = call_service(self, audit_log.audit_users, self.ctx) or []
        actions = call_service(self, audit_log.audit_actions, self.ctx) or []
        kept, self._kept = self._kept, (None, None)
        for combo, everything, choices, before in (
            (self.user, "Alle gebruikers", [(c.username, c.label) for c in users], kept[0]),
            (self.action, "Alle handelingen", [(c.action, c.label) for c in actions], kept[1]),
        ):
            current = combo.currentData() or before
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for value, label in choices:
                combo.addItem(label, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            username=self.user.currentData(),
            action=self.action.currentData(),
            text=self.search.text().strip() or None,
            start=self._date(self.from_enabled, self.from_date),
            end=self._date(self.to_enabled, self.to_date),
        )

    @staticmethod
    def _date(enabled: QCheckBox, edit: QDateEdit) -> date | None:
        return edit.date().toPython() if enabled.isChecked() else None

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.count.setStyleSheet("")
        try:
            self.model.set_filter(self.current_filter())
        except KlachtDeskError as error:  # e.g. 'van' after 'tot en met': said calmly, inline
            self.count.setStyleSheet(BAD_STYLE)
            self.count.setText(str(error))
            self.export_button.setEnabled(False)
            return
        except Exception as error:  # noqa: BLE001 - a calm dialog, never a traceback
            show_error(self, error)
            return
        total = self.model.total
        self.count.setText("1 regel" if total == 1 else f"{_thousands(total)} regels")
        self.export_button.setEnabled(total > 0)
        if total:
            self.table.scrollToTop()

    def clear_filters(self) -> None:
        for widget in (self.user, self.action, self.from_enabled, self.to_enabled, self.search):
            widget.blockSignals(True)
        self.user.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self.from_enabled.setChecked(False)
        self.to_enabled.setChecked(False)
        self.from_date.setEnabled(False)
        self.to_date.setEnabled(False)
        self.search.clear()
        for widget in (self.user, self.action, self.from_enabled, self.to_enabled, self.search):
            widget.blockSignals(False)
        self.apply_filter()

    def _show_chain(self) -> None:
        self._chain_generation += 1
        self.chain.setStyleSheet("")
        self.chain.setText("De keten van het auditlog wordt gecontroleerd…")
        self._chain_task = _ChainCheck(self._chain_generation, self.ctx)
        self._chain_task.signals.finished.connect(self._chain_checked)
        QThreadPool.globalInstance().start(self._chain_task)

    def _chain_checked(self, generation: int, result) -> None:
        if generation != self._chain_generation:
            return  # an older check, overtaken by a refresh or the idle lock
        self._chain_task = None
        if isinstance(result, KlachtDeskError):
            self.chain.setStyleSheet(BAD_STYLE)
            self.chain.setText(str(result))
        elif isinstance(result, BaseException):
            self.chain.clear()
            show_error(self, result)
        else:
            self.chain.setText(result.message)
            self.chain.setStyleSheet(GOOD_STYLE if result.ok else BAD_STYLE)
        self.chain_checked = result

    def export(self) -> None:
        folder = preferences().value("auditlog/folder", str(Path.home())) or str(Path.home())
        suggested = Path(folder) / f"auditlog-{self.ctx.today():%Y-%m-%d}.csv"
        path, _ = QFileDialog.getSaveFileName(
            self, "Auditlog exporteren", str(suggested), "CSV-bestand (*.csv)"
        )
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        flt = replace(self.current_filter(), up_to_id=None)
        count = call_service(self, audit_log.export_audit, self.ctx, flt, path)
        if count is None:
            return
        preferences().setValue("auditlog/folder", str(Path(path).parent))
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Auditlog geëxporteerd",
            f"{_thousands(count)} regels zijn opgeslagen in {path}.\n\nDit bestand is niet "
            "versleuteld: bewaar het zorgvuldig en verwijder het als u het niet meer nodig heeft.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("auditExported")
        box.exec()
        self.refresh()  # the export itself is now in the log

    # -- remembered layout ----------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = preferences().value("auditlog/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            fit_to_screen(self, 1100, 640)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        preferences().setValue("auditlog/geometry", self.saveGeometry())
        super().closeEvent(event)
