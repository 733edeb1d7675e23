"""Where the organizations stand in the data collections that ask them for a period: computed
from the facts (`fact_collection`, `fact_collection_window`, `fact_collection_approval`,
`fact_data_value`) by the api's formulas (services/api/collections/status.py), one SQL query
for every collection and organization.

- `expected`: the collection's indicators that apply to the organization's kind; `present`:
  those with a value for the period; `present_by_due`: those first stored (`created_at`) before
  the end of the due date in `SOKO_TIMEZONE`;
- `completeness` = present / expected, `timeliness` = present_by_due / expected (percent 0–100,
  one decimal; None when nothing is expected); `late`: past the due date and incomplete;
- a group's figures are pooled (`pooled`): sums, not averaged percents.

An organization is expected in a window only while it is open during it, as in the api: opened
(if ever, `fact_organization.opened_on`) by the due date and closed (if ever, `closed_on`) on
or after the opening date. One not open that reported all the same (a value of the
collection's indicators for the period, or an approval row: it submitted) has a standing with
nothing expected (`expected` 0, completeness and timeliness None, never late); any other has
none, and is no part of its group's figures.

The report's data-quality section and the `low_reporting` recommendation read it.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.numbers import percent

# `up`: each organization's territory and those above it, with their depth (its own 1): a
# collection of the territory at depth k asks the organization, and its approval chain has k
# levels. `asked`: each organization a collection with a window for the period asks, `open`
# during the window or not; `expected`: one row per indicator expected of an open one, and one
# row without an indicator for one not open that reported all the same (the module's
# docstring).
_STATUS = text(
    """
    WITH RECURSIVE up AS (
        SELECT o.id AS organization_id, o.territory_id, 1 AS depth
        FROM reports.fact_organization o WHERE o.id = ANY(:orgs) AND o.territory_id IS NOT NULL
        UNION ALL
        SELECT up.organization_id, t.parent_id, up.depth + 1
        FROM up JOIN reports.fact_territory t ON t.id = up.territory_id
        WHERE t.parent_id IS NOT NULL
    ), asked AS (
        SELECT c.id AS collection_id, c.name AS collection, c.indicator_ids, w.opens_date,
               w.due_date, o.id AS organization_id, o.name, o.kind, up.depth AS levels,
               (o.opened_on IS NULL OR o.opened_on <= w.due_date)
               AND (o.closed_on IS NULL OR o.closed_on >= w.opens_date) AS open
        FROM reports.fact_collection c
        JOIN reports.fact_collection_window w ON w.collection_id = c.id AND w.period = :period
        JOIN up ON up.territory_id = c.owner_territory_id
        JOIN reports.fact_organization o
            ON o.id = up.organization_id AND o.kind = ANY(c.organization_kinds)
    ), expected AS (
        SELECT a.collection_id, a.collection, a.opens_date, a.due_date, a.organization_id,
               a.name, a.levels, i.id AS indicator_id, i.name AS indicator
        FROM asked a
        JOIN reports.fact_indicator i
            ON i.id = ANY(a.indicator_ids) AND (i.applies_to IS NULL OR a.kind = ANY(i.applies_to))
        WHERE a.open
        UNION ALL
        SELECT a.collection_id, a.collection, a.opens_date, a.due_date, a.organization_id,
               a.name, a.levels, NULL, NULL
        FROM asked a
        WHERE NOT a.open AND (
            EXISTS (SELECT FROM reports.fact_collection_approval x
                    WHERE x.collection_id = a.collection_id
                    AND x.organization_id = a.organization_id AND x.period = :period)
            OR EXISTS (SELECT FROM reports.fact_data_value v
                       JOIN reports.fact_indicator i ON i.id = v.indicator_id
                       WHERE v.organization_id = a.organization_id AND v.period = :period
                       AND i.id = ANY(a.indicator_ids)
                       AND (i.applies_to IS NULL OR a.kind = ANY(i.applies_to))))
    )
    SELECT e.collection_id, e.collection, e.opens_date, e.due_date, e.organization_id, e.name,
           e.levels,
           count(e.indicator_id)::int AS expected,
           count(v.value)::int AS present,
           count(v.value) FILTER (
               WHERE v.created_at < ((e.due_date + 1)::timestamp AT TIME ZONE :timezone)
           )::int AS present_by_due,
           coalesce(array_agg(e.indicator ORDER BY e.indicator)
                        FILTER (WHERE v.value IS NULL AND e.indicator_id IS NOT NULL),
                    '{}') AS missing,
           coalesce(min(a.status), 'not_submitted') AS status,
           coalesce(min(a.level), 0) AS level
    FROM expected e
    LEFT JOIN reports.fact_data_value v
        ON v.indicator_id = e.indicator_id AND v.organization_id = e.organization_id
        AND v.period = :period
    LEFT JOIN reports.fact_collection_approval a
        ON a.collection_id = e.collection_id AND a.organization_id = e.organization_id
        AND a.period = :period
    GROUP BY e.collection_id, e.collection, e.opens_date, e.due_date, e.organization_id,
             e.name, e.levels
    ORDER BY e.collection, e.collection_id, e.name, e.organization_id
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)), bindparam("timezone", type_=Text))


