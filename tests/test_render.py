"""Rendering: templates escape everything, Markdown keeps to text, links stay safe."""

import datetime
import re
from pathlib import Path

import pytest
from PIL import Image

from brochure.errors import BrochureError
from brochure.load import load_issue
from brochure.model import SourcedIssue
from brochure.render import document_date, markdown_to_html, render_issue_html, render_parts
from brochure.settings import Paper, Settings
from helpers import SPRING, layout, multi_article_issue, spring_data, write_issue


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


def test_the_parts_leave_page_numbers_to_the_typesetter(settings: Settings) -> None:
    """Only the typesetter knows on which page each part starts."""
    parts = render_parts(settings, load_issue(SPRING), layout(settings), cover_pages=None)
    assert "counter-set" not in parts.body.whole + parts.back


def test_a_designer_cover_replaces_the_rendered_one(settings: Settings) -> None:
    parts = render_parts(settings, load_issue(SPRING), layout(settings), cover_pages=None)
    assert parts.cover is not None
    assert 'class="cover"' in parts.cover
    with_designer_cover = render_parts(
        settings, load_issue(SPRING), layout(settings), cover_pages=2
    )
    assert with_designer_cover.cover is None


def test_the_body_in_pieces_holds_each_article_once(tmp_path: Path, settings: Settings) -> None:
    """The contents go with the first article and the glossary with the last, where the
    whole body has them; each article keeps its number, id and sections."""
    data = multi_article_issue()
    data["glossary"] = {"AML": "acute myeloid leukemia"}
    sourced = load_issue(write_issue(tmp_path / "issue.yaml", data))
    parts = render_parts(settings, sourced, layout(settings), cover_pages=None, pieces=True)
    assert render_parts(settings, sourced, layout(settings), cover_pages=None).body.pieces == ()
    assert parts.glossary_in_body is not None
    for body, glossary in ((parts.body, False), (parts.glossary_in_body[0], True)):
        pieces = body.pieces
        assert [piece.anchor for piece in pieces] == [None, "article-2", "article-3"]
        assert ['class="toc"' in piece.html for piece in pieces] == [True, False, False]
        assert ['class="glossary"' in piece.html for piece in pieces] == [False, False, glossary]
        for number, (piece, article) in enumerate(
            zip(pieces, data["articles"], strict=True), start=1
        ):
            assert re.findall(r'<article class="article" id="([^"]+)"', piece.html) == [
                f"article-{number}"
            ]
            assert all(section["heading"] in piece.html for section in article["sections"])
            assert piece.html.count('class="running-head"') == 1
        assert ('class="glossary"' in body.whole) == glossary


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


def sourced_issue(folder: Path, body: str, **extra: object) -> SourcedIssue:
    """A one-section issue with BODY and two figures, loaded from FOLDER."""
    Image.new("RGB", (300, 200), "teal").save(folder / "one.png")
    Image.new("RGB", (300, 200), "navy").save(folder / "two.png")
    data = spring_data()
    data["articles"] = [{"title": "T", "sections": [{"heading": "H", "body": body}]}]
    data["articles"][0]["sections"][0]["figures"] = [
        {"src": "one.png", "alt": "First", "caption": "One."},
        {"src": "two.png", "alt": "Second", "caption": "Two."},
    ]
    data.pop("glossary", None)
    data.update(extra)
    return load_issue(write_issue(folder / "issue.yaml", data))


def body_order(html: str, *marks: str) -> list[str]:
    """MARKS sorted by where they first occur in HTML."""
    return sorted(marks, key=html.index)


@pytest.mark.parametrize(
    ("mention", "both"),
    [
        ("Figure 2", False),
        ("figure 2", False),
        ("Fig. 2", False),
        ("Fig 2", False),
        ("Figures 1 and 2", True),
        ("Figs. 1\u20132", True),
        ("figures 1, 2", True),
    ],
)
def test_a_figure_follows_the_block_that_first_mentions_it(
    tmp_path: Path, settings: Settings, mention: str, both: bool
) -> None:
    body = f"First paragraph.\n\n- a list that cites {mention}\n- in its second item\n\nLast."
    html = render_parts(
        settings, sourced_issue(tmp_path, body), layout(settings), cover_pages=None
    ).body.whole
    # Never inside the list: after it. A figure nobody mentions ends the section.
    expected = ["First paragraph.", "</ul>", "Figure 1.", "Figure 2.", "Last."]
    if not both:
        expected = ["First paragraph.", "</ul>", "Figure 2.", "Last.", "Figure 1."]
    assert body_order(html, *expected) == expected


