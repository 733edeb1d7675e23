"""Anonymous responses: nothing times or orders them finer than the day; operators keying in
paper questionnaires; the limit of public submissions, shared by every process."""

import hashlib
import json
import logging
import uuid
from contextlib import AsyncExitStack

import httpx
import pytest
from sqlalchemy import func, select, text, update

from services.surveys.app import create_app as create_surveys
from services.surveys.responses.models import IdempotencyKeys, RateLimits, Response
from shared.ratelimit import SharedRateLimit
from tests.factories import committed_world
from tests.surveys.forms import launch, link_of, nok_answers, nok_fields
from tests.surveys.limits import fresh_window, use_up

# Every table that holds anonymous answers or what they leave behind.
ANONYMOUS_TABLES = ("response", "answer", "answer_tally", "competence_score", "idempotency_key")


def responses_url(campaign: dict) -> str:
    return f"/v1/campaigns/{campaign['id']}/responses"


def body(world, organization=None, **answers) -> dict:
    return {"organization_id": str(organization or world.s1.id), "answers": nok_answers(**answers)}


async def test_no_anonymous_table_keeps_a_time_or_a_sequence(db):
    """A day at most: no timestamp or time column, no identity or serial column."""
    columns = (
        await db.execute(
            text(
                "SELECT table_name, column_name, data_type, is_identity, "
                "coalesce(column_default, '') FROM information_schema.columns "
                "WHERE table_schema = 'surveys' AND table_name = ANY(:tables)"
            ),
            {"tables": list(ANONYMOUS_TABLES)},
        )
    ).all()
    assert {c[0] for c in columns} == set(ANONYMOUS_TABLES)
    for table, column, data_type, identity, default in columns:
        assert not data_type.startswith(("timestamp", "time")), (table, column)
        assert identity == "NO" and "nextval" not in default, (table, column)
    dates = {(t, c) for t, c, data_type, _, _ in columns if data_type == "date"}
    assert dates == {("response", "submitted_on"), ("idempotency_key", "created_on")}
    key = await db.scalar(
        text(
            "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum)) "
            "FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'surveys.answer'::regclass "
            "AND i.indisprimary"
        )
    )
    assert key == "response_id,question"


async def test_response_ids_are_random_and_keys_are_kept_hashed_by_the_day(
    surveys_client, parents, world, db
):
    ids = []
    for n, key in enumerate(("phone-1", "phone-2", None)):
        headers = {"Idempotency-Key": key} if key else {}
        answer = await surveys_client.post(
            responses_url(parents), json=body(world, nok_12=n % 2 == 0), headers=headers
        )
        assert answer.status_code == 201, answer.text
        ids.append(uuid.UUID(answer.json()["id"]))
    assert all(i.version == 4 for i in ids) and len(set(ids)) == 3
    rows = (await db.execute(select(IdempotencyKeys))).mappings().all()
    assert {r["principal"] for r in rows} == {"anonymous:-"} and len(rows) == 2
    # Hashed, and bound to the request: not even the key's own hash is kept.
    bare = {hashlib.sha256(k.encode()).hexdigest() for k in ("phone-1", "phone-2")}
    assert not {r["key_hash"] for r in rows} & bare
    today = await db.scalar(select(func.current_date()))
    assert all(r["created_on"] == today for r in rows)  # a day, no time
    assert not any("phone-" in json.dumps(dict(r), default=str) for r in rows)
    stored = await db.get(Response, ids[0])
    assert stored.submitted_on is not None and stored.channel == "web"


async def test_idempotency_records_expire_after_the_day_after(
    apps, surveys_client, parents, world, db
):
    url = responses_url(parents)
    answers = {}
    for key, days in (("old", 2), ("yesterday", 1)):  # kept that many days ago
        answers[key] = await surveys_client.post(
            url, json=body(world), headers={"Idempotency-Key": key}
        )
        await db.execute(
            update(IdempotencyKeys)
            .where(IdempotencyKeys.c.created_on == func.current_date())
            .values(created_on=func.current_date() - days)
        )
    first = answers["old"]
    apps.surveys.state.idempotency_cleared_on.clear()  # as if not cleared today yet
    await surveys_client.post(url, json=body(world), headers={"Idempotency-Key": "today"})
    kept = await db.scalar(select(func.count()).select_from(IdempotencyKeys))
    assert kept == 2  # yesterday's and today's: a key is honoured for at least 24 hours
    retried = await surveys_client.post(url, json=body(world), headers={"Idempotency-Key": "old"})
    assert retried.status_code == 201 and retried.json()["id"] != first.json()["id"]
    replayed = await surveys_client.post(
        url, json=body(world), headers={"Idempotency-Key": "yesterday"}
    )
    assert replayed.headers.get("idempotent-replayed") == "true"


