"""Stage 1, load: the Spring issue reads back right, and every bad file is refused
with exact, located messages (`FILE:LINE:COL: field.path: message`).

Bad files are written under pytest's `tmp_path`, mostly as small edits of the
Spring 2009 issue; `test_spring_landmarks` pins the lines those edits rely on.
"""

import time
from pathlib import Path

import pytest
from PIL import Image

from brochure.errors import IssueInvalid
from brochure.glyphs import font_characters
from brochure.limits import DEFAULT_LIMITS
from brochure.load import load_issue
from brochure.model import SourcedIssue
from brochure.settings import Settings

SPRING = Path(__file__).resolve().parents[1] / "issues" / "2009-spring.yaml"
SPRING_TEXT = SPRING.read_text(encoding="utf-8")

# The last line of the Spring issue's copyright; inserting after it starts line 67.
LAST_LINE = "  holder: The University of Texas MD Anderson Cancer Center\n"
# The last line of the Spring issue, and the line that anything appended starts on.
FINAL_LINE = "  STAT: signal transducer and activator of transcription\n"
END = len(SPRING_TEXT.splitlines()) + 1

MINIMAL = """\
publication:
  title: Leukemia Insights
  publisher: MD Anderson
issue:
  season: Spring
  year: 2009
articles:
  - title: Salvage Regimens
    sections:
      - heading: APL
        body: Tamibarotene works.
copyright:
  year: 2015
  holder: MD Anderson
"""

QUICK_SECONDS = 5.0
"""Hostile input must be refused within this time, not hang."""


def write(folder: Path, content: str | bytes, name: str = "2009-spring.yaml") -> Path:
    """Write CONTENT byte for byte (no newline translation) to FOLDER/NAME."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def edited(text: str, *edits: tuple[str, str]) -> str:
    """TEXT with each (old, new) replaced; each OLD must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur once"
        text = text.replace(old, new)
    return text


def spring(*edits: tuple[str, str]) -> str:
    return edited(SPRING_TEXT, *edits)


def problems(path: Path) -> list[str]:
    """The problems `load_issue` reports for PATH, as the lines a user sees."""
    with pytest.raises(IssueInvalid) as excinfo:
        load_issue(path)
    return [str(problem) for problem in excinfo.value.problems]


def located(path: Path, *lines: str) -> list[str]:
    """Expected problem lines: each 'LINE:COL: field: message' prefixed by PATH."""
    return [f"{path}:{line}" for line in lines]


def test_spring_landmarks() -> None:
    lines = SPRING_TEXT.splitlines(keepends=True)
    assert len(lines) == 83
    assert lines[65] == LAST_LINE
    assert lines[-1] == FINAL_LINE
    landmarks = {
        2: "publication:",
        3: "  title: Leukemia Insights",
        6: "issue:",
        7: "  season: Spring",
        8: "  year: 2009",
        9: "  language: en",
        12: "  headline: Salvage Regimens",
        15: "  - title: Salvage Regimens",
        17: "      - heading: Acute promyelocytic leukemia",
        29: '          - id: "2007-0512"',
        32: "      - heading: Other salvage regimens",
        62: "    Dr. Farhad Ravandi or any Leukemia physician.",
        64: "copyright:",
        65: "  year: 2015",
        70: "glossary:",
    }
    assert {number: lines[number - 1].rstrip("\n") for number in landmarks} == landmarks


# The valid issue


