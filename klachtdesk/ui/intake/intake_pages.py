"""The pages of the intake wizard: each renders one page of services.intake.IntakeFlow."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.values import Salutation
from klachtdesk.services.intake.intake import IntakeFlow, Page
from klachtdesk.services.intake.intake_admissibility import ANSWER_LABELS, REGISTER_ANYWAY
from klachtdesk.ui.common import call_service, fmt_date, show_error, status_label

ERROR_STYLE = "color: #842029;"
WARNING_STYLE = (
    "background: #fff3cd; color: #664d03; border: 1px solid #ffe69c; border-radius: 4px; "
    "padding: 6px;"
)
HINT_STYLE = "color: #555555;"
SALUTATIONS = (
    ("Onbekend", Salutation.ONBEKEND.value),
    ("De heer", Salutation.HEER.value),
    ("Mevrouw", Salutation.MEVROUW.value),
)


def camel(key: str) -> str:
    """'member_number' → 'memberNumber' (object names of widgets)."""
    first, *rest = key.split("_")
    return first + "".join(part.capitalize() for part in rest)


def named(widget: QWidget, name: str) -> QWidget:
    widget.setObjectName(name)
    return widget


def text_edit(name: str, placeholder: str = "", height: int = 90) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)  # Tab walks on; Enter is a new line in a long text
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(height)
    return edit


def wrapped_label(text: str = "", name: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if style:
        label.setStyleSheet(style)
    return label


class EnterFilter(QObject):
    """Calls ``action`` on Enter in a widget, instead of moving the wizard on."""

    def __init__(self, parent: QWidget, action):
        super().__init__(parent)
        self.action = action

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self.action()
            return True
        return False


class FlowPage(QWizardPage):
    """A page whose answers live in the flow; messages appear in red under their field."""

    page: Page

    def __init__(self, flow: IntakeFlow):
        super().__init__()
        self.flow = flow
        self.setObjectName(f"{self.page.value}Page")
        self.setTitle(self.page.title)
        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}

    def with_error(self, key: str, widget: QWidget, shown: QWidget | None = None) -> QWidget:
        """``shown`` (or ``widget``) with a hidden red label under it, for ``key``'s message."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(shown or widget)
        label = wrapped_label(name=f"{camel(key)}Error", style=ERROR_STYLE)
        label.hide()
        layout.addWidget(label)
        box.setFocusProxy(widget)  # a label's mnemonic reaches the field
        self.errors[key] = label
        self.inputs[key] = widget
        return box

    def store(self) -> None:
        """Write the widgets' values into the flow."""

    def load(self) -> None:
        """Show the flow's answers in the widgets."""

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self.load()

    def cleanupPage(self) -> None:  # noqa: N802 - going back keeps what was typed
        self.store()

    def validatePage(self) -> bool:  # noqa: N802
        self.store()
        errors = self.flow.validate(self.page)
        self.show_errors(errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = [text for key, text in errors.items() if key not in self.errors]
        if unplaced:  # every field has its label; this only guards against a silent refusal
            show_error(self, KlachtDeskError("\n".join(unplaced)))
        first = None
        for key, label in self.errors.items():
            text = errors.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))
            self.inputs[key].setAccessibleDescription(text)
            if text and first is None:
                first = self.inputs[key]
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)


