"""The case dossier (zaakdossier) as one A4 PDF: data in, PDF bytes out.

The dossier's own pages (cover with contents, the case in chapters, one page per image
attachment) are drawn with ReportLab in the style of the other reports and numbered
"Pagina X van Y" over the whole dossier. The stored letters and PDF attachments follow as
they are: their pages are copied unchanged with pypdfium2, so a letter in the dossier is
the letter that was sent. The contents on the cover say on which page each one starts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from klachtdesk.reports.evaluation_pdf import (
    ACCENT,
    CONTENT_WIDTH,
    GRID,
    LIGHT,
    MARGIN,
    MUTED,
    a4_document,
)
from klachtdesk.reports.fonts import fonts
from klachtdesk.reports.periods import long_date

TITLE = "Zaakdossier"
CONFIDENTIAL = "Vertrouwelijk: dit dossier bevat persoonsgegevens"
LABEL_WIDTH = 50 * mm
BODY_HEIGHT = A4[1] - MARGIN - 22 * mm  # the frame of a4_document
# Photos are printed, not zoomed into: about 200 dpi over the width of the page is plenty.
MAX_IMAGE_PIXELS = 1600
MAX_SOURCE_PIXELS = 60_000_000  # a 60-megapixel photo; anything larger is listed, not decoded
_PNG, _JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
_MAX_PASSES = 5
CHUNK = 450  # characters of a timeline row before it goes on in the next row

Rows = tuple[tuple[str, str], ...]  # (label, value); empty values are left out


@dataclass(frozen=True)
class TimelineEntry:
    moment: str  # '12-10-2026 14:05'
    user: str
    label: str  # 'Hoorgesprek', as in the case window
    details: str  # lines, as in the case window
    confidential: bool = False  # shown as 'Vertrouwelijk' (the clerk may not read it)


@dataclass(frozen=True)
class Statement:
    """A hearing report, a mediation report or an employee's statement."""

    title: str
    recorded: str  # who recorded it, and when
    text: str


@dataclass(frozen=True)
class Decision:
    title: str
    rows: Rows = ()
    texts: Rows = ()  # long texts (motivation, solution): a paragraph each


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    start: str
    due: str
    stand: str
    explanation: str
    superseded: bool = False


@dataclass(frozen=True)
class Appendix:
    """A stored letter or an attachment: listed, and appended when it can be printed.

    ``data`` is the file itself (None when it may not or cannot be included: ``note`` says
    why). A PDF is appended page by page, a PNG or JPEG image becomes a page of its own;
    anything else is listed only.
    """

    title: str  # 'Brief: Uitspraak, 06-10-2026', 'Bijlage: foto.jpg' (contents, image page)
    cells: tuple[str, ...]  # the columns of the list, before the page column
    data: bytes | None = None
    note: str = ""
    caption: str = ""  # under the title of an image's page


@dataclass(frozen=True)
class Dossier:
    organisation: str
    ref: str
    subject: str
    status: str
    made_on: date
    made_by: str
    summary: Rows  # on the cover
    notice: str = ""  # what this reader's dossier leaves out (the clerk's), on the cover
    complainant: Rows = ()
    complaint: Rows = ()
    complaint_texts: Rows = ()
    procedure: Rows = ()
    timeline: tuple[TimelineEntry, ...] = ()
    statements: tuple[Statement, ...] = ()
    statements_note: str = ""
    decisions: tuple[Decision, ...] = ()
    deadlines: tuple[DeadlineRow, ...] = ()
    letters: tuple[Appendix, ...] = ()
    letter_heads: tuple[str, ...] = ("Brief", "Gemaakt op", "Verzonden")
    letters_note: str = ""
    attachments: tuple[Appendix, ...] = ()
    attachment_heads: tuple[str, ...] = ("Bestand", "Grootte", "Toegevoegd op")


@dataclass
class _Part:
    """An appendix as it goes into the dossier."""

    appendix: Appendix
    kind: str  # 'pdf', 'image' or 'listed'
    pages: int = 0
    document: pdfium.PdfDocument | None = None
    image: bytes | None = None  # re-encoded for print
    size: tuple[int, int] = (0, 0)
    reason: str = ""
    first_page: int = 0


