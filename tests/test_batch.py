"""Batch builds: parallel workers, shards, the content-hash cache, the report and SHA256SUMS."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from brochure import batch, manifest, typeset
from brochure.batch import shard
from helpers import PROJECT, copy_project, run, spring_data, write_issue

SCHEMA = json.loads((PROJECT / "docs" / "report.schema.json").read_text(encoding="utf-8"))


def add_issues(project: Path, count: int) -> list[str]:
    """COUNT more issues beside the Spring one; return every issue's name."""
    for number in range(1, count + 1):
        data = spring_data()
        data["issue"]["season"] = f"Season {number}"
        write_issue(project / "issues" / f"2010-{number:02d}.yaml", data)
    return sorted(path.name for path in (project / "issues").glob("*.yaml"))


def statuses(project: Path, *arguments: str) -> dict[str, str]:
    """Build with ARGUMENTS and a report; return each output's status by PDF or issue name."""
    code, _, err = run("build", "--report", "out/report.json", *arguments)
    report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert code == (1 if report["summary"]["failed"] else 0), err
    return {
        Path(entry.get("output") or entry["issue"]).name: entry["status"]
        for entry in report["outputs"]
    }


def test_only_what_changed_is_rebuilt(project: Path) -> None:
    add_issues(project, 2)
    pdfs = ["2009-spring.pdf", "2010-01.pdf", "2010-02.pdf"]
    assert statuses(project, "--all") == dict.fromkeys(pdfs, "built")
    assert statuses(project, "--all") == dict.fromkeys(pdfs, "cached")

    issue = project / "issues" / "2010-01.yaml"
    issue.write_text(issue.read_text().replace("Season 1", "Season One"))
    assert statuses(project, "--all") == {
        "2009-spring.pdf": "cached",
        "2010-01.pdf": "built",
        "2010-02.pdf": "cached",
    }

    template = project / "templates" / "back.html.j2"
    template.write_text(template.read_text() + "\n{# a comment changes no page #}\n")
    assert statuses(project, "--all") == dict.fromkeys(pdfs, "built")

    (project / "out" / "2010-02.pdf").write_bytes(b"%PDF-1.7 damaged")
    (project / "out" / "2009-spring.pdf").unlink()
    assert statuses(project, "--all") == {
        "2009-spring.pdf": "built",
        "2010-01.pdf": "cached",
        "2010-02.pdf": "built",
    }
    assert statuses(project, "--all", "--force") == dict.fromkeys(pdfs, "built")


def test_the_checks_run_once_per_issue_while_its_first_pdf_is_typeset(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def recorded(module: object, name: str) -> None:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, **k: calls.append(name) or real(*a, **k))

    recorded(batch, "check_issue")
    recorded(typeset, "typeset")
    code, _, err = run("build", "issues/2009-spring.yaml", "-e", "screen,print", "--jobs", "1")
    assert code == 0, err
    # Typesetting runs in this process (it has threads): the checks come first, not after.
    assert calls == ["check_issue", "typeset", "typeset"]


def test_an_up_to_date_output_keeps_its_issues_findings_without_checking_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = spring_data()
    data["articles"][0]["sections"][0]["body"] += "\nSee [the trial](http://example.org/trial).\n"
    write_issue(project / "issues" / "2009-spring.yaml", data)
    warning = "link 'http://example.org/trial' is not secure"

    def warnings_in_report() -> list[dict[str, object]]:
        report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
        [entry] = report["outputs"]
        return entry["issue_warnings"]  # type: ignore[no-any-return]

    assert statuses(project) == {"2009-spring.pdf": "built"}
    built = warnings_in_report()
    assert "http-link" in [finding["code"] for finding in built]

    monkeypatch.setattr(batch, "check_issue", lambda *a: pytest.fail("checked again"))
    code, _, err = run("build", "--report", "out/report.json")
    assert code == 0, err
    assert warnings_in_report() == built
    assert len(built) == err.count("issues/2009-spring.yaml:") and warning in err


def test_options_and_editions_have_their_own_cache_entries(project: Path) -> None:
    assert statuses(project, "-e", "screen,handout") == {
        "2009-spring.pdf": "built",
        "2009-spring.handout.pdf": "built",
    }
    assert statuses(project, "-e", "handout", "--grayscale") == {"2009-spring.handout.pdf": "built"}
    assert statuses(project, "-e", "screen,handout", "--grayscale") == {
        "2009-spring.pdf": "built",
        "2009-spring.handout.pdf": "cached",
    }


def test_a_failing_issue_does_not_stop_the_others(project: Path) -> None:
    add_issues(project, 3)
    broken = spring_data()
    broken["copyright"]["year"] = "last year"
    write_issue(project / "issues" / "2010-02.yaml", broken)
    code, out, err = run("build", "--all", "--jobs", "2")
    assert code == 1
    assert sorted(p.name for p in (project / "out").glob("*.pdf")) == [
        "2009-spring.pdf",
        "2010-01.pdf",
        "2010-03.pdf",
    ]
    assert "issues/2010-02.yaml:88:9: copyright.year: " in err
    assert "4 outputs in " in out
    assert "3 built, 0 up to date, 1 failed" in out
    assert err.rstrip().endswith("failed: issues/2010-02.yaml (screen)")


