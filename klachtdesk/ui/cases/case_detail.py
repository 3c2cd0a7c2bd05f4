"""The case window: everything about one case, its history, and what the user may do next."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.deadlines import DeadlineState, Urgency
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.roles import ROLE_LABELS, Role
from klachtdesk.domain.states import Action, Activity, Status
from klachtdesk.domain.values import Channel, NotAdmissibleReason, Outcome
from klachtdesk.services.cases import case_edit, case_view, dossier
from klachtdesk.services.cases.case_view import CaseDetail, DeadlineView
from klachtdesk.services.context import Context
from klachtdesk.services.letters import letters
from klachtdesk.ui import common, tasks
from klachtdesk.ui.cases import case_actions
from klachtdesk.ui.cases.case_actions import (
    BUTTON_LABELS,
    FormDialog,
    event_details,
)
from klachtdesk.ui.cases.case_files import CaseFilesPanel, make_letter_button
from klachtdesk.ui.cases.case_form import CaseDataPanel
from klachtdesk.ui.common import (
    STATE_COLOURS,
    STATE_LABELS,
    STATE_TEXT_COLOURS,
    call_service,
    confirm,
    fit_to_screen,
    fmt_date,
    fmt_datetime,
    status_label,
)

_KEEP_OPEN = object()  # a refused input: the dialog stays open with the message


def deadline_stand(deadline: DeadlineView) -> str:
    """'gehaald op 03-12-2026 (brief verzonden per post)', 'nog 4 werkdagen', 'vervallen: …'."""
    state = deadline.deadline_state
    if state is DeadlineState.SUPERSEDED:
        return "vervangen door verlenging"
    if state is DeadlineState.OPEN:
        text = STATE_LABELS[deadline.state]
        if deadline.state in (Urgency.OPEN, Urgency.DUE_SOON):
            days = deadline.working_days_left
            left = "vandaag" if days <= 0 else f"nog {days} werkdag{'en' if days != 1 else ''}"
            text = f"{text} ({left})"
        return f"{text}; {deadline.note}" if deadline.note else text
    when = deadline.met_on or deadline.settled_on
    text = STATE_LABELS[deadline.state] + (f" op {fmt_date(when)}" if when else "")
    return f"{text} ({deadline.settled_by})" if deadline.settled_by else text


def _ask_dossier_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Zaakdossier opslaan als", str(Path.home() / suggested), "PDF-documenten (*.pdf)"
    )
    if path and not path.lower().endswith(".pdf"):
        path += ".pdf"
    return path


def next_deadline(detail: CaseDetail) -> DeadlineView | None:
    open_ones = [d for d in detail.deadlines if d.active and d.deadline_state is DeadlineState.OPEN]
    return min(open_ones, key=lambda d: d.due, default=None)


class CaseDetailWindow(QWidget):
    """One case. Every change passes the version the window shows, so a change made on
    another PC meanwhile is reported and reloaded instead of overwritten."""

    changed = Signal(str)

    def __init__(self, ctx: Context, ref: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("caseDetailWindow")
        self.ctx = ctx
        self.ref = ref.strip().upper()
        self.detail: CaseDetail | None = None
        self.dialog: FormDialog | None = None
        self._choices: case_edit.EditChoices | None = None
        self._dossier_task: tasks.Task | None = None
        self._dossier_path = ""
        self.setWindowTitle(f"Zaak {self.ref} — KlachtDesk")
        fit_to_screen(self, 1180, 780)
        self.message = QLabel()  # what just happened, under the tabs
        self.message.setObjectName("statusMessage")
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        body = QHBoxLayout()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("caseTabs")
        self.tabs.addTab(self._build_overview(), "Overzicht")
        self.form = CaseDataPanel(ctx, lambda: self._may_leave_edits())
        self.form.saved.connect(self._saved)
        self.form.decided.connect(self._after_change)
        self.tabs.addTab(self.form, "Klager en klacht")
        self.tabs.addTab(self._build_timeline(), "Tijdlijn")
        self.files = CaseFilesPanel(ctx)
        self.files.added.connect(lambda result: self._after_change(result, None))
        self.files.message.connect(self.message.setText)
        self.files.letter_stored.connect(self._letter_stored)
        self.files.record_sending.connect(self.record_sending)
        self.tabs.addTab(self.files, "Bijlagen en brieven")
        body.addWidget(self.tabs, 1)
        self.actions_box = QGroupBox("Handelingen")
        self.actions_box.setObjectName("actionsBox")
        self.actions_box.setMinimumWidth(250)
        self.actions_layout = QVBoxLayout(self.actions_box)
        body.addWidget(self.actions_box)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.activated.connect(self.reload)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        self.reload()

    # -- building -------------------------------------------------------------------------------
    def _build_header(self) -> QGridLayout:
        grid = QGridLayout()
        self.title = QLabel()
        self.title.setObjectName("caseTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        grid.addWidget(self.title, 0, 0, 1, 4)
        self.status_value = QLabel()
        self.status_value.setObjectName("statusLabel")
        self.procedure_value = QLabel()
        self.procedure_value.setObjectName("procedureLabel")
        self.deadline_value = QLabel()
        self.deadline_value.setObjectName("nextDeadlineLabel")
        self.deadline_value.setMargin(4)
        for column, (caption, widget) in enumerate(
            (
                ("Status", self.status_value),
                ("Klachtenregeling", self.procedure_value),
                ("Volgende termijn", self.deadline_value),
            )
        ):
            label = QLabel(f"<span style='color:#555'>{caption}</span>")
            grid.addWidget(label, 1, column)
            grid.addWidget(widget, 2, column)
        grid.setColumnStretch(3, 1)
        return grid

    def _build_overview(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.warning = QLabel()  # what a procedure rule says about this case, if anything
        self.warning.setObjectName("ruleWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "background: #fff3cd; color: #664d03; padding: 6px; border-radius: 3px;"
        )
        self.warning.hide()
        layout.addWidget(self.warning)
        layout.addWidget(QLabel("<b>Termijnen</b>"))
        table = self.deadline_table = QTableWidget(0, 4)
        table.setObjectName("deadlineTable")
        table.setHorizontalHeaderLabels(["Termijn", "Uiterlijk op", "Stand", "Toelichting"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.sectionResized.connect(self._fit_deadline_rows)  # wrapped text needs new heights
        layout.addWidget(table)
        self.summary = QLabel()
        self.summary.setObjectName("caseSummary")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.summary)
        scroll.viewport().setAutoFillBackground(False)
        self.summary.setAutoFillBackground(False)
        layout.addWidget(scroll, 1)
        return page

    def _build_timeline(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setHeaderLabels(["Datum en tijd", "Door", "Gebeurtenis", "Details"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        header = self.timeline.header()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.currentItemChanged.connect(self._show_event)
        self.event_text = QPlainTextEdit()
        self.event_text.setObjectName("eventText")
        self.event_text.setReadOnly(True)
        self.event_text.setPlaceholderText("Kies een gebeurtenis om alle details te lezen.")
        splitter.addWidget(self.timeline)
        splitter.addWidget(self.event_text)
        splitter.setSizes([420, 140])
        return splitter

    # -- showing --------------------------------------------------------------------------------
    def reload(self) -> bool:
        """Read the case again (after a change here or elsewhere); False if it failed."""
        detail = call_service(self, case_view.case_detail, self.ctx, self.ref)
        if detail is None:
            if self.detail is None:
                self.title.setText(f"Zaak {self.ref} kan niet worden getoond.")
                self.tabs.setEnabled(False)
                self.actions_box.setEnabled(False)
            return False
        self.detail = detail
        self._show_header(detail)
        self._show_deadlines(detail)
        self._show_summary(detail)
        editable = Activity.GEGEVENS_WIJZIGEN in detail.activities
        self.form.show_case(detail, self.choices() if editable else None)
        self._show_timeline(detail)
        self.files.show_case(detail)
        self._show_actions(detail)
        return True

    def _show_warnings(self, d: CaseDetail) -> None:
        open_states = {Status.ONTVANGEN, Status.IN_BEHANDELING, Status.HEROVERWEGING}
        texts = case_actions.triage_warnings(d) if Status(d.status) is Status.ONTVANGEN else []
        texts = [f"Let op: {text}" for text in texts]
        if d.import_differences:
            fields = ", ".join(difference.label for difference in d.import_differences)
            texts.append(
                f"Let op: bij de import kwamen andere gegevens van de klager binnen ({fields}); "
                "er is niets overschreven. Zie het tabblad 'Klager en klacht'."
            )
        if d.employee_warning and Status(d.status) in open_states:
            texts.append(d.employee_warning)
            if d.independence_note:
                texts.append(f"Toegelicht door de klachtencoördinator: {d.independence_note}")
        self.warning.setText("\n".join(texts))
        self.warning.setVisible(bool(texts))

    def _show_header(self, d: CaseDetail) -> None:
        self._show_warnings(d)
        self.title.setText(f"{d.ref} — {d.subject}")
        self.status_value.setText(status_label(d.status))
        self.procedure_value.setText(f"{d.procedure_name}, versie {d.procedure_version}")
        nxt = next_deadline(d)
        if nxt is None:
            self.deadline_value.setText("geen open termijn")
            self.deadline_value.setStyleSheet("")
            return
        self.deadline_value.setText(
            f"{nxt.label} uiterlijk {fmt_date(nxt.due)} — {deadline_stand(nxt)}"
        )
        back = STATE_COLOURS.get(nxt.state)
        fore = STATE_TEXT_COLOURS.get(nxt.state)
        style = f"background:{back.name()};" if back else ""
        style += f"color:{fore.name()};" if fore else ""
        self.deadline_value.setStyleSheet(f"QLabel {{ {style} border-radius: 3px; }}")

    def _show_deadlines(self, d: CaseDetail) -> None:
        table = self.deadline_table
        table.setRowCount(len(d.deadlines))
        for row, deadline in enumerate(d.deadlines):
            explanation = deadline.explanation
            if deadline.extension_reason:
                explanation = f"{explanation}\nReden: {deadline.extension_reason}".strip()
            texts = (
                deadline.label,
                fmt_date(deadline.due),
                deadline_stand(deadline),
                explanation,
            )
            back = STATE_COLOURS.get(deadline.state) if deadline.active else None
            fore = STATE_TEXT_COLOURS.get(deadline.state) if deadline.active else None
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if not deadline.active:  # superseded by an extension: history, struck through
                    font = QFont(item.font())
                    font.setStrikeOut(column < 2)
                    item.setFont(font)
                    fore = QColor("#6c757d")
                if back:
                    item.setBackground(QBrush(back))
                if fore:
                    item.setForeground(QBrush(fore))
                table.setItem(row, column, item)
        self._fit_deadline_rows()

    def _fit_deadline_rows(self, *_args) -> None:
        table = self.deadline_table
        table.resizeRowsToContents()
        frame = table.frameWidth() * 2 + table.horizontalHeader().height()
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(frame + max(rows, 24) + 2)

    def _show_summary(self, d: CaseDetail) -> None:
        place = ", ".join(p for p in (d.complainant_name, d.city) if p)
        discussed = {True: "ja", False: "nee", None: "onbekend"}[d.discussed_with_employee]
        complaint = [
            ("Klager", place),
            ("Ontvangen", f"{fmt_date(d.received)} via {Channel(d.channel).label.lower()}"),
            ("Categorie", d.category or "geen"),
            ("Afdeling", d.department or "onbekend"),
            ("Medewerker", d.employee or "niet genoemd"),
            ("Eerst besproken met de medewerker", discussed),
            ("Omschrijving", d.description),
            ("Verwachting", d.expectation or "niet vastgelegd"),
        ]
        rows = [("Behandelaar", d.handler or "nog niet toegewezen")]
        if d.not_admissible_reason:
            rows.append(("Niet ontvankelijk", NotAdmissibleReason(d.not_admissible_reason).label))
        if d.referral_to:
            rows.append(("Doorverwezen naar", d.referral_to))
        if d.outcome:
            rows.append(("Uitspraak", f"{Outcome(d.outcome).label} ({fmt_date(d.decided_on)})"))
            rows.append(("Motivering", d.motivation))
            if d.solution:
                rows.append(("Aangeboden oplossing", d.solution))
        if d.satisfied is not None:
            rows.append(("Klager tevreden", "ja" if d.satisfied else "nee"))
        if d.director_outcome:
            rows.append(("Uitspraak directeur-bestuurder", Outcome(d.director_outcome).label))
            rows.append(("Motivering directeur-bestuurder", d.director_motivation))
        self.summary.setText(_table([("Klacht", complaint), ("Beoordeling", rows)]))

    def _show_timeline(self, d: CaseDetail) -> None:
        self.timeline.clear()
        self.event_text.clear()
        for event in d.events:
            details = event_details(event)
            summary = " · ".join(details.split("\n"))
            item = QTreeWidgetItem([fmt_datetime(event.at), event.user, event.label, summary[:160]])
            item.setData(0, Qt.ItemDataRole.UserRole, details)
            if event.confidential:
                item.setForeground(3, QBrush(QColor("#6c757d")))
            self.timeline.addTopLevelItem(item)
        count = self.timeline.topLevelItemCount()
        if count:
            self.timeline.scrollToItem(self.timeline.topLevelItem(count - 1))

    def _show_event(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is None:
            self.event_text.clear()
            return
        head = f"{item.text(0)} — {item.text(2)} — {item.text(1)}"
        self.event_text.setPlainText(f"{head}\n\n{item.data(0, Qt.ItemDataRole.UserRole)}")

    def _show_actions(self, d: CaseDetail) -> None:
        while self.actions_layout.count():
            child = self.actions_layout.takeAt(0).widget()
            if child is not None:  # gone at once (findChild), deleted once its signal is done
                child.setParent(None)
                child.deleteLater()
        used = set("atvom")  # mnemonics of the window's own buttons and "Brief &maken"
        kinds: list[Action | Activity] = [*d.actions, *d.activities]
        first_activity = d.activities[0] if d.activities else None
        for kind in kinds:
            if kind is first_activity and Activity.BRIEF in d.activities:
                button = make_letter_button(letters.types_for(d, self.ctx))  # the usual next step
                button.clicked.connect(lambda: self.make_letter())
                self.actions_layout.addWidget(button)
            text = BUTTON_LABELS[kind]
            asks = kind not in (Activity.GEGEVENS_WIJZIGEN,)
            button = QPushButton(_mnemonic(text, used) + ("…" if asks else ""))
            button.setObjectName(f"{'action' if isinstance(kind, Action) else 'activity'}_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.start(k))
            if kind in d.not_yet:  # the procedure refuses it for now: say why, beside it
                button.setEnabled(False)
                button.setToolTip(d.not_yet[kind])
            self.actions_layout.addWidget(button)
            if isinstance(kind, Action) and kind == d.actions[-1] and d.activities:
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                self.actions_layout.addWidget(line)
        if not kinds:
            none = QLabel("U kunt bij deze zaak niets meer vastleggen.")
            none.setWordWrap(True)
            self.actions_layout.addWidget(none)
        if d.needs_role:  # in sight but disabled: who may do it is in the tooltip
            others = QLabel("<span style='color:#555'>Voor een andere rol:</span>")
            others.setObjectName("otherRolesLabel")
            self.actions_layout.addWidget(others)
        for kind, roles in d.needs_role:
            needed = " of ".join(ROLE_LABELS[r] for r in Role if r in roles)
            button = QPushButton(BUTTON_LABELS[kind].replace("&", ""))
            button.setObjectName(f"{'action' if isinstance(kind, Action) else 'activity'}_{kind}")
            button.setEnabled(False)
            button.setToolTip(f"Hiervoor is de rol {needed} nodig.")
            self.actions_layout.addWidget(button)
        self.actions_layout.addStretch()
        button = QPushButton(_mnemonic("Zaakdossier (PDF)", used) + "…")
        button.setObjectName("dossierButton")
        button.setToolTip(
            "Sla de hele zaak op als één PDF: gegevens, verloop, termijnen, brieven en "
            "bijlagen. Het bestand bevat persoonsgegevens."
        )
        button.setEnabled(self._dossier_task is None)
        button.clicked.connect(self.save_dossier)
        self.actions_layout.addWidget(button)
        refresh = QPushButton("&Vernieuwen")
        refresh.setObjectName("refreshButton")
        refresh.setToolTip("Lees de zaak opnieuw (F5), bijvoorbeeld na een wijziging elders.")
        refresh.clicked.connect(self.reload)
        self.actions_layout.addWidget(refresh)

    # -- doing ------------------------------------------------------------------------------------
    def make_letter(self, letter_type: str | None = None) -> None:
        """Open the letter dialog (on the letters tab); a final letter shows here at once."""
        if self.detail is not None and self._may_leave_edits():
            self.files.make_letter(letter_type)

    def save_dossier(self) -> None:
        """Ask where, then make the case dossier off the UI thread (letters and scans make
        it large)."""
        if self.detail is None or self._dossier_task is not None:
            return
        path = _ask_dossier_path(self, dossier.suggested_name(self.ref))
        if not path:
            return
        self._dossier_path = path
        self._dossier_busy(True)
        self.message.setText("Het zaakdossier wordt gemaakt…")
        self._dossier_task = tasks.start(
            dossier.save_case_dossier,
            self.ctx,
            self.ref,
            path,
            done=self._dossier_saved,
            failed=self._dossier_failed,
        )

    def _dossier_busy(self, busy: bool) -> None:
        button = self.findChild(QPushButton, "dossierButton")
        if button is not None:
            button.setEnabled(not busy)

    def _dossier_saved(self, made: dossier.DossierFile) -> None:
        self._dossier_task = None
        self._dossier_busy(False)
        self.message.setText(
            f"{dossier.dossier_summary(made)} is opgeslagen als {self._dossier_path}. Het "
            "bevat persoonsgegevens: bewaar en verstuur het vertrouwelijk."
        )

    def _dossier_failed(self, error: BaseException) -> None:
        self._dossier_task = None
        self._dossier_busy(False)
        self.message.setText("Het zaakdossier is niet opgeslagen.")
        common.show_error(self, error, "Zaakdossier niet opgeslagen")

    def _letter_stored(self, letter_id: int, kind: str) -> None:
        self._after_change(letter_id, "De brief is definitief opgeslagen in de zaak.")
        self.tabs.setCurrentWidget(self.files)
        self.files.select_letter(letter_id)
        answers = {k.value for k in letters.LETTER_TYPES[kind].answers}
        settled = [
            d
            for d in self.detail.deadlines
            if d.active and d.kind in answers and d.met_on == self.ctx.today()
        ]
        said = [f"{d.label.lower()} is daarmee {STATE_LABELS[d.state]}" for d in settled]
        if said:
            terms = "de termijn " + " en de termijn ".join(said)
            self.message.setText(f"De verzending van de brief is vastgelegd; {terms}.")
        elif not any(d.met_on == self.ctx.today() for d in self.detail.deadlines):
            self.message.setText(
                "De brief is definitief opgeslagen in de zaak. Leg de verzending vast zodra "
                "hij weg is; pas dan telt hij voor de termijn."
            )

    def choices(self) -> case_edit.EditChoices | None:
        if self._choices is None:
            self._choices = call_service(self, case_edit.edit_choices, self.ctx)
        return self._choices

    def start(self, kind: Action | Activity) -> None:
        """Begin an action: a dialog, a file picker, or the data tab."""
        if self.detail is None:
            return
        if kind is Activity.GEGEVENS_WIJZIGEN:
            self.tabs.setCurrentIndex(1)
            self.form.inputs["name"].setFocus()
            return
        if not self._may_leave_edits():
            return
        if kind is Activity.BIJLAGE:
            self.files.add_attachment()
            return
        choices = self.choices()
        if choices is None:
            return
        form = case_actions.action_form(kind, self.detail, choices, self.ctx.today())
        self.dialog = FormDialog(self, form, lambda values: self._submit(form, values))
        self.dialog.open()

    def record_sending(self, letter_id: int, label: str) -> None:
        """Record that a final letter stored earlier went out (date, post or e-mail)."""
        if self.detail is None or not self._may_leave_edits():
            return
        form = case_actions.record_sent_form(self.detail, letter_id, label, self.ctx.today())
        self.dialog = FormDialog(self, form, lambda values: self._submit(form, values))
        self.dialog.open()

    def _submit(self, form: case_actions.ActionForm, values: dict) -> bool:
        dialog = self.dialog
        result = call_service(dialog, self._checked, dialog, form.call, values)
        if result is _KEEP_OPEN:
            return False
        self._after_change(result, form.done)
        return True

    def _checked(self, dialog: FormDialog, call, values: dict):
        """Run the service; refused input stays in the dialog with the reason beside it."""
        try:
            return call(self.ctx, self.ref, self.detail.version, values)
        except (ValidationError, NotAllowed) as error:
            field = getattr(error, "field", None)
            dialog.show_error(str(error), _dialog_key(dialog, field))
            return _KEEP_OPEN

    def _after_change(self, result, done: str | None) -> None:
        """Show the case as it is now; a refused change (e.g. a conflict) shows why first."""
        self.reload()
        if result is None:
            self.message.setText("De zaak is opnieuw ingelezen; controleer de gegevens.")
            return
        if done:
            self.message.setText(done)
        self.changed.emit(self.ref)

    def _may_leave_edits(self) -> bool:
        return not self.form.dirty or confirm(
            self,
            "Wijzigingen niet opgeslagen",
            "U heeft gegevens gewijzigd maar nog niet opgeslagen. Wilt u doorgaan zonder op "
            "te slaan?",
            "Doorgaan zonder opslaan",
        )

    def closeEvent(self, event) -> None:  # Qt calls it so
        if self._may_leave_edits():
            event.accept()
        else:
            event.ignore()

    def _saved(self, result) -> None:
        if result is not None and result == self.detail.version:
            self.message.setText("Er was niets gewijzigd.")
            self.form.set_dirty(False)
            return
        self._after_change(result, "De gegevens zijn opgeslagen.")


def _table(sections: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """Headed sections in one two-column rich-text table (so the columns line up)."""
    cells = []
    for title, rows in sections:
        cells.append(f"<tr><td colspan='2' style='padding:10px 0 4px 0'><b>{title}</b></td></tr>")
        cells.extend(
            f"<tr><td style='padding:2px 16px 2px 0;color:#555'>{escape(k)}</td>"
            f"<td style='padding:2px 0'>{escape(v).replace(chr(10), '<br>')}</td></tr>"
            for k, v in rows
        )
    return f"<table>{''.join(cells)}</table>"


def _mnemonic(text: str, used: set[str]) -> str:
    """Put '&' before the first letter no other button uses yet (Alt+letter works)."""
    for index, char in enumerate(text):
        if char.isalpha() and char.lower() not in used:
            used.add(char.lower())
            return f"{text[:index]}&{text[index:]}"
    return text


def _dialog_key(dialog: FormDialog, field: str | None) -> str | None:
    """The dialog question a service's field name belongs to."""
    if not field:
        return None
    for item in dialog.form.fields:
        if item.label.lower().startswith(field.lower()) or field.lower() in item.label.lower():
            return item.key
    return None
