"""A refused cell is quoted as its writer sees it (issue 14, a fresh tester's second round): an
.xlsx number with its number format applied (a percent-formatted 1.5 is «150 %», not «1.5»), a
value refused as the indicator's kind says what that kind accepts, a row wider than its header
names its row, a guessed single-byte encoding is said when a row is refused, and a name matched
after normalising shows its invisible spaces."""

import datetime as dt

from tests.api import test_data_value_tables as data_values
from tests.api.test_assessment_result_tables import post, vpr_row
from tests.api.test_assessment_result_tables import upload as upload_results
from tests.api.test_data_value_tables import stored, upload, xlsx
from tests.api.test_table_cells import DV_HEADER, RESULT_HEADER, refusals

world = data_values.world  # the fixture: the test world with the data indicators

YES_NO = "показатель «да/нет»: ожидается да/нет, ИСТИНА/ЛОЖЬ, 1/0 или true/false"
PERCENT = "показатель в процентах: ожидается число от 0 до 100, можно со знаком «%»"
COUNT = "показатель в штуках: ожидается целое число"
GUESSED = "файл прочитан как {}; если текст искажён, сохраните файл в UTF-8"


async def test_a_percent_formatted_cell_is_quoted_as_excel_shows_it(api_client, world, db):
    s1 = str(world.s1.id)
    rows = [
        DV_HEADER,
        ["extracurricular_coverage", s1, "2032", 1.5],  # the tester's: shows «150 %»
        ["teachers_count", s1, "2032", 0.5],  # the tester's: «50 %» for a count
        ["extracurricular_coverage", s1, "2031", 1.2345],  # ours: one decimal, rounded half up
        ["teachers_count", s1, "2031", -1234],  # grouped thousands, two decimals
        ["teachers_count", s1, "2030", dt.datetime(2031, 9, 1)],  # a month-year date
        ["extracurricular_coverage", s1, "2030", True],  # a boolean for a percent
        ["extracurricular_coverage", s1, "2029", 0.645],  # stored: 64,5 %
    ]
    formats = {"D2": "0%", "D3": "0%", "D4": "0.0%", "D5": "#,##0.00", "D6": "mmmm yyyy"}
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows, {**formats, "D8": "0.0%"}))
    assert await stored(db, world) == {("extracurricular_coverage", "s1", "2029"): 64.5}
    where = "столбец D «Значение»"
    assert refusals(summary) == [
        (2, ["value"], f"значение больше 100 (строка 2, {where}: «150 %»)"),
        (
            3,
            ["value"],
            f"значение в процентах, а показатель не в процентах (строка 3, {where}: «50 %»)",
        ),
        (4, ["value"], f"значение больше 100 (строка 4, {where}: «123,5 %»)"),
        (5, ["value"], f"значение меньше 0 (строка 5, {where}: «-1 234,00»)"),
        (6, ["value"], f"{COUNT} (строка 6, {where}: «сентябрь 2031»)"),
        (7, ["value"], f"{PERCENT} (строка 7, {where}: «ИСТИНА»)"),
    ]


async def test_a_general_number_is_quoted_with_a_decimal_comma(api_client, world):
    content = xlsx(
        [
            RESULT_HEADER,
            [str(world.s1.id), "vpr", "2032", "Математика", 4, 0.1 + 0.2],  # Excel shows 0,3
            [str(world.s1.id), "vpr", "2032", "Математика", 4, "12,50"],  # text: as typed
        ]
    )
    summary = await upload_results(api_client, world, "r.xlsx", content)
    where = "столбец F «Количество участников»"
    assert refusals(summary) == [
        (2, ["participants"], f"ожидается целое число (строка 2, {where}: «0,3»)"),
        (3, ["participants"], f"ожидается целое число (строка 3, {where}: «12,50»)"),
    ]


