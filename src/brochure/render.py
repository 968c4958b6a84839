"""Stage 2, render: turn an `Issue` into print-styled HTML with Jinja2.

One template per part (cover, body, back) inside a shared document template.
Autoescaping is on everywhere and section bodies are Markdown with raw HTML
off, so text from an issue file is always shown as text.
"""

import datetime
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .editions import Layout
from .errors import BrochureError
from .model import Figure, Issue, Section, SourcedIssue
from .settings import Settings
from .typesetter import ASSET_SCHEME, Abbreviation, BodyHtml, BodyPiece, IssueHtml

PARTS = ("cover", "body", "back")

BLANK_PAGES = 3
"""The most blank pages padding can need (for a page count that is a multiple of 4)."""

SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:", "#")
"""Links that make sense on paper and cannot reach the reader's machine."""

SECTION_HEADING_LEVEL = 2
"""Article titles are <h1>, section headings <h2>; headings written in a body sit below."""


@dataclass(frozen=True)
class PlacedFigure:
    """A figure as the page shows it: its number in the issue and its image's URL.

    An ornament (a decorative figure) has no number: nothing refers to it.
    """

    figure: Figure
    number: int | None
    url: str


SectionText = tuple[Markup | PlacedFigure, ...]
"""A section's body: its Markdown blocks as HTML, with its figures placed between them."""


@dataclass(frozen=True)
class DocumentContext:
    """Everything a template may use: the issue and how the document is laid out.

    SECTIONS holds the text of each section, by article and section. GLOSSARY
    lists the issue's abbreviations alphabetically; it is printed on the back
    page, or with GLOSSARY_IN_BODY at the end of the body. The body holds the
    articles at ARTICLE_INDEXES, or all of them.
    """

    issue: Issue
    parts: tuple[str, ...]
    layout: Layout
    date: datetime.date
    stylesheet_urls: tuple[str, ...] = ()
    cover_image_url: str | None = None
    sections: tuple[tuple[SectionText, ...], ...] = ()
    glossary: tuple[Abbreviation, ...] = ()
    glossary_in_body: bool = False
    article_indexes: range | None = None


