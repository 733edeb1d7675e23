"""Every reader of an upload stops at the limits: bombs refused promptly, in bounded memory,
naming the limit; files within the limits read as before."""

import asyncio
import io
import threading
import zipfile
from dataclasses import replace

import pytest
from fastapi import Request
from openpyxl import Workbook

from services.api.app import create_app as create_api
from services.api.roadmaps.document_import.readers import UnreadableDocument, read_blocks
from services.surveys.app import create_app as create_surveys
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform
from shared.errors import Invalid
from shared.settings import Settings
from shared.spreadsheets import read_table
from shared.uploads import UploadLimitExceeded, UploadLimits, parse_upload, upload_limits
from tests import bombs

DEFAULTS = UploadLimits.defaults()
# Loose on purpose: the unbounded readers took 21-133 s and up to 2.7 GB on these files.
SECONDS = 10
MEGABYTES = 200


def refused(read, *args, limits=DEFAULTS) -> dict:
    """Run a reader that must refuse; the limit it names, checked to be quick and small."""
    with bombs.Footprint() as footprint, pytest.raises(UploadLimitExceeded) as caught:
        read(*args, limits=limits)
    assert footprint.seconds < SECONDS and footprint.rise_mb < MEGABYTES, vars(footprint)
    error = caught.value
    assert error.status == 422 and error.errors[0]["loc"] == ["body", "file"]
    return error.extra["limit"]


def roadmap(name, content, limits):
    return read_blocks(name, content, limits)


def table(name, content, limits):
    return read_table(name, content, limits=limits, max_rows=10_000)


def xlsform(_, content, limits):
    return from_xlsform(content, limits)


EVERY_XLSX_READER = [roadmap, table, xlsform]
# A header every reader takes (the XLSForm settings sheet needs these two columns).
HEADER = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>form_title</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>form_id</t></is></c></row>'
)
SHEET_READ = {roadmap: "Лист1", table: "Лист1", xlsform: "settings"}  # (XLSForm reads it first)


def test_a_small_docx_of_three_million_paragraphs_is_refused_at_the_paragraph_limit():
    bomb = bombs.docx_paragraphs(3_000_000)
    assert len(bomb) < 1_000_000
    limit = refused(roadmap, "plan.docx", bomb)
    assert limit == {
        "name": "paragraphs",
        "value": 20_000,
        "setting": "SOKO_UPLOAD_MAX_PARAGRAPHS",
    }


@pytest.mark.parametrize("reader", EVERY_XLSX_READER)
def test_a_small_xlsx_of_two_million_rows_is_refused_by_every_reader(reader):
    bomb = bombs.xlsx_rows(2_000_000)
    assert len(bomb) < 1_600_000
    assert refused(reader, "plan.xlsx", bomb)["name"] == "rows"


@pytest.mark.parametrize("reader", EVERY_XLSX_READER)
def test_rows_a_sheet_skips_count_as_rows(reader):
    # openpyxl yields an empty row for every row number a file leaves out
    rows = HEADER + b'<row r="900000"/>'
    gap = bombs.xlsx(rows, sheet_name=SHEET_READ[reader])
    assert refused(reader, "gap.xlsx", gap)["name"] == "rows"


@pytest.mark.parametrize("reader", EVERY_XLSX_READER)
def test_a_declared_sheet_width_counts_its_padded_cells(reader):
    # openpyxl pads every row to the <dimension> a file declares (16,384 columns here)
    numbered = (b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(2, 60))
    rows = HEADER + b"".join(numbered)
    wide = bombs.xlsx(rows, dimension="A1:XFD59", sheet_name=SHEET_READ[reader])
    assert refused(reader, "wide.xlsx", wide)["name"] == "cells"


def test_a_part_that_lies_about_its_size_is_refused_without_being_inflated():
    bomb = bombs.lying_zip(declared=100, actual=400_000_000)
    assert len(bomb) < 2_000_000
    with bombs.Footprint() as footprint, pytest.raises(UnreadableDocument, match="заявленн"):
        read_blocks("plan.docx", bomb)
    assert footprint.seconds < SECONDS and footprint.rise_mb < MEGABYTES, vars(footprint)


def test_nested_tables_count_as_tables():
    nested = bombs.docx_nested_tables(outer_cells=1_200)
    assert refused(roadmap, "plan.docx", nested)["name"] == "tables"


def test_tables_nested_hundreds_deep_are_refused_at_the_depth_libxml2_reads():
    limit = refused(roadmap, "plan.docx", bombs.docx_deep_tables(300))
    assert limit == {"name": "xml_depth", "value": 256, "setting": None}


def test_table_cells_of_a_docx_are_counted_before_it_is_opened():
    many = bombs.docx_table(rows=2_000, cells=300, inner=b"")
    assert refused(roadmap, "plan.docx", many)["name"] == "xml_elements"  # the first reached
    more_elements = replace(DEFAULTS, max_xml_elements=2_000_000)
    assert refused(roadmap, "plan.docx", many, limits=more_elements)["name"] == "cells"


def test_markup_elements_are_counted_whatever_their_kind():
    bomb = bombs.docx(bombs._repeat(b"<w:proofErr/>", 600_000))
    assert refused(roadmap, "plan.docx", bomb)["name"] == "xml_elements"


def test_what_a_package_inflates_to_is_bounded():
    padded = bombs.docx(b"<w:p/>" + b" " * (3 * 1024 * 1024))
    small = replace(DEFAULTS, max_unpacked_bytes=2 * 1024 * 1024)
    limit = refused(roadmap, "plan.docx", padded, limits=small)
    assert limit["name"] == "unpacked_bytes" and limit["value"] == 2 * 1024 * 1024


