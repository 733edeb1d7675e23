"""Indicator values of a scope: fetch the inputs in a bounded number of calls, then compute.

Calls per request, whatever the number of schools: the scope (cached), one lookup of its
organizations, the definitions (pages of 500), one data-values query, one assessment aggregates
call per (procedure, year, subject, grade) and period, one campaigns list, and one aggregates
call per campaign and level. A peer that does not answer marks the values that need it.

The endpoint serves stored computations (`scope_values`): one data-version call to each peer
first, and while both versions are those a computation of the scope was stored with, no other
call at all.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.api import ApiClient
from services.reports.clients.surveys import SurveysClient
from services.reports.indicator_values.compute import (
    CLUSTER,
    ORGANIZATION,
    SURVEY_METHODS,
    TERRITORY,
    Calculator,
    Inputs,
    Unit,
    assessment_key,
    closure,
)
from services.reports.snapshots import service as snapshots
from services.reports.snapshots.models import Snapshot
from shared.db import utcnow
from shared.disclosure import reads_personal_results
from shared.errors import Invalid, NotFound, PeerUnavailable
from shared.identity import Principal, ScopeType
from shared.periods import Period, period_or_invalid, previous_period
from shared.scope import ScopeInfo, ScopeResolver, ensure_in_scope

KIND = "indicator_values"
SCOPE_ORDER = {TERRITORY: 0, CLUSTER: 1, ORGANIZATION: 2}


@dataclass
class Query:
    period: str
    indicator_codes: list[str] | None
    scope_type: ScopeType | None
    scope_id: uuid.UUID | None
    level: str  # organization | cluster | territory | all


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"loc": ["query", field], "msg": message}])


def units_of(scope: ScopeInfo, organizations: list[dict[str, Any]], level: str) -> list[Unit]:
    """The scope itself and every organization, cluster and territory inside it (or one kind)."""
    orgs = {uuid.UUID(str(o["id"])): o for o in organizations}
    units: list[Unit] = [Unit(ORGANIZATION, o, frozenset({o})) for o in orgs]
    if scope.scope_type == ScopeType.cluster:
        units.append(Unit(CLUSTER, scope.scope_id, frozenset(orgs)))
    elif scope.scope_type == ScopeType.territory:
        clusters: dict[uuid.UUID, set[uuid.UUID]] = {}
        territories: dict[uuid.UUID, set[uuid.UUID]] = {}
        for org_id, org in orgs.items():
            for cluster in org.get("cluster_ids") or []:
                clusters.setdefault(uuid.UUID(str(cluster)), set()).add(org_id)
            chain = [uuid.UUID(str(t)) for t in org.get("territory_ids") or []]
            if scope.scope_id in chain:  # the scope's territory and those below it
                for territory in chain[: chain.index(scope.scope_id) + 1]:
                    territories.setdefault(territory, set()).add(org_id)
        territories.setdefault(scope.scope_id, set())
        # A cluster's figure covers its members inside the scope.
        units += [Unit(CLUSTER, c, frozenset(m)) for c, m in clusters.items()]
        units += [Unit(TERRITORY, t, frozenset(m)) for t, m in territories.items()]
    if level != "all":
        units = [u for u in units if u.scope_type == level]
    return sorted(units, key=lambda u: (SCOPE_ORDER[u.scope_type], str(u.scope_id)))


async def _fetch_assessments(
    api: ApiClient,
    definitions: list[dict[str, Any]],
    periods: list[str],
    territory_id: uuid.UUID | None,
    inputs: Inputs,
    missing: list[dict[str, Any]],
) -> None:
    keys = {
        assessment_key(d["params"], p)
        for d in definitions
        if d["method"] == "assessment_metric"
        for p in periods
    }
    for key in sorted(keys, key=str):
        procedure, year, subject, grade = key
        try:
            inputs.assessments[key] = await api.assessment_aggregates(
                procedure, year, subject=subject, grade=grade, territory_id=territory_id
            )
        except PeerUnavailable as exc:
            inputs.unavailable.add(("assessments", *key))
            missing.append(
                {
                    "peer": "api",
                    "input": f"assessment_results:{procedure}:{year}",
                    "detail": exc.detail,
                }
            )


async def _fetch_surveys(
    surveys: SurveysClient,
    definitions: list[dict[str, Any]],
    periods: list[str],
    levels: set[str],
    inputs: Inputs,
    missing: list[dict[str, Any]],
    territory_id: uuid.UUID | None,
    public: bool,
) -> None:
    instruments = sorted(
        {d["params"]["instrument_code"] for d in definitions if d["method"] in SURVEY_METHODS}
    )
    if not instruments:
        return
    try:
        campaigns = await surveys.campaigns(instruments, periods, territory_id)
        for campaign in campaigns:
            for level in sorted(levels):
                for item in await surveys.aggregates(campaign["id"], level, public=public):
                    key = (
                        campaign["instrument_code"],
                        campaign["period"],
                        item["scope_type"],
                        uuid.UUID(item["scope_id"]),
                    )
                    entry = {
                        **item,
                        "audience": campaign["audience"],
                        "campaign_id": campaign["id"],
                    }
                    inputs.surveys.setdefault(key, []).append(entry)
    except PeerUnavailable as exc:
        inputs.surveys.clear()
        inputs.unavailable.add("surveys")
        missing.append({"peer": "surveys", "input": "campaign_aggregates", "detail": exc.detail})


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
    api: ApiClient,
    surveys: SurveysClient,
    scope: ScopeInfo,
    period: Period,
    codes: list[str] | None,
    level: str,
    public: bool = False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Items of the indicators (None: all) for the scope and what is inside it at `level`,
    the missing inputs, and the codes of every indicator defined. `public`: survey values as
    a reader without access to personal results sees them, whoever asks."""
    previous = previous_period(period).code
    definitions = {d["code"]: d for d in await api.indicators()}
    wanted = set(codes or definitions)
    if unknown := sorted(wanted - set(definitions)):
        raise _invalid("indicator_code", f"нет таких показателей: {', '.join(unknown)}")
    needed = [definitions[c] for c in sorted(closure(definitions, wanted))]

    organizations = await api.organizations(sorted(scope.organization_ids))
    units = units_of(scope, organizations, level)
    periods = [period.code, previous]
    inputs, missing = Inputs(), []
    org_ids = sorted({o for u in units for o in u.organization_ids} or scope.organization_ids)

    value_codes = sorted(d["code"] for d in needed if d["method"] == "data_value")
    try:
        for row in await api.data_values(value_codes, periods, org_ids):
            key = (row["indicator_code"], uuid.UUID(row["organization_id"]), row["period"])
            inputs.data_values[key] = row["value"]
    except PeerUnavailable as exc:
        inputs.unavailable.add("data_values")
        missing.append({"peer": "api", "input": "data_values", "detail": exc.detail})
    territory = scope.scope_id if scope.scope_type == ScopeType.territory else None
    await _fetch_assessments(api, needed, periods, territory, inputs, missing)
    levels = {u.scope_type for u in units}
    await _fetch_surveys(surveys, needed, periods, levels, inputs, missing, territory, public)

    calculator = Calculator(definitions, inputs)
    items = [
        item
        for code in sorted(wanted)
        for unit in units
        if (item := calculator.item(code, unit, period.code, previous)) is not None
    ]
    return items, missing, sorted(definitions)


