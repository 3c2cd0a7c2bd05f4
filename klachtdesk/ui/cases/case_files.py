"""The case window's "Bijlagen en brieven" panel: files kept inside the encrypted database."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
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

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.states import Activity
from klachtdesk.services.cases import case_edit
from klachtdesk.services.cases.case_view import CaseDetail
from klachtdesk.services.context import Context
from klachtdesk.services.letters import letters
from klachtdesk.ui.cases.case_actions import human_size
from klachtdesk.ui.common import call_service, fmt_date, fmt_datetime
from klachtdesk.ui.letters.letter_dialog import LetterDialog
from klachtdesk.ui.letters.letter_viewer import LetterViewer

VIA_LABELS = {"post": "per post", "email": "per e-mail"}
LETTER_ID_ROLE = Qt.ItemDataRole.UserRole
UNSENT_ROLE = Qt.ItemDataRole.UserRole + 1  # a final letter whose sending is not recorded
OUTSIDE = "buiten KlachtDesk"
NOT_SENT = "nog niet verzonden"


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
    service refused (the window then reads the case again); ``message`` a short status text;
    ``letter_stored`` a letter made final in the letter dialog (the window reads the case again).
    """

    added = Signal(object)
    message = Signal(str)
    letter_stored = Signal(int, str)  # (letter id, letter type) once a letter is final
    record_sending = Signal(int, str)  # (letter id, its label): record that it went out

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
        self.no_attachments = QLabel("Nog geen bijlagen.")
        self.no_attachments.setObjectName("noAttachments")
        layout.addWidget(self.no_attachments)
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
        self.letter_list.setHeaderLabels(
            ["Brief", "Gemaakt op", "Gemaakt door", "Verzonden op", "Verzonden via"]
        )
        self.letter_list.setRootIsDecorated(False)
        self.letter_list.setUniformRowHeights(True)
        self.letter_list.setToolTip("Dubbelklik of druk op Enter om de brief te bekijken.")
        header = self.letter_list.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        # Double-click and Enter both "activate" a row (Qt's convention per platform).
        self.letter_list.itemActivated.connect(lambda *_: self.open_letter())
        self.letter_list.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.letter_list, 1)
        self.no_letters = QLabel("Nog geen brieven.")
        self.no_letters.setObjectName("noLetters")
        self.no_letters.setWordWrap(True)
        layout.addWidget(self.no_letters)
        letter_row = QHBoxLayout()
        letter_row.addStretch()
        self.open_letter_button = QPushButton("Brief &openen…")
        self.open_letter_button.setObjectName("openLetterButton")
        self.open_letter_button.setToolTip(
            "Bekijk de definitieve brief; u kunt hem daar printen of een kopie opslaan."
        )
        self.open_letter_button.clicked.connect(self.open_letter)
        self.record_sent_button = QPushButton("&Verzending vastleggen…")
        self.record_sent_button.setObjectName("recordSentButton")
        self.record_sent_button.setToolTip(
            "Leg vast wanneer en hoe deze definitieve brief is verzonden; pas dan telt hij "
            "voor de termijn die hij beantwoordt."
        )
        self.record_sent_button.clicked.connect(self._record_sending)
        letter_row.addWidget(self.record_sent_button)
        letter_row.addWidget(self.open_letter_button)
        layout.addLayout(letter_row)
        layout.addStretch()  # takes the room only while both lists are empty
        self.viewer: LetterViewer | None = None
        self.letter_dialog: LetterDialog | None = None

    def show_case(self, d: CaseDetail) -> None:
        self.detail = d
        self.attachment_list.clear()
        for attachment in d.attachments:
            item = QTreeWidgetItem(
                [attachment.name, human_size(attachment.size), fmt_datetime(attachment.at)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, attachment.id)
            self.attachment_list.addTopLevelItem(item)
        self.attachment_list.setVisible(bool(d.attachments))
        self.save_button.setVisible(bool(d.attachments))
        self.no_attachments.setVisible(not d.attachments)
        self.add_button.setVisible(Activity.BIJLAGE in d.activities)
        self._show_letters(d)
        self._update_buttons()

    def _show_letters(self, d: CaseDetail) -> None:
        """Letters made here (openable) and letters recorded as sent from outside KlachtDesk."""
        selected = self.selected_letter()
        self.letter_list.clear()
        rows = self._stored_rows(d)
        for event in d.events:
            outside = event.kind == Activity.BRIEF.value and "briefnummer" not in event.data
            if outside and not event.confidential:
                rows.append((event.at, _outside_row(event.data)))
        rows.sort(key=lambda row: row[0])
        for _, item in rows:
            self.letter_list.addTopLevelItem(item)
            if selected is not None and item.data(0, LETTER_ID_ROLE) == selected:
                self.letter_list.setCurrentItem(item)
        self.letter_list.setVisible(bool(rows))
        self.open_letter_button.setVisible(bool(d.letters))
        self.no_letters.setVisible(not rows)
        self.no_letters.setText(
            "Nog geen brieven. U maakt een brief met 'Brief maken…' bij Handelingen."
            if Activity.BRIEF in d.activities
            else "Nog geen brieven."
        )

    def _stored_rows(self, d: CaseDetail) -> list:
        if not d.letters:
            return []
        try:
            stored = letters.stored_letters(self.ctx, d.ref)
        except KlachtDeskError:  # may not read letters: show what the case view knows
            stored = None
        if stored is None:
            return [
                (f.at, _letter_item(f.id, _type_label(f.name), fmt_datetime(f.at), "", "", ""))
                for f in d.letters
            ]
        return [
            (
                s.created_at,
                _letter_item(
                    s.id,
                    s.label,
                    fmt_datetime(s.created_at),
                    s.created_by,
                    fmt_date(s.sent_on) if s.sent_on else NOT_SENT,
                    VIA_LABELS.get(s.sent_via or "", ""),
                    unsent=s.sent_on is None,
                ),
            )
            for s in stored
        ]

    def select_letter(self, letter_id: int) -> None:
        """Make the stored letter with this id the current row (e.g. the one just made)."""
        for index in range(self.letter_list.topLevelItemCount()):
            item = self.letter_list.topLevelItem(index)
            if item.data(0, LETTER_ID_ROLE) == letter_id:
                self.letter_list.setCurrentItem(item)
                return

    def selected_letter(self) -> int | None:
        """The id of the stored letter chosen in the list, if any."""
        item = self.letter_list.currentItem()
        return item.data(0, LETTER_ID_ROLE) if item is not None else None

    def open_letter(self) -> None:
        """Show the chosen final letter (it is checked against its SHA-256 first)."""
        letter_id = self.selected_letter()
        if letter_id is None:
            if self.letter_list.currentItem() is not None:
                self.message.emit(
                    "Deze brief is buiten KlachtDesk gemaakt; alleen de verzending is vastgelegd."
                )
            return
        self.viewer = LetterViewer(self.ctx, letter_id, self)
        self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer.destroyed.connect(self._viewer_closed)
        self.viewer.open()

    def _viewer_closed(self, *_args) -> None:
        self.viewer = None

    def make_letter(self, letter_type: str | None = None) -> None:
        """Open the letter dialog for this case, with ``letter_type`` offered first."""
        if self.detail is None:
            return
        dialog = LetterDialog(self.ctx, self.detail.ref, self, letter_type)
        dialog.stored.connect(
            lambda letter_id: self.letter_stored.emit(letter_id, dialog.draft.type)
        )
        dialog.finished.connect(lambda _result: self._letter_dialog_closed(dialog))
        self.letter_dialog = dialog
        dialog.open()

    def _letter_dialog_closed(self, dialog: LetterDialog) -> None:
        if self.letter_dialog is dialog:
            self.letter_dialog = None
        dialog.deleteLater()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(bool(self.attachment_list.selectedItems()))
        self.open_letter_button.setEnabled(self.selected_letter() is not None)
        item = self.letter_list.currentItem()
        unsent = item is not None and bool(item.data(0, UNSENT_ROLE))
        may = self.detail is not None and Activity.BRIEF in self.detail.activities
        self.record_sent_button.setVisible(unsent and may)

    def _record_sending(self) -> None:
        item = self.letter_list.currentItem()
        if item is not None and item.data(0, UNSENT_ROLE):
            self.record_sending.emit(item.data(0, LETTER_ID_ROLE), item.text(0))

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


def make_letter_button(kinds: list[str]) -> QPushButton:
    """The case window's "Brief maken…" button: enabled when a letter fits the case now."""
    button = QPushButton("Brief &maken…")
    button.setObjectName("makeLetterButton")
    button.setEnabled(bool(kinds))
    if kinds:
        names = ", ".join(letters.LETTER_TYPES[k].label.lower() for k in kinds)
        button.setToolTip(f"Maak een brief aan de klager ({names}) en maak hem definitief.")
    else:
        button.setToolTip("Bij de huidige stand van de zaak hoort geen brief die u kunt maken.")
    return button


def _type_label(kind: str) -> str:
    known = letters.LETTER_TYPES.get(kind)
    return known.label if known else kind


def _letter_item(letter_id, label, made, by, sent, via, unsent=False) -> QTreeWidgetItem:
    item = QTreeWidgetItem([label, made, by, sent, via])
    item.setData(0, LETTER_ID_ROLE, letter_id)
    item.setData(0, UNSENT_ROLE, unsent)
    if unsent:
        item.setForeground(3, QBrush(QColor("#842029")))
    item.setToolTip(0, f"{label}: dubbelklik of druk op Enter om de brief te bekijken.")
    return item


def _outside_row(data: dict) -> QTreeWidgetItem:
    """A letter made and sent outside KlachtDesk: only its sending is known."""
    sent = str(data.get("verzonden") or "")
    with contextlib.suppress(ValueError):  # stored as an ISO date; shown as it is otherwise
        sent = fmt_date(date.fromisoformat(sent))
    label = _type_label(str(data.get("brief", "")))
    item = _letter_item(None, label, OUTSIDE, "", sent, VIA_LABELS.get(data.get("via", ""), ""))
    item.setToolTip(0, f"{label}: buiten KlachtDesk gemaakt; alleen de verzending is vastgelegd.")
    grey = QBrush(QColor("#6c757d"))
    for column in range(item.columnCount()):
        item.setForeground(column, grey)
    return item
