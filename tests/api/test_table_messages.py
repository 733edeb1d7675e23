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
        "period": "2030-2031",
        "value": 3,
    }
    answer = await api_client.post(
        "/v1/data-values", json={"values": [row]}, headers=world.headers("admin")
    )
    message = errors(answer.json())["period"]
    assert message.startswith("Период «2030-2031» не распознан: ожидается учебный год (2021/2022)")
