"""Uploads as a tester found them (fix-uploads): a formula without its saved result is named,
not read as an empty cell; column titles with a unit or qualifier («Значение, %», «Значение
показателя»); a school named without «№»; a file whose header is not found says what it read
and in which guessed encoding."""

from sqlalchemy import select

from services.api.data_values.models import DataValue
from tests.api import test_data_value_tables as data_values
from tests.api.helpers import xlsx
from tests.api.test_assessment_result_tables import upload as upload_results
from tests.api.test_data_value_tables import stored, upload
from tests.api.test_table_cells import DV_HEADER, RESULT_HEADER, refusals
from tests.api.test_table_layouts import add_school

world = data_values.world  # the fixture: the test world with the data indicators

UNSAVED = "без сохранённого результата — откройте файл в Excel и сохраните его или впишите значение"


async def test_a_formula_without_its_result_is_named_not_read_as_empty(api_client, world, db):
    s1 = str(world.s1.id)
    long = "=" + "+".join(["1"] * 80)
    content = xlsx(
        [*DV_HEADER, "Примечание"],
        ["teachers_count", s1, "2032", 4, "=1+1"],  # a formula in a column left out: no matter
        ["teachers_count", s1, "=2030+1", 5],
        ["students_grades_5_11", s1, "2032", long],
        ["teachers_count", s1, "2030", "=SUM(D2:D3)"],
        [None, None, None, "=2+3"],  # the tester's: the formula alone in its row
    )
    summary = await upload(api_client, world, "v.xlsx", content)
    assert await stored(db, world) == {("teachers_count", "s1", "2032"): 4}
    assert refusals(summary) == [
        (3, ["period"], f"в ячейке формула =2030+1 {UNSAVED} (строка 3, столбец C «Период»)"),
        (
            4,
            ["value"],
            f"в ячейке формула {long[:99]}… {UNSAVED} (строка 4, столбец D «Значение»: "
            f"«{long[:99]}…»)",
        ),
        (5, ["value"], f"в ячейке формула =SUM(D2:D3) {UNSAVED} (строка 5, столбец D «Значение»)"),
        (6, ["value"], f"в ячейке формула =2+3 {UNSAVED} (строка 6, столбец D «Значение»)"),
    ]
    assert not any("обязательное поле" in msg for _, _, msg in refusals(summary))


async def test_a_formula_without_its_result_refuses_an_assessment_result_row(api_client, world):
    s1 = str(world.s1.id)
    content = xlsx(RESULT_HEADER, [s1, "vpr", "2032", "Математика", 4, "=20+20"])
    summary = await upload_results(api_client, world, "r.xlsx", content)
    assert summary["imported"] == 0
    assert refusals(summary) == [
        (
            2,
            ["participants"],
            f"в ячейке формула =20+20 {UNSAVED} (строка 2, столбец F «Количество участников»)",
        )
    ]


async def test_column_titles_with_a_unit_or_a_qualifier_are_read(api_client, world, db):
    s1 = world.s1.id
    content = (
        "Код показателя (ID);ID ОО;Период (учебный год);Значение, %\r\n"
        f"teachers_count;{s1};2032;4\r\n"
    ).encode("cp1251")
    summary = await upload(api_client, world, "v.csv", content)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    header = ["Код ОО", "Код показателя", "ID ОО", "Период", "Значение показателя"]
    content = xlsx(header, ["123", "teachers_count", str(s1), "2031", 7])
    summary = await upload(api_client, world, "v.xlsx", content)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    # «Код ОО» is the school's code, never the indicator's: left out and said so
    unused = {"index": None, "loc": ["Код ОО"], "msg": "столбец «Код ОО» не используется: пропущен"}
    assert unused in summary["warnings"]
    assert await stored(db, world) == {
        ("teachers_count", "s1", "2032"): 4,
        ("teachers_count", "s1", "2031"): 7,
    }


async def test_two_value_columns_are_never_picked_silently(api_client, world, db):
    header = ["Код показателя", "ID ОО", "Период", "Значение", "Значение показателя"]
    content = xlsx(header, ["teachers_count", str(world.s1.id), "2032", 4, 9])
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.xlsx", content)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"][-1] == "Значение показателя", error
    assert "«Значение» и «Значение показателя»" in error["msg"] and "D и E" in error["msg"]
    assert await stored(db, world) == {}


async def test_a_result_column_with_a_unit_is_read(api_client, world):
    header = [*RESULT_HEADER[:4], "Класс (параллель)", "Количество участников, чел."]
    content = xlsx(header, [str(world.s1.id), "vpr", "2032", "Математика", 4, 20])
    summary = await upload_results(api_client, world, "r.xlsx", content)
    assert (summary["imported"], summary["rejected"]) == (1, [])


