"""`brochure new`: a new issue from the most recent one, valid and buildable as it is."""

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from brochure.check import check_issue
from brochure.load import load_issue
from brochure.new_issue import issue_date, parse_slug
from brochure.settings import Settings
from helpers import run, spring_data, write_issue


def issue(season: str, year: int, publisher: str, **info: Any) -> dict[str, Any]:
    """The Spring issue as the SEASON YEAR issue, told apart by its PUBLISHER."""
    data = spring_data()
    data["issue"].update(season=season, year=year, **info)
    data["publication"]["publisher"] = publisher
    return data


def test_fields_are_copied_and_the_rest_set_from_the_slug(project: Path) -> None:
    data = issue("Summer", 2009, "Dept. of Leukemia: “Hématologie” #1")
    data["publication"]["title"] = "NO"
    data["issue"]["language"] = "en-US"
    data["contact"] = {
        "text": "For information about these or any Leukemia protocol, please call "
        "Dr. Farhad Ravandi or any Leukemia physician, weekdays from 8 to 5: we answer.",
        "name": "Dr. Farhad Ravandi",
        "phone": "713-555-0100",
        "email": "leukemia@example.org",
        "url": "https://example.org/leukemia",
    }
    data["glossary"] = {"APL": "acute promyelocytic leukemia", "NO": "nitric oxide"}
    write_issue(project / "issues" / "2009-summer.yaml", data)

    code, out, err = run("new", "2009-fall")
    assert code == 0, err
    assert out.splitlines() == [
        "wrote issues/2009-fall.yaml (from issues/2009-summer.yaml)",
        "next: replace each TODO in it, then",
        "  brochure check issues/2009-fall.yaml",
        "  brochure build issues/2009-fall.yaml",
    ]
    new = load_issue(project / "issues" / "2009-fall.yaml").issue
    assert new.publication.model_dump() == data["publication"]
    assert (new.issue.season, new.issue.year, new.issue.language) == ("Fall", 2009, "en-US")
    assert new.contact is not None
    assert new.contact.model_dump() == data["contact"]
    assert new.glossary == data["glossary"]
    assert (new.copyright.year, new.copyright.holder) == (2009, data["copyright"]["holder"])
    assert [article.title for article in new.articles] == ["TODO: the article's title"]
    assert len(new.articles[0].sections) == 1
    assert new.articles[0].sections[0].body.startswith("TODO: write this section.")


def test_the_file_is_commented_and_readable(project: Path) -> None:
    assert run("new", "2010-winter")[0] == 0
    text = (project / "issues" / "2010-winter.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Leukemia Insights, Winter 2010.\n")
    assert "  brochure check issues/2010-winter.yaml" in text
    assert "  season: Winter\n  year: 2010\n" in text
    assert "  text: >-\n    For information about these or any Leukemia protocol" in text
    assert "copyright:\n  year: 2010\n" in text
    assert "publication:\n  title: Leukemia Insights\n" in text  # quoted only when needed
    assert '  - title: "TODO: the article\'s title"\n' in text
    assert max(len(line) for line in text.splitlines()) <= 90


def test_the_new_issue_builds_and_checks_with_only_its_placeholders(project: Path) -> None:
    assert run("new", "2009-fall")[0] == 0
    code, out, err = run("build", "issues/2009-fall.yaml")
    assert code == 0, err
    assert out.startswith("wrote out/2009-fall.pdf (3 pages, ")
    code, out, _ = run("check", "issues/2009-fall.yaml")
    assert code == 0
    warnings = out.splitlines()[:-1]
    assert [line.rsplit(" [", 1)[1] for line in warnings] == ["placeholder]"] * 3
    assert [line.split(": ")[1] for line in warnings] == [
        "articles[0].title",
        "articles[0].sections[0].heading",
        "articles[0].sections[0].body",
    ]
    assert warnings[2].startswith("issues/2009-fall.yaml:24:11: ")
    assert run("check", "--strict", "issues/2009-fall.yaml")[0] == 1


def test_the_glossary_is_reported_once_the_placeholders_are_gone(
    project: Path, settings: Settings
) -> None:
    data = spring_data()
    data["glossary"] = {"APL": "acute promyelocytic leukemia"}
    write_issue(project / "issues" / "2009-spring.yaml", data)
    assert run("new", "2009-fall")[0] == 0
    path = project / "issues" / "2009-fall.yaml"
    assert {f.code for f in check_issue(load_issue(path), settings.fonts)} == {"placeholder"}
    path.write_text(path.read_text(encoding="utf-8").replace("TODO: ", ""), encoding="utf-8")
    assert [f.code for f in check_issue(load_issue(path), settings.fonts)] == [
        "unused-glossary-entry"
    ]