def test_spring_loads() -> None:
    sourced = load_issue(SPRING)
    assert isinstance(sourced, SourcedIssue)
    assert sourced.slug == "2009-spring"
    assert sourced.path == SPRING
    issue = sourced.issue
    assert issue.title == "Leukemia Insights — Spring 2009"
    assert issue.publication.publisher == "The University of Texas MD Anderson Cancer Center"
    assert (issue.issue.year, issue.issue.language, issue.issue.date) == (2009, "en", None)
    assert issue.headline == "Salvage Regimens"
    assert issue.copyright.year == 2015
    [article] = issue.articles
    assert [s.heading for s in article.sections] == [
        "Acute promyelocytic leukemia",
        "Other salvage regimens",
    ]
    [protocol] = article.sections[0].protocols
    assert protocol.id == "2007-0512"
    assert isinstance(protocol.id, str)
    assert protocol.title == "Phase II oral Tamibarotene in relapsed APL"
    paragraphs = [p for s in article.sections for p in s.body.split("\n\n")]
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Tamibarotene is a synthetic retinoid")
    assert paragraphs[3].startswith("Additionally, improvements in supportive care")
    assert issue.contact is not None
    assert issue.contact.text.startswith("For information about these or any Leukemia protocol")


def test_minimal_issue_loads(tmp_path: Path) -> None:
    issue = load_issue(write(tmp_path, MINIMAL)).issue
    assert issue.cover.headline is None
    assert issue.headline == "Salvage Regimens"
    assert issue.contact is None
    assert issue.articles[0].sections[0].protocols == ()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xef\xbb\xbf" + SPRING_TEXT.encode(), id="bom"),
        pytest.param(SPRING_TEXT.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(b"\xef\xbb\xbf" + SPRING_TEXT.replace("\n", "\r\n").encode(), id="bom-crlf"),
    ],
)
def test_bom_and_crlf_load(tmp_path: Path, content: bytes) -> None:
    issue = load_issue(write(tmp_path, content)).issue
    assert issue == load_issue(SPRING).issue
    assert "\r" not in issue.articles[0].sections[1].body


def test_crlf_problems_keep_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, spring(("year: 2009", "year: twenty")).replace("\n", "\r\n"))
    assert problems(path) == located(path, "8:9: issue.year: must be a whole number (got 'twenty')")


def test_aliases_within_limits_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        spring(
            ("  title: Leukemia Insights", "  title: &name Leukemia Insights"),
            ("  headline: Salvage Regimens", "  headline: *name"),
        ),
    )
    assert load_issue(path).issue.headline == "Leukemia Insights"


# YAML 1.1 surprises: what was written stays text where the contract says text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("season: Spring", "season: NO", "NO", id="season-NO"),
        pytest.param("season: Spring", "season: off", "off", id="season-off"),
        pytest.param('id: "2007-0512"', "id: 1.10", "1.10", id="id-float"),
        pytest.param('id: "2007-0512"', "id: 0123", "0123", id="id-octal"),
        pytest.param('id: "2007-0512"', "id: 12:30", "12:30", id="id-sexagesimal"),
        pytest.param('id: "2007-0512"', "id: 0x1F", "0x1F", id="id-hex"),
        pytest.param('id: "2007-0512"', "id: 1e3", "1e3", id="id-exponent"),
        pytest.param('id: "2007-0512"', "id: 2007-05-12", "2007-05-12", id="id-date"),
        pytest.param("heading: Acute promyelocytic leukemia", "heading: yes", "yes", id="heading"),
    ],
)
def test_yaml_11_scalars_stay_text(tmp_path: Path, old: str, new: str, expected: str) -> None:
    issue = load_issue(write(tmp_path, spring((old, new)))).issue
    section = issue.articles[0].sections[0]
    values = {
        "season": issue.issue.season,
        "id": section.protocols[0].id,
        "heading": section.heading,
    }
    written = values[old.split(":")[0]]
    assert written == expected
    assert type(written) is str


