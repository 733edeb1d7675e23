"""What an import says about a row it refuses (issue 14 follow-ups): in Russian, naming the value
as the row writes it (the procedure, the subject, the period)."""

from tests.api import test_data_value_tables as data_values
from tests.api.test_assessment_result_tables import post, vpr_row

world = data_values.world  # the fixture: the test world with the data indicators


def errors(summary: dict) -> dict[str, str]:
    (rejected,) = summary["rejected"]
    return {error["loc"][0]: error["msg"] for error in rejected["errors"]}


async def test_an_unknown_subject_is_named_as_written(api_client, world):
    summary = await post(api_client, world, vpr_row(world, "ВПР", "Астрономия XX"))
    assert errors(summary) == {
        "subject": "в каталоге процедуры «ВПР» нет предмета «Астрономия XX» в 4 классе"
    }


async def test_an_unknown_procedure_is_named_as_written_not_lowercased(api_client, world):
    summary = await post(api_client, world, vpr_row(world, "Олимпиада ВсОШ"))
    assert errors(summary) == {"procedure": "нет оценочной процедуры «Олимпиада ВсОШ»"}


async def test_a_malformed_period_is_said_in_russian_naming_it(api_client, world):
    row = {
        "indicator_code": "teachers_count",
        "organization_id": str(world.s1.id),
        "period": "2030_2031",  # (2030-2031 is a school year: read as 2030/2031, said)
        "value": 3,
    }
    answer = await api_client.post(
        "/v1/data-values", json={"values": [row]}, headers=world.headers("admin")
    )
    message = errors(answer.json())["period"]
    assert message.startswith("Период «2030_2031» не распознан: ожидается учебный год (2021/2022)")


async def test_a_comma_before_three_digits_is_noted_and_a_count_refuses_the_fraction(
    api_client, world, db
):
    content = (
        "Код показателя;ID ОО;Период;Значение\r\n"
        f"teachers_count;{world.s1.id};2032;1,234\r\n"
        f"students_grades_5_11;{world.s1.id};2032;12,5\r\n"
        f"extracurricular_coverage;{world.s1.id};2032;64,500\r\n"
    ).encode()
    summary = await data_values.upload(api_client, world, "v.csv", content)
    assert await data_values.stored(db, world) == {("extracurricular_coverage", "s1", "2032"): 64.5}
    count = "показатель в штуках: ожидается целое число, а не"
    assert [(r["index"], r["errors"][0]["msg"]) for r in summary["rejected"]] == [
        (2, f"{count} 1,234 (строка 2, столбец 4 «Значение»)"),
        (3, f"{count} 12,5 (строка 3, столбец 4 «Значение»)"),
    ]
    notes = [(n["index"], n["msg"]) for n in summary["warnings"]]
    assert notes == [  # a refused row carries the notes a stored one does
        (2, "запятая перед тремя цифрами: 1,234 прочитано как 1,234 (дробь), а не 1234"),
        (4, "запятая перед тремя цифрами: 64,500 прочитано как 64,5 (дробь), а не 64500"),
    ]
