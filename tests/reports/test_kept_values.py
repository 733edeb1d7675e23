"""Kept indicator values: per indicator, scope, period and view, with the inputs (feed cursors)
they were computed from; only a page's indicators are computed; a change closes only the rows
it changed; values as of a date; the peers' data versions."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.reports.app import create_app as create_reports
from shared.db import utcnow
from shared.settings import Settings
from tests.factories import committed_world
from tests.facts import sync_facts
from tests.reports.helpers import TRAINED_INDICATOR, read_values
from tests.reports.test_indicator_values import (
    PERIOD,
    Counting,
    arrange,
    by_key,
    get_values,
    post_s2_result,
    post_trained,
)
from tests.surveys.forms import answer_as_parents, diagnostic_answers
from tests.surveys.test_results import nok

# What the reports service still asks the api service on a read: the caller's token check and
# where the scope sits (kept in scope_cache).
TOKEN_AND_SCOPE = {"POST /v1/auth/introspect", "GET /v1/scopes/resolve"}


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


async def kept_runs(db) -> int:
    """How many (view, scope, period, indicator) value sets are kept."""
    return await db.scalar(text("SELECT count(*) FROM reports.indicator_value_run"))


async def current_rows(db) -> list:
    return (
        await db.execute(
            text(
                "SELECT id, view, indicator_code, unit_id, valid_from, item "
                "FROM reports.indicator_value WHERE valid_to IS NULL"
            )
        )
    ).all()


def m1(body: dict[str, Any], world, code: str = "trained") -> dict[str, Any]:
    return by_key(body)[(code, str(world.m1.id))]


async def get_page(client, world, **params) -> dict[str, Any]:
    answer = await read_values(client, world, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_second_identical_request_is_served_from_the_kept_values(
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
    assert second["computed_at"] == first["computed_at"]
    assert second["items"] == first["items"] and second["total"] == first["total"] == 18
    assert len(first["items"]) == 18  # the total counted without computing is what is shown
    assert (m1(second, world)["value"], m1(second, world)["status"]) == (65.0, "not_achieved")
    codes = {i["indicator_code"] for i in first["items"]}
    assert await kept_runs(db) == len(codes)
    assert len(await current_rows(db)) == 18


async def test_filters_apply_to_the_kept_values(
    apps, settings, isolation, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, api, _):
        full = await get_values(client, world)
        api.calls.clear()
        body = await get_page(client, world, indicator_code="trained", level="organization")
        unknown = await client.get(
            "/v1/indicator-values",
            params={"period": PERIOD, "indicator_code": "nonexistent"},
            headers=world.headers("analyst"),
        )
    assert set(api.calls) <= TOKEN_AND_SCOPE
    assert body["computed_at"] == full["computed_at"]  # served, not computed again
    got = {(i["scope_id"], i["value"]) for i in body["items"]}
    assert got == {(str(world.s1.id), 80.0), (str(world.s2.id), 50.0)} and body["total"] == 2
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["query", "indicator_code"]


async def test_callers_of_one_scope_share_kept_values_an_administrator_has_own(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        analyst = await get_values(client, world, "analyst")
        viewer = await get_values(client, world, "viewer")
        admin = await get_values(client, world, "admin")
    assert viewer["computed_at"] == analyst["computed_at"]
    assert admin["computed_at"] != analyst["computed_at"]
    assert m1(admin, world)["value"] == m1(analyst, world)["value"] == 65.0
    views = {row.view for row in await current_rows(db)}
    assert views == {f"territory:{world.m1.id}:aggregates", "all"}


async def test_only_the_indicators_on_a_page_are_computed(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        first = await get_page(client, world, limit=2)
        codes = {i["indicator_code"] for i in first["items"]}
        assert first["total"] == 18 and len(first["items"]) == 2
        assert await kept_runs(db) == len(codes) == 1
        full = await get_values(client, world)  # the rest are computed now, the first kept
        pages = []
        for offset in range(0, full["total"], 5):
            pages += (await get_page(client, world, limit=5, offset=offset))["items"]
    assert pages == full["items"]
    assert first["items"] == full["items"][:2]
    assert await kept_runs(db) == len({i["indicator_code"] for i in full["items"]})


async def test_a_kept_page_follows_a_change_of_a_clusters_members(
    apps, settings, isolation, api_client, surveys_client, world
):
    """The units of a scope are known per api feed cursor: a cluster that loses a school
    shows it on the next read, whichever indicator's page it is."""
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        before = await get_page(client, world, indicator_code="trained", level="cluster")
        changed = await api_client.patch(
            f"/v1/clusters/{world.c1.id}",
            json={"member_ids": [str(world.s1.id)]},
            headers=world.headers("analyst"),
        )
        assert changed.status_code == 200, changed.text
        after = await get_page(client, world, indicator_code="trained", level="cluster")
        units = client._transport.app.state.known_units
    [c1_before] = before["items"]
    [c1_after] = after["items"]
    # S1 80 and S2 50 before; S1 alone after.
    assert (c1_before["value"], c1_before["n"]) == (65.0, 2)
    assert (c1_after["value"], c1_after["n"]) == (80.0, 1)
    assert len(units._units) == 2  # one per api cursor read at


