"""Data values uploaded as Excel and school systems write them (issue 14): the handed files of
../shared/cases/real-world give their right values, and each kind is tested on its own."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from tests.factories import add_data_indicator, build_world

CASES = Path(__file__).parent / "cases"
# The demo load's ids in the handed files, and the schools of the test world they stand for.
CASE_IDS = {
    "ff8ca8d1-b34f-4912-93e1-80a930c3e344": "s1",
    "29cb2cc4-194a-4faf-8438-5869359667ae": "s2",
    "f157d1b6-79dc-4442-9020-f8719e1cc193": "s3",
}
INDICATORS = {
    "extracurricular_coverage": {"value_type": "percent"},
    "upbringing_program": {"value_type": "boolean"},
    "students_grades_5_11": {"value_type": "number", "min": 0},
    "teachers_count": {"value_type": "number", "min": 0},
}


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    for code, params in INDICATORS.items():
        await add_data_indicator(db, code, code, **params)
    return world


def case(world, name: str) -> bytes:
    """A handed file with the demo's organization ids made the test world's (in an .xlsx,
    inside its XML parts, so that formulas keep their cached values)."""
    content = (CASES / name).read_bytes()

    def substituted(data: bytes) -> bytes:
        for demo_id, school in CASE_IDS.items():
            data = data.replace(demo_id.encode(), str(getattr(world, school).id).encode())
        return data

    if not name.endswith(".xlsx"):
        return substituted(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, substituted(source.read(info)))
    return buffer.getvalue()


async def upload(client, world, name: str, content: bytes) -> dict:
    """The import's summary, the notices of periods not yet begun (the cases' test period
    2030/2031 is years ahead) moved from `warnings` to `ahead`, so that `warnings` shows what
    the file's reading noted."""
    answer = await client.post(
        "/v1/data-values/upload", files={"file": (name, content)}, headers=world.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    ahead = [w for w in summary["warnings"] if "ещё не начался" in w["msg"]]
    assert all(w["index"] is None and w["loc"] == ["period"] for w in ahead), ahead
    summary["warnings"] = [w for w in summary["warnings"] if w not in ahead]
    return summary | {"ahead": [w["msg"] for w in ahead]}


async def stored(db, world) -> dict[tuple[str, str, str], float]:
    schools = {getattr(world, s).id: s for s in ("s1", "s2", "s3")}
    rows = await db.execute(
        select(Indicator.code, DataValue.organization_id, DataValue.period, DataValue.value).join(
            Indicator, Indicator.id == DataValue.indicator_id
        )
    )
    return {(code, schools[org], period): value for code, org, period, value in rows}


async def test_dv1_cp1251_semicolons_decimal_commas_and_russian_booleans(api_client, world, db):
    summary = await upload(api_client, world, "dv1.csv", case(world, CASES_DV1))
    assert (summary["imported"], summary["rejected"], summary["warnings"]) == (4, [], [])
    # The cases' test period is years ahead: stored, and the summary says it has not begun.
    assert summary["ahead"] == [
        "Период «2030/2031» ещё не начался (начнётся 01.09.2030): 4 строки за него — "
        "проверьте, не опечатка ли это"
    ]
    assert await stored(db, world) == {
        ("extracurricular_coverage", "s1", "2030/2031"): 64.5,
        ("extracurricular_coverage", "s2", "2030/2031"): 20.33,
        ("upbringing_program", "s1", "2030/2031"): 1.0,
        ("upbringing_program", "s2", "2030/2031"): 0.0,
    }


CASES_DV1 = "dv1_cp1251_semicolon_decimal_comma.csv"


async def test_dv2_thousands_separated_by_nbsp_space_and_narrow_nbsp(api_client, world, db):
    summary = await upload(api_client, world, "dv2.csv", case(world, "dv2_thousands_sep.csv"))
    assert (summary["imported"], summary["rejected"]) == (3, [])
    assert set((await stored(db, world)).values()) == {1234.0}
    assert [(w["index"], w["loc"], w["msg"]) for w in summary["warnings"]] == [
        (2, ["value"], "разделитель разрядов: 1\u00a0234 → 1234"),
        (3, ["value"], "разделитель разрядов: 1 234 → 1234"),
        (4, ["value"], "разделитель разрядов: 1\u202f234,0 → 1234"),
    ]


async def test_numbers_in_scientific_notation_are_read_alike_and_said(api_client, world, db):
    """A CSV saved from Excel writes a large number as «1,5E+3» in Russian, «1.5E+3» or «1e3»
    in English: «1e3» was stored without a word and «1,5E+3» refused. Each is read, and
    noted; one past any number (1E+400) is refused, nothing stored of it."""
    rows = [("1,5E+3", 1500.0), ("1.5E+3", 1500.0), ("1e3", 1000.0), ("2,5e-1", 0.25)]
    periods = [f"20{30 + i}/20{31 + i}" for i in range(len(rows) + 1)]
    content = "indicator_code;organization_id;period;value\r\n" + "".join(
        f"teachers_count;{world.s1.id};{period};{written}\r\n"
        for period, (written, _) in zip(periods, rows, strict=False)
    )
    content += f"teachers_count;{world.s1.id};{periods[-1]};1E+400\r\n"
    summary = await upload(api_client, world, "exp.csv", content.encode())
    imported = {k[2]: v for k, v in (await stored(db, world)).items()}
    assert summary["imported"] == 3, summary  # 0,25 teachers is no whole number
    assert imported == {periods[i]: rows[i][1] for i in range(3)}, imported
    assert [(w["index"], w["msg"]) for w in summary["warnings"]][:3] == [
        (2, "экспоненциальная запись: 1,5E+3 → 1500"),
        (3, "экспоненциальная запись: 1.5E+3 → 1500"),
        (4, "экспоненциальная запись: 1e3 → 1000"),
    ], summary["warnings"]
    assert "inf" not in str(summary["warnings"])
    refused = {r["index"]: r["errors"][0] for r in summary["rejected"]}
    assert set(refused) == {5, 6}, refused
    assert all(e["loc"] == ["value"] for e in refused.values()), refused


async def test_dv3_utf8_bom_before_the_first_header(api_client, world, db):
    summary = await upload(api_client, world, "dv3.csv", case(world, "dv3_utf8_bom_comma.csv"))
    assert (summary["imported"], summary["rejected"]) == (2, [])
    assert sorted((await stored(db, world)).values()) == [70.5, 71.25]


async def test_dv4_extra_columns_are_left_out_and_named(api_client, world, db):
    content = case(world, "dv4_extra_columns_cp1251.csv")
    summary = await upload(api_client, world, "dv4.csv", content)
    assert (summary["imported"], summary["rejected"]) == (2, [])
    assert sorted((await stored(db, world)).values()) == [44.0, 55.5]
    assert summary["warnings"] == [
        {
            "index": None,
            "loc": ["Наименование ОО"],
            "msg": "столбец «Наименование ОО» не используется: пропущен",
        },
        {"index": None, "loc": ["comment"], "msg": "столбец «comment» не используется: пропущен"},
    ]


async def test_dv5_the_sep_hint_line_is_honoured_and_skipped(api_client, world, db):
    summary = await upload(api_client, world, "dv5.csv", case(world, "dv5_sep_hint.csv"))
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert list((await stored(db, world)).values()) == [64.5]


async def test_dv6_percent_sign_and_excel_booleans(api_client, world, db):
    summary = await upload(api_client, world, "dv6.csv", case(world, "dv6_percent_bool_ru.csv"))
    assert (summary["imported"], summary["rejected"]) == (4, [])
    assert await stored(db, world) == {
        ("extracurricular_coverage", "s1", "2030/2031"): 64.5,
        ("upbringing_program", "s1", "2030/2031"): 1.0,
        ("upbringing_program", "s2", "2030/2031"): 0.0,
        ("upbringing_program", "s3", "2030/2031"): 1.0,
    }
    assert [(w["index"], w["msg"]) for w in summary["warnings"]] == [
        (2, "знак процента: 64,5% → 64,5"),
        (5, "число 1 прочитано как «да»"),
    ]


async def test_dv7_periods_typed_as_a_year_and_a_month_date_and_trailing_rows(
    api_client, world, db
):
    content = case(world, "dv7_xlsx_types_trailing.xlsx")
    summary = await upload(api_client, world, "dv7.xlsx", content)
    assert (summary["imported"], summary["rejected"]) == (3, [])
    assert await stored(db, world) == {
        ("extracurricular_coverage", "s1", "2031"): 61.0,
        ("extracurricular_coverage", "s2", "2031-09"): 62.0,
        ("extracurricular_coverage", "s3", "2030/2031"): 64.5,
    }
    assert [(w["index"], w["loc"]) for w in summary["warnings"]] == [
        (2, ["period"]),
        (3, ["period"]),
        (4, ["value"]),  # a text cell «64,5»: read as the number, and said as a posted one is
    ]
    assert summary["warnings"][2]["msg"] == (
        "значение записано в ячейке текстом «64,5» — прочитано как 64,5"
    )


async def test_dv8_the_cached_value_of_a_formula_is_read(api_client, world, db):
    summary = await upload(api_client, world, "dv8.xlsx", case(world, "dv8_formula_cached.xlsx"))
    assert (summary["imported"], summary["rejected"]) == (2, [])
    assert sorted((await stored(db, world)).values()) == [40.0, 42.0]


async def test_dv9_the_same_key_twice_rejects_the_second_naming_the_first(api_client, world):
    summary = await upload(api_client, world, "dv9.csv", case(world, "dv9_duplicate_key.csv"))
    assert summary["imported"] == 1
    assert summary["rejected"] == [
        {
            "index": 3,
            "errors": [
                {
                    "loc": ["indicator_code"],
                    "msg": "повтор строки 2 (строка 3, столбец 1 «indicator_code»: "
                    "«teachers_count»)",
                }
            ],
        }
    ]


def xlsx(rows, formats=None) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    for cell, number_format in (formats or {}).items():
        book.active[cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_percent_formatted_cell_is_the_percent_it_shows_and_the_summary_says_so(
    api_client, world, db
):
    rows = [["Код показателя", "ОО", "Период", "Значение"]]
    rows.append(["extracurricular_coverage", "Школа 1", "2030/2031", 0.645])
    rows.append(["teachers_count", "Школа 1", "2030/2031", 0.5])
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows, {"D2": "0.0%", "D3": "0%"}))
    assert await stored(db, world) == {("extracurricular_coverage", "s1", "2030/2031"): 64.5}
    assert summary["warnings"] == [  # the rejected row is told how its cell was read too
        {"index": 2, "loc": ["value"], "msg": "процентный формат ячейки: 0,645 → 64,5"},
        {"index": 3, "loc": ["value"], "msg": "процентный формат ячейки: 0,5 → 50"},
    ]
    assert summary["rejected"] == [
        {
            "index": 3,
            "errors": [
                {
                    "loc": ["value"],
                    "msg": "значение в процентах, а показатель не в процентах "
                    "(строка 3, столбец D «Значение»: «50 %»)",
                }
            ],
        }
    ]


