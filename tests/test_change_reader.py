"""The typed reader other services follow a feed with: pages, the long poll, a reset (410)
answered by a resync, a refusal and an outage told apart."""

import asyncio
import socket
import uuid

import httpx
import pytest
from sqlalchemy import text

from services.api.changes.entities import FEED as API_FEED
from shared.changes import ChangeBatch, ChangeFeedReader, FeedRefused, FeedReset
from shared.changes.positions import Position, encode_cursor
from shared.changes.serve import compact
from shared.client import ServiceClient
from shared.errors import PeerUnavailable
from shared.identity import ServiceTokens
from tests.changes import read_all
from tests.factories import build_world


def reader_of(app, settings, name: str) -> ChangeFeedReader:
    client = ServiceClient(
        name,
        f"http://{name}",
        transport=httpx.ASGITransport(app=app),
        token=ServiceTokens(settings, "reports"),
    )
    return ChangeFeedReader(client)


async def test_the_reader_reads_both_feeds_to_their_end(apps, db, settings):
    await build_world(db, settings)
    for name, app in (("api", apps.api), ("surveys", apps.surveys)):
        reader = reader_of(app, settings, name)
        batch = await reader.read(limit=3)
        assert len(batch.items) == 3 and batch.has_more
        cursor, seen = batch.cursor, list(batch.items)
        while batch.has_more:
            batch = await reader.read(cursor, limit=5000)
            cursor, seen = batch.cursor, seen + batch.items
        assert (await reader.read(cursor, wait=0.1)).items == []
        whole, _ = await read_all(app, settings)
        assert [i.model_dump() for i in seen] == whole
        await reader.client.aclose()


async def test_the_reader_tells_a_reset_from_a_refusal(apps, db, settings):
    reader = reader_of(apps.api, settings, "api")
    row = (
        await db.execute(
            text(
                "INSERT INTO api.change_tombstone (entity, key, change_xid, change_seq, "
                "deleted_at) VALUES ('territory', '{\"id\": \"x\"}', 1, nextval('api.change_seq'), "
                "now() - interval '30 days') RETURNING change_seq"
            )
        )
    ).one()
    assert await compact(db, API_FEED, retention_days=7) == 1
    with pytest.raises(FeedReset):
        await reader.read(encode_cursor("api", Position(1, row.change_seq - 1)))
    with pytest.raises(FeedRefused) as refused:
        await reader.read(encode_cursor("surveys", Position(1, 1)))
    assert refused.value.status == 422
    assert (await reader.read()).items  # from the beginning: the resync
    await reader.client.aclose()


class Follower:
    """What a following service keeps: the items applied since its last resync, the batches."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.batches: list[ChangeBatch] = []
        self.resyncs = 0
        self.arrived = asyncio.Event()

    async def apply(self, batch: ChangeBatch) -> None:
        self.batches.append(batch)
        self.items += [i.model_dump() for i in batch.items]
        if batch.items:
            self.arrived.set()

    async def resync(self) -> None:
        self.resyncs += 1
        self.items.clear()


async def expire_cursors(db) -> str:
    """A deletion long past the retention, compacted away: a cursor just below it is expired."""
    row = (
        await db.execute(
            text(
                "INSERT INTO api.change_tombstone (entity, key, change_xid, change_seq, "
                "deleted_at) VALUES ('territory', jsonb_build_object('id', gen_random_uuid()), "
                "1, nextval('api.change_seq'), now() - interval '30 days') RETURNING change_seq"
            )
        )
    ).one()
    assert await compact(db, API_FEED, retention_days=7) == 1
    return encode_cursor("api", Position(1, row.change_seq - 1))


async def test_following_pages_through_the_whole_feed_and_stops_when_caught_up(apps, db, settings):
    await build_world(db, settings)
    whole, end = await read_all(apps.api, settings)
    reader, follower = reader_of(apps.api, settings, "api"), Follower()
    cursor = await reader.follow("", follower.apply, follower.resync, limit=7, until_caught_up=True)
    assert follower.items == whole and cursor == end
    assert [len(b.items) for b in follower.batches[:-1]] == [7] * (len(follower.batches) - 1)
    assert [b.has_more for b in follower.batches] == [True] * (len(follower.batches) - 1) + [False]
    assert follower.resyncs == 0
    await reader.client.aclose()


async def test_following_an_expired_cursor_resyncs_from_the_beginning(apps, db, settings):
    await build_world(db, settings)
    expired = await expire_cursors(db)
    reader, follower = reader_of(apps.api, settings, "api"), Follower()
    follower.items.append({"entity": "territory", "key": {"id": "stale"}})  # a fact of before
    cursor = await reader.follow(expired, follower.apply, follower.resync, until_caught_up=True)
    assert follower.resyncs == 1
    whole, end = await read_all(apps.api, settings)
    assert follower.items == whole and cursor == end
    await reader.client.aclose()


@pytest.mark.committed
async def test_a_follower_gets_a_commit_through_its_long_poll(
    apps, settings, isolation, test_engine
):
    reader, follower = reader_of(apps.api, settings, "api"), Follower()
    cursor = await reader.follow("", follower.apply, follower.resync, until_caught_up=True)
    follower.arrived.clear()
    following = asyncio.create_task(reader.follow(cursor, follower.apply, follower.resync, wait=20))
    try:
        await asyncio.sleep(0.3)
        territory = str(uuid.uuid4())
        async with test_engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO api.territory (id, name, kind) VALUES (:id, 'Новая', 'region')"),
                {"id": territory},
            )
        while territory not in {str(i["key"].get("id")) for i in follower.items}:
            await asyncio.wait_for(follower.arrived.wait(), 20)
            follower.arrived.clear()
    finally:
        following.cancel()
        with pytest.raises(asyncio.CancelledError):
            await following
        await reader.client.aclose()
    assert follower.resyncs == 0


async def test_a_feed_nobody_answers_is_unavailable_not_refused(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    client = ServiceClient(
        "api",
        f"http://127.0.0.1:{port}",
        retries=0,
        token=ServiceTokens(settings, "reports"),
    )
    with pytest.raises(PeerUnavailable):
        await ChangeFeedReader(client).read()
    await client.aclose()
