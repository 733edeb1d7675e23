"""A feed's entities and the one SQL statement that reads a batch of it.

An entity is a source table under a contract name: the columns of its key (with their SQL
types) and the fields of its state, each an SQL expression over the row `r` (a scalar
subquery where another table of the same schema is needed, such as an indicator's code).
Fields are listed one by one: a column added to a table never reaches a feed unnoticed.

The statement is a UNION ALL of every entity's rows and the tombstones, each branch reading
its own first `limit` rows after the cursor from its `(change_xid, change_seq)` index (so a
batch reads at most `limit` rows a branch whatever the tables hold and whatever the planner
estimates), ordered by position and cut to `limit`. A tombstone whose key has been written
again since is not delivered: the key's live row stands (see the README on re-inserted keys).

What may be delivered is decided from figures the statement also returns, of the same
snapshot: the oldest transaction of the database still running (`xmin`), the reader's own
transaction id (if it has one), and the feed's horizon.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import BigInteger, String, TextClause, column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.changes.positions import Position

# Key column types a tombstone's key is compared with (its JSON text cast back to them).
KEY_TYPES = frozenset({"uuid", "text", "bigint", "integer"})
NO_JIT = text("SET LOCAL jit = off")


# The oldest transaction of this database still running when the statement's snapshot was
# taken (or the snapshot's xmax: none). A transaction running in another database of the
# server writes nothing a feed carries, so it holds nothing back; one is known to be of another
# database when a backend connected there runs it now (its 32-bit id; pg_stat_get_activity
# shows it to superusers and pg_read_all_stats). Any other running transaction (of this
# database, prepared, ended since the snapshot, or whose backend this role may not see) counts.
OLDEST_RUNNING_HERE = """COALESCE(
    (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
     WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_get_activity(NULL) AS a
        WHERE a.backend_xid::text::bigint = x::text::bigint % 4294967296
          AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
     )),
    pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"""


def utc(expression: str) -> str:
    """SQL of a timestamptz as ISO 8601 text in UTC, whatever the session's time zone."""
    return f"""to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


@dataclass(frozen=True)
class Entity:
    """One table of a feed, under the name readers know it by."""

    name: str
    table: str  # schema-qualified
    key: dict[str, str]  # key column -> its SQL type (uuid, text, bigint, integer)
    fields: dict[str, str] = field(default_factory=dict)  # state field -> SQL over `r`
    description: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.key.values()) - KEY_TYPES
        if unknown:
            raise ValueError(f"{self.name}: key types {sorted(unknown)} are not supported")
        if 2 * len(self.fields) > 100 or 2 * len(self.key) > 100:
            raise ValueError(f"{self.name}: jsonb_build_object takes at most 100 arguments")

    def _object(self, pairs: dict[str, str]) -> str:
        return "jsonb_build_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs.items()) + ")"

    def branch(self) -> str:
        """This entity's live rows as feed rows."""
        key = self._object({c: f"r.{c}" for c in self.key})
        # The feed definition's own names and SQL are interpolated, never input.
        return (
            f"SELECT '{self.name}'::text AS entity, 'upsert'::text AS op, {key} AS item_key, "  # noqa: S608
            f"{self._object(self.fields)} AS state, r.change_xid, r.change_seq "
            f"FROM {self.table} r"
        )

    def live(self) -> str:
        """Whether the key of a tombstone (`item_key`) names a row that exists again."""
        match = " AND ".join(f"s.{c} = (item_key->>'{c}')::{t}" for c, t in self.key.items())
        return f"(SELECT true FROM {self.table} s WHERE {match})"  # noqa: S608 - as above


