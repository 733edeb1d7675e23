"""What НОК УООД is computed from, read from the reports service's facts: the organizations'
names, their checklist data values, and the parents' answers per organization as the
campaigns' aggregates would show them to the caller (the same disclosure rules as every
survey value: see indicator_values/methods/survey_campaigns.py). No peer is asked.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.indicator_values.methods.base import ORGANIZATION, Context, Scope
from services.reports.indicator_values.methods.survey_campaigns import campaigns_of
from services.reports.indicator_values.units import absent_organizations
from shared.disclosure import CAMPAIGN_OPEN, DIFFERENCE, reads_personal_results
from shared.identity import Principal
from shared.scope import ScopeResolver, readable_organizations

YES = "1"  # the code of "да" among a question's options


@dataclass
class Survey:
    """One organization's answers summed over the campaigns that disclose them."""

    respondents: int = 0
    yes: dict[str, int] = field(default_factory=dict)
    disclosed: int = 0  # campaigns whose values were given
    withheld: int = 0  # respondents in campaigns withheld (below the minimum or by difference)
    by_difference: int = 0  # of those, withheld by the differences rule, not the minimum
    pending: int = 0  # respondents in campaigns still open (their figures come at the close)
    # Questions withheld in a campaign shown (fewer than the minimum answered them there, or a
    # difference would give them away): their counts are none of the evaluation.
    withheld_items: set[str] = field(default_factory=set)


_ORGS = bindparam("orgs", type_=ARRAY(Uuid))
_NAMES = text(
    "SELECT id, name FROM reports.fact_organization WHERE id = ANY(:orgs) ORDER BY id"
).bindparams(_ORGS)
_VALUES = text(
    """
    SELECT organization_id, indicator_code, value FROM reports.fact_data_value
    WHERE organization_id = ANY(:orgs) AND indicator_code = ANY(:codes) AND period = :period
      AND value IS NOT NULL
    """
).bindparams(_ORGS, bindparam("codes", type_=ARRAY(Text)))
_YES = text(
    """
    SELECT t.organization_id, t.question, sum(t.n)::int AS n
    FROM unnest(CAST(:campaigns AS uuid[]), CAST(:orgs AS uuid[])) AS s(campaign_id, org)
    JOIN reports.fact_answer_tally t
      ON t.campaign_id = s.campaign_id AND t.organization_id = s.org
    WHERE t.value = :yes AND t.question <> ''
    GROUP BY t.organization_id, t.question
    """
).bindparams(bindparam("campaigns", type_=ARRAY(Uuid)), _ORGS)


async def organization_names(
    session: AsyncSession, organization_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Names of the organizations the facts hold (others are left out)."""
    rows = await session.execute(_NAMES, {"orgs": sorted(organization_ids)})
    return {row.id: row.name for row in rows}


async def checklist_values(
    session: AsyncSession, organization_ids: Iterable[uuid.UUID], codes: list[str], period: str
) -> dict[uuid.UUID, dict[str, float]]:
    """Per organization: its data values of the codes in the period."""
    values: dict[uuid.UUID, dict[str, float]] = {}
    rows = await session.execute(
        _VALUES, {"orgs": sorted(organization_ids), "codes": codes, "period": period}
    )
    for row in rows:
        values.setdefault(row.organization_id, {})[row.indicator_code] = float(row.value)
    return values


_TITLE = text("SELECT title FROM reports.fact_instrument WHERE code = :code")
_INDICATOR_NAMES = text(
    "SELECT code, name FROM reports.fact_indicator WHERE code = ANY(:codes)"
).bindparams(bindparam("codes", type_=ARRAY(Text)))


async def instrument_title(session: AsyncSession, code: str, fallback: str) -> str:
    """The questionnaire's title as the surveys service names it (what a reader sees instead
    of its code); `fallback` until the surveys' feed has brought the instrument."""
    return await session.scalar(_TITLE, {"code": code}) or fallback


async def with_checklist_names(session: AsyncSession, weights: dict) -> dict:
    """The weights with `data_value_names`: the checklist indicators' names by code, as the
    api names them (what a reader sees instead of the codes); a code not yet brought by the
    api's feed is shown as itself."""
    rows = await session.execute(_INDICATOR_NAMES, {"codes": weights["data_value_codes"]})
    return {**weights, "data_value_names": {code: name for code, name in rows}}


async def parents_answers(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    organization_ids: Iterable[uuid.UUID],
    instrument: str,
    period: str,
    *,
    minimum: int,
    public: bool = False,
) -> dict[uuid.UUID, Survey]:
    """Per organization: respondents and "да" answers per item summed over the campaigns of
    the questionnaire in the period whose figures the caller may see, and the items withheld
    in one of them (a follow-up asked of one parent of a child with a disability); of the
    others, how many answered (withheld below the minimum or by difference, pending while a
    campaign is open).
    `public`: as a reader without access to personal results sees them, whoever asks."""
    orgs = sorted(organization_ids)
    readable = await readable_organizations(principal, resolver)
    ctx = Context(
        session,
        [Scope(ORGANIZATION, o, frozenset({o})) for o in orgs],
        [period],
        principal=principal,
        readable=readable,
        minimum=minimum,
        personal=reads_personal_results(principal) and not public,
        campaign_organizations=frozenset(orgs),
    )
    # A campaign's organizations not open in the period are none of it (survey_campaigns).
    ctx.absent = await absent_organizations(session, orgs, [period])
    wanted = set(orgs)
    surveys: dict[uuid.UUID, Survey] = {}
    shown: list[tuple[uuid.UUID, uuid.UUID]] = []
    for campaign in await campaigns_of(ctx, [instrument]):
        for (level, org), _ in sorted(campaign.scopes.items()):
            if level != ORGANIZATION or org not in wanted:
                continue
            survey = surveys.setdefault(org, Survey())
            n = campaign.sizes.get(org, 0)
            reason = campaign.reasons.get((level, org))
            if reason == CAMPAIGN_OPEN:
                survey.pending += n
            elif reason is not None:
                survey.withheld += n
                survey.by_difference += n if reason == DIFFERENCE else 0
            else:
                survey.disclosed += 1
                survey.respondents += n
                survey.withheld_items |= set(campaign.question_reasons.get((level, org), {}))
                shown.append((campaign.id, org))
    if shown:
        rows = await session.execute(
            _YES, {"campaigns": [s[0] for s in shown], "orgs": [s[1] for s in shown], "yes": YES}
        )
        for row in rows:
            surveys[row.organization_id].yes[row.question] = row.n
    return surveys
