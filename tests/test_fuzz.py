"""Property-based tests of the loader and the renderer with Hypothesis.

Whatever the issue file holds, the only exception that leaves the library is a
`BrochureError`, and no text from the issue reaches the HTML unescaped.

The default run is short, for CI. A longer campaign:

    HYPOTHESIS_PROFILE=campaign .venv/bin/pytest tests/test_fuzz.py

(100 times the examples; Hypothesis keeps failing examples in .hypothesis/ and
replays them first on the next run.)
"""

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.check import check_issue
from brochure.editions import DEFAULT_EDITION, plan_layout
from brochure.errors import BrochureError
from brochure.glyphs import font_characters
from brochure.load import load_issue
from brochure.model import SourcedIssue
from brochure.render import render_issue_html
from brochure.settings import BuildOptions, Settings
from helpers import PROJECT, spring_data

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "campaign", max_examples=6000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT_SETTINGS = Settings.for_project(PROJECT)
CHARACTERS = font_characters(PROJECT_SETTINGS.fonts)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=30,
)


def load_text(text: str | bytes) -> None:
    """Load and check TEXT as an issue file; anything but a BrochureError fails the property."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "issue.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "replace"))
        with contextlib.suppress(BrochureError):
            check_issue(load_issue(path, CHARACTERS), PROJECT_SETTINGS.fonts)


@given(st.text(max_size=400))
def test_any_text_is_loaded_or_refused(text: str) -> None:
    load_text(text)


@given(st.binary(max_size=400))
def test_any_bytes_are_loaded_or_refused(data: bytes) -> None:
    load_text(data)


@given(documents)
def test_any_yaml_document_is_loaded_or_refused(document: Any) -> None:
    load_text(yaml.safe_dump(document, allow_unicode=True))


@given(
    st.dictionaries(
        st.sampled_from(["publication", "issue", "cover", "articles", "contact", "copyright"]),
        documents,
        max_size=3,
    )
)
def test_any_field_of_a_real_issue_replaced_is_loaded_or_refused(changes: dict[str, Any]) -> None:
    data = spring_data()
    data.update(changes)
    load_text(yaml.safe_dump(data, allow_unicode=True))


MARKER = '<b class="fuzz">'
"""Markup that must never appear in the HTML as markup, whatever surrounds it."""

field_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1
).map(lambda text: f"{text}{MARKER}{text}")


@given(
    title=field_text,
    season=field_text,
    heading=field_text,
    body=field_text,
    protocol=field_text,
    contact=field_text,
    holder=field_text,
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_no_text_from_the_issue_reaches_the_html_as_markup(**fields: str) -> None:
    data = spring_data()
    data["publication"]["title"] = fields["title"]
    data["issue"]["season"] = fields["season"]
    section = data["articles"][0]["sections"][0]
    section["heading"], section["body"] = fields["heading"], fields["body"]
    section["protocols"][0]["title"] = fields["protocol"]
    data["contact"]["text"] = fields["contact"]
    data["copyright"]["holder"] = fields["holder"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "issue.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            sourced: SourcedIssue = load_issue(path)
        except BrochureError:
            return  # refused with a message: fine too
        check_issue(sourced, PROJECT_SETTINGS.fonts)  # warns, never raises
        layout = plan_layout(DEFAULT_EDITION, BuildOptions(), PROJECT_SETTINGS)
        html = render_issue_html(PROJECT_SETTINGS, sourced, layout)
    assert MARKER not in html
