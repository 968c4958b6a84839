"""Rendering: templates escape everything, Markdown keeps to text, links stay safe."""

import datetime
import re
from pathlib import Path

import pytest

from brochure.errors import BrochureError
from brochure.load import load_issue
from brochure.render import document_date, markdown_to_html, render_issue_html, render_parts
from brochure.settings import Paper, Settings
from helpers import SPRING, layout, spring_data, write_issue


def test_markdown_paragraphs_lists_emphasis_and_links() -> None:
    html = markdown_to_html("One *two* **three**.\n\n- a\n- b\n\n1. c\n\n[site](https://x.org)")
    assert "<p>One <em>two</em> <strong>three</strong>.</p>" in html
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert "<ol>\n<li>c</li>\n</ol>" in html
    assert '<a href="https://x.org">site</a>' in html


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src="x" onerror="y">', "&lt;img src=&quot;x&quot; onerror=&quot;y&quot;&gt;"),
        ("<style>p{}</style>", "&lt;style&gt;p{}&lt;/style&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("[x](file:///etc/passwd)", "[x](file:///etc/passwd)"),
        ("[x](../secret.pdf)", "[x](../secret.pdf)"),
        ("![logo](/etc/passwd)", "![logo](/etc/passwd)"),
        ("{{ 7 * 7 }}", "{{ 7 * 7 }}"),
    ],
)
def test_markdown_shows_hostile_input_as_text(markdown: str, shown: str) -> None:
    html = markdown_to_html(markdown)
    assert shown in html
    for tag in ("<script", "<img", "<style", "href"):
        assert tag not in html


@pytest.mark.parametrize(
    ("markdown", "levels"),
    [
        ("# Top\n\n## Next", ["h3", "h4"]),
        ("## Top\n\n### Next\n\n## Again", ["h3", "h4", "h3"]),
        ("### Deep first\n\n# Then top\n\n#### Skipping two", ["h3", "h3", "h4"]),
        (
            "# A\n\n## B\n\n### C\n\n#### D\n\n##### E\n\n###### F",
            ["h3", "h4", "h5", "h6", "h6", "h6"],
        ),
    ],
)
def test_headings_in_a_body_sit_below_the_section_heading_without_gaps(
    markdown: str, levels: list[str]
) -> None:
    assert re.findall(r"<(h\d)>", markdown_to_html(markdown)) == levels


def test_bare_links_are_marked_so_print_does_not_repeat_them() -> None:
    assert 'class="bare"' in markdown_to_html("<https://example.org>")


def test_every_field_is_escaped_in_every_part(tmp_path: Path, settings: Settings) -> None:
    data = spring_data()
    data["publication"]["title"] = "<i>Insights</i>"
    data["issue"]["season"] = "Spring & <u>Summer</u>"
    data["contact"] = {"text": "<b>call</b>", "name": "<a href=x>Dr</a>", "email": "a@b.org"}
    data["articles"][0]["sections"][0]["protocols"][0]["title"] = "<em>P</em>"
    sourced = load_issue(write_issue(tmp_path / "escape.yaml", data))
    html = render_issue_html(settings, sourced, layout(settings))
    for raw in ("<i>Insights", "<u>Summer", "<b>call", "<a href=x>", "<em>P"):
        assert raw not in html
    for escaped in (
        "&lt;i&gt;Insights",
        "Spring &amp; &lt;u&gt;Summer",
        "&lt;b&gt;call",
        "&lt;a href=x&gt;Dr",
        "&lt;em&gt;P",
    ):
        assert escaped in html


def test_the_whole_issue_links_the_stylesheet_by_absolute_url(settings: Settings) -> None:
    html = render_issue_html(settings, load_issue(SPRING), layout(settings, paper=Paper.A4))
    assert f'<link rel="stylesheet" href="{settings.stylesheet.as_uri()}">' in html
    assert "@page { size: 595.276pt 841.89pt; }" in html
    assert (
        html.index('class="cover"') < html.index('class="body-part"') < html.index('class="back"')
    )


def test_parts_continue_the_page_numbers(settings: Settings) -> None:
    parts = render_parts(settings, load_issue(SPRING), layout(settings), cover_pages=None)
    assert parts.cover is not None
    assert 'class="cover"' in parts.cover
    assert "counter-set: page 2" in parts.body
    assert "break-before: left" in parts.body
    assert "counter-set" not in parts.back
    with_designer_cover = render_parts(
        settings, load_issue(SPRING), layout(settings), cover_pages=2
    )
    assert with_designer_cover.cover is None
    assert "counter-set: page 3" in with_designer_cover.body
    assert "break-before: right" in with_designer_cover.body


def test_the_pdf_date_comes_from_the_issue_then_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = spring_data()
    undated = load_issue(write_issue(tmp_path / "undated.yaml", data)).issue
    assert document_date(undated) == datetime.date(2009, 1, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1237507200")
    assert document_date(undated) == datetime.date(2009, 3, 20)
    data["issue"]["date"] = "2009-04-01"
    dated = load_issue(write_issue(tmp_path / "dated.yaml", data)).issue
    assert document_date(dated) == datetime.date(2009, 4, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BrochureError, match="SOURCE_DATE_EPOCH must be seconds"):
        document_date(undated)
