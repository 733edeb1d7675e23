"""The bank's instruments (shared by all territories) change by administrators only: a
territory's analyst or methodologist cannot publish a version of one under its code."""

import pytest

from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.xlsform import to_xlsform
from tests.surveys.forms import BANK

MINE = {
    "kind": "satisfaction",
    "title": "НОК подмена",
    "description": "",
    "audience": ["parents"],
    "competences": [],
    "sections": [
        {
            "code": "main",
            "title": "Основное",
            "questions": [{"code": "q1", "type": "text", "text": "Вопрос аналитика"}],
        }
    ],
}


def workbook(code: str) -> bytes:
    return to_xlsform(InstrumentDefinition.model_validate(MINE | {"code": code}))


async def latest(surveys_client, world, code: str) -> dict:
    instrument_id = str(world.instruments[code][0])
    answer = await surveys_client.get(
        f"/v1/instruments/{instrument_id}", headers=world.headers("viewer")
    )
    return answer.json()


@pytest.mark.parametrize("code", ["nok_parents_2018", "parents_satisfaction"])
@pytest.mark.parametrize("who", ["analyst", "methodologist"])
async def test_a_territory_cannot_publish_a_version_of_a_bank_instrument(
    surveys_client, world, who, code
):
    before = await latest(surveys_client, world, code)
    answer = await surveys_client.post(
        "/v1/instruments", json=MINE | {"code": code}, headers=world.headers(who)
    )
    assert answer.status_code == 409, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "code"]
    assert (
        f"инструмент {code} — из банка" in error["msg"] and "выберите другой code" in error["msg"]
    )
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("hijack.xlsx", workbook(code))},
        headers=world.headers(who),
    )
    assert answer.status_code == 409, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file"] and error["column"] == "form_id"
    assert "выберите другой form_id" in error["msg"]
    after = await latest(surveys_client, world, code)
    assert (after["latest_version"], after["title"]) == (before["latest_version"], before["title"])


async def test_a_bank_instrument_exported_and_imported_back_changes_nothing(surveys_client, world):
    code = "nok_parents_2018"
    exported = await surveys_client.get(
        f"/v1/instruments/{world.instruments[code][0]}/export?format=xlsform",
        headers=world.headers("analyst"),
    )
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": (f"{code}.xlsx", exported.content)},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200 and answer.json()["unchanged"] is True


async def test_an_administrator_versions_the_bank_and_a_territory_its_own(surveys_client, world):
    answer = await surveys_client.post(
        "/v1/instruments",
        json=BANK["nok_parents_2018"].model_dump(mode="json", by_alias=True, exclude_none=True)
        | {"title": "НОК (редакция 2)"},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 201 and answer.json()["version"] == 2
    for version, who in enumerate(("analyst", "methodologist"), start=1):
        answer = await surveys_client.post(
            "/v1/instruments",
            json=MINE | {"code": "district_parents", "title": f"Районная анкета {version}"},
            headers=world.headers(who),
        )
        assert answer.status_code == 201 and answer.json()["version"] == version
    answer = await surveys_client.post(
        "/v1/instruments", json=MINE | {"code": "nok_parents_2018"}, headers=world.headers("leader")
    )
    assert answer.status_code == 403


async def test_a_territory_s_instrument_is_versioned_by_that_territory_and_above(
    surveys_client, world, db, settings
):
    """M1's analyst makes an instrument: M1's authors and the region's version it; M2's
    analyst (a sibling territory) gets 409 naming the field, by JSON and by workbook."""
    from services.api.auth.service import user_principal
    from shared.identity import issue_user_token
    from tests.factories import add_user

    for name, territory in (("analyst_m2", world.m2), ("analyst_region", world.region)):
        user = add_user(db, f"{name}@soko.example", "territory_analyst", "territory", territory.id)
        await db.flush()
        world.tokens[name] = issue_user_token(settings, user_principal(user))
    code = "m1_parents"
    made = await surveys_client.post(
        "/v1/instruments", json=MINE | {"code": code}, headers=world.headers("analyst")
    )
    assert made.status_code == 201
    for version, who in enumerate(("methodologist", "analyst_region", "admin"), start=2):
        answer = await surveys_client.post(
            "/v1/instruments",
            json=MINE | {"code": code, "title": f"Редакция {version}"},
            headers=world.headers(who),
        )
        assert answer.status_code == 201 and answer.json()["version"] == version, who
    answer = await surveys_client.post(
        "/v1/instruments",
        json=MINE | {"code": code, "title": "Чужая редакция"},
        headers=world.headers("analyst_m2"),
    )
    assert answer.status_code == 409, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "code"] and "принадлежит другой территории" in error["msg"]
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("m1.xlsx", workbook(code))},
        headers=world.headers("analyst_m2"),
    )
    assert answer.status_code == 409 and answer.json()["errors"][0]["column"] == "form_id"
    # An administrator's new instrument is shared: administrators version it.
    shared = await surveys_client.post(
        "/v1/instruments", json=MINE | {"code": "shared_one"}, headers=world.headers("admin")
    )
    assert shared.status_code == 201
    answer = await surveys_client.post(
        "/v1/instruments",
        json=MINE | {"code": "shared_one", "title": "Правка"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 409 and "общий для всех территорий" in answer.text
