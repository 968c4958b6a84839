"""Typesetting reads only the project's files and never the network."""

from pathlib import Path

import pytest

from brochure.typeset import ProjectFetcher


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
