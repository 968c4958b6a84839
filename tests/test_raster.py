"""The rasteriser: pages rendered to pictures, with their labels, sizes and text."""

import struct
from pathlib import Path

import pytest

from brochure.build import BuildResult, build_issue
from brochure.editions import EDITIONS
from brochure.errors import BrochureError
from brochure.raster import png_bytes, read_pages, render_page, render_pages, spreads
from brochure.settings import Settings
from helpers import SPRING, normalise


def test_pages_carry_their_labels_sizes_and_text(spring_pdf: BuildResult) -> None:
    pages = read_pages(spring_pdf.output.read_bytes())
    assert [page.label for page in pages] == ["Cover", "2", "Back"]
    assert [page.number for page in pages] == [1, 2, 3]
    assert {(page.width_pt, page.height_pt) for page in pages} == {(612.0, 792.0)}
    assert "Tamibarotene is a synthetic retinoid" in normalise(pages[1].text)
    assert "Dr. Farhad Ravandi" in normalise(pages[2].text)


def test_hyphenated_words_are_joined_in_the_text(multi_article_pdf: BuildResult) -> None:
    text = "\n".join(page.text for page in read_pages(multi_article_pdf.output.read_bytes()))
    assert "\u2010\n" not in text
    assert "analysed so far" in normalise(text)


@pytest.mark.parametrize(("dpi", "size"), [(72, (612, 792)), (36, (306, 396)), (96, (816, 1056))])
def test_pictures_are_sized_by_dpi(
    spring_pdf: BuildResult, dpi: int, size: tuple[int, int]
) -> None:
    image = render_page(spring_pdf.output.read_bytes(), 2, dpi)
    assert image.image.size == size
    assert image.image.mode == "RGB"
    assert image.page.label == "2"


def test_pages_are_rendered_at_their_trim(tmp_path: Path, settings: Settings) -> None:
    """A print PDF has bleed and crop marks around each page; the picture shows the cut page."""
    result = build_issue(SPRING, settings, output=tmp_path / "p.pdf", edition=EDITIONS["print"])
    images = render_pages(result.output.read_bytes(), 36)
    assert [image.page.label for image in images] == ["Cover", "2", "3", "Back"]
    assert {image.image.size for image in images} == {(306, 396)}
    # The cover's navy block runs into the bleed: the trimmed picture is navy to its edge.
    red, green, blue = images[0].image.getpixel((0, 0))  # type: ignore[misc]
    assert blue > red + 40
    assert blue > green


def test_no_such_page_or_no_pdf_is_a_brochure_error(spring_pdf: BuildResult) -> None:
    with pytest.raises(BrochureError, match="no page 4: the PDF has 3 pages"):
        render_page(spring_pdf.output.read_bytes(), 4, 10)
    with pytest.raises(BrochureError, match="cannot read the PDF"):
        read_pages(b"%PDF-1.7 this is not a PDF")


def test_png_bytes_are_reproducible_and_carry_no_time(spring_pdf: BuildResult) -> None:
    data = spring_pdf.output.read_bytes()
    first, second = (png_bytes(render_page(data, 1, 20).image) for _ in range(2))
    assert first == second
    assert _chunk_types(first) <= {b"IHDR", b"IDAT", b"IEND"}


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, []),
        (1, [(1,)]),
        (2, [(1,), (2,)]),
        (3, [(1,), (2, 3)]),
        (4, [(1,), (2, 3), (4,)]),
        (8, [(1,), (2, 3), (4, 5), (6, 7), (8,)]),
    ],
)
def test_spreads_put_page_one_alone_then_facing_pairs(
    count: int, expected: list[tuple[int, ...]]
) -> None:
    assert spreads(list(range(1, count + 1))) == expected


def test_without_facing_pages_every_page_stands_alone() -> None:
    assert spreads(["front", "back"], facing=False) == [("front",), ("back",)]


def _chunk_types(png: bytes) -> set[bytes]:
    types, position = set(), 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        types.add(png[position + 4 : position + 8])
        position += 12 + length
    return types
