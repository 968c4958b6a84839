"""Preflight: each check finds exactly the problems a print shop would turn a PDF away for.

PDFs come from WeasyPrint, as in the pipeline, or are built with pypdf when a
test needs a structure WeasyPrint never writes (a font it did not embed, an
image drawn through a Form XObject, a wrong BleedBox).
"""

import io
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    RectangleObject,
)
from weasyprint import HTML

from brochure.errors import AssembleError
from brochure.preflight import Finding, PreflightReport, Requirements, preflight

CHECKS = (
    "fonts-embedded",
    "page-boxes",
    "image-colour",
    "image-resolution",
    "page-count",
    "conformance",
)
LENIENT = Requirements(page_multiple=1, boxes=False, bleed=0, cmyk=False, min_image_dpi=0)
PRINT = Requirements(page_multiple=4, boxes=True, bleed=9, cmyk=True, min_image_dpi=300)
STYLE = """
@page { size: 300pt 300pt; margin: 10pt; %s }
body { margin: 0; font-family: "DejaVu Sans", sans-serif; font-size: 10pt }
img { display: block }
"""


# PDFs from WeasyPrint.


def weasyprint(tmp_path: Path, body: str, page: str = "") -> bytes:
    html = f"<style>{STYLE % page}</style>{body}"
    data: bytes = HTML(string=html, base_url=str(tmp_path)).write_pdf()
    return data


def picture(tmp_path: Path, name: str, mode: str, width: int = 300, height: int = 300) -> str:
    """Write an image file of MODE into TMP_PATH and return its name."""
    # Pillow takes one number per band: "CMYK" gets four, "L" and "P" one.
    colour = 40 if len(mode) == 1 else (40,) * len(mode)
    Image.new(mode, (width, height), colour).save(tmp_path / name)
    return name


def image_name(data: bytes, width: int) -> str:
    """The resource name of the image XObject WIDTH pixels wide."""
    names = [
        str(name)
        for page in PdfReader(io.BytesIO(data)).pages
        for name, image in page["/Resources"].get("/XObject", {}).items()
        if image.get_object()["/Width"] == width
    ]
    assert names, f"no image {width} px wide"
    return names[0]


