"""Settings pages built from the declarations: organisation and letterhead, and security."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import ValidationError
from klachtdesk.services.admin import admin
from klachtdesk.services.admin.settings import DECLARATIONS, get_settings
from klachtdesk.ui.admin.settings_pages import ErrorLabel, Page, SettingsForm, intro

ORG_KEYS = [d.key for d in DECLARATIONS if d.key.startswith("org.") and d.key != admin.LOGO_KEY]
LETTER_KEYS = [d.key for d in DECLARATIONS if d.key.startswith("letters.")]
SECURITY_KEYS = [d.key for d in DECLARATIONS if d.key.startswith(("security.", "retention."))]
LOGO_PREVIEW = QSize(240, 90)
# A window envelope's window (C5/6, "venster links") is about 90 × 45 mm.
WINDOW_MM = (90, 45)
A4_MM = (210, 297)


class AddressPreview(QWidget):
    """A small A4 sheet with the address window where the letters will put it."""

    def __init__(self, left: QSpinBox, top: QSpinBox, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("addressPreview")
        self.left, self.top = left, top
        left.valueChanged.connect(self.update)
        top.valueChanged.connect(self.update)
        self.setFixedSize(112, 156)
        self.setToolTip("Voorbeeld van de plaats van het adres op een A4-brief")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        scale = (self.height() - 6) / A4_MM[1]
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        sheet = QRectF(3, 3, A4_MM[0] * scale, A4_MM[1] * scale)
        painter.setPen(QPen(QColor("#adb5bd"), 1))
        painter.setBrush(QColor("white"))
        painter.drawRect(sheet)
        window = QRectF(
            sheet.left() + self.left.value() * scale,
            sheet.top() + self.top.value() * scale,
            WINDOW_MM[0] * scale,
            WINDOW_MM[1] * scale,
        )
        painter.setPen(QPen(QColor("#0d6efd"), 1))
        painter.setBrush(QColor("#cfe2ff"))
        painter.drawRect(window.intersected(sheet))
        painter.setPen(QPen(QColor("#dee2e6"), 1))
        for line in range(6):  # the letter's text, suggested
            y = sheet.top() + (120 + line * 12) * scale
            painter.drawLine(
                int(sheet.left() + 20 * scale), int(y), int(sheet.right() - 20 * scale), int(y)
            )
        painter.end()


class OrganisationPage(Page):
    title = "Organisatie en briefpapier"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.stored_logo: bytes | None = None
        self.pending_logo: Any = None  # None: unchanged; b"": remove; bytes: new image
        self.org_form = SettingsForm(ORG_KEYS, "organisationForm")

        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("logoPreview")
        self.logo_preview.setFixedSize(LOGO_PREVIEW)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_logo = QPushButton("Logo &kiezen…")
        self.choose_logo.setObjectName("chooseLogoButton")
        self.choose_logo.clicked.connect(self._choose_logo)
        self.remove_logo = QPushButton("Logo &verwijderen")
        self.remove_logo.setObjectName("removeLogoButton")
        self.remove_logo.clicked.connect(self._remove_logo)
        self.logo_error = ErrorLabel("logoError")
        self.logo_error.setMaximumWidth(LOGO_PREVIEW.width())
        logo_buttons = QHBoxLayout()
        logo_buttons.addWidget(self.choose_logo)
        logo_buttons.addWidget(self.remove_logo)
        hint = intro(f"PNG of JPEG, ten hoogste {admin.MAX_LOGO_BYTES // 1024} kB.")
        logo_column = QVBoxLayout()
        logo_column.addWidget(QLabel("Logo:"))
        logo_column.addWidget(self.logo_preview)
        logo_column.addLayout(logo_buttons)
        logo_column.addWidget(hint)
        logo_column.addWidget(self.logo_error)
        logo_column.addStretch()

        # Created after the logo buttons, so Tab follows the page from top to bottom.
        self.letter_form = SettingsForm(LETTER_KEYS, "letterForm")

        organisation = QGroupBox("Organisatie (briefhoofd)")
        organisation_layout = QHBoxLayout(organisation)
        organisation_layout.addWidget(self.org_form, 1)
        organisation_layout.addLayout(logo_column)

        letters = QGroupBox("Brieven: ondertekening en adresvenster")
        letters_layout = QHBoxLayout(letters)
        letters_layout.addWidget(self.letter_form, 1)
        self.address_preview = AddressPreview(
            self.letter_form.widgets["letters.address_left_mm"],
            self.letter_form.widgets["letters.address_top_mm"],
        )
        letters_layout.addWidget(self.address_preview, 0, Qt.AlignmentFlag.AlignTop)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(
            intro(
                "Deze gegevens staan op het briefpapier van elke brief. "
                "Wijzigingen gelden voor brieven die u vanaf nu maakt."
            )
        )
        column.addWidget(organisation)
        column.addWidget(letters)
        column.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.refresh()

    # -- state ------------------------------------------------------------------------------
    def refresh(self) -> None:
        values = get_settings(self.ctx)
        self.org_form.load(values)
        self.letter_form.load(values)
        self.stored_logo = admin.decode_logo(values.get(admin.LOGO_KEY, ""))
        self.pending_logo = None
        self.logo_error.clear()
        self._show_logo(self.stored_logo)

    def is_dirty(self) -> bool:
        return bool(self.settings_changes()) or self.pending_logo is not None

    def settings_changes(self) -> dict[str, Any]:
        return {**self.org_form.changes(), **self.letter_form.changes()}

    def logo_change(self) -> Any:
        """What the dialog passes to admin.save_settings: bytes, None (remove) or admin.KEEP."""
        if self.pending_logo is None:
            return admin.KEEP
        return self.pending_logo or None

    def show_setting_error(self, error: ValidationError) -> bool:
        if error.field == "logo":
            self.logo_error.say(error.message[:1].upper() + error.message[1:])
            return True
        return self.org_form.show_error(error) or self.letter_form.show_error(error)

    def clear_errors(self) -> None:
        self.org_form.clear_errors()
        self.letter_form.clear_errors()

    # -- logo -------------------------------------------------------------------------------
    def _show_logo(self, data: bytes | None) -> None:
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    LOGO_PREVIEW - QSize(8, 8),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText("Geen logo")
        self.remove_logo.setEnabled(bool(data))

    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Logo kiezen", "", "Afbeeldingen (*.png *.jpg *.jpeg)"
        )
        if not path:
            return
        try:
            data = Path(path).read_bytes()
            admin.encode_logo(data)  # the same check as when saving, but now at the field
        except OSError:
            self.logo_error.say("Het bestand kan niet worden gelezen.")
            return
        except ValidationError as error:
            self.logo_error.say(error.message[:1].upper() + error.message[1:])
            return
        if not QPixmap().loadFromData(data):
            self.logo_error.say("De afbeelding kan niet worden gelezen; kies een ander bestand.")
            return
        self.logo_error.clear()
        self.pending_logo = data
        self._show_logo(data)
        self.status.emit("Nieuw logo gekozen; klik op Opslaan om het te bewaren.")

    def _remove_logo(self) -> None:
        self.pending_logo = b"" if self.stored_logo else None
        self.logo_error.clear()
        self._show_logo(None)
        if self.pending_logo is not None:
            self.status.emit("Logo verwijderd; klik op Opslaan om dat te bewaren.")


class SecurityPage(Page):
    title = "Beveiliging"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.form = SettingsForm(SECURITY_KEYS, "securityForm")
        box = QGroupBox("Vergrendelen en bewaren")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            intro(
                "KlachtDesk vergrendelt zichzelf als niemand er een tijd mee werkt; "
                "daarna is het wachtwoord weer nodig. Gesloten zaken die langer dan de "
                "bewaartermijn gesloten zijn, worden aangeboden om te anonimiseren "
                "(AVG); de cijfers voor de evaluatie blijven bewaard."
            )
        )
        layout.addWidget(box)
        layout.addStretch()
        self.refresh()

    def refresh(self) -> None:
        self.form.load(get_settings(self.ctx))

    def is_dirty(self) -> bool:
        return bool(self.form.changes())

    def settings_changes(self) -> dict[str, Any]:
        return self.form.changes()

    def show_setting_error(self, error: ValidationError) -> bool:
        return self.form.show_error(error)

    def clear_errors(self) -> None:
        self.form.clear_errors()
