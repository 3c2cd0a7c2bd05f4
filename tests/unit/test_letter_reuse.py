"""Letters reuse font subsets and the logo's PDF image from the letters before them; the
PDF stays byte for byte what ReportLab writes without the reuse."""

from __future__ import annotations

import contextlib
import io
from datetime import date

import pytest
from PIL import Image, ImageDraw
from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from klachtdesk.letters import render, reuse
from klachtdesk.letters.render import (
    FONT,
    LetterDocument,
    Letterhead,
    Recipient,
    register_fonts,
    render_letter,
)


@pytest.fixture(autouse=True)
def _invariant(monkeypatch):
    """Without the time of making and a random id, the same PDF gives the same bytes."""
    monkeypatch.setattr(rl_config, "invariant", 1)


def _image(mode: str, fmt: str = "PNG") -> bytes:
    image = Image.new(mode, (240, 80), "#1f4e5f")
    ImageDraw.Draw(image).ellipse((8, 8, 72, 72), fill="#e0a030")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _letter(text: str, logo: bytes | None = None) -> LetterDocument:
    return LetterDocument(
        letterhead=Letterhead(
            "Vereniging Ons Huis", "Dorpsstraat 1", "1234 AB", "Ergens", logo=logo
        ),
        recipient=Recipient("Zoë Çelik", "mevrouw", "Kerkstraat 2", "1234 AC", "Ergens"),
        reference="KD-2026-0001",
        date=date(2026, 3, 1),
        subject="Uw klacht",
        salutation="Geachte mevrouw Çelik,",
        paragraphs=(text, "Met een tweede alinea."),
        concept=True,
    )


def _without_reuse(doc: LetterDocument, monkeypatch) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(render, "reusing_subsets", contextlib.nullcontext)
        return render_letter(doc)


def test_letters_are_written_as_reportlab_writes_them_without_reuse(monkeypatch):
    many = "".join(map(chr, [*range(0x391, 0x3A9), *range(0x410, 0x450), *range(0xC0, 0x17F)]))
    letters = [
        _letter("Café ‘één’ – € 12,50", _image("RGBA")),
        _letter("Straße, Ωmega, Жук en ĳs", _image("RGB", "JPEG")),
        _letter(many),  # more than one subset of the font
        _letter("Café ‘één’ – € 12,50", _image("RGBA")),  # all of it reused
    ]
    for doc in letters:
        assert render_letter(doc) == _without_reuse(doc, monkeypatch)


def test_other_documents_with_the_same_font_are_built_as_before():
    """ReportLab keeps one font object per font file (the reports' font is the letters'
    one): only a letter reuses subsets."""
    register_fonts()
    kept = reuse._subset.cache_info(), reuse._subset_font.cache_info()
    style = ParagraphStyle("rapport", fontName=FONT)
    SimpleDocTemplate(io.BytesIO()).build([Paragraph("Rapport: één klacht, € 0", style)])
    assert (reuse._subset.cache_info(), reuse._subset_font.cache_info()) == kept


@pytest.mark.parametrize(("mode", "fmt"), [("RGB", "PNG"), ("RGBA", "PNG"), ("RGB", "JPEG")])
def test_the_logo_is_drawn_as_draw_image_draws_it(mode, fmt):
    data = _image(mode, fmt)

    def page(draw) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        draw(canvas)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    expected = page(
        lambda c: c.drawImage(ImageReader(io.BytesIO(data)), 70, 700, 210, 70, mask="auto")
    )
    logo = reuse.prepared_logo(data)
    assert (logo.width, logo.height) == (240, 80)
    for _ in range(2):  # made once, then reused
        assert page(lambda c: reuse.draw_logo(c, logo, 70, 700, 210, 70)) == expected


def test_a_damaged_logo_is_left_out():
    assert reuse.prepared_logo(b"geen plaatje") is None
    assert reuse.prepared_logo(_image("RGB")[:60]) is None  # the header, not the pixels
