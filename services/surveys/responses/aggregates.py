"""Aggregates of a campaign per organization, cluster or territory, computed in SQL.

They are read from the answer tallies that each submission keeps (see models.AnswerTally):
organizations are grouped by a mapping passed as two arrays (organization, group) and joined
in the query, so pooled counts, means and shares come from one GROUP BY over a few rows per
organization and question, whatever the number of responses.

The disclosure rules (shared/disclosure.py): an anonymous campaign's values are withheld for
everyone, an identified campaign's (teachers' personal results) for everyone who may not read
personal results, for groups of fewer respondents than the minimum and those that a difference
of shown figures would give away: decided once over every organization, cluster and territory
the caller may see, whatever level they ask for, as the groups were drawn at the campaign's
launch (a group drawn or redrawn since is shown only when all its schools are:
shared.disclosure.as_launched). The same rules hold for each question within
the groups shown, over the people who answered it (`part_reasons`): a question answered by fewer
than the minimum, or whose figures a difference would give away, shows its `n` and why it is
withheld, no counts and no mean. So does a diagnostic's competence with fewer than two teachers
with the deficit or without it (`individual_results`: 100 %, 0 %, 4 of 5 would tell everyone's
result), or given away by a difference. A diagnostic's questions are withheld from those
readers in every group shown (`individual_results`, each its `n` only): a test item's counts
per option say how many answered it rightly (the instrument says which option is), and a
question all but one teacher answered alike tells each the others' answers. A campaign's
groups are all withheld, too, until the campaign has closed (two readings would differ by
whoever answered in between: `/pending` says who that is in an identified one, and a school's
leader may know which parent has just answered an anonymous one); from everyone in an
anonymous campaign, from all but the readers of personal results in an identified diagnostic.
A withheld group shows how many answered, nothing else.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import CampaignOrganization
from services.surveys.campaigns.service import ensure_member, readable_campaign
from services.surveys.clients.api import ApiClient
from services.surveys.responses.withholding import (
    GroupKey,
    groups_of,
    is_diagnostic,
    part_reasons,
    scope_reasons,
    withheld_competence,
    withheld_question,
)
from shared.disclosure import (
    INDIVIDUAL_RESULTS,
    as_launched,
    inside_at_launch,
    reads_personal_results,
)
from shared.expected_respondents import pooled, unknown_reason
from shared.identity import Principal
from shared.numbers import percent
from shared.scope import ScopeResolver

_ARRAYS = (bindparam("orgs", type_=ARRAY(Uuid)), bindparam("groups", type_=ARRAY(Uuid)))

# The tallies of the organizations asked about, summed per group: a few rows per
# organization and question, whatever the number of responses.
_TALLIES = text(
    """
    SELECT m.group_id, t.question, t.value, sum(t.n)::int AS n, sum(t.number_sum) AS total,
           sum(t.number_count)::int AS numbers, sum(t.positive)::int AS positive,
           sum(t.rated)::int AS rated
    FROM surveys.answer_tally t
    JOIN unnest(:orgs, :groups) AS m(organization_id, group_id) USING (organization_id)
    WHERE t.campaign_id = :campaign
    GROUP BY m.group_id, t.question, t.value
    """
).bindparams(*_ARRAYS)
# Respondents per organization: the tally row of question "" (see models.AnswerTally).
_RESPONDENTS = text(
    """
    SELECT organization_id, n FROM surveys.answer_tally
    WHERE campaign_id = :campaign AND question = '' AND value = '*'
      AND organization_id = ANY(:orgs)
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))
# Diagnostics: one score row per teacher and competence, grouped per organization first.
_COMPETENCES = text(
    """
    WITH per_org AS (
        SELECT organization_id, competence, count(*) AS n,
               count(*) FILTER (WHERE deficit) AS deficits, sum(score) AS score,
               sum(max_score) AS max_score
        FROM surveys.competence_score
        WHERE campaign_id = :campaign
          AND organization_id IN (SELECT DISTINCT unnest(CAST(:orgs AS uuid[])))
        GROUP BY organization_id, competence
    )
    SELECT m.group_id, p.competence, sum(p.n)::int AS n, sum(p.deficits)::int AS deficits,
           sum(p.score) AS score, sum(p.max_score) AS max_score
    FROM per_org p
    JOIN unnest(:orgs, :groups) AS m(organization_id, group_id) USING (organization_id)
    GROUP BY m.group_id, p.competence
    """
).bindparams(*_ARRAYS)