@dataclass
class _Layout:
    """Page numbers from the previous pass (the contents needs them before they exist)."""

    body_pages: int = 1
    sections: dict[str, int] = field(default_factory=dict)


CHAPTERS = (
    ("klager", "Klager"),
    ("klacht", "De klacht"),
    ("regeling", "Klachtenregeling"),
    ("verloop", "Verloop"),
    ("verslagen", "Verklaringen en verslagen"),
    ("beslissingen", "Beslissingen"),
    ("termijnen", "Termijnen"),
    ("brieven", "Brieven"),
    ("bijlagen", "Bijlagen"),
)


def _styles() -> dict[str, ParagraphStyle]:
    font = fonts()
    base = ParagraphStyle("base", fontName=font.regular, fontSize=9.5, leading=13)
    return {
        "org": ParagraphStyle("org", base, fontName=font.bold, fontSize=13, textColor=ACCENT),
        "title": ParagraphStyle("title", base, fontName=font.bold, fontSize=26, leading=32),
        "ref": ParagraphStyle("ref", base, fontName=font.bold, fontSize=16, leading=21),
        "subject": ParagraphStyle("subject", base, fontSize=13, leading=17, spaceAfter=2),
        "muted": ParagraphStyle("muted", base, textColor=MUTED),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=font.bold,
            fontSize=14,
            leading=18,
            spaceBefore=12,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=font.bold, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=2
        ),
        "label": ParagraphStyle("label", base, textColor=MUTED, spaceBefore=4),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=MUTED),
        "text": ParagraphStyle("text", base, spaceAfter=4),
        "warning": ParagraphStyle(
            "warning", base, fontName=font.bold, fontSize=10.5, leading=14, textColor=ACCENT
        ),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_muted": ParagraphStyle(
            "cell_muted", base, fontSize=8.5, leading=10.5, textColor=MUTED
        ),
        "cell_label": ParagraphStyle(
            "cell_label", base, fontSize=8.5, leading=10.5, textColor=MUTED
        ),
        "cell_head": ParagraphStyle(
            "cell_head", base, fontName=font.bold, fontSize=8.5, leading=10.5
        ),
        "toc": ParagraphStyle("toc", base, fontSize=10, leading=13),
        "toc_sub": ParagraphStyle("toc_sub", base, fontSize=9, leading=11.5, leftIndent=8),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def human_size(size: int) -> str:
    """'512 bytes', '34 kB', '1,2 MB' (as the case window writes it)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB".replace(".", ",")
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


class _DossierCanvas(Canvas):
    """Numbers 'Pagina X van Y' over the whole dossier, appended pages included.

    The total is known from the previous layout pass, so each page is finished as it is
    drawn (unlike the shared ``_NumberedCanvas``, which holds pages back to count them; the
    bookmarks of the chapters would then all point at the first page). The footer looks
    the same.
    """

    def __init__(self, *args, footer: str = "", first_page: int = 1, total: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._first_page = first_page
        self._total = total

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._draw_footer()
        super().showPage()

    def _draw_footer(self) -> None:
        font = fonts()
        number = self._first_page + self._pageNumber - 1
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        self.setFont(font.regular, 7.5)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(
            A4[0] - MARGIN, 10 * mm, f"Pagina {number} van {max(self._total, number)}"
        )
        self.restoreState()


# -- the whole dossier ----------------------------------------------------------------------
def render(dossier: Dossier) -> bytes:
    """The dossier as PDF bytes: its own pages, then the letters and attachments."""
    parts = [_prepare(a) for a in (*dossier.letters, *dossier.attachments)]
    try:
        layout = _Layout()
        for _ in range(_MAX_PASSES):
            number = layout.body_pages + 1
            for part in parts:
                part.first_page = number if part.pages else 0
                number += part.pages
            total = number - 1
            body, found = _render_body(dossier, parts, layout, total)
            if found == layout:
                break
            layout = found
        result = pdfium.PdfDocument(body)
        try:
            for part in parts:
                if part.kind == "pdf":
                    result.import_pages(part.document)
                elif part.kind == "image":
                    page = pdfium.PdfDocument(_image_page(dossier, part, total))
                    result.import_pages(page)
                    page.close()
            buffer = io.BytesIO()
            result.save(buffer)
        finally:
            result.close()
    finally:
        for part in parts:
            if part.document is not None:
                part.document.close()
    return buffer.getvalue()


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def _prepare(appendix: Appendix) -> _Part:
    """What kind of file an appendix is, and how many pages it adds."""
    data = appendix.data
    if data is None:
        return _Part(appendix, "listed", reason=appendix.note)
    if data[:1024].find(b"%PDF-") >= 0:
        document = None
        try:
            document = pdfium.PdfDocument(data)
            # Copy once into a scratch document: a file pdfium opens but cannot copy must be
            # found now, before the page numbers are fixed.
            scratch = pdfium.PdfDocument.new()
            scratch.import_pages(document)
            pages = len(scratch)
            scratch.close()
        except pdfium.PdfiumError:
            if document is not None:
                document.close()
            return _Part(appendix, "listed", reason="niet opgenomen: beschadigd of beveiligd")
        if not pages:
            document.close()
            return _Part(appendix, "listed", reason="niet opgenomen: geen pagina's")
        return _Part(appendix, "pdf", pages, document=document)
    if data.startswith((_PNG, _JPEG)):
        try:
            image, size = _printable_image(data)
        except Exception:  # noqa: BLE001 - any unreadable image is listed, not printed
            return _Part(appendix, "listed", reason="niet opgenomen: beschadigd")
        return _Part(appendix, "image", 1, image=image, size=size)
    return _Part(appendix, "listed", reason="alleen vermeld: geen PDF of afbeelding")


def _printable_image(data: bytes) -> tuple[bytes, tuple[int, int]]:
    """The image upright (phone photos carry their rotation in EXIF), on white, at most
    MAX_IMAGE_PIXELS on its longest side; JPEG stays JPEG, PNG stays lossless."""
    with PILImage.open(io.BytesIO(data)) as source:
        if source.width * source.height > MAX_SOURCE_PIXELS:
            raise ValueError("too many pixels to print")  # a file of 20 MB can claim more
        kind = "JPEG" if source.format == "JPEG" else "PNG"
        image = ImageOps.exif_transpose(source)
        image.load()
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        white = PILImage.new("RGBA", image.size, "white")
        image = PILImage.alpha_composite(white, image)
    image = image.convert("RGB")
    image.thumbnail((MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS))
    out = io.BytesIO()
    image.save(out, kind, **({"quality": 85} if kind == "JPEG" else {"optimize": True}))
    return out.getvalue(), image.size


def _footer(dossier: Dossier) -> str:
    return " · ".join(
        part for part in (f"{TITLE} {dossier.ref}", dossier.organisation, "vertrouwelijk") if part
    )


def _canvas(dossier: Dossier, first_page: int, total: int):
    footer = _footer(dossier)
    return lambda *a, **k: _DossierCanvas(
        *a, footer=footer, first_page=first_page, total=total, **k
    )


def _document(buffer: io.BytesIO, dossier: Dossier):
    return a4_document(
        buffer,
        title=f"{TITLE} {dossier.ref}",
        author=dossier.organisation or "KlachtDesk",
        subject="Zaakdossier: vertrouwelijk, bevat persoonsgegevens",
    )


# -- the dossier's own pages ------------------------------------------------------------------
def _render_body(
    dossier: Dossier, parts: list[_Part], layout: _Layout, total: int
) -> tuple[bytes, _Layout]:
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, dossier)
    found = _Layout()

    def after_flowable(flowable) -> None:
        key = getattr(flowable, "chapter_key", None)
        if key and key not in found.sections:
            found.sections[key] = document.page
            document.canv.bookmarkPage(key)
            document.canv.addOutlineEntry(flowable.getPlainText(), key, level=0)
            document.canv.showOutline()  # the reader opens with the chapters beside the pages

    document.afterFlowable = after_flowable
    story = [*_cover(dossier, parts, layout, styles), PageBreak()]
    for number, (key, title) in enumerate(CHAPTERS, start=1):
        story += _chapter(key, f"{number}. {title}", styles)
        story += _CONTENT[key](dossier, parts, styles)
    document.build(story, canvasmaker=_canvas(dossier, 1, total))
    data = buffer.getvalue()
    found.body_pages = page_count(data)
    return data, found


def _chapter(key: str, title: str, styles) -> list:
    heading = _p(title, styles["h1"])
    heading.chapter_key = key
    return [CondPageBreak(40 * mm), heading]


def _cover(dossier: Dossier, parts: list[_Part], layout: _Layout, styles) -> list:
    story = [
        _p(dossier.organisation, styles["org"]),
        Spacer(1, 10 * mm),
        _p(TITLE, styles["title"]),
        Spacer(1, 3 * mm),
        _p(dossier.ref, styles["ref"]),
        _p(dossier.subject, styles["subject"]),
        Spacer(1, 5 * mm),
        _fields(
            (
                ("Status", dossier.status),
                *dossier.summary,
                ("Dossier opgesteld op", long_date(dossier.made_on)),
                ("Opgesteld door", dossier.made_by),
            ),
            styles,
        ),
        Spacer(1, 6 * mm),
        _boxed(
            [
                _p(f"{CONFIDENTIAL}.", styles["warning"]),
                _p(
                    "Geef het alleen aan wie het voor de behandeling van de klacht nodig heeft, "
                    "en vernietig papieren kopieën die u niet meer nodig heeft.",
                    styles["text"],
                ),
                *([_p(dossier.notice, styles["text"])] if dossier.notice else []),
            ]
        ),
        Spacer(1, 8 * mm),
        _p("Inhoud", styles["h1"]),
    ]
    rows = [
        (f"{number}. {title}", layout.sections.get(key))
        for number, (key, title) in enumerate(CHAPTERS, start=1)
    ]
    story.append(_contents(rows, styles["toc"]))
    appended = [part for part in parts if part.pages]
    if appended:
        story.append(Spacer(1, 3 * mm))
        story.append(_p("Achter in dit dossier", styles["h2"]))
        story.append(
            _contents(
                [(_appendix_line(part), part.first_page) for part in appended],
                styles["toc_sub"],
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            _p(
                "De brieven en bijlagen zijn ongewijzigd opgenomen, met hun eigen opmaak en "
                "paginanummering. De paginanummers in deze inhoud tellen het hele dossier.",
                styles["note"],
            )
        )
    return story


def _appendix_line(part: _Part) -> str:
    if part.kind == "image":
        return f"{part.appendix.title} (afbeelding)"
    pages = "1 pagina" if part.pages == 1 else f"{part.pages} pagina's"
    return f"{part.appendix.title} ({pages})"


def _contents(rows: list[tuple[str, int | None]], style) -> Table:
    right = ParagraphStyle(f"{style.name}_right", style, alignment=TA_RIGHT)
    cells = [[_p(text, style), _p(str(page) if page else "", right)] for text, page in rows]
    table = Table(cells, colWidths=(CONTENT_WIDTH - 20 * mm, 20 * mm))
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _boxed(flowables: list) -> Table:
    table = Table([[flowables]], colWidths=(CONTENT_WIDTH,))
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _fields(rows: Rows, styles, empty: str = "Geen gegevens vastgelegd.") -> Table | Paragraph:
    cells = [
        [_p(label, styles["cell_label"]), _p(value, styles["cell"])]
        for label, value in rows
        if value
    ]
    if not cells:
        return _p(empty, styles["muted"])
    table = Table(cells, colWidths=(LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH), splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def _grid(
    head: tuple[str, ...],
    rows: list[list[Paragraph]],
    widths: tuple[float, ...],
    styles,
    row_lines: bool = True,
    split_in_row: bool = True,
) -> Table:
    cells = [[_p(text, styles["cell_head"]) for text in head], *rows]
    table = Table(cells, colWidths=widths, repeatRows=1, splitInRow=int(split_in_row))
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                *([("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID)] if row_lines else []),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _texts(texts: Rows, styles) -> list:
    story = []
    for label, text in texts:
        if text:
            story += [CondPageBreak(20 * mm), _p(label, styles["label"]), _p(text, styles["text"])]
    return story


# -- chapters -------------------------------------------------------------------------------
def _complainant(d: Dossier, parts, styles) -> list:
    return [_fields(d.complainant, styles)]


def _complaint(d: Dossier, parts, styles) -> list:
    return [_fields(d.complaint, styles), *_texts(d.complaint_texts, styles)]


def _procedure(d: Dossier, parts, styles) -> list:
    return [_fields(d.procedure, styles)]


def _chunks(text: str, limit: int = CHUNK) -> list[str]:
    """The text in pieces of at most about ``limit`` characters, cut between lines or at a
    space."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        if current and len(current) + len(line) + 1 > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current or not pieces:
        pieces.append(current)
    return pieces


