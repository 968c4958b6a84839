"""Proof sheet: every page of an issue on one PNG, to approve by email.

The pages are small pictures laid out as a reader meets them, in spreads
(facing pages touching, a gap between spreads), each with its label under it,
and a title line saying which issue, edition, page count and date the sheet
shows. The text is set in the project's own fonts, and the PNG carries no
time, so the same issue gives the same bytes on every run.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .build import produce
from .editions import DEFAULT_EDITION, Edition
from .errors import BrochureError
from .files import write_atomically
from .manifest import design_files
from .plan import BuildPlan, plan_build, refuse_inputs
from .raster import PageImage, png_bytes, render_pages, spreads
from .settings import BuildOptions, Settings

DEFAULT_DPI = 40
"""A Letter page 340 pixels wide: its headings are legible, the sheet fits a mail."""
MAX_WIDTH = 1600
"""Pixels; spreads wrap onto more rows before the sheet gets wider (unless one is wider)."""
MAX_PIXELS = 60_000_000

BACKGROUND = (228, 228, 228)
INK = (34, 34, 34)
QUIET_INK = (96, 96, 96)
SHADOW = (0, 0, 0, 70)


@dataclass(frozen=True)
class Tile:
    """Where one page's picture sits on the sheet, and the label under it."""

    label: str
    box: tuple[int, int, int, int]
    """Left, top, right and bottom, in pixels; right and bottom exclusive."""


@dataclass(frozen=True)
class ProofSheet:
    """The composed sheet and the position of every page on it."""

    image: Image.Image
    tiles: tuple[Tile, ...]

    def png(self) -> bytes:
        return png_bytes(self.image)


@dataclass(frozen=True)
class WrittenProof:
    """A proof sheet written to OUTPUT."""

    output: Path
    pages: int
    width: int
    height: int


def write_proof(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
    *,
    edition: Edition = DEFAULT_EDITION,
    dpi: float = DEFAULT_DPI,
) -> WrittenProof:
    """Build EDITION of the issue at ISSUE_PATH in memory and write its proof sheet.

    The PNG goes to OUTPUT, or `out/<slug><suffix>.proof.png`, atomically. The
    PDF itself is not written. Raise `BrochureError` (e.g. `IssueInvalid`)
    when the issue cannot be built, exactly as `brochure build` would.
    """
    plan = plan_build(issue_path, settings, options, edition=edition)
    target = output or settings.output / f"{plan.sourced.slug}{edition.suffix}.proof.png"
    refuse_inputs(target, plan.sourced, design_files(settings), "the proof")
    sheet = proof_sheet_of(plan, settings, dpi)
    write_atomically(target, sheet.png())
    return WrittenProof(target, len(sheet.tiles), *sheet.image.size)


def proof_sheet_of(plan: BuildPlan, settings: Settings, dpi: float = DEFAULT_DPI) -> ProofSheet:
    """Typeset PLAN and lay out its pages, rendered at DPI, as a proof sheet."""
    produced = produce(plan, settings)
    pages = render_pages(produced.data, dpi)
    count = _counted(produced.pages, "page")
    if produced.sides != produced.pages:
        count += f" on {_counted(produced.sides // 2, 'sheet')}"
    facts = [
        f"{plan.edition.name} edition",
        count,
        plan.layout.page.value.title() if plan.layout.page.value != "a4" else "A4",
        _long_date(plan.date),
    ]
    return compose(
        pages,
        title=plan.sourced.issue.title,
        facts=" · ".join(facts),
        fonts=settings.fonts,
        facing=plan.layout.sheet is None,
    )


