"""Making a letter: choose the type, edit the draft, preview it, make it final, print it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.cases import case_view
from klachtdesk.services.context import Context
from klachtdesk.services.letters import letters
from klachtdesk.ui import common
from klachtdesk.ui.common import fit_to_screen
from klachtdesk.ui.letters.letter_preview import (
    PdfPreview,
    ask_save_path,
    print_pdf,
    suggested_name,
)

PREVIEW_DELAY_MS = 600
CHANNEL_LABELS = {"post": "per post", "email": "per e-mail"}


def ask_final(parent: QWidget | None, ref: str, label: str) -> bool:
    """Make the letter final? After this it is archived in the case and never changes."""
    box = QMessageBox(parent)
    box.setObjectName("finalQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Brief definitief maken")
    box.setText(
        f"De brief '{label}' wordt definitief opgeslagen in zaak {ref}. Daarna kan de brief "
        "niet meer worden gewijzigd.\n\n"
        "Print de brief daarna of sla een kopie op om te e-mailen, en leg vast dat hij is "
        "verzonden: pas dan telt de brief voor de termijn."
    )
    final = box.addButton("&Definitief maken", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Annuleren", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(final)
    box.exec()
    return box.clickedButton() is final


def ask_channel(
    parent: QWidget | None, ref: str, label: str, today, options: list[str], default: str
) -> str | None:
    """The letter went out today: by post or by e-mail (only the ways the complainant can
    be reached are offered); None when the user cancels."""
    box = QMessageBox(parent)
    box.setObjectName("channelQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Verzending vastleggen")
    box.setText(
        f"Is de brief '{label}' van zaak {ref} vandaag ({long_date(today)}) verzonden? Hoe?\n\n"
        "Is hij nog niet weg, kies dan Annuleren en leg de verzending later vast bij de "
        "brieven van de zaak."
    )
    buttons = {}
    if "post" in options:
        buttons[box.addButton("Per &post verzonden", QMessageBox.ButtonRole.AcceptRole)] = "post"
    if "email" in options:
        buttons[box.addButton("Per &e-mail verzonden", QMessageBox.ButtonRole.AcceptRole)] = "email"
    box.addButton("&Annuleren", QMessageBox.ButtonRole.RejectRole)
    preferred = next((b for b, via in buttons.items() if via == default), None)
    if preferred is not None:
        box.setDefaultButton(preferred)
    box.exec()
    return buttons.get(box.clickedButton())


def _recipient_summary(detail) -> str:
    place = " ".join(p for p in (detail.postcode, detail.city) if p)
    address = ", ".join(p for p in (detail.street, place) if p) or "geen adres bekend"
    preference = "per e-mail" if detail.prefers_email and detail.email else "per post"
    return (
        f"Zaak {detail.ref}: {detail.subject}\n"
        f"Aan: {detail.complainant_name}, {address}\n"
        f"Voorkeur van de klager: {preference}"
    )


class LetterDialog(QDialog):
    """Make one letter for a case. ``stored`` carries the new letter's id once it is final.

    After "Definitief maken en opslaan" the dialog shows the stored letter (no longer
    editable) so it can be printed or saved; ``letter_id`` is then set.
    """

    stored = Signal(int)

    def __init__(
        self, ctx: Context, ref: str, parent: QWidget | None = None, letter_type: str | None = None
    ):
        super().__init__(parent)
        self.ctx, self.ref = ctx, ref.strip().upper()
        self.draft: letters.Draft | None = None
        self.letter_id: int | None = None
        self._sent = False  # the final letter's sending is recorded
        self.detail = None  # the case, for whom the letter is and how to reach them
        self._pdf: bytes | None = None
        self._dirty = False
        self._loading = False
        self.setObjectName("letterDialog")
        self.setWindowTitle(f"Brief maken – {self.ref}")
        fit_to_screen(self, 1180, 860)
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._load_types(letter_type)

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("letterSplitter")
        editor = QWidget()
        form = QFormLayout(editor)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.case_label = QLabel()
        self.case_label.setObjectName("letterCase")
        self.case_label.setWordWrap(True)
        self.case_label.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(self.case_label)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("letterTypeCombo")
        self.type_combo.currentIndexChanged.connect(self._type_chosen)
        self.subject_edit = QLineEdit()
        self.subject_edit.setObjectName("subjectEdit")
        self.salutation_edit = QLineEdit()
        self.salutation_edit.setObjectName("salutationEdit")
        self.salutation_edit.setToolTip(
            "Wordt gevuld uit de gegevens van de klager; pas hem aan als dat nodig is."
        )
        self.body_edit = QPlainTextEdit()
        self.body_edit.setObjectName("bodyEdit")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setToolTip(
            "Scheid alinea's met een lege regel. Regels die met '- ' beginnen worden een opsomming."
        )
        for widget in (self.subject_edit, self.salutation_edit):
            widget.textEdited.connect(self._edited)
        self.body_edit.textChanged.connect(self._edited)
        for text, widget in (
            ("&Soort brief:", self.type_combo),
            ("&Onderwerp:", self.subject_edit),
            ("&Aanhef:", self.salutation_edit),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        body_label = QLabel("&Tekst (alinea's gescheiden door een lege regel):")
        body_label.setBuddy(self.body_edit)
        form.addRow(body_label)
        form.addRow(self.body_edit)
        self.reset_button = QPushButton("Standaardtekst &terugzetten")
        self.reset_button.setObjectName("resetTextButton")
        self.reset_button.setAutoDefault(False)
        self.reset_button.clicked.connect(self.reset_text)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.reset_button)
        reset_row.addStretch()
        form.addRow(reset_row)
        self.status_label = QLabel()
        self.status_label.setObjectName("letterStatus")
        self.status_label.setWordWrap(True)
        form.addRow(self.status_label)
        self.preview = PdfPreview()
        splitter.addWidget(editor)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([500, 660])
        layout.addWidget(splitter, 1)

        buttons = QHBoxLayout()
        self.finalise_button = QPushButton("&Definitief maken en opslaan…")
        self.finalise_button.setObjectName("finaliseButton")
        self.finalise_button.setDefault(True)
        self.finalise_button.clicked.connect(self.finalise)
        self.print_button = QPushButton("&Printen…")
        self.print_button.setObjectName("printButton")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_letter)
        self.save_button = QPushButton("&Kopie opslaan als…")
        self.save_button.setObjectName("saveCopyButton")
        self.save_button.setAutoDefault(False)
        self.save_button.setToolTip(
            "Bewaar een PDF-kopie in een map naar keuze, bijvoorbeeld om te e-mailen; die kopie "
            "is niet versleuteld."
        )
        self.save_button.clicked.connect(self.save_copy)
        self.sent_button = QPushButton("&Verzending vastleggen…")
        self.sent_button.setObjectName("recordSentButton")
        self.sent_button.setAutoDefault(False)
        self.sent_button.setToolTip(
            "Leg vast dat de brief vandaag per post of e-mail is verzonden; pas dan telt hij "
            "voor de termijn."
        )
        self.sent_button.clicked.connect(self.record_sent)
        self.sent_button.setVisible(False)
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.finalise_button)
        buttons.addStretch()
        for button in (self.print_button, self.save_button, self.sent_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.setTabOrder(self.type_combo, self.subject_edit)
        self.setTabOrder(self.subject_edit, self.salutation_edit)
        self.setTabOrder(self.salutation_edit, self.body_edit)
        self.setTabOrder(self.body_edit, self.finalise_button)

    # -- loading ------------------------------------------------------------------------------
    def _load_types(self, wanted: str | None) -> None:
        detail = common.call_service(self, case_view.case_detail, self.ctx, self.ref)
        self.detail = detail
        kinds = letters.types_for(detail, self.ctx) if detail else []
        if detail is not None:
            self.case_label.setText(_recipient_summary(detail))
        if wanted and detail is not None:
            # Asked for explicitly (from "Brieven te versturen"): offered first.
            kinds = [wanted, *(k for k in kinds if k != wanted)]
        self._loading = True
        for kind in kinds:
            self.type_combo.addItem(letters.LETTER_TYPES[kind].label, kind)
        self._loading = False
        if not kinds:
            self._set_editable(False)
            self.finalise_button.setEnabled(False)
            self.preview.show_message(
                "Bij deze zaak hoort nu geen brief, of u mag er geen maken."
                if detail
                else "De zaak kan niet worden geopend."
            )
            self._update_buttons()
            return
        self.type_combo.setCurrentIndex(0)
        self._type_chosen()

    def _type_chosen(self) -> None:
        if self._loading or self.letter_id is not None:
            return
        kind = self.type_combo.currentData()
        if kind is None:
            return
        changed = self._dirty and self.draft is not None and self.draft.type != kind
        if changed and not common.confirm(
            self,
            "Andere soort brief",
            "Uw wijzigingen in de tekst gaan verloren als u een andere soort brief kiest. "
            "Doorgaan?",
            "&Doorgaan",
        ):
            self._select(self.draft.type)
            return
        self._load_draft(kind)

    def _select(self, kind: str) -> None:
        self._loading = True
        self.type_combo.setCurrentIndex(self.type_combo.findData(kind))
        self._loading = False

    def _load_draft(self, kind: str) -> None:
        pdf = None
        try:  # the text and its preview in one go; if that fails, the text alone
            draft, pdf = letters.draft_with_preview(self.ctx, self.ref, kind)
        except KlachtDeskError:
            try:
                draft = letters.draft(self.ctx, self.ref, kind)
            except KlachtDeskError as error:
                self.draft = None
                self._show_text(None)
                self._set_editable(False)
                self.type_combo.setEnabled(self.type_combo.count() > 1)
                self.preview.show_message(str(error))
                self._update_buttons()
                return
        self.draft = draft
        self._show_text(draft)
        self._set_editable(True)
        self._dirty = False
        if pdf is None:
            self.refresh_preview()  # shows why the preview cannot be made
        elif self.letter_id is None:  # a final letter shows itself, not a preview
            self._timer.stop()
            self._show_pdf(pdf)

    def _show_text(self, draft: letters.Draft | None) -> None:
        self._loading = True
        self.subject_edit.setText(draft.subject if draft else "")
        self.salutation_edit.setText(draft.salutation if draft else "")
        self.body_edit.setPlainText(draft.body_text if draft else "")
        self._loading = False

    def reset_text(self) -> None:
        if self.draft is None:
            return
        if self._dirty and not common.confirm(
            self,
            "Standaardtekst terugzetten",
            "Uw wijzigingen in de tekst gaan verloren. Doorgaan?",
            "&Terugzetten",
        ):
            return
        self._load_draft(self.draft.type)

    # -- editing and preview ------------------------------------------------------------------
    def _edited(self, *_args) -> None:
        if self._loading or self.draft is None:
            return
        self._dirty = True
        self._timer.start()

    def current_draft(self) -> letters.Draft | None:
        if self.draft is None:
            return None
        return self.draft.edited(
            subject=self.subject_edit.text(),
            salutation=self.salutation_edit.text(),
            body=self.body_edit.toPlainText(),
        )

    def refresh_preview(self) -> None:
        """Render the draft (with "CONCEPT" across it) and show its pages."""
        self._timer.stop()
        if self.letter_id is not None:
            return
        draft = self.current_draft()
        if draft is None:
            return
        try:
            pdf = letters.preview(self.ctx, self.ref, draft)
        except KlachtDeskError as error:
            self._pdf = None
            self.preview.show_message(str(error))
            self.status_label.setText("Het voorbeeld kan niet worden getoond; zie hiernaast.")
            self._update_buttons()
        else:
            self._show_pdf(pdf)

    def _show_pdf(self, pdf: bytes) -> None:
        self._pdf = pdf
        self.preview.show_pdf(pdf, keep_position=True)
        pages = self.preview.page_count
        self.status_label.setText(
            f"Concept, nog niet opgeslagen ({pages} "
            f"{'pagina' if pages == 1 else 'pagina’s'}). De klager ontvangt de brief pas "
            "nadat u hem definitief heeft gemaakt."
        )
        self._update_buttons()

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.subject_edit, self.salutation_edit):
            widget.setReadOnly(not editable)
        self.body_edit.setReadOnly(not editable)
        self.reset_button.setEnabled(editable)

    def _update_buttons(self) -> None:
        final = self.letter_id is not None
        self.finalise_button.setEnabled(not final and self.draft is not None)
        self.print_button.setEnabled(self._pdf is not None)
        self.save_button.setEnabled(self._pdf is not None)
        self.sent_button.setVisible(final)
        self.sent_button.setEnabled(final and not self._sent)

    # -- final letter -------------------------------------------------------------------------
    def finalise(self) -> None:
        """Archive the letter in the case; its sending is recorded afterwards."""
        draft = self.current_draft()
        if draft is None or self.letter_id is not None:
            return
        if not draft.paragraphs:
            self.status_label.setText("De brief heeft nog geen tekst.")
            self.body_edit.setFocus()
            return
        if not ask_final(self, self.ref, draft.label):
            return
        letter_id = common.call_service(
            self,
            letters.finalise,
            self.ctx,
            self.ref,
            draft,
            draft.default_via,
            draft.case_version,
            sent=False,
        )
        if letter_id is None:
            return
        pdf = common.call_service(self, letters.letter_pdf, self.ctx, letter_id)
        self.letter_id = letter_id
        self._pdf = pdf
        self._dirty = False
        self._set_editable(False)
        self.type_combo.setEnabled(False)
        if pdf is not None:
            self.preview.show_pdf(pdf)
        self.setWindowTitle(f"Brief opgeslagen – {self.ref}")
        self.status_label.setStyleSheet(
            "background: #d1e7dd; color: #0f5132; padding: 6px; border-radius: 3px;"
        )
        self.status_label.setText(
            "De brief is definitief opgeslagen in de zaak. Print hem (per post) of sla een "
            "kopie op (per e-mail), en leg daarna met 'Verzending vastleggen' vast dat hij "
            "is verzonden; pas dan telt hij voor de termijn."
        )
        self._update_buttons()
        next_step = self.save_button if draft.default_via == "email" else self.print_button
        next_step.setDefault(True)
        next_step.setFocus()
        self.stored.emit(letter_id)

    def record_sent(self) -> None:
        """The letter went out today: record how (it then meets its deadline)."""
        draft = self.draft
        if self.letter_id is None or self._sent or draft is None:
            return
        options = letters.delivery_options(self.detail) if self.detail else []
        if not options:
            self.status_label.setText(
                "Van de klager is geen volledig adres en geen e-mailadres bekend. Vul die aan "
                "bij de gegevens van de zaak en leg de verzending daarna vast."
            )
            return
        via = ask_channel(self, self.ref, draft.label, self.ctx.today(), options, draft.default_via)
        if via is None:
            return
        if (
            common.call_service(self, letters.record_sent, self.ctx, self.ref, self.letter_id, via)
            is None
        ):
            return
        self._sent = True
        self.status_label.setText(
            f"De brief is vastgelegd als verzonden {CHANNEL_LABELS[via]} op "
            f"{long_date(self.ctx.today())}; hij telt nu voor de termijn die hij beantwoordt."
        )
        self._update_buttons()
        self.close_button.setDefault(True)
        self.stored.emit(self.letter_id)

    def print_letter(self) -> None:
        if self._pdf is None:
            return
        title = suggested_name(self.ref, self._kind(), concept=self.letter_id is None)
        if common.call_service(self, print_pdf, self, self._pdf, title):
            common.call_service(self, letters.record_printed, self.ctx, self.ref, self.letter_id)
            self.status_label.setText("De brief is naar de printer gestuurd.")

    def save_copy(self) -> None:
        if self._pdf is None:
            return
        concept = self.letter_id is None
        path = ask_save_path(self, suggested_name(self.ref, self._kind(), concept))
        if not path:
            return
        if concept:
            saved = common.call_service(
                self, letters.save_concept_as, self.ctx, self.ref, self.current_draft(), path
            )
        else:
            saved = common.call_service(
                self, letters.save_letter_as, self.ctx, self.letter_id, path
            )
        if saved is not None:
            self.status_label.setText(f"De kopie is opgeslagen als {saved}.")

    def _kind(self) -> str:
        return self.draft.type if self.draft else "brief"

    # -- closing ------------------------------------------------------------------------------
    def reject(self) -> None:
        if (
            self._dirty
            and self.letter_id is None
            and not common.confirm(
                self,
                "Concept weggooien?",
                "U heeft de brief nog niet definitief gemaakt. Als u het venster sluit, gaan uw "
                "wijzigingen verloren.",
                "&Sluiten zonder opslaan",
            )
        ):
            return
        self._timer.stop()
        if self.letter_id is not None:
            super().accept()
        else:
            super().reject()
