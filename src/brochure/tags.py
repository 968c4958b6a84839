"""Tags: what makes a tagged PDF complete for screen readers, after WeasyPrint.

WeasyPrint writes the structure tree; pikepdf then fixes what it leaves out or
gets wrong for PDF/UA and PDF/A: a designer cover becomes one described
figure, ornaments (images with empty alt text), running heads and folios
become artifacts, links are described by their text, definition lists get a
label and a body per entry, abbreviations carry their expansion, and the XMP
metadata states the language.
"""

import re
from collections.abc import Iterator, Sequence
from typing import TypeGuard, cast
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .errors import AssembleError
from .typesetter import Abbreviation

ObjectNumber = tuple[int, int]
"""An indirect object's number and generation: what tells two references apart."""

Elements = list[tuple[pikepdf.Object, pikepdf.Object]]
"""Structure elements, each with its parent, in reading order (`structure_elements`)."""


def tag_cover(pdf: Pdf, pages: int, alt: str) -> None:
    """Make each of the first PAGES (a designer cover) one figure described by ALT.

    The cover's own marked content is dropped: its structure is not copied,
    and a screen reader should hear the cover described once, not in pieces.
    """
    root = pdf.Root.StructTreeRoot
    document = root.K[0]
    numbers = root.ParentTree.Nums
    next_key = max((int(key) for key in list(numbers)[::2]), default=-1) + 1
    figures = []
    for index in range(pages):
        page = pdf.pages[index]
        _wrap_as_figure(pdf, page)
        if "/Annots" in page.obj:
            del page.obj.Annots
        description = alt if pages == 1 else f"{alt} (page {index + 1})"
        figure = pdf.make_indirect(
            Dictionary(
                Type=Name.StructElem,
                S=Name.Figure,
                P=document,
                Pg=page.obj,
                K=0,
                Alt=pikepdf.String(description),
            )
        )
        figures.append(figure)
        page.obj.StructParents = next_key
        page.obj.Tabs = Name.S
        numbers.append(next_key)
        numbers.append(Array([figure]))
        next_key += 1
    kids = document.K
    document.K = Array([*figures, *(kids if isinstance(kids, Array) else [kids])])


def _wrap_as_figure(pdf: Pdf, page: pikepdf.Page) -> None:
    """Put the page's whole content in one marked-content sequence: figure, MCID 0."""
    unmarked = [
        instruction
        for instruction in pikepdf.parse_content_stream(page)
        if str(instruction.operator) not in ("BDC", "BMC", "EMC")
    ]
    content = pikepdf.unparse_content_stream(
        [
            ([Name.Figure, Dictionary(MCID=0)], pikepdf.Operator("BDC")),
            *unmarked,
            ([], pikepdf.Operator("EMC")),
        ]
    )
    page.obj.Contents = pdf.make_stream(content)


_MARKED_CONTENT = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_PAGINATION = b"/Artifact <</Type /Pagination>> BDC"
_LAYOUT = b"/Artifact <</Type /Layout>> BDC"


def mark_page_furniture(pdf: Pdf) -> None:
    """Mark running heads and folios as pagination artifacts, which they are.

    WeasyPrint tags the text of page margins but leaves it out of the structure
    tree, so a reader could neither reach it nor tell it apart from real
    content. Marked content whose element the tree never reaches is turned
    into an artifact, and its entry in the parent tree is cleared.
    """
    root = pdf.Root.StructTreeRoot
    reachable = _reachable_elements(root)
    parents = _parent_tree(root)
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        elements = parents.get(int(key)) if key is not None else None
        if not isinstance(elements, Array):
            continue
        stray = {
            mcid
            for mcid, element in enumerate(elements)
            if isinstance(element, Dictionary)
            and element.is_indirect
            and element.objgen not in reachable
        }
        if stray:
            _make_artifacts(page, stray, _PAGINATION)
            for mcid in stray:
                elements[mcid] = None


