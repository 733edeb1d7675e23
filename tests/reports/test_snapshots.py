"""Stored computations of indicator values, keyed by the facts' feed cursors; as of a date; the
peers' data versions."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from services.reports.app import create_app as create_reports
from services.reports.snapshots.models import Snapshot
from shared.db import utcnow
from shared.settings import Settings
from tests.factories import build_world
from tests.facts import sync_facts
from tests.reports.test_indicator_values import (
    PERIOD,
    Counting,
    arrange,
    by_key,
    get_values,
    respondents,
)
from tests.surveys.test_results import diagnostic_answers, nok

# What the reports service still asks the api service on a read: the caller's token check and
# where the scope sits (kept in scope_cache).
TOKEN_AND_SCOPE = {"POST /v1/auth/introspect", "GET /v1/scopes/resolve"}


@pytest.fixture
async def world(db, settings):
    return await build_world(db, settings)


class Refusing(httpx.AsyncBaseTransport):
    """Answers 503 on one path (a peer failing that one call), passes the rest on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str) -> None:
        self.inner, self.path = inner, path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self.path:
            return httpx.Response(503, json={"detail": "unavailable"})
        return await self.inner.handle_async_request(request)


@asynccontextmanager
async def reports_app(
    apps,
    settings: Settings,
    *,
    sessions=None,
    surveys_down: bool = False,
    refuse: str | None = None,
    **extra,
) -> AsyncIterator[tuple[httpx.AsyncClient, Counting, Counting]]:
    """A reports app of its own whose calls to the real peers are counted; its database
    session is the test's, like the shared apps'. With `sessions` (the test's session
    factory) the facts are brought up to date before each request, as the shared client does
    (the feeds are read through the shared app's peers: not counted)."""
    api = Counting(httpx.ASGITransport(app=apps.api))
    surveys = Counting(httpx.ASGITransport(app=apps.surveys))
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "api": Refusing(api, refuse) if refuse else api,
        "surveys": surveys,
    }
    if surveys_down:
        del transports["surveys"]
        extra["surveys_url"] = "http://127.0.0.1:9"
    own = Settings(
        database_url=settings.database_url,
        environment="test",
        log_format="text",
        http_retries=0,
        http_timeout_seconds=2,
        **extra,
    )
    reports = create_reports(own, peer_transports=transports)
    reports.dependency_overrides.update(apps.reports.dependency_overrides)
    async with reports.router.lifespan_context(reports):
        transport = httpx.ASGITransport(app=reports)
        async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
            if sessions is not None:

                async def bring_facts_up_to_date(request: httpx.Request) -> None:
                    await sync_facts(apps, sessions)

                client.event_hooks["request"].append(bring_facts_up_to_date)
            yield client, api, surveys


async def stored(db) -> int:
    return await db.scalar(select(func.count()).select_from(Snapshot))


def m1(body: dict[str, Any], world, code: str = "trained") -> dict[str, Any]:
    return by_key(body)[(code, str(world.m1.id))]


async def test_a_second_identical_request_is_served_from_the_snapshot(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, api, surveys):
        first = await get_values(client, world)
        second = await get_values(client, world)
        # Computed over the facts: no peer is asked for definitions, data or aggregates, nor
        # for a data version (the facts' version is their feeds' cursors).
        assert set(api.calls) <= TOKEN_AND_SCOPE
        assert surveys.calls == []
    assert first["snapshot_id"] is not None
    assert second["snapshot_id"] == first["snapshot_id"]
    assert second["computed_at"] == first["computed_at"]
    assert second["items"] == first["items"] and second["total"] == first["total"] == 18
    assert (m1(second, world)["value"], m1(second, world)["status"]) == (65.0, "not_achieved")
    assert await stored(db) == 1


async def test_filters_apply_to_the_stored_computation(
    apps, settings, isolation, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, api, _):
        full = await get_values(client, world)
        api.calls.clear()
        params = {
            "period": PERIOD,
            "scope_type": "territory",
            "scope_id": str(world.m1.id),
            "indicator_code": "trained",
            "level": "organization",
        }
        answer = await client.get(
            "/v1/indicator-values", params=params, headers=world.headers("analyst")
        )
        unknown = await client.get(
            "/v1/indicator-values",
            params=params | {"indicator_code": "nonexistent"},
            headers=world.headers("analyst"),
        )
    assert set(api.calls) <= TOKEN_AND_SCOPE
    body = answer.json()
    assert body["snapshot_id"] == full["snapshot_id"]
    got = {(i["scope_id"], i["value"]) for i in body["items"]}
    assert got == {(str(world.s1.id), 80.0), (str(world.s2.id), 50.0)} and body["total"] == 2
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["query", "indicator_code"]


