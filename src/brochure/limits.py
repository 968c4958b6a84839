"""Resource limits: how much an issue file and its images may ask of a build.

Issue files and images are untrusted. Each limit bounds the time and memory
one of them can cost, and is checked before the work it guards: a file's size
before it is parsed, its nesting while it is parsed, an image's pixel count
before it is decoded. The defaults fit real newsletters many times over; a
project with larger issues raises them with `--limit NAME=VALUE`.
"""

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import BrochureError

CEILINGS = {
    # The loader and the models walk nested values recursively.
    "depth": 100,
    # Pillow refuses to open larger images (twice its Image.MAX_IMAGE_PIXELS).
    "image_pixels": 178_956_970,
}
"""How far a limit can be raised at all."""


def _limit(default: int, meaning: str) -> Any:
    return dataclasses.field(default=default, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Limits:
    """The limits one build enforces; every field is a count or a size in bytes."""

    # A real issue is a few kilobytes.
    file_size: int = _limit(2 * 1024 * 1024, "largest issue file, in bytes")
    values: int = _limit(50_000, "most values an issue may expand to (bounds alias bombs)")
    # A real issue nests five deep.
    depth: int = _limit(32, "deepest nesting of lists and mappings")
    # About 35 pages; longer text belongs in sections of its own.
    body_characters: int = _limit(100_000, "longest section body, in characters")
    sections: int = _limit(1_000, "most sections in one issue, over all its articles")
    # A Letter page at 600 dpi is 34 million pixels. Decoding is bounded by it,
    # so a small file that unpacks to gigabytes is refused unopened.
    image_pixels: int = _limit(40_000_000, "largest image, in pixels (checked before decoding)")

    @classmethod
    def names(cls) -> list[str]:
        """The limits as named on the command line: file-size, values, ..."""
        return [_option_name(limit.name) for limit in dataclasses.fields(cls)]

    def raised(self, assignments: Iterable[str]) -> "Limits":
        """These limits with each NAME=VALUE of ASSIGNMENTS applied, e.g. 'image-pixels=100M'."""
        changes = dict(_parse(assignment) for assignment in assignments)
        return dataclasses.replace(self, **changes)

    def describe(self) -> list[tuple[str, int, str]]:
        """Each limit's option name, value and meaning, for help and documentation."""
        return [
            (_option_name(limit.name), getattr(self, limit.name), limit.metadata["meaning"])
            for limit in dataclasses.fields(self)
        ]


DEFAULT_LIMITS = Limits()

_MULTIPLIERS = {
    "": 1,
    "k": 1000,
    "m": 1000**2,
    "g": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def _parse(assignment: str) -> tuple[str, int]:
    name, equals, value = assignment.partition("=")
    field_name = name.strip().replace("-", "_")
    if field_name not in {limit.name for limit in dataclasses.fields(Limits)}:
        known = ", ".join(Limits.names())
        raise BrochureError(f"unknown limit {name.strip()!r}; the limits are: {known}")
    match = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*", value.lower()) if equals else None
    if not match or match[2] not in _MULTIPLIERS:
        raise BrochureError(
            f"limit {assignment!r} must be NAME=NUMBER, e.g. {name.strip()}=100000 "
            "(k, M, G, KiB, MiB and GiB are understood)"
        )
    number = int(match[1]) * _MULTIPLIERS[match[2]]
    if number < 1:
        raise BrochureError(f"limit {assignment!r} must be at least 1")
    ceiling = CEILINGS.get(field_name)
    if ceiling is not None and number > ceiling:
        raise BrochureError(f"limit {assignment!r}: {name.strip()} can be raised to {ceiling:,}")
    return field_name, number


def _option_name(field_name: str) -> str:
    return field_name.replace("_", "-")
