"""Whose PD programmes are whose: the global catalogue is the administrators', a territory's own
programmes its analysts' and methodologists' (the PD centre), offered there and below. Tried as
the staff of M2 against M1's programmes, and as M1's against the global and the region's."""

import pytest
from sqlalchemy import update

from services.reports.pd_order.models import PdProgramme
from tests.factories import build_world
from tests.owners import add_analysts
from tests.reports.helpers import territory_report
from tests.reports.test_pd_order import DIGITAL, STRONG
from tests.surveys.forms import diagnostic_answers

PERIOD = "2021/2022"
URL = "/v1/pd-programmes"


def programme(code: str, hours: int = 24, competences: tuple[str, ...] = ("tools",)) -> dict:
    return {
        "code": code,
        "title": f"Программа {code}",
        "provider": "ИМЦ",
        "hours": hours,
        "competences": list(competences),
    }


@pytest.fixture
async def world(db, settings):
    return await add_analysts(db, settings, await build_world(db, settings))


async def create(client, world, who: str, body: dict) -> dict:
    answer = await client.post(URL, json=body, headers=world.headers(who))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def codes(client, world, who: str) -> dict[str, str | None]:
    answer = await client.get(URL, params={"limit": 500}, headers=world.headers(who))
    assert answer.status_code == 200, answer.text
    return {p["code"]: p["owner_territory_id"] for p in answer.json()["items"]}


async def default_programme(client, world) -> dict:
    listed = await client.get(URL, params={"limit": 1}, headers=world.headers("admin"))
    return listed.json()["items"][0]


@pytest.mark.parametrize("who", ["analyst", "methodologist", "analyst2", "region_analyst"])
async def test_only_an_administrator_changes_the_global_catalogue(reports_client, world, who):
    stored = await default_programme(reports_client, world)
    assert stored["owner_territory_id"] is None
    item = f"{URL}/{stored['id']}"
    for body in ({"hours": 1000}, {"active": False}, {"title": "Подменено"}):
        answer = await reports_client.patch(item, json=body, headers=world.headers(who))
        assert answer.status_code == 403, answer.text
    assert (await reports_client.delete(item, headers=world.headers(who))).status_code == 403
    after = (await reports_client.get(item, headers=world.headers("admin"))).json()
    assert (after["hours"], after["active"], after["title"]) == (
        stored["hours"],
        stored["active"],
        stored["title"],
    )
    answer = await reports_client.patch(item, json={"hours": 40}, headers=world.headers("admin"))
    assert answer.status_code == 200 and answer.json()["hours"] == 40


async def test_m1s_own_programme_is_hidden_from_m2_and_changed_in_m1_or_above(
    reports_client, world
):
    own = await create(reports_client, world, "methodologist", programme("m1_course"))
    assert own["owner_territory_id"] == str(world.m1.id)
    item = f"{URL}/{own['id']}"
    for who in ("analyst2", "methodologist2"):
        headers = world.headers(who)
        assert (await reports_client.get(item, headers=headers)).status_code == 404
        answer = await reports_client.patch(item, json={"hours": 1}, headers=headers)
        assert answer.status_code == 404
        assert (await reports_client.delete(item, headers=headers)).status_code == 404
        assert "m1_course" not in await codes(reports_client, world, who)
    assert (await reports_client.get(item, headers=world.headers("admin"))).json()["hours"] == 24
    for who in ("viewer", "leader", "teacher", "region_analyst"):
        assert (await codes(reports_client, world, who))["m1_course"] == str(world.m1.id), who
    for who, hours in (("analyst", 30), ("region_analyst", 32), ("methodologist", 36)):
        answer = await reports_client.patch(item, json={"hours": hours}, headers=world.headers(who))
        assert answer.status_code == 200 and answer.json()["hours"] == hours, who
    # The region's own programme: offered in M1, changed only in the region.
    regional = await create(reports_client, world, "region_analyst", programme("region_course"))
    answer = await reports_client.patch(
        f"{URL}/{regional['id']}", json={"hours": 1}, headers=world.headers("methodologist")
    )
    assert answer.status_code == 403
    # Removing its own (not a default) really removes it.
    assert (await reports_client.delete(item, headers=world.headers("analyst"))).status_code == 204
    assert (await reports_client.get(item, headers=world.headers("admin"))).status_code == 404


async def test_a_programme_for_another_territory_is_not_added(reports_client, world):
    body = programme("sneaky") | {"owner_territory_id": str(world.m1.id)}
    answer = await reports_client.post(URL, json=body, headers=world.headers("methodologist2"))
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["loc"] == ["body", "owner_territory_id"]
    assert "sneaky" not in await codes(reports_client, world, "admin")
    created = await create(reports_client, world, "admin", programme("global_course"))
    assert created["owner_territory_id"] is None
    assert "global_course" in await codes(reports_client, world, "analyst2")


async def test_the_pd_order_uses_the_global_its_own_and_its_ancestors_programmes(
    db, reports_client, surveys_client, world
):
    """Teacher A of S1 (M1) has an interpretation deficit. M2's 8-hour course would fit best
    but is not offered in M1: the region's 16-hour course is chosen, until M1 adds its own."""
    await db.execute(update(PdProgramme).values(active=False))
    interpretation = ("interpretation",)
    for who, code, hours in (
        ("admin", "global_interp", 36),
        ("region_analyst", "region_interp", 16),
        ("methodologist2", "m2_interp", 8),
    ):
        await create(reports_client, world, who, programme(code, hours, interpretation))
    campaign = world.campaigns["diagnostic_s1"]
    strong = {"design": 5, "tools": 5, "processing": 5, "security": 5, "interpretation": 1}
    given = diagnostic_answers(STRONG | strong, DIGITAL)
    answer = await surveys_client.post(
        f"/v1/campaigns/{campaign.id}/responses",
        json={"staff_id": str(world.t1.id), "answers": given},
        headers=world.headers("teacher"),
    )
    assert answer.status_code == 201, answer.text

    async def chosen() -> list[str]:
        built = await territory_report(reports_client, "/v1/pd-order", world, "methodologist")
        assert built.status_code == 200, built.text
        listed = await reports_client.get(
            "/v1/individual-routes",
            params={"period": PERIOD, "staff_id": str(world.t1.id)},
            headers=world.headers("methodologist"),
        )
        [route] = listed.json()["items"]
        return [s["programme"]["code"] for s in route["steps"] if s["programme"]]

    assert await chosen() == ["region_interp"]
    await create(reports_client, world, "methodologist", programme("m1_interp", 12, interpretation))
    assert await chosen() == ["m1_interp"]


async def test_a_retried_programme_post_with_its_key_replays_the_first(reports_client, world):
    headers = world.headers("admin") | {"Idempotency-Key": "programme-1"}
    first = await reports_client.post(URL, json=programme("key-1"), headers=headers)
    again = await reports_client.post(URL, json=programme("key-1"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = await reports_client.post(URL, json=programme("key-2"), headers=headers)
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]
