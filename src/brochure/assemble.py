"""Stage 4, assemble: finish the typeset PDF with pikepdf.

WeasyPrint cannot merge a designer's cover PDF or set page labels; this stage
does both, makes the viewer show the document title, embeds the files an
archive carries, hands tagged documents to `tags` to complete their tags, and,
for editions with bleed, hands the pages to prepress for their boxes and crop
marks. It changes nothing else, so links, the outline, the tags and the
metadata from typesetting stay intact. WeasyPrint's PDF is opened once and
changed in place, and `pdfs.save` saves it.
"""

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .archive import EmbeddedFile, embed_files
from .editions import Layout
from .errors import AssembleError
from .pdfs import corners, ending_cleanly, reading, save
from .prepress import finish_for_press
from .settings import Paper
from .tags import (
    MarkedText,
    describe_links,
    expand_abbreviations,
    hide_ornaments,
    label_definitions,
    mark_page_furniture,
    state_language,
    structure_elements,
    tag_cover,
)
from .typesetter import Abbreviation, TypesetPdf

SIZE_TOLERANCE_PT = 1.0
"""How far a designer cover's page size may differ from the issue's."""


@dataclass(frozen=True)
class DesignerCover:
    """A finished front cover PDF supplied with the issue."""

    path: Path
    data: bytes
    """The cover's bytes; `assemble` opens them to copy the pages and changes nothing in them."""
    page_count: int
    alt: str
    """What the cover shows, for readers who cannot see it."""


def read_designer_cover(path: Path, paper: Paper, alt: str) -> DesignerCover:
    """Read and check a designer cover PDF; raise `AssembleError` if it is unusable.

    Checked before typesetting, so a cover of the wrong size fails at once. The
    messages say what is wrong with the file; the caller says which file. Each
    page's drawing is read as `tags` reads it, so that a damaged one fails here,
    not in the middle of assembling.
    """
    data = path.read_bytes()
    encrypted = "the cover PDF is encrypted; supply an unprotected copy"
    with reading(data, AssembleError, encrypted=encrypted) as pdf:
        sizes = [_size(page.trimbox) for page in pdf.pages]
        for page in pdf.pages:
            pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page))
    if not sizes:
        raise AssembleError("the cover PDF has no pages")
    for number, found in enumerate(sizes, start=1):
        if not _same_size(found, paper.points):
            raise AssembleError(
                f"page {number} is {_dimensions(found)} pt but the issue's pages are "
                f"{_dimensions(paper.points)} pt; export the cover at the issue's paper size"
            )
    return DesignerCover(path, data, len(sizes), alt)


def assemble(
    pdf: TypesetPdf,
    cover: DesignerCover | None,
    layout: Layout,
    *,
    abbreviations: tuple[Abbreviation, ...] = (),
    attachments: tuple[EmbeddedFile, ...] = (),
    date: datetime.date | None = None,
) -> bytes:
    """Merge the designer cover (if any) in front, label the pages, and return the PDF.

    ABBREVIATIONS, those marked in the body in reading order, get their
    expansion in the tags. ATTACHMENTS are embedded as associated files dated
    DATE.
    """
    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        cover_pages = pdf.cover_pages
        if cover is not None:
            _insert_cover(document, cover, layout.media_margin)
            if layout.edition.tagged:
                tag_cover(document, cover.page_count, cover.alt)
            cover_pages = cover.page_count
        if layout.edition.tagged:
            elements = structure_elements(document)
            hide_ornaments(document, elements)
            mark_page_furniture(document)
            text = MarkedText(document)  # the page content does not change from here on
            describe_links(elements, text)
            label_definitions(elements)
            expand_abbreviations(elements, abbreviations, text)
            # Regrouping the tags leaves structure elements no tree reaches; qpdf
            # writes only the objects the file refers to, so they go.
        _label_pages(document, cover_pages, pdf.body_pages + pdf.blank_pages)
        if layout.bleed:
            finish_for_press(document, layout)
        _display_title(document)
        state_language(document)
        if attachments:
            assert date is not None, "embedded files need the document's date"
            embed_files(document, attachments, date)
        _drawings_ending_cleanly(document)
        return save(document)


