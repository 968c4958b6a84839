"""Stage 3, typeset: lay out the HTML parts with WeasyPrint and write one PDF.

The parts are rendered as separate WeasyPrint documents sharing one parsed
stylesheet and font configuration, then written once, so links, the outline
and the tagged structure stay intact. Every file WeasyPrint asks for goes through
`ProjectFetcher`, which reads only inside the allowed folders and never
touches the network. WeasyPrint's warnings are collected: in strict mode any
of them fails the build, because a missing font or image must never become a
silent gap on the page.
"""

import contextlib
import functools
import hashlib
import io
import logging
import mimetypes
import re
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageCms

from .editions import Layout
from .errors import TypesetError
from .libraries import quick_library_lookup
from .typesetter import ASSET_SCHEME, BodyHtml, BodyPiece, IssueHtml, TypesetPdf

with quick_library_lookup():
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse


class ProjectFetcher(URLFetcher):  # type: ignore[misc]
    """Serve `data:` URLs and regular files inside ROOTS; refuse everything else.

    `asset:` URLs name files relative to ASSETS, the issue's folder, which must
    be one of the ROOTS. With IMAGE_MODE ("L" or "CMYK"), raster images are
    converted on the way: to gray, or to CMYK through the PRESS_PROFILE.
    """

    def __init__(
        self,
        roots: tuple[Path, ...],
        image_mode: str | None = None,
        press_profile: Path | None = None,
        assets: Path | None = None,
    ) -> None:
        super().__init__(allowed_protocols={"file", "data", ASSET_SCHEME})
        self.roots = tuple(root.resolve() for root in roots)
        self.image_mode = image_mode
        self.press_profile = press_profile
        self.assets = assets.resolve() if assets else None
        self.read: list[Path] = []
        """Every file fetched, in order: a typeset part is valid while they are unchanged."""

    @property
    def settings(self) -> tuple[object, ...]:
        """What decides the bytes this fetcher serves for a URL, besides the file itself."""
        return (self.roots, self.image_mode, self.press_profile, self.assets)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._allowed_path(url)
        self.read.append(path)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        if self.image_mode and content_type.startswith("image/") and "svg" not in content_type:
            data, content_type = self._convert_image(data)
            return _ConvertedResponse(url, data, {"Content-Type": content_type})
        return URLFetcherResponse(url, data, {"Content-Type": content_type})

    def _convert_image(self, data: bytes) -> tuple[bytes, str]:
        """Re-encode a raster image in the edition's colour mode.

        Gray becomes a lossless PNG. CMYK becomes a JPEG at the highest quality
        without chroma subsampling, the only CMYK format WeasyPrint embeds.
        """
        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi", (72, 72))
            flat = _flatten(image)
        output = io.BytesIO()
        if self.image_mode == "L":
            flat.convert("L").save(output, "PNG", dpi=dpi)
            return output.getvalue(), "image/png"
        assert self.press_profile is not None, "CMYK images need the press profile"
        cmyk = ImageCms.profileToProfile(
            flat,
            ImageCms.createProfile("sRGB"),
            str(self.press_profile),
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="CMYK",
        )
        assert cmyk is not None  # returned unless converting in place
        cmyk.save(output, "JPEG", quality=95, subsampling=0, dpi=dpi)
        return output.getvalue(), "image/jpeg"

    def _allowed_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme == ASSET_SCHEME and self.assets and not parts.netloc:
            path = (self.assets / unquote(parts.path)).resolve()
            if not path.is_relative_to(self.assets):
                raise ValueError(f"refused {url}: outside the issue's folder")
        elif parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
        else:
            raise ValueError(f"refused {url}: only files inside the project are read")
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"refused {path}: outside the project")
        if not path.exists() or not stat.S_ISREG(path.stat().st_mode):
            raise ValueError(f"refused {path}: not a regular file")
        return path


class _ConvertedResponse(URLFetcherResponse):  # type: ignore[misc]
    """A body that is not the file at its URL: WeasyPrint must embed it, not reread the file."""

    @property
    def path(self) -> None:
        return None


