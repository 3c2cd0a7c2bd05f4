"""The inzageverzoek overview as an A4 PDF for the person: 'Overzicht van uw gegevens'.

Rendered from the same dictionary that is exported as JSON (services.privacy_export), in the
style of the evaluation report.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
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
    MUTED,
    _NumberedCanvas,
    a4_document,
)
from klachtdesk.reports.fonts import fonts
from klachtdesk.reports.periods import long_date

TITLE = "Overzicht van uw gegevens"
LABEL_WIDTH = 52 * mm

PERSON_LABELS = {
    "naam": "Naam",
    "aanhef": "Aanhef",
    "straat_en_huisnummer": "Straat en huisnummer",
    "postcode": "Postcode",
    "plaats": "Plaats",
    "telefoon": "Telefoon",
    "e_mail": "E-mailadres",
    "huurder_of_lidnummer": "Huurder- of lidnummer",
    "brieven_per": "Brieven per",
    "vastgelegd_op": "Vastgelegd op",
}
CASE_LABELS = {
    "status": "Status",
    "ontvangen_op": "Ontvangen op",
    "kanaal": "Ontvangen via",
    "onderwerp": "Onderwerp",
    "categorie": "Categorie",
    "afdeling": "Afdeling",
    "medewerker": "Medewerker",
    "eerst_besproken_met_medewerker": "Eerst besproken met de medewerker",
    "behandelaar": "Behandelaar",
    "klachtenregeling": "Klachtenregeling",
    "niet_ontvankelijk_omdat": "Niet ontvankelijk omdat",
    "doorverwezen_naar": "Doorverwezen naar",
    "uitspraak": "Uitspraak",
    "uitspraak_op": "Uitspraak gedaan op",
    "uitspraak_heroverweging": "Uitspraak na heroverweging",
    "heroverweging_beslist_op": "Heroverweging beslist op",
    "tevreden": "Tevreden",
    "gesloten_op": "Gesloten op",
}
# Free text that can be long: a paragraph of its own, never a table cell.
TEXT_LABELS = {
    "omschrijving": "Omschrijving",
    "verwachting": "Uw verwachting",
    "motivering": "Motivering van de uitspraak",
    "oplossing": "Geboden oplossing",
    "motivering_heroverweging": "Motivering na heroverweging",
}
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MOMENT = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2})$")


def _styles() -> dict[str, ParagraphStyle]:
    font = fonts()
    base = ParagraphStyle("base", fontName=font.regular, fontSize=9.5, leading=13)
    return {
        "base": base,
        "org": ParagraphStyle("org", base, fontName=font.bold, fontSize=13, textColor=ACCENT),
        "title": ParagraphStyle("title", base, fontName=font.bold, fontSize=22, leading=28),
        "muted": ParagraphStyle("muted", base, textColor=MUTED),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=font.bold,
            fontSize=14,
            leading=18,
            spaceBefore=10,
            spaceAfter=2,
            textColor=ACCENT,
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=font.bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
        ),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=14, spaceAfter=4),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=MUTED),
        "text": ParagraphStyle("text", base, spaceAfter=4),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_label": ParagraphStyle(
            "cell_label", base, fontSize=8.5, leading=10.5, textColor=MUTED
        ),
        "cell_head": ParagraphStyle(
            "cell_head", base, fontName=font.bold, fontSize=8.5, leading=10.5
        ),
    }


def display(value: Any) -> str:
    """A JSON value as the person reads it: Dutch dates, ja/nee, nothing for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    text = str(value)
    if match := _ISO_DAY.match(text):
        return f"{match[3]}-{match[2]}-{match[1]}"
    if match := _ISO_MOMENT.match(text):
        return f"{match[3]}-{match[2]}-{match[1]} {match[4]}"
    return text


def _p(value: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(display(value)).replace("\n", "<br/>"), style)


def render(data: dict[str, Any]) -> bytes:
    """The overview as PDF bytes."""
    buffer = io.BytesIO()
    styles = _styles()
    organisation = data.get("organisatie") or ""
    made_on = date.fromisoformat(data["opgesteld_op"])
    document = a4_document(
        buffer,
        title=TITLE,
        author=organisation or "KlachtDesk",
        subject="Inzageverzoek (artikel 15 AVG)",
    )
    story = _opening(data, organisation, made_on, styles)
    cases = data.get("zaken") or []
    if not cases:
        story.append(_p("Er zijn geen klachten van u geregistreerd.", styles["text"]))
    for case in cases:
        story.append(PageBreak())  # every complaint starts on a page of its own
        story.extend(_case(case, styles))
    footer = " · ".join(
        part for part in (TITLE, organisation, display(data["opgesteld_op"])) if part
    )
    document.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))
    return buffer.getvalue()


