"""Small files that expand to huge ones: decompression and size bombs built with zipfile and
raw XML (no office library), so that tests stay fast."""

from __future__ import annotations

import codecs
import functools
import io
import posixpath
import struct
import threading
import time
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
XLSX_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
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


DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def document_xml(body: Chunks | bytes, prolog: bytes = DECLARATION) -> Chunks | bytes:
    """A Word document part whose body is `body`, after `prolog` (the XML declaration)."""
    head = prolog + f'<w:document xmlns:w="{W}"><w:body>'.encode()
    return _wrapped(head, body, b"</w:body></w:document>")


def docx(
    body: Chunks | bytes = b"",
    *,
    document: Chunks | bytes | None = None,
    parts: dict[str, Chunks | bytes] | None = None,
) -> bytes:
    """A minimal Word document whose body is `body` (raw WordprocessingML), or whose whole
    document part is `document`; `parts` are added (or replace the ones of that name)."""
    package: dict[str, Chunks | bytes] = {
        "[Content_Types].xml": (
            f'<Types xmlns="{CT}"><Default Extension="rels" ContentType="{RELS_TYPE}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{OFFICE_DOC}" '
            'Target="word/document.xml"/></Relationships>'
        ).encode(),
        "word/document.xml": document_xml(body) if document is None else document,
    }
    return _package(package | (parts or {}))


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


