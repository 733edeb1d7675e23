"""Reading data values: the list (with the sync cursor of a `changed_since` read) and the
many-at-once query of the reports service."""

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from services.api.territories.scope import DbScopeResolver
from shared.errors import Invalid
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
    after: str | None = None,
) -> tuple[list[Any], int, datetime | None, str | None]:
    """Values of the caller's organizations: `(rows, total, next_changed_since, next_after)`,
    rows `(DataValue, indicator code)`, newest change first; no cursor (None, None).

    With `changed_since` (a time without an offset is read in SOKO_TIMEZONE): the values
    changed at or after it, oldest change first (then organization, indicator code, period),
    and the cursor to send back as `changed_since`, an aware datetime: the safe watermark
    (`shared.watermark`) on the last page; on a page more rows follow, the earlier of the
    watermark and the page's last `updated_at` (nothing after the page is skipped). When that
    is the last row's own `updated_at`, `next_after` (an opaque token, else None) names the
    last row: sent back as `after`, the read starts past it within that moment (keyset paging:
    a value of the moment changed meanwhile moves to a later moment and comes again, none is
    skipped, as one could be by an `offset`). Raises Invalid (422, `after`) for a token this
    function did not make or one sent without `changed_since`."""
    query = select(DataValue, Indicator.code).join(
        Indicator, Indicator.id == DataValue.indicator_id
    )
    watermark = None
    if changed_since is None and after is not None:
        raise Invalid.at("after", "after передают только вместе с changed_since", where="query")
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
        if after is not None:
            organization, code, period_after = _read_after(after)
            query = query.where(
                tuple_(
                    DataValue.updated_at,
                    DataValue.organization_id,
                    Indicator.code,
                    DataValue.period,
                )
                > tuple_(since, organization, code, period_after)
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
    next_after = None
    if watermark is not None and rows and page.offset + len(rows) < total:
        last, code = rows[-1]
        if last.updated_at <= watermark:
            watermark, next_after = last.updated_at, _make_after(last, code)
    return rows, total, watermark, next_after


def _make_after(value: DataValue, code: str) -> str:
    """The `after` token of a value: its key within one moment, base64url of a JSON list."""
    key = [str(value.organization_id), code, value.period]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _read_after(token: str) -> tuple[uuid.UUID, str, str]:
    """The key an `after` token names; Invalid (422, `after`) for one `_make_after` did not
    make."""
    try:
        if len(token) > 1000:
            raise ValueError(token)
        padded = token + "=" * (-len(token) % 4)
        organization, code, period = json.loads(base64.urlsafe_b64decode(padded))
        if not (isinstance(code, str) and isinstance(period, str)):
            raise ValueError(token)
        return uuid.UUID(organization), code, period
    except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
        raise Invalid.at(
            "after",
            "after не распознан: передайте next_after из предыдущего ответа без изменений",
            where="query",
        ) from exc


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
