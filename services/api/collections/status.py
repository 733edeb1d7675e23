"""A collection's status for one period: per organization how complete and how timely its
values are and where their approval stands, and the territory pooled; one SQL query.

Formulas (percent 0-100, one decimal):
- `expected`: the collection's indicators that apply to the organization's kind (an indicator's
  `applies_to`); `present`: those with a stored value for the period;
- `present_by_due`: those whose value was first stored (`data_value.created_at`, which later
  changes leave alone) before the end of the due date in the service's time zone: a value
  changed after the due date still counts as timely when it was first stored in time;
- `completeness` = present / expected, `timeliness` = present_by_due / expected (null when
  nothing is expected); `late`: past the due date and incomplete;
- the territory's figures are pooled: sums over its organizations, not averaged percents.

An organization is expected in a window only while it is open during it: opened (if ever) by
the due date and closed (if ever) on or after the opening date (`opened_on`, `closed_on` null:
open since always, still open). A school registered after a window's due date is neither
expected nor late there; one closed before a window opens is not expected in it. One not open
that reported all the same (a value of the collection's indicators for the period, or its data
submitted: submitting needs no expectation) is listed with nothing expected (`expected` 0,
`completeness` and `timeliness` null, never late), so that its submission can still be
approved; any other is left out, of the territory's figures too.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, Boolean, Date, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access
from services.api.collections.schemas import (
    ApprovalState,
    CollectionStatus,
    OrganizationStatus,
    TerritoryStatus,
)
from services.api.collections.service import readable_collection, window_of
from shared.numbers import percent
from shared.periods import Period
from shared.scope import readable_organizations
from shared.templating import natural_key

# `area`: the owner's territories with their depth (the owner 1): an organization's approval
# chain is its territory and those above it up to the owner, as many as its territory's depth.
# `asked`: the organizations of the collection's kinds there (the caller reads), each `open`
# during the window `:opens_date`–`:due_date` (both days inclusive) or not;
# `orgs`: those listed (open, or not open but reporting all the same).
_STATUS = text(
    """
    WITH RECURSIVE area AS (
        SELECT id, 1 AS depth FROM api.territory WHERE id = :owner
        UNION ALL
        SELECT t.id, area.depth + 1 FROM api.territory t JOIN area ON t.parent_id = area.id
    ), asked AS (
        SELECT o.id, o.name, o.kind, area.depth,
               (o.opened_on IS NULL OR o.opened_on <= :due_date)
               AND (o.closed_on IS NULL OR o.closed_on >= :opens_date) AS open
        FROM api.organization o JOIN area ON area.id = o.territory_id
        WHERE o.kind = ANY(:kinds) AND (:everyone OR o.id = ANY(:readable))
    ), orgs AS (
        SELECT * FROM asked o
        WHERE o.open
           OR EXISTS (SELECT FROM api.collection_approval a
                      WHERE a.collection_id = :collection_id AND a.organization_id = o.id
                      AND a.period = :period)
           OR EXISTS (SELECT FROM api.data_value d JOIN api.indicator i ON i.id = d.indicator_id
                      WHERE d.organization_id = o.id AND d.period = :period
                      AND i.id = ANY(:indicator_ids) AND o.kind = ANY(i.applies_to))
    ), counts AS (
        SELECT o.id,
               count(i.id) AS expected,
               count(d.value) AS present,
               count(d.value) FILTER (WHERE d.created_at < :due_end) AS present_by_due
        FROM orgs o
        LEFT JOIN api.indicator i
            ON o.open AND i.id = ANY(:indicator_ids) AND o.kind = ANY(i.applies_to)
        LEFT JOIN api.data_value d
            ON d.indicator_id = i.id AND d.organization_id = o.id AND d.period = :period
        GROUP BY o.id
    ), states AS (
        SELECT o.id, o.name, o.depth, c.expected, c.present, c.present_by_due,
               :past_due AND c.present < c.expected AS late,
               coalesce(a.status, 'not_submitted') AS status, coalesce(a.level, 0) AS level
        FROM orgs o JOIN counts c USING (id)
        LEFT JOIN api.collection_approval a
            ON a.collection_id = :collection_id AND a.organization_id = o.id
            AND a.period = :period
    )
    SELECT *,
           round(100.0 * present / nullif(expected, 0), 1)::float AS completeness,
           round(100.0 * present_by_due / nullif(expected, 0), 1)::float AS timeliness,
           count(*) OVER () AS t_organizations,
           (sum(expected) OVER ())::int AS t_expected,
           (sum(present) OVER ())::int AS t_present,
           (sum(present_by_due) OVER ())::int AS t_present_by_due,
           count(*) FILTER (WHERE late) OVER () AS t_late,
           count(*) FILTER (WHERE status = 'approved') OVER () AS t_approved
    FROM states
    """
).bindparams(
    bindparam("kinds", type_=ARRAY(Text)),
    bindparam("readable", type_=ARRAY(Uuid)),
    bindparam("indicator_ids", type_=ARRAY(Uuid)),
    bindparam("everyone", type_=Boolean),
    bindparam("past_due", type_=Boolean),
    bindparam("opens_date", type_=Date),
    bindparam("due_date", type_=Date),
)


def day_end(day: date, timezone: str) -> datetime:
    """The first moment after `day` in `timezone`: what is stored before it is in time."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(timezone))


