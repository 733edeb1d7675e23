"""Two processes of one service give the same answer about where things sit.

Each "worker" below is a separate app instance of the same service, with its own lifespan,
engine and state, as `soko serve --workers 2` runs them; they share only the database. The api
service is the real app; its calls are counted on the way (not changed).
"""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.db import get_session
from shared.errors import NotFound
from shared.identity import ScopeType

RESOLVE = "/v1/scopes/resolve"


class Counted(httpx.AsyncBaseTransport):
    """The real api app, with the paths it was asked counted."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.paths: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[request.url.path] += 1
        return await self.inner.handle_async_request(request)


@asynccontextmanager
async def workers(apps, settings, create=create_reports, n=2) -> AsyncIterator[tuple]:
    """`n` processes of a service (reports by default) and the counted api they ask. Their
    requests use the test's transaction, as the shared apps' do."""
    api = Counted(apps.api)
    async with AsyncExitStack() as stack:
        started = []
        for _ in range(n):
            surveys = httpx.ASGITransport(app=apps.surveys)
            app = create(settings, peer_transports={"api": api, "surveys": surveys})
            await stack.enter_async_context(app.router.lifespan_context(app))
            app.dependency_overrides[get_session] = apps.api.dependency_overrides[get_session]
            started.append(app)
        yield *started, api


async def test_what_one_worker_learned_the_other_uses(apps, settings, isolation, world):
    async with workers(apps, settings) as (a, b, api):
        first = await a.state.scope_resolver.resolve(ScopeType.cluster, world.c1.id)
        again = await b.state.scope_resolver.resolve(ScopeType.cluster, world.c1.id)
        assert api.paths[RESOLVE] == 1
    assert again == first
    assert first.organization_ids == {world.s1.id, world.s2.id}


async def test_two_workers_agree_on_a_changed_scope_and_see_the_change_together(
    apps, settings, isolation, world, db
):
    quick = settings.model_copy(update={"scope_cache_seconds": 1.0})
    async with workers(apps, quick) as (a, b, api):
        before = await a.state.scope_resolver.resolve(ScopeType.cluster, world.c1.id)
        # S3 joins the cluster (in M2): the api answers differently from now on.
        await db.execute(
            text("INSERT INTO api.cluster_member (cluster_id, organization_id) VALUES (:c, :o)"),
            {"c": world.c1.id, "o": world.s3.id},
        )
        meanwhile = await b.state.scope_resolver.resolve(ScopeType.cluster, world.c1.id)
        assert meanwhile == before  # B does not contradict what A still says
        await asyncio.sleep(1.2)  # both answers expire together
        after_b = await b.state.scope_resolver.resolve(ScopeType.cluster, world.c1.id)
        after_a = await a.state.scope_resolver.resolve(ScopeType.cluster, world.c1.id)
        assert api.paths[RESOLVE] == 2  # one worker asked again; the other used its answer
    assert before.organization_ids == {world.s1.id, world.s2.id}
    assert after_a == after_b
    assert after_a.organization_ids == {world.s1.id, world.s2.id, world.s3.id}


@pytest.mark.parametrize("service", ["surveys", "reports"])
async def test_a_request_on_another_worker_uses_the_kept_answer(
    apps, settings, isolation, world, service
):
    """Through HTTP: what worker A learned while serving the analyst, worker B serves from the
    table (read through the request's own session), without asking the api service."""
    create = create_surveys if service == "surveys" else create_reports
    path = "/v1/campaigns" if service == "surveys" else "/v1/nok"
    params = {"territory_id": str(world.m1.id)}
    if service == "reports":
        params["period"] = "2021/2022"
    async with workers(apps, settings, create) as (a, b, api):
        answers = []
        for worker in (a, b):
            transport = httpx.ASGITransport(app=worker)
            async with httpx.AsyncClient(transport=transport, base_url="http://w") as client:
                response = await client.get(path, params=params, headers=world.headers("analyst"))
                answers.append(response.status_code)
                if worker is a:
                    learned = api.paths[RESOLVE]
    assert answers == [200, 200]
    assert learned >= 1  # A asked the api service (the analyst's territory, M1)
    assert api.paths[RESOLVE] == learned  # B did not ask again


async def test_an_unknown_scope_is_404_and_not_kept(apps, settings, isolation, world):
    nowhere = uuid.uuid4()
    async with workers(apps, settings) as (a, b, api):
        for worker in (a, b):
            with pytest.raises(NotFound):
                await worker.state.scope_resolver.resolve(ScopeType.territory, nowhere)
        assert api.paths[RESOLVE] == 2  # a territory created meanwhile would be found at once