def _drawings_ending_cleanly(document: Pdf) -> None:
    """Make sure no page's drawing, compressed, ends with a carriage return.

    Most streams changed here are pages' drawings, which qpdf compresses as it
    saves; one in 256 would end with a carriage return and cost a second save
    (see `pdfs.save`). A drawing WeasyPrint compressed that way is redone too.
    """
    for page in document.pages:
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, Array) else [contents]:
            if not isinstance(stream, pikepdf.Stream) or "/DecodeParms" in stream:
                continue
            compression = stream.get("/Filter")
            ends_badly = compression == Name.FlateDecode and stream.read_raw_bytes().endswith(b"\r")
            if compression is None or ends_badly:
                stream.write(ending_cleanly(stream.read_bytes()))


def _insert_cover(document: Pdf, cover: DesignerCover, media_margin: float) -> None:
    # Pages are copied at once, streams and all: the cover can be closed after.
    with pikepdf.open(io.BytesIO(cover.data)) as artwork:
        for index, page in enumerate(artwork.pages):
            placed = _on_media(document, page, media_margin) if media_margin else page
            document.pages.insert(index, placed)
    _add_first_outline_item(document, "Cover", document.pages[0])


def _on_media(document: Pdf, page: pikepdf.Page, margin: float) -> pikepdf.Page:
    """Place a trimmed cover page on paper with MARGIN points around its trim.

    The geometry is WeasyPrint's: the trim at the origin, the paper beyond it.
    The page becomes a form XObject clipped to its trim, drawn moved there.
    Its links are left behind: only editions with bleed have a media margin,
    and prepress removes the links of every page.
    """
    left, bottom, right, top = corners(page.trimbox)
    width, height = right - left, top - bottom
    # Copied first, so the cover's own PDF is left as it was.
    artwork = pikepdf.Page(document.copy_foreign(page.obj)).as_form_xobject()
    placement = f"q 1 0 0 1 {-left:g} {-bottom:g} cm /Cover Do Q".encode()
    media = Dictionary(
        Type=Name.Page,
        MediaBox=Array([-margin, -margin, width + margin, height + margin]),
        TrimBox=Array([0, 0, width, height]),
        Resources=Dictionary(XObject=Dictionary(Cover=artwork)),
        Contents=document.make_stream(placement),
    )
    return pikepdf.Page(document.make_indirect(media))


def _add_first_outline_item(document: Pdf, title: str, page: pikepdf.Page) -> None:
    """Put an outline item that shows PAGE whole in front of all others.

    The item is linked in by hand: pikepdf's outline editor would write every
    other item again.
    """
    outlines = document.Root.get("/Outlines")
    if outlines is None:
        document.Root.Outlines = document.make_indirect(Dictionary(Type=Name.Outlines))
        outlines = document.Root.Outlines
    item = document.make_indirect(
        Dictionary(
            Title=pikepdf.String(title),
            Parent=outlines,
            Dest=Array([page.obj, Name.Fit]),
        )
    )
    first = outlines.get("/First")
    if first is None:
        outlines.Last = item
    else:
        item.Next = first
        first.Prev = item
    outlines.First = item
    outlines.Count = int(outlines.get("/Count", 0)) + 1


def _label_pages(document: Pdf, cover_pages: int, body_pages: int) -> None:
    """Make viewer page numbers match the printed folios: Cover, 2, 3, ..., Back."""
    labels: list[object] = []
    if cover_pages == 1:
        labels += [0, Dictionary(P=pikepdf.String("Cover"))]
    elif cover_pages > 1:
        labels += [0, Dictionary(S=Name.D, P=pikepdf.String("Cover "), St=1)]
    labels += [cover_pages, Dictionary(S=Name.D, St=cover_pages + 1)]
    labels += [cover_pages + body_pages, Dictionary(P=pikepdf.String("Back"))]
    document.Root.PageLabels = Dictionary(Nums=Array(labels))


def _display_title(document: Pdf) -> None:
    """Have viewers show the document's title, not its file name, as PDF/UA asks."""
    if "/ViewerPreferences" not in document.Root:
        document.Root.ViewerPreferences = Dictionary()
    document.Root.ViewerPreferences.DisplayDocTitle = True


def _size(box: pikepdf.Object) -> tuple[float, float]:
    left, bottom, right, top = corners(box)
    return right - left, top - bottom


def _dimensions(size: tuple[float, float]) -> str:
    return "x".join(f"{value:.0f}" for value in size)


def _same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(abs(x - y) <= SIZE_TOLERANCE_PT for x, y in zip(a, b, strict=True))
