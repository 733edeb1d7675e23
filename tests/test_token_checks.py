"""An old token after a change of the account, as an attacker would try it on every service.

A role, scope, staff link, activity or password change (and deleting the account) ends the
tokens issued before it: the api service checks its table on each request, the surveys and
reports services ask it (`POST /v1/auth/introspect`) and keep the answer for
`SOKO_TOKEN_CHECK_SECONDS`. Most tests here make the peers ask every time (`fresh_checks`);
`test_an_answer_is_kept_for_the_check_seconds_then_asked_again` covers the cache.
"""

import logging
import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest
from pydantic import AnyHttpUrl
from sqlalchemy import delete

from services.api.staff.models import StaffMember
from services.api.users.models import User
from services.surveys.app import create_app as create_surveys
from shared.identity import Principal, Role, ScopeType, TokenChecker, issue_user_token
from tests.factories import PASSWORD, World, expired_token


@pytest.fixture
def fresh_checks(apps) -> Iterator[None]:
    """The surveys and reports services ask the api service on every request (ttl 0)."""
    kept = {app: app.state.token_checker for app in (apps.surveys, apps.reports)}
    for app in kept:
        app.state.token_checker = TokenChecker(app.state.peers["api"], ttl=0)
    yield
    for app, checker in kept.items():
        app.state.token_checker = checker


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def patch_user(api_client, world: World, who: str, change: dict) -> None:
    answer = await api_client.patch(
        f"/v1/users/{world.users[who].id}", json=change, headers=world.headers("admin")
    )
    assert answer.status_code == 200, answer.text


def personal_reads(world: World) -> list[tuple[str, str]]:
    """A methodologist's reads of personal data in M1, one per service."""
    diagnostic = world.campaigns["diagnostic_s1"].id
    return [
        ("api", f"/v1/organizations/{world.s1.id}/staff"),
        ("surveys", f"/v1/campaigns/{diagnostic}/deficits"),
        ("reports", f"/v1/individual-routes?period=2021/2022&organization_id={world.s1.id}"),
    ]


