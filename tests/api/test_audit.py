"""The audit log: every write with its before and after, never a secret; admins read it."""

import pytest


async def events(api_client, world, **filters):
    answer = await api_client.get(
        "/v1/audit-events", params=filters, headers=world.headers("admin")
    )
    assert answer.status_code == 200
    return answer.json()["items"]


async def test_update_is_recorded_with_actor_and_before_after(api_client, world):
    h = world.headers("leader")
    await api_client.patch(
        f"/v1/organizations/{world.s1.id}",
        json={"context": {"students": 777}},
        headers={**h, "X-Request-ID": "rq-1"},
    )
    [event] = await events(
        api_client, world, entity_type="organization", entity_id=str(world.s1.id), action="update"
    )
    assert event["actor_id"] == str(world.users["leader"].id)
    assert event["actor_role"] == "organization_leader"
    assert event["changes"]["context"] == {"before": {"students": 500}, "after": {"students": 777}}
    assert event["request_id"] == "rq-1"


async def test_passwords_and_key_hashes_never_reach_the_log(api_client, world):
    await api_client.post(
        "/v1/users",
        json={
            "email": "new@soko.example",
            "password": "secret-password-9",
            "full_name": "Новый",
            "role": "viewer",
            "scope_type": "territory",
            "scope_id": str(world.m1.id),
        },
        headers=world.headers("admin"),
    )
    await api_client.post(
        f"/v1/organizations/{world.s1.id}/api-keys",
        json={"name": "АИС"},
        headers=world.headers("admin"),
    )
    logged = str(await events(api_client, world, limit=500))
    assert "new@soko.example" in logged
    assert "password_hash" not in logged and "secret-password-9" not in logged
    assert "key_hash" not in logged


async def test_cluster_membership_changes_are_recorded(api_client, world):
    await api_client.patch(
        f"/v1/clusters/{world.c1.id}",
        json={"member_ids": [str(world.s1.id)]},
        headers=world.headers("analyst"),
    )
    [event] = await events(
        api_client, world, entity_type="cluster", entity_id=str(world.c1.id), action="update"
    )
    assert event["changes"]["member_ids"]["after"] == [str(world.s1.id)]
    assert len(event["changes"]["member_ids"]["before"]) == 2


async def test_another_service_records_a_read_for_the_user_it_acts_for(api_client, world, settings):
    from shared.identity import issue_service_token

    headers = {
        "Authorization": f"Bearer {issue_service_token(settings, 'surveys')}",
        "X-Soko-User": world.tokens["methodologist"],
    }
    answer = await api_client.post(
        "/v1/audit-events",
        json={
            "action": "read_personal",
            "entity_type": "deficit_result",
            "entity_id": str(world.t1.id),
        },
        headers=headers,
    )
    assert answer.status_code == 201
    [event] = await events(api_client, world, action="read_personal")
    assert event["actor_id"] == str(world.users["methodologist"].id)
    assert event["service"] == "surveys" and event["via"] == "surveys"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "read_personal", "entity_type": "deficit_result", "entity_id": "x"},
        {"action": "read_personal"},  # malformed: no entity
        {"entity_type": 5, "changes": "many"},
    ],
)
@pytest.mark.parametrize("who", ["teacher", "analyst", "admin"])
async def test_a_person_cannot_write_the_audit_log_whatever_they_send(api_client, world, who, body):
    """Only Soko services write events: a person gets 403, a malformed event as a well-formed
    one (the refusal comes before the body is read for its fields), and nothing is recorded."""
    answer = await api_client.post("/v1/audit-events", json=body, headers=world.headers(who))
    assert answer.status_code == 403, answer.text
    assert "только сервисы Soko" in answer.json()["detail"]
    assert await events(api_client, world, action="read_personal") == []
