"""Assembly: a designer's cover PDF replaces the rendered cover, nothing else is lost."""

import io
import zlib
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from brochure.build import build_issue
from brochure.editions import EDITIONS
from brochure.errors import IssueInvalid
from brochure.pdfs import ending_cleanly, save
from brochure.settings import BuildOptions, Paper, Settings
from helpers import assert_no_stream_ends_with_cr, pdf_text, spring_data, write_issue


def designer_cover(path: Path, pages: int = 1, size: str = "letter") -> Path:
    page = '<p style="break-after: page">DESIGNER COVER</p>'
    HTML(string=f"<style>@page {{ size: {size} }}</style>{page * pages}").write_pdf(path)
    return path


def issue_with_cover(folder: Path, cover: str) -> Path:
    data = spring_data()
    data["cover"]["pdf"] = cover
    data["articles"].append(
        {"title": "Second article", "sections": [{"heading": "More", "body": "Text."}]}
    )
    return write_issue(folder / "covered.yaml", data)


@pytest.mark.parametrize("cover_pages", [1, 2])
def test_designer_cover_replaces_the_rendered_one(
    tmp_path: Path, settings: Settings, cover_pages: int
) -> None:
    designer_cover(tmp_path / "cover.pdf", cover_pages)
    result = build_issue(
        issue_with_cover(tmp_path, "cover.pdf"), settings, BuildOptions(), tmp_path / "out.pdf"
    )
    reader = PdfReader(result.output)
    assert result.pages == len(reader.pages)
    for page in range(1, cover_pages + 1):
        assert pdf_text(result.output, page) == "DESIGNER COVER"
    first_body = cover_pages + 1
    body = pdf_text(result.output, first_body)
    running_head = "LEUKEMIA INSIGHTS · SPRING 2009" if first_body % 2 == 0 else "SALVAGE REGIMENS"
    assert body.startswith(running_head)  # the left/right sides follow the cover too
    assert "Salvage Regimens. . ." in body
    assert body.endswith(f" {first_body}")  # the folio continues after the cover
    labels = reader.page_labels
    covers = ["Cover"] if cover_pages == 1 else ["Cover 1", "Cover 2"]
    assert labels[:cover_pages] == covers
    assert labels[cover_pages] == str(first_body)
    assert labels[-1] == "Back"
    titles = [
        (item.title, reader.get_destination_page_number(item))
        for item in reader.outline
        if not isinstance(item, list)
    ]
    assert titles[0] == ("Cover", 0)
    assert titles[1] == ("Salvage Regimens", cover_pages)
    assert titles[-1] == ("Contact and copyright", len(reader.pages) - 1)
    links = [a.get_object() for a in reader.pages[cover_pages]["/Annots"]]
    assert {str(link["/Dest"]) for link in links if "/Dest" in link} == {"article-1", "article-2"}


def test_cover_of_the_wrong_size_is_refused(tmp_path: Path, settings: Settings) -> None:
    designer_cover(tmp_path / "a4.pdf", size="A4")
    with pytest.raises(
        IssueInvalid,
        match=r"covered\.yaml:\d+:\d+: cover\.pdf: page 1 is 595x842 pt but the issue's pages "
        r"are 612x792 pt; export the cover",
    ):
        build_issue(
            issue_with_cover(tmp_path, "a4.pdf"), settings, BuildOptions(), tmp_path / "out.pdf"
        )
    assert not (tmp_path / "out.pdf").exists()


def test_cover_that_is_not_a_pdf_is_refused(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "cover.pdf").write_text("this is not a PDF")
    with pytest.raises(
        IssueInvalid, match=r"covered\.yaml:\d+:\d+: cover\.pdf: not a readable PDF"
    ):
        build_issue(
            issue_with_cover(tmp_path, "cover.pdf"), settings, BuildOptions(), tmp_path / "out.pdf"
        )


def test_cover_with_a_damaged_drawing_is_refused(tmp_path: Path, settings: Settings) -> None:
    """Refused while the issue is checked, not halfway through assembling it."""
    with pikepdf.open(designer_cover(tmp_path / "plain.pdf")) as pdf:
        pdf.pages[0].obj.Contents.write(b"not deflated", filter=pikepdf.Name.FlateDecode)
        pdf.save(tmp_path / "damaged.pdf")
    with pytest.raises(
        IssueInvalid, match=r"covered\.yaml:\d+:\d+: cover\.pdf: not a readable PDF"
    ):
        build_issue(
            issue_with_cover(tmp_path, "damaged.pdf"), settings, BuildOptions(), tmp_path / "o.pdf"
        )


