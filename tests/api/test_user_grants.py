"""An analyst manages the accounts of their territory but grants no more than they read: they
never make, re-scope or re-password the account of a teacher, a school leader or a
methodologist (who read teachers' personal diagnostic results, which analysts do not), and a
staff record has one account at most. Each way in that a tester used is tried here, inside the
analyst's own district."""

import pytest

from tests.api.test_auth import account

ADMIN_ONLY = (
    "Учётные записи учителей, руководителей организаций и методистов создаёт и меняет "
    "администратор: им видны личные результаты диагностик учителей"
)


async def new_staff_member(api_client, world) -> str:
    """A teacher of S1 with no account yet (its id)."""
    made = await api_client.post(
        f"/v1/organizations/{world.s1.id}/staff",
        json={"full_name": "Кузнецова Анна", "position": "teacher"},
        headers=world.headers("admin"),
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def readers(world, staff_id: str) -> dict[str, dict]:
    """A new account of each diagnostic reader, in the analyst's own district."""
    return {
        "methodologist": account(
            "m-new@soko.example", "Методист", "methodologist", "territory", world.m1.id
        ),
        "organization_leader": account(
            "l-new@soko.example", "Руководитель", "organization_leader", "organization", world.s1.id
        ),
        "teacher": account("t-new@soko.example", "Учитель", "teacher", "organization", world.s1.id)
        | {"staff_id": staff_id},
    }


@pytest.mark.parametrize("role", ["methodologist", "organization_leader", "teacher"])
async def test_an_analyst_makes_no_account_that_reads_diagnostics(api_client, world, role):
    body = readers(world, await new_staff_member(api_client, world))[role]
    refused = await api_client.post("/v1/users", json=body, headers=world.headers("analyst"))
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == ADMIN_ONLY
    listed = await api_client.get(
        "/v1/users", params={"q": body["email"]}, headers=world.headers("admin")
    )
    assert listed.json()["total"] == 0  # nothing made
    made = await api_client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert made.status_code == 201, made.text


async def test_an_analyst_still_makes_viewers(api_client, world):
    """Analysts' own accounts are the administrator's (`test_user_peers.py`)."""
    body = account("v-new@soko.example", "Наблюдатель", "viewer", "organization", world.s1.id)
    made = await api_client.post("/v1/users", json=body, headers=world.headers("analyst"))
    assert made.status_code == 201, made.text


async def test_an_analyst_sets_no_diagnostic_readers_password_nor_promotes_to_one(
    api_client, world
):
    analyst = world.headers("analyst")
    for who in ("teacher", "leader", "methodologist"):
        user_id = world.users[who].id
        taken = await api_client.patch(
            f"/v1/users/{user_id}", json={"password": "analyst-owned-2026"}, headers=analyst
        )
        assert taken.status_code == 403 and taken.json()["detail"] == ADMIN_ONLY
        moved = await api_client.patch(
            f"/v1/users/{user_id}",
            json={"scope_type": "organization", "scope_id": str(world.s2.id)}
            if who != "methodologist"
            else {"role": "viewer"},
            headers=analyst,
        )
        assert moved.status_code == 403, moved.text
    # The teacher's token still stands: nothing of the account changed.
    own = await api_client.get(
        f"/v1/users/{world.users['teacher'].id}", headers=world.headers("teacher")
    )
    assert own.status_code == 200 and own.json()["role"] == "teacher"
    viewer = world.users["viewer"].id
    promoted = await api_client.patch(
        f"/v1/users/{viewer}", json={"role": "methodologist"}, headers=analyst
    )
    assert promoted.status_code == 403 and promoted.json()["detail"] == ADMIN_ONLY
    kept = await api_client.get(f"/v1/users/{viewer}", headers=world.headers("admin"))
    assert kept.json()["role"] == "viewer"


async def test_an_analyst_may_still_rename_or_deactivate_a_teacher(api_client, world):
    user_id = world.users["teacher"].id
    answer = await api_client.patch(
        f"/v1/users/{user_id}",
        json={"full_name": "Иванова Мария Петровна", "is_active": False},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["is_active"] is False


async def test_a_staff_record_has_one_account(api_client, world):
    clone = account("clone@soko.example", "Клон", "teacher", "organization", world.s1.id) | {
        "staff_id": str(world.t1.id)  # the teacher's own record, already linked
    }
    answer = await api_client.post("/v1/users", json=clone, headers=world.headers("admin"))
    assert answer.status_code == 409, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "staff_id"]
    assert error["msg"] == "У этого сотрудника уже есть учётная запись"
    # Re-linking another account to it is refused alike; the teacher's own PATCH is not.
    viewer = world.users["target"].id
    relinked = await api_client.patch(
        f"/v1/users/{viewer}",
        json={"role": "teacher", "staff_id": str(world.t1.id)},
        headers=world.headers("admin"),
    )
    assert relinked.status_code == 409, relinked.text
    own = await api_client.patch(
        f"/v1/users/{world.users['teacher'].id}",
        json={
            "scope_type": "organization",
            "scope_id": str(world.s1.id),
            "staff_id": str(world.t1.id),
        },
        headers=world.headers("admin"),
    )
    assert own.status_code == 200, own.text


async def test_an_analyst_links_no_account_to_a_staff_record(api_client, world):
    """A viewer or an analyst linked to a teacher's record read and answered as that teacher
    (their personal diagnostic links, their staff record)."""
    staff_id = await new_staff_member(api_client, world)
    analyst = world.headers("analyst")
    body = account("viewer-linked@soko.example", "Связанный", "viewer", "organization", world.s1.id)
    refused = await api_client.post(
        "/v1/users", json=body | {"staff_id": staff_id}, headers=analyst
    )
    assert refused.status_code == 403, refused.text
    assert "staff_id" in refused.json()["detail"]
    viewer = world.users["target"].id  # a viewer of S1
    linked = await api_client.patch(
        f"/v1/users/{viewer}", json={"staff_id": staff_id}, headers=analyst
    )
    assert linked.status_code == 403, linked.text
    # The administrator makes the teacher's own account: the record is still free.
    teacher = account("t-own@soko.example", "Учитель", "teacher", "organization", world.s1.id)
    made = await api_client.post(
        "/v1/users", json=teacher | {"staff_id": staff_id}, headers=world.headers("admin")
    )
    assert made.status_code == 201, made.text


async def test_an_analyst_does_not_reactivate_a_diagnostic_reader(api_client, world):
    user_id = world.users["methodologist"].id
    off = await api_client.patch(
        f"/v1/users/{user_id}", json={"is_active": False}, headers=world.headers("admin")
    )
    assert off.status_code == 200, off.text
    on = await api_client.patch(
        f"/v1/users/{user_id}", json={"is_active": True}, headers=world.headers("analyst")
    )
    assert on.status_code == 403 and on.json()["detail"] == ADMIN_ONLY
    viewer = world.users["viewer"].id  # a viewer's they may turn back on
    for active in (False, True):
        answer = await api_client.patch(
            f"/v1/users/{viewer}", json={"is_active": active}, headers=world.headers("analyst")
        )
        assert answer.status_code == 200, answer.text
