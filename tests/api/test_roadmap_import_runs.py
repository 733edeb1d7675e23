"""A roadmap import checked first (`dry_run=true`), and the same document imported twice."""

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from services.api.roadmaps.models import Roadmap
from tests.api.helpers import seed
from tests.factories import build_world


async def import_seed(api_client, world, prefix="000", form=None, **params):
    """The demo's roadmap `prefix` imported for M1 by its analyst, `form` added to the form."""
    name, content = seed(prefix)
    fields = {"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)}
    return await api_client.post(
        "/v1/roadmaps/import",
        params=params,
        data=fields | (form or {}),
        files={"file": (name, content)},
        headers=world.headers("analyst"),
    )


async def roadmaps_total(api_client, world) -> int:
    listed = await api_client.get("/v1/roadmaps", headers=world.headers("admin"))
    return listed.json()["total"]


async def audited(api_client, world, entity_id: str) -> list:
    events = await api_client.get(
        "/v1/audit-events", params={"entity_id": entity_id}, headers=world.headers("admin")
    )
    return events.json()["items"]


async def test_a_dry_run_answers_what_the_import_would_create_and_stores_nothing(api_client, world):
    before = await roadmaps_total(api_client, world)
    checked = await import_seed(api_client, world, dry_run="true")
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["dry_run"] is True
    assert sum(len(s["activities"]) for s in body["roadmap"]["sections"]) == 6
    assert body["report"]["activities_found"] == 6
    assert await roadmaps_total(api_client, world) == before
    shown = body["roadmap"]["id"]
    gone = await api_client.get(f"/v1/roadmaps/{shown}", headers=world.headers("analyst"))
    assert gone.status_code == 404
    assert await audited(api_client, world, shown) == []

    real = await import_seed(api_client, world)
    assert real.status_code == 201, real.text
    stored = real.json()
    assert stored["dry_run"] is False
    assert stored["report"] == body["report"]
    assert stored["roadmap"]["title"] == body["roadmap"]["title"]
    assert [len(s["activities"]) for s in stored["roadmap"]["sections"]] == [
        len(s["activities"]) for s in body["roadmap"]["sections"]
    ]
    assert await roadmaps_total(api_client, world) == before + 1
    assert await audited(api_client, world, stored["roadmap"]["id"])


async def test_the_same_document_again_is_409_naming_the_roadmap_already_there(api_client, world):
    first = (await import_seed(api_client, world)).json()["roadmap"]
    total = await roadmaps_total(api_client, world)
    again = await import_seed(api_client, world)
    assert again.status_code == 409, again.text
    refusal = again.json()
    assert first["id"] in refusal["detail"] and "duplicate=true" in refusal["detail"]
    assert refusal["existing"] == [
        {"id": first["id"], "title": first["title"], "period": first["period"]}
    ]
    checked = await import_seed(api_client, world, dry_run="true")
    assert checked.status_code == 409, "a dry run says what the import would answer"
    assert await roadmaps_total(api_client, world) == total


async def test_duplicate_true_imports_a_second_copy_on_purpose(api_client, world):
    first = (await import_seed(api_client, world)).json()["roadmap"]
    copy = await import_seed(api_client, world, duplicate="true")
    assert copy.status_code == 201, copy.text
    assert copy.json()["roadmap"]["id"] != first["id"]
    assert copy.json()["roadmap"]["title"] == first["title"]


async def test_the_same_document_for_another_period_is_not_a_duplicate(api_client, world):
    first = await import_seed(api_client, world, "001")
    assert first.json()["roadmap"]["period"] == "2019/2020"
    other = await import_seed(api_client, world, "001", form={"period": "2020/2021"})
    assert other.status_code == 201, other.text


@pytest.mark.committed
async def test_concurrent_imports_of_one_document_store_it_once(apps, isolation, settings):
    owned = select(func.count()).select_from(Roadmap)
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
        before = await session.scalar(owned)
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = await asyncio.gather(*(import_seed(client, world) for _ in range(8)))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 409: 7}, [a.text for a in answers if a.status_code != 409]
    async with isolation() as session:
        assert await session.scalar(owned) == before + 1
