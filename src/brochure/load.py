"""Stage 1, load: read an issue file into a validated `SourcedIssue`.

The YAML is composed into nodes (safe: no tags are ever constructed), turned
into plain strings, lists and dicts while remembering where each value stood,
and then validated by the models. Every problem is reported at once, each with
the line and column of the offending key or value.
"""

import contextlib
import difflib
import typing
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageFile
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import IssueInvalid, IssueProblem
from .glyphs import describe, missing_characters
from .limits import DEFAULT_LIMITS, Limits
from .model import Issue, SourcedIssue

FieldPath = tuple[str | int, ...]
Position = tuple[int, int]


def load_issue(
    path: Path, characters: frozenset[int] | None = None, limits: Limits = DEFAULT_LIMITS
) -> SourcedIssue:
    """Read and validate the issue file at PATH, within LIMITS.

    With CHARACTERS, the code points the fonts can show, text using any other
    is a problem. Raises `IssueInvalid` listing every problem found, each
    located by file, line, column and field.
    """
    text = _read_text(path, limits.file_size)
    _check_depth(path, text, limits.depth)
    root = _compose(path, text)
    tree = _PlainTree(path, limits.values)
    data = tree.convert(root)
    issue = _validate(tree, data, limits)
    if issue is not None:
        tree.problems.extend(_asset_problems(tree, issue, limits.image_pixels))
        if characters is not None:
            tree.problems.extend(_glyph_problems(tree, data, characters))
    if tree.problems or issue is None:
        raise IssueInvalid(tree.problems)
    # One name per field, shared by both maps: up to MAX_VALUES of each.
    names = {at: _field_name(at) for at in tree.values}
    return SourcedIssue(
        slug=path.stem,
        path=path,
        issue=issue,
        positions={names[at]: position for at, position in tree.values.items()},
        source=text,
        spans={names[at]: span for at, span in tree.spans.items()},
    )


def _field_name(field_path: FieldPath) -> str:
    """The key of a field in `SourcedIssue.positions`: articles.0.sections.1.body."""
    return ".".join(map(str, field_path))


def _problem(path: Path, position: Position, field_path: FieldPath, message: str) -> IssueProblem:
    return IssueProblem(path, position[0], position[1], _dotted(field_path), message)


def _dotted(field_path: FieldPath) -> str:
    """Write a field path as people read it: articles[0].sections[1].heading."""
    text = ""
    for part in field_path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _read_text(path: Path, most_bytes: int) -> str:
    """Read the file as UTF-8 (a byte order mark is allowed), up to MOST_BYTES long."""
    try:
        with path.open("rb") as stream:
            data = stream.read(most_bytes + 1)
    except OSError as error:
        raise IssueInvalid([_problem(path, (1, 1), (), f"cannot read: {error.strerror}")]) from None
    if len(data) > most_bytes:
        message = f"file is larger than {_size(most_bytes)}"
        raise IssueInvalid([_problem(path, (1, 1), (), message)])
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8")) + 1
        byte = data[error.start]
        message = f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"
        raise IssueInvalid([_problem(path, (line, column), (), message)]) from None


def _size(count: int) -> str:
    """A byte count as people write it: '2 MiB' when it is whole mebibytes."""
    mebibytes, rest = divmod(count, 1024 * 1024)
    return f"{mebibytes} MiB" if mebibytes and not rest else f"{count:,} bytes"


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it: twenty times faster. Its error messages are
terser, so a file it refuses is parsed again by PyYAML's own to say why."""


def _compose(path: Path, text: str) -> yaml.Node:
    """Parse YAML into a node tree, turning syntax errors into located problems."""
    try:
        root = yaml.compose(text, Loader=FAST_LOADER)
    except (yaml.YAMLError, RecursionError):
        root = _compose_slowly(path, text)
    if root is None:
        raise IssueInvalid([_problem(path, (1, 1), (), "the file is empty")])
    return root


