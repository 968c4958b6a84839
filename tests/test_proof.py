"""The proof sheet: every page on one PNG, in spreads, labelled, the same bytes every run."""

import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from brochure.build import BuildResult
from brochure.plan import plan_build
from brochure.proof import BACKGROUND, ProofSheet, proof_sheet_of
from brochure.raster import read_pages
from brochure.settings import Settings
from helpers import SPRING, run, spring_data, write_issue


@pytest.fixture(scope="module")
def spring_sheet(settings: Settings) -> ProofSheet:
    return proof_sheet_of(plan_build(SPRING, settings), settings)


def test_one_tile_per_page_with_the_pdfs_labels(
    spring_sheet: ProofSheet, spring_pdf: BuildResult
) -> None:
    info = subprocess.run(["pdfinfo", str(spring_pdf.output)], capture_output=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE)[1])  # type: ignore[index]
    assert len(spring_sheet.tiles) == pages == 3
    labels = [page.label for page in read_pages(spring_pdf.output.read_bytes())]
    assert [tile.label for tile in spring_sheet.tiles] == labels == ["Cover", "2", "Back"]


def test_pages_are_drawn_and_labelled_in_spreads(spring_sheet: ProofSheet) -> None:
    image = spring_sheet.image
    cover, two, back = (tile.box for tile in spring_sheet.tiles)
    # Pages 2 and 3 face each other, touching at the fold; the cover stands alone, apart.
    assert two[2] == back[0]
    assert two[1] == back[1]
    assert two[0] - cover[2] > 20
    for left, top, right, bottom in (cover, two, back):
        page = image.crop((left, top, right, bottom))
        assert _share_of(page, lambda pixel: pixel == (255, 255, 255)) > 0.3  # paper
        assert _share_of(page, _dark) > 0.001  # print on it
        label = image.crop((left, bottom + 4, right, bottom + 24))
        assert _share_of(label, _dark) > 0.002, "no label under the page"
        gutter = image.crop((left, bottom + 8, right, bottom + 9))
        assert gutter.getpixel((0, 0)) != (255, 255, 255)
    corner = image.getpixel((2, image.height - 2))
    assert corner == BACKGROUND


def test_proof_command_writes_the_sheet(project: Path) -> None:
    code, out, err = run("proof", "issues/2009-spring.yaml")
    assert code == 0, err
    assert re.fullmatch(r"wrote out/2009-spring\.proof\.png \(3 pages, \d+x\d+ px\)\n", out)
    with Image.open(project / "out" / "2009-spring.proof.png") as image:
        assert image.format == "PNG"
        assert 1000 < image.width <= 1600
    assert sorted(path.name for path in (project / "out").iterdir()) == ["2009-spring.proof.png"]


def test_the_sheet_grows_with_the_dpi(tmp_path: Path) -> None:
    sizes = []
    for dpi in ("20", "40"):
        target = tmp_path / f"{dpi}.png"
        assert run("proof", str(SPRING), "--dpi", dpi, "-o", str(target))[0] == 0
        with Image.open(target) as image:
            sizes.append(image.size)
    (small_width, small_height), (large_width, large_height) = sizes
    assert large_width > small_width
    assert large_height > small_height


def test_an_edition_gets_its_suffix_and_its_pages(project: Path) -> None:
    code, out, _ = run("proof", "issues/2009-spring.yaml", "-e", "print")
    assert code == 0
    assert out.startswith("wrote out/2009-spring.print.proof.png (4 pages, ")


def test_the_sheet_is_byte_identical_across_runs(tmp_path: Path) -> None:
    digests = set()
    for name in ("a.png", "b.png"):
        assert run("proof", str(SPRING), "-o", str(tmp_path / name))[0] == 0
        digests.add(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert len(digests) == 1


def test_a_broken_issue_is_reported_like_build_and_writes_nothing(project: Path) -> None:
    data = spring_data()
    data["publication"]["titel"] = data["publication"].pop("title")
    data["issue"]["year"] = "20x9"
    write_issue(project / "issues" / "2009-spring.yaml", data)
    code, out, err = run("proof", "issues/2009-spring.yaml")
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "issues/2009-spring.yaml:1:1: publication.title: required field is missing",
        "issues/2009-spring.yaml:3:3: publication.titel: unknown field 'titel'; "
        "did you mean 'title'?",
        "issues/2009-spring.yaml:6:9: issue.year: must be a whole number (got '20x9')",
        "3 problems found",
    ]
    assert not (project / "out").exists()


def test_a_missing_issue_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("proof", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert "nope.yaml" in err
    assert not list(tmp_path.iterdir())


def test_the_proof_is_never_written_over_an_input(project: Path) -> None:
    before = (project / "issues" / "2009-spring.yaml").read_bytes()
    code, _, err = run("proof", "issues/2009-spring.yaml", "-o", "issues/2009-spring.yaml")
    assert code == 1
    assert "refusing to write the proof over a file the build reads" in err
    assert (project / "issues" / "2009-spring.yaml").read_bytes() == before


@pytest.mark.parametrize(
    "arguments",
    [("--dpi", "5"), ("--dpi", "many"), ("-e", "nonsense"), ("-e", "screen,print")],
)
def test_wrong_usage_exits_2(arguments: tuple[str, ...]) -> None:
    assert run("proof", str(SPRING), *arguments)[0] == 2


def _dark(pixel: tuple[int, ...]) -> bool:
    return sum(pixel) < 3 * 160


def _share_of(image: Image.Image, test: Callable[[tuple[int, ...]], bool]) -> float:
    data = image.convert("RGB").tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    return sum(1 for pixel in pixels if test(pixel)) / len(pixels)