# -- 2 klager ---------------------------------------------------------------------------------
class ComplainantPage(FlowPage):
    page = Page.KLAGER
    FIELDS = (
        ("name", "&Naam:", "nameEdit"),
        ("street", "&Straat en huisnummer:", "streetEdit"),
        ("postcode", "&Postcode:", "postcodeEdit"),
        ("city", "Pl&aats:", "cityEdit"),
        ("phone", "&Telefoon:", "phoneEdit"),
        ("email", "&E-mailadres:", "emailEdit"),
        ("member_number", "H&uurdernummer:", "memberNumberEdit"),
    )

    def __init__(self, flow: IntakeFlow):
        super().__init__(flow)
        self.setSubTitle(
            "Zoek eerst of de klager al bekend is; zo ziet u eerdere klachten. Is de klager "
            "nieuw, vul dan de gegevens rechts in."
        )
        self._loading = False
        self.matches = []
        # Left: search among known complainants.
        self.search = named(QLineEdit(), "complainantSearch")
        self.search.setPlaceholderText("Naam, postcode, e-mailadres of telefoonnummer")
        self.search.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(300)
        self.search_timer.timeout.connect(self.run_search)
        self.search.textEdited.connect(lambda _text: self.search_timer.start())
        self.search.installEventFilter(EnterFilter(self, self._search_now))
        self.search_hint = wrapped_label(name="searchHint", style=HINT_STYLE)
        self.results = named(QListWidget(), "complainantResults")
        self.results.currentRowChanged.connect(self._show_earlier_cases)
        self.results.itemDoubleClicked.connect(lambda _item: self.use_selected())
        self.results.installEventFilter(EnterFilter(self, self.use_selected))
        self.earlier_label = wrapped_label("Eerdere zaken van de gekozen klager:", "earlierLabel")
        self.earlier = named(QTreeWidget(), "earlierCases")
        self.earlier.setHeaderLabels(["Zaak", "Ontvangen", "Onderwerp", "Status"])
        self.earlier.setRootIsDecorated(False)
        self.earlier.header().setStretchLastSection(False)
        self.earlier.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.earlier.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.use_button = named(QPushButton("&Gegevens overnemen"), "useComplainantButton")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_selected)
        self.new_button = named(QPushButton("Nieuwe &klager"), "newComplainantButton")
        self.new_button.clicked.connect(self.new_complainant)
        search_label = wrapped_label("&Zoeken:")
        search_label.setBuddy(self.search)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        left = QGroupBox("Bekende klager zoeken")
        column = QVBoxLayout(left)
        column.addWidget(search_label)
        column.addWidget(self.search)
        column.addWidget(self.search_hint)
        column.addWidget(self.results, 2)
        column.addLayout(buttons)
        column.addWidget(self.earlier_label)
        column.addWidget(self.earlier, 2)
        # Right: the complainant's data.
        right = QGroupBox("Gegevens van de klager")
        form = QFormLayout(right)
        self.salutation = named(QComboBox(), "salutationCombo")
        for label, value in SALUTATIONS:
            self.salutation.addItem(label, value)
        form.addRow("Aan&hef:", self.with_error("salutation", self.salutation))
        self.edits: dict[str, QLineEdit] = {}
        for key, label, name in self.FIELDS:
            edit = named(QLineEdit(), name)
            edit.textChanged.connect(self._update_known)
            self.edits[key] = edit
            form.addRow(label, self.with_error(key, edit))
        self.edits["postcode"].setPlaceholderText("1234 AB")
        self.edits["phone"].setPlaceholderText("06 12345678")
        self.prefers_email = named(QCheckBox("&Brieven per e-mail sturen"), "prefersEmailCheck")
        form.addRow("", self.with_error("prefers_email", self.prefers_email))
        self.known_label = wrapped_label(name="knownLabel", style=HINT_STYLE)
        form.addRow(self.known_label)
        layout = QHBoxLayout(self)
        layout.addWidget(left, 1)
        layout.addWidget(right, 1)
        chain = [
            self.search,
            self.results,
            self.use_button,
            self.new_button,
            self.earlier,
            self.salutation,
            *self.edits.values(),
            self.prefers_email,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # search ------------------------------------------------------------------------------------
    def _search_now(self) -> None:
        self.search_timer.stop()
        self.run_search()
        if self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)

    def run_search(self) -> None:
        text = self.search.text().strip()
        self.matches = (call_service(self, self.flow.search, text) or []) if text else []
        self.results.clear()
        for match in self.matches:
            place = ", ".join(
                p for p in (match.street, f"{match.postcode} {match.city}".strip()) if p
            )
            count = {0: "geen zaken", 1: "1 zaak"}.get(
                match.case_count, f"{match.case_count} zaken"
            )
            item = QListWidgetItem(f"{match.name} — {place or match.email} — {count}")
            self.results.addItem(item)
        if len(text) < 2:
            self.search_hint.setText("")
        elif not self.matches:
            self.search_hint.setText("Geen bekende klager gevonden; vul rechts de gegevens in.")
        else:
            n = len(self.matches)
            self.search_hint.setText(
                "1 bekende klager gevonden." if n == 1 else f"{n} bekende klagers gevonden."
            )
        self.use_button.setEnabled(False)
        self._show_earlier_cases(-1)

    def _selected(self):
        row = self.results.currentRow()
        return self.matches[row] if 0 <= row < len(self.matches) else None

    def _show_earlier_cases(self, row: int) -> None:
        match = self.matches[row] if 0 <= row < len(self.matches) else None
        self.use_button.setEnabled(match is not None)
        rows = (call_service(self, self.flow.earlier_cases_of, match) or []) if match else []
        self._fill_earlier(rows, match.name if match else "")

    def _fill_earlier(self, rows, name: str) -> None:
        self.earlier.clear()
        for case in rows:
            item = QTreeWidgetItem(
                [case.ref, fmt_date(case.received), case.subject, status_label(case.status)]
            )
            item.setToolTip(2, case.subject)
            self.earlier.addTopLevelItem(item)
        for column in (0, 1, 3):
            self.earlier.resizeColumnToContents(column)
        if not name:
            self.earlier_label.setText("Eerdere zaken van de gekozen klager:")
        elif rows:
            self.earlier_label.setText(f"Eerdere zaken van {name} ({len(rows)}):")
        else:
            self.earlier_label.setText(f"{name} heeft geen eerdere zaken.")

    def use_selected(self) -> None:
        match = self._selected()
        if match is None:
            return
        if call_service(self, self.flow.use_complainant, match) is None:
            return
        self.load()
        self.edits["name"].setFocus()

    def new_complainant(self) -> None:
        self.flow.new_complainant()
        self.results.clearSelection()
        self.results.setCurrentRow(-1)
        text = self.search.text().strip()
        if text and not any(ch.isdigit() or ch == "@" for ch in text):
            self.flow.set_answers(Page.KLAGER, name=text)  # the name the clerk searched for
        self.load()
        self.edits["name"].setFocus()

    # the form ----------------------------------------------------------------------------------
    def store(self) -> None:
        if self._loading:
            return
        values = {key: edit.text() for key, edit in self.edits.items()}
        self.flow.set_answers(
            Page.KLAGER,
            salutation=self.salutation.currentData(),
            prefers_email=self.prefers_email.isChecked(),
            **values,
        )

    def load(self) -> None:
        self._loading = True
        try:
            for key, edit in self.edits.items():
                edit.setText(str(self.flow.answer(Page.KLAGER, key)))
            index = self.salutation.findData(self.flow.answer(Page.KLAGER, "salutation"))
            self.salutation.setCurrentIndex(max(0, index))
            self.prefers_email.setChecked(bool(self.flow.answer(Page.KLAGER, "prefers_email")))
        finally:
            self._loading = False
        self._update_known()
        if not self.edits["name"].text():
            self.search.setFocus()

    def _update_known(self) -> None:
        if self._loading:
            return
        self.store()
        known = self.flow.known
        if known is None:
            text = "Nieuwe klager."
        elif self.flow.is_known_complainant():
            count = len(self.flow.known_cases)
            cases = "1 eerdere zaak" if count == 1 else f"{count} eerdere zaken"
            text = f"Bekende klager ({cases}); gewijzigde gegevens worden bijgewerkt."
        else:
            text = (
                "Let op: de naam, of zowel de postcode als het e-mailadres, wijkt af van de "
                "gekozen klager; er wordt een nieuwe klager aangemaakt."
            )
        self.known_label.setText(text)

    def validatePage(self) -> bool:  # noqa: N802
        if not super().validatePage():
            return False
        call_service(self, self.flow.recognise_complainant)  # a repeat shows on the next page
        return True


