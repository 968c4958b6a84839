"""Where the project's templates, styles and output live, and the build options.

Stages receive these values; none of them looks for files on its own.
"""

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from .limits import DEFAULT_LIMITS, Limits

POINTS_PER_INCH = 72.0
POINTS_PER_MM = 72.0 / 25.4


class ColourModel(enum.Enum):
    """How colours are given: sRGB for screens and office printers, CMYK for the press."""

    RGB = "rgb"
    CMYK = "cmyk"


class Paper(enum.Enum):
    """Page and sheet sizes, named as on the command line."""

    LETTER = "letter"
    A4 = "a4"
    HALF_LETTER = "half-letter"
    A5 = "a5"
    TABLOID = "tabloid"
    A3 = "a3"

    @property
    def points(self) -> tuple[float, float]:
        """Width and height in PDF points, portrait."""
        return _SIZES[self]

    @property
    def css_size(self) -> str:
        width, height = self.points
        return f"{width:g}pt {height:g}pt"

    @property
    def metric(self) -> bool:
        return self in (Paper.A3, Paper.A4, Paper.A5)

    @property
    def compact(self) -> bool:
        """Small enough to need the compact layout (half-letter, A5)."""
        return self.points[0] < 7 * POINTS_PER_INCH

    @property
    def bleed(self) -> float:
        """The bleed a print shop expects around a trimmed page: 1/8 in, or 3 mm."""
        return 3 * POINTS_PER_MM if self.metric else POINTS_PER_INCH / 8

    @property
    def folded(self) -> "Paper":
        """The page size a sheet of this paper makes when folded in half."""
        return _FOLDED[self]

    @property
    def booklet_sheet(self) -> "Paper":
        """The sheet that carries two pages of this size side by side."""
        return _UNFOLDED[self]


_SIZES = {
    Paper.LETTER: (612.0, 792.0),
    Paper.A4: (595.276, 841.89),
    Paper.HALF_LETTER: (396.0, 612.0),
    Paper.A5: (419.528, 595.276),
    Paper.TABLOID: (792.0, 1224.0),
    Paper.A3: (841.89, 1190.551),
}
_FOLDED = {
    Paper.TABLOID: Paper.LETTER,
    Paper.LETTER: Paper.HALF_LETTER,
    Paper.A3: Paper.A4,
    Paper.A4: Paper.A5,
}
_UNFOLDED = {page: sheet for sheet, page in _FOLDED.items()}


@dataclass(frozen=True)
class Settings:
    """The project folders a build reads from and writes to, and the limits it keeps."""

    root: Path
    templates: Path
    styles: Path
    output: Path
    limits: Limits = DEFAULT_LIMITS

    @classmethod
    def for_project(cls, root: Path, limits: Limits = DEFAULT_LIMITS) -> "Settings":
        root = root.resolve()
        return cls(root, root / "templates", root / "styles", root / "out", limits)

    @property
    def stylesheet(self) -> Path:
        return self.styles / "brochure.css"

    @property
    def cache(self) -> Path:
        """Where builds keep what later builds may reuse: records of outputs, font facts."""
        return self.output / ".brochure-cache"

    @property
    def fonts(self) -> Path:
        """The fonts every text is set in; no other font is ever used."""
        return self.styles / "fonts"

    @property
    def press_profile(self) -> Path:
        """The CMYK profile of the print edition (styles/editions/print.css names it too)."""
        return self.styles / "colour" / "FOGRA39-brochure.icc"


@dataclass(frozen=True)
class BuildOptions:
    """How to build, whatever the edition.

    PAPER is the trimmed page size; a booklet's pages are half its SHEET
    (default: the sheet that holds two pages of PAPER). CREEP shifts each
    booklet sheet's pages toward the fold by this many points more than the
    sheet outside it. GRAYSCALE renders every colour and image in gray. With
    STRICT, any typesetter warning or preflight problem fails the build.
    """

    paper: Paper = Paper.LETTER
    sheet: Paper | None = None
    creep: float = 0.0
    grayscale: bool = False
    strict: bool = True


def default_project_root() -> Path:
    """The project folder: $BROCHURE_PROJECT, else the checkout this package runs from."""
    if configured := os.environ.get("BROCHURE_PROJECT"):
        return Path(configured)
    # The package is installed from its checkout (src layout): two levels up.
    return Path(__file__).resolve().parents[2]
