"""How an import names a cell it refuses (issue 14, a fresh tester's findings): the value as the
file writes it, the column by its header (and by its letter in an .xlsx, its number in a CSV)
and the row; a separator hint only where a separator can split a number; missing columns by
the headers expected; the notes of a rejected row as of a stored one."""

from services.api.indicators.models import Indicator
from tests.api import test_data_value_tables as data_values
from tests.api.helpers import xlsx
from tests.api.test_assessment_result_tables import upload as upload_results
from tests.api.test_data_value_tables import stored, upload

world = data_values.world  # the fixture: the test world with the data indicators


def refusals(summary: dict) -> list[tuple[int, list, str]]:
    return [(r["index"], e["loc"], e["msg"]) for r in summary["rejected"] for e in r["errors"]]


DV_HEADER = ["Код показателя", "ID ОО", "Период", "Значение"]


async def test_refused_data_value_cells_name_the_value_column_and_row_in_a_csv(
    api_client, world, db
):
    s1 = world.s1.id
    content = (
        ";".join(DV_HEADER) + "\r\n"
        f"upbringing_program;{s1};2032;может\r\n"
        f"teachers_count;{s1};2032;abc\r\n"
        "teachers_count;nope;2032;4\r\n"
        f"upbringing_program;{s1};2031;скорее да\r\n"  # inputs of our own beside the tester's
        f"teachers_count;{s1};2031;12 шт.\r\n"
        f"teachers_count;12345;2031;4\r\n"
        f"teachers_count;{s1};2031;{'много ' * 40}\r\n"  # a long text is cut in the message
        f"teachers_count;{s1};2030;7\r\n"
    ).encode("cp1251")
    summary = await upload(api_client, world, "v.csv", content)
    assert await stored(db, world) == {("teachers_count", "s1", "2030"): 7.0}
    yes_no = "показатель «да/нет»: ожидается да/нет, ИСТИНА/ЛОЖЬ, 1/0 или true/false"
    count = "показатель в штуках: ожидается целое число"
    org = "ожидается UUID организации"
    assert refusals(summary) == [
        (2, ["value"], f"{yes_no} (строка 2, столбец 4 «Значение»: «может»)"),
        (3, ["value"], f"{count} (строка 3, столбец 4 «Значение»: «abc»)"),
        (4, ["organization_id"], f"{org} (строка 4, столбец 2 «ID ОО»: «nope»)"),
        (5, ["value"], f"{yes_no} (строка 5, столбец 4 «Значение»: «скорее да»)"),
        (6, ["value"], f"{count} (строка 6, столбец 4 «Значение»: «12 шт.»)"),
        (7, ["organization_id"], f"{org} (строка 7, столбец 2 «ID ОО»: «12345»)"),
        (8, ["value"], f"{count} (строка 8, столбец 4 «Значение»: «{('много ' * 17)[:99]}…»)"),
    ]


async def test_an_xlsx_names_the_refused_cells_column_by_its_letter(api_client, world):
    # the value in column F, past two columns the import leaves out
    header = ["Код показателя", "Наименование ОО", "ID ОО", "Примечание", "Период", "Значение"]
    summary = await upload(
        api_client,
        world,
        "v.xlsx",
        xlsx(
            header,
            ["upbringing_program", "Школа 1", str(world.s1.id), "", "2032", "может"],
            ["teachers_count", "Школа 1", "nope", "", "2032", 4],
            ["teachers_count", "Школа 1", str(world.s1.id), "", None, 5],
        ),
    )
    assert refusals(summary) == [
        (
            2,
            ["value"],
            "показатель «да/нет»: ожидается да/нет, ИСТИНА/ЛОЖЬ, 1/0 или true/false "
            "(строка 2, столбец F «Значение»: «может»)",
        ),
        (
            3,
            ["organization_id"],
            "ожидается UUID организации (строка 3, столбец C «ID ОО»: «nope»)",
        ),
        (4, ["period"], "обязательное поле (строка 4, столбец E «Период»)"),
    ]


