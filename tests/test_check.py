"""Editorial checks: each finds exactly its mistake, located by line, column and field;
`brochure check` and `brochure build` print them.

Each check is tested on CLEAN, an issue with no findings, edited to have that
one mistake; `test_clean_landmarks` pins the lines the positions rely on.
"""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from PIL import Image

from brochure.check import CODES, Finding, check_issue
from brochure.load import load_issue
from brochure.settings import Settings
from helpers import PROJECT, SPRING, run, write_issue

CLEAN = """\
publication:
  title: Leukemia Insights
  publisher: The University of Texas MD Anderson Cancer Center
issue:
  season: Fall
  year: 2009
articles:
  - title: Salvage Regimens
    sections:
      - heading: Acute promyelocytic leukemia
        body: |
          Tamibarotene is a synthetic retinoid that has been shown to be
          well tolerated in relapsed APL. Phase II results are encouraging,
          and more are expected. See [the trial](https://example.org/trial).
        figures:
          - src: clinic.png
            alt: The clinic at dawn
            credit: Photograph by the clinic
        protocols:
          - id: "2007-0512"
            title: Phase II oral Tamibarotene in relapsed APL
glossary:
  APL: acute promyelocytic leukemia
contact:
  text: Call the clinic.
  url: https://example.org
copyright:
  year: 2009
  holder: The University of Texas MD Anderson Cancer Center
"""

SPRING_GLOSSARY = {
    "APL": "acute promyelocytic leukemia",
    "ATRA": "all-trans retinoic acid",
    "ATO": "arsenic trioxide",
    "AML": "acute myeloid leukemia",
    "CR": "complete remission",
    "FLT3": "FMS-like tyrosine kinase 3",
    "JAK": "Janus kinase",
    "STAT": "signal transducer and activator of transcription",
    "RAF": "rapidly accelerated fibrosarcoma kinase",
    "ERK": "extracellular signal-regulated kinase",
    "MEK": "mitogen-activated protein kinase kinase",
    "MAPK": "mitogen-activated protein kinase",
    "MDACC": "The University of Texas MD Anderson Cancer Center",
}
"""What the Spring issue's abbreviations stand for, in order of first use."""


def edited(*edits: tuple[str, str]) -> str:
    """CLEAN with each (old, new) replaced; each OLD must occur exactly once."""
    text = CLEAN
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur once"
        text = text.replace(old, new)
    return text


def write(folder: Path, text: str, name: str = "2009-fall.yaml") -> Path:
    """Write TEXT as an issue beside the picture CLEAN names."""
    Image.new("RGB", (300, 200), "white").save(folder / "clinic.png")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def findings(path: Path, settings: Settings) -> list[str]:
    """What the checks find in the issue at PATH, as `brochure check` prints it."""
    return [str(finding) for finding in check_issue(load_issue(path), settings.fonts)]


def check(tmp_path: Path, settings: Settings, *edits: tuple[str, str]) -> list[str]:
    """The findings in CLEAN with EDITS, each without the file's path."""
    path = write(tmp_path, edited(*edits))
    return [finding.removeprefix(f"{path}:") for finding in findings(path, settings)]


def test_clean_landmarks() -> None:
    lines = CLEAN.splitlines()
    assert lines[12].startswith("          well tolerated in relapsed APL.")
    assert lines[15] == "          - src: clinic.png"
    assert lines[19] == '          - id: "2007-0512"'
    assert lines[22] == "  APL: acute promyelocytic leukemia"
    assert lines[25] == "  url: https://example.org"
    assert lines[27] == "  year: 2009"


def test_a_clean_issue_has_no_findings(tmp_path: Path, settings: Settings) -> None:
    assert check(tmp_path, settings) == []


def test_copyright_year_other_than_the_issues(tmp_path: Path, settings: Settings) -> None:
    assert check(tmp_path, settings, ("  year: 2009\n  holder", "  year: 2015\n  holder")) == [
        "28:9: copyright.year: © 2015, but this is the Fall 2009 issue "
        "(right only if the text was first published in 2015) [copyright-year]"
    ]