@pytest.mark.parametrize("reader", EVERY_XLSX_READER)
def test_an_archive_of_too_many_parts_is_refused_before_it_is_listed(reader):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(1_500):
            archive.writestr(f"xl/p{index}.xml", b"<a/>")
    assert refused(reader, "parts.xlsx", buffer.getvalue())["name"] == "parts"


def test_a_dtd_in_a_part_is_refused():
    doctype = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>'
    head = f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{bombs.W}"><w:body>'
    document = head.encode() + b"<w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>"
    package = bombs._package({"[Content_Types].xml": b"<Types/>", "word/document.xml": document})
    with pytest.raises(UnreadableDocument, match="DTD"):
        read_blocks("plan.docx", package)


@pytest.mark.parametrize(
    ("reader", "limit"), [(roadmap, "rows"), (table, "data_rows")], ids=["roadmap", "table"]
)
def test_a_csv_of_millions_of_lines_stops_at_the_rows(reader, limit):
    huge = b"code;org;period;1\n" * 1_000_000
    assert refused(reader, "values.csv", huge)["name"] == limit


@pytest.mark.parametrize("reader", [roadmap, table], ids=["roadmap", "table"])
@pytest.mark.parametrize("line", [b"a" * 5_000_000, b"a;" * 3_000_000], ids=["cell", "cells"])
def test_a_csv_that_is_one_enormous_line_is_refused(reader, line):
    assert refused(reader, "values.csv", line)["name"] == "text_chars"


@pytest.mark.parametrize("reader", [roadmap, table], ids=["roadmap", "table"])
def test_csv_lines_of_many_cells_are_refused_before_they_are_split(reader):
    wide = (b"1;" * 40_000 + b"\n") * 20
    assert refused(reader, "values.csv", wide)["name"] == "cells"


@pytest.mark.parametrize(
    "content", [b"a" * 5_000_000, b"\r" * 5_000_000, b"\n" * 5_000_000, b"a\t" * 3_000_000]
)
def test_a_text_of_one_line_or_only_line_breaks_is_refused(content):
    assert refused(roadmap, "plan.txt", content)["name"] in {"text_chars", "rows"}


def test_a_sheet_row_wider_than_excel_is_unreadable():
    row = bombs.xlsx(b"<row>" + b"<c><v>1</v></c>" * 200_000 + b"</row>")
    with pytest.raises(Invalid, match="Excel"):
        read_table("wide.xlsx", row, max_rows=10)


def test_an_xlsform_sheet_has_its_own_row_limit():
    book = Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label"])
    for index in range(60):
        book.active.append(["text", f"q{index}", f"Вопрос {index}"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "kind", "audience"])
    settings.append(["Анкета", "form", "satisfaction", "parents"])
    buffer = io.BytesIO()
    book.save(buffer)
    small = replace(DEFAULTS, max_xlsform_rows=50)
    limit = refused(xlsform, "form.xlsx", buffer.getvalue(), limits=small)
    assert limit == {"name": "xlsform_rows", "value": 50, "setting": "SOKO_UPLOAD_MAX_XLSFORM_ROWS"}
    assert from_xlsform(buffer.getvalue(), replace(DEFAULTS, max_xlsform_rows=60)).code == "form"


def test_ten_thousand_rows_of_data_values_read_whole_and_one_more_is_refused():
    book = Workbook()
    book.active.append(["indicator_code", "organization_id", "period", "value"])
    for index in range(10_000):
        book.active.append(["e_planning", f"org-{index}", "2021/2022", index])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_table("values.xlsx", buffer.getvalue(), max_rows=10_000)
    assert len(rows) == 10_000 and rows[-1] == (10_001, rows[-1][1])
    book.active.append(["e_planning", "org-last", "2021/2022", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    limit = refused(table, "values.xlsx", buffer.getvalue())
    assert limit == {"name": "data_rows", "value": 10_000, "setting": None}


def test_limits_are_settings(monkeypatch):
    monkeypatch.setenv("SOKO_UPLOAD_MAX_ROWS", "7")
    monkeypatch.setenv("SOKO_UPLOAD_MAX_BYTES", "1024")
    limits = UploadLimits.from_settings(Settings())
    assert limits.max_rows == 7 and limits.max_bytes == 1024
    assert limits.max_cells == DEFAULTS.max_cells
    csv = b"a;b\n" * 8
    assert refused(roadmap, "plan.csv", csv, limits=limits) == {
        "name": "rows",
        "value": 7,
        "setting": "SOKO_UPLOAD_MAX_ROWS",
    }


async def test_parsing_runs_in_a_worker_thread_and_its_errors_reach_the_caller():
    loop_thread = threading.get_ident()
    assert await parse_upload(DEFAULTS, threading.get_ident) != loop_thread
    with pytest.raises(XLSFormError):
        await parse_upload(DEFAULTS, from_xlsform, b"not a workbook")


async def test_each_app_parses_uploads_in_threads_of_its_own(settings):
    """Two apps in one process (as the tests make): one app's parsing, all of its
    SOKO_UPLOAD_PARSERS threads busy, does not hold up an upload to the other."""
    one = settings.model_copy(update={"upload_parsers": 1})
    busy, other = create_surveys(one), create_api(one)
    release = threading.Event()
    async with busy.router.lifespan_context(busy), other.router.lifespan_context(other):
        limits = {
            app: upload_limits(Request({"type": "http", "app": app})) for app in (busy, other)
        }
        held = asyncio.create_task(parse_upload(limits[busy], release.wait, 30))
        try:
            await asyncio.sleep(0.1)  # the busy app's one thread now waits
            async with asyncio.timeout(5):
                assert await parse_upload(limits[other], sum, [1, 2]) == 3
        finally:
            release.set()
            assert await held is True
