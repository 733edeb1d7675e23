"""Gather what the rules look at, for one territory and period, from the reports service's facts.

The indicator values of this and the previous period (kept values, see indicator_values), the
organizations, territories and definitions, and per survey campaign of the period its
respondents per organization and territory and its deficit counts per school — all as a reader
without access to personal results sees them (the survey values' disclosure rules,
indicator_values/methods/survey_campaigns.py). No peer is asked. Teachers' own deficits come
from the individual routes stored in this service, never from raw diagnostic results. The complex
analysis (services/reports/analysis) of the territory's organizations in the period, when the
period is an assessment year (2021/2022 or 2022), with the app's thresholds. The
organizations late for a data collection's window of the period (data_quality/status.py); the
current validation violations and outlier flags of its organizations (data_quality/checks.py).
The organizations not open in the period (`Facts.absent`) are in none of its campaigns and
analysis.
"""

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.low_results import low_results
from services.reports.analysis.objectivity import objectivity
from services.reports.analysis.resilient import resilient
from services.reports.analysis.tasks import task_profiles
from services.reports.analysis.thresholds import Thresholds
from services.reports.data_quality import checks
from services.reports.data_quality.status import standings
from services.reports.indicator_values import service as indicator_values
from services.reports.indicator_values.definitions import definitions_for
from services.reports.indicator_values.methods.base import (
    ORGANIZATION,
    TERRITORY,
    Context,
    Scope,
)
from services.reports.indicator_values.methods.survey_campaigns import (
    campaigns_of,
    territory_chains,
)
from services.reports.indicator_values.methods.survey_tallies import Wanted, entries_of
from services.reports.indicator_values.units import absent_organizations
from services.reports.pd_order.catalogue import offered_in
from services.reports.pd_order.models import IndividualRoute, PdProgramme
from services.reports.recommendations.engine import Facts
from shared.identity import Principal, ScopeType
from shared.periods import Period
from shared.scope import ScopeInfo, ScopeResolver, readable_organizations
from shared.settings import get_settings

_ORGANIZATIONS = text(
    "SELECT id, name, territory_id FROM reports.fact_organization WHERE id = ANY(:orgs)"
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))
_TERRITORIES = text("SELECT id, name FROM reports.fact_territory")
_INSTRUMENTS = text("SELECT DISTINCT instrument_code FROM reports.fact_campaign WHERE period = :p")
_CAMPAIGNS = text(
    """
    SELECT c.id, c.title, c.opens_at, c.closes_at, v.definition
    FROM reports.fact_campaign c
    LEFT JOIN reports.fact_instrument_version v ON v.id = c.instrument_version_id
    WHERE c.id = ANY(:ids)
    """
).bindparams(bindparam("ids", type_=ARRAY(Uuid)))


async def territory_values(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    period: Period,
    thresholds: Thresholds | None = None,
) -> tuple[dict[tuple[str, str, uuid.UUID], dict[str, Any]], list[dict[str, Any]]]:
    """Every indicator of the territory and everything in it (kept values when their
    inputs have not changed since), as a reader without access to personal results sees
    them: recommendations and decisions are read by analysts and viewers too, and do not
    change with who issued them."""
    items, missing, _ = await indicator_values.scope_values(
        principal,
        resolver,
        session,
        ScopeType.territory,
        scope.scope_id,
        period,
        public=True,
        thresholds=thresholds,
    )
    by_key = {
        (i["indicator_code"], i["scope_type"], uuid.UUID(str(i["scope_id"]))): i for i in items
    }
    return by_key, missing


def _sum_expected(expected: list[int | None]) -> int | None:
    """Expected respondents of a group: unknown when one member's is."""
    return None if any(e is None for e in expected) else sum(e or 0 for e in expected)


def campaign_window(
    opens_at: datetime | None, closes_at: datetime | None, now: datetime | None = None
) -> dict[str, str | None]:
    """A campaign's state at `now` (default: this moment): "upcoming", "early" (open, less
    than half of its window gone: too soon to judge its response rate), "open" (the second
    half; also when its window is unknown) or "ended"; and its closing day as the territory
    reads it (ДД.ММ.ГГГГ)."""
    settings = get_settings()
    now = now or datetime.now(UTC)
    state = "open"
    if closes_at is not None and closes_at <= now:
        state = "ended"
    elif opens_at is not None and opens_at > now:
        state = "upcoming"
    elif (
        opens_at is not None
        and closes_at is not None
        and now < opens_at + (closes_at - opens_at) / 2
    ):
        state = "early"
    closes = (
        closes_at.astimezone(ZoneInfo(settings.timezone)).strftime("%d.%m.%Y")
        if closes_at is not None
        else None
    )
    return {"state": state, "closes": closes}