def xlsx(
    rows: Chunks | bytes,
    dimension: str | None = None,
    sheet_name: str = "Лист1",
    strings: Chunks | None = None,
    parts: dict[str, Chunks | bytes] | None = None,
) -> bytes:
    """A minimal workbook of one sheet whose <sheetData> holds `rows` (raw SpreadsheetML),
    with a shared-strings part of `strings` (raw <si> elements) if given; `parts` are added
    (or replace the ones of that name)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{S}">{dim}<sheetData>'
    strings_type = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{XLSX_STRINGS}"/>'
    strings_rel = f'<Relationship Id="rId2" Type="{STRINGS_REL}" Target="sharedStrings.xml"/>'
    if strings is None:
        strings_type = strings_rel = ""
    package: dict[str, Chunks | bytes] = {
        "[Content_Types].xml": (
            f'<Types xmlns="{CT}"><Default Extension="rels" ContentType="{RELS_TYPE}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_MAIN}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{XLSX_SHEET}"/>'
            f"{strings_type}</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{OFFICE_DOC}" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{S}" xmlns:r="{R}"><sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{WORKSHEET_REL}" '
            f'Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": _wrapped(head.encode(), rows, b"</sheetData></worksheet>"),
    }
    if strings is not None:
        package["xl/sharedStrings.xml"] = _wrapped(
            f'<sst xmlns="{S}">'.encode(), strings, b"</sst>"
        )
    return _package(package | (parts or {}))


def _wrapped(head: bytes, body: Chunks | bytes, tail: bytes) -> Chunks | bytes:
    if isinstance(body, bytes):
        return head + body + tail
    return (chunk for part in ([head], body, [tail]) for chunk in part)


def xlsx_shared_strings(count: int) -> bytes:
    """A workbook of one cell and `count` shared strings (kept whole in memory by openpyxl)."""
    return xlsx(b'<row><c t="s"><v>0</v></c></row>', strings=_repeat(b"<si><t>a</t></si>", count))


def xlsx_rows(count: int) -> bytes:
    """A workbook of `count` rows of one number (2 million: about 0.3 MB)."""
    row = b"<row><c><v>1</v></c></row>"
    return xlsx(_repeat(row, count))


# Root elements, opened, of a worksheet, a shared-strings part and a Word document.
WORKSHEET_ROOT = f'<worksheet xmlns="{S}">'.encode()
STRINGS_ROOT = f'<sst xmlns="{S}">'.encode()
DOCUMENT_ROOT = f'<w:document xmlns:w="{W}">'.encode()


def xlsx_second_sheet(sheet: Chunks | bytes, target: str = "worksheets/sheet2.xml") -> bytes:
    """A workbook of two sheets, the second one the part `sheet` at `target` (beside
    xl/workbook.xml; a .png target is declared an image by [Content_Types].xml)."""
    rel = f'<Relationship Id="rId{{}}" Type="{WORKSHEET_REL}" Target="worksheets/sheet{{}}.xml"/>'
    rels = rel.format(1, 1) + rel.format(2, 2).replace("worksheets/sheet2.xml", target)
    rels = f'<Relationships xmlns="{PKG}">{rels}</Relationships>'
    sheets = (
        '<sheet name="Лист1" sheetId="1" r:id="rId1"/><sheet name="Лист2" sheetId="2" r:id="rId2"/>'
    )
    parts: dict[str, Chunks | bytes] = {
        "xl/workbook.xml": (
            f'<workbook xmlns="{S}" xmlns:r="{R}"><sheets>{sheets}</sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": rels.encode(),
        posixpath.normpath(f"xl/{target}"): sheet,
    }
    return xlsx(b'<row r="1"><c r="A1"><v>1</v></c></row>', parts=parts)


def elements(count: int, unit: bytes = b"<x/>", head: bytes = b"<Properties>") -> Chunks:
    """An XML part of `count` small elements inside one root (`head` opens it)."""
    tail = b"</" + head[1:].split(b" ")[0].rstrip(b">") + b">"
    return _repeat(unit, count, head, tail)


def padded(part: Chunks | bytes, padding: int = 200_000) -> Chunks:
    """`part` after `padding` bytes of spaces and line breaks (more than any first chunk)."""
    yield b" \n" * (padding // 2)
    yield from [part] if isinstance(part, bytes) else part


def encoded(part: Chunks | bytes, codec: str, bom: bool = False) -> Chunks:
    """`part` (ASCII or UTF-8 bytes) re-encoded in `codec` as it streams (after a byte-order
    mark if `bom`, for a codec that writes none of its own, such as "utf-32-be")."""
    encoder = codecs.getincrementalencoder(codec)()
    if bom:
        yield "\ufeff".encode(codec)
    for chunk in [part] if isinstance(part, bytes) else part:
        yield encoder.encode(chunk.decode())
    yield encoder.encode("", final=True)


def laughs(root: bytes, levels: int = 9) -> bytes:
    """A part whose root element `root` holds one entity that expands to 10**levels "lol"s."""
    entities = [b'<!ENTITY lol0 "lol">']
    entities += [
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
        for i in range(1, levels + 1)
    ]
    name = root[1:].split(b" ")[0].rstrip(b">")
    doctype = b"<!DOCTYPE %s [%s]>" % (name, b"".join(entities))
    return DECLARATION + doctype + root + b"&lol%d;</%s>" % (levels, name)


@functools.cache
def lying_zip(declared: int, actual: int) -> bytes:
    """A .docx whose document part says it holds `declared` bytes (with the checksum of its
    first `declared` bytes) but inflates to `actual` bytes; built without holding them."""
    head = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode()
    unit = b"<w:p/>" * 100_000
    deflate = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = [deflate.compress(head)]
    data += (deflate.compress(unit) for _ in range(actual // len(unit)))
    data.append(deflate.flush())
    checksum = zlib.crc32((head + unit)[:declared])
    rest = docx(b"")  # the other parts, to which the lying one is added by hand
    rest = _without(rest, "word/document.xml")
    return _with_raw_part(rest, "word/document.xml", b"".join(data), checksum, declared)


def _without(package: bytes, name: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    return _package({i.filename: source.read(i) for i in source.infolist() if i.filename != name})


def _with_raw_part(package: bytes, name: str, deflated: bytes, crc: int, size: int) -> bytes:
    """`package` with one more part: raw deflate data under the given checksum and size."""
    end = package.rfind(b"PK\x05\x06")
    count, central_size, central_start = struct.unpack("<HII", package[end + 10 : end + 20])
    encoded = name.encode()
    sizes = (crc, len(deflated), size, len(encoded))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *sizes, 0) + encoded
    entry = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            *sizes,
            0,
            0,
            0,
            0,
            0,
            central_start,
        )
        + encoded
    )
    body = package[:central_start] + local + deflated
    central = package[central_start : central_start + central_size] + entry
    count += 1
    tail = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return body + central + tail


class Footprint:
    """The time a block took and how far the process's resident memory rose above where it
    was (sampled every few milliseconds from /proc; 0 where /proc is missing)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.rise_mb = 0
        self._stop = threading.Event()

    def __enter__(self) -> Footprint:
        base = _rss_mb()
        self._peak = base
        self._base = base

        def sample() -> None:
            while not self._stop.wait(0.005):
                self._peak = max(self._peak, _rss_mb())

        self._sampler = threading.Thread(target=sample, daemon=True)
        self._sampler.start()
        self._began = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._began
        self._stop.set()
        self._sampler.join()
        self.rise_mb = max(self._peak, _rss_mb()) - self._base


def _rss_mb() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0