def assert_refused_as_stale(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "войдите снова" in answer.json()["detail"]


@pytest.mark.usefixtures("fresh_checks")
async def test_a_demoted_methodologists_old_token_reads_no_personal_data_anywhere(
    api_client, surveys_client, reports_client, world
):
    clients = {"api": api_client, "surveys": surveys_client, "reports": reports_client}
    old = world.headers("methodologist")
    for service, path in personal_reads(world):
        assert (await clients[service].get(path, headers=old)).status_code == 200, path
    await patch_user(api_client, world, "methodologist", {"role": "viewer"})
    for service, path in personal_reads(world):
        assert_refused_as_stale(await clients[service].get(path, headers=old))
    # Signing in again gives the viewer's rights, which do not reach personal data.
    again = await api_client.post(
        "/v1/auth/token", data={"username": "method@soko.example", "password": PASSWORD}
    )
    new = bearer(again.json()["access_token"])
    for service, path in personal_reads(world):
        assert (await clients[service].get(path, headers=new)).status_code in (403, 404), path


@pytest.mark.usefixtures("fresh_checks")
async def test_a_deactivated_teachers_token_is_401_on_every_service(
    api_client, surveys_client, reports_client, world
):
    old = world.headers("teacher")
    diagnostic = world.campaigns["diagnostic_s1"].id
    reads = [
        (api_client, "/v1/me"),
        (api_client, f"/v1/staff/{world.t1.id}"),
        (surveys_client, "/v1/me"),
        (surveys_client, "/v1/campaigns"),
        (surveys_client, f"/v1/campaigns/{diagnostic}/deficits"),
        (reports_client, "/v1/me"),
        (reports_client, f"/v1/individual-routes?period=2021/2022&organization_id={world.s1.id}"),
    ]
    for client, path in reads:
        assert (await client.get(path, headers=old)).status_code == 200, path
    await patch_user(api_client, world, "teacher", {"is_active": False})
    for client, path in reads:
        assert_refused_as_stale(await client.get(path, headers=old))
    # Switched on again, the account's old tokens stay dead: its version moved on.
    await patch_user(api_client, world, "teacher", {"is_active": True})
    for client, path in reads:
        assert (await client.get(path, headers=old)).status_code == 401, path


@pytest.mark.usefixtures("fresh_checks")
async def test_a_deactivated_viewers_token_reads_no_campaigns_or_aggregates(
    api_client, surveys_client, world
):
    parents = world.campaigns["parents_s1"].id
    paths = [
        "/v1/campaigns",
        f"/v1/campaigns/{parents}",
        f"/v1/campaigns/{parents}/rates",
        f"/v1/campaigns/{parents}/aggregates?level=territory",
    ]
    for path in paths:
        assert (await surveys_client.get(path, headers=world.headers("viewer"))).status_code == 200
    await patch_user(api_client, world, "viewer", {"is_active": False})
    for path in paths:
        assert_refused_as_stale(await surveys_client.get(path, headers=world.headers("viewer")))


@pytest.mark.usefixtures("fresh_checks")
async def test_a_leader_moved_to_another_school_cannot_read_the_first_with_the_old_token(
    api_client, surveys_client, reports_client, world
):
    old = world.headers("leader")
    reads = [
        (api_client, f"/v1/organizations/{world.s1.id}"),
        (api_client, f"/v1/organizations/{world.s1.id}/staff"),
        (surveys_client, f"/v1/campaigns/{world.campaigns['parents_s1'].id}/rates"),
        (reports_client, f"/v1/reports/organizations/{world.s1.id}?period=2021/2022"),
    ]
    for client, path in reads:
        assert (await client.get(path, headers=old)).status_code == 200, path
    await patch_user(
        api_client, world, "leader", {"scope_type": "organization", "scope_id": str(world.s2.id)}
    )
    for client, path in reads:
        assert_refused_as_stale(await client.get(path, headers=old))
    again = await api_client.post(
        "/v1/auth/token", data={"username": "leader@soko.example", "password": PASSWORD}
    )
    new = bearer(again.json()["access_token"])
    assert (
        await api_client.get(f"/v1/organizations/{world.s2.id}", headers=new)
    ).status_code == 200
    for client, path in reads:
        assert (await client.get(path, headers=new)).status_code in (403, 404), path


@pytest.mark.usefixtures("fresh_checks")
async def test_a_teacher_linked_to_another_staff_record_loses_the_old_tokens_results(
    api_client, surveys_client, world, db
):
    colleague = StaffMember(organization_id=world.s1.id, full_name="Коллега", position="teacher")
    db.add(colleague)
    await db.flush()
    old = world.headers("teacher")
    own_record = f"/v1/staff/{world.t1.id}"
    assert (await api_client.get(own_record, headers=old)).status_code == 200
    await patch_user(api_client, world, "teacher", {"staff_id": str(colleague.id)})
    assert_refused_as_stale(await api_client.get(own_record, headers=old))
    deficits = f"/v1/campaigns/{world.campaigns['diagnostic_s1'].id}/deficits"
    assert_refused_as_stale(await surveys_client.get(deficits, headers=old))


@pytest.mark.usefixtures("fresh_checks")
async def test_a_change_made_outside_the_users_api_ends_the_old_token_too(
    api_client, surveys_client, world, db
):
    """Deleting a staff record unlinks its teacher in the database (ON DELETE SET NULL), without
    a version bump: the token's staff link no longer matches the account, so it is refused."""
    old = world.headers("teacher")
    assert (await surveys_client.get("/v1/me", headers=old)).status_code == 200
    await db.execute(delete(StaffMember).where(StaffMember.id == world.t1.id))
    await db.flush()
    assert_refused_as_stale(await api_client.get("/v1/me", headers=old))
    assert_refused_as_stale(await surveys_client.get("/v1/me", headers=old))


@pytest.mark.usefixtures("fresh_checks")
async def test_a_deleted_account_is_401_not_503(
    api_client, surveys_client, reports_client, world, db
):
    old = world.headers("viewer")
    await db.execute(delete(User).where(User.id == world.users["viewer"].id))
    await db.flush()
    for client in (api_client, surveys_client, reports_client):
        assert_refused_as_stale(await client.get("/v1/me", headers=old))


@pytest.mark.usefixtures("fresh_checks")
async def test_a_new_password_ends_the_old_tokens_everywhere(
    api_client, surveys_client, reports_client, world
):
    old = world.headers("analyst")
    await api_client.patch(
        f"/v1/users/{world.users['analyst'].id}",
        json={"password": "another-password-1", "current_password": PASSWORD},
        headers=old,
    )
    for client in (api_client, surveys_client, reports_client):
        assert_refused_as_stale(await client.get("/v1/me", headers=old))


async def test_a_name_change_keeps_the_token(api_client, surveys_client, world):
    await patch_user(api_client, world, "viewer", {"full_name": "Новое имя"})
    for client in (api_client, surveys_client):
        assert (await client.get("/v1/me", headers=world.headers("viewer"))).status_code == 200


@pytest.mark.usefixtures("fresh_checks")
async def test_a_peer_passing_on_an_old_user_token_gets_401(
    api_client, surveys_client, world, settings
):
    """What the reports service sends when it acts for a user: its own token and the user's."""
    old_user = world.tokens["methodologist"]
    as_reports = {**world.headers("service"), "X-Soko-User": old_user}
    deficits = f"/v1/campaigns/{world.campaigns['diagnostic_s1'].id}/deficits"
    staff = f"/v1/organizations/{world.s1.id}/staff"
    assert (await surveys_client.get(deficits, headers=as_reports)).status_code == 200
    await patch_user(api_client, world, "methodologist", {"role": "viewer"})
    assert_refused_as_stale(await surveys_client.get(deficits, headers=as_reports))
    assert_refused_as_stale(await api_client.get(staff, headers=as_reports))


@pytest.mark.usefixtures("fresh_checks")
async def test_reports_acting_for_a_demoted_user_cannot_reach_surveys(
    api_client, reports_client, world
):
    """The PD order reads personal diagnostic results from the surveys service for the caller."""
    order = f"/v1/pd-order?territory_id={world.m1.id}&period=2021/2022"
    old = world.headers("methodologist")
    assert (await reports_client.get(order, headers=old)).status_code == 200
    await patch_user(api_client, world, "methodologist", {"role": "viewer"})
    assert_refused_as_stale(await reports_client.get(order, headers=old))


async def test_an_answer_is_kept_for_the_check_seconds_then_asked_again(
    apps, api_client, world, caplog
):
    now = [1000.0]
    checker = TokenChecker(apps.surveys.state.peers["api"], ttl=5, timer=lambda: now[0])
    token = world.tokens["viewer"]
    with caplog.at_level(logging.INFO, logger="soko.access"):
        for _ in range(3):
            await checker.ensure_current(token)
    asked = [r for r in caplog.records if getattr(r, "path", "") == "/v1/auth/introspect"]
    assert len(asked) == 1  # one question to the api service for three requests
    await patch_user(api_client, world, "viewer", {"role": "methodologist"})
    now[0] += 4.9
    await checker.ensure_current(token)  # still the kept answer: the change is seconds old
    now[0] += 0.2
    with pytest.raises(Exception, match="войдите снова"):
        await checker.ensure_current(token)


async def test_introspection_answers_services_only(api_client, world, settings):
    url = "/v1/auth/introspect"
    service = world.headers("service")

    async def active(token: str) -> bool:
        answer = await api_client.post(url, json={"token": token}, headers=service)
        assert answer.status_code == 200, answer.text
        return answer.json()["active"]

    assert await active(world.tokens["leader"]) is True
    assert await active(world.tokens["service"]) is False  # not a user's token
    assert await active(expired_token(settings, world)) is False
    assert await active("not-a-token") is False
    # A token signed right but of an account that never existed.
    ghost = Principal(
        kind="user",
        id=str(uuid.uuid4()),
        role=Role.admin,
        token_version=0,
    )
    assert await active(issue_user_token(settings, ghost)) is False
    for who in ("admin", "leader"):
        refused = await api_client.post(
            url, json={"token": world.tokens[who]}, headers=world.headers(who)
        )
        assert refused.status_code == 403
    # A service acting for a user is that user here: refused too.
    passed_on = {**service, "X-Soko-User": world.tokens["admin"]}
    assert (await api_client.post(url, json={"token": "x"}, headers=passed_on)).status_code == 403


async def test_a_user_token_without_the_accounts_version_is_refused(
    api_client, surveys_client, world, settings
):
    """A token minted with the secret but not by our sign-in (no `ver`) is not accepted."""
    import jwt

    from shared.db import utcnow
    from shared.identity import ALGORITHM, ISSUER

    now = utcnow()
    user = world.users["admin"]
    claims = {"iss": ISSUER, "sub": str(user.id), "kind": "user", "role": "admin", "iat": now}
    claims["exp"] = now.timestamp() + 600
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    for client in (api_client, surveys_client):
        assert (await client.get("/v1/me", headers=bearer(token))).status_code == 401


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_api_service_down_is_a_clear_503(settings, isolation):
    """Only when the api service does not answer: a token cannot be checked, so 503 naming
    the api service (never a 401 that would send a user to sign in again, never a 500)."""
    down = settings.model_copy(
        update={"api_url": AnyHttpUrl(f"http://127.0.0.1:{_unused_port()}"), "http_retries": 0}
    )
    surveys = create_surveys(down)
    someone = Principal(
        kind="user",
        id=str(uuid.uuid4()),
        role=Role.viewer,
        scope_type=ScopeType.territory,
        scope_id=uuid.uuid4(),
        token_version=0,
    )
    async with surveys.router.lifespan_context(surveys):
        transport = httpx.ASGITransport(app=surveys)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
            answer = await client.get("/v1/me", headers=bearer(issue_user_token(settings, someone)))
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "api" in answer.json()["detail"]


async def test_a_peers_refusal_of_a_changed_account_reaches_the_user_as_401(
    apps, api_client, reports_client, world
):
    """The reports service still holds its answer from before the change (it keeps it for
    seconds); the surveys and api services it asks for the user see the change: the user gets
    their 401, not a 503 or a half answer."""
    kept = {app: app.state.token_checker for app in (apps.surveys, apps.reports)}
    apps.reports.state.token_checker = TokenChecker(apps.reports.state.peers["api"], ttl=60)
    apps.surveys.state.token_checker = TokenChecker(apps.surveys.state.peers["api"], ttl=0)
    try:
        old = world.headers("methodologist")
        reads = [
            f"/v1/pd-order?territory_id={world.m1.id}&period=2021/2022",  # asks surveys
            f"/v1/reports/organizations/{world.s1.id}?period=2021/2022",  # asks the api too
        ]
        for path in reads:
            assert (await reports_client.get(path, headers=old)).status_code == 200, path
        await patch_user(api_client, world, "methodologist", {"role": "viewer"})
        for path in reads:
            assert_refused_as_stale(await reports_client.get(path, headers=old))
    finally:
        for app, checker in kept.items():
            app.state.token_checker = checker
