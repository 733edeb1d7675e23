"""Reading data values: the list (with the sync cursor of a `changed_since` read) and the
many-at-once query of the reports service."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from services.api.territories.scope import DbScopeResolver
from shared.identity import Principal
from shared.pagination import Pagination, paginate
from shared.scope import readable_organizations
from shared.settings import get_settings
from shared.watermark import safe_watermark


async def list_values(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    *,
    indicator_codes: list[str] | None = None,
    organization_id: uuid.UUID | None = None,
    period: str | None = None,
    changed_since: datetime | None = None,
) -> tuple[list[Any], int, datetime | None]:
    """Values of the caller's organizations: `(rows, total, next_changed_since)`, rows
    `(DataValue, indicator code)`, newest change first; no cursor (None).

    With `changed_since` (a time without an offset is read in SOKO_TIMEZONE): the values
    changed at or after it, oldest change first (then organization, indicator code, period),
    and the cursor to send back as `changed_since`, an aware datetime: the safe watermark
    (`shared.watermark`) on the last page; on a page more rows follow, the earlier of the
    watermark and the page's last `updated_at` (nothing after the page is skipped). The same
    `changed_since` back means the page is all one moment's changes: ask the next `offset`."""
    query = select(DataValue, Indicator.code).join(
        Indicator, Indicator.id == DataValue.indicator_id
    )
    watermark = None
    if changed_since is None:
        query = query.order_by(
            DataValue.updated_at.desc(), DataValue.organization_id, Indicator.code
        )
    else:
        watermark = await safe_watermark(session)  # before the reads it covers
        since = _in_utc(get_settings().aware(changed_since))
        query = query.where(DataValue.updated_at >= since).order_by(
            DataValue.updated_at, DataValue.organization_id, Indicator.code, DataValue.period
        )
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        query = query.where(DataValue.organization_id.in_(readable))
    if indicator_codes:
        query = query.where(Indicator.code.in_(indicator_codes))
    if organization_id is not None:
        query = query.where(DataValue.organization_id == organization_id)
    if period is not None:
        query = query.where(DataValue.period == period)
    rows, total = await paginate(session, query, page, whole_rows=True)
    if watermark is not None and rows and page.offset + len(rows) < total:
        watermark = min(watermark, rows[-1][0].updated_at)
    return rows, total, watermark


async def query_values(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    *,
    indicator_codes: list[str],
    periods: list[str],
    organization_ids: list[uuid.UUID] | None,
) -> list[tuple[str, uuid.UUID, str, float]]:
    """Values of many indicators, periods and organizations in one query (the reports
    service's input), limited to the organizations the caller may read."""
    if not indicator_codes or not periods or organization_ids == []:
        return []
    query = (
        select(Indicator.code, DataValue.organization_id, DataValue.period, DataValue.value)
        .join(Indicator, Indicator.id == DataValue.indicator_id)
        .where(Indicator.code.in_(indicator_codes), DataValue.period.in_(periods))
        .order_by(Indicator.code, DataValue.organization_id, DataValue.period)
    )
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        query = query.where(DataValue.organization_id.in_(readable))
    if organization_ids is not None:
        query = query.where(DataValue.organization_id.in_(organization_ids))
    return [tuple(row) for row in await session.execute(query)]


def _in_utc(moment: datetime) -> datetime:
    """An aware `moment` in UTC; one beyond what UTC can hold (0001-01-01 in Moscow, a client's
    "from the beginning") as the earliest or latest datetime."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)