def structure_elements(pdf: Pdf) -> Elements:
    """Every structure element of PDF with its parent, in reading order, as the tree is now.

    Reading the tree through pikepdf costs about 3 µs an element, 15 ms on an
    80-page issue, so the steps below share one reading. Only `hide_ornaments`
    takes elements out, and those it leaves behind in the list are figures
    and emptied containers, which the later steps, looking for links, lists
    and abbreviations, pass over.
    """
    root = pdf.Root.get("/StructTreeRoot")
    return [] if root is None else list(_elements_with_parents(root))


def hide_ornaments(pdf: Pdf, elements: Elements) -> None:
    """Make images without alt text artifacts, which screen readers skip.

    An image's alt text is required in the issue unless it is an ornament,
    whose empty alt text says just that; WeasyPrint tags every image as a
    figure, and a figure without alt text breaks PDF/UA. Each such figure
    leaves the structure tree, its marked content becomes a layout artifact,
    and a container it leaves empty (the <figure> around it) goes too.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    parents = _parent_tree(root)
    pages = {page.obj.objgen: page for page in pdf.pages}
    for element, parent in elements:
        if element.get("/S") != "/Figure" or "/Alt" in element or "/ActualText" in element:
            continue
        page_reference = element.get("/Pg")
        page = pages.get(page_reference.objgen) if page_reference is not None else None
        mcids = {kid for kid in _kids(element) if isinstance(kid, int)}
        if page is not None and mcids:
            _make_artifacts(page, mcids, _LAYOUT)
            marked = parents.get(int(page.obj.get("/StructParents", -1)))
            for mcid in mcids if isinstance(marked, Array) else ():
                cast(Array, marked)[mcid] = None
        _remove_kid(parent, element)


def _parent_tree(root: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """The parent tree's entries by key: WeasyPrint writes them all in one /Nums array."""
    numbers = list(root.ParentTree.Nums)
    return {int(key): value for key, value in zip(numbers[::2], numbers[1::2], strict=False)}


def _elements_with_parents(
    root: pikepdf.Object,
) -> Iterator[tuple[pikepdf.Object, pikepdf.Object]]:
    """Every structure element below ROOT with its parent, in reading order."""
    pending = [(kid, root) for kid in reversed(_kids(root))]
    while pending:
        element, parent = pending.pop()
        if _is_structure_element(element):
            yield element, parent
            pending.extend((kid, element) for kid in reversed(_kids(element)))


def _remove_kid(parent: pikepdf.Object, element: pikepdf.Object) -> None:
    """Take ELEMENT out of PARENT's kids; a container left empty is taken out of its own."""
    kids = parent.get("/K")
    if isinstance(kids, Array):
        kept = [kid for kid in kids if not _same(kid, element)]
        parent.K = Array(kept)
    else:
        kept = []
        parent.K = Array()
    grandparent = parent.get("/P")
    if not kept and parent.get("/S") in ("/NonStruct", "/Div") and grandparent is not None:
        _remove_kid(grandparent, parent)


def _same(kid: object, element: pikepdf.Object) -> bool:
    """Is KID a reference to ELEMENT, an indirect object?"""
    return isinstance(kid, Dictionary) and kid.is_indirect and kid.objgen == element.objgen


def _reachable_elements(root: pikepdf.Object) -> set[ObjectNumber]:
    """Object numbers of the structure elements reachable from ROOT."""
    seen: set[ObjectNumber] = set()
    pending: list[object] = list(root.K)
    while pending:
        element = pending.pop()
        if not isinstance(element, Dictionary) or not element.is_indirect:
            continue
        if element.objgen in seen:
            continue
        seen.add(element.objgen)
        kids = element.get("/K")
        pending.extend(kids if isinstance(kids, Array) else [kids])
    return seen


def _make_artifacts(page: pikepdf.Page, mcids: set[int], artifact: bytes) -> None:
    """Turn the marked-content sequences MCIDS on PAGE into artifacts of a kind."""

    def replace(match: re.Match[bytes]) -> bytes:
        return artifact if int(match[1]) in mcids else match[0]

    contents = page.obj.Contents
    for stream in contents if isinstance(contents, Array) else [contents]:
        stream.write(_MARKED_CONTENT.sub(replace, stream.read_bytes()))


