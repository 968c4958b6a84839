"""Editions for paper, read back with pikepdf, poppler and pdfminer.

Every check here looks at the finished file as a print shop, an office printer
or a reader would: page boxes and their sizes, bleed and crop marks, the output
intent, padding, the order of pages on booklet sheets, gray pages, type sizes.
"""

import io
import itertools
import re
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent
from PIL import Image, ImageChops

from brochure.brand import read_brand
from brochure.build import BuildResult, build_issue
from brochure.editions import EDITIONS, parse_editions, plan_layout
from brochure.errors import BrochureError, PreflightFailed
from brochure.impose import impose, saddle_stitch
from brochure.settings import BuildOptions, Paper, Settings
from helpers import (
    PROJECT,
    SPRING,
    assert_in_order,
    assert_no_stream_ends_with_cr,
    multi_article_issue,
    normalise,
    pdf_text,
    spring_data,
    write_issue,
)

Build = Callable[..., BuildResult]
BLEED_LETTER = 9.0
BLEED_A4 = 3 * 72 / 25.4


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Build:
    """Build an edition of an issue once per module, whatever the test asking for it."""
    folder = tmp_path_factory.mktemp("editions")
    long_issue = write_issue(folder / "2010-winter.yaml", multi_article_issue())
    built: dict[tuple[object, ...], BuildResult] = {}

    def build_edition(edition: str, issue: str = "spring", **options: object) -> BuildResult:
        key = (edition, issue, *sorted(options.items()))
        if key not in built:
            path = SPRING if issue == "spring" else long_issue
            output = folder / f"{len(built)}-{edition}.pdf"
            built[key] = build_issue(
                path,
                settings,
                BuildOptions(**options),
                output,
                edition=EDITIONS[edition],  # type: ignore[arg-type]
            )
        return built[key]

    return build_edition


def boxes(path: Path) -> list[dict[str, list[float]]]:
    with pikepdf.open(path) as pdf:
        return [
            {
                name: [float(v) for v in page.obj[f"/{name}"]]
                for name in ("MediaBox", "TrimBox", "BleedBox")
                if f"/{name}" in page.obj
            }
            for page in pdf.pages
        ]


