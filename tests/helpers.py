"""Helpers the tests share: issues made for tests, and reading PDFs back."""

import io
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import pikepdf

    from brochure.editions import Layout
    from brochure.settings import Paper, Settings

PROJECT = Path(__file__).resolve().parents[1]
SPRING = PROJECT / "issues" / "2009-spring.yaml"
DATA = Path(__file__).resolve().parent / "data"


def write_issue(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def spring_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SPRING.read_text(encoding="utf-8"))
    data["issue"]["year"] = 2009
    return data


LOREM = (
    "Réka Müller and José Núñez reviewed the data with the Zürich team; response rates "
    "were ≥ 40 % at 12 µg/m² — a result that held across every subgroup analysed so far. "
)


def multi_article_issue() -> dict[str, Any]:
    """Three articles, the second long enough to run over several pages."""
    long_body = "\n\n".join(f"Paragraph {n}. " + LOREM * 6 for n in range(1, 9))
    return {
        "publication": {"title": "Leukemia Insights", "publisher": "Département d'hématologie"},
        "issue": {"season": "Winter", "year": 2010, "language": "en"},
        "articles": [
            {
                "title": "New Trials Open",
                "sections": [
                    {
                        "heading": "Frontline therapy",
                        "body": "We opened:\n\n- a *randomised* study\n- a **dose-finding** "
                        "study\n\nSee [the trial list](https://example.org/trials).",
                        "protocols": [
                            {"id": "2010-0001", "title": "Phase I of drug A"},
                            {"id": "2010-0002", "title": "Phase II of drug B in AML"},
                            {"id": "2010-0003", "title": "Phase III of A ± B"},
                        ],
                    }
                ],
            },
            {
                "title": "A Long Look Back",
                "sections": [
                    {"heading": "First decade", "body": long_body},
                    {"heading": "Second decade", "body": long_body},
                ],
            },
            {
                "title": "Staff Notes",
                "sections": [{"heading": "Welcome", "body": "Welcome to Zoë Ångström."}],
            },
        ],
        "contact": {"text": "Call the clinic.", "phone": "713-555-0100"},
        "copyright": {"year": 2010, "holder": "Département d'hématologie"},
    }


def assert_no_stream_ends_with_cr(data: bytes) -> None:
    """No stream of the PDF in DATA ends with a carriage return, raw or before endstream."""
    import pikepdf

    assert b"\r\nendstream" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for stream in pdf.objects:
            if isinstance(stream, pikepdf.Stream):
                assert not stream.read_raw_bytes().endswith(b"\r")


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text poppler extracts, hyphenation undone and white space folded."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return normalise(re.sub("\u2010\\s*", "", text))


def normalise(text: str) -> str:
    return " ".join(text.split())


def copy_project(target: Path) -> Path:
    """A copy of the project's templates, styles and issues, to build in isolation."""
    for name in ("templates", "styles", "issues"):
        shutil.copytree(PROJECT / name, target / name)
    return target


def run(*arguments: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run `brochure ARGUMENTS` in this process, with ENV added to the environment;
    return its exit code, stdout and stderr."""
    from click.testing import CliRunner

    from brochure.cli import main

    result = CliRunner().invoke(main, list(arguments), env=env)
    return result.exit_code, result.stdout, result.stderr


def assert_in_order(text: str, passages: list[str]) -> None:
    """Assert each passage occurs in TEXT after the previous one."""
    position = 0
    for passage in passages:
        found = text.find(passage, position)
        assert found >= 0, f"missing or out of order: {passage[:60]!r}"
        position = found + len(passage)


def layout(settings: "Settings", edition: str = "screen", paper: "Paper | None" = None) -> "Layout":
    """The layout of EDITION on PAPER (default Letter), as a build plans it."""
    from brochure.editions import EDITIONS, plan_layout
    from brochure.settings import BuildOptions, Paper

    return plan_layout(EDITIONS[edition], BuildOptions(paper=paper or Paper.LETTER), settings)


def structure_elements(pdf: "pikepdf.Pdf") -> "Iterator[pikepdf.Dictionary]":
    """Every structure element, in reading order."""
    import pikepdf

    pending = list(reversed(list(pdf.Root.StructTreeRoot.K)))
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") != "/StructElem":
            continue
        yield element
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        pending.extend(reversed(kids))


def marked_texts(path: Path) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, by (page object number, MCID)."""
    from pypdf import PdfReader

    texts: dict[tuple[int, int], str] = {}
    for page in PdfReader(path).pages:
        number = page.indirect_reference.idnum if page.indirect_reference else -1
        reader = _MarkedContentReader(number, texts)
        page.extract_text(visitor_operand_before=reader.operator, visitor_text=reader.text)
    return texts


class _MarkedContentReader:
    """Follows BDC/EMC while pypdf reads a page's text, and files the text by MCID."""

    def __init__(self, page: int, texts: dict[tuple[int, int], str]) -> None:
        self.page, self.texts = page, texts
        self.open: list[int | None] = []

    def operator(self, operator: bytes, operands: list[Any], *_: object) -> None:
        from pypdf.generic import DictionaryObject

        if operator == b"BDC":
            found = operands[1] if len(operands) > 1 else None
            mcid = found.get("/MCID") if isinstance(found, DictionaryObject) else None
            self.open.append(None if mcid is None else int(mcid))
        elif operator == b"BMC":
            self.open.append(None)
        elif operator == b"EMC" and self.open:
            self.open.pop()

    def text(self, value: str, *_: object) -> None:
        if self.open and self.open[-1] is not None:
            key = (self.page, self.open[-1])
            self.texts[key] = self.texts.get(key, "") + value


def element_text(
    element: object,
    texts: dict[tuple[int, int], str],
    page: int | None = None,
    *,
    bracket_expanded: bool = False,
) -> str:
    """The text of a structure element: the marked content under it, in order; with
    BRACKET_EXPANDED, each element that has an expansion (/E) reads as [its text]."""
    import pikepdf

    if isinstance(element, int):
        return texts.get((page or -1, element), "")
    if not isinstance(element, pikepdf.Dictionary):
        return ""
    if "/Pg" in element:
        page = element.Pg.objgen[0]
    if "/MCID" in element:
        return texts.get((page or -1, int(element.MCID)), "")
    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    text = "".join(
        element_text(kid, texts, page, bracket_expanded=bracket_expanded)
        for kid in kids
        if kid is not None
    )
    return f"[{text.strip()}]" if bracket_expanded and "/E" in element else text


def image_placements(path: Path) -> list[tuple[int, tuple[int, int], tuple[float, float]]]:
    """Each image drawn on each page: (page number, its pixels, its size on the page in pt)."""
    import math

    import pikepdf

    placements = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            saved = []
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "q":
                    saved.append(ctm)
                elif str(operator) == "Q" and saved:
                    ctm = saved.pop()
                elif str(operator) == "cm":
                    a, b, c, d, e, f = (float(value) for value in operands)
                    a2, b2, c2, d2, e2, f2 = ctm
                    ctm = (
                        a * a2 + b * c2,
                        a * b2 + b * d2,
                        c * a2 + d * c2,
                        c * b2 + d * d2,
                        e * a2 + f * c2 + e2,
                        e * b2 + f * d2 + f2,
                    )
                elif str(operator) == "Do":
                    image = page.Resources.XObject[str(operands[0])]
                    if image.get("/Subtype") == "/Image":
                        pixels = (int(image.Width), int(image.Height))
                        size = (math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3]))
                        placements.append((number, pixels, size))
    return placements
