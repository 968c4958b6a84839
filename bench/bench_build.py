"""Compare `brochure build` with bare `weasyprint` on the same issue, as whole processes.

Side A runs `brochure build ISSUE -o a.pdf` (load YAML, validate, render, typeset, post-process).
Side B runs `weasyprint issue.html b.pdf` on the HTML that `brochure html` wrote for the same
issue, so it measures the typesetting alone. Their ratio is the cost brochure adds on top.

For each command we record wall-clock seconds (time.perf_counter around Popen and wait) and the
peak memory of all its processes, summed (bench/processes.py). One untimed warm-up run of each
side fills the OS file cache first. The sides then alternate order from round to round (A B,
B A, A B, ...), so slow drift in machine load, CPU frequency or caching lands on both sides alike
rather than always favouring the one that runs second. This is a report, not a test: nothing
here asserts on timings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from processes import run
from synthetic import SIZES, write_issues

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEASYPRINT_OPTIONS = ["--pdf-tags", "--pdf-variant", "pdf/ua-1"]


@dataclass
class Side:
    name: str
    argv: list[str]
    output: Path
    seconds: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("issue", nargs="?", default="issues/2009-spring.yaml", type=Path)
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default: 7)")
    parser.add_argument(
        "--synthetic",
        choices=sorted(SIZES),
        help="build a synthetic issue of this size (bench/synthetic.py) instead of ISSUE",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.synthetic:
            [issue] = write_issues(tmp / "issues", 1, args.synthetic)
            args.issue = Path(f"synthetic {args.synthetic} issue")
        else:
            issue = (ROOT / args.issue).resolve()
        html = tmp / "issue.html"
        run([str(BIN / "brochure"), "html", str(issue), "-o", str(html)], ROOT)
        a_pdf, b_pdf = tmp / "a.pdf", tmp / "b.pdf"
        sides = (
            Side("brochure", [str(BIN / "brochure"), "build", str(issue), "-o", str(a_pdf)], a_pdf),
            # The same PDF options brochure uses (tagged PDF/UA-1), so both do the same work.
            Side(
                "weasyprint",
                [str(BIN / "weasyprint"), *WEASYPRINT_OPTIONS, str(html), str(b_pdf)],
                b_pdf,
            ),
        )
        for side in sides:  # warm-up, not recorded
            run(side.argv, ROOT)
        for n in range(args.rounds):
            for side in sides if n % 2 == 0 else sides[::-1]:
                measured = run(side.argv, ROOT)
                side.seconds.append(measured.seconds)
                side.rss_mib.append(measured.rss_mib)

        print(f"{args.issue}: {args.rounds} rounds, alternating order\n")
        print(f"{'side':<11}  median s   min s   max s  RSS MiB pages    bytes")
        for side in sides:
            pages, size = len(PdfReader(side.output).pages), side.output.stat().st_size
            print(
                f"{side.name:<11} {statistics.median(side.seconds):>9.3f}"
                f" {min(side.seconds):>7.3f} {max(side.seconds):>7.3f}"
                f" {statistics.median(side.rss_mib):>8.1f} {pages:>5} {size:>8}"
            )
        a, b = sides
        time_ratio = statistics.median(a.seconds) / statistics.median(b.seconds)
        rss_ratio = statistics.median(a.rss_mib) / statistics.median(b.rss_mib)
        print(f"\nbrochure/weasyprint (medians): time {time_ratio:.2f}x, memory {rss_ratio:.2f}x")


if __name__ == "__main__":
    main()
