"""Make the static fonts in styles/fonts/ from the OFL variable fonts.

The variable Source Serif 4 and Source Sans 3 fonts come from the pinned PyPI
packages ``fontpkg-source-serif-4==4.4`` and ``fontpkg-source-sans-3==3.52``.
PDF has no variable fonts, so each weight the stylesheet uses is cut as a
static instance; the output is deterministic for the same inputs.

Usage: python tools/make_fonts.py DIR_WITH_UNPACKED_WHEELS styles/fonts
"""

import sys
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

# (variable file, output name, axis location)
INSTANCES = [
    ("SourceSerif4[opsz,wght].ttf", "SourceSerif4-Regular.ttf", {"opsz": 11, "wght": 400}),
    ("SourceSerif4[opsz,wght].ttf", "SourceSerif4-Semibold.ttf", {"opsz": 11, "wght": 600}),
    ("SourceSerif4[opsz,wght].ttf", "SourceSerif4Display-Semibold.ttf", {"opsz": 48, "wght": 600}),
    ("SourceSerif4-Italic[opsz,wght].ttf", "SourceSerif4-Italic.ttf", {"opsz": 11, "wght": 400}),
    (
        "SourceSerif4-Italic[opsz,wght].ttf",
        "SourceSerif4-SemiboldItalic.ttf",
        {"opsz": 11, "wght": 600},
    ),
    ("SourceSans3[wght].ttf", "SourceSans3-Regular.ttf", {"wght": 400}),
    ("SourceSans3[wght].ttf", "SourceSans3-Semibold.ttf", {"wght": 600}),
    ("SourceSans3[wght].ttf", "SourceSans3-Bold.ttf", {"wght": 700}),
    ("SourceSans3-Italic[wght].ttf", "SourceSans3-Italic.ttf", {"wght": 400}),
]


def main(source: Path, target: Path) -> None:
    """Write every static instance from the variable fonts under SOURCE."""
    for variable_name, static_name, location in INSTANCES:
        variable_path = next(p for p in source.rglob("*.ttf") if p.name == variable_name)
        # The timestamp would otherwise make every run's files differ.
        font = TTFont(variable_path, recalcTimestamp=False)
        instancer.instantiateVariableFont(font, location, inplace=True, updateFontNames=True)
        font.save(target / static_name, reorderTables=True)
        print(f"{static_name} <- {variable_name} {location}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
