"""Signing in, tokens accepted by every service, throttling, API keys, the first administrator."""

import httpx
import pytest
from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.users.models import User
from shared.auth import issue_service_token
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import run_sync
from tests.factories import PASSWORD, build_world


@pytest.fixture
async def world(db, settings):
    return await build_world(db, settings)


async def sign_in(client: httpx.AsyncClient, email: str, password: str, address: str = "10.0.0.1"):
    """Sign in from a given client address (the transport reports it to the app)."""
    app = client._transport.app  # the app behind the test client
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as from_address:
        return await from_address.post(
            "/v1/auth/token", data={"username": email, "password": password}
        )


async def test_sign_in_gives_a_token_every_service_accepts(
    api_client, surveys_client, reports_client, world
):
    answer = await sign_in(api_client, "Analyst@Soko.Example", PASSWORD)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
    assert answer.headers["cache-control"] == "no-store"
    headers = {"Authorization": f"Bearer {body['access_token']}"}

    me = (await api_client.get("/v1/me", headers=headers)).json()
    assert me["user"]["email"] == "analyst@soko.example"
    assert me["role"] == "territory_analyst" and me["scope_id"] == str(world.m1.id)
    assert "password" not in str(me) and "password_hash" not in me["user"]
    for client in (surveys_client, reports_client):
        seen = (await client.get("/v1/me", headers=headers)).json()
        assert seen["id"] == me["id"] and seen["role"] == "territory_analyst"


