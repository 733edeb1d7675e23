"""Signing in, tokens accepted by every service, throttling, API keys, the first administrator."""

import asyncio
from collections import Counter

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.users.models import User
from shared.headers import CLIENT_ADDRESS_HEADER
from shared.identity import issue_service_token
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import run_sync
from tests.factories import PASSWORD, build_world


async def sign_in(client: httpx.AsyncClient, email: str, password: str, address: str = "10.0.0.1"):
    """Sign in from a given client address (the transport reports it to the app)."""
    app = client._transport.app  # the app behind the test client
    return await post_sign_in(app, email, password, client=(address, 40000))


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


async def test_failures_from_one_address_across_accounts_are_throttled(api_client, world, settings):
    for n in range(settings.login_max_failures_per_address):
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


def account(email: str, full_name: str, role: str, scope_type=None, scope_id=None) -> dict:
    """A new account as `POST /v1/users` takes it (password "long-enough-1"), in the scope
    `scope_type` and `scope_id` (an id) when given."""
    body = {"email": email, "password": "long-enough-1", "full_name": full_name, "role": role}
    if scope_type:
        body |= {"scope_type": scope_type, "scope_id": str(scope_id)}
    return body


async def test_analyst_cannot_create_an_administrator(api_client, world):
    body = account("boss@soko.example", "Boss", "admin")
    answer = await api_client.post("/v1/users", json=body, headers=world.headers("analyst"))
    assert answer.status_code == 403


async def test_teacher_account_must_link_a_staff_member_of_that_school(api_client, world):
    body = account("t2@soko.example", "Учитель", "teacher", "organization", world.s1.id)
    missing = await api_client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "staff_id"]
    wrong = await api_client.post(
        "/v1/users", json=body | {"staff_id": str(world.t3.id)}, headers=world.headers("admin")
    )
    assert wrong.status_code == 422
    staff = await api_client.post(
        f"/v1/organizations/{world.s1.id}/staff",
        json={"full_name": "Новикова Анна", "position": "teacher"},
        headers=world.headers("admin"),
    )
    ok = await api_client.post(
        "/v1/users", json=body | {"staff_id": staff.json()["id"]}, headers=world.headers("admin")
    )
    assert ok.status_code == 201
    assert "password" not in ok.text


async def test_duplicate_email_is_409(api_client, world):
    body = account("VIEWER@soko.example", "Дубль", "viewer", "territory", world.m1.id)
    answer = await api_client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert answer.status_code == 409
    assert answer.json()["field"] == "email"


# An address that reads as the viewer's («viewer@soko.example») with one Cyrillic letter.
LOOKALIKES = ["viewеr@soko.example", "viewer@sоko.example", "viewer@soko.exаmple"]


@pytest.mark.parametrize("email", LOOKALIKES)
async def test_an_address_mixing_latin_and_cyrillic_letters_is_refused(email, api_client, world):
    """It was stored: an account whose address reads exactly as a colleague's."""
    admin = world.headers("admin")
    body = account(email, "Двойник", "viewer", "territory", world.m1.id)
    answer = await api_client.post("/v1/users", json=body, headers=admin)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["loc"] == ["body", "email"], error
    assert "смешаны латинские и русские буквы" in error["msg"], error
    staff = {"full_name": "Двойник", "position": "teacher", "email": email}
    answer = await api_client.post(
        f"/v1/organizations/{world.s1.id}/staff", json=staff, headers=admin
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "email"]


async def test_an_address_wholly_in_one_script_is_taken(api_client, world):
    body = account("директор@школа.рф", "Директор", "viewer", "territory", world.m1.id)
    answer = await api_client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert answer.status_code == 201, answer.text