# Bad inputs: every problem, exactly as reported


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(
            [("  title: Leukemia Insights", "  titel: Leukemia Insights")],
            [
                "2:1: publication.title: required field is missing",
                "3:3: publication.titel: unknown field 'titel'; did you mean 'title'?",
            ],
            id="unknown-key-did-you-mean",
        ),
        pytest.param(
            [(LAST_LINE, LAST_LINE + "sponsor: Acme\n")],
            [
                "67:1: sponsor: unknown field 'sponsor'; expected one of: "
                "publication, issue, cover, articles, glossary, contact, copyright"
            ],
            id="unknown-top-level-key",
        ),
        pytest.param(
            [("        body: |\n          The outcome", "        text: |\n          The outcome")],
            [
                "32:9: articles[0].sections[1].body: required field is missing",
                "33:9: articles[0].sections[1].text: unknown field 'text'; "
                "expected one of: heading, body, figures, protocols",
            ],
            id="unknown-key-in-second-section",
        ),
        pytest.param(
            [("  publisher:", "  title: Again\n  publisher:")],
            ["4:3: publication.title: duplicate key 'title' (first given on line 3)"],
            id="duplicate-key",
        ),
        pytest.param(
            [(LAST_LINE, LAST_LINE + "issue:\n  season: Fall\n")],
            ["67:1: issue: duplicate key 'issue' (first given on line 6)"],
            id="duplicate-top-level-key",
        ),
        pytest.param(
            [("copyright:\n  year: 2015\n" + LAST_LINE, "")],
            ["2:1: copyright: required field is missing"],
            id="missing-copyright",
        ),
        pytest.param(
            [("  publisher: The University of Texas MD Anderson Cancer Center\n", "")],
            ["2:1: publication.publisher: required field is missing"],
            id="missing-publisher",
        ),
        pytest.param(
            [("            title: Phase II oral Tamibarotene in relapsed APL\n", "")],
            ["29:13: articles[0].sections[0].protocols[0].title: required field is missing"],
            id="missing-protocol-title",
        ),
        pytest.param(
            [("  title: Leukemia Insights", "  title: [Leukemia, Insights]")],
            ["3:10: publication.title: must be text, not a list"],
            id="list-for-text",
        ),
        pytest.param(
            [("  season: Spring", "  season: {name: Spring}")],
            ["7:11: issue.season: must be text, not a mapping"],
            id="mapping-for-text",
        ),
        pytest.param(
            [('          - id: "2007-0512"', '            id: "2007-0512"')],
            ["29:13: articles[0].sections[0].protocols: must be a list"],
            id="mapping-for-list",
        ),
        pytest.param(
            [("  year: 2009", "  year: twenty")],
            ["8:9: issue.year: must be a whole number (got 'twenty')"],
            id="year-twenty",
        ),
        pytest.param(
            [("  year: 2009", "  year: [2009]")],
            ["8:9: issue.year: must be a whole number"],
            id="year-list",
        ),
        pytest.param(
            [("  year: 2009", "  year: 20")],
            ["8:9: issue.year: input should be greater than or equal to 1000 (got '20')"],
            id="year-too-small",
        ),
        pytest.param(
            [("heading: Other salvage regimens", 'heading: ""')],
            ["32:18: articles[0].sections[1].heading: must not be empty"],
            id="empty-heading",
        ),
        pytest.param(
            [("heading: Other salvage regimens", 'heading: "   "')],
            ["32:18: articles[0].sections[1].heading: must not be empty"],
            id="blank-heading",
        ),
        pytest.param(
            [("heading: Other salvage regimens", "heading:")],
            ["32:17: articles[0].sections[1].heading: must not be empty"],
            id="null-heading",
        ),
        pytest.param(
            [('id: "2007-0512"', "id: ~")],
            ["29:17: articles[0].sections[0].protocols[0].id: must not be empty"],
            id="null-protocol-id",
        ),
        pytest.param(
            [("  title: Leukemia Insights", "  [title]: Leukemia Insights")],
            [
                "2:1: publication.title: required field is missing",
                "3:3: publication: a key must be a plain name",
            ],
            id="key-not-a-name",
        ),
        pytest.param(
            [("  language: en", "  language: english")],
            [
                "9:13: issue.language: must be a language tag such as 'en' or 'en-US' "
                "(got 'english')"
            ],
            id="bad-language",
        ),
        pytest.param(
            [("  language: en", "  language: en\n  date: 2009-02-30")],
            ["10:9: issue.date: must be a date written YYYY-MM-DD (got '2009-02-30')"],
            id="bad-date",
        ),
        pytest.param(
            [("  language: en", "  language: en\n  date: Spring 2009")],
            ["10:9: issue.date: must be a date written YYYY-MM-DD (got 'Spring 2009')"],
            id="date-in-words",
        ),
        pytest.param(
            [(" physician.\n", " physician.\n  url: javascript:alert(1)\n")],
            [
                "63:8: contact.url: must be a web address starting with https:// or http:// "
                "(got 'javascript:alert(1)')"
            ],
            id="javascript-url",
        ),
        pytest.param(
            [(" physician.\n", " physician.\n  email: nobody\n")],
            [
                "63:10: contact.email: must be an email address such as name@example.org "
                "(got 'nobody')"
            ],
            id="bad-email",
        ),
        pytest.param(
            [("cover:\n  headline: Salvage Regimens", "cover: Salvage Regimens\n")],
            ["11:8: cover: must be a mapping of fields"],
            id="text-for-mapping",
        ),
    ],
)
def test_bad_spring_edit(tmp_path: Path, edits: list[tuple[str, str]], expected: list[str]) -> None:
    path = write(tmp_path, spring(*edits))
    assert problems(path) == located(path, *expected)