async def test_a_refused_value_says_what_its_indicator_accepts(api_client, world):
    s1 = world.s1.id
    cases = [  # (indicator, value as written, what the refusal says)
        ("upbringing_program", "может", YES_NO),  # the tester's: a boolean indicator
        ("upbringing_program", "5", YES_NO),  # a number, neither 1 nor 0
        ("extracurricular_coverage", "почти все", PERCENT),
        ("extracurricular_coverage", "нет", PERCENT),  # a boolean for a percent
        ("teachers_count", "двенадцать", COUNT),
        ("no_such_code", "много", "ожидается число или да/нет"),  # no indicator: in general
    ]
    lines = [f"{code};{s1};2032;{written}\r\n" for code, written, _ in cases]
    content = (";".join(DV_HEADER) + "\r\n" + "".join(lines)).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert refusals(summary) == [
        (line, ["value"], f"{said} (строка {line}, столбец 4 «Значение»: «{written}»)")
        for line, (_, written, said) in enumerate(cases, start=2)
    ]
    posted = await api_client.post(  # a JSON post is told what a JSON value may be
        "/v1/data-values",
        json={
            "values": [
                {
                    "indicator_code": code,
                    "organization_id": str(s1),
                    "period": "2032",
                    "value": value,
                }
                for code, value in (
                    ("upbringing_program", "может"),
                    ("extracurricular_coverage", "64,5 %"),
                )
            ]
        },
        headers=world.headers("admin"),
    )
    assert refusals(posted.json()) == [
        (0, ["value"], "показатель «да/нет»: ожидается true или false (или 1/0)"),
        (1, ["value"], "показатель в процентах: ожидается число от 0 до 100 (без знака «%»)"),
    ]


async def test_a_posted_value_is_read_as_a_file_cell_is_and_said(api_client, world, db):
    """What GET /v1/data-values gives back (a yes/no as 1.0) can be posted again, and text
    («64,5», «да») is read as a file's cell is: each stored, each said in `warnings`."""
    rows = [
        ("upbringing_program", 1.0, "2032"),
        ("extracurricular_coverage", "64,5", "2032"),
        ("upbringing_program", "нет", "2031"),
        ("extracurricular_coverage", 70, "2031"),
    ]
    posted = await api_client.post(
        "/v1/data-values",
        json={
            "values": [
                {
                    "indicator_code": c,
                    "organization_id": str(world.s1.id),
                    "period": p,
                    "value": v,
                }
                for c, v, p in rows
            ]
        },
        headers=world.headers("admin"),
    )
    summary = posted.json()
    assert (summary["imported"], summary["rejected"]) == (4, []), summary
    said = [(w["index"], w["msg"]) for w in summary["warnings"] if w["loc"] == ["value"]]
    assert said == [
        (0, "число 1 прочитано как «да»"),
        (1, "значение передано текстом «64,5» — прочитано как 64,5"),
        (2, "значение передано текстом «нет» — прочитано как нет"),
    ]


async def test_every_spelling_the_yes_no_message_names_is_taken(api_client, world, db):
    s1 = world.s1.id
    spellings = ["да", "нет", "ИСТИНА", "ЛОЖЬ", "1", "0", "true", "false"]
    content = (
        ";".join(DV_HEADER)
        + "\r\n"
        + "".join(
            f"upbringing_program;{s1};{2020 + i};{word}\r\n" for i, word in enumerate(spellings)
        )
    )
    summary = await upload(api_client, world, "v.csv", content.encode())
    assert (summary["imported"], summary["rejected"]) == (8, [])
    values = [v for (_, _, period), v in sorted((await stored(db, world)).items())]
    assert values == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]