def _compose_slowly(path: Path, text: str) -> yaml.Node | None:
    """Parse with PyYAML's own loader, whose messages say where and what went wrong."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {error.problem or error.context}"
        start = error.context_mark
        if error.problem and error.context and start and start is not mark:
            # An unclosed quote is found at the end of the file: say where it opened.
            where = f"line {start.line + 1}, column {start.column + 1}"
            message = f"YAML syntax error: {error.context} ({where}), {error.problem}"
        raise IssueInvalid([_problem(path, position, (), message)]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        message = f"YAML syntax error: character U+{error.character:04X} is not allowed"
        raise IssueInvalid([_problem(path, (line, column), (), message)]) from None
    except yaml.YAMLError as error:
        raise IssueInvalid([_problem(path, (1, 1), (), f"YAML error: {error}")]) from None
    except RecursionError:
        raise IssueInvalid([_problem(path, (1, 1), (), "values are nested too deeply")]) from None
    return root


def _check_depth(path: Path, text: str, most: int) -> None:
    """Refuse nesting deeper than MOST where it starts, before building any nodes.

    PyYAML composes nodes recursively, so very deep nesting would otherwise
    end in a RecursionError with no place to point at. Its event stream is
    flat: walking it finds the first too-deep value, and the field it is in.
    """
    try:
        _walk_depth(path, yaml.parse(text, Loader=FAST_LOADER), most)
    except yaml.YAMLError:
        # libyaml reads a flow collection whole before its first event, and gives
        # up on deep ones; PyYAML's parser goes step by step, so it finds the place.
        with contextlib.suppress(yaml.YAMLError):  # composing reports syntax errors
            _walk_depth(path, yaml.parse(text, Loader=yaml.SafeLoader), most)


def _walk_depth(path: Path, events: Iterator[yaml.Event], most: int) -> None:
    open_nodes: list[_OpenNode] = []
    for event in events:
        parent = open_nodes[-1] if open_nodes else None
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            at = parent.next_field() if parent else ()
            if len(open_nodes) >= most:
                mark = event.start_mark
                position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                message = f"values are nested more than {most} deep"
                raise IssueInvalid([_problem(path, position, _named_part(at), message)])
            open_nodes.append(_OpenNode(at, isinstance(event, yaml.MappingStartEvent)))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            open_nodes.pop()
            if open_nodes:
                open_nodes[-1].value_done()
        elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent) and parent:
            if parent.mapping and parent.key is None:
                parent.key = getattr(event, "value", "")
            else:
                parent.value_done()


@dataclass
class _OpenNode:
    """A mapping or list whose end the event stream has not reached yet."""

    at: FieldPath
    mapping: bool
    key: str | None = None
    """In a mapping: the key whose value comes next, once it has been read."""
    index: int = 0
    """In a list: the index of the next item."""

    def next_field(self) -> FieldPath:
        return (*self.at, self.key if self.mapping and self.key is not None else self.index)

    def value_done(self) -> None:
        if self.mapping:
            self.key = None
        else:
            self.index += 1


def _named_part(at: FieldPath, most: int = 8) -> FieldPath:
    """The start of a runaway field path a reader can find: up to its last named key."""
    named = max((i for i, part in enumerate(at) if isinstance(part, str)), default=-1)
    return at[: min(named + 1, most)]


class _TooManyValues(Exception):
    def __init__(self, at: FieldPath, position: Position) -> None:
        self.at, self.position = at, position


@dataclass
class _PlainTree:
    """Turns YAML nodes into plain values, remembering where each one stood."""

    path: Path
    most_values: int
    values: dict[FieldPath, Position] = field(default_factory=dict)
    keys: dict[FieldPath, Position] = field(default_factory=dict)
    spans: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    """Where each scalar is written in the text: its start and end offsets."""
    problems: list[IssueProblem] = field(default_factory=list)
    count: int = 0

    def convert(self, node: yaml.Node) -> Any:
        try:
            return self._convert(node, ())
        except _TooManyValues as error:
            message = f"more than {self.most_values:,} values (are aliases expanding too far?)"
            problem = _problem(self.path, error.position, _named_part(error.at), message)
            self.problems.append(problem)
            return None
        except RecursionError:
            self.problems.append(_problem(self.path, (1, 1), (), "values are nested too deeply"))
            return None

    def _convert(self, node: yaml.Node, at: FieldPath) -> Any:
        self.count += 1
        if self.count > self.most_values:
            raise _TooManyValues(at, _position(node))
        self.values[at] = _position(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(item, (*at, i)) for i, item in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:null":
            return None
        self.spans[at] = (node.start_mark.index, node.end_mark.index)
        # Every other scalar stays the text that was written: 'NO' is not
        # false and '1.10' is not 1.1. The models convert where they must.
        return node.value

    def _mapping(self, node: yaml.MappingNode, at: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    _problem(self.path, _position(key_node), at, "a key must be a plain name")
                )
                continue
            key = key_node.value
            if key in result:
                first = self.keys[(*at, key)][0]
                message = f"duplicate key '{key}' (first given on line {first})"
                self.problems.append(_problem(self.path, _position(key_node), (*at, key), message))
                continue
            self.keys[(*at, key)] = _position(key_node)
            result[key] = self._convert(value_node, (*at, key))
        return result

    def position_of(self, at: FieldPath, *, key: bool = False) -> Position:
        """Where the key (or else the value) at AT stood, or its nearest parent."""
        while at:
            # A list entry has no key: a problem with it is located at its value.
            if key and isinstance(at[-1], str):
                found = self.keys.get(at)
            else:
                found = self.values.get(at) or self.keys.get(at)
            if found:
                return found
            at, key = at[:-1], True
        return self.values.get((), (1, 1))


def _position(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _validate(tree: _PlainTree, data: Any, limits: Limits) -> Issue | None:
    if data is None and tree.problems:
        return None
    try:
        return Issue.model_validate(data, context=limits)
    except ValidationError as error:
        details = [d for d in error.errors() if not _only_follows_from_items(d)]
        tree.problems.extend(_explain(tree, detail) for detail in details)
        return None


def _only_follows_from_items(detail: ErrorDetails) -> bool:
    """Pydantic counts a tuple's length after validation, so one bad article also
    reports 'articles: too short'; that is noise when enough entries were written."""
    given, context = detail.get("input"), detail.get("ctx") or {}
    return (
        detail["type"] == "too_short"
        and isinstance(given, list)
        and len(given) >= context.get("min_length", 1)
    )


def _explain(tree: _PlainTree, detail: ErrorDetails) -> IssueProblem:
    """Turn one pydantic error into a located problem with a plain message."""
    at = _field_path(detail["loc"])
    kind = detail["type"]
    if kind == "missing":
        return _problem(
            tree.path, tree.position_of(at[:-1], key=True), at, "required field is missing"
        )
    if kind == "extra_forbidden":
        # The last part is the key as written, whatever it looks like.
        at = (*_field_path(detail["loc"][:-1]), detail["loc"][-1])
        return _problem(tree.path, tree.position_of(at, key=True), at, _unknown_field(at))
    return _problem(tree.path, tree.position_of(at), at, _message(detail))


def _field_path(loc: tuple[int | str, ...]) -> FieldPath:
    # Pydantic names union branches in loc (e.g. 'function-after[...]'); drop them.
    return tuple(p for p in loc if isinstance(p, int) or not ("[" in p or p in {"str", "int"}))


MESSAGES = {
    "string_too_short": "must not be empty",
    "too_short": "needs at least one entry",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "tuple_type": "must be a list",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_type": "must be a date written YYYY-MM-DD",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
}


def _message(detail: ErrorDetails) -> str:
    kind, given = detail["type"], detail.get("input")
    if kind in {"string_type", "path_type"}:
        if given is None:
            return "must not be empty"
        return f"must be text, not a {'list' if isinstance(given, list) else 'mapping'}"
    message = MESSAGES.get(kind) or detail["msg"].removeprefix("Value error, ")
    if isinstance(given, str) and kind not in {"string_too_short", "string_too_long", "model_type"}:
        message += f" (got {given!r})"
    return message[0].lower() + message[1:]


def _unknown_field(at: FieldPath) -> str:
    allowed = list(_model_at(at[:-1]).model_fields)
    guess = difflib.get_close_matches(str(at[-1]), allowed, n=1)
    hint = f"did you mean '{guess[0]}'?" if guess else f"expected one of: {', '.join(allowed)}"
    return f"unknown field '{at[-1]}'; {hint}"


def _model_at(at: FieldPath) -> type[BaseModel]:
    """The model class that describes the mapping at AT."""
    model: Any = Issue
    for part in at:
        if isinstance(part, str):
            model = model.model_fields[part].annotation
        model = _inner_model(model)
    return typing.cast(type[BaseModel], model)


def _inner_model(annotation: Any) -> Any:
    """Unwrap Optional[...], tuple[X, ...] and Annotated[...] down to a model class."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        if argument is not type(None) and argument is not Ellipsis:
            inner = _inner_model(argument)
            if inner is not None:
                return inner
    return None


