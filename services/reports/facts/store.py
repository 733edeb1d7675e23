"""Applying a change-feed batch to the facts, with the feed's cursor, in one transaction.

    async with db.session() as session, session.begin():
        await apply_batch(session, "api", after=cursor, batch=batch)

Each entity's upserts go in one `INSERT … SELECT * FROM jsonb_populate_recordset(…) ON CONFLICT
DO UPDATE` and its deletions in one `DELETE … USING`, so a batch of a thousand changes costs a
few statements, not a thousand. The cursor row is updated only if it still holds `after`: if
another process applied the batch first, `CursorMoved` is raised and the caller rolls back and
reads on from the stored cursor (two followers never apply one change twice or skip one).
"""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.facts.tables import FEEDS, SCHEMA
from shared.changes.schemas import ChangeBatch, ChangeItem

logger = logging.getLogger("soko.reports.facts")


class CursorMoved(Exception):
    """The stored cursor of a feed is no longer the one the batch was read after."""


@dataclass(frozen=True)
class FeedState:
    """Where one feed is read up to, as stored (see tables.feed_cursor)."""

    source: str
    cursor: str
    applied_at: datetime | None
    caught_up_at: datetime | None
    changes: int
    resets: int


def _key_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _upsert_sql(table: Table) -> str:
    name = f"{SCHEMA}.{table.name}"
    keys = _key_columns(table)
    others = [c.name for c in table.columns if c.name not in keys]
    action = (
        "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
        if others
        else "DO NOTHING"
    )
    # Names from tables.py, values bound.
    insert = f"INSERT INTO {name} SELECT * FROM jsonb_populate_recordset(NULL::{name}, "  # noqa: S608
    return insert + f"CAST(:rows AS jsonb)) ON CONFLICT ({', '.join(keys)}) {action}"


def _delete_sql(table: Table) -> str:
    name = f"{SCHEMA}.{table.name}"
    match = " AND ".join(f"t.{c} = k.{c}" for c in _key_columns(table))
    delete = f"DELETE FROM {name} AS t USING jsonb_populate_recordset(NULL::{name}, "  # noqa: S608
    return delete + f"CAST(:rows AS jsonb)) AS k WHERE {match}"


def _latest(items: Iterable[ChangeItem]) -> list[ChangeItem]:
    """Each (entity, key) once, in its last state of the batch."""
    latest: dict[tuple[str, str], ChangeItem] = {}
    for item in items:
        key = (item.entity, json.dumps(item.key, sort_keys=True, default=str))
        latest.pop(key, None)
        latest[key] = item
    return list(latest.values())


async def write_items(session: AsyncSession, source: str, items: Iterable[ChangeItem]) -> int:
    """Store the items of feed `source` in the facts (no cursor, no commit); returns how many
    were applied. An entity this service keeps no table for is skipped (a peer may carry more
    than reports need) and logged once per batch."""
    tables = FEEDS[source]
    upserts: dict[str, list[dict[str, Any]]] = {}
    deletes: dict[str, list[dict[str, Any]]] = {}
    unknown: set[str] = set()
    applied = 0
    for item in _latest(items):
        if item.entity not in tables:
            unknown.add(item.entity)
            continue
        if item.op == "delete" or item.state is None:
            deletes.setdefault(item.entity, []).append(item.key)
        else:
            upserts.setdefault(item.entity, []).append({**item.state, **item.key})
        applied += 1
    if unknown:
        logger.info("the %s feed carries entities reports do not keep: %s", source, unknown)
    for entity, rows in deletes.items():
        await session.execute(text(_delete_sql(tables[entity])), {"rows": json.dumps(rows)})
    for entity, rows in upserts.items():
        await session.execute(text(_upsert_sql(tables[entity])), {"rows": json.dumps(rows)})
    return applied


async def feed_state(session: AsyncSession, source: str) -> FeedState:
    """The stored position of feed `source` (created empty on first use)."""
    await session.execute(
        text(
            "INSERT INTO reports.feed_cursor (source) VALUES (:source) "
            "ON CONFLICT (source) DO NOTHING"
        ),
        {"source": source},
    )
    row = (
        await session.execute(
            text(
                "SELECT source, cursor, applied_at, caught_up_at, changes, resets "
                "FROM reports.feed_cursor WHERE source = :source"
            ),
            {"source": source},
        )
    ).one()
    return FeedState(*row)


async def feed_states(session: AsyncSession) -> dict[str, FeedState]:
    """Every feed's stored position, by source (feeds never read are absent)."""
    rows = await session.execute(
        text(
            "SELECT source, cursor, applied_at, caught_up_at, changes, resets "
            "FROM reports.feed_cursor"
        )
    )
    return {row[0]: FeedState(*row) for row in rows}


async def lock_feed(session: AsyncSession, source: str) -> None:
    """Serialise writers of one feed's facts until the transaction ends."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('soko.reports.facts.' || :source))"),
        {"source": source},
    )


async def apply_batch(
    session: AsyncSession,
    source: str,
    after: str,
    batch: ChangeBatch,
    synced_to: datetime | None = None,
) -> int:
    """Store a batch read after the cursor `after` and move the cursor to `batch.cursor`, in
    the caller's transaction. `synced_to`: when the batch was asked for; a batch after which
    the feed has nothing more records it as the time up to which the facts are complete.
    Raises CursorMoved (nothing written) when the stored cursor is not `after`. Returns the
    number of changes applied."""
    await lock_feed(session, source)
    state = await feed_state(session, source)
    if state.cursor != after:
        raise CursorMoved(f"{source}: stored cursor {state.cursor!r}, batch after {after!r}")
    applied = await write_items(session, source, batch.items)
    await session.execute(
        text(
            "UPDATE reports.feed_cursor SET cursor = :cursor, changes = changes + :n, "
            "applied_at = CASE WHEN :n > 0 THEN now() ELSE applied_at END, "
            "caught_up_at = CASE WHEN :complete THEN CAST(:synced_to AS timestamptz) "
            "ELSE caught_up_at END WHERE source = :source"
        ),
        {
            "cursor": batch.cursor,
            "n": applied,
            "complete": synced_to is not None and not batch.has_more,
            "synced_to": synced_to,
            "source": source,
        },
    )
    return applied


async def mark_synced(session: AsyncSession, source: str, synced_to: datetime) -> None:
    """Record that every change of feed `source` committed before `synced_to` is stored."""
    await session.execute(
        text("UPDATE reports.feed_cursor SET caught_up_at = :at WHERE source = :source"),
        {"at": synced_to, "source": source},
    )


async def forget_feed(session: AsyncSession, source: str) -> None:
    """Delete every fact taken from feed `source` and set its cursor back to the beginning,
    in the caller's transaction (a reset: the facts are read again from the start)."""
    await lock_feed(session, source)
    await feed_state(session, source)
    for table in FEEDS[source].values():
        await session.execute(text(f"DELETE FROM {SCHEMA}.{table.name}"))  # noqa: S608
    await session.execute(
        text(
            "UPDATE reports.feed_cursor SET cursor = '', changes = 0, resets = resets + 1, "
            "caught_up_at = NULL WHERE source = :source"
        ),
        {"source": source},
    )
