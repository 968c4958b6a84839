"""Shared fixtures: the project's settings and PDFs built once per session."""

from pathlib import Path

import pytest

from brochure.build import BuildResult, build_issue
from brochure.settings import BuildOptions, Settings
from helpers import PROJECT, SPRING, copy_project, multi_article_issue, write_issue


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.for_project(PROJECT)


@pytest.fixture(scope="session")
def spring_pdf(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    """The Spring 2009 issue, built once for the whole session."""
    output = tmp_path_factory.mktemp("spring") / "2009-spring.pdf"
    return build_issue(SPRING, settings, BuildOptions(), output)


@pytest.fixture(scope="session")
def multi_article_pdf(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    """An issue with several long articles, lists, links and protocols."""
    folder = tmp_path_factory.mktemp("multi")
    issue = write_issue(folder / "2010-winter.yaml", multi_article_issue())
    return build_issue(issue, settings, BuildOptions(), folder / "2010-winter.pdf")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project, so builds write only under tmp_path; commands run inside it."""
    root = copy_project(tmp_path / "project")
    monkeypatch.setenv("BROCHURE_PROJECT", str(root))
    monkeypatch.chdir(root)
    return root