def typeset(
    parts: IssueHtml,
    layout: Layout,
    roots: tuple[Path, ...],
    *,
    strict: bool,
    designer_cover_pages: int = 0,
) -> TypesetPdf:
    """Typeset the parts into one PDF, as the LAYOUT's edition asks.

    ROOTS are the only folders files may be read from; the first is the
    project's, the last the issue's, where `asset:` URLs point. The back page
    is typeset first: if the glossary does not fit on it, the glossary goes at
    the end of the body instead. Blank pages go before the back page until the
    page count, with DESIGNER_COVER_PAGES merged later, is a multiple of the
    edition's. With STRICT, any WeasyPrint warning raises `TypesetError`;
    images the parts name as ornaments are expected to have no alt text.

    What a previous call in this process already did is reused while every
    file it read is unchanged: the parsed stylesheets with their fonts, parts
    whose HTML is the same (the cover and back page, when an editor changes
    the body), and, for a body given in pieces, the articles that did not
    change. Only what the latest call used is kept.
    """
    global _previous
    design = _design(layout, roots[0])
    design.renew_colour_profiles()
    fetcher = ProjectFetcher(roots, layout.image_mode, layout.press_profile, assets=roots[-1])
    options = _pdf_options(layout)
    renderer = _Renderer(design, fetcher, roots[0].as_uri() + "/", options, _previous)
    expected = _ornament_messages(parts.ornaments)
    cover = renderer.render(parts.cover, expected) if parts.cover is not None else None
    body_html, back = parts.body, renderer.render(parts.back, expected)
    if len(back.document.pages) > 1 and parts.glossary_in_body:
        body_html, back_html = parts.glossary_in_body
        back = renderer.render(back_html, expected)
    cover_pages = len(cover.document.pages) if cover else 0
    body = renderer.render_body(body_html, expected, cover_pages + designer_cover_pages + 1)
    body_pages = [page for piece in body for page in piece.document.pages]
    pages = cover_pages + designer_cover_pages + len(body_pages)
    blank_count = -(pages + len(back.document.pages)) % layout.edition.page_multiple
    blank = renderer.render(parts.blank, expected) if blank_count and parts.blank else None
    ordered = [
        *(cover.document.pages if cover else ()),
        *body_pages,
        *(blank.document.pages[:blank_count] if blank else ()),
        *back.document.pages,
    ]
    with _captured_warnings(expected) as writing:
        data = _reproducible(body[0].document.copy(ordered).write_pdf(**options))
    used = [part for part in (cover, back, *body, blank) if part is not None]
    _previous = {(part.html, part.folio): part for part in used if part.html != body_html.whole}
    warnings = [*design.warnings, *(w for part in used for w in part.warnings), *writing]
    if strict and warnings:
        raise TypesetError("the typesetter reported problems:\n" + "\n".join(warnings))
    return TypesetPdf(
        data,
        cover_pages,
        len(body_pages),
        len(ordered) - cover_pages - len(body_pages) - len(back.document.pages),
        tuple(warnings),
    )


def load_design(layout: Layout, project: Path) -> None:
    """Parse LAYOUT's stylesheets and load their fonts now, for the typesetting to come."""
    _design(layout, project)


FileStamp = tuple[str, int, int]
"""A file's path, modification time and size: it changes whenever the file is saved."""


def _stamp(path: Path) -> FileStamp:
    status = path.stat()
    return (str(path), status.st_mtime_ns, status.st_size)


@dataclass(frozen=True)
class _Design:
    """A layout's stylesheets, parsed, with the fonts and colour profiles they load."""

    key: tuple[object, ...]
    stylesheets: tuple[Any, ...]
    fonts: Any
    colour_profiles: dict[str, Any]
    """By name, as the stylesheets refer to them; renewed by `renew_colour_profiles`."""
    colour_profile_bytes: dict[str, bytes]
    """Each colour profile as WeasyPrint embeds it, read as soon as it was parsed."""
    warnings: tuple[str, ...]

    def renew_colour_profiles(self) -> None:
        """Put new colour profiles, made from their bytes, in place of the ones used before.

        littleCMS changes a profile in memory when its name is read, after which
        WeasyPrint would embed other bytes: a later build in this process would
        differ from the first (the print edition's output intent, by 16 bytes).
        Profiles WeasyPrint added while writing (sRGB, for PDF/A) are dropped.
        Every document of this design shares the dict, kept parts too.
        """
        renewed = {
            name: type(profile)(
                io.BytesIO(self.colour_profile_bytes[name]),
                profile.src,
                profile.rendering_intent,
                profile.components,
            )
            for name, profile in self.colour_profiles.items()
            if name in self.colour_profile_bytes
        }
        self.colour_profiles.clear()
        self.colour_profiles.update(renewed)