SECTIONS = "    sections:\n      - heading: APL\n        body: Tamibarotene works.\n"
ARTICLES = "articles:\n  - title: Salvage Regimens\n" + SECTIONS


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            (ARTICLES, "articles: []\n"),
            "7:11: articles: needs at least one entry",
            id="empty-articles",
        ),
        pytest.param(
            (ARTICLES, "articles:\n"), "7:10: articles: must be a list", id="null-articles"
        ),
        pytest.param(
            (SECTIONS, "    sections: []\n"),
            "9:15: articles[0].sections: needs at least one entry",
            id="empty-sections",
        ),
        pytest.param(
            (ARTICLES, "articles:\n  - Salvage Regimens\n"),
            "8:5: articles[0]: must be a mapping of fields",
            id="text-for-article",
        ),
    ],
)
def test_bad_minimal_edit(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, edited(MINIMAL, edit))
    assert problems(path) == located(path, expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("", "1:1: the file is empty", id="empty"),
        pytest.param("# Summer 2009: to be written\n", "1:1: the file is empty", id="comment"),
        pytest.param("\n  \n\n", "1:1: the file is empty", id="blank-lines"),
        pytest.param("- publication\n- issue\n", "1:1: must be a mapping of fields", id="list"),
        pytest.param("Leukemia Insights\n", "1:1: must be a mapping of fields", id="string"),
        pytest.param("2009\n", "1:1: must be a mapping of fields", id="number"),
    ],
)
def test_not_an_issue(tmp_path: Path, content: str, expected: str) -> None:
    path = write(tmp_path, content)
    assert problems(path) == located(path, expected)


def test_several_problems_reported_at_once_sorted_by_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        spring(
            ("  year: 2015", "  year: MMXV"),
            ("  language: en", "  language: english"),
            ("  title: Leukemia Insights", "  titel: Leukemia Insights"),
            ("heading: Other salvage regimens", 'heading: ""'),
            (LAST_LINE, LAST_LINE + "copyright:\n  year: 2016\n"),
        ),
    )
    assert problems(path) == located(
        path,
        "2:1: publication.title: required field is missing",
        "3:3: publication.titel: unknown field 'titel'; did you mean 'title'?",
        "9:13: issue.language: must be a language tag such as 'en' or 'en-US' (got 'english')",
        "32:18: articles[0].sections[1].heading: must not be empty",
        "65:9: copyright.year: must be a whole number (got 'MMXV')",
        "67:1: copyright: duplicate key 'copyright' (first given on line 64)",
    )


