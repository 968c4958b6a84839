"""Preflight: the checks a print shop runs on a finished PDF before it goes to press.

The checks read the PDF the pipeline wrote, not the HTML it came from, so they
see what the press will see: fonts without an embedded program, pages without
the boxes a shop trims by, RGB images in a CMYK job, images too coarse at the
size they are printed, and a page count that does not fill whole sheets.
Editions that promise a standard (PDF/UA-1, PDF/A-3a) are also run through
the validator of the `page-validation` package, on the final bytes.

Content streams are interpreted just far enough for this: the current
transformation matrix (``q``, ``Q``, ``cm``), fonts chosen with ``Tf`` and
XObjects drawn with ``Do``, following Form XObjects. qpdf (through pikepdf)
reads the file and splits the streams into operators. Inline images, patterns,
annotation appearances and Type3 glyph procedures are not followed; the
pipeline's typesetter does not put images there.
"""

import math
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import pikepdf
from page import PageError, ValidationProfile, validate_pdf_bytes

from .errors import AssembleError
from .pdfs import READ_ERRORS, describe, reading

_FONTS = "fonts-embedded"
_BOXES = "page-boxes"
_COLOUR = "image-colour"
_RESOLUTION = "image-resolution"
_PAGE_COUNT = "page-count"
_CONFORMANCE = "conformance"
_CHECKS = (_FONTS, _BOXES, _COLOUR, _RESOLUTION, _PAGE_COUNT, _CONFORMANCE)

_BOX_TOLERANCE_PT = 0.01
"""Producers round box coordinates, so an exact comparison would fail good files."""
_DPI_TOLERANCE = 0.5
"""Content streams store scales to a few decimals, so an image placed at exactly
the minimum resolution can compute a hair below it."""
_MAX_FORM_DEPTH = 32
"""Form XObjects nested deeper than this are taken as malformed, not recursed into."""
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class Requirements:
    """What an edition's output must satisfy."""

    page_multiple: int
    """The page count must be a multiple of this (1 = any)."""
    boxes: bool
    """Every page needs a TrimBox and a BleedBox (print editions with bleed)."""
    bleed: float
    """Points the BleedBox must extend beyond the TrimBox on every side; ignored without boxes."""
    cmyk: bool
    """No RGB images; gray and CMYK images are fine."""
    min_image_dpi: int
    """Every image's resolution at its printed size, in both directions."""
    conformance: str | None = None
    """The page-validation profile the PDF must pass ("ua1", "3a", ...), if any."""

    def __post_init__(self) -> None:
        if self.page_multiple < 1:
            raise ValueError(f"page_multiple must be at least 1, not {self.page_multiple}")
        if self.bleed < 0 or self.min_image_dpi < 0:
            raise ValueError("bleed and min_image_dpi cannot be negative")


@dataclass(frozen=True)
class Finding:
    """One problem a check found."""

    check: str
    page: int | None
    """1-based; None for a problem with the whole document."""
    message: str


