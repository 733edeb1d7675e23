"""Open a .docx or .xlsx (a zip of XML parts) only after its parts were measured within bounds.

python-docx and openpyxl trust an archive: they inflate whole parts and build trees of whole
XML documents, so a 1 MB file can hold millions of paragraphs or rows. Before either library
sees the file, `scan_package` inflates every part in chunks, counting the bytes actually
inflated (a part that inflates past its declared size is refused, since declared sizes can lie)
and, without building any tree, the XML elements of every part: rows and cells of worksheets,
paragraphs, tables, rows and cells of Word documents, and every other element, since the
libraries keep those in memory whole. Nothing is allocated in proportion to what a part claims.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from lxml import etree
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from shared.uploads.limits import Budget, UnreadableUpload, UploadLimits

_CHUNK = 64 * 1024
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # ends with the lengths of the name and extra field
# Elements one worksheet row may hold (cells and what is inside them): 8 per cell of the
# 16,384 columns Excel has. openpyxl keeps a row whole until its end.
_ROW_ELEMENTS = 16_384 * 8

_SPREADSHEET = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",)
_SPREADSHEET += ("http://purl.oclc.org/ooxml/spreadsheetml/main",)
_WORD = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",)
_WORD += ("http://purl.oclc.org/ooxml/wordprocessingml/main",)


def _tags(namespaces: tuple[str, ...], *names: str) -> dict[str, str]:
    return {f"{{{ns}}}{name}": name for ns in namespaces for name in names}


_WORKSHEET_ROOTS = frozenset(_tags(_SPREADSHEET, "worksheet", "dialogsheet"))
_SHEET_TAGS = _tags(_SPREADSHEET, "row", "c")
# What a worksheet row holds: cells, values, formulas, inline and rich text.
_ROW_CONTENT = frozenset(
    _tags(_SPREADSHEET, "v", "f", "is", "t", "r", "rPr", "rFont", "charset", "family", "b", "i")
    | _tags(_SPREADSHEET, "strike", "outline", "shadow", "condense", "extend", "color", "sz")
    | _tags(_SPREADSHEET, "u", "vertAlign", "scheme", "rPh", "phoneticPr", "extLst", "ext")
)
_WORD_TAGS = _tags(_WORD, "p", "tbl", "tr", "tc")


class _Counter:
    """An lxml parser target: sees each element as it opens and keeps nothing (no tree)."""

    def __init__(self, scan: _Scan, strict: bool) -> None:
        self.scan = scan
        self.strict = strict
        self.sheet: bool | None = None  # decided by the root element
        self.row_elements = 0

    def start(self, tag: str, attrib: Any) -> None:
        if self.sheet is None:
            self.sheet = tag in _WORKSHEET_ROOTS
        if not self.sheet:
            self.scan.element(tag)
            return
        # A worksheet is streamed row by row by openpyxl: its rows and cells count as such,
        # what a row holds counts per row, and everything else as elements kept whole.
        kind = _SHEET_TAGS.get(tag)
        if kind == "row":
            self.scan.budget.row(0)
            self.row_elements = 0
            return
        if kind == "c":
            self.scan.budget.cell()
        elif tag not in _ROW_CONTENT:
            self.scan.element(tag)
            return
        self.row_elements += 1
        if self.row_elements > _ROW_ELEMENTS:
            raise UnreadableUpload("строка листа содержит больше элементов, чем допускает Excel")

    def doctype(self, *_: Any) -> None:
        if self.strict:  # Office Open XML parts never declare a DTD (ECMA-376 part 2, M1.17)
            raise UnreadableUpload("часть файла объявляет DTD")

    def close(self) -> None:
        return None


class _Scan:
    """What one archive holds, counted against the limits."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.budget = Budget(limits)
        self.elements = 0
        self.inflated = 0

    def element(self, tag: str) -> None:
        self.elements += 1
        if self.elements > self.limits.max_xml_elements:
            raise self.limits.exceeded("xml_elements")
        kind = _WORD_TAGS.get(tag)
        if kind == "p":
            self.budget.paragraph()
        elif kind == "tbl":
            self.budget.table()
        elif kind == "tr":
            self.budget.row(0)
        elif kind == "tc":
            self.budget.cell()

    def part(self, content: bytes, info: zipfile.ZipInfo) -> None:
        """Inflate one part in chunks, counting its bytes and (if it is XML) its elements."""
        parser: etree.XMLParser | None = None
        size = 0
        for chunk in _inflate(content, info):
            size += len(chunk)
            self.inflated += len(chunk)
            if size > info.file_size:
                raise UnreadableUpload("часть файла распаковывается больше заявленного размера")
            if self.inflated > self.limits.max_unpacked_bytes:
                raise self.limits.exceeded("unpacked_bytes")
            if parser is None and size == len(chunk) and _looks_like_xml(chunk):
                strict = info.filename.lower().endswith((".xml", ".rels"))
                parser = etree.XMLParser(
                    target=_Counter(self, strict), resolve_entities=False, no_network=True
                )
            if parser is not None:
                parser.feed(chunk)
        if size != info.file_size:
            raise UnreadableUpload("часть файла короче заявленного размера")
        if parser is not None:
            parser.close()