async def indicator_values(
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    surveys: SurveysClient,
    query: Query,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Items of every requested indicator for every scope asked about, and the missing inputs
    (computed now, never stored: `scope_values` serves stored computations)."""
    period = period_or_invalid(query.period)
    scope_type, scope_id = _scope(principal, query.scope_type, query.scope_id)
    scope = await ensure_in_scope(principal, resolver, scope_type, scope_id)
    items, missing, _ = await _compute(
        api, surveys, scope, period, query.indicator_codes, query.level
    )
    return items, missing


# --- stored computations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """Where a scope's values come from."""

    computed_at: datetime
    # None: computed now and not stored (an input or a peer's data version was missing)
    snapshot_id: uuid.UUID | None
    indicator_codes: list[str]  # every indicator defined when they were computed


def end_of_day(day: date, timezone: str) -> datetime:
    """The last moment of a day in the given time zone (`as_of` of a date)."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(timezone))


async def _versions(api: ApiClient, surveys: SurveysClient) -> dict[str, str] | None:
    """Both peers' data versions; None when either does not answer. One after the other:
    each is a quick read (and the test harness runs all apps on one database connection)."""
    try:
        return {"api": await api.data_version(), "surveys": await surveys.data_version()}
    except PeerUnavailable:
        return None


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
    api: ApiClient,
    surveys: SurveysClient,
    session: AsyncSession,
    scope_type: ScopeType | str | None,
    scope_id: uuid.UUID | None,
    period: str,
    *,
    as_of: datetime | None = None,
    decoded: snapshots.DecodedSnapshots | None = None,
    public: bool = False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Meta]:
    """Every indicator's items for a scope and everything inside it, the missing inputs, and
    where they come from: stored while both peers' data versions are unchanged, otherwise
    computed and stored (only when complete). `as_of`: the latest stored at or before then.
    `decoded`: the app's decoded snapshots, for a caller that serves one snapshot many times
    (pages); the items are then shared and must not be changed.
    `public`: without small groups of teachers' personal results even for a caller who may
    read them (for documents and recommendations, which go to many readers); a caller who
    may not read them never gets them.

    The versions are asked before the data, so a stored computation is never older than the
    versions it is stored with."""
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
    versions = await _versions(api, surveys)
    if versions is not None:
        found = await snapshots.latest(session, key, snapshots.inputs_hash(key, versions))
        if found is not None:
            items, meta = _served(found, decoded)
            return items, [], meta
    items, missing, codes = await _compute(api, surveys, scope, parsed, None, "all", not personal)
    if versions is None or missing:
        return items, missing, Meta(utcnow(), None, codes)
    body = {"items": items, "indicator_codes": codes}
    stored = await snapshots.store(session, key, versions, body)
    return items, [], Meta(stored.computed_at, stored.id, codes)


async def indicator_page(
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    surveys: SurveysClient,
    session: AsyncSession,
    query: Query,
    *,
    as_of: datetime | None = None,
    decoded: snapshots.DecodedSnapshots | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Meta]:
    """`scope_values` narrowed to the requested indicators and level."""
    items, missing, meta = await scope_values(
        principal,
        resolver,
        api,
        surveys,
        session,
        query.scope_type,
        query.scope_id,
        query.period,
        as_of=as_of,
        decoded=decoded,
    )
    wanted = set(query.indicator_codes or meta.indicator_codes)
    if unknown := sorted(wanted - set(meta.indicator_codes)):
        raise _invalid("indicator_code", f"нет таких показателей: {', '.join(unknown)}")
    items = [
        i
        for i in items
        if i["indicator_code"] in wanted and query.level in ("all", i["scope_type"])
    ]
    return items, missing, meta
