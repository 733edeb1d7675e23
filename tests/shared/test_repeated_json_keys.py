"""A JSON body naming one field twice in an object is a 422 naming the field at its place, and
nothing is stored: every JSON reader keeps one of the values silently (Python's the last), so
a parent's two answers to one question or a bulk row's two values were taken as the last one.
The same key in different objects (every row's `value`) is no repetition."""

import pytest
from sqlalchemy import func, select

from services.api.data_values.models import DataValue
from services.surveys.responses.models import Response
from shared.json_body import REPEATED_KEY_MESSAGE, repeated_key_errors
from tests.factories import TRAINED, add_data_indicator
from tests.surveys.forms import launch, nok_answers, respondents

JSON = {"content-type": "application/json"}


def test_each_repeated_key_is_named_at_its_place():
    body = b'{"a": 1, "rows": [{"v": 1}, {"v": 2, "v": 3}], "m": {"q": {"x": 1, "x": 1}}}'
    places = [error["loc"] for error in repeated_key_errors(body)]
    assert places == [["body", "rows", 1, "v"], ["body", "m", "q", "x"]]
    assert repeated_key_errors(b'{"rows": [{"v": 1}, {"v": 2}], "v": 3}') == []
    assert repeated_key_errors(b"{not json") == []
    top = repeated_key_errors(b'{"name": "a", "name": "b"}')
    assert top == [{"loc": ["body", "name"], "msg": REPEATED_KEY_MESSAGE, "type": "repeated_key"}]


async def test_a_bulk_row_with_two_values_is_refused_whole_and_nothing_stored(
    api_client, world, db
):
    await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    row = (
        f'{{"indicator_code": "teachers_trained", "organization_id": "{world.s1.id}", '
        '"period": "2021/2022", "value": 80, "value": 8}'
    )
    answer = await api_client.post(
        "/v1/data-values",
        content=f'{{"values": [{row}]}}'.encode(),
        headers=world.headers("leader") | JSON,
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "values", 0, "value"] and error["type"] == "repeated_key"
    assert "несколько раз" in answer.json()["detail"]
    assert await db.scalar(select(func.count()).select_from(DataValue)) == 0


async def test_a_parents_two_answers_to_one_question_are_refused(apps, surveys_client, world, db):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    answers = nok_answers()
    first = next(iter(answers))
    fields = ", ".join(f'"{code}": {str(given).lower()}' for code, given in answers.items())
    body = (
        f'{{"organization_id": "{world.s1.id}", '
        f'"answers": {{{fields}, "{first}": {str(not answers[first]).lower()}}}}}'
    )
    async with respondents(apps) as parents:
        answer = await parents.post(
            f"/v1/campaigns/{campaign['id']}/responses", content=body.encode(), headers=JSON
        )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "answers", first], error
    assert await db.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.parametrize(
    ("service", "path"),
    [("api", "/v1/territories"), ("reports", "/v1/recommendation-rules")],
)
async def test_any_writes_field_named_twice_is_refused(
    service, path, world, api_client, reports_client
):
    client = {"api": api_client, "reports": reports_client}[service]
    answer = await client.post(
        path, content=b'{"name": "A", "name": "B"}', headers=world.headers("admin") | JSON
    )
    assert answer.status_code == 422, answer.text
    said = [(error["loc"], error["type"]) for error in answer.json()["errors"]]
    assert said == [(["body", "name"], "repeated_key")], said