def _timeline(d: Dossier, parts, styles) -> list:
    """One event, one row; a long text (a note, the grounds of an appeal) goes on in
    continuation rows, so that no table row has to be split over two pages (ReportLab then
    repeats the column heads in the middle of a page)."""
    if not d.timeline:
        return [_p("Er staat niets op de tijdlijn.", styles["muted"])]
    rows: list[list] = []
    commands: list[tuple] = []
    for e in d.timeline:
        style = styles["cell_muted" if e.confidential else "cell"]
        first = len(rows) + 1  # row 0 holds the column heads
        for index, piece in enumerate(_chunks(e.details)):
            head = (e.moment, e.user, e.label) if index == 0 else ("", "", "")
            rows.append([*(_p(t, styles["cell"]) for t in head), _p(piece, style)])
        last = len(rows)
        commands.append(("LINEBELOW", (0, last), (-1, last), 0.3, GRID))
        if last > first:
            commands.append(("BOTTOMPADDING", (0, first), (-1, last - 1), 0))
            commands.append(("TOPPADDING", (0, first + 1), (-1, last), 0))
    widths = (26 * mm, 34 * mm, 34 * mm, CONTENT_WIDTH - 94 * mm)
    heads = ("Datum en tijd", "Door", "Gebeurtenis", "Details")
    table = _grid(heads, rows, widths, styles, row_lines=False, split_in_row=False)
    table.setStyle(TableStyle(commands))
    return [
        _p("Alle gebeurtenissen van de zaak, op datum en tijd.", styles["note"]),
        Spacer(1, 1.5 * mm),
        table,
    ]


