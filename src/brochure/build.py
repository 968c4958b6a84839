"""Orchestration: load, render, typeset, assemble, write. Nothing else lives here."""

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .assemble import DesignerCover, assemble, read_designer_cover
from .errors import BrochureError
from .load import load_issue
from .model import SourcedIssue
from .render import render_issue_html, render_parts
from .settings import BuildOptions, Paper, Settings
from .typeset import typeset


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    issue: Path
    output: Path
    pages: int
    bytes: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class BuildFailure:
    """An issue that could not be built, and why."""

    issue: Path
    error: BrochureError


def build_issue(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
) -> BuildResult:
    """Build the PDF of the issue at ISSUE_PATH.

    The PDF goes to OUTPUT, or `out/<slug>.pdf` in the project. It is written
    atomically: a failed build leaves no file and never damages an existing one.
    """
    sourced = load_issue(issue_path)
    cover = _designer_cover(sourced, options.paper)
    parts = render_parts(
        settings, sourced, options.paper, cover_pages=cover.page_count if cover else None
    )
    roots = (settings.root, sourced.folder)
    pdf = typeset(parts, settings.stylesheet, roots, strict=options.strict)
    data = assemble(pdf, cover)
    target = output or settings.output / f"{sourced.slug}.pdf"
    write_atomically(target, data)
    cover_pages = cover.page_count if cover else pdf.cover_pages
    page_count = cover_pages + pdf.body_pages + pdf.back_pages
    return BuildResult(issue_path, target, page_count, len(data), pdf.warnings)


def build_all(
    issue_paths: Iterable[Path], settings: Settings, options: BuildOptions = BuildOptions()
) -> list[BuildResult | BuildFailure]:
    """Build every issue; a failing issue is reported and the others still build."""
    return [try_build_issue(path, settings, options) for path in issue_paths]


def try_build_issue(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
) -> BuildResult | BuildFailure:
    """Like `build_issue`, but return a failure instead of raising it."""
    try:
        return build_issue(issue_path, settings, options, output)
    except BrochureError as error:
        return BuildFailure(issue_path, error)


def write_issue_html(
    issue_path: Path, settings: Settings, options: BuildOptions, output: Path | None = None
) -> Path:
    """Write the whole issue as one HTML file the bare `weasyprint` command can typeset."""
    sourced = load_issue(issue_path)
    target = output or settings.output / f"{sourced.slug}.html"
    write_atomically(target, render_issue_html(settings, sourced, options.paper).encode())
    return target


def issue_files(settings: Settings) -> list[Path]:
    """Every issue file of the project, in name order."""
    return sorted((settings.root / "issues").glob("*.yaml"))


def _designer_cover(sourced: SourcedIssue, paper: Paper) -> DesignerCover | None:
    relative = sourced.issue.cover.pdf
    if relative is None:
        return None
    return read_designer_cover(sourced.folder / relative, paper)


def write_atomically(target: Path, data: bytes) -> None:
    """Write DATA to TARGET through a temporary file renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
