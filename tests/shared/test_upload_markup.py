"""Which parts of a package are read as XML, and in which encodings: what Office writes is read
as before, whatever else is refused naming the part."""

import re

import pytest

from services.api.roadmaps.document_import.readers import Paragraph, read_blocks
from shared.spreadsheets import read_table
from shared.uploads import UnreadableUpload, UploadLimitExceeded, UploadLimits, scan_package
from tests import bombs

DEFAULTS = UploadLimits.defaults()
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>код</t></is></c></row>'.encode()
DATA = '<row r="2"><c r="A1" t="inlineStr"><is><t>значение</t></is></c></row>'.encode()
SHEET = bombs.WORKSHEET_ROOT + b"<sheetData>" + HEADER + DATA + b"</sheetData></worksheet>"
DECLARED_UTF16 = '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16")
EBCDIC = f'<?xml version="1.0" encoding="cp500"?><worksheet xmlns="{bombs.S}"/>'.encode("cp500")


def sheet(content: bytes) -> bytes:
    return bombs.xlsx(b"", parts={"xl/worksheets/sheet1.xml": content})


@pytest.mark.parametrize(
    "part",
    [
        pytest.param(SHEET, id="utf8-without-declaration"),
        pytest.param(bombs.DECLARATION + SHEET, id="utf8-declared"),
        pytest.param(b"\xef\xbb\xbf" + bombs.DECLARATION + SHEET, id="utf8-bom"),
        pytest.param(b"\r\n  \n" * 50_000 + SHEET, id="whitespace-before-the-root"),
        pytest.param(SHEET.decode().encode("utf-16"), id="utf16-bom"),
        pytest.param(b"".join(bombs.encoded(SHEET, "utf-16-be", bom=True)), id="utf16be-bom"),
        pytest.param(DECLARED_UTF16 + SHEET.decode().encode("utf-16-le"), id="utf16-declared"),
    ],
)
def test_a_worksheet_office_may_write_is_read(part):
    rows = read_table("values.xlsx", sheet(part), limits=DEFAULTS, max_rows=10)
    assert rows == [(2, {"код": "значение"})]


def test_binary_parts_declared_so_are_not_parsed():
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    body = "<w:p><w:r><w:t>план</w:t></w:r></w:p>".encode()
    document = bombs.docx(body, parts={"word/media/a.png": image})
    assert read_blocks("plan.docx", document, DEFAULTS) == [Paragraph("план")]


@pytest.mark.parametrize(
    ("part", "says"),
    [
        pytest.param(SHEET.decode().encode("utf-32"), "UTF-32", id="utf32-bom"),
        pytest.param(SHEET.decode().encode("utf-32-le"), "UTF-32", id="utf32le-without-bom"),
        pytest.param(EBCDIC, "EBCDIC", id="ebcdic"),
        pytest.param(
            b'<?xml version="1.0" encoding="windows-1251"?>' + SHEET, "windows-1251", id="cp1251"
        ),
        pytest.param(b'<?xml version="1.0" encoding="UTF-32"?>' + SHEET, "UTF-32", id="declared"),
        pytest.param(
            b"  " + bombs.DECLARATION + SHEET, "повреждена", id="declaration-after-spaces"
        ),
        pytest.param(bombs.laughs(bombs.WORKSHEET_ROOT), "DTD", id="entities"),
    ],
)
def test_a_part_in_another_encoding_or_with_a_dtd_is_refused_naming_it(part, says):
    with pytest.raises(UnreadableUpload) as caught:
        scan_package(sheet(part), DEFAULTS)
    message = str(caught.value)
    assert "xl/worksheets/sheet1.xml" in message and says in message
    assert caught.value.errors[0]["loc"] == ["body", "file"]


@pytest.mark.parametrize(
    ("part", "says"),
    [
        (bombs.WORKSHEET_ROOT + b"<sheetData></row></worksheet>", "не совпадает"),
        (SHEET + b"<extra/>", "лишнее после конца разметки"),
        (bombs.WORKSHEET_ROOT + b"<sheetData>", "разметка пуста или оборвана"),
        (bombs.WORKSHEET_ROOT + b"<sheetData><row r=1/></sheetData></worksheet>", "недопустимый"),
        (bombs.WORKSHEET_ROOT + b"<sheetData>&nbsp;</sheetData></worksheet>", "сущность"),
    ],
)
def test_broken_markup_is_said_in_russian_with_its_place(part, says):
    with pytest.raises(UnreadableUpload) as caught:
        scan_package(sheet(part), DEFAULTS)
    message = str(caught.value)
    assert "xl/worksheets/sheet1.xml" in message and says in message, message
    assert re.search(r"\(строка \d+, позиция \d+: ", message), message
    english = r"error|found|token|tag|junk|element|entity|not well-formed"
    assert not re.search(english, message.replace("xl/worksheets", "")), message


def test_a_part_a_relationship_reads_is_counted_whatever_its_name_and_type():
    bomb = bombs.xlsx_second_sheet(
        bombs.elements(600_000, head=bombs.WORKSHEET_ROOT), target="../media/sheet2.png"
    )
    with pytest.raises(UploadLimitExceeded) as caught:
        scan_package(bomb, DEFAULTS, streamed=True)
    assert caught.value.extra["limit"]["name"] == "xml_elements"


def test_parts_neither_library_parses_are_not_parsed_even_if_they_look_like_xml():
    types = (
        f'<Types xmlns="{bombs.CT}"><Default Extension="rels" ContentType="{bombs.RELS_TYPE}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="svg" ContentType="image/svg+xml"/>'
        '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.'
        'vmlDrawing"/>'
        f'<Override PartName="/word/document.xml" ContentType="{bombs.DOCX_MAIN}"/></Types>'
    )
    svg = b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd"><svg/>'  # as Inkscape's
    vml = b"<xml><v:shape><div>a<br>b</div></v:shape></xml>"  # as Excel's may be: not XML
    parts = {"[Content_Types].xml": types.encode(), "word/media/a.svg": svg, "x/a.vml": vml}
    body = "<w:p><w:r><w:t>план</w:t></w:r></w:p>".encode()
    assert read_blocks("plan.docx", bombs.docx(body, parts=parts), DEFAULTS) == [Paragraph("план")]
