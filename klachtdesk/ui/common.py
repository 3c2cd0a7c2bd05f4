"""Small shared pieces of the windows: Dutch formatting, colours, calm error dialogs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QTableWidgetItem, QWidget

from klachtdesk.domain.deadlines import DeadlineKind, Urgency
from klachtdesk.domain.errors import ConflictError, KlachtDeskError
from klachtdesk.domain.states import Status
from klachtdesk.storage.errors import TooManyAttempts
from klachtdesk.ui.pyside_sources import read_sources_lightly

T = TypeVar("T")

# Every window imports this module, so this is in place before the services load.
read_sources_lightly()

# Deadline colours: calm, readable on white, and distinguishable without colour too
# (the texts say "verlopen" / "binnenkort").
STATE_COLOURS = {
    Urgency.OVERDUE: QColor("#f8d7da"),
    Urgency.DUE_SOON: QColor("#fff3cd"),
    Urgency.MET: QColor("#d1e7dd"),
    Urgency.MISSED: QColor("#e2e3e5"),
}
STATE_TEXT_COLOURS = {
    Urgency.OVERDUE: QColor("#842029"),
    Urgency.DUE_SOON: QColor("#664d03"),
    Urgency.MET: QColor("#0f5132"),
}
STATE_LABELS = {
    Urgency.OPEN: "open",
    Urgency.DUE_SOON: "binnenkort",
    Urgency.OVERDUE: "verlopen",
    Urgency.MET: "gehaald",
    Urgency.MISSED: "gemist",
    Urgency.LAPSED: "vervallen",
    Urgency.SUPERSEDED: "vervangen door verlenging",
}


TITLE_BAR = 32  # what a window manager adds above a window, at most (title bar and border)


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Give a window its preferred size, but never more than the screen's free area (a
    1366 × 768 laptop with its taskbar leaves about 1366 × 728): buttons at the bottom of a
    window must stay reachable."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, area.width() - 8)
        height = min(height, area.height() - TITLE_BAR - 8)
    widget.resize(width, height)


def fmt_date(day: date | None) -> str:
    """'25-11-2026', or an empty string."""
    return day.strftime("%d-%m-%Y") if day else ""


def fmt_datetime(moment: datetime | None) -> str:
    return moment.strftime("%d-%m-%Y %H:%M") if moment else ""


def read_only_item(text: str, align_right: bool = False) -> QTableWidgetItem:
    """A table cell the user can select but not edit; numbers align right."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def status_label(status: str) -> str:
    return Status(status).label


def deadline_label(kind: str | None) -> str:
    return DeadlineKind(kind).label if kind else ""


def show_error(parent: QWidget | None, error: BaseException, title: str = "Niet gelukt") -> None:
    """A calm Dutch message; unexpected errors are logged without personal data."""
    if isinstance(error, KlachtDeskError):
        text = str(error)
    else:
        from klachtdesk.support import log_unexpected

        where = log_unexpected(error)
        text = "Er ging iets onverwachts mis; er is niets half opgeslagen."
        if where:
            text += f"\n\nDetails voor de ondersteuning staan in {where}."
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.exec()


def call_service(parent: QWidget | None, func: Callable[..., T], *args, **kwargs) -> T | None:
    """Call a service; on a refused or failed call show why and return None.

    A ConflictError (another PC changed the case) gets its own title, so the user knows
    to look again rather than to retype.
    """
    try:
        return func(*args, **kwargs)
    except ConflictError as error:
        show_error(parent, error, "Zaak is intussen gewijzigd")
    except Exception as error:  # noqa: BLE001 - every failure becomes a calm dialog
        show_error(parent, error)
    return None


def confirm(parent: QWidget | None, title: str, text: str, yes: str = "Ja") -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("confirmDialog")
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Annuleren", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes_button


def preferences():
    """QSettings for per-PC preferences (window geometry, column layout, last database)."""
    from PySide6.QtCore import QSettings

    from klachtdesk.paths import preferences_file

    return QSettings(str(preferences_file()), QSettings.Format.IniFormat)


def install_dutch(app) -> list[QTranslator]:
    """Dutch for Qt's own texts (standard buttons, dialogs) and Dutch dates and numbers.

    Call it right after the QApplication is made, before any window: a widget takes its
    texts when it is built. Two catalogues: Qt's own qtbase_nl, and ours
    (resources/translations/klachtdesk_qt_nl), which fills in what qtbase_nl lacks since
    Qt 6 changed those texts ("&Look in:", "Files of &type:", the print dialog's duplex
    and page-set options, "Folder" in the file list). Qt asks the translator installed
    last first, so ours is installed second. Returns the translators installed.
    """
    from klachtdesk.paths import resource_path

    QLocale.setDefault(QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands))
    catalogues = [
        ("qtbase_nl", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ("klachtdesk_qt_nl", str(resource_path("translations"))),
    ]
    installed = []
    for name, folder in catalogues:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
        else:  # English dialogs are no reason not to start; the self-test checks qtbase_nl
            logging.getLogger(__name__).warning("Qt translation %s not found in %s", name, folder)
    return installed


def wait_of(error: Exception) -> int:
    """Seconds before the next try, as the service's login guard says (0: at once)."""
    if isinstance(error, TooManyAttempts):
        return error.seconds
    return getattr(error, "wait", 0)
