"""Indicator values of a scope, computed in SQL over the reports service's facts.

No peer is asked for the values: the facts (kept from the api and surveys services' change
feeds) hold the definitions, the hierarchy, the data and the campaign tallies, and
`computation` computes every indicator for every unit of the scope at once. Only the scope
check asks where the scope sits (the scope resolver, its answers kept in `scope_cache`).

Kept values (`store`): an indicator's values for a scope, as one view sees them, are kept
with the inputs they were computed from (the cursors of the feeds the indicator reads, and how
many campaigns have published their figures, which changes with the clock alone) and served
again while those are unchanged (`freshness`). A page computes only the indicators on it;
the total is known without computing (one item per unit a method applies to). `as_of` serves
the values valid at a moment.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from services.reports.indicator_values import computation, store
from services.reports.indicator_values.computation import Prepared
from services.reports.indicator_values.freshness import make_current, versions_now, view_of
from services.reports.indicator_values.units import KnownUnits
from shared.db import utcnow
from shared.disclosure import (
    CAMPAIGN_OPEN,
    INDIVIDUAL_RESULTS,
    cluster_readable,
    reads_personal_results,
)
from shared.errors import Invalid, NotFound
from shared.identity import Principal, ScopeType
from shared.periods import Period
from shared.scope import ScopeResolver, ensure_in_scope
from shared.settings import get_settings
from shared.value_labels import CAMPAIGN_OPEN_TEXT, INDIVIDUAL_RESULTS_TEXT


@dataclass
class Query:
    period: Period
    indicator_codes: list[str] | None
    scope_type: ScopeType | None
    scope_id: uuid.UUID | None
    level: str  # organization | cluster | territory | all
    # The published view: only approved data values count (methods/data_value.py).
    approved_only: bool = False


def _scope(
    principal: Principal, scope_type: ScopeType | str | None, scope_id: uuid.UUID | None
) -> tuple[ScopeType, uuid.UUID]:
    """The scope asked about, by default the caller's own."""
    if scope_type is None and scope_id is None:
        scope_type, scope_id = principal.scope_type, principal.scope_id
    if scope_type is None or scope_id is None:
        raise Invalid.at("scope_id", "укажите scope_type и scope_id", where="query")
    return ScopeType(scope_type), scope_id


def _check_codes(codes: list[str] | None, defined: list[str]) -> None:
    if unknown := sorted(set(codes or ()) - set(defined)):
        raise Invalid.at(
            "indicator_code", f"нет таких показателей: {', '.join(unknown)}", where="query"
        )


def _minimum(minimum: int | None) -> int:
    return get_settings().disclosure_minimum if minimum is None else minimum


# --- kept values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """Where a scope's values come from."""

    computed_at: datetime  # when the newest value served was computed
    kept: bool  # False: computed now and not kept (the feeds were never read)
    indicator_codes: list[str]  # every indicator the caller sees
    # Indicators served from kept values younger than the maximum age although their inputs
    # changed: the caller has them recomputed after answering (`refresh`).
    refresh: tuple[str, ...] = ()
    # When the oldest of those was computed: the answer lags at least from then (its `as_of`
    # no later, whatever the feeds have applied since).
    behind_since: datetime | None = None


