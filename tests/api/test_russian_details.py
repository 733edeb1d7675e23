"""A problem's `detail` is Russian through and through: a library's English reason (zipfile's
"File is not a zip file") never reaches it,
and a field outside the body is named with the request part it is in («заголовок …»)."""

import io
import re

import pytest
from openpyxl import Workbook

from tests.api.test_data_values import world as data_world

world = data_world

LATIN_WORDS = re.compile(r"\b(?!xlsx\b|CSV\b|Excel\b|Idempotency-Key\b)[A-Za-z]{3,}\b")


async def _upload(client, world, name: str, content: bytes, headers: dict | None = None):
    return await client.post(
        "/v1/data-values/upload",
        files={"file": (name, content)},
        headers=world.headers("leader") | (headers or {}),
    )


async def test_a_broken_workbook_is_said_in_russian(api_client, world):
    answer = await _upload(api_client, world, "values.xlsx", b"PK\x03\x04garbage")
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith("Файл .xlsx не читается: файл повреждён или это не книга Excel")
    assert not LATIN_WORDS.search(detail), detail


def _docx() -> bytes:
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


async def test_a_word_file_sent_as_a_workbook_and_back_is_said_in_russian(api_client, world):
    """A sound zip of the other Office kind: openpyxl's and python-docx's English reasons
    ("File contains no valid workbook part", "file '<_io.BytesIO object at 0x…>' is not a Word
    file") reached the detail."""
    answer = await _upload(api_client, world, "values.xlsx", _docx())
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "в файле нет книги Excel или она повреждена" in detail
    assert not LATIN_WORDS.search(detail.replace("Word", "")), detail
    answer = await api_client.post(
        "/v1/roadmaps/import",
        data={"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)},
        files={"file": ("план.docx", _xlsx())},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert "в файле нет документа Word или он повреждён" in error["msg"]
    assert not LATIN_WORDS.search(error["msg"].replace("Word", "").replace("docx", "")), error


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04garbage", _docx()[:200]])
async def test_a_broken_word_file_is_said_to_be_no_word_document(api_client, world, content):
    """An empty or truncated .docx roadmap was said to be «не книга Excel (.xlsx)»."""
    answer = await api_client.post(
        "/v1/roadmaps/import",
        data={"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)},
        files={"file": ("t.docx", content)},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file"], error
    assert "Word" in error["msg"] and "Excel" not in error["msg"], error


async def test_a_header_past_its_bound_is_named_as_a_header(api_client, world):
    answer = await api_client.post(
        "/v1/data-values",
        json={"values": []},
        headers=world.headers("leader") | {"Idempotency-Key": "k" * 3000},
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["detail"] == "Запрос содержит ошибки: заголовок Idempotency-Key"
    assert problem["errors"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_an_import_with_no_row_says_so(api_client, world):
    """An export that broke (a header only, an empty list) is told, not answered "done"."""
    header = b"indicator_code;organization_id;period;value\r\n"
    summary = (await _upload(api_client, world, "values.csv", header)).json()
    assert (summary["imported"], summary["rejected"]) == (0, [])
    assert summary["warnings"] == [
        {
            "index": None,
            "loc": ["file"],
            "msg": "В файле нет строк с данными под заголовком: ничего не сохранено",
        }
    ]
    posted = await api_client.post(
        "/v1/data-values", json={"values": []}, headers=world.headers("leader")
    )
    assert posted.json()["warnings"] == [
        {
            "index": None,
            "loc": ["values"],
            "msg": "В запросе нет ни одной строки (values): ничего не сохранено",
        }
    ]


async def test_a_second_sheet_with_the_table_is_said_not_read(api_client, world):
    """A workbook with a sheet per half-year: the first table is read, the other one named in
    `warnings` (never left out unsaid)."""
    book = Workbook()
    first = book.active
    first.title = "1 полугодие"
    second = book.create_sheet("2 полугодие")
    for sheet, value in ((first, 45), (second, 50)):
        sheet.append(["indicator_code", "organization_id", "period", "value"])
        sheet.append(["teachers_trained", str(world.s1.id), "2021/2022", value])
    book.create_sheet("Справка").append(["Составил", "Иванов"])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = (await _upload(api_client, world, "values.xlsx", buffer.getvalue())).json()
    assert summary["imported"] == 1
    assert [w["msg"] for w in summary["warnings"]] == [
        "лист «2 полугодие» тоже содержит таблицу с нужными столбцами, но не прочитан: читается "
        "только первая таблица (лист «1 полугодие») — загрузите лист «2 полугодие» отдельным "
        "файлом или перенесите его строки на один лист"
    ]
