"""The brand colour table: read once, turned into CSS per colour model."""

from pathlib import Path

import pytest

from brochure.brand import css_colours, read_brand
from brochure.errors import BrochureError
from brochure.settings import ColourModel
from helpers import PROJECT


def test_each_colour_has_a_value_per_model() -> None:
    brand = read_brand(PROJECT / "styles" / "brand.yaml")
    assert css_colours(brand, ColourModel.RGB, grayscale=False)["navy"] == "#17365d"
    assert css_colours(brand, ColourModel.CMYK, grayscale=False)["navy"] == (
        "device-cmyk(0.95 0.6 0 0.6)"
    )
    assert css_colours(brand, ColourModel.RGB, grayscale=True)["paper"] == "rgb(255 255 255)"
    assert css_colours(brand, ColourModel.CMYK, grayscale=True)["ink"].startswith(
        "device-cmyk(0 0 0 0.8"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"navy;}": {rgb: "#17365d", cmyk: [0, 0, 0, 1]}', "colour name 'navy;}' must be"),
        ('navy: {rgb: "blue", cmyk: [0, 0, 0, 1]}', "String should match pattern"),
        ('navy: {rgb: "#17365d", cmyk: [0, 0, 1]}', "cmyk"),
        ("- navy", "not a valid brand colour table"),
    ],
)
def test_a_broken_table_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BrochureError, match="not a valid brand colour table") as error:
        read_brand(path)
    assert message in str(error.value)
