"""Orchestration: load, render, typeset, assemble, write. Nothing else lives here."""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .archive import archive_files
from .assemble import DesignerCover, assemble, read_designer_cover
from .editions import DEFAULT_EDITION, Edition, Layout, plan_layout
from .errors import AssembleError, IssueInvalid, PreflightFailed
from .files import write_atomically
from .impose import impose
from .load import load_issue
from .manifest import design_files
from .model import SourcedIssue
from .plan import BuildPlan, plan_build, refuse_inputs
from .preflight import PreflightReport, Requirements, preflight
from .render import render_issue_html, render_parts
from .results import BuildResult
from .settings import BuildOptions, ColourModel, Paper, Settings
from .typesetter import typeset


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
    return execute(plan_build(issue_path, settings, options, output, edition=edition), settings)


@dataclass(frozen=True)
class Produced:
    """A finished, checked PDF in memory, not yet written anywhere."""

    data: bytes
    pages: int
    """Pages of the finished issue, before imposition."""
    sides: int
    """Pages in the PDF: the issue's pages, or a booklet's sheet sides."""
    preflight: PreflightReport
    warnings: tuple[str, ...]
    seconds: float


def execute(
    plan: BuildPlan, settings: Settings, meanwhile: Callable[[], None] | None = None
) -> BuildResult:
    """Carry out PLAN: typeset, assemble, check, impose and write the PDF.

    MEANWHILE is work of the caller's to do while the PDF is typeset (`produce`).
    """
    return write_produced(plan, produce(plan, settings, meanwhile=meanwhile))


def write_produced(plan: BuildPlan, produced: Produced) -> BuildResult:
    """Write the PDF PRODUCED for PLAN to its output, atomically, and describe it."""
    started = time.perf_counter()
    write_atomically(plan.output, produced.data)
    return BuildResult(
        issue=plan.issue_path,
        edition=plan.edition,
        output=plan.output,
        pages=produced.pages,
        sides=produced.sides,
        bytes=len(produced.data),
        sha256=hashlib.sha256(produced.data).hexdigest(),
        seconds=produced.seconds + time.perf_counter() - started,
        preflight=produced.preflight,
        warnings=produced.warnings,
    )


def produce(
    plan: BuildPlan,
    settings: Settings,
    *,
    warm: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> Produced:
    """Carry out PLAN up to the finished PDF's bytes: typeset, assemble, check, impose.

    WARM says that this process builds the issue again after each change (the
    preview): the body is then rendered article by article too, so that the
    next build lays out again only the articles that changed. MEANWHILE is
    work of the caller's that does not need the PDF, such as the editorial
    checks: when another process typesets, it runs while this one would wait.

    Nothing is written; `execute` writes what this returns. Raise a
    `BrochureError` if the issue cannot be built, or, in strict mode, if the
    PDF fails its edition's preflight.
    """
    started = time.perf_counter()
    sourced, layout, edition = plan.sourced, plan.layout, plan.edition
    cover = _designer_cover(sourced, layout.page)
    cover_pages = cover.page_count if cover else None
    parts = render_parts(settings, sourced, layout, cover_pages=cover_pages, pieces=warm)
    roots = (settings.root, sourced.folder)
    strict = plan.options.strict
    pdf = typeset(
        parts,
        layout,
        roots,
        strict=strict,
        designer_cover_pages=cover_pages or 0,
        meanwhile=meanwhile,
    )
    attachments = archive_files(sourced, plan.manifest) if edition.embeds_source else ()
    data = assemble(
        pdf,
        cover,
        layout,
        abbreviations=parts.abbreviations,
        attachments=attachments,
        date=plan.date,
    )
    # The finished pages are checked before imposition, which only rearranges them.
    report = preflight(data, _requirements(layout))
    if strict and not report.passed:
        raise PreflightFailed(plan.issue_path, edition.name, report)
    if layout.sheet:
        data = impose(data, layout)
    return Produced(
        data=data,
        pages=report.pages,
        sides=report.pages // 2 if layout.sheet else report.pages,
        preflight=report,
        warnings=pdf.warnings + tuple(finding.message for finding in report.findings),
        seconds=time.perf_counter() - started,
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
        conformance=edition.conformance,
    )


def write_issue_html(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
    *,
    edition: Edition = DEFAULT_EDITION,
) -> Path:
    """Write the whole issue as one HTML file the bare `weasyprint` command can typeset."""
    sourced = load_issue(issue_path, limits=settings.limits)
    layout = plan_layout(edition, options, settings)
    target = output or settings.output / f"{sourced.slug}{edition.suffix}.html"
    refuse_inputs(target, sourced, design_files(settings), "the HTML")
    write_atomically(target, render_issue_html(settings, sourced, layout).encode())
    return target


def _designer_cover(sourced: SourcedIssue, paper: Paper) -> DesignerCover | None:
    relative = sourced.issue.cover.pdf
    if relative is None:
        return None
    alt = f"Front cover of {sourced.issue.title}: {sourced.issue.headline}"
    try:
        return read_designer_cover(sourced.folder / relative, paper, alt)
    except AssembleError as error:
        raise IssueInvalid([sourced.problem("cover.pdf", str(error))]) from None
