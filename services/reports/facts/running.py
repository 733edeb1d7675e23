"""The reports process follows both change feeds for as long as it runs (its lifespan).

`SOKO_FOLLOW_FEEDS=false` turns it off (off by default in the test environment, whose
tests bring the facts up to date themselves). With
several worker processes each follows; the stored cursor decides who applies a batch first
(store.CursorMoved), so nothing is applied twice.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.reports.facts.follower import FeedFollower
from services.reports.facts.tables import FEEDS
from shared.changes.reader import ChangeFeedReader
from shared.client import ServiceClient
from shared.db import Database
from shared.identity import ServiceTokens
from shared.settings import Settings


def followers_of(app: FastAPI) -> dict[str, FeedFollower]:
    """One follower per feed, writing through the app's database."""
    settings = app.state.settings
    return {
        source: FeedFollower(
            app.state.db.sessionmaker,
            source,
            ChangeFeedReader(app.state.peers[source]),
            wait=settings.feed_wait_seconds,
        )
        for source in FEEDS
    }


@contextlib.asynccontextmanager
async def following(app: FastAPI) -> AsyncIterator[None]:
    """Start a follower task per feed (unless turned off); cancel them on shutdown."""
    app.state.followers = followers_of(app)
    app.state.following = set()
    tasks: list[asyncio.Task[None]] = []
    if app.state.settings.following_feeds:
        for source, follower in app.state.followers.items():
            tasks.append(asyncio.create_task(follower.run(), name=f"follow-{source}-feed"))
            app.state.following.add(source)
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        app.state.following = set()


async def resync_feeds(settings: Settings, sources: list[str]) -> dict[str, int]:
    """`soko resync`: drop the facts of each feed in `sources` and read it again from the
    beginning, each in one transaction (the running reports service keeps answering from the
    old facts until it commits). Needs the peers running. Returns changes applied per feed.
    Raises PeerUnavailable, FeedRefused."""
    db = Database(settings.database_url or "", pool_size=2)
    tokens = ServiceTokens(settings, "reports")
    counts: dict[str, int] = {}
    try:
        for source in sources:
            client = ServiceClient(
                source,
                settings.peer_url(source),
                timeout=settings.http_timeout_seconds,
                retries=settings.http_retries,
                token=tokens,
            )
            try:
                follower = FeedFollower(db.sessionmaker, source, ChangeFeedReader(client))
                counts[source] = await follower.resync()
            finally:
                await client.aclose()
    finally:
        await db.close()
    return counts
