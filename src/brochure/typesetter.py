"""What typesetting takes and gives, and where it runs.

The types here are all a typesetting process needs to read a request, so it
can start without pydantic or Jinja. Importing WeasyPrint costs a cold
`brochure build` of one PDF about a third of its time: `typesetting_ahead`
forks a process that imports it on another core while this one loads, checks
and renders the issue, and `typeset` then hands the parts over and waits for
the PDF. Otherwise typesetting runs in this process, which keeps what it can
between builds (the preview, batch workers).
"""

import contextlib
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BrochureError, TypesetError

if TYPE_CHECKING:
    from .editions import Layout

ASSET_SCHEME = "asset"
"""URLs of files the issue names, relative to its folder (asset:art/cover.png)."""

Abbreviation = tuple[str, str]
"""An abbreviation and what it stands for, e.g. ('APL', 'acute promyelocytic leukemia')."""


@dataclass(frozen=True)
class BodyPiece:
    """Articles of the body that start on a new page, as a document of their own."""

    anchor: str | None
    """The id the piece starts with, which finds its pages in the whole body; None for the first."""
    html: str


@dataclass(frozen=True)
class BodyHtml:
    """The body of an issue, whole and, for a process that keeps layouts, in PIECES.

    Every article after the first starts on a new page, so it can be laid out
    on its own and laid out again alone when only it changed. The first piece
    holds the contents with the first article: its page numbers come from the
    pieces after it, so it is laid out only as part of the whole.
    """

    whole: str
    pieces: tuple[BodyPiece, ...] = ()


@dataclass(frozen=True)
class IssueHtml:
    """The HTML of each part of an issue, ready to typeset.

    BLANK is a document of blank pages to pad the page count with, when the
    edition asks for a multiple. GLOSSARY_IN_BODY is the body and the back page
    again with the glossary at the end of the body, for when it does not fit on
    the back page (None without a glossary). ABBREVIATIONS are those marked in
    the body, in reading order, for the tags. ORNAMENTS are the URLs of images
    drawn as decoration, which have no alt text on purpose.
    """

    cover: str | None
    body: BodyHtml
    back: str
    blank: str | None
    glossary_in_body: tuple[BodyHtml, str] | None = None
    abbreviations: tuple[Abbreviation, ...] = ()
    ornaments: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class TypesetPdf:
    """The typeset PDF and how many pages each part took."""

    data: bytes
    cover_pages: int
    body_pages: int
    blank_pages: int
    warnings: tuple[str, ...]


def typeset(
    parts: IssueHtml,
    layout: "Layout",
    roots: tuple[Path, ...],
    *,
    strict: bool,
    designer_cover_pages: int = 0,
    meanwhile: Callable[[], None] | None = None,
) -> TypesetPdf:
    """Typeset PARTS as `brochure.typeset.typeset` does, in the process started ahead if any.

    MEANWHILE is the caller's work that does not need the PDF: it runs while
    that process typesets, or first when typesetting runs in this one.
    """
    global _ahead
    arguments = (parts, layout, roots)
    options: dict[str, Any] = {"strict": strict, "designer_cover_pages": designer_cover_pages}
    process, _ahead = _ahead, None  # it typesets once
    if process is not None:
        return process.typeset(arguments, options, meanwhile)
    if meanwhile:
        meanwhile()
    from . import typeset as stage  # imports WeasyPrint

    return stage.typeset(*arguments, **options)


def load_design_ahead(layout: "Layout", project: Path) -> None:
    """Have the process started ahead, if any, load LAYOUT's design while this one works.

    Parsing the stylesheets and loading their fonts takes about 80 ms. The
    process would otherwise start on it only once it has the parts, which a
    large issue takes longer to load and render than WeasyPrint to import.
    """
    if _ahead is not None:
        _ahead.load_design(layout, project)


@contextlib.contextmanager
def typesetting_ahead() -> Iterator[None]:
    """Within this block, the first typesetting runs in a process that imports WeasyPrint now.

    For a command that builds one PDF: the process typesets it and ends, so
    its memory is freed while this one assembles and checks the PDF. It is
    started only where forking is safe: on a system that forks, from a process
    with one thread, since a fork copies every lock the other threads hold.
    """
    global _ahead
    if _ahead is not None or not forking_is_safe():
        yield
        return
    process = _ahead = _TypesettingProcess()
    try:
        yield
    finally:
        _ahead = None
        process.stop()


def forking_is_safe() -> bool:
    """May this process fork? Only on a system that forks, and with one thread.

    A fork copies every lock the other threads hold, and threads a library
    started in C count too: they show only in /proc, which decides.
    """
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        return False  # no way to tell
    return threads == 1 and "fork" in multiprocessing.get_all_start_methods()


class _TypesettingProcess:
    """A forked process that typesets one request, sent through a pipe, and ends."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs,), name="brochure typesetter", daemon=True
        )
        self._process.start()
        theirs.close()

    def typeset(
        self,
        arguments: tuple[Any, ...],
        options: dict[str, Any],
        meanwhile: Callable[[], None] | None,
    ) -> TypesetPdf:
        try:
            self._connection.send((_TYPESET, arguments, options))
        except OSError:
            raise self._ended() from None
        if meanwhile:
            meanwhile()
        try:
            succeeded, value = self._connection.recv()
        except (EOFError, OSError):
            raise self._ended() from None
        if succeeded:
            return value  # type: ignore[no-any-return]
        raise value

    def load_design(self, layout: "Layout", project: Path) -> None:
        with contextlib.suppress(OSError):  # it ended: typesetting will say so
            self._connection.send((_DESIGN, layout, project))

    def _ended(self) -> TypesetError:
        self._process.join(timeout=1)
        return TypesetError(
            f"the typesetting process ended unexpectedly (exit code {self._process.exitcode})"
        )

    def stop(self) -> None:
        self._connection.close()
        self._process.terminate()  # if it is still importing: nothing it holds is needed
        self._process.join()


_DESIGN, _TYPESET = "design", "typeset"
"""What a request asks: (_DESIGN, layout, project), then (_TYPESET, arguments, options)."""


def _serve(connection: Connection) -> None:
    """Import the typesetter, typeset the request from CONNECTION and send back the PDF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command reports an interrupt, once
    from . import typeset as stage

    try:
        request = connection.recv()
        if request[0] == _DESIGN:
            with contextlib.suppress(BrochureError):  # typesetting meets it again, and says so
                stage.load_design(*request[1:])
            request = connection.recv()
    except EOFError:
        return  # the command needed no typesetting
    _, arguments, options = request
    try:
        reply: tuple[bool, object] = (True, stage.typeset(*arguments, **options))
    except BrochureError as error:
        reply = (False, error)
    except Exception as error:  # a bug: its traceback is only here
        traceback.print_exc()
        reply = (False, TypesetError(f"internal error: {type(error).__name__}: {error}"))
    connection.send(reply)


_ahead: _TypesettingProcess | None = None
