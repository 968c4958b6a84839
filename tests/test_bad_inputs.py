"""Hostile and broken issues, each run through the real command line.

Every case is one row of `CASES`: the issue (`tests/data/bad/<id>.yaml`, or made by the
row's `setup` when it is large or binary), the exit code, and what stderr must say, each
message located as `FILE:LINE:COL: field: ...`. Each case is built with

    python -m brochure build issues/<id>.yaml -o out/<id>.pdf

in a fresh copy of the project (templates, styles, and the case in issues/), with
BROCHURE_PROJECT pointing at it, under strace. Every run is checked for: the exit code;
each expected message in stderr; no traceback; no file created or removed anywhere in
the temporary folder except the PDF of a build that succeeds (a failure writes nothing);
no file opened outside the project but the installed software and system configuration,
none of the files the case aims at, no socket; and, for a build, that the PDF shows the
text as typed, uses only the project's fonts, and carries no JavaScript, no embedded
file and no link to anything but the web, mail or phone.

The cases run one per core (up to four at once) in a session fixture, before the first
test asks for its result; each test then checks one case.
"""

import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfWriter

from brochure.check import CODES
from helpers import DATA, PROJECT, pdf_text

BAD = DATA / "bad"

SAFETY_SECONDS = 60.0
"""Wall time after which a run is stopped: a safety net, not a speed requirement."""

GUARD_SECONDS = 15.0
"""For inputs that must be refused at once but that today's code may try to typeset."""

LARGE_BYTES = 10 * 1024 * 1024
"""Issue files larger than this are deleted once their case has run."""

EDITORIAL_WARNING = re.compile(rf"issues/\S+:\d+:\d+: \S+: .* \[(?:{'|'.join(CODES)})\]")
"""A line of `brochure check` output, which a successful build prints too."""

Setup = Callable[[Path], object]
"""Makes what a case needs, given the path its issue file has (issues/<id>.yaml)."""


@dataclass(frozen=True)
class Regex:
    """A message that must match this pattern ({file} stands for the issue's path)."""

    pattern: str


@dataclass(frozen=True)
class Case:
    """What one input must do.

    EXPECT is the exit code, or None for text the fonts may lack: then either the
    build succeeds with every character drawn from a shipped font (exit 0), or it
    fails naming the field and the character (exit 1, MESSAGES). MESSAGES must
    each occur in stderr ({file} is the issue's path as given). TEXT must occur in
    the PDF's text (white space ignored), ABSENT must not. IMAGES is the number
    of images in the PDF, when it matters.
    """

    expect: int | None
    messages: tuple[str | Regex, ...] = ()
    text: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    images: int | None = None
    setup: Setup | None = None
    timeout: float = SAFETY_SECONDS


def fails(
    *messages: str | Regex, setup: Setup | None = None, timeout: float = SAFETY_SECONDS
) -> Case:
    return Case(1, messages, setup=setup, timeout=timeout)


def builds(
    *text: str, absent: tuple[str, ...] = (), images: int | None = None, setup: Setup | None = None
) -> Case:
    return Case(0, text=text, absent=absent, images=images, setup=setup)


def draws_or_names(text: str, where: str) -> Case:
    """TEXT at WHERE ('LINE:COL: field'): rendered, or refused naming its first character."""
    code_point = f"U+{ord(text[0]):04X}"
    return Case(None, (f"{{file}}:{where}: ", code_point), text=(text,))


