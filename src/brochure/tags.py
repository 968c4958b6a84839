"""Tags: what makes a tagged PDF complete for screen readers, after WeasyPrint.

WeasyPrint writes the structure tree; pypdf then fixes what it leaves out or
gets wrong for PDF/UA and PDF/A: a designer cover becomes one described
figure, ornaments (images with empty alt text), running heads and folios
become artifacts, links are described by their text, definition lists get a
label and a body per entry, abbreviations carry their expansion, and the XMP
metadata states the language.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any, TypeGuard, cast
from xml.sax.saxutils import escape

from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from .errors import AssembleError
from .pdfs import dictionary


def tag_cover(writer: PdfWriter, pages: int, alt: str) -> None:
    """Make each of the first PAGES (a designer cover) one figure described by ALT.

    The cover's own marked content is dropped: its structure is not copied,
    and a screen reader should hear the cover described once, not in pieces.
    """
    root = dictionary(writer.root_object["/StructTreeRoot"])
    document = dictionary(cast(ArrayObject, root["/K"])[0])
    numbers = cast(ArrayObject, dictionary(root["/ParentTree"])["/Nums"])
    next_key = max((int(key) for key in numbers[::2]), default=-1) + 1
    figures = []
    for index in range(pages):
        page = writer.pages[index]
        _wrap_as_figure(writer, page)
        page.pop("/Annots", None)
        description = alt if pages == 1 else f"{alt} (page {index + 1})"
        figure = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/StructElem"),
                    NameObject("/S"): NameObject("/Figure"),
                    NameObject("/P"): document.indirect_reference,
                    NameObject("/Pg"): page.indirect_reference,
                    NameObject("/K"): NumberObject(0),
                    NameObject("/Alt"): TextStringObject(description),
                }
            )
        )
        figures.append(figure)
        page[NameObject("/StructParents")] = NumberObject(next_key)
        page[NameObject("/Tabs")] = NameObject("/S")
        numbers.extend([NumberObject(next_key), ArrayObject([figure])])
        next_key += 1
    kids = document["/K"]
    document[NameObject("/K")] = ArrayObject(
        [*figures, *(kids if isinstance(kids, ArrayObject) else [kids])]
    )


def _wrap_as_figure(writer: PdfWriter, page: PageObject) -> None:
    """Put the page's whole content in one marked-content sequence: figure, MCID 0."""
    content = ContentStream(page.get_contents(), writer)
    unmarked = [
        (operands, operator)
        for operands, operator in content.operations
        if operator not in (b"BDC", b"BMC", b"EMC")
    ]
    marked = DictionaryObject({NameObject("/MCID"): NumberObject(0)})
    content.operations = [
        ([NameObject("/Figure"), marked], b"BDC"),
        *unmarked,
        ([], b"EMC"),
    ]
    page.replace_contents(content)
    page.compress_content_streams()


_MARKED_CONTENT = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_PAGINATION = b"/Artifact <</Type /Pagination>> BDC"
_LAYOUT = b"/Artifact <</Type /Layout>> BDC"


def mark_page_furniture(writer: PdfWriter) -> None:
    """Mark running heads and folios as pagination artifacts, which they are.

    WeasyPrint tags the text of page margins but leaves it out of the structure
    tree, so a reader could neither reach it nor tell it apart from real
    content. Marked content whose element the tree never reaches is turned
    into an artifact, and its entry in the parent tree is cleared.
    """
    root = dictionary(writer.root_object["/StructTreeRoot"])
    reachable = _reachable_elements(root)
    numbers = cast(ArrayObject, dictionary(root["/ParentTree"])["/Nums"])
    parents = {int(numbers[i]): numbers[i + 1].get_object() for i in range(0, len(numbers), 2)}
    for page in writer.pages:
        key = page.get("/StructParents")
        elements = parents.get(int(key)) if key is not None else None
        if not isinstance(elements, ArrayObject):
            continue
        stray = {
            mcid
            for mcid, element in enumerate(elements)
            if isinstance(element, IndirectObject) and element.idnum not in reachable
        }
        if stray:
            _make_artifacts(page, stray, _PAGINATION)
            for mcid in stray:
                elements[mcid] = NullObject()


