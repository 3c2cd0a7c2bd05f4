"""The "Vandaag" overview: what is overdue, what is due this week, what must go out."""

from __future__ import annotations

import itertools
from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.services.cases import agenda
from klachtdesk.services.cases.agenda import (
    APPEALS,
    LETTERS,
    OVERDUE,
    SECTION_ROWS,
    SECTION_TITLES,
    THIS_WEEK,
    UNLINKED_SHOWN,
    AgendaItem,
    Overview,
)
from klachtdesk.services.context import Context
from klachtdesk.services.letters.letters import LetterDue
from klachtdesk.ui.calendar.calendar_month import DUTCH, state_colour, state_text_colour
from klachtdesk.ui.common import call_service, fmt_date
from klachtdesk.ui.letters.letter_dialog import LetterDialog

REF_ROLE = Qt.ItemDataRole.UserRole
TYPE_ROLE = Qt.ItemDataRole.UserRole + 1
RESIZE_ROWS = 100  # rows a column's width is measured on (Qt measures 1000 by default)
EMPTY_TEXTS = {
    OVERDUE: "Geen verlopen termijnen. Mooi zo.",
    THIS_WEEK: "Deze week verloopt er geen termijn.",
    LETTERS: "Er liggen geen brieven klaar om te versturen.",
    APPEALS: "Er wacht geen heroverweging op de directeur-bestuurder.",
}
COLUMN_TITLES = {
    OVERDUE: ("Zaak", "Termijn", "Uiterlijk", "Onderwerp"),
    THIS_WEEK: ("Zaak", "Termijn", "Uiterlijk", "Onderwerp"),
    LETTERS: ("Zaak", "Brief", "Datum", "Onderwerp"),
    APPEALS: ("Zaak", "Termijn", "Uiterlijk", "Onderwerp"),
}


def greeting(hour: int) -> str:
    if 6 <= hour < 12:
        return "Goedemorgen"
    if 12 <= hour < 18:
        return "Goedemiddag"
    return "Goedenavond"


def short_stand(item: AgendaItem, today: date) -> str:
    """'vandaag', 'nog 2 werkdagen', '3 werkdagen te laat'."""
    if item.due == today:
        return "vandaag"
    days = abs(item.working_days_left)
    unit = "werkdag" if days == 1 else "werkdagen"
    if item.due < today:
        return f"{days} {unit} te laat" if days else "verlopen"
    return f"nog {days} {unit}"


def letter_when(letter: LetterDue) -> str:
    """The date column of a letter row: when it is due, or what it announces."""
    if letter.letter_id is not None and letter.since is not None:
        return f"klaar sinds {fmt_date(letter.since)}"
    if letter.due is not None:
        return f"uiterlijk {fmt_date(letter.due)}"
    if letter.type == "tevredenheidsvraag" and letter.since is not None:
        return f"uitspraak van {fmt_date(letter.since)}"
    if letter.since is not None:
        return f"besluit van {fmt_date(letter.since)}"
    return ""


def written_date(day: date) -> str:
    """'woensdag 25 november 2026'."""
    return DUTCH.toString(QDate(day), "dddd d MMMM yyyy")


class CaseRows(QTableWidget):
    """A short list of cases: a double click or Enter on a row opens the case (or, in the
    letters list, the letter dialog); a single click only selects. ``chosen`` carries the
    case reference and the row's letter type ("" if the row is no letter)."""

    chosen = Signal(str, str)

    def __init__(self, name: str, columns: tuple[str, ...]):
        super().__init__(0, len(columns))
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(list(columns))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # a column is as wide as its widest text among the first rows (all: "Toon alle" of
        # thousands would measure every one)
        header.setResizeContentsPrecision(RESIZE_ROWS)
        header.setSectionResizeMode(len(columns) - 1, QHeaderView.ResizeMode.Stretch)
        # one click selects; a double click or Enter opens (nothing is made by one click)
        self.doubleClicked.connect(self._choose)

    def _choose(self, index) -> None:
        first = self.item(index.row(), 0)
        if first is not None and first.data(REF_ROLE):
            self.chosen.emit(first.data(REF_ROLE), first.data(TYPE_ROLE) or "")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._choose(self.currentIndex())
            return
        super().keyPressEvent(event)

    def add_row(
        self, ref: str, texts: list[str], state=None, tooltip: str = "", letter_type: str = ""
    ) -> None:
        row = self.rowCount()
        self.insertRow(row)
        for column, text in enumerate(texts):
            cell = QTableWidgetItem(text)
            cell.setData(REF_ROLE, ref)
            cell.setData(TYPE_ROLE, letter_type)
            cell.setToolTip(f"{text}\n{tooltip}" if column == len(texts) - 1 else tooltip)
            if column == 2 and state is not None:
                cell.setBackground(state_colour(state))
                cell.setForeground(state_text_colour(state))
            self.setItem(row, column, cell)


