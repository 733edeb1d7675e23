"""`low_reporting` end to end: values posted through the api around a collection's due date,
recommendations issued for the municipality: only the leader of the school that is late (past
due, incomplete) is told what to report; the school that reported late but completely, the
one in time, and the other schools' leaders get nothing of it."""

from services.api.auth.service import user_principal
from shared.identity import issue_user_token
from tests.factories import add_user
from tests.reports.helpers import PERIOD, generate
from tests.reports.quality_world import COLLECTION, quality_world, three_schools

RULE = "leader_low_reporting"


async def _mine(client, world, who):
    answer = await client.get(
        "/v1/recommendations", params={"period": PERIOD}, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return [i for i in answer.json()["items"] if i["rule_code"] == RULE]


async def test_only_the_late_schools_leader_is_told_to_report(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    world.users["leader10"] = add_user(
        db, "leader10@soko.example", "organization_leader", "organization", world.s10.id
    )
    await db.flush()
    world.tokens["leader10"] = issue_user_token(settings, user_principal(world.users["leader10"]))
    await three_schools(api_client, db, world)

    answer = await generate(reports_client, world)
    assert answer.status_code == 200, answer.text

    [told] = await _mine(reports_client, world, "leader10")
    assert told["addressee_type"] == "organization_leader"
    assert told["addressee_id"] == str(world.s10.id)
    assert f"не сдала данные сбора «{COLLECTION}» за {PERIOD}" in told["text"]
    assert "срок сдачи 01.10.2021 прошёл" in told["text"]
    assert "Не внесены показатели: «Доля педагогов, прошедших КПК»" in told["text"]
    assert told["actions"][0]["text"].startswith(f"Сдать данные сбора «{COLLECTION}» до ")
    for who in ("leader", "leader2", "leader3", "teacher"):
        assert await _mine(reports_client, world, who) == [], who
    # The analyst sees it among the territory's; nothing about a school of another territory.
    every = await _mine(reports_client, world, "analyst")
    assert [i["addressee_id"] for i in every] == [str(world.s10.id)]