async def test_a_whole_date_where_a_period_is_expected_is_refused_not_guessed(api_client, world):
    rows = [["indicator_code", "organization_id", "period", "value"]]
    rows.append(["teachers_count", str(world.s1.id), dt.datetime(2031, 9, 1), 5])
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows, {"C2": "dd.mm.yyyy"}))
    assert summary["imported"] == 0
    assert summary["rejected"][0]["errors"][0]["loc"] == ["period"]
    assert "01.09.2031" in summary["rejected"][0]["errors"][0]["msg"]


async def test_headers_match_in_any_case_and_spacing_and_organizations_by_name(
    api_client, world, db
):
    db.add(Organization(name="МБОУ «Лицей № 7»", kind="school", territory_id=world.s1.territory_id))
    db.add(
        Organization(
            name="Школа 2", short_name="Школа 1", kind="school", territory_id=world.s1.territory_id
        )
    )
    await db.flush()
    content = (
        "КОД  ПОКАЗАТЕЛЯ;Образовательная\u00a0организация;период;ЗНАЧЕНИЕ\r\n"
        'teachers_count;мбоу "лицей №7";2030/2031;1\u202f234\r\n'
        "teachers_count;школа 1;2030/2031;5\r\n"
        "teachers_count;Школа 99;2030/2031;5\r\n"
    ).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert summary["imported"] == 1
    assert summary["warnings"] == [
        {
            "index": 2,
            "loc": ["organization"],
            "msg": 'организация: «мбоу "лицей №7"» → МБОУ «Лицей № 7»',
        },
        {"index": 2, "loc": ["value"], "msg": "разделитель разрядов: 1\u202f234 → 1234"},
    ]
    (ambiguous, unknown) = summary["rejected"]
    assert ambiguous["index"] == 3 and ambiguous["errors"][0]["loc"] == ["organization"]
    message = ambiguous["errors"][0]["msg"]
    assert "несколько организаций «школа 1»" in message
    assert "Школа 1" in message and "Школа 2" in message and str(world.s1.id) in message
    assert unknown["errors"][0]["msg"] == (
        "организация «Школа 99» не найдена или вне вашей зоны доступа "
        "(строка 4, столбец 2 «Образовательная\u00a0организация»)"
    )


