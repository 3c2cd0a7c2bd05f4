"""The case window's "Bijlagen en brieven" panel: files kept inside the encrypted database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.states import Activity
from klachtdesk.services import case_edit
from klachtdesk.services.case_view import CaseDetail
from klachtdesk.services.context import Context
from klachtdesk.ui.case_actions import LETTER_TYPES, human_size
from klachtdesk.ui.common import call_service, fmt_datetime


def _ask_save_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Bijlage opslaan als", str(Path.home() / suggested)
    )
    return path


def _ask_open_path(parent: QWidget) -> str:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Bijlage toevoegen", str(Path.home()), "Alle bestanden (*)"
    )
    return path


class CaseFilesPanel(QWidget):
    """Attachments and letters. Nothing is written to disk unless the user picks a place
    ("Opslaan als…"); there is no opening through a temporary file.

    ``added`` carries the case's version after adding an attachment, or None when the
    service refused (the window then reads the case again); ``message`` a short status text.
    """

    added = Signal(object)
    message = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.detail: CaseDetail | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Bijlagen</b>"))
        self.attachment_list = QTreeWidget()
        self.attachment_list.setObjectName("attachmentList")
        self.attachment_list.setHeaderLabels(["Bestand", "Grootte", "Toegevoegd op"])
        self.attachment_list.setRootIsDecorated(False)
        self.attachment_list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.attachment_list.itemDoubleClicked.connect(lambda *_: self.save_attachment())
        self.attachment_list.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.attachment_list, 1)
        row = QHBoxLayout()
        row.addStretch()
        self.save_button = QPushButton("Opslaan &als…")
        self.save_button.setObjectName("saveAttachmentButton")
        self.save_button.setToolTip(
            "Bewaar een kopie van de bijlage in een map naar keuze; die kopie is niet versleuteld."
        )
        self.save_button.clicked.connect(self.save_attachment)
        self.add_button = QPushButton("Bijlage &toevoegen…")
        self.add_button.setObjectName("addAttachmentButton")
        self.add_button.clicked.connect(self.add_attachment)
        row.addWidget(self.save_button)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        layout.addWidget(QLabel("<b>Brieven</b>"))
        self.letter_list = QTreeWidget()
        self.letter_list.setObjectName("letterList")
        self.letter_list.setHeaderLabels(["Brief", "Gemaakt op"])
        self.letter_list.setRootIsDecorated(False)
        self.letter_list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.letter_list, 1)
        self.no_letters = QLabel("Nog geen brieven.")
        self.no_letters.setObjectName("noLetters")
        layout.addWidget(self.no_letters)
        layout.addStretch()

    def show_case(self, d: CaseDetail) -> None:
        self.detail = d
        self.attachment_list.clear()
        for attachment in d.attachments:
            item = QTreeWidgetItem(
                [attachment.name, human_size(attachment.size), fmt_datetime(attachment.at)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, attachment.id)
            self.attachment_list.addTopLevelItem(item)
        self.add_button.setVisible(Activity.BIJLAGE in d.activities)
        self.letter_list.clear()
        for letter in d.letters:
            label = LETTER_TYPES.get(letter.name, (letter.name, None))[0]
            self.letter_list.addTopLevelItem(QTreeWidgetItem([label, fmt_datetime(letter.at)]))
        self.letter_list.setVisible(bool(d.letters))
        self.no_letters.setVisible(not d.letters)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(bool(self.attachment_list.selectedItems()))

    def save_attachment(self) -> None:
        items = self.attachment_list.selectedItems()
        if not items or self.detail is None:
            return
        path = _ask_save_path(self, items[0].text(0))
        if not path:
            return
        attachment_id = items[0].data(0, Qt.ItemDataRole.UserRole)
        saved = call_service(
            self, case_edit.save_attachment_as, self.ctx, self.detail.ref, attachment_id, path
        )
        if saved is not None:
            self.message.emit(f"De bijlage is opgeslagen als {saved}.")

    def add_attachment(self) -> None:
        if self.detail is None:
            return
        path = _ask_open_path(self)
        if not path:
            return
        result = call_service(
            self,
            case_edit.add_attachment_file,
            self.ctx,
            self.detail.ref,
            path,
            self.detail.version,
        )
        self.added.emit(result)  # the window reads the case again, also after a refusal
        if result is not None:
            self.message.emit(f"De bijlage {Path(path).name} is toegevoegd.")
