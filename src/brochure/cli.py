"""The command line: a thin layer that maps arguments onto `brochure.build`.

Exit codes: 0 success, 1 a problem with an issue or a build (every problem is
printed), 2 wrong usage. The build machinery is imported only by the commands
that need it, so `--help` and `validate` stay quick.
"""

import contextlib
import gc
import json
import re
import sys
import time
from pathlib import Path
from textwrap import indent
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import BrochureError, IssueInvalid
from .files import display_path, write_atomically
from .limits import DEFAULT_LIMITS
from .settings import (
    POINTS_PER_INCH,
    POINTS_PER_MM,
    BuildOptions,
    Paper,
    Settings,
    default_project_root,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .editions import Edition
    from .results import Outcome

ISSUE_FILE = click.Path(path_type=Path)  # a folder is reported like any unreadable issue
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


def _one_edition(ctx: click.Context, param: click.Parameter, name: str) -> "Edition":
    editions = _editions(name)
    if len(editions) != 1:
        raise click.BadParameter("name one edition", param_hint="--edition")
    return editions[0]


def edition_option(function: click.decorators.FC) -> click.decorators.FC:
    """-e/--edition NAME: the one edition a command works on."""
    return click.option(
        "-e", "--edition", default="screen", show_default=True, callback=_one_edition
    )(function)


def _shown(path: Path) -> str:
    """PATH as the user would type it: relative to the current folder when below it."""
    return display_path(path, Path.cwd())


def _settings() -> Settings:
    limits = click.get_current_context().meta.get(LIMITS_KEY, DEFAULT_LIMITS)
    return Settings.for_project(default_project_root(), limits)


def _report(error: BrochureError) -> None:
    click.secho(str(error), fg="red", err=True)
    if isinstance(error, IssueInvalid):
        count = len(error.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


@contextlib.contextmanager
def _exit_1_on_failure() -> "Iterator[None]":
    """Report a `BrochureError` and exit with code 1, as every command does."""
    try:
        yield
    except BrochureError as error:
        _report(error)
        raise SystemExit(1) from None


def paper_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--paper", type=PAPER, default="letter", show_default=True, help="Trimmed page size."
    )(function)


LIMITS_KEY = "brochure.limits"


def _set_limits(ctx: click.Context, param: click.Parameter, assignments: tuple[str, ...]) -> None:
    try:
        ctx.meta[LIMITS_KEY] = DEFAULT_LIMITS.raised(assignments)
    except BrochureError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def limit_option(function: click.decorators.FC) -> click.decorators.FC:
    """--limit NAME=VALUE, repeatable: raise (or lower) one of the resource limits."""
    listed = ", ".join(f"{name} ({value:,})" for name, value, _ in DEFAULT_LIMITS.describe())
    return click.option(
        "--limit",
        "limits",
        multiple=True,
        metavar="NAME=VALUE",
        envvar="BROCHURE_LIMITS",
        expose_value=False,
        is_eager=True,
        callback=_set_limits,
        help=f"Change a resource limit; repeatable. Limits and defaults: {listed}.",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brochure")
def main() -> None:
    """Turn newsletter issues written in YAML into print-quality PDFs."""


def run() -> None:
    """Run `main` as the `brochure` command.

    As Python exits, it frees every module and collects cycles again and again
    among the objects still alive: about 40 ms of every command. Nothing the
    command leaves behind is worth that: once it is done, what is alive is
    frozen, out of the collector's reach, and freed in one pass as usual.
    """
    try:
        main(prog_name="brochure")
    finally:
        gc.freeze()


class Shard(click.ParamType):  # type: ignore[type-arg]
    """K/N: the K-th of N shards."""

    name = "K/N"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(value))
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            self.fail(f"{value!r} is not a shard such as 1/4 (K/N with 1 <= K <= N)", param, ctx)
        return int(match[1]), int(match[2])


@main.command()
@limit_option
@click.argument("issues", nargs=-1, type=ISSUE_FILE)
@click.option("--all", "all_issues", is_flag=True, help="Build every issues/*.yaml (the default).")
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
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes that typeset at once. Default: the number of cores.",
)
@click.option(
    "--shard",
    type=Shard(),
    help="Build only shard K of N: every N-th issue in name order, from the K-th.",
)
@click.option("--force", is_flag=True, help="Rebuild outputs that are already up to date.")
@click.option(
    "--report",
    type=OUTPUT_FILE,
    help="Write a JSON report of every output (status, pages, SHA-256, preflight) here, "
    "and print each preflight summary.",
)
def build(
    issues: tuple[Path, ...],
    all_issues: bool,
    edition_names: str,
    output: Path | None,
    paper: str,
    sheet: str | None,
    creep: float,
    grayscale: bool,
    strict: bool,
    jobs: int | None,
    shard: tuple[int, int] | None,
    force: bool,
    report: Path | None,
) -> None:
    """Build the PDF of each ISSUE (default: every issues/*.yaml) in each edition.

    Outputs whose inputs have not changed since they were built are left as
    they are. The output folder gets a SHA256SUMS file of its PDFs.
    """
    editions = _editions(edition_names)
    one_pdf = len(issues) == 1 and len(editions) == 1
    if one_pdf:
        # Before the slow imports below, so WeasyPrint imports on another core meanwhile.
        from .typesetter import typesetting_ahead

        click.get_current_context().with_resource(typesetting_ahead())
    from . import batch
    from .fontfacts import kept_in
    from .results import BuildResult, build_report

    settings = _settings()
    options = BuildOptions(
        paper=Paper(paper.lower()),
        sheet=Paper(sheet) if sheet else None,
        creep=creep,
        grayscale=grayscale,
        strict=strict,
    )
    if sheet and Paper(sheet).folded.metric != options.paper.metric:
        raise click.UsageError(f"--sheet {sheet} does not go with --paper {paper}")
    if all_issues and issues:
        raise click.UsageError("name issue files or give --all, not both")
    if output and not one_pdf:
        raise click.UsageError("-o/--output needs exactly one issue file and one edition")
    if one_pdf:
        from .editions import plan_layout
        from .typesetter import load_design_ahead

        with contextlib.suppress(BrochureError):  # the build meets it again, and reports it
            load_design_ahead(plan_layout(editions[0], options, settings), settings.root)
    paths = list(issues) or batch.issue_files(settings)
    if not paths:
        raise click.UsageError(f"no issue files found in {settings.root / 'issues'}")
    if shard:
        paths = batch.shard(paths, *shard)
    work = [batch.Job(path, edition) for path in paths for edition in editions]
    started = time.perf_counter()
    with kept_in(settings.cache / "fonts") as keep_font_facts:
        with _progress(len(work), details=report is not None) as tell:
            outcomes = batch.run_batch(
                work,
                settings,
                options,
                workers=jobs or batch.default_jobs(),
                force=force,
                output=output,
                on_outcome=tell,
            )
        if all(outcome.status != "failed" for outcome in outcomes):
            keep_font_facts()
    _summarise(outcomes, time.perf_counter() - started)
    if not output:
        built = [outcome for outcome in outcomes if isinstance(outcome, BuildResult)]
        if checksums := batch.update_checksums(settings.output, built):
            click.echo(f"wrote {_shown(checksums)}")
    if report:
        text = json.dumps(build_report(outcomes, settings.root), indent=2, ensure_ascii=False)
        write_atomically(report, (text + "\n").encode())
        click.echo(f"wrote {report}")
    if any(outcome.status == "failed" for outcome in outcomes):
        raise SystemExit(1)