def describe_links(elements: Elements, reader: "MarkedText") -> None:
    """Describe each link by its text, as PDF/UA asks; WeasyPrint describes it by its target.

    A link's text is the marked content under its structure element, read from
    the pages by READER; rows of leader dots in contents entries are dropped.
    """
    in_links: set[ObjectNumber] = set()  # links, and elements inside one
    for element, parent in elements:
        if parent.objgen in in_links:
            in_links.add(element.objgen)
            continue
        if element.get("/S") != "/Link":
            continue
        # WeasyPrint nests a link's inline boxes as links of their own: the outermost
        # link's text describes every annotation inside it.
        in_links.add(element.objgen)
        text = " ".join(reader.text_of(element, element.get("/Pg")).split())
        description = _LEADERS.sub(" ", text).strip()
        for annotation in _annotations_under(element) if description else ():
            annotation.Contents = pikepdf.String(description)


def _annotations_under(element: pikepdf.Object) -> list[pikepdf.Object]:
    """The annotations a structure element and its descendants refer to."""
    found = []
    for kid in _kids(element):
        if isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR":
            found.append(kid.Obj)
        elif _is_structure_element(kid):
            found.extend(_annotations_under(kid))
    return found


class MarkedText:
    """The text of structure elements, from the marked content they point to.

    Each page's content is read once, when first asked for: one reader serves
    every step that reads text while the pages' content stays as it is.
    """

    def __init__(self, pdf: Pdf) -> None:
        self.pages = {page.obj.objgen: page for page in pdf.pages}
        self.texts: dict[ObjectNumber, dict[int, str]] = {}
        self.fonts = _Fonts()

    def text_of(self, element: pikepdf.Object, page: pikepdf.Object | None) -> str:
        page = element.get("/Pg", page)
        pieces = []
        for kid in _kids(element):
            if isinstance(kid, int):
                pieces.append(self._marked(page, kid))
            elif isinstance(kid, Dictionary) and "/MCID" in kid:
                pieces.append(self._marked(kid.get("/Pg", page), int(kid.MCID)))
            elif _is_structure_element(kid):
                pieces.append(self.text_of(kid, page))
        return "".join(pieces)

    def _marked(self, page: pikepdf.Object | None, mcid: int) -> str:
        if page is None or page.objgen not in self.pages:
            return ""
        number = page.objgen
        if number not in self.texts:
            self.texts[number] = _marked_content_text(self.pages[number], self.fonts)
        return self.texts[number].get(mcid, "")


def _kids(element: pikepdf.Object) -> list[object]:
    """ELEMENT's kids: structure elements, marked-content IDs (int), content and object refs."""
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_structure_element(value: object) -> TypeGuard[pikepdf.Object]:
    return isinstance(value, Dictionary) and value.get("/Type") == "/StructElem"


_LEADERS = re.compile(r"(?:\s*\.){3,}\s*")


class _Fonts:
    """Each font of the document read once: what its codes stand for and how wide they are."""

    def __init__(self) -> None:
        self.read: dict[ObjectNumber, _Font] = {}

    def __getitem__(self, font: pikepdf.Object | None) -> "_Font":
        if not isinstance(font, Dictionary):
            return _Font({}, 1, {}, 0)
        if not font.is_indirect:
            return _read_font(font)
        if font.objgen not in self.read:
            self.read[font.objgen] = _read_font(font)
        return self.read[font.objgen]


class _Font:
    """A font's codes: the text each stands for and its width, in thousandths of an em."""

    def __init__(
        self, unicode: dict[bytes, str], code_length: int, widths: dict[int, float], default: float
    ) -> None:
        self.unicode, self.code_length = unicode, code_length
        self.widths, self.default_width = widths, default

    def codes(self, shown: bytes) -> list[bytes]:
        step = self.code_length
        return [shown[i : i + step] for i in range(0, len(shown), step)]

    def text(self, shown: bytes) -> str:
        return "".join(self.unicode.get(code, "") for code in self.codes(shown))

    def width(self, shown: bytes) -> float:
        return sum(
            self.widths.get(int.from_bytes(code), self.default_width) for code in self.codes(shown)
        )


