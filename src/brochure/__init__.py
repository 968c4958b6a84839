"""brochure: turn a newsletter issue written in YAML into print-quality PDFs.

The public API is small: `load_issue` reads and validates an issue file, and
`build_issue` turns one into a PDF. Everything the library raises on purpose
is a `BrochureError`.
"""

from .errors import BrochureError, IssueInvalid, IssueProblem
from .load import load_issue

__version__ = "0.1.0"

__all__ = ["BrochureError", "IssueInvalid", "IssueProblem", "__version__", "load_issue"]
