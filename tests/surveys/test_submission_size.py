"""An answer's size: past 64 KB it is refused with a 422 that a form can show at its question
(a text answer longer than a text answer may be) or at the body, and nothing is stored; past
256 KB the body is not read at all (tests/test_json_limit.py)."""

from sqlalchemy import func, select

from services.surveys.responses.models import Response
from tests.surveys.forms import nok_answers


async def responses(db) -> int:
    return await db.scalar(select(func.count()).select_from(Response))


async def test_a_too_long_text_answer_is_named_at_its_question(surveys_client, parents, world, db):
    before = await responses(db)
    text = "Нужно больше кружков. " * 4000  # 88,000 characters, about 165 KB
    answer = await surveys_client.post(
        f"/v1/campaigns/{parents['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers(nok_15=text)},
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "answers", "nok_15"]
    assert error["msg"] == f"Слишком большой ответ: не длиннее 5000 символов (получено {len(text)})"
    assert await responses(db) == before


async def test_a_body_of_many_answers_past_64_kb_is_named_at_the_body(
    surveys_client, parents, world, db
):
    before = await responses(db)
    many = {f"x{i}": "а" * 2500 for i in range(30)}  # 150 KB, no answer longer than allowed
    answer = await surveys_client.post(
        f"/v1/campaigns/{parents['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers(**many)},
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body"]
    assert error["msg"] == "Слишком большой ответ: не больше 64 КБ"
    assert await responses(db) == before


async def test_an_ordinary_answer_is_taken(surveys_client, parents, world, db):
    before = await responses(db)
    answer = await surveys_client.post(
        f"/v1/campaigns/{parents['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers(nok_15="Всё хорошо")},
    )
    assert answer.status_code == 201, answer.text
    assert await responses(db) == before + 1
