"""The intake wizard: the front-desk clerk registers a complaint, usually during a phone call.

The wizard and its simple pages live here; the base page and the two pages with the most
behaviour (complainant search, admissibility questions) are in ``intake_pages``.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.values import Channel
from klachtdesk.services.cases.attachments import MAX_ATTACHMENT_BYTES
from klachtdesk.services.context import Context
from klachtdesk.services.intake.intake import IntakeFlow, Page, file_size
from klachtdesk.services.intake.intake_summary import summary
from klachtdesk.ui.common import call_service, confirm, fit_to_screen
from klachtdesk.ui.intake.intake_pages import (
    HINT_STYLE,
    WARNING_STYLE,
    AdmissibilityPage,
    ComplainantPage,
    EnterFilter,
    FlowPage,
    named,
    text_edit,
    wrapped_label,
)


# -- 1 kanaal en datum ---------------------------------------------------------------------------
class ChannelPage(FlowPage):
    page = Page.KANAAL

    def __init__(self, flow: IntakeFlow):
        super().__init__(flow)
        self.setSubTitle(
            "Hoe en wanneer kwam de klacht binnen? De termijnen tellen vanaf de datum van "
            "ontvangst."
        )
        self.channel = named(QComboBox(), "channelCombo")
        for channel in Channel:
            self.channel.addItem(channel.label, channel.value)
        self.received = named(QDateEdit(), "receivedDate")
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("dd-MM-yyyy")
        self.received.setMinimumDate(QDate(1900, 1, 1))
        self.received_long = wrapped_label(name="receivedLong", style=HINT_STYLE)
        self.received.dateChanged.connect(self._show_long_date)
        date_row = QWidget()
        row = QHBoxLayout(date_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.received)
        row.addWidget(self.received_long, 1)
        form = QFormLayout(self)
        form.addRow("&Kanaal:", self.with_error("channel", self.channel))
        form.addRow("Ontvangen o&p:", self.with_error("received", self.received, date_row))

    def _show_long_date(self, day: QDate) -> None:
        value = day.toPython()
        text = long_date(value)
        if value == self.flow.ctx.today():
            text += " (vandaag)"
        self.received_long.setText(text)

    def store(self) -> None:
        self.flow.set_answers(
            Page.KANAAL,
            channel=self.channel.currentData(),
            received=self.received.date().toPython(),
        )

    def load(self) -> None:
        self.channel.setCurrentIndex(
            max(0, self.channel.findData(self.flow.answer(Page.KANAAL, "channel")))
        )
        day: date = self.flow.answer(Page.KANAAL, "received", self.flow.ctx.today())
        self.received.setDate(QDate(day.year, day.month, day.day))
        self._show_long_date(self.received.date())
        self.channel.setFocus()


# -- 3 de klacht --------------------------------------------------------------------------------
class ComplaintPage(FlowPage):
    page = Page.KLACHT

    def __init__(self, flow: IntakeFlow):
        super().__init__(flow)
        self.setSubTitle("Waarover klaagt de klager, en wat verwacht de klager van ons?")
        self._auto_department = ""
        self.subject = named(QLineEdit(), "subjectEdit")
        self.subject.setPlaceholderText("In een paar woorden, bijvoorbeeld: lekkage niet verholpen")
        self.description = text_edit("descriptionEdit", "Wat is er gebeurd, en wanneer?", 110)
        self.category = named(QComboBox(), "categoryCombo")
        self.category.addItem("Kies een categorie…", "")
        for name in flow.choices.categories:
            self.category.addItem(name, name)
        self.employee = named(QComboBox(), "employeeCombo")
        self.employee.setEditable(True)
        self.employee.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.employee.lineEdit().setObjectName("employeeEdit")
        self.employee.lineEdit().setPlaceholderText("Naam van de medewerker, als die bekend is")
        self.employee.addItem("")
        for choice in flow.choices.employees:
            self.employee.addItem(choice.name)
        completer = QCompleter([c.name for c in flow.choices.employees], self.employee)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.employee.setCompleter(completer)
        self.employee.currentTextChanged.connect(self._employee_changed)
        self.employee.lineEdit().editingFinished.connect(self._check_employee)
        self.employee.activated.connect(lambda _index: self._check_employee())
        self.employee_warning = wrapped_label(name="employeeWarning", style=WARNING_STYLE)
        self.employee_warning.hide()
        self.department = named(QComboBox(), "departmentCombo")
        self.department.addItem("Onbekend", "")
        for name in flow.choices.departments:
            self.department.addItem(name, name)
        self.expectation = text_edit(
            "expectationEdit", "Bijvoorbeeld excuses, herstel, een gesprek of een vergoeding.", 70
        )
        form = QFormLayout(self)
        form.addRow("Onder&werp:", self.with_error("subject", self.subject))
        form.addRow("Om&schrijving:", self.with_error("description", self.description))
        form.addRow("&Categorie:", self.with_error("category", self.category))
        form.addRow("&Medewerker:", self.with_error("employee", self.employee))
        form.addRow("", self.employee_warning)
        form.addRow("&Afdeling:", self.with_error("department", self.department))
        expectation = self.with_error("expectation", self.expectation)
        expectation.setMaximumHeight(160)  # the description gets the room
        form.addRow("Verwach&ting van de klager:", expectation)

    def _employee_changed(self, name: str) -> None:
        department = self.flow.department_of(name)
        current = self.department.currentData() or ""
        if department and current in ("", self._auto_department):
            self.department.setCurrentIndex(max(0, self.department.findData(department)))
            self._auto_department = department

    def _check_employee(self) -> None:
        """Warn when the named employee is probably a colleague (they may not handle it)."""
        text = call_service(self, self.flow.employee_warning, self.employee.currentText()) or ""
        self.employee_warning.setText(text)
        self.employee_warning.setVisible(bool(text))

    def store(self) -> None:
        self.flow.set_answers(
            Page.KLACHT,
            subject=self.subject.text(),
            description=self.description.toPlainText(),
            category=self.category.currentData() or "",
            employee=self.employee.currentText(),
            department=self.department.currentData() or "",
            expectation=self.expectation.toPlainText(),
        )

    def load(self) -> None:
        a = self.flow.answers[Page.KLACHT]
        self.subject.setText(a.get("subject", ""))
        self.description.setPlainText(a.get("description", ""))
        self.category.setCurrentIndex(max(0, self.category.findData(a.get("category", ""))))
        self.employee.setCurrentText(a.get("employee", ""))
        self._check_employee()
        self.department.setCurrentIndex(max(0, self.department.findData(a.get("department", ""))))
        self.expectation.setPlainText(a.get("expectation", ""))
        self.subject.setFocus()


# -- 5 bijlagen ------------------------------------------------------------------------------
def choose_files(parent: QWidget) -> list[str]:
    """The file dialog (a module-level function so tests can stand in for it)."""
    paths, _filter = QFileDialog.getOpenFileNames(
        parent,
        "Bijlagen kiezen",
        "",
        "Alle bestanden (*);;PDF-bestanden (*.pdf);;Afbeeldingen (*.png *.jpg *.jpeg *.tif *.tiff)",
    )
    return paths


class AttachmentsPage(FlowPage):
    page = Page.BIJLAGEN

    def __init__(self, flow: IntakeFlow):
        super().__init__(flow)
        limit = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        self.setSubTitle(
            f"Voeg gescande brieven, foto's of andere stukken toe, ten hoogste {limit} MB per "
            "bestand. U kunt bestanden ook naar dit venster slepen. Bijlagen zijn niet verplicht."
        )
        self.setAcceptDrops(True)
        self.list = named(QListWidget(), "attachmentList")
        self.list.installEventFilter(_DeleteFilter(self, self.remove_selected))
        self.add_button = named(QPushButton("Bestand &toevoegen…"), "addAttachmentButton")
        self.add_button.clicked.connect(self.add_from_dialog)
        self.remove_button = named(QPushButton("Ver&wijderen"), "removeAttachmentButton")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.with_error("attachments", self.list), 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row)

    def add_from_dialog(self) -> None:
        paths = choose_files(self)
        if paths:
            self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: list[Path]) -> None:
        problems = []
        for path in paths:
            try:
                size = path.stat().st_size
                problem = self.flow.file_problem(path.name, size)
                if problem is None:
                    problem = self.flow.add_file(path.name, path.read_bytes())
            except OSError:
                problem = f"Het bestand '{path.name}' kan niet worden gelezen."
            if problem:
                problems.append(problem)
        self.load()
        label = self.errors["attachments"]
        label.setText("\n".join(problems))
        label.setVisible(bool(problems))

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.flow.files):
            self.flow.remove_file(row)
            self.load()
            self.list.setCurrentRow(min(row, self.list.count() - 1))

    def load(self) -> None:
        self.list.clear()
        for pending in self.flow.files:
            self.list.addItem(f"{pending.name} ({file_size(pending.size)})")
        if not self.flow.files:
            placeholder = QListWidgetItem(
                "Nog geen bijlagen. Kies 'Bestand toevoegen…' of sleep bestanden hierheen."
            )
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(placeholder)
        self.remove_button.setEnabled(bool(self.flow.files))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.add_paths([p for p in paths if p.is_file()])
        event.acceptProposedAction()


class _DeleteFilter(QObject):
    def __init__(self, parent: QWidget, action):
        super().__init__(parent)
        self.action = action

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete:
            self.action()
            return True
        return False


# -- 6 samenvatting --------------------------------------------------------------------------
class SummaryPage(FlowPage):
    page = Page.SAMENVATTING

    def __init__(self, flow: IntakeFlow):
        super().__init__(flow)
        self.setSubTitle("Controleer de gegevens en klik op Registreren (of druk op Enter).")
        self.text = named(QTextBrowser(), "summaryText")
        # A text browser keeps Enter to itself; here Enter registers, as on the other pages.
        self.text.installEventFilter(EnterFilter(self, self._finish))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)

    def load(self) -> None:
        rows = []
        for section in call_service(self, summary, self.flow) or []:
            rows.append(
                f"<tr><td colspan='2' style='padding-top:10px'><b style='font-size:large'>"
                f"{html.escape(section.title)}</b></td></tr>"
            )
            for label, value in section.rows:
                text = html.escape(value).replace("\n", "<br>")
                if label == "Let op":
                    text = f"<b style='color:#842029'>{text}</b>"
                rows.append(
                    f"<tr><td width='32%' style='color:#555555; padding-right:12px'>"
                    f"{html.escape(label)}</td><td>{text}</td></tr>"
                )
        self.text.setHtml(f"<table width='100%' cellpadding='2'>{''.join(rows)}</table>")
        self.text.setFocus()

    def _finish(self) -> None:
        self.wizard().button(QWizard.WizardButton.FinishButton).click()

    def validatePage(self) -> bool:  # noqa: N802
        if call_service(self, self.flow.complaint) is None:
            return False  # every page was checked; this only guards the rare race
        return call_service(self, self.flow.register) is not None


PAGE_CLASSES: dict[Page, type[FlowPage]] = {
    Page.KANAAL: ChannelPage,
    Page.KLAGER: ComplainantPage,
    Page.KLACHT: ComplaintPage,
    Page.ONTVANKELIJKHEID: AdmissibilityPage,
    Page.BIJLAGEN: AttachmentsPage,
    Page.SAMENVATTING: SummaryPage,
}


def registered_text(ref: str, acknowledgement_due) -> str:
    text = f"Klacht geregistreerd als {ref}."
    if acknowledgement_due is not None:
        text += (
            f"\n\nDe ontvangstbevestiging moet uiterlijk op {long_date(acknowledgement_due)} "
            "zijn verstuurd."
        )
    return text


def show_registered(parent: QWidget | None, text: str) -> None:
    """Tell the clerk the reference (module-level so tests can read the text)."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Klacht geregistreerd",
        text,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("registeredDialog")
    box.exec()


