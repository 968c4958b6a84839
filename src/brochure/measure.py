"""How wide a line of text is in the shipped fonts, and how many lines it takes.

The editorial checks use this to tell whether a headline fits on the cover or a
title in the running head, without typesetting anything: each character's
advance width is read from the font file (`fontfacts`), at the size and in the
measure the stylesheet gives it.

The numbers below are taken from `styles/brochure.css` and kept here, in one
place; `tests/test_measure.py` reads the stylesheet and fails if they drift.
Kerning is left out: it only narrows a line by a point or two, so a measured
width errs on the long side.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from .fontfacts import FontFacts, font_facts
from .settings import POINTS_PER_INCH, Paper


@dataclass(frozen=True)
class TextSetting:
    """How the stylesheet sets one kind of text, and the room it has on the page."""

    name: str
    """What the text is, as a reader would call it: 'cover headline'."""
    font: str
    """The font file in styles/fonts/ that the CSS rule's family and weight select."""
    size: float
    """Font size, in points."""
    inset: float
    """Page width minus the width of the text's box, in points (margins and padding)."""
    lines: int
    """The most lines the text may take before it crowds what follows it."""
    tracking: float = 0.0
    """Letter spacing, in em, added after every character."""
    capitals: bool = False
    """The CSS sets it in capitals (text-transform: uppercase)."""

    def room(self, paper: Paper) -> float:
        """The width of the text's box on PAPER, in points."""
        return paper.points[0] - self.inset


INCH = POINTS_PER_INCH

MASTHEAD = TextSetting(
    name="masthead",
    # .masthead-title { font: 600 58pt/60pt "Brochure Display" } in .masthead, whose
    # padding is 1in on each side (plus the bleed, which lies outside the trim) on
    # @page cover { margin: 0 }. Three lines would reach the bottom of its 4.3in.
    font="SourceSerif4Display-Semibold.ttf",
    size=58,
    inset=2 * INCH,
    lines=2,
)

COVER_HEADLINE = TextSetting(
    name="cover headline",
    # .cover-headline { font: 600 34pt/38pt "Brochure Display" } in .cover-feature
    # { padding: 0.8in 1in 0 } on @page cover { margin: 0 }. Beyond two lines the
    # headline pushes the contents list into the cover's footer.
    font="SourceSerif4Display-Semibold.ttf",
    size=34,
    inset=2 * INCH,
    lines=2,
)

RUNNING_HEAD = TextSetting(
    name="running head",
    # .running-head and @page main:right @top-right { font: 400 8pt/1 "Brochure Sans";
    # letter-spacing: 0.08em; text-transform: uppercase }, in the top margin box that
    # spans the page between the side margins: 1.25in and 1.6in (@page, main:left).
    # It is one line above the text; a second would run into the page's edge.
    font="SourceSans3-Regular.ttf",
    size=8,
    inset=(1.25 + 1.6) * INCH,
    lines=1,
    tracking=0.08,
    capitals=True,
)

NARROWEST_PAPER = min((Paper.LETTER, Paper.A4), key=lambda paper: paper.points[0])
"""Issues are built on Letter or A4: text that fits the narrower fits both."""

BREAKS = re.compile(r"[^\s-]*-+|[^\s-]+")
"""The pieces a line may break after: words, and parts of words up to a hyphen."""


def text_width(text: str, setting: TextSetting, fonts: Path) -> float:
    """The width of TEXT on one line, in points, set as SETTING says."""
    return _width(text, setting, font_facts(fonts / setting.font))


def line_count(text: str, setting: TextSetting, fonts: Path, paper: Paper = NARROWEST_PAPER) -> int:
    """How many lines TEXT takes in SETTING's box on PAPER, broken as a browser would.

    Lines are filled greedily and break at spaces or after a hyphen; headings
    are not hyphenated (hyphens: manual), so no word is split elsewhere.
    """
    facts = font_facts(fonts / setting.font)
    room, space = setting.room(paper), _width(" ", setting, facts)
    lines, filled = 0, 0.0
    for word in text.split():
        for index, piece in enumerate(BREAKS.findall(word)):
            width = _width(piece, setting, facts)
            gap = space if index == 0 else 0.0
            if lines and filled + gap + width <= room:
                filled += gap + width
            else:
                lines, filled = lines + 1, width
    return lines


def _width(text: str, setting: TextSetting, facts: FontFacts) -> float:
    shown = text.upper() if setting.capitals else text
    advances, missing = facts.advances, facts.missing_advance
    ems = sum(advances.get(ord(char), missing) + setting.tracking for char in shown)
    return ems * setting.size