@contextlib.contextmanager
def _progress(total: int, *, details: bool) -> "Iterator[Callable[[Outcome], None]]":
    """Tell of each outcome: one line per output as it is done (CI logs), or on a
    terminal a progress bar, then the failures and warnings."""
    checked: set[Path] = set()  # issues whose editorial warnings were shown
    if total < 2 or not sys.stderr.isatty():
        yield lambda outcome: _describe(outcome, details=details, checked=checked)
        return
    noteworthy: list[Outcome] = []

    def tell(outcome: "Outcome") -> None:
        bar.update(1)
        if outcome.status == "failed" or outcome.warnings or outcome.findings:
            noteworthy.append(outcome)

    with click.progressbar(length=total, label="Building", file=sys.stderr) as bar:
        yield tell
    for outcome in noteworthy:
        _describe(outcome, details=details, checked=checked)


def _describe(outcome: "Outcome", *, details: bool, checked: set[Path]) -> None:
    """Say what became of one output: written, up to date, or failed with every problem.

    The issue's editorial warnings come first, once per issue: CHECKED
    collects the issues whose warnings were shown.
    """
    from .results import BuildFailure

    if outcome.issue not in checked:
        checked.add(outcome.issue)
        for finding in outcome.findings:
            click.secho(str(finding), fg="yellow", err=True)
    if isinstance(outcome, BuildFailure):
        _report(outcome.error)
        return
    for warning in outcome.warnings:
        click.secho(f"{outcome.issue}: warning: {warning}", fg="yellow", err=True)
    pages = f"{outcome.pages} pages"
    if outcome.sides != outcome.pages:
        sheets = outcome.sides // 2
        pages += f" on {sheets} sheet{'s' if sheets != 1 else ''}"
    facts = f"{pages}, {outcome.bytes / 1024:.0f} KiB"
    if outcome.cached:
        click.echo(f"up to date {_shown(outcome.output)} ({facts})")
    else:
        click.echo(f"wrote {_shown(outcome.output)} ({facts})")
    if details:
        summary = outcome.preflight.summary()
        click.echo(indent(summary if outcome.warnings else summary.splitlines()[0], "  "))