def _statements(d: Dossier, parts, styles) -> list:
    story: list = []
    if d.statements_note:
        story.append(_p(d.statements_note, styles["muted"]))
    for statement in d.statements:
        # A long report may start at the foot of a page, but not with its title alone.
        story += [
            CondPageBreak(30 * mm),
            _p(statement.title, styles["h2"]),
            _p(statement.recorded, styles["note"]),
            Spacer(1, 1 * mm),
            _p(statement.text, styles["text"]),
        ]
    return story


def _decisions(d: Dossier, parts, styles) -> list:
    if not d.decisions:
        return [_p("Over deze klacht is nog niets beslist.", styles["muted"])]
    story: list = []
    for decision in d.decisions:
        story.append(
            KeepTogether([_p(decision.title, styles["h2"]), _fields(decision.rows, styles)])
        )
        story += _texts(decision.texts, styles)
    return story


def _deadlines(d: Dossier, parts, styles) -> list:
    if not d.deadlines:
        return [_p("Deze zaak heeft geen termijnen.", styles["muted"])]
    rows = []
    for row in d.deadlines:
        style = styles["cell_muted" if row.superseded else "cell"]
        rows.append(
            [
                _p(text, style)
                for text in (row.label, row.start, row.due, row.stand, row.explanation)
            ]
        )
    widths = (38 * mm, 23 * mm, 23 * mm, 46 * mm, CONTENT_WIDTH - 130 * mm)
    return [
        _p(
            "Elke termijn met zijn stand: open, gehaald, gemist, vervallen of vervangen door "
            "een verlenging. Een vervangen termijn staat er grijs bij.",
            styles["note"],
        ),
        Spacer(1, 1.5 * mm),
        _grid(
            ("Termijn", "Loopt vanaf", "Uiterlijk", "Stand", "Toelichting"), rows, widths, styles
        ),
    ]


