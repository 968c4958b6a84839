"""Stage 4, assemble: finish the typeset PDF with pypdf.

WeasyPrint cannot merge a designer's cover PDF or set page labels; this stage
does both, makes the viewer show the document title, embeds the files an
archive carries, hands tagged documents to `tags` to complete their tags, and,
for editions with bleed, hands the pages to prepress for their boxes and crop
marks. It changes nothing else, so links, the outline, the tags and the
metadata from typesetting stay intact.
"""

import base64
import datetime
import io
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pikepdf
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    BooleanObject,
    IndirectObject,
    NameObject,
    RectangleObject,
)

from .archive import EmbeddedFile, embed_files
from .editions import Layout
from .errors import AssembleError
from .pdfs import PDF_ERRORS, describe, dictionary
from .prepress import finish_for_press
from .settings import Paper
from .tags import (
    describe_links,
    expand_abbreviations,
    hide_ornaments,
    label_definitions,
    mark_page_furniture,
    state_language,
    tag_cover,
)
from .typeset import TypesetPdf

SIZE_TOLERANCE_PT = 1.0
"""How far a designer cover's page size may differ from the issue's."""


@dataclass(frozen=True)
class DesignerCover:
    """A finished front cover PDF supplied with the issue."""

    path: Path
    pages: tuple[PageObject, ...]
    alt: str
    """What the cover shows, for readers who cannot see it."""

    @property
    def page_count(self) -> int:
        return len(self.pages)


def read_designer_cover(path: Path, paper: Paper, alt: str) -> DesignerCover:
    """Read and check a designer cover PDF; raise `AssembleError` if it is unusable.

    Checked before typesetting, so a cover of the wrong size fails at once. The
    messages say what is wrong with the file; the caller says which file.
    """
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        if reader.is_encrypted:
            raise AssembleError("the cover PDF is encrypted; supply an unprotected copy")
        pages = tuple(reader.pages)
    except PDF_ERRORS as error:
        raise AssembleError(f"not a readable PDF ({describe(error)})") from None
    if not pages:
        raise AssembleError("the cover PDF has no pages")
    for number, page in enumerate(pages, start=1):
        found = (float(page.trimbox.width), float(page.trimbox.height))
        if not _same_size(found, paper.points):
            raise AssembleError(
                f"page {number} is {_dimensions(found)} pt but the issue's pages are "
                f"{_dimensions(paper.points)} pt; export the cover at the issue's paper size"
            )
    return DesignerCover(path, pages, alt)


