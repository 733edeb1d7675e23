"""Whose rules are whose: the global defaults are the administrators', a territory's own rules
its analysts', and a territory may switch a global rule off for itself only. Tried as the
analyst of M2 against M1 (and the other way round), and as the analyst of the region above."""

import pytest

from services.reports.recommendations.rules import default_rule_id
from tests.factories import build_world
from tests.owners import add_analysts
from tests.paging import walk
from tests.reports import helpers
from tests.reports.test_recommendations import TRAINED

PERIOD = "2021/2022"
LEADER_RULE = "leader_indicator_not_achieved"
RULE_URL = f"/v1/recommendation-rules/{default_rule_id(LEADER_RULE)}"
OWN_RULE = helpers.below_rule("trained_below_90", 90)


@pytest.fixture
async def world(db, settings, api_client):
    """S1 (M1) and S3 (M2) both miss the global indicator's target: 50 % and 40 % < 70 %."""
    world = await add_analysts(db, settings, await build_world(db, settings))
    admin = world.headers("admin")
    answer = await api_client.post("/v1/indicators", json=TRAINED, headers=admin)
    assert answer.status_code == 201, answer.text
    values = [("trained", o.id, PERIOD, v) for o, v in ((world.s1, 50.0), (world.s3, 40.0))]
    await helpers.post_values(api_client, world, values, "admin")
    return world


async def generate(client, world, who: str, territory) -> None:
    answer = await helpers.generate(client, world, who, territory.id)
    assert answer.status_code == 200, answer.text