async def test_a_village_school_matches_with_or_without_the_space_after_its_dot(
    api_client, world, db
):
    """«МБОУ СОШ №11 с.Берёзовка» is «МБОУ «СОШ № 11» с. Берёзовка»: schools' exports write
    «с.», «п.», «им.» run into the next word as often as not."""
    db.add(
        Organization(
            name="МБОУ «СОШ № 11» с. Берёзовка", kind="school", territory_id=world.s1.territory_id
        )
    )
    await db.flush()
    content = (
        "Показатель;Организация;Период;Значение\r\n"
        "teachers_count;МБОУ СОШ №11 с.Берёзовка;2030/2031;5\r\n"
    )
    summary = await upload(api_client, world, "v.csv", content.encode())
    assert (summary["imported"], summary["rejected"]) == (1, []), summary
    assert summary["warnings"] == [
        {
            "index": 2,
            "loc": ["organization"],
            "msg": "организация: «МБОУ СОШ №11 с.Берёзовка» → МБОУ «СОШ № 11» с. Берёзовка",
        }
    ]


async def test_a_name_not_found_suggests_close_names_the_caller_reads(api_client, world, db):
    """«СОШ № 11» without its village is the one such school the caller reads (another
    district's is not matched); under another legal form it names none: the refusal suggests
    the close names with their ids — only of organizations the caller reads."""
    own = Organization(name="МБОУ «СОШ № 11» с. Берёзовка", kind="school", territory_id=world.m1.id)
    other = Organization(name="МБОУ «СОШ № 11» с. Дальнее", kind="school", territory_id=world.m2.id)
    tenth = Organization(name="МБОУ «СОШ № 110»", kind="school", territory_id=world.m1.id)
    db.add_all([own, other, tenth])
    await db.flush()
    content = (
        "Показатель;Организация;Период;Значение\r\n"
        "teachers_count;СОШ № 11;2030/2031;5\r\n"
        "teachers_count;МАОУ «СОШ № 11» с. Берёзовка;2030/2031;5\r\n"
    )
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.csv", content.encode())},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 1
    assert [w["msg"] for w in answer.json()["warnings"] if w["loc"] == ["organization"]] == [
        "организация: «СОШ № 11» → МБОУ «СОШ № 11» с. Берёзовка (без населённого пункта)"
    ]
    (refused,) = answer.json()["rejected"]
    second = refused["errors"][0]["msg"]
    assert "не найдена или вне вашей зоны доступа; похожие названия: " in second, second
    assert f"похожие названия: МБОУ «СОШ № 11» с. Берёзовка ({own.id})" in second, second
    # M2's is not the analyst's; «СОШ № 110» is another number, not a close name. Ids are
    # checked whole: a bare "110" could be inside the suggested school's uuid.
    assert "Дальнее" not in second and str(other.id) not in second, second
    assert "«СОШ № 110»" not in second and str(tenth.id) not in second, second


