"""A school's leader withdraws a submission not yet approved: the data are `not_submitted`
again, the step audited and in the history; refused (409, in Russian) once approved or when
nothing is submitted; another school's leader of the same municipality cannot (404)."""

import pytest

from tests.api.test_approvals import PERIOD, act, approval_world, post_values, values


@pytest.fixture
async def world(db, settings):
    return await approval_world(db, settings)


async def test_a_leader_withdraws_a_submission_then_submits_again(api_client, world):
    assert (await post_values(api_client, world, values(world))).status_code == 200
    submitted = await act(api_client, world, "submit", "leader")
    withdrawn = await act(api_client, world, "withdraw", "leader", comment="  Уточним КПК  ")
    assert withdrawn.status_code == 200, withdrawn.text
    answer = withdrawn.json()
    assert (answer["status"], answer["level"], answer["last_action"], answer["comment"]) == (
        "not_submitted",
        0,
        "withdraw",
        "Уточним КПК",
    )
    assert answer["id"] == submitted.json()["id"] and answer["completeness"] == 100.0
    # Nothing to approve now; nothing more to withdraw.
    assert (await act(api_client, world, "approve", "analyst")).status_code == 409
    again = await act(api_client, world, "withdraw", "leader")
    assert again.status_code == 409
    assert again.json()["detail"] == "Данные не поданы на утверждение: отзывать нечего"
    status = await api_client.get(
        f"/v1/collections/{world.municipal.id}/status",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    mine = [o for o in status.json()["organizations"] if o["organization_id"] == str(world.s1.id)]
    assert mine[0]["approval"]["status"] == "not_submitted"
    assert status.json()["territory"]["approved"] == 0
    resubmitted = await act(api_client, world, "submit", "leader")
    assert resubmitted.status_code == 200 and resubmitted.json()["status"] == "submitted"

    history = await api_client.get(
        f"/v1/collections/{world.municipal.id}/approvals/history",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("analyst"),
    )
    assert [(s["action"], s["status"], s["comment"]) for s in history.json()["items"]] == [
        ("submit", "submitted", None),
        ("withdraw", "not_submitted", "Уточним КПК"),
        ("submit", "submitted", None),
    ]
    events = await api_client.get(
        "/v1/audit-events",
        params={"entity_type": "collection_approval", "entity_id": answer["id"]},
        headers=world.headers("admin"),
    )
    audited = events.json()["items"][::-1]  # oldest first
    assert [e["action"] for e in audited] == ["create", "update", "update"]
    assert audited[1]["actor_id"] == str(world.users["leader"].id)
    assert audited[1]["changes"]["status"] == {"before": "submitted", "after": "not_submitted"}


async def test_approved_data_cannot_be_withdrawn(api_client, world):
    await act(api_client, world, "submit", "leader")
    await act(api_client, world, "approve", "analyst")
    refused = await act(api_client, world, "withdraw", "leader", comment="Ошибка")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "утверждены" in refused.json()["detail"] and "Район 1" in refused.json()["detail"]
    # Still approved and locked.
    assert (await post_values(api_client, world, values(world, 5.0))).status_code == 409


async def test_a_returned_submission_is_nothing_to_withdraw(api_client, world):
    await act(api_client, world, "submit", "leader")
    await act(api_client, world, "return", "analyst", comment="Нет данных о КПК")
    assert (await act(api_client, world, "withdraw", "leader")).status_code == 409


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("leader2", 404),  # another school of the same municipality
        ("leader3", 404),  # a school of another municipality
        ("analyst", 403),  # the municipality does not withdraw a school's submission
        ("viewer", 403),
    ],
)
async def test_only_the_schools_leader_withdraws(api_client, world, who, expected):
    await act(api_client, world, "submit", "leader")
    answer = await act(api_client, world, "withdraw", who)
    assert answer.status_code == expected, answer.text
    # The submission stands.
    listed = await api_client.get(
        f"/v1/collections/{world.municipal.id}/approvals", headers=world.headers("analyst")
    )
    assert [a["status"] for a in listed.json()["items"]] == ["submitted"]


async def test_a_withdrawn_submission_does_not_hold_its_window(api_client, world):
    # A submitted period's window stays (409); once withdrawn, nothing holds it.
    path = f"/v1/collections/{world.municipal.id}"
    headers = world.headers("analyst")
    assert (await act(api_client, world, "submit", "leader")).status_code == 200
    later = {"period": "2022/2023", "opens_date": "2022-09-01", "due_date": "2022-10-15"}
    held = await api_client.patch(path, json={"windows": [later]}, headers=headers)
    assert held.status_code == 409 and PERIOD in held.json()["detail"]
    assert (await act(api_client, world, "withdraw", "leader")).status_code == 200
    moved = await api_client.patch(path, json={"windows": [later]}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert [w["period"] for w in moved.json()["windows"]] == ["2022/2023"]
