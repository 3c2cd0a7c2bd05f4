"""The evaluation report as an A4 PDF: title page, charts, tables, action points."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from klachtdesk.reports import charts
from klachtdesk.reports.fonts import fonts
from klachtdesk.reports.model import (
    Evaluation,
    Kind,
    Section,
    fmt_difference,
    fmt_value,
)
from klachtdesk.reports.periods import long_date, short_date

TITLE = "Evaluatie klachtbehandeling"
ACCENT = colors.HexColor("#1f5f8b")
LIGHT = colors.HexColor("#eef3f7")
GRID = colors.HexColor("#c9d3dc")
MUTED = colors.HexColor("#555555")
MARGIN = 20 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
COLUMNS = (CONTENT_WIDTH - 3 * 30 * mm, 30 * mm, 30 * mm, 30 * mm)


def _styles() -> dict[str, ParagraphStyle]:
    font = fonts()
    base = ParagraphStyle("base", fontName=font.regular, fontSize=9.5, leading=13)
    return {
        "base": base,
        "org": ParagraphStyle("org", base, fontName=font.bold, fontSize=13, textColor=ACCENT),
        "title": ParagraphStyle("title", base, fontName=font.bold, fontSize=24, leading=30),
        "period": ParagraphStyle("period", base, fontSize=14, leading=19),
        "muted": ParagraphStyle("muted", base, textColor=MUTED),
        "h1": ParagraphStyle(
            "h1", base, fontName=font.bold, fontSize=14, leading=18, spaceBefore=4, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=font.bold, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=2
        ),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_sub": ParagraphStyle("cell_sub", base, fontSize=8.5, leading=10.5, leftIndent=10),
        "cell_head": ParagraphStyle(
            "cell_head", base, fontName=font.bold, fontSize=8.5, leading=10.5
        ),
        "cell_head_right": ParagraphStyle(
            "cell_head_right",
            base,
            fontName=font.bold,
            fontSize=8.5,
            leading=10.5,
            alignment=TA_RIGHT,
        ),
        "chart_title": ParagraphStyle(
            "chart_title", base, fontName=font.bold, fontSize=9.5, spaceBefore=6, spaceAfter=2
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


class _NumberedCanvas(Canvas):
    """Writes 'Pagina X van Y' once the number of pages is known."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        font = fonts()
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        self.setFont(font.regular, 7.5)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(A4[0] - MARGIN, 10 * mm, f"Pagina {self._pageNumber} van {total}")
        self.restoreState()


def a4_document(buffer: io.BytesIO, *, title: str, author: str, subject: str) -> BaseDocTemplate:
    """An A4 document with our margins and one body frame (the report, the inzage overview)."""
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="KlachtDesk",
    )
    frame = Frame(
        MARGIN,
        22 * mm,
        CONTENT_WIDTH,
        A4[1] - MARGIN - 22 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    document.addPageTemplates([PageTemplate("body", [frame])])
    return document


def render(report: Evaluation) -> bytes:
    """The report as PDF bytes."""
    buffer = io.BytesIO()
    styles = _styles()
    document = a4_document(
        buffer,
        title=f"{TITLE} {report.period.label}",
        author=report.organisation or "KlachtDesk",
        subject="Evaluatie van de klachtbehandeling, zonder persoonsgegevens",
    )
    story = [
        *_title_page(report, styles),
        NextPageTemplate("body"),
        PageBreak(),
        *_charts(report, styles),
        Spacer(1, 6 * mm),
        _p("Cijfers per onderdeel", styles["h1"]),
        *[_section(section, report, styles) for section in report.sections()],
        *_action_points(report, styles),
    ]
    footer = " · ".join(
        part for part in (TITLE, report.organisation, report.period.short_label) if part
    )
    document.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))
    return buffer.getvalue()


def _title_page(report: Evaluation, styles) -> list:
    cur, prev = report.current, report.previous
    key_lines = [
        ("Ontvangen klachten", cur.received, prev.received, Kind.COUNT),
        ("Uitspraken", cur.decisions, prev.decisions, Kind.COUNT),
        (
            "Behandelduur, mediaan (werkdagen)",
            cur.handling_median,
            prev.handling_median,
            Kind.DAYS,
        ),
        (
            "Ontvangstbevestigingen op tijd",
            cur.acknowledgements.share_on_time,
            prev.acknowledgements.share_on_time,
            Kind.PERCENT,
        ),
        (
            "Beslissingen op tijd",
            cur.decisions_on_time.share_on_time,
            prev.decisions_on_time.share_on_time,
            Kind.PERCENT,
        ),
        ("Open aan het einde van de periode", cur.open_at_end, prev.open_at_end, Kind.COUNT),
    ]
    rows = [
        [
            _p("Kerncijfers", styles["cell_head"]),
            _p(cur.period.short_label, styles["cell_head_right"]),
            _p(prev.period.short_label, styles["cell_head_right"]),
            _p("Verschil", styles["cell_head_right"]),
        ]
    ]
    for label, now, before, kind in key_lines:
        difference = None if now is None or before is None else now - before
        rows.append(
            [
                _p(label, styles["cell"]),
                fmt_value(now, kind),
                fmt_value(before, kind),
                fmt_difference(difference, kind),
            ]
        )
    return [
        Spacer(1, 30 * mm),
        _p(report.organisation or "", styles["org"]),
        Spacer(1, 6 * mm),
        _p(TITLE, styles["title"]),
        Spacer(1, 3 * mm),
        _p(report.period.label, styles["period"]),
        Spacer(1, 10 * mm),
        _p(f"Vergeleken met de vorige periode: {prev.period.label}.", styles["base"]),
        _p(f"Opgesteld op {long_date(report.made_on)}.", styles["base"]),
        Spacer(1, 12 * mm),
        _table(rows),
        Spacer(1, 12 * mm),
        _p(
            "Dit overzicht is bedoeld voor de evaluatie van de klachtbehandeling "
            "(ten minste twee keer per jaar). Het bevat alleen aantallen, percentages en "
            "werkdagen: geen namen, adressen of andere persoonsgegevens van klagers of "
            "medewerkers. Werkdagen zijn maandag tot en met vrijdag zonder feestdagen en "
            "sluitingsdagen van de organisatie.",
            styles["muted"],
        ),
    ]


