"""End to end: build real PDFs and check them as a reader and real tools see them."""

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from page import ValidationProfile, validate_pdf
from PIL import Image
from pypdf import PdfReader

from brochure.build import BuildResult, build_issue
from brochure.errors import BrochureError, IssueInvalid, TypesetError
from brochure.settings import BuildOptions, Paper, Settings
from helpers import DATA, SPRING, assert_in_order, normalise, pdf_text, spring_data, write_issue

SEED_CHROME = {"Skip to Content", "Leukemia Insights - Spring 2009"}


def seed_passages() -> list[str]:
    """Every line of the original page that is content, in order."""
    lines = (DATA / "seed-2009-spring.txt").read_text(encoding="utf-8").splitlines()
    passages = [normalise(line.replace("•", "")) for line in lines]
    return [p for p in passages if p and p not in SEED_CHROME]


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """The outline as (depth, title, page index)."""
    entries: list[tuple[int, str, int]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))  # type: ignore[attr-defined]

    walk(reader.outline, 0)
    return entries


def test_every_passage_of_the_seed_is_in_the_pdf_in_order(spring_pdf: BuildResult) -> None:
    passages = [p.replace("2007-0512, ", "2007-0512 ") for p in seed_passages()]
    assert_in_order(pdf_text(spring_pdf.output), passages)


def test_cover_is_page_one_and_notice_is_the_last_page(spring_pdf: BuildResult) -> None:
    cover = pdf_text(spring_pdf.output, 1)
    for text in (
        "Leukemia Insights",
        "Spring 2009",
        "Salvage Regimens",
        "The University of Texas MD Anderson Cancer Center",
    ):
        assert text in cover
    last = pdf_text(spring_pdf.output, spring_pdf.pages)
    assert "please call Dr. Farhad Ravandi or any Leukemia physician." in last
    assert "© 2015 The University of Texas MD Anderson Cancer Center" in last


def test_body_pages_carry_running_head_and_folio(spring_pdf: BuildResult) -> None:
    body = pdf_text(spring_pdf.output, 2)
    assert body.startswith("LEUKEMIA INSIGHTS · SPRING 2009")
    assert body.endswith(" 2")
    assert "LEUKEMIA INSIGHTS" not in pdf_text(spring_pdf.output, spring_pdf.pages)


def test_page_size_labels_and_count(spring_pdf: BuildResult) -> None:
    reader = PdfReader(spring_pdf.output)
    assert len(reader.pages) == spring_pdf.pages == 3
    assert reader.page_labels == ["Cover", "2", "Back"]
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


def test_outline_points_at_the_right_pages(spring_pdf: BuildResult) -> None:
    assert outline(PdfReader(spring_pdf.output)) == [
        (0, "Cover", 0),
        (0, "Salvage Regimens", 1),
        (1, "Acute promyelocytic leukemia", 1),
        (1, "Other salvage regimens", 1),
        (0, "Contact and copyright", 2),
    ]


def test_metadata(spring_pdf: BuildResult) -> None:
    with pikepdf.open(spring_pdf.output) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Leukemia Insights — Spring 2009"
        assert str(info["/Author"]) == "The University of Texas MD Anderson Cancer Center"
        assert str(info["/Subject"]) == "Salvage Regimens"
        assert str(info["/Keywords"]) == "Leukemia Insights, Salvage Regimens"
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        # No clock time: without a date in the issue, 1 January of its year.
        assert str(info["/CreationDate"]) == str(info["/ModDate"]) == "D:20090101"


