"""«Falling two periods running» compares a group's values only when the periods are
comparable: each value made of at least half of the group's schools (the rule's
`min_coverage`), and a count — a district's sum — of as many schools in each. Found in a
demo: a district's total of 759 → 670 → 50, the 50 being the one school of 27 that had
reported the new year so far."""

from tests.reports.helpers import PERIOD, TRAINED_INDICATOR, generate, post_values

PUPILS = {
    "code": "pupils",
    "name": "Обучающихся всего",
    "unit": "count",
    "level": "organization",
    "method": "data_value",
    "params": {"value_type": "number"},
}
YEARS = ("2019/2020", "2020/2021", PERIOD)


async def _falling(client, world) -> dict[tuple[str, str], dict]:
    answer = await generate(client, world)
    assert answer.status_code == 200, answer.text
    listed = await client.get(
        "/v1/recommendations",
        params={"period": PERIOD, "limit": 200},
        headers=world.headers("analyst"),
    )
    assert listed.status_code == 200, listed.text
    return {
        (i["rule_code"], i["subject"]): i
        for i in listed.json()["items"]
        if i["rule_code"].endswith("_indicator_falling")
    }


async def _define(api_client, world, definition) -> None:
    made = await api_client.post("/v1/indicators", json=definition, headers=world.headers("admin"))
    assert made.status_code == 201, made.text


async def test_a_district_s_sum_of_fewer_schools_is_not_a_fall(api_client, reports_client, world):
    await _define(api_client, world, PUPILS)
    rows = [("pupils", world.s1.id, y, v) for y, v in zip(YEARS, (400, 350, 50), strict=True)]
    rows += [("pupils", world.s2.id, y, v) for y, v in zip(YEARS[:2], (359, 320), strict=True)]
    await post_values(api_client, world, rows)
    found = await _falling(reports_client, world)
    # 759 → 670 → 50: S2 has not reported the year yet, half the schools but not the same ones.
    assert ("authority_indicator_falling", "indicator:pupils") not in found
    assert ("leader_indicator_falling", "indicator:pupils") in found  # S1's own 400 → 350 → 50

    # S2 reports: 759 → 670 → 330, every school each year, a fall.
    await post_values(api_client, world, [("pupils", world.s2.id, PERIOD, 280)])
    fell = (await _falling(reports_client, world))[
        ("authority_indicator_falling", "indicator:pupils")
    ]
    assert fell["evidence"]["values"] == {"2019/2020": 759.0, "2020/2021": 670.0, PERIOD: 330.0}


async def test_a_share_of_one_school_in_three_is_not_a_fall(api_client, reports_client, world):
    await _define(api_client, world, TRAINED_INDICATOR)
    third = await api_client.post(
        "/v1/organizations",
        json={"name": "Школа 4", "kind": "school", "territory_id": str(world.m1.id)},
        headers=world.headers("admin"),
    )
    assert third.status_code == 201, third.text
    schools = (world.s1.id, world.s2.id, third.json()["id"])
    rows = [("trained", s, y, v) for s in schools for y, v in zip(YEARS[:2], (80, 70), strict=True)]
    rows.append(("trained", world.s1.id, PERIOD, 60))
    await post_values(api_client, world, rows)
    # 80 → 70 → 60, the last of S1 alone (1 of 3 schools): not compared.
    assert ("authority_indicator_falling", "indicator:trained") not in await _falling(
        reports_client, world
    )
    # S2 reports too (2 of 3, 60 and 64): 80 → 70 → 62, a fall.
    await post_values(api_client, world, [("trained", world.s2.id, PERIOD, 64)])
    found = await _falling(reports_client, world)
    assert ("authority_indicator_falling", "indicator:trained") in found
