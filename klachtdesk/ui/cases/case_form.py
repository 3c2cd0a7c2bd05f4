"""The case window's "Klager en klacht" panel: the complainant's and complaint's own data."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.states import Activity
from klachtdesk.domain.values import Channel
from klachtdesk.services.cases import case_edit
from klachtdesk.services.cases.case_view import CaseDetail
from klachtdesk.services.context import Context
from klachtdesk.ui.cases.import_notice import ImportNotice
from klachtdesk.ui.common import call_service, fmt_date

SALUTATIONS = (("onbekend", "Onbekend"), ("heer", "De heer"), ("mevrouw", "Mevrouw"))
# Service field, label with mnemonic, the field name a ValidationError carries.
EDIT_FIELDS = (
    ("salutation", "&Aanhef", "aanhef"),
    ("name", "&Naam", "naam"),
    ("street", "&Straat en huisnummer", "straat"),
    ("postcode", "&Postcode", "postcode"),
    ("city", "P&laats", "plaats"),
    ("phone", "&Telefoon", "telefoon"),
    ("email", "&E-mail", "e-mail"),
    ("member_number", "&Huurdernummer", "huurdernummer"),
    ("prefers_email", "&Brieven", "voorkeur e-mail"),
    ("subject", "Onder&werp", "onderwerp"),
    ("description", "Omschr&ijving", "omschrijving"),
    ("category", "&Categorie", "categorie"),
    ("department", "Af&deling", "afdeling"),
    ("employee", "&Medewerker", "medewerker"),
    ("expectation", "&Verwachting", "verwachting"),
)
_ERROR_FIELDS = {error_field: key for key, _, error_field in EDIT_FIELDS} | {"adres": "street"}
_REFUSED = object()
_ERROR_STYLE = "color: #842029;"
_INVALID_STYLE = "border: 1px solid #842029;"
_READ_ONLY_STYLE = "QLineEdit, QPlainTextEdit { background: palette(window); }"


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


class CaseDataPanel(QWidget):
    """Shows the data; editable when the user may change it (GEGEVENS_WIJZIGEN).

    ``saved`` carries the case's version after saving, or None when the service refused
    (e.g. another PC changed the case): the window then reads the case again. Bad input
    stays in the form with the reason beside it, and nothing is stored.
    """

    saved = Signal(object)
    # a decision on what an import brought: the case's version (None: refused), the sentence
    decided = Signal(object, str)

    def __init__(
        self,
        ctx: Context,
        may_leave: Callable[[], bool] = lambda: True,
        parent: QWidget | None = None,
    ):
        """``may_leave``: asked before a decision reads the case anew over unsaved edits."""
        super().__init__(parent)
        self.ctx = ctx
        self.detail: CaseDetail | None = None
        self.dirty = False
        self._loading = False
        layout = QVBoxLayout(self)
        self.import_notice = ImportNotice(ctx, may_leave)
        self.import_notice.decided.connect(self.decided)
        layout.addWidget(self.import_notice)
        columns = QHBoxLayout()
        person, complaint = QGroupBox("Klager"), QGroupBox("Klacht")
        person_rows, complaint_rows = QFormLayout(person), QFormLayout(complaint)
        self.inputs: dict[str, QWidget] = {}
        self.field_errors: dict[str, QLabel] = {}
        for key, label, _ in EDIT_FIELDS:
            widget = self._input(key)
            widget.setObjectName(f"{_camel(key)}Field")
            self.inputs[key] = widget
            caption = QLabel(label + ":")
            caption.setBuddy(widget)
            rows = person_rows if key in case_edit.COMPLAINANT_FIELDS else complaint_rows
            rows.addRow(caption, self._with_error_line(key, widget))
        self.fixed_info = QLabel()
        self.fixed_info.setObjectName("fixedInfo")
        self.fixed_info.setWordWrap(True)
        self.fixed_info.setStyleSheet("color: #555;")
        person_rows.addRow(self.fixed_info)
        columns.addWidget(person, 2)
        columns.addWidget(complaint, 3)
        layout.addLayout(columns, 1)
        bottom = QHBoxLayout()
        self.error = QLabel()
        self.error.setObjectName("editError")
        self.error.setWordWrap(True)
        bottom.addWidget(self.error, 1)
        self.save_button = QPushButton("Gegevens &opslaan")
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)

    def _with_error_line(self, key: str, widget: QWidget) -> QWidget:
        """The input with a line under it for what is wrong with it (hidden until then)."""
        error = QLabel()
        error.setObjectName(f"{_camel(key)}Error")
        error.setStyleSheet(_ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        self.field_errors[key] = error
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        return box

    def _clear_errors(self) -> None:
        for key, widget in self.inputs.items():
            if widget.styleSheet() == _INVALID_STYLE:
                widget.setStyleSheet("")
            self.field_errors[key].hide()
        self.error.setText("")

    def _input(self, key: str) -> QWidget:
        if key == "salutation":
            widget = QComboBox()
            for value, text in SALUTATIONS:
                widget.addItem(text, value)
            widget.currentIndexChanged.connect(self._mark_dirty)
        elif key in ("category", "department", "employee"):
            widget = QComboBox()
            widget.setEditable(key == "employee")  # someone not in the list: a name only
            widget.currentTextChanged.connect(self._mark_dirty)
        elif key == "prefers_email":
            widget = QCheckBox("per e-mail sturen in plaats van per post")
            widget.toggled.connect(self._mark_dirty)
        elif key in ("description", "expectation"):
            widget = QPlainTextEdit()
            widget.setTabChangesFocus(True)
            widget.textChanged.connect(self._mark_dirty)
        else:
            widget = QLineEdit()
            widget.textEdited.connect(self._mark_dirty)
        return widget

    def show_case(self, d: CaseDetail, choices: case_edit.EditChoices | None) -> None:
        self.detail = d
        self.import_notice.show_case(d)
        values = self._shown_values()
        lists = {
            "category": choices.categories if choices else [],
            "department": choices.departments if choices else [],
            "employee": [e.name for e in choices.employees] if choices else [],
        }
        editable = Activity.GEGEVENS_WIJZIGEN in d.activities
        for error in self.field_errors.values():
            error.hide()
        self._loading = True
        try:
            for key, widget in self.inputs.items():
                self._fill(widget, values[key], lists.get(key), editable)
        finally:
            self._loading = False
        self.save_button.setVisible(editable)
        self.error.setStyleSheet(_ERROR_STYLE if editable else "color: #555;")
        self.error.setText("" if editable else "U kunt deze gegevens bekijken maar niet wijzigen.")
        self.fixed_info.setText(
            f"Ontvangen op {fmt_date(d.received)} via {Channel(d.channel).label.lower()}. "
            "Een gewijzigd adres geldt voor alle zaken van deze klager."
        )
        self.set_dirty(False)

    @staticmethod
    def _fill(widget: QWidget, value, names: list[str] | None, editable: bool) -> None:
        # Read-only fields look different from fields the user can type in.
        widget.setStyleSheet("" if editable else _READ_ONLY_STYLE)
        if isinstance(widget, QComboBox) and names is not None:
            widget.clear()
            names = ["", *names]
            if value and value not in names:
                names.append(value)  # an entry made inactive since stays visible on old cases
            widget.addItems(names)
            widget.setCurrentText(value)
            widget.setEnabled(editable)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
            widget.setEnabled(editable)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
            widget.setEnabled(editable)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
            widget.setReadOnly(not editable)
        else:
            widget.setText(value)
            widget.setReadOnly(not editable)

    def values(self) -> dict:
        values = {}
        for key, widget in self.inputs.items():
            if key == "salutation":
                values[key] = widget.currentData()
            elif isinstance(widget, QComboBox):
                values[key] = widget.currentText()
            elif isinstance(widget, QCheckBox):
                values[key] = widget.isChecked()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText()
            else:
                values[key] = widget.text()
        return values

    def save(self) -> None:
        if self.detail is None:
            return
        self._clear_errors()
        result = call_service(self, self._update, self.values())
        if result is not _REFUSED:
            self.saved.emit(result)

    def _shown_values(self) -> dict:
        """What the form showed when the case was read (to know what the user changed)."""
        d = self.detail
        return {
            "salutation": d.salutation,
            "name": d.complainant_name,
            "street": d.street,
            "postcode": d.postcode,
            "city": d.city,
            "phone": d.phone,
            "email": d.email,
            "member_number": d.member_number,
            "prefers_email": d.prefers_email,
            "subject": d.subject,
            "description": d.description,
            "category": d.category,
            "department": d.department,
            "employee": d.employee,
            "expectation": d.expectation,
        }

    def _update(self, values: dict):
        # The complaint's fields go as shown (the case's version protects them); the
        # person's only when the user changed them: the person is shared by all their
        # cases, and a field left alone must not write back what another PC changed since.
        shown = self._shown_values()
        values = {
            key: value
            for key, value in values.items()
            if key not in case_edit.COMPLAINANT_FIELDS or value != shown[key]
        }
        try:
            return case_edit.update_case_details(
                self.ctx,
                self.detail.ref,
                self.detail.version,
                complainant_version=self.detail.complainant_version,
                **values,
            )
        except (ValidationError, NotAllowed) as error:
            key = _ERROR_FIELDS.get(getattr(error, "field", ""))
            if key is None:
                self.error.setStyleSheet(_ERROR_STYLE)
                self.error.setText(str(error))
                return _REFUSED
            message = error.message  # at the field itself, its name need not be repeated
            self.field_errors[key].setText(message[:1].upper() + message[1:])
            self.field_errors[key].show()
            self.inputs[key].setStyleSheet(_INVALID_STYLE)
            self.inputs[key].setFocus()
            return _REFUSED

    def _mark_dirty(self, *_args) -> None:
        if not self._loading:
            self.set_dirty(True)

    def set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(dirty)
