"""Measure the editor's loop: from saving the issue file to seeing the change in the browser.

`brochure preview` runs as a whole process on a copy of the project, and Debian's Chromium
(driven by Playwright) shows it. Each round writes a new heading into the issue file and times,
from just before the write to the moment the browser's page contains the new heading
(`wait_for_function`, polled on every animation frame). That span holds the file watcher's
notice, the quiet time that groups an editor's burst of writes, the warm rebuild, the server-sent
event, the browser's fetch of the new pages and the decoding of their pictures, which the page
waits for before it swaps them in. The server's own rebuild time is read from `/status` after
each round. The browser context bypasses the page's Content Security Policy only because
Playwright's `wait_for_function` evaluates its predicate as a string; the page's own script runs
the same either way.

Untimed warm-up rounds come first; then the median and the range of the timed rounds are
printed, and the time of `brochure proof` as a whole process. This is a report, not a test:
nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from previews import copy_project, start_preview, status

BIN = Path(sys.executable).parent
ISSUE = Path("issues/2009-spring.yaml")
HEADING = "heading: Other salvage regimens"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOWS = "text => document.getElementById('live').textContent.includes(text)"


def time_proofs(project: Path, rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "brochure"), "proof", str(ISSUE)],
            cwd=project,
            env={**os.environ, "BROCHURE_PROJECT": str(project)},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def describe(name: str, milliseconds: list[float]) -> str:
    return (
        f"{name:<24} {statistics.median(milliseconds):>8.0f} "
        f"{min(milliseconds):>8.0f} {max(milliseconds):>8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds (default: 9)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds (default: 2)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-preview-") as folder:
        project = copy_project(Path(folder), ("templates", "styles", "issues"))
        issue = project / ISSUE
        original = issue.read_text(encoding="utf-8")
        assert HEADING in original
        process, url = start_preview(project, ISSUE)
        refresh_ms: list[float] = []
        rebuild_ms: list[float] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(
                    viewport={"width": 1280, "height": 800}, bypass_csp=True
                )
                page = context.new_page()
                page.goto(url)
                page.wait_for_function(SHOWS, arg="Other salvage regimens", timeout=60_000)
                for round_number in range(args.warmup + args.rounds):
                    heading = f"Salvage regimens, round {round_number}"
                    time.sleep(0.5)  # let the previous round's requests finish
                    started = time.perf_counter()
                    issue.write_text(original.replace(HEADING, f"heading: {heading}"))
                    page.wait_for_function(SHOWS, arg=heading, polling="raf", timeout=60_000)
                    elapsed = time.perf_counter() - started
                    if round_number >= args.warmup:
                        refresh_ms.append(elapsed * 1000)
                        rebuild_ms.append(float(status(url)["last_seconds"]) * 1000)
                browser.close()
        finally:
            process.terminate()
            process.wait(60)
        proof_ms = [seconds * 1000 for seconds in time_proofs(project, max(3, args.rounds // 3))]

    print(f"{ISSUE}: {args.rounds} rounds after {args.warmup} warm-up rounds\n")
    print(f"{'':<24} {'median':>8} {'min':>8} {'max':>8}   (ms)")
    print(describe("save to refreshed page", refresh_ms))
    print(describe("rebuild in the server", rebuild_ms))
    print(describe("brochure proof (process)", proof_ms))
    outside = [total - rebuild for total, rebuild in zip(refresh_ms, rebuild_ms, strict=True)]
    print(
        f"\noutside the rebuild (watch, quiet time, event, fetch, pictures): "
        f"median {statistics.median(outside):.0f} ms"
    )


if __name__ == "__main__":
    main()