@dataclass(frozen=True)
class Feed:
    """The entities of one service's feed, all in the service's schema."""

    service: str
    schema: str
    entities: Sequence[Entity]

    @property
    def channel(self) -> str:
        """The LISTEN/NOTIFY channel the feed's triggers notify at commit."""
        return f"soko_changes_{self.service}"

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)

    @cached_property
    def batch_statement(self) -> TextClause:
        # Each branch reads its own first `limit` rows after the cursor, in order, from its
        # position index: whatever the planner estimates, a batch reads at most `limit` rows
        # per branch, not the rest of a table (a table written in one transaction looked like
        # one row to it, and a page cost every later row: reading a feed grew as its square).
        after = "(change_xid, change_seq) > (:xid, :seq)"
        branches = [
            f"({e.branch()} WHERE (r.change_xid, r.change_seq) > (:xid, :seq) "
            "ORDER BY r.change_xid, r.change_seq LIMIT :limit)"
            for e in self.entities
        ]
        cases = " ".join(f"WHEN '{e.name}' THEN {e.live()}" for e in self.entities)
        branches.append(
            "(SELECT * FROM (SELECT t.entity::text AS entity, 'delete'::text AS op, "  # noqa: S608
            "t.key AS item_key, NULL::jsonb AS state, t.change_xid, t.change_seq "
            f"FROM {self.schema}.change_tombstone t WHERE (t.change_xid, t.change_seq) "
            f"> (:xid, :seq)) d WHERE (CASE d.entity {cases} END) IS NULL "
            "ORDER BY d.change_xid, d.change_seq LIMIT :limit)"
        )
        # One statement, one snapshot: the horizon is the one the rows were read under.
        sql = f"""
            WITH snap AS MATERIALIZED (
                SELECT {OLDEST_RUNNING_HERE} AS xmin,
                       pg_current_xact_id_if_assigned()::text::bigint AS own,
                       pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid,
                       (SELECT last_value FROM {self.schema}.change_seq) AS last_seq,
                       (SELECT change_xid FROM {self.schema}.change_horizon) AS horizon_xid,
                       (SELECT change_seq FROM {self.schema}.change_horizon) AS horizon_seq
            ), batch AS MATERIALIZED (
                SELECT entity, op, item_key, state, change_xid, change_seq
                FROM ({" UNION ALL ".join(branches)}) AS feed
                WHERE {after}
                ORDER BY change_xid, change_seq
                LIMIT :limit
            )
            SELECT snap.*, batch.* FROM snap LEFT JOIN batch ON true
            ORDER BY batch.change_xid, batch.change_seq
        """  # noqa: S608 - the feed definition's own names and SQL, no input
        return text(sql).columns(
            column("xmin", BigInteger),
            column("own", BigInteger),
            column("next_xid", BigInteger),
            column("last_seq", BigInteger),
            column("horizon_xid", BigInteger),
            column("horizon_seq", BigInteger),
            column("entity", String),
            column("op", String),
            column("item_key", JSONB),
            column("state", JSONB),
            column("change_xid", BigInteger),
            column("change_seq", BigInteger),
        )

    @cached_property
    def compaction_statement(self) -> TextClause:
        """Delete the tombstones older than the retention (only of transactions no snapshot
        may still miss) and raise the horizon to the highest position removed."""
        schema = self.schema
        return text(
            f"""
            WITH removed AS (
                DELETE FROM {schema}.change_tombstone
                WHERE deleted_at < now() - make_interval(days => :days)
                  AND change_xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                RETURNING change_xid, change_seq
            ), raised AS (
                INSERT INTO {schema}.change_horizon AS h (id, change_xid, change_seq, moved_at)
                SELECT 1, change_xid, change_seq, now() FROM removed
                ORDER BY change_xid DESC, change_seq DESC
                LIMIT 1
                ON CONFLICT (id) DO UPDATE
                    SET change_xid = EXCLUDED.change_xid, change_seq = EXCLUDED.change_seq,
                        moved_at = now()
                    WHERE (EXCLUDED.change_xid, EXCLUDED.change_seq)
                          > (h.change_xid, h.change_seq)
                RETURNING 1
            )
            SELECT count(*) FROM removed
            """  # noqa: S608 - the schema's name, no input
        )


@dataclass(frozen=True)
class FeedRow:
    entity: str
    op: str
    key: dict[str, Any]
    state: dict[str, Any] | None
    position: Position


@dataclass(frozen=True)
class Fetched:
    """What one read found after a position: the rows that may be delivered, in order;
    whether a committed change lies beyond them, held back behind a transaction still running;
    and the horizon as it was when they were read; `next_xid`, the first transaction id the
    database had not yet given out (the reader's own, if it has one, counts as given), and
    `last_seq`, the highest number its sequence had given out, when they were read."""

    rows: list[FeedRow]
    held_back: bool
    horizon: Position | None
    next_xid: int = 0
    last_seq: int = 0

    def beyond(self, position: Position) -> bool:
        """Whether no change of this database may be at `position` yet: its transaction was
        not given out, or its number not taken. A cursor there (forged, or kept from a
        database since restored from an older backup) would wait for changes whose positions
        stay below it forever: the reader would skip every change."""
        return position.xid >= self.next_xid or position.seq > self.last_seq


async def fetch(session: AsyncSession, feed: Feed, after: Position, limit: int) -> Fetched:
    """Up to `limit` rows after `after` that no transaction still running can precede.

    A row is delivered when its transaction is older than every transaction of the database
    still running (`change_xid < xmin`): then every change at a lower position has committed,
    or never will, so a reader that moves past it skips nothing. Rows of the reading
    transaction itself are delivered too (a test that writes and reads in one transaction),
    though an older transaction still running might write later at a lower position: a service
    never reads its feed in a transaction that writes. The first row that
    may not be delivered ends the batch: nothing after it is delivered either.
    """
    # The statement is large and its estimates rough: JIT compiling it took 1.5 s of a
    # 1.6 s read of 5,000 rows (bench/changes_bench.py). It runs in well under 100 ms without.
    await session.execute(NO_JIT)
    result = await session.execute(
        feed.batch_statement, {"xid": after.xid, "seq": after.seq, "limit": limit}
    )
    rows: list[FeedRow] = []
    held_back, horizon, next_xid, last_seq = False, None, 0, 0
    for row in result:
        next_xid = max(row.next_xid, row.own + 1 if row.own is not None else 0)
        last_seq = row.last_seq
        if row.horizon_xid is not None:
            horizon = Position(row.horizon_xid, row.horizon_seq)
        if row.entity is None or held_back:
            continue  # nothing after `after`; or past a row that may not be delivered yet
        if not (row.change_xid < row.xmin or row.change_xid == row.own):
            held_back = True
            continue
        state = row.state if row.op == "upsert" else None
        position = Position(row.change_xid, row.change_seq)
        rows.append(FeedRow(row.entity, row.op, row.item_key, state, position))
    return Fetched(rows, held_back, horizon, next_xid, last_seq)