def _read_font(font: pikepdf.Object) -> _Font:
    """FONT as WeasyPrint writes it: Type0, Identity-H (codes of 2 bytes), with ToUnicode."""
    cmap = font.get("/ToUnicode")
    unicode = _unicode_map(cmap.read_bytes()) if isinstance(cmap, pikepdf.Stream) else {}
    if font.get("/Subtype") != "/Type0":
        first = int(font.get("/FirstChar", 0))
        widths = {first + n: float(width) for n, width in enumerate(font.get("/Widths", []))}
        return _Font(unicode, 1, widths, 0)
    descendant = font.DescendantFonts[0]
    widths = _cid_widths(descendant.get("/W", []))
    return _Font(unicode, 2, widths, float(descendant.get("/DW", 1000)))


def _cid_widths(entries: pikepdf.Object | list[object]) -> dict[int, float]:
    """A CID font's /W array: `first [w1 w2 ...]` or `first last w`, in any mixture."""
    widths: dict[int, float] = {}
    values = list(entries)
    index = 0
    while index + 1 < len(values):
        first, following = int(cast(int, values[index])), values[index + 1]
        if isinstance(following, Array):
            widths.update((first + n, float(width)) for n, width in enumerate(following))
            index += 2
        elif index + 2 < len(values):
            last, width = int(cast(int, following)), float(cast(float, values[index + 2]))
            widths.update((code, width) for code in range(first, last + 1))
            index += 3
        else:
            break
    return widths


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_RANGE = re.compile(rb"<([0-9A-Fa-f\s]*)>\s*<([0-9A-Fa-f\s]*)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])")


def _unicode_map(cmap: bytes) -> dict[bytes, str]:
    """The codes a ToUnicode CMap maps, each to its text: bfchar and bfrange entries."""
    mapping: dict[bytes, str] = {}
    for block in _BFCHAR.findall(cmap):
        values = [_hex(value) for value in _HEX.findall(block)]
        for code, text in zip(values[::2], values[1::2], strict=False):
            mapping[code] = text.decode("utf-16-be", "replace")
    for block in _BFRANGE.findall(cmap):
        for low, high, target in _RANGE.findall(block):
            first, size = int.from_bytes(_hex(low)), len(_hex(low))
            codes = range(first, min(int.from_bytes(_hex(high)), first + 0xFFFF) + 1)
            for number, text in zip(codes, _range_texts(target, len(codes)), strict=False):
                mapping[number.to_bytes(size)] = text.decode("utf-16-be", "replace")
    return mapping


def _range_texts(target: bytes, count: int) -> list[bytes]:
    """The texts of a bfrange's COUNT codes: listed in an array, or counted up from one."""
    if target.startswith(b"["):
        return [_hex(value) for value in _HEX.findall(target)]
    start = _hex(target[1:-1])
    limit = 256 ** len(start)
    return [((int.from_bytes(start) + n) % limit).to_bytes(len(start)) for n in range(count)]