async def test_access_log_has_routes_not_a_schools_link(form, parents, caplog):
    caplog.set_level(logging.INFO, logger="soko.access")
    link = link_of(parents)
    code = link.removeprefix("/s/")
    await form.get(link)
    await form.post(link, data=nok_fields())
    await form.get(f"{link}/thanks")
    await form.get("/s/static/form.css")
    await form.post(
        responses_url(parents),
        json={"organization_id": parents["links"][0]["organization_id"], "answers": {}},
    )
    lines = [(r.method, r.path) for r in caplog.records if r.name == "soko.access"]
    # The form asks the api service (in process here, logging too) for the school's name once.
    assert lines.count(("POST", "/v1/organizations/lookup")) == 1
    lines.remove(("POST", "/v1/organizations/lookup"))
    assert lines == [
        ("GET", "/s/{code}"),
        ("POST", "/s/{code}"),
        ("GET", "/s/{code}/thanks"),
        ("GET", "/s/static/{path}"),
        ("POST", "/v1/campaigns/{campaign_id}/responses"),
    ]
    logged = json.dumps([vars(r) for r in caplog.records], default=str)
    assert code not in logged and parents["id"] not in logged
    assert "raw_path" not in logged  # the path itself never


@pytest.mark.parametrize("who", ["admin", "analyst", "methodologist", "leader"])
async def test_an_operator_keys_in_paper_forms_without_the_public_limit(
    apps, browser, address, parents, world, db, who
):
    """Those who may manage the school's campaigns are not throttled as the public, and their
    entries are marked "paper", with nobody's identity (not theirs either)."""
    await use_up(apps.surveys.state.anonymous_limit, address)
    async with browser(address) as client:
        public = await client.post(responses_url(parents), json=body(world))
        assert public.status_code == 429  # the address has used up its minute
        entered = []
        for n in range(3):
            answer = await client.post(
                responses_url(parents),
                json=body(world, nok_12=bool(n % 2)),
                headers=world.headers(who) | {"Idempotency-Key": f"paper-{who}-{n}"},
            )
            assert answer.status_code == 201, answer.text
            assert answer.json()["channel"] == "paper"
            entered.append(answer.json()["id"])
    for response_id in entered:
        stored = await db.get(Response, uuid.UUID(response_id))
        assert stored.channel == "paper" and stored.staff_id is None
        assert stored.invitation_id is None
    owners = set(await db.scalars(select(IdempotencyKeys.c.principal)))
    assert owners == {"anonymous:-"}  # the operator's account is not kept with the keys
    user = str(world.users[who].id)
    rows = (await db.execute(text("SELECT r::text FROM surveys.response r"))).scalars().all()
    assert not any(user in row for row in rows)
    rates = await apps_get(apps, f"/v1/campaigns/{parents['id']}/rates", world.headers("admin"))
    s1 = next(r for r in rates["items"] if r["organization_id"] == str(world.s1.id))
    assert s1["responses"] == 3 and s1["channels"] == {"web": 0, "paper": 3, "import": 0}


async def apps_get(apps, path: str, headers: dict[str, str]):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=apps.surveys), base_url="http://surveys"
    ) as client:
        answer = await client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("who", "school"),
    [
        ("teacher", "s1"),  # a school's teacher manages no campaign
        ("viewer", "s1"),  # reads the territory, manages nothing
        ("leader3", "s1"),  # the leader of another school
        ("analyst", "s3"),  # an analyst, for a school of another territory
        ("service", "s1"),  # a service acting for nobody
    ],
)
async def test_signed_in_callers_without_the_right_are_the_public(
    apps, browser, address, new_address, parents, world, db, who, school
):
    organization = getattr(world, school).id
    await use_up(apps.surveys.state.anonymous_limit, address)
    async with browser(address) as client:
        limited = await client.post(
            responses_url(parents), json=body(world, organization), headers=world.headers(who)
        )
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    async with browser(new_address()) as client:
        allowed = await client.post(
            responses_url(parents), json=body(world, organization), headers=world.headers(who)
        )
    assert allowed.status_code == 201 and allowed.json()["channel"] == "web"
    stored = await db.get(Response, uuid.UUID(allowed.json()["id"]))
    assert stored.channel == "web" and stored.staff_id is None


async def test_rates_count_both_channels(apps, browser, new_address, parents, world):
    for who in (None, None, "leader", None):
        async with browser(new_address()) as client:
            headers = world.headers(who) if who else {}
            answer = await client.post(responses_url(parents), json=body(world), headers=headers)
            assert answer.status_code == 201, answer.text
    rates = await apps_get(apps, f"/v1/campaigns/{parents['id']}/rates", world.headers("leader"))
    assert rates["total"] == 1
    assert [(r["responses"], r["channels"]) for r in rates["items"]] == [
        (4, {"web": 3, "paper": 1, "import": 0})
    ]


