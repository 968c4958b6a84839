"""Batch builds: every edition of many issues, in parallel, skipping what is up to date.

An output is up to date when the manifest it was built from (every input's
SHA-256, the tool and engine versions, the options) is the manifest a build
would use now, and the PDF on disk is still the one that build wrote. Both
are checked by content, never by file times, so a fresh clone or a restored
CI cache behaves the same as the machine that built it.

Typesetting runs in worker processes, started as soon as the first output
needs building, so they import WeasyPrint while the rest of the jobs are
planned. Up-to-date outputs are found in this process, without importing
WeasyPrint; an output's record keeps the issue's editorial findings too, so
an issue whose outputs are all up to date is not checked again.
"""

import json
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.context import BaseContext
from pathlib import Path

from .check import Finding, check_issue
from .editions import Edition
from .errors import BrochureError
from .files import display_path, file_sha256, write_atomically
from .plan import BuildPlan, plan_build
from .preflight import PreflightReport
from .results import BuildFailure, BuildResult, Outcome
from .settings import BuildOptions, Settings
from .typesetter import forking_is_safe

CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Job:
    """One edition of one issue."""

    issue: Path
    edition: Edition


def issue_files(settings: Settings) -> list[Path]:
    """Every issue file of the project, in name order, relative to here when below it.

    Relative paths keep messages and reports short, and the same in every clone.
    """
    here = Path.cwd()
    return [
        Path(display_path(path, here)) for path in sorted((settings.root / "issues").glob("*.yaml"))
    ]


