"""Figures: numbered across the issue, placed after their first mention, never enlarged.

Each test reads the built PDF back: the text poppler extracts, the size each
image is drawn at, the structure tree a screen reader walks, and the verdicts
of the PDF/UA and PDF/A validators.
"""

import re
from pathlib import Path

import pikepdf
import pytest
from page import ValidationProfile, validate_pdf
from PIL import Image

from brochure.build import BuildResult, build_issue
from brochure.editions import EDITIONS
from brochure.preflight import Requirements, preflight
from brochure.settings import BuildOptions, Settings
from helpers import (
    assert_in_order,
    image_placements,
    pdf_text,
    run,
    spring_data,
    structure_elements,
    write_issue,
)

COLUMN = 612 - (1.25 + 1.6) * 72
"""Points: the text column of a Letter body page."""

PHOTO_ALT = "The clinic's waiting room in the morning"
CHART_ALT = "Bar chart: response rates in four cohorts"
TABLE_ALT = "Table of the protocols open this spring"


def figure_issue(folder: Path) -> Path:
    """The Spring issue with three figures and an ornament, their files in art/."""
    art = folder / "art"
    art.mkdir(parents=True)
    Image.new("RGB", (2400, 1500), (40, 110, 140)).save(art / "photo.jpg", quality=90)
    Image.new("RGB", (600, 400), (23, 54, 93)).save(art / "chart.png")
    Image.new("RGB", (450, 300), (90, 90, 90)).save(art / "table.png")
    Image.new("RGB", (1200, 120), (181, 71, 43)).save(art / "rule.png")
    data = spring_data()
    first, second = data["articles"][0]["sections"]
    first["body"] += (
        "\nResponse rates by cohort are compared in Fig. 2.\n\n"
        "The study continues to enrol patients.\n"
    )
    first["figures"] = [
        {
            "src": "art/photo.jpg",
            "alt": PHOTO_ALT,
            "caption": "The leukemia clinic, where the study enrols patients.",
            "credit": "Photo: Jane Example",
        },
        {
            "src": "art/chart.png",
            "alt": CHART_ALT,
            "caption": "Response rates by cohort.",
            "credit": "Source: protocol 2007-0512",
        },
    ]
    second["body"] += "\nThe protocols open this spring are listed in Figure 3.\n"
    second["figures"] = [
        {"src": "art/rule.png", "decorative": True},
        {"src": "art/table.png", "alt": TABLE_ALT, "caption": "Open protocols."},
    ]
    return write_issue(folder / "2009-figures.yaml", data)


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return figure_issue(tmp_path_factory.mktemp("figures"))


@pytest.fixture(scope="module")
def built(issue: Path, settings: Settings) -> dict[str, BuildResult]:
    """The issue in the editions that matter for figures, each built once."""
    return {
        name: build_issue(
            issue, settings, BuildOptions(), issue.parent / f"{name}.pdf", edition=EDITIONS[name]
        )
        for name in ("screen", "print", "large-print", "archive")
    }


def test_figures_are_numbered_across_the_issue_and_ornaments_are_not(
    built: dict[str, BuildResult],
) -> None:
    text = pdf_text(built["screen"].output)
    assert_in_order(
        text,
        [
            "Figure 2. Response rates by cohort. SOURCE: PROTOCOL 2007-0512",
            "Figure 1. The leukemia clinic, where the study enrols patients. PHOTO: JANE EXAMPLE",
            "Figure 3. Open protocols.",
        ],
    )
    assert "Figure 4" not in text


def test_a_figure_follows_the_paragraph_that_first_mentions_it(
    built: dict[str, BuildResult],
) -> None:
    text = pdf_text(built["screen"].output)
    # Figure 2 is mentioned in a paragraph of its own; figure 1 nowhere, so it
    # ends its section's text, before the protocol panel.
    assert_in_order(
        text,
        [
            "second complete remission.",
            "are compared in Fig. 2.",
            "Figure 2. Response rates by cohort.",
            "The study continues to enrol patients.",
            "Figure 1. The leukemia clinic",
            "2007-0512 Phase II oral Tamibarotene",
            "Other salvage regimens",
            "are listed in Figure 3.",
            "Figure 3. Open protocols.",
        ],
    )


@pytest.mark.parametrize(("edition", "dpi"), [("screen", 150), ("print", 300)])
def test_figures_fit_the_column_and_are_never_enlarged(
    built: dict[str, BuildResult], edition: str, dpi: int
) -> None:
    sizes = {pixels: size for _, pixels, size in image_placements(built[edition].output)}
    for pixels, (width, height) in sizes.items():
        # The full width of the column, or the image's pixels at the edition's
        # resolution if that is narrower; never wider than either.
        assert width == pytest.approx(min(COLUMN, pixels[0] * 72 / dpi), abs=0.05)
        assert width / height == pytest.approx(pixels[0] / pixels[1], rel=0.01)
    assert sizes[(600, 400)][0] == pytest.approx(600 * 72 / dpi)  # 4 in on screen, 2 in in print
    assert sizes[(2400, 1500)][0] == pytest.approx(COLUMN)
    assert len(sizes) == 4


