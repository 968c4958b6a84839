"""The archive edition: PDF/A-3a that carries its own source, and `brochure extract`."""

import hashlib
import json
import re
import shlex
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from page import ValidationProfile, validate_pdf
from PIL import Image

from brochure.build import BuildResult, build_issue
from brochure.editions import EDITIONS
from brochure.settings import BuildOptions, Settings
from helpers import PROJECT, SPRING, run, spring_data, write_issue

ARCHIVE = EDITIONS["archive"]


def build_archive(issue: Path, settings: Settings, output: Path) -> BuildResult:
    return build_issue(issue, settings, BuildOptions(), output, edition=ARCHIVE)


@pytest.fixture(scope="module")
def spring_archive(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    return build_archive(SPRING, settings, tmp_path_factory.mktemp("archive") / "spring.pdf")


@pytest.fixture(scope="module")
def covered_archive(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    """An archive whose front cover is a designer's PDF and whose back has a photo."""
    folder = tmp_path_factory.mktemp("covered")
    weasyprint.HTML(string="<style>@page{size:letter}</style><h1>DESIGNER COVER</h1>").write_pdf(
        folder / "cover.pdf"
    )
    data = spring_data()
    data["cover"]["pdf"] = "cover.pdf"
    issue = write_issue(folder / "2009-covered.yaml", data)
    return build_archive(issue, settings, folder / "covered.pdf")


@pytest.fixture(scope="module")
def pictured_archive(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> BuildResult:
    """An archive with a photo on its cover, kept next to the issue in a folder of its own."""
    folder = tmp_path_factory.mktemp("pictured")
    (folder / "art").mkdir()
    Image.new("RGB", (600, 300), "teal").save(folder / "art" / "cover.png", dpi=(300, 300))
    data = spring_data()
    data["cover"].update({"image": "art/cover.png", "image_alt": "A teal panel"})
    issue = write_issue(folder / "2009-art.yaml", data)
    return build_archive(issue, settings, folder / "pictured.pdf")


def failures(path: Path, profile: ValidationProfile) -> list[tuple[str, str]]:
    return [(f.rule_id, f.message) for f in validate_pdf(path, profile=profile).failures]


@pytest.mark.parametrize("built", ["spring_archive", "covered_archive", "pictured_archive"])
def test_passes_the_pdf_a_3a_rules(built: str, request: pytest.FixtureRequest) -> None:
    # 3a holds every rule of 3u and 3b, plus tagging; the validator checks the
    # declared level, so the file is validated at the level it claims.
    result: BuildResult = request.getfixturevalue(built)
    assert failures(result.output, ValidationProfile.PDF_A_3A) == []


def test_a_designer_cover_is_one_figure_with_alt_text(covered_archive: BuildResult) -> None:
    with pikepdf.open(covered_archive.output) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        figure = document.K[0]
        assert figure.S == "/Figure"
        assert str(figure.Alt) == (
            "Front cover of Leukemia Insights — Spring 2009: Salvage Regimens"
        )
        assert figure.Pg.objgen == pdf.pages[0].objgen
        assert re.match(rb"/Figure <<\s*/MCID 0\s*>> BDC", pdf.pages[0].Contents.read_bytes())


def test_identifies_itself_as_pdf_a_3a_with_metadata_from_the_issue(
    spring_archive: BuildResult,
) -> None:
    with pikepdf.open(spring_archive.output) as pdf:
        assert pdf.pdf_version == "1.7"
        assert "/Filter" not in pdf.Root.Metadata.stream_dict  # PDF/A: metadata stays readable
        metadata = pdf.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"
        assert metadata["dc:title"] == "Leukemia Insights — Spring 2009"
        assert metadata["dc:creator"] == ["The University of Texas MD Anderson Cancer Center"]
        assert metadata["dc:language"] == {"en"}
        assert metadata["xmp:CreateDate"] == "2009-01-01"
        assert pdf.Root.Lang == "en"
        assert pdf.Root.MarkInfo.Marked
        assert pdf.Root.ViewerPreferences.DisplayDocTitle


def test_carries_the_issue_as_source_and_the_manifest_as_data(
    spring_archive: BuildResult,
) -> None:
    with pikepdf.open(spring_archive.output) as pdf:
        attachments = {name: pdf.attachments[name] for name in pdf.attachments}
        assert sorted(attachments) == ["2009-spring.yaml", "brochure-manifest.json"]
        associated = [str(spec.UF) for spec in pdf.Root.AF]
        assert sorted(associated) == sorted(attachments)
        source = attachments["2009-spring.yaml"]
        assert source.relationship == "/Source"
        assert source.get_file().read_bytes() == SPRING.read_bytes()
        assert source.obj.EF.F.Subtype == "/application/yaml"
        params = source.obj.EF.F.Params
        assert str(params.ModDate).startswith("D:20090101")
        assert bytes(params.CheckSum) == hashlib.md5(SPRING.read_bytes()).digest()
        manifest = attachments["brochure-manifest.json"]
        assert manifest.relationship == "/Data"
        assert manifest.obj.EF.F.Subtype == "/application/json"


def embedded_manifest(path: Path) -> dict[str, object]:
    with pikepdf.open(path) as pdf:
        data = pdf.attachments["brochure-manifest.json"].get_file().read_bytes()
    manifest: dict[str, object] = json.loads(data)
    return manifest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_names_every_input_and_tool(spring_archive: BuildResult) -> None:
    manifest = embedded_manifest(spring_archive.output)
    assert manifest["format"] == "brochure-manifest/1"
    assert manifest["issue"] == "2009-spring.yaml"
    assert manifest["edition"] == "archive"
    assert manifest["date"] == "2009-01-01"
    assert manifest["source"] == {"2009-spring.yaml": sha256(SPRING)}
    design = {
        path.relative_to(PROJECT).as_posix(): sha256(path)
        for folder in ("templates", "styles")
        for path in (PROJECT / folder).rglob("*")
        if path.is_file()
    }
    assert manifest["design"] == design
    fonts = manifest["fonts"]
    assert isinstance(fonts, dict)
    assert sorted(fonts) == sorted(name for name in design if name.endswith(".ttf"))
    assert fonts["styles/fonts/SourceSerif4-Regular.ttf"].startswith("Version 4.")
    tools = manifest["tools"]
    assert isinstance(tools, dict)
    assert tools["weasyprint"] == weasyprint.__version__
    assert tools["pikepdf"] == pikepdf.__version__
    assert tools["qpdf"] == pikepdf.__libqpdf_version__
    assert tools["brochure"] == __import__("brochure").__version__
    assert manifest["options"] == {
        "paper": "letter",
        "sheet": None,
        "creep_pt": 0.0,
        "grayscale": False,
        "strict": True,
    }
    assert "/" not in json.dumps(manifest["source"]).replace("application/", "")  # no paths


def test_extract_and_rebuild_gives_the_same_bytes(
    tmp_path: Path, pictured_archive: BuildResult
) -> None:
    """Rebuild an archive, with a cover image, from nothing but what it carries."""
    original = pictured_archive
    folder = original.issue.parent

    code, out, err = run("extract", str(original.output), "-o", str(tmp_path / "x"))
    assert code == 0, err
    assert sorted(
        p.relative_to(tmp_path / "x").as_posix() for p in (tmp_path / "x").rglob("*.*")
    ) == [
        "2009-art.yaml",
        "art/cover.png",
        "brochure-manifest.json",
    ]
    assert (tmp_path / "x" / "art" / "cover.png").read_bytes() == (
        folder / "art" / "cover.png"
    ).read_bytes()
    command = out.splitlines()[-1].removeprefix("rebuild with: ")
    words = shlex.split(command)
    assert words[:2] == ["brochure", "build"]
    code, _, err = run(*words[1:])
    assert code == 0, err
    assert (tmp_path / "x" / "rebuilt.pdf").read_bytes() == original.output.read_bytes()


def test_extract_never_overwrites_and_writes_nothing_on_error(
    tmp_path: Path, spring_archive: BuildResult
) -> None:
    target = tmp_path / "x"
    target.mkdir()
    (target / "2009-spring.yaml").write_text("my own notes")
    code, _, err = run("extract", str(spring_archive.output), "-o", str(target))
    assert code == 1
    assert "2009-spring.yaml exists with other content" in err
    assert sorted(p.name for p in target.iterdir()) == ["2009-spring.yaml"]
    assert (target / "2009-spring.yaml").read_text() == "my own notes"


def test_extract_refuses_a_damaged_source(tmp_path: Path, spring_archive: BuildResult) -> None:
    damaged = tmp_path / "damaged.pdf"
    with pikepdf.open(spring_archive.output) as pdf:
        stream = pdf.attachments["2009-spring.yaml"].obj.EF.F
        stream.write(stream.read_bytes().replace(b"Spring", b"Autumn"))
        pdf.save(damaged)
    code, _, err = run("extract", str(damaged), "-o", str(tmp_path / "x"))
    assert code == 1
    assert "2009-spring.yaml: its SHA-256 differs from the manifest's" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["../escape.yaml", "/etc/escape.yaml", "a/../../escape.yaml"])
def test_extract_refuses_names_that_leave_the_folder(
    tmp_path: Path, spring_archive: BuildResult, name: str
) -> None:
    hostile = tmp_path / "hostile.pdf"
    with pikepdf.open(spring_archive.output) as pdf:
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, b"owned", filename=name)
        pdf.save(hostile)
    code, _, err = run("extract", str(hostile), "-o", str(tmp_path / "x" / "y"))
    assert code == 1
    assert "refused embedded file name" in err
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "escape.yaml").exists()


def test_extract_from_a_pdf_without_source_says_so(tmp_path: Path, spring_pdf: BuildResult) -> None:
    code, _, err = run("extract", str(spring_pdf.output), "-o", str(tmp_path / "x"))
    assert code == 1
    assert "carries no files (the archive edition embeds its source)" in err


def test_dates_follow_source_date_epoch_when_the_issue_has_none(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1242000000")  # 2009-05-11
    result = build_archive(SPRING, settings, tmp_path / "a.pdf")
    with pikepdf.open(result.output) as pdf:
        assert pdf.open_metadata()["xmp:CreateDate"] == "2009-05-11"
        params = pdf.attachments["2009-spring.yaml"].obj.EF.F.Params
        assert str(params.ModDate).startswith("D:20090511")
    assert embedded_manifest(result.output)["date"] == "2009-05-11"
    code, out, _ = run("extract", str(result.output), "-o", str(tmp_path / "x"))
    assert code == 0
    assert out.splitlines()[-1].startswith(
        "rebuild with: SOURCE_DATE_EPOCH=1242000000 brochure build"
    )
