"""Typesetting reads only the project's files and never the network."""

import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pikepdf
import pytest
import weasyprint
from PIL import Image

from brochure import typeset
from brochure.build import build_issue, produce
from brochure.editions import EDITIONS
from brochure.plan import plan_build
from brochure.settings import BuildOptions, Settings
from brochure.typeset import ProjectFetcher
from helpers import multi_article_issue, spring_data, write_issue


@pytest.fixture
def fetcher(tmp_path: Path) -> ProjectFetcher:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "style.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "project" / "link.css").symlink_to(tmp_path / "secret.txt")
    return ProjectFetcher((tmp_path / "project",))


def test_reads_files_inside_the_project(fetcher: ProjectFetcher, tmp_path: Path) -> None:
    response = fetcher.fetch((tmp_path / "project" / "style.css").as_uri())
    assert response.read() == b"p {}"
    assert response.content_type == "text/css"


def test_reads_data_urls(fetcher: ProjectFetcher) -> None:
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/logo.png", "only files inside the project"),
        ("https://example.org/logo.png", "only files inside the project"),
        ("ftp://example.org/x", "only files inside the project"),
        ("file://otherhost/etc/passwd", "only files inside the project"),
        ("file:///etc/passwd", "outside the project"),
        ("file:///dev/zero", "outside the project"),
        ("file:///proc/self/environ", "outside the project"),
    ],
)
def test_refuses_everything_else(fetcher: ProjectFetcher, url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        fetcher.fetch(url)


def test_refuses_traversal_symlinks_and_folders(fetcher: ProjectFetcher, tmp_path: Path) -> None:
    project = tmp_path / "project"
    with pytest.raises(ValueError, match="outside the project"):
        fetcher.fetch(project.as_uri() + "/../secret.txt")
    with pytest.raises(ValueError, match="outside the project"):
        fetcher.fetch((project / "link.css").as_uri())
    with pytest.raises(ValueError, match="not a regular file"):
        fetcher.fetch(project.as_uri())


def test_asset_urls_read_from_the_issue_folder_only(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "issues" / "art").mkdir(parents=True)
    (project / "issues" / "art" / "a b.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = ProjectFetcher((project, project / "issues"), assets=project / "issues")
    assert fetcher.fetch("asset:art/a%20b.png").read() == b"png"
    for url in ("asset:../../secret.txt", "asset:/etc/passwd", "asset://host/x.png"):
        with pytest.raises(
            ValueError, match=r"outside the (project|issue's folder)|only files inside"
        ):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="only files inside the project"):
        ProjectFetcher((project,)).fetch("asset:art/a%20b.png")


class _CountingHTML(weasyprint.HTML):  # type: ignore[misc]
    """WeasyPrint's HTML, counting the documents it lays out."""

    rendered: ClassVar[list[int]] = []
    """The page count of each document laid out."""

    def render(self, *args: Any, **kwargs: Any) -> Any:
        document = super().render(*args, **kwargs)
        _CountingHTML.rendered.append(len(document.pages))
        return document


def _cover_colour(pdf: Path) -> tuple[int, ...]:
    """The colour of the first pixel of the cover's picture."""
    with pikepdf.open(pdf) as document:
        for _, image in document.pages[0].get_images().items():
            return tuple(pikepdf.PdfImage(image).as_pil_image().convert("RGB").getpixel((0, 0)))
    raise AssertionError("the cover has no picture")


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The page count of each document WeasyPrint lays out during the test, in order."""
    monkeypatch.setattr("brochure.typeset.HTML", _CountingHTML)
    monkeypatch.setattr(_CountingHTML, "rendered", [])
    return _CountingHTML.rendered


@pytest.fixture
def here(project: Path) -> Settings:
    """The settings of the test's own copy of the project."""
    return Settings.for_project(project)


def cold_build(issue: Path, output: Path, *arguments: str) -> bytes:
    """The PDF `brochure build` makes of ISSUE in a new process."""
    command = [sys.executable, "-m", "brochure", "build", str(issue), *arguments, "-o", str(output)]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    return output.read_bytes()


def test_a_design_loaded_ahead_is_the_one_typesetting_uses(
    project: Path, here: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Path] = []
    parse = typeset._stylesheet
    monkeypatch.setattr(
        typeset, "_stylesheet", lambda path, *a: parsed.append(path) or parse(path, *a)
    )
    monkeypatch.setattr(typeset, "_latest_design", None)
    plan = plan_build(project / "issues" / "2009-spring.yaml", here, edition=EDITIONS["print"])
    typeset.load_design(plan.layout, here.root)
    assert parsed == list(plan.layout.stylesheets)
    produce(plan, here)
    assert parsed == list(plan.layout.stylesheets)


def test_rebuilds_reuse_unchanged_parts_and_notice_every_changed_file(
    project: Path, here: Settings, laid_out: list[int]
) -> None:
    """A second build typesets only the body; a changed picture or stylesheet is seen at once."""
    Image.new("RGB", (600, 300), "teal").save(project / "issues" / "photo.png")
    data = spring_data()
    data["cover"].update(image="photo.png", image_alt="The clinic at dawn")
    issue = write_issue(project / "issues" / "2009-spring.yaml", data)

    def build(name: str) -> tuple[Path, int]:
        before = len(laid_out)
        output = build_issue(issue, here, BuildOptions(), project / "out" / name).output
        return output, len(laid_out) - before

    first, _ = build("first.pdf")
    again, typeset = build("again.pdf")
    assert typeset == 1, "only the body is typeset again"
    assert again.read_bytes() == first.read_bytes()

    Image.new("RGB", (600, 300), "orange").save(project / "issues" / "photo.png")
    recoloured, typeset = build("recoloured.pdf")
    assert typeset == 2, "the cover, which shows the picture, and the body"
    assert _cover_colour(first) == (0, 128, 128)
    assert _cover_colour(recoloured) == (255, 165, 0)

    stylesheet = project / "styles" / "brochure.css"
    stylesheet.write_text(stylesheet.read_text() + "\n.article-title { color: #ff0000; }\n")
    restyled, typeset = build("restyled.pdf")
    assert typeset == 3, "every part, with the new stylesheet"
    assert b"1 0 0 rg" in _page_contents(restyled, 1)
    assert b"1 0 0 rg" not in _page_contents(recoloured, 1)


def _page_contents(pdf: Path, index: int) -> bytes:
    with pikepdf.open(pdf) as document:
        return document.pages[index].Contents.read_bytes()


def test_a_warm_rebuild_lays_out_only_the_changed_article_and_makes_the_same_pdf(
    project: Path, here: Settings, laid_out: list[int]
) -> None:
    """The preview keeps the body's layout article by article. A change to one article
    lays out that article alone; one that moves the articles after it to other pages,
    or that changes the first article with the contents, lays out the whole body. Each
    time the PDF is byte for byte what a cold build in a new process makes."""
    data = multi_article_issue()
    issue = write_issue(project / "issues" / "2010-winter.yaml", data)

    def rebuild(article: int, text: str) -> list[int]:
        data["articles"][article]["sections"][-1]["body"] += text
        write_issue(issue, data)
        before = len(laid_out)
        warm = produce(plan_build(issue, here), here, warm=True).data
        assert warm == cold_build(issue, project / "out" / "cold.pdf")
        return laid_out[before:]

    whole_body = rebuild(0, "")[-1]  # cover, back page, then the whole body
    assert whole_body > 3
    assert rebuild(2, " Goodbye to Zoë.") == [1], "the last article alone"
    assert rebuild(1, " One more sentence.") == [whole_body - 2], "the middle article alone"
    longer = rebuild(1, "\n\n" + " ".join(["A much longer look back."] * 300))
    assert longer[1] == longer[0] + 2 > whole_body, "the article, then the whole body"
    assert rebuild(0, " Frontline news.") == [longer[1]], "the contents' piece: the whole body"


@pytest.mark.parametrize("edition", ["print", "archive"])
def test_every_build_in_a_process_embeds_the_same_colour_profiles(
    project: Path, here: Settings, edition: str
) -> None:
    """The output intent is the same bytes in a process's first build and in its later
    ones (a batch worker's, the preview's) as in a build in a new process: the print
    edition's press profile, and the sRGB profile WeasyPrint adds to PDF/A."""
    issue = project / "issues" / "2009-spring.yaml"
    builds = [
        build_issue(issue, here, output=project / "out" / f"{n}.pdf", edition=EDITIONS[edition])
        for n in range(2)
    ]
    cold = cold_build(issue, project / "out" / "cold.pdf", "-e", edition)
    assert {build.output.read_bytes() for build in builds} == {cold}
