"""Prepress for editions with bleed: page boxes and crop marks a print shop trims by.

WeasyPrint lays each page out on paper large enough for the bleed and the marks,
and sets the TrimBox; this module sets the BleedBox to exactly the bleed, draws
the crop marks in registration colour in the slug outside the bleed, and drops
link annotations, which a press never prints.
"""

import pikepdf
from pikepdf import Array, Pdf

from .editions import CROP_MARK_LENGTH, CROP_MARK_OFFSET, Layout
from .pdfs import corners

MARK_WIDTH = 0.25
"""Points; the hairline print shops expect."""
REGISTRATION = b"1 1 1 1 K"
"""Every ink at full strength, so the marks print on every plate."""


def finish_for_press(pdf: Pdf, layout: Layout) -> None:
    """Give every page its BleedBox and crop marks, and remove its annotations.

    Each page's content is put inside q and Q, so that whatever graphics state
    it leaves (a transformation, a colour, a clip) cannot move or hide the
    marks drawn after it. The q before is one stream all pages share, and so
    is the marks stream of all pages with the same trim.
    """
    save = pdf.make_stream(b"q\n")
    marks: dict[bytes, pikepdf.Stream] = {}
    for page in pdf.pages:
        left, bottom, right, top = corners(page.trimbox)
        page.bleedbox = Array(
            [left - layout.bleed, bottom - layout.bleed, right + layout.bleed, top + layout.bleed]
        )
        drawing = b"Q\n" + _crop_marks((left, bottom, right, top), layout)
        if drawing not in marks:
            marks[drawing] = pdf.make_stream(drawing)
        page.contents_add(save, prepend=True)
        page.contents_add(marks[drawing])
        if "/Annots" in page.obj:
            del page.obj.Annots


def _crop_marks(trim: tuple[float, float, float, float], layout: Layout) -> bytes:
    """The content that draws the crop marks of a page trimmed to TRIM."""
    left, bottom, right, top = trim
    near = layout.bleed + CROP_MARK_OFFSET
    far = near + CROP_MARK_LENGTH
    lines = []
    for x, outward_x in ((left, -1), (right, 1)):
        for y, outward_y in ((bottom, -1), (top, 1)):
            lines.append((x + outward_x * near, y, x + outward_x * far, y))
            lines.append((x, y + outward_y * near, x, y + outward_y * far))
    path = b" ".join(b"%.3f %.3f m %.3f %.3f l" % line for line in lines)
    return b"q %s %.2f w 0 J %s S Q\n" % (REGISTRATION, MARK_WIDTH, path)
