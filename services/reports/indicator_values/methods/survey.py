"""Survey methods over the campaign tallies: `survey_positive_share` (positive answers of the
rated ones, pooled over questions and campaigns), `survey_mean` (answers' mean, pooled) and
`deficit_share` (teachers with a deficit in a competence).

A campaign counts for a scope as its aggregates at the surveys service would show it to the
caller (services/surveys/responses/aggregates.py), with the same disclosure rules
(shared/disclosure.py): its groups are the organizations the caller may read, their clusters
and their territories inside the caller's scope; unless the caller reads the campaign's
personal results (an identified campaign, not `public`), a group is withheld while an
identified campaign is open (and `SETTLE` after), below the minimum, or where a difference of
shown figures would reveal a withheld one (decided over every group the caller may see).
A withheld group gives its respondents only. The pooled figures of the groups shown come from
one query over `fact_answer_tally` and one over `fact_competence_tally` for every campaign,
group and question at once.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.indicator_values.methods.base import (
    CLUSTER,
    ORGANIZATION,
    TERRITORY,
    Context,
    Known,
    Value,
    pct,
    rounded,
)
from shared.disclosure import CAMPAIGN_OPEN, published, withhold
from shared.identity import ScopeType

FACTS = (
    "fact_campaign",
    "fact_campaign_organization",
    "fact_answer_tally",
    "fact_competence_tally",
    "fact_cluster_member",
    "fact_territory",
    "fact_organization",
)

_CAMPAIGNS = text(
    """
    SELECT c.id, c.instrument_code, c.period, c.audience, c.anonymous, c.closes_at,
           array_agg(o.organization_id) AS organizations, array_agg(o.expected) AS expected
    FROM reports.fact_campaign c
    JOIN reports.fact_campaign_organization o ON o.campaign_id = c.id
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
_CLUSTERS = text(
    "SELECT cluster_id, organization_id FROM reports.fact_cluster_member "
    "WHERE organization_id = ANY(:orgs)"
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))
_GROUPS = (
    "unnest(CAST(:campaigns AS uuid[]), CAST(:scope_types AS text[]), CAST(:scope_ids AS uuid[]), "
    "CAST(:orgs AS uuid[])) AS m(campaign_id, scope_type, scope_id, organization_id)"
)
# Each query sums an organization's tallies once (`per_org`), then adds the organizations up
# into every group they are in: an organization is in four or so groups (itself, its cluster,
# its territories), and its tallies are read once, not once per group.
_PAIRS = f"""
    m AS MATERIALIZED (SELECT * FROM {_GROUPS}),
    pairs AS (SELECT DISTINCT campaign_id, organization_id FROM m)
"""  # noqa: S608 (a constant fragment)
_QUESTIONS = text(
    f"""
    WITH {_PAIRS}, per_org AS (
        SELECT t.campaign_id, t.organization_id, t.question, t.n, t.number_sum,
               t.number_count, t.positive, t.rated
        FROM pairs p
        JOIN reports.fact_answer_tally t
          ON t.campaign_id = p.campaign_id AND t.organization_id = p.organization_id
        WHERE t.value = '*' AND t.question <> ''
          AND (CAST(:questions AS text[]) IS NULL OR t.question = ANY(CAST(:questions AS text[])))
    )
    SELECT m.campaign_id, m.scope_type, m.scope_id, o.question, sum(o.n)::int AS n,
           sum(o.number_sum) AS total, sum(o.number_count)::int AS numbers,
           sum(o.positive)::int AS positive, sum(o.rated)::int AS rated
    FROM m JOIN per_org o
      ON o.campaign_id = m.campaign_id AND o.organization_id = m.organization_id
    GROUP BY m.campaign_id, m.scope_type, m.scope_id, o.question
    """  # noqa: S608 (a constant fragment, values bound)
)
# Positive and rated answers pooled over each question set (`''`: every question) per
# campaign and group, for the positive shares: one row per group and set, not per question.
_SHARES = text(
    f"""
    WITH {_PAIRS}, per_org AS (
        SELECT t.campaign_id, t.organization_id, s.idx,
               COALESCE(sum(t.positive), 0) AS positive, COALESCE(sum(t.rated), 0) AS rated
        FROM pairs p
        JOIN reports.fact_answer_tally t
          ON t.campaign_id = p.campaign_id AND t.organization_id = p.organization_id
        JOIN unnest(CAST(:set_ids AS int[]), CAST(:set_questions AS text[])) AS s(idx, question)
          ON s.question = t.question OR s.question = ''
        WHERE t.value = '*' AND t.question <> '' AND t.rated > 0
        GROUP BY t.campaign_id, t.organization_id, s.idx
    )
    SELECT m.campaign_id, m.scope_type, m.scope_id, o.idx,
           sum(o.positive)::int AS positive, sum(o.rated)::int AS rated
    FROM m JOIN per_org o
      ON o.campaign_id = m.campaign_id AND o.organization_id = m.organization_id
    GROUP BY m.campaign_id, m.scope_type, m.scope_id, o.idx
    """  # noqa: S608 (a constant fragment, values bound)
)
_COMPETENCES = text(
    f"""
    WITH {_PAIRS}, per_org AS (
        SELECT t.campaign_id, t.organization_id, t.competence, t.respondents, t.with_deficit
        FROM pairs p
        JOIN reports.fact_competence_tally t
          ON t.campaign_id = p.campaign_id AND t.organization_id = p.organization_id
    )
    SELECT m.campaign_id, m.scope_type, m.scope_id, o.competence,
           sum(o.respondents)::int AS n, sum(o.with_deficit)::int AS with_deficit
    FROM m JOIN per_org o
      ON o.campaign_id = m.campaign_id AND o.organization_id = m.organization_id
    GROUP BY m.campaign_id, m.scope_type, m.scope_id, o.competence
    """  # noqa: S608 (a constant fragment, values bound)
)

