"""Indicator values of a scope, computed in SQL over the reports service's facts.

No peer is asked for the values: the facts (kept from the api and surveys services' change
feeds) hold the definitions, the hierarchy, the data and the campaign tallies, and
`computation` computes every indicator for every unit of the scope at once. Only the scope
check asks where the scope sits (the scope resolver, its answers kept in `scope_cache`).

Stored computations (`scope_values`): a computation is stored with the feeds' cursors (and
how many campaigns have published their figures, which changes with the clock alone) and
served again while they are unchanged; `as_of` serves the one stored by then.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.facts.store import feed_states
from services.reports.indicator_values import computation
from services.reports.snapshots import service as snapshots
from services.reports.snapshots.models import Snapshot
from shared.db import utcnow
from shared.disclosure import published_by, reads_personal_results
from shared.errors import Invalid, NotFound
from shared.identity import Principal, ScopeType
from shared.periods import Period, period_or_invalid, previous_period
from shared.scope import ScopeInfo, ScopeResolver, ensure_in_scope
from shared.settings import get_settings

KIND = "indicator_values"


@dataclass
class Query:
    period: str
    indicator_codes: list[str] | None
    scope_type: ScopeType | None
    scope_id: uuid.UUID | None
    level: str  # organization | cluster | territory | all


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"loc": ["query", field], "msg": message}])


def _scope(
    principal: Principal, scope_type: ScopeType | str | None, scope_id: uuid.UUID | None
) -> tuple[ScopeType, uuid.UUID]:
    """The scope asked about, by default the caller's own."""
    if scope_type is None and scope_id is None:
        scope_type, scope_id = principal.scope_type, principal.scope_id
    if scope_type is None or scope_id is None:
        raise _invalid("scope_id", "укажите scope_type и scope_id")
    return ScopeType(scope_type), scope_id


