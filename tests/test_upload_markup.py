"""The XML inside a .docx or .xlsx, however it is dressed up, through every endpoint that takes
one: whitespace before it, an encoding Office does not allow, a DTD, a bomb in a part other
than the first. Each is refused promptly with a 422 naming the limit or the file, and nothing
is stored."""

import pytest

from tests import bombs
from tests.test_upload_limits import UPLOADS, refused_promptly

ROW = b'<row r="1"><c r="A1"><v>1</v></c></row>'
ELEMENTS = 600_000  # over SOKO_UPLOAD_MAX_XML_ELEMENTS (500,000)
LIMITS = {"xml_elements", "paragraphs"}  # else: words the refusal says


def strings() -> bombs.Chunks:
    return bombs.elements(ELEMENTS // 2, b"<si><t>a</t></si>", bombs.STRINGS_ROOT)


def paragraphs(count: int = 1_000_000) -> bombs.Chunks:
    return bombs._repeat(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", count)


def sheet(content) -> bytes:
    return bombs.xlsx(ROW, parts={"xl/worksheets/sheet1.xml": content})


def sheet_elements() -> bombs.Chunks:
    return bombs.elements(ELEMENTS, b"<x/>", bombs.WORKSHEET_ROOT)


def sheet_declaring(encoding: str) -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    return sheet(head + bombs.WORKSHEET_ROOT + b"<sheetData>" + ROW + b"</sheetData></worksheet>")


# (file name, the file, what the answer must name: a limit, or words of its message)
XLSX = {
    "padded-shared-strings": lambda: bombs.xlsx(
        ROW, strings=iter([]), parts={"xl/sharedStrings.xml": bombs.padded(strings())}
    ),
    "padded-worksheet": lambda: sheet(bombs.padded(sheet_elements())),
    "padded-declaration": lambda: sheet(bombs.padded(bombs.DECLARATION + bombs.WORKSHEET_ROOT)),
    "utf32-worksheet": lambda: sheet(bombs.encoded(sheet_elements(), "utf-32")),
    "utf32be-worksheet-without-bom": lambda: sheet(bombs.encoded(sheet_elements(), "utf-32-be")),
    "latin1-declared": lambda: sheet_declaring("ISO-8859-1"),
    "unknown-encoding-declared": lambda: sheet_declaring("x-soko-unknown"),
    "entities-in-shared-strings": lambda: bombs.xlsx(
        ROW, strings=iter([]), parts={"xl/sharedStrings.xml": bombs.laughs(bombs.STRINGS_ROOT)}
    ),
    "elements-in-sheet2": lambda: bombs.xlsx_second_sheet(sheet_elements()),
    "worksheet-named-as-an-image": lambda: bombs.xlsx_second_sheet(
        bombs.padded(sheet_elements()), target="worksheets/sheet2.png"
    ),
    "elements-in-custom-properties": lambda: bombs.xlsx(
        ROW, parts={"docProps/custom.xml": bombs.padded(bombs.elements(ELEMENTS))}
    ),
}
XLSX_NAMES = {
    "padded-shared-strings": "xml_elements",
    "padded-worksheet": "xml_elements",
    "padded-declaration": "xl/worksheets/sheet1.xml",
    "utf32-worksheet": "UTF-32",
    "utf32be-worksheet-without-bom": "UTF-32",
    "latin1-declared": "ISO-8859-1",
    "unknown-encoding-declared": "x-soko-unknown",
    "entities-in-shared-strings": "DTD",
    "elements-in-sheet2": "xml_elements",
    "worksheet-named-as-an-image": "xml_elements",
    "elements-in-custom-properties": "xml_elements",
}
DOCX = {
    "padded-document": (
        lambda: bombs.docx(document=bombs.padded(bombs.document_xml(paragraphs(), prolog=b""))),
        "paragraphs",
    ),
    "utf32-document": (
        lambda: bombs.docx(
            document=bombs.encoded(bombs.document_xml(paragraphs(200_000)), "utf-32")
        ),
        "UTF-32",
    ),
    "utf32be-document-without-bom": (
        lambda: bombs.docx(
            document=bombs.encoded(bombs.document_xml(paragraphs(200_000)), "utf-32-be")
        ),
        "UTF-32",
    ),
    "utf32be-document": (
        lambda: bombs.docx(
            document=bombs.encoded(bombs.document_xml(paragraphs(200_000)), "utf-32-be", bom=True)
        ),
        "UTF-32",
    ),
    "entities-in-document": (lambda: bombs.docx(document=bombs.laughs(bombs.DOCUMENT_ROOT)), "DTD"),
    "elements-in-custom-properties": (
        lambda: bombs.docx(parts={"docProps/custom.xml": bombs.padded(bombs.elements(ELEMENTS))}),
        "xml_elements",
    ),
}
CASES = [
    (kind, "bomb.xlsx", case, XLSX[case], XLSX_NAMES[case]) for kind in UPLOADS for case in XLSX
]
CASES += [("roadmap", "bomb.docx", case, make, named) for case, (make, named) in DOCX.items()]


@pytest.mark.parametrize(
    ("kind", "name", "case", "make", "named"),
    CASES,
    ids=[f"{kind}-{name.rpartition('.')[2]}-{case}" for kind, name, case, _, _ in CASES],
)
async def test_markup_a_library_would_read_is_counted_or_refused(
    client, world, db, kind, name, case, make, named
):
    problem = await refused_promptly(client, world, db, kind, name, make())
    if named in LIMITS:
        assert problem["limit"]["name"] == named, problem
        assert problem["detail"].startswith("Файл не принят: ")
    else:
        assert named in problem["detail"] or named in problem["errors"][0]["msg"], problem