# Bytes that are not UTF-8 text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"publication:\n  title: Caf\xc3\xa9 \xff\n",
            "2:15: not valid UTF-8 (byte 0xff); save the file as UTF-8",
            id="column-counts-characters",
        ),
        pytest.param(
            SPRING_TEXT.replace("promyelocytic leukemia", "leucémie").encode("latin-1"),
            "17:28: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            b"\xef\xbb\xbfpublication: \xff\n",
            "1:14: not valid UTF-8 (byte 0xff); save the file as UTF-8",
            id="after-bom",
        ),
        pytest.param(
            b"publication:\r\n  title: Leuk\x80mia\r\n",
            "2:14: not valid UTF-8 (byte 0x80); save the file as UTF-8",
            id="crlf",
        ),
        pytest.param(
            b"publication:\n  title: Leukemia \xe2\x80",
            "2:19: not valid UTF-8 (byte 0xe2); save the file as UTF-8",
            id="truncated-at-end",
        ),
    ],
)
def test_invalid_utf8(tmp_path: Path, content: bytes, expected: str) -> None:
    path = write(tmp_path, content)
    assert problems(path) == located(path, expected)


def test_nul_byte(tmp_path: Path) -> None:
    path = write(tmp_path, spring(("Leukemia Insights\n", "Leukemia\0Insights\n")))
    assert problems(path) == located(
        path, "3:18: YAML syntax error: character U+0000 is not allowed"
    )


# YAML syntax errors: the library's wording, at the exact line and column


@pytest.mark.parametrize(
    ("content", "position", "wording"),
    [
        pytest.param(
            spring(("  title: Leukemia Insights", "\ttitle: Leukemia Insights")),
            "3:1",
            "found character '\\t' that cannot start any token",
            id="tab-indent",
        ),
        pytest.param(
            'publication:\n  title: "Leukemia Insights\n  publisher: MD Anderson\n',
            "4:1",
            "while scanning a quoted scalar (line 2, column 10), found unexpected end of stream",
            id="unclosed-quote-at-end",
        ),
        pytest.param(
            spring(("  title: Leukemia Insights", "  title: 'Leukemia Insights")),
            f"{END}:1",
            "while scanning a quoted scalar (line 3, column 10), found unexpected end of stream",
            id="unclosed-single-quote",
        ),
        pytest.param(
            spring(("  title: Leukemia Insights", '  title: "Leukemia Insights')),
            "29:18",
            "while parsing a block mapping (line 3, column 3), "
            "expected <block end>, but found '<scalar>'",
            id="unclosed-quote-closed-later",
        ),
        pytest.param(
            spring(("  title: Leukemia Insights", "  title: [Leukemia Insights")),
            "4:12",
            "while parsing a flow sequence (line 3, column 10), expected ',' or ']', but got ':'",
            id="unclosed-bracket",
        ),
        pytest.param(
            spring((FINAL_LINE, FINAL_LINE + "sponsor: [Acme, Initech\n")),
            f"{END + 1}:1",
            f"while parsing a flow sequence (line {END}, column 10), "
            "expected ',' or ']', but got '<stream end>'",
            id="unclosed-bracket-at-end",
        ),
        pytest.param(
            spring((LAST_LINE, LAST_LINE + "---\nissue:\n  season: Fall\n")),
            "67:1",
            "expected a single document in the stream (line 2, column 1), "
            "but found another document",
            id="two-documents",
        ),
        pytest.param(
            "publication: &a Leukemia Insights\nissue: &a Spring\n",
            "2:8",
            "found duplicate anchor 'a'; first occurrence (line 1, column 14), second occurrence",
            id="duplicate-anchor",
        ),
        pytest.param(
            spring(("  title: Leukemia Insights", "  title: *name")),
            "3:10",
            "found undefined alias 'name'",
            id="undefined-alias",
        ),
        pytest.param(
            spring(("  title: Leukemia Insights", "   title: Leukemia Insights")),
            "4:3",
            "while parsing a block mapping (line 2, column 1), "
            "expected <block end>, but found '<block mapping start>'",
            id="bad-indent",
        ),
    ],
)
def test_yaml_syntax_error(tmp_path: Path, content: str, position: str, wording: str) -> None:
    path = write(tmp_path, content)
    [problem] = problems(path)
    assert problem.startswith(f"{path}:{position}: YAML syntax error: ")
    assert problem.endswith(wording)