def test_a_report_of_built_cached_and_failed_outputs_follows_the_schema(project: Path) -> None:
    add_issues(project, 1)
    assert run("build", "issues/2009-spring.yaml")[0] == 0
    write_issue(project / "issues" / "2010-02.yaml", {"publication": {}})
    code, _, _ = run("build", "--all", "-e", "screen,print", "--report", "out/report.json")
    assert code == 1
    report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert report["summary"] == {"built": 3, "cached": 1, "failed": 2}
    first = report["outputs"][0]
    assert (first["issue"], first["output"], first["status"]) == (
        "issues/2009-spring.yaml",
        "out/2009-spring.pdf",
        "cached",
    )
    assert report["outputs"][-1]["problems"][0].startswith("issues/2010-02.yaml:")


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_shards_together_build_everything_exactly_once(count: int) -> None:
    paths = [Path(f"issues/{n:03d}.yaml") for n in range(10)]
    shards = [shard(paths, index, count) for index in range(1, count + 1)]
    built = [path for part in shards for path in part]
    assert sorted(built) == paths
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_the_shard_option_builds_its_share(project: Path) -> None:
    names = add_issues(project, 4)
    built = []
    for index in (1, 2, 3):
        code, _, err = run("build", "--all", "--shard", f"{index}/3")
        assert code == 0, err
        now = sorted(p.stem for p in (project / "out").glob("*.pdf"))
        built.append(sorted(set(now) - {name for part in built for name in part}))
    assert built == [
        ["2009-spring", "2010-03"],
        ["2010-01", "2010-04"],
        ["2010-02"],
    ]
    assert sorted(name for part in built for name in part) == [
        n.removesuffix(".yaml") for n in names
    ]
    code, _, err = run("build", "--all", "--shard", "4/3")
    assert code == 2
    assert "is not a shard such as 1/4" in err


def build_clone(folder: Path, jobs: str) -> str:
    """Build every issue of a fresh copy of the project in FOLDER; return its SHA256SUMS."""
    root = copy_project(folder)
    add_issues(root, 1)
    subprocess.run(
        [sys.executable, "-m", "brochure", "build", "--all", "-e", "screen,archive", "-j", jobs],
        cwd=root,
        env={**os.environ, "BROCHURE_PROJECT": str(root)},
        check=True,
        capture_output=True,
    )
    subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=root / "out", check=True)
    return (root / "out" / "SHA256SUMS").read_text(encoding="utf-8")


def test_clones_in_different_folders_build_identical_pdfs(tmp_path: Path) -> None:
    one = build_clone(tmp_path / "one", jobs="1")
    other = build_clone(tmp_path / "a" / "much" / "deeper" / "other", jobs="2")
    assert one == other
    assert [line.split()[1] for line in one.splitlines()] == [
        "2009-spring.archive.pdf",
        "2009-spring.pdf",
        "2010-01.archive.pdf",
        "2010-01.pdf",
    ]


def test_checksums_keep_earlier_outputs_and_drop_deleted_ones(project: Path) -> None:
    add_issues(project, 1)
    assert run("build", "issues/2009-spring.yaml")[0] == 0
    assert run("build", "issues/2010-01.yaml", "-e", "handout")[0] == 0
    sums = (project / "out" / "SHA256SUMS").read_text()
    assert [line.split()[1] for line in sums.splitlines()] == [
        "2009-spring.pdf",
        "2010-01.handout.pdf",
    ]
    (project / "out" / "2009-spring.pdf").unlink()
    assert run("build", "issues/2010-01.yaml", "-e", "handout")[0] == 0
    sums = (project / "out" / "SHA256SUMS").read_text()
    assert [line.split()[1] for line in sums.splitlines()] == ["2010-01.handout.pdf"]


def test_each_output_gets_a_line_when_not_on_a_terminal(project: Path) -> None:
    add_issues(project, 1)
    code, out, _ = run("build", "--all", "--jobs", "2")
    assert code == 0
    lines = out.splitlines()
    assert sorted(line.split()[1] for line in lines[:2]) == [
        "out/2009-spring.pdf",
        "out/2010-01.pdf",
    ]
    assert lines[2].startswith("2 outputs in ")
    code, out, _ = run("build", "--all")
    assert out.count("up to date ") == 2


def test_a_new_engine_version_rebuilds(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert statuses(project) == {"2009-spring.pdf": "built"}
    assert statuses(project) == {"2009-spring.pdf": "cached"}
    versions = manifest.tool_versions() | {"weasyprint": "999.0"}
    monkeypatch.setattr(manifest, "tool_versions", lambda: versions)
    assert statuses(project) == {"2009-spring.pdf": "built"}


def test_two_builds_of_one_issue_at_once_leave_one_whole_pdf(project: Path) -> None:
    command = [sys.executable, "-m", "brochure", "build", "issues/2009-spring.yaml", "--force"]
    env = {**os.environ, "BROCHURE_PROJECT": str(project)}
    runs = [subprocess.Popen(command, cwd=project, env=env) for _ in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    check = subprocess.run(["qpdf", "--check", "out/2009-spring.pdf"], cwd=project, check=False)
    assert check.returncode == 0
    subprocess.run(
        ["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=project / "out", check=True
    )
    leftovers = [p.name for p in (project / "out").rglob(".*") if p.name != ".brochure-cache"]
    assert leftovers == []


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.8, 1.1])
def test_a_build_killed_at_any_moment_loses_nothing(project: Path, delay: float) -> None:
    assert run("build", "issues/2009-spring.yaml")[0] == 0
    pdf = project / "out" / "2009-spring.pdf"
    before = pdf.read_bytes()
    build = subprocess.Popen(
        [sys.executable, "-m", "brochure", "build", "issues/2009-spring.yaml", "--force"],
        cwd=project,
        env={**os.environ, "BROCHURE_PROJECT": str(project)},
    )
    time.sleep(delay)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert pdf.read_bytes() == before  # the old PDF, or the same bytes written whole
    assert run("build", "issues/2009-spring.yaml")[0] == 0
    assert [p.name for p in (project / "out").rglob("*.tmp")] == []