def _summarise(outcomes: "list[Outcome]", seconds: float) -> None:
    """After many outputs: the counts, and every failure again so none scrolls out of sight."""
    if len(outcomes) < 2:
        return
    statuses = [outcome.status for outcome in outcomes]
    failures = [outcome for outcome in outcomes if outcome.status == "failed"]
    click.echo(
        f"{len(outcomes)} outputs in {seconds:.1f} s: {statuses.count('built')} built, "
        f"{statuses.count('cached')} up to date, {len(failures)} failed"
    )
    for failure in failures:
        click.secho(f"failed: {failure.issue} ({failure.edition.name})", fg="red", err=True)


@main.command()
@limit_option
@click.argument("issues", nargs=-1, type=ISSUE_FILE)
@click.option("--strict", is_flag=True, help="Exit with status 1 if there is any warning.")
def check(issues: tuple[Path, ...], strict: bool) -> None:
    """Check each ISSUE (default: every issues/*.yaml) for what the schema cannot catch.

    Prints each warning as FILE:LINE:COLUMN: field: message [code] and writes
    nothing. Exit status 0 with warnings (1 with --strict), 1 if an issue is
    invalid (every problem is printed).
    """
    from .check import check_issue
    from .glyphs import font_characters
    from .load import load_issue

    settings = _settings()
    paths = list(issues) or _issue_files(settings)
    if not paths:
        raise click.UsageError(f"no issue files found in {settings.root / 'issues'}")
    characters = font_characters(settings.fonts)
    warnings = invalid = 0
    for path in paths:
        try:
            sourced = load_issue(path, characters, settings.limits)
        except IssueInvalid as error:
            _report(error)
            invalid += 1
            continue
        for finding in check_issue(sourced, settings.fonts):
            click.secho(str(finding), fg="yellow")
            warnings += 1
    click.echo(_check_summary(len(paths), warnings, invalid))
    if invalid or (strict and warnings):
        raise SystemExit(1)