async def test_a_change_closes_only_the_rows_it_changed_and_the_old_stay_as_of_their_date(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, api, _):
        before = await get_values(client, world)
        # Computed three days ago, as far as the kept rows tell (the trigger that keeps them
        # as they were is set aside for this test's session only).
        three_days_ago = utcnow() - timedelta(days=3)
        async with db.begin_nested():
            await db.execute(text("SET LOCAL session_replication_role = replica"))
            await db.execute(
                text("UPDATE reports.indicator_value SET valid_from = :at"), {"at": three_days_ago}
            )
            await db.execute(
                text("UPDATE reports.indicator_value_run SET computed_at = :at"),
                {"at": three_days_ago},
            )
            await db.execute(text("SET LOCAL session_replication_role = origin"))
        old = {(r.indicator_code, r.unit_id): r.id for r in await current_rows(db)}
        await post_trained(api_client, world, 90)
        after = await get_values(client, world)  # recomputed: the api feed moved on
        await post_trained(api_client, world, 95)
        await get_values(client, world)
        await post_trained(api_client, world, 90)  # the same day: 95 was never seen at its end
        assert (await get_values(client, world))["items"] == after["items"]
        s2_rows = await db.scalar(
            text(
                "SELECT count(*) FROM reports.indicator_value "
                "WHERE indicator_code = 'trained' AND unit_id = :s2"
            ),
            {"s2": world.s2.id},
        )
        assert s2_rows == 2  # three days ago's (closed) and today's, not the 95 between

        async def as_of(day) -> httpx.Response:
            return await read_values(client, world, limit=500, as_of=day.isoformat())

        moscow = ZoneInfo(settings.timezone)
        api.calls.clear()
        then = await as_of(three_days_ago.astimezone(moscow).date())
        today = await as_of(utcnow().astimezone(moscow).date())
        none = await as_of((three_days_ago - timedelta(days=2)).astimezone(moscow).date())
        assert set(api.calls) <= TOKEN_AND_SCOPE  # kept history needs no peer

    assert after["computed_at"] != before["computed_at"]
    # S1 80, S2 now 90: their mean 85 against ≥ 70; last year S1's 60 alone.
    trained = m1(after, world)
    assert (trained["value"], trained["status"], trained["change"]) == (85.0, "achieved", 25.0)
    assert by_key(after)[("trained", str(world.s2.id))]["value"] == 90.0
    share = m1(after, world, "share_trained")  # both schools now ≥ 70
    assert (share["value"], share["numerator"], share["status"]) == (100.0, 2, "achieved")
    # S1's own rows did not change: kept as they were; S2's and M1's were closed and added.
    now = {(r.indicator_code, r.unit_id): r.id for r in await current_rows(db)}
    assert now[("trained", world.s1.id)] == old[("trained", world.s1.id)]
    assert now[("trained", world.s2.id)] != old[("trained", world.s2.id)]
    assert now[("trained", world.m1.id)] != old[("trained", world.m1.id)]
    assert len(set(now.values()) - set(old.values())) < len(now) // 2

    assert then.status_code == 200, then.text
    assert then.json()["items"] == before["items"] and then.json()["total"] == 18
    assert m1(then.json(), world, "share_trained")["value"] == 50.0
    assert then.json()["as_of"] is not None
    assert today.json()["items"] == after["items"]
    assert m1(today.json(), world)["value"] == 85.0
    assert none.status_code == 404
    assert none.headers["content-type"] == "application/problem+json"
    assert none.json()["detail"] == "Нет сохранённых значений показателей на эту дату"


async def test_a_peer_down_changes_nothing_the_facts_are_served_and_kept(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    """With the facts, a peer that does not answer changes nothing: the values are computed
    over what the facts hold and kept."""
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation, surveys_down=True) as (
        client,
        _,
        _,
    ):
        body = await get_values(client, world)
    assert body["missing_inputs"] == []
    assert m1(body, world)["value"] == 65.0
    assert m1(body, world, "parents_satisfied")["value"] == 55.56
    assert len(await current_rows(db)) == 18


async def test_before_the_feeds_were_read_the_values_are_not_kept(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    """Facts never read from a feed have no version to keep values with: computed (nothing
    arrived: no indicator yet) and not kept, until the feeds are read."""
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings) as (client, api, _):
        first = await get_values(client, world)
        second = await get_values(client, world)
        assert await kept_runs(db) == 0
        await sync_facts(apps, isolation)
        third = await get_values(client, world)
    assert first["missing_inputs"] == []
    assert first["items"] == second["items"] == [] and first["total"] == 0
    assert m1(third, world)["value"] == 65.0
    assert set(api.calls) <= TOKEN_AND_SCOPE
    assert await kept_runs(db) > 0