def _table(rows: list[list], sub_rows: set[int] = frozenset(), heading_rows=frozenset()) -> Table:
    font = fonts()
    table = Table(rows, colWidths=COLUMNS, repeatRows=1)
    commands = [
        ("FONT", (0, 0), (-1, -1), font.regular, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for row in sub_rows:
        commands.append(("TEXTCOLOR", (1, row), (-1, row), MUTED))
    for row in heading_rows:
        commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f7f7f7")))
    table.setStyle(TableStyle(commands))
    return table


def _section(section: Section, report: Evaluation, styles) -> KeepTogether:
    rows = [
        [
            _p("Omschrijving", styles["cell_head"]),
            _p(report.current.period.short_label, styles["cell_head_right"]),
            _p(report.previous.period.short_label, styles["cell_head_right"]),
            _p("Verschil", styles["cell_head_right"]),
        ]
    ]
    sub_rows, heading_rows = set(), set()
    for line in section.lines:
        if line.kind is Kind.HEADING:
            heading_rows.add(len(rows))
            rows.append([_p(line.label, styles["cell_head"]), "", "", ""])
            continue
        if line.level:
            sub_rows.add(len(rows))
        style = styles["cell_sub"] if line.level else styles["cell"]
        rows.append(
            [
                _p(line.label, style),
                fmt_value(line.current, line.kind),
                fmt_value(line.previous, line.kind),
                fmt_difference(line.difference, line.kind),
            ]
        )
    return KeepTogether(
        [
            _p(section.title, styles["h2"]),
            _p(section.note, styles["note"]),
            Spacer(1, 2 * mm),
            _table(rows, sub_rows, heading_rows),
        ]
    )


def _charts(report: Evaluation, styles) -> list:
    story = [_p("Kerncijfers in grafieken", styles["h1"])]
    pending: list = []  # half-width charts are placed two by two
    for title, drawing in charts.drawings(report):
        block = [_p(title, styles["chart_title"]), drawing]
        if drawing.width > CONTENT_WIDTH / 2:
            story.append(KeepTogether(block))
            continue
        pending.append(block)
        if len(pending) == 2:
            story.append(_side_by_side(pending))
            pending = []
    if pending:
        story.append(_side_by_side(pending))
    story.append(
        _p(
            f"Donkere balken: {report.current.period.short_label}; lichte balken: "
            f"{report.previous.period.short_label}. Cirkeldiagrammen tonen de periode "
            f"{report.current.period.short_label}.",
            styles["note"],
        )
    )
    return story


def _side_by_side(blocks: list[list]) -> Table:
    cells = [list(block) for block in blocks]
    while len(cells) < 2:
        cells.append("")
    table = Table([cells], colWidths=(CONTENT_WIDTH / 2, CONTENT_WIDTH / 2))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _action_points(report: Evaluation, styles) -> list:
    story = [
        _p("Actiepunten", styles["h1"]),
        _p(
            "Afspraken uit de evaluatie van deze periode, met wie ervoor zorgt (functie of "
            "afdeling) en wanneer.",
            styles["note"],
        ),
        Spacer(1, 2 * mm),
    ]
    if not report.action_points:
        story.append(_p("Voor deze periode zijn geen actiepunten vastgelegd.", styles["base"]))
        return [KeepTogether(story)]
    font = fonts()
    rows = [
        [
            _p("Actiepunt", styles["cell_head"]),
            _p("Verantwoordelijke", styles["cell_head"]),
            _p("Uiterlijk", styles["cell_head"]),
            _p("Stand", styles["cell_head"]),
        ]
    ]
    for point in report.action_points:
        rows.append(
            [
                _p(point.description, styles["cell"]),
                _p(point.owner, styles["cell"]),
                short_date(point.due) or "–",
                _p(point.status_label, styles["cell"]),
            ]
        )
    widths = (CONTENT_WIDTH - 45 * mm - 22 * mm - 38 * mm, 45 * mm, 22 * mm, 38 * mm)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font.regular, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    return [KeepTogether(story)]  # the heading never stays behind at the foot of a page
