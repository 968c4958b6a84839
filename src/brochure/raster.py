"""Pages as pictures: render a finished PDF's pages to images with PDFium.

For people to look at, not to print: the proof sheet and the live preview use
it. Each page comes with its label (`Cover`, `2`, ..., `Back`), its trimmed
size and its text, so whatever shows the picture can also show the words.
Pages are rendered at their trim box where they have one, as they look once
cut. PDFium is not safe to call from two threads at once; every call into it
here holds one lock.
"""

import io
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import pypdfium2 as pdfium
from PIL import Image

from .errors import BrochureError
from .settings import POINTS_PER_INCH

MAX_PIXELS = 40_000_000
"""Largest page image: the same bound the loader puts on an issue's images."""

T = TypeVar("T")
_PDFIUM = threading.Lock()
_HYPHENATED_BREAK = re.compile("\u2010\r?\n")
"""Where the typesetter hyphenated a word (it uses U+2010): the word is joined again."""


@dataclass(frozen=True)
class Page:
    """One page of a PDF, as a reader meets it: its label, trimmed size and text."""

    number: int
    """1-based position in the PDF."""
    label: str
    width_pt: float
    height_pt: float
    text: str
    """The words on the page in reading order, hyphenated words joined."""


@dataclass(frozen=True)
class PageImage:
    """A page rendered at DPI, with what is known about it."""

    page: Page
    dpi: float
    image: Image.Image
    """RGB pixels of the trimmed page."""

    def png(self, *, quick: bool = False) -> bytes:
        """The image as PNG bytes; QUICK trades size for speed (screens, not mail)."""
        return png_bytes(self.image, quick=quick)


def read_pages(pdf: bytes) -> tuple[Page, ...]:
    """Every page of PDF with its label, size and text; nothing is rendered."""
    with _document(pdf) as document:
        return tuple(_page(document, index) for index in range(len(document)))


def render_pages(pdf: bytes, dpi: float) -> tuple[PageImage, ...]:
    """Every page of PDF rendered at DPI."""
    with _document(pdf) as document:
        return tuple(_render(document, index, dpi) for index in range(len(document)))


def render_page(pdf: bytes, number: int, dpi: float) -> PageImage:
    """Page NUMBER (1-based) of PDF rendered at DPI."""
    with _document(pdf) as document:
        if not 1 <= number <= len(document):
            raise BrochureError(f"no page {number}: the PDF has {len(document)} pages")
        return _render(document, number - 1, dpi)


def spreads(pages: Sequence[T], *, facing: bool = True) -> list[tuple[T, ...]]:
    """PAGES grouped as a reader sees them: the first page alone, then facing pairs.

    Page 1 is a right-hand page, so it stands alone; then 2-3, 4-5, ...; a
    last page with an even number stands alone on the left. Without FACING
    (booklet sheets, loose leaves) every page stands alone.
    """
    if not facing:
        return [(page,) for page in pages]
    groups: list[tuple[T, ...]] = [tuple(pages[:1])] if pages else []
    groups += [tuple(pages[start : start + 2]) for start in range(1, len(pages), 2)]
    return groups


def png_bytes(image: Image.Image, *, quick: bool = False) -> bytes:
    """IMAGE as PNG: no time, no text chunks, so the same pixels give the same bytes."""
    output = io.BytesIO()
    if quick:
        image.save(output, "PNG", compress_level=1)
    else:
        image.save(output, "PNG")
    return output.getvalue()


@contextmanager
def _document(pdf: bytes) -> Iterator[pdfium.PdfDocument]:
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as error:
            raise BrochureError(f"cannot read the PDF to render it: {error}") from None
        try:
            yield document
        finally:
            document.close()


def _page(document: pdfium.PdfDocument, index: int) -> Page:
    page = document[index]
    try:
        left, bottom, right, top = page.get_trimbox()
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()
    return Page(
        number=index + 1,
        label=document.get_page_label(index) or str(index + 1),
        width_pt=round(right - left, 3),
        height_pt=round(top - bottom, 3),
        text=_HYPHENATED_BREAK.sub("", text).replace("\r\n", "\n").strip(),
    )


def _render(document: pdfium.PdfDocument, index: int, dpi: float) -> PageImage:
    facts = _page(document, index)
    scale = dpi / POINTS_PER_INCH
    if facts.width_pt * facts.height_pt * scale * scale > MAX_PIXELS:
        raise BrochureError(f"page {facts.label} at {dpi:g} dpi would exceed {MAX_PIXELS:,} pixels")
    page = document[index]
    try:
        # The crop box is what PDFium draws; cut it down to the trim box.
        crop_left, crop_bottom, crop_right, crop_top = page.get_cropbox()
        left, bottom, right, top = page.get_trimbox()
        crop = (left - crop_left, bottom - crop_bottom, crop_right - right, crop_top - top)
        bitmap = page.render(scale=scale, crop=tuple(max(0.0, side) for side in crop))
        try:
            image = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
    return PageImage(page=facts, dpi=dpi, image=image)