def test_abbreviation_not_in_the_glossary_at_its_first_use(
    tmp_path: Path, settings: Settings
) -> None:
    found = check(
        tmp_path,
        settings,
        ("Phase II results", "Phase II FLT3 results"),
        ("and more are expected.", "and FLT3 is expected."),
    )
    assert found == [
        "13:52: articles[0].sections[0].body: 'FLT3' is not in the glossary; "
        "add what it stands for [undefined-abbreviation]"
    ]


def test_abbreviation_in_a_plain_field(tmp_path: Path, settings: Settings) -> None:
    found = check(tmp_path, settings, ("Tamibarotene in relapsed APL", "Tamibarotene in AML"))
    assert found == [
        "21:50: articles[0].sections[0].protocols[0].title: 'AML' is not in the glossary; "
        "add what it stands for [undefined-abbreviation]"
    ]


def test_abbreviations_joined_by_marks_are_each_reported(
    tmp_path: Path, settings: Settings
) -> None:
    found = check(tmp_path, settings, ("and more are", "JAK-STAT and RAF/ERK/MEK/MAPK are"))
    assert [(f.split(":")[0], f.split(":")[1], f.split("'")[1]) for f in found] == [
        ("14", "11", "JAK"),
        ("14", "15", "STAT"),
        ("14", "24", "RAF"),
        ("14", "28", "ERK"),
        ("14", "32", "MEK"),
        ("14", "36", "MAPK"),
    ]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("Phase II results", "Phase III and stage IV results"), id="roman numerals"),
        pytest.param(
            ("heading: Acute promyelocytic leukemia", "heading: RELAPSED DISEASE"),
            id="a heading in capitals",
        ),
        pytest.param(("relapsed APL.", "relapsed APL; APLs."), id="a plural of an entry"),
        pytest.param(("(https://example.org/trial)", "(https://example.org/TRIAL)"), id="a link"),
    ],
)
def test_words_that_are_not_undefined_abbreviations(
    tmp_path: Path, settings: Settings, edit: tuple[str, str]
) -> None:
    assert check(tmp_path, settings, edit) == []


def test_md_is_an_abbreviation_not_a_roman_numeral(tmp_path: Path, settings: Settings) -> None:
    found = check(tmp_path, settings, ("Call the clinic.", "Call the clinic. Dr. Ravandi, MD."))
    assert found == [
        "25:39: contact.text: 'MD' is not in the glossary; "
        "add what it stands for [undefined-abbreviation]"
    ]


def test_glossary_entry_never_used(tmp_path: Path, settings: Settings) -> None:
    found = check(
        tmp_path, settings, ("  APL: acute", "  CML: chronic myeloid leukemia\n  APL: acute")
    )
    assert found == [
        "23:8: glossary.CML: 'CML' is in the glossary but not used in the text "
        "[unused-glossary-entry]"
    ]


def article_with_body(body: str) -> tuple[str, str]:
    """An edit of CLEAN that adds a second article, whose one section's body is BODY."""
    article = f"  - title: News\n    sections:\n      - heading: News\n        body: {body}"
    return "glossary:\n", f"{article}glossary:\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Welcome to the clinic, Dr. Ravandi.", "is one line of 6 words"),
        ("'—'", "has no text, only marks"),
    ],
)
def test_empty_or_one_line_section(
    tmp_path: Path, settings: Settings, body: str, message: str
) -> None:
    found = check(tmp_path, settings, article_with_body(f"{body}\n"))
    assert len(found) == 1
    assert found[0].startswith("25:15: articles[1].sections[0].body: the section")
    assert message in found[0]
    assert found[0].endswith("[short-section]")


def test_two_short_lines_are_not_one_line(tmp_path: Path, settings: Settings) -> None:
    body = "|\n          Welcome to the clinic.\n          It opens in May.\n"
    assert check(tmp_path, settings, article_with_body(body)) == []