def assemble(
    pdf: TypesetPdf,
    cover: DesignerCover | None,
    layout: Layout,
    *,
    attachments: tuple[EmbeddedFile, ...] = (),
    date: datetime.date | None = None,
) -> bytes:
    """Merge the designer cover (if any) in front, label the pages, and return the PDF.

    ATTACHMENTS are embedded as associated files dated DATE.
    """
    writer = PdfWriter(clone_from=io.BytesIO(pdf.data))
    # Keep the version the PDF variant requires (PDF/X-4: 1.6); pypdf writes 1.3.
    writer.pdf_header = pdf.data.split(b"\n", 1)[0].decode("ascii")
    cover_pages = pdf.cover_pages
    if cover is not None:
        _insert_cover(writer, cover, layout.media_margin)
        if layout.edition.tagged:
            tag_cover(writer, cover.page_count, cover.alt)
        cover_pages = cover.page_count
    if layout.edition.tagged:
        hide_ornaments(writer)
        mark_page_furniture(writer)
        describe_links(writer)
        label_definitions(writer)
        expand_abbreviations(writer, pdf.abbreviations)
        # Regrouping the tags leaves structure elements no tree reaches; they go.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    _label_pages(writer, cover_pages, pdf.body_pages + pdf.blank_pages)
    if layout.bleed:
        finish_for_press(writer, layout)
    writer.create_viewer_preferences()[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    state_language(writer)
    if attachments:
        assert date is not None, "embedded files need the document's date"
        embed_files(writer, attachments, date)
    return serialise(writer)


def serialise(writer: PdfWriter) -> bytes:
    """The PDF WRITER holds, with its objects packed into compressed object streams.

    pypdf writes every object on its own, uncompressed; WeasyPrint's output, like
    most PDFs today, packs them into object streams. qpdf (through pikepdf)
    packs them again, which makes the file about a third smaller. Streams
    already compressed are kept as they are, and the file ID is computed from
    the content, so the same input still gives the same bytes.
    """
    written = io.BytesIO()
    writer.write(written)
    packed = _packed(written)
    if b"\r\nendstream" in packed:
        packed = _packed(io.BytesIO(packed), end_streams_cleanly=True)
    return packed


def _packed(pdf: io.BytesIO, *, end_streams_cleanly: bool = False) -> bytes:
    with pikepdf.open(pdf) as document:
        if end_streams_cleanly:
            for stream in document.objects:
                if isinstance(stream, pikepdf.Stream) and stream.read_raw_bytes().endswith(b"\r"):
                    _end_with_ascii85(stream)
        packed = io.BytesIO()
        document.save(
            packed,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            # Compressing would undo _end_with_ascii85; the first pass compressed everything.
            compress_streams=not end_streams_cleanly,
            recompress_flate=False,
            deterministic_id=True,
            fix_metadata_version=False,
        )
    return packed.getvalue()


def _end_with_ascii85(stream: pikepdf.Stream) -> None:
    """Encode STREAM once more, in ASCII85, so that its bytes end with '~>'.

    Bytes that end with a carriage return, followed by the line feed qpdf writes
    before `endstream`, read as one CR LF end of line: PDF/A validators then count
    the stream one byte short of its /Length. Compressed data ends with a
    checksum, so about one stream in 256 does; ASCII85 costs it a quarter more.
    """
    filters = _as_list(stream.get("/Filter"))
    parameters = _as_list(stream.get("/DecodeParms")) or [None] * len(filters)
    stream.write(
        base64.a85encode(stream.read_raw_bytes()) + b"~>",
        filter=pikepdf.Array([pikepdf.Name.ASCII85Decode, *filters]),
        decode_parms=pikepdf.Array([None, *parameters]),
        type_check=False,
    )


def _as_list(value: object) -> list[object]:
    """A filter entry as a list: one value stands for a list of one."""
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [] if value is None else [value]


def _insert_cover(writer: PdfWriter, cover: DesignerCover, media_margin: float) -> None:
    for index, page in enumerate(cover.pages):
        writer.insert_page(_on_media(page, media_margin) if media_margin else page, index)
    _add_first_outline_item(writer, "Cover", 0)


def _on_media(page: PageObject, margin: float) -> PageObject:
    """Place a trimmed cover page on paper with MARGIN points around its trim.

    The geometry is WeasyPrint's: the trim at the origin, the paper beyond it.
    """
    trim = page.trimbox
    width, height = float(trim.width), float(trim.height)
    media = PageObject.create_blank_page(width=width + 2 * margin, height=height + 2 * margin)
    media.mediabox = RectangleObject([-margin, -margin, width + margin, height + margin])
    media.merge_transformed_page(
        page, Transformation().translate(-float(trim.left), -float(trim.bottom))
    )
    media.trimbox = RectangleObject([0, 0, width, height])
    return media


def _add_first_outline_item(writer: PdfWriter, title: str, page_index: int) -> None:
    """Put an outline item in front of all others.

    pypdf's `before=` walks the list from its last item, so it can only append;
    the item is appended and then moved to the front of the linked list.
    """
    root = writer.get_outline_root()
    old_first = root.get("/First")
    item = writer.add_outline_item(title=title, page_number=page_index)
    if old_first is None:
        return
    entry = dictionary(item)
    new_last = cast(IndirectObject, entry["/Prev"])
    del dictionary(new_last)["/Next"]
    root[NameObject("/Last")] = new_last
    del entry["/Prev"]
    entry[NameObject("/Next")] = old_first
    dictionary(old_first)[NameObject("/Prev")] = item
    root[NameObject("/First")] = item


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


def _dimensions(size: tuple[float, float]) -> str:
    return "x".join(f"{value:.0f}" for value in size)


def _same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(abs(x - y) <= SIZE_TOLERANCE_PT for x, y in zip(a, b, strict=True))