async def test_an_unknown_or_computed_indicator_is_named_in_plain_russian(api_client, world, db):
    db.add(
        Indicator(
            code="computed_share",
            name="Рассчитываемая доля",
            unit="percent",
            level="organization",
            method="formula",
            params={"expression": "teachers_count.value"},
        )
    )
    await db.flush()
    summary = await upload(
        api_client,
        world,
        "v.xlsx",
        xlsx(
            DV_HEADER,
            ["no_such_code", str(world.s1.id), "2032", 4],
            ["computed_share", str(world.s1.id), "2032", 4],
        ),
    )
    assert refusals(summary) == [
        (
            2,
            ["indicator_code"],
            "нет показателя с кодом «no_such_code» (строка 2, столбец A «Код показателя»)",
        ),
        (
            3,
            ["indicator_code"],
            "значения показателя «computed_share» не вносятся организациями: он рассчитывается "
            "по анкетам, результатам оценки или другим показателям "
            "(строка 3, столбец A «Код показателя»)",
        ),
    ]
    assert "data_value" not in str(summary)
    fields = ("indicator_code", "organization_id", "period", "value")
    row = dict(zip(fields, ("no_such_code", str(world.s1.id), "2032", 1), strict=True))
    headers = world.headers("admin")
    posted = await api_client.post("/v1/data-values", json={"values": [row]}, headers=headers)
    assert refusals(posted.json()) == [
        (0, ["indicator_code"], "нет показателя с кодом «no_such_code»")
    ]


RESULT_HEADER = ["ID ОО", "Процедура", "Год", "Предмет", "Класс", "Количество участников"]


async def test_refused_result_cells_name_the_value_column_and_row(api_client, world):
    s1 = world.s1.id
    content = xlsx(
        RESULT_HEADER,
        [str(s1), "vpr", "2032-09", "Математика", 4, 10],
        [str(s1), "vpr", 44713, "Математика", 4, 10],  # an Excel date where a year is expected
        [str(s1), "vpr", "2032", "Математика", 4, 40.5],
        [str(s1), "vpr", "прошлый год", "Математика", 4, 10],  # ours beside the tester's
        [str(s1), "vpr", "2032", "Математика", 4, "десять"],
        [str(s1), "vpr", "2032", "Математика", 4, -3],
    )
    summary = await upload_results(api_client, world, "r.xlsx", content)
    year = "ожидается учебный год (2021/2022) или календарный год (2022)"
    count = "ожидается целое число"
    assert refusals(summary) == [
        (2, ["year"], f"{year} (строка 2, столбец C «Год»: «2032-09»)"),
        (3, ["year"], f"{year} (строка 3, столбец C «Год»: «44713»)"),
        (4, ["participants"], f"{count} (строка 4, столбец F «Количество участников»: «40,5»)"),
        (5, ["year"], f"{year} (строка 5, столбец C «Год»: «прошлый год»)"),
        (6, ["participants"], f"{count} (строка 6, столбец F «Количество участников»: «десять»)"),
        (
            7,
            ["participants"],
            "число не может быть отрицательным (строка 7, столбец F «Количество участников»: «-3»)",
        ),
    ]
    # the Excel date is said in the warnings too, for the rejected row
    assert {"index": 3, "loc": ["year"], "msg": "число 44713 — дата Excel: 01.06.2022"} in summary[
        "warnings"
    ]


async def test_result_marks_name_their_own_column(api_client, world):
    content = (
        ";".join([*RESULT_HEADER, "Отметка «5»", "Отметка «4»"]) + "\r\n"
        f"{world.s1.id};vpr;2032;Математика;4;10;пять;5\r\n"
    ).encode()
    summary = await upload_results(api_client, world, "r.csv", content)
    assert refusals(summary) == [
        (2, ["marks", "5"], "ожидается целое число (строка 2, столбец 7 «Отметка «5»»: «пять»)")
    ]


async def test_the_decimal_comma_hint_is_given_for_comma_separated_text_only(api_client, world):
    s1 = world.s1.id
    hint = "не разделила ли запятая десятичное число"
    comma = f"indicator_code,organization_id,period,value\r\nteachers_count,{s1},2032,64,5\r\n"
    semicolon = comma.replace(",", ";")
    tab = comma.replace(",", "\t")
    book = xlsx(DV_HEADER, ["teachers_count", str(s1), "2032", 64, 5])
    for name, content, hinted in (
        ("v.csv", comma.encode(), True),
        ("v.csv", semicolon.encode(), False),
        ("v.csv", tab.encode("utf-16"), False),
        ("v.xlsx", book, False),
    ):
        summary = await upload(api_client, world, name, content)
        (message,) = [msg for _, _, msg in refusals(summary)]
        assert "лишние «5»" in message
        assert (hint in message) is hinted, (name, message)
        assert ("запятая" in message) is hinted