def test_cover_headline_too_long(tmp_path: Path, settings: Settings) -> None:
    headline = "Salvage regimens for relapsed and refractory acute myeloid leukemia in 2009"
    found = check(tmp_path, settings, ("issue:\n", f"cover:\n  headline: {headline}\nissue:\n"))
    assert found == [
        "5:13: cover.headline: the cover headline takes 3 lines (34 pt) and the cover has room "
        "for 2; shorten it [long-heading]"
    ]


def test_article_title_too_long_for_the_running_head(tmp_path: Path, settings: Settings) -> None:
    title = "Salvage regimens for relapsed and refractory acute myeloid leukemia, an update in 2009"
    found = check(
        tmp_path,
        settings,
        ("issue:\n", "cover:\n  headline: Salvage Regimens\nissue:\n"),
        ("- title: Salvage Regimens", f"- title: {title}"),
    )
    assert found == [
        f"10:12: articles[0].title: '{title}' is 396 pt wide in the running head "
        "(8 pt capitals), which has room for 390 pt; shorten it [long-heading]"
    ]


def test_article_title_is_the_cover_headline_by_default(tmp_path: Path, settings: Settings) -> None:
    title = "Salvage regimens for relapsed and refractory acute myeloid leukemia in 2009"
    found = check(tmp_path, settings, ("- title: Salvage Regimens", f"- title: {title}"))
    assert found == [
        "8:12: articles[0].title: the cover headline takes 3 lines (34 pt) and the cover has "
        "room for 2; shorten it [long-heading]",
    ]


def test_a_designer_cover_has_no_headline_to_measure(tmp_path: Path, settings: Settings) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    with (tmp_path / "cover.pdf").open("wb") as stream:
        writer.write(stream)
    headline = "Salvage regimens for relapsed and refractory acute myeloid leukemia today"
    cover = f"cover:\n  headline: {headline}\n  pdf: cover.pdf\nissue:\n"
    assert check(tmp_path, settings, ("issue:\n", cover)) == []


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("2007-512", "protocol number '2007-512' is not written YYYY-NNNN (2007-0512)"),
        ("DM07-0512", "protocol number 'DM07-0512' is not written YYYY-NNNN (2007-0512)"),
        ("1907-0512", "protocol number 1907-0512: 1907 is not a plausible year"),
        ("2010-0512", "protocol number 2010-0512: 2010 is not a plausible year"),
    ],
)
def test_malformed_protocol_number(
    tmp_path: Path, settings: Settings, number: str, message: str
) -> None:
    found = check(tmp_path, settings, ('id: "2007-0512"', f'id: "{number}"'))
    assert len(found) == 1
    assert found[0].startswith(f"20:17: articles[0].sections[0].protocols[0].id: {message}")
    assert found[0].endswith("[protocol-number]")


def test_duplicate_protocol_number(tmp_path: Path, settings: Settings) -> None:
    protocol = (
        '          - id: "2007-0512"\n'
        "            title: Phase II oral Tamibarotene in relapsed APL\n"
    )
    found = check(tmp_path, settings, ("glossary:\n", f"{protocol}glossary:\n"))
    assert found == [
        "22:17: articles[0].sections[0].protocols[1].id: protocol 2007-0512 is listed twice in "
        "the issue (first on line 20) [duplicate-protocol]"
    ]


def test_figure_without_credit(tmp_path: Path, settings: Settings) -> None:
    found = check(tmp_path, settings, ("            credit: Photograph by the clinic\n", ""))
    assert found == [
        "16:13: articles[0].sections[0].figures[0].credit: figure 'clinic.png' has no credit: "
        "who made it, or where it is from [missing-credit]"
    ]


@pytest.mark.parametrize(
    ("link", "column", "message"),
    [
        (
            "[the trial](http://example.org/trial)",
            50,
            "link 'http://example.org/trial' is not secure; use https:// if the site offers it "
            "[http-link]",
        ),
        (
            "<ftp://example.org/trial>",
            39,
            "link 'ftp://example.org/trial' is not https:, mailto: or tel:, so a reader cannot "
            "follow it [link-scheme]",
        ),
        (
            "[the trial](trials.html)",
            50,
            "link 'trials.html' is not https:, mailto: or tel:, so a reader cannot follow it "
            "[link-scheme]",
        ),
    ],
)
def test_link_that_is_not_https(
    tmp_path: Path, settings: Settings, link: str, column: int, message: str
) -> None:
    found = check(tmp_path, settings, ("[the trial](https://example.org/trial)", link))
    assert found == [f"14:{column}: articles[0].sections[0].body: {message}"]