def edit(data: bytes, page_number: int, **boxes: list[float] | None) -> bytes:
    """Set (a list) or delete (None) page boxes, e.g. ``TrimBox=None``, with pypdf."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    page = writer.pages[page_number - 1]
    for box, value in boxes.items():
        if value is None:
            del page[NameObject(f"/{box}")]
        else:
            page[NameObject(f"/{box}")] = RectangleObject(value)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# PDFs built object by object with pypdf.


@dataclass
class Stream:
    """A stream object; PDF allows streams only as indirect objects, so these become them."""

    entries: dict[str, object]
    data: bytes = b""


@dataclass
class Builder:
    writer: PdfWriter = field(default_factory=PdfWriter)

    def obj(self, value: object) -> PdfObject:
        """A pypdf object for VALUE: "/Name", numbers, lists, dicts, bools, `Stream`s."""
        if isinstance(value, PdfObject):
            return value
        if isinstance(value, bool):
            return BooleanObject(value)
        if isinstance(value, str):
            return NameObject(value)
        if isinstance(value, bytes):
            return ByteStringObject(value)
        if isinstance(value, int):
            return NumberObject(value)
        if isinstance(value, float):
            return FloatObject(value)
        if isinstance(value, list):
            return ArrayObject(self.obj(item) for item in value)
        if isinstance(value, dict):
            return self.dictionary(value)
        if isinstance(value, Stream):
            return self.stream(value)
        raise TypeError(value)

    def dictionary(self, entries: dict[str, object]) -> DictionaryObject:
        return DictionaryObject({NameObject(k): self.obj(v) for k, v in entries.items()})

    def stream(self, stream: Stream) -> IndirectObject:
        result = DecodedStreamObject()
        result.set_data(stream.data)
        result.update(self.dictionary(stream.entries))
        # pypdf has no public way to add an object; a stream written in place is invalid PDF.
        return self.writer._add_object(result)

    def page(
        self, content: bytes = b"", resources: dict[str, object] | None = None, **entries: object
    ) -> None:
        page = self.writer.add_blank_page(300, 300)
        page[NameObject("/Resources")] = self.dictionary(resources or {})
        for key, value in entries.items():
            page[NameObject(f"/{key}")] = self.obj(value)
        stream = ContentStream(None, None)
        stream.set_data(content)
        page.replace_contents(stream)

    def pdf(self) -> bytes:
        output = io.BytesIO()
        self.writer.write(output)
        return output.getvalue()


def one_page(content: bytes, resources: dict[str, object], **entries: object) -> bytes:
    builder = Builder()
    builder.page(content, resources, **entries)
    return builder.pdf()


def keys(entries: dict[str, object]) -> dict[str, object]:
    """Keyword arguments as PDF keys; None leaves the key out."""
    return {f"/{key}": value for key, value in entries.items() if value is not None}


def image(
    space: object = "/DeviceGray", width: int = 300, height: int = 300, **entries: object
) -> Stream:
    # The samples are never decoded, so one byte stands in for all of them.
    return Stream(
        {
            "/Type": "/XObject",
            "/Subtype": "/Image",
            "/Width": width,
            "/Height": height,
            **keys({"ColorSpace": space, "BitsPerComponent": 8, **entries}),
        },
        b"\0",
    )


def form(content: bytes, resources: dict[str, object], **entries: object) -> Stream:
    return Stream(
        {
            "/Type": "/XObject",
            "/Subtype": "/Form",
            "/BBox": [0, 0, 300, 300],
            "/Resources": resources,
            **keys(entries),
        },
        content,
    )


def icc(components: int) -> Stream:
    return Stream({"/N": components}, b"profile")


HELVETICA = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}
TEXT = b"BT /F1 12 Tf 10 10 Td (Hi) Tj ET"


def findings(report: PreflightReport, check: str) -> list[tuple[int | None, str]]:
    return [(f.page, f.message) for f in report.findings if f.check == check]


def reported_dpi(message: str) -> tuple[int, ...]:
    """The figures in "is 150 dpi" or "is 300 x 150 dpi"."""
    match = re.search(r" is (\d+)(?: x (\d+))? dpi ", message)
    assert match, message
    return tuple(int(figure) for figure in match.groups() if figure)


# The report.


def test_a_clean_print_pdf_passes_every_check(tmp_path: Path) -> None:
    cmyk = picture(tmp_path, "cmyk.jpg", "CMYK")
    gray = picture(tmp_path, "gray.png", "L", 600, 600)
    pages = [
        "<h1>Title</h1><p>Some <b>bold</b> and <i>italic</i> text.</p>",
        f'<img src="{cmyk}" style="width: 1in">',
        f'<img src="{gray}" style="width: 2in">',
        "<p>Back</p>",
    ]
    body = "".join(f'<section style="break-after: page">{page}</section>' for page in pages)
    report = preflight(weasyprint(tmp_path, body, "bleed: 9pt"), PRINT)
    assert report.findings == ()
    assert report.passed
    assert report.checks == CHECKS
    assert report.pages == 4
    assert report.summary().splitlines() == [
        "preflight passed: 6 checks, 4 pages",
        *(f"{check}: ok" for check in CHECKS),
    ]


def test_a_failed_report_lists_findings_under_their_check(tmp_path: Path) -> None:
    builder = Builder()
    for _ in range(3):
        builder.page(TEXT, {"/Font": {"/F1": HELVETICA}})
    report = preflight(builder.pdf(), replace(LENIENT, page_multiple=4))
    assert not report.passed
    assert report.findings == (
        Finding("fonts-embedded", 1, "page 1: font Helvetica is not embedded"),
        Finding("page-count", None, "3 pages is not a multiple of 4 (the next multiple is 4)"),
    )
    assert report.summary().splitlines() == [
        "preflight failed: 2 problems in 2 of 6 checks, 3 pages",
        "fonts-embedded: 1 problem",
        "  page 1: font Helvetica is not embedded",
        "page-boxes: ok",
        "image-colour: ok",
        "image-resolution: ok",
        "page-count: 1 problem",
        "  3 pages is not a multiple of 4 (the next multiple is 4)",
        "conformance: ok",
    ]
    assert json.loads(json.dumps(report.as_dict())) == {
        "passed": False,
        "pages": 3,
        "checks": [
            {
                "name": "fonts-embedded",
                "passed": False,
                "findings": [{"page": 1, "message": "page 1: font Helvetica is not embedded"}],
            },
            {"name": "page-boxes", "passed": True, "findings": []},
            {"name": "image-colour", "passed": True, "findings": []},
            {"name": "image-resolution", "passed": True, "findings": []},
            {
                "name": "page-count",
                "passed": False,
                "findings": [
                    {
                        "page": None,
                        "message": "3 pages is not a multiple of 4 (the next multiple is 4)",
                    }
                ],
            },
            {"name": "conformance", "passed": True, "findings": []},
        ],
    }
    assert PreflightReport.from_dict(report.as_dict()) == report


def test_a_passed_report_as_dict() -> None:
    report = preflight(one_page(b"", {}), LENIENT)
    assert json.loads(json.dumps(report.as_dict())) == {
        "passed": True,
        "pages": 1,
        "checks": [{"name": check, "passed": True, "findings": []} for check in CHECKS],
    }


@pytest.mark.parametrize(
    "changes",
    [{"page_multiple": 0}, {"bleed": -1.0}, {"min_image_dpi": -300}],
)
def test_impossible_requirements_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"page_multiple|cannot be negative"):
        replace(LENIENT, **changes)


# fonts-embedded


def test_weasyprint_embeds_its_fonts(tmp_path: Path) -> None:
    body = "<p>Regular <b>bold</b> <i>italic</i> <code>mono</code> Zoë ≥ 40 %</p>"
    report = preflight(weasyprint(tmp_path, body), LENIENT)
    assert findings(report, "fonts-embedded") == []


def test_a_font_is_reported_once_on_the_first_page_that_uses_it() -> None:
    builder = Builder()
    fonts = {"/Font": {"/F1": HELVETICA, "/F2": {**HELVETICA, "/BaseFont": "/Times-Roman"}}}
    builder.page(b"", fonts)  # listed in the resources but not used
    builder.page(b"BT /F1 12 Tf (Hi) Tj ET", fonts)
    builder.page(b"BT /F1 12 Tf (Hi) Tj /F2 12 Tf (There) Tj ET", fonts)
    report = preflight(builder.pdf(), LENIENT)
    assert report.findings == (
        Finding("fonts-embedded", 2, "page 2: font Helvetica is not embedded"),
        Finding("fonts-embedded", 3, "page 3: font Times-Roman is not embedded"),
    )


def descriptor(**files: object) -> dict[str, object]:
    return {"/Type": "/FontDescriptor", "/FontName": "/Sans", "/Flags": 32, **files}


def type0(descendant: dict[str, object]) -> dict[str, object]:
    return {
        "/Type": "/Font",
        "/Subtype": "/Type0",
        "/BaseFont": "/ABCDEF+Sans",
        "/Encoding": "/Identity-H",
        "/DescendantFonts": [{"/Type": "/Font", "/Subtype": "/CIDFontType2", **descendant}],
    }


FONT_PROGRAM = Stream({}, b"font program")


@pytest.mark.parametrize(
    ("font", "embedded"),
    [
        pytest.param(HELVETICA, False, id="standard-14"),
        pytest.param({**HELVETICA, "/FontDescriptor": descriptor()}, False, id="no-file"),
        pytest.param(
            {**HELVETICA, "/FontDescriptor": descriptor(**{"/FontFile": FONT_PROGRAM})},
            True,
            id="type1-fontfile",
        ),
        pytest.param(
            {
                **HELVETICA,
                "/Subtype": "/TrueType",
                "/FontDescriptor": descriptor(**{"/FontFile2": FONT_PROGRAM}),
            },
            True,
            id="truetype-fontfile2",
        ),
        pytest.param(
            {**HELVETICA, "/FontDescriptor": descriptor(**{"/FontFile3": FONT_PROGRAM})},
            True,
            id="fontfile3",
        ),
        pytest.param(
            type0({"/FontDescriptor": descriptor(**{"/FontFile2": FONT_PROGRAM})}),
            True,
            id="type0-embedded",
        ),
        pytest.param(type0({"/FontDescriptor": descriptor()}), False, id="type0-not-embedded"),
        pytest.param(
            {
                "/Type": "/Font",
                "/Subtype": "/Type3",
                "/FontBBox": [0, 0, 1, 1],
                "/FontMatrix": [0.001, 0, 0, 0.001, 0, 0],
                "/CharProcs": {},
                "/Encoding": {"/Differences": []},
                "/FirstChar": 0,
                "/LastChar": 0,
                "/Widths": [0],
            },
            True,
            id="type3",
        ),
    ],
)
def test_font_kinds(font: dict[str, object], embedded: bool) -> None:
    report = preflight(one_page(TEXT, {"/Font": {"/F1": font}}), LENIENT)
    name = str(font.get("/BaseFont", "/F1")).removeprefix("/")
    expected = [] if embedded else [(1, f"page 1: font {name} is not embedded")]
    assert findings(report, "fonts-embedded") == expected


def test_a_font_used_inside_a_form_xobject_is_checked() -> None:
    inner = form(TEXT, {"/Font": {"/F1": HELVETICA}})
    report = preflight(one_page(b"/Fm0 Do", {"/XObject": {"/Fm0": inner}}), LENIENT)
    assert report.findings == (
        Finding("fonts-embedded", 1, "page 1: font Helvetica is not embedded"),
    )


# page-boxes


def test_weasyprint_bleed_gives_the_boxes_a_print_shop_needs(tmp_path: Path) -> None:
    data = weasyprint(tmp_path, "<p>Hi</p>", "bleed: 9pt")
    assert findings(preflight(data, PRINT), "page-boxes") == []
    more_bleed = preflight(data, replace(PRINT, bleed=12))
    assert findings(more_bleed, "page-boxes") == [
        (
            1,
            "page 1: the BleedBox extends left 9 pt, bottom 9 pt, right 9 pt, top 9 pt "
            "beyond the TrimBox (needs 12 pt on every side)",
        )
    ]


@pytest.mark.parametrize(
    ("boxes", "problems"),
    [
        pytest.param({"TrimBox": None}, ["no TrimBox"], id="no-trim"),
        pytest.param({"BleedBox": None}, ["no BleedBox"], id="no-bleed"),
        pytest.param(
            {"BleedBox": [-3, -3, 303, 303]},
            [
                "the BleedBox extends left 3 pt, bottom 3 pt, right 3 pt, top 3 pt beyond the "
                "TrimBox (needs 9 pt on every side)"
            ],
            id="too-little-bleed",
        ),
        pytest.param(
            {"BleedBox": [-9, -9, 300, 308.5]},
            [
                "the BleedBox extends right 0 pt, top 8.5 pt beyond the TrimBox "
                "(needs 9 pt on every side)"
            ],
            id="uneven-bleed",
        ),
        pytest.param(
            {"BleedBox": [-20, -9, 309, 309]},
            [
                "the BleedBox is not inside the MediaBox",
                "the BleedBox extends left 20 pt beyond the TrimBox (needs 9 pt on every side)",
            ],
            id="bleed-off-the-paper",
        ),
        pytest.param({"BleedBox": [309.005, 309, -9, -8.995]}, [], id="corners-any-order"),
    ],
)
def test_wrong_page_boxes_are_found(
    tmp_path: Path, boxes: dict[str, list[float] | None], problems: list[str]
) -> None:
    data = weasyprint(tmp_path, '<p style="break-after: page">One</p><p>Two</p>', "bleed: 9pt")
    report = preflight(edit(data, 2, **boxes), PRINT)
    assert findings(report, "page-boxes") == [(2, f"page 2: {problem}") for problem in problems]


def test_boxes_are_looked_for_on_the_page_itself() -> None:
    # pikepdf's Page.trimbox and .bleedbox fall back to the CropBox, so they always exist.
    data = one_page(b"", {}, CropBox=[0, 0, 300, 300])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[0].trimbox == [0, 0, 300, 300]
    report = preflight(data, PRINT)
    assert findings(report, "page-boxes") == [(1, "page 1: no TrimBox"), (1, "page 1: no BleedBox")]


@pytest.mark.parametrize(
    ("trim", "problems"),
    [
        pytest.param(None, [], id="no-trim"),
        pytest.param([10, 10, 290, 290], [], id="inside"),
        pytest.param([-10, 0, 300, 300], ["page 1: the TrimBox is not inside the MediaBox"]),
    ],
)
def test_without_bleed_only_the_trim_is_checked(
    trim: list[int] | None, problems: list[str]
) -> None:
    entries = {} if trim is None else {"TrimBox": trim}
    report = preflight(one_page(b"", {}, **entries), LENIENT)
    assert findings(report, "page-boxes") == [(1, problem) for problem in problems]


# image-colour


@pytest.mark.parametrize(
    ("mode", "extension", "rgb"),
    [
        ("RGB", "png", True),
        ("RGBA", "png", True),
        ("P", "png", True),  # WeasyPrint expands the palette to RGB
        ("CMYK", "jpg", False),
        ("L", "png", False),
        ("L", "jpg", False),
    ],
)
def test_rgb_images_are_found_on_their_page(
    tmp_path: Path, mode: str, extension: str, rgb: bool
) -> None:
    name = picture(tmp_path, f"picture.{extension}", mode, 120, 100)
    body = f'<p style="break-after: page">Text</p><img src="{name}" style="width: 1in">'
    data = weasyprint(tmp_path, body)
    report = preflight(data, replace(LENIENT, cmyk=True))
    expected = f"page 2: image {image_name(data, 120)} is RGB (/DeviceRGB)"
    assert findings(report, "image-colour") == ([(2, expected)] if rgb else [])
    assert findings(preflight(data, LENIENT), "image-colour") == []  # CMYK not asked for


@pytest.mark.parametrize(
    ("space", "description"),
    [
        ("/DeviceRGB", "/DeviceRGB"),
        (["/CalRGB", {"/WhitePoint": [0.9505, 1.0, 1.089]}], "/CalRGB"),
        (["/ICCBased", icc(3)], "/ICCBased with 3 components"),
        (["/Indexed", "/DeviceRGB", 1, b"\0\0\0\xff\xff\xff"], "/Indexed over /DeviceRGB"),
        (
            ["/Indexed", ["/ICCBased", icc(3)], 0, b"abc"],
            "/Indexed over /ICCBased with 3 components",
        ),
        ("/CS0", "/DeviceRGB"),  # a named colour space from the resources
        ("/DeviceGray", None),
        ("/DeviceCMYK", None),
        (["/ICCBased", icc(1)], None),
        (["/ICCBased", icc(4)], None),
        (["/Indexed", "/DeviceCMYK", 0, b"abcd"], None),
        (["/CalGray", {"/WhitePoint": [0.9505, 1.0, 1.089]}], None),
    ],
)
def test_rgb_colour_spaces(space: object, description: str | None) -> None:
    resources = {"/XObject": {"/Im0": image(space)}, "/ColorSpace": {"/CS0": "/DeviceRGB"}}
    report = preflight(one_page(b"72 0 0 72 0 0 cm /Im0 Do", resources), PRINT)
    expected = [] if description is None else [(1, f"page 1: image /Im0 is RGB ({description})")]
    assert findings(report, "image-colour") == expected


def test_rgb_images_in_form_xobjects_are_found_once_per_page() -> None:
    rgb = image("/DeviceRGB")
    inner = form(b"72 0 0 72 0 0 cm /Photo Do", {"/XObject": {"/Photo": rgb}})
    mask = image(None, ImageMask=True, BitsPerComponent=1)
    resources = {"/XObject": {"/Fm0": inner, "/Im0": rgb, "/Mask": mask}}
    content = b"q /Fm0 Do Q q 72 0 0 72 0 0 cm /Im0 Do Q q 72 0 0 72 0 0 cm /Im0 Do /Mask Do Q"
    report = preflight(one_page(content, resources), PRINT)
    assert findings(report, "image-colour") == [
        (1, "page 1: image /Photo is RGB (/DeviceRGB)"),
        (1, "page 1: image /Im0 is RGB (/DeviceRGB)"),
    ]


# image-resolution


@pytest.mark.parametrize(("width", "dpi"), [("1in", 300), ("2in", 150), ("0.5in", 600)])
def test_resolution_at_the_printed_size(tmp_path: Path, width: str, dpi: int) -> None:
    name = picture(tmp_path, "gray.png", "L", 300, 300)
    data = weasyprint(tmp_path, f'<img src="{name}" style="width: {width}">')
    # An impossible minimum makes every image report the resolution it has.
    (measured,) = findings(
        preflight(data, replace(LENIENT, min_image_dpi=10_000)), "image-resolution"
    )
    assert [abs(figure - dpi) <= 1 for figure in reported_dpi(measured[1])] == [True]
    report = preflight(data, replace(LENIENT, min_image_dpi=300))
    needs = f"page 1: image {image_name(data, 300)} is {dpi} dpi at its printed size (needs 300)"
    assert findings(report, "image-resolution") == ([] if dpi >= 300 else [(1, needs)])


def test_an_image_stretched_one_way_reports_both_directions(tmp_path: Path) -> None:
    file = picture(tmp_path, "gray.png", "L", 300, 300)
    data = weasyprint(tmp_path, f'<img src="{file}" style="width: 1in; height: 2in">')
    report = preflight(data, replace(LENIENT, min_image_dpi=300))
    name = image_name(data, 300)
    assert findings(report, "image-resolution") == [
        (1, f"page 1: image {name} is 300 x 150 dpi at its printed size (needs 300)")
    ]


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        pytest.param(b"72 0 0 72 0 0 cm /Im0 Do", [], id="one-inch"),
        pytest.param(b"144 0 0 144 10 10 cm /Im0 Do", ["/Im0 is 150 dpi"], id="two-inches"),
        pytest.param(
            b"2 0 0 2 0 0 cm 72 0 0 72 0 0 cm /Im0 Do", ["/Im0 is 150 dpi"], id="cm-multiplies"
        ),
        pytest.param(b"q 4 0 0 4 0 0 cm Q 72 0 0 72 0 0 cm /Im0 Do", [], id="Q-restores"),
        pytest.param(b"Q Q 72 0 0 72 0 0 cm /Im0 Do", [], id="unbalanced-Q"),
        pytest.param(
            # Stretched upwards, then turned: the image's width ends up upright and stretched.
            b"1 0 0 2 0 0 cm 0 1 -1 0 0 0 cm 72 0 0 72 0 0 cm /Im0 Do",
            ["/Im0 is 150 x 300 dpi"],
            id="order-of-cm",
        ),
        pytest.param(b"0 144 -144 0 200 0 cm /Im0 Do", ["/Im0 is 150 dpi"], id="rotated"),
        # 72 pt along the diagonal, a hair over: the tolerance keeps it at 300 dpi.
        pytest.param(b"50.9117 50.9117 -50.9117 50.9117 150 0 cm /Im0 Do", [], id="45-degrees"),
        pytest.param(
            b"q 72 0 0 72 0 0 cm /Im0 Do Q q 144 0 0 144 0 0 cm /Im0 Do Q",
            ["/Im0 is 150 dpi"],
            id="drawn-twice",
        ),
        pytest.param(
            b"q 144 0 0 144 0 0 cm /Im0 Do Q 0 144 144 0 0 0 cm /Im0 Do",
            ["/Im0 is 150 dpi"],
            id="same-finding-once",
        ),
        pytest.param(b"/Fm0 Do", ["/Im0 is 150 dpi"], id="form-matrix"),
        pytest.param(b"0.5 0 0 0.5 0 0 cm /Fm0 Do", [], id="form-scaled-back"),
        pytest.param(b"72 0 0 72 0 0 cm /Wide Do", ["/Wide is 600 x 150 dpi"], id="non-square"),
        pytest.param(b"72 0 0 72 0 0 cm /Mask Do", [], id="image-mask-ignored"),
        pytest.param(b"144 0 0 144 0 0 cm /Masked Do", ["/Masked is 150 dpi"], id="soft-mask"),
        pytest.param(b"0 0 0 0 0 0 cm /Im0 Do", [], id="degenerate"),
    ],
)
def test_resolution_follows_the_transformation_matrix(content: bytes, problems: list[str]) -> None:
    resources = {
        "/XObject": {
            "/Im0": image(),
            "/Fm0": form(
                b"72 0 0 72 0 0 cm /Im0 Do",
                {"/XObject": {"/Im0": image()}},
                Matrix=[2, 0, 0, 2, 0, 0],
            ),
            "/Wide": image(width=600, height=150),
            "/Mask": image(None, width=10, height=10, ImageMask=True, BitsPerComponent=1),
            "/Masked": image(SMask=image(width=10, height=10)),
        }
    }
    report = preflight(one_page(content, resources), replace(LENIENT, min_image_dpi=300))
    assert findings(report, "image-resolution") == [
        (1, f"page 1: image {problem} at its printed size (needs 300)") for problem in problems
    ]


def test_user_unit_scales_the_printed_size() -> None:
    data = one_page(b"72 0 0 72 0 0 cm /Im0 Do", {"/XObject": {"/Im0": image()}}, UserUnit=2)
    report = preflight(data, replace(LENIENT, min_image_dpi=300))
    assert findings(report, "image-resolution") == [
        (1, "page 1: image /Im0 is 150 dpi at its printed size (needs 300)")
    ]


# page-count


@pytest.mark.parametrize(
    ("pages", "multiple", "problem"),
    [
        (3, 4, "3 pages is not a multiple of 4 (the next multiple is 4)"),
        (4, 4, None),
        (6, 4, "6 pages is not a multiple of 4 (the next multiple is 8)"),
        (1, 2, "1 page is not a multiple of 2 (the next multiple is 2)"),
        (5, 1, None),
    ],
)
def test_page_count(pages: int, multiple: int, problem: str | None) -> None:
    builder = Builder()
    for _ in range(pages):
        builder.page()
    report = preflight(builder.pdf(), replace(LENIENT, page_multiple=multiple))
    assert report.pages == pages
    assert report.findings == (() if problem is None else (Finding("page-count", None, problem),))


# Damaged files


def test_a_file_that_is_not_a_pdf_is_refused() -> None:
    with pytest.raises(AssembleError, match=r"^not a readable PDF \(\w+: .+\)$"):
        preflight(b"%PDF-1.7\nnot really", LENIENT)


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_an_encrypted_pdf_is_refused(user_password: str) -> None:
    # With no user password, readers decrypt it unasked; it is still protected.
    writer = PdfWriter(clone_from=io.BytesIO(one_page(b"", {})))
    writer.encrypt(user_password, "owner", algorithm="RC4-128")
    output = io.BytesIO()
    writer.write(output)
    with pytest.raises(AssembleError, match=r"^the PDF is encrypted"):
        preflight(output.getvalue(), LENIENT)


def self_drawing_form() -> bytes:
    builder = Builder()
    builder.page(b"/Fm0 Do", {})
    reference = builder.stream(form(b"/Fm0 Do", {}))
    loop = reference.get_object()
    loop[NameObject("/Resources")] = builder.dictionary({"/XObject": {"/Fm0": reference}})
    builder.writer.pages[0][NameObject("/Resources")] = loop["/Resources"]
    return builder.pdf()


def without_media_box() -> bytes:
    builder = Builder()
    builder.page()
    del builder.writer.pages[0][NameObject("/MediaBox")]
    return builder.pdf()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            one_page(b"/Im9 Do", {"/XObject": {"/Im0": image()}}),
            "page 1: xobject /Im9 is used but not defined",
            id="undefined-image",
        ),
        pytest.param(
            one_page(TEXT, {"/Font": {}}),
            "page 1: font /F1 is used but not defined",
            id="undefined-font",
        ),
        pytest.param(
            one_page(b"/Im0 Do", {"/XObject": 7}),
            "page 1: the /XObject resources is not a dictionary",
            id="resources-not-a-dictionary",
        ),
        pytest.param(
            one_page(b"1 0 /x 1 0 0 cm", {}),
            "page 1: the matrix of cm is not 6 numbers",
            id="bad-matrix",
        ),
        pytest.param(
            one_page(b"", {}, TrimBox=[0, 0, 300]),
            "page 1: the /TrimBox is not 4 numbers",
            id="bad-box",
        ),
        pytest.param(
            one_page(b"/Im0 Do", {"/XObject": {"/Im0": image(width=0)}}),
            "page 1: image /Im0 is 0 x 300 pixels",
            id="empty-image",
        ),
        pytest.param(self_drawing_form(), "page 1: form XObject /Fm0 draws itself", id="loop"),
        # qpdf gives such a page a Letter MediaBox when it lists the pages; preflight must not.
        pytest.param(without_media_box(), "page 1: the page has no /MediaBox", id="no-media-box"),
        pytest.param(
            one_page(b"", {}, MediaBox=[0, 0, 300]),
            "page 1: the /MediaBox is not 4 numbers",
            id="bad-media-box",
        ),
    ],
)
def test_a_malformed_page_is_reported_with_its_number(data: bytes, message: str) -> None:
    with pytest.raises(AssembleError) as raised:
        preflight(data, PRINT)
    assert str(raised.value) == message


def test_an_undecodable_content_stream_is_reported_with_its_page() -> None:
    builder = Builder()
    builder.page()
    builder.page()
    contents = builder.stream(Stream({"/Filter": "/LZWDecode"}, b"\xff\xfe garbage"))
    builder.writer.pages[1][NameObject("/Contents")] = contents
    with pytest.raises(AssembleError, match=r"^page 2: cannot be read \(\w+: "):
        preflight(builder.pdf(), LENIENT)


def test_a_page_tree_that_contains_itself_is_refused() -> None:
    builder = Builder()
    builder.page()
    tree = builder.writer.root_object.raw_get("/Pages")
    tree.get_object()["/Kids"].append(tree)
    with pytest.raises(AssembleError, match=r"^not a readable PDF \("):
        preflight(builder.pdf(), LENIENT)


# The page tree: resources and the MediaBox are inherited


def test_a_page_inherits_its_resources_and_media_box() -> None:
    builder = Builder()
    content = b"144 0 0 144 0 0 cm /Im0 Do"
    builder.page(content, {"/XObject": {"/Im0": image()}}, TrimBox=[-10, 0, 300, 300])
    page = builder.writer.pages[0]
    tree = builder.writer.root_object["/Pages"].get_object()
    tree[NameObject("/Resources")] = page.pop("/Resources")
    tree[NameObject("/MediaBox")] = RectangleObject([-20, 0, 300, 300])
    del page[NameObject("/MediaBox")]
    report = preflight(builder.pdf(), replace(LENIENT, min_image_dpi=300))
    # The image is found, and the TrimBox lies inside the inherited MediaBox.
    assert report.findings == (
        Finding(
            "image-resolution", 1, "page 1: image /Im0 is 150 dpi at its printed size (needs 300)"
        ),
    )
