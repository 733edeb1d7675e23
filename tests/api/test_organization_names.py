"""Names people read: an organization's name or short name blank, invisible or holding format
characters (zero-width spaces, direction marks and overrides) is refused naming the field, as
are territories', clusters', staff members' and roadmaps' names; a name another organization
of the territory already has (as uploads match names) is 409 naming the field, as is a
territory's name its parent's other territory has, and a cluster's its territory's other
cluster has."""

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from services.api.organizations.models import Organization
from tests.factories import build_world


def _school(world, name: str, **more) -> dict:
    return {"name": name, "kind": "school", "territory_id": str(world.m1.id), **more}


async def _post(client, world, body: dict):
    return await client.post("/v1/organizations", json=body, headers=world.headers("admin"))


def _refusal(answer, field: str) -> str:
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"][-1] == field, error
    return error["msg"]


@pytest.mark.parametrize("name", ["   ", "\u200b", " \u200b\u200c \ufeff", "\t\n"])
async def test_a_blank_or_invisible_name_is_refused(api_client, world, name):
    message = _refusal(await _post(api_client, world, _school(world, name)), "name")
    assert "не заполнено" in message


@pytest.mark.parametrize(
    ("name", "code", "position"),
    [
        ("\u202eМБОУ «СОШ № 1»", "U+202E", 1),
        ("МБОУ «СОШ № 3»\u200f", "U+200F", 15),
        ("МБОУ\u200e «СОШ № 4»", "U+200E", 5),
        ("МБОУ «СОШ\u2066 № 5»", "U+2066", 10),
        ("Гимна\u200bзия № 7", "U+200B", 6),
    ],
)
async def test_a_format_character_in_a_name_is_refused_saying_which_and_where(
    api_client, world, name, code, position
):
    message = _refusal(await _post(api_client, world, _school(world, name)), "name")
    assert code in message and f"позиции {position}" in message, message


async def test_spaces_around_a_name_are_stripped(api_client, world):
    made = await _post(api_client, world, _school(world, "  МБОУ «СОШ № 12»\u00a0 "))
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "МБОУ «СОШ № 12»"


async def test_a_short_name_is_checked_the_same(api_client, world):
    body = _school(world, "МБОУ «СОШ № 13»", short_name="СОШ\u202e 13")
    assert "U+202E" in _refusal(await _post(api_client, world, body), "short_name")


async def test_a_name_another_organization_of_the_territory_has_is_409(api_client, world, db):
    first = await _post(api_client, world, _school(world, "МБОУ «Гимназия № 1»", short_name="Г1"))
    assert first.status_code == 201, first.text
    for again in ("МБОУ «Гимназия № 1»", "мбоу  гимназия №1", "МБОУ Гимназия N 1"):
        answer = await _post(api_client, world, _school(world, again))
        assert answer.status_code == 409, answer.text
        assert answer.json()["errors"][0]["loc"][-1] == "name"
        assert first.json()["id"] in answer.json()["detail"]
    short = await _post(api_client, world, _school(world, "МБОУ «Гимназия № 2»", short_name="г1"))
    assert short.status_code == 409 and short.json()["errors"][0]["loc"][-1] == "short_name"
    # Another territory may have its own «Гимназия № 1».
    elsewhere = _school(world, "МБОУ «Гимназия № 1»") | {"territory_id": str(world.m2.id)}
    assert (await _post(api_client, world, elsewhere)).status_code == 201
    count = (
        select(func.count())
        .select_from(Organization)
        .where(Organization.territory_id == world.m1.id)
    )
    total = await db.scalar(count)
    # A rename onto another's name is 409 too; keeping one's own name is fine.
    renamed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"name": world.s1.name},
        headers=world.headers("admin"),
    )
    assert renamed.status_code == 409 and renamed.json()["errors"][0]["loc"][-1] == "name"
    same = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"name": f" {world.s2.name} ", "short_name": "Ш2"},
        headers=world.headers("admin"),
    )
    assert same.status_code == 200, same.text
    assert await db.scalar(count) == total


async def test_a_patch_to_a_format_character_name_is_refused(api_client, world):
    answer = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"name": "Школа\u200f 2"},
        headers=world.headers("admin"),
    )
    assert "U+200F" in _refusal(answer, "name")