def test_a_reference_link_is_checked_by_its_definition(tmp_path: Path, settings: Settings) -> None:
    reference = "[the trial][t].\n\n          [t]: http://example.org/trial"
    found = check(tmp_path, settings, ("[the trial](https://example.org/trial).", reference))
    assert found == [
        "16:16: articles[0].sections[0].body: link 'http://example.org/trial' is not secure;"
        " use https:// if the site offers it [http-link]"
    ]


def test_mail_phone_and_https_links_are_fine(tmp_path: Path, settings: Settings) -> None:
    links = "[mail](mailto:a@example.org), <b@example.org>, [call](tel:+17135550100)"
    assert check(tmp_path, settings, ("[the trial](https://example.org/trial)", links)) == []


def test_contact_url_over_http(tmp_path: Path, settings: Settings) -> None:
    found = check(tmp_path, settings, ("url: https://example.org", "url: http://example.org"))
    assert found == [
        "26:8: contact.url: link 'http://example.org' is not secure; use https:// if the site "
        "offers it [http-link]"
    ]


def test_placeholder_text_left_in(tmp_path: Path, settings: Settings) -> None:
    found = check(tmp_path, settings, ("and more are expected.", "and TODO: the dates."))
    assert found == [
        "14:15: articles[0].sections[0].body: placeholder text left in ('TODO'): replace it "
        "before printing [placeholder]"
    ]


