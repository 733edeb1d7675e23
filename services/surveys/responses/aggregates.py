"""Aggregates of a campaign per organization, cluster or territory, computed in SQL.

They are read from the answer tallies that each submission keeps (see models.AnswerTally):
organizations are grouped by a mapping passed as two arrays (organization, group) and joined
in the query, so pooled counts, means and shares come from one GROUP BY over a few rows per
organization and question, whatever the number of responses. An anonymous campaign's values
for fewer respondents than the disclosure minimum are withheld.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.clients.api import ApiClient
from shared.auth import Principal, ScopeType

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


def _share(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


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
            "counts": self.counts,
            "mean": round(self.total / self.numbers, 3) if self.numbers else None,
            "positive_share": _share(self.positive, self.rated),
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
            "deficit_share": _share(row["deficits"], row["n"]),
            "mean_score_share": _share(row["score"], row["max_score"]),
        }
    return groups


def render(
    scope_type: str,
    scope_id: uuid.UUID,
    group: Group,
    *,
    anonymous: bool,
    minimum: int,
    expected: int | None,
) -> dict[str, Any]:
    """One scope's aggregates; values withheld below the disclosure minimum when anonymous."""
    suppressed = anonymous and group.respondents < minimum
    questions = sorted(group.questions.values(), key=lambda q: q["code"])
    competences = sorted(group.competences.values(), key=lambda c: c["code"])
    if suppressed:
        questions = [
            {
                "code": q["code"],
                "n": q["n"],
                "counts": None,
                "mean": None,
                "positive_share": None,
                "positive": None,
                "rated": None,
            }
            for q in questions
        ]
        competences = [{"code": c["code"], "n": c["n"]} for c in competences]
    return {
        "scope_type": scope_type,
        "scope_id": str(scope_id),
        "n": group.respondents,
        "expected": expected,
        "response_rate": _share(group.respondents, expected) if expected else None,
        "suppressed": suppressed,
        "questions": questions,
        "competences": competences,
    }


async def grouping(
    principal: Principal, api: ApiClient, organizations: list[uuid.UUID], level: str
) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """(organization, group, kind of group) for the level, from one call to the api service.

    At territory level an organization counts towards its territory and every one above it,
    but only towards territories inside the caller's scope: a municipal viewer gets their
    municipality, not a region figure made of their schools alone.
    """
    if level == "organization":
        return [(o, o, "organization") for o in organizations]
    facts = await api.organizations(organizations)
    mapping = []
    for org_id, org in facts.items():
        if level == "cluster":
            mapping += [(org_id, uuid.UUID(c), "cluster") for c in org["cluster_ids"]]
            continue
        chain = [uuid.UUID(t) for t in org["territory_ids"]]
        for index, territory in enumerate(chain):
            inside = principal.unrestricted or (
                principal.scope_type == ScopeType.territory and principal.scope_id in chain[index:]
            )
            if inside:
                mapping.append((org_id, territory, "territory"))
    return mapping
