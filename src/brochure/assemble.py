"""Stage 4, assemble: finish the typeset PDF with pypdf.

WeasyPrint cannot merge a designer's cover PDF or set page labels; this stage
does both, and makes the viewer show the document title. It changes nothing
else, so links, the outline and the metadata from typesetting stay intact.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.errors import PdfReadError

from .errors import AssembleError
from .typeset import TypesetPdf

SIZE_TOLERANCE_PT = 1.0
"""How far a designer cover's page size may differ from the issue's."""


@dataclass(frozen=True)
class DesignerCover:
    """A finished front cover PDF supplied with the issue."""

    path: Path
    data: bytes
    page_count: int


def read_designer_cover(path: Path) -> DesignerCover:
    """Read and check a designer cover PDF; raise `AssembleError` if it is unusable."""
    data = path.read_bytes()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AssembleError(f"{path}: the cover PDF is encrypted; supply an unprotected copy")
        page_count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise AssembleError(f"{path}: not a readable PDF ({error})") from None
    if page_count == 0:
        raise AssembleError(f"{path}: the cover PDF has no pages")
    return DesignerCover(path, data, page_count)


def assemble(pdf: TypesetPdf, cover: DesignerCover | None) -> bytes:
    """Merge the designer cover (if any) in front, label the pages, and return the PDF."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf.data))
    cover_pages = pdf.cover_pages
    if cover is not None:
        _insert_cover(writer, cover)
        cover_pages = cover.page_count
    _label_pages(writer, cover_pages, pdf.body_pages)
    writer.create_viewer_preferences().display_doctitle = True
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _insert_cover(writer: PdfWriter, cover: DesignerCover) -> None:
    reader = PdfReader(io.BytesIO(cover.data))
    expected = _size(writer.pages[0].mediabox)
    for index, page in enumerate(reader.pages):
        if not _same_size(_size(page.mediabox), expected):
            found = "x".join(f"{v:.0f}" for v in _size(page.mediabox))
            wanted = "x".join(f"{v:.0f}" for v in expected)
            raise AssembleError(
                f"{cover.path}: page {index + 1} is {found} pt but the issue's pages are "
                f"{wanted} pt; export the cover at the issue's paper size"
            )
        writer.insert_page(page, index)
    first = writer.outline[0] if writer.outline else None
    before = first.indirect_reference if first is not None else None
    writer.add_outline_item(title="Cover", page_number=0, before=before)


def _label_pages(writer: PdfWriter, cover_pages: int, body_pages: int) -> None:
    """Make viewer page numbers match the printed folios: Cover, 2, 3, ..., Back."""
    if cover_pages == 1:
        writer.set_page_label(0, 0, prefix="Cover")
    elif cover_pages > 1:
        writer.set_page_label(0, cover_pages - 1, PageLabelStyle.DECIMAL, "Cover ", 1)
    last_body = cover_pages + body_pages - 1
    writer.set_page_label(cover_pages, last_body, PageLabelStyle.DECIMAL, None, cover_pages + 1)
    last = len(writer.pages) - 1
    writer.set_page_label(last_body + 1, last, prefix="Back")


def _size(box: object) -> tuple[float, float]:
    return (float(box.width), float(box.height))  # type: ignore[attr-defined]


def _same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(abs(x - y) <= SIZE_TOLERANCE_PT for x, y in zip(a, b, strict=True))