async def test_a_name_matched_the_same_way_in_many_rows_is_said_once(api_client, world, db):
    """A school's export names it «лицей 7» in each of its 14 rows: the summary says so once,
    at the first row, counting and listing the others (`also`), not 14 times."""
    db.add(Organization(name="МБОУ «Лицей № 7»", kind="school", territory_id=world.s1.territory_id))
    await db.flush()
    lines = [f"teachers_count;лицей 7;{2000 + year}/{2001 + year};5" for year in range(14)]
    content = "\r\n".join(["Показатель;Организация;Период;Значение", *lines]).encode()
    summary = await upload(api_client, world, "v.csv", content)
    assert summary["imported"] == 14, summary
    (said,) = [w for w in summary["warnings"] if w["loc"] == ["organization"]]
    assert said["index"] == 2 and said["also"] == list(range(3, 16))
    assert said["msg"] == (
        "организация: «лицей 7» → МБОУ «Лицей № 7» "
        "(также в строках 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 и ещё в 3 строках)"
    )


async def test_a_second_column_of_the_same_field_refuses_the_file(api_client, world, db):
    content = (
        "indicator_code\tvalue\torganization_id\tperiod\tЗначение\r\n"
        f"teachers_count\t7\t{world.s1.id}\t2030/2031\t8\r\n"
    ).encode("utf-16-le")  # Excel's "Unicode text", here without its byte-order mark
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.csv", content)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file", "Значение"] and error["type"] == "repeated_column"
    assert error["msg"] == (
        "столбцы «value» и «Значение» означают одно и то же — value (столбцы 2 и 5): "
        "неясно, какой из них читать — оставьте один"
    )
    assert await stored(db, world) == {}


