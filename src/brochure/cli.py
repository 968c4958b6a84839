"""The command line: a thin layer that maps arguments onto `brochure.build`.

Exit codes: 0 success, 1 a problem with an issue or a build (every problem is
printed), 2 wrong usage. The build machinery is imported only by the commands
that need it, so `--help` and `validate` stay quick.
"""

import json
import re
from pathlib import Path
from textwrap import indent
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import BrochureError, IssueInvalid
from .settings import (
    POINTS_PER_INCH,
    POINTS_PER_MM,
    BuildOptions,
    Paper,
    Settings,
    default_project_root,
)

if TYPE_CHECKING:
    from .editions import Edition

ISSUE_FILE = click.Path(path_type=Path, dir_okay=False)
OUTPUT_FILE = click.Path(path_type=Path, dir_okay=False)
PAPER = click.Choice(["letter", "a4"], case_sensitive=False)
SHEET = click.Choice([sheet.value for sheet in (Paper.TABLOID, Paper.LETTER, Paper.A3, Paper.A4)])
UNITS = {"pt": 1.0, "mm": POINTS_PER_MM, "in": POINTS_PER_INCH}


class Length(click.ParamType):  # type: ignore[type-arg]
    """A length such as 0.1mm, 0.3pt or 0.004in, in points."""

    name = "length"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(pt|mm|in)\s*", str(value))
        if not match:
            self.fail(f"{value!r} is not a length such as 0.1mm, 0.3pt or 0.004in", param, ctx)
        return float(match[1]) * UNITS[match[2]]


def _editions(names: str) -> "tuple[Edition, ...]":
    from .editions import parse_editions

    try:
        return parse_editions(names)
    except BrochureError as error:
        raise click.BadParameter(str(error), param_hint="--edition") from None


def _one_edition(name: str) -> "Edition":
    editions = _editions(name)
    if len(editions) != 1:
        raise click.BadParameter("name one edition", param_hint="--edition")
    return editions[0]


def _settings() -> Settings:
    return Settings.for_project(default_project_root())


def _report(error: BrochureError) -> None:
    click.secho(str(error), fg="red", err=True)
    if isinstance(error, IssueInvalid):
        count = len(error.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


def paper_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--paper", type=PAPER, default="letter", show_default=True, help="Trimmed page size."
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brochure")
def main() -> None:
    """Turn newsletter issues written in YAML into print-quality PDFs."""


@main.command()
@click.argument("issues", nargs=-1, type=ISSUE_FILE)
@click.option(
    "-e",
    "--edition",
    "edition_names",
    default="screen",
    show_default=True,
    metavar="NAMES",
    help="Edition to build, several separated by commas, or 'all' (see `brochure editions`).",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_FILE,
    help="Write the PDF here (one issue, one edition). Default: out/<slug>[.<edition>].pdf.",
)
@paper_option
@click.option(
    "--sheet",
    type=SHEET,
    help="Booklet sheet; pages are half of it. Default: tabloid for letter, a3 for a4.",
)
@click.option(
    "--creep",
    type=Length(),
    default="0mm",
    help="Booklet creep: shift each inner sheet this much more toward the fold, e.g. 0.1mm.",
)
@click.option("--grayscale", is_flag=True, help="Render every colour and image in gray.")
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Fail the build on any typesetter warning or preflight problem.",
)
@click.option(
    "--report",
    type=OUTPUT_FILE,
    help="Write a JSON report of every output (status, pages, SHA-256, preflight) here, "
    "and print each preflight summary.",
)
def build(
    issues: tuple[Path, ...],
    edition_names: str,
    output: Path | None,
    paper: str,
    sheet: str | None,
    creep: float,
    grayscale: bool,
    strict: bool,
    report: Path | None,
) -> None:
    """Build the PDF of each ISSUE (default: every issues/*.yaml) in each edition."""
    from .build import (
        BuildFailure,
        build_all,
        build_report,
        issue_files,
        try_build_issue,
        write_atomically,
    )

    settings = _settings()
    editions = _editions(edition_names)
    options = BuildOptions(
        paper=Paper(paper.lower()),
        sheet=Paper(sheet) if sheet else None,
        creep=creep,
        grayscale=grayscale,
        strict=strict,
    )
    if sheet and Paper(sheet).folded.metric != options.paper.metric:
        raise click.UsageError(f"--sheet {sheet} does not go with --paper {paper}")
    if output and (len(issues) != 1 or len(editions) != 1):
        raise click.UsageError("-o/--output needs exactly one issue file and one edition")
    paths = list(issues) or issue_files(settings)
    if not paths:
        raise click.UsageError(f"no issue files found in {settings.root / 'issues'}")
    if output:
        outcomes = [try_build_issue(paths[0], settings, options, output, edition=editions[0])]
    else:
        outcomes = build_all(paths, settings, options, editions=editions)
    failed = False
    for outcome in outcomes:
        if isinstance(outcome, BuildFailure):
            _report(outcome.error)
            failed = True
        else:
            for warning in outcome.warnings:
                click.secho(f"{outcome.issue}: warning: {warning}", fg="yellow", err=True)
            size = f"{outcome.bytes / 1024:.0f} KiB"
            pages = f"{outcome.pages} pages"
            if outcome.sides != outcome.pages:
                sheets = outcome.sides // 2
                pages += f" on {sheets} sheet{'s' if sheets != 1 else ''}"
            click.echo(f"wrote {outcome.output} ({pages}, {size})")
            if report:
                click.echo(indent(outcome.preflight.summary(), "  "))
    if report:
        text = json.dumps(build_report(outcomes), indent=2, ensure_ascii=False) + "\n"
        write_atomically(report, text.encode())
        click.echo(f"wrote {report}")
    if failed:
        raise SystemExit(1)


@main.command()
def editions() -> None:
    """List the editions and what each one does."""
    from .editions import EDITIONS

    width = max(len(name) for name in EDITIONS)
    for edition in EDITIONS.values():
        click.echo(f"{edition.name:<{width}}  {edition.summary}")
        click.echo(f"{'':<{width}}  -> out/{edition.output_name('<slug>')}")


@main.command()
@click.argument("issues", nargs=-1, required=True, type=ISSUE_FILE)
def validate(issues: tuple[Path, ...]) -> None:
    """Check each ISSUE file and report every problem; write nothing."""
    from .load import load_issue

    failed = False
    for path in issues:
        try:
            load_issue(path)
            click.echo(f"{path}: ok")
        except IssueInvalid as error:
            _report(error)
            failed = True
    if failed:
        raise SystemExit(1)


@main.command()
@click.argument("issue", type=ISSUE_FILE)
@click.option("-e", "--edition", "edition_name", default="screen", show_default=True)
@click.option(
    "-o", "--output", type=OUTPUT_FILE, help="Write the HTML here. Default: out/<slug>.html."
)
@paper_option
def html(issue: Path, edition_name: str, output: Path | None, paper: str) -> None:
    """Write ISSUE as one HTML file (cover, body, back page) for inspection."""
    from .build import write_issue_html

    edition = _one_edition(edition_name)
    options = BuildOptions(paper=Paper(paper.lower()))
    try:
        target = write_issue_html(issue, _settings(), options, output, edition=edition)
    except BrochureError as error:
        _report(error)
        raise SystemExit(1) from None
    click.echo(f"wrote {target}")
