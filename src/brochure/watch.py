"""Watching files and rebuilding: the heartbeat of the live preview.

`Watcher` follows the files a build reads (the issue, the files it names,
every template and style) and reports each burst of changes. `RebuildLoop`
turns those reports into builds: it waits until the saves have settled, runs
one build at a time, and if files change while a build runs, it builds once
more afterwards, so the last save is always the one shown.
"""

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

QUIET_SECONDS = 0.05
"""How long the files must stay unchanged before a rebuild starts: an editor's
save (write, rename, touch) comes as a burst of events within a few milliseconds."""


class RebuildLoop:
    """Run BUILD after changes have settled, one build at a time, never missing a change.

    Call `changed` from any thread whenever a file changes; `run` (on one
    thread) waits until no change has come for QUIET seconds, then builds.
    Changes during a build lead to exactly one more build after it.
    """

    def __init__(self, build: Callable[[], None], *, quiet: float = QUIET_SECONDS) -> None:
        self._build = build
        self._quiet = quiet
        self._condition = threading.Condition()
        self._last_change: float | None = None
        self._stopping = False

    def changed(self) -> None:
        """Note that a file changed just now."""
        with self._condition:
            self._last_change = time.monotonic()
            self._condition.notify_all()

    def stop(self) -> None:
        """Make `run` return; a build under way is finished first."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()

    def run(self) -> None:
        """Build after each settled burst of changes, until `stop` is called."""
        while self._settled():
            self._build()

    def _settled(self) -> bool:
        """Wait for a change and then for quiet; False once stopping."""
        with self._condition:
            while not self._stopping:
                if self._last_change is None:
                    self._condition.wait()
                    continue
                remaining = self._last_change + self._quiet - time.monotonic()
                if remaining <= 0:
                    self._last_change = None
                    return True
                self._condition.wait(remaining)
            return False


@dataclass(frozen=True)
class WatchSet:
    """What a build reads: single FILES in their folders, and whole TREES of folders."""

    files: frozenset[Path]
    trees: tuple[Path, ...]

    def folders(self) -> frozenset[Path]:
        """The folders to watch, each on its own (not their subfolders)."""
        folders = {path.parent for path in self.files}
        for tree in self.trees:
            folders.add(tree)
            folders.update(path for path in tree.rglob("*") if path.is_dir())
        return frozenset(folder for folder in folders if folder.is_dir())

    def concerns(self, path: Path) -> bool:
        """Whether a change of PATH may change the build."""
        if path in self.files:
            return True
        return any(path.is_relative_to(tree) for tree in self.trees) and _DESIGN_FILTER(
            watchfiles.Change.modified, str(path)
        )


def watch_set(files: Iterable[Path], trees: Iterable[Path]) -> WatchSet:
    """A watch set of FILES and TREES, by absolute paths as the watcher reports them."""
    return WatchSet(
        frozenset(path.parent.resolve() / path.name for path in files),
        tuple(tree.resolve() for tree in trees),
    )


_DESIGN_FILTER = watchfiles.DefaultFilter()
"""Leaves out editors' swap and backup files, caches and version control folders."""


class Watcher:
    """Call ON_CHANGE after each burst of changes to the files of the current watch set.

    Runs on its own thread. Folders are watched one by one, not recursively, so
    an issue kept in a large folder costs one watch, not thousands.
    """

    def __init__(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._lock = threading.Lock()
        self._watching = WatchSet(frozenset(), ())
        self._folders: frozenset[Path] = frozenset()
        self._restart = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def follow(self, wanted: WatchSet) -> None:
        """Watch WANTED from now on; the folders are watched anew only if they changed."""
        folders = wanted.folders()
        with self._lock:
            self._watching = wanted
            if folders == self._folders and self._thread:
                return
            self._folders = folders
            self._stop_thread()
            self._restart = threading.Event()
            self._thread = threading.Thread(
                target=self._watch, args=(folders, self._restart), name="watch", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop_thread()

    def _stop_thread(self) -> None:
        self._restart.set()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def _watch(self, folders: frozenset[Path], stop: threading.Event) -> None:
        if not folders:
            return
        for _ in watchfiles.watch(
            *sorted(folders),
            watch_filter=self._concerns,
            recursive=False,
            stop_event=stop,
            debounce=400,
            step=20,
            rust_timeout=500,
            raise_interrupt=False,
        ):
            self._on_change()

    def _concerns(self, change: watchfiles.Change, path: str) -> bool:
        return self._watching.concerns(Path(path))