def end_of_day(day: date, timezone: str) -> datetime:
    """The last moment of a day in the given time zone (`as_of` of a date)."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(timezone))


async def _prepare(
    principal: Principal,
    resolver: ScopeResolver,
    session: AsyncSession,
    query: Query,
    *,
    public: bool,
    minimum: int | None,
    units: KnownUnits | None,
    versions: dict[str, Any] | None,
    thresholds: Thresholds | None = None,
) -> tuple[Prepared, store.RunKey]:
    """The computation of the query's scope and period (403/404 for a scope the caller may not
    read), and the key its values are kept under."""
    scope_type, scope_id = _scope(principal, query.scope_type, query.scope_id)
    scope = await ensure_in_scope(principal, resolver, scope_type, scope_id)
    if scope_type == ScopeType.cluster and not cluster_readable(principal, scope_id):
        # A school's people read their school alone: the cluster it is in would give them
        # its other schools' values and a figure made of them (404, as the pages answer).
        raise NotFound()
    personal = reads_personal_results(principal) and not public
    prepared = await computation.prepare(
        session,
        principal,
        resolver,
        scope,
        query.period.code,
        query.period.previous.code,
        minimum=_minimum(minimum),
        public=not personal,
        units=units,
        api_cursor=None if versions is None else versions["api"],
        thresholds=thresholds,
        approved_only=query.approved_only,
    )
    view = view_of(principal, personal=personal, approved_only=query.approved_only)
    key = store.RunKey(view, scope_type.value, scope_id, query.period.code)
    return prepared, key


def _window(
    codes: list[str], counts: dict[str, int], offset: int, limit: int | None
) -> tuple[list[str], int]:
    """The codes whose items fall on the page [offset, offset + limit) of the answer, and the
    page's offset inside the first of them."""
    window, inside, start = [], 0, 0
    end = None if limit is None else offset + limit
    for code in codes:
        n = counts[code]
        if n and start + n > offset and (end is None or start < end):
            if not window:
                inside = offset - start if offset > start else 0
            window.append(code)
        start += n
    return window, inside


