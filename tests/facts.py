"""Bring the reports service's facts up to date inside a test's transaction.

The reports app's own follower runs in the background in production; a test asks for the
same thing at the moment it needs it: `await sync_facts(apps, isolation)` applies every
change both feeds hold (the same FeedFollower, on the test's session factory).
"""

from services.api.indicators.models import Indicator
from services.reports.facts.follower import FeedFollower
from shared.changes.reader import ChangeFeedReader
from tests.factories import TRAINED, add_data_indicator


def followers(apps, sessions) -> dict[str, FeedFollower]:
    """One follower per feed of the reports app, writing through `sessions`."""
    peers = apps.reports.state.peers
    return {
        source: FeedFollower(sessions, source, ChangeFeedReader(peers[source]), wait=0.5)
        for source in ("api", "surveys")
    }


async def sync_facts(apps, sessions) -> None:
    """Apply everything both feeds hold now."""
    for follower in followers(apps, sessions).values():
        await follower.catch_up()


async def add_trained_teachers(db) -> Indicator:
    """A school-reported percent indicator (`teachers_trained`) the feed tests post values of."""
    return await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
