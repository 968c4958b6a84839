"""Editorial checks: what the schema cannot catch, reported as warnings.

An issue that loads is valid and builds; these checks look for what an editor
or a reader would notice in the printed issue: a copyright year from another
year, abbreviations nobody spelled out, a section of one line, a headline too
long for the cover, a protocol number mistyped or listed twice, a figure with
no credit, a link that is not https, placeholder text left in.

Each finding is located like a load problem, by file, line, column and field;
a word found inside a text is located on its own line. Nothing here typesets:
headings are measured with the fonts' advance widths (`measure`).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from .measure import (
    COVER_HEADLINE,
    MASTHEAD,
    NARROWEST_PAPER,
    RUNNING_HEAD,
    TextSetting,
    line_count,
    text_width,
)
from .model import Issue, Section, SourcedIssue
from .render import PrintMarkdown


@dataclass(frozen=True, order=True)
class Finding:
    """One editorial warning about an issue file, located like a load problem."""

    path: Path
    line: int
    column: int
    field: str
    """The field as load problems name it: articles[0].sections[1].body."""
    message: str
    code: str
    """What kind of finding it is, e.g. 'copyright-year' (see CODES)."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        """The finding as plain data for the JSON report (the issue is named by the entry)."""
        return {
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, path: Path, data: dict[str, Any]) -> "Finding":
        """The finding about the issue at PATH that `as_dict` gave DATA for."""
        return cls(path, data["line"], data["column"], data["field"], data["message"], data["code"])


CODES = {
    "copyright-year": "the copyright year is not the issue's year",
    "undefined-abbreviation": "an abbreviation in the text is not in the glossary",
    "unused-glossary-entry": "a glossary entry is not used in the text",
    "short-section": "a section's text is empty or a single short line",
    "long-heading": "a heading is too long for the cover or the running head",
    "protocol-number": "a protocol number is not YYYY-NNNN with a plausible year",
    "duplicate-protocol": "a protocol number is listed more than once in the issue",
    "missing-credit": "a figure has no credit",
    "http-link": "a link uses http:, not https:",
    "link-scheme": "a link is not https:, mailto: or tel:",
    "placeholder": "placeholder text is left in",
}
"""Every kind of finding, with what it means."""


def check_issue(sourced: SourcedIssue, fonts: Path) -> tuple[Finding, ...]:
    """Run every editorial check on SOURCED; return the findings in file order.

    FONTS is the folder of the shipped fonts, whose widths decide whether a
    heading fits.
    """
    checks = (
        _copyright_year,
        _abbreviations,
        _short_sections,
        _protocol_numbers,
        _figure_credits,
        _links,
        _placeholders,
    )
    findings = [finding for check in checks for finding in check(sourced)]
    findings.extend(_long_headings(sourced, fonts))
    return tuple(sorted(findings))


def _finding(
    sourced: SourcedIssue,
    field: str,
    message: str,
    code: str,
    position: tuple[int, int] | None = None,
) -> Finding:
    line, column = position or sourced.positions.get(field, (1, 1))
    return Finding(sourced.path, line, column, _shown(field), message, code)


def _shown(field: str) -> str:
    """A field as load problems name it: articles.0.title is articles[0].title."""
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", field)


def _sections(issue: Issue) -> Iterator[tuple[str, Section]]:
    """Every section of the issue, with its field: articles.0.sections.1."""
    for a, article in enumerate(issue.articles):
        for s, section in enumerate(article.sections):
            yield f"articles.{a}.sections.{s}", section


def _copyright_year(sourced: SourcedIssue) -> Iterator[Finding]:
    issue = sourced.issue
    year, issued = issue.copyright.year, issue.issue.year
    if year != issued:
        message = (
            f"© {year}, but this is the {issue.issue.season} {issued} issue "
            f"(right only if the text was first published in {year})"
        )
        yield _finding(sourced, "copyright.year", message, "copyright-year")


# ---------- Abbreviations ----------

ABBREVIATION = re.compile(r"(?<!\w)([A-Z0-9]*[A-Z][A-Z0-9]*)s?(?!\w)")
"""Two or more capitals and digits, one a capital at least: APL, FLT3; JAK-STAT is
two. A plural s may follow (CRs)."""

ROMAN_NUMERAL = re.compile(r"(?=[IVX]{2})X{0,3}(IX|IV|V?I{0,3})")
"""II to XXXIX, as in Phase II or stage IV. Numerals with L, C, D or M are left out:
CML, CD and MD are abbreviations far more often than numbers."""

NOT_WORDS = re.compile(
    r"`[^`]*`"  # code
    r"|\]\([^)]*\)"  # a Markdown link's destination
    r"|<[^<>\s]+>"  # an autolink
    r"|\b[A-Za-z][A-Za-z0-9+.-]*://\S+|\b(?:mailto|tel):\S+|\S+@\S+\.\S+"  # addresses
)
"""What is in the text but not read as words: addresses and code."""


@dataclass(frozen=True)
class _Use:
    """Where a word occurs: in which field, and where in its value."""

    field: str
    value: str
    offset: int
    order: tuple[int, int]
    """Sorts uses in file order: where the field is written, then the offset."""


def _abbreviations(sourced: SourcedIssue) -> Iterator[Finding]:
    """Abbreviations not in the glossary (at their first use), and entries never used."""
    first_uses, used = _read_abbreviations(sourced)
    for word, use in first_uses.items():
        position = sourced.position_in(use.field, use.value, use.offset)
        message = f"'{word}' is not in the glossary; add what it stands for"
        yield _finding(sourced, use.field, message, "undefined-abbreviation", position)
    if _has_placeholders(sourced.issue):
        return  # the text is still to be written: an entry cannot be used yet
    for entry in sourced.issue.glossary:
        if entry not in used:
            message = f"'{entry}' is in the glossary but not used in the text"
            yield _finding(sourced, f"glossary.{entry}", message, "unused-glossary-entry")


def _read_abbreviations(sourced: SourcedIssue) -> tuple[dict[str, _Use], set[str]]:
    """The first use of each abbreviation not in the glossary, and the entries used."""
    entries = _glossary_pattern(tuple(sourced.issue.glossary))
    first_uses: dict[str, _Use] = {}
    used: set[str] = set()
    for field, value, title in _reading_text(sourced.issue):
        order = sourced.spans.get(field, (0, 0))[0]
        text = NOT_WORDS.sub(lambda match: " " * len(match[0]), value)
        if entries:
            used.update(match[1] for match in entries.finditer(text))
            text = entries.sub(lambda match: " " * len(match[0]), text)
        if title and not any(char.islower() for char in text):
            continue  # a title set in capitals: its words are not abbreviations
        for match in ABBREVIATION.finditer(text):
            word = match[1]
            if len(word) < 2 or ROMAN_NUMERAL.fullmatch(word) or word in PLACEHOLDER_WORDS:
                continue
            use = _Use(field, value, match.start(), (order, match.start()))
            if word not in first_uses or use.order < first_uses[word].order:
                first_uses[word] = use
    return first_uses, used


@lru_cache(maxsize=16)
def _glossary_pattern(entries: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern that finds any of ENTRIES as a word (longest first), plural or not."""
    if not entries:
        return None
    alternatives = "|".join(re.escape(entry) for entry in sorted(entries, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})s?(?!\w)")


