"""The brand's colours, defined once in `styles/brand.yaml`, as CSS values.

Each colour has an sRGB value for screens and office printers and a CMYK value
for the press; an edition picks the model, and a grayscale build turns either
into a gray of the same lightness.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .errors import BrochureError
from .settings import ColourModel


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rgb: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    cmyk: tuple[float, float, float, float]
    use: str = ""


@dataclass(frozen=True)
class BrandColour:
    name: str
    rgb: tuple[int, int, int]
    cmyk: tuple[float, float, float, float]
    """Ink coverage from 0 to 100 percent."""

    @property
    def luminance(self) -> float:
        """Relative luminance (WCAG), which a gray rendering keeps."""
        linear = [_linear(channel / 255) for channel in self.rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def css(self, model: ColourModel, grayscale: bool) -> str:
        """The colour as a CSS value in MODEL, or as a gray of its lightness."""
        if grayscale:
            gray = _gamma(self.luminance)
            if model is ColourModel.CMYK:
                return f"device-cmyk(0 0 0 {1 - gray:.3f})"
            return f"rgb({round(gray * 255)} {round(gray * 255)} {round(gray * 255)})"
        if model is ColourModel.CMYK:
            return "device-cmyk({})".format(" ".join(f"{ink / 100:g}" for ink in self.cmyk))
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


@cache
def read_brand(path: Path) -> tuple[BrandColour, ...]:
    """Read the brand colours from PATH (a YAML mapping of name to rgb and cmyk)."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        return tuple(_colour(name, _Entry.model_validate(entry)) for name, entry in entries.items())
    except (OSError, yaml.YAMLError, AttributeError, ValueError) as error:
        raise BrochureError(f"{path}: not a valid brand colour table ({error})") from None


def css_colours(
    colours: tuple[BrandColour, ...], model: ColourModel, grayscale: bool
) -> dict[str, str]:
    """Map each colour's name to its CSS value for this build."""
    return {colour.name: colour.css(model, grayscale) for colour in colours}


def _colour(name: object, entry: _Entry) -> BrandColour:
    # The name becomes a CSS custom property, written into every document.
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise ValueError(f"colour name {name!r} must be lowercase letters, digits and dashes")
    hex_digits = entry.rgb[1:]
    rgb = (int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16))
    return BrandColour(name, rgb, entry.cmyk)


def _linear(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _gamma(value: float) -> float:
    return value * 12.92 if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055