def _appendix_table(
    heads: tuple[str, ...], appendices: tuple[Appendix, ...], parts, widths, styles
) -> Table:
    by_appendix = {id(part.appendix): part for part in parts}
    rows = []
    for appendix in appendices:
        part = by_appendix[id(appendix)]
        if part.pages == 1:
            where = f"pagina {part.first_page}"
        elif part.pages:
            where = f"pagina {part.first_page}–{part.first_page + part.pages - 1}"
        else:
            where = part.reason
        rows.append(
            [_p(text, styles["cell"]) for text in appendix.cells]
            + [_p(where, styles["cell" if part.pages else "cell_muted"])]
        )
    return _grid((*heads, "In dit dossier"), rows, widths, styles)


def _letters(d: Dossier, parts, styles) -> list:
    if not d.letters:
        return [_p("Bij deze zaak zijn geen brieven vastgelegd.", styles["muted"])]
    fixed = 38 * mm + 40 * mm + 26 * mm
    widths = (CONTENT_WIDTH - fixed, 38 * mm, 40 * mm, 26 * mm)
    story: list = [_appendix_table(d.letter_heads, d.letters, parts, widths, styles)]
    if d.letters_note:
        story += [Spacer(1, 1.5 * mm), _p(d.letters_note, styles["note"])]
    return story