def render_parts(
    settings: Settings,
    sourced: SourcedIssue,
    layout: Layout,
    *,
    cover_pages: int | None,
    pieces: bool = False,
) -> IssueHtml:
    """Render cover, body and back page as separate HTML documents.

    COVER_PAGES is the page count of a designer cover PDF that replaces the
    rendered cover, or None to render the cover. With PIECES, the body is also
    rendered article by article, for a process that keeps layouts between builds.
    """
    template = _environment(settings.templates).get_template("document.html.j2")
    issue = sourced.issue
    text = _issue_text(sourced, portable=True)
    context = DocumentContext(
        issue,
        (),
        layout,
        document_date(issue),
        cover_image_url=_cover_image_url(sourced, portable=True),
        sections=text.sections,
        glossary=_sorted_glossary(issue.glossary),
    )

    def part(name: str, *, glossary_in_body: bool = False, articles: range | None = None) -> str:
        one = replace(
            context, parts=(name,), glossary_in_body=glossary_in_body, article_indexes=articles
        )
        return template.render(vars(one))

    def body(*, glossary_in_body: bool = False) -> BodyHtml:
        whole = part("body", glossary_in_body=glossary_in_body)
        if not pieces or len(issue.articles) < 2:
            return BodyHtml(whole)
        one_by_one = (
            BodyPiece(
                article_id(index + 1) if index else None,
                part("body", glossary_in_body=glossary_in_body, articles=range(index, index + 1)),
            )
            for index in range(len(issue.articles))
        )
        return BodyHtml(whole, tuple(one_by_one))

    moved = (
        (body(glossary_in_body=True), part("back", glossary_in_body=True))
        if issue.glossary
        else None
    )
    return IssueHtml(
        cover=part("cover") if cover_pages is None else None,
        body=body(),
        back=part("back"),
        blank=part("blank") if layout.edition.page_multiple > 1 else None,
        glossary_in_body=moved,
        abbreviations=text.abbreviations,
        ornaments=text.ornaments,
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
        sections=_issue_text(sourced, portable=False).sections,
        glossary=_sorted_glossary(sourced.issue.glossary),
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


def _cover_image_url(sourced: SourcedIssue, *, portable: bool = False) -> str | None:
    image = sourced.issue.cover.image
    return None if image is None else _asset_url(sourced, image, portable=portable)


def _asset_url(sourced: SourcedIssue, relative: Path, *, portable: bool) -> str:
    """The URL of a file the issue names: an asset URL, or without PORTABLE, a file URL.

    WeasyPrint names an image in the PDF by a hash of its URL; an asset URL
    keeps the machine's folders out of the PDF's bytes, and the typesetter
    reads it only from the issue's folder. A file URL is for other programs.
    """
    if portable:
        return f"{ASSET_SCHEME}:{quote(relative.as_posix())}"
    return (sourced.folder / relative).as_uri()


def _sorted_glossary(glossary: Mapping[str, str]) -> tuple[Abbreviation, ...]:
    """The glossary in alphabetical order, as a reader looks an abbreviation up."""
    return tuple(sorted(glossary.items(), key=lambda entry: (entry[0].casefold(), entry[0])))


@dataclass(frozen=True)
class _IssueText:
    """The text of every section, and what typesetting and tagging need to know about it."""

    sections: tuple[tuple[SectionText, ...], ...]
    abbreviations: tuple[Abbreviation, ...]
    ornaments: frozenset[str]


def _issue_text(sourced: SourcedIssue, *, portable: bool) -> _IssueText:
    """Render every section body in reading order, numbering figures across the issue.

    Only figures that are not ornaments are numbered, in the order the issue
    lists them, so that 'Figure 2' in the text means the second one listed.
    """
    marker = _AbbreviationMarker(sourced.issue.glossary)
    number = 0
    sections = []
    ornaments = set()
    for article in sourced.issue.articles:
        texts = []
        for section in article.sections:
            placed = []
            for figure in section.figures:
                url = _asset_url(sourced, figure.src, portable=portable)
                if figure.decorative:
                    ornaments.add(url)
                else:
                    number += 1
                placed.append(PlacedFigure(figure, None if figure.decorative else number, url))
            texts.append(_section_text(section, tuple(placed), marker))
        sections.append(tuple(texts))
    return _IssueText(tuple(sections), tuple(marker.marked), frozenset(ornaments))


def _section_text(
    section: Section, figures: tuple[PlacedFigure, ...], marker: "_AbbreviationMarker"
) -> SectionText:
    """The section's Markdown blocks, each followed by the figures it mentions first.

    A figure goes after the block (paragraph, list, quote, table) that first
    mentions it as 'Figure N' or 'Fig. N', never inside one; figures nobody
    mentions follow the section's text, in the order the issue lists them.
    """
    parser = _markdown()
    tokens = parser.parse(section.body)
    _nest_headings(tokens)
    unplaced = list(figures)
    items: list[Markup | PlacedFigure] = []
    for block in _blocks(tokens):
        for before, token in zip([None, *block], block, strict=False):
            _mark_bare_links(token)
            if token.type == "inline" and not (before and before.type == "heading_open"):
                marker.mark(token)
        items.append(Markup(parser.renderer.render(block, parser.options, {})))
        mentioned = _mentioned_figures(" ".join(t.content for t in block if t.type == "inline"))
        placed_here = [figure for figure in unplaced if figure.number in mentioned]
        items.extend(placed_here)
        unplaced = [figure for figure in unplaced if figure not in placed_here]
    return (*items, *unplaced)


def _blocks(tokens: list[Token]) -> Iterator[list[Token]]:
    """Split a token stream into its top-level blocks: paragraphs, lists, quotes, ..."""
    start = 0
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting <= 0:
            yield tokens[start : index + 1]
            start = index + 1


_FIGURE_MENTION = re.compile(
    r"(?<!\w)(?:figures?|figs?\.?)\s*(\d+(?:\s*(?:,|and|&|to|[-\u2013])\s*\d+)*)",
    re.IGNORECASE,
)
_RANGE = re.compile(r"(\d+)\s*(?:to|[-\u2013])\s*(\d+)")
_MAX_RANGE = 100
"""Longest range of figures a mention may name (Figures 2 to 5); longer is not a mention."""


def _mentioned_figures(text: str) -> set[int]:
    """The figure numbers TEXT mentions: 'Figure 2', 'Fig. 3', 'Figures 4 and 5', 'Figs. 6-8'."""
    numbers: set[int] = set()
    for mention in _FIGURE_MENTION.finditer(text):
        listed = mention[1]
        for first, last in _RANGE.findall(listed):
            if 0 <= int(last) - int(first) <= _MAX_RANGE:
                numbers.update(range(int(first), int(last) + 1))
        numbers.update(int(number) for number in re.findall(r"\d+", listed))
    return numbers


class _AbbreviationMarker:
    """Marks the first use of each glossary abbreviation in body text as <abbr title>.

    Uses are whole words with the case as written in the glossary, found in
    running text only: never in a link's text, in code, or in a heading. Call
    `mark` on the inline tokens in reading order; MARKED lists what was
    marked, in that order.

    The abbreviation's text is wrapped in a <span> inside the <abbr>: WeasyPrint
    tags an <abbr> like an <em> or a <code> and drops its title, and the span
    gives it a shape in the structure tree that those never have, by which
    `tags.expand_abbreviations` finds it to add the expansion.
    """

    def __init__(self, glossary: Mapping[str, str]) -> None:
        self.pending = dict(glossary)
        self.marked: list[Abbreviation] = []
        self._pattern = self._compile()

    def _compile(self) -> re.Pattern[str] | None:
        if not self.pending:
            return None
        # Longest first, so that an abbreviation inside a longer one's match does not win.
        words = sorted(self.pending, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")

    def mark(self, inline: Token) -> None:
        if self._pattern is None or not inline.children:
            return
        children: list[Token] = []
        in_link = 0
        for child in inline.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            if child.type == "text" and not in_link and self._pattern is not None:
                children.extend(self._split(child))
            else:
                children.append(child)
        inline.children = children

    def _split(self, text: Token) -> list[Token]:
        """TEXT as tokens, with the first use of each pending abbreviation in <abbr>."""
        tokens: list[Token] = []
        content, start = text.content, 0
        assert self._pattern is not None
        for match in self._pattern.finditer(content):
            word = match[0]
            if word not in self.pending:
                continue  # marked earlier in this same text
            expansion = self.pending.pop(word)
            self.marked.append((word, expansion))
            tokens += [
                _text(content[start : match.start()]),
                Token("abbr_open", "abbr", 1, attrs={"title": expansion}),
                Token("span_open", "span", 1),
                _text(word),
                Token("span_close", "span", -1),
                Token("abbr_close", "abbr", -1),
            ]
            start = match.end()
        if not tokens:
            return [text]
        self._pattern = self._compile()
        return [token for token in (*tokens, _text(content[start:])) if token.content or token.tag]


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def article_id(number: int) -> str:
    """The id of the NUMBER-th article (from 1): its contents link, and where its piece starts."""
    return f"article-{number}"


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
    environment.globals["article_id"] = article_id
    return environment


class PrintMarkdown(MarkdownIt):
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
    return PrintMarkdown()


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
