"""The issue format v1 as typed, immutable values.

These models are the contract of the issue file: fields may be added, none may
be renamed or change meaning. The loader feeds them plain strings, lists and
dicts; the models say what each field must be.
"""

import datetime
import re
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import IssueProblem
from .limits import DEFAULT_LIMITS, Limits

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A required piece of text: never empty, surrounding white space dropped."""

Year = Annotated[int, Field(ge=1000, le=9999)]


def _limits(info: ValidationInfo) -> Limits:
    """The limits the loader passed as validation context, or the defaults."""
    return info.context if isinstance(info.context, Limits) else DEFAULT_LIMITS


def _bounded_body(value: str, info: ValidationInfo) -> str:
    most = _limits(info).body_characters
    if len(value) > most:
        raise PydanticCustomError(
            "string_too_long", f"is longer than {most:,} characters; split it into sections"
        )
    return value


Body = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_bounded_body)
]

LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML counts as a line break."""

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _language_tag(value: str) -> str:
    if not LANGUAGE_TAG.match(value):
        raise ValueError("must be a language tag such as 'en' or 'en-US'")
    return value


def _web_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError("must be a web address starting with https:// or http://")
    return value


def _email(value: str) -> str:
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
        raise ValueError("must be an email address such as name@example.org")
    return value


class Model(BaseModel):
    """Base of every issue model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Publication(Model):
    """The newsletter itself."""

    title: Text
    publisher: Text


class IssueInfo(Model):
    """Which issue this is."""

    season: Text
    year: Year
    date: datetime.date | None = None
    language: Annotated[str, AfterValidator(_language_tag)] = "en"


class Cover(Model):
    """The front cover: a headline, or a finished cover PDF from a designer."""

    headline: Text | None = None
    pdf: Path | None = None
    image: Path | None = None
    image_alt: Text | None = None
    image_decorative: bool = False
    """The image is ornament only: screen readers skip it, so it needs no alt text."""

    @model_validator(mode="after")
    def _image_is_described(self) -> "Cover":
        if self.image is not None:
            _check_described(self.image_alt, self.image_decorative, "image_alt", "image_decorative")
        return self


def _check_described(
    alt: str | None, decorative: bool, alt_name: str, decorative_name: str
) -> None:
    """Tagged PDF requires it: a screen reader says what a picture shows, or skips it."""
    if alt is None and not decorative:
        raise ValueError(
            f"{alt_name} is required with an image: describe the picture "
            f"(or set {decorative_name}: true for an ornament)"
        )
    if alt is not None and decorative:
        raise ValueError(f"an image is described by {alt_name} or {decorative_name}, not both")


class Protocol(Model):
    """A clinical-trial protocol, e.g. 2007-0512."""

    id: Text
    title: Text


class Figure(Model):
    """A picture in a section: an image file next to the issue, with its caption."""

    src: Path
    alt: Text | None = None
    caption: Text | None = None
    credit: Text | None = None
    decorative: bool = False
    """The image is ornament only: screen readers skip it, so it needs no alt text."""

    @model_validator(mode="after")
    def _is_described(self) -> "Figure":
        _check_described(self.alt, self.decorative, "alt", "decorative")
        return self


class Section(Model):
    """A headed run of Markdown text, optionally with figures and protocols."""

    heading: Text
    body: Body
    figures: tuple[Figure, ...] = ()
    protocols: tuple[Protocol, ...] = ()


class Article(Model):
    """An article: a title and one or more sections."""

    title: Text
    sections: Annotated[tuple[Section, ...], Field(min_length=1)]


class Contact(Model):
    """The contact notice on the back page."""

    text: Text
    name: Text | None = None
    phone: Text | None = None
    email: Annotated[str, AfterValidator(_email)] | None = None
    url: Annotated[str, AfterValidator(_web_url)] | None = None


class Copyright(Model):
    """The copyright line: © year holder."""

    year: Year
    holder: Text


ABBREVIATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9&/.+-]{0,15}$")


def _abbreviation(key: str) -> str:
    if not ABBREVIATION.match(key) or not any(char.isupper() for char in key):
        raise ValueError(
            "not an abbreviation: up to 16 letters and digits, "
            "at least one a capital, such as APL or FLT3"
        )
    return key


Glossary = dict[Annotated[str, AfterValidator(_abbreviation)], Text]
"""Abbreviations and what they stand for, e.g. {'APL': 'acute promyelocytic leukemia'}."""


class Issue(Model):
    """One newsletter issue, as written in `issues/<slug>.yaml`."""

    publication: Publication
    issue: IssueInfo
    cover: Cover = Cover()
    articles: Annotated[tuple[Article, ...], Field(min_length=1)]
    glossary: Glossary = {}
    contact: Contact | None = None
    copyright: Copyright

    @field_validator("articles")
    @classmethod
    def _sections_are_bounded(
        cls, articles: tuple[Article, ...], info: ValidationInfo
    ) -> tuple[Article, ...]:
        count, most = sum(len(article.sections) for article in articles), _limits(info).sections
        if count > most:
            raise ValueError(f"{count:,} sections; an issue may have at most {most:,}")
        return articles

    @property
    def title(self) -> str:
        """The document title, e.g. 'Leukemia Insights — Spring 2009'."""
        return f"{self.publication.title} — {self.issue.season} {self.issue.year}"

    @property
    def headline(self) -> str:
        """The cover headline, or the lead article's title when none is given."""
        return self.cover.headline or self.articles[0].title

    @property
    def assets(self) -> dict[str, Path]:
        """The files the issue names, by field, relative to the issue's folder."""
        named = {"cover.pdf": self.cover.pdf, "cover.image": self.cover.image}
        for a, article in enumerate(self.articles):
            for s, section in enumerate(article.sections):
                for f, figure in enumerate(section.figures):
                    named[f"articles.{a}.sections.{s}.figures.{f}.src"] = figure.src
        return {field: path for field, path in named.items() if path is not None}

    @property
    def images(self) -> dict[str, Path]:
        """The image files the issue names, by field: every asset but the cover PDF."""
        return {field: path for field, path in self.assets.items() if field != "cover.pdf"}


