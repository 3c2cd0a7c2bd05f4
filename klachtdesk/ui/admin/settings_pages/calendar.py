"""Settings page: the organisation's days off and the Atw days, with a deadline preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
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

from klachtdesk.domain.calendar import DECREE_NOTE, WEEKDAYS, long_date
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


def date_edit(name: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setDisplayFormat("dd-MM-yyyy")
    edit.setCalendarPopup(True)
    return edit


def as_date(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def year_list(years: list[int]) -> str:
    """'2023 tot en met 2028', or '2023 tot en met 2028 en 2031' when years are missing."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [str(run[0]) if len(run) == 1 else f"{run[0]} tot en met {run[-1]}" for run in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


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

        # Days made equal to public holidays by Royal decree (Atw art. 3 lid 3): the shipped
        # decrees' days (law, read-only) and the days of later decrees beheer adds.
        self.atw_days: dict[date, admin_calendar.AtwDay] = {}
        self.atw_intro = intro("")
        self.atw = make_table("atwTable", ["Datum", "Omschrijving", "Besluit"], stretch=2)
        self.atw.itemSelectionChanged.connect(self._atw_selected)
        self.atw_decree_shown = intro("")
        self.atw_decree_shown.setObjectName("atwDecreeShown")
        self.atw_decree_shown.setTextFormat(Qt.TextFormat.PlainText)
        self.atw_date = date_edit("atwDate", today)
        self.atw_decree = handles_enter(QLineEdit(), self._add_atw)
        self.atw_decree.setObjectName("atwDecree")
        self.atw_decree.setMaxLength(200)
        self.atw_decree.setPlaceholderText("titel van het besluit (verplicht)")
        self.atw_decree.setToolTip(
            "Bijvoorbeeld: Besluit houdende gelijkstelling van … met een algemeen erkende feestdag"
        )
        self.atw_error = ErrorLabel("atwError")
        atw_box = QGroupBox("Algemene termijnenwet: gelijkgestelde dagen")
        atw_layout = QVBoxLayout(atw_box)
        atw_layout.addWidget(self.atw_intro)
        atw_layout.addWidget(self.atw, 1)
        atw_layout.addWidget(self.atw_decree_shown)
        atw_row = QHBoxLayout()
        atw_row.addWidget(self.atw_date)
        decree_label = QLabel("&Besluit:")
        decree_label.setBuddy(self.atw_decree)
        atw_row.addWidget(decree_label)
        atw_row.addWidget(self.atw_decree, 1)
        atw_layout.addLayout(atw_row)
        atw_buttons = QHBoxLayout()
        atw_buttons.addWidget(button("atwAddButton", "Dag toevoe&gen", self._add_atw))
        self.atw_remove = button("atwRemoveButton", "Verwij&deren", self._remove_atw)
        atw_buttons.addWidget(self.atw_remove)
        atw_buttons.addStretch()
        atw_layout.addLayout(atw_buttons)
        atw_layout.addWidget(self.atw_error)

        top = QHBoxLayout()
        top.addWidget(days_off, 1)
        top.addWidget(preview_box, 2)
        lists = QHBoxLayout()
        lists.addWidget(closing_box, 2)
        lists.addWidget(atw_box, 3)  # room for the decree column
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
        entries = admin_calendar.list_atw_days(self.ctx)
        self.atw_days = {e.day: e for e in entries}
        fill_table(
            self.atw,
            [
                (
                    [
                        fmt_date(e.day),
                        e.reason.removesuffix(f" ({DECREE_NOTE})"),
                        f"{e.decree_short} (meegeleverd)" if e.shipped else e.decree,
                    ],
                    e.day,
                    True,
                )
                for e in entries
            ],
        )
        years = admin_calendar.known_decree_years(self.ctx)
        self.atw_intro.setText(
            "Een termijn die eindigt op een dag die bij koninklijk besluit gelijkgesteld is aan "
            f"een feestdag, schuift door. Bekend: de besluiten voor {year_list(years)}. Voeg "
            "de dagen van een nieuw besluit toe met de titel van dat besluit."
        )
        self._atw_selected()
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
    def _atw_selected(self) -> None:
        chosen = [self.atw_days[day] for day in selected_all(self.atw) if day in self.atw_days]
        self.atw_remove.setEnabled(not any(e.shipped for e in chosen))
        decrees = list(dict.fromkeys((e.decree, e.shipped) for e in chosen))
        # The full title of the selected day's decree (the list shows a short one).
        if len(decrees) == 1:
            title, shipped = decrees[0]
            origin = "meegeleverd, kan niet worden verwijderd" if shipped else "toegevoegd"
            self.atw_decree_shown.setText(f"{title} ({origin})")
        self.atw_decree_shown.setVisible(len(decrees) == 1)

    def _add_atw(self) -> None:
        day = as_date(self.atw_date)
        ok, _ = attempt(
            self,
            self.atw_error,
            admin_calendar.add_atw_day,
            self.ctx,
            day,
            self.atw_decree.text(),
        )
        if ok:
            self.atw_decree.clear()
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
