"""Orchestration: load, render, typeset, assemble, write. Nothing else lives here."""

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .assemble import DesignerCover, assemble, read_designer_cover
from .brand import ColourModel
from .editions import DEFAULT_EDITION, Edition, Layout, plan_layout
from .errors import BrochureError, IssueInvalid, PreflightFailed
from .impose import impose
from .load import load_issue
from .model import SourcedIssue
from .preflight import PreflightReport, Requirements, preflight
from .render import render_issue_html, render_parts
from .settings import BuildOptions, Paper, Settings
from .typeset import typeset


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    issue: Path
    edition: Edition
    output: Path
    pages: int
    """Pages of the finished issue, before imposition."""
    sides: int
    """Pages in the PDF: the issue's pages, or a booklet's sheet sides."""
    bytes: int
    sha256: str
    seconds: float
    preflight: PreflightReport
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class BuildFailure:
    """An issue that could not be built, and why."""

    issue: Path
    edition: Edition
    error: BrochureError


def build_issue(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
    *,
    edition: Edition = DEFAULT_EDITION,
) -> BuildResult:
    """Build one EDITION of the issue at ISSUE_PATH.

    The PDF goes to OUTPUT, or `out/<slug><suffix>.pdf` in the project. It is
    written atomically: a failed build leaves no file and never damages an
    existing one. In strict mode a preflight problem fails the build; otherwise
    it becomes a warning.
    """
    started = time.perf_counter()
    sourced = load_issue(issue_path)
    layout = plan_layout(edition, options, settings)
    cover = _designer_cover(sourced, layout.page)
    cover_pages = cover.page_count if cover else None
    parts = render_parts(settings, sourced, layout, cover_pages=cover_pages)
    roots = (settings.root, sourced.folder)
    pdf = typeset(
        parts, layout, roots, strict=options.strict, designer_cover_pages=cover_pages or 0
    )
    data = assemble(pdf, cover, layout)
    # The finished pages are checked before imposition, which only rearranges them.
    report = preflight(data, _requirements(layout))
    if options.strict and not report.passed:
        raise PreflightFailed(issue_path, edition.name, report)
    if layout.sheet:
        data = impose(data, layout)
    target = output or settings.output / edition.output_name(sourced.slug)
    write_atomically(target, data)
    sides = report.pages // 2 if layout.sheet else report.pages
    warnings = pdf.warnings + tuple(finding.message for finding in report.findings)
    return BuildResult(
        issue=issue_path,
        edition=edition,
        output=target,
        pages=report.pages,
        sides=sides,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        seconds=time.perf_counter() - started,
        preflight=report,
        warnings=warnings,
    )


def _requirements(layout: Layout) -> Requirements:
    """What the LAYOUT's edition promises a printer or reader."""
    edition = layout.edition
    return Requirements(
        page_multiple=edition.page_multiple,
        boxes=edition.bleed,
        bleed=layout.bleed,
        cmyk=edition.colour is ColourModel.CMYK,
        min_image_dpi=edition.min_image_dpi,
    )


def build_all(
    issue_paths: Iterable[Path],
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    *,
    editions: Iterable[Edition] = (DEFAULT_EDITION,),
) -> list[BuildResult | BuildFailure]:
    """Build every edition of every issue; a failure is reported and the rest still build."""
    editions = tuple(editions)
    return [
        try_build_issue(path, settings, options, edition=edition)
        for path in issue_paths
        for edition in editions
    ]


def try_build_issue(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
    *,
    edition: Edition = DEFAULT_EDITION,
) -> BuildResult | BuildFailure:
    """Like `build_issue`, but return a failure instead of raising it."""
    try:
        return build_issue(issue_path, settings, options, output, edition=edition)
    except BrochureError as error:
        return BuildFailure(issue_path, edition, error)


def build_report(outcomes: Iterable[BuildResult | BuildFailure]) -> dict[str, object]:
    """Every outcome as plain data for a JSON report: what was built, what failed and why."""
    return {"brochure": __version__, "outputs": [_report_entry(outcome) for outcome in outcomes]}


def _report_entry(outcome: BuildResult | BuildFailure) -> dict[str, object]:
    entry: dict[str, object] = {"issue": str(outcome.issue), "edition": outcome.edition.name}
    if isinstance(outcome, BuildFailure):
        error = outcome.error
        problems = (
            [str(problem) for problem in error.problems]
            if isinstance(error, IssueInvalid)
            else str(error).splitlines()[:1]
        )
        preflight = error.report.as_dict() if isinstance(error, PreflightFailed) else None
        return entry | {"status": "failed", "problems": problems, "preflight": preflight}
    return entry | {
        "status": "built",
        "output": str(outcome.output),
        "pages": outcome.pages,
        "sides": outcome.sides,
        "bytes": outcome.bytes,
        "sha256": outcome.sha256,
        "seconds": round(outcome.seconds, 3),
        "warnings": list(outcome.warnings),
        "preflight": outcome.preflight.as_dict(),
        "problems": [],
    }


def write_issue_html(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
    *,
    edition: Edition = DEFAULT_EDITION,
) -> Path:
    """Write the whole issue as one HTML file the bare `weasyprint` command can typeset."""
    sourced = load_issue(issue_path)
    layout = plan_layout(edition, options, settings)
    target = output or settings.output / f"{sourced.slug}{edition.suffix}.html"
    write_atomically(target, render_issue_html(settings, sourced, layout).encode())
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
