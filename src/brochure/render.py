"""Stage 2, render: turn an `Issue` into print-styled HTML with Jinja2.

One template per part (cover, body, back) inside a shared document template.
Autoescaping is on everywhere and section bodies are Markdown with raw HTML
off, so text from an issue file is always shown as text.
"""

import datetime
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .editions import Layout
from .errors import BrochureError
from .model import Issue, SourcedIssue
from .settings import Settings

PARTS = ("cover", "body", "back")

BLANK_PAGES = 3
"""The most blank pages padding can need (for a page count that is a multiple of 4)."""

SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:", "#")
"""Links that make sense on paper and cannot reach the reader's machine."""

SECTION_HEADING_LEVEL = 2
"""Article titles are <h1>, section headings <h2>; headings written in a body sit below."""


@dataclass(frozen=True)
class DocumentContext:
    """Everything a template may use: the issue and how the document is laid out."""

    issue: Issue
    parts: tuple[str, ...]
    layout: Layout
    date: datetime.date
    first_folio: int = 1
    stylesheet_urls: tuple[str, ...] = ()
    cover_image_url: str | None = None


@dataclass(frozen=True)
class IssueHtml:
    """The HTML of each part of an issue, ready to typeset.

    BLANK is a document of blank pages to pad the page count with, when the
    edition asks for a multiple.
    """

    cover: str | None
    body: str
    back: str
    blank: str | None


def render_parts(
    settings: Settings, sourced: SourcedIssue, layout: Layout, *, cover_pages: int | None
) -> IssueHtml:
    """Render cover, body and back page as separate HTML documents.

    COVER_PAGES is the page count of a designer cover PDF that replaces the
    rendered cover, or None to render the cover; the body's folios follow it.
    """
    template = _environment(settings.templates).get_template("document.html.j2")
    image = _cover_image_url(sourced, portable=True)
    date = document_date(sourced.issue)

    def part(name: str, first_folio: int = 1) -> str:
        context = DocumentContext(sourced.issue, (name,), layout, date, first_folio, (), image)
        return template.render(vars(context))

    return IssueHtml(
        cover=part("cover") if cover_pages is None else None,
        body=part("body", (cover_pages or 1) + 1),
        back=part("back"),
        blank=part("blank") if layout.edition.page_multiple > 1 else None,
    )


def render_issue_html(settings: Settings, sourced: SourcedIssue, layout: Layout) -> str:
    """Render the whole issue as one HTML document that links the layout's stylesheets.

    The result can be typeset on its own by the bare `weasyprint` command from
    wherever it is saved, since the stylesheets are linked by absolute URL.
    """
    template = _environment(settings.templates).get_template("document.html.j2")
    context = DocumentContext(
        sourced.issue,
        PARTS,
        layout,
        document_date(sourced.issue),
        stylesheet_urls=tuple(path.as_uri() for path in layout.stylesheets),
        cover_image_url=_cover_image_url(sourced),
    )
    return template.render(vars(context))


def document_date(issue: Issue) -> datetime.date:
    """The date the PDF carries: the issue's, else $SOURCE_DATE_EPOCH's, else 1 January."""
    if issue.issue.date:
        return issue.issue.date
    if epoch := os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        if not epoch.isdigit():
            raise BrochureError(f"SOURCE_DATE_EPOCH must be seconds since 1970, not {epoch!r}")
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date(issue.issue.year, 1, 1)


ASSET_SCHEME = "asset"
"""URLs of files the issue names, relative to its folder (asset:art/cover.png)."""


def _cover_image_url(sourced: SourcedIssue, *, portable: bool = False) -> str | None:
    """The cover image's URL: an asset URL, or with PORTABLE off, a file URL for any program.

    WeasyPrint names an image in the PDF by a hash of its URL; an asset URL
    keeps the machine's folders out of the PDF's bytes.
    """
    image = sourced.issue.cover.image
    if image is None:
        return None
    return (
        f"{ASSET_SCHEME}:{quote(image.as_posix())}"
        if portable
        else (sourced.folder / image).as_uri()
    )


@cache
def _environment(templates: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["markdown"] = markdown_to_html
    return environment


class _PrintMarkdown(MarkdownIt):
    """CommonMark with raw HTML shown as text and only links that work on paper."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.enable(["table", "strikethrough"])
        # Figures come from structured fields, never from Markdown: no image may
        # be pulled in from a path written in the text.
        self.disable("image")

    def validateLink(self, url: str) -> bool:
        return url.strip().lower().startswith(SAFE_LINK_SCHEMES)


@cache
def _markdown() -> MarkdownIt:
    return _PrintMarkdown()


def markdown_to_html(text: str) -> Markup:
    """Render Markdown (raw HTML shown as text) to HTML that is safe to embed."""
    parser = _markdown()
    tokens = parser.parse(text)
    _nest_headings(tokens)
    for token in tokens:
        _mark_bare_links(token)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _nest_headings(tokens: list[Token]) -> None:
    """Set the body's headings below the section heading, never skipping a level.

    Writers pick `#` or `##` as they like; screen readers need an outline without
    gaps, so each heading goes at most one level below the one it follows.
    """
    open_headings: list[tuple[int, int]] = []  # (level as written, level in the page)
    for opening, closing in zip(tokens, tokens[2:], strict=False):
        if opening.type != "heading_open" or closing.type != "heading_close":
            continue
        written = int(opening.tag[1])
        while open_headings and open_headings[-1][0] >= written:
            open_headings.pop()
        parent = open_headings[-1][1] if open_headings else SECTION_HEADING_LEVEL
        level = min(parent + 1, 6)
        open_headings.append((written, level))
        opening.tag = closing.tag = f"h{level}"


def _mark_bare_links(token: Token) -> None:
    for child in token.children or ():
        if child.type == "link_open" and child.markup == "autolink":
            # A bare URL already shows its address; print styles need not repeat it.
            child.attrSet("class", "bare")