def _opening(data: dict, organisation: str, made_on: date, styles) -> list:
    who = organisation or "wij"
    count = len(data.get("zaken") or [])
    cases = "één klacht" if count == 1 else f"{count} klachten"
    return [
        _p(organisation, styles["org"]),
        Spacer(1, 4 * mm),
        _p(TITLE, styles["title"]),
        _p(f"Opgesteld op {long_date(made_on)}", styles["muted"]),
        Spacer(1, 6 * mm),
        _p(
            f"U heeft gevraagd welke gegevens {who} over u heeft vastgelegd (inzageverzoek, "
            "artikel 15 van de Algemene verordening gegevensbescherming). Hieronder vindt u uw "
            f"persoonsgegevens en {cases} die wij van u hebben ontvangen, met het verloop, de "
            "termijnen, de brieven en de bijlagen. Per klacht staat ook wanneer de gegevens zijn "
            "ingezien of gewijzigd.",
            styles["text"],
        ),
        _p(
            "Wij gebruiken deze gegevens om uw klacht te behandelen volgens onze "
            f"klachtenregeling. Bewaartermijn: {data.get('bewaartermijn', '')} Kloppen uw "
            "gegevens niet, dan kunt u ons vragen ze te verbeteren.",
            styles["text"],
        ),
        _p("Uw gegevens", styles["h1"]),
        _fields(data.get("persoonsgegevens") or {}, PERSON_LABELS, styles),
    ]


def _fields(values: dict, labels: dict[str, str], styles) -> Table:
    rows = [
        [_p(label, styles["cell_label"]), _p(values.get(key), styles["cell"])]
        for key, label in labels.items()
        if display(values.get(key))
    ]
    if not rows:
        rows = [[_p("Geen gegevens vastgelegd.", styles["cell_label"]), ""]]
    table = Table(rows, colWidths=(LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH), splitInRow=1)
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


def _grid(head: list[str], rows: list[list], widths: tuple[float, ...], styles) -> Table:
    cells = [[_p(text, styles["cell_head"]) for text in head]]
    cells += [[_p(value, styles["cell"]) for value in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _section(title: str, content, styles, note: str = "") -> list:
    """A heading that never stays behind alone at the foot of a page."""
    head = [CondPageBreak(30 * mm), _p(title, styles["h2"])]
    if note:
        head += [_p(note, styles["note"]), Spacer(1, 1.5 * mm)]
    return [*head, content]


def _case(case: dict, styles) -> list:
    story: list = [
        _p(f"Klacht {case.get('kenmerk', '')}", styles["h1"]),
        _p(case.get("onderwerp"), styles["subtitle"]),
        _fields(case, CASE_LABELS, styles),
    ]
    for key, label in TEXT_LABELS.items():
        if display(case.get(key)):
            story.append(KeepTogether([_p(label, styles["h2"]), _p(case[key], styles["text"])]))
    narrow = 26 * mm
    deadlines = [
        [
            d.get("termijn"),
            d.get("uiterlijk"),
            d.get("gehaald_op")
            or ("vervallen (verlengd)" if d.get("vervallen_door_verlenging") else "–"),
            "\n".join(t for t in (d.get("toelichting"), d.get("reden_verlenging")) if t),
        ]
        for d in case.get("termijnen") or []
    ]
    if deadlines:
        widths = (45 * mm, narrow, 34 * mm, CONTENT_WIDTH - 45 * mm - narrow - 34 * mm)
        story += _section(
            "Termijnen",
            _grid(["Termijn", "Uiterlijk", "Gehaald op", "Toelichting"], deadlines, widths, styles),
            styles,
        )
    timeline = [
        [
            e.get("moment"),
            _event_text(e),
            e.get("door"),
            "\n".join(f"{k}: {display(v)}" for k, v in (e.get("details") or {}).items()),
        ]
        for e in case.get("tijdlijn") or []
    ]
    if timeline:
        widths = (34 * mm, 40 * mm, 32 * mm, CONTENT_WIDTH - 106 * mm)
        story += _section(
            "Verloop",
            _grid(["Moment", "Gebeurtenis", "Door", "Details"], timeline, widths, styles),
            styles,
        )
    letters = [
        [b.get("soort"), b.get("gemaakt_op"), b.get("verzonden_op"), b.get("verzonden_via")]
        for b in case.get("brieven") or []
    ]
    story += _section(
        "Brieven",
        _grid(
            ["Brief", "Gemaakt op", "Verzonden op", "Verzonden via"],
            letters,
            (CONTENT_WIDTH - 3 * 34 * mm, 34 * mm, 34 * mm, 34 * mm),
            styles,
        )
        if letters
        else _p("Er zijn bij deze klacht geen brieven opgeslagen.", styles["muted"]),
        styles,
    )
    files = [
        [f.get("bestandsnaam"), _size(f.get("grootte_bytes")), f.get("toegevoegd_op")]
        for f in case.get("bijlagen") or []
    ]
    story += _section(
        "Bijlagen",
        _grid(
            ["Bestand", "Grootte", "Toegevoegd op"],
            files,
            (CONTENT_WIDTH - 2 * 34 * mm, 34 * mm, 34 * mm),
            styles,
        )
        if files
        else _p("Er zijn bij deze klacht geen bijlagen opgeslagen.", styles["muted"]),
        styles,
    )
    access = [
        [a.get("moment"), a.get("handeling")] for a in case.get("inzage_en_wijzigingen") or []
    ]
    if access:
        story += _section(
            "Inzage en wijzigingen",
            _grid(["Moment", "Handeling"], access, (34 * mm, CONTENT_WIDTH - 34 * mm), styles),
            styles,
            note="Wanneer de gegevens van deze klacht zijn ingezien of gewijzigd, en wat er is "
            "gedaan. Namen van medewerkers staan hier niet bij.",
        )
    return story


def _event_text(event: dict) -> str:
    text = event.get("gebeurtenis") or ""
    if event.get("naar_status") and event.get("van_status") != event.get("naar_status"):
        text += f"\n(status: {event['naar_status'].lower()})"
    return text


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB".replace(".", ",")
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
