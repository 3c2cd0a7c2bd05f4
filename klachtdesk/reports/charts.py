"""The evaluation's charts as ReportLab drawings, and the same drawings as PNG for the window."""

from __future__ import annotations

import io
import textwrap

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from klachtdesk.reports.fonts import fonts
from klachtdesk.reports.model import Counts, Evaluation, Kind, fmt_value

CURRENT = colors.HexColor("#1f5f8b")
PREVIOUS = colors.HexColor("#a9c4d9")
SLICES = [
    colors.HexColor(code)
    for code in ("#1f5f8b", "#e39b2d", "#4c9a6a", "#b5475b", "#7b6bb0", "#5aa9c9", "#9c8a5a")
]
TEXT = colors.HexColor("#222222")
WIDTH = 170 * mm
HALF_WIDTH = 84 * mm
LABEL_SIZE = 6.5


def drawings(report: Evaluation) -> list[tuple[str, Drawing]]:
    """(title, drawing) for every chart of the report, in reading order."""
    cur, prev = report.current, report.previous
    names = (cur.period.short_label, prev.period.short_label)
    return [
        (
            "Ontvangen klachten per categorie",
            bars(cur.by_category, prev.by_category, names, Kind.COUNT),
        ),
        ("Ontvangen klachten per kanaal", pie(cur.by_channel)),
        ("Uitspraken naar uitkomst", pie(cur.outcomes)),
        (
            "Ontvangen klachten per afdeling",
            bars(cur.by_department, prev.by_department, names, Kind.COUNT),
        ),
        ("Termijnen op tijd", bars(*_deadline_shares(report), names, Kind.PERCENT, HALF_WIDTH)),
        (
            "Behandelduur in werkdagen",
            bars(*_handling_days(report), names, Kind.DAYS, HALF_WIDTH),
        ),
    ]


def _percent(share: float | None) -> float:
    return 0.0 if share is None else share * 100


def _deadline_shares(report: Evaluation) -> tuple[Counts, Counts]:
    def shares(figures) -> Counts:
        return (
            ("Ontvangstbevestiging", _percent(figures.acknowledgements.share_on_time)),
            ("Beslissing", _percent(figures.decisions_on_time.share_on_time)),
        )

    return shares(report.current), shares(report.previous)


def _handling_days(report: Evaluation) -> tuple[Counts, Counts]:
    def days(figures) -> Counts:
        return (
            ("Mediaan", figures.handling_median or 0),
            ("90e percentiel", figures.handling_p90 or 0),
        )

    return days(report.current), days(report.previous)


def _label(text: str, width: int) -> str:
    """Wrapped between words only: a category name is never split in the middle."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def bars(
    current: Counts,
    previous: Counts,
    names: tuple[str, str],
    kind: Kind,
    width: float = WIDTH,
    height: float = 55 * mm,
) -> Drawing:
    """Grouped vertical bars: this period beside the previous one, with a legend."""
    font = fonts()
    drawing = Drawing(width, height)
    labels = [label for label, _ in current]
    before = dict(previous)
    values_now = [value for _, value in current]
    values_before = [before.get(label, 0) for label in labels]
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 12 * mm
    chart.width, chart.height = width - 16 * mm, height - 24 * mm
    chart.data = [values_now, values_before]
    chart.bars[0].fillColor, chart.bars[1].fillColor = CURRENT, PREVIOUS
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 1, 6
    chart.valueAxis.valueMin = 0
    top = max([*values_now, *values_before, 0])
    if kind is Kind.PERCENT:
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = 100, 20
        chart.valueAxis.labelTextFormat = lambda value: f"{value:.0f}%"
    else:
        chart.valueAxis.valueMax = max(4, top * 1.15)
        chart.valueAxis.labelTextFormat = lambda value: fmt_value(value, Kind.COUNT)
        chart.valueAxis.avoidBoundFrac = 0.0
    chart.valueAxis.labels.fontName = font.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = colors.HexColor("#888888")
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e4e4e4")
    chart.categoryAxis.strokeColor = colors.HexColor("#888888")
    wrap = max(6, int(chart.width / max(1, len(labels)) / (LABEL_SIZE * 0.58)))
    chart.categoryAxis.categoryNames = [_label(label, wrap) for label in labels]
    chart.categoryAxis.labels.fontName = font.regular
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.dy = -3
    chart.barLabelFormat = (
        (lambda value: f"{value:.0f}%") if kind is Kind.PERCENT else (lambda v: fmt_value(v, kind))
    )
    chart.barLabels.fontName = font.regular
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 6
    chart.barLabels.fillColor = TEXT
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 12 * mm, height - 3 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 60 * mm if width > 100 * mm else 38 * mm
    legend.fontName, legend.fontSize = font.regular, 7.5
    legend.boxAnchor = "nw"
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(CURRENT, names[0]), (PREVIOUS, names[1])]
    legend.strokeColor = None
    drawing.add(legend)
    return drawing


def pie(counts: Counts, width: float = HALF_WIDTH, height: float = 42 * mm) -> Drawing:
    """A pie of the non-zero parts with a legend naming each part and its number."""
    font = fonts()
    drawing = Drawing(width, height)
    parts = [(label, value) for label, value in counts if value]
    total = sum(value for _, value in parts)
    if not total:
        drawing.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#f6f6f6"), strokeWidth=0))
        drawing.add(
            String(
                width / 2,
                height / 2,
                "Geen gegevens in deze periode",
                fontName=font.regular,
                fontSize=9,
                fillColor=colors.HexColor("#666666"),
                textAnchor="middle",
            )
        )
        return drawing
    chart = Pie()
    size = min(height - 6 * mm, 36 * mm)
    chart.x, chart.y = 2 * mm, (height - size) / 2
    chart.width = chart.height = size
    chart.data = [value for _, value in parts]
    chart.labels = None
    chart.simpleLabels = True
    chart.slices.strokeColor = colors.white
    chart.slices.strokeWidth = 1
    chart.startAngle, chart.direction = 90, "clockwise"
    for index in range(len(parts)):
        chart.slices[index].fillColor = SLICES[index % len(SLICES)]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x + size + 5 * mm, height / 2
    legend.boxAnchor = "w"
    legend.alignment = "right"
    legend.columnMaximum = 10
    legend.fontName, legend.fontSize = font.regular, 7
    legend.dx = legend.dy = 6
    legend.deltay = 10
    legend.strokeColor = None
    legend.colorNamePairs = [
        (
            SLICES[index % len(SLICES)],
            f"{label} {fmt_value(value, Kind.COUNT)} ({fmt_value(value / total, Kind.PERCENT)})",
        )
        for index, (label, value) in enumerate(parts)
    ]
    drawing.add(legend)
    return drawing


def png(drawing: Drawing, scale: float = 1.5) -> bytes:
    """The drawing as a PNG on white (through PDF and PDFium: no extra rendering backend)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(renderPDF.drawToString(drawing))
    try:
        bitmap = document[0].render(scale=scale)
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, format="PNG")
        return buffer.getvalue()
    finally:
        document.close()
