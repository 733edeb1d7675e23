"""A campaign named in a path: unknown, or outside the caller's scope, is 404 before anything
else; the campaign list pages with the shared `limit`/`offset`."""

import uuid

import pytest

from tests.surveys.forms import post_campaign


@pytest.mark.parametrize("tail", ["", "/rates", "/pending", "/deficits", "/aggregates"])
async def test_an_unknown_campaign_is_404_problem(surveys_client, world, tail):
    # A methodologist may call each of them (an analyst reads no one's deficits: 403 first).
    answer = await surveys_client.get(
        f"/v1/campaigns/{uuid.uuid4()}{tail}", headers=world.headers("methodologist")
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_answers_to_an_unknown_campaign_are_404(surveys_client, world):
    answer = await surveys_client.post(
        f"/v1/campaigns/{uuid.uuid4()}/responses",
        json={"organization_id": str(world.s1.id), "answers": {}},
    )
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Кампания не найдена"


async def test_a_campaign_outside_the_scope_is_404_and_inside_it_is_read(surveys_client, world):
    launched = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], who="admin"
    )
    assert launched.status_code == 201, launched.text
    path = f"/v1/campaigns/{launched.json()['id']}"
    for tail in ("", "/rates"):
        inside = await surveys_client.get(path + tail, headers=world.headers("leader"))
        assert inside.status_code == 200, inside.text
        outside = await surveys_client.get(path + tail, headers=world.headers("leader3"))
        assert outside.status_code == 404


async def test_the_campaign_list_pages_newest_first(surveys_client, world):
    for code in ("nok_parents_2018", "parents_satisfaction", "nok_parents_2018"):
        answer = await post_campaign(surveys_client, world, code, "parents", [world.s1.id])
        assert answer.status_code == 201, answer.text
    headers = world.headers("analyst")
    whole = (await surveys_client.get("/v1/campaigns", headers=headers)).json()
    pages = [
        (
            await surveys_client.get(
                "/v1/campaigns", params={"limit": 1, "offset": offset}, headers=headers
            )
        ).json()
        for offset in range(whole["total"])
    ]
    assert {p["total"] for p in pages} == {whole["total"]}
    assert [p["items"][0]["id"] for p in pages] == [c["id"] for c in whole["items"]]
    filtered = await surveys_client.get(
        "/v1/campaigns",
        params={"instrument_code": "parents_satisfaction", "period": "2021/2022"},
        headers=headers,
    )
    assert [c["instrument_code"] for c in filtered.json()["items"]] == ["parents_satisfaction"]