async def _compute(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    period: Period,
    codes: list[str] | None,
    level: str,
    *,
    minimum: int,
    public: bool = False,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Items of the indicators (None: all) for the scope and what is inside it at `level`, and
    the codes of every indicator the caller sees; 422 naming `indicator_code` for a code they
    do not. `public`: survey values as a reader without access to personal results sees them,
    whoever asks."""
    items, defined = await computation.scope_items(
        session,
        principal,
        resolver,
        scope,
        period.code,
        previous_period(period).code,
        None,
        minimum=minimum,
        public=public,
    )
    _check_codes(codes, defined)
    wanted = set(codes or defined)
    items = [
        i for i in items if i["indicator_code"] in wanted and level in ("all", i["scope_type"])
    ]
    return items, defined


def _check_codes(codes: list[str] | None, defined: list[str]) -> None:
    if unknown := sorted(set(codes or ()) - set(defined)):
        raise _invalid("indicator_code", f"нет таких показателей: {', '.join(unknown)}")


def _minimum(minimum: int | None) -> int:
    return get_settings().disclosure_minimum if minimum is None else minimum


# --- stored computations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """Where a scope's values come from."""

    computed_at: datetime
    # None: computed now and not stored (the facts were never read from a feed)
    snapshot_id: uuid.UUID | None
    indicator_codes: list[str]  # every indicator defined when they were computed


def end_of_day(day: date, timezone: str) -> datetime:
    """The last moment of a day in the given time zone (`as_of` of a date)."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(timezone))


_PUBLISHED = text("SELECT count(*) FROM reports.fact_campaign WHERE closes_at <= :published_by")


async def _versions(session: AsyncSession) -> dict[str, Any] | None:
    """What the facts are as of now: both feeds' cursors, and how many campaigns have
    published their figures (the clock alone changes that); None while a feed was never read."""
    states = await feed_states(session)
    if not all(source in states for source in ("api", "surveys")):
        return None
    published = await session.scalar(_PUBLISHED, {"published_by": published_by()})
    return {
        "api": states["api"].cursor,
        "surveys": states["surveys"].cursor,
        "published": int(published or 0),
    }


def _parsed(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    items = [{**i, "scope_id": uuid.UUID(i["scope_id"])} for i in body["items"]]
    return items, body["indicator_codes"]


def _served(
    snapshot: Snapshot, decoded: snapshots.DecodedSnapshots | None
) -> tuple[list[dict[str, Any]], Meta]:
    """A stored computation's items (decoded once per process with `decoded`)."""
    if decoded is None:
        items, codes = _parsed(snapshots.decode(snapshot))
    else:
        items, codes = decoded.body(snapshot, _parsed)
    return items, Meta(snapshot.computed_at, snapshot.id, codes)


async def scope_values(
    principal: Principal,
    resolver: ScopeResolver,
    session: AsyncSession,
    scope_type: ScopeType | str | None,
    scope_id: uuid.UUID | None,
    period: str,
    *,
    as_of: datetime | None = None,
    decoded: snapshots.DecodedSnapshots | None = None,
    public: bool = False,
    minimum: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Meta]:
    """Every indicator's items for a scope and everything inside it, the missing inputs (none:
    values that never arrived in the facts are `no_data`), and where they come from: stored
    while the facts are unchanged (same feed cursors), otherwise computed over the facts and
    stored. `as_of`: the latest stored at or before then (404 when none).
    `decoded`: the app's decoded snapshots, for a caller that serves one snapshot many times
    (pages); the items are then shared and must not be changed.
    `public`: without small groups of teachers' personal results even for a caller who may
    read them (for documents and recommendations, which go to many readers); a caller who
    may not read them never gets them. `minimum`: the disclosure minimum (default: the
    settings')."""
    parsed = period_or_invalid(period)
    scope_type, scope_id = _scope(principal, scope_type, scope_id)
    scope = await ensure_in_scope(principal, resolver, scope_type, scope_id)
    personal = reads_personal_results(principal) and not public
    view = snapshots.view_of(principal, personal=personal)
    key = snapshots.SnapshotKey(KIND, scope_type.value, scope_id, parsed.code, view)
    if as_of is not None:
        found = await snapshots.as_of(session, key, as_of)
        if found is None:
            raise NotFound("Нет сохранённых значений показателей на эту дату")
        items, meta = _served(found, decoded)
        return items, [], meta
    versions = await _versions(session)
    if versions is not None:
        found = await snapshots.latest(session, key, snapshots.inputs_hash(key, versions))
        if found is not None:
            items, meta = _served(found, decoded)
            return items, [], meta
    items, codes = await _compute(
        session,
        principal,
        resolver,
        scope,
        parsed,
        None,
        "all",
        minimum=_minimum(minimum),
        public=not personal,
    )
    if versions is None:
        return items, [], Meta(utcnow(), None, codes)
    body = {"items": items, "indicator_codes": codes}
    stored = await snapshots.store(session, key, versions, body)
    return items, [], Meta(stored.computed_at, stored.id, codes)


async def indicator_page(
    principal: Principal,
    resolver: ScopeResolver,
    session: AsyncSession,
    query: Query,
    *,
    as_of: datetime | None = None,
    decoded: snapshots.DecodedSnapshots | None = None,
    minimum: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Meta]:
    """`scope_values` narrowed to the requested indicators and level (422 naming
    `indicator_code` for an indicator the caller does not see)."""
    items, missing, meta = await scope_values(
        principal,
        resolver,
        session,
        query.scope_type,
        query.scope_id,
        query.period,
        as_of=as_of,
        decoded=decoded,
        minimum=minimum,
    )
    _check_codes(query.indicator_codes, meta.indicator_codes)
    wanted = set(query.indicator_codes or meta.indicator_codes)
    items = [
        i
        for i in items
        if i["indicator_code"] in wanted and query.level in ("all", i["scope_type"])
    ]
    return items, missing, meta