def shard(paths: Sequence[Path], index: int, count: int) -> list[Path]:
    """Shard INDEX of COUNT (1-based): every COUNT-th issue in name order, from the INDEX-th.

    Dealing round the sorted names balances the shards, and issues named by
    date keep their shard when newer ones are added after them.
    """
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: the index must be between 1 and {count}")
    return list(sorted(paths)[index - 1 :: count])


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_batch(
    jobs: Iterable[Job],
    settings: Settings,
    options: BuildOptions,
    *,
    workers: int,
    force: bool = False,
    output: Path | None = None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Build JOBS with up to WORKERS processes; return every outcome in the order of JOBS.

    ON_OUTCOME hears of each outcome as soon as it is known. Outputs that are up
    to date are not rebuilt unless FORCE. OUTPUT names the PDF of a single job.
    A failing job never stops the others. Each job is handed to a worker as
    soon as it is planned, so the workers typeset while the rest are planned.
    """
    jobs = list(jobs)
    outcomes: dict[int, Outcome] = {}
    findings: dict[Path, tuple[Finding, ...]] = {}  # the editorial checks, once per issue

    def settle(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        on_outcome(outcome)

    def check(plan: BuildPlan) -> None:
        if plan.issue_path not in findings:
            findings[plan.issue_path] = check_issue(plan.sourced, settings.fonts)

    def finish(index: int, plan: BuildPlan, outcome: Outcome) -> None:
        if isinstance(outcome, BuildResult) and outcome.cached:
            settle(index, outcome)  # with the findings its record kept
            return
        check(plan)
        outcome = replace(outcome, findings=findings[plan.issue_path])
        if isinstance(outcome, BuildResult):
            _remember(plan, outcome, settings)
        settle(index, outcome)

    with _Workers(settings, min(workers, len(jobs))) as pool:
        for index, job in enumerate(jobs):
            try:
                plan = plan_build(job.issue, settings, options, output, edition=job.edition)
            except BrochureError as error:
                settle(index, BuildFailure(job.issue, job.edition, error))
                continue
            cached = None if force else cached_result(plan, settings)
            if cached:
                finish(index, plan, cached)
                continue
            pool.submit(index, plan, meanwhile=partial(check, plan))
            for done, outcome in pool.finished():
                finish(done, pool.plans[done], outcome)
        for done, outcome in pool.finished(wait=True):
            finish(done, pool.plans[done], outcome)
    return [outcomes[index] for index in range(len(jobs))]


class _Workers:
    """Carries out plans: in this process, or with several workers, in a pool started on demand.

    The pool starts with the first plan that needs building, so its workers get
    ready while the rest are planned; each builds one plan after another.
    Nothing is started for a run whose outputs are all up to date.
    """

    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings = settings
        self.workers = workers
        self.plans: dict[int, BuildPlan] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict[Future[Outcome], int] = {}
        self._done: list[tuple[int, Outcome]] = []

    def __enter__(self) -> "_Workers":
        return self

    def __exit__(self, *exception: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def submit(self, index: int, plan: BuildPlan, meanwhile: Callable[[], None]) -> None:
        """Build PLAN; MEANWHILE is work for this process while another one typesets it.

        With workers, MEANWHILE is left to the caller, who is free while they build.
        """
        self.plans[index] = plan
        if self.workers <= 1:
            self._done.append((index, _carry_out(plan, self.settings, meanwhile)))
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_worker_context())
        self._running[self._pool.submit(_carry_out, plan, self.settings)] = index

    def finished(self, *, wait: bool = False) -> Iterator[tuple[int, Outcome]]:
        """The outcomes that are ready; with WAIT, every outcome still to come."""
        done, self._done = self._done, []
        yield from done
        ready = as_completed(self._running) if wait else [f for f in self._running if f.done()]
        for future in list(ready):
            yield self._running.pop(future), future.result()


def _worker_context() -> BaseContext:
    """How workers start: forked from this process where that is safe, else from a server.

    Forked workers start at once, with all this process has imported, and
    import WeasyPrint side by side. A fork copies whatever locks other threads
    hold, though, so a process with threads (a caller's, or a test runner's)
    forks its workers from a fork server instead: a new process that imports
    WeasyPrint once.
    """
    if forking_is_safe():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["brochure.build"])
    return context


def _carry_out(
    plan: BuildPlan, settings: Settings, meanwhile: Callable[[], None] | None = None
) -> Outcome:
    """Carry out PLAN; any failure becomes a `BuildFailure`, so the other jobs go on."""
    from .build import execute  # imports WeasyPrint: only where something is typeset

    try:
        return execute(plan, settings, meanwhile)
    except BrochureError as error:
        return BuildFailure(plan.issue_path, plan.edition, error)
    except Exception as error:  # a bug must not cost the rest of an archive run
        traceback.print_exc()
        message = f"{plan.issue_path}: internal error: {type(error).__name__}: {error}"
        return BuildFailure(plan.issue_path, plan.edition, BrochureError(message))


def cached_result(plan: BuildPlan, settings: Settings) -> BuildResult | None:
    """The recorded result of PLAN's output, if that output is up to date."""
    record_path = _record_path(plan, settings)
    if record_path is None or not record_path.is_file() or not plan.output.is_file():
        return None
    try:
        record = json.loads(record_path.read_bytes())
        if record["manifest"] != plan.manifest.key:
            return None
        if file_sha256(plan.output) != record["sha256"]:
            return None  # the PDF was changed or replaced since it was built
        return BuildResult(
            issue=plan.issue_path,
            edition=plan.edition,
            output=plan.output,
            pages=record["pages"],
            sides=record["sides"],
            bytes=record["bytes"],
            sha256=record["sha256"],
            seconds=0.0,
            preflight=PreflightReport.from_dict(record["preflight"]),
            warnings=tuple(record["warnings"]),
            findings=tuple(Finding.from_dict(plan.issue_path, f) for f in record["findings"]),
            cached=True,
        )
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable record only costs a rebuild


def _remember(plan: BuildPlan, result: BuildResult, settings: Settings) -> None:
    record_path = _record_path(plan, settings)
    if record_path is None:
        return
    record = {
        "manifest": plan.manifest.key,
        "sha256": result.sha256,
        "pages": result.pages,
        "sides": result.sides,
        "bytes": result.bytes,
        "warnings": list(result.warnings),
        "findings": [finding.as_dict() for finding in result.findings],
        "preflight": result.preflight.as_dict(),
    }
    write_atomically(record_path, (json.dumps(record, indent=2) + "\n").encode())


def _record_path(plan: BuildPlan, settings: Settings) -> Path | None:
    """Where the cache record of PLAN's output lives; outputs named by the caller have none."""
    if plan.explicit_output:
        return None
    return settings.cache / f"{plan.output.name}.json"


def update_checksums(folder: Path, results: Iterable[BuildResult]) -> Path | None:
    """Bring FOLDER's SHA256SUMS up to date with RESULTS, in `sha256sum -c` format.

    Entries of PDFs this run did not touch stay while their files exist.
    Return the file's path, or None if no result is in FOLDER.
    """
    ours = {r.output.name: r.sha256 for r in results if r.output.parent.resolve() == folder}
    if not ours:
        return None
    path = folder / CHECKSUMS
    sums = _read_checksums(path) | ours
    lines = [f"{digest}  {name}\n" for name, digest in sorted(sums.items())]
    write_atomically(path, "".join(lines).encode())
    return path


def _read_checksums(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name and (path.parent / name).is_file():
            sums[name] = digest
    return sums
