"""Settings page: the organisation's days off and the Atw days, with a deadline preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import ValidationError
from klachtdesk.services.admin import admin_calendar
from klachtdesk.services.admin.settings import DECLARATIONS, get_settings
from klachtdesk.ui.admin.settings_pages import (
    ErrorLabel,
    Page,
    SettingsForm,
    attempt,
    fill_table,
    handles_enter,
    intro,
    make_table,
    selected_all,
)
from klachtdesk.ui.common import fmt_date

CALENDAR_KEYS = [d.key for d in DECLARATIONS if d.key.startswith("calendar.")]
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def date_edit(name: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setDisplayFormat("dd-MM-yyyy")
    edit.setCalendarPopup(True)
    return edit


def as_date(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def button(name: str, text: str, slot) -> QPushButton:
    result = QPushButton(text)
    result.setObjectName(name)
    result.clicked.connect(slot)
    return result


class CalendarPage(Page):
    title = "Kalender"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        today = ctx.today()
        self.switches = SettingsForm(CALENDAR_KEYS, "calendarForm")
        days_off = QGroupBox("Vrije dagen (bewaren met Opslaan)")
        QVBoxLayout(days_off).addWidget(self.switches)

        # What a complaint received on a given day would get, with the reasoning.
        self.preview_date = date_edit("previewDate", today)
        self.preview_date.dateChanged.connect(self._preview)
        self.preview = QLabel()
        self.preview.setObjectName("previewLabel")
        self.preview.setWordWrap(True)
        preview_box = QGroupBox("Controle: termijnen van een nieuwe klacht")
        preview_row = QHBoxLayout()
        preview_row.addWidget(QLabel("Ontvangen op:"))
        preview_row.addWidget(self.preview_date)
        preview_row.addStretch()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addLayout(preview_row)
        preview_layout.addWidget(self.preview)

        # Closing days of the organisation.
        self.closing = make_table("closingTable", ["Datum", "Dag", "Omschrijving"], stretch=2)
        self.closing_from = date_edit("closingFrom", today)
        self.closing_from.dateChanged.connect(self._from_changed)
        self.closing_to = date_edit("closingTo", today)
        self.closing_label = handles_enter(QLineEdit(), self._add_closing)
        self.closing_label.setObjectName("closingLabel")
        self.closing_label.setMaxLength(200)
        self.closing_label.setPlaceholderText("bijvoorbeeld Kerstsluiting")
        self.closing_error = ErrorLabel("closingError")
        closing_box = QGroupBox("Sluitingsdagen van de organisatie")
        period = QHBoxLayout()
        period.addWidget(self.closing_from)
        period.addWidget(QLabel("tot en met"))
        period.addWidget(self.closing_to)
        period.addStretch()
        closing_buttons = QHBoxLayout()
        closing_buttons.addWidget(
            button("closingAddButton", "Sluitingsdagen &toevoegen", self._add_closing)
        )
        closing_buttons.addWidget(
            button("closingRemoveButton", "Ve&rwijderen", self._remove_closing)
        )
        closing_buttons.addStretch()
        closing_layout = QVBoxLayout(closing_box)
        closing_layout.addWidget(self.closing, 1)
        closing_layout.addLayout(period)
        closing_layout.addWidget(self.closing_label)
        closing_layout.addLayout(closing_buttons)
        closing_layout.addWidget(self.closing_error)

        # Days made equal to public holidays by Royal decree (Atw art. 3).
        self.atw = make_table("atwTable", ["Datum", "Omschrijving"], stretch=1)
        self.atw_date = date_edit("atwDate", today)
        self.atw_label = handles_enter(QLineEdit(), self._add_atw)
        self.atw_label.setObjectName("atwLabel")
        self.atw_label.setMaxLength(200)
        self.atw_label.setPlaceholderText("bijvoorbeeld vrijdag na Hemelvaartsdag")
        self.atw_error = ErrorLabel("atwError")
        atw_box = QGroupBox("Algemene termijnenwet: gelijkgestelde dagen")
        atw_layout = QVBoxLayout(atw_box)
        atw_layout.addWidget(
            intro(
                "Dagen die bij koninklijk besluit gelijkgesteld zijn aan een feestdag. Een "
                "termijn die op zo'n dag eindigt, schuift door. Vul ze aan als er een nieuw "
                "besluit verschijnt."
            )
        )
        atw_layout.addWidget(self.atw, 1)
        atw_row = QHBoxLayout()
        atw_row.addWidget(self.atw_date)
        atw_row.addWidget(self.atw_label, 1)
        atw_layout.addLayout(atw_row)
        atw_buttons = QHBoxLayout()
        atw_buttons.addWidget(button("atwAddButton", "Dag toevoe&gen", self._add_atw))
        atw_buttons.addWidget(button("atwRemoveButton", "Verwij&deren", self._remove_atw))
        atw_buttons.addStretch()
        atw_layout.addLayout(atw_buttons)
        atw_layout.addWidget(self.atw_error)

        top = QHBoxLayout()
        top.addWidget(days_off, 1)
        top.addWidget(preview_box, 2)
        lists = QHBoxLayout()
        lists.addWidget(closing_box, 1)
        lists.addWidget(atw_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            intro(
                "Termijnen in werkdagen tellen maandag tot en met vrijdag, behalve feestdagen "
                "en de sluitingsdagen hieronder. Sluitingsdagen worden direct opgeslagen en "
                "gelden voor termijnen die vanaf nu worden berekend; termijnen van zaken die "
                "al binnen zijn, blijven staan."
            )
        )
        layout.addLayout(top)
        layout.addLayout(lists, 1)
        self.refresh()

    # -- state ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.switches.load(get_settings(self.ctx))
        self._refresh_lists()

    def _refresh_lists(self) -> None:
        fill_table(
            self.closing,
            [
                ([fmt_date(e.day), WEEKDAYS[e.day.weekday()], e.label], e.day, True)
                for e in admin_calendar.list_closing_days(self.ctx)
            ],
        )
        fill_table(
            self.atw,
            [
                ([fmt_date(e.day), e.label], e.day, True)
                for e in admin_calendar.list_atw_days(self.ctx)
            ],
        )
        self._preview()

    def is_dirty(self) -> bool:
        return bool(self.switches.changes())

    def settings_changes(self) -> dict[str, Any]:
        return self.switches.changes()

    def show_setting_error(self, error: ValidationError) -> bool:
        return self.switches.show_error(error)

    def clear_errors(self) -> None:
        self.switches.clear_errors()

    def _preview(self) -> None:
        received = as_date(self.preview_date)
        deadlines = admin_calendar.preview_deadlines(self.ctx, received)
        lines = []
        for kind in (DeadlineKind.ONTVANGSTBEVESTIGING, DeadlineKind.UITSPRAAK):
            computed = deadlines[kind]
            line = (
                f"<b>{kind.label}</b> ({computed.term.label()}): uiterlijk "
                f"{WEEKDAYS[computed.due.weekday()]} {long_date(computed.due)}"
            )
            if computed.explanation:
                line += f"<br><span style='color:#6c757d'>{computed.explanation}</span>"
            lines.append(line)
        self.preview.setText("<br>".join(lines))

    # -- closing days -----------------------------------------------------------------------
    def _from_changed(self) -> None:
        if self.closing_to.date() < self.closing_from.date():
            self.closing_to.setDate(self.closing_from.date())

    def _add_closing(self) -> None:
        first, last = as_date(self.closing_from), as_date(self.closing_to)
        ok, added = attempt(
            self,
            self.closing_error,
            admin_calendar.add_closing_days,
            self.ctx,
            first,
            last,
            self.closing_label.text(),
        )
        if not ok:
            return
        self._refresh_lists()
        period = fmt_date(first) if first == last else f"{fmt_date(first)} t/m {fmt_date(last)}"
        if added:
            days = "1 sluitingsdag" if added == 1 else f"{added} sluitingsdagen"
            self.status.emit(f"{days} toegevoegd ({period}).")
            self.closing_label.clear()
        else:
            self.closing_error.say(
                f"Geen dagen toegevoegd: {period} bevat geen werkdagen die nog niet in de "
                "lijst staan."
            )

    def _remove_closing(self) -> None:
        days = selected_all(self.closing)
        if not days:
            self.closing_error.say("Selecteer eerst de sluitingsdagen die u wilt verwijderen.")
            return
        ok, removed = attempt(
            self, self.closing_error, admin_calendar.remove_closing_days, self.ctx, days
        )
        if ok:
            self._refresh_lists()
            self.status.emit(f"{removed} sluitingsdag{'en' if removed != 1 else ''} verwijderd.")

    # -- Atw days ---------------------------------------------------------------------------
    def _add_atw(self) -> None:
        day = as_date(self.atw_date)
        ok, _ = attempt(
            self, self.atw_error, admin_calendar.add_atw_day, self.ctx, day, self.atw_label.text()
        )
        if ok:
            self.atw_label.clear()
            self._refresh_lists()
            self.status.emit(f"{fmt_date(day)} is toegevoegd aan de gelijkgestelde dagen.")

    def _remove_atw(self) -> None:
        days = selected_all(self.atw)
        if not days:
            self.atw_error.say("Selecteer eerst de dagen die u wilt verwijderen.")
            return
        ok, removed = attempt(self, self.atw_error, admin_calendar.remove_atw_days, self.ctx, days)
        if ok:
            self._refresh_lists()
            self.status.emit(
                f"{removed} gelijkgestelde dag{'en' if removed != 1 else ''} verwijderd."
            )