# Hostile input: refused quickly with a clear message


def _alias_bomb(indent: str) -> str:
    """Nine levels of nine aliases each: 9**9 values once expanded."""
    lines = [f"{indent}- &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    lines += [f"{indent}- &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)]
    return "".join(lines)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        pytest.param(
            spring(
                (
                    "            title: Phase II oral Tamibarotene in relapsed APL\n",
                    "            title:\n" + _alias_bomb("              "),
                )
            ),
            "articles[0].sections[0].protocols[0].title",
            id="protocol-title",
        ),
        pytest.param(
            spring((LAST_LINE, LAST_LINE + "lols:\n" + _alias_bomb("  "))),
            "lols",
            id="unknown-key",
        ),
    ],
)
def test_alias_bomb(tmp_path: Path, content: str, field: str) -> None:
    path = write(tmp_path, content)
    start = time.perf_counter()
    reported = problems(path)
    assert time.perf_counter() - start < QUICK_SECONDS
    assert len(reported) == 1
    assert f": {field}: more than 50,000 values (are aliases expanding too far?)" in reported[0]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("[" * 10_000, id="unclosed"),
        pytest.param("publication: " + "[" * 10_000 + "]" * 10_000 + "\n", id="closed"),
        pytest.param(spring((LAST_LINE, LAST_LINE + "x: " + "{a: " * 10_000)), id="mappings"),
    ],
)
def test_deep_nesting(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    start = time.perf_counter()
    reported = problems(path)
    assert time.perf_counter() - start < QUICK_SECONDS
    assert len(reported) == 1
    assert reported[0].endswith(": values are nested more than 32 deep")


def test_file_over_size_limit(tmp_path: Path) -> None:
    content = SPRING_TEXT + "#" * (DEFAULT_LIMITS.file_size + 1 - len(SPRING_TEXT.encode()))
    path = write(tmp_path, content)
    assert path.stat().st_size == DEFAULT_LIMITS.file_size + 1
    assert problems(path) == located(path, "1:1: file is larger than 2 MiB")


def test_file_at_size_limit_loads(tmp_path: Path) -> None:
    content = SPRING_TEXT + "#" * (DEFAULT_LIMITS.file_size - 1 - len(SPRING_TEXT.encode())) + "\n"
    path = write(tmp_path, content)
    assert path.stat().st_size == DEFAULT_LIMITS.file_size
    assert load_issue(path).issue.title == "Leukemia Insights — Spring 2009"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "2009-fall.yaml"
    assert problems(path) == located(path, "1:1: cannot read: No such file or directory")


# Files the cover names: next to the issue, never outside its folder


def _with_cover(folder: Path, line: str) -> Path:
    return write(folder / "issues", spring(("  headline: Salvage Regimens", line)))


def test_cover_pdf_next_to_issue_loads(tmp_path: Path) -> None:
    path = _with_cover(tmp_path, "  pdf: art/cover.pdf")
    write(path.parent / "art", b"%PDF-1.7\n", "cover.pdf")
    assert load_issue(path).issue.cover.pdf == Path("art/cover.pdf")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "  pdf: cover.pdf", "12:8: cover.pdf: file 'cover.pdf' does not exist", id="missing"
        ),
        pytest.param(
            "  image: art/cover.jpg\n  image_alt: The clinic at dawn",
            "12:10: cover.image: file 'art/cover.jpg' does not exist",
            id="missing-image",
        ),
        pytest.param(
            "  image: art/cover.jpg",
            "12:3: cover: image_alt is required with an image: describe the picture "
            "(or set image_decorative: true for an ornament)",
            id="image-without-alt",
        ),
        pytest.param(
            "  pdf: ../outside.pdf",
            "12:8: cover.pdf: '../outside.pdf' is outside the issue's folder",
            id="parent-folder",
        ),
        pytest.param(
            "  pdf: https://example.org/cover.pdf",
            "12:8: cover.pdf: must be a path relative to the issue file",
            id="url",
        ),
    ],
)
def test_bad_cover_file(tmp_path: Path, line: str, expected: str) -> None:
    write(tmp_path, b"%PDF-1.7\n", "outside.pdf")
    path = _with_cover(tmp_path, line)
    assert problems(path) == located(path, expected)