def compose(
    pages: Sequence[PageImage],
    *,
    title: str,
    facts: str,
    fonts: Path,
    facing: bool = True,
    max_width: int = MAX_WIDTH,
) -> ProofSheet:
    """Lay out PAGES in spreads under a TITLE line and a line of FACTS.

    Spreads go left to right and wrap onto new rows to keep the sheet within
    MAX_WIDTH pixels. Every spread takes a slot two pages wide (one without
    FACING), so a lone first page sits on the right, as it does in print.
    FONTS is the folder of the project's fonts.
    """
    if not pages:
        raise BrochureError("a proof sheet needs at least one page")
    unit = max(1.0, pages[0].dpi / DEFAULT_DPI)  # text grows with the pages, never shrinks
    title_font = _font(fonts, "SourceSans3-Semibold.ttf", round(22 * unit))
    small_font = _font(fonts, "SourceSans3-Regular.ttf", round(13 * unit))
    margin, gap, row_gap = round(36 * unit), round(44 * unit), round(20 * unit)
    label_band = round(26 * unit)
    page_width = max(page.image.width for page in pages)
    page_height = max(page.image.height for page in pages)
    slot = page_width * (2 if facing else 1)
    groups = spreads(pages, facing=facing)
    columns = max(1, min(len(groups), (max_width - 2 * margin + gap) // (slot + gap)))
    rows = -(-len(groups) // columns)
    header = round(68 * unit)
    width = 2 * margin + columns * slot + (columns - 1) * gap
    height = margin + header + rows * (page_height + label_band) + (rows - 1) * row_gap + margin
    if width * height > MAX_PIXELS:
        raise BrochureError(
            f"the proof sheet would be {width}x{height} pixels; choose a lower --dpi"
        )

    row_pitch = page_height + label_band + row_gap
    origin = (margin, margin + header)
    tiles = _place(groups, facing, page_width, (slot + gap, row_pitch), columns, origin)
    tiles_by_page = list(zip(pages, tiles, strict=True))
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    _shadows(sheet, [tile.box for tile in tiles], unit)
    draw = ImageDraw.Draw(sheet)
    draw.text((margin, margin), title, font=title_font, fill=INK, anchor="la")
    draw.text(
        (margin, margin + round(32 * unit)), facts, font=small_font, fill=QUIET_INK, anchor="la"
    )
    for page, tile in tiles_by_page:
        left, top, right, bottom = tile.box
        sheet.paste(page.image, (left, top))
        centre = (left + right) // 2
        draw.text(
            (centre, bottom + round(8 * unit)),
            tile.label,
            font=small_font,
            fill=QUIET_INK,
            anchor="ma",
        )
    return ProofSheet(sheet, tuple(tile for _, tile in tiles_by_page))


def _place(
    groups: list[tuple[PageImage, ...]],
    facing: bool,
    page_width: int,
    pitch: tuple[int, int],
    columns: int,
    origin: tuple[int, int],
) -> list[Tile]:
    """The box of every page: one spread per slot, row by row, facing pages meeting at the fold.

    PITCH is the distance from one slot to the next, across and down.
    """
    tiles = []
    for index, group in enumerate(groups):
        slot_left = origin[0] + (index % columns) * pitch[0]
        top = origin[1] + (index // columns) * pitch[1]
        fold = slot_left + page_width
        for position, page in enumerate(group):
            width, height = page.image.size
            if not facing:
                left = slot_left
            elif index == 0 and len(group) == 1:
                left = fold  # page 1 is a right-hand page
            elif position == 0:
                left = fold - width
            else:
                left = fold
            tiles.append(Tile(page.page.label, (left, top, left + width, top + height)))
    return tiles


def _shadows(sheet: Image.Image, boxes: list[tuple[int, int, int, int]], unit: float) -> None:
    """Soft shadows under the pages, so white paper stands off the gray."""
    layer = Image.new("RGBA", sheet.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    drop = round(2 * unit)
    for left, top, right, bottom in boxes:
        draw.rectangle((left, top + drop, right - 1, bottom - 1 + drop), fill=SHADOW)
    blurred = layer.filter(ImageFilter.GaussianBlur(3 * unit))
    sheet.paste(blurred, (0, 0), blurred)


def _font(fonts: Path, name: str, size: int) -> ImageFont.FreeTypeFont:
    path = fonts / name
    if not path.is_file():
        raise BrochureError(
            f"{path}: font missing; the project's styles/fonts/ folder is incomplete"
        )
    return ImageFont.truetype(str(path), size)


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _long_date(date: datetime.date) -> str:
    """E.g. 15 March 2009: no order of day and month to misread."""
    return f"{date.day} {date:%B %Y}"
