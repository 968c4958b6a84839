"""The build manifest: every input of one build, and every tool that shaped its bytes.

Two builds with the same manifest write the same PDF, so the manifest's hash
is the cache key of an output, and the archive edition embeds the manifest so
that the PDF says what it was made from. Inputs are named relative to the
project (templates and styles) or to the issue's folder (the issue and the
files it names), never by a machine path, so the manifest is the same in every
clone of the project.
"""

import datetime
import hashlib
import json
import platform
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pikepdf

from . import __version__
from .editions import Edition
from .files import file_sha256
from .fontfacts import font_facts
from .glyphs import FONT_SUFFIXES
from .model import SourcedIssue
from .settings import BuildOptions, Settings

FORMAT = "brochure-manifest/1"
FILENAME = "brochure-manifest.json"
TOOLS = ("weasyprint", "pydyf", "pikepdf", "pillow", "fonttools", "page-validation")
"""The packages whose version can change a PDF's bytes or its preflight verdict."""


@dataclass(frozen=True)
class Manifest:
    """What one edition of one issue is built from."""

    issue: str
    """The issue file's name."""
    edition: str
    options: Mapping[str, object]
    date: datetime.date
    """The date the PDF carries."""
    source: Mapping[str, str]
    """SHA-256 of the issue file and the files it names, by their names in its folder."""
    design: Mapping[str, str]
    """SHA-256 of every template and style file (fonts, colour profile), by project path."""
    fonts: Mapping[str, str]
    """The version each font file declares."""
    tools: Mapping[str, str]

    def as_json(self) -> bytes:
        """Canonical JSON: the same manifest always gives the same bytes."""
        data = {"format": FORMAT, **asdict(self), "date": self.date.isoformat()}
        return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()

    @property
    def key(self) -> str:
        """The cache key of the output built from this manifest."""
        return hashlib.sha256(self.as_json()).hexdigest()


def build_manifest(
    sourced: SourcedIssue,
    design: Mapping[str, Path],
    options: BuildOptions,
    edition: Edition,
    date: datetime.date,
) -> Manifest:
    """The manifest of building EDITION of SOURCED with OPTIONS and the DESIGN files."""
    fonts = {
        name: font_facts(path).version
        for name, path in design.items()
        if path.suffix.lower() in FONT_SUFFIXES
    }
    return Manifest(
        issue=sourced.path.name,
        edition=edition.name,
        options=_options(options),
        date=date,
        source=_digests(source_files(sourced)),
        design=_digests(design),
        fonts=dict(sorted(fonts.items())),
        tools=tool_versions(),
    )


def source_files(sourced: SourcedIssue) -> dict[str, Path]:
    """The issue file and the files it names, by the name the manifest gives them."""
    files = {sourced.path.name: sourced.path}
    for relative in sourced.issue.assets.values():
        files[relative.as_posix()] = sourced.folder / relative
    return files


def design_files(settings: Settings) -> dict[str, Path]:
    """Every template and style file of the project, by its path in the project."""
    return {
        path.relative_to(settings.root).as_posix(): path
        for folder in (settings.templates, settings.styles)
        for path in _files(folder)
    }


def differences(recorded: Mapping[str, object], settings: Settings) -> list[str]:
    """How this project and these tools differ from what a RECORDED manifest was built with.

    Any difference means a rebuild may not reproduce the recorded output byte for byte.
    """
    found = []
    tools = recorded.get("tools")
    for name, now in tool_versions().items():
        then = tools.get(name) if isinstance(tools, Mapping) else None
        if then != now:
            found.append(f"{name} {now} here, {then or 'unknown'} in the manifest")
    design = recorded.get("design")
    design = design if isinstance(design, Mapping) else {}
    current = _digests(design_files(settings))
    for name in sorted(set(design) | set(current)):
        if design.get(name) != current.get(name):
            if name not in current:
                found.append(f"{name}: missing here")
            elif name not in design:
                found.append(f"{name}: not in the manifest")
            else:
                found.append(f"{name}: changed")
    return found


def _digests(files: Mapping[str, Path]) -> dict[str, str]:
    return {name: file_sha256(path) for name, path in sorted(files.items())}


def _files(folder: Path) -> list[Path]:
    """Every file under FOLDER, in name order, without hidden files and caches."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in path.parts)
    )


def _options(options: BuildOptions) -> dict[str, object]:
    return {
        "paper": options.paper.value,
        "sheet": options.sheet.value if options.sheet else None,
        "creep_pt": round(options.creep, 4),
        "grayscale": options.grayscale,
        "strict": options.strict,
    }


@cache
def tool_versions() -> dict[str, str]:
    """brochure's version, the engine's, and what else decides the output bytes.

    brochure's own code is identified by its hash as well as its version, so a
    checkout between releases never reuses outputs of code that has changed.
    """
    return {
        "brochure": __version__,
        "brochure-code": _code_sha256(),
        **{name: version(name) for name in TOOLS},
        "qpdf": pikepdf.__libqpdf_version__,  # pikepdf wheels bring their own
        "python": platform.python_version(),
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
    }


def _code_sha256() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