async def _campaigns(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    period: str,
    facts: Facts,
) -> None:
    """Respondents per organization and territory of every campaign of the period reaching
    the territory, and deficit counts per school (those shown: the public view, see
    territory_values)."""
    orgs = frozenset(scope.organization_ids)
    ctx = Context(
        session,
        [Scope(ORGANIZATION, o, frozenset({o})) for o in sorted(orgs)]
        + [Scope(TERRITORY, scope.scope_id, orgs)],
        [period],
        principal=principal,
        readable=await readable_organizations(principal, resolver),
        minimum=get_settings().disclosure_minimum,
        personal=False,
        campaign_organizations=orgs,
        absent={period: facts.absent},  # a school not open in the period is none of its
    )
    instruments = list(await session.scalars(_INSTRUMENTS, {"p": period}))
    campaigns = await campaigns_of(ctx, instruments)
    about = {
        row.id: row for row in await session.execute(_CAMPAIGNS, {"ids": [c.id for c in campaigns]})
    }
    for campaign in campaigns:
        groups: dict[str, dict[uuid.UUID, tuple[int, int | None]]] = {
            ORGANIZATION: {},
            TERRITORY: {},
        }
        for (level, unit), members in sorted(campaign.scopes.items(), key=str):
            if level in groups:
                n = sum(campaign.sizes.get(o, 0) for o in members)
                groups[level][unit] = (n, _sum_expected([campaign.expected[o] for o in members]))
        row = about[campaign.id]
        facts.campaigns.append(
            {
                "id": campaign.id,
                "title": row.title,
                **campaign_window(row.opens_at, row.closes_at),
                "organizations": groups[ORGANIZATION],
                "territories": groups[TERRITORY],
            }
        )
    diagnostic: set[uuid.UUID] = set()
    for (_, _, level, unit), entries in sorted(
        (await entries_of(ctx, campaigns, Wanted(competences=True))).items(), key=str
    ):
        if level != ORGANIZATION:
            continue
        for entry in entries:
            for code, competence in sorted(entry.competences.items()):
                if entry.reason is not None:
                    continue
                diagnostic.add(entry.campaign_id)
                n, deficits = facts.deficits.get((unit, code), (0, 0))
                facts.deficits[(unit, code)] = (
                    n + competence["n"],
                    deficits + competence["with_deficit"],
                )
    for campaign_id in sorted(diagnostic, key=str):
        definition = about[campaign_id].definition or {}
        for competence in definition.get("competences") or []:
            facts.competence_titles[competence["code"]] = competence["title"]


async def _analysis(
    session: AsyncSession, scope: ScopeInfo, period: Period, t: Thresholds, facts: Facts
) -> None:
    """The complex analysis of the territory's organizations in the assessment year `period`
    (nothing for a quarter or a month): objectivity, ШНОР, resilient schools, task profiles."""
    if period.kind not in ("academic_year", "year"):
        return
    # Ranked among the schools open in the period only (`Facts.absent`).
    organizations = sorted(set(scope.organization_ids) - facts.absent)
    facts.thresholds = t
    facts.objectivity = await objectivity(session, organizations, period, t)
    facts.low_results = await low_results(session, organizations, period, t)
    facts.resilient = await resilient(session, organizations, period, t)
    facts.task_profiles = await task_profiles(session, organizations, period, t)


async def gather(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    period: Period,
    thresholds: Thresholds,
) -> tuple[Facts, list[dict[str, Any]]]:
    """The facts for the territory `scope` in `period`, and the inputs that were missing
    (none: what never arrived in the facts is no data); the complex analysis with
    `thresholds`."""
    previous = period.previous
    values, missing = await territory_values(
        session, principal, resolver, scope, period, thresholds
    )
    earlier, _ = await territory_values(session, principal, resolver, scope, previous, thresholds)
    earliest, _ = await territory_values(
        session, principal, resolver, scope, previous.previous, thresholds
    )
    organizations = (
        await session.execute(_ORGANIZATIONS, {"orgs": sorted(scope.organization_ids)})
    ).all()
    names = {row.id: row.name for row in await session.execute(_TERRITORIES)}
    names |= {o.id: o.name for o in organizations}
    facts = Facts(
        period=period.code,
        previous=previous.code,
        earliest=previous.previous.code,
        territory_id=scope.scope_id,
        definitions=await definitions_for(session, principal, resolver),
        values=values,
        earlier=earlier,
        earliest_values=earliest,
        names=names,
        org_territory={o.id: o.territory_id for o in organizations if o.territory_id},
    )
    facts.absent = (
        await absent_organizations(session, sorted(scope.organization_ids), [period.code])
    ).get(period.code, frozenset())
    for chain in (await territory_chains(session, [o.id for o in organizations])).values():
        for index, territory in enumerate(chain):
            facts.chains.setdefault(territory, chain[index:])
    await _campaigns(session, principal, resolver, scope, period.code, facts)
    routes = await session.scalars(
        select(IndividualRoute)
        .where(
            IndividualRoute.organization_id.in_(scope.organization_ids),
            IndividualRoute.period == period.code,
        )
        .order_by(IndividualRoute.full_name, IndividualRoute.staff_id)
    )
    facts.routes = [
        {
            "staff_id": r.staff_id,
            "full_name": r.full_name,
            "organization_id": r.organization_id,
            "deficits": r.deficits,
            "steps": r.steps,
        }
        for r in routes
    ]
    programmes = await session.scalars(
        select(PdProgramme)
        .where(PdProgramme.active, offered_in(scope.territory_ids))
        .order_by(PdProgramme.hours, PdProgramme.code)
    )
    facts.programmes = [
        {"code": p.code, "title": p.title, "hours": p.hours, "competences": p.competences}
        for p in programmes
    ]
    await _analysis(session, scope, period, thresholds, facts)
    settings = get_settings()
    facts.today = settings.today()
    found = await standings(
        session,
        sorted(scope.organization_ids),
        period.code,
        today=facts.today,
        timezone=settings.timezone,
    )
    facts.late = [s for s in found if s.late]
    organizations = sorted(scope.organization_ids)
    facts.violations = await checks.violations(session, organizations, period.code)
    facts.flags = await checks.flags(session, organizations, period.code)
    return facts, missing