# -- 4 ontvankelijkheid ------------------------------------------------------------------------
class AdmissibilityPage(FlowPage):
    page = Page.ONTVANKELIJKHEID

    def __init__(self, flow: IntakeFlow):
        super().__init__(flow)
        self.setSubTitle(
            f"Stel de klager de vragen die de klachtenregeling stelt. Regeling: "
            f"{flow.procedure.name}."
        )
        self._loading = False
        self.earlier_info = wrapped_label(name="earlierInfo", style=HINT_STYLE)
        self.blocks: dict[str, QWidget] = {}
        self.question_labels: dict[str, QLabel] = {}
        self.groups: dict[str, QButtonGroup] = {}
        self.consequence_labels: dict[str, QLabel] = {}
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.earlier_info)
        for question in flow.all_questions():
            column.addWidget(self._block(question))
        self.register_anyway = wrapped_label(REGISTER_ANYWAY, "registerAnyway", HINT_STYLE)
        column.addWidget(self.register_anyway)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _block(self, question) -> QWidget:
        key = camel(question.key)
        block = named(QWidget(), f"{key}Block")
        layout = QVBoxLayout(block)
        layout.setContentsMargins(0, 6, 0, 6)
        label = wrapped_label(question.text, f"{key}Question")
        label.setStyleSheet("font-weight: bold;")
        layout.addWidget(label)
        self.question_labels[question.key] = label
        if question.kind == "choice":
            group = QButtonGroup(block)
            row_widget = QWidget()
            row = QHBoxLayout(row_widget)
            row.setContentsMargins(0, 0, 0, 0)
            for option in question.options:
                button = named(QRadioButton(ANSWER_LABELS[option]), f"{key}{option.capitalize()}")
                button.setProperty("answer", option)
                group.addButton(button)
                row.addWidget(button)
            row.addStretch(1)
            group.buttonToggled.connect(self._changed)
            self.groups[question.key] = group
            field = self.with_error(question.key, group.buttons()[0], row_widget)
        elif question.kind == "case":
            self.earlier_ref = named(QComboBox(), "earlierRefCombo")
            self.earlier_ref.currentIndexChanged.connect(self._changed)
            field = self.with_error(question.key, self.earlier_ref)
            label.setBuddy(self.earlier_ref)
        else:
            self.new_facts_text = text_edit("newFactsTextEdit", "", 60)
            self.new_facts_text.setMaximumHeight(110)
            field = self.with_error(question.key, self.new_facts_text)
        layout.addWidget(field)
        if question.hint:
            layout.addWidget(wrapped_label(question.hint, f"{key}Hint", HINT_STYLE))
        consequence = wrapped_label(name=f"{key}Consequence", style=WARNING_STYLE)
        consequence.hide()
        layout.addWidget(consequence)
        self.consequence_labels[question.key] = consequence
        self.blocks[question.key] = block
        return block

    def _changed(self, *_args) -> None:
        if self._loading:
            return
        self.store()
        self._refresh()

    def _refresh(self) -> None:
        shown = {q.key for q in self.flow.questions()}
        for key, block in self.blocks.items():
            block.setVisible(key in shown)
        consequences = self.flow.consequences()
        for key, label in self.consequence_labels.items():
            label.setText(consequences.get(key, ""))
            label.setVisible(key in consequences)
        self.register_anyway.setVisible(bool(consequences))

    def store(self) -> None:
        if self._loading:
            return
        values = {}
        for key, group in self.groups.items():
            checked = group.checkedButton()
            values[key] = checked.property("answer") if checked else None
        if "earlier_ref" in self.blocks:
            values["earlier_ref"] = self.earlier_ref.currentData() or ""
        if "new_facts_text" in self.blocks:
            values["new_facts_text"] = self.new_facts_text.toPlainText()
        self.flow.set_answers(Page.ONTVANKELIJKHEID, **values)

    def load(self) -> None:
        self._loading = True
        try:
            a = self.flow.answers[Page.ONTVANKELIJKHEID]
            for question in self.flow.all_questions():
                self.question_labels[question.key].setText(question.text)
            for key, group in self.groups.items():
                group.setExclusive(False)
                for button in group.buttons():
                    button.setChecked(button.property("answer") == a.get(key))
                group.setExclusive(True)
            if "earlier_ref" in self.blocks:
                self.earlier_ref.clear()
                self.earlier_ref.addItem("Niet bekend", "")
                for case in self.flow.known_cases:
                    text = f"{case.ref} — {fmt_date(case.received)} — {case.subject}"
                    self.earlier_ref.addItem(text, case.ref)
                index = self.earlier_ref.findData(a.get("earlier_ref", ""))
                self.earlier_ref.setCurrentIndex(max(0, index))
            if "new_facts_text" in self.blocks:
                self.new_facts_text.setPlainText(a.get("new_facts_text") or "")
        finally:
            self._loading = False
        cases = self.flow.known_cases
        if cases:
            listed = "; ".join(
                f"{c.ref} ({fmt_date(c.received)}, {c.subject}, {status_label(c.status)})"
                for c in cases[:5]
            )
            more = f" en nog {len(cases) - 5}" if len(cases) > 5 else ""
            self.earlier_info.setText(f"Eerdere zaken van deze klager: {listed}{more}.")
        else:
            self.earlier_info.setText("Van deze klager zijn geen eerdere zaken bekend.")
        self._refresh()
        first = next(iter(self.groups.values()), None)
        if first is not None:
            (first.checkedButton() or first.buttons()[0]).setFocus()
