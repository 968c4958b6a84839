"""Stage 2, render: turn an `Issue` into print-styled HTML with Jinja2.

One template per part (cover, body, back) inside a shared document template.
Autoescaping is on everywhere and section bodies are Markdown with raw HTML
off, so text from an issue file is always shown as text.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .model import Issue, SourcedIssue
from .settings import Paper, Settings

PARTS = ("cover", "body", "back")

SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:", "#")
"""Links that make sense on paper and cannot reach the reader's machine."""

# Section headings are <h2>; headings written in a body sit below them.
BODY_HEADING_SHIFT = 2


@dataclass(frozen=True)
class DocumentContext:
    """Everything a template may use: the issue and how the document is laid out."""

    issue: Issue
    parts: tuple[str, ...]
    paper: Paper
    first_folio: int = 1
    stylesheet_url: str | None = None
    cover_image_url: str | None = None


@dataclass(frozen=True)
class IssueHtml:
    """The HTML of each part of an issue, ready to typeset."""

    cover: str | None
    body: str
    back: str


def render_parts(
    settings: Settings, sourced: SourcedIssue, paper: Paper, *, cover_pages: int | None
) -> IssueHtml:
    """Render cover, body and back page as separate HTML documents.

    COVER_PAGES is the page count of a designer cover PDF that replaces the
    rendered cover, or None to render the cover; the body's folios follow it.
    """
    template = _environment(settings.templates).get_template("document.html.j2")
    image = _cover_image_url(sourced)

    def part(name: str, first_folio: int = 1) -> str:
        context = DocumentContext(sourced.issue, (name,), paper, first_folio, None, image)
        return template.render(vars(context))

    cover = part("cover") if cover_pages is None else None
    return IssueHtml(cover=cover, body=part("body", (cover_pages or 1) + 1), back=part("back"))


def render_issue_html(settings: Settings, sourced: SourcedIssue, paper: Paper) -> str:
    """Render the whole issue as one HTML document that links the project's stylesheet.

    The result can be typeset on its own by the bare `weasyprint` command from
    wherever it is saved, since the stylesheet is linked by absolute URL.
    """
    template = _environment(settings.templates).get_template("document.html.j2")
    context = DocumentContext(
        sourced.issue,
        PARTS,
        paper,
        stylesheet_url=settings.stylesheet.as_uri(),
        cover_image_url=_cover_image_url(sourced),
    )
    return template.render(vars(context))


def _cover_image_url(sourced: SourcedIssue) -> str | None:
    image = sourced.issue.cover.image
    return (sourced.folder / image).as_uri() if image else None


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
    for token in tokens:
        _adjust(token)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _adjust(token: Token) -> None:
    if token.type in {"heading_open", "heading_close"}:
        level = min(int(token.tag[1]) + BODY_HEADING_SHIFT, 6)
        token.tag = f"h{level}"
    for child in token.children or ():
        if child.type == "link_open" and child.markup == "autolink":
            # A bare URL already shows its address; print styles need not repeat it.
            child.attrSet("class", "bare")
