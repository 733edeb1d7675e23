"""Which survey campaigns a survey value counts, and what of them the caller may see.

A campaign counts for a scope as its aggregates at the surveys service would show it to the
caller (services/surveys/responses/aggregates.py), with the same disclosure rules
(shared/disclosure.py): its groups are the organizations the caller may read, their clusters
and their territories inside the caller's scope; unless the caller reads the campaign's
personal results (an identified campaign, not `public`), a group is withheld while the
campaign (anonymous or identified) is open (and `SETTLE` after), below the minimum, or
where a difference of shown figures would reveal a withheld one (decided over every group
the caller may see).
Only a diagnostic's (instrument kind `deficit`) results are personal: any other identified
campaign keeps these rules for every reader. Within the groups shown, each question follows
the same rules over the people who answered it (`question_reasons`): a question answered by
fewer than the minimum, or given away by a difference, is withheld there. A diagnostic's
competences follow the rule on complementary cells too (`competence_reasons`): a competence
with fewer than two teachers with the deficit or without it in a group shown (or given away by
a difference) is withheld there (shared.disclosure.withhold_sides), and its questions in every
group shown (a test item's counts say how many answered it rightly; a self-assessment
statement's share is as personal). Clusters are
groups only for a caller whose scope holds them (shared.disclosure.cluster_readable). All
of it is decided over the groups as drawn at the campaign's launch (the campaign
organizations' `territory_ids`, `cluster_ids`); a group drawn or redrawn since is shown only
when every school of it is (shared.disclosure.as_launched).
The figures of the groups shown are read in survey_tallies.py; the values made of them in
survey.py.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.indicator_values.methods.base import CLUSTER, ORGANIZATION, TERRITORY, Context
from shared.disclosure import (
    CAMPAIGN_OPEN,
    INDIVIDUAL_RESULTS,
    as_launched,
    cluster_readable,
    inside_at_launch,
    published,
    withhold,
    withhold_questions,
    withhold_sides_each,
)
from shared.identity import ScopeType

_CAMPAIGNS = text(
    """
    SELECT c.id, c.instrument_code, c.period, c.audience, c.anonymous, c.closes_at,
           COALESCE(bool_and(i.kind = 'deficit'), false) AS diagnostic,
           array_agg(o.organization_id) AS organizations, array_agg(o.expected) AS expected
    FROM reports.fact_campaign c
    JOIN reports.fact_campaign_organization o ON o.campaign_id = c.id
    LEFT JOIN reports.fact_instrument i ON i.id = c.instrument_id
    WHERE c.instrument_code = ANY(:instruments) AND c.period = ANY(:periods)
    GROUP BY c.id
    """
).bindparams(bindparam("instruments", type_=ARRAY(Text)), bindparam("periods", type_=ARRAY(Text)))
_RESPONDENTS = text(
    """
    SELECT campaign_id, organization_id, n FROM reports.fact_answer_tally
    WHERE campaign_id = ANY(:campaigns) AND question = '' AND value = '*'
    """
).bindparams(bindparam("campaigns", type_=ARRAY(Uuid)))
# Answerers per campaign, organization and question: what the per-question rule counts.
_ANSWERERS = text(
    """
    SELECT campaign_id, organization_id, question, n FROM reports.fact_answer_tally
    WHERE campaign_id = ANY(:campaigns) AND question <> '' AND value = '*'
    """
).bindparams(bindparam("campaigns", type_=ARRAY(Uuid)))
# Teachers with and without a deficit per campaign, organization and competence: what the rule
# on complementary cells counts.
_SIDES = text(
    """
    SELECT campaign_id, organization_id, competence, with_deficit,
           respondents - with_deficit AS without
    FROM reports.fact_competence_tally
    WHERE campaign_id = ANY(:campaigns)
    """
).bindparams(bindparam("campaigns", type_=ARRAY(Uuid)))
# Territory chains of organizations: (organization, territory, depth 0 = its own).
_CHAINS = text(
    """
    WITH RECURSIVE chain(organization_id, territory_id, depth) AS (
        SELECT id, territory_id, 0 FROM reports.fact_organization
        WHERE id = ANY(:orgs) AND territory_id IS NOT NULL
        UNION ALL
        SELECT c.organization_id, t.parent_id, c.depth + 1
        FROM chain c JOIN reports.fact_territory t ON t.id = c.territory_id
        WHERE t.parent_id IS NOT NULL AND c.depth < 64
    )
    SELECT organization_id, territory_id FROM chain ORDER BY organization_id, depth
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))
# Each campaign organization's groups as drawn at the campaign's launch.
_LAUNCHED = text(
    """
    SELECT campaign_id, organization_id, territory_ids, cluster_ids
    FROM reports.fact_campaign_organization WHERE campaign_id = ANY(:campaigns)
    """
).bindparams(bindparam("campaigns", type_=ARRAY(Uuid)))
_CLUSTERS = text(
    "SELECT cluster_id, organization_id FROM reports.fact_cluster_member "
    "WHERE organization_id = ANY(:orgs)"
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))