def _described(
    items: list[dict[str, Any]], definitions: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The items with their indicator's `indicator_name` and `unit` (as the definition is now),
    the scope id parsed, and `no_target` for a value kept before that status existed (null)."""
    described = []
    for item in items:
        definition = definitions.get(item["indicator_code"]) or {}
        status = item["status"] or "no_target"
        described.append(
            {
                **item,
                "scope_id": uuid.UUID(str(item["scope_id"])),
                "indicator_name": definition.get("name") or item["indicator_code"],
                "unit": definition.get("unit") or "number",
                "status": status,
                # Kept before approvals were known: not said.
                "approved": item.get("approved"),
                "approved_organizations": item.get("approved_organizations"),
                # Kept before flags were known: not said.
                "flagged": item.get("flagged"),
                "flagged_organizations": item.get("flagged_organizations"),
                "flagged_left_out": item.get("flagged_left_out"),
                # Only an item without a value whose codes do not exist says why (`reason`);
                # one withheld (campaign open, individual results) says so in words.
                "reason": item.get("reason"),
                "reason_text": item.get("reason_text") or _withheld_text(item),
            }
        )
    return described


def _withheld_text(item: dict[str, Any]) -> str | None:
    """Why a survey value is `insufficient_data`, in words: CAMPAIGN_OPEN_TEXT while its
    campaign (anonymous or identified) is still open (`coverage.withheld` holds
    `campaign_open`), INDIVIDUAL_RESULTS_TEXT for a deficit share that would tell individual
    results (`individual_results`); None otherwise."""
    withheld = (item.get("coverage") or {}).get("withheld") or []
    if item.get("status") != "insufficient_data":
        return None
    if CAMPAIGN_OPEN in withheld:
        return CAMPAIGN_OPEN_TEXT
    if INDIVIDUAL_RESULTS in withheld:
        return INDIVIDUAL_RESULTS_TEXT
    return None


async def indicator_page(
    principal: Principal,
    resolver: ScopeResolver,
    session: AsyncSession,
    query: Query,
    *,
    offset: int = 0,
    limit: int | None = None,
    as_of: datetime | None = None,
    public: bool = False,
    minimum: int | None = None,
    strict: bool = True,
    units: KnownUnits | None = None,
    max_age: float = 0.0,
    thresholds: Thresholds | None = None,
) -> tuple[list[dict[str, Any]], int, Meta]:
    """One page of a scope's indicator values: the items of the requested indicators (None:
    all the caller sees, by code) for the scope and every unit inside it at `level`, ordered by
    code, then territories, clusters, organizations by id; the total; where they come from.
    Only the indicators on the page are computed (when their inputs changed). `as_of`: the
    values valid at that moment (404 when none was kept by then). `public`: survey values as
    a reader without access to personal results sees them (for documents and recommendations,
    which go to many readers); `minimum`: the disclosure minimum (default: the settings').
    `strict` False: indicators the caller does not see are left out; otherwise a 422 naming
    `indicator_code` for one. 422 naming `period` for a bad period, `scope_id` for no scope.
    `units`: the app's known units (KnownUnits). `max_age`: seconds a changed
    indicator's kept values may still be served; those are named in `Meta.refresh`, for the
    caller to have them recomputed after answering (`refresh`). `thresholds`: the complex
    analysis' (None: the settings')."""
    versions = await versions_now(session)
    prepared, key = await _prepare(
        principal,
        resolver,
        session,
        query,
        public=public,
        minimum=minimum,
        units=units,
        versions=versions,
        thresholds=thresholds,
    )
    if strict:
        _check_codes(query.indicator_codes, prepared.codes)
    asked = prepared.codes if query.indicator_codes is None else query.indicator_codes
    codes = sorted(set(asked) & set(prepared.codes))
    level = None if query.level == "all" else query.level
    if as_of is not None:
        everything, computed_at = await store.count(session, key, prepared.codes, None, as_of)
        if not everything or computed_at is None:
            raise NotFound("Нет сохранённых значений показателей на эту дату")
        total, _ = await store.count(session, key, codes, level, as_of)
        items = await store.page(session, key, codes, level, offset, limit, as_of)
        return (
            _described(items, prepared.definitions),
            total,
            Meta(computed_at, True, prepared.codes),
        )
    counts = computation.counts(prepared, codes, level)
    window, inside = _window(codes, counts, offset, limit)
    if versions is None:
        computed = await computation.items_of(prepared, window)
        items = [i for i in computed if level in (None, i["scope_type"])]
        end = None if limit is None else inside + limit
        page = _described(items[inside:end], prepared.definitions)
        return page, sum(counts.values()), Meta(utcnow(), False, prepared.codes)
    computed_at, later = await make_current(
        session, prepared, key, versions, window, max_age=max_age
    )
    items = await store.page(session, key, window, level, inside, limit)
    meta = Meta(computed_at, True, prepared.codes, tuple(later), min(later.values(), default=None))
    return _described(items, prepared.definitions), sum(counts.values()), meta


async def refresh(
    principal: Principal,
    resolver: ScopeResolver,
    session: AsyncSession,
    query: Query,
    codes: list[str],
    *,
    minimum: int | None = None,
    units: KnownUnits | None = None,
    thresholds: Thresholds | None = None,
) -> None:
    """Recompute the codes' kept values for the query's scope and period as `principal` sees
    them, unless another transaction is doing it (after an answer served them while they
    were younger than the maximum age)."""
    versions = await versions_now(session)
    if versions is None:
        return
    prepared, key = await _prepare(
        principal,
        resolver,
        session,
        query,
        public=False,
        minimum=minimum,
        units=units,
        versions=versions,
        thresholds=thresholds,
    )
    wanted = sorted(set(codes) & set(prepared.codes))
    await make_current(session, prepared, key, versions, wanted, wait=False)


async def scope_values(
    principal: Principal,
    resolver: ScopeResolver,
    session: AsyncSession,
    scope_type: ScopeType | str | None,
    scope_id: uuid.UUID | None,
    period: Period,
    *,
    codes: list[str] | None = None,
    level: str = "all",
    as_of: datetime | None = None,
    public: bool = False,
    minimum: int | None = None,
    thresholds: Thresholds | None = None,
    approved_only: bool = False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Meta]:
    """The items of the indicators (None: every one the caller sees; others are left out) for
    a scope and everything inside it at `level` (as `indicator_page` gives them), and the
    missing inputs (none: values that never arrived in the facts are `no_data`).
    `approved_only`: the published view (only approved data values count)."""
    scope = ScopeType(scope_type) if scope_type else None
    query = Query(period, codes, scope, scope_id, level, approved_only)
    items, _, meta = await indicator_page(
        principal,
        resolver,
        session,
        query,
        as_of=as_of,
        public=public,
        minimum=minimum,
        strict=False,
        thresholds=thresholds,
    )
    return items, [], meta
