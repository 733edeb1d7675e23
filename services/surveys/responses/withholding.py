"""Which of a campaign's aggregates are withheld, and why (shared/disclosure.py's rules over
the groups a caller may see): the groups organizations make up for a caller (`groups_of`), the
scopes withheld as a whole (`scope_reasons`), the questions and the competences of a diagnostic
withheld within the scopes shown (`part_reasons`: a share with a deficit must not tell
individual results either), and whether a campaign's results are personal (`is_diagnostic`)."""

import uuid
from collections.abc import Collection, Hashable, Mapping
from typing import Any

from sqlalchemy import ARRAY, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign
from services.surveys.instruments.models import Instrument, InstrumentVersion
from shared.disclosure import (
    CAMPAIGN_OPEN,
    INDIVIDUAL_RESULTS,
    Withheld,
    cluster_readable,
    published,
    withhold,
    withhold_questions,
    withhold_sides_each,
)
from shared.identity import Principal, ScopeType

# Answerers per organization and question (the tally row of value "*"): what the per-question
# disclosure rule counts.
_ANSWERERS = text(
    """
    SELECT organization_id, question, n FROM surveys.answer_tally
    WHERE campaign_id = :campaign AND question <> '' AND value = '*'
      AND organization_id = ANY(:orgs)
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))

# Teachers with and without a deficit per organization and competence: what the rule on
# complementary cells counts.
_SIDES = text(
    """
    SELECT organization_id, competence, count(*) FILTER (WHERE deficit)::int AS with_deficit,
           count(*) FILTER (WHERE NOT deficit)::int AS without
    FROM surveys.competence_score
    WHERE campaign_id = :campaign AND organization_id = ANY(:orgs)
    GROUP BY organization_id, competence
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))


def withheld_competence(competence: dict[str, Any], reason: str) -> dict[str, Any]:
    """A competence's figures withheld: its `n` (how many were diagnosed) and why, nothing
    else (no count or share with a deficit, no mean score)."""
    return {
        "code": competence["code"],
        "n": competence["n"],
        "suppressed": True,
        "reason": reason,
        "with_deficit": None,
        "deficit_share": None,
        "mean_score_share": None,
    }


def withheld_question(question: dict[str, Any], reason: str) -> dict[str, Any]:
    """A question's figures withheld: its `n` (how many answered) and why, nothing else."""
    return {
        "code": question["code"],
        "n": question["n"],
        "suppressed": True,
        "reason": reason,
        "counts": {},
        "mean": None,
        "positive_share": None,
        "positive": None,
        "rated": None,
    }


GroupKey = tuple[str, uuid.UUID]  # ("cluster" | "territory", id)


def groups_of(
    principal: Principal,
    facts: Mapping[uuid.UUID, Mapping[str, Any]],
    among: Collection[uuid.UUID] | None = None,
) -> dict[GroupKey, set[uuid.UUID]]:
    """The clusters and territories the organizations make up, each with its organizations:
    `facts` per organization its `territory_ids` (its own first, up to the root) and
    `cluster_ids` (as the api's lookup gives them now, or as a campaign organization keeps
    them from its launch); `among`: only these organizations (default: all of `facts`).

    An organization counts towards its territory and every one above it, but only towards
    territories inside the caller's scope: a municipal viewer gets their municipality, not a
    region figure made of their schools alone. Likewise clusters only for a caller whose
    scope holds them (`cluster_readable`): a school's leader or teacher gets no cluster figure,
    which would be their own school's under the cluster's name.
    """
    groups: dict[GroupKey, set[uuid.UUID]] = {}
    for org_id, org in facts.items():
        if among is not None and org_id not in among:
            continue
        for cluster in map(_uuid, org["cluster_ids"]):
            if cluster_readable(principal, cluster):
                groups.setdefault(("cluster", cluster), set()).add(org_id)
        chain = [_uuid(t) for t in org["territory_ids"]]
        for index, territory in enumerate(chain):
            inside = principal.unrestricted or (
                principal.scope_type == ScopeType.territory and principal.scope_id in chain[index:]
            )
            if inside:
                groups.setdefault(("territory", territory), set()).add(org_id)
    return groups


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def scope_reasons(
    campaign: Campaign,
    sizes: dict[uuid.UUID, int],
    groups: Mapping[Hashable, Collection[uuid.UUID]],
    members: dict[uuid.UUID, list[uuid.UUID]],
    *,
    level: str,
    single: bool,
    minimum: int,
    ad_hoc: Collection[GroupKey],
) -> tuple[dict[uuid.UUID, str], Withheld | None]:
    """Per scope asked about (`members`: its organizations asked about), why it is withheld
    (scopes shown are absent), and what is withheld over every scope (None: everything).
    `single`: each scope stands for one organization's figures. `groups`, `ad_hoc`: what to
    decide over (shared.disclosure.as_launched)."""
    if not published(campaign.closes_at):
        return dict.fromkeys(members, CAMPAIGN_OPEN), None
    withheld = withhold(sizes, groups, minimum, ad_hoc=ad_hoc)
    reasons = {}
    for scope, orgs in members.items():
        size = sum(sizes.get(o, 0) for o in orgs)
        item: Any = orgs[0] if single else (level, scope)
        if (reason := withheld.reason(item, size, minimum)) is not None:
            reasons[scope] = reason
    return reasons, withheld