@dataclass(frozen=True)
class PreflightReport:
    """The outcome of every check; no findings means the PDF can go to press."""

    checks: tuple[str, ...]
    findings: tuple[Finding, ...]
    pages: int

    @property
    def passed(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        """One line per check, "ok" or its findings indented below it."""
        failed = sum(1 for check in self.checks if self._findings(check))
        if self.passed:
            lines = [f"preflight passed: {len(self.checks)} checks, {_count(self.pages, 'page')}"]
        else:
            lines = [
                f"preflight failed: {_count(len(self.findings), 'problem')} in {failed} of "
                f"{len(self.checks)} checks, {_count(self.pages, 'page')}"
            ]
        for check in self.checks:
            findings = self._findings(check)
            lines.append(f"{check}: {_count(len(findings), 'problem') if findings else 'ok'}")
            lines.extend(f"  {finding.message}" for finding in findings)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data, ready for `json.dumps`."""
        return {
            "passed": self.passed,
            "pages": self.pages,
            "checks": [
                {
                    "name": check,
                    "passed": not self._findings(check),
                    "findings": [
                        {"page": finding.page, "message": finding.message}
                        for finding in self._findings(check)
                    ],
                }
                for check in self.checks
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PreflightReport":
        """The report `as_dict` gave."""
        checks = data["checks"]
        findings = (
            Finding(check["name"], finding["page"], finding["message"])
            for check in checks
            for finding in check["findings"]
        )
        return cls(tuple(check["name"] for check in checks), tuple(findings), data["pages"])

    def _findings(self, check: str) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.check == check)


def preflight(data: bytes, requirements: Requirements) -> PreflightReport:
    """Check the finished PDF in DATA against REQUIREMENTS.

    Raise `AssembleError` if the PDF, or one of its pages, cannot be read.
    """
    with ThreadPoolExecutor(max_workers=1) as validator:
        # The validator runs in C without holding the GIL, so it checks the PDF while this
        # thread reads the pages: 140 ms instead of 210 on the large synthetic issue.
        conformance = validator.submit(_conformance, data, requirements.conformance)
        pages = _read_pages(data)
        findings = (
            *_fonts_embedded(pages),
            *_page_boxes(pages, requirements),
            *_image_colour(pages, requirements.cmyk),
            *_image_resolution(pages, requirements.min_image_dpi),
            *_page_count(len(pages), requirements.page_multiple),
            *conformance.result(),
        )
    # An image placed twice at the same size on a page would give the same finding twice.
    return PreflightReport(_CHECKS, tuple(dict.fromkeys(findings)), len(pages))


# What the checks need to know about the PDF, read once; the checks below touch no PDF objects.


@dataclass(frozen=True)
class _Box:
    """A page box, normalised so left < right and bottom < top."""

    left: float
    bottom: float
    right: float
    top: float

    def contains(self, other: "_Box") -> bool:
        return all(margin >= -_BOX_TOLERANCE_PT for margin in self.margins(other).values())

    def margins(self, inner: "_Box") -> dict[str, float]:
        """How far this box extends beyond INNER on each side (negative: falls short)."""
        return {
            "left": inner.left - self.left,
            "bottom": inner.bottom - self.bottom,
            "right": self.right - inner.right,
            "top": self.top - inner.top,
        }


@dataclass(frozen=True)
class _Font:
    name: str
    embedded: bool


@dataclass(frozen=True)
class _Image:
    name: str
    """The resource name the content stream draws it by, e.g. "/Im1"."""
    pixels: tuple[int, int]
    rgb: str | None
    """Its colour space, described, if that is RGB; None for gray, CMYK and the rest."""


@dataclass(frozen=True)
class _Placement:
    """One image drawn with ``Do``, and its size on paper in points."""

    image: _Image
    width: float
    height: float

    @property
    def dpi(self) -> tuple[float, float]:
        return (self.image.pixels[0] * 72 / self.width, self.image.pixels[1] * 72 / self.height)


@dataclass(frozen=True)
class _Page:
    number: int
    media: _Box
    trim: _Box | None
    """Only a TrimBox the page itself sets; pikepdf's `Page.trimbox` falls back to the CropBox."""
    bleed: _Box | None
    fonts: tuple[_Font, ...]
    placements: tuple[_Placement, ...]


class _Malformed(Exception):
    """A PDF structure is not what the specification allows; the message says which."""


def _read_pages(data: bytes) -> tuple[_Page, ...]:
    encrypted = "the PDF is encrypted; preflight needs an unprotected copy"
    # Pages do not inherit their attributes on opening: see _PageTree.
    with reading(data, AssembleError, encrypted=encrypted, inherit_page_attributes=False) as pdf:
        try:
            tree = _PageTree()
            tree.read(pdf.Root.get("/Pages"), {}, ())
        except _Malformed as error:
            raise AssembleError(f"not a readable PDF ({error})") from error
        return tuple(_read_page(number, page) for number, page in enumerate(tree.pages, start=1))


@dataclass(frozen=True)
class _PageNode:
    """A page dictionary and the attributes it inherits from the page tree."""

    dictionary: pikepdf.Dictionary
    inherited: dict[str, object]

    def get(self, key: str) -> object:
        return self.dictionary.get(key, self.inherited.get(key))


_INHERITED = ("/Resources", "/MediaBox")
"""The inheritable page attributes preflight reads (/CropBox and /Rotate are the others)."""
_MAX_PAGE_TREE_DEPTH = 100
_MAX_PAGE_TREE_NODES = 100_000
"""pypdf's limits: a hostile page tree can nest deep, or share kids to list a node
billions of times, without a loop."""


@dataclass
class _PageTree:
    """The pages in order, read from the page tree as pypdf read it.

    Not from `Pdf.pages`, nor with the attributes pikepdf pushes down to the
    pages on opening: either has qpdf repair the tree, which gives a page
    without a usable /MediaBox a Letter one and would hide that finding.
    """

    pages: list[_PageNode] = field(default_factory=list)
    nodes: int = 0

    def read(
        self, node: object, inherited: dict[str, object], ancestors: tuple[object, ...]
    ) -> None:
        if not isinstance(node, pikepdf.Dictionary):
            raise _Malformed("the page tree is not a dictionary")
        if len(ancestors) > _MAX_PAGE_TREE_DEPTH:
            raise _Malformed(f"the page tree is nested more than {_MAX_PAGE_TREE_DEPTH} deep")
        # A node with neither /Type nor /Kids is a page; one of another /Type is skipped.
        kind = node.get("/Type", "/Page" if "/Kids" not in node else "/Pages")
        if kind == "/Page":
            self.pages.append(_PageNode(node, inherited))
        elif kind == "/Pages":
            own = {key: node[key] for key in _INHERITED if key in node}
            self._read_kids(node, {**inherited, **own}, (*ancestors, node))

    def _read_kids(
        self, node: pikepdf.Dictionary, inherited: dict[str, object], ancestors: tuple[object, ...]
    ) -> None:
        kids = node.get("/Kids")
        if kids is not None and not isinstance(kids, pikepdf.Array):
            raise _Malformed("the /Kids of a page tree node is not an array")
        for kid in kids or ():
            if not isinstance(kid, pikepdf.Dictionary) or not len(kid):
                continue  # damaged files list other things, and pypdf skipped them
            if any(kid.is_same_object_as(ancestor) for ancestor in ancestors):
                raise _Malformed("the page tree refers to itself")
            self.nodes += 1
            if self.nodes > _MAX_PAGE_TREE_NODES:
                raise _Malformed(f"the page tree has more than {_MAX_PAGE_TREE_NODES} nodes")
            self.read(kid, inherited, ancestors)


_Operation = tuple[list[object], bytes]
_WALKED_OPERATORS = "q Q cm Tf Do"


def _operations(content: pikepdf.Object) -> list[_Operation]:
    """The operators of CONTENT, a page or a form XObject, that the walker interprets."""
    return [
        (list(instruction.operands), bytes(instruction.operator))
        for instruction in pikepdf.parse_content_stream(content, _WALKED_OPERATORS)
    ]


def _page_operations(page: pikepdf.Dictionary) -> list[_Operation]:
    contents = page.get("/Contents")
    # An array of streams may split an instruction between two; qpdf joins them, given
    # the page. It wants the page's /Type for that: such a page without one is refused.
    return _operations(contents if isinstance(contents, pikepdf.Stream) else page)


def _read_page(number: int, page: _PageNode) -> _Page:
    own = page.dictionary
    try:
        walker = _Walker()
        if own.get("/Contents") is not None:
            unit = _number(own.get("/UserUnit", 1), "/UserUnit")
            resources = _optional_dictionary(page.get("/Resources"), "the page's /Resources")
            user_space = pikepdf.Matrix(unit, 0, 0, unit, 0, 0)
            walker.walk(_page_operations(own), resources, user_space, ())
        return _Page(
            number,
            media=_box(page.get("/MediaBox"), "/MediaBox"),
            trim=_optional_box(own.get("/TrimBox"), "/TrimBox"),
            bleed=_optional_box(own.get("/BleedBox"), "/BleedBox"),
            fonts=tuple(font for _, font in walker.fonts),
            placements=tuple(walker.placements),
        )
    except _Malformed as error:
        raise AssembleError(f"page {number}: {error}") from error
    except READ_ERRORS as error:
        raise AssembleError(f"page {number}: cannot be read ({describe(error)})") from error


_Dictionary = pikepdf.Dictionary | pikepdf.Stream
"""A stream's dictionary is a dictionary too, as the ICC profile of a colour space."""


@dataclass
class _Walker:
    """Interprets content streams just far enough to see the fonts and image placements."""

    fonts: list[tuple[_Dictionary, _Font]] = field(default_factory=list)
    """By the font dictionary itself: pikepdf gives a new wrapper on every access, and the
    same dictionary may be listed under two names."""
    placements: list[_Placement] = field(default_factory=list)
    images: list[tuple[_Dictionary, _Image]] = field(default_factory=list)

    def walk(
        self,
        operations: list[_Operation],
        resources: _Dictionary,
        ctm: pikepdf.Matrix,
        forms: tuple[_Dictionary, ...],
    ) -> None:
        saved: list[pikepdf.Matrix] = []
        chosen: set[str] = set()  # a name means the same font all through these resources
        for operands, operator in operations:
            if operator == b"q":
                saved.append(ctm)
            elif operator == b"Q" and saved:  # viewers ignore an unbalanced Q, and so do we
                ctm = saved.pop()
            elif operator == b"cm":
                ctm = _matrix(operands, "the matrix of cm") @ ctm
            elif operator == b"Tf":
                name = _name(operands[:1], "the font of Tf")
                if name not in chosen:
                    self._choose_font(resources, name)
                    chosen.add(name)
            elif operator == b"Do":
                self._draw(resources, _name(operands[:1], "the operand of Do"), ctm, forms)

    def _choose_font(self, resources: _Dictionary, name: str) -> None:
        font = _resource(resources, "/Font", name)
        if _find(self.fonts, font) is None:
            self.fonts.append((font, _Font(_font_name(font, name), _is_embedded(font))))

    def _draw(
        self, resources: _Dictionary, name: str, ctm: pikepdf.Matrix, forms: tuple[_Dictionary, ...]
    ) -> None:
        xobject = _resource(resources, "/XObject", name)
        subtype = xobject.get("/Subtype")
        if subtype == "/Image" and not _flag(xobject.get("/ImageMask")):
            self._place(self._image(xobject, name, resources), ctm)
        elif subtype == "/Form":
            self._form(xobject, name, resources, ctm, forms)

    def _image(self, xobject: _Dictionary, name: str, resources: _Dictionary) -> _Image:
        image = _find(self.images, xobject)
        if image is None:
            pixels = (
                int(_number(xobject.get("/Width"), f"the /Width of image {name}")),
                int(_number(xobject.get("/Height"), f"the /Height of image {name}")),
            )
            if min(pixels) < 1:
                raise _Malformed(f"image {name} is {pixels[0]} x {pixels[1]} pixels")
            rgb = _rgb_space(xobject.get("/ColorSpace"), resources, depth=0)
            image = _Image(name, pixels, rgb)
            self.images.append((xobject, image))
        # The name is the one this stream draws it by, which may differ between pages.
        return image if image.name == name else _Image(name, image.pixels, image.rgb)

    def _place(self, image: _Image, ctm: pikepdf.Matrix) -> None:
        # The image fills the unit square; the CTM maps its sides to these lengths.
        a, b, c, d = ctm.a, ctm.b, ctm.c, ctm.d
        width, height = math.hypot(a, b), math.hypot(c, d)
        if width > 0 and height > 0:  # a degenerate matrix prints nothing
            self.placements.append(_Placement(image, width, height))

    def _form(
        self,
        form: _Dictionary,
        name: str,
        resources: _Dictionary,
        ctm: pikepdf.Matrix,
        forms: tuple[_Dictionary, ...],
    ) -> None:
        if any(form.is_same_object_as(outer) for outer in forms):
            raise _Malformed(f"form XObject {name} draws itself")
        if len(forms) >= _MAX_FORM_DEPTH:
            raise _Malformed(f"form XObjects are nested more than {_MAX_FORM_DEPTH} deep")
        if not isinstance(form, pikepdf.Stream):
            raise _Malformed(f"form XObject {name} is not a stream")
        matrix = form.get("/Matrix")
        if matrix is not None:
            ctm = _matrix(matrix, f"the /Matrix of form {name}") @ ctm
        # A form without resources uses its parent's: allowed in PDF 1.1, still written.
        inner = form.get("/Resources")
        own = resources if inner is None else _dictionary(inner, f"the /Resources of form {name}")
        self.walk(_operations(form), own, ctm, (*forms, form))


_Found = TypeVar("_Found")


def _find(found: list[tuple[_Dictionary, _Found]], key: _Dictionary) -> _Found | None:
    """What was read from the object KEY, if it was."""
    return next((value for read, value in found if read.is_same_object_as(key)), None)


def _font_name(font: _Dictionary, resource_name: str) -> str:
    base = font.get("/BaseFont")
    return str(base).removeprefix("/") if isinstance(base, pikepdf.Name) else resource_name


def _is_embedded(font: _Dictionary) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":  # its glyphs are content streams in the font dictionary itself
        return True
    if subtype == "/Type0":  # the glyphs live in the one descendant CIDFont
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or not len(descendants):
            return False
        font = _dictionary(descendants[0], "the descendant font")
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, _Dictionary) and any(key in descriptor for key in _FONT_FILES)