async def test_callers_of_one_scope_share_a_snapshot_an_administrator_has_own(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        analyst = await get_values(client, world, "analyst")
        viewer = await get_values(client, world, "viewer")
        admin = await get_values(client, world, "admin")
    assert viewer["snapshot_id"] == analyst["snapshot_id"]
    assert admin["snapshot_id"] not in (None, analyst["snapshot_id"])
    assert m1(admin, world)["value"] == m1(analyst, world)["value"] == 65.0
    assert await stored(db) == 2


async def test_a_changed_value_is_recomputed_and_the_old_one_stays_as_of_its_date(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, api, _):
        before = await get_values(client, world)
        # Computed three days ago, as far as the stored rows tell.
        three_days_ago = utcnow() - timedelta(days=3)
        await db.execute(
            update(Snapshot)
            .where(Snapshot.id == before["snapshot_id"])
            .values(computed_at=three_days_ago)
        )
        await post_trained(api_client, world, 90)
        after = await get_values(client, world)  # recomputed: the api feed moved on

        async def as_of(day) -> httpx.Response:
            return await client.get(
                "/v1/indicator-values",
                params={
                    "period": PERIOD,
                    "scope_type": "territory",
                    "scope_id": str(world.m1.id),
                    "limit": 500,
                    "as_of": day.isoformat(),
                },
                headers=world.headers("analyst"),
            )

        moscow = ZoneInfo(settings.timezone)
        api.calls.clear()
        then = await as_of(three_days_ago.astimezone(moscow).date())
        today = await as_of(utcnow().astimezone(moscow).date())
        none = await as_of((three_days_ago - timedelta(days=2)).astimezone(moscow).date())
        assert set(api.calls) <= TOKEN_AND_SCOPE  # stored history needs no peer

    assert after["snapshot_id"] not in (None, before["snapshot_id"])
    # S1 80, S2 now 90: their mean 85 against ≥ 70; last year S1's 60 alone.
    trained = m1(after, world)
    assert (trained["value"], trained["status"], trained["change"]) == (85.0, "achieved", 25.0)
    assert by_key(after)[("trained", str(world.s2.id))]["value"] == 90.0
    share = m1(after, world, "share_trained")  # both schools now ≥ 70
    assert (share["value"], share["numerator"], share["status"]) == (100.0, 2, "achieved")

    assert then.status_code == 200, then.text
    assert then.json()["snapshot_id"] == before["snapshot_id"]
    assert (m1(then.json(), world)["value"], m1(then.json(), world)["status"]) == (
        65.0,
        "not_achieved",
    )
    assert m1(then.json(), world, "share_trained")["value"] == 50.0
    assert today.json()["snapshot_id"] == after["snapshot_id"]
    assert m1(today.json(), world)["value"] == 85.0
    assert none.status_code == 404
    assert none.headers["content-type"] == "application/problem+json"
    assert none.json()["detail"] == "Нет сохранённых значений показателей на эту дату"
    assert await stored(db) == 2


async def test_a_peer_down_changes_nothing_the_facts_are_served_and_stored(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    """With the facts, a peer that does not answer changes nothing: the values are computed
    over what the facts hold and stored. (Before the facts, a peer down made its values
    `no_data` and the computation was not stored.)"""
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation, surveys_down=True) as (
        client,
        _,
        _,
    ):
        body = await get_values(client, world)
    assert body["missing_inputs"] == []
    assert body["snapshot_id"] is not None
    assert m1(body, world)["value"] == 65.0
    assert m1(body, world, "parents_satisfied")["value"] == 55.56
    assert await stored(db) == 1


async def test_before_the_feeds_were_read_the_values_are_not_stored(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    """Facts never read from a feed have no version to store a computation with: computed
    (nothing arrived: no indicator yet) and not stored, until the feeds are read."""
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings) as (client, api, _):
        first = await get_values(client, world)
        second = await get_values(client, world)
        await sync_facts(apps, isolation)
        third = await get_values(client, world)
    assert first["missing_inputs"] == [] and first["snapshot_id"] is None
    assert first["items"] == second["items"] == [] and second["snapshot_id"] is None
    assert third["snapshot_id"] is not None
    assert m1(third, world)["value"] == 65.0
    assert set(api.calls) <= TOKEN_AND_SCOPE
    assert await stored(db) == 1


# --- the peers' data versions ------------------------------------------------------------------


async def version(client: httpx.AsyncClient, world) -> str:
    answer = await client.get("/v1/data-version", headers=world.headers("service"))
    assert answer.status_code == 200, answer.text
    return answer.json()["version"]


async def test_the_api_data_version_changes_on_writes_only(api_client, world):
    analyst = world.headers("analyst")
    indicator = {
        "code": "trained",
        "name": "Доля педагогов, прошедших КПК",
        "unit": "percent",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "percent"},
        "targets": [{"op": ">=", "value": 70, "period": PERIOD}],
        "roadmap_ids": [str(world.r1.id)],
    }
    created = await api_client.post("/v1/indicators", json=indicator, headers=analyst)
    assert created.status_code == 201, created.text
    value = {"indicator_code": "trained", "organization_id": str(world.s1.id), "period": PERIOD}

    async def post_value(v: float) -> dict:
        answer = await api_client.post(
            "/v1/data-values", json={"values": [value | {"value": v}]}, headers=analyst
        )
        return answer.json()

    start = await version(api_client, world)
    assert await version(api_client, world) == start
    # Reads, a read of personal results, a sign-in and an unchanged value write nothing.
    await api_client.get("/v1/indicators", headers=analyst)
    read = await api_client.post(
        "/v1/audit-events",
        json={"action": "read_personal", "entity_type": "deficit_result", "entity_id": "x"},
        headers=world.headers("service"),
    )
    assert read.status_code == 201, read.text
    token = await api_client.post(
        "/v1/auth/token",
        data={"username": "analyst@soko.example", "password": "correct-horse-battery"},
    )
    assert token.status_code == 200, token.text
    assert await version(api_client, world) == start

    assert (await post_value(80))["imported"] == 1
    with_value = await version(api_client, world)
    assert with_value != start
    assert (await post_value(80))["unchanged"] == 1
    assert await version(api_client, world) == with_value

    result = {
        "organization_id": str(world.s2.id),
        "procedure": "vpr",
        "year": PERIOD,
        "subject": "Математика",
        "grade": 5,
        "participants": 10,
        "marks": {"2": 4, "3": 4, "4": 1, "5": 1},
    }
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [result]}, headers=analyst
    )
    assert answer.json()["imported"] == 1, answer.text
    with_result = await version(api_client, world)
    assert with_result != with_value

    # Targets dropped (in the audit log) and roadmap links replaced (Core statements, outside
    # it): both change the version.
    url = f"/v1/indicators/{created.json()['id']}"
    answer = await api_client.patch(url, json={"targets": []}, headers=analyst)
    assert answer.status_code == 200, answer.text
    without_targets = await version(api_client, world)
    assert without_targets != with_result
    answer = await api_client.patch(url, json={"roadmap_ids": []}, headers=analyst)
    assert answer.status_code == 200, answer.text
    assert await version(api_client, world) not in (without_targets, with_result)