@dataclass
class Tally:
    """One question's answers in one group, from its tally rows."""

    n: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    total: float = 0.0
    numbers: int = 0
    positive: int = 0
    rated: int = 0

    def add(self, row: Any) -> None:
        if row["value"] != "*":
            self.counts[row["value"]] = row["n"]
            return
        self.n, self.total, self.numbers = row["n"], row["total"], row["numbers"]
        self.positive, self.rated = row["positive"], row["rated"]

    def result(self, code: str) -> dict[str, Any]:
        return {
            "code": code,
            "n": self.n,
            "suppressed": False,
            "reason": None,
            "counts": self.counts,
            "mean": round(self.total / self.numbers, 3) if self.numbers else None,
            "positive_share": percent(self.positive, self.rated),
            # The counts behind the share, so that a caller can pool several questions.
            "positive": self.positive,
            "rated": self.rated,
        }


@dataclass
class Group:
    respondents: int = 0
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    competences: dict[str, dict[str, Any]] = field(default_factory=dict)


async def aggregate(
    session: AsyncSession, campaign_id: uuid.UUID, mapping: list[tuple[uuid.UUID, uuid.UUID]]
) -> dict[uuid.UUID, Group]:
    """Per group: respondents, per question n/counts/mean/positive share, per competence."""
    params = {
        "campaign": campaign_id,
        "orgs": [m[0] for m in mapping],
        "groups": [m[1] for m in mapping],
    }
    groups: dict[uuid.UUID, Group] = {}
    tallies: dict[tuple[uuid.UUID, str], Tally] = {}
    for row in (await session.execute(_TALLIES, params)).mappings():
        group = groups.setdefault(row["group_id"], Group())
        if row["question"] == "":
            group.respondents = row["n"]
        else:
            tallies.setdefault((row["group_id"], row["question"]), Tally()).add(row)
    for (group_id, question), tally in tallies.items():
        groups[group_id].questions[question] = tally.result(question)
    for row in (await session.execute(_COMPETENCES, params)).mappings():
        groups.setdefault(row["group_id"], Group()).competences[row["competence"]] = {
            "code": row["competence"],
            "n": row["n"],
            "with_deficit": row["deficits"],
            "deficit_share": percent(row["deficits"], row["n"]),
            "mean_score_share": percent(row["score"], row["max_score"]),
            "suppressed": False,
            "reason": None,
        }
    return groups


def render(
    scope_type: str,
    scope_id: uuid.UUID,
    group: Group,
    *,
    reason: str | None,
    expected: int | None,
    audience: str,
) -> dict[str, Any]:
    """One scope's aggregates. Withheld (`reason` given): how many answered and nothing else,
    no question or competence (their list, their counts, vary with the answers)."""
    suppressed = reason is not None
    return {
        "scope_type": scope_type,
        "scope_id": str(scope_id),
        "n": group.respondents,
        "expected": expected,
        "expected_unknown": unknown_reason(audience, expected),
        "response_rate": percent(group.respondents, expected) if expected else None,
        "suppressed": suppressed,
        "reason": reason,
        "questions": [] if suppressed else sorted(group.questions.values(), key=_code),
        "competences": [] if suppressed else sorted(group.competences.values(), key=_code),
    }


def _code(entry: dict[str, Any]) -> str:
    return entry["code"]


def _expected(
    mapping: list[tuple[uuid.UUID, uuid.UUID, str]], members: dict[uuid.UUID, int | None]
) -> dict[uuid.UUID, int | None]:
    """Per group, the respondents expected in its organizations (shared/expected_respondents:
    None if one has no figure)."""
    of_group: dict[uuid.UUID, list[int | None]] = {}
    for org, group, _ in mapping:
        of_group.setdefault(group, []).append(members.get(org))
    return {group: pooled(numbers) for group, numbers in of_group.items()}


