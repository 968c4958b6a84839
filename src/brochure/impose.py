"""Stage 5 for booklets, impose: two pages per sheet side, in saddle-stitch order.

The finished pages (a multiple of 4, the back cover last) are placed side by
side on sheets twice their width, so that the stack of sheets, printed duplex
(flipped on the short edge), folded once and stapled on the fold, reads in
order. Inner sheets can be shifted toward the fold (creep) so that the
margins still match once the thicker booklet is folded and its face trimmed.

Each page goes onto its sheet whole, as a Form XObject. The booklet is a new
document with only the sheets, their labels and the document information: a
printer has no use for links, an outline or tags.
"""

import io
from dataclasses import dataclass
from itertools import chain

import pikepdf

from .editions import Layout
from .errors import AssembleError
from .pdfs import corners, ending_cleanly, save

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
    height, width = layout.sheet.points  # the sheet lies landscape
    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as booklet:
        sides = saddle_stitch(len(source.pages))
        for side in sides:
            pages = (source.pages[side.left - 1], source.pages[side.right - 1])
            _add_sheet(booklet, pages, (width, height), creep=layout.creep * (side.sheet - 1))
        booklet.Root.PageLabels = _labels(sides)
        booklet.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        if len(source.docinfo):
            booklet.trailer.Info = booklet.copy_foreign(source.docinfo)
        return save(booklet)


def _add_sheet(
    booklet: pikepdf.Pdf,
    pages: tuple[pikepdf.Page, pikepdf.Page],
    size: tuple[float, float],
    *,
    creep: float,
) -> None:
    """Add a sheet of SIZE to BOOKLET: PAGES side by side, CREEP toward the fold, and marks."""
    width, height = size
    left, right = pages
    forms = pikepdf.Dictionary(
        Left=_form(booklet, left, keep=(0, width / 2 - creep)),
        Right=_form(booklet, right, keep=(creep, width / 2)),
    )
    drawing = (
        _draw(left, b"/Left", x=creep)
        + _draw(right, b"/Right", x=width / 2 - creep)
        + _marks(width, height, creep)
    )
    sheet = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array([0, 0, width, height]),
        Resources=pikepdf.Dictionary(XObject=forms),
        Contents=booklet.make_stream(ending_cleanly(drawing)),
    )
    booklet.pages.append(pikepdf.Page(booklet.make_indirect(sheet)))


def _form(booklet: pikepdf.Pdf, page: pikepdf.Page, *, keep: tuple[float, float]) -> pikepdf.Object:
    """PAGE as a Form XObject of BOOKLET, showing its part from KEEP[0] to KEEP[1] across.

    The form's /BBox clips it, so that a page shifted for creep does not reach
    over the fold.
    """
    left, bottom, _, top = corners(page.mediabox)
    # pypdf merged pages without their /Rotate or /UserUnit, and finished pages have neither.
    form = booklet.copy_foreign(page.as_form_xobject(handle_transformations=False))
    form.BBox = pikepdf.Array([left + keep[0], bottom, left + keep[1], top])
    form.write(ending_cleanly(form.read_bytes()))
    # Indirect, the resources go into a compressed object stream; a stream's own
    # dictionary is written as it is.
    form.Resources = booklet.make_indirect(form.Resources)
    return form


def _draw(page: pikepdf.Page, name: bytes, *, x: float) -> bytes:
    """Draw the form of PAGE by its resource NAME, the left edge of its MediaBox at X."""
    left, bottom, _, _ = corners(page.mediabox)
    return b"q 1 0 0 1 %.3f %.3f cm %s Do Q\n" % (x - left, -bottom, name)


def _marks(width: float, height: float, creep: float) -> bytes:
    """Fold marks on the fold, trim marks on the face a booklet is trimmed at."""
    fold = _ticks([width / 2], height)
    trim = _ticks([creep, width - creep] if creep else [], height)
    # Dashed on the fold, solid where the face is cut, as binders read them.
    return b"q 0 G %.2f w [3 2] 0 d %s S [] 0 d %s S Q\n" % (MARK_WIDTH, fold, trim)


def _ticks(xs: list[float], height: float) -> bytes:
    """Short vertical lines at each X, in from the top and bottom edges."""
    near, far = MARK_INSET, MARK_INSET + MARK_LENGTH
    return b" ".join(
        b"%.3f %.3f m %.3f %.3f l %.3f %.3f m %.3f %.3f l"
        % (x, near, x, far, x, height - near, x, height - far)
        for x in xs
    )


def _labels(sides: list[SheetSide]) -> pikepdf.Dictionary:
    """Page labels that name each sheet side, "Sheet 1 front" and so on."""
    entries = (
        (index, pikepdf.Dictionary(P=pikepdf.String(side.label)))
        for index, side in enumerate(sides)
    )
    return pikepdf.Dictionary(Nums=pikepdf.Array(chain.from_iterable(entries)))
