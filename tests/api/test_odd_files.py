"""Files and values that Python would read quietly and wrongly: a quote never closed swallows
the rows after it, «1_0.5» is float()'s 10.5 and «٥» its 5, a UTF-32 file reads as UTF-16 full
of NULs. Each is refused saying what is wrong, nothing stored."""

import io

import pytest
from openpyxl import Workbook

from tests.factories import add_data_indicator, build_world


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    await add_data_indicator(db, "teachers_count", "Педагогов", "number")
    return world


async def _upload(client, world, content: bytes, name="v.csv"):
    return await client.post(
        "/v1/data-values/upload",
        files={"file": (name, content)},
        headers=world.headers("admin"),
    )


async def test_a_quote_never_closed_is_named_not_its_rows_lost(api_client, world):
    content = (
        "Код показателя;ID ОО;Период;Значение\r\n"
        f'teachers_count;"{world.s1.id};2025/2026;5\r\n'
        f"teachers_count;{world.s1.id};2024/2025;6\r\n"
        f"teachers_count;{world.s1.id};2023/2024;7\r\n"
    ).encode()
    answer = await _upload(api_client, world, content)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["errors"][0]["loc"] == ["body", "file"]
    assert 'незакрытая кавычка в строке «teachers_count;"' in problem["detail"]
    assert "всё до конца файла (3 строки) прочитано как одно значение" in problem["detail"]


async def test_a_quote_never_closed_on_the_last_line_is_named_too(api_client, world):
    """The quote opened on the file's last line ran into its end: the cells read as one value,
    and the row was refused as missing its period and value, saying nothing of the quote."""
    content = (
        "Код показателя;ID ОО;Период;Значение\r\n"
        f"teachers_count;{world.s1.id};2024/2025;6\r\n"
        f'teachers_count;"{world.s1.id};2025/2026;5\r\n'
    ).encode()
    answer = await _upload(api_client, world, content)
    assert answer.status_code == 422, answer.text
    assert 'незакрытая кавычка в строке «teachers_count;"' in answer.json()["detail"]
    content = (
        f'Код показателя;ID ОО;Период;Значение\r\nteachers_count;{world.s1.id};2024/2025;6 "шт\r\n'
    ).encode()  # a quote inside a value opens nothing: the row is read (and refused for «6 "шт»)
    answer = await _upload(api_client, world, content)
    assert answer.status_code == 200, answer.text


async def test_a_value_written_across_lines_in_quotes_is_still_read(api_client, world):
    content = (
        "Код показателя;ID ОО;Период;Значение;Комментарий\r\n"
        f'teachers_count;{world.s1.id};2025/2026;5;"две\r\nстроки"\r\n'
        f"teachers_count;{world.s1.id};2024/2025;6;\r\n"
    ).encode()
    answer = await _upload(api_client, world, content)
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 2


async def test_numbers_with_underscores_or_other_digits_are_refused_naming_the_value(
    api_client, world
):
    rows = ["1_000", "1_0.5", "٥", "５"]
    content = "\r\n".join(
        ["Код показателя;ID ОО;Период;Значение"]
        + [f"teachers_count;{world.s1.id};{2020 + n}/{2021 + n};{v}" for n, v in enumerate(rows)]
    ).encode()
    answer = await _upload(api_client, world, content)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 0
    refused = {r["index"]: r["errors"][0] for r in summary["rejected"]}
    assert sorted(refused) == [2, 3, 4, 5]
    assert refused[3]["loc"] == ["value"]
    assert "«1_0.5» записано с «_» или не латинскими цифрами" in refused[3]["msg"]
    posted = await api_client.post(
        "/v1/data-values",
        json={
            "values": [
                {
                    "indicator_code": "teachers_count",
                    "organization_id": str(world.s1.id),
                    "period": "2025/2026",
                    "value": "1_000",
                }
            ]
        },
        headers=world.headers("admin"),
    )
    [rejected] = posted.json()["rejected"]
    assert rejected["errors"][0]["loc"] == ["value"]


async def test_a_utf32_file_is_named_as_such(api_client, world):
    text = f"Код показателя;ID ОО;Период;Значение\r\nteachers_count;{world.s1.id};2025/2026;5\r\n"
    answer = await _upload(api_client, world, text.encode("utf-32"))
    assert answer.status_code == 422, answer.text
    assert "UTF-32" in answer.json()["detail"]


async def test_a_file_sent_as_text_is_told_in_russian(api_client, world):
    """`-F file=abc` (a text part, no file name): «ожидается файл», not FastAPI's English."""
    answer = await api_client.post(
        "/v1/data-values/upload", data={"file": "abc"}, headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert error["msg"] == "ожидается файл: часть формы с именем файла (multipart/form-data)"


async def test_minus_zero_is_stored_as_zero(api_client, world):
    value = {
        "indicator_code": "teachers_count",
        "organization_id": str(world.s1.id),
        "period": "2025/2026",
        "value": -0.0,
    }
    posted = await api_client.post(
        "/v1/data-values", json={"values": [value]}, headers=world.headers("admin")
    )
    assert posted.json()["imported"] == 1, posted.text
    read = await api_client.get(
        "/v1/data-values",
        params={"organization_id": str(world.s1.id), "indicator_code": "teachers_count"},
        headers=world.headers("admin"),
    )
    assert [i["value"] for i in read.json()["items"]] == [0.0]
    assert '"value":-0' not in read.text.replace(" ", "")


async def test_an_excel_error_in_a_cell_is_named_as_one(api_client, world):
    """A formula that failed in the school's workbook leaves «#DIV/0!» in an .xlsx and, saved
    as CSV by a Russian Excel, «#ДЕЛ/0!»: the row is refused saying the formula failed, not
    «ожидается число» as if someone had typed it."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Код показателя", "ID ОО", "Период", "Значение"])
    sheet.append(["teachers_count", str(world.s1.id), "2025/2026", "#DIV/0!"])
    sheet["D2"].data_type = "e"
    buffer = io.BytesIO()
    book.save(buffer)
    csv = (
        "Код показателя;ID ОО;Период;Значение\r\n"
        f"teachers_count;{world.s1.id};2024/2025;#ДЕЛ/0!\r\n"
    ).encode("cp1251")
    for name, content, error in (
        ("v.xlsx", buffer.getvalue(), "#DIV/0!"),
        ("v.csv", csv, "#ДЕЛ/0!"),
    ):
        answer = await _upload(api_client, world, content, name)
        assert answer.status_code == 200, answer.text
        summary = answer.json()
        assert summary["imported"] == 0, summary
        [rejected] = summary["rejected"]
        [said] = rejected["errors"]
        assert said["loc"] == ["value"]
        assert said["msg"].startswith(f"в ячейке ошибка Excel «{error}» (деление на ноль)"), said
