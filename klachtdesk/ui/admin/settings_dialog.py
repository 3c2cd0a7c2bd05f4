"""The settings dialog (Instellingen) for the beheerder: one page per subject."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import admin
from klachtdesk.services.context import Context
from klachtdesk.ui.admin.settings_pages import Page
from klachtdesk.ui.admin.settings_pages.calendar import CalendarPage
from klachtdesk.ui.admin.settings_pages.letters import LettersPage
from klachtdesk.ui.admin.settings_pages.lists import CategoriesPage, StaffPage
from klachtdesk.ui.admin.settings_pages.organisation import OrganisationPage, SecurityPage
from klachtdesk.ui.admin.settings_pages.procedure import ProcedurePage
from klachtdesk.ui.admin.settings_pages.users import UsersPage, roles_text
from klachtdesk.ui.common import call_service, confirm, fit_to_screen, show_error

PAGE_TYPES = (
    OrganisationPage,
    ProcedurePage,
    LettersPage,
    CategoriesPage,
    StaffPage,
    UsersPage,
    CalendarPage,
    SecurityPage,
)


class SettingsDialog(QDialog):
    """Instellingen. Only a beheerder gets the pages; anyone else is told so, politely."""

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Instellingen")
        self.pages: list[Page] = []
        self.refused = Role.BEHEER not in ctx.actor.roles
        if self.refused:
            self._build_refusal()
        else:
            self._build_pages()

    # -- building ---------------------------------------------------------------------------
    def _build_refusal(self) -> None:
        text = QLabel(
            "<p><b>U kunt de instellingen niet wijzigen.</b></p>"
            "<p>Daarvoor is de rol Beheerder nodig. U bent aangemeld als "
            f"{self.ctx.actor.display_name} ({roles_text(self.ctx.actor.roles)}).</p>"
            "<p>Vraag de beheerder van KlachtDesk als er iets moet veranderen.</p>"
        )
        text.setObjectName("refusalLabel")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        close = QPushButton("&Sluiten")
        close.setObjectName("closeButton")
        close.setDefault(True)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        self.resize(460, 200)

    def _build_pages(self) -> None:
        self.page_list = QListWidget()
        self.page_list.setObjectName("pageList")
        self.page_list.setFixedWidth(220)
        self.page_list.setSpacing(3)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        for page_type in PAGE_TYPES:
            page = page_type(self.ctx, self)
            page.status.connect(self._say)
            self.pages.append(page)
            self.page_list.addItem(page.title)
            self.stack.addWidget(page)
        self.page_title = QLabel()
        self.page_title.setObjectName("pageTitle")
        font = QFont(self.page_title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.page_title.setFont(font)
        self.page_list.currentRowChanged.connect(self._show_row)

        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton("&Opslaan")
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        right = QVBoxLayout()
        right.addWidget(self.page_title)
        right.addWidget(self.stack, 1)
        body = QHBoxLayout()
        body.addWidget(self.page_list)
        body.addLayout(right, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self.page_list.setCurrentRow(0)
        fit_to_screen(self, 1200, 720)

    # -- navigation -------------------------------------------------------------------------
    def _show_row(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        self.page_title.setText(self.pages[row].title)
        self._say("")  # a message about another page would only confuse

    def page(self, page_type: type[Page]) -> Page:
        return next(p for p in self.pages if isinstance(p, page_type))

    def show_page(self, page_type: type[Page]) -> Page:
        page = self.page(page_type)
        self.page_list.setCurrentRow(self.pages.index(page))
        return page

    def _say(self, text: str) -> None:
        self.status_label.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Enter in a field with its own action (a name to add) must not also press Opslaan.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if focus is not None and focus.property("handlesEnter"):
                event.accept()
                return
        super().keyPressEvent(event)

    # -- saving -----------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return any(page.is_dirty() for page in self.pages)

    def save(self) -> bool:
        """Save every page with unsaved changes; True when all went well."""
        if self.refused:
            return False
        for page in self.pages:
            page.clear_errors()
        messages = []
        changes: dict = {}
        for page in self.pages:
            changes.update(page.settings_changes())
        organisation = self.page(OrganisationPage)
        logo = organisation.logo_change()
        if changes or logo is not admin.KEEP:
            if not self._save_settings(changes, logo):
                return False
            messages.append("De instellingen zijn opgeslagen.")
        procedure = self.page(ProcedurePage)
        if procedure.is_dirty():
            message = procedure.save()
            if message is None:
                self.show_page(ProcedurePage)
                self._say("Niet opgeslagen: zie de melding op deze pagina.")
                return False
            messages.append(message)
        letters_page = self.page(LettersPage)
        if letters_page.is_dirty():
            message = letters_page.save()
            if message is None:
                self.show_page(LettersPage)
                self._say("Niet opgeslagen: zie de melding op deze pagina.")
                return False
            messages.append(message)
        self._say(" ".join(messages) or "Er waren geen wijzigingen om op te slaan.")
        return True

    def _save_settings(self, changes: dict, logo) -> bool:
        refused: list[ValidationError] = []

        def guarded():
            try:
                return admin.save_settings(self.ctx, changes, logo)
            except ValidationError as error:
                refused.append(error)
                return None

        saved = call_service(self, guarded)
        if refused:
            error = refused[0]
            for page in self.pages:
                if page.show_setting_error(error):
                    self.show_page(type(page))
                    self._say("Niet opgeslagen: verbeter het veld met de rode melding.")
                    return False
            show_error(self, error)
            return False
        if saved is None:
            return False
        # Re-read what was stored (the postcode comes back normalised, the deadline preview
        # counts with the saved switches).
        for page_type in (OrganisationPage, CalendarPage, SecurityPage):
            self.page(page_type).refresh()
        return True

    def reject(self) -> None:
        if (
            not self.refused
            and self.is_dirty()
            and not confirm(
                self,
                "Wijzigingen niet opgeslagen",
                "Er zijn wijzigingen die nog niet zijn opgeslagen. "
                "Wilt u het venster sluiten zonder op te slaan?",
                yes="Sluiten zonder opslaan",
            )
        ):
            return
        super().reject()