def _inflate(content: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes as they inflate, in chunks of at most _CHUNK, straight from its
    compressed data: zipfile would inflate a whole part at once before cutting it to the
    declared size, so a part that lies about its size would be inflated whole."""
    if info.flag_bits & 0x1:
        raise UnreadableUpload("часть файла зашифрована")
    offset = info.header_offset
    header = content[offset : offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or not header.startswith(_LOCAL_HEADER_SIGNATURE):
        raise UnreadableUpload("оглавление архива указывает не на часть файла")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(content)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise UnreadableUpload("архив обрезан")
    if info.compress_type == zipfile.ZIP_STORED:
        for position in range(0, len(raw), _CHUNK):
            yield bytes(raw[position : position + _CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableUpload("часть файла сжата неизвестным способом")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for position in range(0, len(raw), _CHUNK):
        pending: bytes | memoryview = raw[position : position + _CHUNK]
        while pending and not inflater.eof:
            if chunk := inflater.decompress(pending, _CHUNK):
                yield chunk
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    if tail := inflater.flush():
        yield tail


def _looks_like_xml(head: bytes) -> bool:
    head = head.lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))


def scan_package(content: bytes, limits: UploadLimits) -> None:
    """Measure every part of an Office Open XML file within `limits`.

    Raises UploadLimitExceeded (422, naming the limit) past a limit, and UnreadableUpload when
    the file is not a sound zip of well-formed parts."""
    # The central directory is read whole by zipfile: count its entries before it is.
    if content.count(_CENTRAL_DIRECTORY_ENTRY) > limits.max_parts:
        raise limits.exceeded("parts")
    scan = _Scan(limits)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_parts:
                raise limits.exceeded("parts")
            if sum(info.file_size for info in infos) > limits.max_unpacked_bytes:
                raise limits.exceeded("unpacked_bytes")
            for info in infos:
                scan.part(content, info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UnreadableUpload(f"файл повреждён или это не архив Office ({exc})") from exc
    except etree.XMLSyntaxError as exc:
        raise UnreadableUpload(f"разметка файла повреждена ({exc})") from exc


def open_xlsx(content: bytes, limits: UploadLimits) -> Workbook:
    """An .xlsx workbook, read-only (rows streamed), after `scan_package`. Rows still need
    counting while read (`sheet_rows`): openpyxl pads rows and fills gaps between them."""
    scan_package(content, limits)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl reports a broken workbook with many kinds
        raise UnreadableUpload(f"это не книга Excel .xlsx ({type(exc).__name__}: {exc})") from exc


def open_docx(content: bytes, limits: UploadLimits) -> DocxDocument:
    """A Word document after `scan_package` (paragraphs, tables, rows and cells counted)."""
    scan_package(content, limits)
    try:
        return Document(io.BytesIO(content))
    except Exception as exc:  # python-docx reports a broken package with many kinds
        raise UnreadableUpload(f"это не документ Word .docx ({type(exc).__name__}: {exc})") from exc
