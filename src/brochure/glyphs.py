"""Which characters the project's fonts can show.

The typesetter would quietly draw any other character from a font found on
the machine, which the PDF would then embed: output that differs from machine
to machine, and a file read from outside the project. So text from an issue
may only use characters that every shipped font has; the loader reports the
others, by field, before anything is typeset.
"""

import unicodedata
from pathlib import Path

from .fontfacts import font_facts

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")

UNDRAWN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
"""Control and format characters (line breaks, soft hyphens, joiners) need no glyph."""


def font_characters(fonts: Path) -> frozenset[int]:
    """The code points every font in the folder FONTS has a glyph for."""
    paths = sorted(path for path in fonts.iterdir() if path.suffix.lower() in FONT_SUFFIXES)
    common = [font_facts(path).characters for path in paths]
    return frozenset.intersection(*common) if common else frozenset()


def missing_characters(text: str, characters: frozenset[int]) -> list[str]:
    """The characters of TEXT, in order and once each, that no glyph in CHARACTERS shows."""
    missing = dict.fromkeys(
        char
        for char in text
        if ord(char) not in characters and unicodedata.category(char) not in UNDRAWN_CATEGORIES
    )
    return list(missing)


def describe(char: str) -> str:
    """A character as people can find it: 'ש' (U+05E9 HEBREW LETTER SHIN)."""
    name = unicodedata.name(char, "")
    return f"'{char}' (U+{ord(char):04X}{' ' + name if name else ''})"
