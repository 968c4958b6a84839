"""The exception tree: every failure the library reports is a `BrochureError`."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .preflight import PreflightReport


class BrochureError(Exception):
    """Root of every error brochure raises on purpose."""


@dataclass(frozen=True, order=True)
class IssueProblem:
    """One problem in an issue file, located by line and column (both 1-based)."""

    file: Path
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class IssueInvalid(BrochureError):
    """An issue file has one or more problems; all of them are listed."""

    def __init__(self, problems: Iterable[IssueProblem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(map(str, self.problems)))

    def __reduce__(self) -> tuple[type, tuple[tuple[IssueProblem, ...]]]:
        # Rebuilt from its problems when it crosses from a build worker process.
        return (type(self), (self.problems,))


class TypesetError(BrochureError):
    """The typesetter refused a resource or reported warnings in strict mode."""


class AssembleError(BrochureError):
    """A PDF could not be assembled, e.g. a designer cover PDF is unusable."""


class PreflightFailed(BrochureError):
    """A finished PDF breaks what its edition must satisfy (strict builds only)."""

    def __init__(self, issue: Path, edition: str, report: "PreflightReport") -> None:
        self.issue, self.edition, self.report = issue, edition, report
        super().__init__(f"{issue}: the {edition} edition failed preflight\n{report.summary()}")

    def __reduce__(self) -> tuple[type, tuple[Path, str, "PreflightReport"]]:
        return (type(self), (self.issue, self.edition, self.report))
