"""The safe watermark of a `changed_since` read: the moment a client may send back next time
and miss nothing committed after the read.

Rows stamp `updated_at` with `now()`, the start of the transaction that writes them (a column
default for a new row, `updated_at = now()` for a changed one), not the moment they commit. A
transaction that began before a later one and commits after it leaves rows *older* than rows
a reader has already seen: "the greatest `updated_at` I saw" is not a safe place to resume.

The watermark is the earliest start (`pg_stat_activity.xact_start`, which is exactly the
transaction's `now()`) of every transaction still open in this database — the reader's own
among them, so never later than the reader's `now()` — read BEFORE the statements whose
results it covers. A row those statements do not see was committed after they took their
snapshots, so its transaction was open when the watermark was read (its start is counted) or
began after that (its start is later still): either way its `updated_at` is at or after the
watermark. The reads must each take their own snapshot after this one (READ COMMITTED, the
database's default and the services'); a REPEATABLE READ transaction would have taken its
snapshot at its first statement, before the watermark was read.

Counted are the client backends (every service's sessions, psql); the autovacuum and other
background processes write no `updated_at`. A backend of a role whose activity the service's
role may not see (another role without pg_read_all_stats) shows no `xact_start` and is not
counted: rows are written by the services' own role. A transaction left open holds the
watermark at its start: clients then read again what changed since (safe, only repeated).

`MARGIN` is taken off on top: a transaction's start time is read when its first statement
arrives and published a few instructions later (a writer paused by the system in between
would not be counted yet), and the wall clock may be slewed; 0.1 s earlier only sends a
client the last moment's rows again, which it applies by key as before.
"""

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MARGIN = timedelta(milliseconds=100)

_EARLIEST_OPEN = text(
    """SELECT least(now(), min(a.xact_start)) FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.backend_type = 'client backend'
      AND a.xact_start IS NOT NULL"""
)


async def safe_watermark(session: AsyncSession) -> datetime:
    """The watermark (an aware UTC datetime) for the reads `session` runs after this call:
    every row they do not see carries an `updated_at` at or after it. Call it before them
    (PostgreSQL keeps a transaction's first view of pg_stat_activity until it ends: an
    earlier view only makes the watermark hold for longer)."""
    earliest = await session.scalar(_EARLIEST_OPEN)
    return earliest - MARGIN
