"""Pages of the settings dialog, and the pieces they share (forms from the declarations)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import ValidationError
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.context import Context
from klachtdesk.ui.common import call_service

INACTIVE_TEXT = QColor("#6c757d")
ERROR_STYLE = "color: #842029;"


class Page(QWidget):
    """One page of the settings dialog.

    Form pages are saved by the dialog's Opslaan button (``is_dirty``/``save``); list pages
    act at once and report what they did through ``status``.
    """

    title = ""
    status = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def is_dirty(self) -> bool:
        return False

    def refresh(self) -> None:
        """Read the stored state again (after saving, or when another page changed it)."""

    def settings_changes(self) -> dict[str, Any]:
        """Organisation settings changed on this page, saved together by the dialog."""
        return {}

    def show_setting_error(self, error: ValidationError) -> bool:
        """Show a refused setting at its field; False if the field is not on this page."""
        return False

    def clear_errors(self) -> None:
        """Hide the messages of a previous attempt to save."""


class ErrorLabel(QLabel):
    """A red Dutch message shown at the field it is about; hidden while there is none."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.say("")


def attempt(
    parent: QWidget, error_label: ErrorLabel | None, func: Callable, *args, **kwargs
) -> tuple[bool, Any]:
    """Call a service: bad input is shown at the field, anything else as a calm dialog.

    Returns (succeeded, result), since many services return None on success.
    """

    def guarded():
        try:
            return True, func(*args, **kwargs)
        except ValidationError as error:
            if error_label is None:
                raise
            error_label.say(str(error))
            return False, None

    outcome = call_service(parent, guarded)
    if outcome is None:
        return False, None
    if outcome[0] and error_label is not None:
        error_label.clear()
    return outcome


def handles_enter(widget: QWidget, action: Callable[[], None]) -> QWidget:
    """Enter in this field does ``action`` (not the dialog's Opslaan)."""
    widget.setProperty("handlesEnter", True)
    widget.returnPressed.connect(action)
    return widget


def make_table(name: str, headers: Iterable[str], stretch: int = 0) -> QTableWidget:
    """A read-only table of whole rows; column ``stretch`` takes the spare width."""
    headers = list(headers)
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch % len(headers), QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users reach the buttons
    return table


def fill_table(table: QTableWidget, rows: list[tuple[list[str], Any, bool]]) -> None:
    """Rows of (texts, data kept on the first cell, active); inactive rows are greyed."""
    selected = selected_data(table)
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for row, (texts, data, active) in enumerate(rows):
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, data)
            if not active:
                item.setForeground(INACTIVE_TEXT)
            table.setItem(row, column, item)
        if data == selected and selected is not None:
            table.selectRow(row)


def selected_data(table: QTableWidget) -> Any:
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    return table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)


def selected_all(table: QTableWidget) -> list[Any]:
    rows = sorted(index.row() for index in table.selectionModel().selectedRows())
    return [table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in rows]


def select_data(table: QTableWidget, data: Any) -> None:
    for row in range(table.rowCount()):
        if table.item(row, 0).data(Qt.ItemDataRole.UserRole) == data:
            table.selectRow(row)
            return


def intro(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #495057;")
    return label


class SettingsForm(QWidget):
    """Fields for some organisation settings, built from services.settings.DECLARATIONS.

    The declaration gives the label, the type and the limits; nothing is repeated here.
    """

    def __init__(self, keys: Iterable[str], name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.layout_ = QFormLayout(self)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, ErrorLabel] = {}
        self.stored: dict[str, Any] = {}
        for key in keys:
            decl = settings_service.BY_KEY[key]
            widget = self._widget_for(decl)
            widget.setObjectName("setting_" + key.replace(".", "_"))
            self.widgets[key] = widget
            error = ErrorLabel("error_" + key.replace(".", "_"))
            self.errors[key] = error
            # The message sits right under its field and takes no room while hidden.
            field = QWidget()
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(error)
            if decl.type is bool:
                self.layout_.addRow(field)
            else:
                widget.setToolTip(decl.label)
                self.layout_.addRow(decl.label + ":", field)

    @staticmethod
    def _widget_for(decl) -> QWidget:
        if decl.type is bool:
            return QCheckBox(decl.label)
        if decl.type is int:
            spin = QSpinBox()
            spin.setRange(
                decl.minimum if decl.minimum is not None else 0,
                decl.maximum if decl.maximum is not None else 1_000_000,
            )
            if decl.key.endswith("_mm"):
                spin.setSuffix(" mm")
            spin.setFixedWidth(110)
            return spin
        edit = QLineEdit()
        edit.setMaxLength(200)
        return edit

    def load(self, values: dict[str, Any]) -> None:
        self.stored = {key: values[key] for key in self.widgets}
        for key, widget in self.widgets.items():
            value = values[key]
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            else:
                widget.setText(str(value))
            self.errors[key].clear()

    def value(self, key: str) -> Any:
        widget = self.widgets[key]
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QSpinBox):
            return widget.value()
        return widget.text().strip()

    def changes(self) -> dict[str, Any]:
        return {
            key: self.value(key) for key in self.widgets if self.value(key) != self.stored.get(key)
        }

    def show_error(self, error: ValidationError) -> bool:
        for key in self.widgets:
            if settings_service.BY_KEY[key].label == error.field:
                self.errors[key].say(error.message[:1].upper() + error.message[1:])
                self.widgets[key].setFocus()
                return True
        return False

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.clear()
