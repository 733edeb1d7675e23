"""Count the XML of one part of a .docx or .xlsx as it inflates, with expat, building nothing.

python-docx and openpyxl (lxml, ElementTree) keep every element, comment and processing
instruction of a part in memory, so each part they may read is counted here in full, fed to a
real streaming XML parser chunk by chunk, before they see it. Counted, against the limits of
the whole file (one `Tally`): elements, comments and processing instructions (xml_elements);
Word paragraphs, tables, table rows and cells; worksheet rows and cells; the characters of each
run of text, of each attribute and of each paragraph, shared or inline string and cell
(text_chars); nesting depth (xml_depth). A part declares no DTD and is in UTF-8 or UTF-16,
the only encodings Office Open XML allows (ECMA-376 part 2, 8.1.1 and M1.17).

Expat keeps an unfinished token (a start tag with its attributes, a comment) in its buffer and
parses it again with every chunk; an unfinished token longer than any text may be is refused,
so neither memory nor time grows with a token's size.
"""

from __future__ import annotations

import pyexpat
from collections.abc import Callable
from typing import Any

from shared.uploads.limits import Budget, UnreadableUpload, UploadLimitExceeded, UploadLimits

_SEPARATOR = " "  # expat's namespace separator: a tag arrives as "namespace local-name"
_MAX_DEPTH = 256  # libxml2's own bound without XML_PARSE_HUGE (python-docx): deeper fails there
_MAX_TOKEN_BYTES = 4 * 1024 * 1024
# Elements one worksheet row may hold (cells and what is inside them): 8 per cell of the
# 16,384 columns Excel has. openpyxl keeps a row whole until its end.
_ROW_ELEMENTS = 16_384 * 8
_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16le", "utf-16be"})
# Expat's errors (pyexpat.errors.codes) in Russian; one not named here is said generally.
_E = pyexpat.errors.codes
_EXPAT_SAYS = {
    _E["syntax error"]: "синтаксическая ошибка",
    _E["no element found"]: "разметка пуста или оборвана",
    _E["not well-formed (invalid token)"]: "недопустимый символ в разметке",
    _E["unclosed token"]: "незакрытый элемент разметки (тег, атрибут или комментарий)",
    _E["partial character"]: "символ оборван посередине",
    _E["mismatched tag"]: "закрывающий тег не совпадает с открывающим",
    _E["duplicate attribute"]: "атрибут повторён",
    _E["junk after document element"]: "лишнее после конца разметки",
    _E["undefined entity"]: "неизвестная сущность (&…;)",
    _E["reference to invalid character number"]: "ссылка на недопустимый символ (&#…;)",
    _E["XML or text declaration not at start of entity"]: "объявление XML не в начале",
    _E["unclosed CDATA section"]: "незакрытый раздел CDATA",
    _E["unbound prefix"]: "префикс пространства имён не объявлен",
    _E["XML declaration not well-formed"]: "объявление XML записано с ошибкой",
    _E["encoding specified in XML declaration is incorrect"]: "кодировка объявлена неверно",
    _E["unknown encoding"]: "неизвестная кодировка",
}

SHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"  # what openpyxl streams
_SHEET_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_WORD = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
WORKSHEET = f"{SHEET}{_SEPARATOR}worksheet"
_ROW = f"{SHEET}{_SEPARATOR}row"


def _tags(namespaces: tuple[str, ...], *names: str) -> dict[str, str]:
    return {f"{ns}{_SEPARATOR}{name}": name for ns in namespaces for name in names}


# What the limits count by kind (Word: p, tbl, tr, tc; spreadsheets: row, c) ...
_KINDS = _tags(_WORD, "p", "tbl", "tr", "tc") | _tags((SHEET, _SHEET_STRICT), "row", "c")
# ... and the elements whose text, all runs together, is one text of a reader: a paragraph,
# a shared or inline string, a cell.
_TEXTS = frozenset(_tags(_WORD, "p") | _tags((SHEET, _SHEET_STRICT), "si", "is", "c"))
# Encodings told by a part's first four bytes that expat would misread instead of refusing
# (XML 1.0, appendix F); with a byte-order mark or a '<' the first.
_WIDE = {
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\x00<": "UTF-32",
    b"<\x00\x00\x00": "UTF-32",
    b"\x00\x00<\x00": "UCS-4",
    b"\x00<\x00\x00": "UCS-4",
    b"\x4c\x6f\xa7\x94": "EBCDIC",
}