def render(path: Path, page: int, dpi: int = 72) -> Image.Image:
    """One page as an RGB image, the whole MediaBox."""
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def text_in(path: Path, page: int, x: float, y: float, width: float, height: float) -> str:
    """Text poppler finds in a rectangle of a page, in points from the top-left corner."""
    result = subprocess.run(
        ["pdftotext", "-r", "72", "-f", str(page), "-l", str(page), "-x", str(int(x)),
         "-y", str(int(y)), "-W", str(int(width)), "-H", str(int(height)), str(path), "-"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return normalise(result.stdout)


def page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


# ---------- the table of editions ----------


def test_every_edition_is_listed_with_what_it_does() -> None:
    result = subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "brochure"), "editions"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    for name in ("screen", "print", "booklet", "handout", "large-print"):
        assert f"\n{name} " in "\n" + result.stdout
    assert "out/<slug>.print.pdf" in result.stdout
    assert "out/<slug>.pdf" in result.stdout


def test_edition_names_are_parsed() -> None:
    assert [e.name for e in parse_editions("all")] == list(EDITIONS)
    assert [e.name for e in parse_editions("print, booklet,print")] == ["print", "booklet"]
    with pytest.raises(BrochureError, match="unknown edition poster; choose from screen, print"):
        parse_editions("screen,poster")


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_qpdf_finds_no_problem_in_any_edition(build: Build, edition: str) -> None:
    result = subprocess.run(
        ["qpdf", "--check", str(build(edition).output)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_font_is_embedded_in_every_edition(build: Build, edition: str) -> None:
    listing = subprocess.run(
        ["pdffonts", str(build(edition).output)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing
    assert all(line.split()[-5] == "yes" for line in listing), listing


@pytest.mark.parametrize("edition", ["screen", "print", "handout", "large-print"])
def test_every_edition_carries_the_whole_issue_in_order(build: Build, edition: str) -> None:
    assert_in_order(
        pdf_text(build(edition).output),
        [
            "Leukemia Insights",
            "Acute promyelocytic leukemia",
            "Tamibarotene is a synthetic retinoid",
            "2007-0512",
            "Other salvage regimens",
            "may contribute to a better outcome in relapsed patients",
            "For information about these or any Leukemia protocol",
            "© 2015",
        ],
    )


# ---------- print ----------


@pytest.mark.parametrize(
    ("paper", "trim", "bleed"),
    [(Paper.LETTER, (612.0, 792.0), BLEED_LETTER), (Paper.A4, (595.276, 841.89), BLEED_A4)],
)
def test_print_pages_have_trim_and_bleed_boxes(
    build: Build, paper: Paper, trim: tuple[float, float], bleed: float
) -> None:
    for page in boxes(build("print", paper=paper).output):
        left, bottom, right, top = page["TrimBox"]
        assert (right - left, top - bottom) == pytest.approx(trim, abs=0.01)
        assert page["BleedBox"] == pytest.approx(
            [left - bleed, bottom - bleed, right + bleed, top + bleed], abs=0.01
        )
        media = page["MediaBox"]
        # Room for the crop marks outside the bleed.
        assert media[0] <= left - bleed - 21
        assert media[2] >= right + bleed + 21
        assert media[1] <= bottom - bleed - 21
        assert media[3] >= top + bleed + 21


def test_print_cover_art_runs_into_the_bleed_and_marks_stay_outside(build: Build) -> None:
    result = build("print")
    media, trim = boxes(result.output)[0]["MediaBox"], boxes(result.output)[0]["TrimBox"]
    margin = trim[0] - media[0]
    cover = render(result.output, 1)
    navy = cover.getpixel((int(margin + 100), int(margin + 50)))
    assert navy != (255, 255, 255)
    # The masthead reaches the edge of the bleed (top and left), not beyond it.
    assert cover.getpixel((int(margin - BLEED_LETTER + 2), int(margin + 50))) == navy
    assert cover.getpixel((int(margin + 100), int(margin - BLEED_LETTER + 2))) == navy
    assert cover.getpixel((int(margin - BLEED_LETTER - 2), int(margin + 50))) == (255, 255, 255)
    # A crop mark continues the trim line outside the bleed, and none is inside it.
    body = render(result.output, 2).convert("L")
    mark_row = [body.getpixel((x, int(margin))) for x in range(int(margin))]
    assert min(mark_row[: int(margin - BLEED_LETTER - 3)]) < 128
    assert min(mark_row[int(margin - BLEED_LETTER) :]) == 255


def test_print_is_pdf_x4_with_a_cmyk_output_intent(build: Build) -> None:
    with pikepdf.open(build("print").output) as pdf:
        assert pdf.pdf_version == "1.6"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        profile = intent.DestOutputProfile
        assert profile.N == 4
        header = profile.read_bytes()[:20]
        assert header[12:20] == b"prtrCMYK"
        assert pdf.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert pdf.trailer.Info.Trapped == "/False"
        assert "/ID" in pdf.trailer


def test_print_colours_are_cmyk_only(build: Build) -> None:
    with pikepdf.open(build("print").output) as pdf:
        operators = {
            str(operator)
            for page in pdf.pages
            for _, operator in pikepdf.parse_content_stream(page)
        }
    assert not operators & {"rg", "RG"}, "an RGB colour reached the press PDF"
    assert {"scn", "K"} <= operators


def test_brand_cmyk_is_used_for_navy(build: Build) -> None:
    navy = next(
        colour for colour in read_brand(PROJECT / "styles" / "brand.yaml") if colour.name == "navy"
    )
    with pikepdf.open(build("print").output) as pdf:
        operands = [
            [float(value) for value in operands]
            for operands, operator in pikepdf.parse_content_stream(pdf.pages[0])
            if str(operator) == "scn" and len(operands) == 4
        ]
    assert [ink / 100 for ink in navy.cmyk] in operands


@pytest.mark.parametrize("issue", ["spring", "long"])
def test_print_pads_to_a_multiple_of_4_before_the_back_cover(build: Build, issue: str) -> None:
    result = build("print", issue)
    count = page_count(result.output)
    assert count % 4 == 0
    assert result.pages == count
    assert "©" in pdf_text(result.output, count)
    typeset = build("screen", issue)
    blanks = count - typeset.pages
    for page in range(count - blanks, count):
        assert pdf_text(result.output, page) == "", f"padding page {page} is not blank"
    if blanks:
        with pikepdf.open(result.output) as pdf:
            labels = [pikepdf.Page(page).label for page in pdf.pages]
        assert labels[0] == "Cover"
        assert labels[-1] == "Back"


def test_print_drops_links_a_press_cannot_use(build: Build) -> None:
    with pikepdf.open(build("print", "long").output) as pdf:
        assert all("/Annots" not in page.obj for page in pdf.pages)
    with pikepdf.open(build("screen", "long").output) as pdf:
        assert any("/Annots" in page.obj for page in pdf.pages)


# ---------- booklet ----------


def test_saddle_stitch_order() -> None:
    sides = [(side.left, side.right) for side in saddle_stitch(8)]
    assert sides == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert [(s.left, s.right) for s in saddle_stitch(4)] == [(4, 1), (2, 3)]
    assert [(s.sheet, s.side) for s in saddle_stitch(8)] == [
        (1, "front"), (1, "back"), (2, "front"), (2, "back"),
    ]  # fmt: skip
    with pytest.raises(BrochureError, match="multiple of 4 pages, not 6"):
        saddle_stitch(6)


def identify(path: Path, sheet_side: int, half: str, width: float, height: float) -> str:
    """Which page of the issue a half sheet carries: cover, back, blank or its folio."""
    x = 0 if half == "left" else width / 2
    whole = text_in(path, sheet_side, x, 0, width / 2, height)
    if not whole:
        return "blank"
    if "IN THIS ISSUE" in whole:
        return "cover"
    if "©" in whole:
        return "back"
    # The folio is the lowest text on the page.
    folio = text_in(path, sheet_side, x, height - 60, width / 2, 60).split()[-1]
    assert folio.isdigit(), (
        f"no folio at the foot of {half} half of side {sheet_side}: {whole[:80]}"
    )
    return folio


@pytest.mark.parametrize(
    ("options", "sheet"),
    [
        ({}, (1224.0, 792.0)),
        ({"sheet": Paper.LETTER}, (792.0, 612.0)),
        ({"paper": Paper.A4}, (1190.551, 841.89)),
        ({"paper": Paper.A4, "sheet": Paper.A4}, (841.89, 595.276)),
    ],
)
def test_booklet_sheets_carry_the_right_pages_in_the_right_places(
    build: Build, options: dict[str, object], sheet: tuple[float, float]
) -> None:
    result = build("booklet", "long", **options)
    sides = page_count(result.output)
    assert result.pages % 4 == 0
    assert sides == result.pages // 2 == result.sides
    assert result.pages >= 8
    for page in boxes(result.output):
        media = page["MediaBox"]
        assert (media[2] - media[0], media[3] - media[1]) == pytest.approx(sheet, abs=0.01)
    width, height = sheet
    found = [
        (identify(result.output, side, "left", width, height),
         identify(result.output, side, "right", width, height))
        for side in range(1, sides + 1)
    ]  # fmt: skip
    n = result.pages
    blanks = sum(half == "blank" for pair in found for half in pair)
    assert blanks < 4

    def expected(page: int) -> str:
        if page == 1:
            return "cover"
        if page == n:
            return "back"
        # Padding goes just before the back cover; every other page shows its folio.
        return "blank" if page >= n - blanks else str(page)

    # Printer spreads, written out: n|1, 2|n-1, n-2|3, 4|n-3, ...
    spreads = []
    for index in range(n // 4):
        spreads += [(n - 2 * index, 1 + 2 * index), (2 + 2 * index, n - 1 - 2 * index)]
    assert found == [(expected(left), expected(right)) for left, right in spreads]


def test_booklet_sheet_sides_are_labelled(build: Build) -> None:
    with pikepdf.open(build("booklet", "long").output) as pdf:
        labels = [pikepdf.Page(page).label for page in pdf.pages]
    assert labels[:4] == ["Sheet 1 front", "Sheet 1 back", "Sheet 2 front", "Sheet 2 back"]


def test_booklet_fold_marks_sit_on_the_fold(build: Build) -> None:
    sheet = render(build("booklet", "long").output, 2).convert("L")
    centre = sheet.width // 2
    # Dashed, from 6 to 30 pt below the top edge (and above the bottom one).
    top = [sheet.getpixel((x, y)) for x in range(centre - 1, centre + 2) for y in range(6, 30)]
    assert min(top) < 160
    assert min(sheet.getpixel((centre - 40, 15)), sheet.getpixel((centre + 40, 15))) == 255


def test_creep_moves_inner_pages_toward_the_fold(build: Build) -> None:
    plain = build("booklet", "long")
    crept = build("booklet", "long", creep=2 * 72 / 25.4)

    def folio_x(path: Path, side: int) -> list[float]:
        words = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(side), "-l", str(side), str(path), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return [
            float(match[1])
            for match in re.finditer(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(\d+)</word>', words
            )
            if float(match[2]) > 735  # the folio line, below the text
        ]

    # The outer sheet does not move; the third sheet (sides 5 and 6) moves by
    # twice the creep, its pages 8 and 5 toward the fold between them.
    assert folio_x(crept.output, 2) == pytest.approx(folio_x(plain.output, 2), abs=0.05)
    shift = 2 * 2 * 72 / 25.4
    before, after = folio_x(plain.output, 5), folio_x(crept.output, 5)
    assert len(before) == len(after) == 2
    assert after[0] - before[0] == pytest.approx(shift, abs=0.05)
    assert before[1] - after[1] == pytest.approx(shift, abs=0.05)


def test_booklet_keeps_the_document_information_and_drops_links_and_tags(build: Build) -> None:
    with pikepdf.open(build("booklet", "long").output) as booklet:
        assert str(booklet.docinfo.Title) == "Leukemia Insights — Winter 2010"
        assert booklet.Root.ViewerPreferences.DisplayDocTitle is True
        assert sorted(booklet.Root.keys()) == [
            "/PageLabels", "/Pages", "/Type", "/ViewerPreferences",
        ]  # fmt: skip
        assert all("/Annots" not in sheet.obj for sheet in booklet.pages)


def test_imposed_streams_never_end_with_a_carriage_return(settings: Settings) -> None:
    """A CR before qpdf's LF would read as one end of line: see `pdfs.save`."""
    content = b"q 0.5 w 0 0 m 10899 72 l S Q"  # its Flate encoding ends with a CR
    assert zlib.compress(content).endswith(b"\r")
    pages = pikepdf.new()
    for _ in range(4):
        pages.add_blank_page(page_size=(396, 612))
        pages.pages[-1].Contents = pages.make_stream(content)
    finished = io.BytesIO()
    pages.save(finished)
    layout = plan_layout(EDITIONS["booklet"], BuildOptions(), settings)

    data = impose(finished.getvalue(), layout)
    assert_no_stream_ends_with_cr(data)
    with pikepdf.open(io.BytesIO(data)) as booklet:
        forms = [form for sheet in booklet.pages for form in sheet.Resources.XObject.values()]
        assert [form.read_bytes().rstrip(b"\n") for form in forms] == [content] * 4
        # Compressed in one pass: a second would add ASCII85 and leave object streams bare.
        assert all(form.Filter == "/FlateDecode" for form in forms)


# ---------- handout ----------


def test_handout_page_count_is_even_and_leaves_printer_margins(build: Build) -> None:
    result = build("handout")
    count = page_count(result.output)
    assert count % 2 == 0
    assert "©" in pdf_text(result.output, count)
    for number in range(1, count + 1):
        page = render(result.output, number).convert("L")
        width, height = page.size
        edge = 18  # a quarter inch, which every office printer can reach
        strips = [(0, 0, width, edge), (0, height - edge, width, height),
                  (0, 0, edge, height), (width - edge, 0, width, height)]  # fmt: skip
        for strip in strips:
            assert page.crop(strip).getextrema() == (255, 255), (
                f"ink near the edge of page {number}"
            )


def has_colour(image: Image.Image) -> bool:
    red, green, blue = image.split()
    return bool(
        ImageChops.difference(red, green).getbbox() or ImageChops.difference(green, blue).getbbox()
    )


@pytest.mark.parametrize("edition", ["handout", "screen", "large-print"])
def test_grayscale_leaves_no_colour_on_any_page(build: Build, edition: str) -> None:
    coloured = build(edition)
    gray = build(edition, grayscale=True)
    assert has_colour(render(coloured.output, 1, dpi=50))
    for number in range(1, page_count(gray.output) + 1):
        assert not has_colour(render(gray.output, number, dpi=50)), f"colour on page {number}"


def test_grayscale_print_uses_black_ink_only(build: Build) -> None:
    with pikepdf.open(build("print", grayscale=True).output) as pdf:
        inks = [
            [float(value) for value in operands]
            for page in pdf.pages
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) in {"scn", "k"} and len(operands) == 4
        ]
    assert inks
    assert all(c == m == y == 0 for c, m, y, _ in inks)


# The text colours of the design on the backgrounds they are set on.
TEXT_ON_BACKGROUND = [
    ("ink", "paper"), ("navy", "paper"), ("accent", "paper"), ("muted", "paper"),
    ("slate", "paper"), ("ink", "mist"), ("navy", "mist"), ("accent", "mist"),
    ("paper", "navy"), ("blush", "navy"), ("ice", "navy"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "background"), TEXT_ON_BACKGROUND)
def test_brand_colours_keep_their_contrast_in_gray(text: str, background: str) -> None:
    """A gray rendering keeps luminance, so the WCAG contrast ratio is what prints in gray."""
    colours = {colour.name: colour for colour in read_brand(PROJECT / "styles" / "brand.yaml")}
    lighter, darker = sorted((colours[text].luminance, colours[background].luminance), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5


# ---------- large print ----------


def character_sizes(path: Path) -> list[float]:
    sizes: list[float] = []

    def walk(item: LTComponent) -> None:
        if isinstance(item, LTChar):
            if item.get_text().strip():
                sizes.append(item.size)
        elif hasattr(item, "__iter__"):
            for child in item:
                walk(child)

    for page in extract_pages(path):
        walk(page)
    return sizes


def test_large_print_sets_every_character_at_16_pt_or_more(build: Build) -> None:
    sizes = character_sizes(build("large-print").output)
    assert min(sizes) >= 16 - 0.01
    body = max(set(sizes), key=sizes.count)
    assert body == pytest.approx(16, abs=0.01)
    assert min(character_sizes(build("screen").output)) < 10  # the check can fail


def hyphenated_words(path: Path) -> list[str]:
    """Words split across lines at a hyphen that the issue's text does not have."""
    lines = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    source = SPRING.read_text(encoding="utf-8")
    split = []
    for line, following in itertools.pairwise(lines):
        if line.rstrip().endswith("-") and following.split():
            word = line.split()[-1] + following.split()[0]
            if word.strip(".,;:") not in source:
                split.append(word)
    return split


def test_large_print_never_hyphenates(build: Build) -> None:
    assert hyphenated_words(build("large-print").output) == []
    assert hyphenated_words(build("screen").output)  # the screen edition does


def test_large_print_keeps_cover_and_back_page(build: Build) -> None:
    result = build("large-print")
    count = page_count(result.output)
    assert "IN THIS ISSUE" in pdf_text(result.output, 1)
    assert "©" in pdf_text(result.output, count)
    assert count % 2 == 0


# ---------- images ----------


@pytest.fixture(scope="module")
def pictured_issue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Spring issue with a plain red RGB cover picture."""
    folder = tmp_path_factory.mktemp("pictured")
    # Sharp enough for the press at the size the cover prints it (about 470 dpi).
    Image.new("RGB", (1800, 900), (200, 60, 40)).save(folder / "red.png", dpi=(300, 300))
    data = spring_data()
    data["cover"].update({"image": "red.png", "image_alt": "A red field"})
    return write_issue(folder / "2009-spring.yaml", data)


@pytest.mark.parametrize(
    ("edition", "grayscale", "colour_space", "pixel"),
    [
        ("screen", False, "/DeviceRGB", (200, 60, 40)),
        ("handout", True, "/DeviceGray", 100),  # ITU-R 601 luma of the red
        ("print", False, "/DeviceCMYK", None),
    ],
)
def test_images_are_converted_to_the_edition_colours(
    settings: Settings,
    pictured_issue: Path,
    tmp_path: Path,
    edition: str,
    grayscale: bool,
    colour_space: str,
    pixel: object,
) -> None:
    result = build_issue(
        pictured_issue,
        settings,
        BuildOptions(grayscale=grayscale),
        tmp_path / "out.pdf",
        edition=EDITIONS[edition],
    )
    with pikepdf.open(result.output) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.ColorSpace == colour_space
        picture = pikepdf.PdfImage(image).as_pil_image()
    assert picture.size == (1800, 900)
    if pixel is not None:
        found = picture.getpixel((900, 450))
        expected = pixel if isinstance(pixel, tuple) else (pixel,)
        found = found if isinstance(found, tuple) else (found,)
        assert all(abs(a - b) <= 3 for a, b in zip(found, expected, strict=True))
    else:
        cyan, magenta, yellow, _ = picture.getpixel((900, 450))
        assert magenta > 150
        assert yellow > 150
        assert cyan < 60


def test_a_coarse_image_fails_the_print_preflight(settings: Settings, tmp_path: Path) -> None:
    Image.new("RGB", (450, 225), (200, 60, 40)).save(tmp_path / "small.png")
    data = spring_data()
    data["cover"].update({"image": "small.png", "image_alt": "A small red field"})
    issue = write_issue(tmp_path / "2009-spring.yaml", data)
    target = tmp_path / "print.pdf"
    with pytest.raises(PreflightFailed) as failure:
        build_issue(issue, settings, BuildOptions(), target, edition=EDITIONS["print"])
    assert not target.exists()
    (finding,) = failure.value.report.findings
    assert finding.check == "image-resolution"
    assert finding.page == 1
    assert "is 118 dpi at its printed size (needs 300)" in finding.message
    assert "image-resolution: 1 problem" in str(failure.value)
    # Not strict: the PDF is written and the finding becomes a warning.
    lenient = build_issue(
        issue, settings, BuildOptions(strict=False), target, edition=EDITIONS["print"]
    )
    assert target.exists()
    assert lenient.warnings == (finding.message,)
    # Office printers need 150 dpi; a screen shows any picture.
    with pytest.raises(PreflightFailed, match="needs 150"):
        build_issue(
            issue, settings, BuildOptions(), tmp_path / "h.pdf", edition=EDITIONS["handout"]
        )
    assert build_issue(issue, settings, BuildOptions(), tmp_path / "s.pdf").preflight.passed


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_edition_is_byte_identical_when_rebuilt(
    build: Build, settings: Settings, tmp_path: Path, edition: str
) -> None:
    first = build(edition)
    again = build_issue(
        SPRING, settings, BuildOptions(), tmp_path / "again.pdf", edition=EDITIONS[edition]
    )
    assert again.output.read_bytes() == first.output.read_bytes()


# ---------- back page ----------


def text_lines(path: Path, page: int) -> list[tuple[str, float, float]]:
    """Each line of text on PAGE: its text, and its bottom and top in points."""
    from pdfminer.layout import LTTextLine

    found: list[tuple[str, float, float]] = []

    def walk(item: LTComponent) -> None:
        if isinstance(item, LTTextLine):
            found.append((item.get_text().strip(), item.y0, item.y1))
        elif hasattr(item, "__iter__"):
            for child in item:
                walk(child)

    for layout in extract_pages(path, page_numbers=[page - 1]):
        walk(layout)
    return found


@pytest.mark.parametrize(
    ("edition", "paper"),
    [
        ("screen", Paper.LETTER),
        ("handout", Paper.A4),
        ("large-print", Paper.LETTER),
        ("screen", Paper.HALF_LETTER),  # the small pages of a booklet
    ],
)
def test_nothing_runs_under_the_back_page_footer(
    settings: Settings, tmp_path: Path, edition: str, paper: Paper
) -> None:
    data = spring_data()
    data["contact"]["text"] = "Please call the leukemia clinic with any question. " * 40
    issue = write_issue(tmp_path / "2009-spring.yaml", data)
    target = tmp_path / f"{edition}.pdf"
    build_issue(issue, settings, BuildOptions(paper=paper), target, edition=EDITIONS[edition])
    last = page_count(target)
    footer = ("The University of Texas MD Anderson Cancer Center", "© 2015")
    lines = text_lines(target, last)
    footer_top = max(top for text, _, top in lines if text.startswith(footer))
    for page in (last - 1, last):  # the text goes on to a second back page
        above = [bottom for text, bottom, _ in text_lines(target, page) if "Please" in text]
        assert min(above) > footer_top + 12
    assert "Please call" in pdf_text(target, last - 1)
