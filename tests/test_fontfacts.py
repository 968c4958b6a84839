"""Font facts: read from the font once, kept by its SHA-256, never trusted when damaged."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from brochure import fontfacts
from brochure.fontfacts import FontFacts, font_facts, kept_in
from brochure.settings import Settings
from helpers import PROJECT

FONT = Settings.for_project(PROJECT).fonts / "SourceSerif4-Regular.ttf"


@pytest.fixture(autouse=True)
def _forget() -> None:
    fontfacts._facts.cache_clear()
    fontfacts._read_from_fonts.clear()


def refuse_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> FontFacts:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(fontfacts, "_read_font", refuse)


def keep(folder: Path, font: Path = FONT) -> FontFacts:
    """Read FONT's facts as a successful build does: kept in FOLDER."""
    with kept_in(folder) as keep_read:
        facts = font_facts(font)
        keep_read()
    return facts


def test_what_is_read_from_the_font() -> None:
    facts = font_facts(FONT)
    assert facts.version.startswith("Version ")
    assert {ord(char) for char in "Leukemia Insights © 2009 \u2013 \u2019"} <= facts.characters
    assert ord("ש") not in facts.characters
    assert 0.2 < facts.advances[ord("m")] < 1.0
    assert facts.advances[ord("i")] < facts.advances[ord("m")]
    assert facts.missing_advance > 0


def test_a_later_command_reads_the_kept_facts_not_the_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = keep(tmp_path)
    [kept] = tmp_path.iterdir()
    assert kept.name == f"{fontfacts.file_sha256(FONT)}.json"
    fontfacts._facts.cache_clear()
    refuse_fonts(monkeypatch)
    with kept_in(tmp_path):
        assert font_facts(FONT) == first


def test_nothing_is_kept_unless_asked(tmp_path: Path) -> None:
    with kept_in(tmp_path):
        font_facts(FONT)
    font_facts(FONT)
    assert list(tmp_path.iterdir()) == []


def test_a_changed_font_is_read_again(tmp_path: Path) -> None:
    font = tmp_path / "font.ttf"
    shutil.copy(FONT, font)
    before = keep(tmp_path / "kept", font)
    font.write_bytes(FONT.with_name("SourceSans3-Bold.ttf").read_bytes())
    after = keep(tmp_path / "kept", font)
    assert before != after
    assert len(list((tmp_path / "kept").iterdir())) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda record: b"",
        lambda record: json.dumps(record).encode()[:-40],
        lambda record: json.dumps(record | {"format": 0}).encode(),
        lambda record: json.dumps(record | {"version": 5}).encode(),
        lambda record: json.dumps(record | {"advances": [["65", 0.5]]}).encode(),
        lambda record: json.dumps(record | {"advances": [[65, "wide"]]}).encode(),
        lambda record: json.dumps(record | {"advances": [[0x110000, 0.5]]}).encode(),
        lambda record: json.dumps(record | {"advances": [[65]]}).encode(),
        lambda record: json.dumps({"format": 1, "version": "1", "advances": []}).encode(),
        lambda record: b"[]",
    ],
)
def test_a_damaged_file_is_read_again_from_the_font_and_mended(
    tmp_path: Path, damage: Callable[[dict[str, Any]], bytes]
) -> None:
    facts = keep(tmp_path)
    [kept] = tmp_path.iterdir()
    kept.write_bytes(damage(json.loads(kept.read_bytes())))
    fontfacts._facts.cache_clear()
    assert keep(tmp_path) == facts
    assert fontfacts._load(kept) == facts


def test_a_folder_it_cannot_write_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert keep(blocked / "fonts") == font_facts(FONT)
