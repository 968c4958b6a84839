"""Throw-away projects, and a `brochure preview` process to drive: what the benches share."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def copy_project(target: Path, names: tuple[str, ...] = ("templates", "styles")) -> Path:
    """Copy the checkout's folders NAMES into TARGET; return TARGET."""
    for name in names:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def start_preview(project: Path, issue: Path) -> tuple[subprocess.Popen[str], str]:
    """Start `brochure preview ISSUE` in PROJECT; return the process and the page's URL."""
    process = subprocess.Popen(
        [str(BIN / "brochure"), "preview", str(issue)],
        cwd=project,
        env={**os.environ, "BROCHURE_PROJECT": str(project), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout
    for line in process.stdout:
        if match := re.search(r"http://127\.0\.0\.1:\d+/", line):
            return process, match[0]
    sys.exit("brochure preview did not start")


def status(url: str) -> dict[str, Any]:
    """The preview's /status, as JSON."""
    with urllib.request.urlopen(url + "status", timeout=60) as response:
        state: dict[str, Any] = json.load(response)
    return state


def wait_for_build(url: str, builds: int) -> dict[str, Any]:
    """Wait until the preview has finished build number BUILDS; return its status."""
    while True:
        state = status(url)
        if int(state["builds"]) >= builds and not state["building"]:
            if not state["ok"]:
                sys.exit(f"the preview failed: {state['problems']}")
            return state
        time.sleep(0.01)
