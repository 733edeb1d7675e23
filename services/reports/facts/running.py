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