async def test_the_surveys_data_version_changes_on_submissions_and_campaign_edits(
    apps, surveys_client, world
):
    start = await version(surveys_client, world)
    parents = world.campaigns["parents_s1"].id
    diagnostic = world.campaigns["diagnostic_s1"].id
    aggregates = await surveys_client.get(
        f"/v1/campaigns/{parents}/aggregates", headers=world.headers("analyst")
    )
    assert aggregates.status_code == 200
    teacher = world.headers("teacher")
    partial = dict(list(diagnostic_answers({"design": 5}).items())[:3])
    draft = await surveys_client.post(
        f"/v1/campaigns/{diagnostic}/responses",
        json={"staff_id": str(world.t1.id), "answers": partial, "draft": True},
        headers=teacher,
    )
    assert draft.json()["status"] == "draft", draft.text
    assert await version(surveys_client, world) == start  # reads and drafts change nothing

    async with respondents(apps) as parent:
        answer = await parent.post(
            f"/v1/campaigns/{parents}/responses",
            json={"organization_id": str(world.s1.id), "answers": nok()},
        )
    assert answer.status_code == 201, answer.text
    answered = await version(surveys_client, world)
    assert answered != start

    done = await surveys_client.post(
        f"/v1/campaigns/{diagnostic}/responses",
        json={"staff_id": str(world.t1.id), "answers": diagnostic_answers({"design": 5})},
        headers=teacher,
    )
    assert done.json()["status"] == "submitted", done.text
    diagnosed = await version(surveys_client, world)
    assert diagnosed != answered

    edit = await surveys_client.patch(
        f"/v1/campaigns/{parents}",
        json={"title": "Удовлетворённость родителей"},
        headers=world.headers("analyst"),
    )
    assert edit.status_code == 200, edit.text
    edited = await version(surveys_client, world)
    assert edited != diagnosed
    assert await version(surveys_client, world) == edited


