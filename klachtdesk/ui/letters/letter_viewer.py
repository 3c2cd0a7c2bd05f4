"""A stored (final) letter: look at it, print it, save a copy. It cannot be changed."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

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

VIA_LABELS = {"post": "per post", "email": "per e-mail"}


class LetterViewer(QDialog):
    """Shows one final letter after checking its SHA-256; a damaged letter is not shown."""

    def __init__(self, ctx: Context, letter_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.letter_id = ctx, letter_id
        self.info: letters.StoredLetter | None = None
        self._pdf: bytes | None = None
        self.setObjectName("letterViewer")
        self.setWindowTitle("Brief")
        fit_to_screen(self, 760, 900)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("letterSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.preview = PdfPreview()
        layout.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("viewerMessage")
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        self.print_button = QPushButton("&Printen…")
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(self.print_letter)
        self.save_button = QPushButton("&Kopie opslaan als…")
        self.save_button.setObjectName("saveCopyButton")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_copy)
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        for button in (self.print_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.print_button.setDefault(True)
        self._load()

    def _load(self) -> None:
        self.info = common.call_service(self, letters.stored_letter, self.ctx, self.letter_id)
        if self.info is not None:
            info = self.info
            self.setWindowTitle(f"Brief – {info.label} – {info.ref}")
            sent = (
                f"verzonden {VIA_LABELS.get(info.sent_via or '', '')} op "
                f"{common.fmt_date(info.sent_on)}"
                if info.sent_on
                else "niet als verzonden vastgelegd"
            )
            self.summary.setText(
                f"<b>{info.label}</b> bij zaak {info.ref}: {sent}; gemaakt door "
                f"{info.created_by or 'onbekend'} op {common.fmt_datetime(info.created_at)}."
            )
            self._pdf = common.call_service(self, letters.letter_pdf, self.ctx, self.letter_id)
        if self._pdf is None:
            self.preview.show_message(
                "Deze brief kan niet worden getoond. De controlecode (SHA-256) klopt niet of "
                "de brief is niet beschikbaar."
            )
        else:
            self.preview.show_pdf(self._pdf)
            self.message.setText("Definitieve brief; de controlecode (SHA-256) klopt.")
        self.print_button.setEnabled(self._pdf is not None)
        self.save_button.setEnabled(self._pdf is not None)

    def print_letter(self) -> None:
        if self._pdf is None or self.info is None:
            return
        title = suggested_name(self.info.ref, self.info.type)
        if common.call_service(self, print_pdf, self, self._pdf, title):
            common.call_service(
                self, letters.record_printed, self.ctx, self.info.ref, self.letter_id
            )
            self.message.setText("De brief is naar de printer gestuurd.")

    def save_copy(self) -> None:
        if self._pdf is None or self.info is None:
            return
        path = ask_save_path(self, suggested_name(self.info.ref, self.info.type))
        if not path:
            return
        saved = common.call_service(self, letters.save_letter_as, self.ctx, self.letter_id, path)
        if saved is not None:
            self.message.setText(f"De kopie is opgeslagen als {saved}.")
