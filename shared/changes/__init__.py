"""Change feeds: what a service's tables hold, in commit order, for another service to follow.

The api and surveys services each serve `GET /v1/changes` (README, "Change feeds"); the reports
service follows both with `ChangeFeedReader`. Each source table carries a change position per
row, written in the writing transaction by the columns' defaults (a new row) and triggers (a
changed row, or a new one naming a position of its own) for every writer: ORM, bulk
SQL, COPY, migrations; deletions leave a tombstone. Modules:

- `positions`: a position (transaction id, sequence) and the opaque cursor that carries it;
- `tables`: the position columns of a source table, the tombstone and horizon tables;
- `feed`: an entity (a table, its key and the fields of its state) and the feed's SQL;
- `notify`: the LISTEN connection that wakes requests waiting for a change (long poll);
- `serve`: the endpoint's rules: the batch, the wait, 410 below the horizon, compaction;
- `reader`: the typed client a following service uses.
"""

from shared.changes.feed import Entity, Feed
from shared.changes.positions import Position
from shared.changes.reader import ChangeFeedReader, FeedRefused, FeedReset
from shared.changes.schemas import ChangeBatch, ChangeItem

__all__ = [
    "ChangeBatch",
    "ChangeFeedReader",
    "ChangeItem",
    "Entity",
    "Feed",
    "FeedRefused",
    "FeedReset",
    "Position",
]
