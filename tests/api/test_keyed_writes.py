"""Every POST that writes honours `Idempotency-Key` (shared/keyed_routes.py): a retry replays
the first answer and creates nothing, another body with the key is 409 naming the header, keys
are per caller, and concurrent posts with one key create one record."""

import asyncio
import json
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select, text

from services.api.api_keys.models import ApiKey
from services.api.organizations.models import Organization
from services.api.staff.models import StaffMember
from shared.keyed_routes import EXEMPT
from tests.factories import build_world


def _school(world, name: str = "МБОУ «СОШ № 78»") -> dict:
    return {"name": name, "kind": "school", "territory_id": str(world.m1.id), "context": {}}


def _keyed(world, who: str, key: str) -> dict:
    return world.headers(who) | {"Idempotency-Key": key}


async def _count(db, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return await db.scalar(query)


async def test_a_retried_organization_post_replays_the_first_answer(api_client, world, db):
    headers = _keyed(world, "admin", str(uuid.uuid4()))
    answers = [
        await api_client.post("/v1/organizations", json=_school(world), headers=headers)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201], answers[0].text
    assert len({a.json()["id"] for a in answers}) == 1
    assert "idempotent-replayed" not in answers[0].headers
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert answers[2].json() == answers[0].json()
    assert await _count(db, Organization, name="МБОУ «СОШ № 78»") == 1
    # Another body with the same key: 409 naming the header, nothing created.
    other = await api_client.post(
        "/v1/organizations", json=_school(world, "МБОУ «СОШ № 79»"), headers=headers
    )
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["detail"], other.text
    assert await _count(db, Organization, name="МБОУ «СОШ № 79»") == 0
    # Without a key each post is its own.
    plain = await api_client.post(
        "/v1/organizations", json=_school(world, "МБОУ «СОШ № 80»"), headers=world.headers("admin")
    )
    assert plain.status_code == 201


async def test_keys_are_per_caller(api_client, world, db):
    key = str(uuid.uuid4())
    first = await api_client.post(
        "/v1/organizations", json=_school(world), headers=_keyed(world, "admin", key)
    )
    theirs = await api_client.post(
        "/v1/organizations",
        json=_school(world, "МБОУ «СОШ № 81»"),
        headers=_keyed(world, "analyst", key),
    )
    assert first.status_code == theirs.status_code == 201, theirs.text
    assert first.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_a_retried_staff_post_and_api_key_post_create_one(api_client, world, db):
    path = f"/v1/organizations/{world.s2.id}/staff"
    body = {"full_name": "Петрова Анна Ивановна", "position": "teacher"}
    headers = _keyed(world, "admin", "staff-1")
    answers = [await api_client.post(path, json=body, headers=headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201], answers[0].text
    assert answers[0].json() == answers[1].json()
    assert await _count(db, StaffMember, full_name="Петрова Анна Ивановна") == 1
    keys = f"/v1/organizations/{world.s2.id}/api-keys"
    headers = _keyed(world, "admin", "key-1")
    made = [await api_client.post(keys, json={"name": "ИС"}, headers=headers) for _ in range(2)]
    assert [a.status_code for a in made] == [201, 201], made[0].text
    # The key's secret is shown once: never kept with the answer, null in the replay.
    first, again = made[0].json(), made[1].json()
    assert first["key"].startswith("soko_") and again["key"] is None
    assert {k: v for k, v in first.items() if k != "key"} == {
        k: v for k, v in again.items() if k != "key"
    }
    made_ids = await db.scalars(select(ApiKey.id).where(ApiKey.name == "ИС"))
    assert list(made_ids) == [uuid.UUID(first["id"])]
    kept = (await db.execute(text("SELECT response::text FROM api.idempotency_key"))).scalars()
    assert not any(first["key"] in (answer or "") for answer in kept)


async def test_a_retried_user_post_replays_its_201_not_already_exists(api_client, world):
    body = {
        "email": "new.user@soko.example",
        "password": "Пароль-надёжный-1",
        "full_name": "Новый Пользователь",
        "role": "viewer",
        "scope_type": "territory",
        "scope_id": str(world.m1.id),
    }
    headers = _keyed(world, "admin", "user-1")
    first = await api_client.post("/v1/users", json=body, headers=headers)
    again = await api_client.post("/v1/users", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert first.json() == again.json()


async def test_a_refused_post_keeps_no_key_and_its_fixed_retry_runs(api_client, world, db):
    headers = _keyed(world, "admin", "refused-then-fixed")
    bad = _school(world) | {"territory_id": str(uuid.uuid4())}
    refused = await api_client.post("/v1/organizations", json=bad, headers=headers)
    assert refused.status_code in (404, 422), refused.text
    fixed = await api_client.post("/v1/organizations", json=_school(world), headers=headers)
    assert fixed.status_code == 201, fixed.text
    assert await _count(db, Organization, name="МБОУ «СОШ № 78»") == 1


@pytest.mark.committed
async def test_ten_concurrent_posts_with_one_key_create_one_organization(apps, isolation, settings):
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    headers = _keyed(world, "admin", str(uuid.uuid4()))
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = await asyncio.gather(
            *(
                client.post("/v1/organizations", json=_school(world), headers=headers)
                for _ in range(10)
            )
        )
    assert Counter(a.status_code for a in answers) == {201: 10}, [
        a.text for a in answers if a.status_code != 201
    ]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum("idempotent-replayed" in a.headers for a in answers) == 9
    async with isolation() as session:
        assert await _count(session, Organization, name="МБОУ «СОШ № 78»") == 1


def _post_operations(app) -> list[tuple[str, dict]]:
    return [(path, item["post"]) for path, item in app.openapi()["paths"].items() if "post" in item]


@pytest.mark.parametrize("service", ["api", "surveys", "reports"])
async def test_every_post_of_the_api_takes_an_idempotency_key_or_says_why_not(apps, service):
    app = getattr(apps, service)
    missing = []
    for path, operation in _post_operations(app):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers and path.removeprefix("/v1") not in EXEMPT:
            missing.append(path)
    assert missing == []


async def test_a_retry_of_the_same_json_spelled_otherwise_replays(api_client, world, db):
    """A retry from another process re-serializes the body (no spaces, keys in another
    order): the same request, not a 409 «used with another request»."""
    headers = _keyed(world, "admin", str(uuid.uuid4())) | {"Content-Type": "application/json"}
    body = _school(world, "МБОУ «СОШ № 90»")
    first = await api_client.post("/v1/organizations", content=json.dumps(body), headers=headers)
    spelled = json.dumps(dict(reversed(body.items())), separators=(",", ":"), ensure_ascii=False)
    again = await api_client.post("/v1/organizations", content=spelled, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(db, Organization, name="МБОУ «СОШ № 90»") == 1
    # A number spelled otherwise (7, 7.0, 7e0) and the media type in capitals: the same.
    school = _school(world, "МБОУ «СОШ № 91»") | {"context": {"students": 7}}
    keyed = _keyed(world, "admin", str(uuid.uuid4()))
    sent = await api_client.post(
        "/v1/organizations",
        content=json.dumps(school),
        headers=keyed | {"Content-Type": "application/json"},
    )
    assert sent.status_code == 201, sent.text
    for students in ("7.0", "7e0"):
        spelled = json.dumps(school).replace('"students": 7', f'"students": {students}')
        retry = await api_client.post(
            "/v1/organizations",
            content=spelled,
            headers=keyed | {"Content-Type": "Application/JSON"},
        )
        assert retry.headers.get("idempotent-replayed") == "true", retry.text