def _attachments(d: Dossier, parts, styles) -> list:
    if not d.attachments:
        return [_p("Bij deze zaak zijn geen bijlagen opgeslagen.", styles["muted"])]
    fixed = 18 * mm + 40 * mm + 34 * mm
    widths = (CONTENT_WIDTH - fixed, 18 * mm, 40 * mm, 34 * mm)
    story: list = [_appendix_table(d.attachment_heads, d.attachments, parts, widths, styles)]
    attached = {id(a) for a in d.attachments}
    if any(part.kind == "listed" for part in parts if id(part.appendix) in attached):
        story += [
            Spacer(1, 1.5 * mm),
            _p(
                "PDF-bestanden en foto's (PNG of JPEG) staan achter in het dossier. Andere "
                "bestanden, zoals Word-documenten, kunnen niet worden afgedrukt en staan "
                "alleen in deze lijst; u vindt ze bij de zaak in KlachtDesk.",
                styles["note"],
            ),
        ]
    return story


_CONTENT = {
    "klager": _complainant,
    "klacht": _complaint,
    "regeling": _procedure,
    "verloop": _timeline,
    "verslagen": _statements,
    "beslissingen": _decisions,
    "termijnen": _deadlines,
    "brieven": _letters,
    "bijlagen": _attachments,
}


# -- an image attachment: a page of its own --------------------------------------------------
def _image_page(dossier: Dossier, part: _Part, total: int) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, dossier)
    head = [
        _p(part.appendix.title, styles["h2"]),
        _p(part.appendix.caption, styles["note"]),
        Spacer(1, 3 * mm),
    ]
    used = sum(f.wrap(CONTENT_WIDTH, BODY_HEIGHT)[1] for f in head) + 18  # paddings, spacing
    width, height = part.size
    scale = min(CONTENT_WIDTH / width, (BODY_HEIGHT - used) / height)
    image = Image(io.BytesIO(part.image), width=width * scale, height=height * scale)
    image.hAlign = "CENTER"
    document.build([*head, image], canvasmaker=_canvas(dossier, part.first_page, total))
    return buffer.getvalue()
