"""The preview server without a browser: its routes, its events, what it shows after a
good save and after a broken one, and what it never does (serve files, write)."""

import hashlib
import http.client
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from brochure.build import BuildResult
from brochure.errors import BrochureError
from brochure.preview import PreviewSession, Problem, problems_of
from brochure.server import PreviewServer
from brochure.settings import Settings
from helpers import copy_project, spring_data, write_issue

ISSUE = Path("issues/2009-spring.yaml")
PATIENCE = 60.0


class Preview:
    """A preview session served on a free port, with a small HTTP client."""

    def __init__(self, session: PreviewSession) -> None:
        self.session = session
        self.server = PreviewServer(session, 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def get(
        self, path: str, host: str | None = None, method: str = "GET"
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=PATIENCE)
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host or f"127.0.0.1:{self.server.port}")
        connection.endheaders()
        return connection.getresponse()

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status == 200, path
        return response.read().decode()

    def close(self) -> None:
        self.session.close()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(PATIENCE)


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """One preview, built once, for the tests that only read from it."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    running = Preview(PreviewSession(root / ISSUE, Settings.for_project(root)))
    running.session.rebuild()
    yield running
    running.close()
    assert running.session.state.builds == 1, "a test rebuilt the shared preview"


@pytest.fixture
def fresh_preview(project: Path) -> Iterator[Preview]:
    """A preview of its own, for a test that changes the issue or rebuilds."""
    running = Preview(PreviewSession(ISSUE, Settings.for_project(project)))
    running.session.rebuild()
    yield running
    running.close()


def break_issue(project: Path) -> None:
    """Three problems: a missing title, a misspelt field that looks like markup, a bad year."""
    data = spring_data()
    data["publication"]["<b>titel</b>"] = data["publication"].pop("title")
    data["issue"]["year"] = "20x9"
    write_issue(project / ISSUE, data)


def rename_heading(project: Path, heading: str) -> None:
    data = spring_data()
    data["articles"][0]["sections"][1]["heading"] = heading
    write_issue(project / ISSUE, data)


def page_pictures(html: str) -> list[str]:
    return re.findall(r'<img src="(/page/[0-9a-f]{16}/\d+\.png)"', html)


def test_the_page_shows_every_page_with_its_label_and_words(preview: Preview) -> None:
    response = preview.get("/")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.getheader("Content-Security-Policy", "")
    html = response.read().decode()
    assert re.findall(r"<figcaption>(.*?)</figcaption>", html) == ["Cover", "2", "Back"]
    texts = re.findall(r'<div class="page-text">(.*?)</div>', html, re.DOTALL)
    assert len(texts) == 3
    assert "Tamibarotene is a synthetic retinoid" in " ".join(texts[1].split())
    assert "Dr. Farhad Ravandi" in " ".join(texts[2].split())
    assert html.count('class="spread facing"') == 2  # the cover alone, then 2 and 3
    assert '<a class="download" href="/pdf" download="2009-spring.pdf">' in html
    assert '<script src="/static/preview.js" defer></script>' in html


def test_page_pictures_are_served_at_screen_size_and_twice_it(preview: Preview) -> None:
    pictures = page_pictures(preview.text("/live"))
    assert len(pictures) == 3
    response = preview.get(pictures[1])
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/png"
    assert "immutable" in response.getheader("Cache-Control", "")
    with Image.open(io.BytesIO(response.read())) as image:
        assert image.size == (816, 1056)
    with Image.open(
        io.BytesIO(preview.get(pictures[1].replace(".png", "@2x.png")).read())
    ) as image:
        assert image.size == (1632, 2112)
    key = pictures[0].split("/")[2]
    for missing in (f"/page/{key}/4.png", f"/page/{key}/0.png", "/page/0123456789abcdef/1.png"):
        assert preview.get(missing).status == 404, missing


def test_the_pdf_is_the_last_good_build(preview: Preview, spring_pdf: BuildResult) -> None:
    response = preview.get("/pdf")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("Content-Disposition") == 'inline; filename="2009-spring.pdf"'
    assert hashlib.sha256(response.read()).hexdigest() == spring_pdf.sha256


def test_status_tells_the_state(preview: Preview) -> None:
    status = json.loads(preview.text("/status"))
    assert status["ok"] is True
    assert status["pages"] == ["Cover", "2", "Back"]
    assert status["builds"] == 1
    assert status["problems"] == []
    assert status["last_seconds"] > 0


@pytest.mark.parametrize(
    "path",
    [
        "/issues/2009-spring.yaml",
        "/../issues/2009-spring.yaml",
        "/static/../../issues/2009-spring.yaml",
        "/static/%2e%2e/preview.py",
        "/static/preview.py",
        "/static/live.html.j2",
        "//etc/passwd",
        "/page/../../../etc/passwd",
        "/pdf/../issues/2009-spring.yaml",
        "/styles/brochure.css",
    ],
)
def test_no_file_is_served_by_its_path(preview: Preview, path: str) -> None:
    response = preview.get(path)
    assert response.status == 404
    assert response.read() == b"not found\n"


def test_its_own_files_are_served(preview: Preview) -> None:
    assert "EventSource" in preview.text("/static/preview.js")
    assert ".page-text" in preview.text("/static/preview.css")
    assert preview.get("/favicon.ico").status == 204


def test_only_requests_to_this_host_are_answered(preview: Preview) -> None:
    """A page on another site cannot reach the preview by pointing its name at 127.0.0.1."""
    assert preview.get("/", host=f"evil.example:{preview.server.port}").status == 421
    assert preview.get("/pdf", host="evil.example").status == 421
    assert preview.get("/", host=f"localhost:{preview.server.port}").status == 200


def test_it_listens_on_the_loopback_address_only(preview: Preview) -> None:
    assert preview.server.server_address[0] == "127.0.0.1"


def test_only_get_and_head(preview: Preview) -> None:
    assert preview.get("/pdf", method="HEAD").status == 200
    assert preview.get("/", method="POST").status == 501
    assert preview.get("/", method="PUT").status == 501


def test_a_rebuild_is_announced_by_an_event(fresh_preview: Preview, project: Path) -> None:
    events = fresh_preview.get("/events")
    assert events.getheader("Content-Type") == "text/event-stream"
    first = _next_event(events)
    assert first == {"version": fresh_preview.session.state.token, "building": False}
    rename_heading(project, "Newer salvage regimens")
    threading.Thread(target=fresh_preview.session.rebuild, daemon=True).start()
    seen = [_next_event(events)]
    while seen[-1]["building"]:
        seen.append(_next_event(events))
    assert seen[-1]["version"] == fresh_preview.session.state.token != first["version"]
    events.close()
    assert "Newer salvage regimens" in fresh_preview.text("/live")


def test_a_broken_save_lists_every_problem_over_the_last_good_pages(
    fresh_preview: Preview, project: Path
) -> None:
    good = fresh_preview.text("/live")
    break_issue(project)
    assert fresh_preview.session.rebuild().endswith(": 3 problems")
    live = fresh_preview.get("/live")
    html = live.read().decode()
    assert live.getheader("X-Preview-Version") == fresh_preview.session.state.token
    assert '<section class="banner" role="alert"' in html
    assert "3 problems: showing the last good build" in html
    problems = re.findall(r'<li class="problem">(.*?)</li>', html, re.DOTALL)
    assert [" ".join(re.sub("<[^>]+>", " ", problem).split()) for problem in problems] == [
        "issues/2009-spring.yaml:1:1 publication.title required field is missing",
        "issues/2009-spring.yaml:3:3 publication.&lt;b&gt;titel&lt;/b&gt; unknown field "
        "&#39;&lt;b&gt;titel&lt;/b&gt;&#39;; expected one of: title, publisher",
        "issues/2009-spring.yaml:6:9 issue.year must be a whole number (got &#39;20x9&#39;)",
    ]
    assert "<b>" not in html
    assert page_pictures(html) == page_pictures(good)  # the last good pages stay
    assert fresh_preview.get("/pdf").status == 200
    status = json.loads(fresh_preview.text("/status"))
    assert status["ok"] is False
    assert [problem["where"] for problem in status["problems"]] == [
        "issues/2009-spring.yaml:1:1",
        "issues/2009-spring.yaml:3:3",
        "issues/2009-spring.yaml:6:9",
    ]

    rename_heading(project, "Newer salvage regimens")
    assert fresh_preview.session.rebuild().startswith("rebuilt in ")
    fixed = fresh_preview.text("/live")
    assert "banner" not in fixed
    assert "Newer salvage regimens" in fixed
    assert page_pictures(fixed) != page_pictures(good)


def test_nothing_is_written_without_write(project: Path) -> None:
    assert PreviewSession(ISSUE, Settings.for_project(project)).rebuild().startswith("rebuilt")
    assert not (project / "out").exists()


def test_with_write_each_good_build_is_written_as_build_writes_it(
    project: Path, spring_pdf: BuildResult
) -> None:
    settings = Settings.for_project(project)
    session = PreviewSession(ISSUE, settings, write=True)
    assert session.rebuild().endswith(", wrote out/2009-spring.pdf")
    written = (project / "out" / "2009-spring.pdf").read_bytes()
    assert written == session.state.good.pdf  # type: ignore[union-attr]
    digest = hashlib.sha256(written).hexdigest()
    assert (project / "out" / "SHA256SUMS").read_text() == f"{digest}  2009-spring.pdf\n"
    assert spring_pdf.sha256 == digest
    break_issue(project)
    session.rebuild()
    assert (project / "out" / "2009-spring.pdf").read_bytes() == written  # a failure keeps it


def test_a_first_build_that_fails_shows_its_problems_and_no_pages(project: Path) -> None:
    break_issue(project)
    running = Preview(PreviewSession(ISSUE, Settings.for_project(project)))
    try:
        running.session.rebuild()
        html = running.text("/")
        assert "3 problems: nothing to show yet" in html
        assert "No pages yet." in html
        assert 'class="download"' not in html
        assert running.get("/pdf").status == 503
    finally:
        running.close()


def test_the_watch_set_follows_the_files_the_issue_names(project: Path) -> None:
    Image.new("RGB", (600, 400), "steelblue").save(project / "issues" / "cover.png")
    data = spring_data()
    data["cover"].update(image="cover.png", image_alt="Our clinic")
    write_issue(project / ISSUE, data)
    session = PreviewSession(ISSUE, Settings.for_project(project))
    session.rebuild()
    watched = session.watch_set()
    assert watched.concerns((project / "issues" / "cover.png").resolve())
    assert watched.concerns((project / ISSUE).resolve())
    assert watched.trees == ((project / "templates").resolve(), (project / "styles").resolve())


def test_problems_of_any_error_keep_its_whole_message() -> None:
    error = BrochureError("x.yaml: the typesetter reported problems:\nimage missing")
    assert problems_of(error) == (
        Problem("", "", "x.yaml: the typesetter reported problems:\nimage missing"),
    )


def _next_event(stream: http.client.HTTPResponse) -> dict[str, object]:
    """The data of the next `state` event on STREAM, skipping comments and retry lines."""
    name = ""
    while True:
        line = stream.readline().decode()
        assert line, "the event stream ended"
        if line.startswith("event: "):
            name = line.removeprefix("event: ").strip()
        elif line.startswith("data: ") and name == "state":
            data: dict[str, object] = json.loads(line.removeprefix("data: "))
            return data
