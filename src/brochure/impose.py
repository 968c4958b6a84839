"""Stage 5 for booklets, impose: two pages per sheet side, in saddle-stitch order.

The finished pages (a multiple of 4, the back cover last) are placed side by
side on sheets twice their width, so that the stack of sheets, printed duplex
(flipped on the short edge), folded once and stapled on the fold, reads in
order. Inner sheets can be shifted toward the fold (creep) so that the
margins still match once the thicker booklet is folded and its face trimmed.
"""

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfWriter, Transformation
from pypdf.generic import BooleanObject, ContentStream, NameObject

from .assemble import serialise
from .editions import Layout
from .errors import AssembleError

MARK_INSET = 6.0
"""Points from the sheet edge to a mark, inside what office printers can print."""
MARK_LENGTH = 24.0
MARK_WIDTH = 0.4


@dataclass(frozen=True)
class SheetSide:
    """One side of one sheet: which pages it carries, numbered from 1."""

    sheet: int
    side: str
    left: int
    right: int

    @property
    def label(self) -> str:
        return f"Sheet {self.sheet} {self.side}"


def saddle_stitch(page_count: int) -> list[SheetSide]:
    """The printer spreads of a saddle-stitched booklet of PAGE_COUNT pages.

    For 8 pages: 8|1 and 2|7 on the outer sheet, 6|3 and 4|5 on the inner one.
    """
    if page_count % 4:
        raise AssembleError(f"a booklet needs a multiple of 4 pages, not {page_count}")
    sides = []
    for index in range(page_count // 4):
        outer, inner = page_count - 2 * index, 1 + 2 * index
        sides.append(SheetSide(index + 1, "front", outer, inner))
        sides.append(SheetSide(index + 1, "back", inner + 1, outer - 1))
    return sides


def impose(data: bytes, layout: Layout) -> bytes:
    """Impose the finished pages in DATA on the LAYOUT's sheets and return the PDF."""
    assert layout.sheet is not None, "only booklet layouts are imposed"
    # Pages are clipped before they are placed; pypdf edits pages only in a writer.
    source = PdfWriter(clone_from=io.BytesIO(data))
    height, width = layout.sheet.points  # the sheet lies landscape
    writer = PdfWriter()
    for side in saddle_stitch(len(source.pages)):
        creep = layout.creep * (side.sheet - 1)
        sheet = writer.add_blank_page(width, height)
        _place(sheet, source.pages[side.left - 1], x=creep, keep=(0, width / 2 - creep))
        _place(sheet, source.pages[side.right - 1], x=width / 2 - creep, keep=(creep, width / 2))
        sheet.merge_page(_marks(width, height, creep))
        if "/Annots" in sheet:
            del sheet[NameObject("/Annots")]
        sheet.compress_content_streams()  # merging left the pages' drawing uncompressed
        writer.set_page_label(len(writer.pages) - 1, len(writer.pages) - 1, prefix=side.label)
    if source.metadata:
        writer.add_metadata(dict(source.metadata))
    writer.create_viewer_preferences()[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    return serialise(writer)


def _place(sheet: PageObject, page: PageObject, *, x: float, keep: tuple[float, float]) -> None:
    """Draw PAGE on SHEET at X, keeping only its part from KEEP[0] to KEEP[1] across.

    The clip stops a page shifted for creep from reaching over the fold.
    """
    box = page.mediabox
    left, bottom = float(box.left), float(box.bottom)
    clip = b"q %.3f %.3f %.3f %.3f re W n\n" % (
        left + keep[0],
        bottom,
        keep[1] - keep[0],
        float(box.height),
    )
    clipped = ContentStream(None, None)
    clipped.set_data(clip + page.get_contents().get_data() + b"\nQ")  # type: ignore[union-attr]
    page.replace_contents(clipped)
    sheet.merge_transformed_page(page, Transformation().translate(x - left, -bottom))


def _marks(width: float, height: float, creep: float) -> PageObject:
    """Fold marks on the fold, trim marks on the face a booklet is trimmed at."""
    fold = _ticks([width / 2], height)
    trim = _ticks([creep, width - creep] if creep else [], height)
    overlay = PageObject.create_blank_page(width=width, height=height)
    content = ContentStream(None, None)
    # Dashed on the fold, solid where the face is cut, as binders read them.
    content.set_data(b"q 0 G %.2f w [3 2] 0 d %s S [] 0 d %s S Q" % (MARK_WIDTH, fold, trim))
    overlay.replace_contents(content)
    return overlay


def _ticks(xs: list[float], height: float) -> bytes:
    """Short vertical lines at each X, in from the top and bottom edges."""
    near, far = MARK_INSET, MARK_INSET + MARK_LENGTH
    return b" ".join(
        b"%.3f %.3f m %.3f %.3f l %.3f %.3f m %.3f %.3f l"
        % (x, near, x, far, x, height - near, x, height - far)
        for x in xs
    )
