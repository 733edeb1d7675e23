"""A new account's role and scope: what is missing or wrong is named, in plain Russian."""

import pytest

from tests.api.test_auth import account


async def refusal(api_client, world, body: dict, who="admin") -> dict:
    """The one field error of a refused `POST /v1/users`: `{loc, msg}`."""
    answer = await api_client.post("/v1/users", json=body, headers=world.headers(who))
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    return {"loc": error["loc"], "msg": error["msg"]}


async def test_an_analyst_without_a_territory_is_told_to_give_the_territory(api_client, world):
    body = account("a2@soko.example", "Аналитик", "territory_analyst") | {"scope_type": "territory"}
    assert await refusal(api_client, world, body) == {
        "loc": ["body", "scope_id"],
        "msg": "Для роли «аналитик территории» укажите территорию (scope_id)",
    }


async def test_a_viewer_without_a_scope_is_told_which_kinds_fit(api_client, world):
    body = account("v2@soko.example", "Наблюдатель", "viewer")
    assert await refusal(api_client, world, body) == {
        "loc": ["body", "scope_type"],
        "msg": "Для роли «наблюдатель» укажите вид зоны доступа (scope_type): "
        "территория, кластер или организация",
    }


async def test_a_leader_given_a_territory_is_told_it_takes_an_organization(api_client, world):
    body = account(
        "l2@soko.example", "Руководитель", "organization_leader", "territory", world.m1.id
    )
    assert await refusal(api_client, world, body) == {
        "loc": ["body", "scope_type"],
        "msg": "Для роли «руководитель организации» зона доступа (scope_type) — организация, "
        "а не территория",
    }


@pytest.mark.parametrize("field", ["scope_type", "scope_id"])
async def test_an_administrator_given_a_scope_is_told_to_leave_it_out(api_client, world, field):
    given = {"scope_type": "territory", "scope_id": str(world.m1.id)}
    body = account("b2@soko.example", "Админ", "admin") | {field: given[field]}
    assert await refusal(api_client, world, body) == {
        "loc": ["body", field],
        "msg": "У администратора нет зоны доступа: не указывайте scope_type и scope_id",
    }


async def test_a_teacher_without_a_staff_member_is_named_in_russian(api_client, world):
    body = account("t9@soko.example", "Учитель", "teacher", "organization", world.s1.id)
    assert await refusal(api_client, world, body) == {
        "loc": ["body", "staff_id"],
        "msg": "Для роли «педагог» укажите сотрудника (staff_id)",
    }


async def test_a_territory_not_there_or_not_theirs_is_404_naming_scope_id(api_client, world):
    missing = "00000000-0000-0000-0000-000000000000"
    for who, scope_id in (("admin", missing), ("analyst", missing), ("analyst", world.m2.id)):
        body = account("m9@soko.example", "Наблюдатель", "viewer", "territory", scope_id)
        answer = await api_client.post("/v1/users", json=body, headers=world.headers(who))
        assert answer.status_code == 404, answer.text
        [error] = answer.json()["errors"]
        assert error["loc"] == ["body", "scope_id"]
        assert error["msg"] == "Территория не найдена или вне вашей зоны доступа"