async def issued(client, world, rule_code: str) -> set[str]:
    """The schools that hold a recommendation of the rule about `trained` (read by an admin)."""
    answer = await client.get(
        "/v1/recommendations", params={"limit": 500}, headers=world.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    return {
        i["organization_id"]
        for i in answer.json()["items"]
        if i["rule_code"] == rule_code and i["subject"] == "indicator:trained"
    }


async def switch(client, world, who: str, territory, active: bool, url: str = RULE_URL):
    """PUT the rule's state for a territory, as `who`."""
    return await client.put(
        f"{url}/territories/{territory.id}", json={"active": active}, headers=world.headers(who)
    )


async def rule_as_admin(client, world, url: str = RULE_URL) -> dict:
    answer = await client.get(url, headers=world.headers("admin"))
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("who", ["analyst", "analyst2", "region_analyst", "methodologist"])
async def test_only_an_administrator_edits_deactivates_or_deletes_a_global_rule(
    reports_client, world, who
):
    before = await rule_as_admin(reports_client, world)
    assert before["owner_territory_id"] is None
    for body in ({"active": False}, {"title": "Подменено"}, {"params": {"indicator_codes": []}}):
        answer = await reports_client.patch(RULE_URL, json=body, headers=world.headers(who))
        assert answer.status_code == 403, answer.text
    answer = await reports_client.delete(RULE_URL, headers=world.headers(who))
    assert answer.status_code == 403
    after = await rule_as_admin(reports_client, world)
    assert (after["active"], after["title"], after["params"]) == (
        before["active"],
        before["title"],
        before["params"],
    )
    answer = await reports_client.patch(
        RULE_URL, json={"title": "Новое название"}, headers=world.headers("admin")
    )
    assert answer.status_code == 200 and answer.json()["title"] == "Новое название"


async def test_a_rule_of_m1_is_hidden_from_m2_and_changed_in_m1_or_above(reports_client, world):
    created = await reports_client.post(
        "/v1/recommendation-rules", json=OWN_RULE, headers=world.headers("analyst")
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["owner_territory_id"] == str(world.m1.id)
    url = f"/v1/recommendation-rules/{rule['id']}"
    attacker = world.headers("analyst2")
    assert (await reports_client.get(url, headers=attacker)).status_code == 404
    answer = await reports_client.patch(url, json={"active": False}, headers=attacker)
    assert answer.status_code == 404
    answer = await reports_client.patch(url, json={"template": "{where}"}, headers=attacker)
    assert answer.status_code == 404
    assert (await reports_client.delete(url, headers=attacker)).status_code == 404
    answer = await switch(reports_client, world, "analyst2", world.m2, False, url)
    assert answer.status_code == 404
    listed = await reports_client.get("/v1/recommendation-rules", headers=attacker)
    assert OWN_RULE["code"] not in {r["code"] for r in listed.json()["items"]}
    stored = await rule_as_admin(reports_client, world, url)
    assert stored["active"] is True and stored["template"] == OWN_RULE["template"]

    # Seen in M1 and below (with its owner), and changed by M1's analysts and the region's.
    for who in ("leader", "teacher", "viewer", "methodologist", "region_analyst"):
        listed = await reports_client.get("/v1/recommendation-rules", headers=world.headers(who))
        owners = {r["code"]: r["owner_territory_id"] for r in listed.json()["items"]}
        assert owners[OWN_RULE["code"]] == str(world.m1.id), who
        assert owners[LEADER_RULE] is None
    answer = await reports_client.patch(
        url, json={"title": "Мало обученных"}, headers=world.headers("region_analyst")
    )
    assert answer.status_code == 200, answer.text
    answer = await reports_client.patch(
        url, json={"active": False}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200 and answer.json()["active"] is False
    # The region's own rule: seen in M1, not changed there.
    regional = await reports_client.post(
        "/v1/recommendation-rules",
        json=OWN_RULE | {"code": "region_trained"},
        headers=world.headers("region_analyst"),
    )
    assert regional.json()["owner_territory_id"] == str(world.region.id)
    answer = await reports_client.patch(
        f"/v1/recommendation-rules/{regional.json()['id']}",
        json={"active": False},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 403


async def test_a_rule_for_another_territory_is_not_added(reports_client, world):
    answer = await reports_client.post(
        "/v1/recommendation-rules",
        json=OWN_RULE | {"owner_territory_id": str(world.m1.id)},
        headers=world.headers("analyst2"),
    )
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["loc"] == ["body", "owner_territory_id"]
    listed = await reports_client.get("/v1/recommendation-rules", headers=world.headers("admin"))
    assert OWN_RULE["code"] not in {r["code"] for r in listed.json()["items"]}
    # A global rule only an administrator adds; an analyst's is their territory's.
    answer = await reports_client.post(
        "/v1/recommendation-rules", json=OWN_RULE, headers=world.headers("admin")
    )
    assert answer.status_code == 201 and answer.json()["owner_territory_id"] is None


async def test_a_global_rule_switched_off_in_m2_still_works_in_m1(reports_client, world):
    answer = await switch(reports_client, world, "analyst2", world.m2, False)
    assert answer.status_code == 200, answer.text
    assert answer.json()["active_here"] is False
    assert answer.json()["switched_off_in"] == [str(world.m2.id)]
    assert answer.json()["active"] is True  # the rule itself stays on
    # M2 cannot switch it off for M1.
    answer = await switch(reports_client, world, "analyst2", world.m1, False)
    assert answer.status_code == 404

    await generate(reports_client, world, "analyst", world.m1)
    await generate(reports_client, world, "analyst2", world.m2)
    assert await issued(reports_client, world, LEADER_RULE) == {str(world.s1.id)}
    # The region's run does not address M2's schools with it either.
    await generate(reports_client, world, "region_analyst", world.region)
    assert await issued(reports_client, world, LEADER_RULE) == {str(world.s1.id)}

    # How each side sees the rule.
    for who, territory, active in (("analyst", world.m1, True), ("analyst2", world.m2, False)):
        listed = await reports_client.get("/v1/recommendation-rules", headers=world.headers(who))
        rule = next(r for r in listed.json()["items"] if r["code"] == LEADER_RULE)
        assert rule["active_here"] is active, who
        assert rule["switched_off_in"] == ([] if active else [str(territory.id)])
    listed = await reports_client.get(
        "/v1/recommendation-rules",
        params={"territory_id": str(world.m2.id)},
        headers=world.headers("region_analyst"),
    )
    assert (
        next(r for r in listed.json()["items"] if r["code"] == LEADER_RULE)["active_here"] is False
    )
    answer = await reports_client.get(
        "/v1/recommendation-rules",
        params={"territory_id": str(world.m2.id)},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 404

    # Back on in M2: the next run there addresses S3.
    answer = await switch(reports_client, world, "analyst2", world.m2, True)
    assert answer.status_code == 200 and answer.json()["active_here"] is True
    await generate(reports_client, world, "analyst2", world.m2)
    assert await issued(reports_client, world, LEADER_RULE) == {str(world.s1.id), str(world.s3.id)}


async def test_switched_off_in_the_region_it_is_off_below_too(reports_client, world):
    answer = await switch(reports_client, world, "region_analyst", world.region, False)
    assert answer.status_code == 200, answer.text
    await generate(reports_client, world, "analyst", world.m1)
    assert await issued(reports_client, world, LEADER_RULE) == set()
    # M1 may not switch off the region's switch-off (it is not theirs).
    answer = await switch(reports_client, world, "analyst", world.region, True)
    assert answer.status_code == 404


async def test_a_territorys_own_rule_applies_there_and_below_only(reports_client, world):
    created = await reports_client.post(
        "/v1/recommendation-rules", json=OWN_RULE, headers=world.headers("analyst")
    )
    assert created.status_code == 201, created.text
    await generate(reports_client, world, "analyst2", world.m2)
    assert await issued(reports_client, world, OWN_RULE["code"]) == set()
    await generate(reports_client, world, "region_analyst", world.region)
    assert await issued(reports_client, world, OWN_RULE["code"]) == {str(world.s1.id)}
    await generate(reports_client, world, "analyst", world.m1)
    assert await issued(reports_client, world, OWN_RULE["code"]) == {str(world.s1.id)}
    # It cannot be "switched off" where it does not apply.
    url = f"/v1/recommendation-rules/{created.json()['id']}"
    answer = await switch(reports_client, world, "region_analyst", world.region, False, url)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["path", "territory_id"]


async def test_the_methodologist_reads_rules_but_does_not_switch_them(reports_client, world):
    answer = await switch(reports_client, world, "methodologist2", world.m2, False)
    assert answer.status_code == 403
    answer = await reports_client.post(
        "/v1/recommendation-rules", json=OWN_RULE, headers=world.headers("methodologist2")
    )
    assert answer.status_code == 403
    rule = await rule_as_admin(reports_client, world)
    assert rule["switched_off_in"] == []


async def test_the_rules_page_by_code_each_caller_counting_those_they_see(reports_client, world):
    """`GET /v1/recommendation-rules` is `{items, total}`: the 19 defaults and the territories'
    own rules each caller sees, by code, paged by `limit` and `offset`."""
    own = {"analyst": ["m1_paged_a", "m1_paged_b"], "analyst2": ["m2_paged"]}
    for who, codes in own.items():
        for code in codes:
            made = await reports_client.post(
                "/v1/recommendation-rules",
                json=OWN_RULE | {"code": code},
                headers=world.headers(who),
            )
            assert made.status_code == 201, made.text
    url = "/v1/recommendation-rules"
    every = await walk(reports_client, url, world.headers("admin"), total=22)
    codes = [r["code"] for r in every]
    assert codes == sorted(codes) and set(own["analyst"] + own["analyst2"]) <= set(codes)
    m1 = await walk(reports_client, url, world.headers("analyst"), total=21)
    assert {r["code"] for r in m1} == set(codes) - {"m2_paged"}
    there = await walk(
        reports_client,
        url,
        world.headers("region_analyst"),
        total=20,
        params={"territory_id": str(world.m2.id)},
    )
    assert {r["code"] for r in there} == set(codes) - set(own["analyst"])