async def part_reasons(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    visible: list[uuid.UUID],
    groups: Mapping[Hashable, Collection[uuid.UUID]],
    members: dict[uuid.UUID, list[uuid.UUID]],
    already: Withheld,
    *,
    level: str,
    single: bool,
    minimum: int,
    ad_hoc: Collection[GroupKey],
) -> tuple[dict[uuid.UUID, dict[str, str]], dict[uuid.UUID, dict[str, str]]]:
    """Per scope asked about, the questions and the competences whose figures are withheld in
    it, and why, over every scope the caller may see, from the scopes withheld as a whole:
    a question answered there by fewer than the minimum, or whose shown figures' difference
    would give away those of a few (shared.disclosure.withhold_questions); a competence with
    fewer than two teachers on one side, with a deficit or without, or given away by a
    difference (shared.disclosure.withhold_sides: INDIVIDUAL_RESULTS)."""

    def item_of(scope: uuid.UUID, orgs: list[uuid.UUID]) -> Any:
        return orgs[0] if single else (level, scope)

    answerers: dict[str, dict[uuid.UUID, int]] = {}
    rows = await session.execute(_ANSWERERS, {"campaign": campaign_id, "orgs": visible})
    for org, question, n in rows.all():
        answerers.setdefault(question, {})[org] = n
    by_question: dict[uuid.UUID, dict[str, str]] = {}
    for question, withheld in withhold_questions(
        answerers, groups, minimum, already, ad_hoc
    ).items():
        for scope, orgs in members.items():
            size = sum(answerers[question].get(o, 0) for o in orgs)
            if (reason := withheld.reason(item_of(scope, orgs), size, minimum)) is not None:
                by_question.setdefault(scope, {})[question] = reason
    sides: dict[str, dict[uuid.UUID, tuple[int, int]]] = {}
    rows = await session.execute(_SIDES, {"campaign": campaign_id, "orgs": visible})
    for org, competence, with_deficit, without in rows.all():
        sides.setdefault(competence, {})[org] = (with_deficit, without)
    by_competence: dict[uuid.UUID, dict[str, str]] = {}
    for competence, hidden in withhold_sides_each(sides, visible, groups, already, ad_hoc).items():
        for scope, orgs in members.items():
            if item_of(scope, orgs) in hidden:
                by_competence.setdefault(scope, {})[competence] = INDIVIDUAL_RESULTS
    return by_question, by_competence


async def is_diagnostic(session: AsyncSession, campaign: Campaign) -> bool:
    """Whether the campaign's instrument is a diagnostic of deficits: the only kind whose
    results are personal (read by the teacher, the leader, the methodologists). Any other
    identified campaign (one launched before only diagnostics could be) keeps the disclosure
    minimum for every reader."""
    kind = await session.scalar(
        select(Instrument.kind)
        .join(InstrumentVersion, InstrumentVersion.instrument_id == Instrument.id)
        .where(InstrumentVersion.id == campaign.instrument_version_id)
    )
    return kind == "deficit"
