"""What the checks and the manifest need from each font file, read once per font.

Importing fontTools and decoding the fonts' cmap, name and metrics tables
takes a cold build about a tenth of its time, for facts that change only with
the file. They are kept by the file's SHA-256: in this process, and, for a
build that succeeds, as a small JSON file per font in a folder of the output
(`kept_in`), so the next command reads those instead. A file there that does
not hold what it should is read again from the font, never trusted.
"""

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from .errors import BrochureError
from .files import file_sha256, write_atomically

FORMAT = 1
"""Changes whenever the kept files would mean something else."""


@dataclass(frozen=True)
class FontFacts:
    """What brochure knows of one font without typesetting."""

    version: str
    """The version string the font declares (its name table, entry 5)."""
    advances: Mapping[int, float]
    """The advance width, in em, of each character the font has a glyph for."""
    missing_advance: float
    """The advance width, in em, of the box drawn for a character it lacks."""

    @cached_property
    def characters(self) -> frozenset[int]:
        """The code points the font has a glyph for."""
        return frozenset(self.advances)


def font_facts(path: Path) -> FontFacts:
    """The facts of the font at PATH."""
    return _facts(path.resolve(), file_sha256(path), _folder)


@contextlib.contextmanager
def kept_in(folder: Path) -> Iterator[Callable[[], None]]:
    """Within this block, reuse the facts kept in FOLDER.

    It gives a function that keeps there the facts read from fonts meanwhile:
    call it once the work has succeeded, since a failed build writes nothing.
    """
    global _folder
    previous, _folder = _folder, folder
    try:
        yield lambda: _keep(folder)
    finally:
        _folder = previous


_folder: Path | None = None
_read_from_fonts: dict[str, FontFacts] = {}
"""By SHA-256: facts this process read from a font, not from a kept file."""


@cache
def _facts(path: Path, sha256: str, folder: Path | None) -> FontFacts:
    if folder and (facts := _load(folder / f"{sha256}.json")):
        return facts
    facts = _read_from_fonts[sha256] = _read_font(path)
    return facts


def _keep(folder: Path) -> None:
    for sha256, facts in _read_from_fonts.items():
        with contextlib.suppress(BrochureError):  # a folder it cannot write only costs time
            write_atomically(folder / f"{sha256}.json", _dump(facts))


def _read_font(path: Path) -> FontFacts:
    from fontTools.ttLib import TTFont  # slow to import: only for a font not read before

    with TTFont(path, lazy=True) as font:
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        advances = {char: metrics[glyph][0] / per_em for char, glyph in font.getBestCmap().items()}
        return FontFacts(
            version=str(font["name"].getDebugName(5) or "unknown"),
            advances=advances,
            missing_advance=metrics[font.getGlyphOrder()[0]][0] / per_em,
        )


def _dump(facts: FontFacts) -> bytes:
    record = {
        "format": FORMAT,
        "version": facts.version,
        "advances": sorted(facts.advances.items()),
        "missing_advance": facts.missing_advance,
    }
    return json.dumps(record, separators=(",", ":")).encode()


def _load(path: Path) -> FontFacts | None:
    try:
        record = json.loads(path.read_bytes())
        version, pairs, missing = record["version"], record["advances"], record["missing_advance"]
        advances = {char: width for char, width in pairs if _is_advance(char, width)}
        if record["format"] == FORMAT and isinstance(version, str) and len(advances) == len(pairs):
            return FontFacts(version, advances, float(missing))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _is_advance(char: object, width: object) -> bool:
    return isinstance(char, int) and isinstance(width, int | float) and 0 <= char <= 0x10FFFF
