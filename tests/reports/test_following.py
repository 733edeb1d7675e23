"""The reports process follows the feeds by itself: a change is in the facts within moments,
/readyz tells how current they are, and an outage of a peer leaves the facts answering."""

import asyncio
import time

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import running_apps
from tests.factories import build_world
from tests.facts import add_trained_teachers
from tests.reports.helpers import post_values

pytestmark = pytest.mark.committed


async def _wait_for(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := await condition():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time")


async def test_a_posted_value_reaches_the_facts_and_readyz_tells_their_age(db, isolation, settings):
    world = await build_world(db, settings)
    await add_trained_teachers(db)
    await db.commit()
    live = settings.model_copy(update={"follow_feeds": True, "feed_wait_seconds": 2.0})
    async with running_apps(live) as apps:
        reports = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps.reports), base_url="http://reports"
        )
        api = httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.api), base_url="http://api")

        async def ready():
            response = await reports.get("/readyz")
            body = response.json()["checks"]["facts"]
            return body if response.status_code == 200 and body["current"] else None

        facts = await _wait_for(ready)
        assert set(facts["feeds"]) == {"api", "surveys"}
        assert facts["feeds"]["api"]["following"] and facts["feeds"]["api"]["current"]
        # Nothing that moves with each change: polled, it would time each parent's answer.
        shown = {k for f in facts["feeds"].values() for k in f} | set(facts)
        assert not {"cursor", "changes", "as_of", "lag_seconds"} & shown

        value = ("teachers_trained", world.s1.id, "2024/2025", 77.0)
        await post_values(api, world, [value], "admin")
        answered = time.monotonic()

        async def stored():
            async with isolation() as session:
                return (
                    await session.execute(text("SELECT value FROM reports.fact_data_value"))
                ).scalar()

        assert await _wait_for(stored) == 77.0
        # The long poll wakes on the commit: far sooner than its 2 s wait.
        assert time.monotonic() - answered < 1.5
        await reports.aclose()
        await api.aclose()


async def test_a_peer_outage_leaves_the_facts_and_says_so(db, isolation, settings):
    await build_world(db, settings)
    await db.commit()
    live = settings.model_copy(update={"follow_feeds": True, "feed_wait_seconds": 1.0})
    async with running_apps(live) as apps:
        reports = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps.reports), base_url="http://reports"
        )

        async def synced():
            body = (await reports.get("/readyz")).json()["checks"]["facts"]
            return body if body["current"] else None

        await _wait_for(synced)
        follower = apps.reports.state.followers["api"]
        follower.retry_seconds = 0.1
        # The api service stops answering.
        # (Its address now leads nowhere: a real connection, refused.)
        peer = apps.reports.state.peers["api"]
        await peer._http.aclose()
        peer._http = httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=1.0)
        peer.retries = 0

        async def failing():
            body = (await reports.get("/readyz")).json()["checks"]["facts"]
            return body if body["feeds"]["api"]["error"] else None

        facts = await _wait_for(failing)
        assert "unavailable" in facts["feeds"]["api"]["error"]
        # What was stored stays: the organizations are still there.
        async with isolation() as session:
            count = (
                await session.execute(text("SELECT count(*) FROM reports.fact_organization"))
            ).scalar()
        assert count == 3
        await reports.aclose()