def test_cover_pdf_absolute_path(tmp_path: Path) -> None:
    cover = write(tmp_path / "issues", b"%PDF-1.7\n", "cover.pdf")
    path = _with_cover(tmp_path, f"  pdf: {cover}")
    assert cover.is_absolute()
    assert problems(path) == located(
        path, "12:8: cover.pdf: must be a path relative to the issue file"
    )


def test_cover_pdf_symlink_out_of_folder(tmp_path: Path) -> None:
    outside = write(tmp_path, b"%PDF-1.7\n", "outside.pdf")
    path = _with_cover(tmp_path, "  pdf: cover.pdf")
    (path.parent / "cover.pdf").symlink_to(outside)
    assert problems(path) == located(
        path, "12:8: cover.pdf: 'cover.pdf' is outside the issue's folder"
    )


def test_characters_the_fonts_lack_are_named_with_their_field(
    tmp_path: Path, settings: Settings
) -> None:
    hebrew = "\u05e9\u05dc\u05d5\u05dd"
    text = SPRING_TEXT.replace(
        "heading: Other salvage regimens", f"heading: Shalom {hebrew} and \U0001f600"
    ).replace(
        "holder: The University", "holder: Zoë Ångström, Čapek, Ελλάδα, Россия, The University"
    )
    path = tmp_path / "issue.yaml"
    path.write_text(text, encoding="utf-8")
    characters = font_characters(settings.fonts)
    with pytest.raises(IssueInvalid) as raised:
        load_issue(path, characters)
    (problem,) = raised.value.problems  # Latin, Greek and Cyrillic are all shown
    assert problem.field == "articles[0].sections[1].heading"
    assert problem.message.startswith(
        "the brochure's fonts have no glyph for '\u05e9' (U+05E9 HEBREW LETTER SHIN), "
    )
    assert problem.message.endswith("(U+1F600 GRINNING FACE)")
    assert problem.message.count("HEBREW LETTER") == 4
    assert (
        problem.line
        == text.splitlines().index(next(line for line in text.splitlines() if "Shalom" in line)) + 1
    )
    assert load_issue(SPRING, characters).slug == "2009-spring"


@pytest.mark.parametrize("key", ["[", "str", "a[0]"])
def test_unknown_keys_that_look_like_anything_are_reported(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, SPRING_TEXT + f'"{key}": 1\n')
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:{END}:1: {key}: unknown field '{key}'; ")


def test_every_field_has_its_position() -> None:
    sourced = load_issue(SPRING)
    positions = sourced.positions
    assert positions["publication.title"] == (3, 10)
    assert positions["articles.0.sections"] == (17, 7)
    assert positions["articles.0.sections.1.heading"] == (32, 18)
    assert positions["articles.0.sections.0.protocols.0.id"] == (29, 17)
    assert positions["copyright.year"] == (65, 9)
    assert sourced.problem("copyright.year", "x").line == 65


# The body's key is on line 11; the value starts at column 15.
BODY_STYLES = {
    "literal": ("body: |\n  Tamibarotene is a\n  retinoid for APL\n  in relapse.\n", (13, 24)),
    "folded": ("body: >\n  Tamibarotene is a\n  retinoid for APL\n  in relapse.\n", (13, 24)),
    "literal-indented": ("body: |4+\n    Tamibarotene is a\n    retinoid for APL\n\n", (13, 26)),
    "plain": ("body: Tamibarotene is a\n  retinoid for APL\n  in relapse.\n", (12, 24)),
    "double-quoted": ('body: "Tamibarotene is a\n  retinoid for APL\n  in relapse."\n', (12, 24)),
    "single-quoted": ("body: 'Tamibarotene is a\n  retinoid for APL\n  in relapse.'\n", (12, 24)),
}


