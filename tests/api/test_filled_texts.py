"""Texts that must say something (titles, names) are stripped and then must not be empty; a
refusal says its codes in Russian words, the code only in parentheses."""

import pytest

from tests.api.helpers import post_roadmap
from tests.api.test_indicators import definition, post


@pytest.mark.parametrize("title", ["", "  ", "\t\n "])
async def test_a_roadmap_title_of_spaces_is_refused(api_client, world, title):
    answer = await post_roadmap(api_client, world, title=title)
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["loc"] == ["body", "title"]
    assert error["msg"] == "не заполнено: нужен текст"


async def test_an_activity_title_of_spaces_is_refused_and_a_title_is_kept_stripped(
    api_client, world
):
    sections = [{"title": "Этап", "activities": [{"title": "   "}]}]
    answer = await post_roadmap(api_client, world, sections=sections)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "sections", 0, "activities", 0, "title"]
    answer = await post_roadmap(api_client, world, title="  Дорожная карта  ")
    assert answer.status_code == 201, answer.text
    assert answer.json()["title"] == "Дорожная карта"
    url = f"/v1/roadmaps/{answer.json()['id']}"
    patched = await api_client.patch(url, json={"title": " "}, headers=world.headers("analyst"))
    assert patched.status_code == 422, patched.text


@pytest.mark.parametrize("name", ["   ", "\u200b", "Доля\u200dпедагогов"])
async def test_an_indicator_name_of_spaces_or_invisible_characters_is_refused(
    api_client, world, name
):
    """An indicator's name is read on every page and report: blank, invisible or holding a
    format character it is refused as organizations' names are (`HumanText`)."""
    body = definition("p", "data_value", {"value_type": "percent"}) | {"name": name}
    answer = await post(api_client, world, body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "name"]


async def test_a_level_that_does_not_fit_its_owner_is_said_in_russian(api_client, world):
    answer = await post_roadmap(api_client, world, level="organization")
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["msg"] == (
        "Дорожная карта уровня организации принадлежит организации (owner_type = organization)"
    )
    answer = await post_roadmap(api_client, world, level="region")
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["loc"] == ["body", "level"]
    assert error["msg"].startswith("Владелец — территория уровня муниципалитета, а карта — уровня")


@pytest.mark.parametrize(
    ("period", "said"),
    [
        (
            "2031/2030",
            "Период «2031/2030»: учебный год — два соседних года по порядку, ожидается 2030/2031",
        ),
        (
            "2030/2032",
            "Период «2030/2032»: учебный год — два соседних года по порядку, ожидается 2030/2031",
        ),
    ],
)
async def test_a_malformed_period_is_said_once_with_the_year_meant(api_client, world, period, said):
    answer = await post_roadmap(api_client, world, period=period)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["msg"] == said


async def test_an_api_key_named_with_spaces_only_is_refused(api_client, world):
    url = f"/v1/organizations/{world.s1.id}/api-keys"
    answer = await api_client.post(url, json={"name": "  "}, headers=world.headers("leader"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "name"]