class Section(QGroupBox):
    """One part of the overview: a title with a count, a short list or a calm empty text.
    When the list holds only the first rows of more, a line under it says so and offers
    all of them (``show_all``)."""

    show_all = Signal(str)

    def __init__(self, key: str):
        super().__init__(SECTION_TITLES[key])
        self.key = key
        self.setObjectName(f"section_{key}")
        self.rows = CaseRows(f"table_{key}", COLUMN_TITLES[key])
        self.empty = QLabel(EMPTY_TEXTS[key])
        self.empty.setObjectName(f"empty_{key}")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #4a5a4a; font-size: 11pt; padding: 18px;")
        normal = QFont(self.font())
        normal.setBold(False)  # explicitly, or the children would inherit the bold title
        bold = QFont(normal)
        bold.setBold(True)
        self.setFont(bold)  # the title; the contents keep the normal font
        self.partial = QLabel()
        self.partial.setObjectName(f"partial_{key}")
        self.partial.setStyleSheet("color: #4a5a4a;")
        self.more = QPushButton()
        self.more.setObjectName(f"showAll_{key}")
        self.more.clicked.connect(lambda: self.show_all.emit(self.key))
        for child in (self.rows, self.empty, self.partial, self.more):
            child.setFont(normal)
        more_line = QHBoxLayout()
        more_line.setContentsMargins(0, 0, 0, 0)
        more_line.addWidget(self.partial, 1)
        more_line.addWidget(self.more)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rows, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(more_line)
        self.partial.hide()
        self.more.hide()
        self.count = 0

    def show_count(self, count: int) -> None:
        """The title counts the section's rows; when the list holds fewer (the first ones),
        the line under it says how many and offers to show all."""
        self.count = count
        self.setTitle(f"{SECTION_TITLES[self.key]} ({count})")
        self.rows.setVisible(bool(count))
        self.empty.setVisible(not count)
        held = self.rows.rowCount()
        partial = held < count
        if partial:
            self.partial.setText(f"U ziet de eerste {held} van {count}.")
            self.more.setText(f"Toon alle {count}")
        self.partial.setVisible(partial)
        self.more.setVisible(partial)


