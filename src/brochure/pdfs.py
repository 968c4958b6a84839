"""What every stage that reads a PDF with pypdf shares.

PDFs read here may be damaged or hostile (a designer's cover, an archive to
extract) or come from the typesetter (preflight). pypdf raises many kinds of
error on a damaged file, not only its own, so all readers catch the same list.
"""

import zlib
from typing import cast

import pikepdf
from pypdf.errors import DependencyError, DeprecationError, PyPdfError
from pypdf.generic import DictionaryObject, PdfObject

# Seen when fuzzing WeasyPrint's output and hostile covers. Catch them only around
# reading a file, never around checks of what was read, where they would be bugs.
PDF_ERRORS = (
    PyPdfError,
    DeprecationError,
    DependencyError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    NotImplementedError,
    RecursionError,
    zlib.error,
    pikepdf.PdfError,
)


def describe(error: Exception) -> str:
    """An error of PDF_ERRORS as a reader can follow it: some messages are only a key."""
    return f"{type(error).__name__}: {error}"


def dictionary(reference: PdfObject) -> DictionaryObject:
    """The dictionary REFERENCE points to, in a PDF brochure wrote itself."""
    return cast(DictionaryObject, reference.get_object())
