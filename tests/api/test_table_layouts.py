"""Where a table sits in an uploaded file and how wide its rows are (issue 14 follow-ups): a row
with values right of its header's last column is refused naming them, never cut; the header is
found below a title and on another sheet, and a file without it is a 422 naming the columns."""

import io

from openpyxl import Workbook

from tests.api import test_data_value_tables as data_values
from tests.api.test_assessment_result_tables import upload as upload_results
from tests.api.test_data_value_tables import stored, upload

world = data_values.world  # the fixture: the test world with the data indicators


async def test_a_comma_split_decimal_is_refused_naming_the_extra_values(api_client, world, db):
    content = (
        "indicator_code,organization_id,period,value\r\n"
        f"teachers_count,{world.s1.id},2032,64,5\r\n"
        f"students_grades_5_11,{world.s1.id},2032,70\r\n"
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert await stored(db, world) == {("students_grades_5_11", "s1", "2032"): 70}
    (refused,) = summary["rejected"]
    assert refused["index"] == 2 and refused["errors"][0]["loc"] == ["file"]
    assert "лишние «5»" in refused["errors"][0]["msg"]


async def test_a_semicolon_row_wider_than_its_header_is_refused_too(api_client, world, db):
    content = (
        "Код показателя;ОО;Период;Значение\r\n"
        f"teachers_count;{world.s1.id};2032;64;5;;\r\n"
        f"teachers_count;{world.s2.id};2032;12;;\r\n"  # empty cells past the header are fine
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert await stored(db, world) == {("teachers_count", "s2", "2032"): 12}
    assert [r["index"] for r in summary["rejected"]] == [2]
    assert "лишние «5»" in summary["rejected"][0]["errors"][0]["msg"]


async def test_values_in_a_column_without_a_title_are_named_not_dropped_silently(
    api_client, world, db
):
    content = (
        "Код показателя;ID ОО;;Период;Значение\r\n"
        f"teachers_count;{world.s1.id};;2032;3\r\n"
        f"teachers_count;{world.s2.id};пометка;2032;4\r\n"
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert summary["imported"] == 2
    assert summary["warnings"] == [
        {
            "index": None,
            "loc": ["file"],
            "msg": "столбец 3 без заголовка не используется: его значения пропущены",
        }
    ]


async def test_a_result_row_wider_than_its_header_is_refused(api_client, world):
    content = (
        "ID ОО;Процедура;Год;Предмет;Класс;Количество участников\r\n"
        f"{world.s1.id};vpr;2031;Математика;4;10;7\r\n"
    ).encode()
    summary = await upload_results(api_client, world, "r.csv", content)
    assert summary["imported"] == 0
    assert summary["rejected"][0]["index"] == 2
    assert "лишние «7»" in summary["rejected"][0]["errors"][0]["msg"]


def book(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["Код показателя", "ID ОО", "Период", "Значение"]


async def test_the_header_is_found_below_a_title_and_the_summary_says_so(api_client, world, db):
    rows = [["Отчёт школы за 2032 год"], [], HEADER, ["teachers_count", str(world.s1.id), 2032, 9]]
    summary = await upload(api_client, world, "v.xlsx", book(("Лист1", rows)))
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert await stored(db, world) == {("teachers_count", "s1", "2032"): 9}
    assert {
        "index": None,
        "loc": ["file"],
        "msg": "заголовок таблицы в строке 3: строки выше пропущены",
    } in summary["warnings"]


async def test_the_table_on_the_second_sheet_is_read_and_named(api_client, world, db):
    rows = [HEADER, ["teachers_count", str(world.s2.id), 2032, 4]]
    content = book(("Инструкция", [["Заполните лист «Данные»"]]), ("Данные", rows))
    summary = await upload(api_client, world, "v.xlsx", content)
    assert await stored(db, world) == {("teachers_count", "s2", "2032"): 4}
    assert {
        "index": None,
        "loc": ["file"],
        "msg": "таблица прочитана с листа «Данные»",
    } in summary["warnings"]


async def test_a_file_without_the_required_columns_is_a_422_naming_them(api_client, world):
    rows = [["Код показателя", "ID ОО", "Примечание"], ["teachers_count", str(world.s1.id), "x"]]
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.xlsx", book(("Лист1", rows)))},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 422
    assert "не найдены столбцы: Период, Значение" in answer.text


async def test_a_month_only_date_cell_is_that_month_in_data_values_as_in_roadmaps(
    api_client, world, db
):
    import datetime as dt

    from tests.api.test_data_value_tables import xlsx

    rows = [HEADER, ["teachers_count", str(world.s1.id), dt.datetime(2031, 12, 1), 7]]
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows, {"C2": "[$-419]MMMM;@"}))
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert await stored(db, world) == {("teachers_count", "s1", "2031-12"): 7}
    note = "формат даты «месяц»: 01.12.2031 → декабрь 2031 (год взят из даты) (период 2031-12)"
    assert summary["warnings"] == [{"index": 2, "loc": ["period"], "msg": note}]


async def add_school(db, world, name: str, short_name: str | None = None):
    from services.api.organizations.models import Organization

    school = Organization(
        name=name, short_name=short_name, kind="school", territory_id=world.s1.territory_id
    )
    db.add(school)
    await db.flush()
    return school


async def test_a_school_is_found_by_its_name_without_the_legal_form_and_noted(
    api_client, world, db
):
    school = await add_school(db, world, "МБОУ «Гимназия № 1»")
    content = (
        "Код показателя;ОО;Период;Значение\r\n"
        "teachers_count;Гимназия №1;2032;5\r\n"
        "students_grades_5_11;гимназия № 1;2032;50\r\n"
        "teachers_count;МБОУ «Гимназия № 1»;2031;4\r\n"  # letter for letter: no note
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert (summary["imported"], summary["rejected"]) == (3, [])
    assert summary["warnings"] == [
        {
            "index": 2,
            "loc": ["organization"],
            "msg": "организация: «Гимназия №1» → МБОУ «Гимназия № 1»",
        },
        {
            "index": 3,
            "loc": ["organization"],
            "msg": "организация: «гимназия № 1» → МБОУ «Гимназия № 1»",
        },
    ]
    from sqlalchemy import select

    from services.api.data_values.models import DataValue

    owners = set(await db.scalars(select(DataValue.organization_id)))
    assert owners == {school.id}


async def test_a_name_two_schools_have_without_their_legal_forms_is_ambiguous(
    api_client, world, db
):
    await add_school(db, world, "МБОУ «Гимназия № 2»")
    await add_school(db, world, "МАОУ «Гимназия № 2»")
    content = "Код показателя;ОО;Период;Значение\r\nteachers_count;Гимназия № 2;2032;5\r\n"
    summary = await upload(api_client, world, "v.csv", content.encode())
    message = summary["rejected"][0]["errors"][0]["msg"]
    assert "несколько организаций «Гимназия № 2»" in message
    assert "МБОУ «Гимназия № 2»" in message and "МАОУ «Гимназия № 2»" in message


async def test_english_titles_are_read_for_every_column(api_client, world):
    """«Organization», «Period», «Value» were read, «Indicator» alone was not."""
    rows = [
        ["Indicator", "Organization ID", "Period", "Value"],
        ["teachers_count", str(world.s1.id), "2031", 4],
    ]
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.xlsx", book(("Sheet1", rows)))},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 1, answer.json()