GroupKey = tuple[str, uuid.UUID]  # (scope type, id)


@dataclass
class Entry:
    """One campaign's figures for one scope, as its aggregates would give them."""

    audience: str | None
    n: int
    expected: int | None
    reason: str | None  # why withheld; None: shown
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    competences: dict[str, dict[str, int]] = field(default_factory=dict)
    campaign_id: uuid.UUID | None = None
    # per question set (sorted codes; (): every question): positive and rated answers
    shares: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Wanted:
    """What the definitions being computed read of the tallies: the question sets of positive
    shares (sorted codes, () for every question), the questions whose own figures means need
    (None: every question), and the competences (deficit shares)."""

    shares: frozenset[tuple[str, ...]] = frozenset()
    questions: frozenset[str] | None = frozenset()
    competences: bool = False


def wanted_by(definitions: list[dict[str, Any]]) -> Wanted:
    """What these survey definitions read."""
    shares, questions, competences = set(), set(), False
    every_question = False
    for definition in definitions:
        codes = tuple(sorted(definition["params"].get("question_codes") or ()))
        if definition["method"] == "survey_positive_share":
            shares.add(codes)
        elif definition["method"] == "survey_mean":
            every_question |= not codes
            questions |= set(codes)
        else:
            competences = True
    return Wanted(frozenset(shares), None if every_question else frozenset(questions), competences)


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


async def _groups(ctx: Context, orgs: list[uuid.UUID]) -> dict[GroupKey, set[uuid.UUID]]:
    """The clusters and territories (inside the caller's scope) the organizations make up."""
    groups: dict[GroupKey, set[uuid.UUID]] = {}
    for cluster, org in await ctx.session.execute(_CLUSTERS, {"orgs": orgs}):
        groups.setdefault((CLUSTER, cluster), set()).add(org)
    for org, chain in (await territory_chains(ctx.session, orgs)).items():
        for index, territory in enumerate(chain):
            if _inside(ctx, chain, index):
                groups.setdefault((TERRITORY, territory), set()).add(org)
    return groups


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


def _reasons(
    ctx: Context, row: Any, campaign: Campaign, groups: dict[GroupKey, set[uuid.UUID]]
) -> dict[GroupKey, str]:
    """Why each scope is withheld from the caller (absent: shown)."""
    if not row.anonymous and ctx.personal:
        return {}
    if not row.anonymous and not published(row.closes_at, ctx.now):
        return dict.fromkeys(campaign.scopes, CAMPAIGN_OPEN)
    sizes = {o: campaign.sizes.get(o, 0) for o in campaign.expected}
    withheld = withhold(sizes, groups, ctx.minimum)
    reasons = {}
    for scope, orgs in campaign.scopes.items():
        size = sum(sizes.get(o, 0) for o in orgs)
        item: Any = orgs[0] if scope[0] == ORGANIZATION else scope
        if (reason := withheld.reason(item, size, ctx.minimum)) is not None:
            reasons[scope] = reason
    return reasons