def test_every_code_is_in_the_report_schema() -> None:
    schema = json.loads((PROJECT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["issue_warning"]["properties"]["code"]["enum"] == list(CODES)


# ---------- The Spring issue ----------


def spring_copy(folder: Path, glossary: dict[str, str] | None) -> Path:
    """The Spring issue with GLOSSARY as its glossary (None: without one)."""
    data: dict[str, Any] = yaml.safe_load(SPRING.read_text(encoding="utf-8"))
    data.pop("glossary", None)
    if glossary is not None:
        data["glossary"] = glossary
    return write_issue(folder / "2009-spring.yaml", data)


def test_spring_with_its_glossary_has_only_the_copyright_finding(
    tmp_path: Path, settings: Settings
) -> None:
    found = check_issue(load_issue(spring_copy(tmp_path, SPRING_GLOSSARY)), settings.fonts)
    assert [(f.field, f.code) for f in found] == [("copyright.year", "copyright-year")]


def test_spring_without_a_glossary_flags_exactly_its_13_abbreviations(
    tmp_path: Path, settings: Settings
) -> None:
    path = spring_copy(tmp_path, None)
    found = [f for f in check_issue(load_issue(path), settings.fonts) if f.code != "copyright-year"]
    words = [f.message.split("'")[1] for f in found]
    assert words == list(SPRING_GLOSSARY)
    lines = path.read_text(encoding="utf-8").splitlines()
    for finding, word in zip(found, words, strict=True):
        assert lines[finding.line - 1][finding.column - 1 :].startswith(word)
        assert finding.code == "undefined-abbreviation"


def test_the_spring_issue_as_it_is(settings: Settings) -> None:
    text = SPRING.read_text(encoding="utf-8")
    glossary = yaml.safe_load(text).get("glossary") or {}
    found = check_issue(load_issue(SPRING), settings.fonts)
    copyright_line = text.splitlines().index("  year: 2015") + 1
    assert [str(f).split(": ", 1)[0] for f in found if f.code == "copyright-year"] == [
        f"{SPRING}:{copyright_line}:9"
    ]
    undefined = [f.message.split("'")[1] for f in found if f.code == "undefined-abbreviation"]
    assert undefined == [word for word in SPRING_GLOSSARY if word not in glossary]
    assert {f.code for f in found} <= {"copyright-year", "undefined-abbreviation"}


def test_findings_sort_in_file_order() -> None:
    early = Finding(SPRING, 3, 9, "b", "m", "placeholder")
    late = Finding(SPRING, 12, 1, "a", "m", "copyright-year")
    assert sorted([late, early]) == [early, late]


# ---------- The command line ----------


def test_check_prints_each_finding_and_a_summary(tmp_path: Path) -> None:
    path = spring_copy(tmp_path, SPRING_GLOSSARY)
    code, out, err = run("check", str(path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:")
    assert ": copyright.year: © 2015, but this is the Spring 2009 issue" in lines[0]
    assert lines[1] == "1 issue checked: 1 warning"
    assert err == ""


def test_strict_check_fails_on_warnings_only(tmp_path: Path) -> None:
    clean = write(tmp_path, CLEAN)
    assert run("check", "--strict", str(clean))[:2] == (0, "1 issue checked: 0 warnings\n")
    assert run("check", str(SPRING))[0] == 0
    assert run("check", "--strict", str(SPRING))[0] == 1


def test_check_reports_invalid_issues_and_checks_the_others(tmp_path: Path) -> None:
    clean = write(tmp_path, CLEAN)
    broken = write(tmp_path, edited(("  year: 2009\n  holder", "  yaer: 2009\n  holder")), "x.yaml")
    code, out, err = run("check", str(broken), str(clean))
    assert code == 1
    assert err.splitlines() == [
        f"{broken}:27:1: copyright.year: required field is missing",
        f"{broken}:28:3: copyright.yaer: unknown field 'yaer'; did you mean 'year'?",
        "2 problems found",
    ]
    assert out == "2 issues checked: 0 warnings, 1 invalid\n"


def test_check_without_arguments_checks_every_issue(project: Path) -> None:
    write(project / "issues", CLEAN)
    code, out, _ = run("check")
    assert code == 0
    assert out.startswith("issues/2009-spring.yaml:")
    assert "issues/2009-fall.yaml" not in out
    assert out.endswith("2 issues checked: 14 warnings\n") or out.endswith(
        "2 issues checked: 1 warning\n"  # once the Spring issue has its glossary
    )


def test_check_with_no_issue_files_is_a_usage_error(project: Path) -> None:
    for path in (project / "issues").glob("*.yaml"):
        path.unlink()
    code, _, err = run("check")
    assert code == 2
    assert "no issue files found" in err


def test_build_prints_the_findings_once_per_issue(project: Path) -> None:
    schema = json.loads((PROJECT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    issue = spring_copy(project / "issues", SPRING_GLOSSARY)
    code, out, err = run(
        "build", str(issue), "--edition", "screen,handout", "--report", "out/report.json"
    )
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.endswith("[copyright-year]")]
    assert warnings == [
        f"{issue}:{warnings[0].split(':')[1]}:9: copyright.year: © 2015, but this is the "
        "Spring 2009 issue (right only if the text was first published in 2015) [copyright-year]"
    ]
    assert out.count("wrote out/2009-spring") == 2
    report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    for entry in report["outputs"]:
        assert [w["code"] for w in entry["issue_warnings"]] == ["copyright-year"]
        assert entry["issue_warnings"][0]["field"] == "copyright.year"


def test_a_batch_build_prints_each_issues_findings_also_when_up_to_date(project: Path) -> None:
    write(project / "issues", edited(("url: https://example.org", "url: http://example.org")))
    spring_copy(project / "issues", SPRING_GLOSSARY)
    for _ in range(2):  # built, then up to date
        code, out, err = run("build", "--jobs", "2")
        assert code == 0, err
        warnings = sorted(line for line in err.splitlines() if line.endswith("]"))
        assert len(warnings) == 2
        assert warnings[0].startswith("issues/2009-fall.yaml:26:8: contact.url: ")
        assert warnings[0].endswith("[http-link]")
        assert warnings[1].startswith("issues/2009-spring.yaml:")
        assert warnings[1].endswith("[copyright-year]")
    assert "2 up to date" in out