def _rgb_space(space: object, resources: _Dictionary, depth: int) -> str | None:
    """Describe SPACE if its samples are RGB; None if they are anything else."""
    if depth > 3:  # a name that resolves to itself, or some such loop
        raise _Malformed(f"colour space {space} refers to itself")
    if isinstance(space, pikepdf.Name):
        if space == "/DeviceRGB":
            return "/DeviceRGB"
        named = resources.get("/ColorSpace")
        if isinstance(named, _Dictionary) and space in named:
            return _rgb_space(named[space], resources, depth + 1)
        return None
    if not isinstance(space, pikepdf.Array) or not len(space):
        return None
    family = space[0]
    if family == "/CalRGB":
        return "/CalRGB"
    if family == "/ICCBased" and len(space) > 1:
        # The profile's component count is what decides; its colour space is RGB when 3.
        profile = _dictionary(space[1], "the ICC profile")
        return "/ICCBased with 3 components" if profile.get("/N") == 3 else None
    if family == "/Indexed" and len(space) > 1:
        base = _rgb_space(space[1], resources, depth + 1)
        return f"/Indexed over {base}" if base else None
    return None


# Typed access to PDF objects: a value of the wrong type is a malformed file, reported as such.
# pikepdf resolves references and gives null as None, integers as int, reals as Decimal
# and booleans as bool.


