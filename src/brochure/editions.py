"""Editions: named sets of output options, kept as data.

An edition says how an issue goes onto paper or screen: an extra stylesheet,
the colour model, the PDF variant and tags, bleed and crop marks, padding of
the page count, booklet imposition and the preflight rules. The pipeline reads
these fields; no code asks for an edition by its name.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import BrochureError
from .settings import BuildOptions, ColourModel, Paper, Settings

CROP_MARK_OFFSET = 3.0
"""Points between the bleed edge and a crop mark, so no mark touches artwork."""
CROP_MARK_LENGTH = 18.0
SLUG = CROP_MARK_OFFSET + CROP_MARK_LENGTH + 6.0
"""Points of paper outside the bleed that carry the crop marks."""
FIGURE_DPI = 150
"""The resolution figures are sized at where an edition asks for none (screens):
sharp on a high-density screen and on an office printer."""


@dataclass(frozen=True)
class Edition:
    """One named set of output options."""

    name: str
    summary: str
    suffix: str
    """Added to the issue's slug in the output file name."""
    stylesheet: str | None = None
    """Layered over brochure.css, from styles/editions/."""
    colour: ColourModel = ColourModel.RGB
    pdf_variant: str | None = None
    tagged: bool = False
    bleed: bool = False
    """Artwork beyond the trim, crop marks outside it, TrimBox and BleedBox."""
    page_multiple: int = 1
    """Blank pages go before the back cover until the count is a multiple of this."""
    booklet: bool = False
    """Impose two pages per sheet side in saddle-stitch order."""
    min_image_dpi: int = 150
    """The least resolution an image may have at its printed size; 0 for screens."""
    conformance: str | None = None
    """The validator profile the output must pass (page-validation's: "ua1", "3a", ...)."""
    embeds_source: bool = False
    """Carry the issue file, the files it names and the build manifest inside the PDF."""

    def output_name(self, slug: str) -> str:
        return f"{slug}{self.suffix}.pdf"


EDITIONS: Mapping[str, Edition] = {
    edition.name: edition
    for edition in (
        Edition(
            "screen",
            "Accessible PDF for reading on screen: tagged PDF/UA-1, links, outline.",
            suffix="",
            pdf_variant="pdf/ua-1",
            tagged=True,
            min_image_dpi=0,
            conformance="ua1",
        ),
        Edition(
            "print",
            "For a print shop: PDF/X-4 in CMYK (FOGRA39), bleed and crop marks, "
            "page count a multiple of 4.",
            suffix=".print",
            stylesheet="print.css",
            colour=ColourModel.CMYK,
            pdf_variant="pdf/x-4",
            bleed=True,
            page_multiple=4,
            min_image_dpi=300,
        ),
        Edition(
            "booklet",
            "Saddle-stitched booklet: pages imposed two per side in printer spreads, "
            "to print duplex (flip on the short edge), fold and staple.",
            suffix=".booklet",
            page_multiple=4,
            booklet=True,
        ),
        Edition(
            "handout",
            "For office printers: margins every printer can print, colours that keep "
            "their contrast in gray, an even page count for duplex.",
            suffix=".handout",
            stylesheet="handout.css",
            tagged=True,
            page_multiple=2,
        ),
        Edition(
            "large-print",
            "For readers with low vision: 16 pt text and up, generous leading, "
            "high contrast, no hyphenation, even page count.",
            suffix=".large-print",
            stylesheet="large-print.css",
            pdf_variant="pdf/ua-1",
            tagged=True,
            page_multiple=2,
            conformance="ua1",
        ),
        Edition(
            "archive",
            "For keeping: tagged PDF/A-3a carrying its own source (the issue file, the "
            "files it names) and a build manifest; see `brochure extract`.",
            suffix=".archive",
            stylesheet="archive.css",
            pdf_variant="pdf/a-3a",
            tagged=True,
            min_image_dpi=0,
            conformance="3a",
            embeds_source=True,
        ),
    )
}
DEFAULT_EDITION = EDITIONS["screen"]


def parse_editions(text: str) -> tuple[Edition, ...]:
    """The editions named in TEXT: comma-separated names, or `all`."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if names == ["all"]:
        return tuple(EDITIONS.values())
    unknown = [name for name in names if name not in EDITIONS]
    if unknown or not names:
        known = ", ".join([*EDITIONS, "all"])
        raise BrochureError(
            f"unknown edition {', '.join(unknown) or repr(text)}; choose from {known}"
        )
    return tuple(EDITIONS[name] for name in dict.fromkeys(names))


@dataclass(frozen=True)
class Layout:
    """How one edition of an issue is laid out: the plan every stage follows."""

    edition: Edition
    page: Paper
    """The trimmed page."""
    sheet: Paper | None
    """The sheet a booklet is imposed on."""
    bleed: float
    """Points of artwork beyond the trim; 0 without bleed."""
    slug: float
    """Points of paper beyond the bleed, for crop marks."""
    colours: Mapping[str, str]
    stylesheets: tuple[Path, ...]
    grayscale: bool
    creep: float
    press_profile: Path

    @property
    def media_margin(self) -> float:
        """Points from the trim to the edge of the PDF page."""
        return self.bleed + self.slug

    @property
    def figure_dpi(self) -> int:
        """The resolution a figure is sized at: its pixels at this many per inch, at most.

        At least the edition's minimum, so no figure is ever printed coarser
        than preflight allows; a figure narrower than the column stays narrower.
        """
        return max(self.edition.min_image_dpi, FIGURE_DPI)

    @property
    def image_mode(self) -> str | None:
        """The Pillow mode images are converted to, or None to keep them."""
        if self.grayscale:
            return "L"
        return "CMYK" if self.edition.colour is ColourModel.CMYK else None


def plan_layout(edition: Edition, options: BuildOptions, settings: Settings) -> Layout:
    """Resolve EDITION and the build OPTIONS into the layout of one build."""
    sheet = (options.sheet or options.paper.booklet_sheet) if edition.booklet else None
    page = sheet.folded if sheet else options.paper
    # Here, not at the top: reading the brand imports pydantic, which the
    # typesetting process, unpickling a layout, can do without.
    from .brand import css_colours, read_brand

    brand = read_brand(settings.styles / "brand.yaml")
    stylesheets = [settings.stylesheet]
    if page.compact:
        stylesheets.append(settings.styles / "compact.css")
    if edition.stylesheet:
        stylesheets.append(settings.styles / "editions" / edition.stylesheet)
    return Layout(
        edition=edition,
        page=page,
        sheet=sheet,
        bleed=page.bleed if edition.bleed else 0.0,
        slug=SLUG if edition.bleed else 0.0,
        colours=css_colours(brand, edition.colour, options.grayscale),
        stylesheets=tuple(stylesheets),
        grayscale=options.grayscale,
        creep=options.creep,
        press_profile=settings.press_profile,
    )
