"""brochure: turn a newsletter issue written in YAML into print-quality PDFs.

The public API is small: `load_issue` reads and validates an issue file, and
`build_issue` turns one into a PDF. Everything the library raises on purpose
is a `BrochureError`.
"""

from typing import TYPE_CHECKING

from .errors import BrochureError, IssueInvalid, IssueProblem

if TYPE_CHECKING:
    from .load import load_issue

__version__ = "0.1.0"

__all__ = ["BrochureError", "IssueInvalid", "IssueProblem", "__version__", "load_issue"]


def __getattr__(name: str) -> object:
    # Loading imports pydantic: the command line must be able to start without it.
    if name == "load_issue":
        from .load import load_issue

        return load_issue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