async def test_api_key_is_shown_once_works_and_stops_when_revoked(api_client, world):
    url = f"/v1/organizations/{world.s1.id}/api-keys"
    created = await api_client.post(
        url, json={"name": "АИС «Сетевой город»"}, headers=world.headers("leader")
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("soko_")
    listed = await api_client.get(url, headers=world.headers("leader"))
    assert created.json()["id"] in [k["id"] for k in listed.json()["items"]]
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
    assert revoked.content == b"" and "content-type" not in revoked.headers  # no body to type
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


async def post_sign_in(app, email: str, password: str, client=("10.0.0.1", 40000), headers=None):
    """Sign in through `app` from the `client` (host, port) the transport reports."""
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post(
            "/v1/auth/token", data={"username": email, "password": password}, headers=headers
        )


@pytest.mark.committed
async def test_forty_parallel_guesses_at_one_account_check_at_most_five(apps, isolation, settings):
    async with isolation() as session:
        await build_world(session, settings)
        await session.commit()
    guesses = [
        post_sign_in(apps.api, "viewer@soko.example", f"guess-{n}", client=(f"10.8.0.{n}", 4000))
        for n in range(40)
    ]
    answers = await asyncio.gather(*guesses)
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {401: settings.login_max_failures, 429: 40 - settings.login_max_failures}
    # The account stays closed for the window, even to the right password from a new address.
    right = await post_sign_in(apps.api, "viewer@soko.example", PASSWORD, client=("10.9.0.1", 1))
    assert right.status_code == 429


@pytest.mark.committed
async def test_forty_parallel_guesses_from_one_address_check_at_most_its_limit(
    apps, isolation, settings
):
    limit = settings.login_max_failures_per_address
    guesses = [
        post_sign_in(apps.api, f"someone{n}@soko.example", "guess", client=("10.8.1.1", 4000))
        for n in range(40)
    ]
    statuses = Counter(a.status_code for a in await asyncio.gather(*guesses))
    assert statuses == {401: limit, 429: 40 - limit}


async def test_a_right_password_does_not_count_as_a_failure_of_its_address(
    api_client, world, settings
):
    for _ in range(settings.login_max_failures_per_address + 3):
        assert (await sign_in(api_client, "leader@soko.example", PASSWORD)).status_code == 200
    for n in range(settings.login_max_failures_per_address):
        assert (await sign_in(api_client, f"x{n}@soko.example", "guess")).status_code == 401
    assert (await sign_in(api_client, "leader@soko.example", PASSWORD)).status_code == 429


@pytest.mark.committed
async def test_one_account_signing_in_many_times_at_once_is_let_in_each_time(
    apps, isolation, settings
):
    """Twice an account's limit of sign-ins with its right password at the same moment (an
    information system's workers, tabs restored at once): none failed, so none is refused —
    those over the limit wait for those in flight. And with four failures before, two right
    ones at once both get in."""
    async with isolation() as session:
        await build_world(session, settings)
        await session.commit()
    many = 2 * settings.login_max_failures
    together = [
        post_sign_in(apps.api, "viewer@soko.example", PASSWORD, client=(f"10.8.3.{n}", 4000))
        for n in range(many)
    ]
    assert Counter(a.status_code for a in await asyncio.gather(*together)) == {200: many}
    for _ in range(settings.login_max_failures - 1):
        wrong = await post_sign_in(apps.api, "analyst@soko.example", "typo", ("10.8.4.1", 1))
        assert wrong.status_code == 401
    two = [
        post_sign_in(apps.api, "analyst@soko.example", PASSWORD, client=("10.8.4.2", n))
        for n in range(2)
    ]
    assert [a.status_code for a in await asyncio.gather(*two)] == [200, 200]


@pytest.mark.committed
async def test_right_and_wrong_passwords_at_once_never_deadlock_nor_pass_the_limit(
    apps, isolation, settings
):
    """Ten right and ten wrong passwords of one account at the same moment, from one address
    and from many: no answer is a 5xx (the counters' rows are locked in one order), and no
    more wrong ones than the limit reach the password check (a success forgives nothing)."""
    async with isolation() as session:
        await build_world(session, settings)
        await session.commit()
    for email, spread in (("viewer@soko.example", False), ("analyst@soko.example", True)):
        attempts = [
            post_sign_in(
                apps.api,
                email,
                PASSWORD if n % 2 else f"guess-{n}",
                client=(f"10.8.5.{n if spread else 1}", 4000 + n),
            )
            for n in range(20)
        ]
        answers = await asyncio.gather(*attempts)
        wrong = Counter(a.status_code for n, a in enumerate(answers) if n % 2 == 0)
        right = Counter(a.status_code for n, a in enumerate(answers) if n % 2)
        assert set(wrong) <= {401, 429} and set(right) <= {200, 429}, (wrong, right)
        assert wrong[401] <= settings.login_max_failures, wrong


def test_an_address_may_fail_more_often_than_an_account():
    """A school's staff share its address: by default a class may sign in at once."""
    defaults = Settings()
    assert defaults.login_max_failures_per_address >= 6 * defaults.login_max_failures


async def test_colleagues_mistyping_at_one_school_do_not_lock_out_the_next(
    api_client, world, settings
):
    """Five colleagues behind the school's one address mistype their passwords (each once,
    as many as lock an account): the leader signing in next from there is let in, and a
    colleague's own account is not closed by the others' failures."""
    for n in range(settings.login_max_failures):
        assert (await sign_in(api_client, f"colleague{n}@soko.example", "typo")).status_code == 401
    assert (await sign_in(api_client, "leader@soko.example", PASSWORD)).status_code == 200
    assert (await sign_in(api_client, "colleague0@soko.example", "typo")).status_code == 401


@pytest.mark.committed
async def test_a_class_signing_in_at_once_from_one_address_is_let_in(apps, isolation, settings):
    """As many people as the address's limit sign in at the same moment from one address
    (a school's computer class): their attempts are all in flight together and none is
    refused."""
    async with isolation() as session:
        people = await build_world(session, settings)
        await session.commit()
    emails = sorted(u.email for u in people.users.values())
    many = settings.login_max_failures_per_address
    assert len(emails) >= many
    together = [post_sign_in(apps.api, e, PASSWORD, client=("10.8.2.1", 4000)) for e in emails]
    statuses = Counter(a.status_code for a in await asyncio.gather(*together[:many]))
    assert statuses == {200: many}


def served(app, settings: Settings):
    """The app as `soko serve` runs it: uvicorn's own wrapping, with the options serve passes."""
    config = uvicorn.Config(app, log_config=None, **settings.proxy_options())
    config.load()
    return config.loaded_app


async def rotate_forwarded_for(app, attempts: int = 20, proxy: str = "127.0.0.1") -> list[int]:
    """Wrong passwords to new accounts, each claiming another address in X-Forwarded-For."""
    statuses = []
    for n in range(attempts):
        answer = await post_sign_in(
            app,
            f"nobody{n}@soko.example",
            "guess",
            client=(proxy, 50000 + n),
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        )
        statuses.append(answer.status_code)
    return statuses


async def test_forwarded_for_is_ignored_without_trusted_proxies(apps, world, settings):
    assert settings.trusted_proxies == []
    statuses = await rotate_forwarded_for(served(apps.api, settings))
    limit = settings.login_max_failures_per_address
    assert statuses == [401] * limit + [429] * (20 - limit)


async def test_forwarded_for_is_ignored_from_a_proxy_not_in_the_list(apps, world, settings):
    elsewhere = Settings(database_url="postgresql://x/y", trusted_proxies="10.1.0.0/16, 10.2.0.7")
    statuses = await rotate_forwarded_for(served(apps.api, elsewhere))
    limit = settings.login_max_failures_per_address
    assert statuses == [401] * limit + [429] * (20 - limit)


async def test_forwarded_for_from_a_trusted_proxy_counts_the_persons_address(apps, world, settings):
    trusting = Settings(database_url="postgresql://x/y", trusted_proxies='["127.0.0.0/8"]')
    app = served(apps.api, trusting)
    assert await rotate_forwarded_for(app) == [401] * 20  # twenty people behind one proxy
    # One person behind the proxy is throttled by their own address.
    same = [
        (
            await post_sign_in(
                app,
                f"other{n}@soko.example",
                "guess",
                client=("127.0.0.1", 50000),
                headers={"X-Forwarded-For": "203.0.113.5"},
            )
        ).status_code
        for n in range(settings.login_max_failures_per_address + 1)
    ]
    assert same == [401] * settings.login_max_failures_per_address + [429]


def test_trusted_proxies_must_be_addresses_or_networks():
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="*")
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="10.0.0.0/33")
    assert Settings().proxy_options() == {"proxy_headers": False}