def _asset_field(name: str) -> FieldPath:
    """The field path of an asset's name: 'articles.0.sections.1.figures.0.src' has list indexes."""
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def _asset_problems(tree: _PlainTree, issue: Issue, most_pixels: int) -> list[IssueProblem]:
    """Check that files the issue names exist next to it, never outside its folder."""
    problems = []
    folder = tree.path.resolve().parent
    images = issue.images
    for name, relative in issue.assets.items():
        at = _asset_field(name)
        message = _asset_message(folder, relative)
        if message is None and name in images:
            message = _image_message(folder / relative, relative, most_pixels)
        if message:
            problems.append(_problem(tree.path, tree.position_of(at), at, message))
    return problems


MAX_LISTED_CHARACTERS = 5


def _image_message(path: Path, relative: Path, most_pixels: int) -> str | None:
    """Why the image at PATH cannot be used, or None: more than MOST_PIXELS, or unreadable.

    Every image is decoded once here, so a damaged one is reported with its
    field rather than typeset as an empty box.
    """
    try:
        with warnings.catch_warnings(), _whole_images_only():
            # Pillow warns from 89 million pixels; the limit here is lower.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > most_pixels:
                    return (
                        f"'{relative}' is {width}x{height} pixels; an image may have at most "
                        f"{most_pixels:,} pixels"
                    )
                image.load()
    except Image.DecompressionBombError:
        return f"'{relative}' has more than {most_pixels:,} pixels"
    except (OSError, SyntaxError, ValueError) as error:
        reason = str(error) or type(error).__name__
        return f"'{relative}' is not a readable image ({reason})"
    return None