async def test_a_row_wider_than_its_header_names_its_row(api_client, world):
    s1 = world.s1.id
    content = (
        ";".join(DV_HEADER) + "\r\n"
        f"teachers_count;{s1};2032;4\r\n"
        f"teachers_count;{s1};2031;64;5\r\n"  # the tester's: line 3
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    extra = "в строке больше значений, чем столбцов в заголовке: лишние"
    assert refusals(summary) == [(3, ["file"], f"{extra} «5» (строка 3)")]
    book = xlsx(  # ours: an .xlsx, two extra cells quoted as shown, below an empty row
        [
            DV_HEADER,
            ["teachers_count", str(s1), "2030", 4],
            [],
            ["teachers_count", str(s1), "2029", 5, 0.25, True],
        ],
        {"E4": "0%"},
    )
    summary = await upload(api_client, world, "v.xlsx", book)
    assert refusals(summary) == [(4, ["file"], f"{extra} «25 %», «ИСТИНА» (строка 4)")]


async def test_a_refused_row_of_a_guessed_single_byte_file_says_the_encoding(api_client, world):
    s1 = world.s1.id
    header = "indicator_code;organization_id;period;value\r\n"
    # all small letters in KOI8-R: read as KOI8-R (its letters are Russian ones), «да» stored
    lowercase = f"{header}upbringing_program;{s1};2032;да\r\n".encode("koi8_r")
    summary = await upload(api_client, world, "v.csv", lowercase)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    # a Windows-1251 file with a row refused: Windows-1251 is said
    windows = f"{header}upbringing_program;{s1};2032;может быть\r\n".encode("cp1251")
    summary = await upload(api_client, world, "v.csv", windows)
    assert refusals(summary) == [
        (2, ["value"], f"{YES_NO} (строка 2, столбец 4 «value»: «может быть»)")
    ]
    assert summary["warnings"][0] == {
        "index": None,
        "loc": ["file"],
        "msg": GUESSED.format("Windows-1251"),
    }
    # ours: KOI8-R told by its case, a row refused: KOI8-R is said
    mixed = f"{header}upbringing_program;{s1};2032;Может быть\r\n".encode("koi8_r")
    summary = await upload(api_client, world, "v.csv", mixed)
    assert refusals(summary) == [
        (2, ["value"], f"{YES_NO} (строка 2, столбец 4 «value»: «Может быть»)")
    ]
    assert GUESSED.format("KOI8-R") in [w["msg"] for w in summary["warnings"]]
    # nothing refused, or the file in UTF-8: no word of the encoding
    for content in (
        f"{header}upbringing_program;{s1};2032;Нет\r\n".encode("cp1251"),
        f"{header}upbringing_program;{s1};2032;может\r\n".encode(),
    ):
        summary = await upload(api_client, world, "v.csv", content)
        assert not [w for w in summary["warnings"] if "файл прочитан как" in w["msg"]]


async def test_a_refused_result_row_of_a_lowercase_koi8_r_file_says_the_encoding(api_client, world):
    content = (
        ";".join(["organization_id", "procedure", "year", "subject", "grade", "participants"])
        + f"\r\n{world.s1.id};vpr;2032;химия;4;10\r\n"
    ).encode("koi8_r")
    summary = await upload_results(api_client, world, "r.csv", content)
    (refused,) = refusals(summary)
    # «химия» read as written (it was «ИЙНЙС», read as Windows-1251), and the guess is said
    assert "нет предмета «химия»" in refused[2], refused
    assert summary["warnings"][0]["msg"] == GUESSED.format("KOI8-R")


async def test_a_matched_subject_shows_the_spaces_it_was_written_with(api_client, world):
    summary = await post(api_client, world, vpr_row(world, "vpr", "Математика\u00a0"))
    assert summary["warnings"] == []  # an edge space is trimmed, not a difference
    cases = {
        "Окружающий\u00a0мир": "«Окружающий·мир» → Окружающий мир (неразрывный пробел)",
        "Окружающий   мир": "«Окружающий···мир» → Окружающий мир (двойной пробел)",
        "окружающий\u202f мир": "«окружающий··мир» → Окружающий мир (неразрывный пробел, регистр)",
    }
    for written, said in cases.items():
        summary = await post(api_client, world, vpr_row(world, "vpr", written))
        assert summary["rejected"] == [] and summary["warnings"] == [
            {"index": 0, "loc": ["subject"], "msg": f"предмет: {said}"}
        ]


async def test_a_posted_text_value_refused_is_still_told_how_it_was_read(api_client, world, db):
    """«1 234,5» for a percent: refused as over 100, and told it was read as 1234,5 (a file's
    row is told so too), so the sender sees the separator, not only the bound."""
    posted = await api_client.post(
        "/v1/data-values?dry_run=true",
        json={
            "values": [
                {
                    "indicator_code": "extracurricular_coverage",
                    "organization_id": str(world.s1.id),
                    "period": "2032",
                    "value": "1 234,5",
                }
            ]
        },
        headers=world.headers("admin"),
    )
    summary = posted.json()
    assert refusals(summary) == [(0, ["value"], "значение больше 100")]
    said = [(w["index"], w["msg"]) for w in summary["warnings"] if w["loc"] == ["value"]]
    assert said == [(0, "значение передано текстом «1 234,5» — прочитано как 1234,5")]