class IntakeWizard(QWizard):
    """Registers one complaint; emits ``registered`` with the new reference.

    The pages only render ``services.intake.IntakeFlow``, which knows the order, the rules and
    what the answers mean. Opened by someone who may not register, it says so and closes.
    """

    registered = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("intakeWizard")
        self.setWindowTitle("Klacht registreren")
        self.setLocale(QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for button, text in (
            (QWizard.WizardButton.NextButton, "&Volgende >"),
            (QWizard.WizardButton.BackButton, "< V&orige"),
            (QWizard.WizardButton.FinishButton, "&Registreren"),
            (QWizard.WizardButton.CancelButton, "Annuleren"),
        ):
            self.setButtonText(button, text)
            self.button(button).setObjectName(f"{button.name[0].lower()}{button.name[1:]}")
        self.pages: dict[Page, FlowPage] = {}
        self.flow: IntakeFlow | None = call_service(parent, IntakeFlow, ctx)
        if self.flow is None:
            QTimer.singleShot(0, self.reject)  # the reason was shown; nothing to fill in
            return
        for number, page in enumerate(self.flow.pages):
            self.pages[page] = PAGE_CLASSES[page](self.flow)
            self.setPage(number, self.pages[page])
        self.setStartId(0)
        fit_to_screen(self, 1000, 700)

    def page_of(self, page_id: int) -> Page | None:
        pages = self.flow.pages if self.flow else ()
        return pages[page_id] if 0 <= page_id < len(pages) else None

    def nextId(self) -> int:  # noqa: N802 - Qt's name
        current = self.page_of(self.currentId())
        following = self.flow.next_page(current) if current else None
        return self.flow.pages.index(following) if following else -1

    def accept(self) -> None:
        super().accept()  # QWizard validates the summary page first, and that registers
        if self.flow is None or self.flow.ref is None or self.isVisible():
            return
        ref = self.flow.ref
        due = call_service(self.parentWidget(), self.flow.acknowledgement_due)
        self.registered.emit(ref)
        show_registered(self.parentWidget(), registered_text(ref, due))

    def reject(self) -> None:
        if self.flow is not None and self.flow.ref is not None:
            # Registered, but a file could not be stored: the case exists, say so.
            super().reject()
            self.registered.emit(self.flow.ref)
            show_registered(
                self.parentWidget(),
                f"Klacht geregistreerd als {self.flow.ref}. Niet alle bijlagen zijn opgeslagen; "
                "voeg ze toe vanuit de zaak.",
            )
            return
        started = self.flow is not None and (self.currentId() > 0 or self.flow.files)
        if started and not confirm(
            self,
            "Registratie stoppen",
            "De gegevens die u hebt ingevoerd worden niet bewaard. Wilt u stoppen?",
            yes="&Stoppen",
        ):
            return
        super().reject()
