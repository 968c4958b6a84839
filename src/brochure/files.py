"""Files: written so a reader only ever sees the old file or the whole new one,
hashed by content, and shown by paths that read the same on every machine."""

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from .errors import BrochureError


def write_atomically(target: Path, data: bytes) -> None:
    """Write DATA to TARGET through a temporary file renamed into place.

    A reader sees the old file or the whole new one, never a part. Raise
    `BrochureError` if the file cannot be written (a full disk, no
    permission); the old file is then untouched.
    """
    with _written_aside(target, data) as temporary:
        os.replace(temporary, target)


def write_new(target: Path, data: bytes) -> None:
    """Write DATA to TARGET, which must not exist: never over a file, never half a file.

    The data goes to a temporary file first, which is then linked in as
    TARGET; linking, unlike renaming, fails when TARGET exists, even if it
    appeared a moment ago. Raise `BrochureError` if TARGET exists or cannot
    be written.
    """
    if target.exists() or target.is_symlink():
        raise BrochureError(f"{target} already exists; not overwriting it")
    try:
        with _written_aside(target, data) as temporary:
            os.link(temporary, target)
    except FileExistsError:
        raise BrochureError(f"{target} already exists; not overwriting it") from None


@contextlib.contextmanager
def _written_aside(target: Path, data: bytes) -> Iterator[Path]:
    """A temporary file beside TARGET holding DATA, removed after the block.

    It is named after this process, so temporary files left by a build that
    was killed are recognised, and removed, by the next write. An OSError,
    the block's too, becomes a `BrochureError` naming TARGET; FileExistsError
    passes, for `write_new` to say that TARGET exists.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(target.parent)
        descriptor, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=TEMPORARY
        )
    except OSError as error:
        raise BrochureError(f"{target}: cannot write: {error.strerror or error}") from None
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)
        yield temporary
    except FileExistsError:
        raise
    except OSError as error:
        raise BrochureError(f"{target}: cannot write: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


TEMPORARY = ".tmp"


def _remove_abandoned(folder: Path) -> None:
    """Remove the temporary files in FOLDER whose writing process no longer runs.

    Any file's, not only the one about to be written: a build killed while
    writing a PDF that the next build finds up to date never writes it again.
    Their names are `.<file>.<process ID>.<random letters>.tmp`.
    """
    for path in folder.glob(f".*{TEMPORARY}"):
        owner = path.name.removesuffix(TEMPORARY).split(".")[-2]
        if owner.isdigit() and not _running(int(owner)):
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def display_path(path: Path, root: Path) -> str:
    """PATH relative to ROOT if it is below it, else as given."""
    absolute = path.absolute()
    return str(absolute.relative_to(root)) if absolute.is_relative_to(root) else str(path)


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at PATH; cached while its size and time stay the same."""
    status = path.stat()
    return _sha256(path.resolve(), status.st_size, status.st_mtime_ns)


@cache
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