class SourcedIssue(Model):
    """An issue together with where it was read from."""

    slug: str
    path: Path
    issue: Issue
    positions: dict[str, tuple[int, int]] = {}
    """Line and column of every value, by field (articles.0.sections.1.body), for
    problems found after loading."""
    source: str = ""
    """The issue file's text, as read."""
    spans: dict[str, tuple[int, int]] = {}
    """Where each scalar value is written in SOURCE: its start and end offsets, so
    that a word found in a value can be located on its own line."""

    def problem(self, field: str, message: str) -> IssueProblem:
        """A problem with FIELD, found after loading (e.g. in a file it names)."""
        line, column = self.positions.get(field, (1, 1))
        return IssueProblem(self.path, line, column, field, message)

    def position_in(self, field: str, value: str, offset: int) -> tuple[int, int]:
        """Line and column, in the file, of the word at OFFSET in FIELD's VALUE.

        Block scalars start on the line after their key, and folded, plain or
        quoted text may run over several lines; so the word is found again in
        the file's text, as the same occurrence after where the value starts.
        Falls back to the value's own position when the file does not show the
        word as it is (an escape in it).
        """
        start_line, start_column = self.positions.get(field, (1, 1))
        word = value[offset:].split(maxsplit=1)[:1]
        if not word:
            return start_line, start_column
        start, end = self.spans.get(field, (0, 0))
        found = start - 1
        for _ in range(_occurrences_before(value, word[0], offset) + 1):
            found = self.source.find(word[0], found + 1, end)
            if found < 0:
                return start_line, start_column
        breaks = list(LINE_BREAK.finditer(self.source, start, found))
        if not breaks:
            return start_line, start_column + found - start
        return start_line + len(breaks), found - breaks[-1].end() + 1

    @property
    def folder(self) -> Path:
        """The folder the issue file is in: where the files it names are looked up."""
        return self.path.resolve().parent


def _occurrences_before(text: str, word: str, offset: int) -> int:
    """How many times WORD starts in TEXT before OFFSET, overlaps included."""
    count, found = 0, text.find(word)
    while 0 <= found < offset:
        count, found = count + 1, text.find(word, found + 1)
    return count
