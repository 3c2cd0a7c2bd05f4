"""The administrator's privacy window (AVG, SPEC §7): cases past the retention period, and the
inzageverzoek export of everything stored about one complainant."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import KlachtDeskError, os_reason
from klachtdesk.services.context import Context
from klachtdesk.services.safety import privacy
from klachtdesk.ui import tasks
from klachtdesk.ui.common import (
    call_service,
    confirm,
    fit_to_screen,
    fmt_date,
    read_only_item,
    show_error,
    status_label,
)

ERROR_STYLE = "color: #842029;"
RETENTION_COLUMNS = [
    "Kenmerk",
    "Ontvangen",
    "Status",
    "Gesloten op",
    "Categorie",
    "Bewaartermijn verstreken op",
    "Jaren gesloten",
]
PERSON_COLUMNS = ["Naam", "Adres", "Postcode", "Plaats", "E-mailadres", "Telefoon", "Zaken"]


def _intro(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class PrivacyWindow(QWidget):
    """Bewaartermijn and inzageverzoek, for the administrator.

    ``anonymised`` is emitted with the references of the cases that were anonymised, so
    open lists can refresh (anonymising adds no timeline event for them to notice).
    """

    anonymised = Signal(list)

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("privacyWindow")
        self.setWindowTitle("Privacy: bewaartermijn en inzageverzoek — KlachtDesk")
        fit_to_screen(self, 1040, 680)
        self.ctx = ctx
        self.rows: list[privacy.RetentionRow] = []
        self.people: list = []
        self._task: tasks.Task | None = None
        self._pending: list[str] = []

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("privacyTabs")
        self.tabs.addTab(self._build_retention(), "&Bewaartermijn")
        self.tabs.addTab(self._build_inzage(), "&Inzageverzoek")
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("privacyStatus")
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        close = QPushButton("&Sluiten")
        close.setObjectName("closeButton")
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)

        if privacy.may_manage(ctx):
            self.refresh()
        else:
            self.tabs.setEnabled(False)
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(
                "Alleen de beheerder behandelt de bewaartermijn en inzageverzoeken. "
                "Vraag het de beheerder van KlachtDesk."
            )

    # -- bewaartermijn --------------------------------------------------------------------------
    def _build_retention(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.retention_intro = _intro("", "retentionIntro")
        layout.addWidget(self.retention_intro)
        self.retention_table = QTableWidget(0, len(RETENTION_COLUMNS))
        self.retention_table.setObjectName("retentionTable")
        self.retention_table.setHorizontalHeaderLabels(RETENTION_COLUMNS)
        self.retention_table.verticalHeader().setVisible(False)
        self.retention_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.retention_table.setAlternatingRowColors(True)
        self.retention_table.setAccessibleName("Zaken over de bewaartermijn")
        header = self.retention_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.retention_table.itemChanged.connect(self._update_retention_buttons)
        layout.addWidget(self.retention_table, 1)

        row = QHBoxLayout()
        self.retention_count = QLabel()
        self.retention_count.setObjectName("retentionCount")
        row.addWidget(self.retention_count, 1)
        self.check_all_button = QPushButton("Alles aan&vinken")
        self.check_all_button.setObjectName("checkAllButton")
        self.check_all_button.clicked.connect(lambda: self._check_all(True))
        self.check_none_button = QPushButton("&Niets aanvinken")
        self.check_none_button.setObjectName("checkNoneButton")
        self.check_none_button.clicked.connect(lambda: self._check_all(False))
        self.refresh_button = QPushButton("Ve&rnieuwen")
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.clicked.connect(self.refresh)
        self.anonymise_button = QPushButton("&Anonimiseren…")
        self.anonymise_button.setObjectName("anonymiseButton")
        self.anonymise_button.clicked.connect(self.anonymise_checked)
        for button in (
            self.check_all_button,
            self.check_none_button,
            self.refresh_button,
            self.anonymise_button,
        ):
            row.addWidget(button)
        layout.addLayout(row)
        return page

    def refresh(self) -> None:
        """Read the retention period and the cases past it again."""
        years = call_service(self, privacy.retention_years, self.ctx)
        if years is not None:
            self.retention_intro.setText(
                f"Gesloten en ingetrokken zaken worden <b>{years} jaar</b> na het sluiten "
                "geanonimiseerd (de bewaartermijn; u wijzigt die onder Instellingen › "
                "Beveiliging). Bij anonimiseren verdwijnen naam, adres en contactgegevens van de "
                "klager, alle vrije tekst (omschrijving, verslagen, notities, motivering), de "
                "medewerker over wie de klacht ging, de bijlagen en de brieven. Wat het "
                "evaluatierapport telt (datums, kanaal, categorie, afdeling, ontvankelijkheid, "
                "uitkomst en termijnen) blijft bewaard, zodat de cijfers niet veranderen."
            )
        rows = call_service(self, privacy.retention_due, self.ctx)
        self.rows = rows or []
        self._fill_retention()

    def _fill_retention(self) -> None:
        table = self.retention_table
        table.blockSignals(True)
        table.setRowCount(0)
        for row in self.rows:
            index = table.rowCount()
            table.insertRow(index)
            ref = QTableWidgetItem(row.ref)
            ref.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            ref.setCheckState(Qt.CheckState.Unchecked)
            ref.setData(Qt.ItemDataRole.AccessibleTextRole, f"Zaak {row.ref} anonimiseren")
            cells = [
                ref,
                read_only_item(fmt_date(row.received)),
                read_only_item(status_label(row.status)),
                read_only_item(fmt_date(row.closed_on)),
                read_only_item(row.category),
                read_only_item(fmt_date(row.retention_ended)),
                read_only_item(str(row.years_since_closing), align_right=True),
            ]
            for column, cell in enumerate(cells):
                table.setItem(index, column, cell)
        table.blockSignals(False)
        self._update_retention_buttons()

    def checked_refs(self) -> list[str]:
        table = self.retention_table
        return [
            table.item(row, 0).text()
            for row in range(table.rowCount())
            if table.item(row, 0).checkState() == Qt.CheckState.Checked
        ]

    def _check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        table = self.retention_table
        table.blockSignals(True)
        for row in range(table.rowCount()):
            table.item(row, 0).setCheckState(state)
        table.blockSignals(False)
        self._update_retention_buttons()

    def _update_retention_buttons(self, *_args) -> None:
        total, chosen = len(self.rows), len(self.checked_refs())
        if not total:
            text = "Er zijn geen zaken over de bewaartermijn."
        else:
            cases = "1 zaak is" if total == 1 else f"{total} zaken zijn"
            text = f"{cases} over de bewaartermijn; {chosen} aangevinkt."
        self.retention_count.setText(text)
        self.anonymise_button.setEnabled(chosen > 0)
        self.check_all_button.setEnabled(total > 0)
        self.check_none_button.setEnabled(chosen > 0)

    def anonymise_checked(self) -> None:
        refs = self.checked_refs()
        if not refs:
            return
        listed = ", ".join(refs[:10]) + (f" en nog {len(refs) - 10}" if len(refs) > 10 else "")
        what = "1 zaak" if len(refs) == 1 else f"{len(refs)} zaken"
        question = (
            f"U gaat {what} anonimiseren: {listed}.\n\n"
            "Dit kan niet ongedaan worden gemaakt. Naam, adres en contactgegevens van de "
            "klager, alle vrije tekst, de bijlagen en de brieven worden definitief verwijderd. "
            "De cijfers voor het evaluatierapport blijven bewaard.\n\n"
            "Back-ups die al gemaakt zijn bevatten de gegevens nog, tot zij bij het opruimen "
            "van oude back-ups verdwijnen."
        )
        if not confirm(self, "Zaken anonimiseren", question, yes="Anonimiseren"):
            return
        self._pending = refs
        self._set_busy(True)
        self.status.setStyleSheet("")
        self.status.setText(f"Bezig met anonimiseren van {what}…")
        self._task = tasks.start(
            privacy.anonymise,
            self.ctx,
            refs,
            done=self._anonymised,
            failed=self._anonymise_failed,
        )

    def busy(self) -> bool:
        return self._task is not None

    def _set_busy(self, busy: bool) -> None:
        self.retention_table.setEnabled(not busy)
        for button in (self.refresh_button, self.check_all_button, self.check_none_button):
            button.setEnabled(not busy)
        self.anonymise_button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _anonymised(self, count: int) -> None:
        self._task = None
        self._set_busy(False)
        self.status.setText(
            "1 zaak is geanonimiseerd." if count == 1 else f"{count} zaken zijn geanonimiseerd."
        )
        self.refresh()
        self.anonymised.emit(self._pending)

    def _anonymise_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self.status.setText("")
        self.refresh()
        show_error(self, error)

    def forget(self) -> None:
        """The idle lock: drop the names and addresses found for an inzageverzoek (the window
        may stay open behind the lock while anonymising finishes)."""
        self.people = []
        self.person_table.setRowCount(0)
        self.search_edit.clear()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.busy():  # the anonymisation finishes first; its result must be seen
            self.status.setText("Even geduld: het anonimiseren is nog bezig.")
            event.ignore()
            return
        super().closeEvent(event)

    # -- inzageverzoek --------------------------------------------------------------------------
    def _build_inzage(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _intro(
                "Iemand vraagt welke gegevens er over hem of haar zijn vastgelegd (artikel 15 "
                "AVG). Zoek de klager op naam, postcode, e-mailadres of telefoonnummer en "
                "exporteer het overzicht: een PDF voor de klager en hetzelfde als JSON-bestand. "
                "Het overzicht bevat alles, ook vertrouwelijke verslagen. <b>Lees het na voordat "
                "u het verstrekt</b> en maak gegevens van anderen (bijvoorbeeld in een verklaring "
                "van een medewerker) zo nodig onleesbaar.",
                "inzageIntro",
            )
        )
        search_row = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("personSearch")
        self.search_edit.setPlaceholderText("Naam, postcode, e-mailadres of telefoonnummer")
        self.search_edit.setAccessibleName("Klager zoeken")
        self.search_edit.returnPressed.connect(self.search)
        self.search_button = QPushButton("&Zoeken")
        self.search_button.setObjectName("searchButton")
        self.search_button.clicked.connect(self.search)
        search_label = QLabel("&Klager:")
        search_label.setBuddy(self.search_edit)
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        layout.addLayout(search_row)

        self.person_table = QTableWidget(0, len(PERSON_COLUMNS))
        self.person_table.setObjectName("personTable")
        self.person_table.setHorizontalHeaderLabels(PERSON_COLUMNS)
        self.person_table.verticalHeader().setVisible(False)
        self.person_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.person_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.person_table.setAccessibleName("Gevonden klagers")
        header = self.person_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.person_table.itemSelectionChanged.connect(self._update_export_button)
        self.person_table.itemDoubleClicked.connect(lambda _item: self.export_selected())
        layout.addWidget(self.person_table, 1)

        row = QHBoxLayout()
        self.search_message = QLabel()
        self.search_message.setObjectName("searchMessage")
        self.search_message.setWordWrap(True)
        row.addWidget(self.search_message, 1)
        self.export_button = QPushButton("&Exporteren (PDF en JSON)…")
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.export_selected)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self._update_export_button()
        return page

    def search(self) -> None:
        text = self.search_edit.text().strip()
        if len(text) < 2:
            self.search_message.setText("Typ ten minste twee tekens.")
            return
        found = call_service(self, privacy.find_complainants, self.ctx, text)
        if found is None:
            return
        self.people = found
        table = self.person_table
        table.setRowCount(0)
        for person in found:
            index = table.rowCount()
            table.insertRow(index)
            for column, value in enumerate(
                [
                    person.name,
                    person.street,
                    person.postcode,
                    person.city,
                    person.email,
                    person.phone,
                ]
            ):
                table.setItem(index, column, read_only_item(value))
            table.setItem(index, 6, read_only_item(str(person.case_count), align_right=True))
        if not found:
            self.search_message.setText(f"Geen klager gevonden voor ‘{text}’.")
        elif len(found) == 1:
            table.selectRow(0)
            self.search_message.setText("1 klager gevonden.")
        else:
            self.search_message.setText(f"{len(found)} klagers gevonden; kies de juiste.")
        self._update_export_button()

    def selected_person(self):
        rows = {index.row() for index in self.person_table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.people[row] if row < len(self.people) else None

    def _update_export_button(self) -> None:
        self.export_button.setEnabled(self.selected_person() is not None)

    def export_selected(self) -> None:
        person = self.selected_person()
        if person is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Map kiezen voor het overzicht (PDF en JSON)", str(Path.home())
        )
        if not folder:
            return
        result = call_service(self, privacy.inzage_export, self.ctx, person.id)
        if result is None:
            return
        pdf_path = Path(folder) / f"{result.filename_stem}.pdf"
        json_path = Path(folder) / f"{result.filename_stem}.json"
        existing = [p.name for p in (pdf_path, json_path) if p.exists()]
        if existing and not confirm(
            self,
            "Bestand bestaat al",
            f"In deze map staat al {' en '.join(existing)}. Wilt u vervangen wat er staat?",
            yes="Vervangen",
        ):
            return
        try:
            pdf_path.write_bytes(result.pdf_bytes)
            json_path.write_bytes(result.json_bytes)
        except OSError as error:
            show_error(
                self,
                KlachtDeskError(
                    f"Het overzicht kon niet worden opgeslagen in {folder} "
                    f"({os_reason(error)}). Kies een andere map."
                ),
            )
            return
        self.status.setStyleSheet("")
        self.status.setText(
            f"Opgeslagen in {folder}: {pdf_path.name} en {json_path.name}. "
            "Lees het overzicht na voordat u het verstrekt."
        )