@pytest.mark.parametrize("style", list(BODY_STYLES))
def test_a_word_in_a_text_is_located_on_its_own_line(tmp_path: Path, style: str) -> None:
    body, expected = BODY_STYLES[style]
    text = MINIMAL.replace("body: Tamibarotene works.\n", body.replace("\n  ", "\n" + " " * 10))
    sourced = load_issue(write(tmp_path, text))
    value = sourced.issue.articles[0].sections[0].body
    line, column = sourced.position_in("articles.0.sections.0.body", value, value.index("APL"))
    assert (line, column) == expected
    assert text.splitlines()[line - 1][column - 1 :].startswith("APL")


def test_a_word_occurring_twice_is_located_at_each_occurrence(tmp_path: Path) -> None:
    body = "body: |\n          APL first,\n          then APL again.\n"
    sourced = load_issue(write(tmp_path, MINIMAL.replace("body: Tamibarotene works.\n", body)))
    value = sourced.issue.articles[0].sections[0].body
    field = "articles.0.sections.0.body"
    assert sourced.position_in(field, value, value.index("APL")) == (12, 11)
    assert sourced.position_in(field, value, value.rindex("APL")) == (13, 16)


def test_a_word_written_with_an_escape_is_located_at_its_field(tmp_path: Path) -> None:
    text = MINIMAL.replace("body: Tamibarotene works.", 'body: "Tami \\x41PL"')
    sourced = load_issue(write(tmp_path, text))
    value = sourced.issue.articles[0].sections[0].body
    assert value == "Tami APL"
    assert sourced.position_in("articles.0.sections.0.body", value, 5) == (11, 15)


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    body = "body: Zoë Ångström \U0001d538\n          and APL\n"  # an astral letter
    sourced = load_issue(write(tmp_path, MINIMAL.replace("body: Tamibarotene works.\n", body)))
    value = sourced.issue.articles[0].sections[0].body
    field = "articles.0.sections.0.body"
    assert sourced.position_in(field, value, value.index("\U0001d538")) == (11, 28)
    assert sourced.position_in(field, value, value.index("APL")) == (12, 15)


FIGURES = """\
      - heading: Other salvage regimens
        figures:
          - src: art/chart.png
            alt: A chart
          - src: art/missing.png
            alt: Nothing
"""


def test_a_figure_file_is_reported_at_its_src(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    Image.new("RGB", (20, 10)).save(tmp_path / "art" / "chart.png")
    text = spring(("      - heading: Other salvage regimens\n", FIGURES))
    path = write(tmp_path, text)
    line = text.splitlines().index("          - src: art/missing.png") + 1
    assert problems(path) == located(
        path,
        f"{line}:18: articles[0].sections[1].figures[1].src: file 'art/missing.png' does not exist",
    )


def test_a_cut_off_image_is_refused_even_once_the_typesetter_is_loaded(tmp_path: Path) -> None:
    # WeasyPrint tells Pillow to accept truncated images when it is imported,
    # as it is in batch workers; the loader must refuse them anyway.
    import weasyprint  # noqa: F401

    (tmp_path / "art").mkdir()
    Image.new("RGB", (200, 100), "teal").save(tmp_path / "art" / "chart.png")
    chart = (tmp_path / "art" / "chart.png").read_bytes()
    (tmp_path / "art" / "chart.png").write_bytes(chart[: len(chart) // 2])
    (tmp_path / "art" / "missing.png").write_bytes(chart)
    text = spring(("      - heading: Other salvage regimens\n", FIGURES))
    (problem,) = problems(write(tmp_path, text))
    assert problem.endswith(
        "articles[0].sections[1].figures[0].src: "
        "'art/chart.png' is not a readable image (image file is truncated)"
    )
