"""The command line: a thin layer that maps arguments onto `brochure.build`.

Exit codes: 0 success, 1 a problem with an issue or a build (every problem is
printed), 2 wrong usage. The build machinery is imported only by the commands
that need it, so `--help` and `validate` stay quick.
"""

from pathlib import Path

import click

from . import __version__
from .errors import BrochureError, IssueInvalid
from .settings import BuildOptions, Paper, Settings, default_project_root

ISSUE_FILE = click.Path(path_type=Path, dir_okay=False)
PAPER = click.Choice([paper.name.lower() for paper in Paper], case_sensitive=False)


def _options(paper: str, strict: bool) -> BuildOptions:
    return BuildOptions(paper=Paper[paper.upper()], strict=strict)


def _settings() -> Settings:
    return Settings.for_project(default_project_root())


def _report(error: BrochureError) -> None:
    click.secho(str(error), fg="red", err=True)
    if isinstance(error, IssueInvalid):
        count = len(error.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brochure")
def main() -> None:
    """Turn newsletter issues written in YAML into print-quality PDFs."""


@main.command()
@click.argument("issues", nargs=-1, type=ISSUE_FILE)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the PDF here (one issue only). Default: out/<slug>.pdf.",
)
@click.option("--paper", type=PAPER, default="letter", show_default=True, help="Paper size.")
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Fail the build on any typesetter warning.",
)
def build(issues: tuple[Path, ...], output: Path | None, paper: str, strict: bool) -> None:
    """Build the PDF of each ISSUE (default: every issues/*.yaml)."""
    from .build import BuildFailure, build_all, issue_files, try_build_issue

    settings = _settings()
    options = _options(paper, strict)
    if output and len(issues) != 1:
        raise click.UsageError("-o/--output needs exactly one issue file")
    paths = list(issues) or issue_files(settings)
    if not paths:
        raise click.UsageError(f"no issue files found in {settings.root / 'issues'}")
    if output:
        outcomes = [try_build_issue(paths[0], settings, options, output)]
    else:
        outcomes = build_all(paths, settings, options)
    failed = False
    for outcome in outcomes:
        if isinstance(outcome, BuildFailure):
            _report(outcome.error)
            failed = True
        else:
            for warning in outcome.warnings:
                click.secho(f"{outcome.issue}: warning: {warning}", fg="yellow", err=True)
            size = f"{outcome.bytes / 1024:.0f} KiB"
            click.echo(f"wrote {outcome.output} ({outcome.pages} pages, {size})")
    if failed:
        raise SystemExit(1)


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
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the HTML here. Default: out/<slug>.html.",
)
@click.option("--paper", type=PAPER, default="letter", show_default=True, help="Paper size.")
def html(issue: Path, output: Path | None, paper: str) -> None:
    """Write ISSUE as one HTML file (cover, body, back page) for inspection."""
    from .build import write_issue_html

    try:
        target = write_issue_html(issue, _settings(), _options(paper, True), output)
    except BrochureError as error:
        _report(error)
        raise SystemExit(1) from None
    click.echo(f"wrote {target}")