def _issue_files(settings: Settings) -> list[Path]:
    """Every issues/*.yaml; the batch machinery is imported only when they are asked for."""
    from .batch import issue_files

    return issue_files(settings)


def _check_summary(issues: int, warnings: int, invalid: int) -> str:
    """'2 issues checked: 14 warnings, 1 invalid'."""

    def count(number: int, noun: str) -> str:
        return f"{number} {noun}{'' if number == 1 else 's'}"

    summary = f"{count(issues, 'issue')} checked: {count(warnings, 'warning')}"
    return summary + (f", {invalid} invalid" if invalid else "")


@main.command()
@click.argument("slug")
def new(slug: str) -> None:
    """Start issues/SLUG.yaml (e.g. 2009-fall) from the most recent issue.

    The publication, contact, copyright holder and glossary are copied; the
    season and year come from SLUG; the text is placeholders to replace. An
    existing file is never overwritten.
    """
    from .batch import issue_files
    from .new_issue import write_new_issue

    settings = _settings()
    folder = Path(_shown(settings.root / "issues"))
    try:
        with _exit_1_on_failure():
            written = write_new_issue(slug, issue_files(settings), folder)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="SLUG") from None
    for path in written.skipped:
        click.secho(f"note: skipped {path}, which has problems", fg="yellow", err=True)
    target = _shown(written.path)
    click.echo(f"wrote {target} (from {_shown(written.source)})")
    click.echo("next: replace each TODO in it, then")
    click.echo(f"  brochure check {target}")
    click.echo(f"  brochure build {target}")


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write the files into. Default: <pdf name>-source/ beside the PDF.",
)
def extract(pdf: Path, output: Path | None) -> None:
    """Write out the files an archive PDF carries: its issue source and build manifest.

    Each source file is checked against the manifest's SHA-256, and nothing is
    overwritten. The command that rebuilds the same PDF is printed last.
    """
    from .archive import extract as extract_from
    from .manifest import differences

    folder = output or pdf.with_name(f"{pdf.stem}-source")
    with _exit_1_on_failure():
        extracted = extract_from(pdf, folder)
    for path in extracted.files:
        click.echo(f"wrote {path}")
    manifest = extracted.manifest
    if manifest is None:
        return
    issue = folder / str(manifest.get("issue"))
    click.echo(f"rebuild with: {_rebuild_command(issue, manifest)}")
    for difference in differences(manifest, _settings()):
        click.secho(f"note: {difference}; the rebuild may differ", fg="yellow", err=True)


def _rebuild_command(issue: Path, manifest: dict[str, object]) -> str:
    """The `brochure build` command that repeats the build a manifest records."""
    import datetime
    import shlex

    options = manifest.get("options")
    options = options if isinstance(options, dict) else {}
    words = ["brochure", "build", str(issue), "--edition", str(manifest.get("edition"))]
    words += ["--paper", str(options.get("paper", "letter"))]
    if options.get("sheet"):
        words += ["--sheet", str(options["sheet"])]
    if options.get("creep_pt"):
        words += ["--creep", f"{options['creep_pt']}pt"]
    if options.get("grayscale"):
        words.append("--grayscale")
    if options.get("strict") is False:
        words.append("--no-strict")
    words += ["-o", str(issue.with_name("rebuilt.pdf"))]
    date = str(manifest.get("date", ""))
    if not date.endswith("-01-01"):
        # The date may have come from $SOURCE_DATE_EPOCH rather than from the issue.
        moment = datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.UTC)
        words.insert(0, f"SOURCE_DATE_EPOCH={int(moment.timestamp())}")
    return shlex.join(words)


@main.command()
def editions() -> None:
    """List the editions and what each one does."""
    from .editions import EDITIONS

    width = max(len(name) for name in EDITIONS)
    for edition in EDITIONS.values():
        click.echo(f"{edition.name:<{width}}  {edition.summary}")
        click.echo(f"{'':<{width}}  -> out/{edition.output_name('<slug>')}")