@pytest.mark.parametrize("text", ["Figure 12", "Table 2", "Configure 2 things", "the figure"])
def test_other_numbers_are_not_mentions(tmp_path: Path, settings: Settings, text: str) -> None:
    parts = render_parts(
        settings, sourced_issue(tmp_path, f"{text}.\n\nLast."), layout(settings), cover_pages=None
    )
    assert body_order(parts.body.whole, "Last.", "Figure 1.", "Figure 2.") == [
        "Last.",
        "Figure 1.",
        "Figure 2.",
    ]


def test_figures_name_their_images_by_portable_asset_urls(
    tmp_path: Path, settings: Settings
) -> None:
    sourced = sourced_issue(tmp_path, "Text.")
    parts = render_parts(settings, sourced, layout(settings), cover_pages=None)
    assert '<img class="figure-image" src="asset:one.png" alt="First">' in parts.body.whole
    assert str(tmp_path) not in parts.body.whole
    assert ".figure-image { image-resolution: 150dpi; }" in parts.body.whole
    print_parts = render_parts(settings, sourced, layout(settings, "print"), cover_pages=None)
    assert ".figure-image { image-resolution: 300dpi; }" in print_parts.body.whole


def test_an_ornament_has_empty_alt_text_and_no_number(tmp_path: Path, settings: Settings) -> None:
    Image.new("RGB", (300, 20), "red").save(tmp_path / "rule.png")
    data = spring_data()
    data["articles"][0]["sections"][0]["figures"] = [
        {"src": "rule.png", "decorative": True, "credit": "Drawing: A. Artist"},
        {"src": "rule.png", "alt": "A red rule"},
    ]
    sourced = load_issue(write_issue(tmp_path / "issue.yaml", data))
    parts = render_parts(settings, sourced, layout(settings), cover_pages=None)
    assert '<img class="figure-image" src="asset:rule.png" alt="">' in parts.body.whole
    assert "Drawing: A. Artist" in parts.body.whole
    assert "Figure 1." in parts.body.whole
    assert "Figure 2." not in parts.body.whole
    assert parts.ornaments == frozenset({"asset:rule.png"})


GLOSSARY = {"APL": "acute promyelocytic leukemia", "CR": "complete remission", "FLT3": "FMS-like"}


def test_the_first_use_of_each_abbreviation_is_marked(tmp_path: Path, settings: Settings) -> None:
    body = (
        "# APL in a heading\n\n"
        "See [APL](https://example.org), `APL`, apl, APLs, xAPL and FLT3-ITD.\n\n"
        "Then *APL* in CR, and APL and CR again."
    )
    sourced = sourced_issue(tmp_path, body, glossary=GLOSSARY)
    parts = render_parts(settings, sourced, layout(settings), cover_pages=None)
    html = parts.body.whole
    expand = '<abbr title="{}"><span>{}</span></abbr>'
    assert html.count("<abbr") == 3
    assert expand.format("FMS-like", "FLT3") + "-ITD" in html
    assert "<em>" + expand.format("acute promyelocytic leukemia", "APL") + "</em>" in html
    assert "in " + expand.format("complete remission", "CR") + ", and APL and CR again" in html
    assert parts.abbreviations == (
        ("FLT3", "FMS-like"),
        ("APL", "acute promyelocytic leukemia"),
        ("CR", "complete remission"),
    )


def test_an_expansion_is_escaped(tmp_path: Path, settings: Settings) -> None:
    sourced = sourced_issue(tmp_path, "APL.", glossary={"APL": 'a "b" <c> & d'})
    html = render_parts(settings, sourced, layout(settings), cover_pages=None).body.whole
    assert '<abbr title="a &quot;b&quot; &lt;c&gt; &amp; d"><span>APL</span></abbr>' in html


def test_the_glossary_is_sorted_and_goes_on_the_back_page_or_ends_the_body(
    tmp_path: Path, settings: Settings
) -> None:
    sourced = sourced_issue(tmp_path, "Text.", glossary={"ATO": "x", "aPTT": "y", "APL": "z"})
    parts = render_parts(settings, sourced, layout(settings), cover_pages=None)
    assert 'class="glossary"' in parts.back
    assert 'class="glossary"' not in parts.body.whole
    assert parts.glossary_in_body is not None
    body, back = parts.glossary_in_body
    assert 'class="glossary"' in body.whole
    assert 'class="glossary"' not in back
    terms = re.findall(r"<dt>(.*?)</dt>", parts.back)
    assert terms == ["APL", "aPTT", "ATO"]  # as a reader looks them up, whatever the case


def test_no_glossary_no_box(tmp_path: Path, settings: Settings) -> None:
    parts = render_parts(
        settings, sourced_issue(tmp_path, "APL."), layout(settings), cover_pages=None
    )
    assert "glossary" not in parts.back + parts.body.whole
    assert "<abbr" not in parts.body.whole
    assert parts.glossary_in_body is None
    assert parts.abbreviations == ()