def hide_ornaments(writer: PdfWriter) -> None:
    """Make images without alt text artifacts, which screen readers skip.

    An image's alt text is required in the issue unless it is an ornament,
    whose empty alt text says just that; WeasyPrint tags every image as a
    figure, and a figure without alt text breaks PDF/UA. Each such figure
    leaves the structure tree, its marked content becomes a layout artifact,
    and a container it leaves empty (the <figure> around it) goes too.
    """
    root = writer.root_object.get("/StructTreeRoot")
    if root is None:
        return
    numbers = cast(ArrayObject, dictionary(dictionary(root)["/ParentTree"])["/Nums"])
    parents = {int(numbers[i]): numbers[i + 1].get_object() for i in range(0, len(numbers), 2)}
    pages = {
        page.indirect_reference.idnum: page for page in writer.pages if page.indirect_reference
    }
    for element, parent in list(_elements_with_parents(dictionary(root))):
        if element.get("/S") != "/Figure" or "/Alt" in element or "/ActualText" in element:
            continue
        page_reference = element.get("/Pg")
        page = (
            pages.get(page_reference.idnum) if isinstance(page_reference, IndirectObject) else None
        )
        mcids = {int(kid) for kid in _kids(element) if isinstance(kid, NumberObject)}
        if page is not None and mcids:
            _make_artifacts(page, mcids, _LAYOUT)
            elements = parents.get(int(page.get("/StructParents", -1)))
            for mcid in mcids if isinstance(elements, ArrayObject) else ():
                cast(ArrayObject, elements)[mcid] = NullObject()
        _remove_kid(parent, element)


def _elements_with_parents(
    root: DictionaryObject,
) -> Iterator[tuple[DictionaryObject, DictionaryObject]]:
    """Every structure element below ROOT with its parent, in reading order."""
    pending = [(kid, root) for kid in reversed(_kids(root))]
    while pending:
        element, parent = pending.pop()
        if _is_structure_element(element):
            yield element, parent
            pending.extend((kid, element) for kid in reversed(_kids(element)))


def _remove_kid(parent: DictionaryObject, element: DictionaryObject) -> None:
    """Take ELEMENT out of PARENT's kids; a container left empty is taken out of its own."""
    kids = parent.get("/K")
    if isinstance(kids, ArrayObject):
        kept = [kid for kid in kids if kid.get_object() is not element]
        parent[NameObject("/K")] = ArrayObject(kept)
    else:
        kept = []
        parent[NameObject("/K")] = ArrayObject()
    grandparent = parent.get("/P")
    if not kept and parent.get("/S") in ("/NonStruct", "/Div") and grandparent is not None:
        _remove_kid(dictionary(grandparent), parent)


def _reachable_elements(root: DictionaryObject) -> set[int]:
    """Object numbers of the structure elements reachable from ROOT."""
    seen: set[int] = set()
    pending = list(cast(ArrayObject, root["/K"]))
    while pending:
        reference = pending.pop()
        if not isinstance(reference, IndirectObject) or reference.idnum in seen:
            continue
        seen.add(reference.idnum)
        kids = dictionary(reference).get("/K")
        pending.extend(kids if isinstance(kids, ArrayObject) else [kids])
    return seen


def _make_artifacts(page: PageObject, mcids: set[int], artifact: bytes) -> None:
    """Turn the marked-content sequences MCIDS on PAGE into artifacts of a kind."""

    def replace(match: re.Match[bytes]) -> bytes:
        return artifact if int(match[1]) in mcids else match[0]

    contents = page["/Contents"].get_object()
    for reference in contents if isinstance(contents, ArrayObject) else [page["/Contents"]]:
        stream = cast(StreamObject, reference.get_object())
        stream.set_data(_MARKED_CONTENT.sub(replace, stream.get_data()))