# Files the setups make


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, depth: int, colour: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _zeros_zlib(size: int) -> bytes:
    """SIZE zero bytes as a zlib stream, made quickly from one repeated deflate block."""
    step = 1 << 20
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(bytes(step)) + raw.flush(zlib.Z_FULL_FLUSH)
    rest = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = rest.compress(bytes(size % step)) + rest.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(size // step):
        adler = zlib.adler32(bytes(step), adler)
    adler = zlib.adler32(bytes(size % step), adler)
    final_empty_block = b"\x03\x00"
    body = block * (size // step) + tail + final_empty_block
    return b"\x78\xda" + body + struct.pack(">I", adler)


def _blank_png(width: int, height: int) -> bytes:
    """A black 1-bit PNG of any size: 20000x20000 takes about 50 KB."""
    return _png(width, height, 1, 0, _zeros_zlib(height * (1 + (width + 7) // 8)))


def _bomb_png(side: int) -> bytes:
    """A transparent RGBA PNG of SIDE x SIDE: tiny on disk, 4 * SIDE**2 bytes once decoded."""
    return _png(side, side, 8, 6, _zeros_zlib(side * (1 + 4 * side)))


def _picture() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (1200, 800), (20, 40, 90)).save(output, "PNG", dpi=(300, 300))
    return output.getvalue()


def _corrupt_png() -> bytes:
    data = bytearray(_picture())
    start = data.index(b"IDAT") + 4
    for index in range(start + 8, min(start + 200, len(data) - 20)):
        data[index] ^= 0x5A
    return bytes(data)


def _pdf(width: float, height: float, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    if password:
        writer.encrypt(password, "owner-" + password)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


LETTER, A4 = (612.0, 792.0), (595.276, 841.89)


def beside(name: str, make: Callable[[], bytes]) -> Setup:
    """Write NAME next to the issue."""
    return lambda issue: (issue.parent / name).write_bytes(make())


def folder_beside(name: str) -> Setup:
    return lambda issue: (issue.parent / name).mkdir()


def link_beside(name: str, target: str | Callable[[], bytes]) -> Setup:
    """NAME next to the issue, a symlink to TARGET: a path, or a file made outside the project."""

    def setup(issue: Path) -> None:
        if isinstance(target, str):
            (issue.parent / name).symlink_to(target)
            return
        outside = issue.parents[2] / "outside" / name
        outside.parent.mkdir(exist_ok=True)
        outside.write_bytes(target())
        (issue.parent / name).symlink_to(outside)

    return setup


def outside(name: str, make: Callable[[], bytes]) -> Setup:
    """A file in the temporary folder, outside the project, for traversal to aim at."""
    return lambda issue: (issue.parents[2] / name).write_bytes(make())


# Issues made by the test: too large or too deep to keep as files

MINIMAL = (BAD / "bom.yaml").read_bytes().decode("utf-8-sig").split("\n", 1)[1]
"""The plain issue every corpus file edits (the BOM case is it, with a BOM)."""


def generated(make: Callable[[], str | bytes]) -> Setup:
    def setup(issue: Path) -> None:
        content = make()
        issue.write_bytes(content.encode() if isinstance(content, str) else content)

    return setup


def _replace(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


def _fifty_megabytes() -> bytes:
    line = b"#" * 1023 + b"\n"
    return MINIMAL.encode() + line * (50 * 1024)


def _deep_nesting() -> str:
    return _replace("  title: Leukemia Insights", "  title: " + "[" * 10_000 + "x" + "]" * 10_000)


def _alias_bomb() -> str:
    """Nine levels of nine aliases in a section body: 9**9 values once expanded."""
    indent = "          "
    lines = [f"{indent}- &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    lines += [f"{indent}- &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)]
    return _replace("        body: Tamibarotene works.\n", "        body:\n" + "".join(lines))


def _many_sections() -> str:
    sections = "".join(
        f"      - heading: Section {n}\n        body: Text of section {n}.\n" for n in range(5_000)
    )
    return _replace("      - heading: APL\n        body: Tamibarotene works.\n", sections)


def _megabyte_body() -> str:
    paragraph = "Tamibarotene is a synthetic retinoid that was well tolerated. " * 16
    body = "".join(f"          {paragraph}\n\n" for _ in range(1024 * 1024 // len(paragraph)))
    return _replace("        body: Tamibarotene works.\n", "        body: |\n" + body)


# The corpus: every case and what it must do

SECTION_HEADING = "11:18: articles[0].sections[0].heading"

CASES = [
    # Malformed YAML
    pytest.param(
        fails("{file}:3:1: YAML syntax error: found character '\\t' that cannot start any token"),
        id="tabs",
    ),
    pytest.param(
        fails(
            "{file}:16:1: YAML syntax error: while scanning a quoted scalar (line 3, column 10), "
            "found unexpected end of stream"
        ),
        id="unclosed-quote",
    ),
    pytest.param(
        fails(
            "{file}:4:12: YAML syntax error: while parsing a flow sequence (line 3, column 10), "
            "expected ',' or ']', but got ':'"
        ),
        id="unclosed-bracket",
    ),
    pytest.param(
        fails("{file}:4:13: YAML syntax error: mapping values are not allowed here"),
        id="bad-indentation",
    ),
    pytest.param(
        fails("{file}:4:3: publication.title: duplicate key 'title' (first given on line 3)"),
        id="duplicate-key",
    ),
    pytest.param(
        fails(
            "{file}:16:1: YAML syntax error: expected a single document in the stream "
            "(line 2, column 1), but found another document"
        ),
        id="two-documents",
    ),
    pytest.param(fails("{file}:2:1: must be a mapping of fields"), id="top-level-list"),
    pytest.param(fails("{file}:1:1: the file is empty"), id="empty"),
    pytest.param(builds("Tamibarotene works."), id="bom"),
    pytest.param(builds("Tamibarotene works."), id="crlf"),
    pytest.param(builds("Tamibarotene works."), id="bom-crlf"),
    pytest.param(
        fails("{file}:3:18: YAML syntax error: character U+0000 is not allowed"), id="nul-byte"
    ),
    pytest.param(
        fails("{file}:11:22: not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
        id="invalid-utf8",
    ),
    pytest.param(
        fails("{file}:17:17: not valid UTF-8 (byte 0xe2); save the file as UTF-8"),
        id="invalid-utf8-truncated",
    ),
    # Schema: each required field missing in turn
    pytest.param(
        fails("{file}:2:1: publication: required field is missing"), id="missing-publication"
    ),
    pytest.param(
        fails("{file}:2:1: publication.title: required field is missing"),
        id="missing-publication-title",
    ),
    pytest.param(
        fails("{file}:2:1: publication.publisher: required field is missing"),
        id="missing-publication-publisher",
    ),
    pytest.param(fails("{file}:2:1: issue: required field is missing"), id="missing-issue"),
    pytest.param(
        fails("{file}:5:1: issue.season: required field is missing"), id="missing-issue-season"
    ),
    pytest.param(
        fails("{file}:5:1: issue.year: required field is missing"), id="missing-issue-year"
    ),
    pytest.param(fails("{file}:2:1: articles: required field is missing"), id="missing-articles"),
    pytest.param(
        fails("{file}:9:5: articles[0].title: required field is missing"),
        id="missing-article-title",
    ),
    pytest.param(
        fails("{file}:9:5: articles[0].sections: required field is missing"),
        id="missing-article-sections",
    ),
    pytest.param(
        fails("{file}:11:9: articles[0].sections[0].heading: required field is missing"),
        id="missing-section-heading",
    ),
    pytest.param(
        fails("{file}:11:9: articles[0].sections[0].body: required field is missing"),
        id="missing-section-body",
    ),
    pytest.param(fails("{file}:2:1: copyright: required field is missing"), id="missing-copyright"),
    pytest.param(
        fails("{file}:13:1: copyright.year: required field is missing"),
        id="missing-copyright-year",
    ),
    pytest.param(
        fails("{file}:13:1: copyright.holder: required field is missing"),
        id="missing-copyright-holder",
    ),
    # Schema: wrong types, unknown keys, empty values
    pytest.param(
        fails("{file}:7:9: issue.year: must be a whole number (got 'twenty')"),
        id="wrong-type-year",
    ),
    pytest.param(
        fails("{file}:3:10: publication.title: must be text, not a list"),
        id="wrong-type-title-list",
    ),
    pytest.param(fails("{file}:9:3: articles: must be a list"), id="wrong-type-articles-mapping"),
    pytest.param(
        fails("{file}:10:15: articles[0].sections: must be a list (got 'APL and more')"),
        id="wrong-type-sections-text",
    ),
    pytest.param(
        fails("{file}:8:9: issue.date: must be a date written YYYY-MM-DD (got '2009-02-30')"),
        id="wrong-type-date",
    ),
    pytest.param(
        fails("{file}:9:21: cover.image_decorative: must be true or false (got 'maybe')"),
        id="wrong-type-decorative",
    ),
    pytest.param(
        fails(
            "{file}:18:8: contact.url: must be a web address starting with https:// or http:// "
            "(got 'javascript:alert(1)')"
        ),
        id="wrong-type-contact-url",
    ),
    pytest.param(
        fails(
            "{file}:2:1: publication.title: required field is missing",
            "{file}:3:3: publication.titel: unknown field 'titel'; did you mean 'title'?",
        ),
        id="unknown-key-suggestion",
    ),
    pytest.param(
        fails(
            "{file}:11:9: articles[0].sections[0].body: required field is missing",
            "{file}:12:9: articles[0].sections[0].bdy: unknown field 'bdy'; did you mean 'body'?",
        ),
        id="unknown-key-section",
    ),
    pytest.param(
        fails(
            "{file}:16:1: sponsor: unknown field 'sponsor'; expected one of: "
            "publication, issue, cover, articles, glossary, contact, copyright"
        ),
        id="unknown-key-top-level",
    ),
    pytest.param(fails("{file}:8:11: articles: needs at least one entry"), id="empty-articles"),
    pytest.param(
        fails("{file}:10:15: articles[0].sections: needs at least one entry"), id="empty-sections"
    ),
    pytest.param(
        fails("{file}:11:18: articles[0].sections[0].heading: must not be empty"),
        id="empty-heading",
    ),
    pytest.param(
        fails("{file}:12:15: articles[0].sections[0].body: must not be empty"), id="blank-body"
    ),
    # YAML 1.1 would read these as a boolean, a float, 750 (base 60) and 668 (octal)
    pytest.param(builds("NO 2009"), id="yaml11-no"),
    pytest.param(builds("1.10 Phase II"), id="yaml11-float"),
    pytest.param(builds("12:30 Phase II"), id="yaml11-sexagesimal"),
    pytest.param(builds("01234 Phase II"), id="yaml11-octal"),
    # Resource exhaustion: refused at once, located, naming the field
    pytest.param(
        fails("{file}:1:1: file is larger than 2 MiB", setup=generated(_fifty_megabytes)),
        id="file-50mb",
    ),
    pytest.param(
        fails(
            Regex(r"{file}:2:\d+: publication\.title: values are nested more than 32 deep"),
            setup=generated(_deep_nesting),
        ),
        id="nesting-10000-deep",
    ),
    pytest.param(
        fails(
            Regex(
                r"{file}:(1[1-9]|20):\d+: articles\[0\]\.sections\[0\]\.body(\[\d+\])*: "
                r"more than 50,000 values \(are aliases expanding too far\?\)"
            ),
            setup=generated(_alias_bomb),
        ),
        id="alias-bomb",
    ),
    pytest.param(
        fails(
            Regex(r"{file}:\d+:\d+: articles: 5,000 sections; an issue may have at most 1,000"),
            setup=generated(_many_sections),
            timeout=GUARD_SECONDS,
        ),
        id="sections-5000",
    ),
    pytest.param(
        fails(
            Regex(
                r"{file}:\d+:\d+: articles\[0\]\.sections\[0\]\.body: "
                r"is longer than 100,000 characters"
            ),
            setup=generated(_megabyte_body),
            timeout=GUARD_SECONDS,
        ),
        id="body-1mb",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'cover.png' has more than 40,000,000 pixels",
            setup=beside("cover.png", lambda: _blank_png(20_000, 20_000)),
            timeout=GUARD_SECONDS,
        ),
        id="image-huge-png",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'cover.png' is 10000x10000 pixels",
            setup=beside("cover.png", lambda: _bomb_png(10_000)),
            timeout=GUARD_SECONDS,
        ),
        id="image-png-bomb",
    ),
    # Files the cover names: never outside the issue's folder, never a device
    pytest.param(
        fails("{file}:1:1: cannot read: Is a directory", setup=lambda issue: issue.mkdir()),
        id="issue-is-a-directory",
    ),
    pytest.param(
        fails("{file}:9:10: cover.image: must be a path relative to the issue file"),
        id="image-absolute-path",
    ),
    pytest.param(
        fails("{file}:9:10: cover.image: must be a path relative to the issue file"),
        id="image-dev-zero",
    ),
    pytest.param(
        fails("{file}:9:10: cover.image: must be a path relative to the issue file"),
        id="image-proc-environ",
    ),
    pytest.param(
        fails("{file}:9:10: cover.image: must be a path relative to the issue file"),
        id="image-http",
    ),
    pytest.param(
        fails("{file}:9:10: cover.image: must be a path relative to the issue file"),
        id="image-file-url",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: '../../secret.png' is outside the issue's folder",
            setup=outside("secret.png", _picture),
        ),
        id="image-parent-traversal",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'cover.png' is outside the issue's folder",
            setup=link_beside("cover.png", _picture),
        ),
        id="image-symlink-outside",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'cover.png' is outside the issue's folder",
            setup=link_beside("cover.png", "/dev/zero"),
        ),
        id="image-symlink-dev-zero",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'art' is a folder, not a file", setup=folder_beside("art")
        ),
        id="image-directory",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'cover.png' is not a readable image",
            setup=beside("cover.png", lambda: b"This is a letter, not a picture.\n"),
        ),
        id="image-text-as-png",
    ),
    pytest.param(
        fails(
            "{file}:9:10: cover.image: 'cover.png' is not a readable image",
            setup=beside("cover.png", _corrupt_png),
        ),
        id="image-corrupt-png",
    ),
    pytest.param(
        builds(
            "Salvage Regimens",
            images=1,
            setup=beside("x');color:red;background:url('y.png", _picture),
        ),
        id="image-css-quote-in-name",
    ),
    pytest.param(
        fails(
            "{file}:9:8: cover.pdf: the cover PDF is encrypted; supply an unprotected copy",
            setup=beside("cover.pdf", lambda: _pdf(*LETTER, password="secret")),
        ),
        id="cover-pdf-encrypted",
    ),
    pytest.param(
        fails(
            "{file}:9:8: cover.pdf: not a readable PDF",
            setup=beside("cover.pdf", lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog\n%%EOF\n"),
        ),
        id="cover-pdf-corrupt",
    ),
    pytest.param(
        fails(
            "{file}:9:8: cover.pdf: page 1 is 595x842 pt but the issue's pages are 612x792 pt; "
            "export the cover at the issue's paper size",
            setup=beside("cover.pdf", lambda: _pdf(*A4)),
        ),
        id="cover-pdf-a4-on-letter",
    ),
    pytest.param(
        fails(
            "{file}:9:8: cover.pdf: 'cover.pdf' is outside the issue's folder",
            setup=link_beside("cover.pdf", lambda: _pdf(*LETTER)),
        ),
        id="cover-pdf-symlink-outside",
    ),
    # Injection: built, shown as typed, nothing run, embedded or linked
    pytest.param(builds("<b>bold</b> <img src=x onerror=alert(1)>"), id="inject-html"),
    pytest.param(builds("<script>alert(1)</script>"), id="inject-script"),
    pytest.param(builds("<style>*{display:none}</style>"), id="inject-style"),
    pytest.param(
        builds('<link rel=attachment href="file:///etc/passwd">'), id="inject-link-attachment"
    ),
    pytest.param(builds("{{ 7*7 }}", absent=("49",)), id="inject-jinja-expression"),
    pytest.param(builds("{% include 'document.html.j2' %}"), id="inject-jinja-include"),
    pytest.param(builds("}*{color:red} @import 'x.css';"), id="inject-css"),
    pytest.param(builds("[click](javascript:alert(1))"), id="inject-javascript-link"),
    pytest.param(
        builds("[passwd](file:///etc/passwd) ![env](file:///proc/self/environ)"),
        id="inject-file-link",
    ),
    # Unicode: drawn with the shipped fonts, or refused naming the character and the field
    pytest.param(builds("Café Zoë Niño"), id="unicode-combining"),
    pytest.param(draws_or_names("שלום עולם", SECTION_HEADING), id="unicode-rtl-hebrew"),
    pytest.param(draws_or_names("مرحبا بالعالم", SECTION_HEADING), id="unicode-rtl-arabic"),
    pytest.param(draws_or_names("😀", SECTION_HEADING), id="unicode-emoji"),
    pytest.param(draws_or_names("白血病研究", SECTION_HEADING), id="unicode-cjk"),
]


# Running the cases


@dataclass(frozen=True)
class Opened:
    """One call that opened, or tried to open, a file; or a socket call."""

    call: str
    path: str
    """As the program asked for it."""
    resolved: str | None
    """The file the kernel opened, links followed; None if the call failed."""
    writing: bool

    def __str__(self) -> str:
        return f"{self.call}({self.path!r}) -> {self.resolved or 'failed'}"


_TRACED_CALL = re.compile(
    r"^\d+ +(?P<call>open|openat|openat2|creat|execve|socket|connect)"
    r"\((?:AT_FDCWD(?:<[^>]*>)?, |\d+<[^>]*>, )?(?P<arguments>.*)\) += (?P<result>-?\d+)"
    r"(?:<(?P<resolved>[^>]*)>)?"
)


def _traced(log: Path) -> tuple[Opened, ...]:
    """The file opens, program starts and socket calls strace recorded in LOG."""
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _TRACED_CALL.match(line)
        if not match:
            continue
        arguments, failed = match["arguments"], match["result"].startswith("-")
        quoted = re.match(r'"((?:[^"\\]|\\.)*)"', arguments)
        path = quoted[1] if quoted else arguments
        writing = bool(re.search(r"O_WRONLY|O_RDWR|O_CREAT", arguments))
        resolved = None if failed else (match["resolved"] or path)
        found.append(Opened(match["call"], path, resolved, writing))
    return tuple(found)


@dataclass(frozen=True)
class Run:
    """What one run of `brochure build` did."""

    file: str
    code: int | None
    """None: stopped after the case's timeout."""
    stdout: str
    stderr: str
    seconds: float
    created: frozenset[str]
    removed: frozenset[str]
    output: Path
    project: Path
    opened: tuple[Opened, ...]
    """Every file the build and its children opened or tried to, per strace."""


def _tree(root: Path) -> frozenset[str]:
    """Every file, folder and link below ROOT, relative to it; links are not followed."""
    found = set()
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            found.add((Path(folder) / name).relative_to(root).as_posix())
    return frozenset(found)


def _run(case_id: str, case: Case, root: Path) -> Run:
    project = root / "project"
    for name in ("templates", "styles"):
        shutil.copytree(PROJECT / name, project / name)
    (project / "issues").mkdir()
    file = f"issues/{case_id}.yaml"
    static = BAD / f"{case_id}.yaml"
    if static.exists():
        shutil.copyfile(static, project / file)
    if case.setup:
        case.setup(project / file)
    before = _tree(root)
    output = f"out/{case_id}.pdf"
    log, temporary = root.with_suffix(".strace"), root.with_suffix(".tmp")
    temporary.mkdir()
    command = [*_strace(log), sys.executable, "-m", "brochure", "build", file, "-o", output]
    environment = {**os.environ, "BROCHURE_PROJECT": str(project), "TMPDIR": str(temporary)}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=case.timeout,
            check=False,
        )
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as stopped:
        code, stdout, stderr = None, _decoded(stopped.stdout), _decoded(stopped.stderr)
    seconds = time.perf_counter() - started
    after = _tree(root)
    if (project / file).is_file() and (project / file).stat().st_size > LARGE_BYTES:
        (project / file).unlink()  # pytest keeps the folders of the last three sessions
    return Run(
        file=file,
        code=code,
        stdout=stdout,
        stderr=stderr,
        seconds=seconds,
        created=after - before,
        removed=before - after,
        output=project / output,
        project=project,
        opened=_traced(log),
    )


def _strace(log: Path) -> list[str]:
    """The strace command that logs to LOG every file opened, program run and socket used."""
    strace = shutil.which("strace")
    assert strace, "strace is needed to watch what a build reads (make test installs it)"
    # -f follows child processes, -y names the file each descriptor is.
    calls = "trace=open,openat,openat2,creat,execve,socket,connect"
    return [
        strace,
        "-f",
        "-qq",
        "-y",
        "-s",
        "4096",
        "-e",
        calls,
        "-e",
        "signal=none",
        "-o",
        str(log),
    ]


def _decoded(output: str | bytes | None) -> str:
    """What a stopped run had printed (bytes then, even with text=True)."""
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _selected_cases(session: pytest.Session) -> dict[str, Case]:
    return {
        item.callspec.id: cast(Case, item.callspec.params["case"])
        for item in session.items
        if isinstance(item, pytest.Function) and item.originalname == "test_bad_input"
    }


@pytest.fixture(scope="session")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """Every selected case, one per core (at most four at once), the slow ones first:
    those guarded by a short timeout, then those that make large files."""
    cases = _selected_cases(request.session)
    order = sorted(cases, key=lambda case_id: (cases[case_id].timeout, not cases[case_id].setup))
    roots = {case_id: tmp_path_factory.mktemp(case_id) for case_id in order}
    workers = max(1, min(4, len(os.sched_getaffinity(0))))
    with ThreadPoolExecutor(workers) as pool:
        futures = {
            case_id: pool.submit(_run, case_id, cases[case_id], roots[case_id]) for case_id in order
        }
        return {case_id: future.result() for case_id, future in futures.items()}


# Checking a PDF


def _squashed(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(text.split()))


def _shipped_families(project: Path) -> set[str]:
    """The font families the stylesheets define with @font-face, as PDF font names."""
    families = set()
    for css in (project / "styles").rglob("*.css"):
        for rule in re.findall(r"@font-face\s*\{[^}]*\}", css.read_text(encoding="utf-8")):
            families.update(re.findall(r"font-family:\s*[\"']([^\"']+)[\"']", rule))
    return {family.replace(" ", "-") for family in families}


def _shipped_characters(project: Path) -> set[int]:
    characters: set[int] = set()
    for path in (project / "styles").rglob("*"):
        if path.suffix.lower() in (".ttf", ".otf"):
            with TTFont(path, lazy=True) as font:
                characters.update(font.getBestCmap() or {})
    return characters


def _check_fonts(pdf: Path, project: Path) -> None:
    """Every font is embedded and is one of the project's, never one found on the machine."""
    listing = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    families = _shipped_families(project)
    for line in listing:
        columns = line.split()
        name, embedded = columns[0].split("+")[-1], columns[-5]
        assert embedded == "yes", f"font not embedded: {line}"
        assert any(name.startswith(family) for family in families), f"font not shipped: {name}"


def _dictionaries(document: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream in DOCUMENT, those nested inside others included
    (a link's action is usually a dictionary written inside its annotation)."""
    stack: list[pikepdf.Object] = list(document.objects)
    while stack:
        thing = stack.pop()
        if isinstance(thing, (pikepdf.Dictionary, pikepdf.Stream)):
            yield thing
            children = list(thing.values())
        elif isinstance(thing, pikepdf.Array):
            children = list(thing)
        else:
            continue
        stack += [c for c in children if isinstance(c, pikepdf.Object) and not c.is_indirect]


def _check_inert(pdf: Path) -> None:
    """No JavaScript, no embedded or attached file, no action, no link but web, mail, phone."""
    with pikepdf.open(pdf) as document:
        names = document.Root.get("/Names")
        assert names is None or "/EmbeddedFiles" not in names
        assert "/AF" not in document.Root
        assert "/OpenAction" not in document.Root
        for thing in _dictionaries(document):
            keys = set(thing.keys())
            assert not keys & {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/AA"}, keys
            assert thing.get("/Type") != "/EmbeddedFile"
            assert thing.get("/Subtype") != "/FileAttachment"
            assert thing.get("/S") not in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm")
            assert thing.get("/S") not in ("/GoToR", "/GoToE", "/Thread", "/Rendition")
            if "/URI" in keys:
                uri = str(thing["/URI"]).lower()
                assert uri.startswith(("https:", "http:", "mailto:", "tel:")), uri


def _image_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return sum(
            1
            for thing in document.objects
            if isinstance(thing, pikepdf.Stream) and thing.get("/Subtype") == "/Image"
        )


def _check_pdf(run: Run, case: Case) -> None:
    assert run.output.read_bytes().startswith(b"%PDF-")
    text = _squashed(pdf_text(run.output))
    for fragment in case.text:
        words = [_squashed(word) for word in fragment.split()]
        # Right-to-left words may come back in visual order.
        missing = [word for word in words if word not in text and word[::-1] not in text]
        assert not missing, f"not shown as typed: {missing} in {text[:400]!r}"
    for fragment in case.absent:
        assert _squashed(fragment) not in text, f"{fragment!r} appears in the PDF"
    characters = _shipped_characters(run.project)
    undrawn = sorted({char for char in text if ord(char) not in characters})
    assert not undrawn, f"characters no shipped font has: {undrawn}"
    _check_fonts(run.output, run.project)
    _check_inert(run.output)
    if case.images is not None:
        assert _image_count(run.output) == case.images


# Checking what a build opened

CASE_TARGETS = ("/etc/passwd", "/proc/self/environ", "/dev/zero", "/etc/shadow")
"""Files the corpus aims at: a build never opens them, even to fail."""

SYSTEM_FILES = (
    "/usr/",
    "/bin/",
    "/sbin/",
    "/lib/",
    "/lib64/",
    "/etc/fonts/",
    "/etc/ld.so.cache",
    "/etc/locale.alias",
    "/etc/mime.types",
    "/etc/ssl/openssl.cnf",
    "/etc/localtime",
    "/var/cache/fontconfig/",
    "/dev/null",
    "/dev/urandom",
    "/proc/filesystems",
    "/sys/fs/cgroup/",
    "/sys/devices/system/cpu/",
)
"""What the installed software reads besides itself: libraries and the programs
that find them, fontconfig's
configuration and cache, locale and MIME tables, and what the C library asks the
kernel. Nothing here depends on the issue."""


def _software() -> tuple[str, ...]:
    """Where Python, the packages and brochure's code are installed."""
    import brochure

    # An editable install puts brochure's source folder on the path: it is listed too.
    code = str(Path(brochure.__file__).parents[1])
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, code}
    places |= {str(Path(place).resolve()) for place in places}
    return tuple(place.rstrip("/") + "/" for place in places)


def _unexpected_opens(run: Run) -> list[str]:
    """The files RUN opened that are neither the project's nor the installed software's."""
    home = Path.home()
    allowed = (
        str(run.project) + "/",
        str(run.project.parent.with_suffix(".tmp")) + "/",
        *_software(),
        *SYSTEM_FILES,
        f"{home}/.cache/fontconfig/",
        f"{home}/.fontconfig/",
    )
    unexpected = []
    for opened in run.opened:
        if opened.call in ("socket", "connect"):
            unexpected.append(f"network: {opened}")
        elif opened.resolved is not None and not _below(opened.resolved, allowed):
            unexpected.append(str(opened))
        elif opened.resolved is not None and opened.writing and opened.call != "execve":
            writable = (str(run.project / "out") + "/", allowed[1], "/dev/null")
            if not _below(opened.resolved, writable):
                unexpected.append(f"written: {opened}")
    return sorted(set(unexpected))


def _aimed_at(run: Run) -> list[str]:
    """Opens, even failed ones, of files the case aims at outside the project."""
    root = run.project.parent
    hits = []
    for opened in run.opened:
        for path in (opened.path, opened.resolved):
            if path is None:
                continue
            absolute = Path(path) if path.startswith("/") else run.project / path
            target = os.path.normpath(absolute)
            outside_project = Path(target).is_relative_to(root) and not Path(target).is_relative_to(
                run.project
            )
            if outside_project or target in CASE_TARGETS or target.startswith("/proc/self/environ"):
                hits.append(str(opened))
    return sorted(set(hits))


def _below(path: str, places: tuple[str, ...]) -> bool:
    if re.fullmatch(r"/proc/\d+/(cgroup|mountinfo|status|stat|task)", path):
        return True  # the process asking the kernel about itself (CPU limits, memory, threads)
    return path.startswith(places) or path + "/" in places


# The tests

FONT_FACTS = "project/out/.brochure-cache"  # kept by a build that succeeds (brochure.fontfacts)


@pytest.mark.parametrize("case", CASES)
def test_bad_input(request: pytest.FixtureRequest, runs: dict[str, Run], case: Case) -> None:
    case_id = request.node.callspec.id
    run = runs[case_id]
    code, stdout, stderr = run.code, run.stdout, run.stderr
    shown = f"exit {code} after {run.seconds:.1f} s\nstdout:\n{stdout}\nstderr:\n{stderr}"
    assert code is not None, f"did not finish within {case.timeout:.0f} s\n{shown}"
    assert "Traceback" not in stderr, shown
    # Text the fonts may lack: drawn (0) or refused with a message (1), never anything else.
    expect = case.expect if case.expect is not None else (0 if code == 0 else 1)
    assert code == expect, shown
    assert not run.removed, f"removed: {sorted(run.removed)}"
    assert run.opened, "strace recorded nothing"
    assert _aimed_at(run) == [], "opened a file the case aims at"
    assert _unexpected_opens(run) == [], "opened a file outside the project"
    programs = [opened.path for opened in run.opened if opened.call == "execve" and opened.resolved]
    # Python itself, and at most one reading of ldconfig's list (see brochure.libraries).
    assert len(programs) <= 2, programs
    if expect == 0:
        # Editorial warnings (`brochure check`) may be printed; nothing else.
        assert all(EDITORIAL_WARNING.fullmatch(line) for line in stderr.splitlines()), shown
        assert stdout.startswith(f"wrote out/{case_id}.pdf ("), shown
        created = {path for path in run.created if not path.startswith(FONT_FACTS)}
        assert created == {"project/out", f"project/out/{case_id}.pdf"}, sorted(run.created)
        _check_pdf(run, case)
        return
    assert not run.output.exists(), "a failed build wrote its PDF"
    assert not run.created, f"a failed build left files: {sorted(run.created)}"
    for message in case.messages:
        if isinstance(message, Regex):
            pattern = message.pattern.replace("{file}", re.escape(run.file))
            assert re.search(pattern, stderr), f"no match for {pattern!r}\n{shown}"
        else:
            expected = message.replace("{file}", run.file)
            assert expected in stderr, f"missing {expected!r}\n{shown}"


def test_corpus_files_match_the_table() -> None:
    """Each file in tests/data/bad/ is a case, each case is in README.txt, and the
    byte-level cases still hold the bytes they are about (no editor or Git rewrote them)."""
    table = {str(param.id): cast(Case, param.values[0]) for param in CASES}
    ids = set(table)
    assert len(ids) == len(CASES)
    files = {path.stem for path in BAD.glob("*.yaml")}
    generated_cases = {case_id for case_id, case in table.items() if case.setup is not None}
    assert files - ids == set()
    assert ids - files <= generated_cases
    readme = (BAD / "README.txt").read_text(encoding="utf-8")
    assert [case_id for case_id in sorted(ids) if case_id not in readme] == []
    for name in ("bom", "bom-crlf"):
        assert (BAD / f"{name}.yaml").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in ("crlf", "bom-crlf"):
        data = (BAD / f"{name}.yaml").read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n") > 10
    assert b"\0" in (BAD / "nul-byte.yaml").read_bytes()
    assert b"\xe9" in (BAD / "invalid-utf8.yaml").read_bytes()
    assert (BAD / "invalid-utf8-truncated.yaml").read_bytes().endswith(b"\xe2\x80")
    assert b"\t" in (BAD / "tabs.yaml").read_bytes()
