"""The report's fonts: the bundled DejaVu Sans (all Dutch characters), else Helvetica."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from klachtdesk.paths import resource_path

REGULAR, BOLD = "KlachtDeskSans", "KlachtDeskSans-Bold"

rl_config.useA85 = 0  # binary streams, no ASCII85 pass: as the letters (letters/render.py)


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


@functools.cache
def fonts() -> Fonts:
    """Register the TTF once per process; Helvetica when the file is missing."""
    regular_file = resource_path("fonts", "DejaVuSans.ttf")
    if not regular_file.is_file():
        return Fonts("Helvetica", "Helvetica-Bold")
    bold_file = resource_path("fonts", "DejaVuSans-Bold.ttf")
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular_file)))
    bold = REGULAR
    if bold_file.is_file():
        pdfmetrics.registerFont(TTFont(BOLD, str(bold_file)))
        bold = BOLD
    # <b> in paragraphs picks the bold face.
    for is_bold, is_italic, name in ((0, 0, REGULAR), (1, 0, bold), (0, 1, REGULAR), (1, 1, bold)):
        addMapping(REGULAR, is_bold, is_italic, name)
    return Fonts(REGULAR, bold)