def test_a4_cover_fits_an_a4_issue(tmp_path: Path, settings: Settings) -> None:
    designer_cover(tmp_path / "a4.pdf", size="A4")
    issue = issue_with_cover(tmp_path, "a4.pdf")
    result = build_issue(issue, settings, BuildOptions(paper=Paper.A4), tmp_path / "out.pdf")
    assert pdf_text(result.output, 1) == "DESIGNER COVER"


@pytest.mark.parametrize("cover_pages", [1, 2])
def test_designer_cover_gets_the_print_geometry(
    tmp_path: Path, settings: Settings, cover_pages: int
) -> None:
    designer_cover(tmp_path / "cover.pdf", cover_pages)
    issue = issue_with_cover(tmp_path, "cover.pdf")
    result = build_issue(
        issue, settings, BuildOptions(), tmp_path / "print.pdf", edition=EDITIONS["print"]
    )
    reader = PdfReader(result.output)
    assert len(reader.pages) % 4 == 0
    trims = {tuple(round(float(v), 2) for v in page.trimbox) for page in reader.pages}
    medias = {tuple(round(float(v), 2) for v in page.mediabox) for page in reader.pages}
    # Every page, the designer's too, is trimmed to Letter at the same place.
    assert len(trims) == 1
    assert len(medias) == 1
    left, bottom, right, top = trims.pop()
    assert (right - left, top - bottom) == (612.0, 792.0)
    for number in range(1, cover_pages + 1):
        assert "DESIGNER COVER" in pdf_text(result.output, number)
        assert "/BleedBox" in reader.pages[number - 1]


def test_an_encrypted_cover_is_refused_at_its_field(tmp_path: Path, settings: Settings) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=designer_cover(tmp_path / "plain.pdf"))
    writer.encrypt("secret")
    writer.write(tmp_path / "locked.pdf")
    issue = issue_with_cover(tmp_path, "locked.pdf")
    line = next(
        number
        for number, text in enumerate(issue.read_text().splitlines(), start=1)
        if "locked.pdf" in text
    )
    with pytest.raises(IssueInvalid) as raised:
        build_issue(issue, settings, BuildOptions(), tmp_path / "out.pdf")
    (problem,) = raised.value.problems
    assert (problem.line, problem.field) == (line, "cover.pdf")
    assert problem.message == "the cover PDF is encrypted; supply an unprotected copy"


def test_no_stream_ends_with_a_carriage_return() -> None:
    """Bytes ending in CR before qpdf's LF would read as a CR LF end of line, and PDF/A
    validators would count the stream one byte short: such a stream gets ASCII85 on top."""
    content = b"manifest 104"  # its Flate encoding ends with a carriage return
    compressed = zlib.compress(content)
    assert compressed.endswith(b"\r")
    document = pikepdf.new()
    document.add_blank_page(page_size=(612, 792))
    stream = document.make_stream(b"")
    stream.write(compressed, filter=pikepdf.Name.FlateDecode)
    document.Root.Data = stream

    data = save(document)
    assert_no_stream_ends_with_cr(data)
    with pikepdf.open(io.BytesIO(data)) as saved:
        packed = saved.Root.Data
        assert packed.read_bytes() == content
        assert list(packed.Filter) == ["/ASCII85Decode", "/FlateDecode"]


def test_no_page_drawing_ends_with_a_carriage_return() -> None:
    """A page's drawing gets line feeds at its end instead, which cost no second save."""
    drawing = next(
        b"0 0 %d 10 re f" % width
        for width in range(1000)
        if zlib.compress(b"0 0 %d 10 re f" % width).endswith(b"\r")
    )
    document = pikepdf.new()
    document.add_blank_page(page_size=(612, 792))
    document.pages[0].obj.Contents = document.make_stream(ending_cleanly(drawing))

    data = save(document)
    assert_no_stream_ends_with_cr(data)
    assert b"ASCII85Decode" not in data
    with pikepdf.open(io.BytesIO(data)) as saved:
        assert saved.pages[0].obj.Contents.read_bytes().rstrip(b"\n") == drawing