GroupKey = tuple[str, uuid.UUID]  # (scope type, id)


async def territory_chains(
    session: AsyncSession, orgs: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Per organization the territories it is in, its own first, up to the root."""
    chains: dict[uuid.UUID, list[uuid.UUID]] = {}
    for org, territory in await session.execute(_CHAINS, {"orgs": orgs}):
        chains.setdefault(org, []).append(territory)
    return chains


def _inside(ctx: Context, chain: list[uuid.UUID], index: int) -> bool:
    """Whether the caller may see the figure of `chain[index]` (a territory inside their
    scope: a municipal viewer gets their municipality, not a region made of their schools)."""
    principal = ctx.principal
    if principal is None or principal.unrestricted:
        return True
    return principal.scope_type == ScopeType.territory and principal.scope_id in chain[index:]


def _grouped(
    ctx: Context,
    clusters: Iterable[tuple[uuid.UUID, uuid.UUID]],
    chains: Mapping[uuid.UUID, list[uuid.UUID]],
) -> dict[GroupKey, set[uuid.UUID]]:
    """The clusters and territories (inside the caller's scope) organizations make up, from
    (cluster, organization) pairs and each organization's territory chain."""
    groups: dict[GroupKey, set[uuid.UUID]] = {}
    for cluster, org in clusters:
        if cluster_readable(ctx.principal, cluster):
            groups.setdefault((CLUSTER, cluster), set()).add(org)
    for org, chain in chains.items():
        for index, territory in enumerate(chain):
            if _inside(ctx, chain, index):
                groups.setdefault((TERRITORY, territory), set()).add(org)
    return groups


async def _groups(ctx: Context, orgs: list[uuid.UUID]) -> dict[GroupKey, set[uuid.UUID]]:
    """The clusters and territories (inside the caller's scope) the organizations make up now."""
    clusters = (await ctx.session.execute(_CLUSTERS, {"orgs": orgs})).all()
    return _grouped(ctx, clusters, await territory_chains(ctx.session, orgs))


def _launched(ctx: Context, drawn: Iterable[Any]) -> dict[GroupKey, set[uuid.UUID]]:
    """The groups of a campaign's organizations (`drawn`: their rows of _LAUNCHED) as drawn
    at its launch."""
    drawn = list(drawn)
    clusters = [(c, r.organization_id) for r in drawn for c in r.cluster_ids or ()]
    return _grouped(ctx, clusters, {r.organization_id: list(r.territory_ids or ()) for r in drawn})


def _inside_at_launch(ctx: Context, drawn: Any) -> bool:
    """Whether a campaign organization (its row of _LAUNCHED) was inside the caller's scope
    at the launch (a service acting for nobody: everything)."""
    if ctx.principal is None:
        return True
    return inside_at_launch(
        ctx.principal, drawn.organization_id, drawn.territory_ids or (), drawn.cluster_ids or ()
    )


@dataclass
class Campaign:
    id: uuid.UUID
    instrument_code: str
    period: str
    audience: str | None
    # per scope of each level the caller may see: its organizations
    scopes: dict[GroupKey, list[uuid.UUID]]
    expected: dict[uuid.UUID, int | None]
    sizes: dict[uuid.UUID, int]
    reasons: dict[GroupKey, str]
    # per scope shown, per question withheld in it: why
    question_reasons: dict[GroupKey, dict[str, str]] = field(default_factory=dict)
    # per scope shown, per competence withheld in it (individual results): why
    competence_reasons: dict[GroupKey, dict[str, str]] = field(default_factory=dict)


def _reasons(
    ctx: Context,
    row: Any,
    campaign: Campaign,
    among: list[uuid.UUID],
    launched: dict[GroupKey, set[uuid.UUID]],
    groups: dict[GroupKey, set[uuid.UUID]],
    answerers: dict[str, dict[uuid.UUID, int]],
    sides: dict[str, dict[uuid.UUID, tuple[int, int]]],
) -> None:
    """Why each scope (`reasons`), and each question (`question_reasons`) and competence
    (`competence_reasons`) in a scope shown, is withheld from the caller (absent: shown):
    decided over the campaign's groups as drawn at its launch (`launched`), a group drawn
    since (in `groups`, as now) shown only when all its organizations are
    (shared.disclosure.as_launched), and over `among`: the organizations the caller reads and
    those inside their scope at the launch (shared.disclosure.inside_at_launch)."""
    if not row.anonymous and row.diagnostic and ctx.personal:
        return
    if not published(row.closes_at, ctx.now):
        campaign.reasons = dict.fromkeys(campaign.scopes, CAMPAIGN_OPEN)
        return
    sizes = {o: campaign.sizes.get(o, 0) for o in among}
    decided, ad_hoc = as_launched(launched, groups)
    withheld = withhold(sizes, decided, ctx.minimum, ad_hoc=ad_hoc)
    for scope, orgs in campaign.scopes.items():
        size = sum(sizes.get(o, 0) for o in orgs)
        item: Any = orgs[0] if scope[0] == ORGANIZATION else scope
        if (reason := withheld.reason(item, size, ctx.minimum)) is not None:
            campaign.reasons[scope] = reason
    mine = {q: {o: n for o, n in a.items() if o in sizes} for q, a in answerers.items()}
    by_question = withhold_questions(mine, decided, ctx.minimum, withheld, ad_hoc)
    for question, hidden in by_question.items():
        for scope, orgs in campaign.scopes.items():
            if scope in campaign.reasons:
                continue
            size = sum(mine[question].get(o, 0) for o in orgs)
            item = orgs[0] if scope[0] == ORGANIZATION else scope
            if (reason := hidden.reason(item, size, ctx.minimum)) is not None:
                campaign.question_reasons.setdefault(scope, {})[question] = reason
    if not row.anonymous and row.diagnostic:  # every answer of a diagnostic is personal
        for scope in campaign.scopes:
            if scope not in campaign.reasons:
                campaign.question_reasons[scope] = dict.fromkeys(mine, INDIVIDUAL_RESULTS)
    for competence, hidden in withhold_sides_each(sides, sizes, decided, withheld, ad_hoc).items():
        for scope, orgs in campaign.scopes.items():
            item = orgs[0] if scope[0] == ORGANIZATION else scope
            if scope not in campaign.reasons and item in hidden:
                campaign.competence_reasons.setdefault(scope, {})[competence] = INDIVIDUAL_RESULTS


async def campaigns_of(ctx: Context, instruments: list[str]) -> list[Campaign]:
    """The campaigns of the instruments and periods reaching the scope, with their groups and
    what of them is withheld from the caller. An organization not open in a campaign's period
    (`Context.absent`: closed before it began, opened after it ended) is none of the
    campaign's: its answers count in no group, nor in what the disclosure rules weigh."""
    rows = (
        await ctx.session.execute(_CAMPAIGNS, {"instruments": instruments, "periods": ctx.periods})
    ).all()
    rows = [
        r
        for r in rows
        if ctx.campaign_organizations is None
        or not ctx.campaign_organizations.isdisjoint(r.organizations)
    ]
    sizes: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
    respondents = await ctx.session.execute(_RESPONDENTS, {"campaigns": [r.id for r in rows]})
    for campaign_id, org, n in respondents:
        sizes.setdefault(campaign_id, {})[org] = n or 0
    answerers: dict[uuid.UUID, dict[str, dict[uuid.UUID, int]]] = {}
    rows_of = await ctx.session.execute(_ANSWERERS, {"campaigns": [r.id for r in rows]})
    for campaign_id, org, question, n in rows_of:
        answerers.setdefault(campaign_id, {}).setdefault(question, {})[org] = n or 0
    sides: dict[uuid.UUID, dict[str, dict[uuid.UUID, tuple[int, int]]]] = {}
    for campaign_id, org, competence, with_deficit, without in await ctx.session.execute(
        _SIDES, {"campaigns": [r.id for r in rows if r.diagnostic]}
    ):
        sides.setdefault(campaign_id, {}).setdefault(competence, {})[org] = (
            with_deficit or 0,
            without or 0,
        )
    drawn: dict[uuid.UUID, list[Any]] = {}
    for r in await ctx.session.execute(_LAUNCHED, {"campaigns": [r.id for r in rows]}):
        drawn.setdefault(r.campaign_id, []).append(r)
    levels = {s.scope_type for s in ctx.scopes}
    # The groups of every organization any campaign reaches, in two queries for all campaigns;
    # each campaign's groups are these narrowed to its organizations.
    reached = {
        o
        for r in rows
        for o in r.organizations
        if (ctx.readable is None or o in ctx.readable) and o not in ctx.absent_in(r.period)
    }
    every_group = await _groups(ctx, sorted(reached))
    groups_of: dict[uuid.UUID, list[GroupKey]] = {}
    for key, members in every_group.items():
        for org in members:
            groups_of.setdefault(org, []).append(key)
    campaigns = []
    for row in sorted(rows, key=lambda r: str(r.id)):
        absent = ctx.absent_in(row.period)  # not open in the campaign's period: not reached
        expected = {
            o: e
            for o, e in zip(row.organizations, row.expected, strict=True)
            if (ctx.readable is None or o in ctx.readable) and o not in absent
        }
        visible = sorted(expected)
        groups: dict[GroupKey, set[uuid.UUID]] = {}
        for org in expected:
            for key in groups_of.get(org, ()):
                groups.setdefault(key, set()).add(org)
        scopes: dict[GroupKey, list[uuid.UUID]] = {}
        if ORGANIZATION in levels:
            scopes.update({(ORGANIZATION, o): [o] for o in visible})
        for key, members in groups.items():
            if key[0] in levels:
                scopes[key] = sorted(members)
        campaign = Campaign(
            row.id,
            row.instrument_code,
            row.period,
            row.audience,
            scopes,
            expected,
            sizes.get(row.id, {}),
            {},
        )
        among = [*expected] + [
            d.organization_id
            for d in drawn.get(row.id, ())
            if d.organization_id not in expected
            and d.organization_id not in absent
            and _inside_at_launch(ctx, d)
        ]
        taking_part = set(among)
        launched = _launched(
            ctx, (d for d in drawn.get(row.id, ()) if d.organization_id in taking_part)
        )
        _reasons(
            ctx,
            row,
            campaign,
            among,
            launched,
            groups,
            answerers.get(row.id, {}),
            sides.get(row.id, {}),
        )
        campaigns.append(campaign)
    return campaigns