@dataclass(frozen=True)
class Standing:
    """One organization in one collection's window of the period (or a group, pooled)."""

    collection_id: uuid.UUID
    collection: str
    opens_date: date
    due_date: date
    organization_id: uuid.UUID | None  # None: a group's pooled figures
    name: str
    expected: int
    present: int
    present_by_due: int
    missing: tuple[str, ...]  # names of the indicators without a value
    status: str  # not_submitted | submitted | returned | approved (a group: approved count)
    level: int  # approving levels reached (1: the municipality)
    levels: int  # levels of the organization's approval chain
    past_due: bool
    late_organizations: int = 0  # a group: how many of its organizations are late
    approved_organizations: int = 0  # a group: how many have their data approved
    organizations: int = 1

    @property
    def completeness(self) -> float | None:
        return percent(self.present, self.expected)

    @property
    def timeliness(self) -> float | None:
        return percent(self.present_by_due, self.expected)

    @property
    def late(self) -> bool:
        """Past the due date and incomplete (a group: one of its organizations is)."""
        if self.organization_id is None:
            return self.late_organizations > 0
        return self.past_due and self.present < self.expected


async def standings(
    session: AsyncSession,
    organization_ids: Sequence[uuid.UUID],
    period: str,
    *,
    today: date,
    timezone: str,
) -> list[Standing]:
    """Every collection with a window for `period` that asks one of the organizations, and
    each of those organizations' standing in it (as the facts hold them; `today` decides
    what is past due), by collection name, then organization name (the caller orders
    naturally where it shows them)."""
    rows = await session.execute(
        _STATUS, {"orgs": sorted(organization_ids), "period": period, "timezone": timezone}
    )
    return [
        Standing(
            collection_id=r.collection_id,
            collection=r.collection or "",
            opens_date=r.opens_date,
            due_date=r.due_date,
            organization_id=r.organization_id,
            name=r.name or "—",
            expected=r.expected,
            present=r.present,
            present_by_due=r.present_by_due,
            missing=tuple(r.missing),
            status=r.status,
            level=r.level,
            levels=r.levels,
            past_due=today > r.due_date,
        )
        for r in rows
    ]


def pooled(rows: Sequence[Standing], name: str) -> Standing:
    """The organizations of one collection pooled: sums of the counts (percents of the sums),
    how many are late and how many approved."""
    first = rows[0]
    return Standing(
        collection_id=first.collection_id,
        collection=first.collection,
        opens_date=first.opens_date,
        due_date=first.due_date,
        organization_id=None,
        name=name,
        expected=sum(r.expected for r in rows),
        present=sum(r.present for r in rows),
        present_by_due=sum(r.present_by_due for r in rows),
        missing=(),
        status="",
        level=0,
        levels=0,
        past_due=first.past_due,
        late_organizations=sum(r.late for r in rows),
        approved_organizations=sum(r.status == "approved" for r in rows),
        organizations=len(rows),
    )