async def test_a_service_signs_a_person_in_from_their_address(apps, world, settings):
    service = {"Authorization": f"Bearer {issue_service_token(settings, 'surveys')}"}

    async def attempt(n: int, person: str):
        headers = service | {CLIENT_ADDRESS_HEADER: person}
        # All through the surveys service's one connection.
        return await post_sign_in(
            apps.api, f"p{n}@soko.example", "guess", client=("10.0.0.2", 1), headers=headers
        )

    # Different people behind the same service are counted apart (more than one address's
    # limit of them)...
    limit = settings.login_max_failures_per_address
    apart = [(await attempt(n, f"192.0.2.{n}")).status_code for n in range(limit + 2)]
    assert apart == [401] * (limit + 2)
    # ...and one person by their own address.
    same = [(await attempt(n, "192.0.2.200")).status_code for n in range(10, 11 + limit)]
    assert same == [401] * limit + [429]
    bad = await attempt(99, "not-an-address")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["header", CLIENT_ADDRESS_HEADER]


@pytest.mark.parametrize("credential", ["none", "user", "forged_service"])
async def test_the_client_address_header_is_ignored_from_anyone_else(
    apps, world, settings, credential
):
    forged = Settings(secret_key="another-secret-of-at-least-32-bytes!!")
    headers = {
        "none": {},
        "user": world.headers("teacher"),
        "forged_service": {"Authorization": f"Bearer {issue_service_token(forged, 'surveys')}"},
    }[credential]
    statuses = [
        (
            await post_sign_in(
                apps.api,
                f"q{n}@soko.example",
                "guess",
                client=("10.0.0.3", 1),
                headers=headers | {CLIENT_ADDRESS_HEADER: f"192.0.2.{n}"},
            )
        ).status_code
        for n in range(settings.login_max_failures_per_address + 3)
    ]
    assert statuses == [401] * settings.login_max_failures_per_address + [429] * 3


async def test_a_nul_in_the_username_is_422_naming_it(api_client, world):
    answer = await sign_in(api_client, "viewer\x00@soko.example", PASSWORD)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "username"]


async def test_a_username_of_any_length_is_a_failed_sign_in_and_counted(api_client, world):
    """A 400-character username was a 500 (its throttle key past `login_attempt.key`): now
    a plain 401 like any unknown account, and its failures count against it all the same."""
    long = "a" * 400 + "@soko.example"
    for _ in range(5):
        answer = await sign_in(api_client, long, "not-the-password", address="10.4.4.4")
        assert answer.status_code == 401, answer.text
    blocked = await sign_in(api_client, long, "not-the-password", address="10.5.5.5")
    assert blocked.status_code == 429, blocked.text