async def collection_status(
    access: Access, collection_id: uuid.UUID, period: Period, *, today: date, timezone: str
) -> CollectionStatus:
    """The status of every organization of the collection the caller reads (a leader: their
    school; the territory pooled over the same organizations). 404 for a collection that does
    not concern the caller, 422 naming `period` when it has no window for it."""
    collection = await readable_collection(access, collection_id)
    window = await window_of(access.session, collection.id, period)
    readable = await readable_organizations(access.principal, access.scopes)
    past_due = today > window.due_date
    rows = (
        await access.session.execute(
            _STATUS,
            {
                "owner": collection.owner_territory_id,
                "kinds": collection.organization_kinds,
                "everyone": readable is None,
                "readable": list(readable or ()),
                "indicator_ids": collection.indicator_ids,
                "collection_id": collection.id,
                "period": period.code,
                "due_end": day_end(window.due_date, timezone),
                "past_due": past_due,
                "opens_date": window.opens_date,
                "due_date": window.due_date,
            },
        )
    ).all()
    first = rows[0] if rows else None
    territory = TerritoryStatus(
        territory_id=collection.owner_territory_id,
        organizations=first.t_organizations if first else 0,
        expected=first.t_expected if first else 0,
        present=first.t_present if first else 0,
        present_by_due=first.t_present_by_due if first else 0,
        completeness=percent(first.t_present, first.t_expected) if first else None,
        timeliness=percent(first.t_present_by_due, first.t_expected) if first else None,
        late=first.t_late if first else 0,
        approved=first.t_approved if first else 0,
    )
    return CollectionStatus(
        collection_id=collection.id,
        period=period.code,
        opens_date=window.opens_date,
        due_date=window.due_date,
        past_due=past_due,
        territory=territory,
        organizations=[
            OrganizationStatus(
                organization_id=r.id,
                name=r.name,
                expected=r.expected,
                present=r.present,
                present_by_due=r.present_by_due,
                completeness=r.completeness,
                timeliness=r.timeliness,
                late=r.late,
                approval=ApprovalState(status=r.status, level=r.level, levels=r.depth),
            )
            for r in sorted(rows, key=lambda r: (natural_key(r.name), r.id))
        ],
    )


_EXPECTED = text(
    """
    SELECT asked.collection_id, i.code, i.name, d.value IS NOT NULL AS present
    FROM unnest(CAST(:collection_ids AS uuid[]), CAST(:periods AS text[]))
        AS asked(collection_id, period)
    JOIN api.collection c ON c.id = asked.collection_id
    JOIN api.collection_window w ON w.collection_id = c.id AND w.period = asked.period
    JOIN api.organization o ON o.id = :organization_id
        AND (o.opened_on IS NULL OR o.opened_on <= w.due_date)
        AND (o.closed_on IS NULL OR o.closed_on >= w.opens_date)
    JOIN api.indicator i ON i.id = ANY(c.indicator_ids) AND o.kind = ANY(i.applies_to)
    LEFT JOIN api.data_value d
        ON d.indicator_id = i.id AND d.organization_id = o.id AND d.period = asked.period
    ORDER BY asked.collection_id, i.code
    """
)


@dataclass
class Expected:
    """What one organization is expected to report for a collection and period (as the status
    counts it: the indicators that apply to its kind, none when the organization is not open
    during the period's window) and which of them have no value yet."""

    count: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, name), by code


async def expected_values(
    session: AsyncSession, organization_id: uuid.UUID, asked: list[tuple[uuid.UUID, str]]
) -> dict[uuid.UUID, Expected]:
    """Per collection of `asked` ((collection id, period) pairs, each period one of the
    collection's windows), the organization's `Expected` (count 0, nothing missing, when it is
    not open during the window); one query for all of them."""
    found: dict[uuid.UUID, Expected] = {collection_id: Expected() for collection_id, _ in asked}
    if not asked:
        return found
    params = {
        "collection_ids": [collection_id for collection_id, _ in asked],
        "periods": [period for _, period in asked],
        "organization_id": organization_id,
    }
    for collection_id, code, name, present in await session.execute(_EXPECTED, params):
        expected = found[collection_id]
        expected.count += 1
        if not present:
            expected.missing.append((code, name))
    return found