class Tally:
    """What the parts of one file hold so far, counted against its limits."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.budget = Budget(limits)
        self.elements = 0

    def element(self) -> None:
        """One more node the libraries keep whole: an element, comment or instruction."""
        self.elements += 1
        if self.elements > self.limits.max_xml_elements:
            raise self.limits.exceeded("xml_elements")

    def kind(self, kind: str | None) -> None:
        """Count a paragraph, table, table row or cell by what its tag says it is."""
        if kind == "p":
            self.budget.paragraph()
        elif kind == "tbl":
            self.budget.table()
        elif kind in ("tr", "row"):
            self.budget.row(0)
        elif kind in ("tc", "c"):
            self.budget.cell()


Watcher = Callable[[str, dict[str, str]], None]


class PartCounter:
    """Feed one part's bytes as they inflate (`feed`, then `close`); everything it holds is
    counted into `tally` as it streams past.

    `streamed`: the part is read by nothing but openpyxl's row-by-row worksheet reader, which
    lets go of each row at its end; then what a row holds counts per row (at most
    _ROW_ELEMENTS), not against xml_elements. `watch(tag, attributes)` sees every element
    that has attributes.
    Raises UploadLimitExceeded past a limit, UnreadableUpload for a part that is not
    well-formed XML, declares a DTD, or is in another encoding than UTF-8 or UTF-16."""

    def __init__(
        self, name: str, tally: Tally, *, streamed: bool = False, watch: Watcher | None = None
    ) -> None:
        self.name = name
        self.tally = tally
        self.limits = tally.limits
        self.streamed = streamed
        self.watch = watch
        self.max_chars = self.limits.max_text_chars
        self.max_token = min(4 * self.limits.max_text_chars, _MAX_TOKEN_BYTES) + 64 * 1024
        self.head: bytes | None = b""
        self.fed = 0
        self.depth = 0
        self.row_depth = 0  # inside a streamed row: its depth there, else 0
        self.row_elements = 0
        self.text_depth = 0  # inside a paragraph, string or cell: the depth it opened at
        self.text_chars = 0
        self.run_chars = 0
        parser = pyexpat.ParserCreate(namespace_separator=_SEPARATOR)
        parser.buffer_text = True
        parser.buffer_size = 64 * 1024
        parser.XmlDeclHandler = self._declaration
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.CommentHandler = self._node
        parser.ProcessingInstructionHandler = self._node
        self.parser = parser

    def feed(self, chunk: bytes) -> None:
        """Parse the next bytes of the part."""
        if self.head is not None:  # hold the first four bytes back until the encoding is known
            self.head += chunk
            if len(self.head) < 4:
                return
            chunk, self.head = self.head, None
            self._check_encoding(chunk[:4])
        self._parse(chunk, final=False)

    def close(self) -> None:
        """The part has ended: it must have been one whole XML document."""
        if self.head is not None:
            if not self.head:
                return  # an empty part: nothing to count (a library reading it fails anyway)
            self._check_encoding(self.head)
            self._parse(self.head, final=False)
        self._parse(b"", final=True)

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except pyexpat.ExpatError as exc:
            reason = _EXPAT_SAYS.get(exc.code, "разметка XML записана с ошибкой")
            where = f"строка {exc.lineno}, позиция {exc.offset + 1}"
            message = f"разметка части {self.name} повреждена ({where}: {reason})"
            raise UnreadableUpload(message) from exc
        except UnreadableUpload:
            raise
        except (ValueError, LookupError) as exc:  # pyexpat on an encoding it cannot decode
            message = f"часть {self.name} в кодировке, которую Office Open XML не допускает"
            raise UnreadableUpload(f"{message}: только UTF-8 и UTF-16") from exc
        self.fed += len(data)
        # What expat has not parsed yet is one unfinished token, kept and parsed again with
        # every chunk: a text cannot be that long, whatever it is.
        if self.fed - self.parser.CurrentByteIndex > self.max_token:
            raise self.limits.exceeded("text_chars")

    def _check_encoding(self, head: bytes) -> None:
        if encoding := _WIDE.get(head[:4]):
            raise self._encoding(encoding)

    def _encoding(self, encoding: str) -> UnreadableUpload:
        return UnreadableUpload(
            f"часть {self.name} в кодировке {encoding}, а Office Open XML допускает только "
            "UTF-8 и UTF-16"
        )

    def _declaration(self, _version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower() not in _ENCODINGS:
            raise self._encoding(encoding)

    def _doctype(self, *_: Any) -> None:
        # Office Open XML parts never declare a DTD (ECMA-376 part 2, M1.17): no entities
        raise UnreadableUpload(f"часть {self.name} объявляет DTD")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        # Called for every element (millions in a big sheet): kept to a few look-ups.
        depth = self.depth = self.depth + 1
        self.run_chars = 0
        if depth > _MAX_DEPTH:
            raise UploadLimitExceeded("xml_depth", _MAX_DEPTH, None)
        if attributes:
            for value in attributes.values():
                if len(value) > self.max_chars:
                    raise self.limits.exceeded("text_chars")
            if self.watch is not None:
                self.watch(tag, attributes)
        if depth == 1:
            self.streamed = self.streamed and tag == WORKSHEET
        if not self.text_depth and tag in _TEXTS:
            self.text_depth, self.text_chars = depth, 0
        if self.row_depth:  # inside a streamed row: counted per row
            self.row_depth += 1
            self.row_elements += 1
            if self.row_elements > _ROW_ELEMENTS:
                raise UnreadableUpload(
                    f"строка листа {self.name} содержит больше элементов, чем допускает Excel"
                )
        elif tag == _ROW and self.streamed:
            self.row_depth, self.row_elements = 1, 0
        else:
            self.tally.element()
        if (kind := _KINDS.get(tag)) is not None:
            self.tally.kind(kind)

    def _end(self, _tag: str) -> None:
        depth = self.depth
        if self.text_depth == depth:
            self.text_depth = 0
        if self.row_depth:
            self.row_depth -= 1
        self.depth = depth - 1
        self.run_chars = 0

    def _text(self, data: str) -> None:
        self.run_chars += len(data)
        if self.run_chars > self.max_chars:
            raise self.limits.exceeded("text_chars")
        if self.text_depth:
            self.text_chars += len(data)
            if self.text_chars > self.max_chars:
                raise self.limits.exceeded("text_chars")

    def _node(self, *data: str) -> None:
        """A comment or processing instruction: a node of its own in the libraries' trees."""
        self.run_chars = 0
        for text in data:
            self._chars(len(text))
        if self.row_depth:
            self._row_element()
        else:
            self.tally.element()

    def _chars(self, count: int) -> None:
        if count > self.max_chars:
            raise self.limits.exceeded("text_chars")

    def _row_element(self) -> None:
        self.row_elements += 1
        if self.row_elements > _ROW_ELEMENTS:
            raise UnreadableUpload(
                f"строка листа {self.name} содержит больше элементов, чем допускает Excel"
            )