async def _respondents(
    session: AsyncSession, campaign_id: uuid.UUID, organizations: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    rows = await session.execute(_RESPONDENTS, {"campaign": campaign_id, "orgs": organizations})
    return {org: n for org, n in rows.all()}


async def campaign_aggregates(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    api: ApiClient,
    campaign_id: uuid.UUID,
    *,
    level: str,
    organization_id: uuid.UUID | None,
    minimum: int,
    public: bool = False,
) -> dict[str, Any]:
    """`{campaign_id, level, items, total}`: per scope of the level (organization, cluster,
    territory) inside the caller's scope, `n`, `expected`, `response_rate`, `suppressed`,
    `reason`, per question `n`, `counts`, `mean`, `positive_share`, `positive`, `rated` and per
    competence `n`, `with_deficit`, `deficit_share`, `mean_score_share` (shares in percent).

    A scope withheld (`suppressed`, `reason` "campaign_open", "minimum" or "difference", see
    shared/disclosure.py) has its `n`, `expected` and `response_rate` only, and empty
    `questions` and `competences`. Withheld from everyone in anonymous campaigns, from all
    but the readers of personal results in identified ones: by the minimum, and every scope
    while the campaign is open (until `SETTLE` after its close). `organization_id`: that
    organization's figures only. `public`: withheld as for a reader without access to
    personal results, whoever asks. NotFound (404) when the campaign is not in the caller's
    scope."""
    campaign, mine = await readable_campaign(session, principal, scopes, campaign_id)
    if organization_id is not None:
        await ensure_member(session, principal, scopes, campaign, organization_id)
    rows = (
        await session.execute(
            select(
                CampaignOrganization.organization_id,
                CampaignOrganization.expected,
                CampaignOrganization.territory_ids,
                CampaignOrganization.cluster_ids,
            ).where(CampaignOrganization.campaign_id == campaign_id)
        )
    ).all()
    members = {r.organization_id: r.expected for r in rows}
    visible = [o for o in members if mine is None or o in mine]
    # Decided over as well: those inside the caller's scope at the launch, moved out since.
    seen = set(visible)
    among = visible + [
        r.organization_id
        for r in rows
        if r.organization_id not in seen
        and inside_at_launch(principal, r.organization_id, r.territory_ids, r.cluster_ids)
    ]
    diagnostic = not campaign.anonymous and await is_diagnostic(session, campaign)
    personal = diagnostic and not public and reads_personal_results(principal)
    groups: dict[GroupKey, set[uuid.UUID]] = {}  # as drawn now: the scopes of the level
    decided: dict[Any, frozenset[uuid.UUID]] = {}  # what withholding is decided over
    ad_hoc: frozenset[GroupKey] = frozenset()
    if level != "organization" or not personal:
        groups = groups_of(principal, await api.organizations(visible))
        launched = groups_of(principal, {r.organization_id: r._mapping for r in rows}, among)
        decided, ad_hoc = as_launched(launched, groups)

    asked = [o for o in visible if organization_id in (None, o)]
    if level == "organization":
        mapping = [(o, o, level) for o in asked]
    else:
        mapping = sorted(
            (o, key[1], level) for key, orgs in groups.items() if key[0] == level for o in orgs
        )
        mapping = [m for m in mapping if m[0] in asked]
    expected = _expected(mapping, members)
    of_scope: dict[uuid.UUID, list[uuid.UUID]] = {}
    for org, scope, _ in mapping:
        of_scope.setdefault(scope, []).append(org)

    reasons: dict[uuid.UUID, str] = {}
    by_question: dict[uuid.UUID, dict[str, str]] = {}
    by_competence: dict[uuid.UUID, dict[str, str]] = {}
    sizes: dict[uuid.UUID, int] = {}
    if not personal:
        sizes = await _respondents(session, campaign_id, among)
        single = organization_id is not None or level == "organization"
        reasons, withheld = scope_reasons(
            campaign,
            {o: sizes.get(o, 0) for o in among},
            decided,
            of_scope,
            level=level,
            single=single,
            minimum=minimum,
            ad_hoc=ad_hoc,
        )
        if withheld is not None:
            by_question, by_competence = await part_reasons(
                session,
                campaign_id,
                among,
                decided,
                of_scope,
                withheld,
                level=level,
                single=single,
                minimum=minimum,
                ad_hoc=ad_hoc,
            )
    # Only the scopes shown are aggregated: nothing of a withheld one is even read.
    shown = [(o, g) for o, g, _ in mapping if g not in reasons]
    figures = await aggregate(session, campaign_id, shown) if shown else {}
    items = []
    for scope in sorted(of_scope, key=str):
        group = figures.get(scope) or Group()
        if scope in reasons:
            group = Group(respondents=sum(sizes.get(o, 0) for o in of_scope[scope]))
        hidden = by_question.get(scope, {})
        if diagnostic and not personal:  # every answer of a diagnostic is a personal result
            hidden = dict.fromkeys(group.questions, INDIVIDUAL_RESULTS)
        for code, reason in hidden.items():
            if code in group.questions:
                group.questions[code] = withheld_question(group.questions[code], reason)
        for code, reason in by_competence.get(scope, {}).items():
            if code in group.competences:
                group.competences[code] = withheld_competence(group.competences[code], reason)
        items.append(
            render(
                level,
                scope,
                group,
                reason=reasons.get(scope),
                expected=expected.get(scope),
                audience=campaign.audience,
            )
        )
    return {"campaign_id": str(campaign_id), "level": level, "items": items, "total": len(items)}