@main.command()
@limit_option
@click.argument("issues", nargs=-1, required=True, type=ISSUE_FILE)
def validate(issues: tuple[Path, ...]) -> None:
    """Check each ISSUE file and report every problem; write nothing."""
    from .glyphs import font_characters
    from .load import load_issue

    settings = _settings()
    characters = font_characters(settings.fonts)
    failed = False
    for path in issues:
        try:
            load_issue(path, characters, settings.limits)
            click.echo(f"{path}: ok")
        except IssueInvalid as error:
            _report(error)
            failed = True
    if failed:
        raise SystemExit(1)


@main.command()
@limit_option
@click.argument("issue", type=ISSUE_FILE)
@edition_option
@click.option(
    "-o", "--output", type=OUTPUT_FILE, help="Write the HTML here. Default: out/<slug>.html."
)
@paper_option
def html(issue: Path, edition: "Edition", output: Path | None, paper: str) -> None:
    """Write ISSUE as one HTML file (cover, body, back page) for inspection."""
    from .build import write_issue_html

    options = BuildOptions(paper=Paper(paper.lower()))
    with _exit_1_on_failure():
        target = write_issue_html(issue, _settings(), options, output, edition=edition)
    click.echo(f"wrote {target}")


@main.command()
@limit_option
@click.argument("issue", type=ISSUE_FILE)
@click.option(
    "--dpi",
    type=click.IntRange(10, 300),
    default=40,
    show_default=True,
    help="Resolution of the page pictures.",
)
@edition_option
@click.option(
    "-o",
    "--output",
    type=OUTPUT_FILE,
    help="Write the PNG here. Default: out/<slug>[.<edition>].proof.png.",
)
@paper_option
def proof(issue: Path, dpi: int, edition: "Edition", output: Path | None, paper: str) -> None:
    """Write a proof sheet of ISSUE: every page in spreads, labelled, on one PNG.

    The issue is built as `brochure build` would build it, but only the
    picture is written.
    """
    from .proof import write_proof

    options = BuildOptions(paper=Paper(paper.lower()))
    with _exit_1_on_failure():
        written = write_proof(issue, _settings(), options, output, edition=edition, dpi=dpi)
    size = f"{written.width}x{written.height} px"
    click.echo(f"wrote {_shown(written.output)} ({written.pages} pages, {size})")


@main.command()
@limit_option
@click.argument("issue", type=ISSUE_FILE)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port on 127.0.0.1 to serve on. Default: any free port.",
)
@edition_option
@paper_option
@click.option(
    "--write",
    is_flag=True,
    help="Also write each good build to out/, as `brochure build` would.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a web browser.")
def preview(
    issue: Path, port: int, edition: "Edition", paper: str, write: bool, open_browser: bool
) -> None:
    """Show ISSUE in a web browser, rebuilt and refreshed whenever a file it uses is saved.

    Watches the issue file, the files it names, templates/ and styles/. Pages
    show side by side as spreads; a save with problems lists them over the last
    good pages. Nothing is written unless --write. Stop with Ctrl-C.
    """
    import signal

    from .preview import PreviewSession, run_preview

    options = BuildOptions(paper=Paper(paper.lower()))
    session = PreviewSession(issue, _settings(), options, edition=edition, write=write)

    def ready(url: str) -> None:
        click.echo(f"preview of {issue} ({edition.name} edition) at {url}")
        click.echo("stop with Ctrl-C")
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    def log(line: str) -> None:
        click.echo(line)

    # Ctrl-C and SIGTERM stop the preview cleanly, even where a shell started it ignoring SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        run_preview(session, port=port, on_ready=ready, log=log)
    except KeyboardInterrupt:
        click.echo("stopped")
    except OSError as error:  # the port is taken, or not ours to use
        click.secho(f"cannot serve on port {port}: {error.strerror or error}", fg="red", err=True)
        raise SystemExit(1) from None


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends the preview as Ctrl-C does: cleanly."""
    raise KeyboardInterrupt
