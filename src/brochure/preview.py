"""Live preview: build an issue in a warm process, again after every save, and keep
what a browser needs to show it.

A `PreviewSession` holds the last good build (its PDF, its pages and their text)
and the problems of the last build, if it failed: a broken save never takes
the good pages away, it only adds the list of what is wrong. Every change of
state gets a new version, and `wait_for_change` lets the server tell the
browser at once. Nothing is written unless the session was asked to write,
and then exactly as `brochure build` writes.

`run_preview` puts it together: the session, the file watcher, the rebuild
loop and the web server (`brochure.server`), until Ctrl-C.
"""

import datetime
import hashlib
import secrets
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .batch import update_checksums
from .build import produce, write_produced
from .editions import DEFAULT_EDITION, Edition
from .errors import BrochureError, IssueInvalid
from .files import display_path
from .manifest import source_files
from .plan import plan_build
from .raster import Page, read_pages, render_page
from .settings import BuildOptions, Settings
from .watch import RebuildLoop, Watcher, WatchSet, watch_set

SCREEN_DPI = 96
"""CSS pixels per inch: a page at 100 % in the browser is its printed size."""
KEPT_BUILDS = 3
"""Good builds whose page pictures may still be asked for by a browser catching up."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the last build, as the banner shows it."""

    where: str
    """FILE:LINE:COLUMN, or empty when the problem has no place in a file."""
    field: str
    message: str


@dataclass(frozen=True)
class GoodBuild:
    """A build that succeeded: the PDF and what is on its pages."""

    key: str
    """Names this PDF's content; its page pictures are named after it."""
    pdf: bytes
    pages: tuple[Page, ...]
    facing: bool
    """Pages face each other in spreads (not for booklet sheets)."""
    seconds: float
    finished: datetime.datetime


@dataclass(frozen=True)
class PreviewState:
    """What the preview shows now; a new VERSION whenever any of it changes."""

    version: int
    title: str
    edition: str
    pdf_name: str
    good: GoodBuild | None = None
    problems: tuple[Problem, ...] = ()
    building: bool = False
    last_seconds: float = 0.0
    builds: int = 0
    """Builds finished, good or not."""
    token: str = field(default="", compare=False)
    """The version as the browser sees it: unique to this process, so a page left
    open across a restart still notices that it is out of date."""


