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
import hashlib
import io
import logging
import mimetypes
import re
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageCms

from .editions import Layout
from .errors import TypesetError
from .libraries import quick_library_lookup
from .render import ASSET_SCHEME, Abbreviation, IssueHtml

with quick_library_lookup():
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse


@dataclass(frozen=True)
class TypesetPdf:
    """The typeset PDF and how many pages each part took."""

    data: bytes
    cover_pages: int
    body_pages: int
    blank_pages: int
    warnings: tuple[str, ...]
    abbreviations: tuple[Abbreviation, ...] = ()
    """The abbreviations marked in the body, in reading order, with what they stand for."""


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

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._allowed_path(url)
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

    ROOTS are the only folders files may be read from; the last is the issue's,
    where `asset:` URLs point. The back page is typeset first: if the glossary
    does not fit on it, the glossary goes at the end of the body instead. Blank
    pages go before the back page until the page count, with
    DESIGNER_COVER_PAGES merged later, is a multiple of the edition's. With
    STRICT, any WeasyPrint warning raises `TypesetError`; images the parts name
    as ornaments are expected to have no alt text.
    """
    fetcher = ProjectFetcher(roots, layout.image_mode, layout.press_profile, assets=roots[-1])
    fonts = FontConfiguration()
    colour_profiles: dict[str, Any] = {}  # filled by @color-profile rules, read by render
    options = _pdf_options(layout)
    with _captured_warnings(_ornament_messages(parts.ornaments)) as warnings:
        stylesheets = [
            _stylesheet(path, fetcher, fonts, colour_profiles) for path in layout.stylesheets
        ]
        base_url = roots[0].as_uri() + "/"

        def render(html: str) -> Any:
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            return document.render(
                stylesheets=stylesheets,
                font_config=fonts,
                color_profiles=colour_profiles,
                **options,
            )

        cover = render(parts.cover) if parts.cover is not None else None
        body_html, back = parts.body, render(parts.back)
        if len(back.pages) > 1 and parts.glossary_in_body:
            body_html, back_html = parts.glossary_in_body
            back = render(back_html)
        body = render(body_html)
        cover_pages = len(cover.pages) if cover else 0
        pages = cover_pages + designer_cover_pages + len(body.pages) + len(back.pages)
        blank_count = -pages % layout.edition.page_multiple
        blank = render(parts.blank).pages[:blank_count] if blank_count and parts.blank else []
        ordered = [*(cover.pages if cover else ()), *body.pages, *blank, *back.pages]
        data = _reproducible(body.copy(ordered).write_pdf(**options))
    if strict and warnings:
        raise TypesetError("the typesetter reported problems:\n" + "\n".join(warnings))
    return TypesetPdf(
        data, cover_pages, len(body.pages), len(blank), tuple(warnings), parts.abbreviations
    )


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