async def test_past_windows_are_deleted_and_addresses_kept_only_hashed(settings, test_engine):
    limit = SharedRateLimit.open(
        settings.database_url, RateLimits, b"test-secret", scope="test", limit=2
    )
    address = f"192.0.2.{uuid.uuid4().int % 250}"
    try:
        async with test_engine.begin() as conn:
            await conn.execute(
                RateLimits.insert().values(bucket=limit.bucket(address), slot=1, hits=99)
            )
        await fresh_window(limit)
        assert [await limit.retry_after(address) for _ in range(3)][:2] == [None, None]
        async with test_engine.connect() as conn:
            rows = (await conn.execute(select(RateLimits))).all()
    finally:
        await limit.aclose()
    mine = [r for r in rows if r.bucket == limit.bucket(address)]
    assert [r.hits for r in mine] == [3]  # the old window's row is gone, this one counts 3
    assert all(address.encode() not in r.bucket for r in rows)
    assert limit.bucket(address) != SharedRateLimit(
        test_engine, RateLimits, b"another-secret", scope="test", limit=2
    ).bucket(address)


@pytest.mark.committed
async def test_two_processes_share_one_limit_for_the_api_and_the_form(
    apps, isolation, settings, surveys_client, new_address
):
    """Two app instances on one database (two workers): the limit counts the hits of both, on
    the JSON API and the HTML form alike."""
    world = await committed_world(isolation, settings)
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    small = settings.model_copy(update={"anonymous_rate_per_minute": 3})
    workers = [
        create_surveys(small, peer_transports={"api": httpx.ASGITransport(app=apps.api)})
        for _ in range(2)
    ]
    address = new_address()
    async with AsyncExitStack() as stack:
        for app in workers:
            await stack.enter_async_context(app.router.lifespan_context(app))
        one, two = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                    base_url="http://surveys",
                )
            )
            for app in workers
        ]
        limit = workers[0].state.anonymous_limit
        await fresh_window(limit)
        url, link = responses_url(campaign), link_of(campaign)
        accepted = [
            (await one.post(url, json=body(world))).status_code,
            (await two.post(link, data=nok_fields())).status_code,
            (await two.post(url, json=body(world))).status_code,
        ]
        refused = [
            await one.post(url, json=body(world)),
            await two.post(link, data=nok_fields()),
            await one.post(link, data=nok_fields()),
        ]
        another = new_address()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=workers[1], client=(another, 40000)),
            base_url="http://surveys",
        ) as elsewhere:
            other = await elsewhere.post(url, json=body(world))
    assert accepted == [201, 303, 201]
    assert [r.status_code for r in refused] == [429, 429, 429]
    assert refused[0].headers["content-type"] == "application/problem+json"
    assert "Слишком много ответов" in refused[1].text and refused[1].headers["retry-after"]
    assert other.status_code == 201  # another address has its own count
    async with isolation() as session:
        stored = await session.scalar(select(func.count()).select_from(Response))
        hits = (await session.execute(select(RateLimits.c.bucket, RateLimits.c.hits))).all()
    assert stored == 4
    counted = dict(hits)
    assert (counted[limit.bucket(address)], counted[limit.bucket(another)]) == (6, 1)
    assert all(address.encode() not in b and len(b) == 32 for b, _ in hits)


async def test_a_parent_s_key_tells_nobody_else_how_they_answered(
    surveys_client, parents, world, db
):
    """Anonymous callers share one owner of keys: a parent's «family-ivanov-2026» sent by
    anyone else with guessed answers was a 409 (the key used, with other answers) or a replay
    of the parent's response (the guess right). Bound to the request, another request with
    the key is a request of its own: stored as any anonymous answer, nothing of the
    parent's told; the parent's own retry still replays."""
    url = responses_url(parents)
    key = {"Idempotency-Key": "family-ivanov-2026"}
    parent = await surveys_client.post(url, json=body(world, nok_12=True), headers=key)
    assert parent.status_code == 201, parent.text
    guess = await surveys_client.post(url, json=body(world, nok_12=False), headers=key)
    assert guess.status_code == 201, guess.text
    assert "idempotent-replayed" not in guess.headers
    assert guess.json()["id"] != parent.json()["id"]
    retry = await surveys_client.post(url, json=body(world, nok_12=True), headers=key)
    assert retry.headers.get("idempotent-replayed") == "true"
    assert retry.json() == parent.json()
    stored = await db.scalar(select(func.count()).select_from(Response))
    assert stored == 2  # the parent's once, and the other request's
