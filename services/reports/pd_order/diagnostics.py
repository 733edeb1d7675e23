"""What the diagnostics of a period tell a territory's PD order: their campaigns and results
(surveys service), how many teachers each school had diagnosed, why the whole order is withheld
from readers without personal results, if it is (public.py), and which schools were in the
territory at the diagnostics' launches (`launches`).
"""

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.models import Campaign, DeficitResult
from services.reports.clients.surveys import SurveysClient
from services.reports.pd_order.public import (
    BUILT_WHILE_OPEN,
    CAMPAIGN_OPEN,
    SURVEYS_UNAVAILABLE,
)
from shared.disclosure import published, published_at
from shared.errors import PeerUnavailable

# Every organization a diagnostic of the period reached that is in the territory now or was at
# the diagnostic's launch, in the order of the launches: its territories as drawn at that
# launch (its own first), whether it is among the territory's organizations now, and whether
# anyone of it took that diagnostic. One query for both uses of it in pd_order().
_LAUNCHES = text(
    """
    SELECT o.organization_id, o.territory_ids,
           o.organization_id = ANY(:organizations) AS inside,
           EXISTS (
               SELECT 1 FROM reports.fact_answer_tally a
               WHERE a.campaign_id = o.campaign_id AND a.organization_id = o.organization_id
                 AND a.question = '' AND a.value = '*' AND a.n > 0
           ) AS diagnosed
    FROM reports.fact_campaign_organization o
    JOIN reports.fact_campaign c ON c.id = o.campaign_id
    WHERE c.period = :period AND c.instrument_code = ANY(:codes)
      AND o.territory_ids IS NOT NULL
      AND (o.organization_id = ANY(:organizations) OR :territory = ANY(o.territory_ids))
    ORDER BY c.opens_at, c.id
    """
).bindparams(bindparam("codes", type_=ARRAY(Text)), bindparam("organizations", type_=ARRAY(Uuid)))


class Diagnosed(NamedTuple):
    """What the diagnostics of the period tell the order (read_diagnosed)."""

    counts: dict[uuid.UUID, int]  # teachers diagnosed per organization, at least
    reason: str | None  # why the whole order is withheld, if it is
    missing: list[dict[str, Any]]  # inputs that did not answer
    codes: list[str]  # the diagnostics' instrument codes


async def diagnostic_campaigns(
    surveys: SurveysClient, period: str, territory_id: uuid.UUID | None = None
) -> tuple[list[Campaign], list[str]]:
    """The campaigns of the period's diagnostics of teachers (of the territory, when given),
    and the diagnostics' instrument codes."""
    codes = [i.code for i in await surveys.instruments("deficit")]
    campaigns = [
        c
        for c in await surveys.campaigns(codes, [period], territory_id)
        if c.period == period and c.instrument_code in codes
    ]
    return campaigns, codes


async def diagnostic_results(surveys: SurveysClient, period: str) -> list[DeficitResult]:
    """Per teacher and campaign: the results of every diagnostic campaign of the period."""
    items: list[DeficitResult] = []
    campaigns, _ = await diagnostic_campaigns(surveys, period)
    for campaign in campaigns:
        items += await surveys.deficits(campaign.id)
    return items


async def read_diagnosed(
    surveys: SurveysClient,
    territory_id: uuid.UUID,
    period: str,
    order: dict[str, Any],
    first_built: datetime | None,
) -> Diagnosed:
    """Teachers diagnosed in the period per organization, at least: the most of any one
    campaign, and never fewer than those with a route. And why the whole order is withheld
    from readers without personal results, if it is (public.py): a diagnostic of the period
    is not closed and published yet (CAMPAIGN_OPEN), the routes (the oldest built at
    `first_built`) were built before the last one was (BUILT_WHILE_OPEN), or the surveys
    service did not answer (SURVEYS_UNAVAILABLE: whether they are closed is unknown)."""
    counts = {o["organization_id"]: o["teachers"] for o in order["organizations"]}
    try:
        campaigns, codes = await diagnostic_campaigns(surveys, period, territory_id)
        for campaign in campaigns:
            for item in await surveys.aggregates(campaign.id, "organization", public=True):
                counts[item.scope_id] = max(counts.get(item.scope_id, 0), item.n)
    except PeerUnavailable as exc:
        missing = [{"peer": "surveys", "input": "campaign_aggregates", "detail": exc.detail}]
        return Diagnosed(counts, SURVEYS_UNAVAILABLE, missing, [])
    closes = [c.closes_at for c in campaigns]
    if not all(published(c) for c in closes):
        return Diagnosed(counts, CAMPAIGN_OPEN, [], codes)
    if first_built is not None and closes and first_built < published_at(max(closes)):
        return Diagnosed(counts, BUILT_WHILE_OPEN, [], codes)
    return Diagnosed(counts, None, [], codes)


async def launches(
    session: AsyncSession,
    period: str,
    codes: list[str],
    territory_id: uuid.UUID,
    organizations: list[uuid.UUID],
) -> tuple[dict[uuid.UUID, list[uuid.UUID]], bool]:
    """Per organization of the territory (`organizations`) its territories (its own first, up
    to the root) as drawn at the launch of the first diagnostic of the period (instruments
    `codes`) reaching it (absent: none reaches it, or the facts do not have it yet); and
    whether a school with diagnosed teachers was in the territory at the launch of any
    diagnostic of the period — one of the territory's now or one reaching that school alone —
    and is not among its `organizations` now. The order of the territory as it is now would
    then be decided over other schools than an order read before the move, and the two would
    differ by what the move let through (public.py: DIFFERENCE)."""
    params = {
        "period": period,
        "codes": codes,
        "territory": territory_id,
        "organizations": organizations,
    }
    chains: dict[uuid.UUID, list[uuid.UUID]] = {}
    moved = False
    for org, chain, inside, diagnosed in await session.execute(_LAUNCHES, params):
        if inside:
            chains.setdefault(org, list(chain))
        else:  # in the territory at that launch (the query's condition), not now
            moved = moved or diagnosed
    return chains, moved