@pytest.mark.parametrize(
    ("issues", "latest"),
    [
        ({"2009-spring": ("Spring", 2009), "2008-fall": ("Fall", 2008)}, "2009-spring"),
        ({"a": ("Winter", 2009), "b": ("Spring", 2009), "c": ("Summer", 2009)}, "c"),
        ({"a": ("Summer", 2009), "b": ("Fall", 2009), "c": ("Winter", 2010)}, "c"),
        ({"a": ("Autumn", 2009), "b": ("Summer", 2009)}, "a"),
        ({"a": ("summer", 2009), "b": ("SPRING", 2009)}, "a"),
        ({"a": ("Special", 2009), "b": ("Winter", 2009)}, "b"),
    ],
)
def test_the_most_recent_issue_is_copied(
    project: Path, issues: dict[str, tuple[str, int]], latest: str
) -> None:
    (project / "issues" / "2009-spring.yaml").unlink()
    for name, (season, year) in issues.items():
        write_issue(project / "issues" / f"{name}.yaml", issue(season, year, name))
    code, out, err = run("new", "2011-spring")
    assert code == 0, err
    assert f"(from issues/{latest}.yaml)" in out
    new = load_issue(project / "issues" / "2011-spring.yaml").issue
    assert new.publication.publisher == latest


def test_an_issue_date_orders_issues_of_the_same_year(project: Path) -> None:
    write_issue(
        project / "issues" / "2009-winter.yaml",
        issue("Winter", 2009, "December issue", date="2009-12-01"),
    )
    write_issue(project / "issues" / "2009-fall.yaml", issue("Fall", 2009, "fall issue"))
    code, out, _ = run("new", "2010-spring")
    assert code == 0
    assert "(from issues/2009-winter.yaml)" in out


def test_issue_dates() -> None:
    data = spring_data()
    spring = load_issue_data(data)
    assert issue_date(spring) == datetime.date(2009, 4, 1)
    data["issue"]["date"] = "2009-03-15"
    assert issue_date(load_issue_data(data)) == datetime.date(2009, 3, 15)


def load_issue_data(data: dict[str, Any]) -> Any:
    from brochure.model import Issue

    return Issue.model_validate(yaml.safe_load(yaml.safe_dump(data)))


def test_an_existing_file_is_never_overwritten(project: Path) -> None:
    existing = project / "issues" / "2009-fall.yaml"
    existing.write_text("# mine\n", encoding="utf-8")
    code, out, err = run("new", "2009-fall")
    assert code == 1
    assert err == "issues/2009-fall.yaml already exists; not overwriting it\n"
    assert out == ""
    assert existing.read_text(encoding="utf-8") == "# mine\n"
    assert sorted(path.name for path in (project / "issues").iterdir()) == [
        "2009-fall.yaml",
        "2009-spring.yaml",
    ]


@pytest.mark.parametrize("slug", ["fall-2009", "2009-fal", "2009", "09-fall", "2009-fall.yaml"])
def test_a_slug_that_is_not_year_season_is_a_usage_error(project: Path, slug: str) -> None:
    code, _, err = run("new", slug)
    assert code == 2
    assert f"{slug!r} is not YEAR-SEASON, such as 2009-fall" in err
    assert sorted(path.name for path in (project / "issues").iterdir()) == ["2009-spring.yaml"]


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("2009-fall", (2009, "Fall")),
        ("2010-Winter", (2010, "Winter")),
        ("2009-autumn", (2009, "Autumn")),
    ],
)
def test_parse_slug(slug: str, expected: tuple[int, str]) -> None:
    assert parse_slug(slug) == expected


def test_issues_with_problems_are_skipped_with_a_note(project: Path) -> None:
    data = issue("Fall", 2010, "broken")
    del data["copyright"]
    write_issue(project / "issues" / "2010-fall.yaml", data)
    code, out, err = run("new", "2011-spring")
    assert code == 0
    assert "(from issues/2009-spring.yaml)" in out
    assert err == "note: skipped issues/2010-fall.yaml, which has problems\n"


def test_no_issue_to_start_from(project: Path) -> None:
    (project / "issues" / "2009-spring.yaml").unlink()
    code, _, err = run("new", "2009-fall")
    assert code == 1
    assert err == "no valid issue in issues/ to start 2009-fall.yaml from\n"
