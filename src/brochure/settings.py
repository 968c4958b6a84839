"""Where the project's templates, styles and output live, and the build options.

Stages receive these values; none of them looks for files on its own.
"""

import enum
import os
from dataclasses import dataclass
from pathlib import Path


class Paper(enum.Enum):
    """Paper sizes, named as on the command line, valued as CSS page sizes."""

    LETTER = "letter"
    A4 = "A4"

    @property
    def css_size(self) -> str:
        return self.value

    @property
    def points(self) -> tuple[float, float]:
        """Width and height in PDF points, as WeasyPrint lays the page out."""
        return {Paper.LETTER: (612.0, 792.0), Paper.A4: (595.276, 841.89)}[self]


@dataclass(frozen=True)
class Settings:
    """The project folders a build reads from and writes to."""

    root: Path
    templates: Path
    styles: Path
    output: Path

    @classmethod
    def for_project(cls, root: Path) -> "Settings":
        root = root.resolve()
        return cls(root, root / "templates", root / "styles", root / "out")

    @property
    def stylesheet(self) -> Path:
        return self.styles / "brochure.css"


@dataclass(frozen=True)
class BuildOptions:
    """How to build: paper size, and whether typesetter warnings fail the build."""

    paper: Paper = Paper.LETTER
    strict: bool = True


def default_project_root() -> Path:
    """The project folder: $BROCHURE_PROJECT, else the checkout this package runs from."""
    if configured := os.environ.get("BROCHURE_PROJECT"):
        return Path(configured)
    # The package is installed from its checkout (src layout): two levels up.
    return Path(__file__).resolve().parents[2]
