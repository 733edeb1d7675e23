"""Open a .docx or .xlsx (a zip of XML parts) only after its parts were measured within bounds.

python-docx and openpyxl trust an archive: they inflate whole parts and build trees of whole
XML documents, so a 1 MB file can hold millions of paragraphs or rows. Before either library
sees the file, `scan_package` inflates every part in chunks, counting the bytes actually
inflated (a part that inflates past its declared size is refused, since declared sizes can lie),
and feeds every part a library may read as XML to a streaming parser that builds no tree
(`shared.uploads.markup`): its elements, rows, cells, paragraphs, tables, texts and depth are
counted against the limits, its encoding must be UTF-8 or UTF-16 and it may declare no DTD.

Which parts are XML is decided by the part, never by its first bytes: a part is read as XML
when its name ends in .xml or .rels, when [Content_Types].xml gives it an XML content type
(not an image's, such as SVG) or none at all, or when a relationship points to it with a type
whose target neither library parses (an image, a font, an embedded object, a VML drawing...).
The content types and the relationships are therefore read first. Nothing is allocated in
proportion to what a part claims.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from urllib.parse import unquote

from docx import Document
from docx.document import Document as DocxDocument
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from shared.uploads.limits import UnreadableUpload, UploadLimits
from shared.uploads.markup import PartCounter, Tally, Watcher

_CHUNK = 64 * 1024
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # ends with the lengths of the name and extra field

_CONTENT_TYPES = "[content_types].xml"
_XML_EXTENSIONS = (".xml", ".rels")
# Relationship types (the last segment of the type's URI, lower case) whose targets neither
# library reads as XML: binary parts, and legacy VML drawings (kept as bytes; Excel's are not
# always well-formed XML, so parsing them would refuse files with comments or form controls).
_UNPARSED_RELATIONSHIPS = frozenset(
    {
        "image", "hdphoto", "media", "audio", "video", "model3d", "oleobject", "package",
        "printersettings", "font", "thumbnail", "customproperty", "certificate", "origin",
        "afchunk", "vbaproject", "activexcontrolbinary", "attachedtoolbars", "legacydoctextinfo",
        "vmldrawing",
    }
)  # fmt: skip
_WORKSHEET_RELATIONSHIP = "worksheet"


class _Manifest:
    """What a package says of its parts: their content types ([Content_Types].xml) and the
    relationships pointing to them (every .rels part). Part names are kept in lower case
    without a leading slash, as OPC compares them."""

    def __init__(self) -> None:
        self.defaults: dict[str, str] = {}  # extension -> content type
        self.overrides: dict[str, str] = {}  # part name -> content type
        self.relationships: dict[str, set[str]] = {}  # part name -> types pointing to it

    def content_types(self, tag: str, attributes: dict[str, str]) -> None:
        """A watcher of [Content_Types].xml: each Default and Override."""
        kind = tag.rpartition(" ")[2]
        content_type = attributes.get("ContentType", "").lower()
        if kind == "Default" and "Extension" in attributes:
            self.defaults[attributes["Extension"].lower()] = content_type
        elif kind == "Override" and "PartName" in attributes:
            self.overrides[_part_name(attributes["PartName"])] = content_type

    def relationships_of(self, rels_name: str) -> Watcher:
        """A watcher of one .rels part: each internal target, resolved against its source."""
        folder = posixpath.dirname(posixpath.dirname(rels_name))  # "word/_rels/x.rels" -> "word"

        def watch(tag: str, attributes: dict[str, str]) -> None:
            target = attributes.get("Target")
            if tag.rpartition(" ")[2] != "Relationship" or not target:
                return
            if attributes.get("TargetMode", "Internal").lower() == "external":
                return
            kind = attributes.get("Type", "").rstrip("/").rpartition("/")[2].lower()
            # as OPC reads the target (a URI), and as openpyxl does (the text as it is)
            for path in {target, unquote(target.split("#", 1)[0])}:
                if not path.startswith("/"):
                    path = posixpath.join(folder, path)
                name = _part_name(posixpath.normpath("/" + path))
                self.relationships.setdefault(name, set()).add(kind)

        return watch

    def is_markup(self, name: str) -> bool:
        """Whether a library may read the part as XML (see the module's docstring)."""
        name = _part_name(name)
        if name.endswith(_XML_EXTENSIONS):
            return True
        extension = posixpath.splitext(name)[1].lstrip(".")
        content_type = self.overrides.get(name, self.defaults.get(extension))
        if content_type is None:
            return True
        # python-docx parses a part by its content type; an SVG image (image/svg+xml) it keeps
        # as bytes, and SVGs often declare a DTD.
        if content_type.endswith("xml") and not content_type.startswith("image/"):
            return True
        return any(k not in _UNPARSED_RELATIONSHIPS for k in self.relationships.get(name, ()))

    def is_worksheet(self, name: str) -> bool:
        """Whether only worksheet relationships point to the part (openpyxl streams those)."""
        return self.relationships.get(_part_name(name)) == {_WORKSHEET_RELATIONSHIP}


def _part_name(name: str) -> str:
    return name.lstrip("/").lower()


def _order(info: zipfile.ZipInfo) -> int:
    """Content types first, relationships next: what the other parts are is known by then."""
    name = info.filename.lower()
    return 0 if name == _CONTENT_TYPES else 1 if name.endswith(".rels") else 2


class _Scan:
    """What one archive holds, counted against the limits. `streamed`: the package is read by
    openpyxl in read-only mode, which streams worksheets row by row."""

    def __init__(self, content: bytes, limits: UploadLimits, *, streamed: bool) -> None:
        self.content = content
        self.limits = limits
        self.tally = Tally(limits)
        self.manifest = _Manifest()
        self.streamed = streamed
        self.inflated = 0

    def part(self, info: zipfile.ZipInfo) -> None:
        """Inflate one part in chunks, counting its bytes and, if XML, what its markup holds."""
        counter = self._counter(info)
        size = 0
        for chunk in _inflate(self.content, info):
            size += len(chunk)
            self.inflated += len(chunk)
            if size > info.file_size:
                raise UnreadableUpload("часть файла распаковывается больше заявленного размера")
            if self.inflated > self.limits.max_unpacked_bytes:
                raise self.limits.exceeded("unpacked_bytes")
            if counter is not None:
                counter.feed(chunk)
        if size != info.file_size:
            raise UnreadableUpload("часть файла короче заявленного размера")
        if counter is not None:
            counter.close()

    def _counter(self, info: zipfile.ZipInfo) -> PartCounter | None:
        name = info.filename
        if info.is_dir() or not self.manifest.is_markup(name):
            return None
        watch: Watcher | None = None
        if name.lower() == _CONTENT_TYPES:
            watch = self.manifest.content_types
        elif name.lower().endswith(".rels"):
            watch = self.manifest.relationships_of(name)
        streamed = self.streamed and self.manifest.is_worksheet(name)
        return PartCounter(name, self.tally, streamed=streamed, watch=watch)


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


def scan_package(
    content: bytes,
    limits: UploadLimits,
    *,
    streamed: bool = False,
    expected: str = "книга Excel (.xlsx)",
) -> None:
    """Measure every part of an Office Open XML file within `limits`; `expected`: what the
    file should be, in the refusal's words («документ Word (.docx)»).

    `streamed`: the file is to be read by openpyxl in read-only mode (`open_xlsx`), so that
    what a worksheet's rows hold counts per row. Raises UploadLimitExceeded (422, naming the
    limit) past a limit, and UnreadableUpload (422 naming `file`) when the file is not a sound
    zip of well-formed parts in UTF-8 or UTF-16 without DTDs."""
    # The central directory is read whole by zipfile: count its entries before it is.
    if content.count(_CENTRAL_DIRECTORY_ENTRY) > limits.max_parts:
        raise limits.exceeded("parts")
    scan = _Scan(content, limits, streamed=streamed)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_parts:
                raise limits.exceeded("parts")
            if sum(info.file_size for info in infos) > limits.max_unpacked_bytes:
                raise limits.exceeded("unpacked_bytes")
            for info in sorted(infos, key=_order):
                scan.part(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # The library's own words (English: "File is not a zip file") stay in the log's trace.
        raise UnreadableUpload(f"файл повреждён или это не {expected}") from exc


def open_xlsx(content: bytes, limits: UploadLimits) -> Workbook:
    """An .xlsx workbook, read-only (rows streamed), after `scan_package`. Rows still need
    counting while read (`sheet_rows`): openpyxl pads rows and fills gaps between them."""
    scan_package(content, limits, streamed=True)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl reports a broken workbook with many kinds
        # Its words are English ("File contains no valid workbook part"): kept in the trace.
        raise UnreadableUpload(
            "в файле нет книги Excel или она повреждена (это может быть документ Word "
            "или другой файл с расширением .xlsx): откройте его в Excel и сохраните "
            "как «Книга Excel (.xlsx)»"
        ) from exc


def open_docx(content: bytes, limits: UploadLimits) -> DocxDocument:
    """A Word document after `scan_package` (paragraphs, tables, rows and cells counted)."""
    scan_package(content, limits, expected="документ Word (.docx)")
    try:
        return Document(io.BytesIO(content))
    except Exception as exc:  # python-docx reports a broken package with many kinds
        # Its words are English, with the stream's repr ("file '<_io.BytesIO object at …>' is
        # not a Word file"): kept in the trace.
        raise UnreadableUpload(
            "в файле нет документа Word или он повреждён (это может быть книга Excel "
            "или другой файл с расширением .docx): откройте его в Word и сохраните "
            "как «Документ Word (.docx)»"
        ) from exc
