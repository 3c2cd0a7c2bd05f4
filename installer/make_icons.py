"""Render the application icon (resources/icons/klachtdesk.svg) as PNG and Windows ICO.

The SVG is the source; the renderings are committed, so a build needs no SVG renderer.
Run again after changing the SVG:

    python installer/make_icons.py

It writes resources/icons/klachtdesk.png (256 px, for the Linux .desktop entry) and
resources/icons/klachtdesk.ico (16-256 px, for the Windows executable and Setup).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    """The SVG drawn at ``size`` × ``size`` pixels, as PNG bytes (transparent background)."""
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(ICONS / "klachtdesk.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/icons/klachtdesk.svg is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt needs it
    images = {size: Image.open(io.BytesIO(render(size))) for size in ICO_SIZES}
    (ICONS / "klachtdesk.png").write_bytes(render(256))
    largest = images[max(ICO_SIZES)]
    largest.save(
        ICONS / "klachtdesk.ico",
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES if size != max(ICO_SIZES)],
    )
    for name in ("klachtdesk.png", "klachtdesk.ico"):
        print(f"{ICONS / name} ({(ICONS / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
