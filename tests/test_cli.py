"""The command line: exit codes, messages, and where files go."""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SPRING, run, spring_data, write_issue


def broken_issue(folder: Path) -> Path:
    data = spring_data()
    data["publication"]["titel"] = data["publication"].pop("title")
    return write_issue(folder / "broken.yaml", data)


def test_build_one_issue_to_any_path(tmp_path: Path) -> None:
    code, out, _ = run("build", str(SPRING), "-o", str(tmp_path / "x.pdf"))
    assert code == 0
    assert re.fullmatch(rf"wrote {re.escape(str(tmp_path / 'x.pdf'))} \(3 pages, \d+ KiB\)\n", out)
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF-")


def test_build_without_arguments_builds_every_issue(project: Path) -> None:
    write_issue(project / "issues" / "2009-summer.yaml", spring_data())
    code, out, _ = run("build")
    assert code == 0, out
    assert sorted(p.name for p in (project / "out").glob("*.pdf")) == [
        "2009-spring.pdf",
        "2009-summer.pdf",
    ]
    assert out.count(".pdf (3 pages, ") == 2


def test_one_broken_issue_does_not_stop_the_others(project: Path) -> None:
    broken_issue(project / "issues")
    code, out, err = run("build")
    assert code == 1
    assert "2009-spring.pdf" in out
    assert "broken.yaml:3:3: publication.titel: unknown field 'titel'; did you mean 'title'?" in err
    assert not (project / "out" / "broken.pdf").exists()


def test_validate_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    code, out, err = run("validate", str(SPRING), str(broken_issue(tmp_path)))
    assert code == 1
    assert out == f"{SPRING}: ok\n"
    assert err.splitlines() == [
        f"{tmp_path}/broken.yaml:1:1: publication.title: required field is missing",
        f"{tmp_path}/broken.yaml:3:3: publication.titel: unknown field 'titel'; "
        "did you mean 'title'?",
        "2 problems found",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


def test_html_writes_the_whole_issue(tmp_path: Path) -> None:
    code, _, _ = run("html", str(SPRING), "-o", str(tmp_path / "deep" / "x.html"))
    assert code == 0
    html = (tmp_path / "deep" / "x.html").read_text(encoding="utf-8")
    for part in ('class="cover"', 'class="body-part"', 'class="back"', "Salvage Regimens"):
        assert html.count(part) >= 1


@pytest.mark.parametrize(
    "arguments",
    [
        ("build", "-o", "x.pdf", "a.yaml", "b.yaml"),
        ("build", "--paper", "tabloid", "a.yaml"),
        ("build", "--frobnicate"),
        ("validate",),
        ("frobnicate",),
    ],
)
def test_wrong_usage_exits_2(arguments: tuple[str, ...]) -> None:
    code, _, err = run(*arguments)
    assert code == 2
    assert "Usage:" in err or "Error:" in err


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("build", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "x.pdf"))
    assert code == 1
    assert err.startswith(f"{tmp_path / 'nope.yaml'}:1:1: cannot read: No such file or directory")


def test_python_m_brochure_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "brochure", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "Usage: brochure" in result.stdout
    for command in ("build", "validate", "html"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("arguments", "status", "stream", "expected"),
    [
        (["validate", "broken.yaml"], 1, "stderr", "2 problems found"),
        (["frobnicate"], 2, "stderr", "Error: No such command 'frobnicate'."),
    ],
)
def test_python_m_brochure_fails_with_its_status_and_all_its_output(
    tmp_path: Path, arguments: list[str], status: int, stream: str, expected: str
) -> None:
    broken_issue(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "brochure", *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == status
    assert expected in getattr(result, stream).splitlines()
    assert "Exception ignored" not in result.stderr


def test_every_edition_in_one_run(project: Path) -> None:
    code, out, err = run("build", "issues/2009-spring.yaml", "--edition", "all")
    assert code == 0, err
    assert sorted(p.name for p in (project / "out").glob("*.pdf")) == [
        "2009-spring.archive.pdf",
        "2009-spring.booklet.pdf",
        "2009-spring.handout.pdf",
        "2009-spring.large-print.pdf",
        "2009-spring.pdf",
        "2009-spring.print.pdf",
    ]
    assert "2009-spring.booklet.pdf (4 pages on 1 sheet, " in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--edition", "poster"], "unknown edition poster; choose from screen, print"),
        (["--edition", "print,handout", "-o", "x.pdf"], "exactly one issue file and one edition"),
        (["--paper", "a4", "--sheet", "letter"], "--sheet letter does not go with --paper a4"),
        (["--creep", "3 furlongs"], "'3 furlongs' is not a length such as 0.1mm"),
        (["--sheet", "a5"], "'a5' is not one of"),
    ],
)
def test_wrong_edition_options_are_usage_errors(
    project: Path, arguments: list[str], message: str
) -> None:
    code, _, err = run("build", "issues/2009-spring.yaml", *arguments)
    assert code == 2
    assert message in err
    assert not (project / "out").exists()


def test_the_report_lists_every_output_with_its_preflight(project: Path) -> None:
    from PIL import Image

    Image.new("RGB", (300, 150), "red").save(project / "issues" / "small.png")
    data = spring_data()
    data["cover"].update({"image": "small.png", "image_alt": "Red"})
    write_issue(project / "issues" / "2009-coarse.yaml", data)
    target = project / "out" / "report.json"
    code, out, err = run("build", "--edition", "screen,print", "--report", str(target))
    assert code == 1
    assert "2009-coarse.yaml: the print edition failed preflight" in err
    assert "image-resolution: 1 problem" in err
    assert "preflight passed: 6 checks, 4 pages" in out
    report = json.loads(target.read_text())
    entries = {(Path(e["issue"]).name, e["edition"]): e for e in report["outputs"]}
    assert sorted(entries) == [
        ("2009-coarse.yaml", "print"),
        ("2009-coarse.yaml", "screen"),
        ("2009-spring.yaml", "print"),
        ("2009-spring.yaml", "screen"),
    ]
    failed = entries["2009-coarse.yaml", "print"]
    assert failed["status"] == "failed"
    assert failed["preflight"]["passed"] is False
    (resolution,) = [c for c in failed["preflight"]["checks"] if not c["passed"]]
    assert resolution["name"] == "image-resolution"
    assert resolution["findings"][0]["page"] == 1
    built = entries["2009-spring.yaml", "print"]
    assert built["status"] == "built"
    assert built["pages"] == 4
    pdf = project / "out" / "2009-spring.print.pdf"
    assert built["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert built["bytes"] == pdf.stat().st_size
    assert not (project / "out" / "2009-coarse.print.pdf").exists()
    assert (project / "out" / "2009-coarse.pdf").exists()


def test_editions_command_lists_every_edition() -> None:
    code, out, _ = run("editions")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == ["screen", "print", "booklet", "handout", "large-print", "archive"]


def test_html_never_writes_over_a_file_the_build_reads(project: Path) -> None:
    stylesheet = project / "styles" / "brochure.css"
    before = stylesheet.read_bytes()
    code, _, err = run("html", "issues/2009-spring.yaml", "-o", "styles/brochure.css")
    assert code == 1
    assert "refusing to write the HTML over a file the build reads" in err
    assert stylesheet.read_bytes() == before