def _design(layout: Layout, project: Path) -> "_Design":
    """The parsed design of LAYOUT, parsed again only if a file under styles/ changed.

    Parsing the stylesheets loads every font, so it costs a cold build about a
    tenth of its typesetting; rebuilds in the same process skip it.
    """
    global _latest_design
    styles = layout.stylesheets[0].parent
    files = sorted(path for path in styles.rglob("*") if path.is_file())
    key = (layout.stylesheets, project, tuple(_stamp(path) for path in files))
    if _latest_design is not None and _latest_design.key == key:
        return _latest_design
    fetcher = ProjectFetcher((project,))
    fonts = FontConfiguration()
    colour_profiles: dict[str, Any] = {}  # filled by @color-profile rules, read by render
    with _captured_warnings() as warnings:
        stylesheets = tuple(
            _stylesheet(path, fetcher, fonts, colour_profiles) for path in layout.stylesheets
        )
    profile_bytes = {name: profile.content for name, profile in colour_profiles.items()}
    _latest_design = _Design(
        key, stylesheets, fonts, colour_profiles, profile_bytes, tuple(warnings)
    )
    return _latest_design


@dataclass(frozen=True)
class _Part:
    """One part typeset on its own, with what it said and the files it read."""

    html: str
    folio: int
    """The page number of its first page."""
    document: Any
    warnings: tuple[str, ...]
    read: tuple[FileStamp, ...]
    design: _Design
    fetcher_settings: tuple[object, ...]
    later_folios: tuple[int, ...] = ()
    """For the first piece of a body: where the pieces after it began when it was
    laid out, the page numbers its contents show."""


class _Renderer:
    """Typesets parts with one design and fetcher, reusing parts a previous build made."""

    def __init__(
        self,
        design: _Design,
        fetcher: ProjectFetcher,
        base_url: str,
        options: dict[str, Any],
        previous: dict[tuple[str, int], _Part],
    ) -> None:
        self.design, self.fetcher, self.base_url = design, fetcher, base_url
        self.options, self.previous = options, previous

    def render(self, html: str, expected: frozenset[str], folio: int = 1) -> _Part:
        """The part HTML, laid out with its first page numbered FOLIO, or kept from before."""
        kept = self._kept(html, folio)
        if kept is not None:
            return kept
        self.fetcher.read.clear()
        with _captured_warnings(expected) as warnings:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                stylesheets=[*self.design.stylesheets, *_folio_stylesheets(folio)],
                font_config=self.design.fonts,
                color_profiles=self.design.colour_profiles,
                **self.options,
            )
        read = tuple(_stamp(path) for path in self.fetcher.read)
        return _Part(
            html, folio, document, tuple(warnings), read, self.design, self.fetcher.settings
        )

    def render_body(
        self, body: BodyHtml, expected: frozenset[str], folio: int
    ) -> tuple[_Part, ...]:
        """The body from FOLIO on: its pieces, if they can be kept or laid out alone, or whole.

        Reusing pieces is exact only while the first piece's contents still
        show the right page numbers, so that every later piece starts where it
        did. The whole body is split into its pieces for the next build.
        """
        if body.pieces:
            pieces = self._pieces_again(body.pieces, expected, folio)
            if pieces is not None:
                return pieces
        whole = self.render(body.whole, expected, folio)
        return _split(whole, body.pieces) if body.pieces else (whole,)

    def _pieces_again(
        self, pieces: tuple[BodyPiece, ...], expected: frozenset[str], folio: int
    ) -> tuple[_Part, ...] | None:
        first = self._kept(pieces[0].html, folio)
        if first is None:
            return None
        laid_out = [first]
        folio += len(first.document.pages)
        for piece, started in zip(pieces[1:], first.later_folios, strict=True):
            if folio != started:
                return None  # the contents would show other page numbers
            laid_out.append(self.render(piece.html, expected, folio))
            folio += len(laid_out[-1].document.pages)
        return tuple(laid_out)

    def _kept(self, html: str, folio: int) -> _Part | None:
        part = self.previous.get((html, folio))
        return part if part is not None and self._still_valid(part) else None

    def _still_valid(self, part: _Part) -> bool:
        """Was PART made with this design and fetcher, from files still as they were?"""
        if part.design is not self.design or part.fetcher_settings != self.fetcher.settings:
            return False
        try:
            return all(_stamp(Path(stamp[0])) == stamp for stamp in part.read)
        except OSError:
            return False


