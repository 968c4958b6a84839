"""Prepress for editions with bleed: page boxes and crop marks a print shop trims by.

WeasyPrint lays each page out on paper large enough for the bleed and the marks,
and sets the TrimBox; this module sets the BleedBox to exactly the bleed, draws
the crop marks in registration colour in the slug outside the bleed, and drops
link annotations, which a press never prints.
"""

from pypdf import PageObject, PdfWriter
from pypdf.generic import ContentStream, NameObject, RectangleObject

from .editions import CROP_MARK_LENGTH, CROP_MARK_OFFSET, Layout

MARK_WIDTH = 0.25
"""Points; the hairline print shops expect."""
REGISTRATION = b"1 1 1 1 K"
"""Every ink at full strength, so the marks print on every plate."""


def finish_for_press(writer: PdfWriter, layout: Layout) -> None:
    """Give every page its BleedBox and crop marks, and remove its annotations."""
    for page in writer.pages:
        trim = page.trimbox
        page.bleedbox = RectangleObject(
            [
                float(trim.left) - layout.bleed,
                float(trim.bottom) - layout.bleed,
                float(trim.right) + layout.bleed,
                float(trim.top) + layout.bleed,
            ]
        )
        page.merge_page(_marks_page(page, layout))
        if "/Annots" in page:
            del page[NameObject("/Annots")]


def _marks_page(page: PageObject, layout: Layout) -> PageObject:
    trim = page.trimbox
    left, bottom, right, top = (float(v) for v in (trim.left, trim.bottom, trim.right, trim.top))
    near = layout.bleed + CROP_MARK_OFFSET
    far = near + CROP_MARK_LENGTH
    lines = []
    for x, outward_x in ((left, -1), (right, 1)):
        for y, outward_y in ((bottom, -1), (top, 1)):
            lines.append((x + outward_x * near, y, x + outward_x * far, y))
            lines.append((x, y + outward_y * near, x, y + outward_y * far))
    path = b" ".join(b"%.3f %.3f m %.3f %.3f l" % line for line in lines)
    overlay = PageObject.create_blank_page(
        width=float(page.mediabox.width), height=float(page.mediabox.height)
    )
    overlay.mediabox = page.mediabox
    content = ContentStream(None, None)
    content.set_data(b"q %s %.2f w 0 J %s S Q" % (REGISTRATION, MARK_WIDTH, path))
    overlay.replace_contents(content)
    return overlay
