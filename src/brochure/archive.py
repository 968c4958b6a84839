"""Associated files: the archive edition carries its own source.

A PDF/A-3 file may embed other files if it says how each relates to the
document. The archive edition embeds the issue file and every file it names
as its Source, and the build manifest as Data, so that the PDF alone is enough
to see what it was made from and to make it again. `extract_files` gives them
back from any PDF, refusing names that would land outside the chosen folder.
"""

import datetime
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .errors import BrochureError
from .files import write_atomically
from .manifest import FILENAME as MANIFEST_FILENAME
from .manifest import Manifest, source_files
from .model import SourcedIssue
from .pdfs import reading

MEDIA_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json"}


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside a PDF, and how it relates to the document."""

    name: str
    """A relative path with forward slashes."""
    data: bytes
    relationship: str
    """PDF/A-3's AFRelationship: Source, Data, Supplement, ..."""
    description: str

    @property
    def media_type(self) -> str:
        suffix = PurePosixPath(self.name).suffix.lower()
        return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(self.name)[0] or "text/plain"


def archive_files(sourced: SourcedIssue, manifest: Manifest) -> tuple[EmbeddedFile, ...]:
    """The files the archive edition embeds: the issue, what it names, and the manifest."""
    sources = tuple(
        EmbeddedFile(
            name,
            path.read_bytes(),
            "Source",
            "The issue file this PDF was built from"
            if path == sourced.path
            else "A file the issue names, as supplied",
        )
        for name, path in source_files(sourced).items()
    )
    manifest_file = EmbeddedFile(
        MANIFEST_FILENAME,
        manifest.as_json(),
        "Data",
        "Build manifest: SHA-256 of every input, versions of the tools and fonts",
    )
    return (*sources, manifest_file)


def embed_files(pdf: Pdf, files: tuple[EmbeddedFile, ...], date: datetime.date) -> None:
    """Embed FILES as PDF/A-3 associated files of the whole document, dated DATE.

    Each file specification is in the EmbeddedFiles name tree, where viewers
    list attachments, and in the catalog's /AF, which PDF/A-3 asks for; its
    stream carries the media type, size, MD5 checksum and dates PDF/A-3 wants.
    """
    moment = pikepdf.String(f"D:{date:%Y%m%d}000000+00'00'")  # midnight UTC
    specifications = [_file_specification(pdf, file, moment) for file in files]
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    existing = pdf.Root.Names.get("/EmbeddedFiles")
    tree = pikepdf.NameTree(existing) if existing is not None else pikepdf.NameTree.new(pdf)
    for file, specification in zip(files, specifications, strict=True):
        tree[file.name] = specification
    pdf.Root.Names.EmbeddedFiles = tree.obj
    pdf.Root.AF = Array(specifications)


def _file_specification(pdf: Pdf, file: EmbeddedFile, moment: pikepdf.String) -> pikepdf.Object:
    """FILE's specification, referring to a stream of its bytes."""
    stream = pdf.make_stream(file.data)
    stream.Type = Name.EmbeddedFile
    stream.Subtype = Name("/" + file.media_type)  # qpdf writes the slash as #2F
    stream.Params = Dictionary(
        Size=len(file.data),
        CheckSum=pikepdf.String(hashlib.md5(file.data).digest()),
        CreationDate=moment,
        ModDate=moment,
    )
    name = pikepdf.String(file.name)
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Filespec,
            F=name,
            UF=name,
            Desc=pikepdf.String(file.description),
            AFRelationship=Name("/" + file.relationship),
            EF=Dictionary(F=stream),
        )
    )


def extract_files(data: bytes) -> tuple[EmbeddedFile, ...]:
    """Every file embedded in the PDF in DATA; raise `BrochureError` if it is unreadable."""
    with reading(data, BrochureError, encrypted="the PDF is encrypted") as pdf:
        return tuple(
            _extracted(name, specification) for name, specification in pdf.attachments.items()
        )


def _extracted(name: str, specification: pikepdf.AttachedFileSpec) -> EmbeddedFile:
    """The file NAME in the embedded files' name tree, as its SPECIFICATION gives it."""
    relationship = specification.obj.get("/AFRelationship", Name.Unspecified)
    return EmbeddedFile(
        _safe_name(name),
        specification.get_file().read_bytes(),
        str(relationship).lstrip("/"),
        str(specification.obj.get("/Desc", "")),
    )


@dataclass(frozen=True)
class Extracted:
    """The files `extract` wrote, and the manifest among them."""

    files: tuple[Path, ...]
    manifest: dict[str, object] | None


def extract(pdf: Path, folder: Path) -> Extracted:
    """Write every file embedded in the PDF at PDF into FOLDER.

    Nothing is written unless every file can be: a file that exists with other
    content, or a source file whose SHA-256 differs from the manifest's, is an
    error that names it.
    """
    try:
        data = pdf.read_bytes()
    except OSError as error:
        raise BrochureError(f"{pdf}: cannot read: {error.strerror}") from None
    try:
        files = extract_files(data)
    except BrochureError as error:
        raise BrochureError(f"{pdf}: {error}") from None
    if not files:
        raise BrochureError(f"{pdf}: carries no files (the archive edition embeds its source)")
    manifest = manifest_of(files)
    problems = [*_damaged(files, manifest), *_clashes(files, folder)]
    if problems:
        raise BrochureError("\n".join(f"{pdf}: {problem}" for problem in problems))
    for file in files:
        write_atomically(folder / file.name, file.data)
    return Extracted(tuple(folder / file.name for file in files), manifest)


def _damaged(files: tuple[EmbeddedFile, ...], manifest: dict[str, object] | None) -> list[str]:
    recorded = manifest.get("source") if manifest else None
    if not isinstance(recorded, dict):
        return []
    return [
        f"{file.name}: its SHA-256 differs from the manifest's; the file is damaged"
        for file in files
        if file.name in recorded and hashlib.sha256(file.data).hexdigest() != recorded[file.name]
    ]


def _clashes(files: tuple[EmbeddedFile, ...], folder: Path) -> list[str]:
    clashes = []
    for file in files:
        target = folder / file.name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            clashes.append(f"{target} exists and is not a plain file")
        elif target.exists() and target.read_bytes() != file.data:
            clashes.append(f"{target} exists with other content; extract somewhere else")
    return clashes


def _safe_name(name: str) -> str:
    """NAME if it is a relative path that stays inside the folder it is extracted to."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or path.is_absolute() or ".." in path.parts or ":" in name or "\0" in name:
        raise BrochureError(f"refused embedded file name {name!r}: not a plain relative path")
    return path.as_posix()


def manifest_of(files: tuple[EmbeddedFile, ...]) -> dict[str, object] | None:
    """The build manifest among FILES, parsed, or None if there is none."""
    for file in files:
        if file.name == MANIFEST_FILENAME:
            manifest: dict[str, object] = json.loads(file.data)
            return manifest
    return None
