"""Stage 1b, plan: everything a build will do, decided before any typesetting.

A plan is cheap to make (read the issue, hash the inputs) and never imports
the typesetter, so a batch can tell which outputs are already up to date
without paying for WeasyPrint.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .editions import DEFAULT_EDITION, Edition, Layout, plan_layout
from .errors import BrochureError
from .glyphs import font_characters
from .load import load_issue
from .manifest import Manifest, build_manifest, design_files, source_files
from .model import SourcedIssue
from .render import document_date
from .settings import BuildOptions, Settings


@dataclass(frozen=True)
class BuildPlan:
    """One edition of one issue, ready to build."""

    sourced: SourcedIssue
    edition: Edition
    options: BuildOptions
    layout: Layout
    date: datetime.date
    manifest: Manifest
    output: Path
    explicit_output: bool
    """The output was named by the caller, rather than derived from the issue."""

    @property
    def issue_path(self) -> Path:
        return self.sourced.path


def refuse_inputs(
    target: Path, sourced: SourcedIssue, design: Mapping[str, Path], what: str
) -> None:
    """Raise `BrochureError` if TARGET is the issue, a file it names, or one of DESIGN."""
    inputs = [*source_files(sourced).values(), *design.values()]
    if target.resolve() in {path.resolve() for path in inputs}:
        raise BrochureError(f"{target}: refusing to write {what} over a file the build reads")


def plan_build(
    issue_path: Path,
    settings: Settings,
    options: BuildOptions = BuildOptions(),
    output: Path | None = None,
    *,
    edition: Edition = DEFAULT_EDITION,
) -> BuildPlan:
    """Plan building EDITION of the issue at ISSUE_PATH into OUTPUT (default: out/).

    Raise `IssueInvalid` if the issue file has problems.
    """
    sourced = load_issue(issue_path, font_characters(settings.fonts), settings.limits)
    date = document_date(sourced.issue)
    target = output or settings.output / edition.output_name(sourced.slug)
    design = design_files(settings)
    refuse_inputs(target, sourced, design, "the PDF")
    return BuildPlan(
        sourced=sourced,
        edition=edition,
        options=options,
        layout=plan_layout(edition, options, settings),
        date=date,
        manifest=build_manifest(sourced, design, options, edition, date),
        output=target,
        explicit_output=output is not None,
    )
