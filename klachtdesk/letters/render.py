"""Render a letter to PDF with ReportLab: A4, letterhead, window-envelope address, Dutch date.

Data in, PDF bytes out: no database and no Qt. The DejaVu Sans font shipped under
``resources/fonts`` is embedded, so ë, é, ï and € print on every PC.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.letters.names import address_name, display_phone
from klachtdesk.letters.reuse import draw_logo, prepared_logo, reuse_subsets, reusing_subsets
from klachtdesk.paths import resource_path

# Streams are written compressed and binary, not also ASCII85-encoded (a 7-bit transport
# safeguard no printer, viewer or mail program needs): a letter is about a fifth smaller and
# ReportLab skips a pure-Python pass over every stream. reports/fonts.py does the same.
rl_config.useA85 = 0

FONT, FONT_BOLD = "KlachtDesk-Sans", "KlachtDesk-Sans-Bold"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm  # body text and address text start here
RIGHT = PAGE_WIDTH - 20 * mm
BOTTOM = 22 * mm
LATER_TOP = 30 * mm  # pages after the first: body starts this far from the top
WINDOW_WIDTH, WINDOW_HEIGHT = 90 * mm, 45 * mm  # C5/6 and EA5/6 window envelopes
WINDOW_INSET_X, WINDOW_INSET_Y = 5 * mm, 4 * mm  # keep clear of the window's edges

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5a5a5a")
ACCENT = colors.HexColor("#1f4e5f")
WATERMARK = colors.HexColor("#e4e4e4")

BODY_SIZE, BODY_LEADING = 9.5, 14
CLOSING = "Met vriendelijke groet,"


@dataclass(frozen=True)
class Letterhead:
    """The organisation as it appears on its letter paper."""

    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    kvk: str = ""
    logo: bytes | None = None  # PNG or JPEG


@dataclass(frozen=True)
class Recipient:
    name: str
    salutation: str = "onbekend"  # heer | mevrouw | onbekend
    street: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class WindowPosition:
    """Where the envelope's window is, measured from the top-left corner of the A4 sheet."""

    left_mm: float = 20
    top_mm: float = 50


@dataclass(frozen=True)
class LetterDocument:
    letterhead: Letterhead
    recipient: Recipient
    reference: str
    date: date
    subject: str
    salutation: str
    paragraphs: tuple[str, ...]
    signature_name: str = ""
    signature_function: str = ""
    window: WindowPosition = field(default_factory=WindowPosition)
    concept: bool = False  # a preview: "CONCEPT" across every page