@pytest.mark.committed
async def test_concurrent_identical_requests_store_one_row(
    apps, isolation, settings, api_client, surveys_client
):
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    await arrange(api_client, surveys_client, world, apps)
    await sync_facts(apps, isolation)
    transport = httpx.ASGITransport(app=apps.reports)
    async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
        answers = await asyncio.gather(*(get_values(client, world) for _ in range(3)))
    assert len({a["snapshot_id"] for a in answers}) == 1
    assert answers[0]["snapshot_id"] is not None
    assert {m1(a, world)["value"] for a in answers} == {65.0}
    async with isolation() as session:
        assert await stored(session) == 1


async def post_trained(api_client, world, value: float) -> None:
    answer = await api_client.post(
        "/v1/data-values",
        json={
            "values": [
                {
                    "indicator_code": "trained",
                    "organization_id": str(world.s2.id),
                    "period": PERIOD,
                    "value": value,
                }
            ]
        },
        headers=world.headers("analyst"),
    )
    assert answer.json()["updated"] == 1, answer.text


async def test_two_workers_never_serve_different_computations(
    apps, settings, isolation, api_client, surveys_client, world
):
    """Each worker keeps the snapshots it decoded; which one to serve is the database's answer,
    so a worker that decoded the old one serves the new one as soon as it exists."""
    await arrange(api_client, surveys_client, world, apps)
    async with (
        reports_app(apps, settings, sessions=isolation) as (a, _, _),
        reports_app(apps, settings, sessions=isolation) as (b, _, _),
    ):
        first_a, first_b = await get_values(a, world), await get_values(b, world)
        await post_trained(api_client, world, 90)
        second_b = await get_values(b, world)  # B computes and stores the new one
        second_a = await get_values(a, world)  # A had decoded (and kept) the first
    assert first_a["snapshot_id"] == first_b["snapshot_id"]
    assert second_a["snapshot_id"] == second_b["snapshot_id"] != first_a["snapshot_id"]
    assert second_a["items"] == second_b["items"]
    assert m1(first_a, world)["value"] == 65.0
    assert m1(second_a, world)["value"] == m1(second_b, world)["value"] == 85.0


async def test_pages_of_one_snapshot_are_decoded_once_per_worker(
    apps, settings, isolation, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        decoded = client._transport.app.state.decoded_snapshots  # this worker's
        full = await get_values(client, world)
        pages = []
        for offset in range(0, full["total"], 5):
            params = {
                "period": PERIOD,
                "scope_type": "territory",
                "scope_id": str(world.m1.id),
                "limit": 5,
                "offset": offset,
            }
            answer = await client.get(
                "/v1/indicator-values", params=params, headers=world.headers("analyst")
            )
            pages += answer.json()["items"]
    assert pages == full["items"]
    assert len(decoded) == 1 and uuid.UUID(full["snapshot_id"]) in decoded


async def test_the_database_refuses_to_change_a_stored_snapshot(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        snapshot_id = (await get_values(client, world))["snapshot_id"]
    for change in ({"body": b"\x1f\x8b forged"}, {"id": uuid.uuid4()}):
        with pytest.raises(DBAPIError, match="a stored snapshot never changes"):
            async with db.begin_nested():
                await db.execute(
                    update(Snapshot).where(Snapshot.id == snapshot_id).values(**change)
                )
    # When it was computed may be corrected (the tests above move it back in time).
    async with db.begin_nested():
        await db.execute(
            update(Snapshot).where(Snapshot.id == snapshot_id).values(computed_at=utcnow())
        )