def _dictionary(value: object, what: str) -> _Dictionary:
    if not isinstance(value, _Dictionary):
        raise _Malformed(f"{what} is not a dictionary")
    return value


def _optional_dictionary(value: object, what: str) -> _Dictionary:
    return pikepdf.Dictionary() if value is None else _dictionary(value, what)


def _flag(value: object) -> bool:
    return value is True  # a PDF boolean; not the integer 1


def _resource(resources: _Dictionary, category: str, name: str) -> _Dictionary:
    entries = _optional_dictionary(resources.get(category), f"the {category} resources")
    if name not in entries:
        raise _Malformed(f"{category.removeprefix('/').lower()} {name} is used but not defined")
    return _dictionary(entries[name], f"{category.removeprefix('/').lower()} {name}")


def _name(operands: list[object], what: str) -> str:
    value = operands[0] if operands else None
    if not isinstance(value, pikepdf.Name):
        raise _Malformed(f"{what} is not a name")
    return str(value)


def _is_number(value: object) -> bool:
    # Python counts a bool as an int; PDF does not count a boolean as a number.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _number(value: object, what: str) -> float:
    if not _is_number(value):
        raise _Malformed(f"{what} is not a number")
    return float(value)  # type: ignore[arg-type]


def _numbers(value: object, count: int, what: str) -> tuple[float, ...]:
    items = list(value) if isinstance(value, list | pikepdf.Array) else []
    if len(items) != count or not all(map(_is_number, items)):
        raise _Malformed(f"{what} is not {count} numbers")
    return tuple(float(number) for number in items)