async def test_wrong_password_and_unknown_account_answer_alike(api_client, world):
    wrong = await sign_in(api_client, "analyst@soko.example", "not-the-password")
    unknown = await sign_in(api_client, "nobody@soko.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_sixth_failure_within_a_minute_is_429_even_with_the_right_password(api_client, world):
    for _ in range(5):
        assert (await sign_in(api_client, "viewer@soko.example", "guess-guess")).status_code == 401
    blocked = await sign_in(api_client, "viewer@soko.example", PASSWORD, address="10.9.9.9")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 61
    # Another account from a fresh address is not affected.
    assert (
        await sign_in(api_client, "leader@soko.example", PASSWORD, "10.7.7.7")
    ).status_code == 200


async def test_failures_from_one_address_across_accounts_are_throttled(api_client, world):
    for n in range(5):
        await sign_in(api_client, f"user{n}@soko.example", "guess-guess", address="10.5.5.5")
    blocked = await sign_in(api_client, "leader@soko.example", PASSWORD, address="10.5.5.5")
    assert blocked.status_code == 429


async def test_deactivated_user_loses_access_at_once(api_client, world):
    admin = world.headers("admin")
    viewer_id = world.users["viewer"].id
    answer = await api_client.patch(
        f"/v1/users/{viewer_id}", json={"is_active": False}, headers=admin
    )
    assert answer.status_code == 200
    assert (await api_client.get("/v1/me", headers=world.headers("viewer"))).status_code == 401
    assert (await sign_in(api_client, "viewer@soko.example", PASSWORD)).status_code == 401


async def test_user_changes_own_password_only_with_the_current_one(api_client, world):
    me = world.users["teacher"].id
    headers = world.headers("teacher")
    refused = await api_client.patch(
        f"/v1/users/{me}",
        json={"password": "new-password-1", "current_password": "wrong"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "current_password"]
    changed = await api_client.patch(
        f"/v1/users/{me}",
        json={"password": "new-password-1", "current_password": PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 200
    # The new password ends the tokens issued before it.
    assert (await api_client.get("/v1/me", headers=headers)).status_code == 401
    again = await sign_in(api_client, "teacher@soko.example", "new-password-1")
    assert again.status_code == 200
    headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
    escalate = await api_client.patch(f"/v1/users/{me}", json={"role": "admin"}, headers=headers)
    assert escalate.status_code == 403


async def test_analyst_cannot_create_an_administrator(api_client, world):
    answer = await api_client.post(
        "/v1/users",
        json={
            "email": "boss@soko.example",
            "password": "long-enough-1",
            "full_name": "Boss",
            "role": "admin",
        },
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 403


async def test_teacher_account_must_link_a_staff_member_of_that_school(api_client, world):
    body = {
        "email": "t2@soko.example",
        "password": "long-enough-1",
        "full_name": "Учитель",
        "role": "teacher",
        "scope_type": "organization",
        "scope_id": str(world.s1.id),
    }
    missing = await api_client.post("/v1/users", json=body, headers=world.headers("analyst"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "staff_id"]
    wrong = await api_client.post(
        "/v1/users", json=body | {"staff_id": str(world.t3.id)}, headers=world.headers("admin")
    )
    assert wrong.status_code == 422
    ok = await api_client.post(
        "/v1/users", json=body | {"staff_id": str(world.t1.id)}, headers=world.headers("analyst")
    )
    assert ok.status_code == 201
    assert "password" not in ok.text


async def test_duplicate_email_is_409(api_client, world):
    body = {
        "email": "VIEWER@soko.example",
        "password": "long-enough-1",
        "full_name": "Дубль",
        "role": "viewer",
        "scope_type": "territory",
        "scope_id": str(world.m1.id),
    }
    answer = await api_client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert answer.status_code == 409
    assert answer.json()["field"] == "email"


async def test_api_key_is_shown_once_works_and_stops_when_revoked(api_client, world):
    url = f"/v1/organizations/{world.s1.id}/api-keys"
    created = await api_client.post(
        url, json={"name": "АИС «Сетевой город»"}, headers=world.headers("leader")
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("soko_")
    listed = await api_client.get(url, headers=world.headers("leader"))
    assert key not in listed.text and "key_hash" not in listed.text

    me = await api_client.get("/v1/me", headers={"X-API-Key": key})
    assert me.status_code == 200
    assert me.json()["kind"] == "api_key" and me.json()["scope_id"] == str(world.s1.id)
    # A key may not do what people do.
    assert (
        await api_client.get("/v1/organizations", headers={"X-API-Key": key})
    ).status_code == 403

    key_id = created.json()["id"]
    revoked = await api_client.delete(f"{url}/{key_id}", headers=world.headers("leader"))
    assert revoked.status_code == 204
    assert (await api_client.get("/v1/me", headers={"X-API-Key": key})).status_code == 401


async def test_api_keys_are_refused_by_the_other_services(surveys_client, world):
    answer = await surveys_client.get("/v1/me", headers={"X-API-Key": world.key_s1})
    assert answer.status_code == 401
    assert "api" in answer.json()["detail"]


async def test_service_acting_for_a_user_gets_that_users_rights(api_client, world, settings):
    service = issue_service_token(settings, "reports")
    as_teacher = {"Authorization": f"Bearer {service}", "X-Soko-User": world.tokens["teacher"]}
    # The teacher may not list the school's staff, and neither may a service acting for them.
    staff = await api_client.get(f"/v1/organizations/{world.s1.id}/staff", headers=as_teacher)
    assert staff.status_code in (403, 404)
    alone = {"Authorization": f"Bearer {service}"}
    assert (
        await api_client.get(f"/v1/organizations/{world.s1.id}/staff", headers=alone)
    ).status_code == 200
    # A service acting for nobody reads, but does not write.
    write = await api_client.post(
        "/v1/territories", json={"name": "X", "kind": "region"}, headers=alone
    )
    assert write.status_code == 403


async def test_other_services_resolve_scopes_through_the_api_service(apps, isolation, world):
    resolver = apps.reports.state.scope_resolver
    info = await resolver.resolve("cluster", world.c1.id)
    assert info.organization_ids == {world.s1.id, world.s2.id}
    assert world.m1.id in info.territory_ids and world.region.id in info.territory_ids


async def test_first_administrator_is_created_once_from_settings(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(
        database_url=url,
        bootstrap_admin_email="Root@Soko.Example",
        bootstrap_admin_password="root-password-1",
    )
    for _ in range(2):  # a second start finds a user and creates nothing
        app = create_api(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                answer = await sign_in(client, "root@soko.example", "root-password-1")
                assert answer.status_code == 200
            async with app.state.db.sessionmaker() as session:
                users = (await session.scalars(select(User))).all()
    assert [(u.email, u.role) for u in users] == [("root@soko.example", "admin")]