async def test_other_names_people_read_are_checked_the_same(api_client, world):
    admin = world.headers("admin")
    territory = await api_client.post(
        "/v1/territories",
        json={"name": "\u200b", "kind": "municipality", "parent_id": str(world.region.id)},
        headers=admin,
    )
    assert "не заполнено" in _refusal(territory, "name")
    cluster = await api_client.post(
        "/v1/clusters",
        json={"name": "Кластер\u202e 1", "territory_id": str(world.m1.id)},
        headers=admin,
    )
    assert "U+202E" in _refusal(cluster, "name")
    staff = await api_client.post(
        f"/v1/organizations/{world.s1.id}/staff",
        json={"full_name": "   ", "position": "teacher"},
        headers=admin,
    )
    assert "не заполнено" in _refusal(staff, "full_name")
    roadmap = await api_client.post(
        "/v1/roadmaps",
        json={
            "title": "Дорожная карта\u2067",
            "level": "municipality",
            "owner_type": "territory",
            "owner_id": str(world.m1.id),
        },
        headers=admin,
    )
    assert "U+2067" in _refusal(roadmap, "title")


async def test_a_territorys_or_clusters_name_taken_by_a_sibling_is_409(api_client, world):
    admin = world.headers("admin")

    def territory(name: str, parent) -> dict:
        return {"name": name, "kind": "municipality", "parent_id": str(parent)}

    # world.m1 is «Район 1» of the region: a second one (spaces and case aside) is refused.
    for again in ("Район 1", " район  1 "):
        answer = await api_client.post(
            "/v1/territories", json=territory(again, world.region.id), headers=admin
        )
        assert answer.status_code == 409, answer.text
        assert answer.json()["errors"][0]["loc"][-1] == "name"
        assert str(world.m1.id) in answer.json()["detail"]
        assert "уже входит территория с таким названием" in answer.json()["detail"]
    # A rename onto a sibling's name is 409; under another parent the name is free.
    renamed = await api_client.patch(
        f"/v1/territories/{world.m2.id}", json={"name": "РАЙОН 1"}, headers=admin
    )
    assert renamed.status_code == 409, renamed.text
    kept = await api_client.patch(
        f"/v1/territories/{world.m2.id}", json={"name": "Район 2"}, headers=admin
    )
    assert kept.status_code == 200, kept.text
    other_region = await api_client.post(
        "/v1/territories", json={"name": "Другая область", "kind": "region"}, headers=admin
    )
    assert other_region.status_code == 201, other_region.text
    elsewhere = territory("Район 1", other_region.json()["id"])
    assert (
        await api_client.post("/v1/territories", json=elsewhere, headers=admin)
    ).status_code == 201
    # A second top-level «Область» too.
    top = await api_client.post(
        "/v1/territories", json={"name": "область", "kind": "region"}, headers=admin
    )
    assert top.status_code == 409 and "На верхнем уровне" in top.json()["detail"], top.text

    # Clusters: world.c1 «Кластер 1» of M1.
    cluster = {"name": "кластер 1", "territory_id": str(world.m1.id)}
    answer = await api_client.post("/v1/clusters", json=cluster, headers=admin)
    assert answer.status_code == 409, answer.text
    assert "уже есть кластер с таким названием" in answer.json()["detail"]
    assert str(world.c1.id) in answer.json()["detail"]
    made = await api_client.post(
        "/v1/clusters", json=cluster | {"name": "Кластер 3"}, headers=admin
    )
    assert made.status_code == 201, made.text
    renamed = await api_client.patch(
        f"/v1/clusters/{made.json()['id']}", json={"name": "Кластер 1"}, headers=admin
    )
    assert renamed.status_code == 409 and renamed.json()["errors"][0]["loc"][-1] == "name"
    # M2 may have its own «Кластер 1».
    there = cluster | {"territory_id": str(world.m2.id)}
    assert (await api_client.post("/v1/clusters", json=there, headers=admin)).status_code == 201


@pytest.mark.committed
async def test_concurrent_posts_of_one_name_create_one_organization(apps, isolation, settings):
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = await asyncio.gather(
            *(_post(client, world, _school(world, "МБОУ «СОШ № 77»")) for _ in range(6))
        )
    assert Counter(a.status_code for a in answers) == {201: 1, 409: 5}, [a.text for a in answers]
    async with isolation() as session:
        named = (
            select(func.count())
            .select_from(Organization)
            .where(Organization.name == "МБОУ «СОШ № 77»")
        )
        assert await session.scalar(named) == 1
