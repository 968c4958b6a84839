"""Measuring headings: the numbers match the stylesheet, and the line counts match
what WeasyPrint lays out with the same fonts, sizes and widths."""

import re
from html import escape
from pathlib import Path

import pytest

from brochure.measure import (
    COVER_HEADLINE,
    MASTHEAD,
    RUNNING_HEAD,
    TextSetting,
    line_count,
    text_width,
)
from brochure.settings import POINTS_PER_INCH, Paper, Settings

CSS = (Path(__file__).resolve().parents[1] / "styles" / "brochure.css").read_text(encoding="utf-8")


def rule(selector: str) -> str:
    """The declarations of the first CSS rule whose selector is SELECTOR."""
    match = re.search(rf"(?m)^{re.escape(selector)} \{{(.*?)\}}", CSS, re.DOTALL)
    assert match, f"no rule {selector!r} in brochure.css"
    return match[1]


def font_file(family: str, weight: str) -> str:
    """The file the @font-face rules give FAMILY at WEIGHT (normal style)."""
    for face in re.findall(r"@font-face \{(.*?)\}", CSS, re.DOTALL):
        if f'"{family}"' in face and f"font-weight: {weight};" in face and "normal" in face:
            return re.search(r'url\("fonts/([^"]+)"\)', face)[1]  # type: ignore[index]
    raise AssertionError(f"no @font-face for {family} {weight}")


def inches(length: str) -> float:
    assert length.endswith("in"), length
    return float(length[:-2]) * POINTS_PER_INCH


@pytest.mark.parametrize(
    ("setting", "selector"),
    [(MASTHEAD, ".masthead-title"), (COVER_HEADLINE, ".cover-headline")],
)
def test_cover_settings_are_the_stylesheets(setting: TextSetting, selector: str) -> None:
    weight, size, family = re.search(
        r'font: (\d+) ([\d.]+)pt/[\d.]+pt "([^"]+)"', rule(selector)
    ).groups()  # type: ignore[union-attr]
    assert setting.size == float(size)
    assert setting.font == font_file(family, weight)
    box = ".masthead" if setting is MASTHEAD else ".cover-feature"
    padding = re.search(r"padding: (.*);", rule(box))[1]  # type: ignore[index]
    # The horizontal padding is the second value (the masthead adds the bleed outside the trim).
    side = re.sub(r"calc\((\S+) \+ var\(--bleed\)\)", r"\1", padding).split()[1]
    assert setting.inset == 2 * inches(side)
    assert "@page cover { margin: 0; }" in CSS


def test_running_head_setting_is_the_stylesheets() -> None:
    declarations = rule(".running-head")
    weight, size, family = re.search(r'font: (\d+) ([\d.]+)pt/1 "([^"]+)"', declarations).groups()  # type: ignore[union-attr]
    assert RUNNING_HEAD.size == float(size)
    assert RUNNING_HEAD.font == font_file(family, weight)
    assert f"letter-spacing: {RUNNING_HEAD.tracking:g}em;" in declarations
    assert "text-transform: uppercase;" in declarations
    # The right-hand running head is set the same way, in the page's top margin box.
    top_right = re.search(r"@top-right \{(.*?)\}", CSS, re.DOTALL)[1]  # type: ignore[index]
    for declaration in re.findall(r"(?:font|letter-spacing|text-transform): [^;]+;", declarations):
        assert declaration in top_right
    margins = re.search(r"@page \{\s*margin: (.*?);", CSS)[1].split()  # type: ignore[index]
    assert RUNNING_HEAD.inset == pytest.approx(inches(margins[1]) + inches(margins[3]))


def weasyprint_lines(text: str, setting: TextSetting, paper: Paper, fonts: Path) -> int:
    """How many lines WeasyPrint makes of TEXT in SETTING's font, size and box."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import LineBox

    html = f"""<style>
      @font-face {{ font-family: Measured; src: url("{(fonts / setting.font).as_uri()}"); }}
      @page {{ size: {paper.points[0]}pt 2000pt; margin: 0; }}
      p {{ margin: 0; width: {setting.room(paper)}pt; font: {setting.size}pt/1.2 Measured;
          letter-spacing: {setting.tracking}em; hyphens: manual;
          text-transform: {"uppercase" if setting.capitals else "none"}; }}
    </style><p>{escape(text)}</p>"""
    page = HTML(string=html).render().pages[0]
    return sum(isinstance(box, LineBox) for box in page._page_box.descendants())


HEADINGS = [
    (MASTHEAD, "Leukemia Insights"),
    (MASTHEAD, "Leukemia and Lymphoma Insights"),
    (COVER_HEADLINE, "Salvage Regimens"),
    (COVER_HEADLINE, "Salvage regimens for relapsed acute myeloid leukemia"),
    (COVER_HEADLINE, "Salvage regimens for relapsed and refractory acute myeloid leukemia today"),
    (COVER_HEADLINE, "Tyrosine-kinase inhibitors in Philadelphia-chromosome-positive leukemia"),
    (RUNNING_HEAD, "Salvage Regimens"),
    (RUNNING_HEAD, "Leukemia Insights · Spring 2009"),
    (RUNNING_HEAD, "Salvage regimens for relapsed and refractory acute myeloid leukemia"),
    (RUNNING_HEAD, "Salvage regimens for relapsed and refractory acute myeloid leukemia in 2009"),
    (
        RUNNING_HEAD,
        "Salvage regimens for relapsed and refractory acute myeloid leukemia, an update in 2009",
    ),
]


@pytest.mark.parametrize("paper", [Paper.LETTER, Paper.A4])
@pytest.mark.parametrize(("setting", "text"), HEADINGS)
def test_line_count_is_what_weasyprint_lays_out(
    settings: Settings, setting: TextSetting, text: str, paper: Paper
) -> None:
    assert line_count(text, setting, settings.fonts, paper) == weasyprint_lines(
        text, setting, paper, settings.fonts
    )


def test_the_masthead_wraps_on_a4_only(settings: Settings) -> None:
    # As the Spring issue's cover shows: one line on Letter, two on the narrower A4.
    assert line_count("Leukemia Insights", MASTHEAD, settings.fonts, Paper.LETTER) == 1
    assert line_count("Leukemia Insights", MASTHEAD, settings.fonts, Paper.A4) == 2


def test_capitals_and_tracking_widen_the_running_head(settings: Settings) -> None:
    plain = TextSetting("plain", RUNNING_HEAD.font, RUNNING_HEAD.size, 0, 1)
    assert text_width("Salvage", plain, settings.fonts) < text_width(
        "SALVAGE", plain, settings.fonts
    )
    assert text_width("Salvage", RUNNING_HEAD, settings.fonts) == pytest.approx(
        text_width("SALVAGE", plain, settings.fonts) + 7 * 0.08 * 8
    )
