"""Small files that expand to huge ones: decompression and size bombs built with zipfile and
raw XML (no office library), so that tests stay fast."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSX_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"

Chunks = Iterable[bytes]


def _package(parts: dict[str, Chunks | bytes]) -> bytes:
    """A zip of parts; a part given as chunks is streamed in (it may be far bigger than RAM
    would like to hold at once)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                for chunk in content:
                    stream.write(chunk)
    return buffer.getvalue()


def _repeat(unit: bytes, times: int, head: bytes = b"", tail: bytes = b"") -> Chunks:
    yield head
    batch = 10_000
    block = unit * batch
    for _ in range(times // batch):
        yield block
    yield unit * (times % batch)
    yield tail


def docx(body: Chunks | bytes) -> bytes:
    """A minimal Word document whose body is `body` (raw WordprocessingML)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
    tail = b"</w:body></w:document>"
    if isinstance(body, bytes):
        document: Chunks | bytes = head.encode() + body + tail
    else:
        document = (chunk for part in ([head.encode()], body, [tail]) for chunk in part)
    return _package(
        {
            "[Content_Types].xml": (
                f'<Types xmlns="{CT}"><Default Extension="rels" ContentType="{RELS_TYPE}"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/></Types>'
            ).encode(),
            "_rels/.rels": (
                f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{OFFICE_DOC}" '
                'Target="word/document.xml"/></Relationships>'
            ).encode(),
            "word/document.xml": document,
        }
    )


def docx_paragraphs(count: int) -> bytes:
    """A .docx of `count` one-word paragraphs (3 million: under 1 MB)."""
    return docx(_repeat(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", count))


def docx_table(rows: int, cells: int, inner: bytes = b"<w:p/>") -> bytes:
    """A .docx of one table of `rows` rows of `cells` cells, each holding `inner`."""
    cell = b"<w:tc>" + inner + b"</w:tc>"
    row = b"<w:tr>" + cell * cells + b"</w:tr>"
    return docx(_repeat(row, rows, b"<w:tbl>", b"</w:tbl>"))


def docx_nested_tables(outer_cells: int) -> bytes:
    """One table whose every cell holds a table of its own."""
    nested = b"<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl><w:p/>"
    return docx_table(1, outer_cells, inner=nested)


def docx_deep_tables(depth: int) -> bytes:
    """Tables nested `depth` deep."""
    opening = b"<w:tbl><w:tr><w:tc>" * depth
    closing = b"<w:p/></w:tc></w:tr></w:tbl>" * depth
    return docx(opening + closing)


def xlsx(rows: Chunks | bytes, dimension: str | None = None) -> bytes:
    """A minimal workbook of one sheet whose <sheetData> holds `rows` (raw SpreadsheetML)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{S}">{dim}<sheetData>'
    tail = b"</sheetData></worksheet>"
    if isinstance(rows, bytes):
        sheet: Chunks | bytes = head.encode() + rows + tail
    else:
        sheet = (chunk for part in ([head.encode()], rows, [tail]) for chunk in part)
    return _package(
        {
            "[Content_Types].xml": (
                f'<Types xmlns="{CT}"><Default Extension="rels" ContentType="{RELS_TYPE}"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_MAIN}"/>'
                f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{XLSX_SHEET}"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{OFFICE_DOC}" '
                'Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<workbook xmlns="{S}" xmlns:r="{R}"><sheets>'
                '<sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{WORKSHEET_REL}" '
                'Target="worksheets/sheet1.xml"/></Relationships>'
            ).encode(),
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def xlsx_rows(count: int) -> bytes:
    """A workbook of `count` rows of one number (2 million: about 0.3 MB)."""
    row = b"<row><c><v>1</v></c></row>"
    return xlsx(_repeat(row, count))


def lying_zip(declared: int, actual: int) -> bytes:
    """A .docx whose document part says it holds `declared` bytes (with the checksum of its
    first `declared` bytes) but inflates to `actual` bytes."""
    body = b"<w:p/>" * (actual // 6)
    package = bytearray(docx(body))
    info = zipfile.ZipFile(io.BytesIO(bytes(package))).getinfo("word/document.xml")
    lie = struct.pack("<I", zlib.crc32(body[:declared]))
    size = struct.pack("<I", declared)
    local = info.header_offset
    package[local + 14 : local + 18] = lie  # the local header's CRC-32 ...
    package[local + 22 : local + 26] = size  # ... and uncompressed size
    central = package.rfind(b"PK\x01\x02")  # the part is the last one written
    assert package[central + 46 : central + 46 + 17] == b"word/document.xml"
    package[central + 16 : central + 20] = lie
    package[central + 24 : central + 28] = size
    return bytes(package)
