"""Resource limits: their defaults, and changing them from the command line."""

import io
from pathlib import Path

import pytest
from PIL import Image

from brochure.errors import BrochureError
from brochure.limits import DEFAULT_LIMITS, Limits
from helpers import run, spring_data, write_issue


def test_defaults_are_documented() -> None:
    assert DEFAULT_LIMITS.describe() == [
        ("file-size", 2 * 1024 * 1024, "largest issue file, in bytes"),
        ("values", 50_000, "most values an issue may expand to (bounds alias bombs)"),
        ("depth", 32, "deepest nesting of lists and mappings"),
        ("body-characters", 100_000, "longest section body, in characters"),
        ("sections", 1_000, "most sections in one issue, over all its articles"),
        ("image-pixels", 40_000_000, "largest image, in pixels (checked before decoding)"),
    ]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, value, _ in DEFAULT_LIMITS.describe():
        assert f"| `{name}` | {value:,}" in readme


@pytest.mark.parametrize(
    ("assignment", "field", "value"),
    [
        ("image-pixels=100M", "image_pixels", 100_000_000),
        ("file-size=10MiB", "file_size", 10 * 1024 * 1024),
        ("file_size = 3 kib", "file_size", 3072),
        ("values=200k", "values", 200_000),
        ("depth=64", "depth", 64),
        ("sections=5", "sections", 5),
        ("body-characters=1G", "body_characters", 1_000_000_000),
    ],
)
def test_limits_are_changed_by_name(assignment: str, field: str, value: int) -> None:
    changed = DEFAULT_LIMITS.raised([assignment])
    assert getattr(changed, field) == value
    assert changed == Limits(**{field: value})


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("pixels=1", "unknown limit 'pixels'; the limits are: file-size, values, depth,"),
        ("values", "limit 'values' must be NAME=NUMBER, e.g. values=100000"),
        ("values=lots", "limit 'values=lots' must be NAME=NUMBER"),
        ("values=-5", "must be NAME=NUMBER"),
        ("values=1.5M", "must be NAME=NUMBER"),
        ("values=5T", "must be NAME=NUMBER"),
        ("values=0", "limit 'values=0' must be at least 1"),
        ("depth=101", "limit 'depth=101': depth can be raised to 100"),
        ("image-pixels=1G", "image-pixels can be raised to 178,956,970"),
    ],
)
def test_bad_limits_are_refused(assignment: str, message: str) -> None:
    with pytest.raises(BrochureError) as raised:
        DEFAULT_LIMITS.raised([assignment])
    assert message in str(raised.value)


def test_a_bad_limit_is_a_usage_error(tmp_path: Path) -> None:
    issue = write_issue(tmp_path / "x.yaml", spring_data())
    code, _, err = run("validate", "--limit", "pixels=1", str(issue))
    assert code == 2
    assert "Invalid value for '--limit': unknown limit 'pixels'" in err


def _long_body_issue(folder: Path) -> Path:
    data = spring_data()
    data["articles"][0]["sections"][0]["body"] = "word " * 30_000  # 150,000 characters
    return write_issue(folder / "long.yaml", data)


def test_a_limit_can_be_raised(tmp_path: Path) -> None:
    issue = _long_body_issue(tmp_path)
    code, _, err = run("validate", str(issue))
    assert code == 1
    assert "body: is longer than 100,000 characters; split it into sections" in err
    code, out, err = run("validate", "--limit", "body-characters=200k", str(issue))
    assert (code, out, err) == (0, f"{issue}: ok\n", "")


def test_limits_come_from_the_environment_too(tmp_path: Path) -> None:
    issue = _long_body_issue(tmp_path)
    environment = {"BROCHURE_LIMITS": "body-characters=1M file-size=4MiB"}
    code, out, _ = run("validate", str(issue), env=environment)
    assert (code, out) == (0, f"{issue}: ok\n")


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("file-size=1000", "1:1: file is larger than 1,000 bytes"),
        ("file-size=1KiB", "1:1: file is larger than 1,024 bytes"),
        ("values=20", "more than 20 values (are aliases expanding too far?)"),
        ("depth=2", "values are nested more than 2 deep"),
        ("body-characters=100", "body: is longer than 100 characters; split it into sections"),
        ("sections=1", "articles: 2 sections; an issue may have at most 1"),
    ],
)
def test_a_limit_can_be_lowered(tmp_path: Path, assignment: str, message: str) -> None:
    issue = write_issue(tmp_path / "x.yaml", spring_data())
    code, _, err = run("validate", "--limit", assignment, str(issue))
    assert code == 1
    assert message in err


def test_the_image_limit_is_checked_before_decoding(tmp_path: Path) -> None:
    """A PNG cut off in its pixels: too large by its header, else found unreadable."""
    png = io.BytesIO()
    Image.new("RGB", (200, 100), "navy").save(png, "PNG")
    whole = png.getvalue()
    (tmp_path / "cover.png").write_bytes(whole[: whole.index(b"IDAT") + 8])
    data = spring_data()
    data["cover"].update(image="cover.png", image_alt="A navy field")
    issue = write_issue(tmp_path / "x.yaml", data)
    code, _, err = run("validate", "--limit", "image-pixels=19999", str(issue))
    assert code == 1
    assert (
        "cover.image: 'cover.png' is 200x100 pixels; an image may have at most 19,999 pixels"
    ) in err
    code, _, err = run("validate", "--limit", "image-pixels=20000", str(issue))
    assert code == 1
    assert "cover.image: 'cover.png' is not a readable image (image file is truncated" in err


def test_a_batch_build_keeps_the_limits(project: Path) -> None:
    for season in ("spring", "summer", "fall"):
        write_issue(project / "issues" / f"2009-{season}.yaml", spring_data())
    code, _, err = run("build", "--all", "-j", "2", "--limit", "sections=1")
    assert code == 1
    assert err.count("articles: 2 sections; an issue may have at most 1") == 3
    assert not list((project / "out").glob("*.pdf"))


@pytest.mark.parametrize("command", ["build", "validate", "html", "check", "proof"])
def test_every_command_that_reads_an_issue_keeps_the_limits(project: Path, command: str) -> None:
    code, _, err = run(command, "--limit", "sections=1", "issues/2009-spring.yaml")
    assert code == 1
    assert "articles: 2 sections; an issue may have at most 1" in err