def _hex(value: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", value).decode("ascii"))


NEW_LINE = 0.8
"""Ems the baseline moves for the next text to be on a new line."""
WORD_GAP = 0.125
"""Ems between one piece of text on a line and the next that read as a space."""


class _TextReader:
    """Follows a WeasyPrint page's content and files its text by marked-content ID.

    WeasyPrint shows each run of text in a text object of its own, inside one
    marked-content sequence, placed by Tm and shown by TJ in a Type0 font. A
    run that starts on a new line starts with a line break; one that starts
    on the same line, beyond a narrow space from where the last ended, starts
    with a space. Words in two runs so stay apart, as they did with pypdf's
    text extraction, which this replaces; unlike pypdf, it reads letters
    spaced apart as a word.
    """

    def __init__(self, fonts: _Fonts, font_resources: pikepdf.Object | None) -> None:
        self.fonts, self.font_resources = fonts, font_resources
        self.texts: dict[int, str] = {}
        self.sequences: list[int | None] = []
        self.matrix = pikepdf.Matrix()
        self.saved: list[pikepdf.Matrix] = []
        self.font, self.font_size = _Font({}, 1, {}, 0), 0.0
        self.text_matrix = pikepdf.Matrix()
        self.placed = False
        """Whether the text matrix was set since text was last shown."""
        self.last: tuple[float, float, float] | None = None
        """Where the text shown last ended, x and y on the page, and its font size there."""
        self.last_character = ""
        """The last character of the text shown, marked or not."""

    def read(self, instruction: pikepdf.ContentStreamInstruction) -> None:
        operator, operands = str(instruction.operator), instruction.operands
        if operator == "BDC":
            properties = operands[1] if len(operands) > 1 else None
            mcid = properties.get("/MCID") if isinstance(properties, Dictionary) else None
            self.sequences.append(None if mcid is None else int(mcid))
        elif operator == "BMC":
            self.sequences.append(None)
        elif operator == "EMC" and self.sequences:
            self.sequences.pop()
        elif operator == "q":
            self.saved.append(self.matrix)
        elif operator == "Q" and self.saved:
            self.matrix = self.saved.pop()
        elif operator == "cm":
            self.matrix = _numbers(list(operands)) @ self.matrix
        elif operator == "Tf":
            font = self.font_resources.get(str(operands[0])) if self.font_resources else None
            self.font, self.font_size = self.fonts[font], float(operands[1])
        elif operator == "Tm":
            self.text_matrix, self.placed = _numbers(list(operands)), True
        elif operator == "TJ":
            self._show(list(operands[0]))
        elif operator == "Tj":
            self._show(list(operands))

    def _show(self, shown: list[object]) -> None:
        text = "".join(self.font.text(bytes(s)) for s in shown if isinstance(s, pikepdf.String))
        advance = sum(
            self.font.width(bytes(s)) if isinstance(s, pikepdf.String) else -float(cast(float, s))
            for s in shown
        )
        matrix = self.text_matrix @ self.matrix
        size = self.font_size * (matrix.c**2 + matrix.d**2) ** 0.5
        if self.placed:
            text = self._separator(matrix.e, matrix.f, size) + text
        end = advance / 1000 * self.font_size
        self.text_matrix = pikepdf.Matrix(1, 0, 0, 1, end, 0) @ self.text_matrix
        matrix = self.text_matrix @ self.matrix
        self.last, self.placed = (matrix.e, matrix.f, size), False
        self.last_character = (self.last_character + text)[-1:]
        mcid = self.sequences[-1] if self.sequences else None
        if mcid is not None:
            self.texts[mcid] = self.texts.get(mcid, "") + text

    def _separator(self, x: float, y: float, size: float) -> str:
        """What separates text shown at X, Y from the text shown before it, if nothing does."""
        if self.last is None:
            return ""
        last_x, last_y, last_size = self.last
        if abs(y - last_y) > NEW_LINE * min(size, last_size):
            return "" if self.last_character == "\n" else "\n"
        gap = x - last_x > WORD_GAP * min(size, last_size)
        return " " if gap and self.last_character != " " else ""


def _numbers(operands: Sequence[object]) -> pikepdf.Matrix:
    return pikepdf.Matrix(*(float(cast(float, value)) for value in operands[:6]))


def _marked_content_text(page: pikepdf.Page, fonts: _Fonts) -> dict[int, str]:
    """The text of each marked-content sequence on PAGE, by its MCID."""
    resources = page.obj.get("/Resources")
    reader = _TextReader(fonts, resources.get("/Font") if resources is not None else None)
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInstruction):
            reader.read(instruction)
    return reader.texts