async def campaigns_of(ctx: Context, instruments: list[str]) -> list[Campaign]:
    """The campaigns of the instruments and periods reaching the scope, with their groups and
    what of them is withheld from the caller."""
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
    levels = {s.scope_type for s in ctx.scopes}
    # The groups of every organization any campaign reaches, in two queries for all campaigns;
    # each campaign's groups are these narrowed to its organizations.
    reached = {
        o for r in rows for o in r.organizations if ctx.readable is None or o in ctx.readable
    }
    every_group = await _groups(ctx, sorted(reached))
    groups_of: dict[uuid.UUID, list[GroupKey]] = {}
    for key, members in every_group.items():
        for org in members:
            groups_of.setdefault(org, []).append(key)
    campaigns = []
    for row in sorted(rows, key=lambda r: str(r.id)):
        expected = {
            o: e
            for o, e in zip(row.organizations, row.expected, strict=True)
            if ctx.readable is None or o in ctx.readable
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
        campaign.reasons = _reasons(ctx, row, campaign, groups)
        campaigns.append(campaign)
    return campaigns


async def entries_of(
    ctx: Context, campaigns: list[Campaign], wanted: Wanted
) -> dict[tuple, list[Entry]]:
    """Per (instrument, period, scope type, scope id): one entry per campaign, with what
    `wanted` asks of the groups shown."""
    shown = [
        (c.id, key, org)
        for c in campaigns
        for key, orgs in c.scopes.items()
        if key not in c.reasons
        for org in orgs
    ]
    params = {
        "campaigns": [s[0] for s in shown],
        "scope_types": [s[1][0] for s in shown],
        "scope_ids": [s[1][1] for s in shown],
        "orgs": [s[2] for s in shown],
    }
    questions: dict[tuple, dict[str, dict[str, Any]]] = {}
    competences: dict[tuple, dict[str, dict[str, int]]] = {}
    shares: dict[tuple, dict[tuple[str, ...], tuple[int, int]]] = {}
    sets = sorted(wanted.shares)
    if shown and sets:
        pairs = [(i, q) for i, codes in enumerate(sets) for q in (codes or ("",))]
        rows = await ctx.session.execute(
            _SHARES,
            params | {"set_ids": [p[0] for p in pairs], "set_questions": [p[1] for p in pairs]},
        )
        for r in rows:
            pooled = shares.setdefault((r.campaign_id, r.scope_type, r.scope_id), {})
            pooled[sets[r.idx]] = (r.positive, r.rated)
    if shown and wanted.questions != frozenset():
        questions_of = None if wanted.questions is None else sorted(wanted.questions)
        for r in await ctx.session.execute(_QUESTIONS, params | {"questions": questions_of}):
            questions.setdefault((r.campaign_id, r.scope_type, r.scope_id), {})[r.question] = {
                "n": r.n,
                "mean": round(r.total / r.numbers, 3) if r.numbers else None,
                "positive": r.positive,
                "rated": r.rated,
            }
    if shown and wanted.competences:
        for r in await ctx.session.execute(_COMPETENCES, params):
            competences.setdefault((r.campaign_id, r.scope_type, r.scope_id), {})[r.competence] = {
                "n": r.n,
                "with_deficit": r.with_deficit,
            }
    entries: dict[tuple, list[Entry]] = {}
    for c in campaigns:
        for key, orgs in c.scopes.items():
            expected: int | None = 0
            for org in orgs:
                expected = (
                    None
                    if expected is None or c.expected[org] is None
                    else (expected + c.expected[org])
                )
            entry = Entry(
                c.audience,
                sum(c.sizes.get(o, 0) for o in orgs),
                expected,
                c.reasons.get(key),
                questions.get((c.id, *key), {}),
                competences.get((c.id, *key), {}),
                c.id,
                shares.get((c.id, *key), {}),
            )
            entries.setdefault((c.instrument_code, c.period, *key), []).append(entry)
    return entries


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every survey definition for every scope and period."""
    instruments = sorted({d["params"]["instrument_code"] for d in definitions})
    entries = await entries_of(ctx, await campaigns_of(ctx, instruments), wanted_by(definitions))
    found: Known = {}
    for definition in definitions:
        params = definition["params"]
        audience = params.get("audience")
        for scope in ctx.scopes:
            for period in ctx.periods:
                key = (params["instrument_code"], period, scope.scope_type, scope.scope_id)
                chosen = [
                    e for e in entries.get(key, []) if audience is None or e.audience == audience
                ]
                value = _METHODS[definition["method"]](params, chosen)
                found[(definition["code"], scope.scope_type, scope.scope_id, period)] = value
    return found


def _coverage(entries: list[Entry]) -> dict[str, Any]:
    """Respondents, expected, response rate, and why some groups' figures were withheld."""
    respondents = sum(e.n for e in entries)
    expected = sum(e.expected or 0 for e in entries)
    withheld = {e.reason for e in entries if e.reason is not None and e.n}
    return {
        "respondents": respondents,
        "expected": expected or None,
        "response_rate": rounded(pct(respondents, expected)),
        "withheld": sorted(withheld),
    }


def _disclosed(
    params: dict[str, Any], entries: list[Entry]
) -> tuple[int, int, list[dict[str, Any]]]:
    """Respondents of the groups shown, respondents withheld, and the shown groups' questions
    that the indicator asks about."""
    wanted = set(params.get("question_codes") or [])
    respondents = withheld = 0
    questions: list[dict[str, Any]] = []
    for entry in entries:
        if entry.reason is not None:
            withheld += entry.n
            continue
        respondents += entry.n
        questions += [q for c, q in sorted(entry.questions.items()) if not wanted or c in wanted]
    return respondents, withheld, questions


def _positive_share(params: dict[str, Any], entries: list[Entry]) -> Value:
    respondents, withheld, _ = _disclosed(params, entries)
    codes = tuple(sorted(params.get("question_codes") or ()))
    pooled = [e.shares.get(codes, (0, 0)) for e in entries if e.reason is None]
    positive = sum(p[0] for p in pooled)
    rated = sum(p[1] for p in pooled)
    coverage = _coverage(entries)
    if not rated:
        return Value(n=respondents or withheld, coverage=coverage, insufficient=withheld > 0)
    return Value(pct(positive, rated), positive, rated, respondents, coverage)


def _mean(params: dict[str, Any], entries: list[Entry]) -> Value:
    respondents, withheld, questions = _disclosed(params, entries)
    weighted = answers = 0.0
    for question in questions:
        if question["mean"] is not None:
            # Pooled: each question's mean weighted by its answers.
            weighted += question["mean"] * question["n"]
            answers += question["n"]
    coverage = _coverage(entries)
    if not answers:
        return Value(n=int(respondents or withheld), coverage=coverage, insufficient=withheld > 0)
    return Value(weighted / answers, weighted, answers, int(respondents), coverage)


def _deficit_share(params: dict[str, Any], entries: list[Entry]) -> Value:
    wanted = set(params.get("competences") or [])
    totals: dict[str, list[int]] = {}
    withheld = 0
    for entry in entries:
        if entry.reason is not None:
            withheld += entry.n
            continue
        for code, competence in sorted(entry.competences.items()):
            if wanted and code not in wanted:
                continue
            pair = totals.setdefault(code, [0, 0])
            pair[0] += competence["with_deficit"]
            pair[1] += competence["n"]
    coverage = _coverage(entries)
    totals = {c: p for c, p in totals.items() if p[1]}
    if not totals:
        return Value(n=withheld, coverage=coverage, insufficient=withheld > 0)
    # Per competence n and with_deficit, not who has a deficit in any of them: the largest
    # competence share is the best lower bound of "any" they allow.
    deficits, diagnosed = max(totals.values(), key=lambda p: (p[0] / p[1], p[1]))
    n = max(p[1] for p in totals.values())
    if params.get("with_deficit", True):
        return Value(pct(deficits, diagnosed), deficits, diagnosed, n, coverage)
    return Value(pct(diagnosed - deficits, diagnosed), diagnosed - deficits, diagnosed, n, coverage)


_METHODS = {
    "survey_positive_share": _positive_share,
    "survey_mean": _mean,
    "deficit_share": _deficit_share,
}
