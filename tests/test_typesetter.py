"""The typesetting process a one-PDF build starts ahead: same PDF, same errors, nothing left.

Each scenario runs in a fresh Python process, as the command line does: this test process has
threads, and the typesetter never forks from a process that has.
"""

import json
import subprocess
import sys
import threading
from pathlib import Path

from brochure import typesetter
from brochure.results import BuildResult
from helpers import PROJECT, SPRING

SCENARIOS = r"""
import dataclasses, json, os, signal, sys
from pathlib import Path

from brochure import typesetter
from brochure.errors import TypesetError
from brochure.plan import plan_build
from brochure.settings import BuildOptions, Settings

scenario, output = sys.argv[1], Path(sys.argv[2])
settings = Settings.for_project(Path(sys.argv[3]))
plan = plan_build(Path(sys.argv[4]), settings, BuildOptions(), output)
body = typesetter.BodyHtml("<p>Body</p>")
parts = typesetter.IssueHtml(cover=None, body=body, back="<p>Back</p>", blank=None)
missing = dataclasses.replace(plan.layout, stylesheets=(settings.styles / "missing.css",))
seen = {}
with typesetter.typesetting_ahead():
    process = typesetter._ahead
    seen["started"] = process is not None
    pid = process._process.pid
    try:
        if scenario == "build":
            from brochure.build import produce

            typesetter.load_design_ahead(plan.layout, settings.root)

            def meanwhile():  # the PDF comes while this waits only if the request went first
                seen["typeset meanwhile"] = process._connection.poll(60)

            output.write_bytes(produce(plan, settings, meanwhile=meanwhile).data)
        elif scenario == "refused":
            typesetter.load_design_ahead(missing, settings.root)
            typesetter.typeset(parts, missing, (settings.root,), strict=True)
        elif scenario == "killed":
            os.kill(pid, signal.SIGKILL)
            typesetter.typeset(parts, plan.layout, (settings.root,), strict=True)
        elif scenario == "bug":
            typesetter.typeset(None, plan.layout, (settings.root,), strict=True)
        elif scenario == "unused":
            pass
    except TypesetError as error:
        seen["error"] = str(error)
    seen["ahead after use"] = typesetter._ahead is not None
seen["weasyprint here"] = "weasyprint" in sys.modules
try:
    os.kill(pid, 0)
    seen["process left"] = True
except ProcessLookupError:
    seen["process left"] = False
print(json.dumps(seen))
"""


ENDED_CLEANLY = {"started": True, "weasyprint here": False, "process left": False}
"""A process was started ahead, this one never imported WeasyPrint, and nothing is left."""


def run_scenario(scenario: str, output: Path) -> tuple[dict[str, object], str]:
    argv = [sys.executable, "-c", SCENARIOS, scenario, str(output), str(PROJECT), str(SPRING)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout), done.stderr


def test_the_process_ahead_typesets_the_same_pdf_while_this_one_works_on(
    tmp_path: Path, spring_pdf: BuildResult
) -> None:
    seen, _ = run_scenario("build", tmp_path / "ahead.pdf")
    assert seen == ENDED_CLEANLY | {"ahead after use": False, "typeset meanwhile": True}
    assert (tmp_path / "ahead.pdf").read_bytes() == spring_pdf.output.read_bytes()


def test_a_refusal_comes_back_as_the_same_error(tmp_path: Path) -> None:
    seen, _ = run_scenario("refused", tmp_path / "x.pdf")
    assert seen["error"] == (
        f"{PROJECT / 'styles' / 'missing.css'}: stylesheet missing;"
        " the project's styles/ folder is incomplete"
    )
    assert seen["process left"] is False


def test_a_killed_process_is_an_error_not_a_hang(tmp_path: Path) -> None:
    seen, _ = run_scenario("killed", tmp_path / "x.pdf")
    assert seen["error"] == "the typesetting process ended unexpectedly (exit code -9)"
    assert seen["process left"] is False


def test_a_bug_in_the_process_is_reported_with_its_traceback(tmp_path: Path) -> None:
    seen, stderr = run_scenario("bug", tmp_path / "x.pdf")
    assert str(seen["error"]).startswith("internal error: AttributeError: 'NoneType' object")
    assert "Traceback" in stderr
    assert "brochure/typeset.py" in stderr
    assert seen["process left"] is False


def test_no_process_is_forked_from_a_process_with_threads() -> None:
    waiting = threading.Event()
    thread = threading.Thread(target=waiting.wait)
    thread.start()
    try:
        with typesetter.typesetting_ahead():
            assert typesetter._ahead is None
    finally:
        waiting.set()
        thread.join()


def test_a_thread_started_in_c_forbids_forking_too() -> None:
    # faulthandler's watchdog is a thread of C's own, unknown to the threading module.
    code = """if True:
        import faulthandler, threading
        from brochure.typesetter import forking_is_safe
        alone = forking_is_safe()
        faulthandler.dump_traceback_later(600)
        print(alone, forking_is_safe(), threading.active_count())
        faulthandler.cancel_dump_traceback_later()
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "1"]


def test_an_unused_process_ends_with_the_block(tmp_path: Path) -> None:
    seen, _ = run_scenario("unused", tmp_path / "x.pdf")
    assert seen == ENDED_CLEANLY | {"ahead after use": True}
