"""Gather the facts the rules look at, for one territory and period, in a bounded number of calls.

Calls: the indicator values of this and the previous period (each a bounded computation),
the organizations (one lookup), the territories (a page or two), the campaigns of the period
(one list), per campaign its aggregates per organization and per territory, and per diagnostic
instrument its definition (for competence titles). Teachers' own deficits come from the
individual routes stored in this service, never from raw diagnostic results.
"""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.api import ApiClient
from services.reports.clients.surveys import SurveysClient
from services.reports.indicator_values import service as indicator_values
from services.reports.pd_order.catalogue import offered_in
from services.reports.pd_order.models import IndividualRoute, PdProgramme
from services.reports.recommendations.engine import Facts
from shared.errors import PeerUnavailable
from shared.identity import Principal, ScopeType
from shared.periods import Period
from shared.scope import ScopeInfo, ScopeResolver


async def territory_values(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    surveys: SurveysClient,
    scope: ScopeInfo,
    period: Period,
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
        period.code,
        public=True,
    )
    by_key = {
        (i["indicator_code"], i["scope_type"], uuid.UUID(str(i["scope_id"]))): i for i in items
    }
    return by_key, missing


async def _campaigns(
    surveys: SurveysClient, period: str, facts: Facts, missing: list[dict[str, Any]]
) -> None:
    """Response counts per organization and territory, and deficit counts per school (those
    of at least the disclosure minimum of teachers: the public view, see territory_values)."""
    try:
        campaigns = await surveys.campaigns(None, [period], facts.territory_id)
        instruments: dict[tuple[str, int], dict[str, Any]] = {}
        for campaign in campaigns:
            per_org = await surveys.aggregates(campaign["id"], "organization", public=True)
            per_territory = await surveys.aggregates(campaign["id"], "territory", public=True)
            entry = {
                "id": campaign["id"],
                "title": campaign["title"],
                "organizations": {
                    uuid.UUID(i["scope_id"]): (i["n"], i.get("expected")) for i in per_org
                },
                "territories": {
                    uuid.UUID(i["scope_id"]): (i["n"], i.get("expected")) for i in per_territory
                },
            }
            facts.campaigns.append(entry)
            diagnostic = False
            for item in per_org:
                for competence in item.get("competences") or []:
                    if competence.get("with_deficit") is None:
                        continue
                    diagnostic = True
                    key = (uuid.UUID(item["scope_id"]), competence["code"])
                    n, deficits = facts.deficits.get(key, (0, 0))
                    n, deficits = n + competence["n"], deficits + competence["with_deficit"]
                    facts.deficits[key] = (n, deficits)
            version = (str(campaign["instrument_id"]), int(campaign["version"]))
            if diagnostic and version not in instruments:
                instruments[version] = await surveys.instrument(*version)
        for instrument in instruments.values():
            for competence in instrument["definition"].get("competences") or []:
                facts.competence_titles[competence["code"]] = competence["title"]
    except PeerUnavailable as exc:
        missing.append({"peer": "surveys", "input": "campaign_aggregates", "detail": exc.detail})


async def gather(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    surveys: SurveysClient,
    scope: ScopeInfo,
    period: Period,
) -> tuple[Facts, list[dict[str, Any]]]:
    """The facts for the territory `scope` in `period`, and the inputs that were missing."""
    previous = period.previous
    values, missing = await territory_values(
        session, principal, resolver, api, surveys, scope, period
    )
    earlier, _ = await territory_values(session, principal, resolver, api, surveys, scope, previous)
    organizations = await api.organizations(sorted(scope.organization_ids))
    names = {uuid.UUID(str(t["id"])): t["name"] for t in await api.territories()}
    names |= {uuid.UUID(str(o["id"])): o["name"] for o in organizations}
    facts = Facts(
        period=period.code,
        previous=previous.code,
        earliest=previous.previous.code,
        territory_id=scope.scope_id,
        definitions={d["code"]: d for d in await api.indicators()},
        values=values,
        earlier=earlier,
        names=names,
        org_territory={
            uuid.UUID(str(o["id"])): uuid.UUID(str(o["territory_id"])) for o in organizations
        },
    )
    for org in organizations:
        chain = [uuid.UUID(str(t)) for t in org.get("territory_ids") or []]
        for index, territory in enumerate(chain):
            facts.chains.setdefault(territory, chain[index:])
    await _campaigns(surveys, period.code, facts, missing)
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
    return facts, missing