def _reading_text(issue: Issue) -> Iterator[tuple[str, str, bool]]:
    """Every text a reader reads or hears: (field, value, whether it is a title)."""
    if issue.cover.headline:
        yield "cover.headline", issue.cover.headline, True
    for a, article in enumerate(issue.articles):
        yield f"articles.{a}.title", article.title, True
        for s, section in enumerate(article.sections):
            at = f"articles.{a}.sections.{s}"
            yield f"{at}.heading", section.heading, True
            yield f"{at}.body", section.body, False
            for f, figure in enumerate(section.figures):
                for name in ("caption", "alt"):
                    if value := getattr(figure, name):
                        yield f"{at}.figures.{f}.{name}", value, False
            for p, protocol in enumerate(section.protocols):
                yield f"{at}.protocols.{p}.title", protocol.title, False
    if issue.contact:
        yield "contact.text", issue.contact.text, False


# ---------- Sections ----------

SHORT_SECTION_WORDS = 15
"""A section whose text is one line of fewer words than this is too short to stand alone."""


def _short_sections(sourced: SourcedIssue) -> Iterator[Finding]:
    for at, section in _sections(sourced.issue):
        body = section.body
        if _placeholder(body):
            continue  # reported as placeholder text
        words = re.findall(r"\w+", NOT_WORDS.sub(" ", body))
        if not words:
            message = "the section has no text, only marks"
        elif len(words) < SHORT_SECTION_WORDS and "\n" not in body:
            message = (
                f"the section's text is one line of {len(words)} words; "
                "write more, or merge it into the section next to it"
            )
        else:
            continue
        yield _finding(sourced, f"{at}.body", message, "short-section")


# ---------- Headings ----------


def _long_headings(sourced: SourcedIssue, fonts: Path) -> Iterator[Finding]:
    """Headings that take more lines than their place on the page has room for."""
    issue = sourced.issue
    headings: list[tuple[str, str, TextSetting]] = []
    if issue.cover.pdf is None:  # a designer's cover replaces the rendered one
        headings.append(("publication.title", issue.publication.title, MASTHEAD))
        headline = "cover.headline" if issue.cover.headline else "articles.0.title"
        headings.append((headline, issue.headline, COVER_HEADLINE))
    running_head = f"{issue.publication.title} · {issue.issue.season} {issue.issue.year}"
    headings.append(("publication.title", running_head, RUNNING_HEAD))
    for a, article in enumerate(issue.articles):
        headings.append((f"articles.{a}.title", article.title, RUNNING_HEAD))
    for field, text, setting in headings:
        lines = line_count(text, setting, fonts)
        if lines > setting.lines:
            message = _too_long(text, setting, lines, fonts)
            yield _finding(sourced, field, message, "long-heading")