async def test_a_school_is_found_with_or_without_its_number_sign(api_client, world, db):
    first = await add_school(db, world, "МБОУ «Гимназия № 1»")
    tenth = await add_school(db, world, "Гимназия №10")
    eleventh = await add_school(db, world, "Гимназия № 11")
    content = (
        "Код показателя;ОО;Период;Значение\r\n"
        "teachers_count;Гимназия 1;2032;1\r\n"
        "teachers_count;Гимназия №1;2031;2\r\n"
        "teachers_count;Гимназия № 1;2030;3\r\n"
        "teachers_count;гимназия  N1;2029;4\r\n"
        "teachers_count;Гимназия 10;2032;10\r\n"
        "teachers_count;Гимназия N 11;2032;11\r\n"
        "teachers_count;Гимназия 12;2032;12\r\n"
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    rows = await db.execute(select(DataValue.organization_id, DataValue.value))
    owners = {value: org for org, value in rows}
    ones = dict.fromkeys((1, 2, 3, 4), first.id)  # never «Гимназия 10» nor «Гимназия № 11»
    assert owners == {**ones, 10: tenth.id, 11: eleventh.id}
    assert [(index, loc) for index, loc, _ in refusals(summary)] == [(8, ["organization"])]
    noted = {w["index"]: w["msg"] for w in summary["warnings"] if w["loc"] == ["organization"]}
    assert noted[2] == "организация: «Гимназия 1» → МБОУ «Гимназия № 1»"


async def post_file(api_client, world, name: str, content: bytes) -> str:
    answer = await api_client.post(
        "/v1/data-values/upload", files={"file": (name, content)}, headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["loc"][-1] == "file"
    return error["msg"]


async def test_headers_not_found_say_what_was_read_and_in_which_encoding(api_client, world):
    rows = "\r\nteachers_count;x;2032;4\r\n"
    said = await post_file(
        api_client, world, "v.csv", ("ПОКАЗАТЕЛЬ;ШКОЛА;СРОК;ЧИСЛО" + rows).encode("koi8_r")
    )
    # all capitals in KOI8-R: read as KOI8-R, not garbled (it was «ПЮЯХ…» as Windows-1251)
    assert "не найдены столбцы: Период, Значение" in said
    assert "прочитаны заголовки: «ПОКАЗАТЕЛЬ», «ШКОЛА», «СРОК», «ЧИСЛО»" in said
    garbled = "ПОКАЗАТЕЛЬ".encode("koi8_r").decode("cp1251")
    assert garbled not in said
    assert (
        "файл прочитан в кодировке KOI8-R — если заголовки выглядят иначе, сохраните файл в UTF-8"
    ) in said
    said = await post_file(
        api_client, world, "v.csv", ("ПОКАЗАТЕЛЬ;ШКОЛА;СРОК;ЧИСЛО" + rows).encode("cp1251")
    )
    assert "прочитаны заголовки: «ПОКАЗАТЕЛЬ», «ШКОЛА», «СРОК», «ЧИСЛО»" in said
    assert "файл прочитан в кодировке Windows-1251" in said
    said = await post_file(
        api_client, world, "v.csv", ("Индикатор;Школа;Срок;Величина" + rows).encode("koi8_r")
    )
    assert "прочитаны заголовки: «Индикатор», «Школа», «Срок», «Величина»" in said
    assert "файл прочитан в кодировке KOI8-R" in said
    said = await post_file(
        api_client, world, "v.csv", ("Индикатор;Школа;Срок;Величина" + rows).encode()
    )
    assert said.endswith("прочитаны заголовки: «Индикатор», «Школа», «Срок», «Величина»")
    titles = [f"Столбец {n} {'с очень длинным заголовком ' * 3}" for n in range(12)]
    said = await post_file(api_client, world, "v.xlsx", xlsx(titles, ["x"] * 12))
    assert said.count("«") == 10 and "… и ещё 2" not in said and said.endswith("и ещё 2")
    assert f"«{titles[0].strip()[:39]}…»" in said
    assert len(said) < 700
    said = await post_file(api_client, world, "v.xlsx", xlsx(["Индикатор\nкод", "Школа"], ["x"]))
    assert said.endswith("прочитаны заголовки: «Индикатор код», «Школа»")  # one line


async def test_a_binary_file_sent_as_csv_is_told_without_its_control_characters(api_client, world):
    """A workbook's bytes named .csv: its «headers» were its control characters, in the
    message itself."""
    content = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x1b\x02\x07;\x11\x05"
    said = await post_file(api_client, world, "v.csv", content)
    assert not any(ord(c) < 32 and c not in "\n" for c in said), repr(said)
    assert "\ufffd" in said
    assert "похоже, это не таблица в тексте (CSV), а другой файл" in said
