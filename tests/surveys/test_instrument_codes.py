"""`GET /v1/instruments/codes`: which of the codes asked about are instruments, each with the
question and competence codes of all its versions (what the api checks a definition against)."""


def _instrument(*questions: str) -> dict:
    return {
        "code": "codes_check",
        "kind": "satisfaction",
        "title": "Проверка кодов",
        "description": "",
        "audience": ["parents"],
        "sections": [
            {
                "code": "main",
                "title": "Основное",
                "questions": [
                    {"code": q, "type": "yes_no", "text": f"Вопрос {q}?"} for q in questions
                ],
            }
        ],
    }


async def test_codes_of_every_version_and_only_instruments_that_exist(surveys_client, world):
    headers = world.headers("analyst")
    for questions in (("q1", "q2"), ("q1", "q3")):
        answer = await surveys_client.post(
            "/v1/instruments", json=_instrument(*questions), headers=headers
        )
        assert answer.status_code == 201, answer.text
    found = await surveys_client.get(
        "/v1/instruments/codes",
        params={"code": ["codes_check", "no_such_instrument", "teacher_professional_deficits"]},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    assert found.json()["total"] == 2
    by_code = {i["code"]: i for i in found.json()["items"]}
    assert sorted(by_code) == ["codes_check", "teacher_professional_deficits"]
    assert by_code["codes_check"]["question_codes"] == ["q1", "q2", "q3"]
    assert by_code["codes_check"]["competences"] == []
    assert "methodological" in by_code["teacher_professional_deficits"]["competences"]


async def test_codes_asks_for_at_least_one_code(surveys_client, world):
    answer = await surveys_client.get("/v1/instruments/codes", headers=world.headers("analyst"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["query", "code"]
