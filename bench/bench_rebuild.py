"""Warm rebuilds in the preview process, against cold builds of the same issue.

For each synthetic issue size, `brochure preview` runs as a whole process on a copy of the
project. Each round changes the text of one section in the middle of the issue (a sentence is
put in front of its body), waits for the preview to finish rebuilding, and reads the server's
own rebuild time and the preview process's resident memory. Rounds alternate with a cold
`brochure build` of the same issue as a fresh process, so both sides see the same machine load.

With --repeat, the large issue is rebuilt many times in one preview process, to show whether a
long editing session slows down or grows: the first and last rebuilds and the memory after each
are printed. This is a report, not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from previews import copy_project, start_preview, wait_for_build
from processes import rss_kib, run
from synthetic import write_issues

BIN = Path(sys.executable).parent
BODY = re.compile(r"(body: \|\n\s+)")


def change_one_section(issue: Path, original: str, round_number: int) -> None:
    """Put a new sentence in front of the body of the section in the middle of the issue."""
    bodies = list(BODY.finditer(original))
    middle = bodies[len(bodies) // 2]
    sentence = f"Revised in round {round_number}. "
    issue.write_text(original[: middle.end()] + sentence + original[middle.end() :])


def cold_build(project: Path, issue: Path) -> float:
    argv = [str(BIN / "brochure"), "build", str(issue), "-o", str(project / "cold.pdf")]
    return run(argv, project, {**os.environ, "BROCHURE_PROJECT": str(project)}).seconds


def measure(
    size: str, rounds: int, warmup: int, *, cold: bool
) -> tuple[list[float], list[float], list[float]]:
    """Rebuild seconds, cold build seconds and preview memory (MiB), one entry per round."""
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as folder:
        project = copy_project(Path(folder))
        [issue] = write_issues(project / "issues", 1, size)
        original = issue.read_text(encoding="utf-8")
        process, url = start_preview(project, issue)
        rebuilds: list[float] = []
        colds: list[float] = []
        memory: list[float] = []
        try:
            builds = int(wait_for_build(url, 1)["builds"])
            for round_number in range(warmup + rounds):
                time.sleep(0.2)  # let the watcher settle
                change_one_section(issue, original, round_number)
                builds += 1
                state = wait_for_build(url, builds)
                if round_number < warmup:
                    continue
                rebuilds.append(float(state["last_seconds"]))
                memory.append(rss_kib(process.pid) / 1024)
                if cold:
                    colds.append(cold_build(project, issue))
        finally:
            process.terminate()
            process.wait(60)
    return rebuilds, colds, memory


def spread(seconds: list[float]) -> str:
    milliseconds = [s * 1000 for s in seconds]
    return (
        f"{statistics.median(milliseconds):>8.0f} {min(milliseconds):>7.0f}"
        f" {max(milliseconds):>7.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium", help="synthetic sizes (small,medium)")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default: 7)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds (default: 2)")
    parser.add_argument(
        "--repeat", type=int, default=0, help="also rebuild the large issue this many times (>= 2)"
    )
    args = parser.parse_args()
    if args.repeat < 0 or args.repeat == 1:
        parser.error("--repeat must be at least 2 (its earlier and later halves are compared)")

    print(f"one section changed per round; {args.rounds} rounds after {args.warmup} warm-ups\n")
    print(f"{'issue':<8} {'':<22} {'median':>8} {'min':>7} {'max':>7}   (ms)")
    for size in args.sizes.split(","):
        rebuilds, colds, _ = measure(size, args.rounds, args.warmup, cold=True)
        ratio = statistics.median(rebuilds) / statistics.median(colds)
        print(f"{size:<8} {'warm rebuild (preview)':<22} {spread(rebuilds)}")
        print(f"{'':<8} {'cold brochure build':<22} {spread(colds)}")
        print(f"{'':<8} warm/cold (medians): {ratio:.2f}\n")

    if args.repeat:
        rebuilds, _, memory = measure("large", args.repeat, 1, cold=False)
        print(f"large issue, {args.repeat} rebuilds in one preview process:")
        print("  rebuild s: " + " ".join(f"{s:.2f}" for s in rebuilds))
        print("  RSS MiB:   " + " ".join(f"{m:.0f}" for m in memory))
        half = len(rebuilds) // 2
        drift = statistics.median(rebuilds[half:]) / statistics.median(rebuilds[:half])
        growth = memory[-1] - memory[0]
        print(f"  later/earlier half (medians): {drift:.2f}x time; memory {growth:+.0f} MiB")


if __name__ == "__main__":
    main()