def _matrix(value: object, what: str) -> pikepdf.Matrix:
    return pikepdf.Matrix(*_numbers(value, 6, what))


def _box(value: object, what: str) -> _Box:
    if value is None:
        raise _Malformed(f"the page has no {what}")
    # Any two opposite corners make a rectangle, in either order.
    x1, y1, x2, y2 = _numbers(value, 4, f"the {what}")
    return _Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _optional_box(value: object, what: str) -> _Box | None:
    return None if value is None else _box(value, what)


# The checks.


def _fonts_embedded(pages: Iterable[_Page]) -> Iterator[Finding]:
    reported: set[str] = set()
    for page in pages:
        for font in page.fonts:
            if not font.embedded and font.name not in reported:
                reported.add(font.name)
                yield Finding(
                    _FONTS, page.number, f"page {page.number}: font {font.name} is not embedded"
                )


def _page_boxes(pages: Iterable[_Page], requirements: Requirements) -> Iterator[Finding]:
    for page in pages:
        problems = (
            _press_boxes(page, requirements.bleed) if requirements.boxes else _trim_on_media(page)
        )
        for problem in problems:
            yield Finding(_BOXES, page.number, f"page {page.number}: {problem}")


def _trim_on_media(page: _Page) -> Iterator[str]:
    if page.trim is not None and not page.media.contains(page.trim):
        yield "the TrimBox is not inside the MediaBox"


