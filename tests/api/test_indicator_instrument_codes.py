"""A survey indicator naming an instrument, question or competence the surveys service does not
know is kept, with a warning naming the field and the code (a typo is otherwise noticed only
as «нет данных» in the reports). The api asks the real surveys app (tests/conftest.py)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.api.clients.surveys import SurveysClient, surveys_client
from shared.client import ServiceClient
from tests.api.test_indicators import definition, post

SHARE = "survey_positive_share"


async def test_an_unknown_instrument_is_kept_with_a_warning_naming_it(api_client, world):
    body = definition("sat", SHARE, {"instrument_code": "parents_satisfactoin"})
    answer = await post(api_client, world, body)
    assert answer.status_code == 201, answer.text
    [warning] = answer.json()["warnings"]
    assert warning.startswith("params.instrument_code: инструмент «parents_satisfactoin»")
    assert "не найден" in warning
    url = f"/v1/indicators/{answer.json()['id']}"
    kept = await api_client.get(url, headers=world.headers("analyst"))
    assert kept.json()["params"]["instrument_code"] == "parents_satisfactoin"


async def test_unknown_question_codes_of_a_known_instrument_are_named(api_client, world):
    params = {
        "instrument_code": "parents_satisfaction",
        "question_codes": ["ps_teaching_1", "ps_teching_2", "ps_safety_9"],
    }
    answer = await post(api_client, world, definition("sat", SHARE, params))
    assert answer.status_code == 201, answer.text
    warnings = answer.json()["warnings"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("params.question_codes: вопрос «ps_teching_2» не найден")
    assert "в инструменте «parents_satisfaction»" in warnings[0]
    assert "«ps_safety_9»" in warnings[1]


async def test_an_unknown_competence_of_a_diagnostic_is_named(api_client, world):
    params = {
        "instrument_code": "teacher_professional_deficits",
        "competences": ["methodological", "methodologic"],
    }
    answer = await post(api_client, world, definition("def", "deficit_share", params))
    assert answer.status_code == 201, answer.text
    [warning] = answer.json()["warnings"]
    assert warning.startswith("params.competences: компетенция «methodologic» не найдена")


async def test_known_codes_give_no_warning(api_client, world):
    params = {
        "instrument_code": "parents_satisfaction",
        "question_codes": ["ps_teaching_1", "ps_safety_1"],
    }
    answer = await post(api_client, world, definition("sat", SHARE, params))
    assert answer.status_code == 201, answer.text
    assert answer.json()["warnings"] == []
    diagnostic = {"instrument_code": "teacher_professional_deficits", "competences": ["subject"]}
    answer = await post(api_client, world, definition("def", "deficit_share", diagnostic))
    assert answer.json()["warnings"] == [], answer.text


async def test_a_change_to_an_unknown_code_is_kept_with_a_warning(api_client, world):
    created = await post(
        api_client, world, definition("sat", SHARE, {"instrument_code": "parents_satisfaction"})
    )
    url, headers = f"/v1/indicators/{created.json()['id']}", world.headers("analyst")
    changed = await api_client.patch(
        url,
        json={"params": {"instrument_code": "parents_satisfaction", "question_codes": ["ps_x"]}},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    [warning] = changed.json()["warnings"]
    assert warning.startswith("params.question_codes: вопрос «ps_x» не найден")
    assert changed.json()["params"]["question_codes"] == ["ps_x"]
    wrong = {"params": {"instrument_code": "no_such_survey"}}
    answer = await api_client.patch(url, json=wrong, headers=headers)
    assert answer.json()["warnings"][0].startswith(
        "params.instrument_code: инструмент «no_such_survey» не найден"
    ), answer.text
    fixed = {"params": {"instrument_code": "parents_satisfaction"}}
    assert (await api_client.patch(url, json=fixed, headers=headers)).json()["warnings"] == []


@asynccontextmanager
async def surveys_unreachable(apps) -> AsyncIterator[None]:
    """The api app's surveys client pointed where nothing listens (no retry), for the test:
    the real client meeting a service that is down (a second api app would add the shipped
    indicators at its start, committed)."""
    dead = ServiceClient("surveys", "http://127.0.0.1:9", timeout=2, retries=0)
    apps.api.dependency_overrides[surveys_client] = lambda: SurveysClient(dead)
    try:
        yield
    finally:
        apps.api.dependency_overrides.pop(surveys_client, None)
        await dead.aclose()


async def test_without_the_surveys_service_the_indicator_is_written_and_that_is_logged(
    apps, api_client, world, caplog
):
    body = definition("sat", SHARE, {"instrument_code": "parents_satisfactoin"})
    with caplog.at_level(logging.WARNING, logger="soko.api.indicators"):
        async with surveys_unreachable(apps):
            answer = await post(api_client, world, body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["warnings"] == []
    logged = [r.getMessage() for r in caplog.records if r.name == "soko.api.indicators"]
    assert any("sat written without checking its instrument codes" in m for m in logged), logged
    listed = await api_client.get("/v1/indicators?code=sat", headers=world.headers("analyst"))
    assert listed.json()["total"] == 1
