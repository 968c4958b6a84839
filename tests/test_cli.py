"""The command line: exit codes, messages, and where files go."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from brochure.cli import main
from helpers import SPRING, copy_project, spring_data, write_issue


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project, so builds write only under tmp_path."""
    root = copy_project(tmp_path / "project")
    monkeypatch.setenv("BROCHURE_PROJECT", str(root))
    return root


def run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.stdout, result.stderr


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
    assert sorted(p.name for p in (project / "out").iterdir()) == [
        "2009-spring.pdf",
        "2009-summer.pdf",
    ]
    assert out.count("wrote ") == 2


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
