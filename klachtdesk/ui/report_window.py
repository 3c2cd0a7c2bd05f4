"""The evaluation report window: choose a period, see the figures and charts, keep action points."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services import evaluation_cycle, report
from klachtdesk.services.context import Context
from klachtdesk.ui import tasks
from klachtdesk.ui.common import call_service, fit_to_screen, fmt_date, read_only_item, show_error

SECTION_BACKGROUND = QColor("#e6eef5")
HEADING_BACKGROUND = QColor("#f5f5f5")
SUB_TEXT = QColor("#555555")
ERROR_STYLE = "color: #842029;"
ID_ROLE = Qt.ItemDataRole.UserRole


class ReportWindow(QWidget):
    """The half-year evaluation (SPEC §6). Open it with ``ReportWindow(ctx, parent).show()``."""

    evaluation_recorded = Signal()  # Vandaag no longer asks for it

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("reportWindow")
        self.setWindowTitle("Evaluatierapport — KlachtDesk")
        fit_to_screen(self, 1100, 800)
        self.ctx = ctx
        self.evaluation: report.Evaluation | None = None
        self._generation = 0
        self._task: tasks.Task | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_period())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.tabs.addTab(self._build_figures(), "C&ijfers")
        self.tabs.addTab(self._build_charts(), "&Grafieken")
        self.tabs.addTab(self._build_action_points(), "&Actiepunten")
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._build_buttons())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        self.compute()

    # -- building -----------------------------------------------------------------------------
    def _build_period(self) -> QGroupBox:
        box = QGroupBox("Periode")
        grid = QGridLayout(box)
        default = report.last_finished_half_year(self.ctx.today())
        self.half_radio = QRadioButton("&Halfjaar")
        self.half_radio.setObjectName("halfYearRadio")
        self.half_radio.setChecked(True)
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("yearSpin")
        self.year_spin.setRange(2000, self.ctx.today().year)
        self.year_spin.setValue(default.start.year)
        self.year_spin.setAccessibleName("Jaar")
        self.half_combo = QComboBox()
        self.half_combo.setObjectName("halfCombo")
        self.half_combo.addItems(["1e halfjaar (januari–juni)", "2e halfjaar (juli–december)"])
        self.half_combo.setCurrentIndex(default.half - 1)
        self.range_radio = QRadioButton("&Periode van")
        self.range_radio.setObjectName("rangeRadio")
        group = QButtonGroup(self)
        group.addButton(self.half_radio)
        group.addButton(self.range_radio)
        self.from_date = self._date_edit("fromDate", default.start, "Van")
        self.to_date = self._date_edit("toDate", default.end, "Tot en met")
        self.compute_button = QPushButton("&Berekenen")
        self.compute_button.setObjectName("computeButton")
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        self.year_spin.valueChanged.connect(lambda: self.half_radio.setChecked(True))
        self.half_combo.activated.connect(lambda: self.half_radio.setChecked(True))
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(lambda: self.range_radio.setChecked(True))
        grid.addWidget(self.half_radio, 0, 0)
        grid.addWidget(self.year_spin, 0, 1)
        grid.addWidget(self.half_combo, 0, 2, 1, 2)
        grid.addWidget(self.range_radio, 1, 0)
        grid.addWidget(self.from_date, 1, 1)
        grid.addWidget(QLabel("tot en met"), 1, 2)
        grid.addWidget(self.to_date, 1, 3)
        grid.addWidget(self.compute_button, 0, 5, 2, 1)
        grid.setColumnStretch(4, 1)
        self.period_message = QLabel()
        self.period_message.setObjectName("periodMessage")
        self.period_message.setWordWrap(True)
        grid.addWidget(self.period_message, 2, 0, 1, 6)
        return box

    def _date_edit(self, name: str, day: date, accessible: str) -> QDateEdit:
        edit = QDateEdit(QDate(day))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd-MM-yyyy")
        edit.setAccessibleName(accessible)
        return edit

    def _build_figures(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.figures_table = QTableWidget(0, 4)
        self.figures_table.setObjectName("figuresTable")
        self.figures_table.setHorizontalHeaderLabels(
            ["Omschrijving", "Deze periode", "Vorige periode", "Verschil"]
        )
        self.figures_table.verticalHeader().setVisible(False)
        self.figures_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.figures_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.figures_table.setColumnWidth(column, 150)
        layout.addWidget(self.figures_table)
        return page

    def _build_charts(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("chartsArea")
        scroll.setWidgetResizable(True)
        self.charts_page = QWidget()
        self.charts_page.setStyleSheet("background: white;")
        self.charts_grid = QGridLayout(self.charts_page)
        self.charts_grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll.setWidget(self.charts_page)
        return scroll

    def _build_action_points(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.points_table = QTableWidget(0, 4)
        self.points_table.setObjectName("actionPointsTable")
        self.points_table.setHorizontalHeaderLabels(
            ["Actiepunt", "Verantwoordelijke", "Uiterlijk", "Stand"]
        )
        self.points_table.verticalHeader().setVisible(False)
        self.points_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.points_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.points_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 230), (2, 100), (3, 180)):
            self.points_table.setColumnWidth(column, width)
        self.points_table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.points_table, 1)

        may_edit = report.may_edit_action_points(self.ctx)
        form_box = QGroupBox("Nieuw actiepunt")
        form = QFormLayout(form_box)
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("descriptionEdit")
        self.description_edit.setPlaceholderText("Wat gaat er beter, en hoe?")
        self.owner_edit = QLineEdit()
        self.owner_edit.setObjectName("ownerEdit")
        self.owner_edit.setPlaceholderText("Functie of afdeling, bijvoorbeeld Teamleider Wonen")
        self.owner_edit.setToolTip(
            "Het rapport bevat geen persoonsgegevens: noem een functie of afdeling, geen naam."
        )
        due_row = QHBoxLayout()
        self.due_check = QCheckBox("Met een datum")
        self.due_check.setObjectName("dueCheck")
        self.due_edit = self._date_edit("dueEdit", self.ctx.today(), "Uiterlijk")
        self.due_edit.setEnabled(False)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        due_row.addWidget(self.due_check)
        due_row.addWidget(self.due_edit)
        due_row.addStretch(1)
        for label, field in (
            ("&Omschrijving:", self.description_edit),
            ("&Verantwoordelijke:", self.owner_edit),
        ):
            buddy = QLabel(label)
            buddy.setBuddy(field)
            form.addRow(buddy, field)
        form.addRow("Uiterlijk:", due_row)
        self.point_message = QLabel()
        self.point_message.setObjectName("pointMessage")
        self.point_message.setWordWrap(True)
        form.addRow(self.point_message)
        buttons = QHBoxLayout()
        self.add_point_button = QPushButton("&Toevoegen")
        self.add_point_button.setObjectName("addPointButton")
        self.add_point_button.clicked.connect(self.add_action_point)
        self.complete_point_button = QPushButton("Geselecteerd actiepunt a&fgerond")
        self.complete_point_button.setObjectName("completePointButton")
        self.complete_point_button.clicked.connect(self.complete_action_point)
        buttons.addWidget(self.add_point_button)
        buttons.addStretch(1)
        buttons.addWidget(self.complete_point_button)
        form.addRow(buttons)
        for edit in (self.description_edit, self.owner_edit):
            edit.returnPressed.connect(self.add_action_point)
        if not may_edit:
            form_box.setEnabled(False)
            form_box.setToolTip(
                "Alleen de klachtencoördinator of de beheerder legt actiepunten vast."
            )
        self.form_box = form_box
        layout.addWidget(form_box)
        layout.addWidget(self._build_held())
        return page

    def _build_held(self) -> QGroupBox:
        """Recording that the evaluation of the period was held (Livable §7)."""
        box = QGroupBox("Evaluatie gehouden")
        box.setObjectName("heldBox")
        form = QFormLayout(box)
        self.held_status = QLabel()
        self.held_status.setObjectName("heldStatus")
        self.held_status.setWordWrap(True)
        form.addRow(self.held_status)
        self.held_date = self._date_edit("heldDate", self.ctx.today(), "Gehouden op")
        self.held_date.setMaximumDate(self.ctx.today())
        self.participants_edit = QLineEdit()
        self.participants_edit.setObjectName("participantsEdit")
        self.participants_edit.setPlaceholderText(
            "Functies, bijvoorbeeld klachtencoördinator, manager Wonen, directeur-bestuurder"
        )
        form.addRow("&Gehouden op:", self.held_date)
        participants = QLabel("&Deelnemers:")
        participants.setBuddy(self.participants_edit)
        form.addRow(participants, self.participants_edit)
        self.held_button = QPushButton("Evaluatie &vastleggen")
        self.held_button.setObjectName("recordEvaluationButton")
        self.held_button.setToolTip(
            "Legt vast dat de evaluatie over deze periode is gehouden; het rapport zoals het "
            "nu is, wordt erbij bewaard."
        )
        self.held_button.clicked.connect(self.record_evaluation)
        form.addRow(self.held_button)
        if not report.may_edit_action_points(self.ctx):
            box.setEnabled(False)
            box.setToolTip("Alleen de klachtencoördinator of de beheerder legt dit vast.")
        self.held_box = box
        return box

    def _show_held(self) -> None:
        period = self.evaluation.period if self.evaluation else None
        held = None
        if period is not None:
            held = call_service(self, evaluation_cycle.held_evaluation, self.ctx, period)
        if held is None:
            self.held_status.setText(
                "Nog niet vastgelegd. Leg na het overleg vast wanneer de evaluatie over deze "
                "periode is gehouden en wie eraan deelnamen."
            )
        else:
            day, who, _pdf = held
            self.held_status.setText(
                f"Gehouden op {long_date(day)}, met: {who}. Het rapport van die dag is bewaard."
            )
        open_to_record = self.evaluation is not None and held is None
        for widget in (self.held_date, self.participants_edit, self.held_button):
            widget.setEnabled(open_to_record)

    def record_evaluation(self) -> None:
        if self.evaluation is None or not self.held_box.isEnabled():
            return
        try:
            evaluation_cycle.record_evaluation(
                self.ctx,
                self.evaluation.period,
                self.held_date.date().toPython(),
                self.participants_edit.text(),
            )
        except KlachtDeskError as error:  # a message at the form, what was typed stays
            self.held_status.setStyleSheet(ERROR_STYLE)
            self.held_status.setText(str(error))
            return
        self.held_status.setStyleSheet("")
        self.participants_edit.clear()
        self._show_held()
        self.evaluation_recorded.emit()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        row.addWidget(self.status_label, 1)
        self.pdf_button = QPushButton("Opslaan als P&DF…")
        self.pdf_button.setObjectName("savePdfButton")
        self.pdf_button.clicked.connect(lambda: self.save("pdf"))
        self.csv_button = QPushButton("Opslaan als &CSV…")
        self.csv_button.setObjectName("saveCsvButton")
        self.csv_button.clicked.connect(lambda: self.save("csv"))
        close = QPushButton("&Sluiten")
        close.setObjectName("closeButton")
        close.clicked.connect(self.close)
        for button in (self.pdf_button, self.csv_button, close):
            row.addWidget(button)
        self._update_buttons()
        return row

    # -- computing ------------------------------------------------------------------------------
    def chosen_period(self) -> report.Period:
        """The period the fields describe; a ValidationError with a Dutch message if wrong."""
        if self.half_radio.isChecked():
            return report.parse_period(
                f"{self.year_spin.value()}H{self.half_combo.currentIndex() + 1}"
            )
        return report.make_period(self.from_date.date().toPython(), self.to_date.date().toPython())

    def compute(self) -> None:
        """Compute the evaluation on a pool thread; the window stays responsive meanwhile."""
        try:
            period = self.chosen_period()
        except KlachtDeskError as error:
            self.period_message.setStyleSheet(ERROR_STYLE)
            self.period_message.setText(str(error))
            return
        self._generation += 1
        self.period_message.setStyleSheet("")
        self.period_message.setText(f"Bezig met berekenen van {period.label}…")
        self.compute_button.setEnabled(False)
        generation = self._generation
        self._task = tasks.start(
            report.evaluation,
            self.ctx,
            period,
            done=lambda result: self._computed(generation, result),
            failed=lambda error: self._failed(generation, error),
        )

    def busy(self) -> bool:
        return not self.compute_button.isEnabled()

    def _computed(self, generation: int, result: report.Evaluation) -> None:
        if generation != self._generation:
            return  # an older request: the user asked for another period meanwhile
        self.compute_button.setEnabled(True)
        self.evaluation = result
        previous = result.previous.period
        self.period_message.setText(
            f"{result.period.label}, vergeleken met de vorige periode: {previous.label}. "
            "Zonder persoonsgegevens."
        )
        self._fill_figures(result)
        self._fill_charts(result)
        self._fill_action_points(result.action_points)
        self._show_held()
        self._update_buttons()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.compute_button.setEnabled(True)
        self.period_message.setStyleSheet(ERROR_STYLE)
        self.period_message.setText("Het rapport kon niet worden berekend.")
        show_error(self, error)

    # -- showing --------------------------------------------------------------------------------
    def _fill_figures(self, result: report.Evaluation) -> None:
        table = self.figures_table
        table.setHorizontalHeaderLabels(
            [
                "Omschrijving",
                result.current.period.short_label,
                result.previous.period.short_label,
                "Verschil",
            ]
        )
        table.clearSpans()
        table.setRowCount(0)
        bold = QFont(table.font())
        bold.setBold(True)
        for section in result.sections():
            row = table.rowCount()
            table.insertRow(row)
            title = read_only_item(section.title)
            title.setFont(bold)
            title.setBackground(SECTION_BACKGROUND)
            title.setToolTip(section.note)
            table.setItem(row, 0, title)
            table.setSpan(row, 0, 1, 4)
            table.insertRow(row + 1)
            note = read_only_item(section.note)
            note.setForeground(SUB_TEXT)
            table.setItem(row + 1, 0, note)
            table.setSpan(row + 1, 0, 1, 4)
            for line in section.lines:
                row = table.rowCount()
                table.insertRow(row)
                label = read_only_item(("      " if line.level else "   ") + line.label)
                cells = [
                    label,
                    read_only_item(report.fmt_value(line.current, line.kind), True),
                    read_only_item(report.fmt_value(line.previous, line.kind), True),
                    read_only_item(report.fmt_difference(line.difference, line.kind), True),
                ]
                for column, cell in enumerate(cells):
                    if line.kind is report.Kind.HEADING:
                        cell.setBackground(HEADING_BACKGROUND)
                        cell.setFont(bold)
                    elif line.level:
                        cell.setForeground(SUB_TEXT)
                    table.setItem(row, column, cell)
        table.resizeRowsToContents()

    def _fill_charts(self, result: report.Evaluation) -> None:
        while self.charts_grid.count():
            widget = self.charts_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        images = call_service(self, report.chart_images, result, 1.4) or []
        row = column = 0
        for index, (title, png) in enumerate(images):
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            wide = pixmap.width() > 500
            if wide and column:
                row, column = row + 2, 0
            heading = QLabel(f"<b>{title}</b>")
            picture = QLabel()
            picture.setObjectName(f"chart{index}")
            picture.setPixmap(pixmap)
            picture.setAccessibleName(title)
            span = 2 if wide else 1
            self.charts_grid.addWidget(heading, row, column, 1, span)
            self.charts_grid.addWidget(picture, row + 1, column, 1, span)
            column += span
            if column >= 2:
                row, column = row + 2, 0

    def _fill_action_points(self, points) -> None:
        table = self.points_table
        table.setRowCount(0)
        for point in points:
            row = table.rowCount()
            table.insertRow(row)
            description = read_only_item(point.description)
            description.setData(ID_ROLE, point.id)
            description.setToolTip(point.description)
            for column, cell in enumerate(
                [
                    description,
                    read_only_item(point.owner),
                    read_only_item(fmt_date(point.due)),
                    read_only_item(point.status_label),
                ]
            ):
                table.setItem(row, column, cell)
        table.resizeRowsToContents()
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.evaluation is not None
        self.pdf_button.setEnabled(ready)
        self.csv_button.setEnabled(ready)
        self.add_point_button.setEnabled(ready)
        selected = self._selected_point()
        self.complete_point_button.setEnabled(selected is not None and not selected.done_on)

    # -- action points --------------------------------------------------------------------------
    def _selected_point(self):
        if self.evaluation is None:
            return None
        rows = {index.row() for index in self.points_table.selectedIndexes()}
        if len(rows) != 1:
            return None
        item = self.points_table.item(rows.pop(), 0)
        point_id = item.data(ID_ROLE) if item else None
        return next((p for p in self.evaluation.action_points if p.id == point_id), None)

    def _reload_points(self) -> None:
        points = call_service(self, report.list_action_points, self.ctx, self.evaluation.period)
        if points is None:
            return
        self.evaluation = replace(self.evaluation, action_points=tuple(points))
        self._fill_action_points(points)

    def add_action_point(self) -> None:
        if self.evaluation is None or not self.form_box.isEnabled():
            return
        due = self.due_edit.date().toPython() if self.due_check.isChecked() else None
        try:
            report.add_action_point(
                self.ctx,
                self.evaluation.period,
                self.description_edit.text(),
                self.owner_edit.text(),
                due,
            )
        except KlachtDeskError as error:  # a message at the form, what was typed stays
            self.point_message.setStyleSheet(ERROR_STYLE)
            self.point_message.setText(str(error))
            return
        except Exception as error:  # noqa: BLE001 - shown as a calm dialog
            show_error(self, error)
            return
        self.point_message.setStyleSheet("")
        self.point_message.setText("Het actiepunt is toegevoegd.")
        self.description_edit.clear()
        self.owner_edit.clear()
        self.due_check.setChecked(False)
        self.description_edit.setFocus()
        self._reload_points()

    def complete_action_point(self) -> None:
        point = self._selected_point()
        if point is None or point.done_on:
            return
        if call_service(self, report.complete_action_point, self.ctx, point.id) is None:
            return
        self.point_message.setStyleSheet("")
        self.point_message.setText("Het actiepunt is afgerond.")
        self._reload_points()

    # -- saving ---------------------------------------------------------------------------------
    def save(self, kind: str) -> None:
        if self.evaluation is None:
            return
        suggestion = str(Path.home() / f"evaluatierapport-{self.evaluation.period.key}.{kind}")
        suggestion = suggestion.replace(":", "_tot_")
        title, pattern = {
            "pdf": ("Evaluatierapport opslaan als PDF", "PDF-bestanden (*.pdf)"),
            "csv": ("Cijfers opslaan als CSV", "CSV-bestanden voor Excel (*.csv)"),
        }[kind]
        path, _ = QFileDialog.getSaveFileName(self, title, suggestion, pattern)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(f"{target.name}.{kind}")
        save = report.save_pdf if kind == "pdf" else report.save_csv
        if call_service(self, save, self.ctx, self.evaluation, target) is not None:
            self.status_label.setText(f"Opgeslagen in {target}.")