# -- fonts ------------------------------------------------------------------------------------
@cache
def register_fonts() -> None:
    """Register the embedded TrueType fonts once per process; letters reuse their subsets."""
    for name, filename in _FONT_FILES.items():
        path = resource_path("fonts", filename)
        if not path.is_file():
            raise KlachtDeskError(
                f"Het lettertype voor brieven ontbreekt ({path}). Installeer KlachtDesk opnieuw."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
        # the font object ReportLab keeps for this file (the reports' if they came first)
        reuse_subsets(pdfmetrics.getFont(name))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles, made once (ReportLab only reads them)."""
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=BODY_LEADING,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=7,
        allowWidows=0,
        allowOrphans=0,
    )
    return {
        "body": body,
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=3
        ),
        "label": ParagraphStyle("label", parent=body, fontSize=8, leading=12, textColor=MUTED),
        "value": ParagraphStyle("value", parent=body, spaceAfter=0, leading=12),
        "subject": ParagraphStyle(
            "subject", parent=body, fontName=FONT_BOLD, spaceAfter=0, leading=12
        ),
        "signature": ParagraphStyle("signature", parent=body, spaceAfter=0),
    }


def _markup(text: str) -> str:
    """Plain user text as ReportLab paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


# -- drawing helpers --------------------------------------------------------------------------
def _fitted(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest font size from ``size`` down to ``smallest`` at which ``text`` fits."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_line(canvas, x: float, y: float, text: str, font: str, size: float, width: float):
    size = _fitted(text, font, size, width, size - 2)
    canvas.setFont(font, size)
    canvas.drawString(x, y, _clip(text, font, size, width))


class _Letter:
    """Draws the fixed parts of the pages (letterhead, address, page furniture)."""

    def __init__(self, doc: LetterDocument):
        self.doc = doc
        window = doc.window
        self.window_x = window.left_mm * mm
        self.window_top = window.top_mm * mm  # from the top of the sheet
        self.details = self._details_column()
        self.logo = prepared_logo(doc.letterhead.logo) if doc.letterhead.logo else None

    def _details_column(self) -> tuple[float, float, float]:
        """(x, width, top from the sheet's top) of the sender's details: beside the window,
        on whichever side has room, or else in the top right corner, above the window."""
        right = max(self.window_x + WINDOW_WIDTH + 8 * mm, 140 * mm)
        if RIGHT - right >= 40 * mm:
            return right, RIGHT - right, self.window_top + 2 * mm
        if self.window_x - LEFT >= 60 * mm:
            return LEFT, self.window_x - LEFT - 8 * mm, self.window_top + 2 * mm
        return RIGHT - 55 * mm, 55 * mm, 17 * mm

    # the first page ------------------------------------------------------------------------
    def first_page(self, canvas, _doc) -> None:
        canvas.saveState()
        self._watermark(canvas)
        self._header(canvas)
        self._sender(canvas)
        self._address(canvas)
        canvas.restoreState()

    def later_page(self, canvas, _doc) -> None:
        canvas.saveState()
        self._watermark(canvas)
        head = self.doc.letterhead
        y = PAGE_HEIGHT - 15 * mm
        canvas.setFillColor(ACCENT)
        _draw_line(canvas, LEFT, y, head.name, FONT_BOLD, 8.5, 80 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 8)
        canvas.drawRightString(
            RIGHT, y, f"Ons kenmerk {self.doc.reference}  ·  {long_date(self.doc.date)}"
        )
        canvas.restoreState()

    def _watermark(self, canvas) -> None:
        if not self.doc.concept:
            return
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT_BOLD, 96)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, -30, "CONCEPT")
        canvas.restoreState()

    def _header(self, canvas) -> None:
        head = self.doc.letterhead
        top = PAGE_HEIGHT - 15 * mm
        if self.logo is not None:
            scale = min(70 * mm / self.logo.width, 24 * mm / self.logo.height)
            w, h = self.logo.width * scale, self.logo.height * scale
            draw_logo(canvas, self.logo, LEFT, top - h, w, h)
            return
        canvas.setFillColor(ACCENT)
        _draw_line(canvas, LEFT, top - 8 * mm, head.name, FONT_BOLD, 16, RIGHT - LEFT)

    def _sender(self, canvas) -> None:
        head = self.doc.letterhead
        lines: list[tuple[str, str]] = [(head.name, FONT_BOLD)]
        lines += [(t, FONT) for t in (head.street, f"{head.postcode}  {head.city}".strip()) if t]
        contact = [
            f"T  {display_phone(head.phone)}" if head.phone else "",
            f"E  {head.email}" if head.email else "",
            f"W  {head.website}" if head.website else "",
        ]
        contact = [c for c in contact if c]
        if contact:
            lines.append(("", FONT))
            lines += [(c, FONT) for c in contact]
        if head.kvk:
            lines += [("", FONT), (f"KvK  {head.kvk}", FONT)]
        step = 3.9 * mm
        x, width, top = self.details
        y = PAGE_HEIGHT - top
        for text, font in lines:
            if text:
                canvas.setFillColor(ACCENT if font == FONT_BOLD else MUTED)
                _draw_line(canvas, x, y, text, font, 8, width)
            y -= step

    def _address(self, canvas) -> None:
        head, person = self.doc.letterhead, self.doc.recipient
        x = self.window_x + WINDOW_INSET_X
        width = WINDOW_WIDTH - WINDOW_INSET_X - 3 * mm
        top = PAGE_HEIGHT - self.window_top - WINDOW_INSET_Y
        if head.street and (head.postcode or head.city):
            canvas.setFillColor(MUTED)
            sender = f"Retouradres: {head.name}, {head.street}, {head.postcode} {head.city}"
            _draw_line(canvas, x, top - 2.5 * mm, " ".join(sender.split()), FONT, 6.5, width)
        lines = [address_name(person.name, person.salutation), person.street]
        lines.append(f"{person.postcode}  {person.city.upper()}".strip())
        lines = [line for line in lines if line.strip()]
        # One size for the whole block, small enough for its longest line.
        size = min((_fitted(line, FONT, 10, width, 8) for line in lines), default=10)
        y = top - 9 * mm
        canvas.setFillColor(INK)
        canvas.setFont(FONT, size)
        for line in lines:
            canvas.drawString(x, y, _clip(line, FONT, size, width))
            y -= size * 0.48 * mm