def describe_links(writer: PdfWriter) -> None:
    """Describe each link by its text, as PDF/UA asks; WeasyPrint describes it by its target.

    A link's text is the marked content under its structure element, read from
    the pages with pypdf; rows of leader dots in contents entries are dropped.
    """
    root = writer.root_object.get("/StructTreeRoot")
    if root is None:
        return
    reader = _MarkedText(writer)
    elements = [dictionary(kid) for kid in _kids(dictionary(root))]
    while elements:
        element = elements.pop()
        if element.get("/S") != "/Link":
            elements.extend(kid for kid in _kids(element) if _is_structure_element(kid))
            continue
        # WeasyPrint nests a link's inline boxes as links of their own: the outermost
        # link's text describes every annotation inside it.
        text = " ".join(reader.text_of(element, element.get("/Pg")).split())
        description = _LEADERS.sub(" ", text).strip()
        for annotation in _annotations_under(element) if description else ():
            annotation[NameObject("/Contents")] = TextStringObject(description)


def _annotations_under(element: DictionaryObject) -> list[DictionaryObject]:
    """The annotations a structure element and its descendants refer to."""
    found = []
    for kid in _kids(element):
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR":
            found.append(dictionary(kid["/Obj"]))
        elif _is_structure_element(kid):
            found.extend(_annotations_under(kid))
    return found


class _MarkedText:
    """The text of structure elements, from the marked content they point to."""

    def __init__(self, writer: PdfWriter) -> None:
        self.pages = {
            page.indirect_reference.idnum: page for page in writer.pages if page.indirect_reference
        }
        self.texts: dict[int, dict[int, str]] = {}

    def text_of(self, element: DictionaryObject, page: PdfObject | None) -> str:
        page = element.get("/Pg", page)
        pieces = []
        for kid in _kids(element):
            if isinstance(kid, NumberObject):
                pieces.append(self._marked(page, int(kid)))
            elif isinstance(kid, DictionaryObject) and "/MCID" in kid:
                pieces.append(self._marked(kid.get("/Pg", page), cast(int, kid["/MCID"])))
            elif _is_structure_element(kid):
                pieces.append(self.text_of(kid, page))
        return "".join(pieces)

    def _marked(self, page: PdfObject | None, mcid: int) -> str:
        if not isinstance(page, IndirectObject) or page.idnum not in self.pages:
            return ""
        number = page.idnum
        if number not in self.texts:
            self.texts[number] = _marked_content_text(self.pages[number])
        return self.texts[number].get(mcid, "")


def _kids(element: DictionaryObject) -> list[PdfObject]:
    kids = element.get("/K")
    if kids is None:
        return []
    return [kid.get_object() for kid in (kids if isinstance(kids, ArrayObject) else [kids])]


def _is_structure_element(value: PdfObject) -> TypeGuard[DictionaryObject]:
    return isinstance(value, DictionaryObject) and value.get("/Type") == "/StructElem"


_LEADERS = re.compile(r"(?:\s*\.){3,}\s*")


def _marked_content_text(page: PageObject) -> dict[int, str]:
    """The text of each marked-content sequence on PAGE, by its MCID."""
    open_sequences: list[int | None] = []
    texts: dict[int, str] = {}

    def operator(operator: bytes, operands: list[Any], *_: object) -> None:
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else None
            mcid = properties.get("/MCID") if isinstance(properties, DictionaryObject) else None
            open_sequences.append(None if mcid is None else int(mcid))
        elif operator == b"BMC":
            open_sequences.append(None)
        elif operator == b"EMC" and open_sequences:
            open_sequences.pop()

    def text(value: str, *_: object) -> None:
        if open_sequences and open_sequences[-1] is not None:
            mcid = open_sequences[-1]
            texts[mcid] = texts.get(mcid, "") + value

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return texts