def _too_long(text: str, setting: TextSetting, lines: int, fonts: Path) -> str:
    size = f"{setting.size:g} pt{' capitals' if setting.capitals else ''}"
    if setting.lines == 1:
        width, room = text_width(text, setting, fonts), setting.room(NARROWEST_PAPER)
        return (
            f"'{text}' is {width:.0f} pt wide in the {setting.name} ({size}), "
            f"which has room for {room:.0f} pt; shorten it"
        )
    return (
        f"the {setting.name} takes {lines} lines ({size}) and the cover has room "
        f"for {setting.lines}; shorten it"
    )


# ---------- Protocols ----------

PROTOCOL_NUMBER = re.compile(r"(\d{4})-(\d{4})")

PROTOCOL_YEARS = 30
"""A protocol opened more than this many years before the issue is surely mistyped."""


def _protocol_numbers(sourced: SourcedIssue) -> Iterator[Finding]:
    issued = sourced.issue.issue.year
    first_seen: dict[str, str] = {}
    for at, section in _sections(sourced.issue):
        for p, protocol in enumerate(section.protocols):
            field, number = f"{at}.protocols.{p}.id", protocol.id
            match = PROTOCOL_NUMBER.fullmatch(number)
            if not match:
                message = f"protocol number '{number}' is not written YYYY-NNNN (2007-0512)"
                yield _finding(sourced, field, message, "protocol-number")
            elif not issued - PROTOCOL_YEARS <= int(match[1]) <= issued:
                message = (
                    f"protocol number {number}: {match[1]} is not a plausible year "
                    f"for a protocol in a {issued} issue"
                )
                yield _finding(sourced, field, message, "protocol-number")
            if number not in first_seen:
                first_seen[number] = field
                continue
            line = sourced.positions.get(first_seen[number], (1, 1))[0]
            message = f"protocol {number} is listed twice in the issue (first on line {line})"
            yield _finding(sourced, field, message, "duplicate-protocol")


# ---------- Figures ----------


def _figure_credits(sourced: SourcedIssue) -> Iterator[Finding]:
    for at, section in _sections(sourced.issue):
        for f, figure in enumerate(section.figures):
            if figure.credit is None:
                message = f"figure '{figure.src}' has no credit: who made it, or where it is from"
                position = sourced.positions.get(f"{at}.figures.{f}")
                field = f"{at}.figures.{f}.credit"
                yield _finding(sourced, field, message, "missing-credit", position)


# ---------- Links ----------


class _LinkReader(PrintMarkdown):
    """Markdown as the renderer reads it, but keeping every link as written."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


@cache
def _link_reader() -> _LinkReader:
    return _LinkReader()


def _links(sourced: SourcedIssue) -> Iterator[Finding]:
    for at, section in _sections(sourced.issue):
        field, body, cursor = f"{at}.body", section.body, 0
        if "[" not in body and "<" not in body:
            continue  # no Markdown link without one: most sections, spared a parse
        for target in _link_targets(_link_reader().parse(body)):
            found = body.find(target, cursor)
            position = None
            if found >= 0:
                position, cursor = sourced.position_in(field, body, found), found + 1
            yield from _link_finding(sourced, field, target, position)
    contact = sourced.issue.contact
    if contact and contact.url:
        yield from _link_finding(sourced, "contact.url", contact.url, None)


def _link_targets(tokens: Iterable[Token]) -> Iterator[str]:
    for token in tokens:
        if token.type == "link_open":
            yield str(token.attrGet("href") or "")
        yield from _link_targets(token.children or ())


def _link_finding(
    sourced: SourcedIssue, field: str, target: str, position: tuple[int, int] | None
) -> Iterator[Finding]:
    scheme = target.split(":", 1)[0].lower() if ":" in target else ""
    if scheme in {"https", "mailto", "tel"}:
        return
    if scheme == "http":
        message = f"link '{target}' is not secure; use https:// if the site offers it"
        yield _finding(sourced, field, message, "http-link", position)
    else:
        message = f"link '{target}' is not https:, mailto: or tel:, so a reader cannot follow it"
        yield _finding(sourced, field, message, "link-scheme", position)


# ---------- Placeholders ----------

PLACEHOLDER_WORDS = frozenset({"TODO", "FIXME"})
"""Words, in capitals, that mark text still to be written."""

PLACEHOLDER = re.compile(r"(?<!\w)(?:TODO|FIXME)(?!\w)|(?i:lorem\s+ipsum)")


def _placeholder(text: str) -> re.Match[str] | None:
    return PLACEHOLDER.search(text)


def _has_placeholders(issue: Issue) -> bool:
    return any(_placeholder(value) for _, value in _strings(issue.model_dump()))


def _placeholders(sourced: SourcedIssue) -> Iterator[Finding]:
    for field, value in _strings(sourced.issue.model_dump()):
        if match := _placeholder(value):
            position = sourced.position_in(field, value, match.start())
            message = f"placeholder text left in ('{match[0]}'): replace it before printing"
            yield _finding(sourced, field, message, "placeholder", position)


def _strings(data: object, at: str = "") -> Iterator[tuple[str, str]]:
    """Every text value in DATA (an issue's plain data), with its field."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, f"{at}.{key}" if at else str(key))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from _strings(value, f"{at}.{index}")
    elif isinstance(data, str):
        yield at, data
