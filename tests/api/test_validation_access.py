"""Validation rules and their violations as another territory or school sees them: a rule
applies in its owner's territory only; another school's leader in the same municipality and
another territory's analyst and leader read and change nothing of them."""

import pytest

from services.api.auth.service import user_principal
from shared.identity import issue_user_token
from tests.api.validation import add_rule, post, results, row, validation_world
from tests.factories import add_user


@pytest.fixture
async def world(db, settings):
    return await validation_world(db, settings)


async def test_a_rule_applies_in_its_owner_territory_only(api_client, world):
    await add_rule(api_client, world, action="reject")  # M1's own rule
    summary = await post(
        api_client,
        world,
        [
            row(world, "students_total", 10, org=world.s3.id),  # S3 lies in M2
            row(world, "students_passed", 20, org=world.s3.id),
        ],
        who="admin",
    )
    assert summary["imported"] == 2 and summary["rejected"] == [] and summary["violations"] == []


async def test_another_territory_or_school_sees_nothing(api_client, world, db, settings):
    rule = await add_rule(api_client, world)
    await post(
        api_client, world, [row(world, "students_total", 10), row(world, "students_passed", 12)]
    )
    # The leader of S1 sees their school's violation; the leader of S2 in the same municipality
    # sees none of S1's, and is refused S1 by name.
    own = await results(api_client, world, who="leader", territory_id=world.m1.id)
    assert [i["organization_id"] for i in own["items"]] == [str(world.s1.id)]
    assert (await results(api_client, world, who="leader2", territory_id=world.m1.id))[
        "items"
    ] == []
    refused = await api_client.get(
        "/v1/validation-results",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("leader2"),
    )
    assert refused.status_code == 404
    # M2's leader (S3) and territory: 404 for M1, and M1's rule is not theirs to see or change.
    for path in (
        f"/v1/validation-results?territory_id={world.m1.id}",
        f"/v1/validation-rules/{rule['id']}",
    ):
        answer = await api_client.get(path, headers=world.headers("leader3"))
        assert answer.status_code == 404, (path, answer.text)
    answer = await api_client.patch(
        f"/v1/validation-rules/{rule['id']}",
        json={"message": "Чужое"},
        headers=world.headers("leader3"),
    )
    assert answer.status_code in (403, 404)
    # M2's analyst: M1's violations and rule are not there for them (404), their own
    # territory's list holds nothing of M1, and their import into M2 is not checked by it.
    analyst2 = add_user(db, "analyst2@soko.example", "territory_analyst", "territory", world.m2.id)
    await db.flush()
    world.tokens["analyst2"] = issue_user_token(settings, user_principal(analyst2))
    for path in (
        f"/v1/validation-results?territory_id={world.m1.id}",
        f"/v1/validation-results?organization_id={world.s1.id}",
        f"/v1/validation-rules/{rule['id']}",
    ):
        answer = await api_client.get(path, headers=world.headers("analyst2"))
        assert answer.status_code == 404, (path, answer.text)
    assert (await results(api_client, world, who="analyst2"))["items"] == []
    listed = await api_client.get("/v1/validation-rules", headers=world.headers("analyst2"))
    assert listed.json()["total"] == 0
    answer = await api_client.delete(
        f"/v1/validation-rules/{rule['id']}", headers=world.headers("analyst2")
    )
    assert answer.status_code == 404
    # The global catalogue is the administrators': an analyst may not change a global rule.
    global_rule = await add_rule(api_client, world, who="admin", code="global_rule")
    assert global_rule["owner_territory_id"] is None
    answer = await api_client.patch(
        f"/v1/validation-rules/{global_rule['id']}",
        json={"message": "Моё"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 403