class _NumberedCanvas(pdf_canvas.Canvas):
    """Holds the pages back until the end, so each can say "Pagina 1 van 2"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            if total > 1:
                self.setFont(FONT, 8)
                self.setFillColor(MUTED)
                self.drawRightString(RIGHT, 12 * mm, f"Pagina {number} van {total}")
            super().showPage()
        super().save()


def _story(doc: LetterDocument, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    label, value = styles["label"], styles["value"]
    rows = [
        [Paragraph("Ons kenmerk", label), Paragraph(escape(doc.reference), value)],
        [Paragraph("Datum", label), Paragraph(escape(long_date(doc.date)), value)],
        [Paragraph("Onderwerp", label), Paragraph(_markup(doc.subject), styles["subject"])],
    ]
    table = Table(rows, colWidths=[30 * mm, RIGHT - LEFT - 30 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.6 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6 * mm),
            ]
        )
    )
    story: list[Flowable] = [table, Spacer(1, 9 * mm)]
    story.append(Paragraph(_markup(doc.salutation), styles["body"]))
    blocks: list[list[Flowable]] = []  # one list per paragraph
    for paragraph in doc.paragraphs:
        lines = paragraph.split("\n")
        if all(line.lstrip().startswith(("- ", "• ")) for line in lines):
            items: list[Flowable] = [
                Paragraph(escape(line.lstrip()[2:].strip()), styles["bullet"], bulletText="•")
                for line in lines
            ]
            blocks.append([*items, Spacer(1, 4)])
        else:
            blocks.append([Paragraph(_markup(paragraph), styles["body"])])
    closing: list[Flowable] = [
        Spacer(1, 1 * mm),
        Paragraph(CLOSING, styles["signature"]),
        Spacer(1, 14 * mm),
    ]
    # name, function and organisation under one another: one paragraph, line by line
    signed = [doc.signature_name, doc.signature_function, doc.letterhead.name]
    lines = [escape(line) for line in signed if line.strip()]
    closing.append(Paragraph("<br/>".join(lines), styles["signature"]))
    # The greeting never stands alone on a page: the last paragraph goes with it.
    for block in blocks[:-1]:
        story.append(block[0] if len(block) == 1 else KeepTogether(block))
    story.append(KeepTogether([*(blocks[-1] if blocks else []), *closing]))
    return story


def render_letter(doc: LetterDocument) -> bytes:
    """The letter as PDF bytes (A4, fonts embedded)."""
    register_fonts()
    letter = _Letter(doc)
    first_top = PAGE_HEIGHT - max(letter.window_top + WINDOW_HEIGHT + 7 * mm, 95 * mm)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=PAGE_WIDTH - RIGHT,
        topMargin=LATER_TOP,
        bottomMargin=BOTTOM,
        title=doc.subject,
        author=doc.letterhead.name,
        subject=f"Brief {doc.reference}",
        creator="KlachtDesk",
        lang="nl-NL",
    )
    first = Frame(
        LEFT, BOTTOM, RIGHT - LEFT, first_top - BOTTOM, id="first", leftPadding=0, rightPadding=0
    )
    later = Frame(
        LEFT,
        BOTTOM,
        RIGHT - LEFT,
        PAGE_HEIGHT - LATER_TOP - BOTTOM,
        id="later",
        leftPadding=0,
        rightPadding=0,
    )
    template.addPageTemplates(
        [
            PageTemplate("first", [first], onPage=letter.first_page, autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPage=letter.later_page),
        ]
    )
    with reusing_subsets():
        template.build(_story(doc, _styles()), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
