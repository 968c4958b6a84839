"""The glossary: abbreviations expanded for screen readers, and a box that lists them.

The PDFs are read back as a reader and a screen reader meet them: the text
on each page, the outline, and the structure tree with its /E expansions.
"""

import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from page import ValidationProfile, validate_pdf
from pypdf import PdfReader

from brochure.build import BuildResult, build_issue
from brochure.editions import EDITIONS
from brochure.settings import BuildOptions, Settings
from helpers import (
    SPRING,
    element_text,
    marked_texts,
    pdf_text,
    spring_data,
    structure_elements,
    write_issue,
)

SPRING_GLOSSARY = spring_data()["glossary"]

FIRST_USES = ["APL", "ATRA", "ATO", "AML", "CR", "FLT3", "JAK", "STAT", "RAF", "ERK", "MEK"]
FIRST_USES += ["MAPK", "MDACC"]
"""The Spring issue's abbreviations in the order the text first uses them."""


def expansions(path: Path) -> list[tuple[str, str]]:
    """(text, expansion) of every structure element that has an /E, in reading order."""
    texts = marked_texts(path)
    with pikepdf.open(path) as pdf:
        return [
            (element_text(element, texts).strip(), str(element.E))
            for element in structure_elements(pdf)
            if "/E" in element
        ]


def has_title(text: str) -> bool:
    """Whether TEXT has the glossary's title; poppler spaces out its letter-spaced capitals."""
    return "ABBREVIATIONS" in text.replace(" ", "")


def build(folder: Path, settings: Settings, data: dict[str, Any]) -> BuildResult:
    issue = write_issue(folder / "2009-spring.yaml", data)
    return build_issue(issue, settings, BuildOptions(), folder / "screen.pdf")


def test_the_first_use_of_each_abbreviation_carries_its_expansion(
    spring_pdf: BuildResult,
) -> None:
    assert expansions(spring_pdf.output) == [
        (abbreviation, SPRING_GLOSSARY[abbreviation]) for abbreviation in FIRST_USES
    ]
    texts = marked_texts(spring_pdf.output)
    with pikepdf.open(spring_pdf.output) as pdf:  # the whole text, the expanded uses in [ ]
        text = element_text(pdf.Root.StructTreeRoot, texts, bracket_expanded=True)
    for abbreviation in FIRST_USES:
        first_use = re.search(rf"(?<!\w){abbreviation}(?!\w)", text)
        assert first_use, abbreviation
        assert text[first_use.start() - 1 : first_use.end() + 1] == f"[{abbreviation}]"


def test_expanded_abbreviations_are_spans(spring_pdf: BuildResult) -> None:
    with pikepdf.open(spring_pdf.output) as pdf:
        kinds = {str(element.S) for element in structure_elements(pdf) if "/E" in element}
    assert kinds == {"/Span"}


def test_links_code_and_headings_are_left_alone(tmp_path: Path, settings: Settings) -> None:
    data = spring_data()
    data["articles"][0]["sections"][0]["body"] = (
        "### APL and CR\n\n"
        "See [APL news](https://example.org/apl) and `APL`, or apl, APLs and CRISPR.\n\n"
        "APL is treated; APL again. Then a CR."
    )
    data["articles"][0]["sections"][1]["body"] = "Nothing to expand here."
    data["glossary"] = {"APL": "acute promyelocytic leukemia", "CR": "complete remission"}
    result = build(tmp_path, settings, data)
    assert expansions(result.output) == [
        ("APL", "acute promyelocytic leukemia"),
        ("CR", "complete remission"),
    ]
    texts = marked_texts(result.output)
    with pikepdf.open(result.output) as pdf:
        expanded = [e for e in structure_elements(pdf) if "/E" in e]
        paragraph = expanded[0].P
        assert element_text(paragraph, texts).strip().startswith("APL is treated;")
    assert "APL is treated; APL again. Then a CR." in pdf_text(result.output)


