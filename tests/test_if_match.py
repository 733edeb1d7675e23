"""Two people editing one thing no longer overwrite each other silently: a resource's GET gives
its `ETag`; a change sent with it as `If-Match` is applied only if nobody changed the resource
since (412 problem+json naming the header otherwise, nothing stored); a change without
`If-Match` is applied as before. Over every resource of tests/etag_cases.py."""

import asyncio

import httpx
import pytest

from services.surveys.app import create_app as create_surveys
from tests.etag_cases import CASES, Case, recommendation_rule
from tests.factories import PASSWORD, committed_world

STALE = "Запись изменил другой пользователь"


@pytest.fixture
def any_client(api_client, surveys_client, reports_client):
    return {"api": api_client, "surveys": surveys_client, "reports": reports_client}.__getitem__


each_case = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


@each_case
async def test_a_change_with_the_etag_read_is_applied_and_gives_a_new_one(
    case: Case, world, db, any_client
):
    client, headers = any_client(case.service), world.headers(case.who)
    url = await case.locate(client, world, db)
    read = await client.get(url, headers=headers)
    assert read.status_code == 200, read.text
    tag = read.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert (await client.get(url, headers=headers)).headers["ETag"] == tag  # stable

    changed = await client.patch(
        url, json=case.body(case.first), headers=headers | {"If-Match": tag}
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()[case.field] == case.first
    assert changed.headers["ETag"] not in ("", tag)
    again = await client.get(url, headers=headers)
    assert again.headers["ETag"] == changed.headers["ETag"]


@each_case
async def test_a_change_with_a_stale_etag_is_412_and_changes_nothing(
    case: Case, world, db, any_client
):
    client, headers = any_client(case.service), world.headers(case.who)
    url = await case.locate(client, world, db)
    stale = (await client.get(url, headers=headers)).headers["ETag"]
    first = await client.patch(
        url, json=case.body(case.first), headers=headers | {"If-Match": stale}
    )
    assert first.status_code == 200, first.text

    second = await client.patch(
        url, json=case.body(case.second), headers=headers | {"If-Match": stale}
    )

    assert second.status_code == 412, second.text
    assert second.headers["content-type"].startswith("application/problem+json")
    problem = second.json()
    assert problem["status"] == 412 and STALE in problem["detail"]
    assert problem["errors"][0]["loc"] == ["header", "If-Match"]
    stored = await client.get(url, headers=headers)
    assert stored.json()[case.field] == case.first  # the first person's change stands
    assert stored.headers["ETag"] == first.headers["ETag"]


@each_case
async def test_a_change_without_if_match_is_applied_as_before(case: Case, world, db, any_client):
    client, headers = any_client(case.service), world.headers(case.who)
    url = await case.locate(client, world, db)
    await client.patch(url, json=case.body(case.first), headers=headers)

    changed = await client.patch(url, json=case.body(case.second), headers=headers)

    assert changed.status_code == 200, changed.text
    assert (await client.get(url, headers=headers)).json()[case.field] == case.second


@each_case
async def test_if_match_star_matches_the_resource_and_a_weak_tag_never(
    case: Case, world, db, any_client
):
    client, headers = any_client(case.service), world.headers(case.who)
    url = await case.locate(client, world, db)
    tag = (await client.get(url, headers=headers)).headers["ETag"]

    weak = await client.patch(
        url, json=case.body(case.first), headers=headers | {"If-Match": f"W/{tag}"}
    )
    star = await client.patch(url, json=case.body(case.first), headers=headers | {"If-Match": "*"})

    assert weak.status_code == 412, weak.text
    assert star.status_code == 200, star.text
    listed = await client.patch(
        url,
        json=case.body(case.second),
        headers=headers | {"If-Match": f'"other", {star.headers["ETag"]}'},
    )
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("value", ["abc", '"unclosed', '"a" "b"', '*, "a"', ""])
async def test_a_malformed_if_match_is_422_naming_the_header(value, world, api_client):
    url, headers = f"/v1/roadmaps/{world.r1.id}", world.headers("analyst")
    title = (await api_client.get(url, headers=headers)).json()["title"]

    answer = await api_client.patch(
        url, json={"title": "Другое название"}, headers=headers | {"If-Match": value}
    )

    # Not 412: garbage sent is no one else's change, to read again and retry forever.
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["header", "If-Match"]
    assert (await api_client.get(url, headers=headers)).json()["title"] == title


async def test_a_caller_who_may_not_change_it_is_refused_before_the_precondition(world, api_client):
    # RFC 9110 §13.2.1: the answer without the header (403) comes first, so a stale tag tells
    # nothing to someone who may not change the roadmap.
    url = f"/v1/roadmaps/{world.r1.id}"
    answer = await api_client.patch(
        url, json={"title": "Чужая правка"}, headers=world.headers("viewer") | {"If-Match": '"x"'}
    )
    assert answer.status_code in (403, 404), answer.text


async def test_a_stale_change_the_current_state_would_refuse_is_412_not_409(world, reports_client):
    # The refusal would judge a state the sender never saw: what they must hear is that it
    # changed (RFC 9110 §13.2.1: only what comes before the content, 403 or 404, goes first).
    url, headers = f"/v1/recommendations/{world.rec_s1.id}", world.headers("leader")
    stale = (await reports_client.get(url, headers=headers)).headers["ETag"]
    rejected = await reports_client.patch(
        url, json={"status": "rejected"}, headers=headers | {"If-Match": stale}
    )
    assert rejected.status_code == 200, rejected.text

    again = await reports_client.patch(
        url, json={"status": "accepted"}, headers=headers | {"If-Match": stale}
    )

    assert again.status_code == 412, again.text
    unconditional = await reports_client.patch(url, json={"status": "accepted"}, headers=headers)
    assert unconditional.status_code == 409, unconditional.text  # as it was without the header


async def test_signing_in_does_not_change_an_accounts_etag(world, api_client):
    # What signing in writes (the last login) is not the account's state: an administrator's
    # change based on the ETag read before stays valid.
    url, admin = f"/v1/users/{world.users['viewer'].id}", world.headers("admin")
    tag = (await api_client.get(url, headers=admin)).headers["ETag"]
    form = {"username": world.users["viewer"].email, "password": PASSWORD}
    assert (await api_client.post("/v1/auth/token", data=form)).status_code == 200

    changed = await api_client.patch(
        url, json={"full_name": "Наблюдатель Новый"}, headers=admin | {"If-Match": tag}
    )

    assert changed.status_code == 200, changed.text


async def test_switching_a_rule_off_in_a_territory_takes_the_rules_etag(world, db, reports_client):
    headers = world.headers("analyst")
    url = await recommendation_rule(reports_client, world, db)
    stale = (await reports_client.get(url, headers=headers)).headers["ETag"]
    here = f"{url}/territories/{world.m1.id}"

    off = await reports_client.put(
        here, json={"active": False}, headers=headers | {"If-Match": stale}
    )
    assert off.status_code == 200, off.text
    assert off.headers["ETag"] != stale
    assert (await reports_client.get(url, headers=headers)).headers["ETag"] == off.headers["ETag"]

    on = await reports_client.put(
        here, json={"active": True}, headers=headers | {"If-Match": stale}
    )
    assert on.status_code == 412, on.text
    stored = (await reports_client.get(url, headers=headers)).json()
    assert stored["switched_off_in"] == [str(world.m1.id)]  # still off: nothing changed


@pytest.mark.committed
@each_case
async def test_of_two_concurrent_changes_with_one_etag_exactly_one_is_applied(
    case: Case, apps, isolation, settings
):
    world = await committed_world(isolation, settings)
    headers = world.headers(case.who)
    transport = httpx.ASGITransport(app=getattr(apps, case.service))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        async with isolation() as session:
            url = await case.locate(client, world, session)
        tag = (await client.get(url, headers=headers)).headers["ETag"]
        conditional = headers | {"If-Match": tag}
        answers = await asyncio.gather(
            client.patch(url, json=case.body(case.first), headers=conditional),
            client.patch(url, json=case.body(case.second), headers=conditional),
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 412], [a.text for a in answers]
        winner = next(a for a in answers if a.status_code == 200)
        stored = await client.get(url, headers=headers)
        assert stored.json()[case.field] == winner.json()[case.field]
        assert stored.headers["ETag"] == winner.headers["ETag"]
        if case.reference:
            assert (await client.delete(url, headers=headers)).status_code == 204


async def test_a_spa_on_another_origin_may_send_if_match_and_read_the_etag(settings):
    app = create_surveys(settings.model_copy(update={"cors_origins": ["https://spa.example"]}))
    spa = {"Origin": "https://spa.example"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        preflight = await client.options(
            "/v1/campaigns/00000000-0000-0000-0000-000000000000",
            headers=spa
            | {
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )
        answer = await client.get("/healthz", headers=spa)
    assert preflight.status_code == 200, preflight.text
    assert "if-match" in preflight.headers["access-control-allow-headers"].lower()
    assert "etag" in answer.headers["access-control-expose-headers"].lower()


# Every change that takes If-Match: (service, method, path); its GET, where the path has one,
# documents the ETag.
DOCUMENTED = [
    ("api", "patch", "/v1/roadmaps/{roadmap_id}"),
    ("api", "patch", "/v1/activities/{activity_id}"),
    ("api", "patch", "/v1/indicators/{indicator_id}"),
    ("api", "patch", "/v1/collections/{collection_id}"),
    ("api", "patch", "/v1/validation-rules/{rule_id}"),
    ("api", "patch", "/v1/organizations/{organization_id}"),
    ("api", "patch", "/v1/clusters/{cluster_id}"),
    ("api", "patch", "/v1/territories/{territory_id}"),
    ("api", "patch", "/v1/users/{user_id}"),
    ("api", "patch", "/v1/staff/{staff_id}"),
    ("surveys", "patch", "/v1/campaigns/{campaign_id}"),
    ("reports", "patch", "/v1/recommendation-rules/{rule_id}"),
    ("reports", "put", "/v1/recommendation-rules/{rule_id}/territories/{territory_id}"),
    ("reports", "patch", "/v1/recommendations/{recommendation_id}"),
    ("reports", "patch", "/v1/pd-programmes/{programme_id}"),
]


@pytest.mark.parametrize(("service", "method", "path"), DOCUMENTED, ids=lambda v: str(v))
def test_openapi_documents_if_match_412_and_the_etag(service, method, path, apps):
    paths = getattr(apps, service).openapi()["paths"]
    change = paths[path][method]
    headers = [p["name"] for p in change["parameters"] if p["in"] == "header"]
    assert "If-Match" in headers
    assert {"412", "422"} <= set(change["responses"])
    # A header is sent or not, never null: the pattern of `*` or tags, which fuzzers keep to.
    [header] = [p for p in change["parameters"] if p["name"] == "If-Match"]
    assert header["schema"]["type"] == "string" and "anyOf" not in header["schema"]
    assert "ETag" in change["responses"]["200"]["headers"]
    if "get" in paths[path]:
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"]
