"""The preview's web server: a page of spreads that refreshes itself after every save.

Only its own routes exist, and nothing is ever read from disk by a path a
request names, so the server cannot leak a file:

    /              the page: every spread, labels, a hidden text layer per page
    /live          the part of the page that changes (toolbar, banner, pages)
    /events        server-sent events: the state's version, whenever it changes
    /status        the state as JSON (for scripts and benchmarks)
    /pdf           the PDF of the last good build
    /page/KEY/N.png, /page/KEY/N@2x.png   page N of build KEY at screen size, and twice it
    /static/preview.css, /static/preview.js

It listens on 127.0.0.1 only, and answers only requests addressed to that
host or localhost, so a web page elsewhere cannot reach it by pointing a
domain name at the loopback address.
"""

import contextlib
import json
import re
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any

import jinja2

from . import __version__
from .preview import SCREEN_DPI, PreviewSession, PreviewState
from .raster import spreads

HOST = "127.0.0.1"
KEEPALIVE_SECONDS = 15.0
"""A comment on the event stream this often, so a closed tab ends its thread."""
PAGE_PICTURE = re.compile(r"/page/([0-9a-f]{16})/([0-9]{1,5})(@2x)?\.png")
STATIC = {
    "/static/preview.css": "text/css; charset=utf-8",
    "/static/preview.js": "text/javascript; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class PreviewServer(ThreadingHTTPServer):
    """Serve SESSION on 127.0.0.1:PORT; PORT 0 takes any free port."""

    daemon_threads = True  # an open event stream must not hold up shutting down

    def __init__(self, session: PreviewSession, port: int = 0) -> None:
        self.session = session
        super().__init__((HOST, port), PreviewHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"


class PreviewHandler(BaseHTTPRequestHandler):
    """One request to the preview: a GET (or HEAD) of one of the routes."""

    server: PreviewServer
    server_version = f"brochure/{__version__}"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal shows builds, not traffic."""

    def _answer(self, *, body: bool) -> None:
        if not self._addressed_to_us():
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain", b"wrong host\n", body=body)
            return
        path = self.path.split("?", 1)[0]
        session = self.server.session
        if path == "/":
            html = render_page(session.state)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", html.encode(), body=body)
        elif path == "/live":
            state = session.state
            self._send(
                HTTPStatus.OK,
                "text/html; charset=utf-8",
                render_live(state).encode(),
                body=body,
                headers={"X-Preview-Version": state.token},
            )
        elif path == "/events":
            self._events(body=body)
        elif path == "/status":
            data = json.dumps(status(session.state), indent=2).encode()
            self._send(HTTPStatus.OK, "application/json", data, body=body)
        elif path == "/pdf":
            self._pdf(body=body)
        elif path in STATIC:
            self._send(HTTPStatus.OK, STATIC[path], _static(path), body=body, immutable=False)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"", body=False)
        elif match := PAGE_PICTURE.fullmatch(path):
            key, number, double = match[1], int(match[2]), bool(match[3])
            picture = session.page_png(key, number, 2 if double else 1)
            if picture is None:
                self._not_found(body)
            else:
                self._send(HTTPStatus.OK, "image/png", picture, body=body, immutable=True)
        else:
            self._not_found(body)

    def _addressed_to_us(self) -> bool:
        host = self.headers.get("Host", "")
        return host in {f"{HOST}:{self.server.port}", f"localhost:{self.server.port}"}

    def _pdf(self, *, body: bool) -> None:
        state = self.server.session.state
        if state.good is None:
            message = b"no PDF yet: the issue has not been built without problems\n"
            self._send(
                HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", message, body=body
            )
            return
        headers = {"Content-Disposition": f'inline; filename="{state.pdf_name}"'}
        self._send(HTTPStatus.OK, "application/pdf", state.good.pdf, body=body, headers=headers)

    def _events(self, *, body: bool) -> None:
        """Stream the state's version and whether a build is under way, as it changes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if not body:
            return
        session = self.server.session
        try:
            self.wfile.write(b"retry: 1000\n\n")
            state = session.state
            self._event(state)
            while not session.closed:
                latest = session.wait_for_change(state, KEEPALIVE_SECONDS)
                if latest.version == state.version:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
                    continue
                state = latest
                self._event(state)
        except (BrokenPipeError, ConnectionResetError):
            return  # the browser went away

    def _event(self, state: PreviewState) -> None:
        data = json.dumps({"version": state.token, "building": state.building})
        self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
        self.wfile.flush()

    def _not_found(self, body: bool) -> None:
        self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", body=body)

    def _send(
        self,
        status: HTTPStatus,
        content_type: str,
        data: bytes,
        *,
        body: bool,
        immutable: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        # Page pictures are named by their content; everything else may change any time.
        cache_control = "public, max-age=31536000, immutable" if immutable else "no-store"
        self.send_header("Cache-Control", cache_control)
        for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            # The browser may have gone away meanwhile, e.g. for a newer page.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)


def status(state: PreviewState) -> dict[str, object]:
    """The state as plain data: what `/status` answers."""
    good = state.good
    return {
        "version": state.token,
        "building": state.building,
        "builds": state.builds,
        "ok": not state.problems,
        "last_seconds": round(state.last_seconds, 4),
        "pages": [page.label for page in good.pages] if good else [],
        "problems": [
            {"where": problem.where, "field": problem.field, "message": problem.message}
            for problem in state.problems
        ],
    }


def render_page(state: PreviewState) -> str:
    return _templates().get_template("preview.html.j2").render(_context(state))


def render_live(state: PreviewState) -> str:
    return _templates().get_template("live.html.j2").render(_context(state))


def _context(state: PreviewState) -> dict[str, object]:
    good = state.good
    groups = spreads(good.pages, facing=good.facing) if good else []
    return {
        "state": state,
        "good": good,
        "spreads": groups,
        "dpi": SCREEN_DPI,
    }


@cache
def _templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("brochure", "ui"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["pixels"] = lambda points: round(points * SCREEN_DPI / 72)
    environment.filters["sizes"] = _sizes
    return environment


def _sizes(width: int, facing: bool) -> str:
    """The `sizes` of a page picture WIDTH pixels wide: as wide as preview.css lets it be."""
    if facing:
        return f"(max-width: {2 * width + 96}px) calc(50vw - 48px), {width}px"
    return f"(max-width: {width + 96}px) calc(100vw - 96px), {width}px"


@cache
def _static(path: str) -> bytes:
    return files("brochure").joinpath("ui", path.rsplit("/", 1)[1]).read_bytes()
