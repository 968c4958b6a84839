"""Make docs/pictures/<edition>.png: every page of each edition of the Spring issue.

Run by `make pictures`; the README shows the results. Each picture is a strip of
the edition's pages (a booklet's sheet sides) on a gray ground, as poppler
renders them, so what the README shows is what the build makes.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from brochure.build import build_issue
from brochure.editions import EDITIONS
from brochure.settings import BuildOptions, Settings

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "pictures"
HEIGHT = 260
"""Pixels; the height of every page in a strip."""
GAP = 12
GROUND = (214, 217, 222)


def main() -> None:
    settings = Settings.for_project(ROOT)
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for edition in EDITIONS.values():
            output = Path(folder) / edition.output_name("2009-spring")
            build_issue(
                ROOT / "issues" / "2009-spring.yaml", settings, BuildOptions(), output,
                edition=edition,
            )  # fmt: skip
            pages = render(output, Path(folder) / edition.name)
            strip(pages).save(TARGET / f"{edition.name}.png", optimize=True)
            print(f"wrote docs/pictures/{edition.name}.png", file=sys.stderr)


def render(pdf: Path, prefix: Path) -> list[Image.Image]:
    subprocess.run(
        [
            "pdftoppm",
            "-scale-to-y",
            str(HEIGHT),
            "-scale-to-x",
            "-1",
            "-png",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    return [
        Image.open(path).convert("RGB")
        for path in sorted(prefix.parent.glob(f"{prefix.name}-*.png"))
    ]


def strip(pages: list[Image.Image]) -> Image.Image:
    width = sum(page.width for page in pages) + GAP * (len(pages) + 1)
    picture = Image.new("RGB", (width, HEIGHT + 2 * GAP), GROUND)
    x = GAP
    for page in pages:
        picture.paste(page, (x, GAP))
        x += page.width + GAP
    return picture


if __name__ == "__main__":
    main()