class TodayPanel(QWidget):
    """'Vandaag': the first thing a user sees after logging in (SPEC §4).

    A row opens its case (``open_case``); a row under "Brieven te versturen" opens the letter
    dialog for that case and letter type. After a letter was made final the panel refreshes
    and ``changed`` carries the case's reference, so other views can read it again.
    """

    open_case = Signal(str)
    changed = Signal(str)
    open_report = Signal()  # an evaluation is due: the report window records it

    def __init__(
        self,
        ctx: Context,
        parent: QWidget | None = None,
        deferred: bool = False,
        shown: int = SECTION_ROWS,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.shown = shown  # rows read per section; "Toon alle" reads the rest
        self.showing_all: set[str] = set()  # sections the user asked to see whole
        self.setObjectName("todayPanel")
        self.setLocale(DUTCH)
        self.overview: Overview | None = None
        self.letters: list[LetterDue] = []
        self.letter_dialog: LetterDialog | None = None
        self.greeting = QLabel()
        self.greeting.setObjectName("greeting")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.greeting.setFont(font)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.unlinked = QLabel()
        self.unlinked.setObjectName("unlinkedEmployees")
        self.unlinked.setWordWrap(True)
        self.unlinked.setStyleSheet(
            "background: #fff3cd; color: #664d03; padding: 6px; border-radius: 3px;"
        )
        self.unlinked.linkActivated.connect(self.open_case.emit)
        self.unlinked.hide()
        self.evaluations = QLabel()
        self.evaluations.setObjectName("evaluationsDue")
        self.evaluations.setWordWrap(True)
        self.evaluations.setStyleSheet(self.unlinked.styleSheet())
        self.evaluations.linkActivated.connect(lambda _link: self.open_report.emit())
        self.evaluations.hide()
        self.sections = {key: Section(key) for key in (OVERDUE, THIS_WEEK, LETTERS, APPEALS)}
        for key, section in self.sections.items():
            # Children of the panel from the start, hidden until placed: a parentless
            # section made visible would open as a window of its own for a moment.
            section.setParent(self)
            section.hide()
            section.show_all.connect(self.show_all)
            if key == LETTERS:
                section.rows.chosen.connect(self._letter_chosen)
            else:
                section.rows.chosen.connect(lambda ref, _type: self.open_case.emit(ref))
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        for index in (0, 1):
            self.grid.setColumnStretch(index, 1)
            self.grid.setRowStretch(index, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(self.summary)
        layout.addWidget(self.unlinked)
        layout.addWidget(self.evaluations)
        layout.addLayout(self.grid, 1)
        # In the main window the overview is read once the panel has been painted (empty)
        # for the first time: the window, with its case list, is on screen first.
        self._fill_after_paint = deferred
        self._order = None
        if not deferred:
            self.refresh()

    def section_order(self) -> list[str]:
        """The keys of the sections as they are laid out (reading order)."""
        placed = []
        for index in range(self.grid.count()):
            row, column, *_ = self.grid.getItemPosition(index)
            widget = self.grid.itemAt(index).widget()
            if not widget.isHidden():
                placed.append((row, column, widget.key))
        return [key for *_, key in sorted(placed)]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self._fill_after_paint:
            self._fill_after_paint = False
            QTimer.singleShot(0, self, self.refresh)  # cancelled if the panel goes first

    def refresh(self) -> None:
        """Read the overview again."""
        self._fill_after_paint = False
        actor = self.ctx.actor
        first_name = actor.display_name.split()[0] if actor.display_name.strip() else actor.username
        self.greeting.setText(
            f"{greeting(self.ctx.now().hour)}, {first_name} — {written_date(self.ctx.today())}"
        )
        overview = call_service(self, agenda.today_overview, self.ctx, self.shown)
        if overview is None:
            return
        self.overview, self.letters = overview, overview.letters
        if overview.order != self._order:  # the sections move only when their order changes
            self._arrange(overview.order)
        for key in self.sections:
            self._fill(key, overview.rows(key), overview.count(key))
        self.summary.setText(self._summary(overview))
        self._show_unlinked(overview.unlinked, overview.unlinked_count)
        self._show_evaluations(overview.evaluations, overview.today)
        for key in sorted(self.showing_all & set(overview.order)):
            if overview.count(key) > len(overview.rows(key)):
                self.show_all(key)  # asked for before: the whole section again

    def show_all(self, key: str) -> None:
        """Read and list every row of one section ("Toon alle")."""
        items = call_service(self, agenda.section_items, self.ctx, key)
        if items is None or self.overview is None:
            return
        self.showing_all.add(key)
        if key == LETTERS:
            self.letters = items
        self._fill(key, items, len(items))

    def _fill(self, key: str, items: list, count: int) -> None:
        if key == LETTERS:
            self._fill_letters(items, count)
        else:
            self._fill_deadlines(key, items, self.overview.today, count)

    def _arrange(self, order) -> None:
        """Place the sections in ``order`` (two columns) and hide the others. Done only when
        the order changes: hiding and moving widgets while the window is being activated
        took the activation away from it."""
        self._order = order
        for section in self.sections.values():
            self.grid.removeWidget(section)
            section.setVisible(section.key in order)
        for index, key in enumerate(order):
            # an odd last section (no appeals panel) takes the whole width
            span = 2 if index == len(order) - 1 and index % 2 == 0 else 1
            self.grid.addWidget(self.sections[key], index // 2, index % 2, 1, span)
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(self.sections[first].rows, self.sections[second].rows)

    def _show_evaluations(self, due, today: date) -> None:
        """The evaluation the procedure asks for, while it is not recorded as held."""
        lines = []
        for item in due:
            late = " (verlopen)" if item.due < today else ""
            lines.append(
                f"{escape(item.label)} (over {escape(item.period.short_label)}) uiterlijk "
                f"{escape(long_date(item.due))}{late}: nog niet gehouden."
            )
        if lines:
            lines.append(
                "<a href='rapport'>Open het evaluatierapport</a> en leg daar vast dat de "
                "evaluatie is gehouden, met de deelnemers en de actiepunten."
            )
        self.evaluations.setText("<br>".join(lines))
        self.evaluations.setVisible(bool(due))

    def _show_unlinked(self, unlinked, n: int) -> None:
        """Cases that name an employee who is not on the list (``n``, the first of them in
        ``unlinked``): the coordinator links them (Gegevens wijzigen), so no one handles a
        complaint about themselves."""
        shown = unlinked[:UNLINKED_SHOWN]
        parts = []
        for item in shown:
            likely = f", lijkt op {' of '.join(item.likely)}" if item.likely else ""
            parts.append(
                f"<a href='{escape(item.ref)}'>{escape(item.ref)}</a> "
                f"('{escape(item.typed)}'{escape(likely)})"
            )
        more = n - len(shown)
        if more:
            parts.append(f"en nog {more}")
        self.unlinked.setText(
            f"{n} open {'zaak noemt' if n == 1 else 'zaken noemen'} een medewerker die niet in "
            "de lijst van medewerkers staat. Koppel de juiste medewerker bij 'Gegevens "
            "wijzigen' in de zaak: " + "; ".join(parts) + "."
        )
        self.unlinked.setVisible(bool(n))

    def forget(self) -> None:
        """The idle lock: clear every row read from the database until ``refresh``."""
        self.overview, self.letters = None, []
        for section in self.sections.values():
            section.rows.setRowCount(0)
            section.show_count(0)
        self.summary.clear()
        self.unlinked.clear()
        self.unlinked.hide()
        self.evaluations.clear()
        self.evaluations.hide()

    def _fill_deadlines(self, key: str, items: list[AgendaItem], today: date, count: int) -> None:
        section = self.sections[key]
        section.rows.setRowCount(0)
        for item in items:
            tooltip = f"Zaak {item.ref} openen (status: {item.status_label.lower()})"
            if item.explanation:
                tooltip += f"\n{item.label}: {item.explanation}"
            if item.note:
                tooltip += f"\n{item.note[:1].upper()}{item.note[1:]}."
            when = f"{fmt_date(item.due)} · {short_stand(item, today)}"
            # what the deadline still waits for comes first, before the subject
            about = (
                f"{item.note[:1].upper()}{item.note[1:]} — {item.subject}"
                if item.note
                else item.subject
            )
            row = [item.ref, item.label, when, about]
            section.rows.add_row(item.ref, row, item.state, tooltip)
        section.show_count(count)

    def _fill_letters(self, to_send: list[LetterDue], count: int) -> None:
        section = self.sections[LETTERS]
        section.rows.setRowCount(0)
        for letter in to_send:
            row = [letter.ref, letter.label, letter_when(letter), letter.subject]
            if letter.letter_id is not None:  # made already: the case window records sending
                tooltip = (
                    f"Zaak {letter.ref} openen om de verzending van de brief "
                    f"'{letter.label}' vast te leggen"
                )
                kind = ""
            else:
                tooltip = (
                    f"De brief '{letter.label}' voor zaak {letter.ref} maken "
                    f"(status: {letter.status_label.lower()})"
                )
                kind = letter.type
            if letter.note:
                tooltip += f"\n{letter.note[:1].upper()}{letter.note[1:]}."
            section.rows.add_row(letter.ref, row, letter.state, tooltip, kind)
        section.show_count(count)

    def _letter_chosen(self, ref: str, letter_type: str) -> None:
        if letter_type:
            self.make_letter(ref, letter_type)
        else:
            self.open_case.emit(ref)

    def make_letter(self, ref: str, letter_type: str) -> None:
        """Open the letter dialog for this case with this letter type offered first."""
        dialog = LetterDialog(self.ctx, ref, self, letter_type or None)
        dialog.stored.connect(lambda _letter_id: self.changed.emit(dialog.ref))
        dialog.finished.connect(lambda _result: self._letter_dialog_closed(dialog))
        self.letter_dialog = dialog
        dialog.open()

    def _letter_dialog_closed(self, dialog: LetterDialog) -> None:
        if self.letter_dialog is dialog:
            self.letter_dialog = None
        dialog.deleteLater()
        if dialog.letter_id is not None:
            self.refresh()

    @staticmethod
    def _summary(overview: Overview) -> str:
        parts = []
        if n := overview.count(OVERDUE):
            parts.append(f"{n} verlopen {'termijn' if n == 1 else 'termijnen'}")
        if n := overview.count(THIS_WEEK):
            parts.append(f"{n} {'termijn' if n == 1 else 'termijnen'} deze week")
        if n := overview.count(LETTERS):
            parts.append(f"{n} {'brief' if n == 1 else 'brieven'} te versturen")
        if n := overview.count(APPEALS):
            parts.append(f"{n} {'heroverweging' if n == 1 else 'heroverwegingen'}")
        if not parts:
            return "Er staat vandaag niets open. Een rustige dag."
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
        return f"Vandaag: {listed}."
