"""What every stage that reads or writes a PDF with pikepdf shares.

PDFs read here may be damaged or hostile (a designer's cover, an archive to
extract) or come from the typesetter (preflight). A reader raises many kinds of
error on a damaged file, not only its own, so all readers catch the same list.
Every PDF brochure writes is saved by `save`, the same way.
"""

import base64
import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pikepdf

from .errors import BrochureError

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


_MEMORY_FILE = re.compile(r"stream <[^<>]*>:? ?")
"""How pikepdf names a PDF read from memory: by the Python object, a new name each run."""


def describe(error: Exception) -> str:
    """An error of READ_ERRORS as a reader can follow it: some messages are only a key."""
    return f"{type(error).__name__}: {_MEMORY_FILE.sub('', str(error))}"


@contextmanager
def reading(
    data: bytes,
    failure: type[BrochureError],
    *,
    encrypted: str,
    inherit_page_attributes: bool = True,
) -> Iterator[pikepdf.Pdf]:
    """The PDF in DATA, open while the block reads it; raise FAILURE if it cannot be read.

    An encrypted PDF fails with the message ENCRYPTED, even one qpdf decrypts
    unasked for want of a user password: it is protected all the same. A damaged
    file raises READ_ERRORS wherever it is read, so those the block raises fail
    too, as a PDF that is not readable: the block should only read, and checks
    of what it read come after it. INHERIT_PAGE_ATTRIBUTES is pikepdf's option.
    """
    try:
        with pikepdf.open(io.BytesIO(data), inherit_page_attributes=inherit_page_attributes) as pdf:
            if pdf.is_encrypted:
                raise failure(encrypted)
            yield pdf
    except pikepdf.PasswordError:
        raise failure(encrypted) from None
    except READ_ERRORS as error:
        raise failure(f"not a readable PDF ({describe(error)})") from None


def corners(box: pikepdf.Object) -> tuple[float, float, float, float]:
    """A page box as left, bottom, right and top, in the order the PDF gives them."""
    left, bottom, right, top = (float(value) for value in box)
    return left, bottom, right, top


def save(document: pikepdf.Pdf) -> bytes:
    """DOCUMENT saved, its objects packed into compressed object streams.

    Like WeasyPrint, qpdf packs the objects into object streams, and it
    compresses the streams that are not, such as those changed here. Streams
    already compressed are kept as they are; the file keeps its PDF version,
    which the PDF variant requires (PDF/X-4: 1.6); the file ID is computed from
    the content, so the same input gives the same bytes. No stream may end with
    a carriage return (see `ending_cleanly` and `_end_with_ascii85`).
    """
    packed = _packed(document)
    if b"\r\nendstream" in packed:
        with pikepdf.open(io.BytesIO(packed)) as saved:
            for stream in saved.objects:
                if isinstance(stream, pikepdf.Stream) and stream.read_raw_bytes().endswith(b"\r"):
                    _end_with_ascii85(stream)
            packed = _packed(saved, end_streams_cleanly=True)
    return packed


def ending_cleanly(content: bytes) -> bytes:
    """CONTENT, with line feeds added if, compressed, it would end with a carriage return.

    Flate data ends with the Adler-32 checksum of what it holds, so its last
    byte is known before it is compressed. A line feed at the end of a drawing
    changes nothing it draws. Streams written through this never send `save`
    to its second pass.
    """
    while zlib.adler32(content) & 0xFF == ord("\r"):
        content += b"\n"
    return content


def _packed(document: pikepdf.Pdf, *, end_streams_cleanly: bool = False) -> bytes:
    packed = io.BytesIO()
    document.save(
        packed,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        # Compressing would undo _end_with_ascii85: qpdf takes it off to compress. The
        # first pass compressed everything else, but the object streams stay uncompressed.
        compress_streams=not end_streams_cleanly,
        recompress_flate=False,
        deterministic_id=True,
        fix_metadata_version=False,
    )
    return packed.getvalue()


def _end_with_ascii85(stream: pikepdf.Stream) -> None:
    """Encode STREAM once more, in ASCII85, so that its bytes end with '~>'.

    Bytes that end with a carriage return, followed by the line feed qpdf writes
    before `endstream`, read as one CR LF end of line: PDF/A validators then count
    the stream one byte short of its /Length. Compressed data ends with a
    checksum, so about one stream in 256 does; ASCII85 costs it a quarter more.
    The streams qpdf compresses as it saves, its object streams among them, are
    only known once saved: the saved file is then opened and saved once more.
    """
    filters = _as_list(stream.get("/Filter"))
    parameters = _as_list(stream.get("/DecodeParms")) or [None] * len(filters)
    stream.write(
        base64.a85encode(stream.read_raw_bytes()) + b"~>",
        filter=pikepdf.Array([pikepdf.Name.ASCII85Decode, *filters]),
        decode_parms=pikepdf.Array([None, *parameters]),
        type_check=False,
    )


def _as_list(value: object) -> list[object]:
    """A filter entry as a list: one value stands for a list of one."""
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [] if value is None else [value]