async def test_missing_columns_are_named_by_the_headers_expected(api_client, world):
    content = "ID ОО;Процедура;Год;Предмет;Класс;Участники\r\n".encode()
    answer = await api_client.post(
        "/v1/assessment-results/upload",
        files={"file": ("r.csv", content)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 422
    assert "не найдены столбцы: количество участников" in answer.text
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.csv", "Код показателя;Комментарий;Период;Значение\r\n".encode())},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 422
    assert "не найдены столбцы: Организация (или ID организации)" in answer.text


async def test_an_untitled_column_is_named_by_its_letter_in_an_xlsx_by_number_in_a_csv(
    api_client, world
):
    header = [*DV_HEADER, None, "Примечание"]  # E has no title
    row = ["teachers_count", str(world.s1.id), "2032", 3, "пометка", ""]
    untitled = "без заголовка не используется: его значения пропущены"
    summary = await upload(api_client, world, "v.xlsx", xlsx(header, row))
    assert summary["imported"] == 1
    assert {"index": None, "loc": ["file"], "msg": f"столбец E {untitled}"} in summary["warnings"]
    content = ";".join(str(c or "") for c in header) + "\r\n" + ";".join(map(str, row))
    summary = await upload(api_client, world, "v.csv", content.encode())
    assert {"index": None, "loc": ["file"], "msg": f"столбец 5 {untitled}"} in summary["warnings"]


async def test_a_rejected_row_carries_the_notes_a_stored_one_does(api_client, world):
    content = (
        (
            ";".join(DV_HEADER) + "\r\n"
            f"teachers_count;{world.s1.id};2032;1,234\r\n"  # a count: the fraction is refused
            f"teachers_count;nope;2032;1\u00a0234\r\n"  # refused for its organization
            f"no_such_code;{world.s1.id};2032;64,5%\r\n"  # refused for its indicator
        ).encode()
    )
    summary = await upload(api_client, world, "v.csv", content)
    assert [r["index"] for r in summary["rejected"]] == [2, 3, 4]
    assert [(w["index"], w["msg"]) for w in summary["warnings"]] == [
        (2, "запятая перед тремя цифрами: 1,234 прочитано как 1,234 (дробь), а не 1234"),
        (3, "разделитель разрядов: 1\u00a0234 → 1234"),
        (4, "знак процента: 64,5% → 64,5"),
    ]


async def test_a_koi8_r_file_is_read_as_written_not_garbled(api_client, world, db):
    content = (
        "Код показателя;Образовательная организация;Период;Значение\r\n"
        "teachers_count;Школа 2;2032;5\r\n"
        "upbringing_program;школа 3;2032;Да\r\n"
    ).encode("koi8_r")
    summary = await upload(api_client, world, "v.csv", content)
    assert (summary["imported"], summary["rejected"]) == (2, [])
    assert await stored(db, world) == {
        ("teachers_count", "s2", "2032"): 5.0,
        ("upbringing_program", "s3", "2032"): 1.0,
    }


async def test_a_rejected_result_row_carries_its_notes(api_client, world):
    content = (
        ";".join(RESULT_HEADER) + "\r\n" + f"{world.s1.id};vpr;2032;Математика;4;1,234\r\n"
    ).encode()
    summary = await upload_results(api_client, world, "r.csv", content)
    assert refusals(summary) == [
        (
            2,
            ["participants"],
            "ожидается целое число (строка 2, столбец 6 «Количество участников»: «1,234»)",
        )
    ]
    assert [(w["index"], w["loc"], w["msg"]) for w in summary["warnings"]] == [
        (
            2,
            ["participants"],
            "запятая перед тремя цифрами: 1,234 прочитано как 1,234 (дробь), а не 1234",
        )
    ]
