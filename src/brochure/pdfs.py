"""What every stage that reads a PDF shares.

PDFs read here may be damaged or hostile (a designer's cover, an archive to
extract) or come from the typesetter (preflight). A reader raises many kinds of
error on a damaged file, not only its own, so all readers catch the same list.
"""

import re
import zlib

import pikepdf

# Seen when fuzzing WeasyPrint's output and hostile covers. Catch them only around
# reading a file, never around checks of what was read, where they would be bugs.
READ_ERRORS: tuple[type[Exception], ...] = (
    pikepdf.PdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    NotImplementedError,
    RecursionError,
    zlib.error,
)
"""What reading a PDF with pikepdf raises: its own errors, and Python's on what it reads."""


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    """PDF_ERRORS: READ_ERRORS and pypdf's own, for the readers that still use pypdf.

    Made when first asked for, so that a process that never reads with pypdf
    never imports it.
    """
    if name != "PDF_ERRORS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from pypdf.errors import DependencyError, DeprecationError, PyPdfError

    return (PyPdfError, DeprecationError, DependencyError, *READ_ERRORS)


_MEMORY_FILE = re.compile(r"stream <[^<>]*>:? ?")
"""How pikepdf names a PDF read from memory: by the Python object, a new name each run."""


def describe(error: Exception) -> str:
    """An error of READ_ERRORS as a reader can follow it: some messages are only a key."""
    return f"{type(error).__name__}: {_MEMORY_FILE.sub('', str(error))}"