def _press_boxes(page: _Page, bleed: float) -> Iterator[str]:
    if page.trim is None:
        yield "no TrimBox"
    if page.bleed is None:
        yield "no BleedBox"
        return
    if not page.media.contains(page.bleed):
        yield "the BleedBox is not inside the MediaBox"
    if page.trim is None:
        return
    margins = page.bleed.margins(page.trim)
    wrong = [
        f"{side} {_points(margin)} pt"
        for side, margin in margins.items()
        if abs(margin - bleed) > _BOX_TOLERANCE_PT
    ]
    if wrong:
        yield (
            f"the BleedBox extends {', '.join(wrong)} beyond the TrimBox "
            f"(needs {_points(bleed)} pt on every side)"
        )


def _image_colour(pages: Iterable[_Page], required: bool) -> Iterator[Finding]:
    if not required:
        return
    for page in pages:
        for image in dict.fromkeys(placement.image for placement in page.placements):
            if image.rgb is not None:
                yield Finding(
                    _COLOUR,
                    page.number,
                    f"page {page.number}: image {image.name} is RGB ({image.rgb})",
                )


def _image_resolution(pages: Iterable[_Page], minimum: int) -> Iterator[Finding]:
    for page in pages:
        for placement in page.placements:
            across, down = placement.dpi
            if min(across, down) < minimum - _DPI_TOLERANCE:
                yield Finding(
                    _RESOLUTION,
                    page.number,
                    f"page {page.number}: image {placement.image.name} is {_dpi(across, down)} "
                    f"at its printed size (needs {minimum})",
                )


def _page_count(pages: int, multiple: int) -> Iterator[Finding]:
    if pages % multiple:
        following = pages + multiple - pages % multiple
        yield Finding(
            _PAGE_COUNT,
            None,
            f"{_count(pages, 'page')} is not a multiple of {multiple} "
            f"(the next multiple is {following})",
        )


def _conformance(data: bytes, profile: str | None) -> tuple[Finding, ...]:
    if profile is None:
        return ()
    try:
        report = validate_pdf_bytes(data, profile=ValidationProfile(profile))
    except PageError as error:
        return (Finding(_CONFORMANCE, None, f"the validator could not read the PDF: {error}"),)
    return tuple(
        Finding(_CONFORMANCE, None, f"{failure.rule_id}: {failure.message}")
        for failure in report.failures
    )


def _dpi(across: float, down: float) -> str:
    if round(across) == round(down):
        return f"{across:.0f} dpi"
    return f"{across:.0f} x {down:.0f} dpi"


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