def test_the_glossary_is_on_the_back_page(spring_pdf: BuildResult) -> None:
    back = pdf_text(spring_pdf.output, spring_pdf.pages)
    assert has_title(back)
    # Two columns: poppler reads across them, so the order is the tags' (next test).
    for abbreviation, expansion in SPRING_GLOSSARY.items():
        assert f" {abbreviation} " in back
        assert expansion.replace(" ", "") in back.replace(" ", "")
    assert not has_title(pdf_text(spring_pdf.output, spring_pdf.pages - 1))


def test_the_glossary_is_a_list_of_labelled_entries_in_alphabetical_order(
    spring_pdf: BuildResult,
) -> None:
    texts = marked_texts(spring_pdf.output)

    def read(element: pikepdf.Dictionary) -> str:
        return " ".join(element_text(element, texts).split())

    with pikepdf.open(spring_pdf.output) as pdf:
        lists = [e for e in structure_elements(pdf) if e.S == "/L"]
        glossary = next(element for element in lists if read(element.K[0]).startswith("AML"))
        entries = [
            (*(str(part.S) for part in item.K), *(read(part) for part in item.K))
            for item in glossary.K
        ]
        assert all(str(item.S) == "/LI" for item in glossary.K)
    assert entries == [
        ("/Lbl", "/LBody", abbreviation, expansion)
        for abbreviation, expansion in sorted(SPRING_GLOSSARY.items())
    ]


def test_an_issue_without_glossary_has_no_box_and_no_expansions(
    tmp_path: Path, settings: Settings
) -> None:
    data = spring_data()
    del data["glossary"]
    result = build(tmp_path, settings, data)
    assert not has_title(pdf_text(result.output))
    assert expansions(result.output) == []
    with pikepdf.open(result.output) as pdf:
        assert not any(e.S == "/Lbl" for e in structure_elements(pdf))


@pytest.fixture(scope="module")
def long_glossary(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    """The Spring issue with a glossary far too long for the back page."""
    data = spring_data()
    data["glossary"] |= {f"X{n:02}": f"an expansion numbered {n}" for n in range(60)}
    return build(tmp_path_factory.mktemp("long-glossary"), settings, data)


def test_a_glossary_the_back_page_cannot_hold_ends_the_body(long_glossary: BuildResult) -> None:
    pages = long_glossary.pages
    back = pdf_text(long_glossary.output, pages)
    assert not has_title(back)
    assert "© 2015 The University of Texas MD Anderson Cancer Center" in back
    body = [pdf_text(long_glossary.output, page) for page in range(2, pages)]
    last = body[-1]  # poppler may read its two columns in either order
    assert has_title(last)
    assert " X00 an expansion numbered 0 " in last
    assert " X59 an expansion numbered 59 " in last
    assert "better outcome in relapsed patients." in body[0]
    assert not has_title(body[0])  # the whole box moved on, rather than split
    reader = PdfReader(long_glossary.output)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[-2:] == ["Abbreviations", "Contact and copyright"]
    assert reader.page_labels[-1] == "Back"


def test_a_glossary_in_the_body_keeps_pdf_ua(long_glossary: BuildResult) -> None:
    report = validate_pdf(long_glossary.output, profile=ValidationProfile.PDF_UA_1)
    assert [(f.rule_id, f.message) for f in report.failures] == []
    assert len(expansions(long_glossary.output)) == len(FIRST_USES)


@pytest.mark.parametrize("edition", ["large-print", "handout", "archive"])
def test_every_tagged_edition_expands_the_same_abbreviations(
    tmp_path: Path, settings: Settings, edition: str
) -> None:
    # Large print sets protocol numbers as blocks, which puts the protocol's
    # title in a box tagged just like an abbreviation; its text tells them apart.
    result = build_issue(
        SPRING, settings, BuildOptions(), tmp_path / "spring.pdf", edition=EDITIONS[edition]
    )
    assert [text for text, _ in expansions(result.output)] == FIRST_USES