def label_definitions(writer: PdfWriter) -> None:
    """Make each grouped term and definition of a definition list one item: label and body.

    WeasyPrint tags a <dl> as a list whose every <dt> and <dd> is an item of
    its own, and a <div> grouping them as a Div, which PDF/UA does not allow in
    a list. Each such group becomes one list item, its term the label (Lbl)
    and its definitions the body (LBody), as a reader of the list expects. A
    list set in columns is tagged as one list per column inside the list; the
    columns' items become the list's own.
    """
    root = writer.root_object.get("/StructTreeRoot")
    if root is None:
        return
    for element, parent in list(_elements_with_parents(dictionary(root))):
        if element.get("/S") == "/L":
            _merge_columns(element)
        if element.get("/S") != "/Div" or parent.get("/S") != "/L":
            continue
        items = _kids(element)
        if not items or not all(_is_structure_element(item) for item in items):
            continue
        parts = []
        for index, item in enumerate(cast(list[DictionaryObject], items)):
            for part in _kids(item):
                if not _is_structure_element(part):
                    continue
                part[NameObject("/S")] = NameObject("/Lbl" if index == 0 else "/LBody")
                part[NameObject("/P")] = element.indirect_reference
                parts.append(part.indirect_reference)
        element[NameObject("/S")] = NameObject("/LI")
        element[NameObject("/K")] = ArrayObject(parts)


def _merge_columns(element: DictionaryObject) -> None:
    """Make the items of a list's column fragments (lists with only lists in them) its own.

    WeasyPrint puts a nested list next to the items of its parent list, never
    alone, so a list whose kids are all lists is a list broken into columns.
    """
    columns = _kids(element)
    if not columns or not all(_is_structure_element(c) and c.get("/S") == "/L" for c in columns):
        return
    items = []
    for column in cast(list[DictionaryObject], columns):
        for item in _kids(column):
            if _is_structure_element(item):
                item[NameObject("/P")] = element.indirect_reference
                items.append(item.indirect_reference)
    element[NameObject("/K")] = ArrayObject(items)


def expand_abbreviations(writer: PdfWriter, abbreviations: Sequence[tuple[str, str]]) -> None:
    """Give each marked abbreviation its expansion (/E), so screen readers can say it in full.

    ABBREVIATIONS are those the renderer marked, in reading order, each as
    <abbr title><span>APL</span></abbr>. WeasyPrint drops the title and tags
    the <abbr> as a NonStruct around a Span around one run of text; each
    becomes a Span with /E. They are found in reading order, each the next
    element of that shape whose text is the next abbreviation: an anonymous
    box around a lone <span> has the same shape, but not, in practice, the
    same text at that point. Raise `AssembleError` if one is not found.
    """
    root = writer.root_object.get("/StructTreeRoot")
    pending = list(abbreviations)
    if root is None or not pending:
        return
    text = _MarkedText(writer)
    for element, _ in _elements_with_parents(dictionary(root)):
        if not pending:
            return
        word, expansion = pending[0]
        if _is_marked_abbreviation(element) and text.text_of(element, None).strip() == word:
            element[NameObject("/S")] = NameObject("/Span")
            element[NameObject("/E")] = TextStringObject(expansion)
            pending.pop(0)
    if pending:
        raise AssembleError(f"the tags have no abbreviation {pending[0][0]!r} to expand")


def _is_marked_abbreviation(element: DictionaryObject) -> bool:
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


def state_language(writer: PdfWriter) -> None:
    """Add the document's language to its XMP metadata, and store the metadata unfiltered.

    WeasyPrint sets the catalog's /Lang but leaves dc:language out of the XMP,
    and compresses the stream, which PDF/A forbids for the document metadata.
    """
    metadata = writer.root_object.get("/Metadata")
    language = writer.root_object.get("/Lang")
    if metadata is None:
        return
    stream = metadata.get_object()
    xmp = stream.get_data()
    if language and b"<dc:language>" not in xmp:
        description = (
            '<rdf:Description rdf:about=""><dc:language><rdf:Bag>'
            f"<rdf:li>{escape(str(language))}</rdf:li>"
            "</rdf:Bag></dc:language></rdf:Description></rdf:RDF>"
        )
        xmp = _RDF_END.sub(description.encode(), xmp, count=1)
    for key in ("/Filter", "/DecodeParms"):
        stream.pop(key, None)
    StreamObject.set_data(stream, xmp)  # the bytes as they are: no filter applies any more
