"""Audit entries of the reports service reach the api's audit log through the outbox: with the
change, after its commit, later if the api service is away, once, and never for a rollback."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import delete, func, select

from services.api.audit.models import AuditEvent
from services.reports.app import create_app as create_reports
from services.reports.models import AuditOutboxTable, PdProgramme
from shared.audit_outbox import AUDIT_PATH
from tests.factories import build_world, committed_world

URL = "/v1/pd-programmes"


def programme(code: str) -> dict:
    return {
        "code": code,
        "title": f"Программа {code}",
        "provider": "ИМЦ",
        "hours": 24,
        "competences": ["tools"],
    }


class AuditPostsFail(httpx.AsyncBaseTransport):
    """The real api app, except that audit posts fail as chosen: `down` (never reach it) or
    `answer_lost` (reach it, but the answer does not come back)."""

    def __init__(self, app) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.down = False
        self.answer_lost = False
        self.audit_posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == AUDIT_PATH:
            self.audit_posts += 1
            if self.down:
                raise httpx.ConnectError("connection refused", request=request)
            if self.answer_lost:
                await self._inner.handle_async_request(request)
                raise httpx.ReadError("connection reset", request=request)
        return await self._inner.handle_async_request(request)


@asynccontextmanager
async def reports_with(apps, settings, api: AuditPostsFail) -> AsyncIterator[httpx.AsyncClient]:
    """A reports app (its own lifespan: outbox sender every 50 ms) whose api peer is `api`."""
    quick = settings.model_copy(update={"audit_outbox_seconds": 0.05})
    app = create_reports(
        quick,
        peer_transports={"api": api, "surveys": httpx.ASGITransport(app=apps.surveys)},
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def audit_events(isolation, code_id: str) -> list[AuditEvent]:
    async with isolation() as session:
        query = select(AuditEvent).where(AuditEvent.entity_id == code_id)
        return list((await session.scalars(query)).all())


async def outbox_size(isolation) -> int:
    async with isolation() as session:
        return await session.scalar(select(func.count()).select_from(AuditOutboxTable))


async def eventually(check, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time")


async def test_an_entry_reaches_the_api_audit_log_with_the_change(reports_client, db, settings):
    world = await build_world(db, settings)
    answer = await reports_client.post(
        URL, json=programme("kpk-1"), headers=world.headers("analyst")
    )
    assert answer.status_code == 201, answer.text
    [event] = (
        await db.scalars(select(AuditEvent).where(AuditEvent.entity_id == answer.json()["id"]))
    ).all()
    assert (event.action, event.entity_type, event.service) == ("create", "pd_programme", "reports")
    assert event.actor_id == str(world.users["analyst"].id)
    assert event.entry_id is not None  # it came through the outbox, which is empty again
    assert await db.scalar(select(func.count()).select_from(AuditOutboxTable)) == 0


@pytest.mark.committed
async def test_with_the_api_away_the_change_commits_and_its_entry_arrives_later_once(
    apps, isolation, settings
):
    world = await committed_world(isolation, settings)
    api = AuditPostsFail(apps.api)
    try:
        await _arrive_later_once(apps, isolation, settings, world, api)
    finally:  # pd_programme is reference data, kept after committed tests
        async with isolation() as session:
            await session.execute(delete(PdProgramme).where(PdProgramme.code == "kpk-2"))
            await session.commit()


async def _arrive_later_once(apps, isolation, settings, world, api: AuditPostsFail) -> None:
    async with reports_with(apps, settings, api) as reports:
        api.down = True
        answer = await reports.post(URL, json=programme("kpk-2"), headers=world.headers("analyst"))
        assert answer.status_code == 201, answer.text
        made = answer.json()["id"]
        async with isolation() as session:
            assert await session.get(PdProgramme, made) is not None  # the change stands
        assert await audit_events(isolation, made) == []
        assert await outbox_size(isolation) == 1
        # The api takes the entry, but its answer is lost: the entry is sent again...
        api.down, api.answer_lost = False, True
        posts = api.audit_posts
        await eventually(lambda: _more_than(api, posts + 1))
        # ...and once answers come back, it leaves the outbox, stored once in the api's log.
        api.answer_lost = False
        await eventually(lambda: _empty(isolation))
    [event] = await audit_events(isolation, made)
    assert event.actor_id == str(world.users["analyst"].id)
    assert (event.action, event.service, event.via) == ("create", "reports", "reports")


@pytest.mark.committed
async def test_a_rolled_back_change_sends_nothing(apps, isolation, settings):
    async with isolation() as session:
        await build_world(session, settings)
        await session.commit()
    api = AuditPostsFail(apps.api)
    async with reports_with(apps, settings, api) as reports:
        app = reports.app  # type: ignore[attr-defined]
        async with app.state.db.sessionmaker() as session:
            await app.state.audit_outbox.add(session, "create", "pd_programme", "gone", {})
            await session.rollback()
        await asyncio.sleep(0.2)  # several rounds of the sender
    assert api.audit_posts == 0
    assert await outbox_size(isolation) == 0
    assert await audit_events(isolation, "gone") == []


async def _more_than(api: AuditPostsFail, posts: int) -> bool:
    return api.audit_posts > posts


async def _empty(isolation) -> bool:
    return await outbox_size(isolation) == 0
