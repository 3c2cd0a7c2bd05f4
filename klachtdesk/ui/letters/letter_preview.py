"""Showing, printing and saving a letter's PDF: pages rendered with pypdfium2 (no QtPdf).

Nothing is written to disk unless the user picks a place ("Kopie opslaan als…"): the
pages go from memory to the screen or the printer.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsDropShadowEffect,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import KlachtDeskError

A4_WIDTH_INCH = 210 / 25.4
MAX_PRINT_DPI = 300


def pdf_pages(data: bytes, dpi: float = 96) -> list[QImage]:
    """Every page of a PDF as an image on white, ``dpi`` dots per inch."""
    document = pdfium.PdfDocument(data)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=dpi / 72, prefer_bgrx=True, rev_byteorder=True)
                image = QImage(
                    bitmap.buffer,
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGBX8888,
                )
                images.append(image.copy())  # own the pixels before pdfium frees them
                bitmap.close()
            finally:
                page.close()
    finally:
        document.close()
    return images


class PdfPreview(QScrollArea):
    """The pages of a letter one under the other, like sheets on a grey desk, each as wide
    as the pane allows (re-rendered sharp when the pane is resized)."""

    MARGIN = 18

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("letterPreview")
        self.setWidgetResizable(True)
        self.setMinimumWidth(420)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet("QScrollArea#letterPreview { background: #d9dcde; }")
        self._sheet = QWidget()
        self._sheet.setObjectName("letterPreviewSheet")
        self._sheet.setStyleSheet("QWidget#letterPreviewSheet { background: #d9dcde; }")
        self._layout = QVBoxLayout(self._sheet)
        margin = self.MARGIN
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self._layout.setSpacing(margin)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._sheet)
        self.page_labels: list[QLabel] = []
        self._data: bytes | None = None
        self._rendered_width = 0
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(120)
        self._resize_timer.timeout.connect(self._rerender)
        self.message = QLabel()
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: #444; padding: 40px;")
        self._layout.addWidget(self.message)
        self.message.hide()

    @property
    def page_count(self) -> int:
        return len(self.page_labels)

    def clear(self) -> None:
        for label in self.page_labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.page_labels = []

    def show_message(self, text: str) -> None:
        """Instead of pages, a short text (no letter yet, or a refused draft)."""
        self._data = None
        self.clear()
        self.message.setText(text)
        self.message.show()

    def show_pdf(self, data: bytes, keep_position: bool = False) -> None:
        """Show the pages; from the top, or (while the user edits) where the view was."""
        self._data = data
        self.message.hide()
        self._render(keep_position)

    def _page_width(self) -> int:
        scrollbar = self.verticalScrollBar().sizeHint().width()
        return max(300, self.viewport().width() - 2 * self.MARGIN - scrollbar // 2)

    def _render(self, keep_position: bool = True) -> None:
        if self._data is None:
            return
        bar = self.verticalScrollBar()
        where = bar.value() / bar.maximum() if keep_position and bar.maximum() else 0.0
        self.clear()
        width = self._page_width()
        ratio = self.devicePixelRatioF()
        dpi = width / A4_WIDTH_INCH * ratio
        for number, image in enumerate(pdf_pages(self._data, dpi), start=1):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            label = QLabel()
            label.setObjectName(f"previewPage{number}")
            label.setPixmap(pixmap)
            label.setAccessibleName(f"Pagina {number}")
            shadow = QGraphicsDropShadowEffect(label)
            shadow.setBlurRadius(14)
            shadow.setOffset(0, 2)
            label.setGraphicsEffect(shadow)
            self._layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        self._rendered_width = width
        self._sheet.adjustSize()
        bar.setValue(round(where * bar.maximum()))

    def _rerender(self) -> None:
        if self._data is not None and abs(self._page_width() - self._rendered_width) > 4:
            self._render()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._resize_timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._rerender()  # the first real width is known only now


# -- printing and saving ------------------------------------------------------------------------
def ask_printer(parent: QWidget | None, printer: QPrinter) -> bool:
    """The Qt print dialog; True when the user chose to print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("printDialog")
    dialog.setWindowTitle("Brief printen")
    return dialog.exec() == QPrintDialog.DialogCode.Accepted


def print_pdf(parent: QWidget | None, data: bytes, title: str) -> bool:
    """Print the PDF's pages at the printer's resolution, full page, so the address block
    stays where the envelope's window is. Returns whether it was sent to the printer."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    if not ask_printer(parent, printer):
        return False
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise KlachtDeskError(
            "De printer kan niet worden geopend. Controleer of de printer aan staat en "
            "probeer het opnieuw."
        )
    try:
        paper = printer.paperRect(QPrinter.Unit.DevicePixel).toRect()
        target = QRect(0, 0, paper.width(), paper.height())
        for number, image in enumerate(pdf_pages(data, dpi)):
            if number:
                printer.newPage()
            painter.drawImage(target, image)
    finally:
        painter.end()
    return True


def ask_save_path(parent: QWidget | None, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent,
        "Kopie van de brief opslaan als",
        str(Path.home() / suggested),
        "PDF-documenten (*.pdf)",
    )
    if path and not path.lower().endswith(".pdf"):
        path += ".pdf"
    return path


def suggested_name(ref: str, kind: str, concept: bool = False) -> str:
    """A file name without personal data: 'KD-2026-0042 uitspraak.pdf'."""
    return f"{ref} {kind}{' (concept)' if concept else ''}.pdf"
