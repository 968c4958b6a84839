"""Start a new issue file from the most recent one: `brochure new 2009-fall`.

What stays from issue to issue is copied (publication, contact, copyright
holder, glossary); what changes is set from the slug (season, year, copyright
year) or left as placeholder text marked TODO, which `brochure check` reports
until it is replaced. The file is written from a commented template, so the
writer sees what each field is for; it is valid and builds as it is.
"""

import datetime
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BrochureError, IssueInvalid
from .files import write_new
from .load import load_issue
from .model import Issue, SourcedIssue

SEASON_MONTHS = {"winter": 1, "spring": 4, "summer": 7, "fall": 10, "autumn": 10}
"""The seasons an issue may be named after, in the order they come in a year, with
the month their issue is taken to appear in when it gives no date."""

SLUG = re.compile(rf"(\d{{4}})-({'|'.join(SEASON_MONTHS)})", re.IGNORECASE)

WRAP = 76
"""Longest line of folded text in the file written."""


@dataclass(frozen=True)
class NewIssue:
    """An issue file just written, and the one it was started from."""

    path: Path
    source: Path
    skipped: tuple[Path, ...] = ()
    """Issue files that could not be read, so were not considered as the source."""


def parse_slug(slug: str) -> tuple[int, str]:
    """The year and season a slug such as 2009-fall names: (2009, 'Fall').

    Raise `ValueError` if SLUG is not YEAR-SEASON.
    """
    match = SLUG.fullmatch(slug)
    if not match:
        seasons = ", ".join(SEASON_MONTHS)
        raise ValueError(f"{slug!r} is not YEAR-SEASON, such as 2009-fall (seasons: {seasons})")
    return int(match[1]), match[2].capitalize()


def issue_date(issue: Issue) -> datetime.date:
    """When ISSUE appeared: its date, else the start of its season's month in its year.

    A season that is not a known one counts as the start of the year.
    """
    if issue.issue.date:
        return issue.issue.date
    month = SEASON_MONTHS.get(issue.issue.season.strip().lower(), 1)
    return datetime.date(issue.issue.year, month, 1)


def latest_issue(paths: list[Path]) -> tuple[SourcedIssue | None, tuple[Path, ...]]:
    """The most recent of the issues at PATHS, and the paths that could not be read."""
    issues, skipped = [], []
    for path in paths:
        try:
            issues.append(load_issue(path))
        except IssueInvalid:
            skipped.append(path)
    latest = max(issues, key=lambda s: (issue_date(s.issue), s.slug), default=None)
    return latest, tuple(skipped)


def write_new_issue(slug: str, issues: list[Path], folder: Path) -> NewIssue:
    """Write FOLDER/SLUG.yaml, started from the most recent of ISSUES.

    Raise `ValueError` if SLUG is not YEAR-SEASON, and `BrochureError` if
    the file exists or no issue can be started from.
    """
    year, season = parse_slug(slug)
    target = folder / f"{slug.lower()}.yaml"
    latest, skipped = latest_issue(issues)
    if latest is None:
        raise BrochureError(f"no valid issue in {folder}/ to start {target.name} from")
    write_new(target, new_issue_text(latest, year, season, target.stem).encode("utf-8"))
    return NewIssue(target, latest.path, skipped)


def new_issue_text(latest: SourcedIssue, year: int, season: str, slug: str) -> str:
    """The YAML of a new SEASON YEAR issue, carrying over what stays from LATEST."""
    issue = latest.issue
    publication = issue.publication
    return TEMPLATE.format(
        title=publication.title,
        season=season,
        year=year,
        source=latest.path.name,
        slug=slug,
        publication_title=_scalar(publication.title),
        publisher=_scalar(publication.publisher),
        season_value=_scalar(season),
        language=_scalar(issue.issue.language),
        month=f"{SEASON_MONTHS[season.lower()]:02d}",
        glossary=_glossary(issue.glossary),
        contact=_contact(issue),
        holder=_scalar(issue.copyright.holder),
    ).lstrip()


TEMPLATE = """
# {title}, {season} {year}.
# Started from {source} by `brochure new`. Replace each TODO, then:
#   brochure check issues/{slug}.yaml    # what is left to do, and other warnings
#   brochure build issues/{slug}.yaml    # writes out/{slug}.pdf

publication:
  title: {publication_title}
  publisher: {publisher}

issue:
  season: {season_value}
  year: {year}
  language: {language}
  # date: {year}-{month}-01        # optional: the day it appears; the PDF's date

# cover:                        # optional
#   headline: ...               # the cover's headline; default: the first article's title

articles:                       # one or more; each starts on a new page
  - title: "TODO: the article's title"
    sections:                   # one or more
      - heading: "TODO: the section's heading"
        body: |
          TODO: write this section. Its text is Markdown: leave a blank line
          between paragraphs, write *italics* and **bold**, start each item of
          a list with a dash, and write links as [words](https://example.org).
          Add sections to the article, and articles to the issue, as needed.
        # protocols:            # optional: clinical-trial protocols, in a panel
        #   - id: "{year}-0001"
        #     title: ...

{glossary}
{contact}
copyright:
  year: {year}
  holder: {holder}
"""


def _glossary(glossary: dict[str, str]) -> str:
    lines = [
        "# Abbreviations used in the text, and what they stand for: `brochure check`",
        "# warns about any used but not listed, and any listed but not used.",
    ]
    if not glossary:
        return "\n".join([*lines, "# glossary:", "#   APL: acute promyelocytic leukemia", ""])
    entries = [f"  {_scalar(key)}: {_scalar(value)}" for key, value in glossary.items()]
    return "\n".join([*lines, "glossary:", *entries, ""])


def _contact(issue: Issue) -> str:
    contact = issue.contact
    if contact is None:
        return "# contact:                     # optional: the back page's notice\n#   text: ...\n"
    lines = ["contact:                        # the back page's notice"]
    lines.append(f"  text: {_text(contact.text, indent=4)}")
    for name in ("name", "phone", "email", "url"):
        if value := getattr(contact, name):
            lines.append(f"  {name}: {_scalar(value)}")
    return "\n".join([*lines, ""])


def _scalar(value: str) -> str:
    """VALUE as a YAML scalar on one line, quoted only when YAML needs it."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=float("inf"))
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _text(value: str, indent: int) -> str:
    """VALUE as folded lines below its key when it is long and folds back the same."""
    foldable = "\n" not in value and "  " not in value and "\t" not in value
    if len(value) <= WRAP - indent or not foldable or value != value.strip():
        return _scalar(value)
    lines = textwrap.wrap(value, WRAP - indent, break_long_words=False, break_on_hyphens=False)
    return ">-\n" + "\n".join(" " * indent + line for line in lines)
