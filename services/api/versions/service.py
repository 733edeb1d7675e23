"""The version of the api service's data: an opaque string that changes on every write.

Every write here is in the audit log: the flush hook records each ORM change, and the bulk
statements of data values, assessment results and cluster members insert their own events.
So the newest event that is not a read stands for all writes, found by a backward scan of the
primary key that stops at the first such event. Sign-ins (`user`) and API keys are left out:
no report depends on them, and every sign-in would otherwise invalidate every stored report.

An identity is taken when a row is inserted, not when its transaction commits: a write that
took id 10 may commit after one that took id 11. The number of events in the last `WINDOW`
ids below the newest one changes when such a write commits, so it is part of the version.

One write bypasses the log: the links of indicators to roadmaps (Core statements in
indicators/links.py; targets are written through the ORM and logged). The links table is small;
its count and a checksum are part of the version, and so is the count of targets.
"""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

WINDOW = 1000

_VERSION = text(
    """
    WITH newest AS (
        SELECT id FROM api.audit_event
        WHERE action <> 'read_personal' AND entity_type NOT IN ('user', 'api_key')
        ORDER BY id DESC
        LIMIT 1
    )
    SELECT
        coalesce((SELECT id FROM newest), 0) AS event,
        (SELECT count(*) FROM api.audit_event e, newest n
         WHERE e.id > n.id - :window AND e.id <= n.id) AS recent,
        (SELECT count(*) FROM api.indicator_target) AS targets,
        (SELECT count(*) FROM api.indicator_roadmap) AS links,
        (SELECT coalesce(sum(hashtext(indicator_id::text || roadmap_id::text)), 0)
         FROM api.indicator_roadmap) AS links_sum
    """
)


async def data_version(session: AsyncSession) -> str:
    """The current version of the data the reports are computed from (a few index reads)."""
    row = (await session.execute(_VERSION, {"window": WINDOW})).one()
    return f"{row.event}.{row.recent}.{row.targets}.{row.links}.{row.links_sum}"