def _split(whole: _Part, pieces: tuple[BodyPiece, ...]) -> tuple[_Part, ...]:
    """WHOLE's pages as the PIECES it was rendered from, or WHOLE if they cannot be told apart.

    A piece starts on the page that holds its anchor. Warnings cannot be told
    apart, so a body with warnings stays whole, to be laid out whole again.
    """
    if whole.warnings:
        return (whole,)
    pages = whole.document.pages
    starts = [0]
    for piece in pieces[1:]:
        start = next((i for i, page in enumerate(pages) if piece.anchor in page.anchors), 0)
        if start <= starts[-1]:
            return (whole,)
        starts.append(start)
    ends = [*starts[1:], len(pages)]
    return tuple(
        replace(
            whole,
            html=piece.html,
            folio=whole.folio + start,
            document=whole.document.copy(pages[start:end]),
            later_folios=tuple(whole.folio + later for later in starts[1:]) if not start else (),
        )
        for piece, start, end in zip(pieces, starts, ends, strict=True)
    )


@functools.cache
def _folio_stylesheets(folio: int) -> tuple[Any, ...]:
    """A part typeset on its own continues the page numbers and sides of the whole issue."""
    if folio == 1:
        return ()
    side = "left" if folio % 2 == 0 else "right"
    return (
        CSS(string=f"@page :first {{ counter-set: page {folio} }} html {{ break-before: {side} }}"),
    )


_latest_design: _Design | None = None
_previous: dict[tuple[str, int], _Part] = {}


def _stylesheet(
    path: Path, fetcher: ProjectFetcher, fonts: FontConfiguration, colour_profiles: dict[str, Any]
) -> CSS:
    if not path.is_file():
        raise TypesetError(
            f"{path}: stylesheet missing; the project's styles/ folder is incomplete"
        )
    return CSS(
        filename=str(path), url_fetcher=fetcher, font_config=fonts, color_profiles=colour_profiles
    )


_RANDOM_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}")
_FILE_ID = re.compile(rb"/ID \[\([0-9a-f]{32}\) \([0-9a-f]{32}\)\]")


def _reproducible(data: bytes) -> bytes:
    """Replace the random document ID WeasyPrint writes into PDF/X files.

    PDF/X-4 asks for an XMP document ID, which WeasyPrint draws at random, and
    the file ID hashes it, so no two builds would match. Both become hashes of
    the document with them blanked out, the same length as before so that every
    byte offset in the file stays right.
    """
    if not _RANDOM_DOCUMENT_ID.search(data):
        return data
    blank_document_id = b"xmp.did:" + str(uuid.UUID(int=0)).encode()
    blank_file_id = b"/ID [(%s) (%s)]" % (b"0" * 32, b"0" * 32)
    blank = _FILE_ID.sub(blank_file_id, _RANDOM_DOCUMENT_ID.sub(blank_document_id, data))
    digest = hashlib.sha256(blank).digest()
    document_id = b"xmp.did:" + str(uuid.UUID(bytes=digest[:16], version=4)).encode()
    file_id = digest[16:].hex()[:32].encode()
    return blank.replace(blank_document_id, document_id).replace(
        blank_file_id, b"/ID [(%s) (%s)]" % (file_id, file_id)
    )


def _pdf_options(layout: Layout) -> dict[str, Any]:
    """WeasyPrint's PDF options for the edition: tags and the PDF variant."""
    options: dict[str, Any] = {"pdf_tags": layout.edition.tagged}
    if layout.edition.pdf_variant:
        options["pdf_variant"] = layout.edition.pdf_variant
    return options


def _flatten(image: Image.Image) -> Image.Image:
    """The image in RGB on white paper: print has no transparency to show through."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


def _ornament_messages(urls: frozenset[str]) -> frozenset[str]:
    """What WeasyPrint says about images without alt text: for ornaments, that is the point."""
    return frozenset(f'Image "{url}" has no required alt description' for url in urls)


@contextlib.contextmanager
def _captured_warnings(expected: frozenset[str] = frozenset()) -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors instead of printing them.

    EXPECTED messages are dropped before any handler sees them.
    """
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")

    def unexpected(record: logging.LogRecord) -> bool:
        return record.getMessage() not in expected

    logger.addFilter(unexpected)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.removeFilter(unexpected)
