"""What one letter reuses from the letters before it: font subsets and the logo's image.

ReportLab builds every PDF object anew for each document: it cuts the embedded TrueType
font down to the characters used and compresses it, and it decodes, compresses and encodes
the logo, for every letter. The same characters and the same logo give the same bytes, so
these are made once and kept (a few of each), keyed on exactly what they are made from: a
letter with other characters or a changed logo makes its own, and never gets a stale one.
The PDF written is byte for byte the one ReportLab would write without the reuse.

ReportLab registers one font object per font file (a second registration of DejaVu Sans,
as the reports make, gets the first one), so the subsets are reused only while a letter is
built (``reusing_subsets``): any other document with the same font is built as before.
"""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from reportlab.lib.utils import ImageReader, _digester
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace, makeToUnicodeCMap

SUBSETS_KEPT = 64  # per process, for all letter fonts together: ~20 KiB each
LOGOS_KEPT = 4

_FLATE = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])


@dataclass(frozen=True)
class _Subset:
    data: bytes  # the subset as a TrueType file
    compressed: bytes  # the same, as the PDF stream holds it (FlateDecode)


@functools.lru_cache(maxsize=SUBSETS_KEPT)
def _subset(face: TTFontFace, codes: tuple[int, ...]) -> _Subset:
    data = TTFontFace.makeSubset(face, list(codes))
    return _Subset(data, pdfdoc.PDFZCompress.encode(data))


@dataclass(frozen=True)
class _SubsetFont:
    widths: bytes  # the subset's /Widths array as ReportLab writes it
    to_unicode: bytes  # its ToUnicode CMap, compressed (FlateDecode)


@functools.lru_cache(maxsize=SUBSETS_KEPT)
def _subset_font(font: TTFont, base_name: str, codes: tuple[int, ...]) -> _SubsetFont:
    widths = pdfdoc.PDFArray([font.face.getCharWidth(code) for code in codes])
    return _SubsetFont(
        widths.format(None),  # numbers only: formatting them needs no document
        pdfdoc.PDFZCompress.encode(makeToUnicodeCMap(base_name, list(codes))),
    )


class _Written(pdfdoc.PDFObject):
    """A PDF value that was formatted before: written as it is."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document):
        return self.data


def _precompressed(stream: pdfdoc.PDFStream, data: bytes) -> None:
    """Give a stream its content already compressed, with the filter named as ReportLab
    names it (so that it is not compressed again)."""
    stream.content = data
    stream.dictionary["Filter"] = _FLATE


_reusing = ContextVar("klachtdesk_reusing_subsets", default=False)


@contextmanager
def reusing_subsets() -> Iterator[None]:
    """Documents built inside reuse the subsets of fonts passed to ``reuse_subsets``."""
    token = _reusing.set(True)
    try:
        yield
    finally:
        _reusing.reset(token)


class _SubsetReusingFace(TTFontFace):
    """A font file whose subsets, inside ``reusing_subsets``, are made and compressed once
    per list of characters; elsewhere it is ReportLab's own."""

    def makeSubset(self, subset):
        if not _reusing.get():
            return super().makeSubset(subset)
        return _subset(self, tuple(subset)).data

    def addSubsetObjects(self, doc, fontname, subset):
        descriptor = super().addSubsetObjects(doc, fontname, subset)
        if _reusing.get() and doc.compression:
            stream = doc.idToObject[doc.idToObject[descriptor.name].dict["FontFile2"].name]
            _precompressed(stream, _subset(self, tuple(subset)).compressed)
        return descriptor


class _SubsetReusingFont(TTFont):
    """A TrueType font whose subsets' widths and ToUnicode maps, inside ``reusing_subsets``,
    are written once per list of characters; elsewhere it is ReportLab's own."""

    def addObjects(self, doc):
        state = self.state.get(doc)
        if not (_reusing.get() and doc.compression and state is not None):
            super().addObjects(doc)
            return
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(state.subsets))]
        subsets = [tuple(codes) for codes in state.subsets]
        super().addObjects(doc)  # forgets the document's subsets
        fonts = doc.idToObject["BasicFonts"].dict
        for name, codes in zip(names, subsets, strict=True):
            pdf_font = fonts[name]
            kept = _subset_font(self, pdf_font.BaseFont, codes)
            pdf_font.Widths = _Written(kept.widths)
            _precompressed(doc.idToObject[pdf_font.ToUnicode.name], kept.to_unicode)


def reuse_subsets(font: TTFont) -> None:
    """Let a registered TrueType font reuse its subsets in documents built inside
    ``reusing_subsets``. The font and its face have already read and parsed the font file;
    they only gain the methods above (a font of any other kind is left as it is)."""
    if type(font) is TTFont and type(font.face) is TTFontFace:
        font.__class__ = _SubsetReusingFont
        font.face.__class__ = _SubsetReusingFace


# -- the logo ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreparedLogo:
    """The logo decoded and encoded as a PDF image once; ``draw_logo`` puts it on a page."""

    name: str  # the name ReportLab's drawImage gives this image (a digest of its pixels)
    width: int  # pixels
    height: int
    image: pdfdoc.PDFImageXObject  # a template: each document gets its own copy
    mask: pdfdoc.PDFImageXObject | None  # the transparency, as a soft mask


@functools.lru_cache(maxsize=LOGOS_KEPT)
def prepared_logo(data: bytes) -> PreparedLogo | None:
    """The logo (PNG or JPEG bytes) ready to draw, or None when it cannot be read."""
    try:
        # What canvas.drawImage(ImageReader(...), mask="auto") does, once.
        reader = ImageReader(io.BytesIO(data))
        width, height = reader.getSize()
        pixels = reader.getRGBData()
        alpha = reader._dataA
        name = _digester(pixels + (alpha.getRGBData() if alpha else b"auto"))
        image = pdfdoc.PDFImageXObject(name, reader, mask="auto")
    except Exception:  # noqa: BLE001 - a damaged logo must not stop the letter
        return None
    mask = getattr(image, "_smask", None)
    if mask is not None:
        del image._smask
    return PreparedLogo(name, width, height, image, mask)


def draw_logo(canvas, logo: PreparedLogo, x: float, y: float, width: float, height: float):
    """Draw the logo as ``canvas.drawImage`` would, with its image made once per process."""
    document = canvas._doc
    canvas._currentPageHasImages = 1
    registered = document.getXObjectName(logo.name)
    if registered not in document.idToObject:
        image = copy.copy(logo.image)
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(logo.name, image)
        if logo.mask is not None:
            mask = copy.copy(logo.mask)
            canvas._setXObjects(mask)
            image.smask = document.Reference(mask, document.getXObjectName(mask.name))
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(logo.name)
