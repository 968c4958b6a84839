"""The screen edition is a tagged PDF/UA-1 document a screen reader can use."""

import itertools
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from page import ValidationProfile, validate_pdf
from PIL import Image

from brochure.build import BuildResult, build_issue
from brochure.errors import IssueInvalid
from brochure.load import load_issue
from brochure.settings import BuildOptions, Settings
from helpers import pdf_text, spring_data, write_issue
from helpers import structure_elements as elements


def build_screen(folder: Path, settings: Settings, **cover: object) -> BuildResult:
    data = spring_data()
    data["cover"].update(cover)
    issue = write_issue(folder / "2009-spring.yaml", data)
    return build_issue(issue, settings, BuildOptions(), folder / "screen.pdf")


@pytest.fixture(scope="module")
def pictured(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    folder = tmp_path_factory.mktemp("pictured")
    Image.new("RGB", (600, 300), "teal").save(folder / "photo.png")
    return build_screen(folder, settings, image="photo.png", image_alt="The clinic at dawn")


@pytest.fixture(scope="module")
def ornamented(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    folder = tmp_path_factory.mktemp("ornamented")
    Image.new("RGB", (600, 300), "teal").save(folder / "swirl.png")
    return build_screen(folder, settings, image="swirl.png", image_decorative=True)


@pytest.fixture(scope="module")
def designed(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    folder = tmp_path_factory.mktemp("designed")
    cover = '<style>@page{size:letter}</style><h1>SPRING</h1><a href="https://x.org">x</a>'
    weasyprint.HTML(string=cover).write_pdf(folder / "cover.pdf")
    return build_screen(folder, settings, pdf="cover.pdf")


BUILDS = ["spring_pdf", "multi_article_pdf", "pictured", "ornamented", "designed"]


@pytest.mark.parametrize("built", BUILDS)
def test_passes_the_pdf_ua_1_rules(built: str, request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(built)
    report = validate_pdf(result.output, profile=ValidationProfile.PDF_UA_1)
    assert [(f.rule_id, f.message) for f in report.failures] == []


@pytest.mark.parametrize("built", BUILDS)
def test_title_language_and_headings_in_order(built: str, request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(built)
    with pikepdf.open(result.output) as pdf:
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert str(pdf.docinfo.Title).startswith("Leukemia Insights — ")
        assert pdf.Root.Lang == "en"
        levels = [int(str(e.S)[2:]) for e in elements(pdf) if re.fullmatch(r"/H\d", str(e.S))]
    assert levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_running_heads_and_folios_are_pagination_artifacts(spring_pdf: BuildResult) -> None:
    assert pdf_text(spring_pdf.output, 2).startswith("LEUKEMIA INSIGHTS · SPRING 2009")
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", str(spring_pdf.output)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Leukemia Insights · Spring 2009" not in structure
    assert "LEUKEMIA INSIGHTS" not in structure.upper().replace('LEUKEMIA INSIGHTS"', "")
    with pikepdf.open(spring_pdf.output) as pdf:
        content = pdf.pages[1].Contents.read_bytes()
    assert content.count(b"/Artifact <</Type /Pagination>> BDC") >= 2  # running head, folio


def test_links_are_described_by_their_text(multi_article_pdf: BuildResult) -> None:
    with pikepdf.open(multi_article_pdf.output) as pdf:
        descriptions = [
            str(annotation.Contents) for page in pdf.pages for annotation in page.get("/Annots", [])
        ]
    assert dict.fromkeys(descriptions) == dict.fromkeys(
        [
            "New Trials Open 2",
            "A Long Look Back 3",
            "Staff Notes 9",
            "the trial list (https://example.org/trials)",
            "713-555-0100",
        ]
    )


def figures(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [str(e.get("/Alt")) for e in elements(pdf) if e.S == "/Figure"]


def test_images_carry_their_alt_text(pictured: BuildResult) -> None:
    assert figures(pictured.output) == ["The clinic at dawn"]


def test_a_decorative_image_is_drawn_but_not_read(ornamented: BuildResult) -> None:
    assert figures(ornamented.output) == []
    listing = subprocess.run(
        ["pdfimages", "-list", str(ornamented.output)], check=True, capture_output=True, text=True
    ).stdout
    assert len(listing.splitlines()) == 3  # two header lines and the image


def test_a_designer_cover_is_described_and_its_links_dropped(designed: BuildResult) -> None:
    assert figures(designed.output)[0] == (
        "Front cover of Leukemia Insights — Spring 2009: Salvage Regimens"
    )
    with pikepdf.open(designed.output) as pdf:
        assert "/Annots" not in pdf.pages[0]


@pytest.mark.parametrize(
    ("cover", "message"),
    [
        ({"image": "x.png"}, "image_alt is required with an image"),
        (
            {"image": "x.png", "image_alt": "A", "image_decorative": True},
            "by image_alt or image_decorative, not both",
        ),
    ],
)
def test_every_image_is_described_or_decorative(
    tmp_path: Path, cover: dict[str, object], message: str
) -> None:
    Image.new("RGB", (10, 10)).save(tmp_path / "x.png")
    data = spring_data()
    data["cover"].update(cover)
    with pytest.raises(IssueInvalid, match=message):
        load_issue(write_issue(tmp_path / "issue.yaml", data))
