"""A territory's kind is checked on every PATCH as on its creation, against its parent and its
children: a region never sits inside a municipality (422 naming `kind`); and an analyst does
not change the kind of their own territory (403 naming `kind`), which would raise its level."""

import pytest


def _refused(answer, status: int) -> str:
    assert answer.status_code == status, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"][-1] == "kind", error
    return error["msg"]


async def _territory(api_client, world, name: str, kind: str, parent) -> dict:
    body = {"name": name, "kind": kind, "parent_id": str(parent["id"] if parent else None)}
    if parent is None:
        body.pop("parent_id")
    made = await api_client.post("/v1/territories", json=body, headers=world.headers("admin"))
    assert made.status_code == 201, made.text
    return made.json()


async def _kind(api_client, world, who: str, territory_id, kind: str):
    return await api_client.patch(
        f"/v1/territories/{territory_id}", json={"kind": kind}, headers=world.headers(who)
    )


async def test_an_analyst_does_not_change_their_own_territorys_kind(api_client, world):
    answer = await _kind(api_client, world, "analyst", world.m1.id, "region")
    assert "администратор" in _refused(answer, 403)
    kept = await api_client.get(f"/v1/territories/{world.m1.id}", headers=world.headers("admin"))
    assert kept.json()["kind"] == "municipality"
    # the kind it has, sent again, changes nothing and is no refusal
    same = await _kind(api_client, world, "analyst", world.m1.id, "municipality")
    assert same.status_code == 200, same.text


async def test_a_municipality_inside_a_municipality_does_not_become_a_region(api_client, world):
    m1 = {"id": world.m1.id}
    settlement = await _territory(api_client, world, "Сельское поселение", "municipality", m1)
    for who in ("admin", "analyst"):
        answer = await _kind(api_client, world, who, settlement["id"], "region")
        assert _refused(answer, 422) == "Регион не может входить в муниципалитет"


async def test_a_territory_with_a_region_inside_does_not_become_a_municipality(api_client, world):
    upper = await _territory(api_client, world, "Федеральный округ", "region", None)
    await _territory(api_client, world, "Край", "region", upper)
    answer = await _kind(api_client, world, "admin", upper["id"], "municipality")
    message = _refused(answer, 422)
    assert "муниципалитетом" in message and "«Край»" in message, message


@pytest.mark.parametrize("kind", ["region", "municipality"])
async def test_a_kind_the_hierarchy_allows_is_changed(api_client, world, kind):
    upper = await _territory(api_client, world, "Округ", "region", None)
    lower = await _territory(api_client, world, "Район", "municipality", upper)
    answer = await _kind(api_client, world, "admin", lower["id"], kind)
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == kind
