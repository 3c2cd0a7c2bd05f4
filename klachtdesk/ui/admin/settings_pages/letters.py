"""Settings page: the letter templates (subject and text per letter type), with placeholders."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.validation import MAX_SUBJECT
from klachtdesk.services.letters import letters
from klachtdesk.services.letters.letters import PLACEHOLDERS
from klachtdesk.ui.admin.settings_pages import ErrorLabel, Page, handles_enter, intro
from klachtdesk.ui.common import call_service, confirm, fmt_date

# Field names of the services' messages, mapped to the editor they are about.
SUBJECT_FIELD = "onderwerp"
BODY_FIELD = "tekst"


def version_text(view: letters.TemplateView) -> str:
    """'Versie 2, opgeslagen op 25-11-2026 om 14:05 door Bert Beheer'."""
    if view.version == 0:
        return "Standaardtekst van KlachtDesk (nog niet gewijzigd)"
    text = f"Versie {view.version}"
    if view.updated_at is not None:
        text += (
            f", opgeslagen op {fmt_date(view.updated_at.date())} "
            f"om {view.updated_at.strftime('%H:%M')}"
        )
    if view.updated_by:
        text += f" door {view.updated_by}"
    return text


class LettersPage(Page):
    """Brieven: beheer edits the template of each letter type; every save is a new version.

    The page has its own Opslaan (for the template shown): a template is not a setting of
    the dialog, and a refused placeholder is shown at the editor it is in.
    """

    title = "Brieven"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.views: dict[str, letters.TemplateView] = {}
        self.current_kind = ""
        self.last_editor: QWidget | None = None

        self.types = QListWidget()
        self.types.setObjectName("letterTypeList")
        self.types.setSpacing(2)
        self.types.currentRowChanged.connect(self._type_chosen)
        types_label = QLabel("Soort &brief:")
        types_label.setBuddy(self.types)

        self.purpose = QLabel()
        self.purpose.setObjectName("templatePurpose")
        self.purpose.setWordWrap(True)
        self.version = QLabel()
        self.version.setObjectName("templateVersion")
        self.version.setStyleSheet("color: #495057;")
        self.subject = handles_enter(QLineEdit(), self.save_template)
        self.subject.setObjectName("templateSubject")
        self.subject.setMaxLength(MAX_SUBJECT)
        self.subject_error = ErrorLabel("templateSubjectError")
        self.body = QPlainTextEdit()
        self.body.setObjectName("templateBody")
        self.body.setTabChangesFocus(True)  # keyboard users can leave the editor with Tab
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.body_error = ErrorLabel("templateBodyError")
        for editor in (self.subject, self.body):
            editor.textChanged.connect(self._edited)
            editor.installEventFilter(self)
        subject_label = QLabel("O&nderwerp:")
        subject_label.setBuddy(self.subject)
        body_label = QLabel(
            "Te&kst (laat een regel leeg tussen twee alinea's; aanhef en ondertekening "
            "komen er vanzelf bij):"
        )
        body_label.setWordWrap(True)
        body_label.setBuddy(self.body)

        self.restore_button = QPushButton("Standaardtekst &terugzetten")
        self.restore_button.setObjectName("templateRestoreButton")
        self.restore_button.setAutoDefault(False)
        self.restore_button.setToolTip(
            "Zet de tekst van KlachtDesk terug; dat wordt een nieuwe versie van het sjabloon"
        )
        self.restore_button.clicked.connect(self.restore_default)
        self.save_button = QPushButton("Sjabloon o&pslaan")
        self.save_button.setObjectName("templateSaveButton")
        self.save_button.setAutoDefault(False)
        self.save_button.setToolTip("Slaat dit sjabloon op als nieuwe versie")
        self.save_button.clicked.connect(self.save_template)

        self.fields = self._placeholder_table()
        fields_box = QGroupBox("Invulvelden")
        fields_layout = QVBoxLayout(fields_box)
        fields_label = QLabel(
            "Dubbelklik op een invulveld (of kies het en druk op Enter) om het in te voegen "
            "waar de cursor staat."
        )
        fields_label.setWordWrap(True)
        fields_label.setStyleSheet("color: #495057;")
        fields_layout.addWidget(fields_label)
        fields_layout.addWidget(self.fields, 1)

        left = QVBoxLayout()
        left.addWidget(types_label)
        left.addWidget(self.types, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addStretch()
        buttons.addWidget(self.save_button)
        editor = QVBoxLayout()
        editor.addWidget(self.purpose)
        editor.addWidget(self.version)
        editor.addSpacing(4)
        editor.addWidget(subject_label)
        editor.addWidget(self.subject)
        editor.addWidget(self.subject_error)
        editor.addWidget(body_label)
        editor.addWidget(self.body, 1)
        editor.addWidget(self.body_error)
        editor.addLayout(buttons)
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addLayout(editor, 5)
        columns.addWidget(fields_box, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            intro(
                "Elke soort brief heeft een sjabloon. Een invulveld zoals {klager_naam} wordt "
                "bij het maken van een brief vervangen door de gegevens van de zaak. Opslaan "
                "maakt een nieuwe versie; brieven die al definitief zijn, blijven zoals ze zijn."
            )
        )
        layout.addLayout(columns, 1)

        for first, second in (
            (self.types, self.subject),
            (self.subject, self.body),
            (self.body, self.fields),
            (self.fields, self.restore_button),
            (self.restore_button, self.save_button),
        ):
            QWidget.setTabOrder(first, second)
        self.refresh()

    def _placeholder_table(self) -> QTableWidget:
        table = QTableWidget(len(PLACEHOLDERS), 2)
        table.setObjectName("placeholderTable")
        table.setHorizontalHeaderLabels(["Invulveld", "Betekenis"])
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for row, (name, meaning) in enumerate(PLACEHOLDERS.items()):
            field = QTableWidgetItem("{" + name + "}")
            field.setData(Qt.ItemDataRole.UserRole, name)
            field.setToolTip(f"{{{name}}}: {meaning}")
            text = QTableWidgetItem(meaning)
            text.setToolTip(meaning)
            table.setItem(row, 0, field)
            table.setItem(row, 1, text)
        # Rows grow with their wrapped description whenever the width changes.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setMinimumWidth(330)
        table.doubleClicked.connect(self._insert_placeholder)
        # Enter inserts the field too; the filter eats the key so the dialog's Opslaan is not
        # pressed as well.
        table.installEventFilter(self)
        return table

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        views = call_service(self, letters.templates, self.ctx)
        if views is None:
            return
        self.views = {view.type: view for view in views}
        kind = self.current_kind or views[0].type
        self.types.blockSignals(True)
        self.types.clear()
        for view in views:
            item = QListWidgetItem(view.label)
            item.setData(Qt.ItemDataRole.UserRole, view.type)
            item.setToolTip(view.purpose)
            self.types.addItem(item)
        self.types.setFixedWidth(self.types.sizeHintForColumn(0) + 16)
        self.types.setCurrentRow(list(self.views).index(kind))
        self.types.blockSignals(False)
        self._show(kind)

    def _show(self, kind: str) -> None:
        view = self.views[kind]
        self.current_kind = kind
        self.purpose.setText(view.purpose)
        self.version.setText(version_text(view))
        for editor in (self.subject, self.body):
            editor.blockSignals(True)
        self.subject.setText(view.subject)
        self.subject.setCursorPosition(0)
        self.body.setPlainText(view.body)
        for editor in (self.subject, self.body):
            editor.blockSignals(False)
        self.clear_errors()
        self.restore_button.setEnabled(view.version > 0)
        self._edited()

    def _type_chosen(self, row: int) -> None:
        kind = self.types.item(row).data(Qt.ItemDataRole.UserRole) if row >= 0 else None
        if kind is None or kind == self.current_kind:
            return
        if self.is_dirty() and not confirm(
            self,
            "Wijzigingen niet opgeslagen",
            f"U heeft het sjabloon '{self.views[self.current_kind].label}' gewijzigd maar "
            "nog niet opgeslagen. Wilt u de wijzigingen weggooien?",
            yes="Wijzigingen weggooien",
        ):
            self.types.blockSignals(True)
            self.types.setCurrentRow(list(self.views).index(self.current_kind))
            self.types.blockSignals(False)
            return
        self._show(kind)

    # -- editing ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Remember where the user was typing: a placeholder goes into that editor.
        if event.type() == QEvent.Type.FocusIn and watched in (self.subject, self.body):
            self.last_editor = watched
        elif (
            watched is self.fields
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            if self.fields.currentIndex().isValid():
                self._insert_placeholder(self.fields.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def _edited(self) -> None:
        self.save_button.setEnabled(self.is_dirty())

    def _insert_placeholder(self, index: QModelIndex) -> None:
        name = self.fields.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        editor = self.last_editor or self.body
        text = "{" + name + "}"
        if editor is self.subject:
            self.subject.insert(text)
        else:
            self.body.textCursor().insertText(text)
        editor.setFocus()
        self.status.emit(f"Invulveld {text} is ingevoegd.")

    def is_dirty(self) -> bool:
        view = self.views.get(self.current_kind)
        return view is not None and (
            self.subject.text() != view.subject or self.body.toPlainText() != view.body
        )

    def clear_errors(self) -> None:
        self.subject_error.clear()
        self.body_error.clear()

    # -- saving -----------------------------------------------------------------------------
    def _show_refusal(self, error: ValidationError) -> None:
        label, editor = (
            (self.subject_error, self.subject)
            if error.field == SUBJECT_FIELD
            else (self.body_error, self.body)
        )
        label.say(error.message[:1].upper() + error.message[1:])
        editor.setFocus()

    def _call(self, func, *args) -> int | None:
        """A service call; a refused text is shown at its editor, anything else as a dialog."""
        refused: list[ValidationError] = []

        def guarded():
            try:
                return func(*args)
            except ValidationError as error:
                refused.append(error)
                return None

        self.clear_errors()
        version = call_service(self, guarded)
        if refused:
            self._show_refusal(refused[0])
            self.status.emit("Niet opgeslagen: verbeter de tekst met de rode melding.")
        return version

    def save(self) -> str | None:
        """Save the template shown as a new version; what happened, or None when refused.

        The dialog's Opslaan can call this as it calls ProcedurePage.save.
        """
        view = self.views[self.current_kind]
        if not self.is_dirty():
            return f"Het sjabloon '{view.label}' is niet gewijzigd."
        version = self._call(
            letters.save_template,
            self.ctx,
            view.type,
            self.subject.text(),
            self.body.toPlainText(),
            view.version,
        )
        if version is None:
            return None
        self.refresh()
        return (
            f"Het sjabloon '{view.label}' is opgeslagen als versie {version}. Nieuwe brieven "
            "gebruiken deze tekst."
        )

    def save_template(self) -> bool:
        """The page's own Opslaan button (and Enter in the subject)."""
        message = self.save()
        if message is not None:
            self.status.emit(message)
        return message is not None

    def restore_default(self) -> bool:
        view = self.views[self.current_kind]
        if not confirm(
            self,
            "Standaardtekst terugzetten",
            f"Wilt u voor '{view.label}' de standaardtekst van KlachtDesk terugzetten? "
            "Dat wordt een nieuwe versie van het sjabloon."
            + (
                " Wijzigingen die u nog niet heeft opgeslagen, gaan verloren."
                if self.is_dirty()
                else ""
            ),
            yes="Standaardtekst terugzetten",
        ):
            return False
        version = self._call(letters.restore_default_template, self.ctx, view.type)
        if version is None:
            return False
        self.refresh()
        self.status.emit(f"De standaardtekst van '{view.label}' is teruggezet (versie {version}).")
        return True
