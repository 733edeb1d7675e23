"""Following the peers' change feeds into the facts: catch up, follow for ever, resync.

    follower = FeedFollower(app.state.db.sessionmaker, "api", ChangeFeedReader(peers["api"]))
    await follower.catch_up()     # read from the stored cursor until the feed has nothing more
    await follower.resync()       # drop this feed's facts and read it again, in one transaction
    await follower.run()          # catch up, then long-poll for ever (the reports app's task)

Each batch is applied in its own transaction together with its cursor (store.apply_batch), so
a restart resumes from the stored cursor and never applies a change twice nor skips one. A
reset of the feed (410) is a resync in ONE transaction: readers keep the old facts until the
new ones are complete. The follower's freshness (`status`) says up to when the facts are
complete: `as_of` is now less the time a change takes on its way (`DELIVERY`, a second) while
a long poll is waiting with nothing new, the time the last complete read was asked otherwise.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reports.facts.store import (
    CursorMoved,
    apply_batch,
    feed_state,
    forget_feed,
    mark_synced,
)
from shared.changes.reader import ChangeFeedReader, FeedRefused, FeedReset
from shared.errors import PeerUnavailable

logger = logging.getLogger("soko.reports.facts")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FollowerStatus:
    """What this process knows of one feed while following it."""

    cursor: str = ""
    # Every change committed before this time is in the facts (None: never caught up).
    synced_to: datetime | None = None
    # A long poll asked after the facts were complete is waiting (since `waiting_since`):
    # every change committed before it asked is in them, and any later one is on its way.
    waiting: bool = False
    waiting_since: datetime | None = None
    error: str | None = None
    error_at: datetime | None = None

    def as_of(self) -> datetime | None:
        """Up to when the facts are complete: while a long poll waits with nothing new, now
        less the time a change takes on its way (`DELIVERY`: committed at the peer, told to
        the waiting poll, applied here); else the last complete read, and never later than
        now less DELIVERY. «Now» itself was said of facts a change committed 20 ms before had
        not reached: a warehouse writing then reading was told the old value was current."""
        now = _now() - DELIVERY
        if not (self.waiting and self.error is None):
            return None if self.synced_to is None else min(self.synced_to, now)
        # Never later than now less DELIVERY, even when a poll has just asked (its facts are
        # complete up to then): a moment that moved with each change read would date it, and
        # on the surveys feed each parent's answer, for anyone polling /readyz.
        return now


# How long a change committed at a peer may take to be applied here while the follower waits
# on a long poll (the feed's notification, its answer, the batch's transaction): `as_of`
# says no later than this before now. Measured: tens of milliseconds on one machine.
DELIVERY = timedelta(seconds=1)

# A resync reads the whole feed: in the largest pages a feed gives (shared/changes/serve.py).
RESYNC_LIMIT = 5000


class FeedFollower:
    """Keeps the facts of one feed (`source`: api | surveys) current."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        source: str,
        reader: ChangeFeedReader,
        *,
        limit: int = 1000,
        wait: float = 25.0,
        retry_seconds: float = 5.0,
    ) -> None:
        self.sessions, self.source, self.reader = sessions, source, reader
        self.limit, self.wait, self.retry_seconds = limit, wait, retry_seconds
        self.status = FollowerStatus()

    async def _stored_cursor(self) -> str:
        async with self.sessions.begin() as session:
            state = await feed_state(session, self.source)
        return state.cursor

    async def _step(self, cursor: str, wait: float) -> tuple[str, bool]:
        """Read one batch after `cursor` and apply it; returns the new cursor and has_more.
        Raises FeedReset, FeedRefused, PeerUnavailable; CursorMoved when another process
        applied first (nothing written)."""
        asked_at = _now()
        caught_up = self.status.synced_to is not None and not self.status.error
        self.status.waiting = wait > 0 and caught_up
        self.status.waiting_since = asked_at
        try:
            batch = await self.reader.read(cursor, self.limit, wait)
        finally:
            self.status.waiting = False
        async with self.sessions.begin() as session:
            await apply_batch(session, self.source, cursor, batch, synced_to=asked_at)
        self.status.cursor = batch.cursor
        self.status.error = None
        if not batch.has_more:
            self.status.synced_to = asked_at
        return batch.cursor, batch.has_more

    async def catch_up(self) -> int:
        """Apply every batch the feed holds after the stored cursor; returns how many batches.
        A 410 resyncs. Raises PeerUnavailable, FeedRefused."""
        cursor, more, batches = await self._stored_cursor(), True, 0
        while more:
            try:
                cursor, more = await self._step(cursor, 0.0)
            except FeedReset as reset:
                logger.warning("%s; resync from the beginning", reset)
                await self.resync()
                return batches + 1
            except CursorMoved:
                cursor, more = await self._stored_cursor(), True
                continue
            batches += 1
        return batches

    async def resync(self) -> int:
        """Forget this feed's facts and read the whole feed again, in one transaction (readers
        see the old facts until it commits); returns the number of changes applied. Raises
        PeerUnavailable, FeedRefused, FeedReset (the feed was reset again meanwhile)."""
        asked_at = _now()
        applied, cursor, more = 0, "", True
        async with self.sessions.begin() as session:
            await forget_feed(session, self.source)
            while more:
                batch = await self.reader.read(cursor, max(self.limit, RESYNC_LIMIT), 0.0)
                applied += await apply_batch(session, self.source, cursor, batch)
                cursor, more = batch.cursor, batch.has_more
            await mark_synced(session, self.source, asked_at)
        self.status.cursor, self.status.synced_to, self.status.error = cursor, asked_at, None
        return applied

    async def run(self) -> None:
        """Follow the feed until cancelled: pages at once while there are more, then long
        polls. An outage is retried every `retry_seconds` from the same cursor (the facts stay
        as they are, their age grows); a 4xx is logged as the contract error it is and retried
        more slowly; a 410 resyncs."""
        cursor, more = await self._retrying(self._stored_cursor), True
        while True:
            try:
                cursor, more = await self._step(cursor, 0.0 if more else self.wait)
            except FeedReset as reset:
                logger.warning("%s; resync from the beginning", reset)
                await self._retrying(self.resync)
                cursor, more = self.status.cursor, False
            except CursorMoved:
                cursor, more = await self._retrying(self._stored_cursor), True
            except PeerUnavailable as exc:
                self._failed(f"peer unavailable: {exc.detail}")
                logger.warning("the %s change feed is unavailable: %s", self.source, exc.detail)
                await asyncio.sleep(self.retry_seconds)
            except FeedRefused as exc:
                self._failed(f"refused: HTTP {exc.status}")
                logger.error("the %s change feed refused the reports service: %s", self.source, exc)
                await asyncio.sleep(self.retry_seconds * 6)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a database outage or a bug: keep the task alive, say so
                self._failed(f"{type(exc).__name__}: {exc}"[:300])
                logger.exception("applying the %s change feed failed", self.source)
                await asyncio.sleep(self.retry_seconds)

    def _failed(self, error: str) -> None:
        self.status.error, self.status.error_at = error, _now()

    async def _retrying(self, action):
        while True:
            try:
                return await action()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed(f"{type(exc).__name__}: {exc}"[:300])
                logger.warning("the %s follower will retry: %s", self.source, exc)
                await asyncio.sleep(self.retry_seconds)