# --- the peers' data versions ------------------------------------------------------------------


async def version(client: httpx.AsyncClient, world) -> str:
    answer = await client.get("/v1/data-version", headers=world.headers("service"))
    assert answer.status_code == 200, answer.text
    return answer.json()["version"]


async def test_the_api_data_version_changes_on_writes_only(api_client, world):
    analyst = world.headers("analyst")
    indicator = {k: v for k, v in TRAINED_INDICATOR.items() if k != "target"} | {
        "targets": [TRAINED_INDICATOR["target"] | {"period": PERIOD}],
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

    await post_s2_result(api_client, world)
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

    await answer_as_parents(apps, parents, [(world.s1.id, nok())])
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
async def test_concurrent_identical_requests_keep_one_set_of_values(
    apps, isolation, settings, api_client, surveys_client
):
    world = await committed_world(isolation, settings)
    await arrange(api_client, surveys_client, world, apps)
    await sync_facts(apps, isolation)
    transport = httpx.ASGITransport(app=apps.reports)
    async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
        answers = await asyncio.gather(*(get_values(client, world) for _ in range(3)))
    assert len({a["computed_at"] for a in answers}) == 1
    assert {m1(a, world)["value"] for a in answers} == {65.0}
    async with isolation() as session:
        assert len(await current_rows(session)) == 18


async def test_two_workers_never_serve_different_values(
    apps, settings, isolation, api_client, surveys_client, world
):
    """Which values to serve is the database's answer: a worker that served the old ones
    serves the new ones as soon as another kept them."""
    await arrange(api_client, surveys_client, world, apps)
    async with (
        reports_app(apps, settings, sessions=isolation) as (a, _, _),
        reports_app(apps, settings, sessions=isolation) as (b, _, _),
    ):
        first_a, first_b = await get_values(a, world), await get_values(b, world)
        await post_trained(api_client, world, 90)
        second_b = await get_values(b, world)  # B computes and keeps the new ones
        second_a = await get_values(a, world)
    assert first_a["computed_at"] == first_b["computed_at"]
    assert second_a["computed_at"] == second_b["computed_at"] != first_a["computed_at"]
    assert second_a["items"] == second_b["items"]
    assert m1(first_a, world)["value"] == 65.0
    assert m1(second_a, world)["value"] == m1(second_b, world)["value"] == 85.0


async def test_the_database_refuses_to_change_a_kept_value(
    apps, settings, isolation, db, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation) as (client, _, _):
        await get_values(client, world)
    row_id = (await current_rows(db))[0].id
    for change in (
        "item = '{\"value\": 100}'",
        "valid_from = now() - interval '1 day'",
        "unit_id = gen_random_uuid()",
    ):
        with pytest.raises(DBAPIError, match="only ever closed"):
            async with db.begin_nested():
                await db.execute(
                    text(f"UPDATE reports.indicator_value SET {change} WHERE id = :id"),  # noqa: S608
                    {"id": row_id},
                )
    close = text("UPDATE reports.indicator_value SET valid_to = now() WHERE id = :id")
    async with db.begin_nested():
        await db.execute(close, {"id": row_id})  # closed once
    with pytest.raises(DBAPIError, match="only ever closed"):
        async with db.begin_nested():
            await db.execute(close, {"id": row_id})  # and never again


@pytest.mark.committed
async def test_changed_values_younger_than_the_maximum_age_are_served_then_recomputed(
    apps, isolation, settings, api_client, surveys_client
):
    """With `SOKO_VALUES_MAX_AGE_SECONDS`, a read right after a change answers at once from
    the kept values (their `computed_at` says how old) and has them recomputed after the
    answer: the next read shows the change without computing it."""
    world = await committed_world(isolation, settings)
    await arrange(api_client, surveys_client, world, apps)
    async with reports_app(apps, settings, sessions=isolation, values_max_age_seconds=60) as (
        client,
        _,
        _,
    ):
        first = await get_values(client, world)
        await post_trained(api_client, world, 90)
        served = await get_values(client, world)  # the change is in the facts, not yet computed
        refreshed = await get_values(client, world)  # recomputed after the answer before
        again = await get_values(client, world)
    assert m1(first, world)["value"] == m1(served, world)["value"] == 65.0
    assert served["computed_at"] == first["computed_at"]
    # The value before the change is as of its computation, not of now: a warehouse that
    # trusts `as_of` knows to pull it again (it said «now, lag 0» while serving the old one).
    assert served["as_of"] == first["computed_at"] and served["lag_seconds"] > 0
    assert m1(refreshed, world)["value"] == 85.0
    assert refreshed["computed_at"] > first["computed_at"]
    assert again["computed_at"] == refreshed["computed_at"]  # served, not computed again
    async with isolation() as session:
        assert len(await current_rows(session)) == 18