async def test_posted_json_rows_carry_no_warnings(api_client, world):
    row = {
        "indicator_code": "teachers_count",
        "organization_id": str(world.s1.id),
        "period": "2021",  # begun (one not yet begun is warned of: test_data_values.py)
        "value": 3,
    }
    answer = await api_client.post(
        "/v1/data-values", json={"values": [row]}, headers=world.headers("admin")
    )
    assert answer.json()["imported"] == 1 and answer.json()["warnings"] == []


@pytest.mark.parametrize("written", ["{id}", "{ID}", "{{{id}}}"])
async def test_an_id_in_the_organization_name_column_is_taken_as_the_id(
    api_client, world, db, written
):
    school = str(world.s2.id)
    shaped = written.format(id=school, ID=school.upper())
    content = f"Код показателя;ОО;Период;Значение\r\nteachers_count;{shaped};2030/2031;7\r\n"
    summary = await upload(api_client, world, "v.csv", content.encode("cp1251"))
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert await stored(db, world) == {("teachers_count", "s2", "2030/2031"): 7.0}
    assert summary["warnings"] == [
        {
            "index": 2,
            "loc": ["organization_id"],
            "msg": f"в столбце названий организаций идентификатор {shaped}: прочитан как id",
        }
    ]


async def test_grouped_thousands_and_percent_signs_in_text_cells_are_named(api_client, world, db):
    rows = [["indicator_code", "organization_id", "period", "value"]]
    rows.append(["teachers_count", str(world.s1.id), "2030/2031", "12\u00a0345"])
    rows.append(["extracurricular_coverage", str(world.s2.id), "2030/2031", "99,5 %"])
    rows.append(
        ["extracurricular_coverage", str(world.s3.id), "2030/2031", "64,5"]
    )  # decimal comma
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows))
    assert (summary["imported"], summary["rejected"]) == (3, [])
    assert await stored(db, world) == {
        ("teachers_count", "s1", "2030/2031"): 12345.0,
        ("extracurricular_coverage", "s2", "2030/2031"): 99.5,
        ("extracurricular_coverage", "s3", "2030/2031"): 64.5,
    }
    assert [(w["index"], w["msg"]) for w in summary["warnings"]] == [
        (2, "разделитель разрядов: 12\u00a0345 → 12345"),
        (3, "знак процента: 99,5 % → 99,5"),
        (4, "значение записано в ячейке текстом «64,5» — прочитано как 64,5"),
    ]