def test_an_ornament_is_drawn_but_screen_readers_skip_it(built: dict[str, BuildResult]) -> None:
    with pikepdf.open(built["screen"].output) as pdf:
        figures = [e for e in structure_elements(pdf) if e.S == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == [CHART_ALT, PHOTO_ALT, TABLE_ALT]
        contents = b"".join(page.Contents.read_bytes() for page in pdf.pages)
    assert contents.count(b"/Artifact <</Type /Layout>> BDC") == 1
    assert len(image_placements(built["screen"].output)) == 4


def test_each_caption_is_tagged_after_its_figure(built: dict[str, BuildResult]) -> None:
    with pikepdf.open(built["screen"].output) as pdf:
        tags = [str(e.S) for e in structure_elements(pdf) if e.S in ("/Figure", "/Caption")]
    assert tags == ["/Figure", "/Caption"] * 3


@pytest.mark.parametrize(
    ("edition", "profile"),
    [
        ("screen", ValidationProfile.PDF_UA_1),
        ("large-print", ValidationProfile.PDF_UA_1),
        ("archive", ValidationProfile.PDF_A_3A),
    ],
)
def test_figures_keep_the_pdf_standards(
    built: dict[str, BuildResult], edition: str, profile: ValidationProfile
) -> None:
    report = validate_pdf(built[edition].output, profile=profile)
    assert [(f.rule_id, f.message) for f in report.failures] == []


def test_the_archive_carries_the_figure_files(built: dict[str, BuildResult], issue: Path) -> None:
    with pikepdf.open(built["archive"].output) as pdf:
        names = set(pdf.attachments)
        photo = pdf.attachments["art/photo.jpg"].get_file().read_bytes()
    assert {"art/photo.jpg", "art/chart.png", "art/table.png", "art/rule.png"} <= names
    assert photo == (issue.parent / "art" / "photo.jpg").read_bytes()


def test_print_figures_are_cmyk_and_seen_by_the_resolution_check(
    built: dict[str, BuildResult],
) -> None:
    result = built["print"]
    assert result.preflight.passed
    with pikepdf.open(result.output) as pdf:
        spaces = {
            str(image.ColorSpace) for page in pdf.pages for image in page.get_images().values()
        }
    assert spaces == {"/DeviceCMYK"}
    # Figures are sized at exactly 300 dpi where the column allows: a stricter
    # press would see each of those, which shows the check measures them.
    stricter = Requirements(page_multiple=4, boxes=True, bleed=9.0, cmyk=True, min_image_dpi=301)
    findings = preflight(result.output.read_bytes(), stricter).findings
    assert sorted(re.sub(r"/\w+", "IMAGE", f.message.split(": ", 1)[1]) for f in findings) == [
        "image IMAGE is 300 dpi at its printed size (needs 301)",
        "image IMAGE is 300 dpi at its printed size (needs 301)",
        "image IMAGE is 300 dpi at its printed size (needs 301)",
    ]


def test_the_html_names_figures_by_file_url_and_ornaments_have_empty_alt(
    issue: Path, tmp_path: Path
) -> None:
    output = tmp_path / "issue.html"
    code, _, err = run("html", str(issue), "-o", str(output))
    assert code == 0, err
    html = output.read_text(encoding="utf-8")
    art = (issue.parent / "art").as_uri()
    assert f'<img class="figure-image" src="{art}/chart.png" alt="{CHART_ALT}">' in html
    assert f'<img class="figure-image" src="{art}/rule.png" alt="">' in html


def figure_line(issue: Path, src: str) -> tuple[int, int]:
    """Line and column of the value of the `src:` field that names SRC."""
    for number, line in enumerate(issue.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().endswith(f"src: {src}"):
            return number, line.index(src) + 1
    raise AssertionError(f"no src: {src}")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing", "file 'art/chart.png' does not exist"),
        ("corrupt", "'art/chart.png' is not a readable image"),
    ],
)
def test_a_missing_or_damaged_figure_is_reported_at_its_field(
    tmp_path: Path, damage: str, message: str
) -> None:
    issue = figure_issue(tmp_path)
    chart = tmp_path / "art" / "chart.png"
    if damage == "missing":
        chart.unlink()
    else:
        chart.write_bytes(chart.read_bytes()[:60])
    code, _, err = run("build", str(issue), "-o", str(tmp_path / "x.pdf"))
    assert code == 1
    line, column = figure_line(issue, "art/chart.png")
    field = "articles[0].sections[0].figures[1].src"
    assert f"{issue}:{line}:{column}: {field}: {message}" in err
    assert not (tmp_path / "x.pdf").exists()