def test_qpdf_finds_no_problem(spring_pdf: BuildResult) -> None:
    result = subprocess.run(
        ["qpdf", "--check", str(spring_pdf.output)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.parametrize("built", ["spring_pdf", "multi_article_pdf"])
def test_no_larger_than_the_typesetter_alone_makes_it(
    built: str, request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> None:
    """Assembly adds labels, tags and metadata, and packs the objects as WeasyPrint does."""
    from weasyprint import HTML

    from brochure.build import write_issue_html

    result: BuildResult = request.getfixturevalue(built)
    html = write_issue_html(result.issue, settings, output=tmp_path / "issue.html")
    bare = HTML(filename=html).write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
    assert result.bytes <= 1.05 * len(bare), (result.bytes, len(bare))
    with pikepdf.open(result.output) as document:
        fonts = [
            (str(font.get("/Subtype")), str(font.get("/BaseFont")))
            for font in document.objects
            if isinstance(font, pikepdf.Dictionary) and font.get("/Type") == "/Font"
        ]
    assert len(fonts) == len(set(fonts)), f"a font subset is embedded twice: {sorted(fonts)}"


@pytest.mark.parametrize("built", ["spring_pdf", "multi_article_pdf"])
def test_passes_the_pdf_ua_1_rules(built: str, request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(built)
    report = validate_pdf(result.output, profile=ValidationProfile.PDF_UA_1)
    assert [(f.rule_id, f.message) for f in report.failures] == []
    assert report.is_compliant


def test_structure_follows_the_issue_order(spring_pdf: BuildResult) -> None:
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", str(spring_pdf.output)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert_in_order(
        normalise(structure.replace('"', " ")),
        [
            "Leukemia Insights",
            "Salvage Regimens",
            "H1",
            "Salvage Regimens",
            "H2",
            "Acute promyelocytic leukemia",
            "2007-0512",
            "H2",
            "Other salvage regimens",
            "supportive care measures",
            "Dr. Farhad Ravandi",
            "© 2015",
        ],
    )


def test_every_font_is_embedded_and_shipped_with_the_project(spring_pdf: BuildResult) -> None:
    listing = subprocess.run(
        ["pdffonts", str(spring_pdf.output)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert len(listing) >= 4
    for row in listing:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "+Brochure-" in name, row


def test_a4_paper(tmp_path: Path, settings: Settings) -> None:
    result = build_issue(SPRING, settings, BuildOptions(paper=Paper.A4), tmp_path / "a4.pdf")
    for page in PdfReader(result.output).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_rebuilds_are_byte_identical_from_any_folder(
    tmp_path: Path, settings: Settings, spring_pdf: BuildResult
) -> None:
    copy = tmp_path / "elsewhere" / "2009-spring.yaml"
    copy.parent.mkdir()
    copy.write_bytes(SPRING.read_bytes())
    again = build_issue(copy, settings, BuildOptions(), tmp_path / "again.pdf")
    assert again.output.read_bytes() == spring_pdf.output.read_bytes()


def test_date_comes_from_the_issue(tmp_path: Path, settings: Settings) -> None:
    data = spring_data()
    data["issue"]["date"] = "2009-03-15"
    issue = write_issue(tmp_path / "dated.yaml", data)
    result = build_issue(issue, settings, BuildOptions(), tmp_path / "dated.pdf")
    with pikepdf.open(result.output) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20090315")


def test_toc_numbers_match_the_pages_entries_point_to(multi_article_pdf: BuildResult) -> None:
    reader = PdfReader(multi_article_pdf.output)
    labels = reader.page_labels
    articles = {title: labels[page] for depth, title, page in outline(reader) if depth == 0}
    contents = pdf_text(multi_article_pdf.output, 2)
    for title in ("New Trials Open", "A Long Look Back", "Staff Notes"):
        page = articles[title]
        assert f"{title} . " in contents or f"{title}." in contents
        assert contents.split(title, 1)[1].lstrip(" .").split()[0] == page, title
    assert articles["Staff Notes"] != articles["A Long Look Back"]


def test_toc_entries_link_to_their_articles(multi_article_pdf: BuildResult) -> None:
    reader = PdfReader(multi_article_pdf.output)
    links = [a.get_object() for a in reader.pages[1]["/Annots"]]
    targets = {str(link["/Dest"]) for link in links if "/Dest" in link}
    assert targets == {"article-1", "article-2", "article-3"}
    article_pages = [page for depth, _, page in outline(reader) if depth == 0][1:4]
    destinations = reader.named_destinations
    pages = [reader.get_destination_page_number(destinations[f"article-{n}"]) for n in (1, 2, 3)]
    assert pages == article_pages


def test_multi_article_issue_keeps_all_text_in_order(multi_article_pdf: BuildResult) -> None:
    text = pdf_text(multi_article_pdf.output)
    order = [
        "New Trials Open",
        "a randomised study",
        "(https://example.org/trials)",
        "2010-0003 Phase III of A ± B",
        "A Long Look Back",
        "Réka Müller and José Núñez",
        "≥ 40 % at 12 µg/m²",
        "Second decade",
        "Welcome to Zoë Ångström.",
        "Call the clinic.",
        "713-555-0100",
        "© 2010 Département d'hématologie",
    ]
    assert_in_order(text.split("LEUKEMIA INSIGHTS", 1)[1], order)
    assert PdfReader(multi_article_pdf.output).page_labels[-1] == "Back"


def test_text_from_the_issue_is_never_html(tmp_path: Path, settings: Settings) -> None:
    data = spring_data()
    hostile = '<b>bold</b> <script>alert(1)</script> {{ 7 * 7 }} <img src="/etc/passwd">'
    data["articles"][0]["title"] = hostile
    data["articles"][0]["sections"][0]["body"] = hostile + "\n\n[x](file:///etc/passwd)"
    data["copyright"]["holder"] = "</p><style>*{display:none}</style>"
    issue = write_issue(tmp_path / "hostile.yaml", data)
    result = build_issue(issue, settings, BuildOptions(), tmp_path / "hostile.pdf")
    text = pdf_text(result.output)
    assert text.count("<b>bold</b> <script>alert(1)</script> {{ 7 * 7 }}") == 2
    assert "[x](file:///etc/passwd)" in text
    assert "© 2015 </p><style>*{display:none}</style>" in text
    with pikepdf.open(result.output) as pdf:
        uris = [
            str(a.A.URI)
            for p in pdf.pages
            for a in p.get("/Annots", [])
            if "/URI" in a.get("/A", {})
        ]
    assert not any("file:" in uri for uri in uris)


def test_failed_build_writes_nothing_and_keeps_the_old_pdf(
    tmp_path: Path, settings: Settings
) -> None:
    data = spring_data()
    del data["copyright"]
    issue = write_issue(tmp_path / "broken.yaml", data)
    output = tmp_path / "broken.pdf"
    output.write_bytes(b"the good PDF from yesterday")
    with pytest.raises(IssueInvalid):
        build_issue(issue, settings, BuildOptions(), output)
    assert output.read_bytes() == b"the good PDF from yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.pdf", "broken.yaml"]


def test_typesetter_warning_fails_a_strict_build(project: Path) -> None:
    stylesheet = project / "styles" / "brochure.css"
    stylesheet.write_text(stylesheet.read_text() + "\n.back { colr: red; }\n")
    settings = Settings.for_project(project)
    issue = project / "issues" / "2009-spring.yaml"
    with pytest.raises(TypesetError, match=r"colr"):
        build_issue(issue, settings, BuildOptions(), project / "strict.pdf")
    assert not (project / "strict.pdf").exists()
    lenient = build_issue(issue, settings, BuildOptions(strict=False), project / "lenient.pdf")
    assert len(lenient.warnings) == 1
    assert "colr" in lenient.warnings[0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not really a picture"), "is not a readable image"),
        (lambda p: Image.new("L", (8000, 6000)).save(p), "is 8000x6000 pixels; an image may"),
        (lambda p: p.mkdir(), "'photo.png' is a folder, not a file"),
    ],
    ids=["text", "too-large", "folder"],
)
def test_an_unusable_image_is_named_with_its_field(
    tmp_path: Path, settings: Settings, make: Callable[[Path], object], message: str
) -> None:
    make(tmp_path / "photo.png")
    data = spring_data()
    data["cover"].update({"image": "photo.png", "image_alt": "A photo"})
    issue = write_issue(tmp_path / "photo.yaml", data)
    with pytest.raises(IssueInvalid, match=r"photo\.yaml:\d+:\d+: cover\.image: .*" + message):
        build_issue(issue, settings, BuildOptions(), tmp_path / "photo.pdf")
    assert not (tmp_path / "photo.pdf").exists()


def test_cover_image_is_embedded_from_next_to_the_issue(tmp_path: Path, settings: Settings) -> None:
    Image.new("RGB", (600, 300), (23, 54, 93)).save(tmp_path / "cover.png")
    data = spring_data()
    data["cover"]["image"] = "cover.png"
    data["cover"]["image_alt"] = "A navy blue panel"
    issue = write_issue(tmp_path / "pictured.yaml", data)
    result = build_issue(issue, settings, BuildOptions(), tmp_path / "pictured.pdf")
    assert result.warnings == ()
    with pikepdf.open(result.output) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert [(image.Width, image.Height) for image in images] == [(600, 300)]


@pytest.mark.parametrize("victim", ["issues/2009-spring.yaml", "templates/body.html.j2"])
def test_never_writes_over_a_file_the_build_reads(project: Path, victim: str) -> None:
    before = (project / victim).read_bytes()
    with pytest.raises(
        BrochureError, match="refusing to write the PDF over a file the build reads"
    ):
        build_issue(
            project / "issues" / "2009-spring.yaml",
            Settings.for_project(project),
            BuildOptions(),
            project / victim,
        )
    assert (project / victim).read_bytes() == before


def test_a_full_disk_is_a_clear_error_and_keeps_the_old_pdf(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "spring.pdf"
    build_issue(SPRING, settings, BuildOptions(), output)
    before = output.read_bytes()

    def no_space(descriptor: int) -> None:
        # Where a full disk shows itself once the data is buffered: flushing it out.
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(BrochureError, match=r"spring\.pdf: cannot write: No space left on device"):
        build_issue(SPRING, settings, BuildOptions(), output)
    assert output.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spring.pdf"]


@pytest.mark.parametrize(
    ("writer", "abandoned"),
    [
        ("write_atomically", "spring.pdf"),
        ("write_atomically", "2009-fall.print.pdf"),
        ("write_new", "2009-fall.yaml"),
    ],
)
def test_temporary_files_of_a_killed_build_are_removed_by_the_next(
    tmp_path: Path, settings: Settings, writer: str, abandoned: str
) -> None:
    """Whichever file it was writing: the next build may find that one up to date."""
    output = tmp_path / "spring.pdf"
    code = (
        "import os; from pathlib import Path; from brochure import files;"
        "os.fsync = lambda _: os.kill(os.getpid(), 9);"  # killed halfway through writing
        f"files.{writer}(Path({str(tmp_path / abandoned)!r}), b'half')"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    assert len(list(tmp_path.glob(f".{abandoned}.*.tmp"))) == 1
    build_issue(SPRING, settings, BuildOptions(), output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spring.pdf"]
