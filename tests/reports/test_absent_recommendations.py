"""A school closed before a period began (or opened after it ended) is told nothing about that
period: a recommendation issued to its leader before the closing was recorded is resolved by
the next generation, as one whose cause is gone, and none is issued again."""

from tests.disclosure_world import close
from tests.reports.helpers import PERIOD, TRAINED_INDICATOR, generate, post_values
from tests.surveys.forms import answer_as_parents
from tests.surveys.test_results import launch, nok


async def _active(client, world, **params) -> list[dict]:
    answer = await client.get(
        "/v1/recommendations", params={"period": PERIOD, **params}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    return [
        i
        for i in answer.json()["items"]
        if i["rule_code"] == "leader_indicator_not_achieved"
        and i["addressee_id"] == str(world.s2.id)
    ]


async def test_a_closed_school_s_recommendations_are_resolved_on_regeneration(
    api_client, reports_client, world
):
    made = await api_client.post(
        "/v1/indicators", json=TRAINED_INDICATOR, headers=world.headers("admin")
    )
    assert made.status_code == 201, made.text
    rows = [("trained", world.s1.id, PERIOD, 90), ("trained", world.s2.id, PERIOD, 40)]
    await post_values(api_client, world, rows)
    first = await generate(reports_client, world)
    assert first.status_code == 200, first.text
    [told] = await _active(reports_client, world)  # S2: 40 % against ≥ 70 %

    closed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"closed_on": "2021-06-30"},
        headers=world.headers("admin"),
    )
    assert closed.status_code == 200, closed.text
    second = await generate(reports_client, world)
    assert second.status_code == 200, second.text
    assert second.json()["resolved"] >= 1
    assert await _active(reports_client, world) == []
    [kept] = await _active(reports_client, world, include_resolved="true")
    assert kept["id"] == told["id"] and kept["resolved_at"] is not None
    # Generating again issues nothing about it.
    assert (await generate(reports_client, world)).json()["resolved"] == 0
    assert await _active(reports_client, world) == []


async def test_a_closed_school_s_parents_are_not_in_its_territory_s_response_rate(
    apps, api_client, surveys_client, reports_client, world
):
    """The district's response rate of a campaign of the year counts the schools open in it:
    S2, closed before the year, brings neither its 3 parents nor its 100 pupils expected."""
    pupils = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"context": {"students": 100}},
        headers=world.headers("admin"),
    )
    assert pupils.status_code == 200, pupils.text
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    answers = [(world.s1.id, nok()) for _ in range(6)] + [(world.s2.id, nok()) for _ in range(3)]
    await answer_as_parents(apps, campaign["id"], answers)
    await close(surveys_client, world, campaign)
    closed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"closed_on": "2021-06-30"},
        headers=world.headers("admin"),
    )
    assert closed.status_code == 200, closed.text
    assert (await generate(reports_client, world)).status_code == 200
    listed = await reports_client.get(
        "/v1/recommendations",
        params={"period": PERIOD, "addressee_type": "authority"},
        headers=world.headers("analyst"),
    )
    [rate] = [
        i for i in listed.json()["items"] if i["rule_code"] == "authority_low_response_rate_ended"
    ]
    assert (rate["evidence"]["responses"], rate["evidence"]["expected"]) == (6, 500)