async def test_text_in_a_csv_is_no_reinterpretation_but_an_xlsx_text_number_is(
    api_client, world, db
):
    """A CSV holds only text: «64,5» there is a number as written. An .xlsx cell kept as text
    («8») is read as the number it spells, and said; «да» is read as yes and not said: a
    yes/no is written so, as the upload page and its template ask."""
    head = "indicator_code;organization_id;period;value\r\n"
    line = f"extracurricular_coverage;{world.s1.id};2030/2031;64,5\r\n"
    summary = await upload(api_client, world, "v.csv", (head + line).encode())
    assert (summary["imported"], summary["warnings"]) == (1, [])
    rows = [["indicator_code", "organization_id", "period", "value"]]
    rows.append(["upbringing_program", str(world.s1.id), "2030/2031", "да"])
    rows.append(["teachers_count", str(world.s2.id), "2030/2031", 7])  # a number: nothing said
    rows.append(["teachers_count", str(world.s3.id), "2030/2031", " 8 "])
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows))
    assert summary["imported"] == 3, summary
    assert [(w["index"], w["msg"]) for w in summary["warnings"]] == [
        (4, "значение записано в ячейке текстом «8» — прочитано как 8"),
    ]


async def test_a_number_in_the_period_column_is_a_year_or_an_excel_date(api_client, world, db):
    rows = [["indicator_code", "organization_id", "period", "value"]]
    rows.append(["teachers_count", str(world.s1.id), 2031, 5])
    rows.append(["teachers_count", str(world.s2.id), 44713, 6])  # 01.06.2022, format lost
    rows.append(["teachers_count", str(world.s3.id), 2030.5, 7])
    summary = await upload(api_client, world, "v.xlsx", xlsx(rows))
    assert await stored(db, world) == {("teachers_count", "s1", "2031"): 5.0}
    assert summary["warnings"] == [
        {"index": 2, "loc": ["period"], "msg": "число 2031 в столбце периода прочитано как год"}
    ]
    (serial, fraction) = summary["rejected"]
    assert serial["index"] == 3 and serial["errors"][0]["loc"] == ["period"]
    assert serial["errors"][0]["msg"] == (
        "число 44713 — дата Excel: 01.06.2022; укажите учебный год, год, квартал или месяц "
        "(строка 3, столбец C «period»)"
    )
    assert fraction["index"] == 4 and fraction["errors"][0]["loc"] == ["period"]


async def test_an_excel_date_in_a_csv_period_column_is_named_too(api_client, world, db):
    content = f"indicator_code;organization_id;period;value\r\nteachers_count;{world.s1.id};"
    summary = await upload(api_client, world, "v.csv", f"{content}44713;5\r\n".encode())
    assert summary["imported"] == 0
    assert "01.06.2022" in summary["rejected"][0]["errors"][0]["msg"]
