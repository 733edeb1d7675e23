"""How current the facts are: per feed and overall, for /readyz and for every answer.

`as_of`: every change the peers committed before this moment is in the facts (UTC). While the
follower of a feed is waiting on a long poll with nothing new, that is now less the time a
change takes on its way (a second: `follower.DELIVERY`); after an outage it is the last moment
the feed was read to its end. `lag_seconds`: how far `as_of` is behind now (seconds; about 1
when current). Overall figures are those of the feed furthest behind; a feed never
read to its end gives `as_of: null` (values from it are not there yet).
"""

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.facts.follower import FeedFollower
from services.reports.facts.store import feed_states
from services.reports.facts.tables import FEEDS


class FeedFreshness(BaseModel):
    """One change feed the reports service follows."""

    as_of: datetime | None = Field(description="Every change up to this moment is applied (UTC)")
    lag_seconds: float | None = Field(description="Lag behind now, seconds")
    cursor: str = Field(description="The feed's cursor up to which changes are read")
    changes: int = Field(description="Changes applied since the last resynchronization")
    resets: int = Field(description="How many times the feed was resynchronized from the start")
    following: bool = Field(description="This process is reading the feed now")
    error: str | None = Field(default=None, description="The last error reading the feed")


class Freshness(BaseModel):
    """How current the values are (the feed furthest behind)."""

    as_of: datetime | None = Field(description="Every change up to this moment is applied (UTC)")
    lag_seconds: float | None = Field(description="Lag behind now, seconds")
    feeds: dict[str, FeedFreshness]


def _lag(as_of: datetime | None, now: datetime) -> float | None:
    return None if as_of is None else round(max(0.0, (now - as_of).total_seconds()), 3)


async def freshness(app: FastAPI, session: AsyncSession) -> Freshness:
    """The facts' freshness as this process knows it: a feed it follows from the follower's
    own state, any other from what is stored (another process follows it)."""
    now = datetime.now(UTC)
    followers: dict[str, FeedFollower] = getattr(app.state, "followers", {})
    running: set[str] = getattr(app.state, "following", set())
    stored = await feed_states(session)
    feeds: dict[str, FeedFreshness] = {}
    for source in FEEDS:
        state = stored.get(source)
        follower = followers.get(source) if source in running else None
        as_of = state.caught_up_at if state else None
        error = None
        if follower is not None:
            as_of = follower.status.as_of() or as_of
            error = follower.status.error
        feeds[source] = FeedFreshness(
            as_of=as_of,
            lag_seconds=_lag(as_of, now),
            cursor=state.cursor if state else "",
            changes=state.changes if state else 0,
            resets=state.resets if state else 0,
            following=follower is not None,
            error=error,
        )
    times = [f.as_of for f in feeds.values()]
    oldest = None if any(t is None for t in times) else min(t for t in times if t)
    return Freshness(as_of=oldest, lag_seconds=_lag(oldest, now), feeds=feeds)


# What /readyz, which anyone may ask, says of the facts' age: whether each feed is current
# (behind by at most `CURRENT_SECONDS`), not its moment, lag, cursor or count of changes. Each
# of those moves with the changes a peer commits, the surveys feed's with each parent's answer:
# polled, the cursor and the count timed each answer to the second, and `lag_seconds` (which
# rises while a change read is being applied) to the tenth. Answers to signed-in callers keep
# `as_of` and `lag_seconds`.
CURRENT_SECONDS = 60


async def readiness(app: FastAPI) -> dict[str, Any]:
    """The /readyz check of the facts: ready once every feed has been read to its end (or
    when this process does not follow the feeds); and, per feed and overall, `current` (behind
    by at most CURRENT_SECONDS), with each feed's `following`, `resets` and `error`."""
    async with app.state.db.sessionmaker() as session:
        current = await freshness(app, session)
    following = bool(getattr(app.state, "following", set()))

    def fresh(lag: float | None) -> bool:
        return lag is not None and lag <= CURRENT_SECONDS

    return {
        "ok": current.as_of is not None or not following,
        "current": fresh(current.lag_seconds),
        "feeds": {
            source: {
                "current": fresh(feed.lag_seconds),
                "following": feed.following,
                "resets": feed.resets,
                "error": feed.error,
            }
            for source, feed in current.feeds.items()
        },
    }
