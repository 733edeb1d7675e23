"""A survey indicator whose instrument, question or competence does not exist has no value, and
says why (`reason`, `reason_text`) in `GET /v1/indicator-values`, the roadmap report (HTML
and .xlsx) and the api's values page, rather than a bare «нет данных»; so does a formula
computed from it. An indicator whose codes exist but that has no answers yet is plain «нет
данных». Once the instrument is created, the reason goes.

Crafted through the real apps: the indicators posted to the api (kept with warnings), the
instrument to the surveys service; the reports read both from their facts."""

import io

from openpyxl import load_workbook

from tests.api import test_pages
from tests.api.test_pages_values import text_of
from tests.facts import sync_facts
from tests.reports.documents_world import parse
from tests.reports.helpers import PERIOD, read_values

browser = test_pages.browser

TYPO = "parents_satisfactoin"
INDICATORS = {
    "sat_typo": ("survey_positive_share", {"instrument_code": TYPO}),
    "sat_question": (
        "survey_positive_share",
        {"instrument_code": "nok_parents_2018", "question_codes": ["nok_99", "nok_98"]},
    ),
    "def_competence": (
        "deficit_share",
        {"instrument_code": "teacher_professional_deficits", "competences": ["methodologic"]},
    ),
    "sat_known": (
        "survey_positive_share",
        {"instrument_code": "nok_parents_2018", "question_codes": ["nok_14"]},
    ),
    "sat_formula": ("formula", {"numerator": "sat_typo.value"}),
}


async def _define(api_client, world) -> None:
    for code, (method, params) in INDICATORS.items():
        answer = await api_client.post(
            "/v1/indicators",
            json={
                "code": code,
                "name": f"Показатель {code}",
                "unit": "percent",
                "level": "organization",
                "method": method,
                "params": params,
                "roadmap_ids": [str(world.r1.id)],
            },
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 201, answer.text


async def _territory_items(reports_client, world) -> dict[str, dict]:
    answer = await read_values(reports_client, world, level="territory", limit=100)
    assert answer.status_code == 200, answer.text
    return {
        i["indicator_code"]: i for i in answer.json()["items"] if i["scope_id"] == str(world.m1.id)
    }


async def test_values_of_unknown_codes_say_why_there_is_none(api_client, reports_client, world):
    await _define(api_client, world)
    items = await _territory_items(reports_client, world)
    typo = items["sat_typo"]
    assert (typo["value"], typo["status"]) == (None, "no_data")
    assert typo["reason"] == "unknown_instrument"
    assert typo["reason_text"] == f"инструмент «{TYPO}» не найден"
    question = items["sat_question"]
    assert question["reason"] == "unknown_question"
    assert question["reason_text"] == (
        "вопросы «nok_99», «nok_98» не найдены в инструменте «nok_parents_2018»"
    )
    competence = items["def_competence"]
    assert competence["reason"] == "unknown_competence"
    assert competence["reason_text"] == (
        "компетенция «methodologic» не найдена в инструменте «teacher_professional_deficits»"
    )
    formula = items["sat_formula"]
    assert formula["reason"] == "unknown_instrument"
    assert formula["reason_text"] == f"инструмент «{TYPO}» не найден (показатель «sat_typo»)"
    known = items["sat_known"]
    assert known["status"] == "no_data" and known["reason"] is None
    assert known["reason_text"] is None
    school = await read_values(
        reports_client,
        world,
        scope_type="organization",
        scope=world.s1.id,
        indicator_code="sat_typo",
    )
    [own] = school.json()["items"]
    assert own["reason"] == "unknown_instrument", own


async def test_the_roadmap_report_says_the_instrument_is_not_found(
    api_client, reports_client, world
):
    await _define(api_client, world)
    headers = world.headers("analyst")
    url = f"/v1/reports/roadmaps/{world.r1.id}"
    page = await reports_client.get(
        url, params={"period": PERIOD, "format": "html"}, headers=headers
    )
    assert page.status_code == 200, page.text
    rows = parse(page.text).tables["indicators"]
    said = " ".join(" ".join(r) for r in rows)
    assert f"нет данных: инструмент «{TYPO}» не найден" in said, said
    assert "не найдены в инструменте «nok_parents_2018»" in said
    sheet = await reports_client.get(
        url, params={"period": PERIOD, "format": "xlsx"}, headers=headers
    )
    assert sheet.status_code == 200, sheet.text
    cells = [
        str(c)
        for row in load_workbook(io.BytesIO(sheet.content))["Показатели"].iter_rows(
            values_only=True
        )
        for c in row
        if c
    ]
    assert f"нет данных: инструмент «{TYPO}» не найден" in cells


async def test_the_reason_goes_once_the_instrument_is_created(
    api_client, surveys_client, reports_client, world
):
    await _define(api_client, world)
    before = await _territory_items(reports_client, world)
    assert before["sat_typo"]["reason"] == "unknown_instrument"
    instrument = {
        "code": TYPO,
        "kind": "satisfaction",
        "title": "Удовлетворённость родителей",
        "description": "",
        "audience": ["parents"],
        "sections": [
            {
                "code": "main",
                "title": "Основное",
                "questions": [{"code": "q1", "type": "yes_no", "text": "Всё хорошо?"}],
            }
        ],
    }
    created = await surveys_client.post(
        "/v1/instruments", json=instrument, headers=world.headers("analyst")
    )
    assert created.status_code == 201, created.text
    after = await _territory_items(reports_client, world)
    assert after["sat_typo"]["status"] == "no_data"
    assert after["sat_typo"]["reason"] is None
    assert after["sat_formula"]["reason"] is None


async def test_the_values_page_says_the_instrument_is_not_found(
    browser, api_client, world, apps, isolation
):
    await _define(api_client, world)
    await sync_facts(apps, isolation)
    client, _ = await test_pages.signed_in(browser, "analyst@soko.example")
    page = await client.get("/values", params={"period": PERIOD})
    assert page.status_code == 200, page.text
    row = text_of(page, "indicator-sat_typo")
    assert f"Район 1 — – нет данных: инструмент «{TYPO}» не найден —" in row, row
    known = text_of(page, "indicator-sat_known")
    assert "нет данных —" in known and "не найден" not in known, known
