"""Time batch builds of many issues, as whole `brochure build --all` processes.

A throw-away project (copies of templates/ and styles/, and synthetic issues of --size written by
bench/synthetic.py) is built three ways, each time with BROCHURE_PROJECT and the working folder
set to that project, so nothing is read from or written to the checkout's issues/ or out/:

  A  --jobs 1 --force   everything typeset one issue after another in one process
  B  --jobs 2 --force   the same work shared by two worker processes
  C  --jobs 2           straight after a build, every output up to date: only the cache check

A/B is what a second core buys; C is the cost of a run that has nothing to do.

Wall-clock seconds are time.perf_counter around Popen and wait. Memory is the sum of the peak
RSS of every process of the run: with --jobs 2, the brochure process and its workers
(bench/processes.py).

One untimed warm-up of A, B and C fills the OS file cache. Each timed round then runs A and B,
alternating their order (A B, B A, ...) so that drift in machine load or CPU frequency lands on
both alike, and then C. Every run must exit 0, every C must find all outputs up to date, and the
SHA256SUMS that A and B leave in out/ are compared. This is a report, not a test: nothing here
asserts on timings.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from pypdf import PdfReader

from previews import copy_project
from processes import Run
from processes import run as run_command
from synthetic import SIZES, write_issues

BROCHURE = Path(sys.executable).parent / "brochure"
BUILD = [str(BROCHURE), "build", "--all", "--edition", "screen"]


@dataclass
class Command:
    """One way of running the batch, and what its timed runs measured."""

    label: str
    argv: list[str]
    seconds: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)


def make_project(folder: Path, issues: int, size: str) -> Path:
    """A project in FOLDER: the checkout's templates and styles, and ISSUES issues of SIZE."""
    copy_project(folder)
    write_issues(folder / "issues", issues, size)
    return folder


def run(argv: list[str], project: Path) -> Run:
    """Run argv in PROJECT; exit with its output if it fails."""
    return run_command(argv, project, os.environ | {"BROCHURE_PROJECT": str(project)})


def checksums(project: Path) -> bytes:
    """The SHA256SUMS the last build wrote into the project's out/."""
    return (project / "out" / "SHA256SUMS").read_bytes()


def check_up_to_date(result: Run, issues: int) -> None:
    """Exit unless the run found every output up to date (a fully cached run)."""
    cached = sum(line.startswith("up to date ") for line in result.output.splitlines())
    if cached != issues:
        sys.exit(f"expected {issues} outputs up to date, found {cached}:\n{result.output}")


def page_counts(project: Path) -> list[int]:
    """Pages of each PDF in the project's out/."""
    return [len(PdfReader(pdf).pages) for pdf in sorted((project / "out").glob("*.pdf"))]


def measure(project: Path, issues: int, rounds: int) -> tuple[list[Command], set[bytes]]:
    """Warm up, then time ROUNDS rounds; return the commands and every SHA256SUMS A and B left."""
    a = Command("A  --jobs 1 --force", [*BUILD, "--jobs", "1", "--force"])
    b = Command("B  --jobs 2 --force", [*BUILD, "--jobs", "2", "--force"])
    c = Command("C  --jobs 2, up to date", [*BUILD, "--jobs", "2"])
    sums = set()
    for command in (a, b):  # warm-up, not recorded
        run(command.argv, project)
        sums.add(checksums(project))
    check_up_to_date(run(c.argv, project), issues)
    for n in range(rounds):
        for command in (a, b) if n % 2 == 0 else (b, a):
            record(command, run(command.argv, project))
            sums.add(checksums(project))
        result = run(c.argv, project)
        check_up_to_date(result, issues)
        record(c, result)
    return [a, b, c], sums


def record(command: Command, result: Run) -> None:
    """Keep the figures of one timed run of COMMAND."""
    command.seconds.append(result.seconds)
    command.rss_mib.append(result.rss_mib)


def report(commands: list[Command], sums: set[bytes], issues: int, pages: list[int]) -> None:
    """Print the table, the ratios and whether A and B wrote the same PDFs."""
    a, b, c = commands
    print(f"{'run':<24}  median s   min s   max s  s/issue  RSS MiB, all")
    for command in commands:
        median = statistics.median(command.seconds)
        print(
            f"{command.label:<24} {median:>9.3f} {min(command.seconds):>7.3f}"
            f" {max(command.seconds):>7.3f} {median / issues:>8.3f}"
            f" {statistics.median(command.rss_mib):>13.1f}"
        )
    speed_up = statistics.median(a.seconds) / statistics.median(b.seconds)
    print(f"\nA/B (medians): {speed_up:.2f}x speed-up with --jobs 2")
    print(f"C (median): {statistics.median(c.seconds):.3f} s for {issues} up-to-date outputs")
    print(f"outputs identical: {'yes' if len(sums) == 1 else 'no'} (SHA256SUMS after A and B)")
    print(f"pages per issue: {min(pages)}-{max(pages)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20, help="synthetic issues (default: 20)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default: 5)")
    parser.add_argument(
        "--size", choices=sorted(SIZES), default="small", help="of each issue (default: small)"
    )
    args = parser.parse_args()
    print(
        f"{args.issues} synthetic {args.size} issues, screen edition,"
        f" {args.rounds} round{'s' if args.rounds != 1 else ''}"
        f" (A and B alternate order)\ncores: {len(os.sched_getaffinity(0))},"
        f" Python {platform.python_version()}, WeasyPrint {version('weasyprint')},"
        f" brochure {version('brochure')}\n"
    )
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp_name:
        project = make_project(Path(tmp_name), args.issues, args.size)
        commands, sums = measure(project, args.issues, args.rounds)
        report(commands, sums, args.issues, page_counts(project))


if __name__ == "__main__":
    main()