@contextlib.contextmanager
def _whole_images_only() -> Iterator[None]:
    """Have Pillow refuse a truncated image, whatever the process set before.

    WeasyPrint tells Pillow to load truncated images when it is imported, so in
    a process that has imported it (a batch worker, a preview server) a cut-off
    file would otherwise pass as readable and print with a blank part.
    """
    allowed = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = allowed


def _glyph_problems(
    tree: "_PlainTree", data: Any, characters: frozenset[int], at: FieldPath = ()
) -> list[IssueProblem]:
    """A problem for each text field that uses characters the fonts cannot show."""
    if isinstance(data, dict):
        return [
            problem
            for key, value in data.items()
            for problem in _glyph_problems(tree, value, characters, (*at, key))
        ]
    if isinstance(data, list):
        return [
            problem
            for index, value in enumerate(data)
            for problem in _glyph_problems(tree, value, characters, (*at, index))
        ]
    if not isinstance(data, str):
        return []
    missing = missing_characters(data, characters)
    if not missing:
        return []
    listed = ", ".join(describe(char) for char in missing[:MAX_LISTED_CHARACTERS])
    more = len(missing) - MAX_LISTED_CHARACTERS
    listed += f" and {more} more" if more > 0 else ""
    message = f"the brochure's fonts have no glyph for {listed}"
    return [_problem(tree.path, tree.position_of(at), at, message)]


def _asset_message(folder: Path, relative: Path) -> str | None:
    if relative.is_absolute() or str(relative).startswith(("http:", "https:", "file:")):
        return "must be a path relative to the issue file"
    resolved = (folder / relative).resolve()
    if not resolved.is_relative_to(folder):
        return f"'{relative}' is outside the issue's folder"
    if resolved.is_dir():
        return f"'{relative}' is a folder, not a file"
    if not resolved.is_file():
        return f"file '{relative}' does not exist"
    return None
