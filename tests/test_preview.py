"""`brochure preview` as an editor uses it: a real process, a real browser (Debian's
Chromium, driven by Playwright), real saves of the issue file on disk.

The machine may be busy: every wait is a poll with a generous limit, and no
test asserts how long anything took.
"""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from helpers import spring_data, write_issue

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PATIENCE = 60.0
"""Seconds to wait for anything; a rebuild takes well under one on an idle machine."""
ISSUE = Path("issues/2009-spring.yaml")


class PreviewProcess:
    """`brochure preview` running in PROJECT, its output lines read as they come."""

    def __init__(self, project: Path, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "brochure", "preview", str(ISSUE), *arguments],
            cwd=project,
            env={**os.environ, "BROCHURE_PROJECT": str(project), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self.url = ""

    def started(self) -> "PreviewProcess":
        """Wait for the URL and the first build."""
        line = self.next_line(r"preview of .* at (http://127\.0\.0\.1:\d+/)$")
        self.url = re.search(r"http://\S+", line)[0]  # type: ignore[index]
        self.next_line(r"^built in \d+\.\d\d s(, wrote .*)?$")
        return self

    def next_line(self, pattern: str) -> str:
        """The next line of output that matches PATTERN (earlier lines are skipped)."""
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r}; stderr: {''.join(self.stderr)}")
            if re.search(pattern, line):
                return line

    def stop(self, how: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
        try:
            code = self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        for reader in self._readers:
            reader.join(PATIENCE)
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        return code

    def _read_stdout(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def _read_stderr(self) -> None:
        assert self.process.stderr
        self.stderr.extend(self.process.stderr)


@pytest.fixture
def preview(project: Path) -> Iterator[PreviewProcess]:
    running = PreviewProcess(project).started()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `tools/system-deps.sh chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab; any error in the preview's own script fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: _note_console_error(message, errors))
    yield opened
    context.close()
    assert errors == []


def _note_console_error(message: ConsoleMessage, errors: list[str]) -> None:
    # The event stream's connection ends when the preview stops; that is no error of the page.
    if message.type == "error" and "/events" not in message.text:
        errors.append(message.text)


def save_issue(
    project: Path, *, heading: str = "Other salvage regimens", year: object = 2009
) -> None:
    data = spring_data()
    data["articles"][0]["sections"][1]["heading"] = heading
    data["issue"]["year"] = year
    write_issue(project / ISSUE, data)


def test_an_editors_loop_in_the_browser(
    preview: PreviewProcess, page: Page, project: Path, tmp_path: Path
) -> None:
    """See the issue, save a change, see it without reloading, break it, mend it."""
    page.goto(preview.url)
    live = page.locator("#live")
    expect(live).to_contain_text("Tamibarotene is a synthetic retinoid", timeout=PATIENCE * 1000)
    pages = page.locator("figure.page")
    expect(pages).to_have_count(3)
    assert pages.locator("figcaption").all_inner_texts() == ["Cover", "2", "Back"]
    _pictures_loaded(page)
    page.evaluate("window.sameDocument = true; window.scrollTo(0, 300)")
    assert page.evaluate("window.scrollY") == 300

    save_issue(project, heading="Newer salvage regimens")
    expect(live).to_contain_text("Newer salvage regimens", timeout=PATIENCE * 1000)
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded"
    assert page.evaluate("window.scrollY") == 300
    expect(pages).to_have_count(3)
    _pictures_loaded(page)

    save_issue(project, heading="Newer salvage regimens", year="20x9")
    banner = page.locator(".banner")
    expect(banner).to_be_visible(timeout=PATIENCE * 1000)
    expect(banner).to_contain_text("1 problem: showing the last good build")
    expect(banner).to_contain_text("issues/2009-spring.yaml:6:9")
    expect(banner).to_contain_text("issue.year")
    expect(banner).to_contain_text("must be a whole number (got '20x9')")
    expect(pages).to_have_count(3)  # the last good pages stay under the banner
    expect(live).to_contain_text("Newer salvage regimens")
    page.screenshot(path=tmp_path / "broken.png")

    save_issue(project, heading="Mended salvage regimens")
    expect(live).to_contain_text("Mended salvage regimens", timeout=PATIENCE * 1000)
    expect(banner).to_have_count(0)
    expect(pages).to_have_count(3)
    _pictures_loaded(page)
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("window.scrollY") == 300

    link = page.locator("a.download")
    assert link.get_attribute("href") == "/pdf"
    assert link.get_attribute("download") == "2009-spring.pdf"
    response = page.request.get(preview.url + "pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    assert not (project / "out").exists(), "the preview wrote to out/ without --write"


def test_the_words_of_every_page_are_in_the_page_but_not_drawn(
    preview: PreviewProcess, page: Page
) -> None:
    page.goto(preview.url)
    words = page.locator("figure.page .page-text")
    expect(words).to_have_count(3, timeout=PATIENCE * 1000)
    expect(words.nth(1)).to_contain_text("Tamibarotene")
    box = words.nth(1).bounding_box()
    assert box is not None
    assert box["width"] <= 1
    assert box["height"] <= 1
    # Find-in-page finds the words: the browser reports the match on the page.
    assert page.evaluate("window.find('Tamibarotene')") is True


def test_the_spreads_face_each_other(preview: PreviewProcess, page: Page) -> None:
    page.goto(preview.url)
    figures = page.locator("figure.page img")
    expect(figures).to_have_count(3, timeout=PATIENCE * 1000)
    _pictures_loaded(page)
    cover, two, back = (figures.nth(n).bounding_box() for n in range(3))
    assert cover
    assert two
    assert back
    assert abs(two["x"] + two["width"] - back["x"]) < 1, "pages 2 and 3 touch at the fold"
    assert abs(two["y"] - back["y"]) < 1
    assert abs(cover["x"] - back["x"]) < 1, "the cover is a right-hand page"
    assert two["y"] > cover["y"] + cover["height"]


def test_page_size_buttons_and_a_banner_that_folds(
    preview: PreviewProcess, page: Page, project: Path
) -> None:
    page.goto(preview.url)
    whole, width = (
        page.get_by_role("button", name="Whole pages"),
        page.get_by_role("button", name="Fit width"),
    )
    expect(whole).to_have_attribute("aria-pressed", "true", timeout=PATIENCE * 1000)
    picture = page.locator("figure.page img").first
    _pictures_loaded(page)
    whole_height = picture.bounding_box()["height"]  # type: ignore[index]
    assert whole_height <= 720
    width.click()
    expect(width).to_have_attribute("aria-pressed", "true")
    assert picture.bounding_box()["height"] > whole_height  # type: ignore[index]
    page.reload()
    expect(page.get_by_role("button", name="Fit width")).to_have_attribute("aria-pressed", "true")

    save_issue(project, year="20x9")
    problems = page.locator(".banner .problems")
    expect(problems).to_be_visible(timeout=PATIENCE * 1000)
    page.get_by_role("button", name="Hide").click()
    expect(problems).to_be_hidden()
    expect(page.locator(".banner h2")).to_contain_text("1 problem")
    page.get_by_role("button", name="Show").click()
    expect(problems).to_be_visible()


def test_the_terminal_tells_the_url_then_one_line_per_build(
    preview: PreviewProcess, project: Path
) -> None:
    save_issue(project, heading="Newer salvage regimens")
    preview.next_line(r"^rebuilt in \d+\.\d\d s$")
    save_issue(project, year="20x9")
    preview.next_line(r"^failed after \d+\.\d\d s: 1 problem$")
    assert preview.stop() == 0
    preview.next_line("^stopped$")
    assert "Traceback" not in "".join(preview.stderr)


def test_sigterm_stops_it_cleanly_too(preview: PreviewProcess) -> None:
    assert preview.stop(signal.SIGTERM) == 0
    assert "Traceback" not in "".join(preview.stderr)


def test_with_write_the_good_builds_go_to_out(project: Path) -> None:
    running = PreviewProcess(project, "--write").started()
    try:
        assert (project / "out" / "2009-spring.pdf").read_bytes().startswith(b"%PDF-")
        assert (project / "out" / "SHA256SUMS").is_file()
    finally:
        assert running.stop() == 0


def test_a_port_in_use_is_a_clear_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = PreviewProcess(project, "--port", str(port))
        code = running.process.wait(PATIENCE)
        running.stop()
    assert code == 1
    assert f"cannot serve on port {port}: Address already in use" in "".join(running.stderr)


def _pictures_loaded(page: Page) -> None:
    """Every page picture has arrived and been decoded."""
    pictures = page.locator("figure.page img")
    for index in range(pictures.count()):
        expect(pictures.nth(index)).to_have_js_property("complete", True, timeout=PATIENCE * 1000)
        assert pictures.nth(index).evaluate("image => image.naturalWidth") > 0
