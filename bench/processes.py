"""Run a command and measure it as a whole: wall seconds, and the peak memory of its processes.

`brochure build` may hand work to processes of its own (a typesetting process, batch
workers). The bench's own wait4 sees only the command's process, and its
ru_maxrss is the largest of that process and the children it waited for, never their sum. So
while the command runs, a thread adds up the RSS of every process in its tree from /proc every
few milliseconds; a run's memory is the largest such sum, or ru_maxrss if that is larger (a
peak of one process between two readings). Pages that processes share after a fork count once
in each, so the sum errs high rather than low.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.005


@dataclass(frozen=True)
class Run:
    """What one command did: wall seconds, peak memory of its processes, what it printed."""

    seconds: float
    rss_mib: float
    output: str


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ARGV in CWD; exit with its output if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    watcher = _TreeWatcher(proc.pid)
    with proc.stdout or open(os.devnull, "rb") as pipe:
        output = pipe.read().decode(errors="replace")  # drained first: the child cannot block
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    sampled = watcher.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}):\n{output}")
    kib = max(sampled, usage.ru_maxrss)  # Linux reports both in KiB
    return Run(elapsed, kib / 1024, output)


class _TreeWatcher:
    """Samples the RSS of a process and all its descendants, together, until stopped."""

    def __init__(self, pid: int) -> None:
        self.root = pid
        self.peak = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        """Stop sampling; return the largest RSS the tree had at once, in KiB."""
        self._stopping.set()
        self._thread.join()
        return self.peak

    def _watch(self) -> None:
        while not self._stopping.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, sum(rss_kib(pid) for pid in _tree(self.root)))


def _tree(pid: int) -> list[int]:
    """PID and its descendants, as far as /proc still shows them."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                children = Path(f"/proc/{current}/task/{task}/children").read_text()
                pending.extend(int(child) for child in children.split())
        except OSError:
            continue  # it ended while being read
    return found


def rss_kib(pid: int) -> int:
    """The resident memory of process PID now, in KiB; 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0  # ended, or a zombie, which holds no memory
