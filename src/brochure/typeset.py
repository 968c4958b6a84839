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
import logging
import mimetypes
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import TypesetError
from .render import IssueHtml

# Tagged PDF/UA-1: a structure tree in reading order, the running heads and
# folios as artifacts, and the XMP identification screen readers look for.
PDF_OPTIONS = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}


@dataclass(frozen=True)
class TypesetPdf:
    """The typeset PDF and how many pages each part took."""

    data: bytes
    cover_pages: int
    body_pages: int
    back_pages: int
    warnings: tuple[str, ...]


class ProjectFetcher(URLFetcher):  # type: ignore[misc]
    """Serve `data:` URLs and regular files inside ROOTS; refuse everything else."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._allowed_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _allowed_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused {url}: only files inside the project are read")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"refused {path}: outside the project")
        if not path.exists() or not stat.S_ISREG(path.stat().st_mode):
            raise ValueError(f"refused {path}: not a regular file")
        return path


def typeset(
    parts: IssueHtml, stylesheet: Path, roots: tuple[Path, ...], *, strict: bool
) -> TypesetPdf:
    """Typeset the parts into one PDF.

    STYLESHEET is the project's print CSS; ROOTS are the only folders files may
    be read from. With STRICT, any WeasyPrint warning raises `TypesetError`.
    """
    fetcher = ProjectFetcher(roots)
    fonts = FontConfiguration()
    with _captured_warnings() as warnings:
        css = CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts)
        base_url = roots[0].as_uri() + "/"
        documents = [
            HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                stylesheets=[css], font_config=fonts, **PDF_OPTIONS
            )
            for html in (parts.cover, parts.body, parts.back)
            if html is not None
        ]
        pages = [page for document in documents for page in document.pages]
        data = documents[0].copy(pages).write_pdf(**PDF_OPTIONS)
    if strict and warnings:
        raise TypesetError("the typesetter reported problems:\n" + "\n".join(warnings))
    counts = [len(document.pages) for document in documents]
    cover_pages = counts.pop(0) if parts.cover is not None else 0
    body_pages, back_pages = counts
    return TypesetPdf(data, cover_pages, body_pages, back_pages, tuple(warnings))


@contextlib.contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors instead of printing them."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