class PreviewSession:
    """Build the issue at ISSUE_PATH on demand and keep the state a browser shows."""

    def __init__(
        self,
        issue_path: Path,
        settings: Settings,
        options: BuildOptions = BuildOptions(),
        *,
        edition: Edition = DEFAULT_EDITION,
        write: bool = False,
    ) -> None:
        self.issue_path = issue_path
        self.settings = settings
        self.options = options
        self.edition = edition
        self.write = write
        self._boot = secrets.token_hex(4)
        self._sources: tuple[Path, ...] = (issue_path,)
        """The issue file and the files it named when it last loaded."""
        self._kept: OrderedDict[str, GoodBuild] = OrderedDict()
        self._pictures: dict[tuple[str, int, int], bytes] = {}
        self._changed = threading.Condition()
        self._closed = False
        self._state = self._stamped(
            PreviewState(
                version=1,
                title=issue_path.stem,
                edition=edition.name,
                pdf_name=edition.output_name(issue_path.stem),
            )
        )

    @property
    def state(self) -> PreviewState:
        with self._changed:
            return self._state

    def rebuild(self) -> str:
        """Build the issue now; return the line to log (time taken, or how many problems).

        On success the new pages replace the old ones and the problems go; on a
        failure the last good pages stay and the problems are listed.
        """
        self._update(building=True)
        started = time.perf_counter()
        try:
            good, title, wrote = self._build(started)
        except BrochureError as error:
            problems = problems_of(error)
        except Exception as error:  # a bug must not end the preview; it is shown and logged
            traceback.print_exc()
            problems = (Problem("", "", f"internal error: {type(error).__name__}: {error}"),)
        else:
            self._keep(good)
            self._update(
                good=good, title=title, problems=(), building=False, last_seconds=good.seconds
            )
            return f"rebuilt in {good.seconds:.2f} s" + (f", wrote {wrote}" if wrote else "")
        seconds = time.perf_counter() - started
        self._update(problems=problems, building=False, last_seconds=seconds)
        count = len(problems)
        return f"failed after {seconds:.2f} s: {count} problem{'s' if count != 1 else ''}"

    def watch_set(self) -> WatchSet:
        """The files the last build read, so that a change to any of them rebuilds."""
        return watch_set(self._sources, (self.settings.templates, self.settings.styles))

    def page_png(self, key: str, number: int, scale: int) -> bytes | None:
        """The picture of page NUMBER of the good build KEY, at SCALE times screen size.

        None if no such build is kept or it has no such page.
        """
        with self._changed:
            good = self._kept.get(key)
            cached = self._pictures.get((key, number, scale))
        if good is None or not 1 <= number <= len(good.pages):
            return None
        if cached is None:
            cached = render_page(good.pdf, number, SCREEN_DPI * scale).png(quick=True)
            with self._changed:
                if key in self._kept:
                    self._pictures[key, number, scale] = cached
        return cached

    def wait_for_change(self, seen: PreviewState, timeout: float) -> PreviewState:
        """The state once it differs from SEEN, or after TIMEOUT seconds, or on closing."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._state.version != seen.version or self._closed, timeout
            )
            return self._state

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release everyone waiting for a change."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _build(self, started: float) -> tuple[GoodBuild, str, str]:
        plan = plan_build(self.issue_path, self.settings, self.options, edition=self.edition)
        self._sources = tuple(source_files(plan.sourced).values())
        produced = produce(plan, self.settings, warm=True)
        pages = read_pages(produced.data)
        wrote = ""
        if self.write:
            result = write_produced(plan, produced)
            update_checksums(self.settings.output, [result])
            wrote = display_path(plan.output, Path.cwd())
        good = GoodBuild(
            key=hashlib.sha256(produced.data).hexdigest()[:16],
            pdf=produced.data,
            pages=pages,
            facing=not plan.edition.booklet,
            seconds=time.perf_counter() - started,
            finished=datetime.datetime.now(),
        )
        return good, plan.sourced.issue.title, wrote

    def _keep(self, good: GoodBuild) -> None:
        with self._changed:
            self._kept[good.key] = good
            self._kept.move_to_end(good.key)
            while len(self._kept) > KEPT_BUILDS:
                self._kept.popitem(last=False)
            self._pictures = {
                name: data for name, data in self._pictures.items() if name[0] in self._kept
            }

    def _update(self, **changes: object) -> None:
        with self._changed:
            if "good" in changes or "problems" in changes:
                changes["builds"] = self._state.builds + 1
            changed = replace(self._state, **changes)  # type: ignore[arg-type]
            self._state = self._stamped(replace(changed, version=self._state.version + 1))
            self._changed.notify_all()

    def _stamped(self, state: PreviewState) -> PreviewState:
        return replace(state, token=f"{self._boot}.{state.version}")


def problems_of(error: BrochureError) -> tuple[Problem, ...]:
    """Every problem ERROR reports: each of an invalid issue, else its message."""
    if isinstance(error, IssueInvalid):
        here = Path.cwd()
        return tuple(
            Problem(
                f"{display_path(problem.file, here)}:{problem.line}:{problem.column}",
                problem.field,
                problem.message,
            )
            for problem in error.problems
        )
    return (Problem("", "", str(error)),)


def run_preview(
    session: PreviewSession,
    *,
    port: int,
    on_ready: Callable[[str], None],
    log: Callable[[str], None],
) -> None:
    """Serve SESSION on 127.0.0.1:PORT (0: any free port) and rebuild on every save.

    ON_READY hears the URL as soon as the server listens; LOG hears one line
    per build. Runs until interrupted (KeyboardInterrupt), then shuts down.
    """
    from .server import PreviewServer

    server = PreviewServer(session, port)
    serving = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    serving.start()
    watcher = Watcher(lambda: loop.changed())

    def rebuild() -> None:
        log(session.rebuild())
        watcher.follow(session.watch_set())

    loop = RebuildLoop(rebuild)
    try:
        watcher.follow(session.watch_set())  # before the first build: no save is missed
        on_ready(server.url)
        first = session.rebuild()
        log(first.replace("rebuilt", "built", 1))
        watcher.follow(session.watch_set())
        loop.run()
    finally:
        loop.stop()
        watcher.close()
        session.close()
        server.shutdown()
        server.server_close()