def label_definitions(elements: Elements) -> None:
    """Make each grouped term and definition of a definition list one item: label and body.

    WeasyPrint tags a <dl> as a list whose every <dt> and <dd> is an item of
    its own, and a <div> grouping them as a Div, which PDF/UA does not allow in
    a list. Each such group becomes one list item, its term the label (Lbl)
    and its definitions the body (LBody), as a reader of the list expects. A
    list set in columns is tagged as one list per column inside the list; the
    columns' items become the list's own.
    """
    for element, parent in elements:
        if element.get("/S") == "/L":
            _merge_columns(element)
        if element.get("/S") != "/Div" or parent.get("/S") != "/L":
            continue
        items = _kids(element)
        if not items or not all(_is_structure_element(item) for item in items):
            continue
        parts = []
        for index, item in enumerate(cast(list[pikepdf.Object], items)):
            for part in _kids(item):
                if not _is_structure_element(part):
                    continue
                part.S = Name.Lbl if index == 0 else Name.LBody
                part.P = element
                parts.append(part)
        element.S = Name.LI
        element.K = Array(parts)


def _merge_columns(element: pikepdf.Object) -> None:
    """Make the items of a list's column fragments (lists with only lists in them) its own.

    WeasyPrint puts a nested list next to the items of its parent list, never
    alone, so a list whose kids are all lists is a list broken into columns.
    """
    columns = _kids(element)
    if not columns or not all(_is_structure_element(c) and c.get("/S") == "/L" for c in columns):
        return
    items = []
    for column in cast(list[pikepdf.Object], columns):
        for item in _kids(column):
            if _is_structure_element(item):
                item.P = element
                items.append(item)
    element.K = Array(items)


def expand_abbreviations(
    elements: Elements, abbreviations: Sequence[Abbreviation], text: MarkedText
) -> None:
    """Give each marked abbreviation its expansion (/E), so screen readers can say it in full.

    ABBREVIATIONS are those the renderer marked, in reading order (TEXT reads
    their text), each as <abbr title><span>APL</span></abbr>. WeasyPrint drops the title and tags
    the <abbr> as a NonStruct around a Span around one run of text; each
    becomes a Span with /E. They are found in reading order, each the next
    element of that shape whose text is the next abbreviation: an anonymous
    box around a lone <span> has the same shape, but not, in practice, the
    same text at that point. Raise `AssembleError` if one is not found.
    """
    pending = list(abbreviations)
    for element, _ in elements:
        if not pending:
            return
        word, expansion = pending[0]
        if _is_marked_abbreviation(element) and text.text_of(element, None).strip() == word:
            element.S = Name.Span
            element.E = pikepdf.String(expansion)
            pending.pop(0)
    if pending:
        raise AssembleError(f"the tags have no abbreviation {pending[0][0]!r} to expand")


def _is_marked_abbreviation(element: pikepdf.Object) -> bool:
    """Has ELEMENT the shape of a marked <abbr>: NonStruct, Span, one run of text?"""
    if element.get("/S") != "/NonStruct":
        return False
    kids = _kids(element)
    if len(kids) != 1 or not _is_structure_element(kids[0]) or kids[0].get("/S") != "/Span":
        return False
    runs = _kids(kids[0])
    return (
        len(runs) == 1
        and _is_structure_element(runs[0])
        and runs[0].get("/S") == "/Span"
        and not any(_is_structure_element(part) for part in _kids(runs[0]))
    )


_RDF_END = re.compile(rb"</rdf:RDF>")


def state_language(pdf: Pdf) -> None:
    """Add the document's language to its XMP metadata, and store the metadata unfiltered.

    WeasyPrint sets the catalog's /Lang but leaves dc:language out of the XMP,
    and compresses the stream, which PDF/A forbids for the document metadata.
    qpdf leaves the document's metadata stream uncompressed when it saves.
    """
    metadata = pdf.Root.get("/Metadata")
    language = str(pdf.Root.get("/Lang", ""))
    if not isinstance(metadata, pikepdf.Stream):
        return
    xmp = metadata.read_bytes()
    if language and b"<dc:language>" not in xmp:
        description = (
            '<rdf:Description rdf:about=""><dc:language><rdf:Bag>'
            f"<rdf:li>{escape(language)}</rdf:li>"
            "</rdf:Bag></dc:language></rdf:Description></rdf:RDF>"
        )
        xmp = _RDF_END.sub(description.encode(), xmp, count=1)
    metadata.write(xmp)  # no filter: /Filter and /DecodeParms go
