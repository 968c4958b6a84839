"""What builds produce: results, failures, and the JSON report of a run.

Kept apart from the build machinery so that reading a cached result or
writing a report never imports the typesetter.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from . import __version__
from .check import Finding
from .editions import Edition
from .errors import BrochureError, IssueInvalid, PreflightFailed
from .files import display_path
from .preflight import PreflightReport

REPORT_FORMAT = "brochure-report/1"


@dataclass(frozen=True)
class BuildResult:
    """A PDF a build wrote, or found up to date."""

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
    cached: bool = False
    """The PDF was already up to date and was not built again."""
    findings: tuple[Finding, ...] = ()
    """The editorial checks' warnings about the issue."""

    @property
    def status(self) -> str:
        return "cached" if self.cached else "built"


@dataclass(frozen=True)
class BuildFailure:
    """An edition of an issue that could not be built, and why."""

    issue: Path
    edition: Edition
    error: BrochureError
    findings: tuple[Finding, ...] = ()
    """The editorial checks' warnings, when the issue itself was valid."""
    status: ClassVar[str] = "failed"
    warnings: ClassVar[tuple[str, ...]] = ()

    @property
    def problems(self) -> list[str]:
        """One line per problem: every problem of an invalid issue, else the error's first line."""
        if isinstance(self.error, IssueInvalid):
            return [str(problem) for problem in self.error.problems]
        return str(self.error).splitlines()[:1]


Outcome = BuildResult | BuildFailure


def build_report(outcomes: Iterable[Outcome], root: Path) -> dict[str, object]:
    """Every outcome as plain data for a JSON report; paths are relative to ROOT when inside it."""
    outcomes = list(outcomes)
    statuses = [outcome.status for outcome in outcomes]
    return {
        "format": REPORT_FORMAT,
        "brochure": __version__,
        "summary": {status: statuses.count(status) for status in ("built", "cached", "failed")},
        "outputs": [_entry(outcome, root) for outcome in outcomes],
    }


def _entry(outcome: Outcome, root: Path) -> dict[str, object]:
    entry: dict[str, object] = {
        "issue": display_path(outcome.issue, root),
        "edition": outcome.edition.name,
        "status": outcome.status,
        "issue_warnings": [finding.as_dict() for finding in outcome.findings],
    }
    if isinstance(outcome, BuildFailure):
        error = outcome.error
        preflight = error.report.as_dict() if isinstance(error, PreflightFailed) else None
        return entry | {"problems": outcome.problems, "preflight": preflight}
    return entry | {
        "output": display_path(outcome.output, root),
        "pages": outcome.pages,
        "sides": outcome.sides,
        "bytes": outcome.bytes,
        "sha256": outcome.sha256,
        "seconds": round(outcome.seconds, 3),
        "warnings": list(outcome.warnings),
        "problems": [],
        "preflight": outcome.preflight.as_dict(),
    }
