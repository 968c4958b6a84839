"""Watching and rebuilding: bursts of saves settle into one build, builds never overlap,
and a save during a build is never lost.

The machine may be busy: every wait polls with a generous limit, and no test
asserts how long anything took.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from brochure.watch import RebuildLoop, Watcher, watch_set

PATIENCE = 30.0


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.02)


class Builds:
    """A stand-in build that counts runs and overlaps, and can be held mid-build."""

    def __init__(self) -> None:
        self.started = 0
        self.finished = 0
        self.running = 0
        self.most_at_once = 0
        self.release = threading.Event()
        self.release.set()
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.started += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.release.wait(PATIENCE)
        with self._lock:
            self.running -= 1
            self.finished += 1


@contextmanager
def running(loop: RebuildLoop) -> Iterator[threading.Thread]:
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        loop.stop()
        thread.join(PATIENCE)
        assert not thread.is_alive()


def test_a_burst_of_changes_makes_one_build() -> None:
    builds = Builds()
    # A long quiet time: the burst below surely lands within it, however busy the machine.
    loop = RebuildLoop(builds, quiet=1.0)
    with running(loop):
        for _ in range(20):
            loop.changed()
        eventually(lambda: builds.finished == 1, "the build after the burst")
        time.sleep(1.5)  # more than the quiet time: a second build would have started
        assert builds.started == 1


def test_nothing_is_built_without_a_change() -> None:
    builds = Builds()
    loop = RebuildLoop(builds, quiet=0.05)
    with running(loop):
        time.sleep(0.3)
    assert builds.started == 0


def test_changes_during_a_build_make_exactly_one_more() -> None:
    builds = Builds()
    builds.release.clear()
    loop = RebuildLoop(builds, quiet=0.05)
    with running(loop):
        loop.changed()
        eventually(lambda: builds.started == 1, "the first build to start")
        for _ in range(5):
            loop.changed()  # saves while the first build runs
            time.sleep(0.01)
        builds.release.set()
        eventually(lambda: builds.finished == 2, "one more build for the saves during the first")
        time.sleep(0.5)
        assert builds.started == 2
    assert builds.most_at_once == 1


def test_builds_never_overlap_however_often_files_change() -> None:
    builds = Builds()
    loop = RebuildLoop(builds, quiet=0.01)
    stop = threading.Event()

    def keep_saving() -> None:
        while not stop.is_set():
            loop.changed()
            time.sleep(0.005)

    saver = threading.Thread(target=keep_saving, daemon=True)
    with running(loop):
        saver.start()
        time.sleep(1.0)
        stop.set()
        saver.join()
        eventually(lambda: builds.running == 0 and builds.started > 0, "the builds to finish")
    assert builds.most_at_once == 1


def test_stopping_ends_the_loop_while_it_waits_for_quiet() -> None:
    builds = Builds()
    loop = RebuildLoop(builds, quiet=60.0)
    with running(loop) as thread:
        loop.changed()
    assert not thread.is_alive()
    assert builds.started == 0


def test_the_watch_set_concerns_the_issue_its_files_and_every_design_file(tmp_path: Path) -> None:
    issues, templates, styles = (tmp_path / name for name in ("issues", "templates", "styles"))
    for folder in (issues / "art", templates, styles / "fonts"):
        folder.mkdir(parents=True)
    issue = issues / "2009-spring.yaml"
    wanted = watch_set([issue, issues / "art" / "cover.png"], [templates, styles])
    assert wanted.concerns(issue)
    assert wanted.concerns(issues / "art" / "cover.png")
    assert wanted.concerns(styles / "fonts" / "New.ttf")
    assert wanted.concerns(templates / "body.html.j2")
    assert not wanted.concerns(issues / "2009-fall.yaml")  # another issue
    assert not wanted.concerns(issues / "art" / "other.png")
    assert not wanted.concerns(styles / ".brochure.css.swp")  # an editor's swap file
    assert not wanted.concerns(tmp_path / "out" / "2009-spring.pdf")
    assert wanted.folders() == {issues, issues / "art", templates, styles, styles / "fonts"}


def test_the_watcher_hears_saves_of_watched_files_only(tmp_path: Path) -> None:
    (tmp_path / "styles").mkdir()
    issue = tmp_path / "2009-spring.yaml"
    issue.write_text("old\n")
    other = tmp_path / "2009-fall.yaml"
    heard: list[float] = []
    watcher = Watcher(lambda: heard.append(time.monotonic()))
    watcher.follow(watch_set([issue], [tmp_path / "styles"]))
    try:
        _until_heard(heard, lambda: issue.write_text("new\n"), "a save of the issue")
        # An editor that saves by writing a new file and renaming it over the old one.
        replacement = tmp_path / ".2009-spring.yaml.new"
        _until_heard(
            heard,
            lambda: (replacement.write_text("newer\n"), replacement.replace(issue)),
            "a save by renaming",
        )
        _until_heard(
            heard, lambda: (tmp_path / "styles" / "x.css").write_text("p {}"), "a new style file"
        )
        count = len(heard)
        other.write_text("not ours\n")
        time.sleep(1.0)
        assert len(heard) == count, "a file outside the watch set made a rebuild"
    finally:
        watcher.close()


def test_the_watcher_follows_a_new_folder(tmp_path: Path) -> None:
    issue = tmp_path / "2009-spring.yaml"
    issue.write_text("old\n")
    art = tmp_path / "art"
    art.mkdir()
    heard: list[float] = []
    watcher = Watcher(lambda: heard.append(time.monotonic()))
    watcher.follow(watch_set([issue], []))
    watcher.follow(watch_set([issue, art / "cover.png"], []))  # the issue now names a picture
    try:
        _until_heard(heard, lambda: (art / "cover.png").write_bytes(b"png"), "the new picture")
    finally:
        watcher.close()


def _until_heard(heard: list[float], save: Callable[[], object], what: str) -> None:
    """Save, again now and then, until the watcher hears it (it may still be starting)."""
    count = len(heard)
    deadline = time.monotonic() + PATIENCE
    while len(heard) == count:
        if time.monotonic() > deadline:
            pytest.fail(f"the watcher never heard {what}")
        save()
        wait_until = time.monotonic() + 1.0
        while len(heard) == count and time.monotonic() < wait_until:
            time.sleep(0.02)
